//! One relayer pass (light client, then events) and the loop around it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy_primitives::Address;
use peg_eth_rpc::EthRpc;
use peg_tx::{Msg, MsgUpdateEthClient};

use crate::backoff::Backoff;
use crate::beacon::{BeaconApi, EncodedUpdate};
use crate::cometbft::CometRpc;
use crate::config::Config;
use crate::error::RelayerError;
use crate::inbound::{
    build_event_message, fetch_update, find_pending_events, plan_walk_window, provable_prefix,
    trusted_for_block, WalkBudget,
};
use crate::keyfile::RelayerKey;
use crate::metrics::Metrics;
use crate::outbound::{Outbound, OutboundReport};
use crate::submit::{FeePolicy, Submitter};
use crate::zone::{EthClientStatus, TrustedBlock, Zone};

/// Most event messages submitted in one pass (the rest wait for the next pass).
const MAX_EVENT_MESSAGES_PER_PASS: usize = 16;
/// Headers fetched per window of a walk-down (memory bound: about 1 MiB of blocks).
const WALK_WINDOW_HEADERS: u64 = 1024;
/// Windows walked per pass: at most 16,384 blocks (two days of mainnet) per pass; a longer walk
/// goes on in the next pass from the zone's newest ancestor.
const MAX_WALK_WINDOWS_PER_PASS: usize = 16;
/// Longest pause between passes after repeated failures.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Metrics label of `MsgUpdateEthClient`.
pub const MSG_UPDATE: &str = "update_eth_client";
/// Metrics label of `MsgSubmitEthEvents`.
pub const MSG_EVENTS: &str = "submit_eth_events";
/// Metrics label of `MsgTrustEthAncestor`.
pub const MSG_ANCESTOR: &str = "trust_eth_ancestor";
/// Metrics label of `MsgProveEthState` (timeout proofs).
pub const MSG_STATE: &str = "prove_eth_state";

/// Whether `update` would still change the zone's store: a later finalized slot, or the next
/// sync committee it lacks.
fn advances(update: &EncodedUpdate, status: &EthClientStatus) -> bool {
    update.finalized_slot > status.finalized_slot
        || (update.has_next_committee && !status.next_sync_committee_known)
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Light-client updates included.
    pub updates_submitted: usize,
    /// Event messages included.
    pub event_messages_submitted: usize,
    /// Events proven.
    pub events_submitted: usize,
    /// `MsgTrustEthAncestor` messages included (walk-down steps).
    pub ancestor_messages_submitted: usize,
    /// The zone's light-client finalized slot at the end.
    pub finalized_slot: u64,
    /// The zone's next event nonce at the end.
    pub next_event_nonce: u64,
    /// Bridge events found on Ethereum that the zone has not processed.
    pub pending_events: usize,
    /// `MsgProveEthState` messages included (timeout proofs, `state_proof`).
    pub state_proofs_submitted: usize,
    /// The outbound round of a [`Relayer::run_once`] (`None` when outbound relaying is off).
    pub outbound: Option<OutboundReport>,
}

/// A connected relayer.
#[derive(Debug)]
pub struct Relayer {
    config: Config,
    eth: EthRpc,
    beacon: BeaconApi,
    comet: CometRpc,
    key: RelayerKey,
    chain_id: String,
    fees: FeePolicy,
    metrics: Arc<Metrics>,
    /// An update signed after the zone's clock, kept for a later pass (memory only).
    held_update: Mutex<Option<EncodedUpdate>>,
    /// Outbound relaying (valsets and batches to the PegBridge), when enabled.
    outbound: Option<Outbound>,
}

