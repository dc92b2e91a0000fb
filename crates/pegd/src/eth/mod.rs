//! `pegd eth …`: offline verification of Ethereum light-client data and execution proofs.

use std::process::ExitCode;

use clap::Subcommand;

mod burn;
mod deploy_token;
mod genesis;
mod lock;
mod verify_receipts;
mod verify_sync;
mod wallet;

#[derive(Debug, Subcommand)]
pub enum EthCommand {
    /// Build the genesis `app_state.eth` object from a beacon node (bootstrap verified locally).
    Genesis(genesis::Args),
    /// Verify a beacon-API bootstrap and updates against a trusted block root.
    VerifySync(verify_sync::Args),
    /// Recompute a block's header hash and receipts root from JSON-RPC responses.
    VerifyReceipts(verify_receipts::Args),
    /// Lock ETH or an ERC-20 on the PegBridge for a peg zone account (approves first if needed).
    Lock(lock::Args),
    /// Burn a CosmosERC20 on the PegBridge, releasing the native coin on the peg zone.
    Burn(burn::Args),
    /// Deploy the CosmosERC20 of a peg zone denom through the PegBridge.
    DeployToken(deploy_token::Args),
}

pub fn run(command: EthCommand) -> ExitCode {
    match command {
        EthCommand::Genesis(args) => genesis::run(args),
        EthCommand::VerifySync(args) => verify_sync::run(args),
        EthCommand::VerifyReceipts(args) => verify_receipts::run(args),
        EthCommand::Lock(args) => lock::run(args),
        EthCommand::Burn(args) => burn::run(args),
        EthCommand::DeployToken(args) => deploy_token::run(args),
    }
}
