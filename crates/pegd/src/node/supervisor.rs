//! `pegd start`: the ABCI server plus a supervised CometBFT process.
//!
//! Order: open the application state, bind the ABCI address (so CometBFT finds it at once), spawn
//! `cometbft start --home <home>/cometbft` with its output forwarded to our log, then wait for the
//! first of: SIGINT/SIGTERM (stop CometBFT with SIGTERM, SIGKILL after a grace period, exit 0),
//! CometBFT exiting on its own (exit 1), a fatal application error (stop CometBFT, exit 2).
//! On every path the application lock is taken before exiting, so no ABCI call is half-done
//! (peg-store commits are atomic anyway: a kill at any point replays from the last commit).

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use peg_app::App;

use super::abci::{AbciApp, FatalError};
use super::{NodeError, PegdConfig};

/// How long CometBFT gets to stop after SIGTERM before it is killed.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// How `pegd start` ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// SIGINT or SIGTERM: a clean stop.
    Signal(&'static str),
    /// CometBFT exited by itself.
    CometbftExited(String),
    /// The application failed.
    Fatal(FatalError),
}

impl StopReason {
    /// The process exit code: 0 for a requested stop, 1 when CometBFT died, 2 on an application
    /// failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Signal(_) => 0,
            Self::CometbftExited(_) => 1,
            Self::Fatal(_) => 2,
        }
    }
}

enum Event {
    Signal(&'static str),
    Fatal(FatalError),
}

/// Runs the node in `home` until a signal, CometBFT's death, or an application failure.
pub fn run_node(home: &Path) -> Result<StopReason, NodeError> {
    let home = home.canonicalize().map_err(NodeError::io("resolve", home))?;
    let config = PegdConfig::load(&home)?;
    let mut app = App::open(&home).map_err(|e| NodeError::App { reason: e.to_string() })?;
    match load_eth_key(&home)? {
        Some(key) => app.set_eth_signer(key),
        None => tracing::warn!(
            path = %home.join(super::ETH_KEY_FILE).display(),
            "no Ethereum key file: this validator will not sign checkpoints"
        ),
    }

    let (events_tx, events) = mpsc::channel::<Event>();
    let (fatal_tx, fatal_rx) = mpsc::channel::<FatalError>();
    forward_fatal(fatal_rx, events_tx.clone())?;
    let abci = AbciApp::new(app, fatal_tx.clone());
    let shared = abci.shared();
    let server =
        tendermint_abci::ServerBuilder::default().bind(config.abci_listen.as_str(), abci).map_err(
            |e| NodeError::Abci { address: config.abci_listen.clone(), reason: e.to_string() },
        )?;
    tracing::info!(address = %server.local_addr(), "ABCI server listening");
    spawn_named("abci-server", move || {
        if let Err(error) = server.listen() {
            let _ = fatal_tx.send(FatalError { call: "listen", reason: error.to_string() });
        }
    })?;
    watch_signals(events_tx)?;

    let cometbft_home = home.join(&config.cometbft_home);
    let mut child = Command::new(&config.cometbft_binary)
        .arg("start")
        .arg("--home")
        .arg(&cometbft_home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| NodeError::CometbftSpawn {
            binary: config.cometbft_binary.clone(),
            source,
        })?;
    tracing::info!(pid = child.id(), home = %cometbft_home.display(), "CometBFT started");
    if let Some(out) = child.stdout.take() {
        forward_lines("cometbft-stdout", out)?;
    }
    if let Some(err) = child.stderr.take() {
        forward_lines("cometbft-stderr", err)?;
    }

    let reason = supervise(&mut child, &events);
    match &reason {
        StopReason::CometbftExited(status) => tracing::error!(%status, "CometBFT exited"),
        StopReason::Signal(signal) => tracing::info!(signal, "stopping"),
        StopReason::Fatal(fatal) => {
            tracing::error!(call = fatal.call, reason = %fatal.reason, "application failure")
        }
    }
    stop_child(&mut child);
    // No ABCI call in flight past this point; the guard is held until the process exits.
    let _guard = shared.lock();
    tracing::info!("node stopped");
    Ok(reason)
}

/// Reads the validator's Ethereum key `<home>/config/eth_key` (`0x` + 64 hex, a trailing newline
/// allowed), which signs checkpoints in ExtendVote. `None` when the file does not exist; a file
/// that exists but does not hold a valid key is an error (the node must not run unnoticed
/// without signing).
pub fn load_eth_key(home: &Path) -> Result<Option<peg_types::SigningKey>, NodeError> {
    let path = home.join(super::ETH_KEY_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(NodeError::io("read", &path)(error)),
    };
    parse_eth_key(&text)
        .map(Some)
        .map_err(|reason| NodeError::BadKeyFile { path: path.clone(), reason })
}

/// Parses `0x` + 64 hex digits (surrounding whitespace ignored) as a secp256k1 secret key.
fn parse_eth_key(text: &str) -> Result<peg_types::SigningKey, String> {
    let trimmed = text.trim();
    let hex_part = trimmed.strip_prefix("0x").ok_or_else(|| {
        "Ethereum key must start with 0x (expected 0x + 64 hex digits)".to_owned()
    })?;
    if hex_part.len() != 64 {
        return Err(format!(
            "Ethereum key has {} hex digits, expected 64 (0x + 64 hex digits)",
            hex_part.len()
        ));
    }
    let mut secret = [0u8; 32];
    hex::decode_to_slice(hex_part, &mut secret)
        .map_err(|e| format!("Ethereum key is not hex: {e}"))?;
    peg_types::signing_key_from_bytes(&peg_types::B256::from(secret))
        .map_err(|e| format!("Ethereum key is not a valid secp256k1 secret: {e}"))
}

fn supervise(child: &mut Child, events: &Receiver<Event>) -> StopReason {
    loop {
        match events.recv_timeout(Duration::from_millis(200)) {
            Ok(Event::Signal(signal)) => return StopReason::Signal(signal),
            Ok(Event::Fatal(fatal)) => return StopReason::Fatal(fatal),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return StopReason::Fatal(FatalError {
                    call: "supervisor",
                    reason: "event channel closed".to_owned(),
                })
            }
        }
        match child.try_wait() {
            Ok(Some(status)) => return StopReason::CometbftExited(status.to_string()),
            Ok(None) => {}
            Err(error) => {
                return StopReason::CometbftExited(format!("cannot wait for CometBFT: {error}"))
            }
        }
    }
}

