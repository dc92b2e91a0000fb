//! `/bridge/...` queries (`specs/bridge-module.md` §7): JSON, latest state. What relayers read
//! to relay (valsets and batches with their signatures) and what operators read to see who
//! fails to sign.

use peg_types::EthSignature;
use serde::{Deserialize, Serialize};

use super::batch::{load_batch, pending_batches, StoredBatch};
use super::pool::{pool_denoms, pool_of, registered_denoms, OutgoingTransfer};
use super::signatures::{last_signed_height, signature_of, signatures};
use super::valset::{confirmed_nonce, latest_nonce, load_valset, unconfirmed_valsets};
use super::{
    domain, load_params, pending_checkpoints, BatchStatus, CheckpointKind, StoredMember,
    StoredValset,
};
use crate::app::{CODE_BAD_QUERY, CODE_NOT_FOUND};
use crate::error::{AppError, CODE_INTERNAL};
use crate::eth;
use crate::genesis::Params;
use crate::state::Cache;

/// Query errors: `(code, log)`.
pub type QueryError = (u32, String);

/// One stored checkpoint signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureView {
    /// `pegvaloper1…`.
    pub validator: String,
    /// `0x…` (EIP-55): the address that signed.
    pub eth_address: String,
    /// `0x` + 130 hex: `r ‖ s ‖ v`.
    pub signature: String,
}

/// A transfer inside a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchTransferView {
    /// Transfer id.
    pub id: u64,
    /// `peg1…`.
    pub sender: String,
    /// `0x…`.
    pub receiver: String,
    /// Decimal.
    pub amount: String,
    /// Decimal.
    pub fee: String,
}

/// `/bridge/batches` entry and `/bridge/batch/<nonce>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    /// Batch nonce.
    pub nonce: u64,
    /// `0x…` lowercase.
    pub token: String,
    /// Zone denom.
    pub denom: String,
    /// Ethereum timestamp from which the contract refuses it.
    pub timeout: u64,
    /// Transfers in batch order.
    pub transfers: Vec<BatchTransferView>,
    /// Creation height.
    pub created_height: u64,
    /// `pending`, `executed` or `cancelled`.
    pub status: BatchStatus,
    /// `0x…`: the EIP-712 digest signed.
    pub digest: String,
    /// Stored signatures (empty once executed or cancelled).
    pub signatures: Vec<SignatureView>,
}

/// A valset in `/bridge/valsets` and `/bridge/valset/<nonce>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValsetView {
    /// Valset nonce.
    pub nonce: u64,
    /// Members, contract order.
    pub members: Vec<StoredMember>,
    /// Creation height.
    pub created_height: u64,
    /// `true` for the confirmed valset and older ones.
    pub confirmed: bool,
    /// `0x…`: the EIP-712 digest signed to move Ethereum to it.
    pub digest: String,
    /// Stored signatures (empty once confirmed).
    pub signatures: Vec<SignatureView>,
}

/// `/bridge/valsets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValsetsView {
    /// The valset known to be on Ethereum (`null`: none).
    pub confirmed_nonce: Option<u64>,
    /// The newest valset (`null`: none).
    pub latest_nonce: Option<u64>,
    /// Newest first: every unconfirmed valset, then the confirmed one.
    pub valsets: Vec<ValsetView>,
}

/// `/bridge/signatures` entry: one current validator's signing record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerView {
    /// `pegvaloper1…`.
    pub validator: String,
    /// Its registered Ethereum address.
    pub eth_address: Option<String>,
    /// CometBFT power.
    pub power: i64,
    /// Checkpoints pending now.
    pub pending: u64,
    /// Pending checkpoints it signed.
    pub signed: u64,
    /// Pending checkpoints created at least 2 blocks ago it has not signed.
    pub missing: u64,
    /// The last height one of its signatures was stored.
    pub last_signed_height: Option<u64>,
    /// Creation height of the oldest checkpoint it misses.
    pub oldest_missing_height: Option<u64>,
}

