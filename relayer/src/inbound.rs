//! The inbound direction (Ethereum → peg zone): which light-client update to submit, which bridge
//! events are pending, and the `MsgSubmitEthEvents` that proves them.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256};
use light_client::execution::{generate_receipt_proof, ExecutionProof, Receipt};
use peg_eth_rpc::{Block, BlockId, EthRpc, LogFilter};
use peg_tx::{
    AccAddress, EthUpdateKind, EventReceipt, MsgSubmitEthEvents, MsgTrustEthAncestor,
    MAX_ANCESTOR_HEADERS, MAX_EVENT_HEADERS, MAX_EVENT_HEADER_BYTES,
};
use peg_types::PegEvent;

use crate::beacon::{encode_update, slots_per_period, BeaconApi, EncodedUpdate};
use crate::error::RelayerError;
use crate::zone::{EthClientStatus, RingEntry, TrustedBlock, Zone};

/// What advances the peg zone's light client now, in submission order (empty: nothing).
///
/// - When the beacon chain's finalized period is past the store's, or the store does not know
///   the next sync committee: the best update of each period from the store's own period on
///   (`/updates`), keeping those that advance the finalized slot or bring the missing committee.
/// - Otherwise the latest finality update, if it finalizes a later slot than the store's.
pub async fn fetch_update(
    beacon: &BeaconApi,
    status: &EthClientStatus,
    max_updates: u64,
) -> Result<Vec<EncodedUpdate>, RelayerError> {
    let Some(finality_json) = beacon.finality_update().await? else {
        tracing::debug!("the beacon node has no finality update yet");
        return Ok(Vec::new());
    };
    let finality = encode_update(&status.preset, EthUpdateKind::FinalityUpdate, &finality_json)?;
    let period_slots = slots_per_period(&status.preset)?;
    if let Some((start, count)) =
        period_updates_needed(status, &finality, period_slots, max_updates)
    {
        let updates = beacon
            .updates(start, count)
            .await?
            .iter()
            .map(|envelope| encode_update(&status.preset, EthUpdateKind::Update, envelope))
            .collect::<Result<Vec<_>, _>>()?;
        let chosen = select_period_updates(status, period_slots, updates);
        if !chosen.is_empty() {
            return Ok(chosen);
        }
    }
    if finality.finalized_slot > status.finalized_slot {
        return Ok(vec![finality]);
    }
    Ok(Vec::new())
}

/// `(start_period, count)` of the `/updates` request [`fetch_update`] makes, if any: when the
/// beacon chain's finalized period is past the store's, or the store lacks the next committee.
pub fn period_updates_needed(
    status: &EthClientStatus,
    finality: &EncodedUpdate,
    period_slots: u64,
    max_updates: u64,
) -> Option<(u64, u64)> {
    let store_period = status.finalized_slot / period_slots;
    let beacon_period = finality.finalized_slot / period_slots;
    let attested_period = finality.attested_slot / period_slots;
    (beacon_period > store_period || !status.next_sync_committee_known).then(|| {
        (store_period, (attested_period.saturating_sub(store_period) + 1).min(max_updates.max(1)))
    })
}

/// The period updates worth submitting, in order: each must finalize a later slot than the store
/// will have after the previous ones, or bring the next sync committee the store lacks (attested
/// in the store's finalized period).
pub fn select_period_updates(
    status: &EthClientStatus,
    period_slots: u64,
    updates: Vec<EncodedUpdate>,
) -> Vec<EncodedUpdate> {
    let mut chosen = Vec::new();
    let mut next_known = status.next_sync_committee_known;
    let mut finalized = status.finalized_slot;
    for update in updates {
        let brings_committee = !next_known
            && update.has_next_committee
            && update.attested_slot / period_slots == finalized / period_slots;
        if update.finalized_slot > finalized || brings_committee {
            // What the store will look like after this one, for the next decision.
            finalized = finalized.max(update.finalized_slot);
            next_known = update.has_next_committee
                && update.attested_slot / period_slots == finalized / period_slots;
            chosen.push(update);
        }
    }
    chosen
}