/// SIGTERM, then SIGKILL after [`STOP_GRACE`]; reaps the child.
fn stop_child(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // std only sends SIGKILL; `kill -TERM` asks CometBFT for its clean shutdown (no unsafe/libc).
    let term = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    if !matches!(term, Ok(status) if status.success()) {
        tracing::warn!("could not send SIGTERM to CometBFT; killing it");
        let _ = child.kill();
    }
    let deadline = Instant::now() + STOP_GRACE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                log_exit(status);
                return;
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                tracing::warn!("CometBFT did not stop within {STOP_GRACE:?}; killing it");
                let _ = child.kill();
                if let Ok(status) = child.wait() {
                    log_exit(status);
                }
                return;
            }
        }
    }
}

fn log_exit(status: ExitStatus) {
    tracing::info!(%status, "CometBFT stopped");
}

fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) -> Result<(), NodeError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .map(|_| ())
        .map_err(NodeError::io("spawn thread", name))
}

fn forward_fatal(fatal: Receiver<FatalError>, events: Sender<Event>) -> Result<(), NodeError> {
    spawn_named("fatal-forwarder", move || {
        if let Ok(error) = fatal.recv() {
            let _ = events.send(Event::Fatal(error));
        }
    })
}

/// Re-emits each line CometBFT prints as a log event of target `cometbft`, at the level of its
/// plain-format prefix (`E[`, `I[`, `D[`).
fn forward_lines(
    name: &'static str,
    stream: impl std::io::Read + Send + 'static,
) -> Result<(), NodeError> {
    spawn_named(name, move || {
        for line in std::io::BufReader::new(stream).lines() {
            match line {
                Ok(line) => match line.as_bytes().first() {
                    Some(b'E') => tracing::error!(target: "cometbft", "{line}"),
                    Some(b'D') => tracing::debug!(target: "cometbft", "{line}"),
                    _ => tracing::info!(target: "cometbft", "{line}"),
                },
                Err(_) => break,
            }
        }
    })
}

/// SIGINT / SIGTERM through tokio's signal handling, on a small dedicated runtime.
fn watch_signals(events: Sender<Event>) -> Result<(), NodeError> {
    use tokio::signal::unix::{signal, SignalKind};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(NodeError::io("start signal runtime", "tokio"))?;
    // Register the handlers before returning, so that a signal sent right after start-up counts.
    let (mut interrupt, mut terminate) = runtime
        .block_on(async {
            Ok::<_, std::io::Error>((
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            ))
        })
        .map_err(NodeError::io("install signal handlers", "SIGINT/SIGTERM"))?;
    spawn_named("signals", move || {
        let name = runtime.block_on(async {
            tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            }
        });
        let _ = events.send(Event::Signal(name));
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eth_key_file_loads_or_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        assert!(load_eth_key(dir.path())?.is_none(), "a missing file runs without signing");
        let address = super::super::write_eth_key(dir.path())?;
        let key = load_eth_key(dir.path())?.ok_or("the written key loads")?;
        assert_eq!(peg_types::signer_address(&key), address);
        let path = dir.path().join(super::super::ETH_KEY_FILE);
        for bad in ["", "0x12\n", "ab".repeat(33).as_str(), &format!("0x{}\n", "zz".repeat(32))] {
            std::fs::write(&path, bad)?;
            let error = load_eth_key(dir.path()).err().ok_or("a malformed key is refused")?;
            assert!(matches!(error, NodeError::BadKeyFile { .. }), "{bad:?}: {error}");
        }
        std::fs::write(&path, format!("0x{}\n", "00".repeat(32)))?;
        assert!(matches!(load_eth_key(dir.path()), Err(NodeError::BadKeyFile { .. })));
        Ok(())
    }
}