/// `/bridge/denoms` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenomView {
    /// Zone denom.
    pub denom: String,
    /// ERC-20 name.
    pub name: String,
    /// ERC-20 symbol.
    pub symbol: String,
    /// ERC-20 decimals.
    pub decimals: u32,
    /// The adopted CosmosERC20, `0x…` lowercase (`null`: not deployed and adopted yet).
    pub adopted_token: Option<String>,
    /// Coins in escrow, decimal.
    pub escrowed: String,
}

fn signature_hex(signature: &EthSignature) -> String {
    format!("0x{}", hex::encode(signature.to_bytes()))
}

fn signature_views(
    cache: &Cache<'_>,
    kind: CheckpointKind,
    nonce: u64,
) -> Result<Vec<SignatureView>, AppError> {
    Ok(signatures(cache, kind, nonce)?
        .into_iter()
        .map(|(operator, eth_address, signature)| SignatureView {
            validator: operator.to_valoper().to_bech32(),
            eth_address: eth_address.to_string(),
            signature: signature_hex(&signature),
        })
        .collect())
}

fn batch_view(cache: &Cache<'_>, batch: StoredBatch) -> Result<BatchView, AppError> {
    let domain = domain(cache)?.ok_or(AppError::EthDisabled)?;
    Ok(BatchView {
        digest: format!("{}", batch.digest(&domain)?),
        signatures: signature_views(cache, CheckpointKind::Batch, batch.nonce)?,
        nonce: batch.nonce,
        token: batch.token,
        denom: batch.denom,
        timeout: batch.timeout,
        transfers: batch
            .transfers
            .into_iter()
            .map(|t| BatchTransferView {
                id: t.id,
                sender: t.sender,
                receiver: t.receiver,
                amount: t.amount.to_string(),
                fee: t.fee.to_string(),
            })
            .collect(),
        created_height: batch.created_height,
        status: batch.status,
    })
}

fn valset_view(
    cache: &Cache<'_>,
    valset: StoredValset,
    confirmed: Option<u64>,
) -> Result<ValsetView, AppError> {
    let domain = domain(cache)?.ok_or(AppError::EthDisabled)?;
    Ok(ValsetView {
        digest: format!("{}", valset.digest(&domain)?),
        signatures: signature_views(cache, CheckpointKind::Valset, valset.nonce)?,
        confirmed: confirmed.is_some_and(|c| valset.nonce <= c),
        nonce: valset.nonce,
        members: valset.members,
        created_height: valset.created_height,
    })
}

fn sort_pool(transfers: &mut [OutgoingTransfer]) {
    transfers.sort_by(|a, b| b.fee.cmp(&a.fee).then(a.id.cmp(&b.id)));
}

fn signer_views(
    cache: &Cache<'_>,
    params: &Params,
    height: u64,
) -> Result<Vec<SignerView>, AppError> {
    let pending = pending_checkpoints(cache)?;
    let mut out = Vec::new();
    for operator in cache.validator_set()? {
        let Some(validator) = cache.validator(&operator)? else { continue };
        let (mut signed, mut missing, mut oldest_missing) = (0u64, 0u64, None::<u64>);
        for checkpoint in &pending {
            if signature_of(cache, checkpoint.kind, checkpoint.nonce, &operator)?.is_some() {
                signed += 1;
            } else if checkpoint.created_height.saturating_add(2) <= height {
                missing += 1;
                oldest_missing =
                    Some(oldest_missing.map_or(checkpoint.created_height, |h: u64| {
                        h.min(checkpoint.created_height)
                    }));
            }
        }
        out.push(SignerView {
            validator: operator.to_valoper().to_bech32(),
            eth_address: cache.eth_address_of(&operator)?.map(|a| a.to_string()),
            power: validator.power(params.power_reduction)?,
            pending: pending.len() as u64,
            signed,
            missing,
            last_signed_height: last_signed_height(cache, &operator)?,
            oldest_missing_height: oldest_missing,
        });
    }
    Ok(out)
}

