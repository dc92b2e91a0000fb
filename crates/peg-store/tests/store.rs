//! Store behaviour: versions, reads, working sets, pruning, history independence, bad files.

use peg_store::workload::{account_key, account_value, block_changes};
use peg_store::{
    Store, StoreConfig, StoreError, Version, WorkingSet, EMPTY_ROOT_HASH, MAX_KEY_LEN,
};
use sha2::{Digest, Sha256};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn archive() -> StoreConfig {
    StoreConfig { keep_recent: None, ..StoreConfig::default() }
}

fn apply(ws: &mut WorkingSet, changes: &[(Vec<u8>, Option<Vec<u8>>)]) -> Result<(), StoreError> {
    for (key, value) in changes {
        match value {
            Some(value) => ws.set(key.clone(), value.clone())?,
            None => ws.delete(key.clone())?,
        }
    }
    Ok(())
}

fn commit_block(
    store: &Store,
    version: Version,
    changes: &[(Vec<u8>, Option<Vec<u8>>)],
) -> TestResult {
    let mut ws = store.working_set()?;
    apply(&mut ws, changes)?;
    store.commit_working_set(&ws, version)?;
    Ok(())
}

#[test]
fn empty_store_has_the_empty_root() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("state.redb"))?;
    assert_eq!(store.latest_version()?, None);
    assert_eq!(store.oldest_version()?, None);
    assert_eq!(store.root_hash()?, EMPTY_ROOT_HASH);
    assert_eq!(&store.root_hash()?.0, b"SPARSE_MERKLE_PLACEHOLDER_HASH__");
    assert_eq!(store.get(b"anything")?, None);
    assert!(matches!(store.get_at(b"anything", 1), Err(StoreError::NoVersion)));
    assert!(matches!(store.root_hash_at(0), Err(StoreError::NoVersion)));
    Ok(())
}

/// The root of a one-leaf tree is the leaf hash: sha256("JMT::LeafNode" ‖ sha256(key) ‖
/// sha256(value)), as `specs/state-store.md` documents.
#[test]
fn single_leaf_root_matches_the_spec() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("state.redb"))?;
    let mut ws = store.working_set()?;
    ws.set(b"acc/alice".to_vec(), b"100upeg".to_vec())?;
    let info = store.commit_working_set(&ws, 1)?;
    let mut hasher = Sha256::new();
    hasher.update(b"JMT::LeafNode");
    hasher.update(Sha256::digest(b"acc/alice"));
    hasher.update(Sha256::digest(b"100upeg"));
    let expected: [u8; 32] = hasher.finalize().into();
    assert_eq!(info.root.0, expected);
    assert_eq!(store.root_hash()?.0, expected);
    Ok(())
}

#[test]
fn commit_then_read_latest_and_history_and_reopen() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.redb");
    let roots = {
        let store = Store::open_with(&path, archive())?;
        let mut roots = Vec::new();
        for version in 1..=5u64 {
            let mut ws = store.working_set()?;
            assert_eq!(ws.base_version(), version.checked_sub(1).filter(|v| *v > 0));
            ws.set(b"counter".to_vec(), version.to_be_bytes().to_vec())?;
            ws.set(format!("block/{version}").into_bytes(), b"x".to_vec())?;
            if version == 4 {
                ws.delete(b"block/2".to_vec())?;
            }
            let prepared = store.prepare(&ws, version)?;
            let root = prepared.root_hash();
            assert_eq!(prepared.version(), version);
            let info = store.commit(prepared)?;
            assert_eq!(info.root, root);
            assert_eq!(info.writes, if version == 4 { 3 } else { 2 });
            roots.push(root);
        }
        assert_eq!(store.latest_version()?, Some(5));
        assert_eq!(store.get(b"counter")?, Some(5u64.to_be_bytes().to_vec()));
        for version in 1..=5u64 {
            assert_eq!(store.get_at(b"counter", version)?, Some(version.to_be_bytes().to_vec()));
        }
        assert_eq!(store.get_at(b"block/2", 3)?, Some(b"x".to_vec()));
        assert_eq!(store.get_at(b"block/2", 4)?, None);
        assert_eq!(store.get_at(b"block/5", 4)?, None);
        roots
    };
    // Everything survives a reopen.
    let store = Store::open_with(&path, archive())?;
    assert_eq!(store.latest_version()?, Some(5));
    assert_eq!(store.oldest_version()?, Some(1));
    assert_eq!(store.root_hash()?, roots[4]);
    for (i, root) in roots.iter().enumerate() {
        assert_eq!(store.root_hash_at(i as u64 + 1)?, *root);
    }
    assert!(roots.windows(2).all(|w| w[0] != w[1]));
    assert!(matches!(
        store.get_at(b"counter", 6),
        Err(StoreError::VersionNotCommitted { version: 6, latest: 5 })
    ));
    assert_eq!(store.get(b"block/2")?, None);
    Ok(())
}

