//! Crash safety over a real process: `peg-store-crash-writer` commits a deterministic workload and
//! is killed with SIGKILL at varying points, again and again on the same file. After each kill the
//! store must reopen at a version at or just past the last one the child reported, whose root
//! equals the root of a clean replay of the same writes, and must keep committing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use peg_store::workload::{crash_test_block, SplitMix64};
use peg_store::{verify_proof, RootHash, Store, StoreConfig, Version};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `(version, root hex)` lines the writer printed, and whether it ran to its last version.
type Reported = (Vec<(Version, String)>, bool);

const WRITER: &str = env!("CARGO_BIN_EXE_peg-store-crash-writer");

fn hex(root: &RootHash) -> String {
    root.0.iter().map(|b| format!("{b:02x}")).collect()
}

/// Roots of a clean, uninterrupted replay of the workload, version by version.
fn replay_roots(
    dir: &Path,
    seed: u64,
    last: Version,
) -> Result<Vec<RootHash>, Box<dyn std::error::Error>> {
    let store = Store::open_with(
        dir.join(format!("replay-{seed}.redb")),
        StoreConfig {
            keep_recent: Some(1),
            sync_commits: false,
            cache_size: None,
            prune_on_commit: true,
            check_integrity_on_open: true,
        },
    )?;
    let mut roots = Vec::new();
    for version in 1..=last {
        let mut ws = store.working_set()?;
        for (key, value) in crash_test_block(seed, version) {
            match value {
                Some(value) => ws.set(key, value)?,
                None => ws.delete(key)?,
            }
        }
        roots.push(store.commit_working_set(&ws, version)?.root);
    }
    Ok(roots)
}

/// Runs the writer, kills it after it reported `after_commits` commits plus `delay_ms`, and
/// returns every `(version, root hex)` it reported.
fn run_and_kill(
    db: &Path,
    seed: u64,
    last: Version,
    keep: &str,
    after_commits: usize,
    delay_ms: u64,
) -> Result<Reported, Box<dyn std::error::Error>> {
    let mut child = Command::new(WRITER)
        .arg(db)
        .arg(seed.to_string())
        .arg(last.to_string())
        .arg(keep)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("child stdout")?;
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut finished = false;
    while lines.len() < after_commits {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => lines.push(line),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                finished = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                child.kill()?;
                return Err("crash writer stalled".into());
            }
        }
    }
    std::thread::sleep(Duration::from_millis(delay_ms));
    child.kill()?; // SIGKILL on Unix
    let status = child.wait()?;
    reader.join().map_err(|_| "reader thread panicked")?;
    lines.extend(rx.try_iter());
    if !finished {
        assert!(!status.success(), "child was killed, status {status:?}");
    }
    let mut reported = Vec::new();
    for line in lines {
        let mut parts = line.split(' ');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("committed"), Some(v), Some(root)) => {
                reported.push((v.parse()?, root.to_string()))
            }
            _ => return Err(format!("unexpected writer output {line:?}").into()),
        }
    }
    Ok((reported, finished))
}

fn check_after_crash(
    db: &Path,
    keep_recent: Option<u64>,
    replay: &[RootHash],
    last_reported: Option<Version>,
) -> Result<Version, Box<dyn std::error::Error>> {
    let store = Store::open_with(db, StoreConfig { keep_recent, ..StoreConfig::default() })?;
    let latest = store.latest_version()?.ok_or("nothing committed")?;
    let reported = last_reported.unwrap_or(0);
    // Every version whose commit returned is durable; at most the one in flight was added.
    assert!(
        latest == reported || latest == reported + 1,
        "store at {latest}, child reported {reported}"
    );
    let index = usize::try_from(latest - 1)?;
    let expected = replay.get(index).ok_or("replay too short")?;
    assert_eq!(store.root_hash()?, *expected, "root at version {latest}");
    // Retained history is intact too.
    let oldest = store.oldest_version()?.ok_or("no oldest")?;
    for version in oldest..=latest {
        let index = usize::try_from(version - 1)?;
        assert_eq!(store.root_hash_at(version)?, replay[index], "root at {version}");
    }
    // Proofs at the recovered version verify against the replayed root.
    let mut rng = SplitMix64::new(latest);
    for _ in 0..5 {
        let key =
            peg_store::workload::account_key(rng.below(peg_store::workload::CRASH_TEST_ACCOUNTS));
        let (value, proof) = store.get_with_proof(&key, latest)?;
        verify_proof(&proof, expected, &key, value.as_deref())?;
    }
    Ok(latest)
}

fn crash_rounds(seed: u64, keep: &str, keep_recent: Option<u64>) -> TestResult {
    const LAST: Version = 150;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("state.redb");
    let replay = replay_roots(dir.path(), seed, LAST + 1)?;
    let mut rng = SplitMix64::new(seed);
    let mut reported_roots: BTreeMap<Version, String> = BTreeMap::new();
    let mut latest = 0;
    let mut rounds = 0;
    while rounds < 12 {
        rounds += 1;
        let after = 1 + rng.below(12) as usize;
        let delay = rng.below(25);
        let (reported, finished) = run_and_kill(&db, seed, LAST, keep, after, delay)?;
        for (version, root) in &reported {
            reported_roots.insert(*version, root.clone());
        }
        let last_reported = reported.last().map(|(v, _)| *v).or(Some(latest).filter(|v| *v > 0));
        latest = check_after_crash(&db, keep_recent, &replay, last_reported)?;
        if finished {
            break;
        }
    }
    assert!(rounds >= 5, "only {rounds} kill rounds");
    // What the child reported matches the clean replay, version by version.
    for (version, root) in &reported_roots {
        let index = usize::try_from(version - 1)?;
        assert_eq!(root, &hex(&replay[index]), "reported root of version {version}");
    }
    // After the last crash the store keeps going: commit the next block in-process.
    let store = Store::open_with(&db, StoreConfig { keep_recent, ..StoreConfig::default() })?;
    let next = latest + 1;
    let mut ws = store.working_set()?;
    for (key, value) in crash_test_block(seed, next) {
        match value {
            Some(value) => ws.set(key, value)?,
            None => ws.delete(key)?,
        }
    }
    let info = store.commit_working_set(&ws, next)?;
    assert_eq!(info.root, replay[usize::try_from(next - 1)?]);
    Ok(())
}

#[test]
fn sigkill_mid_commit_recovers_a_consistent_version_with_pruning() -> TestResult {
    crash_rounds(11, "5", Some(5))
}

#[test]
fn sigkill_mid_commit_recovers_a_consistent_version_archive() -> TestResult {
    crash_rounds(12, "archive", None)
}
