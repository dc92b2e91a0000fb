//! Outbound relaying (`specs/relayer.md` §3): valsets and batches signed on the peg zone (vote
//! extensions), executed on the PegBridge.
//!
//! Stateless like the inbound side: every round reads the contract (`valsetNonce`,
//! `valsetMembersHash`, `lastBatchNonce(token)`, `domainSeparator`) and the zone
//! (`/bridge/valsets`, `/bridge/batches`), decides with the pure functions [`find_current`],
//! [`pick_valset`], [`relayable_batches`] and [`judge_batch`], simulates with `eth_call`, sends
//! with the relayer's Ethereum [`Wallet`] and waits for the receipt. The contract's nonces make
//! every call idempotent: of two relayers racing on one checkpoint only one succeeds, and a relayer
//! whose transaction reverted re-reads everything in its next round.

use std::collections::BTreeMap;
use std::time::Duration;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use peg_eth_rpc::{BlockId, CallRequest, EthRpc, EthRpcError, LogFilter, SendOptions, Wallet};
use peg_types::{
    select_signatures, submit_batch_calldata, typed_data_digest, update_valset_calldata, Batch,
    EthAddress, EthSignature, PegEvent, PegTypesError, Transfer, Valset, ValsetMember,
    ValsetSignatures,
};
use serde::Deserialize;

use crate::cometbft::CometRpc;
use crate::config::OutboundConfig;
use crate::error::RelayerError;
use crate::metrics::Metrics;

/// Metrics label of valset updates.
pub const KIND_VALSET: &str = "valset";
/// Metrics label of batches.
pub const KIND_BATCH: &str = "batch";

/// Receipt polling interval.
const RECEIPT_POLL: Duration = Duration::from_millis(500);
/// Gas margin over `eth_estimateGas`, percent.
const GAS_MARGIN_PERCENT: u64 = 20;
/// Parts per million of `min_fee_ratio` (the comparison is done in integers).
const RATIO_SCALE: f64 = 1_000_000.0;

// ---------------------------------------------------------------------------------------------
// The zone's answers (`/bridge/valsets`, `/bridge/batches`, interfaces §7)
// ---------------------------------------------------------------------------------------------

use crate::zone::{lenient_opt_u64, lenient_u64};

/// One checkpoint signature as the zone stores it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ZoneSignature {
    /// The signing validator (`pegvaloper1…`).
    #[serde(default)]
    pub validator: String,
    /// Its registered Ethereum address.
    pub eth_address: EthAddress,
    /// `0x` + 130 hex: `r ‖ s ‖ v`.
    pub signature: String,
}

/// A valset member.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ZoneMember {
    /// Ethereum address.
    pub eth_address: EthAddress,
    /// Normalized power.
    #[serde(deserialize_with = "lenient_u64")]
    pub power: u64,
}

/// One valset of `/bridge/valsets`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ZoneValset {
    /// Its nonce.
    #[serde(deserialize_with = "lenient_u64")]
    pub nonce: u64,
    /// Members in contract order (power descending, then address).
    pub members: Vec<ZoneMember>,
    /// Whether the zone knows it executed on Ethereum.
    #[serde(default)]
    pub confirmed: bool,
    /// Signatures of its update digest.
    #[serde(default)]
    pub signatures: Vec<ZoneSignature>,
}

/// `/bridge/valsets`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ZoneValsets {
    /// The newest valset the zone knows is on Ethereum (`None`: none yet).
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub confirmed_nonce: Option<u64>,
    /// The newest valset made (`None`: none yet).
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub latest_nonce: Option<u64>,
    /// Newest first.
    pub valsets: Vec<ZoneValset>,
}

/// One transfer of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ZoneTransfer {
    /// Transfer id.
    #[serde(deserialize_with = "lenient_u64")]
    pub id: u64,
    /// Ethereum receiver.
    pub receiver: EthAddress,
    /// Amount, decimal.
    pub amount: String,
    /// Relayer fee, decimal.
    pub fee: String,
}

/// One batch of `/bridge/batches`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ZoneBatch {
    /// Batch nonce (one global counter on the zone).
    #[serde(deserialize_with = "lenient_u64")]
    pub nonce: u64,
    /// Ethereum token (`0x000…0` for ETH).
    pub token: EthAddress,
    /// Zone denom.
    #[serde(default)]
    pub denom: String,
    /// Ethereum timestamp from which the contract refuses it.
    #[serde(deserialize_with = "lenient_u64")]
    pub timeout: u64,
    /// The transfers, in batch order.
    pub transfers: Vec<ZoneTransfer>,
    /// `pending`, `executed` or `cancelled`.
    #[serde(default)]
    pub status: String,
    /// Signatures of its digest.
    #[serde(default)]
    pub signatures: Vec<ZoneSignature>,
}

fn parse_signature(s: &ZoneSignature) -> Result<EthSignature, String> {
    let hex_digits = s.signature.strip_prefix("0x").unwrap_or(&s.signature);
    let bytes =
        hex::decode(hex_digits).map_err(|e| format!("signature of {}: {e}", s.eth_address))?;
    EthSignature::from_bytes(&bytes).map_err(|e| format!("signature of {}: {e}", s.eth_address))
}

/// The signatures by Ethereum address; malformed ones are dropped with a warning (they cannot
/// help, and [`select_signatures`] ignores any that do not recover to their member).
fn collected(signatures: &[ZoneSignature]) -> BTreeMap<EthAddress, EthSignature> {
    let mut map = BTreeMap::new();
    for s in signatures {
        match parse_signature(s) {
            Ok(sig) => {
                map.insert(s.eth_address, sig);
            }
            Err(reason) => tracing::warn!(%reason, "ignoring a malformed checkpoint signature"),
        }
    }
    map
}

