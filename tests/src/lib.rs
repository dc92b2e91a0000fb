//! End-to-end harness of the peg zone: real processes on loopback.
//!
//! [`Devnet::start`] brings up what `scripts/devnet` does, in the same order (specs/devnet.md):
//! anvil (`--no-mining`), the beacon simulator (mines one anvil block per slot), `pegd testnet`,
//! the PegBridge and a test ERC-20 deployed with forge, `pegd eth genesis` + `pegd genesis
//! set-eth` on every node, the `pegd start` nodes, and relayers on demand. Every process is a
//! [`Service`] killed on drop; every wait is bounded and names what it waited for; logs live in
//! a temporary directory, kept and tailed on stderr when a test fails.
//!
//! The binaries are the workspace's own (`pegd`, `beacon-sim`, `peg-relayer`), found next to
//! the test executable: build them first (`cargo build -p pegd -p beacon-sim -p peg-relayer`),
//! since a test cannot run cargo while cargo holds the build lock.

pub mod bridge;
pub mod devnet;
pub mod ports;
pub mod process;

use std::time::{Duration, Instant};

pub use devnet::{Devnet, DevnetConfig, LockReceipt};
pub use process::Service;

/// Why a harness step failed.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// Setting something up failed.
    #[error("{what}: {reason}")]
    Setup {
        /// The step.
        what: String,
        /// What went wrong.
        reason: String,
    },
    /// A bounded wait ran out.
    #[error("timed out after {seconds} s waiting for {what} (last: {last})")]
    Timeout {
        /// What was awaited.
        what: String,
        /// The bound.
        seconds: u64,
        /// The last observation or error.
        last: String,
    },
    /// A service exited.
    #[error("{name} exited ({status})")]
    Exited {
        /// The service.
        name: String,
        /// Its exit status.
        status: String,
    },
    /// A command exited non-zero.
    #[error("{command} failed:\n{output}")]
    Command {
        /// The command line.
        command: String,
        /// The end of its stderr and stdout.
        output: String,
    },
    /// Local I/O.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// CometBFT RPC.
    #[error(transparent)]
    Rpc(#[from] pegd::rpc::RpcError),
    /// Ethereum JSON-RPC.
    #[error(transparent)]
    Eth(#[from] peg_eth_rpc::EthRpcError),
    /// An answer was not what the harness expected.
    #[error("{0}")]
    Unexpected(String),
    /// A condition that waiting cannot heal (e.g. more credited than locked): ends a wait at once.
    #[error("{0}")]
    Fatal(String),
}

/// The harness result.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;

/// Whether the gated end-to-end tests run (`PEG_E2E=1`); prints the skip line otherwise.
pub fn enabled(test: &str) -> bool {
    if std::env::var_os("PEG_E2E").is_some() {
        true
    } else {
        eprintln!("skipped {test}: set PEG_E2E=1 to run the end-to-end tests over real processes");
        false
    }
}

/// Polls `probe` every `every` until it returns `Some`, for at most `timeout`. Errors of the
/// probe are remembered (and reported on timeout) but retried: a node may still be starting.
pub fn wait_until<T>(
    what: &str,
    timeout: Duration,
    every: Duration,
    mut probe: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    let mut last = String::from("nothing yet");
    loop {
        match probe() {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            // A dead service will not come back, a fatal observation will not heal: fail now.
            Err(e @ (HarnessError::Exited { .. } | HarnessError::Fatal(_))) => return Err(e),
            Err(e) => last = e.to_string(),
        }
        if Instant::now() >= deadline {
            return Err(HarnessError::Timeout {
                what: what.to_owned(),
                seconds: timeout.as_secs(),
                last,
            });
        }
        std::thread::sleep(every);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_until_returns_the_value_or_times_out_with_the_last_error() {
        let mut n = 0;
        let got = wait_until("three polls", Duration::from_secs(5), Duration::ZERO, || {
            n += 1;
            Ok((n == 3).then_some(n))
        });
        assert_eq!(got.ok(), Some(3));
        let timed_out =
            wait_until::<()>("never", Duration::from_millis(30), Duration::from_millis(5), || {
                Err(HarnessError::Unexpected("still booting".into()))
            });
        match timed_out {
            Err(HarnessError::Timeout { what, last, .. }) => {
                assert_eq!(what, "never");
                assert_eq!(last, "still booting");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
        let exited = wait_until::<()>("dead", Duration::from_secs(5), Duration::ZERO, || {
            Err(HarnessError::Exited { name: "x".into(), status: "1".into() })
        });
        assert!(matches!(exited, Err(HarnessError::Exited { .. })));
        let mut polls = 0;
        let fatal = wait_until::<()>("over-credit", Duration::from_secs(5), Duration::ZERO, || {
            polls += 1;
            Err(HarnessError::Fatal("credited twice".into()))
        });
        assert!(matches!(fatal, Err(HarnessError::Fatal(_))));
        assert_eq!(polls, 1, "a fatal observation ends the wait at once");
    }
}
