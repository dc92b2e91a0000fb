//! The beacon node's light-client API (`/eth/v1/beacon/light_client/…`) and the SSZ re-encoding
//! of its JSON into the containers `MsgUpdateEthClient` carries.
//!
//! The relayer reads JSON (every beacon node and the devnet simulator serve it), decodes it into
//! the fork's wire container of the light client, and SSZ-encodes that. The bytes are decoded
//! back with the light client's own `from_ssz_bytes` before they are sent, so what the peg zone
//! receives is known to parse.

use std::time::Duration;

use light_client::config::ForkName;
use light_client::preset::{Mainnet, Minimal, Preset};
use light_client::types::light_client_finality_update::{
    LightClientFinalityUpdate, LightClientFinalityUpdateAltair, LightClientFinalityUpdateCapella,
    LightClientFinalityUpdateDeneb, LightClientFinalityUpdateElectra,
    LightClientFinalityUpdateGloas,
};
use light_client::types::light_client_update::{
    LightClientUpdate, LightClientUpdateAltair, LightClientUpdateCapella, LightClientUpdateDeneb,
    LightClientUpdateElectra, LightClientUpdateGloas,
};
use peg_tx::EthUpdateKind;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::RelayerError;

/// Largest beacon API answer read (a mainnet update is ~60 KiB of JSON; 128 of them fit).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A beacon node REST client.
#[derive(Debug, Clone)]
pub struct BeaconApi {
    http: reqwest::Client,
    base: String,
}

impl BeaconApi {
    /// A client of `base` (`http://127.0.0.1:5052`).
    pub fn new(base: &str, timeout: Duration) -> Result<Self, RelayerError> {
        reqwest::Url::parse(base)
            .map_err(|e| RelayerError::Config { reason: format!("beacon_api {base:?}: {e}") })?;
        let http = reqwest::Client::builder().timeout(timeout).build().map_err(|e| {
            RelayerError::Config { reason: format!("cannot build the HTTP client: {e}") }
        })?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned() })
    }

    /// `GET path`: the JSON body, `None` on 404 (no data yet).
    pub async fn get_json(&self, path: &str) -> Result<Option<Value>, RelayerError> {
        let url = format!("{}{path}", self.base);
        let err = |reason: String, transient: bool| RelayerError::Beacon {
            url: url.clone(),
            reason,
            transient,
        };
        let response = self
            .http
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| err(format!("unreachable: {e}"), true))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let bytes = response.bytes().await.map_err(|e| err(e.to_string(), true))?;
        if bytes.len() > MAX_BODY_BYTES {
            return Err(err(format!("answer of {} bytes is too large", bytes.len()), false));
        }
        if !status.is_success() {
            let body = String::from_utf8_lossy(&bytes).chars().take(200).collect::<String>();
            return Err(err(format!("HTTP {status}: {body}"), status.is_server_error()));
        }
        serde_json::from_slice(&bytes).map(Some).map_err(|e| err(format!("not JSON: {e}"), false))
    }

    /// `/eth/v1/beacon/light_client/updates?start_period&count`: the best update of each
    /// period, as `{"version", "data"}` envelopes (an object whose `data` is the array is
    /// accepted too).
    pub async fn updates(&self, start_period: u64, count: u64) -> Result<Vec<Value>, RelayerError> {
        let path = format!(
            "/eth/v1/beacon/light_client/updates?start_period={start_period}&count={count}"
        );
        match self.get_json(&path).await? {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items),
            Some(Value::Object(mut o)) => match o.remove("data") {
                Some(Value::Array(items)) => Ok(items),
                _ => Err(RelayerError::Beacon {
                    url: path,
                    reason: "expected an array of updates".into(),
                    transient: false,
                }),
            },
            Some(_) => Err(RelayerError::Beacon {
                url: path,
                reason: "expected an array of updates".into(),
                transient: false,
            }),
        }
    }

    /// `/eth/v1/beacon/light_client/finality_update`, `None` before the node has one.
    pub async fn finality_update(&self) -> Result<Option<Value>, RelayerError> {
        self.get_json("/eth/v1/beacon/light_client/finality_update").await
    }
}

/// A light-client update ready for `MsgUpdateEthClient`, with the slots the relayer's decisions
/// need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedUpdate {
    /// The fork of the container.
    pub fork: ForkName,
    /// Which container.
    pub kind: EthUpdateKind,
    /// Its SSZ encoding.
    pub ssz: Vec<u8>,
    /// `attested_header.beacon.slot`.
    pub attested_slot: u64,
    /// `finalized_header.beacon.slot` (0 when the update carries no finality).
    pub finalized_slot: u64,
    /// `signature_slot`.
    pub signature_slot: u64,
    /// Whether it carries a next sync committee.
    pub has_next_committee: bool,
}