/// A bridge event found on Ethereum with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvent {
    /// The decoded event.
    pub event: PegEvent,
    /// Its nonce.
    pub nonce: u64,
    /// The block.
    pub block_number: u64,
    /// The block hash the log reported.
    pub block_hash: B256,
    /// Transaction index in the block.
    pub tx_index: u64,
    /// Transaction hash.
    pub tx_hash: B256,
}

/// Finds the bridge events with nonce `next_nonce, next_nonce + 1, …` (consecutive, at most
/// `limit`) in blocks `from_block..=to_block`, `range` blocks per `eth_getLogs`. Stops at the first
/// gap: events are applied in nonce order, so nothing after a missing nonce is usable.
pub async fn find_pending_events(
    eth: &EthRpc,
    bridge: Address,
    next_nonce: u64,
    from_block: u64,
    to_block: u64,
    range: u64,
    limit: usize,
) -> Result<Vec<PendingEvent>, RelayerError> {
    let topic0: Vec<B256> = PegEvent::topic0s().iter().map(|(_, t)| *t).collect();
    let mut found = Vec::new();
    let mut expected = next_nonce;
    let mut start = from_block;
    while start <= to_block && found.len() < limit {
        let end = start.saturating_add(range - 1).min(to_block);
        let logs = eth
            .get_logs(&LogFilter {
                from_block: BlockId::Number(start),
                to_block: BlockId::Number(end),
                addresses: vec![bridge],
                topic0: topic0.clone(),
            })
            .await?;
        for log in logs {
            if log.address != bridge {
                continue;
            }
            let event = match PegEvent::decode_raw_log(&log.topics, &log.data) {
                Ok(event) => event,
                Err(e) => {
                    tracing::warn!(block = log.block_number, error = %e, "undecodable bridge log skipped");
                    continue;
                }
            };
            let nonce = event.event_nonce();
            if nonce < expected {
                continue;
            }
            if nonce > expected {
                if found.is_empty() && expected == next_nonce {
                    // The zone's next event lies before `from_block`: the scan start is wrong.
                    return Err(RelayerError::Inconsistent(format!(
                        "bridge event {nonce} found at block {} but event {expected} was not \
                         (start_block {from_block} too late?)",
                        log.block_number
                    )));
                }
                return Ok(found);
            }
            found.push(PendingEvent {
                event,
                nonce,
                block_number: log.block_number,
                block_hash: log.block_hash,
                tx_index: log.transaction_index,
                tx_hash: log.transaction_hash,
            });
            expected += 1;
            if found.len() >= limit {
                return Ok(found);
            }
        }
        start = end + 1;
    }
    Ok(found)
}

/// Where the proof of an event in block `b` can start, from what the zone's ring shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedChoice {
    /// The oldest ring entry of known number `>= b` (`/eth/trusted/<b>`).
    Known(TrustedBlock),
    /// No such entry, but the newest entry's number is unknown (a Gloas finalized header
    /// carries the hash only): learn its number from the execution node by hash.
    ResolveByHash(B256),
    /// Nothing yet: wait for finality to reach the event.
    Wait,
}

/// Chooses the ring entry for an event, from `/eth/trusted/<b>` and `/eth/trusted/latest`.
pub fn choose_trusted(
    at_or_after: Option<TrustedBlock>,
    latest: Option<RingEntry>,
) -> TrustedChoice {
    match (at_or_after, latest) {
        (Some(block), _) => TrustedChoice::Known(block),
        // The zero hash names no block (the zone does not trust it; an older zone might).
        (None, Some(entry)) if entry.number.is_none() && !entry.hash.is_zero() => {
            TrustedChoice::ResolveByHash(entry.hash)
        }
        _ => TrustedChoice::Wait,
    }
}

/// The trusted block of hash `hash` with its number and timestamp, from the execution node
/// (`eth_getBlockByHash`): the zone's ring does not know them for a Gloas finalized header. The
/// zone will check the number itself, with the RLP header that hashes to `hash`.
pub async fn resolve_by_hash(eth: &EthRpc, hash: B256) -> Result<TrustedBlock, RelayerError> {
    let block = eth.block_by_hash(hash).await?.ok_or_else(|| {
        RelayerError::Inconsistent(format!(
            "the peg zone trusts block {hash}, which the Ethereum node does not know (another \
             chain, or a node not synced yet)"
        ))
    })?;
    Ok(TrustedBlock { number: block.number(), hash: block.hash, timestamp: block.header.timestamp })
}

