//! The Ethereum module (`specs/eth-module.md`): the peg zone's Ethereum light client, the
//! trusted ring of finalized execution blocks and the trusted ancestors proven below them
//! (`MsgTrustEthAncestor`), bridge events proven by receipt proofs, vouchers,
//! adopted CosmosERC20s with their escrow, and validator governance of the light client.
//!
//! Everything lives in the authenticated state (so it is in the app hash and provable); the
//! only memory is [`EthCache`], a cache of light-client stores with their prepared committee
//! keys, keyed by the hash of the stored snapshot, so the state stays the source of truth.

pub mod client;
pub mod genesis;
pub mod governance_query;
pub mod observed;

pub use observed::{observed, EthObservation};

use std::str::FromStr;

use light_client::config::ForkName;
use light_client::execution::{
    keccak256, verify_header_chain, verify_receipt_proof, Address, B256,
};
use peg_tx::{
    AccAddress, EthGovernanceAction, MsgEthGovernance, MsgSubmitEthEvents, MsgTrustEthAncestor,
    MsgUpdateEthClient,
};
use peg_types::{EthAddress, PegEvent, U256};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tendermint_proto::v0_38::abci::Event;

use crate::error::AppError;
use crate::exec::event;
use crate::genesis::Params;
use crate::state::{module_address, Cache};
use client::{AnyStore, PresetKind};
use genesis::{CheckedEth, EthConfig};

/// `eth/config` → [`EthConfig`] JSON. Absent: the module is disabled.
pub const KEY_CONFIG: &[u8] = b"eth/config";
/// `eth/client/store` → the light-client store snapshot, compact JSON.
pub const KEY_STORE: &[u8] = b"eth/client/store";
/// `eth/last_block_time` → u64 BE, unix seconds of the last finalized block (CheckTx's clock).
pub const KEY_LAST_BLOCK_TIME: &[u8] = b"eth/last_block_time";
/// `eth/next_event_nonce` → u64 BE.
pub const KEY_NEXT_EVENT_NONCE: &[u8] = b"eth/next_event_nonce";
/// `eth/ring/meta` → `pushed u64 BE` (entries ever pushed since the last reset).
pub const KEY_RING_META: &[u8] = b"eth/ring/meta";
/// `eth/ring/slot/` ‖ (seq mod size) u32 BE → `number u64 ‖ hash 32 ‖ timestamp u64` (48 bytes),
/// or `hash 32` alone while the number is unknown (a Gloas header carries only the hash).
pub const PREFIX_RING_SLOT: &[u8] = b"eth/ring/slot/";
/// `eth/ring/hash/` ‖ hash 32 → `number u64 ‖ timestamp u64` (16 bytes), or `seq u64` (8 bytes)
/// while the number is unknown: where to record it once an events message proves it.
pub const PREFIX_RING_HASH: &[u8] = b"eth/ring/hash/";
/// `eth/ancestor/meta` → `pushed u64 BE` (ancestor entries ever pushed since the last reset).
pub const KEY_ANCESTOR_META: &[u8] = b"eth/ancestor/meta";
/// `eth/ancestor/slot/` ‖ (seq mod [`MAX_ANCESTORS`]) u32 BE → `number u64 ‖ hash 32 ‖
/// timestamp u64` (48 bytes): the FIFO of trusted ancestors, oldest evicted first.
pub const PREFIX_ANCESTOR_SLOT: &[u8] = b"eth/ancestor/slot/";
/// `eth/ancestor/hash/` ‖ hash 32 → `number u64 ‖ timestamp u64` (16 bytes).
pub const PREFIX_ANCESTOR_HASH: &[u8] = b"eth/ancestor/hash/";
/// `eth/event/` ‖ nonce u64 BE → [`EventRecord`] JSON.
pub const PREFIX_EVENT: &[u8] = b"eth/event/";
/// `eth/voucher/` ‖ token 20 → supply u128 BE.
pub const PREFIX_VOUCHER: &[u8] = b"eth/voucher/";
/// `eth/voucher_tokens` → the tokens with a voucher, 20 bytes each, in first-mint order.
pub const KEY_VOUCHER_TOKENS: &[u8] = b"eth/voucher_tokens";
/// `eth/token/by_denom/` ‖ denom → adopted CosmosERC20 (20 bytes).
pub const PREFIX_TOKEN_BY_DENOM: &[u8] = b"eth/token/by_denom/";
/// `eth/token/by_address/` ‖ token 20 → denom.
pub const PREFIX_TOKEN_BY_ADDRESS: &[u8] = b"eth/token/by_address/";
/// `eth/token/denoms` → JSON list of adopted denoms, in adoption order.
pub const KEY_ADOPTED_DENOMS: &[u8] = b"eth/token/denoms";
/// `eth/outbound/valset` → JSON of the last `ValsetUpdated` (for the outbound side).
pub const KEY_LAST_VALSET_UPDATED: &[u8] = b"eth/outbound/valset";
/// `eth/outbound/batch/` ‖ token 20 ‖ batch nonce u64 BE → event nonce u64 BE.
pub const PREFIX_BATCH_EXECUTED: &[u8] = b"eth/outbound/batch/";
/// `eth/gov/` ‖ action id 32 → [`Proposal`] JSON.
pub const PREFIX_GOV: &[u8] = b"eth/gov/";

/// Name of the escrow module account holding native coins bridged out as CosmosERC20s.
pub const ESCROW_MODULE: &str = "eth_bridge";
/// Most trusted ancestors kept (`MsgTrustEthAncestor`); pushing one more evicts the oldest
/// pushed. 4096 entries hold a walk-down of 4096 transactions (about 800,000 blocks, four months
/// of mainnet, at 200 headers each) or many parallel walks; 48 + 16 bytes of state each.
pub const MAX_ANCESTORS: u64 = 4096;
/// Most entries `/eth/events/<from>` returns.
pub const MAX_EVENTS_PER_QUERY: u64 = 100;

/// The escrow module account: `sha256("peg/module/eth_bridge")[..20]`.
pub fn escrow_address() -> AccAddress {
    module_address(ESCROW_MODULE)
}

/// The voucher denom of an Ethereum token: `eth/0x<40 lowercase hex>` (ETH: the zero address).
pub fn voucher_denom(token: &EthAddress) -> String {
    format!("eth/0x{}", hex::encode(token.as_bytes()))
}

fn corrupt(key: &[u8], reason: &'static str) -> AppError {
    AppError::CorruptState { key: String::from_utf8_lossy(key).into_owned(), reason }
}

fn u64_value(key: &[u8], bytes: &[u8]) -> Result<u64, AppError> {
    let array: [u8; 8] = bytes.try_into().map_err(|_| corrupt(key, "expected 8 bytes"))?;
    Ok(u64::from_be_bytes(array))
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Block context of message execution: the height and the block time (FinalizeBlock: the
/// header's time; CheckTx: the last committed block's time). Never a wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockContext {
    /// The height the transaction executes at.
    pub height: u64,
    /// Unix seconds.
    pub time: u64,
}

/// Light-client stores with prepared committee keys, keyed by `sha256` of the stored snapshot.
/// Preparing a mainnet committee (512 key decompressions) costs milliseconds; the state is the
/// source of truth, the cache only skips that work when the bytes are the same.
#[derive(Debug, Default)]
pub struct EthCache {
    entries: Vec<([u8; 32], AnyStore)>,
}

/// Entries kept (CheckTx and FinalizeBlock states may differ for a block).
const CACHE_ENTRIES: usize = 4;

impl EthCache {
    fn load(&mut self, preset: PresetKind, bytes: &[u8]) -> Result<AnyStore, AppError> {
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        if let Some((_, store)) = self.entries.iter().find(|(h, _)| *h == hash) {
            return Ok(store.clone());
        }
        let store = AnyStore::from_snapshot_bytes(preset, bytes)?;
        self.insert(hash, store.clone());
        Ok(store)
    }

    fn insert(&mut self, hash: [u8; 32], store: AnyStore) {
        if self.entries.iter().any(|(h, _)| *h == hash) {
            return;
        }
        if self.entries.len() >= CACHE_ENTRIES {
            self.entries.remove(0);
        }
        self.entries.push((hash, store));
    }
}

/// One entry of the trusted ring: a finalized execution block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedBlock {
    /// Block number.
    pub number: u64,
    /// Block hash, `0x…`.
    #[serde(with = "hex_b256")]
    pub hash: [u8; 32],
    /// Block timestamp, unix seconds.
    pub timestamp: u64,
}

/// A block number or timestamp the ring may not know (yet): a Gloas light-client header
/// carries the execution block hash only. JSON: a number, or `null` when unknown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct MaybeNumber(pub Option<u64>);

impl MaybeNumber {
    /// The value, when known.
    pub const fn get(self) -> Option<u64> {
        self.0
    }
}

impl From<u64> for MaybeNumber {
    fn from(value: u64) -> Self {
        Self(Some(value))
    }
}

impl std::fmt::Display for MaybeNumber {
    /// The number, or `unknown`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}"),
            None => f.write_str("unknown"),
        }
    }
}

