//! Crash-test writer: commits the deterministic workload of
//! [`peg_store::workload::crash_test_block`] block after block into a store, printing
//! `committed <version> <root hex>` after each commit returns, until it reaches the last version
//! or is killed. The crash tests (`tests/crash.rs`) SIGKILL it at varying points and check that
//! the store reopens at a consistent version.
//!
//! Usage: `peg-store-crash-writer <db path> <seed> <last version> <keep recent | archive>`

use std::io::Write;
use std::process::ExitCode;

use peg_store::workload::crash_test_block;
use peg_store::{Store, StoreConfig, StoreError};

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(
        "usage: peg-store-crash-writer <db path> <seed> <last version> <keep recent | archive>"
    )]
    Usage,
    #[error("bad number {0:?}")]
    Number(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stdout: {0}")]
    Io(#[from] std::io::Error),
}

fn number(s: &str) -> Result<u64, CliError> {
    s.parse().map_err(|_| CliError::Number(s.to_string()))
}

fn run() -> Result<(), CliError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, seed, last, keep] = args.as_slice() else {
        return Err(CliError::Usage);
    };
    let (seed, last) = (number(seed)?, number(last)?);
    let keep_recent = if keep == "archive" { None } else { Some(number(keep)?) };
    let config = StoreConfig { keep_recent, ..StoreConfig::default() };
    let store = Store::open_with(path, config)?;
    let mut stdout = std::io::stdout().lock();
    let first = store.latest_version()?.map_or(1, |v| v + 1);
    for version in first..=last {
        let mut ws = store.working_set()?;
        for (key, value) in crash_test_block(seed, version) {
            match value {
                Some(value) => ws.set(key, value)?,
                None => ws.delete(key)?,
            }
        }
        let info = store.commit_working_set(&ws, version)?;
        let root: String = info.root.0.iter().map(|b| format!("{b:02x}")).collect();
        writeln!(stdout, "committed {version} {root}")?;
        stdout.flush()?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("peg-store-crash-writer: {err}");
            ExitCode::FAILURE
        }
    }
}
