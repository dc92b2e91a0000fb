//! `LightClientBootstrap`: the trusted starting point (header, current committee, its branch).
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/light-client/sync-protocol.md#lightclientbootstrap>.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use ssz_types::typenum::{Unsigned, U11, U5, U6};
use ssz_types::FixedVector;
use tree_hash_derive::TreeHash;

use super::light_client_header::{
    LightClientHeader, LightClientHeaderAltair, LightClientHeaderCapella, LightClientHeaderDeneb,
    LightClientHeaderGloas,
};
use super::sync_committee::SyncCommittee;
use super::{decode_json, decode_ssz, WireHeader};
use crate::config::ForkName;
use crate::error::DecodeError;
use crate::preset::Preset;

/// Wire `LightClientBootstrap` generic over the fork's header and branch length.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientBootstrapWire<P: Preset, H: WireHeader, S: Unsigned + Clone> {
    /// Header of the trusted block.
    pub header: H,
    /// Sync committee of the header's period.
    pub current_sync_committee: SyncCommittee<P>,
    /// Branch of `current_sync_committee` in the header's state.
    pub current_sync_committee_branch: FixedVector<B256, S>,
}

/// Altair/Bellatrix bootstrap.
pub type LightClientBootstrapAltair<P> = LightClientBootstrapWire<P, LightClientHeaderAltair, U5>;
/// Capella bootstrap.
pub type LightClientBootstrapCapella<P> = LightClientBootstrapWire<P, LightClientHeaderCapella, U5>;
/// Deneb bootstrap.
pub type LightClientBootstrapDeneb<P> = LightClientBootstrapWire<P, LightClientHeaderDeneb, U5>;
/// Electra/Fulu bootstrap (committee branch of depth 6).
pub type LightClientBootstrapElectra<P> = LightClientBootstrapWire<P, LightClientHeaderDeneb, U6>;
/// Gloas bootstrap (committee branch of depth 11).
pub type LightClientBootstrapGloas<P> = LightClientBootstrapWire<P, LightClientHeaderGloas, U11>;

/// A bootstrap in fork-independent form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientBootstrap<P: Preset> {
    /// Header of the trusted block.
    pub header: LightClientHeader,
    /// Sync committee of the header's period.
    pub current_sync_committee: SyncCommittee<P>,
    /// Branch of `current_sync_committee` in the header's state.
    pub current_sync_committee_branch: Vec<B256>,
}

impl<P: Preset, H: WireHeader, S: Unsigned + Clone> From<LightClientBootstrapWire<P, H, S>>
    for LightClientBootstrap<P>
{
    fn from(w: LightClientBootstrapWire<P, H, S>) -> Self {
        Self {
            header: w.header.into(),
            current_sync_committee: w.current_sync_committee,
            current_sync_committee_branch: w.current_sync_committee_branch.to_vec(),
        }
    }
}

const CONTAINER: &str = "LightClientBootstrap";

impl<P: Preset> LightClientBootstrap<P> {
    /// Decodes the SSZ of `fork`'s container.
    pub fn from_ssz_bytes(bytes: &[u8], fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_ssz,
            (bytes, fork, CONTAINER),
            LightClientBootstrapAltair<P>,
            LightClientBootstrapCapella<P>,
            LightClientBootstrapDeneb<P>,
            LightClientBootstrapElectra<P>,
            LightClientBootstrapGloas<P>
        )
    }

    /// Decodes the beacon-API JSON `data` object of `fork`'s container.
    pub fn from_json_data(data: &serde_json::Value, fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_json,
            (data, fork, CONTAINER),
            LightClientBootstrapAltair<P>,
            LightClientBootstrapCapella<P>,
            LightClientBootstrapDeneb<P>,
            LightClientBootstrapElectra<P>,
            LightClientBootstrapGloas<P>
        )
    }

    /// Decodes a beacon-API response `{"version": …, "data": …}`; returns the declared fork too.
    pub fn from_beacon_api_json(text: &str) -> Result<(ForkName, Self), DecodeError> {
        let envelope = super::Envelope::parse(text)?;
        Ok((envelope.fork, Self::from_json_data(&envelope.data, envelope.fork)?))
    }
}
