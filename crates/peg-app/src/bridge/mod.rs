//! The outbound bridge module (`specs/bridge-module.md`): the outbound pool, batches, the
//! Ethereum valsets and the checkpoints validators sign for them.
//!
//! Flow: `MsgSendToEthereum` moves coins into the pool account ([`pool`]); `MsgRequestBatch`
//! takes a denom's best-paying transfers into a batch ([`batch`]); every validator signs the
//! pending checkpoints ([`pending_checkpoints`]) in its vote extension and the signatures are
//! stored ([`signatures`]); a relayer submits the batch; the proven `BatchExecuted` settles it
//! ([`on_batch_executed`]). Valsets follow the bonded power ([`valset`]), and bonding changes
//! that would strand the valset Ethereum knows are refused ([`check_continuity`]).
//!
//! Everything is in the authenticated state, under `bridge/`; the module runs only when the
//! Ethereum module does (`app_state.eth`).

mod batch;
pub mod params;
mod pool;
pub mod query;
pub mod signatures;
mod valset;

use peg_tx::{MsgCancelSendToEthereum, MsgRegisterDenom, MsgRequestBatch, MsgSendToEthereum};
use peg_types::{BridgeDomain, EthAddress, B256};
use serde::Serialize;
use tendermint_proto::v0_38::abci::Event;

use crate::error::AppError;
use crate::eth::{self, BlockContext};
use crate::genesis::Params;
use crate::state::{module_address, Cache};

pub use batch::{on_batch_executed, BatchStatus, StoredBatch};
pub use params::BridgeParams;
pub use pool::{OutgoingTransfer, RegisteredDenom};
pub use valset::{check_continuity, on_valset_updated, StoredMember, StoredValset};

/// `bridge/params` → [`BridgeParams`] JSON.
pub const KEY_PARAMS: &[u8] = b"bridge/params";
/// `bridge/next_transfer_id` → u64 BE (starts at 1).
pub const KEY_NEXT_TRANSFER_ID: &[u8] = b"bridge/next_transfer_id";
/// `bridge/pool/` ‖ id u64 BE → [`OutgoingTransfer`] JSON.
pub const PREFIX_POOL: &[u8] = b"bridge/pool/";
/// `bridge/pool_index/` ‖ denom → the ids of that denom's pool transfers, u64 BE each,
/// ascending (the store has no prefix scan: the list is the index).
pub const PREFIX_POOL_INDEX: &[u8] = b"bridge/pool_index/";
/// `bridge/pool_denoms` → JSON list of the denoms with a non-empty pool, sorted.
pub const KEY_POOL_DENOMS: &[u8] = b"bridge/pool_denoms";
/// `bridge/next_batch_nonce` → u64 BE (starts at 1; one counter for every token).
pub const KEY_NEXT_BATCH_NONCE: &[u8] = b"bridge/next_batch_nonce";
/// `bridge/batch/` ‖ nonce u64 BE → [`StoredBatch`] JSON.
pub const PREFIX_BATCH: &[u8] = b"bridge/batch/";
/// `bridge/pending_batches` → the nonces of the pending batches, u64 BE each, ascending.
pub const KEY_PENDING_BATCHES: &[u8] = b"bridge/pending_batches";
/// `bridge/valset/` ‖ nonce u64 BE → [`StoredValset`] JSON.
pub const PREFIX_VALSET: &[u8] = b"bridge/valset/";
/// `bridge/latest_valset` → u64 BE, the nonce of the newest valset.
pub const KEY_LATEST_VALSET: &[u8] = b"bridge/latest_valset";
/// `bridge/confirmed_valset` → u64 BE, the nonce of the valset known to be on Ethereum.
pub const KEY_CONFIRMED_VALSET: &[u8] = b"bridge/confirmed_valset";
/// `bridge/denom/` ‖ denom → [`RegisteredDenom`] JSON.
pub const PREFIX_DENOM: &[u8] = b"bridge/denom/";
/// `bridge/denoms` → JSON list of the registered denoms, in registration order.
pub const KEY_DENOMS: &[u8] = b"bridge/denoms";

/// Name of the outbound pool's module account.
pub const POOL_MODULE: &str = "bridge_pool";

/// The outbound pool account: `sha256("peg/module/bridge_pool")[..20]`. It holds every transfer
/// that is in the pool or in a pending batch.
pub fn pool_address() -> peg_tx::AccAddress {
    module_address(POOL_MODULE)
}

/// What a checkpoint signs: a valset update or a batch (the byte is the `kind` of the
/// `bridge/sig/` keys, of vote extensions and of the injected signatures transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum CheckpointKind {
    /// A valset update (`updateValset`).
    Valset = 1,
    /// A batch of transfers (`submitBatch`).
    Batch = 2,
}

/// A checkpoint validators must sign now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingCheckpoint {
    /// Valset or batch.
    pub kind: CheckpointKind,
    /// The valset or batch nonce.
    pub nonce: u64,
    /// The EIP-712 digest to sign.
    pub digest: B256,
    /// The height the checkpoint was created at.
    pub created_height: u64,
}

