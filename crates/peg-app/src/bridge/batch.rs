//! Batches (`specs/bridge-module.md` §2.3, §5): creation from the pool, execution proven from
//! Ethereum, cancellation of older batches, timeouts judged by the observed Ethereum time.

use peg_tx::MsgRequestBatch;
use peg_types::{batch_digest, Batch, BridgeDomain, EthAddress, Transfer, B256, U256};
use serde::{Deserialize, Serialize};
use tendermint_proto::v0_38::abci::Event;

use super::pool::{self, OutgoingTransfer};
use super::signatures::delete_signatures;
use super::{
    corrupt, get_json, get_u64_list, load_params, nonce_key, pool_address, set_json, set_u64_list,
    take_counter, token_hex, token_of, CheckpointKind, KEY_NEXT_BATCH_NONCE, KEY_PENDING_BATCHES,
    PREFIX_BATCH,
};
use crate::error::AppError;
use crate::eth::{self, BlockContext};
use crate::exec::event;
use crate::state::Cache;

/// Where a batch is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchStatus {
    /// Waiting for signatures and a relayer.
    Pending,
    /// `BatchExecuted` was proven: settled.
    Executed,
    /// A newer batch of the token executed, or it timed out: its transfers went back to the pool.
    Cancelled,
}

/// A batch (`bridge/batch/<nonce>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBatch {
    /// The batch nonce (global counter, so increasing per token).
    pub nonce: u64,
    /// `0x…` lowercase.
    pub token: String,
    /// The zone denom.
    pub denom: String,
    /// Ethereum timestamp from which the contract refuses the batch.
    pub timeout: u64,
    /// The transfers, in batch order (fee descending, id ascending).
    pub transfers: Vec<OutgoingTransfer>,
    /// The height it was created at.
    pub created_height: u64,
    /// Its status.
    pub status: BatchStatus,
}

impl StoredBatch {
    /// The token as an address.
    pub fn token_address(&self) -> Result<EthAddress, AppError> {
        self.token.parse().map_err(|_| corrupt(&nonce_key(PREFIX_BATCH, self.nonce), "batch token"))
    }