/// An entry of the trusted ring as stored: the hash always; number and timestamp when the
/// finalized light-client header gave them (Capella to Fulu) or once an events message proved
/// them with the RLP header that hashes to this entry (Gloas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingEntry {
    /// Block number, `null` while unknown.
    pub number: MaybeNumber,
    /// Block hash, `0x…`.
    #[serde(with = "hex_b256")]
    pub hash: [u8; 32],
    /// Block timestamp (unix seconds), `null` while unknown.
    pub timestamp: MaybeNumber,
}

impl RingEntry {
    /// An entry of which only the hash is known (a Gloas finalized header).
    pub const fn hash_only(hash: [u8; 32]) -> Self {
        Self { number: MaybeNumber(None), hash, timestamp: MaybeNumber(None) }
    }

    /// The entry as a [`TrustedBlock`], when its number and timestamp are known.
    pub fn known(&self) -> Option<TrustedBlock> {
        Some(TrustedBlock {
            number: self.number.get()?,
            hash: self.hash,
            timestamp: self.timestamp.get()?,
        })
    }
}

impl From<TrustedBlock> for RingEntry {
    fn from(block: TrustedBlock) -> Self {
        Self { number: block.number.into(), hash: block.hash, timestamp: block.timestamp.into() }
    }
}

mod hex_b256 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::hex0x(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = hex::decode(text.trim_start_matches("0x")).map_err(serde::de::Error::custom)?;
        bytes.as_slice().try_into().map_err(|_| serde::de::Error::custom("expected 32 bytes"))
    }
}

/// A processed bridge event (`/eth/events`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// The event nonce, decimal.
    pub nonce: String,
    /// `Locked`, `Burned`, `TokenDeployed`, `ValsetUpdated`, `BatchExecuted`.
    pub kind: String,
    /// The Ethereum block holding it.
    pub block_number: u64,
    /// The Ethereum transaction hash, when known (receipts do not carry it: `null`).
    pub tx_hash: Option<String>,
    /// `applied`, `failed: <reason>`, `ignored: <reason>`.
    pub result: String,
    /// The decoded event.
    pub detail: serde_json::Value,
}

/// An open governance proposal (`eth/gov/<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Height of its first vote; votes expire `governance_voting_period` blocks later.
    pub start_height: u64,
    /// The operators who voted, `peg1…`, in vote order.
    pub voters: Vec<String>,
}

/// Whether the module is enabled, and its configuration.
pub fn load_config(cache: &Cache<'_>) -> Result<Option<EthConfig>, AppError> {
    cache
        .get(KEY_CONFIG)?
        .map(|bytes| serde_json::from_slice(&bytes).map_err(|_| corrupt(KEY_CONFIG, "config JSON")))
        .transpose()
}

fn require_config(cache: &Cache<'_>) -> Result<EthConfig, AppError> {
    load_config(cache)?.ok_or(AppError::EthDisabled)
}

fn save_config(cache: &mut Cache<'_>, config: &EthConfig) -> Result<(), AppError> {
    let bytes = serde_json::to_vec(config).map_err(|_| corrupt(KEY_CONFIG, "config JSON"))?;
    cache.set(KEY_CONFIG.to_vec(), bytes);
    Ok(())
}

fn save_store(
    cache: &mut Cache<'_>,
    eth_cache: &mut EthCache,
    store: AnyStore,
) -> Result<(), AppError> {
    let bytes = store.snapshot_bytes()?;
    eth_cache.insert(Sha256::digest(&bytes).into(), store);
    cache.set(KEY_STORE.to_vec(), bytes);
    Ok(())
}

fn load_store(
    cache: &Cache<'_>,
    eth_cache: &mut EthCache,
    config: &EthConfig,
) -> Result<AnyStore, AppError> {
    let bytes = cache.get(KEY_STORE)?.ok_or_else(|| corrupt(KEY_STORE, "store missing"))?;
    eth_cache.load(config.preset, &bytes)
}

/// The next event nonce the zone expects.
pub fn next_event_nonce(cache: &Cache<'_>) -> Result<u64, AppError> {
    match cache.get(KEY_NEXT_EVENT_NONCE)? {
        Some(bytes) => u64_value(KEY_NEXT_EVENT_NONCE, &bytes),
        None => Err(corrupt(KEY_NEXT_EVENT_NONCE, "missing")),
    }
}

/// The last finalized block time (0 before the first block).
pub fn last_block_time(cache: &Cache<'_>) -> Result<u64, AppError> {
    match cache.get(KEY_LAST_BLOCK_TIME)? {
        Some(bytes) => u64_value(KEY_LAST_BLOCK_TIME, &bytes),
        None => Ok(0),
    }
}

/// Records the block time (FinalizeBlock, when the module is enabled).
pub fn begin_block(cache: &mut Cache<'_>, time: u64) -> Result<(), AppError> {
    if load_config(cache)?.is_some() {
        cache.set(KEY_LAST_BLOCK_TIME.to_vec(), time.to_be_bytes().to_vec());
    }
    Ok(())
}

/// The beacon slot at `time`: `(time - genesis_time) / SECONDS_PER_SLOT`, 0 before genesis.
pub fn slot_at(config: &EthConfig, time: u64) -> u64 {
    time.saturating_sub(config.chain.genesis_time) / config.chain.seconds_per_slot.max(1)
}

// ----- the trusted ring -----

fn ring_pushed(cache: &Cache<'_>) -> Result<u64, AppError> {
    match cache.get(KEY_RING_META)? {
        Some(bytes) => u64_value(KEY_RING_META, &bytes),
        None => Ok(0),
    }
}

fn slot_key(config: &EthConfig, seq: u64) -> Vec<u8> {
    let slot = (seq % u64::from(config.trusted_ring_size.max(1))) as u32;
    [PREFIX_RING_SLOT, &slot.to_be_bytes()[..]].concat()
}

fn hash_key(hash: &[u8; 32]) -> Vec<u8> {
    [PREFIX_RING_HASH, &hash[..]].concat()
}

fn decode_slot(key: &[u8], bytes: &[u8]) -> Result<RingEntry, AppError> {
    let mut hash = [0u8; 32];
    match bytes.len() {
        48 => {
            hash.copy_from_slice(&bytes[8..40]);
            Ok(RingEntry {
                number: u64_value(key, &bytes[..8])?.into(),
                hash,
                timestamp: u64_value(key, &bytes[40..])?.into(),
            })
        }
        32 => {
            hash.copy_from_slice(bytes);
            Ok(RingEntry::hash_only(hash))
        }
        _ => Err(corrupt(key, "ring slot is neither 48 nor 32 bytes")),
    }
}

/// The slot value: `number ‖ hash ‖ timestamp` when known, the hash alone otherwise.
fn encode_slot(entry: &RingEntry) -> Vec<u8> {
    match entry.known() {
        Some(block) => {
            let mut value = Vec::with_capacity(48);
            value.extend_from_slice(&block.number.to_be_bytes());
            value.extend_from_slice(&block.hash);
            value.extend_from_slice(&block.timestamp.to_be_bytes());
            value
        }
        None => entry.hash.to_vec(),
    }
}

/// Writes `entry` at `seq`: its slot and its hash index (`number ‖ timestamp` when known, the
/// seq while unknown).
fn ring_write(cache: &mut Cache<'_>, config: &EthConfig, seq: u64, entry: &RingEntry) {
    cache.set(slot_key(config, seq), encode_slot(entry));
    let index = match entry.known() {
        Some(block) => [block.number.to_be_bytes(), block.timestamp.to_be_bytes()].concat(),
        None => seq.to_be_bytes().to_vec(),
    };
    cache.set(hash_key(&entry.hash), index);
}

fn ring_entry(cache: &Cache<'_>, config: &EthConfig, seq: u64) -> Result<RingEntry, AppError> {
    let key = slot_key(config, seq);
    let bytes = cache.get(&key)?.ok_or_else(|| corrupt(&key, "ring slot missing"))?;
    decode_slot(&key, &bytes)
}

/// `(oldest seq, len)` of the ring.
fn ring_window(cache: &Cache<'_>, config: &EthConfig) -> Result<(u64, u64), AppError> {
    let pushed = ring_pushed(cache)?;
    let len = pushed.min(u64::from(config.trusted_ring_size));
    Ok((pushed - len, len))
}

/// Pushes a finalized execution block into the ring, dropping the oldest beyond the bound.
///
/// Ignored (returns `false`): the zero hash, a hash already in the ring (a Gloas finalized
/// header may name the same execution block again when a payload was withheld), and a block
/// whose number is known and not above the newest entry's known number (the ring is ordered by
/// number). An entry of unknown number is accepted after any entry: entries are pushed in
/// finality order, so each is a descendant of the previous ones.
pub fn ring_push(
    cache: &mut Cache<'_>,
    config: &EthConfig,
    block: impl Into<RingEntry>,
) -> Result<bool, AppError> {
    let entry = block.into();
    // The zero hash names no block (a Gloas header at genesis carries the genesis block's
    // parent hash, zero): nothing can be proven from it.
    if entry.hash == [0; 32] || cache.get(&hash_key(&entry.hash))?.is_some() {
        return Ok(false);
    }
    let (oldest, len) = ring_window(cache, config)?;
    if len > 0 {
        let newest = ring_entry(cache, config, oldest + len - 1)?;
        if let (Some(newest), Some(number)) = (newest.number.get(), entry.number.get()) {
            if newest >= number {
                return Ok(false);
            }
        }
    }
    let seq = oldest + len;
    if len == u64::from(config.trusted_ring_size) {
        let evicted = ring_entry(cache, config, oldest)?;
        cache.delete(hash_key(&evicted.hash));
    }
    ring_write(cache, config, seq, &entry);
    let pushed = seq.checked_add(1).ok_or(AppError::Overflow("ring sequence"))?;
    cache.set(KEY_RING_META.to_vec(), pushed.to_be_bytes().to_vec());
    Ok(true)
}

