//! A small beacon REST API client shared by `pegd eth genesis` and `pegd tx eth
//! reset-checkpoint`: bounded JSON GETs, the `head`/`finalized` block root, the light-client
//! bootstrap of a root, and its re-encoding as the SSZ container the peg zone decodes.

use std::time::Duration;

use alloy_primitives::B256;
use light_client::config::{ChainConfig, ForkName};
use light_client::preset::{Mainnet, Minimal, Preset};
use light_client::types::{
    LightClientBootstrap, LightClientBootstrapAltair, LightClientBootstrapCapella,
    LightClientBootstrapDeneb, LightClientBootstrapElectra, LightClientBootstrapGloas,
    LightClientFinalityUpdate,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Per-request timeout: a bootstrap is a few tens of KiB, even a slow node answers well within it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest answer accepted from the beacon node (a mainnet bootstrap is about 50 KiB).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Why a beacon API exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum BeaconError {
    /// The beacon node could not be reached or the transfer failed.
    #[error("GET {url}: {reason}")]
    Http {
        /// The URL.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// The beacon node answered with an error status.
    #[error("GET {url}: HTTP {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// An answer is not the JSON expected.
    #[error("GET {url}: {reason}")]
    Answer {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

/// A beacon REST API client: JSON GETs with bounded bodies and clear errors.
#[derive(Debug, Clone)]
pub struct Beacon {
    base: String,
    http: reqwest::Client,
}

impl Beacon {
    /// A client of `base` (e.g. `http://127.0.0.1:5052`).
    pub fn new(base: &str) -> Result<Self, BeaconError> {
        let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().map_err(|e| {
            BeaconError::Http { url: base.to_owned(), reason: format!("client: {e}") }
        })?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), http })
    }

    /// `GET path`: `Ok(None)` on 404 (endpoint not served), the body text on 200.
    pub async fn get_optional(&self, path: &str) -> Result<Option<String>, BeaconError> {
        let url = format!("{}{path}", self.base);
        let http =
            |e: reqwest::Error| BeaconError::Http { url: url.clone(), reason: e.to_string() };
        let response = self
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json, text/plain")
            .send()
            .await
            .map_err(http)?;
        let status = response.status();
        if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(BeaconError::Answer {
                url,
                reason: format!("answer larger than {MAX_BODY_BYTES} bytes"),
            });
        }
        // Read chunk by chunk so that a body without Content-Length is bounded too.
        let mut response = response;
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(http)? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(BeaconError::Answer {
                    url,
                    reason: format!("answer larger than {MAX_BODY_BYTES} bytes"),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            let body: String = body.chars().take(300).collect();
            return Err(BeaconError::Status { url, status: status.as_u16(), body });
        }
        Ok(Some(body))
    }

    /// `GET path`, a 404 being an error.
    pub async fn get(&self, path: &str) -> Result<String, BeaconError> {
        self.get_optional(path).await?.ok_or_else(|| BeaconError::Status {
            url: format!("{}{path}", self.base),
            status: 404,
            body: "not found".to_owned(),
        })
    }

    /// `GET path` as JSON.
    pub async fn get_json(&self, path: &str) -> Result<Value, BeaconError> {
        let text = self.get(path).await?;
        serde_json::from_str(&text).map_err(|e| BeaconError::Answer {
            url: format!("{}{path}", self.base),
            reason: format!("not JSON: {e}"),
        })
    }

    /// An [`BeaconError::Answer`] about `path`.
    pub fn answer_error(&self, path: &str, reason: impl Into<String>) -> BeaconError {
        BeaconError::Answer { url: format!("{}{path}", self.base), reason: reason.into() }
    }

    /// `GET /eth/v1/beacon/light_client/bootstrap/{root}`: the beacon-API JSON text.
    pub async fn bootstrap(&self, root: B256) -> Result<String, BeaconError> {
        self.get(&format!("/eth/v1/beacon/light_client/bootstrap/{root}")).await
    }
}

/// A string field at `pointer` of a beacon-API answer.
pub fn field<'a>(
    beacon: &Beacon,
    path: &str,
    value: &'a Value,
    pointer: &str,
) -> Result<&'a str, BeaconError> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| beacon.answer_error(path, format!("no string at {pointer}")))
}

