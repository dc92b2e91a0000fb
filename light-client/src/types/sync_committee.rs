//! `SyncCommittee` (altair).
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/beacon-chain.md#synccommittee>.

use alloy_primitives::FixedBytes;
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use ssz_types::FixedVector;
use tree_hash_derive::TreeHash;

use crate::preset::Preset;

/// A compressed BLS12-381 G1 public key (`BLSPubkey`).
pub type BlsPublicKey = FixedBytes<48>;
/// A compressed BLS12-381 G2 signature (`BLSSignature`).
pub type BlsSignature = FixedBytes<96>;

/// The sync committee of one period: `SYNC_COMMITTEE_SIZE` public keys and their aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SyncCommittee<P: Preset> {
    /// Member public keys, in committee order (a key may repeat).
    pub pubkeys: FixedVector<BlsPublicKey, P::SyncCommitteeSize>,
    /// Aggregate of all member keys (committed in the state; the verifier recomputes its own).
    pub aggregate_pubkey: BlsPublicKey,
}

impl<P: Preset> Default for SyncCommittee<P> {
    /// `SyncCommittee()`: all-zero keys, the spec's "unknown committee" marker.
    fn default() -> Self {
        Self {
            pubkeys: FixedVector::from_elem(BlsPublicKey::ZERO),
            aggregate_pubkey: BlsPublicKey::ZERO,
        }
    }
}