/// Above this many headers from the newest entry down to the event, the relayer looks for the
/// oldest ring entry at or above the event instead (a shorter chain, a smaller transaction).
pub const SHORT_CHAIN_HEADERS: u64 = 64;

/// The trusted block to prove an event of block `b` from, if any yet: the oldest ring entry of
/// known number `>= b`; else, when the newest entry's number is unknown (Gloas), that entry with
/// its number learnt by hash if `>= b` — or, when it lies [`SHORT_CHAIN_HEADERS`] or more above
/// `b` (a relayer running late), the oldest entry `>= b` found by [`search_positions`] over
/// `/eth/trusted/position/<i>`, for the shortest header chain.
pub async fn trusted_for_block(
    zone: &Zone<'_>,
    eth: &EthRpc,
    b: u64,
) -> Result<Option<TrustedBlock>, RelayerError> {
    let at_or_after = zone.trusted_at_or_after(b).await?;
    let latest = if at_or_after.is_none() { zone.trusted_latest().await? } else { None };
    match choose_trusted(at_or_after, latest) {
        TrustedChoice::Known(block) => Ok(Some(block)),
        TrustedChoice::ResolveByHash(hash) => {
            let newest = resolve_by_hash(eth, hash).await?;
            tracing::debug!(number = newest.number, %hash, "learnt the newest trusted block's number by hash");
            if newest.number < b {
                return Ok(None);
            }
            if newest.number - b < SHORT_CHAIN_HEADERS {
                return Ok(Some(newest));
            }
            let len = zone.eth_client().await?.trusted.map_or(0, |t| t.len);
            let probe = |position: u64| async move {
                match zone.trusted_at_position(position).await? {
                    None => Ok(None),
                    Some(entry) => match entry.known() {
                        Some(block) => Ok(Some(block)),
                        None => resolve_by_hash(eth, entry.hash).await.map(Some),
                    },
                }
            };
            let oldest = search_positions(b, len, probe).await?;
            Ok(Some(oldest.filter(|o| o.number <= newest.number).unwrap_or(newest)))
        }
        TrustedChoice::Wait => Ok(None),
    }
}

/// The ring entry of smallest position whose block number is `>= b`, among positions
/// `0..len`, by binary search (numbers increase along the ring): `probe(i)` gives entry `i`
/// with its number (learnt by hash if need be), `None` if the ring no longer has it. At most
/// `⌈log2(len)⌉ + 1` probes; `None` if no probed entry reaches `b`.
pub async fn search_positions<F, Fut>(
    b: u64,
    len: u64,
    mut probe: F,
) -> Result<Option<TrustedBlock>, RelayerError>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Result<Option<TrustedBlock>, RelayerError>>,
{
    let (mut lo, mut hi) = (0u64, len);
    let mut best = None;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match probe(mid).await? {
            // The ring shrank or moved under us: keep what was found.
            None => hi = mid,
            Some(block) if block.number >= b => {
                best = Some(block);
                hi = mid;
            }
            Some(_) => lo = mid + 1,
        }
    }
    Ok(best)
}

/// The events of `pending` (a consecutive run in nonce order) that `trusted` can prove: those
/// in blocks at or below it, at most `max`.
pub fn provable_prefix(pending: &[PendingEvent], trusted: &TrustedBlock, max: usize) -> usize {
    pending.iter().take(max).take_while(|e| e.block_number <= trusted.number).count()
}

/// The blocks from `trusted` down to block `oldest` (newest first, each the parent of the
/// previous), from the execution node; the first must be the trusted block itself.
pub async fn fetch_header_chain(
    eth: &EthRpc,
    trusted: TrustedBlock,
    oldest: u64,
) -> Result<Vec<Block>, RelayerError> {
    if oldest > trusted.number {
        return Err(RelayerError::Inconsistent(format!(
            "block {oldest} is above the trusted block {}",
            trusted.number
        )));
    }
    let mut blocks: Vec<Block> = Vec::new();
    for number in (oldest..=trusted.number).rev() {
        let block = eth
            .block_by_number(BlockId::Number(number))
            .await?
            .ok_or_else(|| peg_eth_rpc::EthRpcError::NotFound(format!("block {number}")))?;
        match blocks.last() {
            None if block.hash != trusted.hash => {
                return Err(RelayerError::Inconsistent(format!(
                    "the Ethereum node's block {number} is {}, the peg zone trusts {} (reorg, or \
                     another chain)",
                    block.hash, trusted.hash
                )))
            }
            Some(child) if child.header.parent_hash != block.hash => {
                return Err(RelayerError::Inconsistent(format!(
                    "block {} does not link to block {number} (the node reorganized meanwhile)",
                    number + 1
                )))
            }
            _ => {}
        }
        blocks.push(block);
    }
    Ok(blocks)
}

