//! `pegd tx bridge …` and `pegd query bridge …`: sending coins to Ethereum, batches, native
//! denom registration, and the bridge's queries (`/bridge/…`, JSON as the application answers).
//!
//! The transaction commands only build the message ([`BridgeTxCommand::build_msg`]); signing,
//! fees (`required_gas` and the chain's parameters) and broadcasting are `pegd tx`'s, shared with
//! every other transaction (`cmd::chain::run_tx`).

use std::path::PathBuf;

use clap::Subcommand;
use peg_tx::{
    validate_denom, AccAddress, EthAddress, Msg, MsgCancelSendToEthereum, MsgRegisterDenom,
    MsgRequestBatch, MsgSendToEthereum, MAX_TOKEN_DECIMALS, MAX_TOKEN_NAME_LEN,
    MAX_TOKEN_SYMBOL_LEN,
};
use serde_json::Value;

use super::chain::parse_coin;
use super::{print_json, OutputFormat};
use crate::node::NodeError;
use crate::rpc::RpcClient;

/// `pegd tx bridge …`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum BridgeTxCommand {
    /// Send coins to an Ethereum address: `amount + bridge fee` leave the account for the outbound
    /// pool; the receiver gets `amount` once a batch with the transfer executes on Ethereum.
    SendToEth {
        /// The sender's key name.
        #[arg(long)]
        from: String,
        /// The Ethereum receiver, `0x` + 40 hex digits (not the zero address).
        eth_receiver: String,
        /// The amount, e.g. `1000000eth/0x…` or `500upeg`.
        amount: String,
        /// The relayer's fee, same denom as the amount (may be zero), e.g. `10upeg`.
        #[arg(long)]
        bridge_fee: String,
    },
    /// Cancel an unbatched transfer of yours: `amount + fee` come back.
    Cancel {
        /// The sender's key name.
        #[arg(long)]
        from: String,
        /// The transfer id (`pegd query bridge pool`).
        transfer_id: u64,
    },
    /// Ask for a batch of the denom's pooled transfers (highest fees first).
    RequestBatch {
        /// The requester's key name (anyone may request).
        #[arg(long)]
        from: String,
        /// The denom: an Ethereum voucher `eth/0x…` or a native denom with a CosmosERC20.
        denom: String,
    },
    /// Register a native denom's ERC-20 metadata, so that its CosmosERC20 can be deployed on
    /// Ethereum (`deployCosmosERC20`) and adopted.
    RegisterDenom {
        /// The registrant's key name (anyone may register).
        #[arg(long)]
        from: String,
        /// The native denom (it must exist: positive supply; not a voucher).
        denom: String,
        /// ERC-20 name, 1 to 64 printable ASCII characters.
        #[arg(long)]
        name: String,
        /// ERC-20 symbol, 1 to 16 printable ASCII characters.
        #[arg(long)]
        symbol: String,
        /// ERC-20 decimals, at most 36.
        #[arg(long)]
        decimals: u32,
    },
}

fn invalid(name: &'static str, reason: String) -> NodeError {
    NodeError::InvalidArgument { name, reason }
}

fn check_text(name: &'static str, text: &str, max: usize) -> Result<(), NodeError> {
    if text.is_empty() || text.len() > max {
        return Err(invalid(name, format!("{} characters, expected 1 to {max}", text.len())));
    }
    if !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(invalid(name, format!("{text:?} is not printable ASCII")));
    }
    Ok(())
}

impl BridgeTxCommand {
    /// The key name that signs.
    pub fn from(&self) -> &str {
        match self {
            Self::SendToEth { from, .. }
            | Self::Cancel { from, .. }
            | Self::RequestBatch { from, .. }
            | Self::RegisterDenom { from, .. } => from,
        }
    }

    /// The message signed by `sender`, with the checks the chain makes on its form (so a typo
    /// fails here, before any fee is paid).
    pub fn build_msg(&self, sender: AccAddress) -> Result<Msg, NodeError> {
        Ok(match self {
            Self::SendToEth { eth_receiver, amount, bridge_fee, .. } => {
                let receiver: EthAddress = eth_receiver
                    .parse()
                    .map_err(|e| invalid("eth_receiver", format!("{eth_receiver:?}: {e}")))?;
                if receiver.is_zero() {
                    return Err(invalid("eth_receiver", "the zero address".into()));
                }
                let amount = parse_coin(amount)?;
                if amount.amount == 0 {
                    return Err(invalid("amount", "must be positive".into()));
                }
                let fee = parse_coin(bridge_fee)?;
                if fee.denom != amount.denom {
                    return Err(invalid(
                        "--bridge-fee",
                        format!(
                            "denom {:?} differs from the amount's {:?}",
                            fee.denom, amount.denom
                        ),
                    ));
                }
                if amount.amount.checked_add(fee.amount).is_none() {
                    return Err(invalid("--bridge-fee", "amount + fee overflows".into()));
                }
                Msg::SendToEthereum(MsgSendToEthereum {
                    sender,
                    eth_receiver: receiver,
                    amount,
                    bridge_fee: fee,
                })
            }
            Self::Cancel { transfer_id, .. } => {
                if *transfer_id == 0 {
                    return Err(invalid("transfer_id", "ids start at 1".into()));
                }
                Msg::CancelSendToEthereum(MsgCancelSendToEthereum {
                    sender,
                    transfer_id: *transfer_id,
                })
            }
            Self::RequestBatch { denom, .. } => {
                validate_denom(denom).map_err(|e| invalid("denom", format!("{denom:?}: {e}")))?;
                Msg::RequestBatch(MsgRequestBatch { sender, denom: denom.clone() })
            }
            Self::RegisterDenom { denom, name, symbol, decimals, .. } => {
                validate_denom(denom).map_err(|e| invalid("denom", format!("{denom:?}: {e}")))?;
                if denom.starts_with("eth/") {
                    return Err(invalid(
                        "denom",
                        format!("{denom:?} is an Ethereum voucher, not a native denom"),
                    ));
                }
                check_text("--name", name, MAX_TOKEN_NAME_LEN)?;
                check_text("--symbol", symbol, MAX_TOKEN_SYMBOL_LEN)?;
                if *decimals > MAX_TOKEN_DECIMALS {
                    return Err(invalid(
                        "--decimals",
                        format!("{decimals}, at most {MAX_TOKEN_DECIMALS}"),
                    ));
                }
                Msg::RegisterDenom(MsgRegisterDenom {
                    sender,
                    denom: denom.clone(),
                    name: name.clone(),
                    symbol: symbol.clone(),
                    decimals: *decimals,
                })
            }
        })
    }
}

