//! What the zone knows of the bridge's progress on Ethereum (`specs/eth-module.md` §2.5, §4.5):
//! the [`EthObservation`] "the bridge's `eventNonce` was `event_nonce` at finalized block
//! `block_number` of timestamp `timestamp`, and the zone has processed every event up to it".
//!
//! The bridge module cancels a pending batch whose Ethereum timeout is at or below the
//! observation's timestamp: the contract refuses `submitBatch` in any block with
//! `block.timestamp >= timeout`, so the batch could only have executed in an earlier block, and
//! its `BatchExecuted` event (nonce `<= event_nonce`) would already have been processed.
//!
//! Two sources, both trust-minimized (everything is proven under a trusted execution block):
//!
//! - applied events ([`after_events`]): an event of nonce `n` in block `B` (timestamp `T`) proves
//!   that every event of the blocks before `B` has a nonce below `n`, so all are processed once
//!   `n` is: the observation `{B, T, n}` is safe for timeouts (the batch cannot execute in `B`
//!   or later when `timeout <= T`);
//! - `MsgProveEthState` ([`prove_state`]): the contract's slot 0 at a trusted block (account
//!   proof under the header's `state_root`, storage proof under the account's storage root);
//!   the low 64 bits are `_eventNonce`. Recorded once `next_event_nonce > event_nonce`; until
//!   then it waits in `eth/observed_pending` and is promoted when events catch up.
//!
//! The observation only moves forward: a candidate replaces it only with a strictly higher
//! timestamp.

use light_client::execution::{read_header_fields, verify_storage_slot, B256, U256};
use peg_tx::MsgProveEthState;
use serde::{Deserialize, Serialize};
use tendermint_proto::v0_38::abci::Event;

use super::{
    corrupt, hex0x, next_event_nonce, require_config, settle_trusted_top, trusted_lookup, RingHit,
};
use crate::error::AppError;
use crate::exec::event;
use crate::state::Cache;

/// `eth/observed` → [`EthObservation`] JSON (absent: nothing observed yet).
pub const KEY_OBSERVED: &[u8] = b"eth/observed";
/// `eth/observed_pending` → [`EthObservation`] JSON: a proven state whose event nonce the zone
/// has not processed yet.
pub const KEY_OBSERVED_PENDING: &[u8] = b"eth/observed_pending";
/// The PegBridge storage slot packing `_eventNonce` (low 64 bits), `_valsetNonce` (next 64)
/// and `_paused` (`forge inspect PegBridge storageLayout`; `contracts/test/StorageLayout.t.sol`).
pub const BRIDGE_NONCE_SLOT: u64 = 0;

/// "The bridge's `eventNonce` was `event_nonce` at the end of finalized block `block_number`
/// (timestamp `timestamp`), and the zone has processed every event up to `event_nonce`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EthObservation {
    /// The Ethereum block.
    pub block_number: u64,
    /// Its timestamp, unix seconds (batch timeouts compare against it).
    pub timestamp: u64,
    /// The bridge's event nonce (last emitted) at that block, as far as timeouts are concerned.
    pub event_nonce: u64,
}

fn load(cache: &Cache<'_>, key: &[u8]) -> Result<Option<EthObservation>, AppError> {
    cache
        .get(key)?
        .map(|bytes| serde_json::from_slice(&bytes).map_err(|_| corrupt(key, "observation JSON")))
        .transpose()
}

fn save(cache: &mut Cache<'_>, key: &[u8], observation: &EthObservation) -> Result<(), AppError> {
    let bytes = serde_json::to_vec(observation).map_err(|_| corrupt(key, "observation JSON"))?;
    cache.set(key.to_vec(), bytes);
    Ok(())
}

/// The current observation (`None` before the first one). The bridge module's `end_block`
/// times batches out against it.
pub fn observed(cache: &Cache<'_>) -> Result<Option<EthObservation>, AppError> {
    load(cache, KEY_OBSERVED)
}

/// The proven state waiting for events to catch up, if any (`/eth/observed/pending`).
pub fn observed_pending(cache: &Cache<'_>) -> Result<Option<EthObservation>, AppError> {
    load(cache, KEY_OBSERVED_PENDING)
}

fn observed_event(observation: &EthObservation, source: &str) -> Event {
    event(
        "eth_observed",
        &[
            ("block_number", observation.block_number.to_string()),
            ("timestamp", observation.timestamp.to_string()),
            ("event_nonce", observation.event_nonce.to_string()),
            ("source", source.to_owned()),
        ],
    )
}

/// Records `candidate` when it is newer (strictly higher timestamp) than the current one.
fn record(
    cache: &mut Cache<'_>,
    candidate: &EthObservation,
    source: &str,
) -> Result<Option<Event>, AppError> {
    if observed(cache)?.is_some_and(|current| current.timestamp >= candidate.timestamp) {
        return Ok(None);
    }
    save(cache, KEY_OBSERVED, candidate)?;
    tracing::debug!(?candidate, source, "eth observation recorded");
    Ok(Some(observed_event(candidate, source)))
}

/// Called by `submit_events` once events are applied and `next_event_nonce` advanced:
/// records the observation of the newest event's block (`newest`), then promotes the pending
/// proven state if the zone has now processed its event nonce (or drops it once outdated).
pub(crate) fn after_events(
    cache: &mut Cache<'_>,
    newest: Option<EthObservation>,
) -> Result<Vec<Event>, AppError> {
    let mut events = Vec::new();
    if let Some(candidate) = newest {
        events.extend(record(cache, &candidate, "events")?);
    }
    if let Some(pending) = observed_pending(cache)? {
        if next_event_nonce(cache)? > pending.event_nonce {
            cache.delete(KEY_OBSERVED_PENDING.to_vec());
            events.extend(record(cache, &pending, "state_proof")?);
        } else if observed(cache)?.is_some_and(|current| current.timestamp >= pending.timestamp) {
            cache.delete(KEY_OBSERVED_PENDING.to_vec());
        }
    }
    Ok(events)
}

