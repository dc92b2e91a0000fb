//! `LightClientUpdate`: attested header, optional next committee and finality proofs, signature.
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/light-client/sync-protocol.md#lightclientupdate>.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use ssz_types::typenum::{Unsigned, U11, U5, U6, U7, U9};
use ssz_types::FixedVector;
use tree_hash_derive::TreeHash;

use super::light_client_header::{
    LightClientHeader, LightClientHeaderAltair, LightClientHeaderCapella, LightClientHeaderDeneb,
    LightClientHeaderGloas,
};
use super::serde_utils::quoted_u64;
use super::sync_aggregate::SyncAggregate;
use super::sync_committee::SyncCommittee;
use super::{decode_json, decode_ssz, WireHeader};
use crate::config::ForkName;
use crate::error::DecodeError;
use crate::preset::Preset;

/// Wire `LightClientUpdate` generic over the fork's header and branch lengths.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientUpdateWire<P: Preset, H: WireHeader, S: Unsigned + Clone, F: Unsigned + Clone>
{
    /// Header attested to by the sync committee.
    pub attested_header: H,
    /// Next sync committee in the attested state (zero when absent).
    pub next_sync_committee: SyncCommittee<P>,
    /// Its branch (zero when absent).
    pub next_sync_committee_branch: FixedVector<B256, S>,
    /// Finalized header in the attested state (zero when absent).
    pub finalized_header: H,
    /// Branch of `finalized_checkpoint.root` (zero when absent).
    pub finality_branch: FixedVector<B256, F>,
    /// Committee participation and signature.
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate was included.
    #[serde(with = "quoted_u64")]
    pub signature_slot: u64,
}

/// Altair/Bellatrix update.
pub type LightClientUpdateAltair<P> = LightClientUpdateWire<P, LightClientHeaderAltair, U5, U6>;
/// Capella update.
pub type LightClientUpdateCapella<P> = LightClientUpdateWire<P, LightClientHeaderCapella, U5, U6>;
/// Deneb update.
pub type LightClientUpdateDeneb<P> = LightClientUpdateWire<P, LightClientHeaderDeneb, U5, U6>;
/// Electra/Fulu update (branches of depth 6 and 7).
pub type LightClientUpdateElectra<P> = LightClientUpdateWire<P, LightClientHeaderDeneb, U6, U7>;
/// Gloas update (branches of depth 11 and 9).
pub type LightClientUpdateGloas<P> = LightClientUpdateWire<P, LightClientHeaderGloas, U11, U9>;

/// An update in fork-independent form. Finality and optimistic updates convert into it as the
/// spec's `process_light_client_finality_update` / `process_light_client_optimistic_update` do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientUpdate<P: Preset> {
    /// Header attested to by the sync committee.
    pub attested_header: LightClientHeader,
    /// Next sync committee in the attested state (zero when absent).
    pub next_sync_committee: SyncCommittee<P>,
    /// Its branch (all zero when absent).
    pub next_sync_committee_branch: Vec<B256>,
    /// Finalized header in the attested state (empty when absent).
    pub finalized_header: LightClientHeader,
    /// Branch of `finalized_checkpoint.root` (all zero when absent).
    pub finality_branch: Vec<B256>,
    /// Committee participation and signature.
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate was included.
    pub signature_slot: u64,
}

impl<P: Preset, H: WireHeader, S: Unsigned + Clone, F: Unsigned + Clone>
    From<LightClientUpdateWire<P, H, S, F>> for LightClientUpdate<P>
{
    fn from(w: LightClientUpdateWire<P, H, S, F>) -> Self {
        Self {
            attested_header: w.attested_header.into(),
            next_sync_committee: w.next_sync_committee,
            next_sync_committee_branch: w.next_sync_committee_branch.to_vec(),
            finalized_header: w.finalized_header.into(),
            finality_branch: w.finality_branch.to_vec(),
            sync_aggregate: w.sync_aggregate,
            signature_slot: w.signature_slot,
        }
    }
}

const CONTAINER: &str = "LightClientUpdate";

impl<P: Preset> LightClientUpdate<P> {
    /// Decodes the SSZ of `fork`'s container.
    pub fn from_ssz_bytes(bytes: &[u8], fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_ssz,
            (bytes, fork, CONTAINER),
            LightClientUpdateAltair<P>,
            LightClientUpdateCapella<P>,
            LightClientUpdateDeneb<P>,
            LightClientUpdateElectra<P>,
            LightClientUpdateGloas<P>
        )
    }

    /// Decodes the beacon-API JSON `data` object of `fork`'s container.
    pub fn from_json_data(data: &serde_json::Value, fork: ForkName) -> Result<Self, DecodeError> {
        dispatch_fork!(
            fork,
            CONTAINER,
            decode_json,
            (data, fork, CONTAINER),
            LightClientUpdateAltair<P>,
            LightClientUpdateCapella<P>,
            LightClientUpdateDeneb<P>,
            LightClientUpdateElectra<P>,
            LightClientUpdateGloas<P>
        )
    }

    /// Decodes one beacon-API object `{"version": …, "data": …}`.
    pub fn from_beacon_api_json(text: &str) -> Result<(ForkName, Self), DecodeError> {
        let envelope = super::Envelope::parse(text)?;
        Ok((envelope.fork, Self::from_json_data(&envelope.data, envelope.fork)?))
    }

    /// Decodes the `/eth/v1/beacon/light_client/updates` response: a JSON array of
    /// `{"version", "data"}` objects (an object whose `data` is that array is accepted too).
    pub fn list_from_beacon_api_json(text: &str) -> Result<Vec<(ForkName, Self)>, DecodeError> {
        super::Envelope::parse_list(text)?
            .into_iter()
            .enumerate()
            .map(|(index, envelope)| {
                Self::from_json_data(&envelope.data, envelope.fork)
                    .map(|update| (envelope.fork, update))
                    .map_err(|e| DecodeError::Envelope { reason: format!("element {index}: {e}") })
            })
            .collect()
    }

    /// `is_sync_committee_update`: the next-committee branch is not all zero.
    pub fn is_sync_committee_update(&self) -> bool {
        self.next_sync_committee_branch.iter().any(|n| !n.is_zero())
    }

    /// `is_finality_update`: the finality branch is not all zero.
    pub fn is_finality_update(&self) -> bool {
        self.finality_branch.iter().any(|n| !n.is_zero())
    }
}
