//! `LightClientStore`: what the light client knows and trusts.
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/light-client/sync-protocol.md#lightclientstore>.
//! The store is created by [`crate::sync::initialize_light_client_store`] and changed only by the
//! `process_*` functions of [`crate::sync`].

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use tree_hash::TreeHash;

use crate::bls::{BlsBackend, DefaultBls};
use crate::error::BlsError;
use crate::preset::{compute_sync_committee_period_at_slot, Preset};
use crate::types::{LightClientHeader, LightClientUpdate, SyncCommittee};

/// A sync committee with its keys prepared for verification by backend `B`.
#[derive(Debug, Clone)]
pub struct PreparedSyncCommittee<P: Preset, B: BlsBackend> {
    /// The committee as committed in the beacon state.
    pub committee: SyncCommittee<P>,
    /// `hash_tree_root(committee)`.
    pub root: B256,
    /// Keys decoded, validated and aggregated once.
    pub prepared: B::PreparedCommittee,
}

impl<P: Preset, B: BlsBackend> PreparedSyncCommittee<P, B> {
    /// Decodes and aggregates the committee's keys.
    pub fn new(committee: SyncCommittee<P>) -> Result<Self, BlsError> {
        let prepared = B::prepare_committee(&committee.pubkeys)?;
        let root = committee.tree_hash_root();
        Ok(Self { committee, root, prepared })
    }
}

/// The light-client store, generic over the preset and the BLS backend.
///
/// Deviation: `next_sync_committee` is an `Option` instead of the spec's all-zero
/// `SyncCommittee()` marker, and committees are kept with their prepared keys.
#[derive(Debug, Clone)]
pub struct LightClientStore<P: Preset, B: BlsBackend = DefaultBls> {
    pub(crate) finalized_header: LightClientHeader,
    pub(crate) current_sync_committee: PreparedSyncCommittee<P, B>,
    pub(crate) next_sync_committee: Option<PreparedSyncCommittee<P, B>>,
    pub(crate) best_valid_update: Option<LightClientUpdate<P>>,
    pub(crate) optimistic_header: LightClientHeader,
    pub(crate) previous_max_active_participants: u64,
    pub(crate) current_max_active_participants: u64,
}

impl<P: Preset, B: BlsBackend> LightClientStore<P, B> {
    /// The latest finalized header: the only header the peg zone may act on.
    pub fn finalized_header(&self) -> &LightClientHeader {
        &self.finalized_header
    }

    /// `hash_tree_root(finalized_header.beacon)`.
    pub fn finalized_block_root(&self) -> B256 {
        self.finalized_header.beacon_root()
    }

    /// Slot of the finalized header.
    pub fn finalized_slot(&self) -> u64 {
        self.finalized_header.beacon.slot
    }

    /// Execution block hash of the finalized header (`None` before Capella).
    pub fn finalized_execution_block_hash(&self) -> Option<B256> {
        self.finalized_header.execution.block_hash()
    }

    /// Execution block number of the finalized header: known for Capella..Fulu headers; `None`
    /// for Gloas headers, which carry only the hash (the number then comes from the RLP header
    /// whose keccak equals that hash, see `specs/light-client.md`).
    pub fn finalized_execution_block_number(&self) -> Option<u64> {
        self.finalized_header.execution.block_number()
    }

    /// The optimistic header (signed by more than the safety threshold, not necessarily final).
    pub fn optimistic_header(&self) -> &LightClientHeader {
        &self.optimistic_header
    }

    /// The sync committee of the store period.
    pub fn current_sync_committee(&self) -> &SyncCommittee<P> {
        &self.current_sync_committee.committee
    }

    /// The sync committee of the next period, once learnt.
    pub fn next_sync_committee(&self) -> Option<&SyncCommittee<P>> {
        self.next_sync_committee.as_ref().map(|c| &c.committee)
    }

    /// `is_next_sync_committee_known(store)`.
    pub fn is_next_sync_committee_known(&self) -> bool {
        self.next_sync_committee.is_some()
    }

    /// The store period: `compute_sync_committee_period_at_slot(finalized_header.beacon.slot)`.
    pub fn sync_committee_period(&self) -> u64 {
        compute_sync_committee_period_at_slot::<P>(self.finalized_header.beacon.slot)
    }

    /// The best valid update seen since the last finalized one (kept as the spec does; it is
    /// never applied automatically).
    pub fn best_valid_update(&self) -> Option<&LightClientUpdate<P>> {
        self.best_valid_update.as_ref()
    }

    /// `previous_max_active_participants`.
    pub fn previous_max_active_participants(&self) -> u64 {
        self.previous_max_active_participants
    }

    /// `current_max_active_participants`.
    pub fn current_max_active_participants(&self) -> u64 {
        self.current_max_active_participants
    }

    /// `get_safety_threshold(store)`.
    pub fn safety_threshold(&self) -> u64 {
        self.previous_max_active_participants.max(self.current_max_active_participants) / 2
    }
}

/// The persistent state of a store: everything but the prepared keys, which
/// [`LightClientStore::from_snapshot`] recomputes. For the peg zone's state (serde; any encoding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct LightClientStoreSnapshot<P: Preset> {
    /// `finalized_header`.
    pub finalized_header: LightClientHeader,
    /// `current_sync_committee`.
    pub current_sync_committee: SyncCommittee<P>,
    /// `next_sync_committee` (`None` = unknown).
    pub next_sync_committee: Option<SyncCommittee<P>>,
    /// `best_valid_update`.
    pub best_valid_update: Option<LightClientUpdate<P>>,
    /// `optimistic_header`.
    pub optimistic_header: LightClientHeader,
    /// `previous_max_active_participants`.
    pub previous_max_active_participants: u64,
    /// `current_max_active_participants`.
    pub current_max_active_participants: u64,
}

impl<P: Preset, B: BlsBackend> LightClientStore<P, B> {
    /// The store's persistent state.
    pub fn snapshot(&self) -> LightClientStoreSnapshot<P> {
        LightClientStoreSnapshot {
            finalized_header: self.finalized_header.clone(),
            current_sync_committee: self.current_sync_committee.committee.clone(),
            next_sync_committee: self.next_sync_committee().cloned(),
            best_valid_update: self.best_valid_update.clone(),
            optimistic_header: self.optimistic_header.clone(),
            previous_max_active_participants: self.previous_max_active_participants,
            current_max_active_participants: self.current_max_active_participants,
        }
    }

    /// Rebuilds a store from its persistent state, preparing the committees' keys again.
    ///
    /// IMPORTANT: a snapshot is trusted state (the peg zone's own); it is not re-verified. Never
    /// restore one that came from outside: bootstrap from a trusted root instead.
    pub fn from_snapshot(snapshot: LightClientStoreSnapshot<P>) -> Result<Self, BlsError> {
        Ok(Self {
            finalized_header: snapshot.finalized_header,
            current_sync_committee: PreparedSyncCommittee::new(snapshot.current_sync_committee)?,
            next_sync_committee: snapshot
                .next_sync_committee
                .map(PreparedSyncCommittee::new)
                .transpose()?,
            best_valid_update: snapshot.best_valid_update,
            optimistic_header: snapshot.optimistic_header,
            previous_max_active_participants: snapshot.previous_max_active_participants,
            current_max_active_participants: snapshot.current_max_active_participants,
        })
    }
}