/// `pegd query bridge …`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum BridgeQueryCommand {
    /// Unbatched transfers to Ethereum (all denoms, or one), highest fee first.
    Pool {
        /// Only this denom.
        denom: Option<String>,
    },
    /// Pending batches with their signatures, ascending nonce.
    Batches,
    /// One batch (any status).
    Batch {
        /// The batch nonce.
        nonce: u64,
    },
    /// Unconfirmed valsets and the confirmed one, newest first, with their signatures.
    Valsets,
    /// One valset.
    Valset {
        /// The valset nonce.
        nonce: u64,
    },
    /// Per validator: checkpoints pending, signed and missing (who fails to sign).
    Signatures,
    /// Registered native denoms, their adopted CosmosERC20 and escrow.
    Denoms,
    /// The bridge's parameters.
    Params,
}

impl BridgeQueryCommand {
    /// The ABCI query path (interfaces §7).
    pub fn path(&self) -> Result<String, NodeError> {
        Ok(match self {
            Self::Pool { denom: None } => "/bridge/pool".into(),
            Self::Pool { denom: Some(denom) } => {
                validate_denom(denom).map_err(|e| invalid("denom", format!("{denom:?}: {e}")))?;
                format!("/bridge/pool/{denom}")
            }
            Self::Batches => "/bridge/batches".into(),
            Self::Batch { nonce } => format!("/bridge/batch/{nonce}"),
            Self::Valsets => "/bridge/valsets".into(),
            Self::Valset { nonce } => format!("/bridge/valset/{nonce}"),
            Self::Signatures => "/bridge/signatures".into(),
            Self::Denoms => "/bridge/denoms".into(),
            Self::Params => "/bridge/params".into(),
        })
    }
}

fn text_of(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".into(),
        Some(other) => other.to_string(),
    }
}

fn count_of(v: &Value, key: &str) -> usize {
    v.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

/// A short human summary of an answer (`--output text`); the JSON otherwise.
fn print_text(command: &BridgeQueryCommand, value: &Value) -> Result<(), NodeError> {
    let empty = Vec::new();
    let rows = value.as_array().unwrap_or(&empty);
    match command {
        BridgeQueryCommand::Pool { .. } => {
            if rows.is_empty() {
                println!("the pool is empty");
            }
            for t in rows {
                println!(
                    "{}\t{} {}\tfee {}\tfrom {}\tto {}",
                    text_of(t, "id"),
                    text_of(t, "amount"),
                    text_of(t, "denom"),
                    text_of(t, "fee"),
                    text_of(t, "sender"),
                    text_of(t, "receiver")
                );
            }
        }
        BridgeQueryCommand::Batches => {
            if rows.is_empty() {
                println!("no pending batch");
            }
            for b in rows {
                println!(
                    "batch {}\t{} ({})\t{} transfers\ttimeout {}\t{} signatures\t{}",
                    text_of(b, "nonce"),
                    text_of(b, "denom"),
                    text_of(b, "token"),
                    count_of(b, "transfers"),
                    text_of(b, "timeout"),
                    count_of(b, "signatures"),
                    text_of(b, "status")
                );
            }
        }
        BridgeQueryCommand::Valsets => {
            println!(
                "confirmed valset {}, latest {}",
                text_of(value, "confirmed_nonce"),
                text_of(value, "latest_nonce")
            );
            let valsets = value.get("valsets").and_then(Value::as_array).unwrap_or(&empty);
            for v in valsets {
                println!(
                    "valset {}\t{} members\t{} signatures\tconfirmed {}",
                    text_of(v, "nonce"),
                    count_of(v, "members"),
                    count_of(v, "signatures"),
                    text_of(v, "confirmed")
                );
            }
        }
        BridgeQueryCommand::Signatures => {
            for s in rows {
                println!(
                    "{}\t{}\tpower {}\tpending {}\tsigned {}\tmissing {}\tlast signed at {}",
                    text_of(s, "validator"),
                    text_of(s, "eth_address"),
                    text_of(s, "power"),
                    text_of(s, "pending"),
                    text_of(s, "signed"),
                    text_of(s, "missing"),
                    text_of(s, "last_signed_height")
                );
            }
        }
        _ => return print_json(value),
    }
    Ok(())
}

/// Runs `pegd query bridge …`: the application's JSON answer, printed as is (`--output json`)
/// or summarized.
pub fn run_query(
    client: &RpcClient,
    output: OutputFormat,
    command: &BridgeQueryCommand,
) -> Result<(), NodeError> {
    let path = command.path()?;
    let answer = client.abci_query(&path)?;
    let value: Value = serde_json::from_slice(&answer.value).map_err(|e| NodeError::Json {
        path: PathBuf::from(format!("abci_query {path}")),
        reason: e.to_string(),
    })?;
    match output {
        OutputFormat::Json => print_json(&value),
        OutputFormat::Text => print_text(command, &value),
    }
}