fn ring_clear(cache: &mut Cache<'_>, config: &EthConfig) -> Result<(), AppError> {
    let (oldest, len) = ring_window(cache, config)?;
    for seq in oldest..oldest + len {
        let entry = ring_entry(cache, config, seq)?;
        cache.delete(hash_key(&entry.hash));
        cache.delete(slot_key(config, seq));
    }
    cache.set(KEY_RING_META.to_vec(), 0u64.to_be_bytes().to_vec());
    Ok(())
}

/// A ring entry found by hash, with its seq when its number is still unknown (to record it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RingHit {
    /// Number and timestamp known.
    Known(TrustedBlock),
    /// Hash only, stored at this seq.
    Unknown { seq: u64 },
}

fn ring_lookup(
    cache: &Cache<'_>,
    config: &EthConfig,
    hash: &[u8; 32],
) -> Result<Option<RingHit>, AppError> {
    let key = hash_key(hash);
    let Some(bytes) = cache.get(&key)? else { return Ok(None) };
    match bytes.len() {
        16 => Ok(Some(RingHit::Known(TrustedBlock {
            number: u64_value(&key, &bytes[..8])?,
            hash: *hash,
            timestamp: u64_value(&key, &bytes[8..])?,
        }))),
        8 => {
            let seq = u64_value(&key, &bytes)?;
            // The index must point at a live slot holding this very hash.
            let (oldest, len) = ring_window(cache, config)?;
            if seq < oldest || seq >= oldest + len || ring_entry(cache, config, seq)?.hash != *hash
            {
                return Err(corrupt(&key, "ring index points at another slot"));
            }
            Ok(Some(RingHit::Unknown { seq }))
        }
        _ => Err(corrupt(&key, "ring index is neither 16 nor 8 bytes")),
    }
}

/// Records the number and timestamp of the entry at `seq`, learnt from the RLP header that
/// hashes to it. The neighbours' known numbers must bracket it (the ring stays ordered; a
/// header hashing to a trusted hash cannot lie, so a violation means a corrupted ring).
fn ring_record_number(
    cache: &mut Cache<'_>,
    config: &EthConfig,
    seq: u64,
    block: TrustedBlock,
) -> Result<(), AppError> {
    let (oldest, len) = ring_window(cache, config)?;
    if seq > oldest {
        if let Some(previous) = ring_entry(cache, config, seq - 1)?.number.get() {
            if previous >= block.number {
                return Err(AppError::EthProof(format!(
                    "trusted block number {} is not above the previous ring entry's {previous}",
                    block.number
                )));
            }
        }
    }
    if seq + 1 < oldest + len {
        if let Some(next) = ring_entry(cache, config, seq + 1)?.number.get() {
            if next <= block.number {
                return Err(AppError::EthProof(format!(
                    "trusted block number {} is not below the next ring entry's {next}",
                    block.number
                )));
            }
        }
    }
    ring_write(cache, config, seq, &RingEntry::from(block));
    Ok(())
}

/// The newest ring entry (its number may be unknown).
pub fn ring_latest(cache: &Cache<'_>, config: &EthConfig) -> Result<Option<RingEntry>, AppError> {
    let (oldest, len) = ring_window(cache, config)?;
    if len == 0 {
        return Ok(None);
    }
    ring_entry(cache, config, oldest + len - 1).map(Some)
}

/// The ring entry at `position` (0 = the oldest), if the ring is that long.
pub fn ring_at_position(
    cache: &Cache<'_>,
    config: &EthConfig,
    position: u64,
) -> Result<Option<RingEntry>, AppError> {
    let (oldest, len) = ring_window(cache, config)?;
    if position >= len {
        return Ok(None);
    }
    ring_entry(cache, config, oldest + position).map(Some)
}

/// The oldest ring entry of known number with `number >= n`. Known numbers increase along the
/// ring, so this is a binary search; an entry of unknown number at the probe moves the probe
/// to the next known entry (a linear walk in the worst case of a ring of unknown numbers, which
/// only queries pay: consensus never searches by number).
pub fn ring_first_at_least(
    cache: &Cache<'_>,
    config: &EthConfig,
    n: u64,
) -> Result<Option<TrustedBlock>, AppError> {
    let (oldest, len) = ring_window(cache, config)?;
    let (mut lo, mut hi) = (oldest, oldest + len);
    let mut best = None;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let mut probe = mid;
        let mut found = None;
        while probe < hi {
            if let Some(block) = ring_entry(cache, config, probe)?.known() {
                found = Some(block);
                break;
            }
            probe += 1;
        }
        match found {
            // Nothing known in mid..hi: the answer, if any, is below mid.
            None => hi = mid,
            Some(block) if block.number >= n => {
                best = Some(block);
                hi = mid;
            }
            Some(_) => lo = probe + 1,
        }
    }
    Ok(best)
}

// ----- trusted ancestors (MsgTrustEthAncestor) -----
//
// Blocks proven to be ancestors of a trusted block, kept apart from the ring: the ring is ordered
// by number (finality order), ancestors arrive in any order. A FIFO of at most MAX_ANCESTORS
// entries (slot by seq) with a hash index; the oldest pushed is evicted first.

fn ancestor_pushed(cache: &Cache<'_>) -> Result<u64, AppError> {
    match cache.get(KEY_ANCESTOR_META)? {
        Some(bytes) => u64_value(KEY_ANCESTOR_META, &bytes),
        None => Ok(0),
    }
}

fn ancestor_slot_key(seq: u64) -> Vec<u8> {
    let slot = (seq % MAX_ANCESTORS) as u32;
    [PREFIX_ANCESTOR_SLOT, &slot.to_be_bytes()[..]].concat()
}

fn ancestor_hash_key(hash: &[u8; 32]) -> Vec<u8> {
    [PREFIX_ANCESTOR_HASH, &hash[..]].concat()
}

/// `(oldest seq, len)` of the ancestor FIFO.
fn ancestor_window(cache: &Cache<'_>) -> Result<(u64, u64), AppError> {
    let pushed = ancestor_pushed(cache)?;
    let len = pushed.min(MAX_ANCESTORS);
    Ok((pushed - len, len))
}

fn ancestor_entry(cache: &Cache<'_>, seq: u64) -> Result<TrustedBlock, AppError> {
    let key = ancestor_slot_key(seq);
    let bytes = cache.get(&key)?.ok_or_else(|| corrupt(&key, "ancestor slot missing"))?;
    decode_slot(&key, &bytes)?.known().ok_or_else(|| corrupt(&key, "ancestor slot is not 48 bytes"))
}

/// The trusted ancestor of hash `hash`, if any.
pub fn ancestor_lookup(
    cache: &Cache<'_>,
    hash: &[u8; 32],
) -> Result<Option<TrustedBlock>, AppError> {
    let key = ancestor_hash_key(hash);
    let Some(bytes) = cache.get(&key)? else { return Ok(None) };
    if bytes.len() != 16 {
        return Err(corrupt(&key, "ancestor index is not 16 bytes"));
    }
    Ok(Some(TrustedBlock {
        number: u64_value(&key, &bytes[..8])?,
        hash: *hash,
        timestamp: u64_value(&key, &bytes[8..])?,
    }))
}

/// Pushes a proven ancestor, evicting the oldest pushed beyond [`MAX_ANCESTORS`]. The caller
/// checked that `block` is in neither the ring nor the FIFO.
fn ancestor_push(cache: &mut Cache<'_>, block: TrustedBlock) -> Result<(), AppError> {
    let (oldest, len) = ancestor_window(cache)?;
    if len == MAX_ANCESTORS {
        let evicted = ancestor_entry(cache, oldest)?;
        cache.delete(ancestor_hash_key(&evicted.hash));
    }
    let seq = oldest + len;
    cache.set(ancestor_slot_key(seq), encode_slot(&RingEntry::from(block)));
    cache.set(
        ancestor_hash_key(&block.hash),
        [block.number.to_be_bytes(), block.timestamp.to_be_bytes()].concat(),
    );
    let pushed = seq.checked_add(1).ok_or(AppError::Overflow("ancestor sequence"))?;
    cache.set(KEY_ANCESTOR_META.to_vec(), pushed.to_be_bytes().to_vec());
    Ok(())
}

/// Forgets every ancestor (a governance reset re-roots trust: nothing derived from the old
/// checkpoint survives it).
fn ancestor_clear(cache: &mut Cache<'_>) -> Result<(), AppError> {
    let (oldest, len) = ancestor_window(cache)?;
    for seq in oldest..oldest + len {
        let entry = ancestor_entry(cache, seq)?;
        cache.delete(ancestor_hash_key(&entry.hash));
        cache.delete(ancestor_slot_key(seq));
    }
    cache.set(KEY_ANCESTOR_META.to_vec(), 0u64.to_be_bytes().to_vec());
    Ok(())
}