impl ZoneValset {
    /// The valset as the contract sees it.
    pub fn valset(&self) -> Valset {
        Valset {
            nonce: self.nonce,
            members: self
                .members
                .iter()
                .map(|m| ValsetMember { eth_address: m.eth_address, power: m.power })
                .collect(),
        }
    }
}

impl ZoneBatch {
    /// The batch as the contract takes it.
    pub fn batch(&self) -> Result<Batch, RelayerError> {
        let amount = |what: &str, text: &str, id: u64| {
            U256::from_str_radix(text, 10).map_err(|e| {
                RelayerError::Inconsistent(format!(
                    "batch {} transfer {id}: {what} {text:?}: {e}",
                    self.nonce
                ))
            })
        };
        let transfers = self
            .transfers
            .iter()
            .map(|t| {
                Ok(Transfer {
                    receiver: t.receiver,
                    amount: amount("amount", &t.amount, t.id)?,
                    fee: amount("fee", &t.fee, t.id)?,
                })
            })
            .collect::<Result<Vec<_>, RelayerError>>()?;
        Ok(Batch { token: self.token, batch_nonce: self.nonce, timeout: self.timeout, transfers })
    }
}

// ---------------------------------------------------------------------------------------------
// Decisions (pure)
// ---------------------------------------------------------------------------------------------

/// The contract's current valset among the zone's: one whose member words hash to the
/// contract's `valsetMembersHash`. Should several share their members (same addresses and
/// normalized powers), the one of the contract's nonce is preferred, then the newest not above it
/// (only the members matter for signatures; the nonce is informational).
pub fn find_current(
    valsets: &[ZoneValset],
    members_hash: &B256,
    contract_nonce: u64,
) -> Option<Valset> {
    valsets
        .iter()
        .filter(|v| &v.valset().members_hash() == members_hash)
        .max_by_key(|v| (v.nonce == contract_nonce, v.nonce <= contract_nonce, v.nonce))
        .map(ZoneValset::valset)
}

/// A valset update ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValsetPlan {
    /// The new valset.
    pub new: Valset,
    /// The current valset's signatures over the new valset's digest.
    pub signatures: ValsetSignatures,
}

impl ValsetPlan {
    /// The cheapest calldata: `updateValsetPowers` when the members stay in the same order,
    /// else `updateValset` with references.
    pub fn calldata(&self) -> Vec<u8> {
        update_valset_calldata(&self.new, &self.signatures)
    }
}

/// The valset to relay (seed 003): the NEWEST zone valset with a nonce above the contract's
/// whose signatures from the current members pass the threshold on their own; intermediate
/// valsets are skipped. `None` when no newer valset has enough signatures yet.
pub fn pick_valset(
    valsets: &[ZoneValset],
    current: &Valset,
    contract_nonce: u64,
    domain_separator: B256,
) -> Option<ValsetPlan> {
    let mut candidates: Vec<&ZoneValset> =
        valsets.iter().filter(|v| v.nonce > contract_nonce).collect();
    candidates.sort_by_key(|v| std::cmp::Reverse(v.nonce));
    for candidate in candidates {
        let new = candidate.valset();
        if let Err(e) = new.validate() {
            tracing::warn!(nonce = new.nonce, error = %e, "zone valset is not valid for the contract");
            continue;
        }
        let digest = typed_data_digest(domain_separator, new.valset_hash());
        match select_signatures(current, &digest, &collected(&candidate.signatures)) {
            Ok(selected) => match ValsetSignatures::new(current, &selected) {
                Ok(signatures) => return Some(ValsetPlan { new, signatures }),
                Err(e) => tracing::warn!(nonce = new.nonce, error = %e, "cannot encode signatures"),
            },
            Err(PegTypesError::InsufficientPower { got, expected }) => {
                tracing::debug!(nonce = new.nonce, got, expected, "valset not signed enough yet");
            }
            Err(e) => tracing::warn!(nonce = new.nonce, error = %e, "valset signatures unusable"),
        }
    }
    None
}

/// The batches worth looking at, ascending nonce: pending, above the contract's
/// `lastBatchNonce(token)` (never resent once executed or superseded) and not timed out at the
/// latest Ethereum block's timestamp.
pub fn relayable_batches<'a>(
    batches: &'a [ZoneBatch],
    last_batch_nonce: &BTreeMap<EthAddress, u64>,
    latest_timestamp: u64,
) -> Vec<&'a ZoneBatch> {
    let mut out: Vec<&ZoneBatch> = batches
        .iter()
        .filter(|b| b.status.is_empty() || b.status == "pending")
        .filter(|b| b.nonce > last_batch_nonce.get(&b.token).copied().unwrap_or(0))
        .filter(|b| b.timeout > latest_timestamp)
        .collect();
    out.sort_by_key(|b| b.nonce);
    out
}

/// How batch fees are judged.
#[derive(Debug, Clone, PartialEq)]
pub struct FeeJudge {
    /// Relay when fee value ≥ ratio × gas cost; 0 relays everything (priced or not).
    pub min_fee_ratio: f64,
    /// Wei per base unit, by token; ETH (`0x000…0`) is 1 unless set.
    pub token_prices_wei: BTreeMap<EthAddress, U256>,
    /// Relay batches of tokens without a price.
    pub relay_unpriced: bool,
}

impl FeeJudge {
    /// From the `[outbound]` settings.
    pub fn from_config(config: &OutboundConfig) -> Self {
        Self {
            min_fee_ratio: config.min_fee_ratio,
            token_prices_wei: config.token_prices_wei.clone(),
            relay_unpriced: config.relay_unpriced,
        }
    }

