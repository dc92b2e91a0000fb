//! `LightClientFinalityUpdate`: attested header, finalized header and its branch, signature.
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/light-client/sync-protocol.md#lightclientfinalityupdate>.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use ssz_types::typenum::{Unsigned, U6, U7, U9};
use ssz_types::FixedVector;
use tree_hash_derive::TreeHash;

use super::light_client_header::{
    LightClientHeader, LightClientHeaderAltair, LightClientHeaderCapella, LightClientHeaderDeneb,
    LightClientHeaderGloas,
};
use super::light_client_update::LightClientUpdate;
use super::serde_utils::quoted_u64;
use super::sync_aggregate::SyncAggregate;
use super::sync_committee::SyncCommittee;
use super::{decode_json, decode_ssz, WireHeader};
use crate::config::ForkName;
use crate::error::DecodeError;
use crate::preset::Preset;

/// Wire `LightClientFinalityUpdate` generic over the fork's header and branch length.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientFinalityUpdateWire<P: Preset, H: WireHeader, F: Unsigned + Clone> {
    /// Header attested to by the sync committee.
    pub attested_header: H,
    /// Finalized header in the attested state.
    pub finalized_header: H,
    /// Branch of `finalized_checkpoint.root`.
    pub finality_branch: FixedVector<B256, F>,
    /// Committee participation and signature.
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate was included.
    #[serde(with = "quoted_u64")]
    pub signature_slot: u64,
}

/// Altair/Bellatrix finality update.
pub type LightClientFinalityUpdateAltair<P> =
    LightClientFinalityUpdateWire<P, LightClientHeaderAltair, U6>;
/// Capella finality update.
pub type LightClientFinalityUpdateCapella<P> =
    LightClientFinalityUpdateWire<P, LightClientHeaderCapella, U6>;
/// Deneb finality update.
pub type LightClientFinalityUpdateDeneb<P> =
    LightClientFinalityUpdateWire<P, LightClientHeaderDeneb, U6>;
/// Electra/Fulu finality update.
pub type LightClientFinalityUpdateElectra<P> =
    LightClientFinalityUpdateWire<P, LightClientHeaderDeneb, U7>;
/// Gloas finality update.
pub type LightClientFinalityUpdateGloas<P> =
    LightClientFinalityUpdateWire<P, LightClientHeaderGloas, U9>;

/// A finality update in fork-independent form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientFinalityUpdate<P: Preset> {
    /// Header attested to by the sync committee.
    pub attested_header: LightClientHeader,
    /// Finalized header in the attested state.
    pub finalized_header: LightClientHeader,
    /// Branch of `finalized_checkpoint.root`.
    pub finality_branch: Vec<B256>,
    /// Committee participation and signature.
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate was included.
    pub signature_slot: u64,
}

impl<P: Preset, H: WireHeader, F: Unsigned + Clone> From<LightClientFinalityUpdateWire<P, H, F>>
    for LightClientFinalityUpdate<P>
{
    fn from(w: LightClientFinalityUpdateWire<P, H, F>) -> Self {
        Self {
            attested_header: w.attested_header.into(),
            finalized_header: w.finalized_header.into(),
            finality_branch: w.finality_branch.to_vec(),
            sync_aggregate: w.sync_aggregate,
            signature_slot: w.signature_slot,
        }
    }
}

const CONTAINER: &str = "LightClientFinalityUpdate";

impl<P: Preset> LightClientFinalityUpdate<P> {
    /// Decodes the SSZ of `fork`'s container.
    pub fn from_ssz_bytes(bytes: &[u8], fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_ssz,
            (bytes, fork, CONTAINER),
            LightClientFinalityUpdateAltair<P>,
            LightClientFinalityUpdateCapella<P>,
            LightClientFinalityUpdateDeneb<P>,
            LightClientFinalityUpdateElectra<P>,
            LightClientFinalityUpdateGloas<P>
        )
    }

    /// Decodes the beacon-API JSON `data` object of `fork`'s container.
    pub fn from_json_data(data: &serde_json::Value, fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_json,
            (data, fork, CONTAINER),
            LightClientFinalityUpdateAltair<P>,
            LightClientFinalityUpdateCapella<P>,
            LightClientFinalityUpdateDeneb<P>,
            LightClientFinalityUpdateElectra<P>,
            LightClientFinalityUpdateGloas<P>
        )
    }

    /// Decodes a beacon-API response `{"version": …, "data": …}`.
    pub fn from_beacon_api_json(text: &str) -> Result<(ForkName, Self), DecodeError> {
        let envelope = super::Envelope::parse(text)?;
        Ok((envelope.fork, Self::from_json_data(&envelope.data, envelope.fork)?))
    }

    /// The update `process_light_client_finality_update` builds: no next committee (zero
    /// committee, zero branch of `fork`'s length).
    pub fn into_update(self, fork: ForkName) -> LightClientUpdate<P> {
        LightClientUpdate {
            attested_header: self.attested_header,
            next_sync_committee: SyncCommittee::default(),
            next_sync_committee_branch: vec![
                B256::ZERO;
                super::next_sync_committee_branch_len(fork)
            ],
            finalized_header: self.finalized_header,
            finality_branch: self.finality_branch,
            sync_aggregate: self.sync_aggregate,
            signature_slot: self.signature_slot,
        }
    }
}