/// The number of trusted ancestors held.
pub fn ancestor_count(cache: &Cache<'_>) -> Result<u64, AppError> {
    ancestor_window(cache).map(|(_, len)| len)
}

/// The trusted ancestor of smallest number `>= n`. Ancestors are not ordered, so this scans the
/// FIFO (at most [`MAX_ANCESTORS`] reads): only queries pay it, consensus never searches by
/// number.
pub fn ancestor_first_at_least(
    cache: &Cache<'_>,
    n: u64,
) -> Result<Option<TrustedBlock>, AppError> {
    let (oldest, len) = ancestor_window(cache)?;
    let mut best: Option<TrustedBlock> = None;
    for seq in oldest..oldest + len {
        let entry = ancestor_entry(cache, seq)?;
        if entry.number >= n && best.is_none_or(|b| entry.number < b.number) {
            best = Some(entry);
        }
    }
    Ok(best)
}

/// The trusted block of smallest number `>= n` among the ring's known entries and the
/// ancestors (`/eth/trusted/<n>`).
pub fn trusted_first_at_least(
    cache: &Cache<'_>,
    config: &EthConfig,
    n: u64,
) -> Result<Option<TrustedBlock>, AppError> {
    let ring = ring_first_at_least(cache, config, n)?;
    let ancestor = ancestor_first_at_least(cache, n)?;
    Ok(match (ring, ancestor) {
        (Some(r), Some(a)) => Some(if a.number < r.number { a } else { r }),
        (r, a) => r.or(a),
    })
}

/// A trusted block found by hash: in the ring (possibly of unknown number) or among the
/// ancestors (always known; reported as [`RingHit::Known`]).
fn trusted_lookup(
    cache: &Cache<'_>,
    config: &EthConfig,
    hash: &[u8; 32],
) -> Result<Option<RingHit>, AppError> {
    if let Some(hit) = ring_lookup(cache, config, hash)? {
        return Ok(Some(hit));
    }
    Ok(ancestor_lookup(cache, hash)?.map(RingHit::Known))
}

/// Checks that the verified `top` header is the trusted block `trusted` says, and records its
/// number when the ring knew the hash only (Gloas): the header hashing to the trusted hash
/// proves number and timestamp, so lookups by number find the entry from now on.
fn settle_trusted_top(
    cache: &mut Cache<'_>,
    config: &EthConfig,
    trusted: RingHit,
    hash: [u8; 32],
    top: &light_client::execution::HeaderFields,
) -> Result<Option<Event>, AppError> {
    match trusted {
        RingHit::Known(known) => {
            if top.number != known.number {
                return Err(AppError::EthProof(
                    "the trusted header's number differs from the ring's".into(),
                ));
            }
            Ok(None)
        }
        RingHit::Unknown { seq } => {
            let learnt = TrustedBlock { number: top.number, hash, timestamp: top.timestamp };
            ring_record_number(cache, config, seq, learnt)?;
            Ok(Some(event(
                "eth_trusted_block_number",
                &[
                    ("number", learnt.number.to_string()),
                    ("hash", hex0x(&learnt.hash)),
                    ("timestamp", learnt.timestamp.to_string()),
                ],
            )))
        }
    }
}

/// The execution block of a finalized header: number, hash and timestamp from Capella to Fulu,
/// the hash alone from Gloas on; `None` before Capella and for a zero hash.
fn finalized_execution(store: &AnyStore) -> Option<RingEntry> {
    header_execution(store.finalized_header())
}

fn header_execution(header: &light_client::types::LightClientHeader) -> Option<RingEntry> {
    use light_client::types::LightClientExecution;
    let entry = match &header.execution {
        LightClientExecution::Capella(h) => Some(RingEntry::from(TrustedBlock {
            number: h.block_number,
            hash: h.block_hash.0,
            timestamp: h.timestamp,
        })),
        LightClientExecution::Deneb(h) => Some(RingEntry::from(TrustedBlock {
            number: h.block_number,
            hash: h.block_hash.0,
            timestamp: h.timestamp,
        })),
        LightClientExecution::BlockHash(hash) => Some(RingEntry::hash_only(hash.0)),
        LightClientExecution::None => None,
    };
    // A zero hash names no execution block (a Gloas header at genesis: the genesis block's parent).
    entry.filter(|e| e.hash != [0; 32])
}

// ----- genesis -----

/// Writes the module's genesis state: configuration, store, ring seeded with the bootstrap's
/// execution block, next event nonce.
pub fn init_genesis(cache: &mut Cache<'_>, eth: &CheckedEth) -> Result<(), AppError> {
    save_config(cache, &eth.config)?;
    let bytes = eth.store.snapshot_bytes()?;
    cache.set(KEY_STORE.to_vec(), bytes);
    cache.set(KEY_NEXT_EVENT_NONCE.to_vec(), eth.next_event_nonce.to_be_bytes().to_vec());
    cache.set(KEY_RING_META.to_vec(), 0u64.to_be_bytes().to_vec());
    cache.set(KEY_LAST_BLOCK_TIME.to_vec(), 0u64.to_be_bytes().to_vec());
    if let Some(block) = finalized_execution(&eth.store) {
        ring_push(cache, &eth.config, block)?;
    }
    Ok(())
}

// ----- MsgUpdateEthClient -----

/// Executes `MsgUpdateEthClient` (§2.1).
pub fn update_client(
    cache: &mut Cache<'_>,
    eth_cache: &mut EthCache,
    ctx: BlockContext,
    msg: &MsgUpdateEthClient,
) -> Result<Vec<Event>, AppError> {
    let config = require_config(cache)?;
    let fork = ForkName::from_str(&msg.fork).map_err(|e| AppError::EthClient(e.to_string()))?;
    let current_slot = slot_at(&config, ctx.time);
    let mut store = load_store(cache, eth_cache, &config)?;
    let outcome = store.apply_update(&config.chain, fork, msg.kind, &msg.update, current_slot)?;
    let mut events = vec![event(
        "eth_client_update",
        &[
            ("kind", msg.kind.as_str().to_owned()),
            ("fork", msg.fork.clone()),
            ("applied", outcome.applied.to_string()),
            ("finalized_slot", store.finalized_header().beacon.slot.to_string()),
            ("optimistic_slot", store.optimistic_slot().to_string()),
        ],
    )];
    if outcome.finalized_advanced {
        if let Some(block) = finalized_execution(&store) {
            if ring_push(cache, &config, block)? {
                // Number and timestamp only when the header carries them (not Gloas).
                let mut attributes = vec![("hash", hex0x(&block.hash))];
                if let Some(known) = block.known() {
                    attributes.insert(0, ("number", known.number.to_string()));
                    attributes.push(("timestamp", known.timestamp.to_string()));
                }
                events.push(event("eth_trusted_block", &attributes));
            }
        }
    }
    save_store(cache, eth_cache, store)?;
    Ok(events)
}

// ----- MsgSubmitEthEvents -----

/// A verified event with the block it came from.
struct ProvenEvent {
    event: PegEvent,
    block_number: u64,
}

/// Executes `MsgSubmitEthEvents` (§2.2): the nonce first, then the proofs, then the effects.
pub fn submit_events(
    cache: &mut Cache<'_>,
    msg: &MsgSubmitEthEvents,
) -> Result<Vec<Event>, AppError> {
    let config = require_config(cache)?;
    let expected = next_event_nonce(cache)?;
    if msg.first_event_nonce < expected {
        return Err(AppError::EthEventNonce(format!(
            "event nonce {} already processed (next expected {expected})",
            msg.first_event_nonce
        )));
    }
    if msg.first_event_nonce > expected {
        return Err(AppError::EthEventNonce(format!(
            "event nonce {} is in the future (next expected {expected})",
            msg.first_event_nonce
        )));
    }
    let trusted = trusted_lookup(cache, &config, &msg.trusted_block_hash)?
        .ok_or_else(|| AppError::EthUntrustedBlock { hash: hex0x(&msg.trusted_block_hash) })?;
    let chain = verify_header_chain(B256::from(msg.trusted_block_hash), &msg.headers)
        .map_err(|e| AppError::EthProof(format!("header chain: {e}")))?;
    let top = chain.first().ok_or_else(|| AppError::EthProof("no headers".into()))?;
    if let RingHit::Known(known) = trusted {
        if top.number != known.number {
            return Err(AppError::EthProof(
                "the trusted header's number differs from the ring's".into(),
            ));
        }
    }
    let proven = prove_events(&config, msg, &chain)?;
    // The newest event's block: the observation the applied events support (observed.rs).
    let newest = proven.last().and_then(|item| {
        let header = chain.iter().find(|h| h.number == item.block_number)?;
        Some(EthObservation {
            block_number: header.number,
            timestamp: header.timestamp,
            event_nonce: item.event.event_nonce(),
        })
    });
    let mut events = Vec::with_capacity(proven.len() + 1);
    events.extend(settle_trusted_top(cache, &config, trusted, msg.trusted_block_hash, top)?);
    for item in proven {
        events.extend(apply_event(cache, &config, item)?);
    }
    let next = expected
        .checked_add(u64::try_from(msg.event_count()).map_err(|_| AppError::Overflow("events"))?)
        .ok_or(AppError::Overflow("event nonce"))?;
    cache.set(KEY_NEXT_EVENT_NONCE.to_vec(), next.to_be_bytes().to_vec());
    events.extend(observed::after_events(cache, newest)?);
    Ok(events)
}

