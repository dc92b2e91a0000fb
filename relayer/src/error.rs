//! The relayer's error type.

use peg_eth_rpc::EthRpcError;

/// Everything a relayer pass can fail on.
#[derive(Debug, thiserror::Error)]
pub enum RelayerError {
    /// The configuration is missing or wrong.
    #[error("configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// The key file is missing or malformed.
    #[error("key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The Ethereum execution node failed.
    #[error("Ethereum RPC: {0}")]
    Eth(#[from] EthRpcError),
    /// The beacon API failed or answered something unusable.
    #[error("beacon API {url}: {reason}")]
    Beacon {
        /// The request.
        url: String,
        /// What went wrong.
        reason: String,
        /// Whether a retry may help (transport trouble, 5xx).
        transient: bool,
    },
    /// The CometBFT RPC failed.
    #[error("CometBFT RPC {method}: {reason}")]
    Comet {
        /// The method.
        method: String,
        /// What went wrong.
        reason: String,
        /// Whether a retry may help.
        transient: bool,
    },
    /// An ABCI query answered with an error code.
    #[error("peg zone query {path}: code {code}: {log}")]
    Query {
        /// The path.
        path: String,
        /// The code.
        code: u32,
        /// The application's message.
        log: String,
    },
    /// The peg zone refused a transaction (CheckTx or DeliverTx).
    #[error("peg zone refused {msg} ({stage}): code {code} ({codespace}): {log}")]
    TxRefused {
        /// The message kind.
        msg: &'static str,
        /// `check` or `deliver`.
        stage: &'static str,
        /// The code.
        code: u32,
        /// The codespace.
        codespace: String,
        /// The log.
        log: String,
    },
    /// A transaction was not included in time.
    #[error("transaction {hash} not included within {seconds} s")]
    TxTimeout {
        /// The hash, hex.
        hash: String,
        /// The wait.
        seconds: u64,
    },
    /// Something the relayer received contradicts itself or the peg zone (a reorg past a trusted
    /// block, a proof that does not verify locally, an oversized message).
    #[error("{0}")]
    Inconsistent(String),
    /// A transaction is larger than the zone accepts.
    #[error("transaction of {bytes} bytes exceeds max_tx_bytes {max}")]
    TxTooLarge {
        /// Its size.
        bytes: usize,
        /// The bound.
        max: usize,
    },
    /// Building a transaction failed.
    #[error("building the transaction: {0}")]
    Tx(#[from] peg_tx::TxError),
}

impl RelayerError {
    /// Whether retrying the step may help.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Eth(e) => e.is_transient(),
            Self::Beacon { transient, .. } | Self::Comet { transient, .. } => *transient,
            Self::TxTimeout { .. } => true,
            Self::TxRefused { codespace, code, .. } => is_sequence_mismatch(codespace, *code),
            _ => false,
        }
    }

    /// The metrics label of the error.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Config { .. } => "config",
            Self::KeyFile { .. } => "key_file",
            Self::Eth(_) => "eth_rpc",
            Self::Beacon { .. } => "beacon_api",
            Self::Comet { .. } => "cometbft_rpc",
            Self::Query { .. } => "query",
            Self::TxRefused { .. } => "tx_refused",
            Self::TxTimeout { .. } => "tx_timeout",
            Self::Inconsistent(_) => "inconsistent",
            Self::TxTooLarge { .. } => "tx_too_large",
            Self::Tx(_) => "tx_build",
        }
    }
}

/// `sdk` codes 3 (`ErrInvalidSequence`) and 32 (`ErrWrongSequence`): another transaction of the
/// same account got in first; re-read the sequence and sign again.
pub fn is_sequence_mismatch(codespace: &str, code: u32) -> bool {
    codespace == peg_tx::CODESPACE_SDK && (code == 3 || code == 32)
}