#[test]
fn prepare_and_dropped_working_sets_change_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.redb");
    let store = Store::open(&path)?;
    commit_block(&store, 1, &block_changes(7, 1, 100, 50, 0))?;
    let root = store.root_hash()?;
    let nodes = store.node_count()?;
    {
        let mut ws = store.working_set()?;
        apply(&mut ws, &block_changes(7, 2, 100, 50, 10))?;
        assert_eq!(store.get_pending(&ws, &account_key(1_000_000))?, None, "untouched absent key");
        let (key, value) = (account_key(5), account_value(5, 99));
        ws.set(key.clone(), value.clone())?;
        assert_eq!(store.get_pending(&ws, &key)?, Some(value));
        assert_ne!(store.get(&key)?, Some(account_value(5, 99)));
        let prepared = store.prepare(&ws, 2)?;
        assert_ne!(prepared.root_hash(), root);
        // prepared and ws dropped here without commit
    }
    assert_eq!(store.latest_version()?, Some(1));
    assert_eq!(store.root_hash()?, root);
    assert_eq!(store.node_count()?, nodes);
    drop(store);
    let store = Store::open(&path)?;
    assert_eq!(store.latest_version()?, Some(1));
    assert_eq!(store.root_hash()?, root);
    // The next commit is still version 2.
    commit_block(&store, 2, &block_changes(7, 2, 100, 5, 0))?;
    assert_eq!(store.latest_version()?, Some(2));
    Ok(())
}

#[test]
fn prepared_root_equals_committed_root_and_preparing_is_repeatable() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("state.redb"))?;
    commit_block(&store, 10, &block_changes(1, 10, 1000, 300, 0))?;
    let mut ws = store.working_set()?;
    apply(&mut ws, &block_changes(1, 11, 1000, 300, 40))?;
    let first = store.prepare(&ws, 11)?.root_hash();
    let second = store.prepare(&ws, 11)?;
    assert_eq!(first, second.root_hash());
    let info = store.commit(second)?;
    assert_eq!(info.root, first);
    assert_eq!(store.root_hash_at(11)?, first);
    Ok(())
}

#[test]
fn versions_must_be_contiguous_and_working_sets_fresh() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("state.redb"))?;
    let mut ws = store.working_set()?;
    ws.set(b"k".to_vec(), b"v".to_vec())?;
    store.commit_working_set(&ws, 5)?; // the first version may be anything (genesis height - 1)

    let mut ws = store.working_set()?;
    ws.set(b"k".to_vec(), b"w".to_vec())?;
    assert!(matches!(
        store.prepare(&ws, 7),
        Err(StoreError::NonContiguousVersion { got: 7, expected: 6 })
    ));
    assert!(matches!(
        store.prepare(&ws, 5),
        Err(StoreError::NonContiguousVersion { got: 5, expected: 6 })
    ));
    let prepared = store.prepare(&ws, 6)?;
    let stale = store.prepare(&ws, 6)?;
    store.commit(prepared)?;
    // A second commit of a tree computed on version 5 is refused: it is no longer the latest.
    assert!(matches!(
        store.commit(stale),
        Err(StoreError::StaleWorkingSet { got: Some(5), expected: Some(6) })
    ));
    assert!(matches!(
        store.prepare(&ws, 7),
        Err(StoreError::StaleWorkingSet { got: Some(5), expected: Some(6) })
    ));
    assert_eq!(store.get(b"k")?, Some(b"w".to_vec()));
    assert!(matches!(
        store.get_at(b"k", 4),
        Err(StoreError::VersionPruned { version: 4, oldest: 5 })
    ));
    Ok(())
}