    /// The price of `token` in wei per base unit.
    pub fn price(&self, token: &EthAddress) -> Option<U256> {
        self.token_prices_wei
            .get(token)
            .copied()
            .or_else(|| token.is_zero().then_some(U256::from(1u8)))
    }
}

/// The verdict on one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchDecision {
    /// Send it.
    Relay {
        /// Fee value in wei (`None`: unpriced token relayed anyway).
        fee_wei: Option<U256>,
        /// Expected gas cost in wei.
        cost_wei: U256,
    },
    /// The fees do not pay for the gas at the configured ratio.
    Unprofitable {
        /// Fee value in wei.
        fee_wei: U256,
        /// Expected gas cost in wei.
        cost_wei: U256,
    },
    /// The token has no price and unpriced batches are not relayed.
    Unpriced,
}

/// Judges a batch paying `total_fees` (token base units) that costs `gas` at `gas_price` wei.
pub fn judge_batch(
    judge: &FeeJudge,
    token: &EthAddress,
    total_fees: U256,
    gas: u64,
    gas_price: U256,
) -> BatchDecision {
    let cost_wei = U256::from(gas).saturating_mul(gas_price);
    let price = judge.price(token);
    if judge.min_fee_ratio <= 0.0 {
        return BatchDecision::Relay {
            fee_wei: price.map(|p| total_fees.saturating_mul(p)),
            cost_wei,
        };
    }
    let Some(price) = price else {
        return if judge.relay_unpriced {
            BatchDecision::Relay { fee_wei: None, cost_wei }
        } else {
            BatchDecision::Unpriced
        };
    };
    let fee_wei = total_fees.saturating_mul(price);
    // fee ≥ ratio × cost, in parts per million.
    let ratio_ppm = U256::from((judge.min_fee_ratio * RATIO_SCALE).round() as u128);
    let scale = U256::from(RATIO_SCALE as u128);
    if fee_wei.saturating_mul(scale) >= cost_wei.saturating_mul(ratio_ppm) {
        BatchDecision::Relay { fee_wei: Some(fee_wei), cost_wei }
    } else {
        BatchDecision::Unprofitable { fee_wei, cost_wei }
    }
}

/// A batch ready to send under the current valset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPlan {
    /// The batch.
    pub batch: Batch,
    /// `submitBatch` calldata.
    pub calldata: Vec<u8>,
}

/// Builds the `submitBatch` call of `zone_batch` with the fewest signatures of `current` that
/// pass; `Ok(None)` while its signatures do not reach the threshold.
pub fn plan_batch(
    zone_batch: &ZoneBatch,
    current: &Valset,
    domain_separator: B256,
) -> Result<Option<BatchPlan>, RelayerError> {
    let batch = zone_batch.batch()?;
    let digest = typed_data_digest(domain_separator, batch.batch_hash());
    let selected = match select_signatures(current, &digest, &collected(&zone_batch.signatures)) {
        Ok(selected) => selected,
        Err(PegTypesError::InsufficientPower { got, expected }) => {
            tracing::debug!(
                nonce = batch.batch_nonce,
                got,
                expected,
                "batch not signed enough yet"
            );
            return Ok(None);
        }
        Err(e) => {
            return Err(RelayerError::Inconsistent(format!("batch {}: {e}", batch.batch_nonce)))
        }
    };
    let signatures = ValsetSignatures::new(current, &selected)
        .map_err(|e| RelayerError::Inconsistent(format!("batch {}: {e}", batch.batch_nonce)))?;
    let calldata = submit_batch_calldata(&batch, &signatures);
    Ok(Some(BatchPlan { batch, calldata }))
}

// ---------------------------------------------------------------------------------------------
// The contract (Ethereum half)
// ---------------------------------------------------------------------------------------------

