//! # peg-store: the authenticated, persistent state store of the peg zone
//!
//! A versioned key-value store whose every version is committed to by a 32-byte root hash, the
//! app hash CometBFT agrees on. The tree is a Jellyfish Merkle Tree (the `jmt` crate, sha256);
//! it is persisted in `redb`, a pure-Rust copy-on-write B-tree store with atomic, fsynced
//! transactions. Spec: `specs/state-store.md`.
//!
//! Shape for an ABCI application:
//!
//! - Info / start-up: [`Store::open`], [`Store::latest_version`] (the last block height) and
//!   [`Store::root_hash`] (the app hash; [`EMPTY_ROOT_HASH`] for an empty store).
//! - FinalizeBlock: [`Store::working_set`], then [`WorkingSet::set`] / [`WorkingSet::delete`]
//!   (reads through [`Store::get_pending`]), then [`Store::prepare`], whose
//!   [`PreparedCommit::root_hash`] is the block's app hash. Nothing is written yet.
//! - Commit: [`Store::commit`] writes the version in one redb write transaction (tree nodes,
//!   values, key preimages, root, bounds, pruning): a crash leaves the old or the new version.
//! - Query: [`Store::get`], [`Store::get_at`], and [`Store::get_with_proof`] returning an ICS23
//!   [`CommitmentProof`], checked with [`verify_membership`] / [`verify_non_membership`] and
//!   carried as bytes with [`encode_proof`] / [`decode_proof`].
//!
//! Versions are block heights and contiguous: after `n` only `n + 1` commits. Old versions leave
//! with the keep-recent window of [`StoreConfig::keep_recent`], pruned inside each commit or, with
//! [`StoreConfig::prune_on_commit`] off, by [`Store::prune`]; a query at a pruned version is
//! [`StoreError::VersionPruned`].

mod error;
mod proof;
mod schema;
mod snapshot;
mod store;
mod working_set;
pub mod workload;

pub use error::{ProofError, StoreError};
/// The ICS23 crate the proofs are typed with (prost 0.13), for callers that inspect proofs.
pub use ics23;
pub use ics23::CommitmentProof;
pub use jmt::RootHash;
pub use proof::{
    decode_proof, encode_proof, proof_spec, verify_membership, verify_non_membership, verify_proof,
    MAX_PATH_LEN, MAX_PROOF_LEN,
};
pub use store::{PruneInfo, Store, StoreConfig, DEFAULT_KEEP_RECENT};
pub use working_set::{CommitInfo, PreparedCommit, WorkingSet};

/// A version of the state: the block height that committed it.
pub type Version = u64;

/// The app hash of an empty state: the jmt crate's placeholder for an empty subtree, the ASCII
/// bytes `"SPARSE_MERKLE_PLACEHOLDER_HASH__"` (also the root of any version whose tree is empty).
pub const EMPTY_ROOT_HASH: RootHash = RootHash(*b"SPARSE_MERKLE_PLACEHOLDER_HASH__");

/// Longest key accepted (bytes).
pub const MAX_KEY_LEN: usize = 1024;

/// Longest value accepted (bytes).
pub const MAX_VALUE_LEN: usize = 4 << 20;