// ----- MsgTrustEthAncestor -----

/// Executes `MsgTrustEthAncestor` (§2.4): the oldest header becomes a trusted ancestor once the
/// chain from a trusted block down to it verifies. Cheap refusals come first: one keccak of the
/// oldest header ("already trusted"), then the trusted-set lookup, then the chain.
pub fn trust_ancestor(
    cache: &mut Cache<'_>,
    msg: &MsgTrustEthAncestor,
) -> Result<Vec<Event>, AppError> {
    let config = require_config(cache)?;
    let oldest = msg.headers.last().ok_or_else(|| AppError::EthProof("no headers".into()))?;
    let oldest_hash: [u8; 32] = keccak256(oldest).0;
    if let Some(hit) = trusted_lookup(cache, &config, &oldest_hash)? {
        let number = match hit {
            RingHit::Known(block) => block.number.to_string(),
            RingHit::Unknown { .. } => "unknown".to_owned(),
        };
        return Err(AppError::EthAlreadyTrusted(format!(
            "block {} (number {number}) is already trusted",
            hex0x(&oldest_hash)
        )));
    }
    let trusted = trusted_lookup(cache, &config, &msg.trusted_block_hash)?
        .ok_or_else(|| AppError::EthUntrustedBlock { hash: hex0x(&msg.trusted_block_hash) })?;
    let chain = verify_header_chain(B256::from(msg.trusted_block_hash), &msg.headers)
        .map_err(|e| AppError::EthProof(format!("header chain: {e}")))?;
    let (Some(top), Some(last)) = (chain.first(), chain.last()) else {
        return Err(AppError::EthProof("no headers".into()));
    };
    let mut events = Vec::with_capacity(2);
    events.extend(settle_trusted_top(cache, &config, trusted, msg.trusted_block_hash, top)?);
    let ancestor =
        TrustedBlock { number: last.number, hash: last.hash.0, timestamp: last.timestamp };
    ancestor_push(cache, ancestor)?;
    events.push(event(
        "eth_trusted_ancestor",
        &[
            ("number", ancestor.number.to_string()),
            ("hash", hex0x(&ancestor.hash)),
            ("timestamp", ancestor.timestamp.to_string()),
            ("from", hex0x(&msg.trusted_block_hash)),
            ("from_number", top.number.to_string()),
        ],
    ));
    Ok(events)
}

fn prove_events(
    config: &EthConfig,
    msg: &MsgSubmitEthEvents,
    chain: &[light_client::execution::HeaderFields],
) -> Result<Vec<ProvenEvent>, AppError> {
    let bridge: Address = config.bridge_contract;
    let mut nonce = msg.first_event_nonce;
    let mut proven = Vec::with_capacity(msg.event_count());
    for (r, item) in msg.receipts.iter().enumerate() {
        let header = chain.get(item.header_index as usize).ok_or_else(|| {
            AppError::EthProof(format!("receipt {r} names header {}", item.header_index))
        })?;
        let receipt =
            verify_receipt_proof(header.receipts_root, u64::from(item.tx_index), &item.proof)
                .map_err(|e| AppError::EthProof(format!("receipt {r}: {e}")))?;
        if receipt.is_success() != Some(true) {
            return Err(AppError::EthProof(format!(
                "receipt {r} (block {}, tx {}) is not a successful transaction",
                header.number, item.tx_index
            )));
        }
        for &index in &item.log_indices {
            let log = receipt
                .log(index as usize)
                .map_err(|e| AppError::EthProof(format!("receipt {r}: {e}")))?;
            if log.address != bridge {
                return Err(AppError::EthProof(format!(
                    "receipt {r} log {index} was emitted by {}, not the bridge {bridge}",
                    log.address
                )));
            }
            let event = PegEvent::decode_raw_log(&log.topics, &log.data)
                .map_err(|e| AppError::EthProof(format!("receipt {r} log {index}: {e}")))?;
            if event.event_nonce() != nonce {
                return Err(AppError::EthProof(format!(
                    "receipt {r} log {index} has event nonce {}, expected {nonce} (events must be consecutive)",
                    event.event_nonce()
                )));
            }
            nonce = nonce.checked_add(1).ok_or(AppError::Overflow("event nonce"))?;
            proven.push(ProvenEvent { event, block_number: header.number });
        }
    }
    Ok(proven)
}

fn amount_u128(amount: U256) -> Option<u128> {
    u128::try_from(amount).ok()
}

fn record(cache: &mut Cache<'_>, item: &ProvenEvent, result: &str) -> Result<Event, AppError> {
    let nonce = item.event.event_nonce();
    let detail = serde_json::to_value(&item.event)
        .map_err(|_| AppError::EthProof("event does not serialize".into()))?;
    let record = EventRecord {
        nonce: nonce.to_string(),
        kind: item.event.name().to_owned(),
        block_number: item.block_number,
        tx_hash: None,
        result: result.to_owned(),
        detail,
    };
    let key = [PREFIX_EVENT, &nonce.to_be_bytes()[..]].concat();
    let bytes = serde_json::to_vec(&record).map_err(|_| corrupt(&key, "record JSON"))?;
    cache.set(key, bytes);
    Ok(event(
        "eth_event",
        &[
            ("nonce", nonce.to_string()),
            ("kind", item.event.name().to_owned()),
            ("block_number", item.block_number.to_string()),
            ("result", result.to_owned()),
        ],
    ))
}

fn voucher_key(token: &EthAddress) -> Vec<u8> {
    [PREFIX_VOUCHER, &token.as_bytes()[..]].concat()
}

/// The voucher supply of `token`.
pub fn voucher_supply(cache: &Cache<'_>, token: &EthAddress) -> Result<u128, AppError> {
    let key = voucher_key(token);
    match cache.get(&key)? {
        Some(bytes) => {
            let array: [u8; 16] =
                bytes.as_slice().try_into().map_err(|_| corrupt(&key, "supply is not 16 bytes"))?;
            Ok(u128::from_be_bytes(array))
        }
        None => Ok(0),
    }
}

/// Burns `amount` of `token`'s vouchers from the supply (the bridge pool already gave up the
/// coins): an executed batch released that much from the contract, so supply keeps matching
/// what the contract holds.
pub fn burn_voucher(
    cache: &mut Cache<'_>,
    token: &EthAddress,
    amount: u128,
) -> Result<(), AppError> {
    let supply = voucher_supply(cache, token)?;
    let left = supply.checked_sub(amount).ok_or_else(|| {
        corrupt(&voucher_key(token), "voucher supply below an executed batch's amount")
    })?;
    cache.set(voucher_key(token), left.to_be_bytes().to_vec());
    Ok(())
}

fn voucher_tokens(cache: &Cache<'_>) -> Result<Vec<EthAddress>, AppError> {
    let tokens = fixed_list::<20>(cache, KEY_VOUCHER_TOKENS, "token list is not 20-byte entries")?;
    Ok(tokens.into_iter().map(EthAddress::new).collect())
}

/// Reads `key` as a concatenation of `N`-byte items (absent: empty); `what` names the
/// corruption when the length is not a multiple of `N`.
pub(crate) fn fixed_list<const N: usize>(
    cache: &Cache<'_>,
    key: &[u8],
    what: &'static str,
) -> Result<Vec<[u8; N]>, AppError> {
    let Some(bytes) = cache.get(key)? else { return Ok(Vec::new()) };
    if bytes.len() % N != 0 {
        return Err(corrupt(key, what));
    }
    Ok(bytes
        .chunks_exact(N)
        .map(|chunk| {
            let mut item = [0u8; N];
            item.copy_from_slice(chunk);
            item
        })
        .collect())
}

fn adopted_denoms(cache: &Cache<'_>) -> Result<Vec<String>, AppError> {
    match cache.get(KEY_ADOPTED_DENOMS)? {
        Some(bytes) => serde_json::from_slice(&bytes)
            .map_err(|_| corrupt(KEY_ADOPTED_DENOMS, "denom list JSON")),
        None => Ok(Vec::new()),
    }
}

/// The CosmosERC20 adopted for `denom`.
pub fn token_of_denom(cache: &Cache<'_>, denom: &str) -> Result<Option<EthAddress>, AppError> {
    let key = [PREFIX_TOKEN_BY_DENOM, denom.as_bytes()].concat();
    cache
        .get(&key)?
        .map(|bytes| {
            let a: [u8; 20] =
                bytes.as_slice().try_into().map_err(|_| corrupt(&key, "token is not 20 bytes"))?;
            Ok(EthAddress::new(a))
        })
        .transpose()
}

/// The native denom an adopted CosmosERC20 represents.
pub fn denom_of_token(cache: &Cache<'_>, token: &EthAddress) -> Result<Option<String>, AppError> {
    let key = [PREFIX_TOKEN_BY_ADDRESS, &token.as_bytes()[..]].concat();
    cache
        .get(&key)?
        .map(|bytes| String::from_utf8(bytes).map_err(|_| corrupt(&key, "denom is not UTF-8")))
        .transpose()
}

