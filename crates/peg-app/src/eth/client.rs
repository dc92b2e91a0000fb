//! The light-client store over either preset (`specs/eth-module.md` §4.1): the peg zone follows
//! mainnet-preset networks (mainnet, sepolia, hoodi) or minimal-preset devnets, chosen at
//! genesis, so the generic store is wrapped in an enum over the two.

use light_client::config::{ChainConfig, ForkName};
use light_client::sync::{
    check_data_fork, initialize_light_client_store, process_light_client_finality_update,
    process_light_client_update,
};
use light_client::types::{
    LightClientBootstrap, LightClientFinalityUpdate, LightClientHeader, LightClientUpdate,
};
use light_client::{LightClientStore, LightClientStoreSnapshot, Mainnet, Minimal, Preset};
use peg_tx::EthUpdateKind;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The consensus preset of the followed network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresetKind {
    /// 512-member sync committees, 32-slot epochs.
    Mainnet,
    /// 32-member sync committees, 8-slot epochs (devnets).
    Minimal,
}

impl PresetKind {
    /// `"mainnet"` or `"minimal"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mainnet => "mainnet",
            Self::Minimal => "minimal",
        }
    }

    /// Parses `"mainnet"` / `"minimal"`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "mainnet" => Some(Self::Mainnet),
            "minimal" => Some(Self::Minimal),
            _ => None,
        }
    }
}

/// The light-client store of either preset (default BLS backend).
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// Mainnet preset.
    Mainnet(LightClientStore<Mainnet>),
    /// Minimal preset.
    Minimal(LightClientStore<Minimal>),
}

/// What an applied update changed (for events and the trusted ring).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateOutcome {
    /// The finalized header moved forward.
    pub finalized_advanced: bool,
    /// The update was applied (finality or a finalized next committee).
    pub applied: bool,
}

fn client_error(error: impl std::fmt::Display) -> AppError {
    AppError::EthClient(error.to_string())
}

fn bootstrap_generic<P: Preset>(
    config: &ChainConfig,
    fork: ForkName,
    bootstrap: LightClientBootstrap<P>,
    trusted_root: light_client::execution::B256,
) -> Result<LightClientStore<P>, AppError> {
    check_data_fork::<P>(config, fork, bootstrap.header.beacon.slot).map_err(client_error)?;
    initialize_light_client_store::<P, _>(config, trusted_root, bootstrap).map_err(client_error)
}

/// Refuses, before any BLS work, an update that cannot advance the store: its attested header
/// is not newer than the finalized one and it brings no committee the store lacks.
fn cheap_progress_check<P: Preset>(
    store: &LightClientStore<P>,
    update: &LightClientUpdate<P>,
) -> Result<(), AppError> {
    let brings_committee =
        update.is_sync_committee_update() && !store.is_next_sync_committee_known();
    if update.attested_header.beacon.slot <= store.finalized_slot() && !brings_committee {
        return Err(AppError::EthClient(format!(
            "update does not advance the light client (finalized slot {})",
            store.finalized_slot()
        )));
    }
    Ok(())
}

fn update_generic<P: Preset>(
    store: &mut LightClientStore<P>,
    config: &ChainConfig,
    fork: ForkName,
    kind: EthUpdateKind,
    bytes: &[u8],
    current_slot: u64,
) -> Result<UpdateOutcome, AppError> {
    let outcome = match kind {
        EthUpdateKind::Update => {
            let update = LightClientUpdate::<P>::from_ssz_bytes(bytes, fork)
                .map_err(|e| client_error(format!("update does not decode as {fork}: {e}")))?;
            cheap_progress_check(store, &update)?;
            check_data_fork::<P>(config, fork, update.attested_header.beacon.slot)
                .map_err(client_error)?;
            process_light_client_update(store, config, &update, current_slot)
                .map_err(client_error)?
        }
        EthUpdateKind::FinalityUpdate => {
            let update =
                LightClientFinalityUpdate::<P>::from_ssz_bytes(bytes, fork).map_err(|e| {
                    client_error(format!("finality update does not decode as {fork}: {e}"))
                })?;
            if update.attested_header.beacon.slot <= store.finalized_slot() {
                return Err(AppError::EthClient(format!(
                    "update does not advance the light client (finalized slot {})",
                    store.finalized_slot()
                )));
            }
            check_data_fork::<P>(config, fork, update.attested_header.beacon.slot)
                .map_err(client_error)?;
            process_light_client_finality_update(store, config, update, fork, current_slot)
                .map_err(client_error)?
        }
    };
    Ok(UpdateOutcome { finalized_advanced: outcome.finalized_advanced, applied: outcome.applied })
}

/// What queries need from a stored snapshot, read without preparing any key (no BLS work).
#[derive(Debug, Clone)]
pub struct SnapshotSummary {
    /// The finalized header.
    pub finalized_header: LightClientHeader,
    /// The optimistic header's slot.
    pub optimistic_slot: u64,
    /// The store's sync-committee period.
    pub sync_committee_period: u64,
    /// Whether the next committee is known.
    pub next_sync_committee_known: bool,
    /// `SLOTS_PER_EPOCH`.
    pub slots_per_epoch: u64,
}

fn summary_generic<P: Preset>(bytes: &[u8]) -> Result<SnapshotSummary, AppError> {
    let s: LightClientStoreSnapshot<P> = serde_json::from_slice(bytes).map_err(|_| {
        AppError::CorruptState { key: "eth/client/store".into(), reason: "snapshot JSON" }
    })?;
    Ok(SnapshotSummary {
        sync_committee_period: light_client::preset::compute_sync_committee_period_at_slot::<P>(
            s.finalized_header.beacon.slot,
        ),
        optimistic_slot: s.optimistic_header.beacon.slot,
        next_sync_committee_known: s.next_sync_committee.is_some(),
        slots_per_epoch: P::SLOTS_PER_EPOCH,
        finalized_header: s.finalized_header,
    })
}

