//! The contract's checkpoint calldata on arbitrary input: `ValsetSignatures::decode` / `verify`
//! and the new-valset expansions of §8.3 never panic; calldata that decodes and re-encodes does so
//! byte for byte, and re-encoding an expanded new valset with references expands to the same set.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_types::{
    expand_valset_entries, expand_valset_powers, new_valset_entries, ValsetSignatures, B256, U256,
};

fuzz_target!(|input: &[u8]| {
    // Layout: digest (32) ‖ signer bitmap (32) ‖ member count (1) ‖ members (32 each) ‖ rest, the
    // rest being the signatures, and also read as new-valset entries and as 5-byte powers.
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
    let tail = rest.get(count * 32..).unwrap_or_default();
    let calldata = ValsetSignatures {
        members: member_bytes.chunks_exact(32).map(B256::from_slice).collect(),
        signers,
        signatures: tail.to_vec(),
    };
    if let Ok((valset, signatures)) = calldata.decode(7) {
        if let Ok(again) = ValsetSignatures::new(&valset, &signatures) {
            assert_eq!(again, calldata, "calldata round-trip");
        }
        let _ = calldata.verify(&valset.members_hash(), &digest);
    }
    let entries: Vec<B256> = tail.chunks_exact(32).map(B256::from_slice).collect();
    if let Ok(new) = expand_valset_entries(8, &entries, &calldata.members) {
        let encoded = new_valset_entries(&calldata.members, &new);
        assert_eq!(expand_valset_entries(8, &encoded, &calldata.members).ok(), Some(new));
    }
    let _ = expand_valset_powers(8, tail, &calldata.members);
});
