//! `ValsetSignatures::decode` / `verify` (the contract's checkpoint calldata) on arbitrary input:
//! never panics, and calldata that decodes and re-encodes does so byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_types::{ValsetSignatures, B256, U256};

fuzz_target!(|input: &[u8]| {
    // Layout: digest (32) ‖ signer bitmap (32) ‖ member count (1) ‖ members (32 each) ‖ signatures.
    if input.len() < 65 {
        return;
    }
    let (head, rest) = input.split_at(65);
    let digest = B256::from_slice(&head[..32]);
    let signers = U256::from_be_slice(&head[32..64]);
    let count = usize::from(head[64]);
    let Some(member_bytes) = rest.get(..count * 32) else {
        return;
    };
    let calldata = ValsetSignatures {
        members: member_bytes.chunks_exact(32).map(B256::from_slice).collect(),
        signers,
        signatures: rest.get(count * 32..).unwrap_or_default().to_vec(),
    };
    if let Ok((valset, signatures)) = calldata.decode(7) {
        if let Ok(again) = ValsetSignatures::new(&valset, &signatures) {
            assert_eq!(again, calldata, "calldata round-trip");
        }
        let _ = calldata.verify(7, &valset.valset_hash(), &digest);
    }
});