/// Reads the query summary of a stored snapshot.
pub fn snapshot_summary(preset: PresetKind, bytes: &[u8]) -> Result<SnapshotSummary, AppError> {
    match preset {
        PresetKind::Mainnet => summary_generic::<Mainnet>(bytes),
        PresetKind::Minimal => summary_generic::<Minimal>(bytes),
    }
}

macro_rules! with_store {
    ($self:expr, $store:ident => $body:expr) => {
        match $self {
            AnyStore::Mainnet($store) => $body,
            AnyStore::Minimal($store) => $body,
        }
    };
}

impl AnyStore {
    /// `initialize_light_client_store` from an SSZ bootstrap of `fork`.
    pub fn bootstrap_ssz(
        preset: PresetKind,
        config: &ChainConfig,
        fork: ForkName,
        bytes: &[u8],
        trusted_root: [u8; 32],
    ) -> Result<Self, AppError> {
        let root = trusted_root.into();
        let decode_error = |e: light_client::DecodeError| {
            client_error(format!("bootstrap does not decode as {fork}: {e}"))
        };
        Ok(match preset {
            PresetKind::Mainnet => {
                let b = LightClientBootstrap::<Mainnet>::from_ssz_bytes(bytes, fork)
                    .map_err(decode_error)?;
                Self::Mainnet(bootstrap_generic(config, fork, b, root)?)
            }
            PresetKind::Minimal => {
                let b = LightClientBootstrap::<Minimal>::from_ssz_bytes(bytes, fork)
                    .map_err(decode_error)?;
                Self::Minimal(bootstrap_generic(config, fork, b, root)?)
            }
        })
    }

    /// `initialize_light_client_store` from beacon-API JSON (`{"version", "data"}`).
    pub fn bootstrap_json(
        preset: PresetKind,
        config: &ChainConfig,
        text: &str,
        trusted_root: [u8; 32],
    ) -> Result<Self, AppError> {
        let root = trusted_root.into();
        let decode_error =
            |e: light_client::DecodeError| client_error(format!("bootstrap does not decode: {e}"));
        Ok(match preset {
            PresetKind::Mainnet => {
                let (fork, b) = LightClientBootstrap::<Mainnet>::from_beacon_api_json(text)
                    .map_err(decode_error)?;
                Self::Mainnet(bootstrap_generic(config, fork, b, root)?)
            }
            PresetKind::Minimal => {
                let (fork, b) = LightClientBootstrap::<Minimal>::from_beacon_api_json(text)
                    .map_err(decode_error)?;
                Self::Minimal(bootstrap_generic(config, fork, b, root)?)
            }
        })
    }

    /// Rebuilds a store from its stored snapshot (trusted: the chain's own state).
    pub fn from_snapshot_bytes(preset: PresetKind, bytes: &[u8]) -> Result<Self, AppError> {
        let corrupt = |reason| AppError::CorruptState { key: "eth/client/store".into(), reason };
        Ok(match preset {
            PresetKind::Mainnet => {
                let s: LightClientStoreSnapshot<Mainnet> =
                    serde_json::from_slice(bytes).map_err(|_| corrupt("snapshot JSON"))?;
                Self::Mainnet(
                    LightClientStore::from_snapshot(s).map_err(|_| corrupt("snapshot keys"))?,
                )
            }
            PresetKind::Minimal => {
                let s: LightClientStoreSnapshot<Minimal> =
                    serde_json::from_slice(bytes).map_err(|_| corrupt("snapshot JSON"))?;
                Self::Minimal(
                    LightClientStore::from_snapshot(s).map_err(|_| corrupt("snapshot keys"))?,
                )
            }
        })
    }

    /// The deterministic snapshot bytes (compact JSON: fixed field order, no maps).
    pub fn snapshot_bytes(&self) -> Result<Vec<u8>, AppError> {
        let result = with_store!(self, s => serde_json::to_vec(&s.snapshot()));
        result.map_err(|_| AppError::CorruptState {
            key: "eth/client/store".into(),
            reason: "snapshot does not serialize",
        })
    }

    /// Applies a `MsgUpdateEthClient` payload.
    pub fn apply_update(
        &mut self,
        config: &ChainConfig,
        fork: ForkName,
        kind: EthUpdateKind,
        bytes: &[u8],
        current_slot: u64,
    ) -> Result<UpdateOutcome, AppError> {
        with_store!(self, s => update_generic(s, config, fork, kind, bytes, current_slot))
    }

    /// The finalized header.
    pub fn finalized_header(&self) -> &LightClientHeader {
        with_store!(self, s => s.finalized_header())
    }

    /// The optimistic header's slot.
    pub fn optimistic_slot(&self) -> u64 {
        with_store!(self, s => s.optimistic_header().beacon.slot)
    }

    /// The store's sync-committee period.
    pub fn sync_committee_period(&self) -> u64 {
        with_store!(self, s => s.sync_committee_period())
    }

    /// Whether the next sync committee is known.
    pub fn next_sync_committee_known(&self) -> bool {
        with_store!(self, s => s.is_next_sync_committee_known())
    }

    /// `SLOTS_PER_EPOCH` of the preset.
    pub fn slots_per_epoch(&self) -> u64 {
        match self {
            Self::Mainnet(_) => Mainnet::SLOTS_PER_EPOCH,
            Self::Minimal(_) => Minimal::SLOTS_PER_EPOCH,
        }
    }
}
