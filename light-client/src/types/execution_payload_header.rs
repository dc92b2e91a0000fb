//! `ExecutionPayloadHeader` of Bellatrix, Capella and Deneb (Electra and Fulu keep Deneb's;
//! Gloas removes it from light-client data).
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/deneb/beacon-chain.md#executionpayloadheader>.

use alloy_primitives::{Address, FixedBytes, B256, U256};
use serde::{Deserialize, Serialize};
use ssz_derive::{Decode, Encode};
use ssz_types::typenum::U32;
use ssz_types::VariableList;
use tree_hash_derive::TreeHash;

use super::serde_utils::{quoted_u256, quoted_u64};

/// `MAX_EXTRA_DATA_BYTES` (32 in every preset).
pub type MaxExtraDataBytes = U32;
/// `BYTES_PER_LOGS_BLOOM` bytes.
pub type LogsBloom = FixedBytes<256>;

/// Bellatrix `ExecutionPayloadHeader`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct ExecutionPayloadHeaderBellatrix {
    /// Parent execution block hash.
    pub parent_hash: B256,
    /// Fee recipient.
    pub fee_recipient: Address,
    /// Execution state root.
    pub state_root: B256,
    /// Receipts root.
    pub receipts_root: B256,
    /// Logs bloom.
    pub logs_bloom: LogsBloom,
    /// `prev_randao`.
    pub prev_randao: B256,
    /// Execution block number.
    #[serde(with = "quoted_u64")]
    pub block_number: u64,
    /// Gas limit.
    #[serde(with = "quoted_u64")]
    pub gas_limit: u64,
    /// Gas used.
    #[serde(with = "quoted_u64")]
    pub gas_used: u64,
    /// Timestamp.
    #[serde(with = "quoted_u64")]
    pub timestamp: u64,
    /// Extra data (at most 32 bytes).
    #[serde(with = "ssz_types::serde_utils::hex_var_list")]
    pub extra_data: VariableList<u8, MaxExtraDataBytes>,
    /// Base fee per gas.
    #[serde(with = "quoted_u256")]
    pub base_fee_per_gas: U256,
    /// Execution block hash.
    pub block_hash: B256,
    /// Transactions root.
    pub transactions_root: B256,
}

/// Capella `ExecutionPayloadHeader`: adds `withdrawals_root`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct ExecutionPayloadHeaderCapella {
    /// Parent execution block hash.
    pub parent_hash: B256,
    /// Fee recipient.
    pub fee_recipient: Address,
    /// Execution state root.
    pub state_root: B256,
    /// Receipts root.
    pub receipts_root: B256,
    /// Logs bloom.
    pub logs_bloom: LogsBloom,
    /// `prev_randao`.
    pub prev_randao: B256,
    /// Execution block number.
    #[serde(with = "quoted_u64")]
    pub block_number: u64,
    /// Gas limit.
    #[serde(with = "quoted_u64")]
    pub gas_limit: u64,
    /// Gas used.
    #[serde(with = "quoted_u64")]
    pub gas_used: u64,
    /// Timestamp.
    #[serde(with = "quoted_u64")]
    pub timestamp: u64,
    /// Extra data (at most 32 bytes).
    #[serde(with = "ssz_types::serde_utils::hex_var_list")]
    pub extra_data: VariableList<u8, MaxExtraDataBytes>,
    /// Base fee per gas.
    #[serde(with = "quoted_u256")]
    pub base_fee_per_gas: U256,
    /// Execution block hash.
    pub block_hash: B256,
    /// Transactions root.
    pub transactions_root: B256,
    /// Withdrawals root.
    pub withdrawals_root: B256,
}

/// Deneb `ExecutionPayloadHeader` (also Electra's and Fulu's): adds the blob gas fields.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Encode, Decode, TreeHash, Serialize, Deserialize,
)]
pub struct ExecutionPayloadHeaderDeneb {
    /// Parent execution block hash.
    pub parent_hash: B256,
    /// Fee recipient.
    pub fee_recipient: Address,
    /// Execution state root.
    pub state_root: B256,
    /// Receipts root.
    pub receipts_root: B256,
    /// Logs bloom.
    pub logs_bloom: LogsBloom,
    /// `prev_randao`.
    pub prev_randao: B256,
    /// Execution block number.
    #[serde(with = "quoted_u64")]
    pub block_number: u64,
    /// Gas limit.
    #[serde(with = "quoted_u64")]
    pub gas_limit: u64,
    /// Gas used.
    #[serde(with = "quoted_u64")]
    pub gas_used: u64,
    /// Timestamp.
    #[serde(with = "quoted_u64")]
    pub timestamp: u64,
    /// Extra data (at most 32 bytes).
    #[serde(with = "ssz_types::serde_utils::hex_var_list")]
    pub extra_data: VariableList<u8, MaxExtraDataBytes>,
    /// Base fee per gas.
    #[serde(with = "quoted_u256")]
    pub base_fee_per_gas: U256,
    /// Execution block hash.
    pub block_hash: B256,
    /// Transactions root.
    pub transactions_root: B256,
    /// Withdrawals root.
    pub withdrawals_root: B256,
    /// Blob gas used.
    #[serde(with = "quoted_u64")]
    pub blob_gas_used: u64,
    /// Excess blob gas.
    #[serde(with = "quoted_u64")]
    pub excess_blob_gas: u64,
}

impl ExecutionPayloadHeaderDeneb {
    /// The Capella header with the same fields (drops the blob gas fields), as
    /// `get_lc_execution_root` builds for a Deneb-shaped header at a Capella slot.
    pub fn to_capella(&self) -> ExecutionPayloadHeaderCapella {
        ExecutionPayloadHeaderCapella {
            parent_hash: self.parent_hash,
            fee_recipient: self.fee_recipient,
            state_root: self.state_root,
            receipts_root: self.receipts_root,
            logs_bloom: self.logs_bloom,
            prev_randao: self.prev_randao,
            block_number: self.block_number,
            gas_limit: self.gas_limit,
            gas_used: self.gas_used,
            timestamp: self.timestamp,
            extra_data: self.extra_data.clone(),
            base_fee_per_gas: self.base_fee_per_gas,
            block_hash: self.block_hash,
            transactions_root: self.transactions_root,
            withdrawals_root: self.withdrawals_root,
        }
    }
}
