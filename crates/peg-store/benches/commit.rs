//! Commit latency of the state store (FinalizeBlock's `prepare` + Commit's `commit`).
//!
//! - `commit_block_100k_accounts/updates/<n>`: a block of n account writes on a store holding
//!   100,000 accounts.
//! - `commit_block_1m_accounts/updates/<n>`: a block of n account writes on a store holding
//!   1,000,000 accounts (built once in the setup, in a temp dir; the build time and the database
//!   size are printed to stderr).
//!
//! - `…/updates_deferred_prune/<n>`: the same with `prune_on_commit = false`; `Store::prune` runs
//!   after each commit, outside the timed section.
//!
//! Every commit is fsynced (the production setting). The keep-recent window is 2 versions so that
//! every timed commit prunes one version from the start: that is the steady state of any window
//! (a window of 100 prunes one version per commit too, once 100 versions exist).
//! Run: `cargo bench -p peg-store --bench commit`.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use peg_store::workload::{account_key, account_value, SplitMix64};
use peg_store::{Store, StoreConfig, Version};

/// Accounts are loaded in blocks of this many writes.
const LOAD_CHUNK: u64 = 50_000;

/// Creates a store at `path` holding accounts `0..accounts` (versions `1..=accounts/LOAD_CHUNK`),
/// then reopens it with the production configuration. The load is fsynced too: redb reuses the
/// pages a commit frees only after a durable commit, so an unsynced load bloats the file.
fn build_store(path: &Path, accounts: u64) -> (Store, Version) {
    let started = Instant::now();
    let mut version = 0;
    {
        let loader = Store::open_with(
            path,
            StoreConfig {
                keep_recent: Some(1),
                sync_commits: true,
                cache_size: None,
                prune_on_commit: true,
                check_integrity_on_open: true,
            },
        )
        .expect("open bench store");
        let mut next = 0;
        while next < accounts {
            version += 1;
            let end = (next + LOAD_CHUNK).min(accounts);
            let mut ws = loader.working_set().expect("working set");
            for i in next..end {
                ws.set(account_key(i), account_value(i, 0)).expect("set");
            }
            loader.commit_working_set(&ws, version).expect("load commit");
            next = end;
        }
    }
    let store = Store::open_with(path, slot_config()).expect("reopen bench store");
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "peg-store bench setup: {accounts} accounts loaded in {:.1?} ({} versions of {LOAD_CHUNK}), db file {:.1} MiB, {} tree nodes",
        started.elapsed(),
        version,
        size as f64 / (1024.0 * 1024.0),
        store.node_count().expect("node count"),
    );
    (store, version)
}

/// Times `iters` blocks of `updates` random account writes (prepare + commit). With deferred
/// pruning, `Store::prune` runs after each commit outside the timed section (as an application
/// would run it after answering Commit), so the state stays at its steady size.
fn commit_blocks(
    store: &Store,
    version: &mut Version,
    accounts: u64,
    updates: usize,
    iters: u64,
) -> Duration {
    let mut rng = SplitMix64::new(*version);
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        *version += 1;
        let mut ws = store.working_set().expect("working set");
        for _ in 0..updates {
            let i = rng.below(accounts);
            ws.set(account_key(i), account_value(i, *version)).expect("set");
        }
        let started = Instant::now();
        let prepared = store.prepare(&ws, *version).expect("prepare");
        store.commit(prepared).expect("commit");
        total += started.elapsed();
        if !store.config().prune_on_commit {
            store.prune().expect("prune");
        }
    }
    total
}

/// A store built on first use, so that a filtered-out group never pays for its setup.
struct Lazy {
    accounts: u64,
    built: Option<(tempfile::TempDir, Option<Store>, Version)>,
}

impl Lazy {
    fn new(accounts: u64) -> Self {
        Self { accounts, built: None }
    }

    /// The store, reopened if `prune_on_commit` differs from the open one.
    fn get(&mut self, prune_on_commit: bool) -> (&Store, &mut Version) {
        let accounts = self.accounts;
        let (dir, slot, version) = self.built.get_or_insert_with(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let (store, version) = build_store(&dir.path().join("state.redb"), accounts);
            (dir, Some(store), version)
        });
        if slot.as_ref().map(|s| s.config().prune_on_commit) != Some(prune_on_commit) {
            *slot = None; // release the file lock before reopening
            let config = StoreConfig { prune_on_commit, ..slot_config() };
            *slot = Some(Store::open_with(dir.path().join("state.redb"), config).expect("reopen"));
        }
        let store = slot.as_ref().expect("store just opened");
        (store, version)
    }

    fn report(&self) {
        if let Some((dir, Some(store), version)) = &self.built {
            let size =
                std::fs::metadata(dir.path().join("state.redb")).map(|m| m.len()).unwrap_or(0);
            eprintln!(
                "peg-store bench end: {} accounts, version {version}, db file {:.1} MiB, {} tree nodes",
                self.accounts,
                size as f64 / (1024.0 * 1024.0),
                store.node_count().expect("node count")
            );
        }
    }
}

/// The production configuration (fsync, pruning in commit) with a 2-version window.
fn slot_config() -> StoreConfig {
    StoreConfig {
        keep_recent: Some(2),
        sync_commits: true,
        cache_size: None,
        prune_on_commit: true,
        check_integrity_on_open: true,
    }
}

fn bench_group(c: &mut Criterion, name: &str, accounts: u64, samples: usize, seconds: u64) {
    let mut lazy = Lazy::new(accounts);
    let mut group = c.benchmark_group(name);
    group.sample_size(samples);
    group.measurement_time(Duration::from_secs(seconds));
    for (mode, prune_on_commit) in [("updates", true), ("updates_deferred_prune", false)] {
        for updates in [1_000usize, 2_000, 10_000] {
            group.throughput(Throughput::Elements(updates as u64));
            group.bench_with_input(BenchmarkId::new(mode, updates), &updates, |b, &updates| {
                let (store, version) = lazy.get(prune_on_commit);
                b.iter_custom(|iters| commit_blocks(store, version, accounts, updates, iters))
            });
        }
    }
    group.finish();
    lazy.report();
}

fn bench_commit_100k(c: &mut Criterion) {
    bench_group(c, "commit_block_100k_accounts", 100_000, 10, 10);
}

fn bench_commit_1m(c: &mut Criterion) {
    bench_group(c, "commit_block_1m_accounts", 1_000_000, 10, 20);
}

criterion_group!(benches, bench_commit_100k, bench_commit_1m);
criterion_main!(benches);
