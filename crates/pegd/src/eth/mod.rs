//! `pegd eth …`: offline verification of Ethereum light-client data and execution proofs.

use std::process::ExitCode;

use clap::Subcommand;

mod verify_receipts;
mod verify_sync;

#[derive(Debug, Subcommand)]
pub enum EthCommand {
    /// Verify a beacon-API bootstrap and updates against a trusted block root.
    VerifySync(verify_sync::Args),
    /// Recompute a block's header hash and receipts root from JSON-RPC responses.
    VerifyReceipts(verify_receipts::Args),
}

pub fn run(command: EthCommand) -> ExitCode {
    match command {
        EthCommand::VerifySync(args) => verify_sync::run(args),
        EthCommand::VerifyReceipts(args) => verify_receipts::run(args),
    }
}
