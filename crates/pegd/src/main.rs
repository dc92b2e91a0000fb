//! `pegd`: the peg zone node binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod eth;

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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Eth(command) => eth::run(command),
    }
}
