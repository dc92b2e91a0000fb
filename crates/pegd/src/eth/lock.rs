//! `pegd eth lock`: lock ETH or an ERC-20 on the PegBridge for a peg zone account.
//!
//! ```text
//! pegd eth lock --eth-rpc URL --eth-key FILE --bridge 0x.. --receiver peg1.. --amount N [--token 0x..]
//! ```
//!
//! Without `--token`, calls `lockEth(receiver)` with `N` wei. With `--token`, first raises the
//! bridge's ERC-20 allowance to `N` when it is short (`approve`), then calls `lock(token, N,
//! receiver)`. Prints the transaction, its block and the `Locked` event's nonce: the nonce the
//! relayer will prove to the peg zone.

use std::process::ExitCode;

use alloy_primitives::U256;
use alloy_sol_types::SolCall;
use peg_types::calls::{lock_calldata, lock_eth_calldata};
use peg_types::EthAddress;

use super::wallet::{self, sol, EthTxArgs, EthTxError, Session, TxOutput};

/// Arguments of `pegd eth lock`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    eth: EthTxArgs,
    /// The peg zone account credited (`peg1…`).
    #[arg(long, value_name = "peg1..")]
    receiver: String,
    /// Amount in the token's base units (wei for ETH), decimal.
    #[arg(long)]
    amount: String,
    /// The ERC-20 to lock; ETH when absent.
    #[arg(long, value_name = "0x..")]
    token: Option<String>,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    wallet::finish(wallet::block_on(lock(&args)))
}

async fn lock(args: &Args) -> Result<(), EthTxError> {
    let receiver = wallet::parse_receiver(&args.receiver)?;
    let amount = wallet::parse_amount(&args.amount)?;
    let token = args.token.as_deref().map(|t| wallet::parse_address("token", t)).transpose()?;
    let session = Session::open(&args.eth).await?;
    let (receipt, approve) = match token {
        None => {
            let receipt = session
                .transact("lockEth", session.bridge, amount, lock_eth_calldata(&receiver))
                .await?;
            (receipt, None)
        }
        Some(token) => {
            let allowance = session.allowance(token).await?;
            let approve = if allowance < amount {
                tracing::info!(%token, %allowance, %amount, "approving the bridge first");
                let input =
                    sol::IERC20::approveCall { spender: session.bridge, amount }.abi_encode();
                let receipt = session.transact("approve", token, U256::ZERO, input).await?;
                Some(receipt.transaction_hash.to_string())
            } else {
                None
            };
            let input = lock_calldata(&EthAddress::from(token), amount, &receiver);
            let receipt = session.transact("lock", session.bridge, U256::ZERO, input).await?;
            (receipt, approve)
        }
    };
    let (mut output, _) = TxOutput::from_event("lock", &session, &receipt, "Locked")?;
    output.approve_tx_hash = approve;
    output.print(args.eth.output)
}
