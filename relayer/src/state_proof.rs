//! Timeout proofs (`specs/relayer.md` §1.5): the zone cancels a pending batch once it knows the
//! bridge's event nonce at a finalized Ethereum block whose timestamp is at or past the batch's
//! timeout (`/eth/observed`, `specs/eth-module.md` §2.5). Events alone move that observation
//! only when the bridge emits something; on a quiet bridge the relayer proves the contract's
//! slot 0 (`_eventNonce` in its low 64 bits) at the newest trusted block with
//! `MsgProveEthState`: `eth_getProof(bridge, [0x0], block)` plus the block's RLP header.
//!
//! Stateless like the rest: every pass re-reads `/bridge/batches`, `/eth/trusted/latest` and
//! `/eth/observed`, and proves only when some pending batch's timeout is at or below the newest
//! trusted block's timestamp and the observation is older than that batch's timeout.

use alloy_primitives::{Address, U256};
use light_client::execution::verify_storage_slot;
use peg_eth_rpc::{BlockId, EthRpc};
use peg_tx::{AccAddress, MsgProveEthState};
use serde::Deserialize;

use crate::cometbft::CometRpc;
use crate::error::RelayerError;
use crate::zone::{RingEntry, TrustedBlock, Zone};

/// The PegBridge slot packing `_eventNonce` (low 64 bits), `_valsetNonce` and `_paused`.
pub const BRIDGE_NONCE_SLOT: u64 = 0;

/// What the timeout check needs of a `/bridge/batches` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BatchTimeout {
    /// Batch nonce.
    pub nonce: u64,
    /// Ethereum timeout, unix seconds (the contract refuses the batch from this timestamp on).
    pub timeout: u64,
    /// `pending` for the batches the zone may still time out.
    #[serde(default)]
    pub status: Option<String>,
}

/// `/eth/observed`: the zone's knowledge of the bridge's event nonce at a finalized block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Observation {
    /// The Ethereum block.
    pub block_number: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// The bridge's event nonce there.
    pub event_nonce: u64,
}

