//! `LightClientHeader`: per-fork wire containers and the fork-independent form the store keeps.
//!
//! Spec: altair/capella/deneb/gloas `light-client/sync-protocol.md#lightclientheader`.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use ssz_types::typenum::{U11, U4};
use ssz_types::FixedVector;
use tree_hash::TreeHash;
use tree_hash_derive::TreeHash;

use super::beacon_block_header::BeaconBlockHeader;
use super::execution_payload_header::{ExecutionPayloadHeaderCapella, ExecutionPayloadHeaderDeneb};

/// `ExecutionBranch` length for Capella..Fulu: `floorlog2(EXECUTION_PAYLOAD_GINDEX)` = 4.
pub type ExecutionBranchLen = U4;
/// `ExecutionBranch` length for Gloas: `floorlog2(EXECUTION_BLOCK_HASH_GINDEX_GLOAS)` = 11.
pub type ExecutionBranchLenGloas = U11;

/// Altair/Bellatrix `LightClientHeader`: the beacon header only.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct LightClientHeaderAltair {
    /// Beacon block header.
    pub beacon: BeaconBlockHeader,
}

/// Capella `LightClientHeader`: adds the execution payload header and its branch in the body.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct LightClientHeaderCapella {
    /// Beacon block header.
    pub beacon: BeaconBlockHeader,
    /// Execution payload header of the block.
    pub execution: ExecutionPayloadHeaderCapella,
    /// Branch of `execution_payload` in `BeaconBlockBody`.
    pub execution_branch: FixedVector<B256, ExecutionBranchLen>,
}

/// Deneb `LightClientHeader` (also Electra's and Fulu's).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct LightClientHeaderDeneb {
    /// Beacon block header.
    pub beacon: BeaconBlockHeader,
    /// Execution payload header of the block.
    pub execution: ExecutionPayloadHeaderDeneb,
    /// Branch of `execution_payload` in `BeaconBlockBody`.
    pub execution_branch: FixedVector<B256, ExecutionBranchLen>,
}

/// Gloas `LightClientHeader` (EIP-7732): the execution payload header is replaced by the block
/// hash committed in the body's payload bid (`signed_execution_payload_bid.message.parent_block_hash`).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct LightClientHeaderGloas {
    /// Beacon block header.
    pub beacon: BeaconBlockHeader,
    /// Execution block hash proven by `execution_branch`.
    pub execution_block_hash: B256,
    /// Branch of the block hash in `BeaconBlockBody` (gindex 2856 at Gloas slots; shorter
    /// indices, zero-padded, for older slots).
    pub execution_branch: FixedVector<B256, ExecutionBranchLenGloas>,
}

/// The execution part of a light-client header, as the fork's container carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LightClientExecution {
    /// Altair/Bellatrix: no execution data.
    #[default]
    None,
    /// Capella container.
    Capella(ExecutionPayloadHeaderCapella),
    /// Deneb/Electra/Fulu container.
    Deneb(ExecutionPayloadHeaderDeneb),
    /// Gloas container: the execution block hash only.
    BlockHash(B256),
}

impl LightClientExecution {
    /// The execution block hash, when the header carries one.
    pub fn block_hash(&self) -> Option<B256> {
        match self {
            LightClientExecution::None => None,
            LightClientExecution::Capella(h) => Some(h.block_hash),
            LightClientExecution::Deneb(h) => Some(h.block_hash),
            LightClientExecution::BlockHash(h) => Some(*h),
        }
    }

    /// The execution block number, when the header carries a payload header (Capella..Fulu).
    /// Gloas headers carry the hash only: the number is learnt from the RLP header whose
    /// keccak is that hash.
    pub fn block_number(&self) -> Option<u64> {
        match self {
            LightClientExecution::Capella(h) => Some(h.block_number),
            LightClientExecution::Deneb(h) => Some(h.block_number),
            LightClientExecution::None | LightClientExecution::BlockHash(_) => None,
        }
    }

    /// True for the container's default (all-zero) value.
    pub fn is_empty(&self) -> bool {
        match self {
            LightClientExecution::None => true,
            LightClientExecution::Capella(h) => *h == ExecutionPayloadHeaderCapella::default(),
            LightClientExecution::Deneb(h) => *h == ExecutionPayloadHeaderDeneb::default(),
            LightClientExecution::BlockHash(h) => h.is_zero(),
        }
    }

    /// `hash_tree_root` of the carried container (zero for none; the hash itself for Gloas).
    pub fn container_root(&self) -> B256 {
        match self {
            LightClientExecution::None => B256::ZERO,
            LightClientExecution::Capella(h) => h.tree_hash_root(),
            LightClientExecution::Deneb(h) => h.tree_hash_root(),
            LightClientExecution::BlockHash(h) => *h,
        }
    }
}

/// A light-client header in fork-independent form: what the store keeps and the sync rules read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightClientHeader {
    /// Beacon block header.
    pub beacon: BeaconBlockHeader,
    /// Execution data as the fork's container carries it.
    pub execution: LightClientExecution,
    /// Execution branch (empty for Altair/Bellatrix).
    pub execution_branch: Vec<B256>,
}

impl LightClientHeader {
    /// `hash_tree_root(header.beacon)`: the beacon block root.
    pub fn beacon_root(&self) -> B256 {
        self.beacon.tree_hash_root()
    }

    /// True for `LightClientHeader()`: zero beacon header, empty execution, zero branch.
    pub fn is_empty(&self) -> bool {
        self.beacon == BeaconBlockHeader::default()
            && self.execution.is_empty()
            && self.execution_branch.iter().all(|node| node.is_zero())
    }
}

impl From<LightClientHeaderAltair> for LightClientHeader {
    fn from(h: LightClientHeaderAltair) -> Self {
        Self {
            beacon: h.beacon,
            execution: LightClientExecution::None,
            execution_branch: Vec::new(),
        }
    }
}

impl From<LightClientHeaderCapella> for LightClientHeader {
    fn from(h: LightClientHeaderCapella) -> Self {
        Self {
            beacon: h.beacon,
            execution: LightClientExecution::Capella(h.execution),
            execution_branch: h.execution_branch.to_vec(),
        }
    }
}

impl From<LightClientHeaderDeneb> for LightClientHeader {
    fn from(h: LightClientHeaderDeneb) -> Self {
        Self {
            beacon: h.beacon,
            execution: LightClientExecution::Deneb(h.execution),
            execution_branch: h.execution_branch.to_vec(),
        }
    }
}

impl From<LightClientHeaderGloas> for LightClientHeader {
    fn from(h: LightClientHeaderGloas) -> Self {
        Self {
            beacon: h.beacon,
            execution: LightClientExecution::BlockHash(h.execution_block_hash),
            execution_branch: h.execution_branch.to_vec(),
        }
    }
}