fn selector(signature: &str) -> [u8; 4] {
    let hash = keccak256(signature.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

/// The PegBridge's views a relayer reads.
#[derive(Debug, Clone, Copy)]
pub struct BridgeContract<'a> {
    rpc: &'a EthRpc,
    address: Address,
}

impl<'a> BridgeContract<'a> {
    /// The bridge at `address`.
    pub fn new(rpc: &'a EthRpc, address: Address) -> Self {
        Self { rpc, address }
    }

    /// Its address.
    pub fn address(&self) -> Address {
        self.address
    }

    async fn word(&self, data: Vec<u8>, what: &str) -> Result<B256, RelayerError> {
        let call = CallRequest {
            from: None,
            to: Some(self.address),
            value: U256::ZERO,
            data: data.into(),
            gas: None,
        };
        let out = self.rpc.call(&call, BlockId::Latest).await?;
        if out.len() < 32 {
            return Err(RelayerError::Inconsistent(format!(
                "{what} of {} answered {} bytes (is the bridge deployed there?)",
                self.address,
                out.len()
            )));
        }
        Ok(B256::from_slice(&out[..32]))
    }

    async fn u64_view(&self, data: Vec<u8>, what: &str) -> Result<u64, RelayerError> {
        let word = U256::from_be_bytes(self.word(data, what).await?.0);
        u64::try_from(word)
            .map_err(|_| RelayerError::Inconsistent(format!("{what} = {word} exceeds 64 bits")))
    }

    /// `valsetNonce()`.
    pub async fn valset_nonce(&self) -> Result<u64, RelayerError> {
        self.u64_view(selector("valsetNonce()").to_vec(), "valsetNonce()").await
    }

    /// `valsetMembersHash()`.
    pub async fn valset_members_hash(&self) -> Result<B256, RelayerError> {
        self.word(selector("valsetMembersHash()").to_vec(), "valsetMembersHash()").await
    }

    /// `domainSeparator()`: the EIP-712 domain the signatures are checked under.
    pub async fn domain_separator(&self) -> Result<B256, RelayerError> {
        self.word(selector("domainSeparator()").to_vec(), "domainSeparator()").await
    }

    /// `lastBatchNonce(token)`.
    pub async fn last_batch_nonce(&self, token: &EthAddress) -> Result<u64, RelayerError> {
        let mut data = selector("lastBatchNonce(address)").to_vec();
        data.extend_from_slice(&[0u8; 12]);
        data.extend_from_slice(token.as_bytes());
        self.u64_view(data, "lastBatchNonce(token)").await
    }

    /// The valset of the newest `ValsetUpdated` log with valset nonce `nonce` (seed 003: the
    /// member order must come from the last update), scanning down from the latest block to
    /// `from_block` in windows of `range` blocks.
    pub async fn valset_from_logs(
        &self,
        nonce: u64,
        from_block: u64,
        range: u64,
    ) -> Result<Option<Valset>, RelayerError> {
        let topic0 = PegEvent::topic0s()
            .iter()
            .find(|(name, _)| *name == "ValsetUpdated")
            .map(|(_, t)| *t)
            .ok_or_else(|| RelayerError::Inconsistent("no ValsetUpdated topic".into()))?;
        let range = range.max(1);
        let mut to = self.rpc.block_number().await?;
        if to < from_block {
            return Ok(None);
        }
        loop {
            let from = to.saturating_sub(range - 1).max(from_block);
            let filter = LogFilter {
                from_block: BlockId::Number(from),
                to_block: BlockId::Number(to),
                addresses: vec![self.address],
                topic0: vec![topic0],
            };
            let logs = self.rpc.get_logs(&filter).await?;
            for log in logs.iter().rev() {
                match PegEvent::decode_raw_log(&log.topics, &log.data) {
                    Ok(PegEvent::ValsetUpdated(e)) if e.valset.nonce == nonce => {
                        return Ok(Some(e.valset))
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "undecodable ValsetUpdated log"),
                }
            }
            if from <= from_block {
                return Ok(None);
            }
            to = from - 1;
        }
    }
}

/// What a simulation says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Simulation {
    /// The call executes; `gas` from `eth_estimateGas`.
    Ready {
        /// Estimated gas.
        gas: u64,
    },
    /// The call reverts now.
    WouldRevert {
        /// The node's message and revert data.
        reason: String,
    },
}

fn revert_reason(e: &EthRpcError) -> String {
    match e.revert_data() {
        Some(data) if data.len() >= 4 => format!("{e} (error 0x{})", hex::encode(&data[..4])),
        _ => e.to_string(),
    }
}

/// Simulates `data` from `from` on the bridge: `eth_call` on the pending state (a transaction of
/// another relayer already in the pool counts), then `eth_estimateGas`.
pub async fn simulate(
    rpc: &EthRpc,
    from: Address,
    bridge: Address,
    data: &[u8],
) -> Result<Simulation, RelayerError> {
    let call = CallRequest {
        from: Some(from),
        to: Some(bridge),
        value: U256::ZERO,
        data: Bytes::copy_from_slice(data),
        gas: None,
    };
    match rpc.call(&call, BlockId::Pending).await {
        Ok(_) => {}
        Err(e @ EthRpcError::Rpc { .. }) => {
            return Ok(Simulation::WouldRevert { reason: revert_reason(&e) })
        }
        Err(e) => return Err(e.into()),
    }
    match rpc.estimate_gas(&call).await {
        Ok(gas) => Ok(Simulation::Ready { gas }),
        Err(e @ (EthRpcError::WouldRevert { .. } | EthRpcError::Rpc { .. })) => {
            Ok(Simulation::WouldRevert { reason: revert_reason(&e) })
        }
        Err(e) => Err(e.into()),
    }
}

/// How a sent call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Mined and succeeded.
    Executed {
        /// Transaction hash.
        tx_hash: B256,
        /// Block.
        block_number: u64,
        /// Gas used.
        gas_used: u64,
    },
    /// Mined and reverted (another relayer was first, or the state moved).
    Reverted {
        /// Transaction hash.
        tx_hash: B256,
        /// Block.
        block_number: u64,
        /// Gas used (paid for nothing).
        gas_used: u64,
    },
}

/// The gas limit for an estimate: the estimate plus a margin.
pub fn gas_limit(estimate: u64) -> u64 {
    estimate.saturating_mul(100 + GAS_MARGIN_PERCENT) / 100
}

/// Sends `data` to the bridge with `gas_limit` and returns its hash without waiting.
pub async fn send_call(
    wallet: &Wallet,
    bridge: Address,
    data: &[u8],
    gas_limit: u64,
) -> Result<B256, RelayerError> {
    let options = SendOptions { gas_limit: Some(gas_limit), ..SendOptions::default() };
    Ok(wallet.send(Some(bridge), U256::ZERO, Bytes::copy_from_slice(data), &options).await?)
}

/// Waits for the receipt of `tx_hash` (at most `timeout`).
pub async fn await_outcome(
    rpc: &EthRpc,
    tx_hash: B256,
    timeout: Duration,
) -> Result<SendOutcome, RelayerError> {
    let receipt = rpc.wait_for_receipt(tx_hash, timeout, RECEIPT_POLL).await?;
    let (block_number, gas_used) = (receipt.block_number, receipt.gas_used);
    Ok(if receipt.succeeded() {
        SendOutcome::Executed { tx_hash, block_number, gas_used }
    } else {
        SendOutcome::Reverted { tx_hash, block_number, gas_used }
    })
}