pub(crate) fn corrupt(key: &[u8], reason: &'static str) -> AppError {
    AppError::CorruptState { key: String::from_utf8_lossy(key).into_owned(), reason }
}

pub(crate) fn nonce_key(prefix: &[u8], nonce: u64) -> Vec<u8> {
    [prefix, &nonce.to_be_bytes()[..]].concat()
}

pub(crate) fn get_u64(cache: &Cache<'_>, key: &[u8]) -> Result<Option<u64>, AppError> {
    cache.get(key)?.map(|bytes| crate::state::decode_u64(key, &bytes)).transpose()
}

pub(crate) fn set_u64(cache: &mut Cache<'_>, key: &[u8], value: u64) {
    cache.set(key.to_vec(), value.to_be_bytes().to_vec());
}

pub(crate) fn get_json<T: serde::de::DeserializeOwned>(
    cache: &Cache<'_>,
    key: &[u8],
) -> Result<Option<T>, AppError> {
    cache
        .get(key)?
        .map(|bytes| serde_json::from_slice(&bytes).map_err(|_| corrupt(key, "bridge JSON")))
        .transpose()
}

pub(crate) fn set_json<T: Serialize>(
    cache: &mut Cache<'_>,
    key: Vec<u8>,
    value: &T,
) -> Result<(), AppError> {
    let bytes = serde_json::to_vec(value).map_err(|_| corrupt(&key, "bridge JSON"))?;
    cache.set(key, bytes);
    Ok(())
}

/// Reads a list of u64 BE numbers (absent: empty).
pub(crate) fn get_u64_list(cache: &Cache<'_>, key: &[u8]) -> Result<Vec<u64>, AppError> {
    Ok(eth::fixed_list::<8>(cache, key, "list is not 8-byte entries")?
        .into_iter()
        .map(u64::from_be_bytes)
        .collect())
}

/// Writes a list of u64 BE numbers (deleting the key when empty).
pub(crate) fn set_u64_list(cache: &mut Cache<'_>, key: &[u8], values: &[u64]) {
    if values.is_empty() {
        cache.delete(key.to_vec());
    } else {
        cache.set(key.to_vec(), values.iter().flat_map(|v| v.to_be_bytes()).collect());
    }
}

/// Takes the next value of a counter that starts at 1.
pub(crate) fn take_counter(cache: &mut Cache<'_>, key: &[u8]) -> Result<u64, AppError> {
    let next = get_u64(cache, key)?.unwrap_or(1);
    set_u64(cache, key, next.checked_add(1).ok_or(AppError::Overflow("bridge counter"))?);
    Ok(next)
}