/// Slots per sync-committee period of a preset name (`minimal` / `mainnet`).
pub fn slots_per_period(preset: &str) -> Result<u64, RelayerError> {
    match preset {
        "minimal" => Ok(Minimal::SLOTS_PER_EPOCH * Minimal::EPOCHS_PER_SYNC_COMMITTEE_PERIOD),
        "mainnet" => Ok(Mainnet::SLOTS_PER_EPOCH * Mainnet::EPOCHS_PER_SYNC_COMMITTEE_PERIOD),
        other => Err(RelayerError::Inconsistent(format!("unknown preset {other:?}"))),
    }
}

/// Encodes a beacon API envelope `{"version", "data"}` of `kind` under `preset`.
pub fn encode_update(
    preset: &str,
    kind: EthUpdateKind,
    envelope: &Value,
) -> Result<EncodedUpdate, RelayerError> {
    let bad = |reason: String| {
        RelayerError::Inconsistent(format!("beacon {} is unusable: {reason}", kind.as_str()))
    };
    let fork: ForkName = envelope
        .get("version")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no \"version\"".into()))?
        .parse()
        .map_err(|e| bad(format!("{e}")))?;
    let data = envelope.get("data").ok_or_else(|| bad("no \"data\"".into()))?;
    match preset {
        "minimal" => encode_with::<Minimal>(fork, kind, data),
        "mainnet" => encode_with::<Mainnet>(fork, kind, data),
        other => Err(bad(format!("unknown preset {other:?}"))),
    }
}

fn to_ssz<W: DeserializeOwned + ssz::Encode>(data: &Value) -> Result<Vec<u8>, String> {
    W::deserialize(data).map(|w| w.as_ssz_bytes()).map_err(|e| e.to_string())
}

fn encode_with<P: Preset>(
    fork: ForkName,
    kind: EthUpdateKind,
    data: &Value,
) -> Result<EncodedUpdate, RelayerError> {
    let bad = |reason: String| {
        RelayerError::Inconsistent(format!(
            "beacon {} ({fork}, preset {}) is unusable: {reason}",
            kind.as_str(),
            P::NAME
        ))
    };
    let ssz = match (kind, fork) {
        (_, ForkName::Phase0) => return Err(bad("phase0 has no light-client data".into())),
        (EthUpdateKind::Update, ForkName::Altair | ForkName::Bellatrix) => {
            to_ssz::<LightClientUpdateAltair<P>>(data)
        }
        (EthUpdateKind::Update, ForkName::Capella) => to_ssz::<LightClientUpdateCapella<P>>(data),
        (EthUpdateKind::Update, ForkName::Deneb) => to_ssz::<LightClientUpdateDeneb<P>>(data),
        (EthUpdateKind::Update, ForkName::Electra | ForkName::Fulu) => {
            to_ssz::<LightClientUpdateElectra<P>>(data)
        }
        (EthUpdateKind::Update, ForkName::Gloas) => to_ssz::<LightClientUpdateGloas<P>>(data),
        (EthUpdateKind::FinalityUpdate, ForkName::Altair | ForkName::Bellatrix) => {
            to_ssz::<LightClientFinalityUpdateAltair<P>>(data)
        }
        (EthUpdateKind::FinalityUpdate, ForkName::Capella) => {
            to_ssz::<LightClientFinalityUpdateCapella<P>>(data)
        }
        (EthUpdateKind::FinalityUpdate, ForkName::Deneb) => {
            to_ssz::<LightClientFinalityUpdateDeneb<P>>(data)
        }
        (EthUpdateKind::FinalityUpdate, ForkName::Electra | ForkName::Fulu) => {
            to_ssz::<LightClientFinalityUpdateElectra<P>>(data)
        }
        (EthUpdateKind::FinalityUpdate, ForkName::Gloas) => {
            to_ssz::<LightClientFinalityUpdateGloas<P>>(data)
        }
    }
    .map_err(bad)?;
    // Decode the bytes back exactly as the peg zone will.
    let update: LightClientUpdate<P> = match kind {
        EthUpdateKind::Update => LightClientUpdate::from_ssz_bytes(&ssz, fork),
        EthUpdateKind::FinalityUpdate => {
            LightClientFinalityUpdate::from_ssz_bytes(&ssz, fork).map(|u| u.into_update(fork))
        }
    }
    .map_err(|e| bad(format!("re-encoded SSZ does not decode: {e}")))?;
    Ok(EncodedUpdate {
        fork,
        kind,
        attested_slot: update.attested_header.beacon.slot,
        finalized_slot: if update.is_finality_update() {
            update.finalized_header.beacon.slot
        } else {
            0
        },
        signature_slot: update.signature_slot,
        has_next_committee: update.is_sync_committee_update(),
        ssz,
    })
}