/// [`send_call`] then [`await_outcome`].
pub async fn send_and_confirm(
    wallet: &Wallet,
    bridge: Address,
    data: &[u8],
    gas_limit: u64,
    timeout: Duration,
) -> Result<SendOutcome, RelayerError> {
    let hash = send_call(wallet, bridge, data, gas_limit).await?;
    tracing::info!(%hash, gas_limit, "sent; waiting for the receipt");
    await_outcome(wallet.rpc(), hash, timeout).await
}

// ---------------------------------------------------------------------------------------------
// The round
// ---------------------------------------------------------------------------------------------

/// What one outbound round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundReport {
    /// The contract's valset nonce at the end.
    pub contract_valset_nonce: u64,
    /// Valset updates executed.
    pub valsets_relayed: usize,
    /// Batches executed.
    pub batches_relayed: usize,
    /// Our transactions that reverted on chain.
    pub reverted: usize,
    /// Batches skipped (fees, price, simulation, signatures).
    pub batches_skipped: usize,
}

/// The outbound relayer: an Ethereum wallet and the settings.
#[derive(Debug)]
pub struct Outbound {
    wallet: Wallet,
    config: OutboundConfig,
    judge: FeeJudge,
    start_block: u64,
    log_block_range: u64,
}

impl Outbound {
    /// Reads the Ethereum key; `start_block` / `log_block_range` bound the `ValsetUpdated`
    /// fallback scan.
    pub fn new(
        rpc: EthRpc,
        config: OutboundConfig,
        start_block: u64,
        log_block_range: u64,
    ) -> Result<Self, RelayerError> {
        let path = config.eth_key_file.as_ref().ok_or_else(|| RelayerError::Config {
            reason: "[outbound] eth_key_file is required".into(),
        })?;
        let wallet = Wallet::from_key_file(rpc, path).map_err(|e| RelayerError::KeyFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let judge = FeeJudge::from_config(&config);
        tracing::info!(eth_account = %wallet.address(), "outbound relaying enabled");
        Ok(Self { wallet, config, judge, start_block, log_block_range })
    }

    /// The Ethereum account paying gas and receiving fees.
    pub fn address(&self) -> Address {
        self.wallet.address()
    }

    /// The pause between rounds.
    pub fn poll_interval(&self) -> Duration {
        self.config.poll_interval
    }

    /// The contract's current valset: from the zone's valsets by members hash, else from the
    /// last `ValsetUpdated` log.
    async fn current_valset(
        &self,
        contract: &BridgeContract<'_>,
        valsets: &ZoneValsets,
        nonce: u64,
        members_hash: B256,
    ) -> Result<Valset, RelayerError> {
        if let Some(current) = find_current(&valsets.valsets, &members_hash, nonce) {
            return Ok(current);
        }
        tracing::info!(nonce, "current valset not among the zone's; reading ValsetUpdated logs");
        let valset = contract
            .valset_from_logs(nonce, self.start_block, self.log_block_range)
            .await?
            .ok_or_else(|| {
                RelayerError::Inconsistent(format!(
                    "no ValsetUpdated log of valset {nonce} from block {}",
                    self.start_block
                ))
            })?;
        if valset.members_hash() != members_hash {
            return Err(RelayerError::Inconsistent(format!(
                "the ValsetUpdated log of valset {nonce} does not hash to valsetMembersHash"
            )));
        }
        Ok(valset)
    }

    /// One round: the newest passing valset, then the batches.
    pub async fn run_once(
        &self,
        comet: &CometRpc,
        bridge: Address,
        metrics: &Metrics,
    ) -> Result<OutboundReport, RelayerError> {
        let rpc = self.wallet.rpc();
        let contract = BridgeContract::new(rpc, bridge);
        let mut report = OutboundReport::default();
        let nonce = contract.valset_nonce().await?;
        let members_hash = contract.valset_members_hash().await?;
        let separator = contract.domain_separator().await?;
        metrics.set_contract_valset_nonce(nonce);
        report.contract_valset_nonce = nonce;
        let valsets: ZoneValsets = comet.query_json("/bridge/valsets").await?;
        let mut current = self.current_valset(&contract, &valsets, nonce, members_hash).await?;

        if let Some(plan) = pick_valset(&valsets.valsets, &current, nonce, separator) {
            let data = plan.calldata();
            match simulate(rpc, self.address(), bridge, &data).await? {
                Simulation::WouldRevert { reason } => {
                    metrics.inc_outbound(KIND_VALSET, "would_revert");
                    tracing::warn!(nonce = plan.new.nonce, %reason, "valset update would revert");
                }
                Simulation::Ready { gas } => {
                    tracing::info!(
                        from = nonce,
                        to = plan.new.nonce,
                        gas,
                        members = plan.new.members.len(),
                        "relaying valset update"
                    );
                    match send_and_confirm(
                        &self.wallet,
                        bridge,
                        &data,
                        gas_limit(gas),
                        self.config.receipt_timeout,
                    )
                    .await?
                    {
                        SendOutcome::Executed { tx_hash, gas_used, .. } => {
                            metrics.inc_outbound(KIND_VALSET, "executed");
                            tracing::info!(%tx_hash, gas_used, nonce = plan.new.nonce, "valset updated");
                            report.valsets_relayed += 1;
                            report.contract_valset_nonce = plan.new.nonce;
                            metrics.set_contract_valset_nonce(plan.new.nonce);
                            current = plan.new;
                        }
                        SendOutcome::Reverted { tx_hash, gas_used, .. } => {
                            metrics.inc_outbound(KIND_VALSET, "reverted");
                            tracing::warn!(%tx_hash, gas_used, "valset update reverted (raced?); re-reading next round");
                            report.reverted += 1;
                            return Ok(report);
                        }
                    }
                }
            }
        } else if valsets.latest_nonce.is_some_and(|latest| latest > nonce) {
            tracing::debug!(
                contract_nonce = nonce,
                latest = valsets.latest_nonce,
                "no newer valset passes with the current valset's signatures yet"
            );
        }

        let batches: Vec<ZoneBatch> = comet.query_json("/bridge/batches").await?;
        let latest = rpc.block_by_number(BlockId::Latest).await?.ok_or_else(|| {
            RelayerError::Inconsistent("the Ethereum node has no latest block".into())
        })?;
        let latest_timestamp = latest.header.timestamp;
        let mut last_nonces: BTreeMap<EthAddress, u64> = BTreeMap::new();
        for b in &batches {
            if let std::collections::btree_map::Entry::Vacant(slot) = last_nonces.entry(b.token) {
                slot.insert(contract.last_batch_nonce(&b.token).await?);
            }
        }
        let timed_out = batches
            .iter()
            .filter(|b| {
                b.timeout <= latest_timestamp
                    && b.nonce > last_nonces.get(&b.token).copied().unwrap_or(0)
            })
            .count();
        if timed_out > 0 {
            tracing::debug!(timed_out, latest_timestamp, "batches past their timeout are skipped");
        }
        let candidates: Vec<ZoneBatch> =
            relayable_batches(&batches, &last_nonces, latest_timestamp)
                .into_iter()
                .cloned()
                .collect();
        metrics.set_relayable_batches(candidates.len() as u64);
        let mut gas_price = None;
        for zone_batch in &candidates {
            // An earlier batch of this round may have superseded it.
            if zone_batch.nonce <= last_nonces.get(&zone_batch.token).copied().unwrap_or(0) {
                continue;
            }
            let Some(plan) = plan_batch(zone_batch, &current, separator)? else {
                report.batches_skipped += 1;
                continue;
            };
            let gas = match simulate(rpc, self.address(), bridge, &plan.calldata).await? {
                Simulation::Ready { gas } => gas,
                Simulation::WouldRevert { reason } => {
                    metrics.inc_outbound(KIND_BATCH, "would_revert");
                    tracing::warn!(nonce = zone_batch.nonce, token = %zone_batch.token, %reason, "batch would revert; skipped");
                    report.batches_skipped += 1;
                    continue;
                }
            };
            let price = match gas_price {
                Some(p) => p,
                None => {
                    let p = rpc.gas_price().await?;
                    gas_price = Some(p);
                    p
                }
            };
            let fees = plan.batch.total_fees().map_err(|e| {
                RelayerError::Inconsistent(format!("batch {}: {e}", zone_batch.nonce))
            })?;
            match judge_batch(&self.judge, &zone_batch.token, fees, gas, price) {
                BatchDecision::Relay { fee_wei, cost_wei } => {
                    tracing::info!(
                        nonce = zone_batch.nonce,
                        token = %zone_batch.token,
                        transfers = zone_batch.transfers.len(),
                        gas,
                        fee_wei = ?fee_wei,
                        %cost_wei,
                        "relaying batch"
                    );
                }
                BatchDecision::Unprofitable { fee_wei, cost_wei } => {
                    metrics.inc_outbound(KIND_BATCH, "unprofitable");
                    tracing::info!(nonce = zone_batch.nonce, %fee_wei, %cost_wei, ratio = self.judge.min_fee_ratio, "batch fees too low; skipped");
                    report.batches_skipped += 1;
                    continue;
                }
                BatchDecision::Unpriced => {
                    metrics.inc_outbound(KIND_BATCH, "unpriced");
                    tracing::info!(nonce = zone_batch.nonce, token = %zone_batch.token, "no price for the token (relay_unpriced = false); skipped");
                    report.batches_skipped += 1;
                    continue;
                }
            }
            match send_and_confirm(
                &self.wallet,
                bridge,
                &plan.calldata,
                gas_limit(gas),
                self.config.receipt_timeout,
            )
            .await?
            {
                SendOutcome::Executed { tx_hash, gas_used, .. } => {
                    metrics.inc_outbound(KIND_BATCH, "executed");
                    tracing::info!(%tx_hash, gas_used, nonce = zone_batch.nonce, "batch executed");
                    report.batches_relayed += 1;
                    last_nonces.insert(zone_batch.token, zone_batch.nonce);
                }
                SendOutcome::Reverted { tx_hash, gas_used, .. } => {
                    metrics.inc_outbound(KIND_BATCH, "reverted");
                    tracing::warn!(%tx_hash, gas_used, nonce = zone_batch.nonce, "batch reverted (raced?); re-reading next round");
                    report.reverted += 1;
                    break;
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peg_types::{sign_digest, signer_address, signing_key_from_bytes, SigningKey};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn keys(n: usize) -> Vec<SigningKey> {
        (0..n)
            .map(|i| {
                signing_key_from_bytes(&keccak256(format!("outbound test key {i}")))
                    .expect("keccak output is a valid key")
            })
            .collect()
    }

    fn zone_valset(nonce: u64, keys: &[SigningKey], powers: &[u64]) -> ZoneValset {
        let valset = Valset::from_raw_powers(
            nonce,
            keys.iter().zip(powers).map(|(k, p)| (signer_address(k), *p)),
        )
        .expect("valid valset");
        ZoneValset {
            nonce,
            members: valset
                .members
                .iter()
                .map(|m| ZoneMember { eth_address: m.eth_address, power: m.power })
                .collect(),
            confirmed: false,
            signatures: Vec::new(),
        }
    }

    fn sign(digest: &B256, key: &SigningKey) -> ZoneSignature {
        let sig = sign_digest(key, digest).expect("sign");
        ZoneSignature {
            validator: String::new(),
            eth_address: signer_address(key),
            signature: format!("0x{}", hex::encode(sig.to_bytes())),
        }
    }

    fn sign_valset(v: &mut ZoneValset, sep: B256, signers: &[SigningKey]) {
        let digest = typed_data_digest(sep, v.valset().valset_hash());
        v.signatures = signers.iter().map(|k| sign(&digest, k)).collect();
    }

    #[test]
    fn decodes_the_zone_answers() -> TestResult {
        let json = serde_json::json!({
            "confirmed_nonce": 0, "latest_nonce": "2",
            "valsets": [{"nonce": 2, "members": [{"eth_address": "0x1111111111111111111111111111111111111111", "power": 4294967296u64}],
                         "created_height": 40, "confirmed": false, "digest": "0x00",
                         "signatures": [{"validator": "pegvaloper1x", "eth_address": "0x1111111111111111111111111111111111111111", "signature": format!("0x{}", "11".repeat(65))}]}]
        });
        let v: ZoneValsets = serde_json::from_value(json)?;
        assert_eq!((v.latest_nonce, v.valsets[0].members[0].power), (Some(2), 1 << 32));
        assert_eq!(v.confirmed_nonce, Some(0));
        let none: ZoneValsets = serde_json::from_value(
            serde_json::json!({"confirmed_nonce": null, "latest_nonce": null, "valsets": []}),
        )?;
        assert_eq!((none.confirmed_nonce, none.latest_nonce), (None, None));
        let batches = serde_json::json!([{"nonce": 3, "token": "0x0000000000000000000000000000000000000000", "denom": "eth/0x0000000000000000000000000000000000000000",
            "timeout": 1700000000u64, "transfers": [{"id": 1, "sender": "peg1x", "receiver": "0x2222222222222222222222222222222222222222", "amount": "100", "fee": "7"}],
            "created_height": 12, "status": "pending", "digest": "0x00", "signatures": []}]);
        let b: Vec<ZoneBatch> = serde_json::from_value(batches)?;
        let batch = b[0].batch()?;
        assert_eq!(batch.transfers[0].amount, U256::from(100u8));
        assert_eq!(batch.total_fees()?, U256::from(7u8));
        let bad = ZoneBatch {
            transfers: vec![ZoneTransfer { amount: "1e5".into(), ..b[0].transfers[0].clone() }],
            ..b[0].clone()
        };
        assert!(bad.batch().is_err());
        Ok(())
    }

    #[test]
    fn current_is_found_by_members_hash() {
        let k = keys(3);
        let v0 = zone_valset(0, &k, &[10, 10, 10]);
        let v1 = zone_valset(1, &k, &[30, 10, 10]);
        let hash = v1.valset().members_hash();
        let found = find_current(&[v1.clone(), v0.clone()], &hash, 1).expect("v1 matches");
        assert_eq!(found.nonce, 1);
        assert!(find_current(std::slice::from_ref(&v0), &hash, 1).is_none());
        // v2 has v1's members (normalized powers equal): the contract's nonce decides.
        let v2 = zone_valset(2, &k, &[60, 20, 20]);
        assert_eq!(v2.valset().members_hash(), hash);
        let both = [v2.clone(), v1.clone(), v0];
        assert_eq!(find_current(&both, &hash, 1).map(|v| v.nonce), Some(1));
        assert_eq!(find_current(&both, &hash, 2).map(|v| v.nonce), Some(2));
        assert_eq!(find_current(&[v2], &hash, 1).map(|v| v.nonce), Some(2), "members count");
    }

    #[test]
    fn picks_the_newest_valset_that_passes_on_its_own() {
        let sep = B256::repeat_byte(0x42);
        let k = keys(4);
        let current = zone_valset(0, &k[..3], &[10, 10, 10]).valset();
        // v1: the first current member gains power; the order stays (powers form).
        let reordered = Valset::from_raw_powers(
            1,
            current
                .members
                .iter()
                .enumerate()
                .map(|(i, m)| (m.eth_address, if i == 0 { 20 } else { 10 })),
        )
        .expect("valid valset");
        let mut v1 = ZoneValset {
            nonce: 1,
            members: reordered
                .members
                .iter()
                .map(|m| ZoneMember { eth_address: m.eth_address, power: m.power })
                .collect(),
            confirmed: false,
            signatures: Vec::new(),
        };
        let mut v2 = zone_valset(2, &k, &[20, 10, 10, 10]);
        let mut v3 = zone_valset(3, &k, &[20, 20, 10, 10]);
        sign_valset(&mut v1, sep, &k);
        sign_valset(&mut v2, sep, &k);
        // v3: only one current member signed (1/3 of the power): not enough.
        sign_valset(&mut v3, sep, &k[..1]);
        let all = vec![v3.clone(), v2.clone(), v1.clone()];
        let plan = pick_valset(&all, &current, 0, sep).expect("v2 passes");
        assert_eq!(plan.new.nonce, 2, "skips v1, v3 lacks signatures");
        // Signatures of the CURRENT members only; the fewest that pass (3 equal members: all 3
        // needed, since 2/3 is not above the threshold).
        assert_eq!(plan.signatures.members, current.member_words());
        assert_eq!(plan.signatures.signers, U256::from(0b111u8));
        // Nothing newer than the contract's nonce.
        assert!(pick_valset(&all, &current, 3, sep).is_none());
        // Signed under another domain: nothing passes.
        assert!(pick_valset(&all, &current, 0, B256::repeat_byte(1)).is_none());
        // The powers form when the order is unchanged.
        let plan1 = pick_valset(&[v1], &current, 0, sep).expect("v1 passes");
        let data = plan1.calldata();
        assert_eq!(
            &data[..4],
            &selector("updateValsetPowers(uint256,bytes,(bytes32[],uint256,bytes))")
        );
        let data2 = plan.calldata();
        assert_eq!(
            &data2[..4],
            &selector("updateValset(uint256,bytes32[],(bytes32[],uint256,bytes))")
        );
    }

    #[test]
    fn batches_ascending_above_last_nonce_and_not_timed_out() {
        let eth = EthAddress::ZERO;
        let token = EthAddress::new([7; 20]);
        let mk = |nonce: u64, token: EthAddress, timeout: u64, status: &str| ZoneBatch {
            nonce,
            token,
            denom: String::new(),
            timeout,
            transfers: Vec::new(),
            status: status.into(),
            signatures: Vec::new(),
        };
        let batches = vec![
            mk(9, eth, 2000, "pending"),
            mk(4, token, 2000, "pending"),
            mk(3, eth, 2000, "pending"),
            mk(2, eth, 2000, "pending"),
            mk(6, token, 1000, "pending"),
            mk(8, token, 2000, "executed"),
        ];
        let last: BTreeMap<EthAddress, u64> = [(eth, 2)].into_iter().collect();
        let nonces: Vec<u64> =
            relayable_batches(&batches, &last, 1000).iter().map(|b| b.nonce).collect();
        // 2 ≤ lastBatchNonce; 6 times out at 1000 (timestamp ≥ timeout); 8 is not pending.
        assert_eq!(nonces, [3, 4, 9]);
        assert_eq!(relayable_batches(&batches, &last, 999).len(), 4);
    }

    #[test]
    fn judges_fees_against_gas() {
        let eth = EthAddress::ZERO;
        let token = EthAddress::new([7; 20]);
        let gwei = U256::from(1_000_000_000u64);
        let mut judge = FeeJudge {
            min_fee_ratio: 1.0,
            token_prices_wei: BTreeMap::new(),
            relay_unpriced: false,
        };
        // 100k gas at 1 gwei = 1e14 wei.
        let cost = U256::from(100_000u64) * gwei;
        assert!(matches!(
            judge_batch(&judge, &eth, cost, 100_000, gwei),
            BatchDecision::Relay { fee_wei: Some(f), cost_wei } if f == cost && cost_wei == cost
        ));
        assert!(matches!(
            judge_batch(&judge, &eth, cost - U256::from(1u8), 100_000, gwei),
            BatchDecision::Unprofitable { .. }
        ));
        assert_eq!(judge_batch(&judge, &token, cost, 100_000, gwei), BatchDecision::Unpriced);
        judge.relay_unpriced = true;
        assert!(matches!(
            judge_batch(&judge, &token, U256::ZERO, 100_000, gwei),
            BatchDecision::Relay { fee_wei: None, .. }
        ));
        // A price: 2 wei per unit, ratio 1.5: needs fees × 2 ≥ 1.5 × cost.
        judge.token_prices_wei.insert(token, U256::from(2u8));
        judge.min_fee_ratio = 1.5;
        let needed = cost * U256::from(3u8) / U256::from(4u8);
        assert!(matches!(
            judge_batch(&judge, &token, needed, 100_000, gwei),
            BatchDecision::Relay { .. }
        ));
        assert!(matches!(
            judge_batch(&judge, &token, needed - U256::from(1u8), 100_000, gwei),
            BatchDecision::Unprofitable { .. }
        ));
        // Ratio 0 relays everything, fee-less and unpriced included.
        judge.min_fee_ratio = 0.0;
        judge.relay_unpriced = false;
        assert!(matches!(
            judge_batch(&judge, &EthAddress::new([9; 20]), U256::ZERO, 100_000, gwei),
            BatchDecision::Relay { .. }
        ));
        // A configured ETH price overrides the default of 1.
        judge.min_fee_ratio = 1.0;
        judge.token_prices_wei.insert(eth, U256::from(2u8));
        assert!(matches!(
            judge_batch(&judge, &eth, cost / U256::from(2u8), 100_000, gwei),
            BatchDecision::Relay { .. }
        ));
    }

    #[test]
    fn plans_a_batch_with_the_current_valsets_signatures() -> TestResult {
        let sep = B256::repeat_byte(0x42);
        let k = keys(4);
        let current = zone_valset(0, &k, &[40, 30, 20, 10]).valset();
        let mut zb = ZoneBatch {
            nonce: 5,
            token: EthAddress::ZERO,
            denom: String::new(),
            timeout: 10_000,
            transfers: vec![ZoneTransfer {
                id: 1,
                receiver: EthAddress::new([3; 20]),
                amount: "10".into(),
                fee: "1".into(),
            }],
            status: "pending".into(),
            signatures: Vec::new(),
        };
        let digest = typed_data_digest(sep, zb.batch()?.batch_hash());
        // Only the 10-power member signed: below the threshold.
        let smallest = k
            .iter()
            .find(|key| current.members[3].eth_address == signer_address(key))
            .ok_or("member 3 has a key")?;
        zb.signatures = vec![sign(&digest, smallest)];
        assert!(plan_batch(&zb, &current, sep)?.is_none());
        // Everyone signed, one signature garbage: the fewest valid ones that pass (40+30 > 2/3
        // of 100? no: 70% ≥ 66.7% yes), so two signers.
        zb.signatures = k.iter().map(|key| sign(&digest, key)).collect();
        zb.signatures.push(ZoneSignature {
            validator: String::new(),
            eth_address: EthAddress::new([5; 20]),
            signature: "0x1234".into(),
        });
        let plan = plan_batch(&zb, &current, sep)?.ok_or("passes")?;
        let call =
            <peg_types::calls::sol_calls::submitBatchCall as alloy_sol_types::SolCall>::abi_decode(
                &plan.calldata,
            )?;
        assert_eq!(call.current.signers, U256::from(0b11u8));
        assert_eq!(call.batch.batchNonce, U256::from(5u8));
        Ok(())
    }
}