#[test]
fn bad_keys_and_values_are_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("state.redb"))?;
    let mut ws = store.working_set()?;
    assert!(matches!(ws.set(Vec::new(), b"v".to_vec()), Err(StoreError::EmptyKey)));
    assert!(matches!(ws.set(b"k".to_vec(), Vec::new()), Err(StoreError::EmptyValue)));
    assert!(matches!(ws.delete(Vec::new()), Err(StoreError::EmptyKey)));
    let long = vec![1u8; MAX_KEY_LEN + 1];
    assert!(matches!(
        ws.set(long.clone(), b"v".to_vec()),
        Err(StoreError::KeyTooLong { got, expected: MAX_KEY_LEN }) if got == MAX_KEY_LEN + 1
    ));
    assert!(matches!(store.get(&long), Err(StoreError::KeyTooLong { .. })));
    assert!(matches!(store.get(b""), Err(StoreError::EmptyKey)));
    assert!(ws.is_empty());
    Ok(())
}

/// The root depends only on the final key set, not on how it was reached: one block or many,
/// any order, with detours through deletes.
#[test]
fn root_is_history_independent() -> TestResult {
    let dir = tempfile::tempdir()?;
    let a = Store::open(dir.path().join("a.redb"))?;
    let b = Store::open(dir.path().join("b.redb"))?;

    let mut final_state = std::collections::BTreeMap::new();
    for version in 1..=8u64 {
        let changes = block_changes(3, version, 400, 120, 30);
        for (k, v) in &changes {
            final_state.insert(k.clone(), v.clone());
        }
        commit_block(&a, version, &changes)?;
    }
    let mut ws = b.working_set()?;
    for (k, v) in final_state.iter().rev() {
        match v {
            Some(v) => ws.set(k.clone(), v.clone())?,
            None => ws.delete(k.clone())?,
        }
    }
    b.commit_working_set(&ws, 100)?;
    assert_eq!(a.root_hash()?, b.root_hash()?);
    for (k, v) in &final_state {
        assert_eq!(&b.get(k)?, v);
        assert_eq!(&a.get(k)?, v);
    }
    Ok(())
}

#[test]
fn first_commit_at_a_later_height_and_empty_blocks() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("state.redb"))?;
    let empty = store.working_set()?;
    let info = store.commit_working_set(&empty, 41)?;
    assert_eq!(info.root, EMPTY_ROOT_HASH);
    assert_eq!(store.latest_version()?, Some(41));
    let empty = store.working_set()?;
    assert_eq!(store.commit_working_set(&empty, 42)?.root, EMPTY_ROOT_HASH);

    let mut ws = store.working_set()?;
    ws.set(b"a".to_vec(), b"1".to_vec())?;
    ws.delete(b"never-there".to_vec())?;
    let root43 = store.commit_working_set(&ws, 43)?.root;
    // Empty blocks keep the root, and every version stays readable.
    for version in 44..=46 {
        let empty = store.working_set()?;
        assert_eq!(store.commit_working_set(&empty, version)?.root, root43);
        assert_eq!(store.get_at(b"a", version)?, Some(b"1".to_vec()));
    }
    // Deleting everything returns to the empty root.
    let mut ws = store.working_set()?;
    ws.delete(b"a".to_vec())?;
    assert_eq!(store.commit_working_set(&ws, 47)?.root, EMPTY_ROOT_HASH);
    assert!(matches!(store.get_with_proof(b"a", 47), Err(StoreError::EmptyTree { version: 47 })));
    assert_eq!(store.get_at(b"a", 46)?, Some(b"1".to_vec()));
    Ok(())
}