/// The RLP encodings of `blocks`' headers, in the same order.
pub fn encode_headers(blocks: &[Block]) -> Result<Vec<Vec<u8>>, RelayerError> {
    blocks
        .iter()
        .map(|b| {
            b.header.encode_rlp().map_err(|source| {
                RelayerError::from(peg_eth_rpc::EthRpcError::Execution {
                    context: format!("header {}", b.number()),
                    source,
                })
            })
        })
        .collect()
}

/// Bytes of a signed transaction besides its headers: the envelope (body, auth info with the
/// public key and fee, signature: about 250 bytes), the message's signer, trusted hash and type
/// URL (about 120 bytes), rounded up to leave room for change.
pub const TX_OVERHEAD_BYTES: usize = 640;
/// Protobuf framing per header: field tag and length varint (3 bytes below 2 MiB), rounded up.
pub const HEADER_FRAMING_BYTES: usize = 4;

/// The byte budgets of a walk-down (`specs/relayer.md` §1.4), from the zone's `max_tx_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkBudget {
    /// Header bytes (framing included) one `MsgTrustEthAncestor` may carry.
    pub ancestor_bytes: usize,
    /// Header bytes (framing included) the `MsgSubmitEthEvents` that follows may carry: half
    /// the room, the other half is left to its receipt proofs.
    pub events_bytes: usize,
}

impl WalkBudget {
    /// The budgets within transactions of at most `max_tx_bytes`.
    pub fn for_max_tx_bytes(max_tx_bytes: usize) -> Self {
        let room = max_tx_bytes.saturating_sub(TX_OVERHEAD_BYTES);
        Self { ancestor_bytes: room, events_bytes: room / 2 }
    }

    /// Whether a chain of `headers` headers fits the events message whatever their sizes
    /// (each at most `MAX_EVENT_HEADER_BYTES`): no need to fetch them to decide.
    pub fn events_fit_any(&self, headers: u64) -> bool {
        let worst = (MAX_EVENT_HEADER_BYTES + HEADER_FRAMING_BYTES) as u64;
        headers <= MAX_EVENT_HEADERS as u64
            && headers.saturating_mul(worst) <= self.events_bytes as u64
    }
}

/// One `MsgTrustEthAncestor` of a walk-down: the headers at indices `start..=end` below the
/// walk's first block (index 0, trusted); the block at `end` becomes a trusted ancestor and the
/// next step starts there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkStep {
    /// Index of the trusted block the step starts from.
    pub start: usize,
    /// Index of the block the step makes trusted (`> start`).
    pub end: usize,
}

