//! ICS23 proofs of the store: the proof spec, the verifier, and the protobuf codec.
//!
//! Spec: `specs/state-store.md` §4 and <https://github.com/cosmos/ics23>. The proof spec is the
//! jmt crate's [`jmt::ics23_spec`]: leaf `sha256("JMT::LeafNode" ‖ sha256(key) ‖ sha256(value))`,
//! inner `sha256("JMT::IntrnalNode" ‖ left ‖ right)` over a binary sparse Merkle tree of depth 256
//! indexed by `sha256(key)`, empty subtree = `"SPARSE_MERKLE_PLACEHOLDER_HASH__"`.
//!
//! The verifier checks the shape of the proof against the spec itself (every leaf and inner
//! operation, path length) before running the ICS23 algorithm, so a foreign or malformed proof is
//! refused with a precise [`ProofError`].

use ics23::commitment_proof::Proof;
use ics23::{CommitmentProof, ExistenceProof, HashOp, HostFunctionsManager, LengthOp, ProofSpec};
use jmt::proof::{INTERNAL_DOMAIN_SEPARATOR, LEAF_DOMAIN_SEPARATOR};
use prost_013::Message;

use crate::error::ProofError;
use crate::RootHash;

/// Largest encoded proof [`decode_proof`] accepts: two existence proofs of 256 steps of at most
/// 48 + 32 bytes each, plus keys and values, stay far below it.
pub const MAX_PROOF_LEN: usize = 1 << 20;

/// Longest path of an existence proof: the depth of the binary sparse Merkle tree.
pub const MAX_PATH_LEN: usize = 256;

/// The ICS23 proof spec of the peg zone's state (= `jmt::ics23_spec()`).
pub fn proof_spec() -> ProofSpec {
    jmt::ics23_spec()
}

/// Encodes a proof as protobuf (`cosmos.ics23.v1.CommitmentProof`), as carried in an ABCI
/// `Query` response's `ProofOp.data`.
pub fn encode_proof(proof: &CommitmentProof) -> Vec<u8> {
    proof.encode_to_vec()
}

/// Decodes a protobuf `cosmos.ics23.v1.CommitmentProof` received from outside.
pub fn decode_proof(bytes: &[u8]) -> Result<CommitmentProof, ProofError> {
    if bytes.len() > MAX_PROOF_LEN {
        return Err(ProofError::TooLong { got: bytes.len(), expected: MAX_PROOF_LEN });
    }
    CommitmentProof::decode(bytes).map_err(|e| ProofError::Decode(e.to_string()))
}

/// Checks that `proof` proves `key = value` under `root`.
///
/// Implements ICS23 `VerifyMembership` with [`proof_spec`]. Deviation: only a plain existence
/// proof is accepted (no batch or compressed proof: the store never produces them).
pub fn verify_membership(
    proof: &CommitmentProof,
    root: &RootHash,
    key: &[u8],
    value: &[u8],
) -> Result<(), ProofError> {
    let exist = match proof.proof.as_ref() {
        Some(Proof::Exist(exist)) => exist,
        other => return Err(ProofError::WrongKind { got: kind(other), expected: "existence" }),
    };
    if exist.key != key {
        return Err(ProofError::KeyMismatch { got: hex(&exist.key), expected: hex(key) });
    }
    if exist.value != value {
        return Err(ProofError::ValueMismatch { got: hex(&exist.value), expected: hex(value) });
    }
    check_existence_shape(exist)?;
    let spec = proof_spec();
    if ics23::verify_membership::<HostFunctionsManager>(proof, &spec, &root.0.to_vec(), key, value)
    {
        Ok(())
    } else {
        Err(ProofError::Rejected { root: hex(&root.0) })
    }
}

/// Checks that `proof` proves `key` absent under `root`.
///
/// Implements ICS23 `VerifyNonMembership` with [`proof_spec`]: the neighbours' existence proofs
/// verify, their key hashes bracket `sha256(key)` (`prehash_key_before_comparison`), and they are
/// adjacent leaves. Deviation: only a plain non-existence proof is accepted.
pub fn verify_non_membership(
    proof: &CommitmentProof,
    root: &RootHash,
    key: &[u8],
) -> Result<(), ProofError> {
    let non = match proof.proof.as_ref() {
        Some(Proof::Nonexist(non)) => non,
        other => return Err(ProofError::WrongKind { got: kind(other), expected: "non-existence" }),
    };
    if non.key != key {
        return Err(ProofError::KeyMismatch { got: hex(&non.key), expected: hex(key) });
    }
    if non.left.is_none() && non.right.is_none() {
        return Err(ProofError::Spec("non-existence proof without neighbours"));
    }
    for neighbour in [&non.left, &non.right].into_iter().flatten() {
        check_existence_shape(neighbour)?;
    }
    let spec = proof_spec();
    if ics23::verify_non_membership::<HostFunctionsManager>(proof, &spec, &root.0.to_vec(), key) {
        Ok(())
    } else {
        Err(ProofError::Rejected { root: hex(&root.0) })
    }
}

/// Checks `key = value` (`Some`) or `key` absent (`None`) under `root`.
pub fn verify_proof(
    proof: &CommitmentProof,
    root: &RootHash,
    key: &[u8],
    value: Option<&[u8]>,
) -> Result<(), ProofError> {
    match value {
        Some(value) => verify_membership(proof, root, key, value),
        None => verify_non_membership(proof, root, key),
    }
}

/// Every operation of an existence proof is exactly the one [`proof_spec`] allows.
fn check_existence_shape(exist: &ExistenceProof) -> Result<(), ProofError> {
    if exist.key.is_empty() {
        return Err(ProofError::Spec("existence proof with an empty key"));
    }
    if exist.value.is_empty() {
        return Err(ProofError::Spec("existence proof with an empty value"));
    }
    let leaf =
        exist.leaf.as_ref().ok_or(ProofError::Spec("existence proof without a leaf operation"))?;
    if leaf.hash != HashOp::Sha256 as i32
        || leaf.prehash_key != HashOp::Sha256 as i32
        || leaf.prehash_value != HashOp::Sha256 as i32
        || leaf.length != LengthOp::NoPrefix as i32
        || leaf.prefix != LEAF_DOMAIN_SEPARATOR
    {
        return Err(ProofError::Spec(
            "leaf operation is not sha256(\"JMT::LeafNode\" ‖ sha256(key) ‖ sha256(value))",
        ));
    }
    if exist.path.len() > MAX_PATH_LEN {
        return Err(ProofError::Spec("path longer than 256 inner operations"));
    }
    for step in &exist.path {
        if step.hash != HashOp::Sha256 as i32 {
            return Err(ProofError::Spec("inner operation hash is not sha256"));
        }
        let sibling_left =
            step.prefix.len() == INTERNAL_DOMAIN_SEPARATOR.len() + 32 && step.suffix.is_empty();
        let sibling_right =
            step.prefix.len() == INTERNAL_DOMAIN_SEPARATOR.len() && step.suffix.len() == 32;
        if !step.prefix.starts_with(INTERNAL_DOMAIN_SEPARATOR) || !(sibling_left || sibling_right) {
            return Err(ProofError::Spec(
                "inner operation is not sha256(\"JMT::IntrnalNode\" ‖ left ‖ right)",
            ));
        }
    }
    Ok(())
}

fn kind(proof: Option<&Proof>) -> &'static str {
    match proof {
        None => "empty",
        Some(Proof::Exist(_)) => "existence",
        Some(Proof::Nonexist(_)) => "non-existence",
        Some(Proof::Batch(_)) => "batch",
        Some(Proof::Compressed(_)) => "compressed",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
