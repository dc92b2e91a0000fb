//! What `pegd eth lock|burn|deploy-token` share: the connection and key arguments, a tokio
//! runtime for the async Ethereum client, revert decoding, bridge-event extraction and output.

use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolInterface};
use peg_eth_rpc::{BlockId, CallRequest, EthRpc, EthRpcError, SendOptions, TxReceipt, Wallet};
use peg_types::{EthAddress, PegAccount, PegEvent};
use serde::Serialize;

use pegd::cmd::OutputFormat;

/// Ethereum-side declarations the commands need beyond `peg_types::calls`.
pub(crate) mod sol {
    alloy_sol_types::sol! {
        /// The ERC-20 calls of `lock`'s approval step.
        #[derive(Debug)]
        interface IERC20 {
            function allowance(address owner, address spender) external view returns (uint256);
            function approve(address spender, uint256 amount) external returns (bool);
            function balanceOf(address owner) external view returns (uint256);
        }

        /// `IPegBridge.deployCosmosERC20`.
        #[derive(Debug)]
        function deployCosmosERC20(string denom, string name, string symbol, uint8 decimals) external returns (address token);

        /// Every custom error a user transaction can meet: the bridge's (`IPegBridge`), OpenZeppelin's
        /// ERC-20 errors (EIP-6093) and SafeERC20's, plus Solidity's built-ins.
        #[derive(Debug)]
        interface Reverts {
            error Error(string message);
            error Panic(uint256 code);
            error NotGuardian(address caller, address guardian);
            error BridgePaused();
            error ZeroAmount(address token);
            error InvalidLockToken(address token);
            error NotCosmosToken(address token);
            error EthTransferFailed(address to, uint256 amount);
            error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
            error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
            error ERC20InvalidSender(address sender);
            error ERC20InvalidReceiver(address receiver);
            error ERC20InvalidApprover(address approver);
            error ERC20InvalidSpender(address spender);
            error SafeERC20FailedOperation(address token);
            error ReentrancyGuardReentrantCall();
        }
    }
}