/// Plans a walk-down over headers of sizes `header_sizes` (RLP bytes, newest first: index 0 is
/// a trusted block, the last is the target block when `reaches_target`, else the oldest block
/// of a window above it). Pure: sizes in, steps out.
///
/// With `reaches_target`, the walk stops at the highest block from which the rest of the chain
/// fits the events message (`budget.events_bytes`, at most `MAX_EVENT_HEADERS` headers); no
/// steps when the whole chain already fits. Without, it walks the whole window. Each step takes
/// as many headers as fit `budget.ancestor_bytes` (at most `MAX_ANCESTOR_HEADERS`), unless a
/// shorter one already leaves a remainder that fits. Fails when two headers do not fit one
/// transaction.
pub fn plan_ancestor_walk(
    header_sizes: &[usize],
    reaches_target: bool,
    budget: WalkBudget,
) -> Result<Vec<WalkStep>, RelayerError> {
    let framed = |i: usize| header_sizes[i].saturating_add(HEADER_FRAMING_BYTES);
    let n = header_sizes.len();
    // suffix[i] = framed bytes of headers i..n.
    let mut suffix = vec![0usize; n + 1];
    for i in (0..n).rev() {
        suffix[i] = suffix[i + 1].saturating_add(framed(i));
    }
    let rest_fits =
        |i: usize| reaches_target && n - i <= MAX_EVENT_HEADERS && suffix[i] <= budget.events_bytes;
    let mut steps = Vec::new();
    let mut start = 0;
    // Every step moves `start` down by at least one header: at most n - 1 steps.
    while start + 1 < n && !rest_fits(start) {
        let mut end = start;
        let mut bytes = framed(start);
        while end + 1 < n && end + 1 - start < MAX_ANCESTOR_HEADERS {
            let next = bytes.saturating_add(framed(end + 1));
            if next > budget.ancestor_bytes {
                break;
            }
            bytes = next;
            end += 1;
            if rest_fits(end) {
                break;
            }
        }
        if end == start {
            return Err(RelayerError::Inconsistent(format!(
                "headers of {} and {} bytes do not fit one transaction of the zone's \
                 max_tx_bytes (budget {} header bytes)",
                header_sizes[start],
                header_sizes[start + 1],
                budget.ancestor_bytes
            )));
        }
        steps.push(WalkStep { start, end });
        start = end;
    }
    Ok(steps)
}

/// One window of a walk-down, ready to submit in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkWindow {
    /// The steps' messages: each starts at the block the previous one makes trusted.
    pub messages: Vec<MsgTrustEthAncestor>,
    /// The block the last message makes trusted.
    pub lowest: TrustedBlock,
    /// Whether the events message fits from `lowest` (else another window follows).
    pub reaches_target: bool,
}

/// Plans the next window of a walk-down from the trusted block `from` toward block `b`
/// (`specs/relayer.md` §1.4): `None` when an events message from `from` down to `b` already
/// fits `budget`. Fetches at most `window_headers` blocks below `from` (the window reaches `b`
/// when it is that close) and plans them with [`plan_ancestor_walk`].
pub async fn plan_walk_window(
    eth: &EthRpc,
    from: TrustedBlock,
    b: u64,
    budget: WalkBudget,
    window_headers: u64,
    signer: AccAddress,
) -> Result<Option<WalkWindow>, RelayerError> {
    if b > from.number {
        return Err(RelayerError::Inconsistent(format!(
            "block {b} is above the trusted block {}",
            from.number
        )));
    }
    let distance = from.number - b + 1;
    if budget.events_fit_any(distance) {
        return Ok(None);
    }
    let window = distance.min(window_headers.max(2));
    let reaches_target = window == distance;
    let blocks = fetch_header_chain(eth, from, from.number + 1 - window).await?;
    let headers = encode_headers(&blocks)?;
    let sizes: Vec<usize> = headers.iter().map(Vec::len).collect();
    let steps = plan_ancestor_walk(&sizes, reaches_target, budget)?;
    let Some(last) = steps.last().map(|s| s.end) else { return Ok(None) };
    let messages = steps
        .iter()
        .map(|step| MsgTrustEthAncestor {
            signer,
            trusted_block_hash: blocks[step.start].hash.0,
            headers: headers[step.start..=step.end].to_vec(),
        })
        .collect();
    let block = &blocks[last];
    Ok(Some(WalkWindow {
        messages,
        lowest: TrustedBlock {
            number: block.number(),
            hash: block.hash,
            timestamp: block.header.timestamp,
        },
        reaches_target,
    }))
}

