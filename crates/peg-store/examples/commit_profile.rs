//! Prints where the time of a block commit goes (prepare vs commit) on a store of N accounts.
//! `cargo run --release -p peg-store --example commit_profile -- <accounts> <updates> <blocks> [keep recent]`
//! `cargo run --release -p peg-store --example commit_profile -- open <db path>` times a reopen.
use std::time::Instant;

use peg_store::workload::{account_key, account_value, SplitMix64};
use peg_store::{Store, StoreConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `commit_profile open <db path>`: time the (re)open of an existing store, e.g. after a crash.
    if let (Some("open"), Some(path)) =
        (std::env::args().nth(1).as_deref(), std::env::args().nth(2))
    {
        let t = Instant::now();
        let store = Store::open(&path)?;
        println!(
            "opened {path} in {:?}: latest {:?}, root {:?}",
            t.elapsed(),
            store.latest_version()?,
            store.root_hash()?
        );
        return Ok(());
    }
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse()).collect::<Result<_, _>>()?;
    let (accounts, updates, blocks, keep) = match args.as_slice() {
        [a, u, b, k] => (*a, *u, *b, *k),
        [a, u, b] => (*a, *u, *b, 100),
        _ => (100_000, 2_000, 10, 100),
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.redb");
    println!("store at {}", path.display());
    let t = Instant::now();
    let mut version = 0;
    {
        let loader = Store::open_with(
            &path,
            StoreConfig {
                keep_recent: Some(1),
                sync_commits: true,
                cache_size: None,
                prune_on_commit: true,
                check_integrity_on_open: true,
            },
        )?;
        let mut next = 0;
        while next < accounts {
            version += 1;
            let end = (next + 50_000).min(accounts);
            let mut ws = loader.working_set()?;
            for i in next..end {
                ws.set(account_key(i), account_value(i, 0))?;
            }
            let t = Instant::now();
            let prepared = loader.prepare(&ws, version)?;
            let tp = t.elapsed();
            loader.commit(prepared)?;
            println!("load v{version}: prepare {tp:?} total {:?}", t.elapsed());
            next = end;
        }
    }
    println!("loaded {accounts} in {:?}, {} bytes", t.elapsed(), std::fs::metadata(&path)?.len());
    let store = Store::open_with(
        &path,
        StoreConfig {
            keep_recent: Some(keep),
            sync_commits: true,
            cache_size: None,
            prune_on_commit: true,
            check_integrity_on_open: true,
        },
    )?;
    let mut rng = SplitMix64::new(1);
    for _ in 0..blocks {
        version += 1;
        let mut ws = store.working_set()?;
        for _ in 0..updates {
            let i = rng.below(accounts);
            ws.set(account_key(i), account_value(i, version))?;
        }
        let t = Instant::now();
        let prepared = store.prepare(&ws, version)?;
        let tp = t.elapsed();
        let info = store.commit(prepared)?;
        println!(
            "v{version}: prepare {tp:?} commit {:?} new_nodes {} pruned {}",
            t.elapsed() - tp,
            info.new_nodes,
            info.pruned_nodes
        );
    }
    Ok(())
}
