//! `pegd eth burn`: burn a CosmosERC20 on the PegBridge, releasing the peg zone's native coin.
//!
//! ```text
//! pegd eth burn --eth-rpc URL --eth-key FILE --bridge 0x.. --token 0x.. --amount N --receiver peg1..
//! ```
//!
//! Calls `burn(token, N, receiver)` (the bridge burns from the sender; no approval needed) and
//! prints the transaction, its block and the `Burned` event's nonce.

use std::process::ExitCode;

use alloy_primitives::U256;
use peg_types::calls::burn_calldata;
use peg_types::EthAddress;

use super::wallet::{self, EthTxArgs, EthTxError, Session, TxOutput};

/// Arguments of `pegd eth burn`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    eth: EthTxArgs,
    /// The CosmosERC20 to burn.
    #[arg(long, value_name = "0x..")]
    token: String,
    /// Amount in the token's base units, decimal.
    #[arg(long)]
    amount: String,
    /// The peg zone account that receives the released coin (`peg1…`).
    #[arg(long, value_name = "peg1..")]
    receiver: String,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    wallet::finish(wallet::block_on(burn(&args)))
}

async fn burn(args: &Args) -> Result<(), EthTxError> {
    let receiver = wallet::parse_receiver(&args.receiver)?;
    let amount = wallet::parse_amount(&args.amount)?;
    let token = wallet::parse_address("token", &args.token)?;
    let session = Session::open(&args.eth).await?;
    let input = burn_calldata(&EthAddress::from(token), amount, &receiver);
    let receipt = session.transact("burn", session.bridge, U256::ZERO, input).await?;
    let (output, _) = TxOutput::from_event("burn", &session, &receipt, "Burned")?;
    output.print(args.eth.output)
}
