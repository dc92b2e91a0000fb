//! `BeaconBlockHeader` (phase0).
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/phase0/beacon-chain.md#beaconblockheader>.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use tree_hash_derive::TreeHash;

/// A beacon block header: the object the sync committee signs and the finality proof names.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct BeaconBlockHeader {
    /// Slot.
    #[serde(with = "super::serde_utils::quoted_u64")]
    pub slot: u64,
    /// Proposer's validator index.
    #[serde(with = "super::serde_utils::quoted_u64")]
    pub proposer_index: u64,
    /// Parent block root.
    pub parent_root: B256,
    /// Post-state root: the root the finality and committee branches prove against.
    pub state_root: B256,
    /// Body root: the root the execution branch proves against.
    pub body_root: B256,
}
