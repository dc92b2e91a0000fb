//! A consistent read view of the store (one redb read transaction), which is also the
//! [`TreeReader`] the Jellyfish Merkle Tree reads through.

use jmt::storage::{HasPreimage, LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue};
use redb::{ReadOnlyTable, ReadTransaction, ReadableDatabase, ReadableTable};

use crate::error::StoreError;
use crate::schema::{self, META, META_LATEST, META_OLDEST, NODES, PREIMAGES, ROOTS, VALUES};
use crate::{RootHash, Version};

/// The committed version range at the moment a snapshot was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    /// Oldest retained version.
    pub(crate) oldest: Version,
    /// Latest committed version.
    pub(crate) latest: Version,
}

/// One redb read transaction with the tables the tree needs.
pub(crate) struct Snapshot {
    nodes: ReadOnlyTable<&'static [u8], &'static [u8]>,
    values: ReadOnlyTable<&'static [u8], &'static [u8]>,
    preimages: ReadOnlyTable<&'static [u8], &'static [u8]>,
    roots: ReadOnlyTable<u64, &'static [u8]>,
    bounds: Option<Bounds>,
    /// Root key answered with a `Null` node although it is not stored: the base of a first
    /// commit at a version `v > 0` is the empty tree "at `v - 1`" (the jmt crate reads the root
    /// of `v - 1` when it builds `v`).
    synthetic_empty_root: Option<NodeKey>,
    _txn: ReadTransaction,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("bounds", &self.bounds).finish_non_exhaustive()
    }
}

impl Snapshot {
    /// Opens a read transaction and reads the version bounds inside it, so bounds and data agree.
    pub(crate) fn new(db: &redb::Database) -> Result<Self, StoreError> {
        let txn = db.begin_read()?;
        let meta = txn.open_table(META)?;
        let latest = read_u64(&meta, META_LATEST)?;
        let oldest = read_u64(&meta, META_OLDEST)?;
        let bounds = match (oldest, latest) {
            (Some(oldest), Some(latest)) if oldest <= latest => Some(Bounds { oldest, latest }),
            (None, None) => None,
            (oldest, latest) => {
                return Err(StoreError::Corrupt {
                    what: format!(
                        "inconsistent version bounds: oldest {oldest:?}, latest {latest:?}"
                    ),
                })
            }
        };
        Ok(Self {
            nodes: txn.open_table(NODES)?,
            values: txn.open_table(VALUES)?,
            preimages: txn.open_table(PREIMAGES)?,
            roots: txn.open_table(ROOTS)?,
            bounds,
            synthetic_empty_root: None,
            _txn: txn,
        })
    }

    /// The committed version range of this snapshot (`None`: nothing committed).
    pub(crate) fn bounds(&self) -> Option<Bounds> {
        self.bounds
    }

    /// Serves an empty root for `version` (see [`Snapshot::synthetic_empty_root`]).
    pub(crate) fn with_empty_root_at(mut self, version: Version) -> Result<Self, StoreError> {
        self.synthetic_empty_root = Some(schema::root_node_key(version)?);
        Ok(self)
    }

    /// Checks that `version` is retained: between the oldest and the latest committed versions.
    pub(crate) fn check_version(&self, version: Version) -> Result<(), StoreError> {
        let bounds = self.bounds.ok_or(StoreError::NoVersion)?;
        if version > bounds.latest {
            return Err(StoreError::VersionNotCommitted { version, latest: bounds.latest });
        }
        if version < bounds.oldest {
            return Err(StoreError::VersionPruned { version, oldest: bounds.oldest });
        }
        Ok(())
    }

    /// The root hash recorded for a retained `version`.
    pub(crate) fn root_hash(&self, version: Version) -> Result<RootHash, StoreError> {
        self.check_version(version)?;
        let guard = self.roots.get(version)?.ok_or_else(|| StoreError::Corrupt {
            what: format!("no root recorded for retained version {version}"),
        })?;
        Ok(RootHash(schema::decode_root(version, guard.value())?))
    }

    /// The value of `key_hash` at `version` (newest write at or below it), without bounds checks.
    pub(crate) fn value_at(
        &self,
        version: Version,
        key_hash: KeyHash,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let start = schema::value_key(&key_hash, 0);
        let end = schema::value_key(&key_hash, version);
        let mut range = self.values.range(start.as_slice()..=end.as_slice())?;
        match range.next_back() {
            None => Ok(None),
            Some(entry) => {
                let (_, value) = entry?;
                schema::decode_value(value.value())
            }
        }
    }

    fn node(&self, node_key: &NodeKey) -> Result<Option<Node>, StoreError> {
        if self.synthetic_empty_root.as_ref() == Some(node_key) {
            return Ok(Some(Node::Null));
        }
        let encoded = schema::encode_node_key(node_key)?;
        match self.nodes.get(encoded.as_slice())? {
            None => Ok(None),
            Some(guard) => schema::decode_node(guard.value()).map(Some),
        }
    }
}

fn read_u64(
    meta: &ReadOnlyTable<&'static str, &'static [u8]>,
    key: &'static str,
) -> Result<Option<u64>, StoreError> {
    match meta.get(key)? {
        None => Ok(None),
        Some(guard) => schema::decode_u64(key, guard.value()).map(Some),
    }
}

impl TreeReader for Snapshot {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        Ok(self.node(node_key)?)
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        Ok(self.value_at(max_version, key_hash)?)
    }

    /// Only used by the jmt crate's state-sync restore, which peg-store does not use; implemented
    /// exactly (a full scan of the node table), not fast.
    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        let mut best: Option<(NodeKey, LeafNode)> = None;
        for entry in self.nodes.iter().map_err(StoreError::from)? {
            let (key, value) = entry.map_err(StoreError::from)?;
            if let Node::Leaf(leaf) = schema::decode_node(value.value())? {
                let node_key: NodeKey = borsh::from_slice(key.value()).map_err(|e| {
                    StoreError::Corrupt { what: format!("tree node key does not decode: {e}") }
                })?;
                if best.as_ref().is_none_or(|(_, b)| leaf.key_hash() > b.key_hash()) {
                    best = Some((node_key, leaf));
                }
            }
        }
        Ok(best)
    }
}

impl HasPreimage for Snapshot {
    fn preimage(&self, key_hash: KeyHash) -> anyhow::Result<Option<Vec<u8>>> {
        let guard = self.preimages.get(key_hash.0.as_slice()).map_err(StoreError::from)?;
        Ok(guard.map(|g| g.value().to_vec()))
    }
}
