//! The one error enum of peg-store (and the one of its proof verifier).
//!
//! Every rejected check has its own variant; mismatches carry `{ got, expected }`. The store never
//! panics on a corrupt, truncated or foreign database file: those come back as [`StoreError`].

use std::path::PathBuf;

use crate::Version;

/// Errors of the state store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened (it is not a redb file, it is corrupt, it is locked by
    /// another process, or an I/O error occurred).
    #[error("cannot open the state store at {path}: {source}")]
    Open {
        /// The path given to [`crate::Store::open`].
        path: PathBuf,
        /// What redb reported.
        #[source]
        source: redb::DatabaseError,
    },
    /// The file is a valid redb database but was not written by peg-store (it has tables but no
    /// peg-store format marker).
    #[error("{path} is a redb database of another application (no peg-store format marker), refusing to use it")]
    ForeignDatabase {
        /// The path given to [`crate::Store::open`].
        path: PathBuf,
    },
    /// The file was written by another (older or newer) on-disk format of peg-store.
    #[error("unsupported peg-store on-disk format: got {got:?}, expected {expected:?}")]
    UnsupportedFormat {
        /// Format marker found in the file.
        got: String,
        /// Format marker this build reads and writes.
        expected: &'static str,
    },
    /// A record in the database does not decode: the file is corrupt.
    #[error("corrupt state store: {what}")]
    Corrupt {
        /// Which record failed, and how.
        what: String,
    },
    /// A redb storage, table or transaction error.
    #[error("state store database error: {0}")]
    Db(#[from] redb::Error),
    /// The Jellyfish Merkle Tree reported an error while computing a new root or a proof.
    #[error("jellyfish merkle tree error: {message}")]
    Tree {
        /// The tree's error chain, formatted.
        message: String,
    },
    /// Keys must be non-empty: the ICS23 non-existence proofs of the JMT are unsound for the
    /// empty key (see the jmt crate's `KeyHash::with`).
    #[error("empty keys are not allowed in the state store")]
    EmptyKey,
    /// Values must be non-empty: ICS23 existence proofs cannot carry an empty value. Delete the key
    /// to express absence.
    #[error("empty values are not allowed in the state store (delete the key instead)")]
    EmptyValue,
    /// A key longer than [`crate::MAX_KEY_LEN`].
    #[error("key too long: got {got} bytes, expected at most {expected}")]
    KeyTooLong {
        /// Length of the rejected key.
        got: usize,
        /// [`crate::MAX_KEY_LEN`].
        expected: usize,
    },
    /// A value longer than [`crate::MAX_VALUE_LEN`].
    #[error("value too long: got {got} bytes, expected at most {expected}")]
    ValueTooLong {
        /// Length of the rejected value.
        got: usize,
        /// [`crate::MAX_VALUE_LEN`].
        expected: usize,
    },
    /// Versions are block heights and must follow each other: after version `n` only `n + 1` can
    /// be committed.
    #[error("non-contiguous version: got {got}, expected {expected}")]
    NonContiguousVersion {
        /// Version asked for.
        got: Version,
        /// The only version that can be committed next.
        expected: Version,
    },
    /// The working set (or prepared commit) was built on another version than the store's
    /// latest: another commit happened in between.
    #[error("stale working set: built on version {got:?}, but the latest committed version is {expected:?}")]
    StaleWorkingSet {
        /// Base version of the working set (`None`: built on the empty store).
        got: Option<Version>,
        /// The store's latest committed version.
        expected: Option<Version>,
    },
    /// The store holds no version yet.
    #[error("the state store is empty: no version has been committed")]
    NoVersion,
    /// A query at a version above the latest committed one.
    #[error("version {version} is not committed yet (latest is {latest})")]
    VersionNotCommitted {
        /// Version asked for.
        version: Version,
        /// Latest committed version.
        latest: Version,
    },
    /// A query at a version the store no longer retains (pruned), or older than the first commit.
    #[error(
        "version {version} is pruned or was never stored (oldest retained version is {oldest})"
    )]
    VersionPruned {
        /// Version asked for.
        version: Version,
        /// Oldest retained version.
        oldest: Version,
    },
    /// A proof was asked at a version whose tree is empty: every key is absent, and ICS23 has no
    /// non-existence proof without a neighbour. The root of such a version is
    /// [`crate::EMPTY_ROOT_HASH`].
    #[error(
        "version {version} holds an empty tree: no ICS23 proof exists, its root is the empty root"
    )]
    EmptyTree {
        /// Version asked for.
        version: Version,
    },
    /// A configuration value out of range.
    #[error("invalid store configuration: {0}")]
    Config(&'static str),
}

/// redb reports many error types; they all convert into `redb::Error`.
macro_rules! from_redb {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for StoreError {
            fn from(err: $t) -> Self {
                StoreError::Db(redb::Error::from(err))
            }
        }
    )*};
}
from_redb!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError,
);

impl StoreError {
    /// Recovers a typed store error that travelled through the jmt crate as an `anyhow::Error`
    /// (our [`jmt::storage::TreeReader`] implementation returns `StoreError`s), or wraps the tree's
    /// own error.
    pub(crate) fn from_tree(err: anyhow::Error) -> Self {
        match err.downcast::<StoreError>() {
            Ok(store_err) => store_err,
            Err(other) => StoreError::Tree { message: format!("{other:#}") },
        }
    }
}

/// Errors of the ICS23 proof verifier ([`crate::verify_membership`],
/// [`crate::verify_non_membership`]) and of the proof decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The bytes are not a protobuf `cosmos.ics23.v1.CommitmentProof`.
    #[error("proof bytes do not decode as an ICS23 CommitmentProof: {0}")]
    Decode(String),
    /// The proof is longer than [`crate::MAX_PROOF_LEN`] bytes.
    #[error("proof too long: got {got} bytes, expected at most {expected}")]
    TooLong {
        /// Length of the rejected proof.
        got: usize,
        /// [`crate::MAX_PROOF_LEN`].
        expected: usize,
    },
    /// The commitment proof has no proof inside.
    #[error("empty commitment proof")]
    Empty,
    /// An existence proof was expected and another kind was given, or the reverse.
    #[error("wrong proof kind: got {got}, expected {expected}")]
    WrongKind {
        /// Kind found in the proof.
        got: &'static str,
        /// Kind required by the check.
        expected: &'static str,
    },
    /// The proof is for another key.
    #[error("proof is for another key: got {got}, expected {expected}")]
    KeyMismatch {
        /// Key in the proof (hex).
        got: String,
        /// Key asked for (hex).
        expected: String,
    },
    /// The existence proof carries another value.
    #[error("proof carries another value: got {got}, expected {expected}")]
    ValueMismatch {
        /// Value in the proof (hex).
        got: String,
        /// Value asked for (hex).
        expected: String,
    },
    /// A leaf or inner operation differs from the peg-store proof spec (hash function, prefix,
    /// length encoding), or the path is longer than 256 steps.
    #[error("proof does not follow the peg-store ICS23 spec: {0}")]
    Spec(&'static str),
    /// The proof is well formed but the ICS23 verification failed (the root it computes differs
    /// from the given root, or the neighbours of a non-existence proof are not adjacent).
    #[error("ICS23 verification failed against root {root}")]
    Rejected {
        /// The root the proof was checked against (hex).
        root: String,
    },
}
