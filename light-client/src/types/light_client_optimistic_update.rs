//! `LightClientOptimisticUpdate`: attested header and signature only.
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/light-client/sync-protocol.md#lightclientoptimisticupdate>.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
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

/// Wire `LightClientOptimisticUpdate` generic over the fork's header.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientOptimisticUpdateWire<P: Preset, H: WireHeader> {
    /// Header attested to by the sync committee.
    pub attested_header: H,
    /// Committee participation and signature.
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate was included.
    #[serde(with = "quoted_u64")]
    pub signature_slot: u64,
}

/// Altair/Bellatrix optimistic update.
pub type LightClientOptimisticUpdateAltair<P> =
    LightClientOptimisticUpdateWire<P, LightClientHeaderAltair>;
/// Capella optimistic update.
pub type LightClientOptimisticUpdateCapella<P> =
    LightClientOptimisticUpdateWire<P, LightClientHeaderCapella>;
/// Deneb/Electra/Fulu optimistic update.
pub type LightClientOptimisticUpdateDeneb<P> =
    LightClientOptimisticUpdateWire<P, LightClientHeaderDeneb>;
/// Gloas optimistic update.
pub type LightClientOptimisticUpdateGloas<P> =
    LightClientOptimisticUpdateWire<P, LightClientHeaderGloas>;

/// An optimistic update in fork-independent form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientOptimisticUpdate<P: Preset> {
    /// Header attested to by the sync committee.
    pub attested_header: LightClientHeader,
    /// Committee participation and signature.
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate was included.
    pub signature_slot: u64,
}

impl<P: Preset, H: WireHeader> From<LightClientOptimisticUpdateWire<P, H>>
    for LightClientOptimisticUpdate<P>
{
    fn from(w: LightClientOptimisticUpdateWire<P, H>) -> Self {
        Self {
            attested_header: w.attested_header.into(),
            sync_aggregate: w.sync_aggregate,
            signature_slot: w.signature_slot,
        }
    }
}

const CONTAINER: &str = "LightClientOptimisticUpdate";

impl<P: Preset> LightClientOptimisticUpdate<P> {
    /// Decodes the SSZ of `fork`'s container.
    pub fn from_ssz_bytes(bytes: &[u8], fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_ssz,
            (bytes, fork, CONTAINER),
            LightClientOptimisticUpdateAltair<P>,
            LightClientOptimisticUpdateCapella<P>,
            LightClientOptimisticUpdateDeneb<P>,
            LightClientOptimisticUpdateDeneb<P>,
            LightClientOptimisticUpdateGloas<P>
        )
    }

    /// Decodes the beacon-API JSON `data` object of `fork`'s container.
    pub fn from_json_data(data: &serde_json::Value, fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_json,
            (data, fork, CONTAINER),
            LightClientOptimisticUpdateAltair<P>,
            LightClientOptimisticUpdateCapella<P>,
            LightClientOptimisticUpdateDeneb<P>,
            LightClientOptimisticUpdateDeneb<P>,
            LightClientOptimisticUpdateGloas<P>
        )
    }

    /// Decodes a beacon-API response `{"version": …, "data": …}`.
    pub fn from_beacon_api_json(text: &str) -> Result<(ForkName, Self), DecodeError> {
        let envelope = super::Envelope::parse(text)?;
        Ok((envelope.fork, Self::from_json_data(&envelope.data, envelope.fork)?))
    }

    /// The update `process_light_client_optimistic_update` builds: no next committee, no finality.
    pub fn into_update(self, fork: ForkName) -> LightClientUpdate<P> {
        LightClientUpdate {
            attested_header: self.attested_header,
            next_sync_committee: SyncCommittee::default(),
            next_sync_committee_branch: vec![
                B256::ZERO;
                super::next_sync_committee_branch_len(fork)
            ],
            finalized_header: LightClientHeader::default(),
            finality_branch: vec![B256::ZERO; super::finality_branch_len(fork)],
            sync_aggregate: self.sync_aggregate,
            signature_slot: self.signature_slot,
        }
    }
}