impl Relayer {
    /// Reads the key, builds the clients and learns the chain id (from the config or the node).
    pub async fn connect(config: Config, metrics: Arc<Metrics>) -> Result<Self, RelayerError> {
        let key = RelayerKey::from_file(&config.key_file)?;
        let timeout = Duration::from_secs(30);
        let eth = EthRpc::with_timeout(&config.eth_rpc, timeout)?;
        let beacon = BeaconApi::new(&config.beacon_api, timeout)?;
        let comet = CometRpc::new(&config.cometbft_rpc, timeout)?;
        let chain_id = match &config.chain_id {
            Some(id) => id.clone(),
            None => comet.chain_id().await?,
        };
        let fees = FeePolicy {
            fee_per_kgas: config.fee_per_kgas,
            min_fee: config.min_fee,
            denom: config.fee_denom.clone(),
        };
        let outbound = if config.outbound.enabled {
            Some(Outbound::new(
                eth.clone(),
                config.outbound.clone(),
                config.start_block,
                config.log_block_range,
            )?)
        } else {
            None
        };
        tracing::info!(account = %key.address.to_bech32(), %chain_id, "relayer connected");
        Ok(Self {
            config,
            eth,
            beacon,
            comet,
            key,
            chain_id,
            fees,
            metrics,
            held_update: Mutex::new(None),
            outbound,
        })
    }

    /// The relayer's peg zone account.
    pub fn account(&self) -> String {
        self.key.address.to_bech32()
    }

