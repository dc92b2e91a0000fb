//! `pegd`: the peg zone node binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod eth;

use pegd::{cmd, node};

/// The peg zone node.
#[derive(Debug, Parser)]
#[command(name = "pegd", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ethereum tools: verify light-client data and execution proofs offline.
    #[command(subcommand)]
    Eth(eth::EthCommand),
    /// Create a one-validator node home (CometBFT home, keys, genesis, pegd.json).
    Init(cmd::InitArgs),
    /// Create an N-validator network on loopback ports, ready to start.
    Testnet(cmd::TestnetArgs),
    /// Run the node: the ABCI server and a supervised CometBFT process.
    Start(cmd::StartArgs),
    /// Sign and broadcast a transaction.
    Tx(cmd::chain::TxArgs),
    /// Query the application state.
    Query(cmd::chain::QueryArgs),
    /// Manage the account keys of a node home.
    Keys(cmd::KeysArgs),
    /// Edit a node's genesis before the chain starts (`set-eth`).
    Genesis(cmd::chain::GenesisArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A running node logs at info (CometBFT's forwarded lines included); tools log warnings only.
    let default_filter = match cli.command {
        Command::Start(_) => "info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Eth(command) => eth::run(command),
        Command::Init(args) => report(cmd::run_init(&args)),
        Command::Testnet(args) => report(cmd::run_testnet(&args)),
        Command::Keys(args) => report(cmd::run_keys(&args)),
        Command::Tx(args) => report(cmd::chain::run_tx(&args)),
        Command::Query(args) => report(cmd::chain::run_query(&args)),
        Command::Genesis(args) => report(cmd::chain::run_genesis(&args)),
        Command::Start(args) => match cmd::run_start(&args) {
            Ok(code) => ExitCode::from(code),
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Prints a node command's error and maps it to the exit status.
fn report(result: Result<(), node::NodeError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