/// Executes `MsgProveEthState` (§2.5): the header hashes to a trusted block; the bridge
/// contract's account is proven under the header's state root and its slot 0 under the
/// account's storage root; `eventNonce` (the low 64 bits) at that block becomes the
/// observation now (the zone processed it) or pending until events catch up.
///
/// Refused: an untrusted hash, a header that does not hash to it (or whose number differs
/// from the ring's), a proof that does not verify, a bridge account absent at that block,
/// and a block not newer than the current observation (or the pending one).
pub fn prove_state(cache: &mut Cache<'_>, msg: &MsgProveEthState) -> Result<Vec<Event>, AppError> {
    let config = require_config(cache)?;
    let trusted = trusted_lookup(cache, &config, &msg.trusted_block_hash)?
        .ok_or_else(|| AppError::EthUntrustedBlock { hash: hex0x(&msg.trusted_block_hash) })?;
    let header = read_header_fields(&msg.header_rlp)
        .map_err(|e| AppError::EthProof(format!("state proof header: {e}")))?;
    if header.hash != B256::from(msg.trusted_block_hash) {
        return Err(AppError::EthProof(format!(
            "state proof header hashes to {}, not the trusted block {}",
            header.hash,
            hex0x(&msg.trusted_block_hash)
        )));
    }
    if let RingHit::Known(known) = trusted {
        if header.number != known.number {
            return Err(AppError::EthProof(
                "the trusted header's number differs from the ring's".into(),
            ));
        }
    }
    let slot = verify_storage_slot(
        header.state_root,
        config.bridge_contract,
        U256::from(BRIDGE_NONCE_SLOT),
        &msg.account_proof,
        &msg.storage_proof,
    )
    .map_err(|e| AppError::EthProof(format!("state proof: {e}")))?;
    if slot.account.is_none() {
        return Err(AppError::EthProof(format!(
            "state proof: the bridge contract {} does not exist at block {}",
            config.bridge_contract, header.number
        )));
    }
    // `_eventNonce` is a uint64 in the lowest 8 bytes of the slot (limbs are little-endian).
    let event_nonce = slot.value.as_limbs()[0];
    let candidate =
        EthObservation { block_number: header.number, timestamp: header.timestamp, event_nonce };
    let newest_known = [observed(cache)?, observed_pending(cache)?]
        .into_iter()
        .flatten()
        .map(|o| o.timestamp)
        .max();
    if let Some(newest) = newest_known.filter(|t| *t >= candidate.timestamp) {
        return Err(AppError::EthEventNonce(format!(
            "block {} (timestamp {}) is not newer than the observed or pending state (timestamp {newest})",
            candidate.block_number, candidate.timestamp
        )));
    }
    let mut events = Vec::with_capacity(2);
    events.extend(settle_trusted_top(cache, &config, trusted, msg.trusted_block_hash, &header)?);
    let next = next_event_nonce(cache)?;
    if next > event_nonce {
        events.extend(record(cache, &candidate, "state_proof")?);
    } else {
        save(cache, KEY_OBSERVED_PENDING, &candidate)?;
        events.push(event(
            "eth_observation_pending",
            &[
                ("block_number", candidate.block_number.to_string()),
                ("timestamp", candidate.timestamp.to_string()),
                ("event_nonce", event_nonce.to_string()),
                ("next_event_nonce", next.to_string()),
            ],
        ));
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use peg_store::Store;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn obs(block_number: u64, timestamp: u64, event_nonce: u64) -> EthObservation {
        EthObservation { block_number, timestamp, event_nonce }
    }

    #[test]
    fn observations_only_move_forward_and_pending_ones_are_promoted() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path().join("state.redb"))?;
        let mut ws = store.working_set()?;
        let mut cache = Cache::new(&store, &mut ws);
        cache.set(super::super::KEY_NEXT_EVENT_NONCE.to_vec(), 5u64.to_be_bytes().to_vec());
        assert_eq!(observed(&cache)?, None);
        assert_eq!(after_events(&mut cache, Some(obs(10, 100, 4)))?.len(), 1);
        assert_eq!(observed(&cache)?, Some(obs(10, 100, 4)));
        // Older or same timestamp: ignored.
        assert!(after_events(&mut cache, Some(obs(9, 100, 3)))?.is_empty());
        assert_eq!(observed(&cache)?, Some(obs(10, 100, 4)));
        // A pending state at nonce 6 waits until next_event_nonce > 6.
        save(&mut cache, KEY_OBSERVED_PENDING, &obs(20, 200, 6))?;
        assert!(after_events(&mut cache, None)?.is_empty());
        assert_eq!(observed_pending(&cache)?, Some(obs(20, 200, 6)));
        cache.set(super::super::KEY_NEXT_EVENT_NONCE.to_vec(), 7u64.to_be_bytes().to_vec());
        assert_eq!(after_events(&mut cache, Some(obs(15, 150, 6)))?.len(), 2);
        assert_eq!(observed(&cache)?, Some(obs(20, 200, 6)));
        assert_eq!(observed_pending(&cache)?, None);
        // A pending state overtaken by events is dropped.
        save(&mut cache, KEY_OBSERVED_PENDING, &obs(25, 250, 9))?;
        after_events(&mut cache, Some(obs(30, 300, 6)))?;
        assert_eq!(observed(&cache)?, Some(obs(30, 300, 6)));
        assert_eq!(observed_pending(&cache)?, None);
        Ok(())
    }
}