fn apply_event(
    cache: &mut Cache<'_>,
    config: &EthConfig,
    item: ProvenEvent,
) -> Result<Vec<Event>, AppError> {
    let mut events = Vec::new();
    let result = match &item.event {
        PegEvent::Locked(t) => match amount_u128(t.amount) {
            None => format!("failed: amount {} exceeds 2^128 - 1", t.amount),
            Some(amount) => {
                let receiver = AccAddress::new(*t.receiver.as_bytes());
                let denom = voucher_denom(&t.token);
                let supply = voucher_supply(cache, &t.token)?;
                let new_supply = supply.checked_add(amount);
                match new_supply {
                    None => "failed: voucher supply would exceed 2^128 - 1".to_owned(),
                    Some(new_supply) => {
                        if supply == 0 && !voucher_tokens(cache)?.contains(&t.token) {
                            let mut list = cache.get(KEY_VOUCHER_TOKENS)?.unwrap_or_default();
                            list.extend_from_slice(t.token.as_bytes());
                            cache.set(KEY_VOUCHER_TOKENS.to_vec(), list);
                        }
                        cache.set(voucher_key(&t.token), new_supply.to_be_bytes().to_vec());
                        cache.account_or_create(&receiver)?;
                        cache.add_balance(&receiver, &denom, amount)?;
                        events.push(event(
                            "voucher_minted",
                            &[
                                ("receiver", receiver.to_bech32()),
                                ("denom", denom),
                                ("amount", amount.to_string()),
                                ("nonce", t.event_nonce.to_string()),
                            ],
                        ));
                        "applied".to_owned()
                    }
                }
            }
        },
        PegEvent::Burned(t) => match (denom_of_token(cache, &t.token)?, amount_u128(t.amount)) {
            (None, _) => format!("failed: token {} is not an adopted CosmosERC20", t.token),
            (Some(_), None) => format!("failed: amount {} exceeds 2^128 - 1", t.amount),
            (Some(denom), Some(amount)) => {
                let escrow = escrow_address();
                let held = cache.balance(&escrow, &denom)?;
                if held < amount {
                    format!("failed: escrow holds {held}{denom}, release needs {amount}{denom}")
                } else {
                    let receiver = AccAddress::new(*t.receiver.as_bytes());
                    cache.transfer(&escrow, &receiver, &denom, amount)?;
                    events.push(event(
                        "escrow_released",
                        &[
                            ("receiver", receiver.to_bech32()),
                            ("denom", denom),
                            ("amount", amount.to_string()),
                            ("nonce", t.event_nonce.to_string()),
                        ],
                    ));
                    "applied".to_owned()
                }
            }
        },
        PegEvent::TokenDeployed(t) => {
            let registered = crate::bridge::registered_native_denom(cache, &t.denom)?;
            match config.native_denoms.iter().find(|n| n.denom == t.denom).or(registered.as_ref()) {
                None => format!("ignored: {:?} is not a native denom", t.denom),
                Some(native)
                    if native.name != t.name
                        || native.symbol != t.symbol
                        || native.decimals != t.decimals =>
                {
                    format!(
                        "ignored: metadata ({:?}, {:?}, {}) differs from the native ({:?}, {:?}, {})",
                        t.name, t.symbol, t.decimals, native.name, native.symbol, native.decimals
                    )
                }
                Some(native) => {
                    if let Some(existing) = token_of_denom(cache, &native.denom)? {
                        format!("ignored: {} already adopted {existing}", native.denom)
                    } else if denom_of_token(cache, &t.token)?.is_some() {
                        format!("ignored: token {} is already adopted", t.token)
                    } else {
                        cache.set(
                            [PREFIX_TOKEN_BY_DENOM, native.denom.as_bytes()].concat(),
                            t.token.as_bytes().to_vec(),
                        );
                        cache.set(
                            [PREFIX_TOKEN_BY_ADDRESS, &t.token.as_bytes()[..]].concat(),
                            native.denom.as_bytes().to_vec(),
                        );
                        let mut denoms = adopted_denoms(cache)?;
                        denoms.push(native.denom.clone());
                        let bytes = serde_json::to_vec(&denoms)
                            .map_err(|_| corrupt(KEY_ADOPTED_DENOMS, "denom list JSON"))?;
                        cache.set(KEY_ADOPTED_DENOMS.to_vec(), bytes);
                        events.push(event(
                            "token_adopted",
                            &[("denom", native.denom.clone()), ("token", t.token.to_string())],
                        ));
                        "applied".to_owned()
                    }
                }
            }
        }
        PegEvent::ValsetUpdated(v) => {
            let bytes = serde_json::to_vec(v)
                .map_err(|_| corrupt(KEY_LAST_VALSET_UPDATED, "valset JSON"))?;
            cache.set(KEY_LAST_VALSET_UPDATED.to_vec(), bytes);
            events.extend(crate::bridge::on_valset_updated(cache, v.valset.nonce)?);
            "applied".to_owned()
        }
        PegEvent::BatchExecuted(b) => {
            let key =
                [PREFIX_BATCH_EXECUTED, &b.token.as_bytes()[..], &b.batch_nonce.to_be_bytes()[..]]
                    .concat();
            cache.set(key, b.event_nonce.to_be_bytes().to_vec());
            events.extend(crate::bridge::on_batch_executed(cache, &b.token, b.batch_nonce)?);
            "applied".to_owned()
        }
    };
    events.insert(0, record(cache, &item, &result)?);
    Ok(events)
}

// ----- MsgEthGovernance -----

/// Executes `MsgEthGovernance` (§7): records the vote; applies the action once distinct bonded
/// operators holding more than 2/3 of the bonded power voted for it within the voting period.
pub fn governance(
    cache: &mut Cache<'_>,
    eth_cache: &mut EthCache,
    params: &Params,
    ctx: BlockContext,
    msg: &MsgEthGovernance,
) -> Result<Vec<Event>, AppError> {
    let config = require_config(cache)?;
    let set = cache.validator_set()?;
    let mut total: u128 = 0;
    let mut powers = Vec::with_capacity(set.len());
    for operator in &set {
        let power = match cache.validator(operator)? {
            Some(v) => u128::try_from(v.power(params.power_reduction)?).unwrap_or(0),
            None => 0,
        };
        total = total.saturating_add(power);
        powers.push((*operator, power));
    }
    if !powers.iter().any(|(op, power)| *op == msg.operator && *power > 0) {
        return Err(AppError::EthGovernance(format!(
            "{} is not a bonded validator operator",
            msg.operator
        )));
    }
    let id = msg.action.id();
    let key = [PREFIX_GOV, &id[..]].concat();
    let mut proposal = match cache.get(&key)? {
        Some(bytes) => {
            let p: Proposal =
                serde_json::from_slice(&bytes).map_err(|_| corrupt(&key, "proposal JSON"))?;
            if ctx.height > p.start_height.saturating_add(config.governance_voting_period) {
                Proposal { start_height: ctx.height, voters: Vec::new() }
            } else {
                p
            }
        }
        None => Proposal { start_height: ctx.height, voters: Vec::new() },
    };
    let me = msg.operator.to_bech32();
    if proposal.voters.contains(&me) {
        return Err(AppError::EthGovernance(format!(
            "{me} already voted for {} {}",
            msg.action.name(),
            hex0x(&id)
        )));
    }
    proposal.voters.push(me.clone());
    let voted: u128 = powers
        .iter()
        .filter(|(op, _)| proposal.voters.contains(&op.to_bech32()))
        .map(|(_, p)| *p)
        .fold(0u128, u128::saturating_add);
    let mut events = vec![event(
        "eth_governance_vote",
        &[
            ("operator", me),
            ("action", msg.action.name().to_owned()),
            ("id", hex0x(&id)),
            ("voted_power", voted.to_string()),
            ("total_power", total.to_string()),
        ],
    )];
    if voted.saturating_mul(3) > total.saturating_mul(2) {
        apply_governance(cache, eth_cache, config, &msg.action)?;
        cache.delete(key);
        events.push(event(
            "eth_governance_applied",
            &[("action", msg.action.name().to_owned()), ("id", hex0x(&id))],
        ));
    } else {
        let bytes = serde_json::to_vec(&proposal).map_err(|_| corrupt(&key, "proposal JSON"))?;
        cache.set(key, bytes);
    }
    governance_query::track(cache, &id, &msg.action, ctx.height)?;
    Ok(events)
}

fn apply_governance(
    cache: &mut Cache<'_>,
    eth_cache: &mut EthCache,
    mut config: EthConfig,
    action: &EthGovernanceAction,
) -> Result<(), AppError> {
    match action {
        EthGovernanceAction::ResetCheckpoint { fork, bootstrap_ssz, trusted_block_root } => {
            let fork =
                ForkName::from_str(fork).map_err(|e| AppError::EthGovernance(e.to_string()))?;
            let store = AnyStore::bootstrap_ssz(
                config.preset,
                &config.chain,
                fork,
                bootstrap_ssz,
                *trusted_block_root,
            )
            .map_err(|e| AppError::EthGovernance(format!("reset refused: {e}")))?;
            ring_clear(cache, &config)?;
            ancestor_clear(cache)?;
            if let Some(block) = finalized_execution(&store) {
                ring_push(cache, &config, block)?;
            }
            save_store(cache, eth_cache, store)?;
        }
        EthGovernanceAction::SetForkSchedule { forks } => {
            for fork in forks {
                let name = ForkName::from_str(&fork.name)
                    .map_err(|e| AppError::EthGovernance(e.to_string()))?;
                let index = ForkName::ALL
                    .iter()
                    .position(|f| *f == name)
                    .ok_or_else(|| AppError::EthGovernance(format!("unknown fork {name}")))?;
                if let Some(entry) = config.chain.forks.get_mut(index) {
                    entry.version = fork.version.into();
                    entry.epoch = fork.epoch;
                }
            }
            config
                .chain
                .validate()
                .map_err(|e| AppError::EthGovernance(format!("fork schedule refused: {e}")))?;
            save_config(cache, &config)?;
        }
    }
    Ok(())
}

