//! The store: open, read (latest or a retained version), prepare, commit, prune.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jmt::{KeyHash, Sha256Jmt};
use redb::{
    Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
    WriteTransaction,
};
use sha2::Sha256;
use tracing::{debug, info};

use crate::error::StoreError;
use crate::schema::{
    self, FORMAT, META, META_FORMAT, META_LATEST, META_OLDEST, NODES, PREIMAGES, ROOTS,
    STALE_NODES, STALE_VALUES, VALUES,
};
use crate::snapshot::Snapshot;
use crate::working_set::{check_key, CommitInfo, PreparedCommit, WorkingSet};
use crate::{CommitmentProof, RootHash, Version, EMPTY_ROOT_HASH};

/// How the store keeps old versions and syncs commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreConfig {
    /// Number of most recent versions kept queryable (`None`: keep every version, an archive
    /// node). With `Some(k)`, after committing version `v` the versions `v - k + 1 ..= v` stay and
    /// older ones are pruned in the same write transaction; a query at a pruned version returns
    /// [`StoreError::VersionPruned`]. Must be at least 1.
    pub keep_recent: Option<u64>,
    /// `true` (the default): every commit is fsynced before `commit` returns (redb
    /// `Durability::Immediate`). `false`: commits are atomic but may be lost on a power failure
    /// (never half-applied); only for benches and bulk loads.
    pub sync_commits: bool,
    /// redb page cache size in bytes (`None`: redb's default, 1 GiB).
    pub cache_size: Option<usize>,
    /// `true` (the default): [`Store::commit`] prunes the versions that leave the keep-recent
    /// window in its own write transaction. `false`: commits never prune, and the application
    /// calls [`Store::prune`] when it has time (after answering Commit, from another thread);
    /// pruning roughly triples the commit time of a large state (see `BENCHMARKS.md`).
    pub prune_on_commit: bool,
    /// `true` (the default): opening verifies the checksum of every page of the committed trees
    /// (redb `check_integrity`), so a file damaged since it was written (disk error, foreign
    /// write) fails to open with [`StoreError::Open`] instead of being trusted; redb may panic on
    /// such a file otherwise. Costs one read of the whole file at start-up (see
    /// `BENCHMARKS.md`). After a crash redb runs this check regardless.
    pub check_integrity_on_open: bool,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            keep_recent: Some(DEFAULT_KEEP_RECENT),
            sync_commits: true,
            cache_size: None,
            prune_on_commit: true,
            check_integrity_on_open: true,
        }
    }
}

/// What [`Store::prune`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneInfo {
    /// Oldest version retained afterwards (`None`: nothing committed).
    pub oldest_retained: Option<Version>,
    /// Tree nodes deleted.
    pub pruned_nodes: usize,
    /// Superseded values deleted.
    pub pruned_values: usize,
}

/// Default pruning window: the versions of the last 100 blocks stay queryable with proofs.
pub const DEFAULT_KEEP_RECENT: u64 = 100;

/// A versioned, authenticated key-value store: a Jellyfish Merkle Tree (sha256) persisted in
/// redb. Version = block height; the root hash of a version is the app hash.
///
/// All methods take `&self`: reads run in their own redb read transactions (consistent
/// snapshots, concurrent with a commit), and commits are serialized by redb's single writer.
#[derive(Debug)]
pub struct Store {
    db: Database,
    path: PathBuf,
    config: StoreConfig,
}

