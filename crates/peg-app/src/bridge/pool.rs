//! The outbound pool (`specs/bridge-module.md` §2.1, §2.2, §2.4): transfers waiting for a
//! batch, their index by denom, and native denom registration.

use peg_tx::{AccAddress, MsgCancelSendToEthereum, MsgRegisterDenom, MsgSendToEthereum};
use serde::{Deserialize, Serialize};
use tendermint_proto::v0_38::abci::Event;

use super::{
    corrupt, get_json, get_u64_list, nonce_key, pool_address, set_json, set_u64_list, take_counter,
    token_hex, token_of, KEY_DENOMS, KEY_NEXT_TRANSFER_ID, KEY_POOL_DENOMS, PREFIX_DENOM,
    PREFIX_POOL, PREFIX_POOL_INDEX,
};
use crate::error::AppError;
use crate::eth::{self, genesis::EthConfig};
use crate::exec::event;
use crate::state::Cache;

/// One outbound transfer (`bridge/pool/<id>`, and inside batches): the `/bridge/pool` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingTransfer {
    /// Unique, from `bridge/next_transfer_id`.
    pub id: u64,
    /// `peg1…`: who paid, and who gets it back on a cancel.
    pub sender: String,
    /// `0x…` (EIP-55): the Ethereum receiver.
    pub receiver: String,
    /// The zone denom.
    pub denom: String,
    /// `0x…` lowercase: the Ethereum token.
    pub token: String,
    /// Decimal: what the receiver gets.
    #[serde(with = "super::decimal")]
    pub amount: u128,
    /// Decimal: what the relayer gets.
    #[serde(with = "super::decimal")]
    pub fee: u128,
}

impl OutgoingTransfer {
    /// `amount + fee`: what the pool holds for this transfer.
    pub fn total(&self) -> Result<u128, AppError> {
        self.amount.checked_add(self.fee).ok_or(AppError::Overflow("transfer amount + fee"))
    }

    /// The sender as an address.
    pub fn sender_address(&self) -> Result<AccAddress, AppError> {
        self.sender
            .parse()
            .map_err(|_| corrupt(&nonce_key(PREFIX_POOL, self.id), "transfer sender"))
    }
}

/// A registered native denom (`bridge/denom/<denom>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredDenom {
    /// The zone denom.
    pub denom: String,
    /// ERC-20 name.
    pub name: String,
    /// ERC-20 symbol.
    pub symbol: String,
    /// ERC-20 decimals.
    pub decimals: u32,
}

fn index_key(denom: &str) -> Vec<u8> {
    [PREFIX_POOL_INDEX, denom.as_bytes()].concat()
}

/// The denoms with a non-empty pool, sorted.
pub(crate) fn pool_denoms(cache: &Cache<'_>) -> Result<Vec<String>, AppError> {
    Ok(get_json(cache, KEY_POOL_DENOMS)?.unwrap_or_default())
}

/// The pool transfers of `denom`, by id ascending.
pub(crate) fn pool_of(cache: &Cache<'_>, denom: &str) -> Result<Vec<OutgoingTransfer>, AppError> {
    let mut out = Vec::new();
    for id in get_u64_list(cache, &index_key(denom))? {
        let key = nonce_key(PREFIX_POOL, id);
        let transfer: OutgoingTransfer =
            get_json(cache, &key)?.ok_or_else(|| corrupt(&key, "indexed transfer missing"))?;
        out.push(transfer);
    }
    Ok(out)
}

/// Puts a transfer into the pool (new, or released from a batch with its id).
pub(crate) fn insert(cache: &mut Cache<'_>, transfer: &OutgoingTransfer) -> Result<(), AppError> {
    set_json(cache, nonce_key(PREFIX_POOL, transfer.id), transfer)?;
    let key = index_key(&transfer.denom);
    let mut ids = get_u64_list(cache, &key)?;
    if let Err(at) = ids.binary_search(&transfer.id) {
        ids.insert(at, transfer.id);
    }
    set_u64_list(cache, &key, &ids);
    let mut denoms = pool_denoms(cache)?;
    if let Err(at) = denoms.binary_search(&transfer.denom) {
        denoms.insert(at, transfer.denom.clone());
        set_json(cache, KEY_POOL_DENOMS.to_vec(), &denoms)?;
    }
    Ok(())
}

/// Takes a transfer out of the pool (into a batch, or cancelled).
pub(crate) fn remove(cache: &mut Cache<'_>, transfer: &OutgoingTransfer) -> Result<(), AppError> {
    cache.delete(nonce_key(PREFIX_POOL, transfer.id));
    let key = index_key(&transfer.denom);
    let mut ids = get_u64_list(cache, &key)?;
    ids.retain(|id| *id != transfer.id);
    set_u64_list(cache, &key, &ids);
    if ids.is_empty() {
        let mut denoms = pool_denoms(cache)?;
        denoms.retain(|d| *d != transfer.denom);
        set_json(cache, KEY_POOL_DENOMS.to_vec(), &denoms)?;
    }
    Ok(())
}