/// Connection arguments of every `pegd eth` transaction command.
#[derive(Debug, clap::Args)]
pub struct EthTxArgs {
    /// Ethereum JSON-RPC endpoint.
    #[arg(long, value_name = "URL")]
    pub eth_rpc: String,
    /// Ethereum key file: `0x` followed by 64 hex digits.
    #[arg(long, value_name = "FILE")]
    pub eth_key: PathBuf,
    /// The PegBridge contract address.
    #[arg(long, value_name = "0x..")]
    pub bridge: String,
    /// How long to wait for each transaction's receipt, in seconds.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Why a `pegd eth` transaction command failed.
#[derive(Debug, thiserror::Error)]
pub enum EthTxError {
    /// A command-line value is malformed.
    #[error("invalid --{arg}: {reason}")]
    InvalidArg {
        /// The flag.
        arg: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The contract refused the call; `error` is its decoded custom error.
    #[error("{action} refused by the contract: {error}")]
    Refused {
        /// What was attempted.
        action: String,
        /// The decoded revert (`ZeroAmount(token: 0x…)`, `Error("…")`, or raw data).
        error: String,
    },
    /// The Ethereum client failed.
    #[error("{action}: {source}")]
    Rpc {
        /// What was attempted.
        action: String,
        /// The client's error.
        #[source]
        source: Box<EthRpcError>,
    },
    /// The transaction succeeded but emitted no bridge event with a nonce.
    #[error("transaction {tx_hash} emitted no {expected} event from the bridge {bridge}")]
    NoEvent {
        /// The transaction.
        tx_hash: String,
        /// The event expected.
        expected: &'static str,
        /// The bridge address.
        bridge: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// Printing the result failed.
    #[error("cannot print the result: {0}")]
    Output(String),
}

/// Runs `future` on a fresh current-thread runtime (pegd's commands are synchronous).
pub fn block_on<T>(
    future: impl std::future::Future<Output = Result<T, EthTxError>>,
) -> Result<T, EthTxError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(EthTxError::Runtime)?
        .block_on(future)
}

/// Parses a `0x` address flag.
pub fn parse_address(arg: &'static str, value: &str) -> Result<Address, EthTxError> {
    let hex_digits = value.strip_prefix("0x").ok_or_else(|| EthTxError::InvalidArg {
        arg,
        reason: format!("{value:?} is not a 0x-prefixed address"),
    })?;
    if hex_digits.len() != 40 {
        return Err(EthTxError::InvalidArg {
            arg,
            reason: format!("{value:?} is not 20 bytes of hex"),
        });
    }
    value.parse().map_err(|e| EthTxError::InvalidArg { arg, reason: format!("{value:?}: {e}") })
}

/// Parses a `peg1…` receiver into the `bytes20` the bridge takes.
pub fn parse_receiver(value: &str) -> Result<PegAccount, EthTxError> {
    let account = peg_tx::AccAddress::from_bech32(value).map_err(|e| EthTxError::InvalidArg {
        arg: "receiver",
        reason: format!("{value:?} is not a peg1… account address: {e}"),
    })?;
    Ok(PegAccount::new(*account.as_bytes()))
}

/// Parses a positive decimal amount (base units, up to 2^256 − 1).
pub fn parse_amount(value: &str) -> Result<U256, EthTxError> {
    let amount = U256::from_str_radix(value, 10).map_err(|e| EthTxError::InvalidArg {
        arg: "amount",
        reason: format!("{value:?} is not a decimal integer: {e}"),
    })?;
    Ok(amount)
}

/// A connected wallet and bridge, ready to send.
#[derive(Debug)]
pub struct Session {
    /// The signer.
    pub wallet: Wallet,
    /// The bridge.
    pub bridge: Address,
    /// Send options (receipt timeout).
    pub options: SendOptions,
}

impl Session {
    /// Reads the key, checks the bridge has code (a wrong `--bridge` or an RPC to another chain
    /// is caught before any transaction).
    pub async fn open(args: &EthTxArgs) -> Result<Self, EthTxError> {
        let bridge = parse_address("bridge", &args.bridge)?;
        let rpc = EthRpc::new(&args.eth_rpc).map_err(|source| EthTxError::Rpc {
            action: "connect".into(),
            source: Box::new(source),
        })?;
        let wallet = Wallet::from_key_file(rpc, &args.eth_key).map_err(|source| {
            EthTxError::Rpc { action: "read --eth-key".into(), source: Box::new(source) }
        })?;
        let code = wallet.rpc().code(bridge, BlockId::Latest).await.map_err(|source| {
            EthTxError::Rpc { action: "read the bridge's code".into(), source: Box::new(source) }
        })?;
        if code.is_empty() {
            return Err(EthTxError::InvalidArg {
                arg: "bridge",
                reason: format!("no contract at {bridge} on {}", args.eth_rpc),
            });
        }
        let options = SendOptions {
            receipt_timeout: Duration::from_secs(args.timeout),
            ..SendOptions::default()
        };
        Ok(Self { wallet, bridge, options })
    }

    /// Sends a transaction and waits for a successful receipt; a revert (at estimation or
    /// mined) comes back decoded as [`EthTxError::Refused`].
    pub async fn transact(
        &self,
        action: &str,
        to: Address,
        value: U256,
        input: Vec<u8>,
    ) -> Result<TxReceipt, EthTxError> {
        let input = Bytes::from(input);
        match self.wallet.send_and_wait(Some(to), value, input.clone(), &self.options).await {
            Ok(receipt) => Ok(receipt),
            Err(EthRpcError::WouldRevert { reason, data }) => Err(EthTxError::Refused {
                action: action.to_owned(),
                error: data.as_deref().map(|d| decode_revert(d)).unwrap_or(reason),
            }),
            Err(EthRpcError::Reverted { tx_hash, block_number, .. }) => {
                // Replay the call at the failing block's parent state for the reason.
                let call = CallRequest {
                    from: Some(self.wallet.address()),
                    to: Some(to),
                    value,
                    data: input,
                    gas: None,
                };
                let reason = match self
                    .wallet
                    .rpc()
                    .call(&call, BlockId::Number(block_number.saturating_sub(1)))
                    .await
                {
                    Err(e) => e.revert_data().map(|d| decode_revert(&d)).unwrap_or(e.to_string()),
                    Ok(_) => "out of gas or state changed in the block".to_owned(),
                };
                Err(EthTxError::Refused {
                    action: action.to_owned(),
                    error: format!("{reason} (transaction {tx_hash}, block {block_number})"),
                })
            }
            Err(source) => {
                Err(EthTxError::Rpc { action: action.to_owned(), source: Box::new(source) })
            }
        }
    }