#[test]
fn pruning_keeps_the_window_and_bounds_the_database() -> TestResult {
    let dir = tempfile::tempdir()?;
    let config = StoreConfig { keep_recent: Some(3), ..StoreConfig::default() };
    let store = Store::open_with(dir.path().join("state.redb"), config)?;
    let mut node_counts = Vec::new();
    for version in 1..=30u64 {
        // The same 200 accounts rewritten every block: without pruning the node table grows
        // linearly; with it, it stays bounded.
        let changes: Vec<_> =
            (0..200u64).map(|i| (account_key(i), Some(account_value(i, version)))).collect();
        let mut ws = store.working_set()?;
        apply(&mut ws, &changes)?;
        let info = store.commit_working_set(&ws, version)?;
        assert_eq!(info.oldest_retained, version.saturating_sub(2).max(1));
        node_counts.push(store.node_count()?);
    }
    assert_eq!(store.oldest_version()?, Some(28));
    for version in 28..=30u64 {
        assert_eq!(store.get_at(&account_key(7), version)?, Some(account_value(7, version)));
        let (value, proof) = store.get_with_proof(&account_key(7), version)?;
        let value = value.ok_or("account 7 present")?;
        peg_store::verify_membership(
            &proof,
            &store.root_hash_at(version)?,
            &account_key(7),
            &value,
        )?;
    }
    for version in [1u64, 10, 27] {
        assert!(matches!(
            store.get_at(&account_key(7), version),
            Err(StoreError::VersionPruned { oldest: 28, .. })
        ));
        assert!(matches!(
            store.get_with_proof(&account_key(7), version),
            Err(StoreError::VersionPruned { oldest: 28, .. })
        ));
        assert!(matches!(
            store.root_hash_at(version),
            Err(StoreError::VersionPruned { oldest: 28, .. })
        ));
    }
    let steady = node_counts[29];
    assert!(
        steady <= node_counts[5] + node_counts[5] / 4,
        "node table grows under pruning: {node_counts:?}"
    );

    // An archive store with the same writes keeps every version and grows.
    let archive_store = Store::open_with(dir.path().join("archive.redb"), archive())?;
    for version in 1..=30u64 {
        let changes: Vec<_> =
            (0..200u64).map(|i| (account_key(i), Some(account_value(i, version)))).collect();
        let mut ws = archive_store.working_set()?;
        apply(&mut ws, &changes)?;
        archive_store.commit_working_set(&ws, version)?;
    }
    assert_eq!(archive_store.root_hash()?, store.root_hash()?);
    assert_eq!(archive_store.get_at(&account_key(7), 1)?, Some(account_value(7, 1)));
    assert!(archive_store.node_count()? > 5 * steady);
    Ok(())
}

#[test]
fn keep_recent_zero_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let config = StoreConfig { keep_recent: Some(0), ..StoreConfig::default() };
    assert!(matches!(
        Store::open_with(dir.path().join("state.redb"), config),
        Err(StoreError::Config(_))
    ));
    Ok(())
}

#[test]
fn garbage_file_is_a_clear_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("garbage.redb");
    let mut garbage = Vec::new();
    let mut rng = peg_store::workload::SplitMix64::new(42);
    for _ in 0..(1 << 16) {
        garbage.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    std::fs::write(&path, &garbage)?;
    let err = Store::open(&path).err().ok_or("garbage accepted")?;
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot open the state store"), "{err}");
    // The file is left untouched.
    assert_eq!(std::fs::read(&path)?, garbage);

    // A text file too.
    let text = dir.path().join("config.toml");
    std::fs::write(&text, b"[p2p]\nladdr = \"tcp://0.0.0.0:26656\"\n")?;
    assert!(matches!(Store::open(&text), Err(StoreError::Open { .. })));
    Ok(())
}

#[test]
fn foreign_redb_database_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("other.redb");
    {
        let db = redb::Database::create(&path)?;
        let txn = db.begin_write()?;
        {
            let def: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("wallet");
            txn.open_table(def)?.insert("alice", 5)?;
        }
        txn.commit()?;
    }
    let err = Store::open(&path).err().ok_or("foreign db accepted")?;
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");

    let path = dir.path().join("future.redb");
    {
        let db = redb::Database::create(&path)?;
        let txn = db.begin_write()?;
        {
            let def: redb::TableDefinition<&str, &[u8]> =
                redb::TableDefinition::new("peg_store_meta");
            txn.open_table(def)?.insert("format", b"peg-store/v999".as_slice())?;
        }
        txn.commit()?;
    }
    let err = Store::open(&path).err().ok_or("future format accepted")?;
    assert!(
        matches!(&err, StoreError::UnsupportedFormat { got, .. } if got == "peg-store/v999"),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn a_second_open_of_the_same_file_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.redb");
    let _first = Store::open(&path)?;
    assert!(matches!(Store::open(&path), Err(StoreError::Open { .. })));
    Ok(())
}

/// Blocks with only sets take jmt's sorted batch insertion, blocks with deletes its key-by-key
/// insertion: both must build the same tree, from genesis at version 0 or later, on any base.
#[test]
fn batch_and_key_by_key_insertion_build_the_same_tree() -> TestResult {
    let dir = tempfile::tempdir()?;
    for first in [0u64, 1, 77] {
        let sets_only = Store::open(dir.path().join(format!("sets-{first}.redb")))?;
        let with_deletes = Store::open(dir.path().join(format!("deletes-{first}.redb")))?;
        for step in 0..6u64 {
            let version = first + step;
            // Overwrites, fresh keys, and keys close to each other (shared nibble prefixes).
            let changes: Vec<_> = block_changes(5, version, 2_000, 400, 0)
                .into_iter()
                .chain((0..50u64).map(|i| {
                    let key = format!("near/{}", version * 50 + i).into_bytes();
                    (key, Some(b"v".to_vec()))
                }))
                .collect();
            commit_block(&sets_only, version, &changes)?;
            let mut ws = with_deletes.working_set()?;
            apply(&mut ws, &changes)?;
            ws.delete(format!("absent/{version}").into_bytes())?; // a no-op delete
            let info = with_deletes.commit_working_set(&ws, version)?;
            assert_eq!(info.root, sets_only.root_hash()?, "version {version}");
        }
    }
    Ok(())
}

