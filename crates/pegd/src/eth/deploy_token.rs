//! `pegd eth deploy-token`: deploy the CosmosERC20 of a peg zone denom through the PegBridge.
//!
//! ```text
//! pegd eth deploy-token --eth-rpc URL --eth-key FILE --bridge 0x.. --denom upeg --name Peg --symbol PEG --decimals 6
//! ```
//!
//! Anyone may call `deployCosmosERC20`; the peg zone adopts the token from its `TokenDeployed`
//! event only when name, symbol and decimals equal the denom's metadata and the denom has no token
//! yet (otherwise the event is recorded as ignored). Prints the new token's address and the event
//! nonce.

use std::process::ExitCode;

use alloy_primitives::U256;
use alloy_sol_types::SolCall;

use super::wallet::{self, sol, EthTxArgs, EthTxError, Session, TxOutput};

/// Arguments of `pegd eth deploy-token`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    eth: EthTxArgs,
    /// The peg zone denom the token represents.
    #[arg(long)]
    denom: String,
    /// ERC-20 name (must equal the denom's metadata to be adopted).
    #[arg(long)]
    name: String,
    /// ERC-20 symbol.
    #[arg(long)]
    symbol: String,
    /// ERC-20 decimals.
    #[arg(long)]
    decimals: u8,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    wallet::finish(wallet::block_on(deploy_token(&args)))
}

async fn deploy_token(args: &Args) -> Result<(), EthTxError> {
    if args.denom.is_empty() {
        return Err(EthTxError::InvalidArg { arg: "denom", reason: "empty".into() });
    }
    let session = Session::open(&args.eth).await?;
    let input = sol::deployCosmosERC20Call {
        denom: args.denom.clone(),
        name: args.name.clone(),
        symbol: args.symbol.clone(),
        decimals: args.decimals,
    }
    .abi_encode();
    let receipt = session.transact("deployCosmosERC20", session.bridge, U256::ZERO, input).await?;
    let (output, _) = TxOutput::from_event("deploy-token", &session, &receipt, "TokenDeployed")?;
    output.print(args.eth.output)
}