/// Answers `/bridge/<path>` (JSON) at `height`, the latest committed height.
pub fn query(
    cache: &Cache<'_>,
    params: &Params,
    height: u64,
    path: &str,
) -> Result<Vec<u8>, QueryError> {
    let internal = |e: AppError| (CODE_INTERNAL, e.to_string());
    let to_json =
        |value: &dyn erased::Json| value.to_json().map_err(|e| (CODE_INTERNAL, e.to_string()));
    if eth::load_config(cache).map_err(internal)?.is_none() {
        return Err((CODE_NOT_FOUND, "the Ethereum module is not enabled on this chain".into()));
    }
    let parse_nonce = |text: &str| {
        text.parse::<u64>()
            .map_err(|_| (CODE_BAD_QUERY, format!("/bridge/{path}: {text:?} is not a nonce")))
    };
    let (head, arg) = path.split_once('/').unwrap_or((path, ""));
    match (head, arg) {
        ("pool", "") => {
            let mut all = Vec::new();
            for denom in pool_denoms(cache).map_err(internal)? {
                all.extend(pool_of(cache, &denom).map_err(internal)?);
            }
            sort_pool(&mut all);
            to_json(&all)
        }
        ("pool", denom) => {
            let mut transfers = pool_of(cache, denom).map_err(internal)?;
            sort_pool(&mut transfers);
            to_json(&transfers)
        }
        ("batches", "") => {
            let views = pending_batches(cache)
                .and_then(|batches| {
                    batches.into_iter().map(|b| batch_view(cache, b)).collect::<Result<Vec<_>, _>>()
                })
                .map_err(internal)?;
            to_json(&views)
        }
        ("batch", text) => {
            let nonce = parse_nonce(text)?;
            match load_batch(cache, nonce).map_err(internal)? {
                Some(batch) => to_json(&batch_view(cache, batch).map_err(internal)?),
                None => Err((CODE_NOT_FOUND, format!("no batch {nonce}"))),
            }
        }
        ("valsets", "") => {
            let confirmed = confirmed_nonce(cache).map_err(internal)?;
            let mut valsets = Vec::new();
            for valset in unconfirmed_valsets(cache).map_err(internal)? {
                valsets.push(valset_view(cache, valset, confirmed).map_err(internal)?);
            }
            if let Some(nonce) = confirmed {
                if let Some(valset) = load_valset(cache, nonce).map_err(internal)? {
                    valsets.push(valset_view(cache, valset, confirmed).map_err(internal)?);
                }
            }
            to_json(&ValsetsView {
                confirmed_nonce: confirmed,
                latest_nonce: latest_nonce(cache).map_err(internal)?,
                valsets,
            })
        }
        ("valset", text) => {
            let nonce = parse_nonce(text)?;
            let confirmed = confirmed_nonce(cache).map_err(internal)?;
            match load_valset(cache, nonce).map_err(internal)? {
                Some(valset) => to_json(&valset_view(cache, valset, confirmed).map_err(internal)?),
                None => Err((CODE_NOT_FOUND, format!("no valset {nonce}"))),
            }
        }
        ("signatures", "") => to_json(&signer_views(cache, params, height).map_err(internal)?),
        ("denoms", "") => {
            let escrow = eth::escrow_address();
            let mut views = Vec::new();
            for registered in registered_denoms(cache).map_err(internal)? {
                let token = eth::token_of_denom(cache, &registered.denom).map_err(internal)?;
                views.push(DenomView {
                    escrowed: cache
                        .balance(&escrow, &registered.denom)
                        .map_err(internal)?
                        .to_string(),
                    adopted_token: token.map(|t| super::token_hex(&t)),
                    denom: registered.denom,
                    name: registered.name,
                    symbol: registered.symbol,
                    decimals: registered.decimals,
                });
            }
            to_json(&views)
        }
        ("params", "") => to_json(&load_params(cache).map_err(internal)?),
        _ => Err((CODE_BAD_QUERY, format!("unknown query path /bridge/{path}"))),
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