// ----- queries (§9) -----

/// `/eth/client`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    /// Whether the module runs.
    pub enabled: bool,
    /// The rest, when enabled.
    #[serde(flatten)]
    pub status: Option<ClientStatus>,
}

/// The light client's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientStatus {
    /// Network label.
    pub network: String,
    /// `minimal` or `mainnet`.
    pub preset: String,
    /// Fork at the finalized slot.
    pub fork: String,
    /// Beacon genesis time.
    pub genesis_time: u64,
    /// Finalized beacon slot.
    pub finalized_slot: u64,
    /// Its block root, `0x…`.
    pub finalized_block_root: String,
    /// Its execution block, when it carries one: from Gloas on, the hash with `null` number and
    /// timestamp (the header carries no more).
    pub finalized_execution: Option<RingEntry>,
    /// Optimistic slot.
    pub optimistic_slot: u64,
    /// Store period.
    pub sync_committee_period: u64,
    /// Whether the next committee is known.
    pub next_sync_committee_known: bool,
    /// Slot at the last block time.
    pub current_slot: u64,
    /// Next expected event nonce, decimal.
    pub next_event_nonce: String,
    /// `0x…`.
    pub bridge_contract: String,
    /// `0x…`.
    pub bridge_id: String,
    /// The ring.
    pub trusted: RingView,
    /// Trusted ancestors held (`MsgTrustEthAncestor`), at most [`MAX_ANCESTORS`].
    pub ancestors: u64,
}

/// The ring's extent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingView {
    /// Entries.
    pub len: u64,
    /// The oldest entry's block number (`null` when empty or unknown: Gloas).
    pub oldest: Option<u64>,
    /// The newest entry's block number (`null` when empty or unknown: Gloas); the newest entry
    /// itself is `/eth/trusted/latest`.
    pub newest: Option<u64>,
}

/// An entry of `/eth/vouchers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoucherView {
    /// `eth/0x…`.
    pub denom: String,
    /// `0x…`.
    pub token: String,
    /// Decimal supply.
    pub supply: String,
}

/// An entry of `/eth/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    /// The native denom.
    pub denom: String,
    /// The adopted CosmosERC20, `0x…`.
    pub token: String,
    /// Native coins in escrow, decimal.
    pub escrowed: String,
}

/// Query errors: `(code, log)`.
pub type QueryError = (u32, String);

/// Answers `/eth/<path>` (JSON).
pub fn query(cache: &Cache<'_>, path: &str) -> Result<Vec<u8>, QueryError> {
    use crate::app::{CODE_BAD_QUERY, CODE_NOT_FOUND};
    let internal = |e: AppError| (crate::error::CODE_INTERNAL, e.to_string());
    let json = |v: &dyn erased::Json| v.to_json().map_err(|e| (crate::error::CODE_INTERNAL, e));
    let config = load_config(cache).map_err(internal)?;
    let (head, arg) = path.split_once('/').unwrap_or((path, ""));
    if head == "client" {
        let Some(config) = config else {
            return json(&ClientView { enabled: false, status: None });
        };
        let bytes = cache
            .get(KEY_STORE)
            .map_err(internal)?
            .ok_or_else(|| internal(corrupt(KEY_STORE, "store missing")))?;
        let summary = client::snapshot_summary(config.preset, &bytes).map_err(internal)?;
        let (oldest_seq, len) = ring_window(cache, &config).map_err(internal)?;
        let (oldest, newest) = if len == 0 {
            (None, None)
        } else {
            (
                ring_entry(cache, &config, oldest_seq).map_err(internal)?.number.get(),
                ring_entry(cache, &config, oldest_seq + len - 1).map_err(internal)?.number.get(),
            )
        };
        let finalized_slot = summary.finalized_header.beacon.slot;
        let fork = config.chain.fork_at_epoch(finalized_slot / summary.slots_per_epoch.max(1));
        let status = ClientStatus {
            network: config.network.clone(),
            preset: config.preset.as_str().to_owned(),
            fork: fork.as_str().to_owned(),
            genesis_time: config.chain.genesis_time,
            finalized_slot,
            finalized_block_root: format!("{}", summary.finalized_header.beacon_root()),
            finalized_execution: header_execution(&summary.finalized_header),
            optimistic_slot: summary.optimistic_slot,
            sync_committee_period: summary.sync_committee_period,
            next_sync_committee_known: summary.next_sync_committee_known,
            current_slot: slot_at(&config, last_block_time(cache).map_err(internal)?),
            next_event_nonce: next_event_nonce(cache).map_err(internal)?.to_string(),
            bridge_contract: format!("{:#x}", config.bridge_contract),
            bridge_id: format!("{}", config.bridge_id),
            trusted: RingView { len, oldest, newest },
            ancestors: ancestor_count(cache).map_err(internal)?,
        };
        return json(&ClientView { enabled: true, status: Some(status) });
    }
    let Some(config) = config else {
        return Err((CODE_NOT_FOUND, "the Ethereum module is not enabled on this chain".into()));
    };
    match head {
        "trusted" if arg == "latest" => match ring_latest(cache, &config).map_err(internal)? {
            Some(entry) => json(&entry),
            None => Err((CODE_NOT_FOUND, "the trusted ring is empty".into())),
        },
        "trusted" if arg.starts_with("position/") => {
            let text = &arg["position/".len()..];
            let i: u64 = text
                .parse()
                .map_err(|_| (CODE_BAD_QUERY, format!("/eth/trusted/{arg}: not a position")))?;
            match ring_at_position(cache, &config, i).map_err(internal)? {
                Some(entry) => json(&entry),
                None => Err((CODE_NOT_FOUND, format!("the trusted ring has no position {i}"))),
            }
        }
        "trusted" => {
            let n: u64 = arg
                .parse()
                .map_err(|_| (CODE_BAD_QUERY, format!("/eth/trusted/{arg}: not a block number")))?;
            match trusted_first_at_least(cache, &config, n).map_err(internal)? {
                Some(block) => json(&block),
                None => Err((CODE_NOT_FOUND, format!("no trusted block with number >= {n} yet"))),
            }
        }
        "events" => {
            let from: u64 = if arg.is_empty() {
                1
            } else {
                arg.parse()
                    .map_err(|_| (CODE_BAD_QUERY, format!("/eth/events/{arg}: not a nonce")))?
            };
            let next = next_event_nonce(cache).map_err(internal)?;
            let mut records = Vec::new();
            let mut nonce = from.max(1);
            while nonce < next && (records.len() as u64) < MAX_EVENTS_PER_QUERY {
                let key = [PREFIX_EVENT, &nonce.to_be_bytes()[..]].concat();
                if let Some(bytes) = cache.get(&key).map_err(internal)? {
                    let record: EventRecord = serde_json::from_slice(&bytes)
                        .map_err(|_| internal(corrupt(&key, "record JSON")))?;
                    records.push(record);
                }
                nonce += 1;
            }
            json(&records)
        }
        "vouchers" => {
            let mut views = Vec::new();
            for token in voucher_tokens(cache).map_err(internal)? {
                views.push(VoucherView {
                    denom: voucher_denom(&token),
                    token: format!("0x{}", hex::encode(token.as_bytes())),
                    supply: voucher_supply(cache, &token).map_err(internal)?.to_string(),
                });
            }
            json(&views)
        }
        "governance" => governance_query::query(cache, &config),
        "observed" if arg.is_empty() => json(&observed::observed(cache).map_err(internal)?),
        "observed" if arg == "pending" => {
            json(&observed::observed_pending(cache).map_err(internal)?)
        }
        "tokens" => {
            let escrow = escrow_address();
            let mut views = Vec::new();
            for denom in adopted_denoms(cache).map_err(internal)? {
                let token = token_of_denom(cache, &denom).map_err(internal)?.ok_or_else(|| {
                    internal(corrupt(KEY_ADOPTED_DENOMS, "adopted denom has no token"))
                })?;
                views.push(TokenView {
                    token: format!("0x{}", hex::encode(token.as_bytes())),
                    escrowed: cache.balance(&escrow, &denom).map_err(internal)?.to_string(),
                    denom,
                });
            }
            json(&views)
        }
        other => Err((CODE_BAD_QUERY, format!("unknown query path /eth/{other}"))),
    }
}

mod erased {
    /// Object-safe JSON serialization for the query helper.
    pub trait Json {
        fn to_json(&self) -> Result<Vec<u8>, String>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<Vec<u8>, String> {
            serde_json::to_vec(self).map_err(|e| e.to_string())
        }
    }
}

/// Test support: writes state that real proofs cannot produce in a test (a trusted execution
/// block for synthetic headers). Compiled only for tests and with the `testing` feature.
#[cfg(any(test, feature = "testing"))]
pub mod testing {
    use super::{ring_push, Cache, EthConfig, RingEntry, TrustedBlock};
    use crate::error::AppError;