    /// A read-only call's return data.
    pub async fn call(
        &self,
        action: &str,
        to: Address,
        input: Vec<u8>,
    ) -> Result<Bytes, EthTxError> {
        let call = CallRequest {
            from: Some(self.wallet.address()),
            to: Some(to),
            data: input.into(),
            ..CallRequest::default()
        };
        self.wallet.rpc().call(&call, BlockId::Latest).await.map_err(|source| {
            match source.revert_data() {
                Some(data) => {
                    EthTxError::Refused { action: action.to_owned(), error: decode_revert(&data) }
                }
                None => EthTxError::Rpc { action: action.to_owned(), source: Box::new(source) },
            }
        })
    }

    /// The ERC-20 allowance the wallet gave the bridge for `token`.
    pub async fn allowance(&self, token: Address) -> Result<U256, EthTxError> {
        let input =
            sol::IERC20::allowanceCall { owner: self.wallet.address(), spender: self.bridge }
                .abi_encode();
        let out = self.call("read the allowance", token, input).await?;
        sol::IERC20::allowanceCall::abi_decode_returns(&out).map_err(|e| EthTxError::Refused {
            action: "read the allowance".into(),
            error: format!("{token} does not answer allowance() like an ERC-20: {e}"),
        })
    }

    /// The bridge events of a receipt, in log order (informational bridge logs skipped).
    pub fn bridge_events(&self, receipt: &TxReceipt) -> Vec<PegEvent> {
        receipt
            .rpc
            .receipt
            .logs
            .iter()
            .filter(|log| log.address == self.bridge)
            .filter_map(|log| PegEvent::decode_raw_log(&log.topics, &log.data).ok())
            .collect()
    }
}

/// Renders revert data: a known custom error with its arguments, else the raw hex.
pub fn decode_revert(data: &[u8]) -> String {
    match sol::Reverts::RevertsErrors::abi_decode(data) {
        Ok(error) => format_revert(&error),
        Err(_) if data.is_empty() => "reverted without data".to_owned(),
        Err(_) => format!("unknown error 0x{}", hex::encode(data)),
    }
}

fn format_revert(error: &sol::Reverts::RevertsErrors) -> String {
    use sol::Reverts::RevertsErrors as E;
    match error {
        E::Error(e) => format!("Error({:?})", e.message),
        E::Panic(e) => format!("Panic({:#x})", e.code),
        E::NotGuardian(e) => format!("NotGuardian(caller: {}, guardian: {})", e.caller, e.guardian),
        E::BridgePaused(_) => "BridgePaused()".to_owned(),
        E::ZeroAmount(e) => format!("ZeroAmount(token: {})", e.token),
        E::InvalidLockToken(e) => format!("InvalidLockToken(token: {})", e.token),
        E::NotCosmosToken(e) => format!("NotCosmosToken(token: {})", e.token),
        E::EthTransferFailed(e) => format!("EthTransferFailed(to: {}, amount: {})", e.to, e.amount),
        E::ERC20InsufficientBalance(e) => format!(
            "ERC20InsufficientBalance(sender: {}, balance: {}, needed: {})",
            e.sender, e.balance, e.needed
        ),
        E::ERC20InsufficientAllowance(e) => format!(
            "ERC20InsufficientAllowance(spender: {}, allowance: {}, needed: {})",
            e.spender, e.allowance, e.needed
        ),
        E::ERC20InvalidSender(e) => format!("ERC20InvalidSender(sender: {})", e.sender),
        E::ERC20InvalidReceiver(e) => format!("ERC20InvalidReceiver(receiver: {})", e.receiver),
        E::ERC20InvalidApprover(e) => format!("ERC20InvalidApprover(approver: {})", e.approver),
        E::ERC20InvalidSpender(e) => format!("ERC20InvalidSpender(spender: {})", e.spender),
        E::SafeERC20FailedOperation(e) => format!("SafeERC20FailedOperation(token: {})", e.token),
        E::ReentrancyGuardReentrantCall(_) => "ReentrancyGuardReentrantCall()".to_owned(),
    }
}

/// What every command prints.
#[derive(Debug, Serialize)]
pub struct TxOutput {
    /// `lock`, `burn` or `deploy-token`.
    pub action: &'static str,
    /// The main transaction.
    pub tx_hash: String,
    /// Its block.
    pub block_number: u64,
    /// Gas used.
    pub gas_used: u64,
    /// The event emitted (`Locked`, `Burned`, `TokenDeployed`).
    pub event: &'static str,
    /// The event's nonce (decimal string: the peg zone's `next_event_nonce` convention).
    pub event_nonce: String,
    /// Event-specific fields (token, amount, receiver, denom…).
    #[serde(flatten)]
    pub detail: serde_json::Map<String, serde_json::Value>,
    /// The ERC-20 approval sent first, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approve_tx_hash: Option<String>,
}

impl TxOutput {
    /// Builds the output from the receipt and its one expected event.
    pub fn from_event(
        action: &'static str,
        session: &Session,
        receipt: &TxReceipt,
        expected: &'static str,
    ) -> Result<(Self, PegEvent), EthTxError> {
        let event =
            session.bridge_events(receipt).into_iter().find(|e| e.name() == expected).ok_or_else(
                || EthTxError::NoEvent {
                    tx_hash: receipt.transaction_hash.to_string(),
                    expected,
                    bridge: session.bridge.to_string(),
                },
            )?;
        let mut detail = serde_json::Map::new();
        match &event {
            PegEvent::Locked(t) | PegEvent::Burned(t) => {
                detail.insert("token".into(), eth_address_json(&t.token));
                detail.insert("amount".into(), t.amount.to_string().into());
                detail.insert("sender".into(), eth_address_json(&t.sender));
                detail.insert(
                    "receiver".into(),
                    peg_tx::AccAddress::new(*t.receiver.as_bytes()).to_bech32().into(),
                );
            }
            PegEvent::TokenDeployed(t) => {
                detail.insert("token".into(), eth_address_json(&t.token));
                detail.insert("denom".into(), t.denom.clone().into());
                detail.insert("name".into(), t.name.clone().into());
                detail.insert("symbol".into(), t.symbol.clone().into());
                detail.insert("decimals".into(), t.decimals.into());
            }
            PegEvent::ValsetUpdated(_) | PegEvent::BatchExecuted(_) => {}
        }
        Ok((
            Self {
                action,
                tx_hash: receipt.transaction_hash.to_string(),
                block_number: receipt.block_number,
                gas_used: receipt.gas_used,
                event: expected,
                event_nonce: event.event_nonce().to_string(),
                detail,
                approve_tx_hash: None,
            },
            event,
        ))
    }

