//! ICS23 proofs of the peg zone state (peg-store) on arbitrary bytes: the decoder and both
//! verifiers must never panic, and must accept only what the proof really commits to.
//!
//! Input: byte 0 is the mode, bytes 1..33 a root, the rest an encoded `CommitmentProof`.
//! - The decoded proof re-encodes to bytes that decode to the same proof.
//! - Existence proofs: verified against the given root and against the root the proof itself
//!   computes (`ics23::calculate_existence_root`), with the proof's own key and value; if the
//!   latter is accepted, a flipped value must be refused.
//! - Non-existence proofs: verified against the given root and the roots of both neighbours.
//! - Every proof is also run through the verifier of the other kind (must be refused).
//!
//! Seeds: `cargo run -p peg-store --example proof_seeds -- fuzz/corpus/fuzz_store_proof`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_store::ics23::commitment_proof::Proof;
use peg_store::ics23::{self, HostFunctionsManager};
use peg_store::{decode_proof, encode_proof, verify_membership, verify_non_membership, RootHash};

fn root_of(exist: &ics23::ExistenceProof) -> Option<RootHash> {
    let root = ics23::calculate_existence_root::<HostFunctionsManager>(exist).ok()?;
    <[u8; 32]>::try_from(root.as_slice()).ok().map(RootHash)
}

fuzz_target!(|data: &[u8]| {
    let Some((_, rest)) = data.split_first() else { return };
    let Some((root, bytes)) = rest.split_at_checked(32) else { return };
    let Ok(given_root) = <[u8; 32]>::try_from(root).map(RootHash) else { return };
    let Ok(proof) = decode_proof(bytes) else { return };
    let again = decode_proof(&encode_proof(&proof)).expect("re-encoded proof decodes");
    assert_eq!(again, proof, "encoding round trip");

    match proof.proof.as_ref() {
        Some(Proof::Exist(exist)) => {
            let _ = verify_membership(&proof, &given_root, &exist.key, &exist.value);
            assert!(verify_non_membership(&proof, &given_root, &exist.key).is_err());
            if let Some(root) = root_of(exist) {
                if verify_membership(&proof, &root, &exist.key, &exist.value).is_ok() {
                    let mut other = exist.value.clone();
                    other.push(0);
                    assert!(verify_membership(&proof, &root, &exist.key, &other).is_err());
                }
            }
        }
        Some(Proof::Nonexist(non)) => {
            let _ = verify_non_membership(&proof, &given_root, &non.key);
            assert!(verify_membership(&proof, &given_root, &non.key, b"v").is_err());
            for neighbour in [&non.left, &non.right].into_iter().flatten() {
                if let Some(root) = root_of(neighbour) {
                    let _ = verify_non_membership(&proof, &root, &non.key);
                    // A neighbour is present, so it can never be proven absent.
                    assert!(verify_non_membership(&proof, &root, &neighbour.key).is_err());
                }
            }
        }
        _ => {
            assert!(verify_membership(&proof, &given_root, b"k", b"v").is_err());
            assert!(verify_non_membership(&proof, &given_root, b"k").is_err());
        }
    }
});