/// Builds the `MsgSubmitEthEvents` proving `events` (consecutive nonces, ascending) against the
/// trusted block `trusted`: the header chain from `trusted` down to the oldest event's block,
/// and one receipt proof per transaction holding events, each with the receipt-local indices of
/// its bridge logs. Every proof is verified locally with the light client before returning.
pub async fn build_event_message(
    eth: &EthRpc,
    bridge: Address,
    trusted: TrustedBlock,
    events: &[PendingEvent],
    signer: AccAddress,
) -> Result<MsgSubmitEthEvents, RelayerError> {
    let first =
        events.first().ok_or_else(|| RelayerError::Inconsistent("no events to prove".into()))?;
    for pair in events.windows(2) {
        if pair[1].nonce != pair[0].nonce + 1 || pair[1].block_number < pair[0].block_number {
            return Err(RelayerError::Inconsistent(format!(
                "events {} and {} are not consecutive in nonce and block order",
                pair[0].nonce, pair[1].nonce
            )));
        }
    }
    let oldest = first.block_number;
    let newest_event = events.iter().map(|e| e.block_number).max().unwrap_or(oldest);
    if newest_event > trusted.number {
        return Err(RelayerError::Inconsistent(format!(
            "event block {newest_event} is above the trusted block {}",
            trusted.number
        )));
    }
    let chain_len = trusted.number - oldest + 1;
    if chain_len > MAX_EVENT_HEADERS as u64 {
        return Err(RelayerError::Inconsistent(format!(
            "event block {oldest} is {chain_len} blocks below the trusted block {}: more than the \
             {MAX_EVENT_HEADERS} headers a message may carry",
            trusted.number
        )));
    }

    let blocks = fetch_header_chain(eth, trusted, oldest).await?;
    let headers = encode_headers(&blocks)?;

    // One receipt per transaction with events, in (block, tx) order.
    let mut by_tx: BTreeMap<(u64, u64), Vec<u64>> = BTreeMap::new();
    for e in events {
        by_tx.entry((e.block_number, e.tx_index)).or_default().push(e.nonce);
    }
    let mut receipts_cache: BTreeMap<u64, Vec<Receipt>> = BTreeMap::new();
    let mut receipts = Vec::new();
    for ((block_number, tx_index), nonces) in &by_tx {
        let header_index = trusted.number.saturating_sub(*block_number);
        let position = usize::try_from(header_index).unwrap_or(usize::MAX);
        let block =
            blocks.get(position).filter(|b| b.number() == *block_number).ok_or_else(|| {
                RelayerError::Inconsistent(format!(
                    "header {header_index} is not block {block_number}"
                ))
            })?;
        let block_receipts = match receipts_cache.entry(*block_number) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let list = eth.block_receipts(block).await?;
                e.insert(list.into_iter().map(|r| r.receipt).collect())
            }
        };
        let receipt = usize::try_from(*tx_index)
            .ok()
            .and_then(|i| block_receipts.get(i))
            .ok_or_else(|| {
                RelayerError::Inconsistent(format!(
                    "block {block_number} has no transaction {tx_index}"
                ))
            })?;
        let mut log_indices = Vec::new();
        for (index, log) in receipt.logs.iter().enumerate() {
            if log.address != bridge {
                continue;
            }
            if let Ok(event) = PegEvent::decode_raw_log(&log.topics, &log.data) {
                if nonces.contains(&event.event_nonce()) {
                    log_indices.push(u32::try_from(index).map_err(|_| {
                        RelayerError::Inconsistent(format!("log index {index} overflows"))
                    })?);
                }
            }
        }
        if log_indices.len() != nonces.len() {
            return Err(RelayerError::Inconsistent(format!(
                "receipt {tx_index} of block {block_number} holds {} of the events {nonces:?}",
                log_indices.len()
            )));
        }
        let proof = generate_receipt_proof(block_receipts, *tx_index).map_err(|source| {
            peg_eth_rpc::EthRpcError::Execution { context: "receipt proof".into(), source }
        })?;
        // Check locally what the zone will check.
        let verified = ExecutionProof {
            headers: headers.iter().take(position + 1).map(|h| h.clone().into()).collect(),
            tx_index: *tx_index,
            receipt_proof: proof.clone(),
        }
        .verify(trusted.hash)
        .map_err(|e| {
            RelayerError::Inconsistent(format!(
                "the proof of receipt {tx_index} in block {block_number} does not verify: {e}"
            ))
        })?;
        if verified.receipt.is_success() != Some(true) {
            return Err(RelayerError::Inconsistent(format!(
                "receipt {tx_index} of block {block_number} failed, yet holds bridge events"
            )));
        }
        receipts.push(EventReceipt {
            header_index: u32::try_from(header_index)
                .map_err(|_| RelayerError::Inconsistent("header index overflows".into()))?,
            tx_index: u32::try_from(*tx_index)
                .map_err(|_| RelayerError::Inconsistent("tx index overflows".into()))?,
            proof: proof.into_iter().map(|n| n.to_vec()).collect(),
            log_indices,
        });
    }
    Ok(MsgSubmitEthEvents {
        signer,
        first_event_nonce: first.nonce,
        trusted_block_hash: trusted.hash.0,
        headers,
        receipts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use light_client::ForkName;

    fn status(finalized_slot: u64, next_known: bool, current_slot: u64) -> EthClientStatus {
        serde_json::from_value(serde_json::json!({
            "enabled": true, "preset": "minimal", "finalized_slot": finalized_slot,
            "next_sync_committee_known": next_known, "current_slot": current_slot,
            "next_event_nonce": "1"
        }))
        .expect("status")
    }

    fn update(attested: u64, finalized: u64, committee: bool) -> EncodedUpdate {
        EncodedUpdate {
            fork: ForkName::Deneb,
            kind: EthUpdateKind::Update,
            ssz: vec![attested as u8],
            attested_slot: attested,
            finalized_slot: finalized,
            signature_slot: attested + 1,
            has_next_committee: committee,
        }
    }

    #[test]
    fn chooses_a_known_entry_else_the_newest_unknown_one() {
        let block = TrustedBlock { number: 40, hash: B256::repeat_byte(4), timestamp: 7 };
        let unknown = RingEntry { number: None, hash: B256::repeat_byte(5), timestamp: None };
        let known = RingEntry { number: Some(30), ..unknown };
        assert_eq!(choose_trusted(Some(block), Some(unknown)), TrustedChoice::Known(block));
        assert_eq!(
            choose_trusted(None, Some(unknown)),
            TrustedChoice::ResolveByHash(B256::repeat_byte(5))
        );
        // The newest entry is known and below the event (else /eth/trusted/<b> had found it).
        assert_eq!(choose_trusted(None, Some(known)), TrustedChoice::Wait);
        assert_eq!(choose_trusted(None, None), TrustedChoice::Wait);
        let zero = RingEntry { hash: B256::ZERO, ..unknown };
        assert_eq!(choose_trusted(None, Some(zero)), TrustedChoice::Wait);
    }

    #[tokio::test]
    async fn searches_the_ring_for_the_oldest_entry_at_or_above_the_event() {
        let ring: Vec<TrustedBlock> = (0..100u64)
            .map(|i| TrustedBlock {
                number: 1000 + 8 * i,
                hash: B256::repeat_byte(i as u8),
                timestamp: i,
            })
            .collect();
        for (b, expected) in [
            (1000, Some(1000)),
            (1001, Some(1008)),
            (1792, Some(1792)),
            (1793, None),
            (0, Some(1000)),
        ] {
            let mut probes = 0;
            let found = search_positions(b, ring.len() as u64, |i| {
                probes += 1;
                std::future::ready(Ok(ring.get(i as usize).copied()))
            })
            .await
            .expect("no error");
            assert_eq!(found.map(|t| t.number), expected, "event block {b}");
            assert!(probes <= 8, "{probes} probes for 100 entries");
        }
        // Vanished positions (the ring was reset meanwhile) end the search without a panic.
        let found = search_positions(1001, 100, |_| std::future::ready(Ok(None))).await;
        assert_eq!(found.expect("no error"), None);
        // An RPC failure is returned.
        let failed = search_positions(1001, 100, |_| {
            std::future::ready(Err(RelayerError::Inconsistent("boom".into())))
        })
        .await;
        assert!(failed.is_err());
    }

    /// Checks a plan's invariants: chained steps from index 0, each within the budget.
    fn check_plan(sizes: &[usize], steps: &[WalkStep], budget: WalkBudget) {
        let framed = |r: std::ops::RangeInclusive<usize>| {
            sizes[r].iter().map(|s| s + HEADER_FRAMING_BYTES).sum::<usize>()
        };
        let mut start = 0;
        for step in steps {
            assert_eq!(step.start, start, "steps chain");
            assert!(step.end > step.start);
            assert!(framed(step.start..=step.end) <= budget.ancestor_bytes, "{step:?} fits");
            assert!(step.end - step.start < MAX_ANCESTOR_HEADERS);
            start = step.end;
        }
    }

    #[test]
    fn plans_the_walk_down_in_chunks_that_fit() {
        // 128 KiB transactions, 620-byte headers: about 205 headers per step, 102 for events.
        let budget = WalkBudget::for_max_tx_bytes(128 * 1024);
        assert_eq!(budget.ancestor_bytes, 128 * 1024 - TX_OVERHEAD_BYTES);
        let per_step = budget.ancestor_bytes / 624;
        let per_events = budget.events_bytes / 624;

        // Close enough: nothing to walk.
        let sizes = vec![620; per_events];
        assert!(plan_ancestor_walk(&sizes, true, budget).expect("plans").is_empty());
        assert!(budget.events_fit_any(15) && !budget.events_fit_any(16));

        // An hour of mainnet (300 blocks): one step, stopping as high as it can.
        let sizes = vec![620; 301];
        let steps = plan_ancestor_walk(&sizes, true, budget).expect("plans");
        check_plan(&sizes, &steps, budget);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].end, 301 - per_events, "the highest block leaving a fitting rest");

        // A day (7200 blocks): full steps, then one that leaves a remainder that fits.
        let sizes = vec![620; 7201];
        let steps = plan_ancestor_walk(&sizes, true, budget).expect("plans");
        check_plan(&sizes, &steps, budget);
        let last = steps.last().expect("steps").end;
        assert!((7201 - last) * 624 <= budget.events_bytes);
        assert!(steps[..steps.len() - 1].iter().all(|s| s.end - s.start + 1 == per_step));
        assert_eq!(steps.len(), (7201 - per_events).div_ceil(per_step - 1));

        // A window that does not reach the target: walked to its oldest block.
        let sizes = vec![620; 1024];
        let steps = plan_ancestor_walk(&sizes, false, budget).expect("plans");
        check_plan(&sizes, &steps, budget);
        assert_eq!(steps.last().map(|s| s.end), Some(1023));

        // Uneven sizes (some huge headers) still fit, chunk by chunk.
        let sizes: Vec<usize> = (0..900).map(|i| if i % 7 == 0 { 4096 } else { 540 }).collect();
        let steps = plan_ancestor_walk(&sizes, true, budget).expect("plans");
        check_plan(&sizes, &steps, budget);

        // Two headers that cannot share a transaction: a clear error, no endless loop.
        let tiny = WalkBudget { ancestor_bytes: 1000, events_bytes: 500 };
        assert!(plan_ancestor_walk(&[620, 620, 620], true, tiny).is_err());
        // A single header (the target is trusted itself): nothing to plan.
        assert!(plan_ancestor_walk(&[620], true, tiny).expect("plans").is_empty());
        assert!(plan_ancestor_walk(&[], true, tiny).expect("plans").is_empty());
    }

    #[test]
    fn asks_for_period_updates_only_when_needed() {
        // Minimal preset: 64 slots per period.
        let fresh = status(0, false, 30);
        assert_eq!(period_updates_needed(&fresh, &update(24, 8, false), 64, 8), Some((0, 1)));
        let synced = status(8, true, 30);
        assert_eq!(period_updates_needed(&synced, &update(24, 16, false), 64, 8), None);
        // The beacon finalized three periods ahead: updates of periods 0..=3, capped.
        assert_eq!(period_updates_needed(&synced, &update(200, 192, false), 64, 8), Some((0, 4)));
        assert_eq!(period_updates_needed(&synced, &update(200, 192, false), 64, 2), Some((0, 2)));
    }

    #[test]
    fn keeps_updates_that_advance_or_bring_the_committee() {
        // Store at genesis, next committee unknown: the genesis-period committee update is kept
        // though it finalizes nothing; a later one finalizing slot 72 too.
        let fresh = status(0, false, 200);
        let chosen = select_period_updates(
            &fresh,
            64,
            vec![update(0, 0, true), update(80, 72, true), update(90, 72, true)],
        );
        assert_eq!(
            chosen.iter().map(|u| u.attested_slot).collect::<Vec<_>>(),
            [0, 80],
            "the third finalizes nothing new"
        );
        // Committee known and nothing newer: nothing.
        let synced = status(72, true, 200);
        assert!(select_period_updates(&synced, 64, vec![update(80, 72, true)]).is_empty());
        // A committee update attested in another period than the store's finalized one is not
        // a committee update for this store.
        let lacking = status(8, false, 200);
        assert!(select_period_updates(&lacking, 64, vec![update(70, 0, true)]).is_empty());
    }
}
