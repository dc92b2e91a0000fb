//! Commit latency of the state store (FinalizeBlock's `prepare` + Commit's `commit`).
//!
//! - `commit_block_100k_accounts/updates/<n>`: a block of n account writes on a store holding
//!   100,000 accounts.
//! - `commit_block_1m_accounts/updates/<n>`: a block of n account writes on a store holding
//!   1,000,000 accounts (built once in the setup, in a temp dir; the build time and the database
//!   size are printed to stderr).
//!
//! Every commit is fsynced (the production setting) and pruning keeps the last 100 versions.
//! Run: `cargo bench -p peg-store --bench commit`.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use peg_store::workload::{account_key, account_value, SplitMix64};
use peg_store::{Store, StoreConfig, Version};

/// Accounts are loaded in blocks of this many writes.
const LOAD_CHUNK: u64 = 50_000;

/// Creates a store at `path` holding accounts `0..accounts` (versions `1..=accounts/LOAD_CHUNK`),
/// loaded without fsync, then reopened with the production configuration.
fn build_store(path: &Path, accounts: u64) -> (Store, Version) {
    let started = Instant::now();
    let mut version = 0;
    {
        let loader = Store::open_with(
            path,
            StoreConfig {
                keep_recent: Some(1),
                sync_commits: false,
                cache_size: None,
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
        // One fsynced empty commit makes the load durable.
        drop(loader);
    }
    let store = Store::open_with(
        path,
        StoreConfig {
            keep_recent: Some(100),
            sync_commits: true,
            cache_size: None,
        },
    )
    .expect("reopen bench store");
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

/// Times `iters` blocks of `updates` random account writes (prepare + commit only).
fn commit_blocks(store: &Store, version: &mut Version, accounts: u64, updates: usize, iters: u64) -> Duration {
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
    }
    total
}

/// A store built on first use, so that a filtered-out group never pays for its setup.
struct Lazy {
    accounts: u64,
    built: Option<(tempfile::TempDir, Store, Version)>,
}

impl Lazy {
    fn new(accounts: u64) -> Self {
        Self {
            accounts,
            built: None,
        }
    }

    fn get(&mut self) -> (&Store, &mut Version) {
        let accounts = self.accounts;
        let (_, store, version) = self.built.get_or_insert_with(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let (store, version) = build_store(&dir.path().join("state.redb"), accounts);
            (dir, store, version)
        });
        (store, version)
    }

    fn report(&self) {
        if let Some((dir, store, version)) = &self.built {
            let size = std::fs::metadata(dir.path().join("state.redb"))
                .map(|m| m.len())
                .unwrap_or(0);
            eprintln!(
                "peg-store bench end: {} accounts, version {version}, db file {:.1} MiB, {} tree nodes",
                self.accounts,
                size as f64 / (1024.0 * 1024.0),
                store.node_count().expect("node count")
            );
        }
    }
}

fn bench_group(c: &mut Criterion, name: &str, accounts: u64, samples: usize, seconds: u64) {
    let mut lazy = Lazy::new(accounts);
    let mut group = c.benchmark_group(name);
    group.sample_size(samples);
    group.measurement_time(Duration::from_secs(seconds));
    for updates in [1_000usize, 2_000, 10_000] {
        group.throughput(Throughput::Elements(updates as u64));
        group.bench_with_input(BenchmarkId::new("updates", updates), &updates, |b, &updates| {
            let (store, version) = lazy.get();
            b.iter_custom(|iters| commit_blocks(store, version, accounts, updates, iters))
        });
    }
    group.finish();
    lazy.report();
}

fn bench_commit_100k(c: &mut Criterion) {
    bench_group(c, "commit_block_100k_accounts", 100_000, 20, 10);
}

fn bench_commit_1m(c: &mut Criterion) {
    bench_group(c, "commit_block_1m_accounts", 1_000_000, 10, 20);
}

criterion_group!(benches, bench_commit_100k, bench_commit_1m);
criterion_main!(benches);
