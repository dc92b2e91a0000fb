//! `peg-relayer`: `run` (forever) or `once` (one pass, exit 0/1).
//!
//! ```text
//! peg-relayer run  [--config relayer.toml] [--cometbft-rpc URL] [--eth-rpc URL] [--beacon-api URL] …
//! peg-relayer once [--config relayer.toml] …
//! ```
//!
//! Settings: file < `PEG_RELAYER_<KEY>` environment variables < flags (see `specs/relayer.md`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use peg_relayer::metrics::{self, Metrics};
use peg_relayer::{Config, ConfigOverrides, Relayer, RelayerError};

/// Stateless relayer: Ethereum light-client updates and bridge events into the peg zone.
#[derive(Debug, Parser)]
#[command(name = "peg-relayer", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Relay until interrupted (Ctrl-C / SIGTERM).
    Run(Args),
    /// One pass, then exit 0 (success) or 1 (failure).
    Once(Args),
}

#[derive(Debug, clap::Args)]
struct Args {
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    overrides: ConfigOverrides,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                return ExitCode::FAILURE;
            }
        };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), RelayerError> {
    let (once, args) = match command {
        Command::Run(args) => (false, args),
        Command::Once(args) => (true, args),
    };
    let config = Config::load(args.config.as_deref(), |k| std::env::var(k).ok(), args.overrides)?;
    let metrics = Arc::new(Metrics::default());
    let _server = match &config.metrics_listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
                RelayerError::Config { reason: format!("metrics_listen {addr}: {e}") }
            })?;
            tracing::info!(%addr, "metrics at /metrics");
            Some(AbortOnDrop(tokio::spawn(metrics::serve(listener, Arc::clone(&metrics)))))
        }
        None => None,
    };
    let relayer = Relayer::connect(config, Arc::clone(&metrics)).await?;
    if once {
        let report = relayer.run_once_with_retries().await?;
        println!(
            "{}",
            serde_json::json!({
                "updates_submitted": report.updates_submitted,
                "event_messages_submitted": report.event_messages_submitted,
                "ancestor_messages_submitted": report.ancestor_messages_submitted,
                "events_submitted": report.events_submitted,
                "finalized_slot": report.finalized_slot,
                "next_event_nonce": report.next_event_nonce.to_string(),
                "pending_events": report.pending_events,
                "outbound": report.outbound.as_ref().map(|o| serde_json::json!({
                    "contract_valset_nonce": o.contract_valset_nonce.to_string(),
                    "valsets_relayed": o.valsets_relayed,
                    "batches_relayed": o.batches_relayed,
                    "reverted": o.reverted,
                    "batches_skipped": o.batches_skipped,
                })),
            })
        );
        return Ok(());
    }
    tokio::select! {
        result = relayer.run() => result,
        () = shutdown_signal() => {
            tracing::info!("shutting down");
            Ok(())
        }
    }
}

/// Aborts the metrics server when `run` returns.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
