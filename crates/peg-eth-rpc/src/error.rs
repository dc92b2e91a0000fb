//! The crate's error type.

use alloy_primitives::{Bytes, B256};
use light_client::execution::ExecutionError;

/// Everything that can go wrong talking to an Ethereum node or signing for it.
#[derive(Debug, thiserror::Error)]
pub enum EthRpcError {
    /// The endpoint URL does not parse.
    #[error("invalid Ethereum RPC URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The HTTP request failed (connection refused, timeout, TLS, …).
    #[error("cannot reach the Ethereum node at {url} ({method}): {reason}")]
    Transport {
        /// The JSON-RPC method.
        method: String,
        /// The endpoint.
        url: String,
        /// The transport error, with its causes.
        reason: String,
    },
    /// The node answered with a non-success HTTP status.
    #[error("Ethereum node answered {method} with HTTP {status}: {body}")]
    HttpStatus {
        /// The JSON-RPC method.
        method: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The node answered with a JSON-RPC error object.
    #[error("{method} failed: JSON-RPC error {code}: {message}{}", data_suffix(.data))]
    Rpc {
        /// The JSON-RPC method.
        method: String,
        /// The error code (`3` = execution reverted, `-32601` = method not found, …).
        code: i64,
        /// The error message.
        message: String,
        /// The error's `data` member (revert data for `eth_call`/`eth_estimateGas`), if any.
        data: Option<serde_json::Value>,
    },
    /// The response did not decode as expected.
    #[error("cannot decode the answer to {method}: {reason}")]
    Decode {
        /// The JSON-RPC method.
        method: String,
        /// What was wrong.
        reason: String,
    },
    /// A block or receipt failed the light client's reader (bad fields, or a hash that does not
    /// match its contents).
    #[error("{context}: {source}")]
    Execution {
        /// What was being read.
        context: String,
        /// The light client's error.
        #[source]
        source: ExecutionError,
    },
    /// Something the caller asked for does not exist (yet).
    #[error("{0} not found")]
    NotFound(String),
    /// A bounded wait ran out.
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        seconds: u64,
    },
    /// A key file is missing or malformed. The key itself is never printed.
    #[error("Ethereum key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// A key is not a valid secp256k1 secret key.
    #[error("invalid Ethereum secret key: {0}")]
    InvalidKey(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The node refused to sign-estimate or to accept a transaction because executing it reverts.
    #[error("transaction would revert: {reason}")]
    WouldRevert {
        /// The node's message.
        reason: String,
        /// The revert data, when the node returned it (ABI-encoded custom error or `Error(string)`).
        data: Option<Bytes>,
    },
    /// A mined transaction failed (`status = 0`).
    #[error("transaction {tx_hash} reverted in block {block_number} (gas used {gas_used})")]
    Reverted {
        /// The transaction hash.
        tx_hash: B256,
        /// The block that included it.
        block_number: u64,
        /// Gas used.
        gas_used: u64,
    },
    /// The chain id the node reports is not the one the caller expected.
    #[error("chain id mismatch: node reports {got}, expected {expected}")]
    ChainIdMismatch {
        /// The node's chain id.
        got: u64,
        /// The expected one.
        expected: u64,
    },
}

fn data_suffix(data: &Option<serde_json::Value>) -> String {
    match data {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => format!(" (data {s})"),
        Some(other) => format!(" (data {other})"),
    }
}

impl EthRpcError {
    /// The revert data carried by a JSON-RPC error (`eth_call`/`eth_estimateGas` on a reverting
    /// call: geth, anvil and reth put the ABI-encoded error in `error.data` as a hex string).
    pub fn revert_data(&self) -> Option<Bytes> {
        match self {
            Self::Rpc { data: Some(serde_json::Value::String(s)), .. } => {
                let hex = s.strip_prefix("0x")?;
                hex::decode(hex).ok().map(Bytes::from)
            }
            Self::WouldRevert { data, .. } => data.clone(),
            _ => None,
        }
    }

    /// Whether this is a JSON-RPC "method not found" (or "not supported") error.
    pub fn is_method_not_found(&self) -> bool {
        match self {
            Self::Rpc { code, message, .. } => {
                *code == -32601
                    || message.contains("not supported")
                    || message.contains("not found")
                    || message.contains("does not exist")
            }
            _ => false,
        }
    }

    /// Whether the error may go away on retry (transport trouble, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::HttpStatus { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}
