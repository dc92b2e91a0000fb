//! `beacon-sim`: a simulated beacon chain over anvil, serving the beacon light-client API.
//!
//! ```text
//! anvil --no-mining --timestamp <GENESIS_TIME> &
//! beacon-sim --anvil http://127.0.0.1:8545 --listen 127.0.0.1:5052 --genesis-time <GENESIS_TIME>
//! beacon-sim config-yaml --genesis-time <GENESIS_TIME>    # the config.yaml the peg zone needs
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use beacon_sim::driver::unix_now;
use beacon_sim::server::Simulator;
use beacon_sim::{ChainParams, FileConfig, SimError};
use clap::{Args, Parser, Subcommand};

/// Simulated beacon chain (minimal preset) over an anvil started with `--no-mining`: mines one
/// anvil block per slot and serves the beacon light-client API, signed by a real BLS sync
/// committee. A test harness, never a production component.
#[derive(Debug, Parser)]
#[command(name = "beacon-sim", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    args: SimArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the consensus `config.yaml` of the simulated network (the same text the server
    /// serves at `/sim/v1/config.yaml` for the same flags; needs `--genesis-time`).
    ConfigYaml,
}

/// Flags (each overrides the same key of `--config`).
#[derive(Debug, Args)]
struct SimArgs {
    /// Anvil JSON-RPC URL (anvil must run with `--no-mining`). [default: http://127.0.0.1:8545]
    #[arg(long, global = true)]
    anvil: Option<String>,
    /// Address of the beacon API. [default: 127.0.0.1:5052]
    #[arg(long, global = true)]
    listen: Option<SocketAddr>,
    /// SECONDS_PER_SLOT. [default: 1]
    #[arg(long, global = true)]
    seconds_per_slot: Option<u64>,
    /// The finalized checkpoint is the epoch boundary `N + 1` epochs back. [default: 1]
    #[arg(long, global = true)]
    finality_lag_epochs: Option<u64>,
    /// Electra activation epoch (unscheduled when absent).
    #[arg(long, global = true)]
    electra_epoch: Option<u64>,
    /// Fulu activation epoch (unscheduled when absent; needs Electra).
    #[arg(long, global = true)]
    fulu_epoch: Option<u64>,
    /// Gloas activation epoch (unscheduled when absent; needs Fulu).
    #[arg(long, global = true)]
    gloas_epoch: Option<u64>,
    /// Beacon genesis time (unix seconds). [default: now]. Start anvil with
    /// `--timestamp` at or before it, so that every slot gets a block.
    #[arg(long, global = true)]
    genesis_time: Option<u64>,
    /// Seed of the sync-committee keys and the genesis validators root. [default: 0]
    #[arg(long, global = true)]
    seed: Option<u64>,
    /// Sync-committee members that sign, 1..=32. [default: 32]
    #[arg(long, global = true)]
    participation: Option<usize>,
    /// TOML file with the same keys (snake_case: `anvil`, `listen`, `seconds_per_slot`, …).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
}

/// Everything resolved from the file, the flags and the defaults.
struct Resolved {
    anvil: String,
    listen: SocketAddr,
    params: ChainParams,
    genesis_time_given: bool,
}

fn resolve(args: SimArgs) -> Result<Resolved, SimError> {
    let file = match &args.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let genesis_time = args.genesis_time.or(file.genesis_time);
    let listen = match args.listen.or(file.listen) {
        Some(listen) => listen,
        None => SocketAddr::from(([127, 0, 0, 1], 5052)),
    };
    let params = ChainParams {
        genesis_time: genesis_time.unwrap_or_else(unix_now),
        seconds_per_slot: args.seconds_per_slot.or(file.seconds_per_slot).unwrap_or(1),
        finality_lag_epochs: args.finality_lag_epochs.or(file.finality_lag_epochs).unwrap_or(1),
        electra_epoch: args.electra_epoch.or(file.electra_epoch),
        fulu_epoch: args.fulu_epoch.or(file.fulu_epoch),
        gloas_epoch: args.gloas_epoch.or(file.gloas_epoch),
        seed: args.seed.or(file.seed).unwrap_or(0),
        participation: args.participation.or(file.participation).unwrap_or(32),
    };
    params.validate()?;
    Ok(Resolved {
        anvil: args.anvil.or(file.anvil).unwrap_or_else(|| "http://127.0.0.1:8545".into()),
        listen,
        params,
        genesis_time_given: genesis_time.is_some(),
    })
}

async fn run(resolved: Resolved) -> Result<(), SimError> {
    let params = resolved.params;
    tracing::info!(
        genesis_time = params.genesis_time,
        seconds_per_slot = params.seconds_per_slot,
        electra_epoch = ?params.electra_epoch,
        fulu_epoch = ?params.fulu_epoch,
        gloas_epoch = ?params.gloas_epoch,
        genesis_validators_root = %params.genesis_validators_root(),
        anvil = %resolved.anvil,
        "starting the beacon simulator"
    );
    let simulator =
        Simulator::start(params, &resolved.anvil, resolved.listen, Duration::from_secs(30)).await?;
    // Print the bound address on stdout so scripts using port 0 can find it.
    println!("listening on {}", simulator.addr);
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|source| SimError::Io { context: "SIGTERM handler".into(), source })?;
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("stopping");
    simulator.stop().await;
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let resolved = match resolve(cli.args) {
        Ok(resolved) => resolved,
        Err(e) => {
            eprintln!("beacon-sim: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::ConfigYaml) = cli.command {
        if !resolved.genesis_time_given {
            eprintln!("beacon-sim: config-yaml needs --genesis-time (the text includes it)");
            return ExitCode::from(2);
        }
        print!("{}", resolved.params.config_yaml());
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("beacon-sim: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(resolved)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("beacon-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
