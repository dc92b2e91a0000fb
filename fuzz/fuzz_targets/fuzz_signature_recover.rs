//! Signature parsing and recovery on arbitrary bytes: never panics; an accepted signature has
//! low `s`, v ∈ {27, 28}, and survives the compact round-trip with the same signer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_types::{recover_signer, EthSignature, B256, U256, SECP256K1_HALF_ORDER};

fuzz_target!(|input: &[u8]| {
    if input.len() < 32 {
        return;
    }
    let (digest, sig) = input.split_at(32);
    let digest = B256::from_slice(digest);
    let parsed = match sig.len() {
        64 => EthSignature::from_compact(sig),
        _ => EthSignature::from_bytes(sig),
    };
    let Ok(signature) = parsed else {
        return;
    };
    if let Ok(signer) = recover_signer(&digest, &signature) {
        assert!(U256::from_be_bytes(signature.s.0) <= SECP256K1_HALF_ORDER);
        assert!(signature.v == 27 || signature.v == 28);
        let compact = signature.to_compact().expect("an accepted signature has a compact form");
        let again = EthSignature::from_compact(&compact).expect("64 bytes");
        assert_eq!(again, signature);
        assert_eq!(recover_signer(&digest, &again).ok(), Some(signer));
    }
});