#[test]
fn the_reserved_last_version_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("state.redb"))?;
    let mut ws = store.working_set()?;
    ws.set(b"k".to_vec(), b"v".to_vec())?;
    assert!(matches!(store.prepare(&ws, u64::MAX), Err(StoreError::Config(_))));
    store.commit_working_set(&ws, u64::MAX - 1)?;
    let ws = store.working_set()?;
    assert!(matches!(store.prepare(&ws, u64::MAX), Err(StoreError::Config(_))));
    assert_eq!(store.get(b"k")?, Some(b"v".to_vec()));
    Ok(())
}

#[test]
fn queries_run_concurrently_with_commits() -> TestResult {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store>();
    let dir = tempfile::tempdir()?;
    let store = std::sync::Arc::new(Store::open(dir.path().join("state.redb"))?);
    commit_block(&store, 1, &block_changes(4, 1, 300, 300, 0))?;
    let writer = {
        let store = std::sync::Arc::clone(&store);
        std::thread::spawn(move || -> Result<(), StoreError> {
            for version in 2..=40u64 {
                let mut ws = store.working_set()?;
                apply(&mut ws, &block_changes(4, version, 300, 50, 5))?;
                store.commit_working_set(&ws, version)?;
            }
            Ok(())
        })
    };
    let mut checked = 0;
    while !writer.is_finished() || checked == 0 {
        let latest = store.latest_version()?.ok_or("committed")?;
        let root = store.root_hash_at(latest)?;
        let key = account_key(checked % 300);
        let (value, proof) = store.get_with_proof(&key, latest)?;
        peg_store::verify_proof(&proof, &root, &key, value.as_deref())?;
        assert_eq!(store.get_at(&key, latest)?, value);
        checked += 1;
    }
    writer.join().map_err(|_| "writer panicked")??;
    assert_eq!(store.latest_version()?, Some(40));
    assert!(checked > 0);
    Ok(())
}

#[test]
fn deferred_pruning_prunes_only_when_asked() -> TestResult {
    let dir = tempfile::tempdir()?;
    let config =
        StoreConfig { keep_recent: Some(2), prune_on_commit: false, ..StoreConfig::default() };
    let store = Store::open_with(dir.path().join("state.redb"), config)?;
    assert_eq!(store.prune()?, peg_store::PruneInfo::default()); // nothing committed
    for version in 1..=6u64 {
        commit_block(&store, version, &block_changes(8, version, 200, 100, 10))?;
    }
    // Commits did not prune: every version is still there.
    assert_eq!(store.oldest_version()?, Some(1));
    assert!(store.get_at(&account_key(1), 1).is_ok());
    let before = store.node_count()?;
    let info = store.prune()?;
    assert_eq!(info.oldest_retained, Some(5));
    assert!(info.pruned_nodes > 0 && info.pruned_values > 0, "{info:?}");
    assert_eq!(store.node_count()?, before - info.pruned_nodes as u64);
    assert!(matches!(
        store.get_at(&account_key(1), 4),
        Err(StoreError::VersionPruned { version: 4, oldest: 5 })
    ));
    // Idempotent.
    let again = store.prune()?;
    assert_eq!((again.oldest_retained, again.pruned_nodes), (Some(5), 0));
    // Retained versions are intact and provable.
    for version in 5..=6u64 {
        let key = account_key(3);
        let (value, proof) = store.get_with_proof(&key, version)?;
        peg_store::verify_proof(&proof, &store.root_hash_at(version)?, &key, value.as_deref())?;
    }
    Ok(())
}