impl Store {
    /// Opens the store at `path` with the default [`StoreConfig`], creating it if missing.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, StoreConfig::default())
    }

    /// Opens the store at `path`, creating it if missing. A file that is not a redb database, a
    /// redb database of another application, or a peg-store database of another format is
    /// refused with a typed error. After a crash, redb recovers the last committed transaction:
    /// the store is at the last version whose `commit` returned (or at the one being committed,
    /// if its commit reached the disk), never in between.
    pub fn open_with(path: impl AsRef<Path>, config: StoreConfig) -> Result<Self, StoreError> {
        if config.keep_recent == Some(0) {
            return Err(StoreError::Config("keep_recent must be at least 1"));
        }
        let path = path.as_ref().to_path_buf();
        let mut builder = Database::builder();
        if let Some(bytes) = config.cache_size {
            builder.set_cache_size(bytes);
        }
        builder.set_check_integrity_on_open(config.check_integrity_on_open);
        let db = builder
            .create(&path)
            .map_err(|source| StoreError::Open { path: path.clone(), source })?;
        let store = Self { db, path, config };
        store.initialize()?;
        let snapshot = Snapshot::new(&store.db)?;
        info!(path = %store.path.display(), bounds = ?snapshot.bounds(), "state store opened");
        Ok(store)
    }

    /// Checks the format marker, or writes it (and creates the tables) in a new file.
    fn initialize(&self) -> Result<(), StoreError> {
        {
            let read = self.db.begin_read()?;
            let has_tables = read.list_tables()?.next().is_some();
            match read.open_table(META) {
                Ok(meta) => {
                    return match meta.get(META_FORMAT)? {
                        Some(g) if g.value() == FORMAT.as_bytes() => Ok(()),
                        Some(g) => Err(StoreError::UnsupportedFormat {
                            got: String::from_utf8_lossy(g.value()).into_owned(),
                            expected: FORMAT,
                        }),
                        None => Err(StoreError::ForeignDatabase { path: self.path.clone() }),
                    };
                }
                Err(redb::TableError::TableDoesNotExist(_)) if !has_tables => {}
                Err(redb::TableError::TableDoesNotExist(_)) => {
                    return Err(StoreError::ForeignDatabase { path: self.path.clone() })
                }
                Err(other) => return Err(other.into()),
            }
        }
        let txn = self.db.begin_write()?;
        {
            txn.open_table(META)?.insert(META_FORMAT, FORMAT.as_bytes())?;
            txn.open_table(NODES)?;
            txn.open_table(VALUES)?;
            txn.open_table(PREIMAGES)?;
            txn.open_table(STALE_NODES)?;
            txn.open_table(STALE_VALUES)?;
            txn.open_table(ROOTS)?;
        }
        txn.commit()?;
        info!(path = %self.path.display(), format = FORMAT, "state store created");
        Ok(())
    }

    /// The configuration the store was opened with.
    pub fn config(&self) -> StoreConfig {
        self.config
    }

    /// The latest committed version (`None`: nothing committed yet).
    pub fn latest_version(&self) -> Result<Option<Version>, StoreError> {
        Ok(Snapshot::new(&self.db)?.bounds().map(|b| b.latest))
    }

    /// The oldest version still retained (`None`: nothing committed yet).
    pub fn oldest_version(&self) -> Result<Option<Version>, StoreError> {
        Ok(Snapshot::new(&self.db)?.bounds().map(|b| b.oldest))
    }

    /// The app hash: the root hash of the latest committed version, or [`EMPTY_ROOT_HASH`] when
    /// nothing has been committed.
    pub fn root_hash(&self) -> Result<RootHash, StoreError> {
        let snapshot = Snapshot::new(&self.db)?;
        match snapshot.bounds() {
            None => Ok(EMPTY_ROOT_HASH),
            Some(b) => snapshot.root_hash(b.latest),
        }
    }

    /// The root hash of a retained `version`.
    pub fn root_hash_at(&self, version: Version) -> Result<RootHash, StoreError> {
        Snapshot::new(&self.db)?.root_hash(version)
    }

    /// The value of `key` at the latest committed version (`None` if absent or nothing committed).
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        let snapshot = Snapshot::new(&self.db)?;
        match snapshot.bounds() {
            None => Ok(None),
            Some(b) => snapshot.value_at(b.latest, KeyHash::with::<Sha256>(key)),
        }
    }

    /// The value of `key` at a retained `version`.
    pub fn get_at(&self, key: &[u8], version: Version) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        let snapshot = Snapshot::new(&self.db)?;
        snapshot.check_version(version)?;
        snapshot.value_at(version, KeyHash::with::<Sha256>(key))
    }

    /// The value of `key` at a retained `version` with an ICS23 proof of it: an existence proof
    /// if the key is present, a non-existence proof otherwise. Check it with
    /// [`crate::verify_membership`] / [`crate::verify_non_membership`] against
    /// [`Store::root_hash_at`]. A version whose tree is empty has no proof
    /// ([`StoreError::EmptyTree`]): its root is [`EMPTY_ROOT_HASH`].
    pub fn get_with_proof(
        &self,
        key: &[u8],
        version: Version,
    ) -> Result<(Option<Vec<u8>>, CommitmentProof), StoreError> {
        check_key(key)?;
        let snapshot = Snapshot::new(&self.db)?;
        if snapshot.root_hash(version)? == EMPTY_ROOT_HASH {
            return Err(StoreError::EmptyTree { version });
        }
        let tree = Sha256Jmt::new(&snapshot);
        tree.get_with_ics23_proof(key.to_vec(), version).map_err(StoreError::from_tree)
    }

    /// A new, empty working set on top of the latest committed version.
    pub fn working_set(&self) -> Result<WorkingSet, StoreError> {
        Ok(WorkingSet::new(self.latest_version()?))
    }

    /// Reads `key` through `ws`: its pending change if any, else the value at the working set's
    /// base version.
    pub fn get_pending(&self, ws: &WorkingSet, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        if let Some(pending) = ws.pending(key) {
            return Ok(pending.map(<[u8]>::to_vec));
        }
        match ws.base_version() {
            None => Ok(None),
            Some(base) => self.get_at(key, base),
        }
    }

    /// Computes the tree of `version` = the working set's changes on top of its base, in memory:
    /// the returned [`PreparedCommit`] knows the new root (the app hash FinalizeBlock returns)
    /// and writes nothing. `version` must be the latest version + 1 (any version for the first
    /// commit of an empty store, e.g. the genesis height - 1).
    pub fn prepare(&self, ws: &WorkingSet, version: Version) -> Result<PreparedCommit, StoreError> {
        let snapshot = Snapshot::new(&self.db)?;
        let latest = snapshot.bounds().map(|b| b.latest);
        check_next(ws.base_version(), latest, version)?;
        let snapshot = match (latest, version.checked_sub(1)) {
            (None, Some(previous)) => snapshot.with_empty_root_at(previous)?,
            _ => snapshot,
        };
        let mut preimages = HashMap::new();
        let value_set: Vec<(KeyHash, Option<Vec<u8>>)> = ws
            .changes()
            .map(|(key, value)| {
                let key_hash = KeyHash::with::<Sha256>(key);
                if value.is_some() {
                    preimages.insert(key_hash, key.to_vec());
                }
                (key_hash, value.map(<[u8]>::to_vec))
            })
            .collect();
        let writes = value_set.len();
        let tree = Sha256Jmt::new(&snapshot);
        let only_sets = value_set.iter().all(|(_, value)| value.is_some());
        let (root, batch) = if only_sets && !value_set.is_empty() {
            // Sorted batch insertion visits and hashes every touched node once (about twice as
            // fast as key-by-key insertion); it cannot delete, so blocks with deletes take the
            // key-by-key path. Both build the same canonical tree (tested).
            let sets = value_set
                .into_iter()
                .filter_map(|(key_hash, value)| value.map(|v| (key_hash, v)))
                .collect();
            let (roots, batch) = tree
                .batch_put_value_sets(vec![sets], None, version)
                .map_err(StoreError::from_tree)?;
            let root = roots.first().copied().ok_or_else(|| StoreError::Tree {
                message: "batch insertion returned no root".to_string(),
            })?;
            (root, batch)
        } else {
            tree.put_value_set(value_set, version).map_err(StoreError::from_tree)?
        };
        debug!(version, writes, root = %hex_root(&root), "prepared state commit");
        Ok(PreparedCommit { version, base: latest, root, batch, preimages, writes })
    }

    /// Persists a prepared version: tree nodes, values, key preimages, stale-node index, the
    /// version's root and the version bounds, and the pruning of versions that leave the
    /// keep-recent window, all in ONE redb write transaction (fsynced unless
    /// [`StoreConfig::sync_commits`] is off). A crash at any point leaves the old or the new
    /// version, never a mix.
    pub fn commit(&self, prepared: PreparedCommit) -> Result<CommitInfo, StoreError> {
        let txn = self.db.begin_write()?;
        let durability = if self.config.sync_commits {
            redb::Durability::Immediate
        } else {
            redb::Durability::None
        };
        let mut txn = txn;
        txn.set_durability(durability)?;
        let info = self.write_version(&txn, &prepared)?;
        txn.commit()?;
        debug!(
            version = info.version,
            root = %hex_root(&info.root),
            writes = info.writes,
            new_nodes = info.new_nodes,
            pruned_nodes = info.pruned_nodes,
            "committed state version"
        );
        Ok(info)
    }

    /// [`Store::prepare`] then [`Store::commit`].
    pub fn commit_working_set(
        &self,
        ws: &WorkingSet,
        version: Version,
    ) -> Result<CommitInfo, StoreError> {
        let prepared = self.prepare(ws, version)?;
        self.commit(prepared)
    }

    fn write_version(
        &self,
        txn: &WriteTransaction,
        prepared: &PreparedCommit,
    ) -> Result<CommitInfo, StoreError> {
        let version = prepared.version;
        let mut meta = txn.open_table(META)?;
        let latest = match meta.get(META_LATEST)? {
            None => None,
            Some(g) => Some(schema::decode_u64(META_LATEST, g.value())?),
        };
        let oldest = match meta.get(META_OLDEST)? {
            None => None,
            Some(g) => Some(schema::decode_u64(META_OLDEST, g.value())?),
        };
        // The prepared tree must sit on the version that is still the latest.
        check_next(prepared.base, latest, version)?;

        let node_batch = &prepared.batch.node_batch;
        {
            let mut nodes = txn.open_table(NODES)?;
            for (key, node) in node_batch.nodes() {
                let key = schema::encode_node_key(key)?;
                nodes.insert(key.as_slice(), schema::encode_node(node)?.as_slice())?;
            }
        }
        {
            let mut values = txn.open_table(VALUES)?;
            let mut stale_values = txn.open_table(STALE_VALUES)?;
            let mut new_keys = Vec::new();
            for ((value_version, key_hash), value) in node_batch.values() {
                // The newest earlier entry of this key, which this write supersedes.
                let previous = {
                    let start = schema::value_key(key_hash, 0);
                    let end = schema::value_key(key_hash, *value_version);
                    let mut range = values.range(start.as_slice()..end.as_slice())?;
                    match range.next_back() {
                        None => None,
                        Some(entry) => {
                            let (k, v) = entry?;
                            let previous_version = schema::value_key_version(k.value())?;
                            let present = schema::decode_value(v.value())?.is_some();
                            Some((previous_version, present))
                        }
                    }
                };
                if previous.is_none() && value.is_some() {
                    // First write of this key ever (entries of a key are pruned only when
                    // superseded, so its last entry always stays): record its preimage.
                    new_keys.push(*key_hash);
                }
                match (value, previous) {
                    // Deleting an absent key: nothing to record.
                    (None, None) | (None, Some((_, false))) => continue,
                    (None, Some(_)) => {
                        values.insert(
                            schema::value_key(key_hash, *value_version).as_slice(),
                            [schema::TOMBSTONE].as_slice(),
                        )?;
                    }
                    (Some(v), _) => {
                        values.insert(
                            schema::value_key(key_hash, *value_version).as_slice(),
                            schema::encode_value(v).as_slice(),
                        )?;
                    }
                }
                if let Some((previous_version, _)) = previous {
                    stale_values.insert(
                        schema::stale_value_key(*value_version, key_hash, previous_version)
                            .as_slice(),
                        (),
                    )?;
                }
            }
            if !new_keys.is_empty() {
                new_keys.sort_unstable();
                let mut preimages = txn.open_table(PREIMAGES)?;
                for key_hash in new_keys {
                    let key =
                        prepared.preimages.get(&key_hash).ok_or_else(|| StoreError::Corrupt {
                            what: format!("no preimage for written key hash {key_hash:?}"),
                        })?;
                    preimages.insert(key_hash.0.as_slice(), key.as_slice())?;
                }
            }
        }
        {
            let mut stale_nodes = txn.open_table(STALE_NODES)?;
            for index in &prepared.batch.stale_node_index_batch {
                let key = schema::encode_node_key(&index.node_key)?;
                stale_nodes.insert(
                    schema::stale_node_key(index.stale_since_version, &key).as_slice(),
                    (),
                )?;
            }
            // Every version has its own root node; the previous one is used by no later
            // version (the jmt crate copies an unchanged root without marking the old stale).
            if let Some(latest) = latest {
                let key = schema::encode_node_key(&schema::root_node_key(latest)?)?;
                stale_nodes.insert(schema::stale_node_key(version, &key).as_slice(), ())?;
            }
        }
        txn.open_table(ROOTS)?.insert(version, prepared.root.0.as_slice())?;
        meta.insert(META_LATEST, version.to_be_bytes().as_slice())?;
        let mut oldest = oldest.unwrap_or(version);
        let (mut pruned_nodes, mut pruned_values) = (0, 0);
        if self.config.prune_on_commit {
            if let Some(target) = self.prune_target(version, oldest) {
                (pruned_nodes, pruned_values) = prune(txn, oldest, target)?;
                oldest = target;
            }
        }
        meta.insert(META_OLDEST, oldest.to_be_bytes().as_slice())?;
        Ok(CommitInfo {
            version,
            root: prepared.root,
            writes: prepared.writes,
            new_nodes: node_batch.nodes().len(),
            oldest_retained: oldest,
            pruned_nodes,
            pruned_values,
        })
    }

    /// The oldest version to keep after committing `latest`, if above the current `oldest`.
    fn prune_target(&self, latest: Version, oldest: Version) -> Option<Version> {
        let keep = self.config.keep_recent?;
        let target = latest.saturating_sub(keep.saturating_sub(1));
        (target > oldest).then_some(target)
    }

    /// Prunes the versions that left the keep-recent window, in one write transaction of its own
    /// (crash-safe like a commit; pruning is idempotent and resumes where it stopped). Only needed
    /// with [`StoreConfig::prune_on_commit`] off; a no-op for an archive store or when nothing left
    /// the window. Blocks the next commit while it runs (redb has a single writer).
    pub fn prune(&self) -> Result<PruneInfo, StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(if self.config.sync_commits {
            redb::Durability::Immediate
        } else {
            redb::Durability::None
        })?;
        let info = {
            let mut meta = txn.open_table(META)?;
            let latest = match meta.get(META_LATEST)? {
                None => None,
                Some(g) => Some(schema::decode_u64(META_LATEST, g.value())?),
            };
            let oldest = match meta.get(META_OLDEST)? {
                None => None,
                Some(g) => Some(schema::decode_u64(META_OLDEST, g.value())?),
            };
            match (latest, oldest) {
                (Some(latest), Some(oldest)) => match self.prune_target(latest, oldest) {
                    Some(target) => {
                        let (pruned_nodes, pruned_values) = prune(&txn, oldest, target)?;
                        meta.insert(META_OLDEST, target.to_be_bytes().as_slice())?;
                        PruneInfo { oldest_retained: Some(target), pruned_nodes, pruned_values }
                    }
                    None => PruneInfo { oldest_retained: Some(oldest), ..PruneInfo::default() },
                },
                _ => PruneInfo::default(),
            }
        };
        txn.commit()?;
        Ok(info)
    }

    /// Number of tree nodes stored (all retained versions); for tests and benches.
    pub fn node_count(&self) -> Result<u64, StoreError> {
        let read = self.db.begin_read()?;
        Ok(read.open_table(NODES)?.len()?)
    }
}

