//! Async Ethereum JSON-RPC client and EIP-1559 wallet.
//!
//! Used by `pegd eth lock|burn|deploy-token`, the relayer, the beacon simulator and the end-to-end
//! tests. Two parts:
//!
//! - [`EthRpc`]: a JSON-RPC 2.0 client over HTTP(S) (reqwest, rustls with `ring`). Typed methods for
//!   what the peg zone needs ([`EthRpc::block_by_number`], [`EthRpc::block_receipts`],
//!   [`EthRpc::get_logs`], …) and a generic [`EthRpc::request`] for anything else (`evm_mine`,
//!   `anvil_*`). Blocks and receipts are read with the light client's own JSON readers, so what the
//!   relayer proves is exactly what the peg zone verifies.
//! - [`Wallet`]: a local secp256k1 key that signs and sends EIP-1559 transactions (nonce from the
//!   pending state, fees from the node, gas from `eth_estimateGas` with a margin).
//!
//! Nothing here retries silently: every failure comes back as an [`EthRpcError`] naming the method.

pub mod anvil;
mod client;
mod error;
mod quantity;
mod tx;
mod types;
mod wallet;

pub use client::{EthRpc, DEFAULT_REQUEST_TIMEOUT};
pub use error::EthRpcError;
pub use quantity::{parse_quantity_u256, parse_quantity_u64, quantity};
pub use tx::{Eip1559Tx, SignedTx};
pub use types::{
    AccountProof, Block, BlockId, CallRequest, LogFilter, RpcLog, StorageProof, TxReceipt,
};
pub use wallet::{read_key_file, FeeEstimate, SendOptions, Wallet};

/// Re-exports of the primitive types in this crate's API.
pub use alloy_primitives::{Address, Bytes, B256, U256};
pub use light_client::execution::{ExecutionHeader, Receipt, RpcReceipt};