/// Decimal strings for u128 amounts in JSON.
pub(crate) mod decimal {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// The bridge parameters (defaults when the module has none stored).
pub fn load_params(cache: &Cache<'_>) -> Result<BridgeParams, AppError> {
    Ok(get_json(cache, KEY_PARAMS)?.unwrap_or_default())
}

/// The EIP-712 domain of the bridge (`None`: the Ethereum module is disabled).
pub fn domain(cache: &Cache<'_>) -> Result<Option<BridgeDomain>, AppError> {
    Ok(eth::load_config(cache)?.map(|config| BridgeDomain {
        chain_id: config.chain_id,
        verifying_contract: EthAddress::from(config.bridge_contract),
        bridge_id: config.bridge_id,
    }))
}

fn require_domain(cache: &Cache<'_>) -> Result<BridgeDomain, AppError> {
    domain(cache)?.ok_or(AppError::EthDisabled)
}

/// InitChain: stores the parameters and valset 0 (the bonded validators with a genesis
/// Ethereum address, normalized), which the contract is deployed with, so it is confirmed.
/// Runs after the validators, the Ethereum addresses and the Ethereum module are written.
pub fn init_genesis(
    cache: &mut Cache<'_>,
    chain: &Params,
    params: &BridgeParams,
    height: u64,
) -> Result<(), AppError> {
    params.validate()?;
    set_json(cache, KEY_PARAMS.to_vec(), params)?;
    if let Some(valset) = valset::current_valset(cache, chain, 0)? {
        valset::store_valset(cache, &valset, height)?;
        set_u64(cache, KEY_CONFIRMED_VALSET, 0);
        tracing::info!(members = valset.members.len(), "bridge valset 0 at genesis");
    }
    Ok(())
}

/// Checkpoints validators must sign now, in signing priority: unconfirmed valsets newest first,
/// then pending batches by nonce ascending. Empty when `app_state.eth` is absent.
pub fn pending_checkpoints(cache: &Cache<'_>) -> Result<Vec<PendingCheckpoint>, AppError> {
    let Some(domain) = domain(cache)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for stored in valset::unconfirmed_valsets(cache)? {
        out.push(PendingCheckpoint {
            kind: CheckpointKind::Valset,
            nonce: stored.nonce,
            digest: stored.digest(&domain)?,
            created_height: stored.created_height,
        });
    }
    for stored in batch::pending_batches(cache)? {
        out.push(PendingCheckpoint {
            kind: CheckpointKind::Batch,
            nonce: stored.nonce,
            digest: stored.digest(&domain)?,
            created_height: stored.created_height,
        });
    }
    Ok(out)
}

/// The digest of one pending checkpoint (`None`: unknown, executed, cancelled or confirmed).
pub fn pending_digest(
    cache: &Cache<'_>,
    kind: CheckpointKind,
    nonce: u64,
) -> Result<Option<B256>, AppError> {
    let Some(domain) = domain(cache)? else { return Ok(None) };
    match kind {
        CheckpointKind::Valset => {
            let confirmed = valset::confirmed_nonce(cache)?;
            if confirmed.is_some_and(|c| nonce <= c) {
                return Ok(None);
            }
            valset::load_valset(cache, nonce)?.map(|v| v.digest(&domain)).transpose()
        }
        CheckpointKind::Batch => match batch::load_batch(cache, nonce)? {
            Some(b) if b.status == BatchStatus::Pending => Some(b.digest(&domain)).transpose(),
            _ => Ok(None),
        },
    }
}

/// End of every FinalizeBlock, after the transactions: a new valset when the bonded power
/// moved (§4), and the batches that timed out on Ethereum back to the pool (§5).
pub fn end_block(
    cache: &mut Cache<'_>,
    params: &Params,
    ctx: BlockContext,
) -> Result<Vec<Event>, AppError> {
    if eth::load_config(cache)?.is_none() {
        return Ok(Vec::new());
    }
    let mut events = valset::maybe_create_valset(cache, params, ctx.height)?;
    events.extend(batch::time_out_batches(cache)?);
    Ok(events)
}

/// Executes `MsgSendToEthereum` (§2.1).
pub fn send_to_ethereum(
    cache: &mut Cache<'_>,
    msg: &MsgSendToEthereum,
) -> Result<Vec<Event>, AppError> {
    require_domain(cache)?;
    pool::send_to_ethereum(cache, msg)
}

/// Executes `MsgCancelSendToEthereum` (§2.2).
pub fn cancel_send_to_ethereum(
    cache: &mut Cache<'_>,
    msg: &MsgCancelSendToEthereum,
) -> Result<Vec<Event>, AppError> {
    require_domain(cache)?;
    pool::cancel(cache, msg)
}

/// Executes `MsgRequestBatch` (§2.3).
pub fn request_batch(
    cache: &mut Cache<'_>,
    ctx: BlockContext,
    msg: &MsgRequestBatch,
) -> Result<Vec<Event>, AppError> {
    require_domain(cache)?;
    batch::request_batch(cache, ctx, msg)
}

/// Executes `MsgRegisterDenom` (§2.4).
pub fn register_denom(
    cache: &mut Cache<'_>,
    msg: &MsgRegisterDenom,
) -> Result<Vec<Event>, AppError> {
    let config = eth::load_config(cache)?.ok_or(AppError::EthDisabled)?;
    pool::register_denom(cache, &config, msg)
}

/// The registered metadata of a native denom, in the form the `TokenDeployed` adoption
/// compares (`None`: not registered).
pub fn registered_native_denom(
    cache: &Cache<'_>,
    denom: &str,
) -> Result<Option<eth::genesis::NativeDenom>, AppError> {
    let key = [PREFIX_DENOM, denom.as_bytes()].concat();
    let Some(registered) = get_json::<RegisteredDenom>(cache, &key)? else { return Ok(None) };
    let decimals =
        u8::try_from(registered.decimals).map_err(|_| corrupt(&key, "decimals above 255"))?;
    Ok(Some(eth::genesis::NativeDenom {
        denom: registered.denom,
        name: registered.name,
        symbol: registered.symbol,
        decimals,
    }))
}

/// The Ethereum token of a denom: the token of a voucher (`eth/0x…`), or the adopted
/// CosmosERC20 of a native denom.
pub fn token_of(cache: &Cache<'_>, denom: &str) -> Result<Option<EthAddress>, AppError> {
    if let Some(hex_part) = denom.strip_prefix("eth/0x") {
        let Ok(bytes) = hex::decode(hex_part) else { return Ok(None) };
        let Ok(array) = <[u8; 20]>::try_from(bytes.as_slice()) else { return Ok(None) };
        let token = EthAddress::new(array);
        // Only the canonical spelling names a voucher.
        return Ok((eth::voucher_denom(&token) == denom).then_some(token));
    }
    eth::token_of_denom(cache, denom)
}

/// Lowercase `0x` hex of a token (the voucher denom's spelling).
pub(crate) fn token_hex(token: &EthAddress) -> String {
    format!("0x{}", hex::encode(token.as_bytes()))
}
