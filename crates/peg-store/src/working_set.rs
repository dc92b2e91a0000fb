//! The write overlay of one block: pending sets and deletes, not yet in the tree.

use std::collections::BTreeMap;

use jmt::storage::TreeUpdateBatch;
use jmt::KeyHash;

use crate::error::StoreError;
use crate::{RootHash, Version, MAX_KEY_LEN, MAX_VALUE_LEN};

/// Pending changes of one block on top of a committed version (its *base*).
///
/// Build it with [`crate::Store::working_set`], apply `set`/`delete` while executing the block,
/// read through it with [`crate::Store::get_pending`], then [`crate::Store::prepare`] it (root
/// computed, nothing written: FinalizeBlock's app hash) and [`crate::Store::commit`] (Commit).
/// Dropping a working set discards its changes; nothing reaches the database before `commit`.
///
/// Later writes to the same key replace earlier ones; a delete is a write of "absent".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingSet {
    base: Option<Version>,
    changes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl WorkingSet {
    /// An empty working set on top of `base` (`None`: on top of the empty store).
    pub(crate) fn new(base: Option<Version>) -> Self {
        Self { base, changes: BTreeMap::new() }
    }

    /// The committed version these changes apply to.
    pub fn base_version(&self) -> Option<Version> {
        self.base
    }

    /// Sets `key` to `value`. Keys and values must be non-empty and within
    /// [`MAX_KEY_LEN`] / [`MAX_VALUE_LEN`].
    pub fn set(
        &mut self,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
    ) -> Result<(), StoreError> {
        let key = key.into();
        let value = value.into();
        check_key(&key)?;
        if value.is_empty() {
            return Err(StoreError::EmptyValue);
        }
        if value.len() > MAX_VALUE_LEN {
            return Err(StoreError::ValueTooLong { got: value.len(), expected: MAX_VALUE_LEN });
        }
        self.changes.insert(key, Some(value));
        Ok(())
    }

    /// Deletes `key` (a no-op in the tree if it is absent).
    pub fn delete(&mut self, key: impl Into<Vec<u8>>) -> Result<(), StoreError> {
        let key = key.into();
        check_key(&key)?;
        self.changes.insert(key, None);
        Ok(())
    }

    /// The pending change of `key`: `None` if untouched, `Some(None)` if deleted, `Some(Some(v))`
    /// if set.
    pub fn pending(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        self.changes.get(key).map(|v| v.as_deref())
    }

    /// All pending changes, in key order.
    pub fn changes(&self) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
        self.changes.iter().map(|(k, v)| (k.as_slice(), v.as_deref()))
    }

    /// Number of keys touched.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether no key was touched.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Discards every pending change (the base stays).
    pub fn clear(&mut self) {
        self.changes.clear();
    }
}

pub(crate) fn check_key(key: &[u8]) -> Result<(), StoreError> {
    if key.is_empty() {
        return Err(StoreError::EmptyKey);
    }
    if key.len() > MAX_KEY_LEN {
        return Err(StoreError::KeyTooLong { got: key.len(), expected: MAX_KEY_LEN });
    }
    Ok(())
}

/// A working set whose new tree has been computed in memory: the root is known (the app hash
/// FinalizeBlock returns), nothing is written. [`crate::Store::commit`] persists it atomically.
#[derive(Debug)]
pub struct PreparedCommit {
    pub(crate) version: Version,
    pub(crate) base: Option<Version>,
    pub(crate) root: RootHash,
    pub(crate) batch: TreeUpdateBatch,
    pub(crate) preimages: std::collections::HashMap<KeyHash, Vec<u8>>,
    pub(crate) writes: usize,
}

impl PreparedCommit {
    /// The version (block height) this commit creates.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The root hash of the new version: the app hash.
    pub fn root_hash(&self) -> RootHash {
        self.root
    }

    /// The committed version it was computed on.
    pub fn base_version(&self) -> Option<Version> {
        self.base
    }
}

/// What a commit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitInfo {
    /// The committed version.
    pub version: Version,
    /// Its root hash (the app hash).
    pub root: RootHash,
    /// Keys written (set or deleted) by this version.
    pub writes: usize,
    /// Tree nodes written.
    pub new_nodes: usize,
    /// Oldest version still retained after pruning.
    pub oldest_retained: Version,
    /// Tree nodes deleted by pruning in this commit.
    pub pruned_nodes: usize,
    /// Superseded values deleted by pruning in this commit.
    pub pruned_values: usize,
}