/// `MsgSendToEthereum`: `amount + fee` from the sender to the pool account, a new transfer.
pub(crate) fn send_to_ethereum(
    cache: &mut Cache<'_>,
    msg: &MsgSendToEthereum,
) -> Result<Vec<Event>, AppError> {
    let denom = &msg.amount.denom;
    let token = token_of(cache, denom)?
        .ok_or_else(|| AppError::BridgeUnknownToken { denom: denom.clone() })?;
    let total = msg
        .amount
        .amount
        .checked_add(msg.bridge_fee.amount)
        .ok_or(AppError::Overflow("amount + bridge fee"))?;
    cache.transfer(&msg.sender, &pool_address(), denom, total)?;
    let transfer = OutgoingTransfer {
        id: take_counter(cache, KEY_NEXT_TRANSFER_ID)?,
        sender: msg.sender.to_bech32(),
        receiver: msg.eth_receiver.to_string(),
        denom: denom.clone(),
        token: token_hex(&token),
        amount: msg.amount.amount,
        fee: msg.bridge_fee.amount,
    };
    insert(cache, &transfer)?;
    tracing::debug!(id = transfer.id, %denom, amount = transfer.amount, "outbound transfer pooled");
    Ok(vec![event(
        "send_to_ethereum",
        &[
            ("id", transfer.id.to_string()),
            ("sender", transfer.sender.clone()),
            ("receiver", transfer.receiver.clone()),
            ("denom", transfer.denom.clone()),
            ("token", transfer.token.clone()),
            ("amount", transfer.amount.to_string()),
            ("fee", transfer.fee.to_string()),
        ],
    )])
}

/// `MsgCancelSendToEthereum`: only the sender, only while in the pool; `amount + fee` back.
pub(crate) fn cancel(
    cache: &mut Cache<'_>,
    msg: &MsgCancelSendToEthereum,
) -> Result<Vec<Event>, AppError> {
    let key = nonce_key(PREFIX_POOL, msg.transfer_id);
    let transfer: OutgoingTransfer =
        get_json(cache, &key)?.ok_or(AppError::BridgeTransferNotInPool { id: msg.transfer_id })?;
    if transfer.sender_address()? != msg.sender {
        return Err(AppError::BridgeNotSender {
            id: msg.transfer_id,
            sender: transfer.sender.clone(),
        });
    }
    remove(cache, &transfer)?;
    cache.transfer(&pool_address(), &msg.sender, &transfer.denom, transfer.total()?)?;
    Ok(vec![event(
        "cancel_send_to_ethereum",
        &[
            ("id", transfer.id.to_string()),
            ("sender", transfer.sender),
            ("denom", transfer.denom),
            ("amount", transfer.amount.to_string()),
            ("fee", transfer.fee.to_string()),
        ],
    )])
}

/// `MsgRegisterDenom`: the denom exists (the sender holds some), is not a voucher, is neither
/// registered, nor a genesis native denom, nor adopted.
pub(crate) fn register_denom(
    cache: &mut Cache<'_>,
    config: &EthConfig,
    msg: &MsgRegisterDenom,
) -> Result<Vec<Event>, AppError> {
    let refuse = |reason: String| Err(AppError::BridgeRegisterDenom(reason));
    if msg.denom.starts_with("eth/") {
        return refuse(format!("{} is a voucher denom", msg.denom));
    }
    if cache.balance(&msg.sender, &msg.denom)? == 0 {
        return refuse(format!(
            "{} holds no {}: only an existing denom (held by the sender) can be registered",
            msg.sender, msg.denom
        ));
    }
    let key = [PREFIX_DENOM, msg.denom.as_bytes()].concat();
    if cache.get(&key)?.is_some() {
        return refuse(format!("{} is already registered", msg.denom));
    }
    if config.native_denoms.iter().any(|n| n.denom == msg.denom) {
        return refuse(format!("{} is a genesis native denom", msg.denom));
    }
    if let Some(token) = eth::token_of_denom(cache, &msg.denom)? {
        return refuse(format!("{} is already adopted as {}", msg.denom, token_hex(&token)));
    }
    let registered = RegisteredDenom {
        denom: msg.denom.clone(),
        name: msg.name.clone(),
        symbol: msg.symbol.clone(),
        decimals: msg.decimals,
    };
    set_json(cache, key, &registered)?;
    let mut denoms: Vec<String> = get_json(cache, KEY_DENOMS)?.unwrap_or_default();
    denoms.push(msg.denom.clone());
    set_json(cache, KEY_DENOMS.to_vec(), &denoms)?;
    Ok(vec![event(
        "register_denom",
        &[
            ("denom", registered.denom),
            ("name", registered.name),
            ("symbol", registered.symbol),
            ("decimals", registered.decimals.to_string()),
        ],
    )])
}

/// The registered denoms, in registration order.
pub(crate) fn registered_denoms(cache: &Cache<'_>) -> Result<Vec<RegisteredDenom>, AppError> {
    let denoms: Vec<String> = get_json(cache, KEY_DENOMS)?.unwrap_or_default();
    let mut out = Vec::with_capacity(denoms.len());
    for denom in denoms {
        let key = [PREFIX_DENOM, denom.as_bytes()].concat();
        out.push(get_json(cache, &key)?.ok_or_else(|| corrupt(&key, "registered denom missing"))?);
    }
    Ok(out)
}
