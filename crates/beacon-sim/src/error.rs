//! The simulator's error type.

use alloy_primitives::B256;

/// Everything that can go wrong in the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A configuration value is invalid or unsupported.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The execution block cannot be wrapped (fields out of range for the payload header).
    #[error("execution block {number}: {reason}")]
    ExecutionBlock {
        /// Execution block number.
        number: u64,
        /// What is wrong.
        reason: String,
    },
    /// A block was offered at a slot not after the head.
    #[error("slot {slot} is not after the head slot {head}")]
    SlotNotAfterHead {
        /// Offered slot.
        slot: u64,
        /// Current head slot.
        head: u64,
    },
    /// The execution block does not extend the execution block of the head.
    #[error("execution block {number} has parent {got}, the head wraps {expected}")]
    ExecutionParentMismatch {
        /// Offered execution block number.
        number: u64,
        /// Its parent hash.
        got: B256,
        /// The execution hash of the beacon head.
        expected: B256,
    },
    /// No genesis block has been built yet.
    #[error("the beacon chain has no genesis block yet")]
    NoGenesis,
    /// A BLS operation failed (key generation, signing).
    #[error("BLS: {0}")]
    Bls(String),
    /// Internal invariant (a branch of the wrong length): a bug in the simulator.
    #[error("internal error: {0}")]
    Internal(String),
    /// The execution node (anvil) failed or answered something unusable.
    #[error("execution node: {0}")]
    Rpc(String),
    /// Anvil reorganized a block the beacon chain has finalized.
    #[error(
        "anvil reorg reaches finalized execution block {finalized_number} ({finalized_hash}): \
         anvil now has {anvil_hash} at that height"
    )]
    FinalizedReorg {
        /// Execution number of the finalized block.
        finalized_number: u64,
        /// Hash the simulator finalized.
        finalized_hash: B256,
        /// What anvil has now at that number (zero when the block is gone).
        anvil_hash: B256,
    },
    /// I/O (config file, listener).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}