/// The root of the `head` or `finalized` beacon block.
pub async fn block_root_by_id(
    beacon: &Beacon,
    id: &str,
    config: &ChainConfig,
) -> Result<B256, BeaconError> {
    let path = format!("/eth/v1/beacon/headers/{id}");
    if let Some(text) = beacon.get_optional(&path).await? {
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| beacon.answer_error(&path, format!("not JSON: {e}")))?;
        let root = field(beacon, &path, &value, "/data/root")?;
        return root
            .parse::<B256>()
            .map_err(|_| beacon.answer_error(&path, format!("root {root:?} is not 32 bytes")));
    }
    if id != "finalized" {
        return Err(beacon.answer_error(&path, "not served: pass --block-root 0x.."));
    }
    // A light-client-only server: the finalized header of the latest finality update.
    const FINALITY: &str = "/eth/v1/beacon/light_client/finality_update";
    let text = beacon.get(FINALITY).await?;
    let root = match config.preset_base.as_str() {
        "minimal" => LightClientFinalityUpdate::<Minimal>::from_beacon_api_json(&text)
            .map(|(_, u)| u.finalized_header.beacon_root()),
        _ => LightClientFinalityUpdate::<Mainnet>::from_beacon_api_json(&text)
            .map(|(_, u)| u.finalized_header.beacon_root()),
    };
    root.map_err(|e| beacon.answer_error(FINALITY, e.to_string()))
}

/// A beacon-API bootstrap (`{"version", "data"}`) re-encoded as the SSZ of its fork's
/// container, decoded back as the peg zone will (`LightClientBootstrap::from_ssz_bytes`).
#[derive(Debug, Clone)]
pub struct EncodedBootstrap {
    /// The fork of the container (`version`).
    pub fork: ForkName,
    /// The SSZ bytes.
    pub ssz: Vec<u8>,
    /// Slot of the bootstrap header.
    pub slot: u64,
    /// `hash_tree_root` of the bootstrap's beacon header.
    pub header_root: B256,
}

fn wire_ssz<W: DeserializeOwned + ssz::Encode>(data: &Value) -> Result<Vec<u8>, String> {
    W::deserialize(data).map(|w| w.as_ssz_bytes()).map_err(|e| e.to_string())
}

fn encode_with<P: Preset>(fork: ForkName, data: &Value) -> Result<EncodedBootstrap, String> {
    let ssz = match fork {
        ForkName::Phase0 => return Err("phase0 has no light-client bootstrap".into()),
        ForkName::Altair | ForkName::Bellatrix => wire_ssz::<LightClientBootstrapAltair<P>>(data),
        ForkName::Capella => wire_ssz::<LightClientBootstrapCapella<P>>(data),
        ForkName::Deneb => wire_ssz::<LightClientBootstrapDeneb<P>>(data),
        ForkName::Electra | ForkName::Fulu => wire_ssz::<LightClientBootstrapElectra<P>>(data),
        ForkName::Gloas => wire_ssz::<LightClientBootstrapGloas<P>>(data),
    }?;
    let decoded = LightClientBootstrap::<P>::from_ssz_bytes(&ssz, fork)
        .map_err(|e| format!("re-encoded SSZ does not decode: {e}"))?;
    Ok(EncodedBootstrap {
        fork,
        slot: decoded.header.beacon.slot,
        header_root: decoded.header.beacon_root(),
        ssz,
    })
}

/// Re-encodes beacon-API bootstrap JSON text for a network of `preset` (`minimal`/`mainnet`).
pub fn encode_bootstrap(preset: &str, text: &str) -> Result<EncodedBootstrap, String> {
    let envelope: Value =
        serde_json::from_str(text).map_err(|e| format!("bootstrap is not JSON: {e}"))?;
    let fork: ForkName = envelope
        .get("version")
        .and_then(Value::as_str)
        .ok_or("bootstrap has no \"version\"")?
        .parse()
        .map_err(|e| format!("bootstrap version: {e}"))?;
    let data = envelope.get("data").ok_or("bootstrap has no \"data\"")?;
    match preset {
        "minimal" => encode_with::<Minimal>(fork, data),
        "mainnet" => encode_with::<Mainnet>(fork, data),
        other => Err(format!("unknown preset {other:?}")),
    }
}