    /// Pushes `block` into the trusted ring, as a finalized light-client header would.
    pub fn trust_execution_block(
        cache: &mut Cache<'_>,
        config: &EthConfig,
        block: TrustedBlock,
    ) -> Result<bool, AppError> {
        ring_push(cache, config, block)
    }

    /// Pushes a block known by its hash alone into the trusted ring, as a finalized Gloas
    /// light-client header would.
    pub fn trust_execution_hash(
        cache: &mut Cache<'_>,
        config: &EthConfig,
        hash: [u8; 32],
    ) -> Result<bool, AppError> {
        ring_push(cache, config, RingEntry::hash_only(hash))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use light_client::config::ChainConfig;
    use peg_store::Store;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// The module config the unit tests share (minimal preset, mainnet fork table).
    pub(crate) fn config(size: u32) -> EthConfig {
        EthConfig {
            network: "test".into(),
            preset: PresetKind::Minimal,
            chain: ChainConfig::mainnet(),
            bridge_contract: Address::repeat_byte(0xB0),
            bridge_id: B256::repeat_byte(0x1D),
            chain_id: 1,
            trusted_ring_size: size,
            native_denoms: Vec::new(),
            governance_voting_period: 10,
        }
    }

    fn known(number: u64, byte: u8) -> TrustedBlock {
        TrustedBlock { number, hash: [byte; 32], timestamp: 1_000 + number }
    }

    #[test]
    fn hash_only_entries_are_stored_found_and_numbered_later() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path().join("state.redb"))?;
        let mut ws = store.working_set()?;
        let mut cache = Cache::new(&store, &mut ws);
        let config = config(8);
        assert!(ring_push(&mut cache, &config, known(10, 1))?);
        assert!(ring_push(&mut cache, &config, RingEntry::hash_only([2; 32]))?);
        assert!(!ring_push(&mut cache, &config, RingEntry::hash_only([2; 32]))?, "same hash");
        assert!(!ring_push(&mut cache, &config, RingEntry::hash_only([0; 32]))?, "zero hash");
        assert!(ring_push(&mut cache, &config, RingEntry::hash_only([3; 32]))?);
        assert!(ring_push(&mut cache, &config, known(40, 4))?, "after an unknown entry");
        assert!(!ring_push(&mut cache, &config, known(40, 6))?, "not newer than the newest");
        assert!(ring_push(&mut cache, &config, RingEntry::hash_only([5; 32]))?);

        assert_eq!(ring_latest(&cache, &config)?, Some(RingEntry::hash_only([5; 32])));
        assert_eq!(ring_lookup(&cache, &config, &[1; 32])?, Some(RingHit::Known(known(10, 1))));
        assert_eq!(ring_lookup(&cache, &config, &[3; 32])?, Some(RingHit::Unknown { seq: 2 }));
        assert_eq!(ring_lookup(&cache, &config, &[9; 32])?, None);
        // Lookups by number see known entries only, stepping over unknown ones.
        assert_eq!(ring_first_at_least(&cache, &config, 0)?, Some(known(10, 1)));
        assert_eq!(ring_first_at_least(&cache, &config, 11)?, Some(known(40, 4)));
        assert_eq!(ring_first_at_least(&cache, &config, 41)?, None);

        // Numbers that would break the order are refused; the true one is recorded.
        assert!(ring_record_number(&mut cache, &config, 1, known(10, 2)).is_err(), "previous");
        assert!(ring_record_number(&mut cache, &config, 2, known(40, 3)).is_err(), "next");
        let learnt = known(25, 3);
        ring_record_number(&mut cache, &config, 2, learnt)?;
        assert_eq!(ring_lookup(&cache, &config, &[3; 32])?, Some(RingHit::Known(learnt)));
        assert_eq!(ring_first_at_least(&cache, &config, 11)?, Some(learnt));
        assert_eq!(ring_first_at_least(&cache, &config, 26)?, Some(known(40, 4)));
        assert_eq!(ring_at_position(&cache, &config, 0)?, Some(RingEntry::from(known(10, 1))));
        assert_eq!(ring_at_position(&cache, &config, 4)?, Some(RingEntry::hash_only([5; 32])));
        assert_eq!(ring_at_position(&cache, &config, 5)?, None);
        Ok(())
    }

    #[test]
    fn eviction_drops_unknown_entries_and_the_search_spans_long_unknown_runs() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path().join("state.redb"))?;
        let mut ws = store.working_set()?;
        let mut cache = Cache::new(&store, &mut ws);
        let config = config(4);
        for byte in 1..=5u8 {
            ring_push(&mut cache, &config, RingEntry::hash_only([byte; 32]))?;
        }
        assert_eq!(ring_window(&cache, &config)?, (1, 4));
        assert_eq!(ring_lookup(&cache, &config, &[1; 32])?, None, "evicted with its index");
        assert_eq!(ring_lookup(&cache, &config, &[2; 32])?, Some(RingHit::Unknown { seq: 1 }));
        assert_eq!(ring_first_at_least(&cache, &config, 0)?, None, "no known number at all");
        // Only the oldest entry (seq 1) gets a number: found behind the probes' unknown runs.
        let mut oldest = known(7, 2);
        oldest.hash = [2; 32];
        ring_record_number(&mut cache, &config, 1, oldest)?;
        assert_eq!(ring_first_at_least(&cache, &config, 3)?, Some(oldest));
        assert_eq!(ring_first_at_least(&cache, &config, 8)?, None);
        // The slot of seq 5 reuses seq 1's: the index of the evicted entry must not linger.
        ring_push(&mut cache, &config, RingEntry::hash_only([6; 32]))?;
        assert_eq!(ring_lookup(&cache, &config, &[2; 32])?, None);
        assert_eq!(ring_lookup(&cache, &config, &[6; 32])?, Some(RingHit::Unknown { seq: 5 }));
        ring_clear(&mut cache, &config)?;
        assert_eq!(ring_latest(&cache, &config)?, None);
        assert_eq!(ring_lookup(&cache, &config, &[6; 32])?, None);
        Ok(())
    }

    #[test]
    fn ancestors_are_bounded_evict_the_oldest_and_are_found_by_number() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path().join("state.redb"))?;
        let mut ws = store.working_set()?;
        let mut cache = Cache::new(&store, &mut ws);
        let config = config(4);
        let block = |i: u64| TrustedBlock {
            number: 1_000_000 - i,
            hash: Sha256::digest(i.to_be_bytes()).into(),
            timestamp: 5_000_000 - i,
        };
        // Two more than the bound, pushed newest-number first (a walk down).
        for i in 0..MAX_ANCESTORS + 2 {
            ancestor_push(&mut cache, block(i))?;
        }
        assert_eq!(ancestor_window(&cache)?, (2, MAX_ANCESTORS));
        assert_eq!(ancestor_count(&cache)?, MAX_ANCESTORS);
        // The two pushed first are gone with their index; the rest are found by hash.
        assert_eq!(ancestor_lookup(&cache, &block(0).hash)?, None);
        assert_eq!(ancestor_lookup(&cache, &block(1).hash)?, None);
        assert_eq!(ancestor_lookup(&cache, &block(2).hash)?, Some(block(2)));
        assert_eq!(
            ancestor_lookup(&cache, &block(MAX_ANCESTORS + 1).hash)?,
            Some(block(MAX_ANCESTORS + 1))
        );
        assert_eq!(
            trusted_lookup(&cache, &config, &block(7).hash)?,
            Some(RingHit::Known(block(7)))
        );
        // By number: the smallest at or above n, across the ring and the ancestors.
        let lowest = block(MAX_ANCESTORS + 1);
        assert_eq!(ancestor_first_at_least(&cache, 0)?, Some(lowest));
        assert_eq!(ancestor_first_at_least(&cache, 999_990)?, Some(block(10)));
        assert_eq!(ancestor_first_at_least(&cache, block(2).number + 1)?, None);
        ring_push(&mut cache, &config, known(2_000_000, 9))?;
        assert_eq!(trusted_first_at_least(&cache, &config, 999_990)?, Some(block(10)));
        assert_eq!(
            trusted_first_at_least(&cache, &config, 1_000_000)?.map(|b| b.number),
            Some(2_000_000)
        );
        // A reset forgets them all.
        ancestor_clear(&mut cache)?;
        assert_eq!(ancestor_count(&cache)?, 0);
        assert_eq!(ancestor_lookup(&cache, &block(5).hash)?, None);
        assert_eq!(ancestor_first_at_least(&cache, 0)?, None);
        Ok(())
    }

    #[test]
    fn ring_entry_json_has_null_numbers_when_unknown() -> TestResult {
        let entry = RingEntry::hash_only([0xAB; 32]);
        let json = serde_json::to_value(entry)?;
        assert_eq!(json["number"], serde_json::Value::Null);
        assert_eq!(json["timestamp"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<RingEntry>(json)?, entry);
        let block = known(12, 7);
        let json = serde_json::to_value(RingEntry::from(block))?;
        assert_eq!(json, serde_json::to_value(block)?, "same shape as /eth/trusted/<n>");
        assert_eq!(MaybeNumber(None).to_string(), "unknown");
        Ok(())
    }
}
