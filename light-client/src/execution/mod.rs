//! Execution-layer proofs: header chains and receipt proofs.
//!
//! The chain of trust, from the light client's finalized execution block hash to one log:
//!
//! 1. [`verify_header_chain`]: RLP headers, newest first, each hashing to its child's parent hash;
//!    only the fields the light client needs are read ([`HeaderFields`]), so later forks' header
//!    fields never break it.
//! 2. [`verify_receipt_proof`]: a Merkle-Patricia proof under the block's receipts root, walked along
//!    the key `rlp(tx_index)`, yielding a [`Receipt`] (types 0–4 and pre-Byzantium).
//! 3. [`Receipt::log`] / [`Receipt::events`]: log extraction.
//! 4. [`verify_storage_slot`] (state proofs, `eth_getProof`): an account under the header's
//!    `state_root` ([`verify_account_proof`]), then a storage slot under its storage root
//!    ([`verify_storage_proof`]); absence is an answer (no account, a zero slot), not an error.
//!
//! [`ExecutionProof::verify`] does 1–2 in one call. For relayers and tools: [`ExecutionHeader`]
//! (full header from JSON-RPC, canonical RLP), [`Receipt::from_json_rpc`],
//! [`compute_receipts_root`] and [`generate_receipt_proof`].
//!
//! Everything here is pure: no I/O, no clock, no panics on any input. See
//! `specs/light-client.md` (Part II).

mod error;
mod header;
mod header_chain;
mod json;
mod proof;
mod receipt;
mod rlp;
mod state;
mod trie;

/// Types of the public API, re-exported so callers (pegd, the relayer, fuzz targets) need not pin
/// `alloy-primitives` themselves.
pub use alloy_primitives::{keccak256, Address, Bloom, Bytes, B256, U256};
pub use error::ExecutionError;
pub use header::{ExecutionHeader, RpcBlockHeader, PRAGUE_HEADER_FIELDS};
pub use header_chain::{
    read_header_fields, verify_header_chain, HeaderFields, FRONTIER_HEADER_FIELDS,
    MAX_HEADER_BYTES, MAX_HEADER_CHAIN_LENGTH,
};
pub use json::{parse_u256 as parse_quantity_u256, parse_u64 as parse_quantity_u64};
pub use proof::{
    compute_receipts_root, generate_receipt_proof, verify_receipt_proof, ExecutionProof,
    VerifiedReceipt,
};
pub use receipt::{Log, Receipt, ReceiptOutcome, RpcReceipt, TxType};
pub use state::{
    account_key, decode_account, storage_key, verify_account_proof, verify_storage_proof,
    verify_storage_slot, Account, StorageSlot, EMPTY_CODE_HASH,
};
pub use trie::{
    ordered_trie_key, ordered_trie_root, verify_proof, verify_proof_or_absence, OrderedTrie,
    EMPTY_TRIE_ROOT, MAX_PROOF_NODES,
};