    fn submitter(&self) -> Submitter<'_> {
        Submitter {
            comet: &self.comet,
            key: &self.key,
            chain_id: &self.chain_id,
            fees: &self.fees,
            max_tx_bytes: self.config.max_tx_bytes,
            tx_timeout: self.config.tx_timeout,
            max_attempts: self.config.max_retries,
        }
    }

    async fn status(&self) -> Result<EthClientStatus, RelayerError> {
        let status = Zone::new(&self.comet).eth_client().await?;
        if !status.enabled {
            return Err(RelayerError::Config {
                reason: "the peg zone's eth module is disabled (no app_state.eth in genesis)"
                    .into(),
            });
        }
        self.metrics.set_finalized_slot(status.finalized_slot);
        Ok(status)
    }

    /// One pass: advance the light client as far as the beacon node allows, then prove the
    /// pending bridge events the trusted blocks cover; then, when enabled, one outbound round.
    pub async fn run_once(&self) -> Result<PassReport, RelayerError> {
        let mut report = self.run_inbound_once().await?;
        if let Some(outbound) = &self.outbound {
            report.outbound = Some(self.outbound_round(outbound).await?);
        }
        Ok(report)
    }

    /// One outbound round (`crate::outbound`): the bridge address from `/eth/client`.
    async fn outbound_round(&self, outbound: &Outbound) -> Result<OutboundReport, RelayerError> {
        let status = Zone::new(&self.comet).eth_client().await?;
        let bridge: Address = status
            .bridge_contract
            .as_deref()
            .ok_or_else(|| {
                RelayerError::Inconsistent("/eth/client names no bridge_contract".into())
            })?
            .parse()
            .map_err(|e| RelayerError::Inconsistent(format!("bridge_contract: {e}")))?;
        outbound.run_once(&self.comet, bridge, &self.metrics).await
    }

    /// Outbound rounds forever, `poll_ms` apart (backing off after failures).
    async fn run_outbound(&self, outbound: &Outbound) -> Result<(), RelayerError> {
        let mut backoff = Backoff::new(outbound.poll_interval(), MAX_BACKOFF);
        loop {
            match self.outbound_round(outbound).await {
                Ok(report) => {
                    backoff.reset();
                    if report.valsets_relayed + report.batches_relayed + report.reverted > 0 {
                        tracing::info!(?report, "outbound round done");
                    } else {
                        tracing::debug!(?report, "outbound round done");
                    }
                    tokio::time::sleep(outbound.poll_interval()).await;
                }
                Err(e) => {
                    self.metrics.inc_error(e.kind());
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %e, failures = backoff.failures(), retry_in_ms = delay.as_millis() as u64, "outbound round failed");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// The inbound half of [`Self::run_once`].
    async fn run_inbound_once(&self) -> Result<PassReport, RelayerError> {
        let mut report = PassReport::default();
        let status = self.status().await?;
        report.updates_submitted = self.relay_light_client(&status).await?;
        let status = if report.updates_submitted > 0 { self.status().await? } else { status };
        let (messages, events, pending) = self.relay_events(&status, &mut report).await?;
        report.event_messages_submitted = messages;
        report.events_submitted = events;
        report.pending_events = pending;
        let status = if messages > 0 { self.status().await? } else { status };
        report.state_proofs_submitted = self.relay_timeout_proof(&status).await;
        report.finalized_slot = status.finalized_slot;
        report.next_event_nonce = status.next_event_nonce;
        Ok(report)
    }

    async fn relay_light_client(&self, status: &EthClientStatus) -> Result<usize, RelayerError> {
        // An update held back by an earlier pass goes first while it still advances the store:
        // fetching afresh would always find one signed after the zone's clock (see below).
        let held = self.held_update.lock().ok().and_then(|mut h| h.take());
        let updates = match held.filter(|u| advances(u, status)) {
            Some(update) => vec![update],
            None => fetch_update(&self.beacon, status, self.config.max_updates_per_pass).await?,
        };
        let mut submitted = 0;
        for update in updates {
            // The zone's clock is its last block's time; it refuses an update signed later
            // (`current_slot >= signature_slot`), and the beacon's newest update is always a
            // slot or two ahead of it. Keep the update until the zone's clock has passed it.
            if update.signature_slot > status.current_slot {
                tracing::debug!(
                    signature_slot = update.signature_slot,
                    zone_slot = status.current_slot,
                    "holding the update until the peg zone's clock reaches its signature slot"
                );
                if let Ok(mut h) = self.held_update.lock() {
                    *h = Some(update);
                }
                break;
            }
            let msg = Msg::UpdateEthClient(MsgUpdateEthClient {
                signer: self.key.address,
                fork: update.fork.as_str().to_owned(),
                kind: update.kind,
                update: update.ssz,
            });
            tracing::info!(
                kind = update.kind.as_str(),
                fork = %update.fork,
                attested_slot = update.attested_slot,
                finalized_slot = update.finalized_slot,
                signature_slot = update.signature_slot,
                "submitting light-client update"
            );
            match self.submitter().submit(&msg, MSG_UPDATE).await {
                Ok(_) => {
                    submitted += 1;
                    self.metrics.inc_submitted(MSG_UPDATE);
                }
                // Another relayer advanced the client meanwhile: nothing lost.
                Err(RelayerError::TxRefused { log, .. }) if log.contains("does not advance") => {
                    tracing::info!(%log, "update no longer needed");
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(submitted)
    }

    /// Makes sure an events message can start from a trusted block close enough above block
    /// `b` to fit one transaction: when `trusted` is too far above, walks down with
    /// `MsgTrustEthAncestor` (`specs/relayer.md` §1.4) and returns the lowest ancestor made, or
    /// `None` when the walk needs more than this pass's windows (the next pass resumes from the
    /// zone's newest ancestor: nothing is remembered here).
    async fn walk_down(
        &self,
        trusted: TrustedBlock,
        b: u64,
        report: &mut PassReport,
    ) -> Result<Option<TrustedBlock>, RelayerError> {
        let budget = WalkBudget::for_max_tx_bytes(self.config.max_tx_bytes);
        let mut from = trusted;
        for _ in 0..MAX_WALK_WINDOWS_PER_PASS {
            let Some(window) =
                plan_walk_window(&self.eth, from, b, budget, WALK_WINDOW_HEADERS, self.key.address)
                    .await?
            else {
                return Ok(Some(from));
            };
            tracing::info!(
                trusted_block = from.number,
                target_block = b,
                steps = window.messages.len(),
                lowest = window.lowest.number,
                "walking trust down toward an event far below the trusted blocks"
            );
            for msg in window.messages {
                match self.submitter().submit(&Msg::TrustEthAncestor(msg), MSG_ANCESTOR).await {
                    Ok(_) => {
                        self.metrics.inc_submitted(MSG_ANCESTOR);
                        report.ancestor_messages_submitted += 1;
                    }
                    // Another relayer (or an earlier pass) trusted this very block: walk on.
                    Err(RelayerError::TxRefused { log, .. }) if log.contains("already trusted") => {
                        tracing::info!(%log, "ancestor already trusted");
                    }
                    Err(e) => return Err(e),
                }
            }
            from = window.lowest;
            if window.reaches_target {
                return Ok(Some(from));
            }
        }
        tracing::info!(
            lowest_ancestor = from.number,
            target_block = b,
            "walk-down continues next pass"
        );
        Ok(None)
    }

    /// Returns (messages, events) submitted and the number of pending events seen.
    async fn relay_events(
        &self,
        status: &EthClientStatus,
        report: &mut PassReport,
    ) -> Result<(usize, usize, usize), RelayerError> {
        let bridge: Address = status
            .bridge_contract
            .as_deref()
            .ok_or_else(|| {
                RelayerError::Inconsistent("/eth/client names no bridge_contract".into())
            })?
            .parse()
            .map_err(|e| RelayerError::Inconsistent(format!("bridge_contract: {e}")))?;
        let zone = Zone::new(&self.comet);
        let mut next = status.next_event_nonce;
        // Start where the zone's last processed event was, else at the configured start block.
        let mut from_block = self.config.start_block;
        if next > 1 {
            if let Some(last) =
                zone.events_from(next - 1).await?.into_iter().find(|e| e.nonce == next - 1)
            {
                from_block = from_block.max(last.block_number);
            }
        }
        let latest = self.eth.block_number().await?;
        let limit = self.config.max_events_per_tx * MAX_EVENT_MESSAGES_PER_PASS;
        let mut pending = find_pending_events(
            &self.eth,
            bridge,
            next,
            from_block,
            latest,
            self.config.log_block_range,
            limit,
        )
        .await?;
        let seen = pending.len();
        self.metrics.set_pending_events(u64::try_from(seen).unwrap_or(u64::MAX));
        let (mut messages, mut events) = (0, 0);
        while let Some(first) = pending.first() {
            if messages >= MAX_EVENT_MESSAGES_PER_PASS {
                break;
            }
            let Some(trusted) = trusted_for_block(&zone, &self.eth, first.block_number).await?
            else {
                tracing::debug!(
                    nonce = first.nonce,
                    block = first.block_number,
                    "event not yet below a trusted block; waiting for finality"
                );
                break;
            };
            // Too far above the event for one transaction: extend trust down first.
            let Some(trusted) = self.walk_down(trusted, first.block_number, report).await? else {
                break;
            };
            let mut count = provable_prefix(&pending, &trusted, self.config.max_events_per_tx);
            if count == 0 {
                break;
            }
            // Shrink the batch until the transaction fits.
            let result = loop {
                let msg = build_event_message(
                    &self.eth,
                    bridge,
                    trusted,
                    &pending[..count],
                    self.key.address,
                )
                .await?;
                let msg = Msg::SubmitEthEvents(msg);
                tracing::info!(
                    first_nonce = next,
                    events = count,
                    trusted_block = trusted.number,
                    "submitting bridge events"
                );
                match self.submitter().submit(&msg, MSG_EVENTS).await {
                    Err(RelayerError::TxTooLarge { bytes, max }) if count > 1 => {
                        tracing::info!(bytes, max, events = count, "message too large; halving");
                        count /= 2;
                    }
                    // The zone's own bound is lower than ours (`sdk` 21, ErrTxTooLarge).
                    Err(RelayerError::TxRefused { code: 21, ref codespace, ref log, .. })
                        if count > 1 && codespace == peg_tx::CODESPACE_SDK =>
                    {
                        tracing::info!(%log, events = count, "the zone finds the message too large; halving");
                        count /= 2;
                    }
                    other => break other,
                }
            };
            match result {
                Ok(_) => {
                    self.metrics.inc_submitted(MSG_EVENTS);
                    messages += 1;
                    events += count;
                    next += count as u64;
                    pending.drain(..count);
                    self.metrics.set_pending_events(pending.len() as u64);
                }
                Err(RelayerError::TxRefused { log, .. }) if log.contains("already processed") => {
                    // Another relayer won the race: re-read the zone next pass.
                    tracing::info!(%log, "events already relayed by someone else");
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok((messages, events, seen))
    }

    /// Proves the bridge's event nonce at the newest trusted block when a pending batch has
    /// timed out on Ethereum and the zone cannot see it yet (`crate::state_proof`). Failures are
    /// logged and counted, never fatal to the pass: the inbound work is done by now.
    async fn relay_timeout_proof(&self, status: &EthClientStatus) -> usize {
        let Some(bridge) =
            status.bridge_contract.as_deref().and_then(|b| b.parse::<Address>().ok())
        else {
            return 0;
        };
        let planned = crate::state_proof::plan_timeout_proof(
            &self.eth,
            &self.comet,
            bridge,
            self.key.address,
        )
        .await;
        let result = match planned {
            Ok(None) => return 0,
            Ok(Some((msg, event_nonce))) => {
                tracing::info!(event_nonce, "submitting the bridge's state proof");
                self.submitter().submit(&Msg::ProveEthState(msg), MSG_STATE).await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(_) => {
                self.metrics.inc_submitted(MSG_STATE);
                1
            }
            // Another relayer proved the same (or a newer) block first.
            Err(RelayerError::TxRefused { log, .. }) if log.contains("not newer") => {
                tracing::info!(%log, "state already proven");
                0
            }
            Err(e) => {
                self.metrics.inc_error(e.kind());
                tracing::warn!(error = %e, "timeout proof failed");
                0
            }
        }
    }

    /// Runs passes forever (until the future is dropped): after a success, waits
    /// `poll_interval`; after failures, backs off exponentially (capped at a minute). Errors are
    /// logged and counted in the metrics, never fatal, except a configuration error on the first
    /// pass. Outbound rounds, when enabled, run alongside on their own `poll_ms` (waiting for an
    /// Ethereum receipt never holds up the inbound side).
    pub async fn run(&self) -> Result<(), RelayerError> {
        match &self.outbound {
            None => self.run_inbound().await,
            Some(outbound) => tokio::select! {
                result = self.run_inbound() => result,
                result = self.run_outbound(outbound) => result,
            },
        }
    }

    async fn run_inbound(&self) -> Result<(), RelayerError> {
        let mut backoff = Backoff::new(self.config.poll_interval, MAX_BACKOFF);
        let mut first = true;
        loop {
            match self.run_inbound_once().await {
                Ok(report) => {
                    backoff.reset();
                    if report.updates_submitted + report.event_messages_submitted > 0 {
                        tracing::info!(?report, "pass done");
                    } else {
                        tracing::debug!(?report, "pass done");
                    }
                    tokio::time::sleep(self.config.poll_interval).await;
                }
                Err(e @ (RelayerError::Config { .. } | RelayerError::KeyFile { .. })) if first => {
                    return Err(e)
                }
                Err(e) => {
                    self.metrics.inc_error(e.kind());
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %e, failures = backoff.failures(), retry_in_ms = delay.as_millis() as u64, "pass failed");
                    tokio::time::sleep(delay).await;
                }
            }
            first = false;
        }
    }

    /// One pass, retrying transient failures up to `max_retries` attempts with backoff.
    pub async fn run_once_with_retries(&self) -> Result<PassReport, RelayerError> {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(10));
        loop {
            match self.run_once().await {
                Ok(report) => return Ok(report),
                Err(e) if e.is_transient() && backoff.failures() + 1 < self.config.max_retries => {
                    self.metrics.inc_error(e.kind());
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "pass failed; retrying");
                    tokio::time::sleep(delay).await;
                }
                Err(e) => {
                    self.metrics.inc_error(e.kind());
                    return Err(e);
                }
            }
        }
    }
}
