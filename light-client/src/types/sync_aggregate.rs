//! `SyncAggregate` (altair).
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/beacon-chain.md#syncaggregate>.

use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use ssz_types::BitVector;
use tree_hash_derive::TreeHash;

use super::sync_committee::BlsSignature;
use crate::preset::Preset;

/// Participation bits and the aggregate signature of the participating committee members.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SyncAggregate<P: Preset> {
    /// Bit `i` set when committee member `i` signed.
    pub sync_committee_bits: BitVector<P::SyncCommitteeSize>,
    /// Aggregate BLS signature over the signing root of the attested header.
    pub sync_committee_signature: BlsSignature,
}

impl<P: Preset> SyncAggregate<P> {
    /// `sum(sync_committee_bits)`.
    pub fn num_participants(&self) -> u64 {
        self.sync_committee_bits.num_set_bits() as u64
    }

    /// Participation as one `bool` per committee member.
    pub fn participation(&self) -> Vec<bool> {
        self.sync_committee_bits.iter().collect()
    }
}

impl<P: Preset> Default for SyncAggregate<P> {
    fn default() -> Self {
        Self { sync_committee_bits: BitVector::new(), sync_committee_signature: BlsSignature::ZERO }
    }
}