    /// Prints as text or one JSON object.
    pub fn print(&self, format: OutputFormat) -> Result<(), EthTxError> {
        match format {
            OutputFormat::Json => {
                let text = serde_json::to_string_pretty(self)
                    .map_err(|e| EthTxError::Output(e.to_string()))?;
                println!("{text}");
            }
            OutputFormat::Text => {
                if let Some(approve) = &self.approve_tx_hash {
                    println!("approve tx:   {approve}");
                }
                println!("{} tx:      {}", self.action, self.tx_hash);
                println!("block:        {}", self.block_number);
                println!("gas used:     {}", self.gas_used);
                println!("event:        {} (nonce {})", self.event, self.event_nonce);
                for (key, value) in &self.detail {
                    let shown = value.as_str().map(str::to_owned).unwrap_or(value.to_string());
                    println!("{:<13} {shown}", format!("{key}:"));
                }
            }
        }
        Ok(())
    }
}

fn eth_address_json(address: &EthAddress) -> serde_json::Value {
    // Lowercase hex, as the peg zone's voucher denoms spell it.
    format!("0x{}", hex::encode(address.as_bytes())).into()
}

/// Prints an error and maps the result to an exit code.
pub fn finish(result: Result<(), EthTxError>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolError;

    #[test]
    fn decodes_known_reverts() {
        let data = sol::Reverts::ZeroAmount { token: Address::ZERO }.abi_encode();
        assert_eq!(
            decode_revert(&data),
            "ZeroAmount(token: 0x0000000000000000000000000000000000000000)"
        );
        let data = sol::Reverts::Error { message: "nope".into() }.abi_encode();
        assert_eq!(decode_revert(&data), "Error(\"nope\")");
        assert_eq!(decode_revert(&[]), "reverted without data");
        assert_eq!(decode_revert(&[1, 2, 3, 4]), "unknown error 0x01020304");
    }

    #[test]
    fn parses_flags() {
        assert!(parse_address("bridge", "0x5FbDB2315678afecb367f032d93F642f64180aa3").is_ok());
        assert!(parse_address("bridge", "5FbDB2315678afecb367f032d93F642f64180aa3").is_err());
        assert!(parse_address("bridge", "0x1234").is_err());
        assert_eq!(parse_amount("1000").ok(), Some(U256::from(1000u64)));
        assert!(parse_amount("-1").is_err());
        assert!(parse_amount("1e18").is_err());
        assert!(parse_receiver("peg1notanaddress").is_err());
        let account = peg_tx::AccAddress::new([7u8; 20]).to_bech32();
        assert_eq!(parse_receiver(&account).ok(), Some(PegAccount::new([7u8; 20])));
    }
}