/// A store file damaged after it was written (truncated, or a page overwritten) never panics the
/// process: opening or reading reports a typed error (or, if the damage hit unused space, the
/// store still answers).
#[test]
fn damaged_store_files_give_errors_not_panics() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.redb");
    {
        let store = Store::open(&path)?;
        for version in 1..=5u64 {
            commit_block(&store, version, &block_changes(2, version, 2_000, 500, 10))?;
        }
    }
    let original = std::fs::read(&path)?;
    let len = original.len();
    let mut damaged: Vec<(String, Vec<u8>, bool)> = vec![
        ("truncated to half".into(), original[..len / 2].to_vec(), true),
        ("truncated to 100 bytes".into(), original[..100].to_vec(), true),
        (
            "header zeroed".into(),
            {
                let mut d = original.clone();
                d[..4096.min(len)].fill(0);
                d
            },
            true,
        ),
    ];
    let mut rng = peg_store::workload::SplitMix64::new(5);
    for eighth in 1..8 {
        let start = len * eighth / 8;
        let mut d = original.clone();
        for b in &mut d[start..(start + 8192).min(len)] {
            *b = rng.next_u64() as u8;
        }
        damaged.push((format!("8 KiB scrambled at {eighth}/8"), d, false));
    }
    let mut detected = 0;
    for (what, bytes, must_fail_open) in damaged {
        let copy = dir.path().join("damaged.redb");
        std::fs::write(&copy, &bytes)?;
        let outcome = std::panic::catch_unwind(|| -> Result<(), StoreError> {
            let store = Store::open(&copy)?;
            store.root_hash()?;
            for i in 0..200 {
                store.get(&account_key(i))?;
            }
            Ok(())
        });
        match outcome {
            Err(_) => return Err(format!("{what}: panicked").into()),
            Ok(result) if must_fail_open => {
                assert!(matches!(result, Err(StoreError::Open { .. })), "{what}: {result:?}")
            }
            Ok(result) => {
                if result.is_err() {
                    detected += 1;
                }
            }
        }
        std::fs::remove_file(&copy)?;
    }
    // Scrambled pages of the committed trees fail the integrity check at open; a scrambled range
    // may also fall on free pages, which nothing reads.
    assert!(detected >= 4, "only {detected} of 7 scrambled files refused");
    Ok(())
}

/// Differential test against an in-memory model: random sets and deletes over a small key space
/// (so keys are overwritten, deleted and re-created), reads at every retained version, proofs,
/// pruning, and a reopen in the middle.
#[test]
fn matches_a_versioned_map_model() -> TestResult {
    use std::collections::BTreeMap;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.redb");
    let keep = 7u64;
    let config = StoreConfig { keep_recent: Some(keep), ..StoreConfig::default() };
    let mut store = Store::open_with(&path, config)?;
    let mut rng = peg_store::workload::SplitMix64::new(2024);
    let mut model: Vec<BTreeMap<Vec<u8>, Vec<u8>>> = vec![BTreeMap::new()]; // index = version
    let key = |i: u64| format!("k/{i}").into_bytes();
    for version in 1..=60u64 {
        let mut state = model.last().cloned().unwrap_or_default();
        let mut ws = store.working_set()?;
        for _ in 0..rng.below(40) {
            let k = key(rng.below(150));
            if rng.below(3) == 0 {
                ws.delete(k.clone())?;
                state.remove(&k);
            } else {
                let v = rng.next_u64().to_be_bytes()[..1 + rng.below(8) as usize].to_vec();
                ws.set(k.clone(), v.clone())?;
                state.insert(k, v);
            }
        }
        let info = store.commit_working_set(&ws, version)?;
        if state.is_empty() {
            assert_eq!(info.root, EMPTY_ROOT_HASH);
        }
        model.push(state);
        if version == 30 {
            drop(store);
            store = Store::open_with(&path, config)?;
        }
        let oldest = version.saturating_sub(keep - 1).max(1);
        assert_eq!(store.oldest_version()?, Some(oldest));
        for v in oldest..=version {
            let expected = &model[v as usize];
            let root = store.root_hash_at(v)?;
            for _ in 0..10 {
                let k = key(rng.below(160));
                let value = store.get_at(&k, v)?;
                assert_eq!(value.as_ref(), expected.get(&k), "version {v}, key {k:?}");
                if root != EMPTY_ROOT_HASH {
                    let (proven, proof) = store.get_with_proof(&k, v)?;
                    assert_eq!(proven, value);
                    peg_store::verify_proof(&proof, &root, &k, value.as_deref())?;
                }
            }
        }
        if oldest > 1 {
            assert!(matches!(
                store.get_at(&key(0), oldest - 1),
                Err(StoreError::VersionPruned { .. })
            ));
        }
    }
    Ok(())
}