    /// The batch as the contract sees it.
    pub fn to_batch(&self) -> Result<Batch, AppError> {
        let key = nonce_key(PREFIX_BATCH, self.nonce);
        let transfers = self
            .transfers
            .iter()
            .map(|t| {
                Ok(Transfer {
                    receiver: t.receiver.parse().map_err(|_| corrupt(&key, "batch receiver"))?,
                    amount: U256::from(t.amount),
                    fee: U256::from(t.fee),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Batch {
            token: self.token_address()?,
            batch_nonce: self.nonce,
            timeout: self.timeout,
            transfers,
        })
    }

    /// The EIP-712 digest validators sign.
    pub fn digest(&self, domain: &BridgeDomain) -> Result<B256, AppError> {
        Ok(batch_digest(domain, &self.to_batch()?))
    }
}

/// The batch with this nonce, any status.
pub fn load_batch(cache: &Cache<'_>, nonce: u64) -> Result<Option<StoredBatch>, AppError> {
    get_json(cache, &nonce_key(PREFIX_BATCH, nonce))
}

/// The pending batches, nonce ascending.
pub fn pending_batches(cache: &Cache<'_>) -> Result<Vec<StoredBatch>, AppError> {
    let mut out = Vec::new();
    for nonce in get_u64_list(cache, KEY_PENDING_BATCHES)? {
        let key = nonce_key(PREFIX_BATCH, nonce);
        out.push(load_batch(cache, nonce)?.ok_or_else(|| corrupt(&key, "pending batch missing"))?);
    }
    Ok(out)
}

fn save(cache: &mut Cache<'_>, batch: &StoredBatch) -> Result<(), AppError> {
    set_json(cache, nonce_key(PREFIX_BATCH, batch.nonce), batch)
}

fn unlist(cache: &mut Cache<'_>, nonce: u64) -> Result<(), AppError> {
    let mut pending = get_u64_list(cache, KEY_PENDING_BATCHES)?;
    pending.retain(|n| *n != nonce);
    set_u64_list(cache, KEY_PENDING_BATCHES, &pending);
    Ok(())
}

/// `MsgRequestBatch`: the denom's pool transfers, highest fee first (ties: lower id), up to
/// `max_batch_transfers`, timing out `batch_timeout_secs` after the block time.
pub(crate) fn request_batch(
    cache: &mut Cache<'_>,
    ctx: BlockContext,
    msg: &MsgRequestBatch,
) -> Result<Vec<Event>, AppError> {
    let params = load_params(cache)?;
    let token = token_of(cache, &msg.denom)?
        .ok_or_else(|| AppError::BridgeUnknownToken { denom: msg.denom.clone() })?;
    let token_text = token_hex(&token);
    let pending_of_token = pending_batches(cache)?.iter().filter(|b| b.token == token_text).count();
    if pending_of_token >= params.max_pending_batches_per_token as usize {
        return Err(AppError::BridgeBatch(format!(
            "token {token_text} already has {pending_of_token} pending batches (max {})",
            params.max_pending_batches_per_token
        )));
    }
    let mut transfers = pool::pool_of(cache, &msg.denom)?;
    if transfers.is_empty() {
        return Err(AppError::BridgeBatch(format!("the pool holds no transfer of {}", msg.denom)));
    }
    transfers.sort_by(|a, b| b.fee.cmp(&a.fee).then(a.id.cmp(&b.id)));
    transfers.truncate(params.max_batch_transfers as usize);
    for transfer in &transfers {
        pool::remove(cache, transfer)?;
    }
    let timeout = ctx
        .time
        .checked_add(params.batch_timeout_secs)
        .ok_or(AppError::Overflow("batch timeout"))?;
    let batch = StoredBatch {
        nonce: take_counter(cache, KEY_NEXT_BATCH_NONCE)?,
        token: token_text,
        denom: msg.denom.clone(),
        timeout,
        transfers,
        created_height: ctx.height,
        status: BatchStatus::Pending,
    };
    save(cache, &batch)?;
    let mut pending = get_u64_list(cache, KEY_PENDING_BATCHES)?;
    pending.push(batch.nonce);
    set_u64_list(cache, KEY_PENDING_BATCHES, &pending);
    tracing::info!(nonce = batch.nonce, token = %batch.token, transfers = batch.transfers.len(), "batch created");
    Ok(vec![event(
        "batch_created",
        &[
            ("nonce", batch.nonce.to_string()),
            ("token", batch.token.clone()),
            ("denom", batch.denom.clone()),
            ("timeout", batch.timeout.to_string()),
            (
                "transfers",
                batch.transfers.iter().map(|t| t.id.to_string()).collect::<Vec<_>>().join(","),
            ),
        ],
    )])
}

/// Puts a pending batch's transfers back into the pool (with their ids) and marks it cancelled.
fn cancel_batch(cache: &mut Cache<'_>, mut batch: StoredBatch) -> Result<(), AppError> {
    for transfer in &batch.transfers {
        pool::insert(cache, transfer)?;
    }
    batch.status = BatchStatus::Cancelled;
    save(cache, &batch)?;
    unlist(cache, batch.nonce)?;
    delete_signatures(cache, CheckpointKind::Batch, batch.nonce)
}

/// Hook of the proven `BatchExecuted(token, batch_nonce)`: the batch is settled (vouchers
/// burned from the pool, native coins moved to the escrow), every older pending batch of the
/// token is cancelled back to the pool, and their signatures are deleted.
pub fn on_batch_executed(
    cache: &mut Cache<'_>,
    token: &EthAddress,
    batch_nonce: u64,
) -> Result<Vec<Event>, AppError> {
    let token_text = token_hex(token);
    let batch = match load_batch(cache, batch_nonce)? {
        Some(b) if b.status == BatchStatus::Pending && b.token == token_text => b,
        other => {
            // The contract only executes batches the validators signed; a batch that is not
            // pending here means state diverged from Ethereum: loud, but never a halt.
            tracing::error!(
                batch_nonce,
                token = %token_text,
                status = ?other.map(|b| b.status),
                "BatchExecuted for a batch that is not pending"
            );
            return Ok(vec![event(
                "batch_executed_unknown",
                &[("nonce", batch_nonce.to_string()), ("token", token_text)],
            )]);
        }
    };
    let pool = pool_address();
    let voucher = eth::voucher_denom(token) == batch.denom;
    let mut total: u128 = 0;
    for transfer in &batch.transfers {
        total = total.checked_add(transfer.total()?).ok_or(AppError::Overflow("batch total"))?;
    }
    if voucher {
        cache.sub_balance(&pool, &batch.denom, total)?;
        eth::burn_voucher(cache, token, total)?;
    } else {
        let escrow = eth::escrow_address();
        cache.transfer(&pool, &escrow, &batch.denom, total)?;
    }
    let mut events = vec![event(
        "batch_executed",
        &[
            ("nonce", batch.nonce.to_string()),
            ("token", batch.token.clone()),
            ("denom", batch.denom.clone()),
            ("total", total.to_string()),
            ("settlement", if voucher { "burned" } else { "escrowed" }.to_owned()),
        ],
    )];
    let mut executed = batch.clone();
    executed.status = BatchStatus::Executed;
    save(cache, &executed)?;
    unlist(cache, executed.nonce)?;
    delete_signatures(cache, CheckpointKind::Batch, executed.nonce)?;
    for older in pending_batches(cache)? {
        if older.token == token_text && older.nonce < batch_nonce {
            events.push(event(
                "batch_cancelled",
                &[("nonce", older.nonce.to_string()), ("token", older.token.clone())],
            ));
            cancel_batch(cache, older)?;
        }
    }
    Ok(events)
}

/// End block: every pending batch whose timeout is at or below the observed Ethereum time can
/// no longer execute (a `BatchExecuted` would have a lower event nonce and was processed).
pub(crate) fn time_out_batches(cache: &mut Cache<'_>) -> Result<Vec<Event>, AppError> {
    let Some(observation) = eth::observed(cache)? else { return Ok(Vec::new()) };
    let mut events = Vec::new();
    for batch in pending_batches(cache)? {
        if batch.timeout <= observation.timestamp {
            tracing::info!(nonce = batch.nonce, token = %batch.token, timeout = batch.timeout, observed = observation.timestamp, "batch timed out");
            events.push(event(
                "batch_timed_out",
                &[("nonce", batch.nonce.to_string()), ("token", batch.token.clone())],
            ));
            cancel_batch(cache, batch)?;
        }
    }
    Ok(events)
}