/// `/bridge/batches`; empty when the zone has no bridge module (the query path is unknown).
pub async fn pending_batches(comet: &CometRpc) -> Result<Vec<BatchTimeout>, RelayerError> {
    match comet.query_json::<Vec<BatchTimeout>>("/bridge/batches").await {
        Ok(batches) => Ok(batches
            .into_iter()
            .filter(|b| b.status.as_deref().is_none_or(|s| s == "pending"))
            .collect()),
        Err(RelayerError::Query { code, log, .. }) if code != 0 => {
            tracing::debug!(code, %log, "no /bridge/batches on this zone");
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

/// `/eth/observed` (`null` before the first observation).
pub async fn observed(comet: &CometRpc) -> Result<Option<Observation>, RelayerError> {
    comet.query_json("/eth/observed").await
}

/// Whether a timeout proof at a trusted block of timestamp `trusted_timestamp` would let the
/// zone time out a batch it cannot time out now: some batch has `timeout <= trusted_timestamp`
/// and the observation (if any) is older than that timeout.
pub fn needs_timeout_proof(
    batches: &[BatchTimeout],
    trusted_timestamp: u64,
    observed: Option<&Observation>,
) -> bool {
    let known = observed.map_or(0, |o| o.timestamp);
    trusted_timestamp > known
        && batches.iter().any(|b| b.timeout <= trusted_timestamp && b.timeout > known)
}

/// The trusted block to prove at: the newest ring entry, its number and timestamp read from the
/// header the node serves for its hash when the ring does not know them (Gloas). Returns the
/// block and its canonical RLP header.
pub async fn resolve_trusted(
    eth: &EthRpc,
    entry: &RingEntry,
) -> Result<(TrustedBlock, Vec<u8>), RelayerError> {
    let block = eth.block_by_hash(entry.hash).await?.ok_or_else(|| {
        RelayerError::Inconsistent(format!(
            "the Ethereum node does not know the trusted block {} (not synced, or another chain)",
            entry.hash
        ))
    })?;
    let rlp = block.header.encode_rlp().map_err(|source| {
        RelayerError::Eth(peg_eth_rpc::EthRpcError::Execution {
            context: "trusted header".into(),
            source,
        })
    })?;
    let trusted = TrustedBlock {
        number: block.header.number,
        hash: block.hash,
        timestamp: block.header.timestamp,
    };
    if entry.number.is_some_and(|n| n != trusted.number) {
        return Err(RelayerError::Inconsistent(format!(
            "trusted block {} has number {:?} on the zone, {} on Ethereum",
            entry.hash, entry.number, trusted.number
        )));
    }
    Ok((trusted, rlp))
}

/// Builds `MsgProveEthState` for slot 0 of `bridge` at `trusted` (whose RLP header is
/// `header_rlp`), checking the proof locally first: a node serving a wrong proof is caught here
/// rather than by the zone. Returns the message and the proven event nonce.
pub async fn build_state_message(
    eth: &EthRpc,
    bridge: Address,
    trusted: &TrustedBlock,
    header_rlp: Vec<u8>,
    sender: AccAddress,
) -> Result<(MsgProveEthState, u64), RelayerError> {
    let fields = light_client::execution::read_header_fields(&header_rlp).map_err(|source| {
        RelayerError::Eth(peg_eth_rpc::EthRpcError::Execution {
            context: "trusted header".into(),
            source,
        })
    })?;
    if fields.hash != trusted.hash {
        return Err(RelayerError::Inconsistent(format!(
            "header of block {} hashes to {}, expected {}",
            trusted.number, fields.hash, trusted.hash
        )));
    }
    let slot = U256::from(BRIDGE_NONCE_SLOT);
    let proof = eth.get_proof(bridge, &[slot], BlockId::Number(trusted.number)).await?;
    let storage = proof.storage_proof.first().ok_or_else(|| {
        RelayerError::Inconsistent("eth_getProof returned no storage proof".into())
    })?;
    let proven =
        verify_storage_slot(fields.state_root, bridge, slot, &proof.account_proof, &storage.proof)
            .map_err(|e| {
                RelayerError::Inconsistent(format!(
            "eth_getProof of the bridge at block {} does not verify against its state root \
             (a reorg, or a node without that state): {e}",
            trusted.number
        ))
            })?;
    if proven.account.is_none() {
        return Err(RelayerError::Inconsistent(format!(
            "the bridge {bridge} does not exist at block {}",
            trusted.number
        )));
    }
    let event_nonce = proven.value.as_limbs()[0];
    let msg = MsgProveEthState {
        sender,
        trusted_block_hash: trusted.hash.0,
        header_rlp,
        account_proof: proof.account_proof.iter().map(|n| n.to_vec()).collect(),
        storage_proof: storage.proof.iter().map(|n| n.to_vec()).collect(),
    };
    Ok((msg, event_nonce))
}

/// The whole decision of one pass: `Some(message)` when a timeout proof is needed now.
pub async fn plan_timeout_proof(
    eth: &EthRpc,
    comet: &CometRpc,
    bridge: Address,
    sender: AccAddress,
) -> Result<Option<(MsgProveEthState, u64)>, RelayerError> {
    let batches = pending_batches(comet).await?;
    if batches.is_empty() {
        return Ok(None);
    }
    let Some(entry) = Zone::new(comet).trusted_latest().await? else { return Ok(None) };
    let observation = observed(comet).await?;
    // Cheap check first when the ring knows the timestamp; the header is fetched anyway.
    if let Some(timestamp) = entry.timestamp {
        if !needs_timeout_proof(&batches, timestamp, observation.as_ref()) {
            return Ok(None);
        }
    }
    let (trusted, header_rlp) = resolve_trusted(eth, &entry).await?;
    if !needs_timeout_proof(&batches, trusted.timestamp, observation.as_ref()) {
        return Ok(None);
    }
    tracing::info!(
        block = trusted.number,
        timestamp = trusted.timestamp,
        observed = ?observation,
        "a pending batch has timed out on Ethereum: proving the bridge's event nonce"
    );
    build_state_message(eth, bridge, &trusted, header_rlp, sender).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(nonce: u64, timeout: u64) -> BatchTimeout {
        BatchTimeout { nonce, timeout, status: Some("pending".into()) }
    }

    #[test]
    fn proves_only_when_a_batch_timed_out_past_the_observation() {
        let batches = [batch(1, 1_000), batch(2, 2_000)];
        let obs = |timestamp| Observation { block_number: 1, timestamp, event_nonce: 4 };
        // Nothing observed: the first batch has timed out at 1000.
        assert!(needs_timeout_proof(&batches, 1_000, None));
        assert!(!needs_timeout_proof(&batches, 999, None));
        // Observed at 1000 already: batch 1 is the zone's to cancel; batch 2 not yet due.
        assert!(!needs_timeout_proof(&batches, 1_500, Some(&obs(1_000))));
        assert!(needs_timeout_proof(&batches, 2_000, Some(&obs(1_000))));
        // The observation is as new as the trusted block: nothing to add.
        assert!(!needs_timeout_proof(&batches, 2_000, Some(&obs(2_000))));
        assert!(!needs_timeout_proof(&[], 5_000, None));
    }

    #[test]
    fn reads_the_zone_answers() {
        let batches: Vec<BatchTimeout> = serde_json::from_str(
            r#"[{"nonce":3,"token":"0x00","denom":"upeg","timeout":1700000000,"transfers":[],
                "created_height":12,"status":"pending","digest":"0x00","signatures":[]}]"#,
        )
        .expect("valid");
        assert_eq!(batches, vec![batch(3, 1_700_000_000)]);
        let obs: Option<Observation> = serde_json::from_str("null").expect("null");
        assert_eq!(obs, None);
        let obs: Option<Observation> =
            serde_json::from_str(r#"{"block_number":9,"timestamp":100,"event_nonce":4}"#)
                .expect("valid");
        assert_eq!(obs.map(|o| o.event_nonce), Some(4));
    }
}