/// Removes from `data` every entry indexed in `stale` (keys `stale_since BE ‖ data key`) with a
/// `stale_since` sorting before `end`, and those index entries; returns how many data entries went.
fn prune_stale_entries(
    txn: &WriteTransaction,
    stale: TableDefinition<&[u8], ()>,
    data: TableDefinition<&[u8], &[u8]>,
    end: &[u8],
) -> Result<usize, StoreError> {
    let mut stale_table = txn.open_table(stale)?;
    let mut data_table = txn.open_table(data)?;
    let keys: Vec<Vec<u8>> = stale_table
        .range(..end)?
        .map(|entry| entry.map(|(k, _)| k.value().to_vec()))
        .collect::<Result<_, _>>()?;
    let mut pruned = 0;
    for key in &keys {
        if let Some(data_key) = key.get(8..) {
            if data_table.remove(data_key)?.is_some() {
                pruned += 1;
            }
        }
        stale_table.remove(key.as_slice())?;
    }
    Ok(pruned)
}

/// Deletes what no version `>= new_oldest` uses: nodes and values stale since a version
/// `<= new_oldest`, and the roots of versions `old_oldest .. new_oldest`.
fn prune(
    txn: &WriteTransaction,
    old_oldest: Version,
    new_oldest: Version,
) -> Result<(usize, usize), StoreError> {
    // Keys `stale_since BE ‖ …` with stale_since <= new_oldest sort before `(new_oldest+1) BE`.
    let end = new_oldest.saturating_add(1).to_be_bytes();
    let pruned_nodes = prune_stale_entries(txn, STALE_NODES, NODES, &end)?;
    let pruned_values = prune_stale_entries(txn, STALE_VALUES, VALUES, &end)?;
    {
        let mut roots = txn.open_table(ROOTS)?;
        for version in old_oldest..new_oldest {
            roots.remove(version)?;
        }
    }
    debug!(old_oldest, new_oldest, pruned_nodes, pruned_values, "pruned state versions");
    Ok((pruned_nodes, pruned_values))
}

/// The version rules: the working set's base is the latest version, and `version` follows it.
fn check_next(
    base: Option<Version>,
    latest: Option<Version>,
    version: Version,
) -> Result<(), StoreError> {
    if version == Version::MAX {
        // The jmt crate reserves u64::MAX as its pre-genesis version.
        return Err(StoreError::Config("version space exhausted (u64::MAX is reserved)"));
    }
    if base != latest {
        return Err(StoreError::StaleWorkingSet { got: base, expected: latest });
    }
    if let Some(latest) = latest {
        let expected =
            latest.checked_add(1).ok_or(StoreError::Config("version space exhausted"))?;
        if version != expected {
            return Err(StoreError::NonContiguousVersion { got: version, expected });
        }
    }
    Ok(())
}

fn hex_root(root: &RootHash) -> String {
    root.0.iter().map(|b| format!("{b:02x}")).collect()
}
