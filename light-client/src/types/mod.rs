//! SSZ containers of the light-client protocol, one file per spec container.
//!
//! Each container exists in per-fork wire forms (`*Altair`, `*Capella`, `*Deneb`, `*Electra`,
//! `*Gloas`; Bellatrix uses Altair's, Fulu uses Electra's) that decode SSZ and beacon-API JSON,
//! and in one fork-independent form (the plain spec name) that the store and sync rules use.

/// Dispatches on the fork to the wire type of a container:
/// `dispatch_fork!(fork, container, helper, (args), Altair, Capella, Deneb, Electra, Gloas)`.
macro_rules! dispatch_fork {
    ($fork:expr, $container:expr, $helper:ident, ($($arg:expr),*), $a:ty, $c:ty, $d:ty, $e:ty, $g:ty) => {
        match $fork {
            $crate::config::ForkName::Phase0 => Err($crate::error::DecodeError::UnsupportedFork {
                container: $container,
                fork: $fork,
            }),
            $crate::config::ForkName::Altair | $crate::config::ForkName::Bellatrix => {
                $helper::<$a, _>($($arg),*)
            }
            $crate::config::ForkName::Capella => $helper::<$c, _>($($arg),*),
            $crate::config::ForkName::Deneb => $helper::<$d, _>($($arg),*),
            $crate::config::ForkName::Electra | $crate::config::ForkName::Fulu => {
                $helper::<$e, _>($($arg),*)
            }
            $crate::config::ForkName::Gloas => $helper::<$g, _>($($arg),*),
        }
    };
}

pub mod beacon_block_header;
pub mod execution_payload_header;
pub mod light_client_bootstrap;
pub mod light_client_finality_update;
pub mod light_client_header;
pub mod light_client_optimistic_update;
pub mod light_client_update;
pub mod serde_utils;
pub mod sync_aggregate;
pub mod sync_committee;

use core::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use ssz::{Decode, Encode};
use tree_hash::TreeHash;

use crate::config::ForkName;
use crate::error::DecodeError;

/// A fork's wire `LightClientHeader` container.
pub trait WireHeader:
    Encode
    + Decode
    + TreeHash
    + Serialize
    + DeserializeOwned
    + Clone
    + Debug
    + PartialEq
    + Eq
    + Default
    + Into<light_client_header::LightClientHeader>
{
}

impl WireHeader for light_client_header::LightClientHeaderAltair {}
impl WireHeader for light_client_header::LightClientHeaderCapella {}
impl WireHeader for light_client_header::LightClientHeaderDeneb {}
impl WireHeader for light_client_header::LightClientHeaderGloas {}

/// Decodes wire type `W` from SSZ and converts it to the fork-independent `N`.
pub(crate) fn decode_ssz<W: Decode, N: From<W>>(
    bytes: &[u8],
    fork: ForkName,
    container: &'static str,
) -> Result<N, DecodeError> {
    W::from_ssz_bytes(bytes).map(N::from).map_err(|e| DecodeError::Ssz {
        container,
        fork,
        reason: format!("{e:?}"),
    })
}

/// Decodes wire type `W` from a JSON value and converts it to the fork-independent `N`.
pub(crate) fn decode_json<W: DeserializeOwned, N: From<W>>(
    data: &serde_json::Value,
    fork: ForkName,
    container: &'static str,
) -> Result<N, DecodeError> {
    W::deserialize(data).map(N::from).map_err(|e| DecodeError::Json {
        container,
        fork,
        reason: e.to_string(),
    })
}

/// Length of `NextSyncCommitteeBranch` (and `CurrentSyncCommitteeBranch`) in `fork`'s containers.
pub fn next_sync_committee_branch_len(fork: ForkName) -> usize {
    match fork {
        ForkName::Gloas => 11,
        ForkName::Electra | ForkName::Fulu => 6,
        _ => 5,
    }
}

/// Length of `FinalityBranch` in `fork`'s containers.
pub fn finality_branch_len(fork: ForkName) -> usize {
    match fork {
        ForkName::Gloas => 9,
        ForkName::Electra | ForkName::Fulu => 7,
        _ => 6,
    }
}

/// The beacon-API envelope `{"version": "<fork>", "data": {…}}`.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub(crate) fork: ForkName,
    pub(crate) data: serde_json::Value,
}

impl Envelope {
    fn from_value(value: serde_json::Value) -> Result<Self, DecodeError> {
        let serde_json::Value::Object(mut map) = value else {
            return Err(DecodeError::Envelope {
                reason: "expected an object with \"version\" and \"data\"".into(),
            });
        };
        let version = match map.get("version") {
            Some(serde_json::Value::String(v)) => v.parse::<ForkName>()?,
            Some(_) => {
                return Err(DecodeError::Envelope { reason: "\"version\" is not a string".into() })
            }
            None => return Err(DecodeError::Envelope { reason: "missing \"version\"".into() }),
        };
        let data = map
            .remove("data")
            .ok_or_else(|| DecodeError::Envelope { reason: "missing \"data\"".into() })?;
        Ok(Self { fork: version, data })
    }

    pub(crate) fn parse(text: &str) -> Result<Self, DecodeError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| DecodeError::Envelope { reason: format!("not JSON: {e}") })?;
        Self::from_value(value)
    }

    pub(crate) fn parse_list(text: &str) -> Result<Vec<Self>, DecodeError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| DecodeError::Envelope { reason: format!("not JSON: {e}") })?;
        let items = match value {
            serde_json::Value::Array(items) => items,
            serde_json::Value::Object(mut map) => match map.remove("data") {
                Some(serde_json::Value::Array(items)) => items,
                _ => {
                    return Err(DecodeError::Envelope {
                        reason: "expected a JSON array of {\"version\", \"data\"}".into(),
                    })
                }
            },
            _ => {
                return Err(DecodeError::Envelope {
                    reason: "expected a JSON array of {\"version\", \"data\"}".into(),
                })
            }
        };
        items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                Self::from_value(item)
                    .map_err(|e| DecodeError::Envelope { reason: format!("element {index}: {e}") })
            })
            .collect()
    }
}

pub use beacon_block_header::BeaconBlockHeader;
pub use execution_payload_header::{
    ExecutionPayloadHeaderBellatrix, ExecutionPayloadHeaderCapella, ExecutionPayloadHeaderDeneb,
};
pub use light_client_bootstrap::*;
pub use light_client_finality_update::*;
pub use light_client_header::*;
pub use light_client_optimistic_update::*;
pub use light_client_update::*;
pub use sync_aggregate::SyncAggregate;
pub use sync_committee::{BlsPublicKey, BlsSignature, SyncCommittee};
