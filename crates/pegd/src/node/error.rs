//! The error type of the node commands (`init`, `testnet`, `keys`).

use std::path::PathBuf;

/// Everything that can go wrong while laying out a node home or a key ring.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// A file or directory could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "create directory", …).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A JSON document (genesis, key file, config) could not be parsed or has the wrong shape.
    #[error("{path}: invalid JSON: {reason}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The CometBFT binary could not be started.
    #[error("cannot run {binary} (install it with scripts/install-cometbft, or pass --cometbft): {source}")]
    CometbftSpawn {
        /// The binary that was tried.
        binary: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A CometBFT sub-command exited with a failure status.
    #[error("`{command}` failed with {status}: {stderr}")]
    CometbftFailed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed on stderr.
        stderr: String,
    },
    /// A key expected in CometBFT's `config.toml` is not there (another CometBFT version?).
    #[error("config.toml: key `{key}` not found in section [{section}] (expected CometBFT v0.38 layout)")]
    TomlKeyMissing {
        /// The section ("" for the top level).
        section: String,
        /// The key.
        key: String,
    },
    /// A key appears more than once in one section of CometBFT's `config.toml`.
    #[error("config.toml: key `{key}` appears {got} times in section [{section}], expected 1")]
    TomlKeyDuplicated {
        /// The section ("" for the top level).
        section: String,
        /// The key.
        key: String,
        /// How many times it appears.
        got: usize,
    },
    /// A field of a CometBFT-generated file has an unexpected value.
    #[error("{path}: field `{field}`: got {got}, expected {expected}")]
    UnexpectedField {
        /// The file.
        path: PathBuf,
        /// The JSON field.
        field: &'static str,
        /// What was found.
        got: String,
        /// What was expected.
        expected: String,
    },
    /// A key name is not acceptable as a file name.
    #[error("invalid key name {got:?}: expected 1 to 64 characters of [A-Za-z0-9_-]")]
    InvalidKeyName {
        /// The name given.
        got: String,
    },
    /// A key with this name already exists.
    #[error("key {name:?} already exists at {path}")]
    KeyExists {
        /// The key name.
        name: String,
        /// Its file.
        path: PathBuf,
    },
    /// No key with this name.
    #[error("no key named {name:?} in {dir}")]
    KeyNotFound {
        /// The key name.
        name: String,
        /// The key directory.
        dir: PathBuf,
    },
    /// A key file holds an invalid private key, or one that does not match its recorded address.
    #[error("{path}: {reason}")]
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A command-line argument is out of range or malformed.
    #[error("invalid argument {name}: {reason}")]
    InvalidArgument {
        /// The argument.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The application state could not be opened.
    #[error("application state: {reason}")]
    App {
        /// What went wrong.
        reason: String,
    },
    /// The ABCI server could not bind its address.
    #[error("ABCI server on {address}: {reason}")]
    Abci {
        /// The configured address.
        address: String,
        /// What went wrong.
        reason: String,
    },
    /// A CometBFT RPC call failed.
    #[error(transparent)]
    Rpc(#[from] crate::rpc::RpcError),
    /// A transaction could not be built or signed.
    #[error("transaction: {0}")]
    Tx(#[from] peg_tx::TxError),
    /// The node refused a transaction at CheckTx.
    #[error("transaction {hash} refused by CheckTx: code {code} ({codespace}): {log}")]
    TxRefused {
        /// The transaction hash.
        hash: String,
        /// The code.
        code: u64,
        /// The codespace.
        codespace: String,
        /// The log.
        log: String,
    },
    /// A light-client governance vote could not be built (`pegd tx eth reset-checkpoint|set-fork-schedule`).
    #[error(transparent)]
    EthGovernance(#[from] crate::cmd::eth_gov::EthGovError),
    /// The target directory already holds a node home.
    #[error("{path} already exists: refusing to overwrite a node home")]
    HomeExists {
        /// The existing path.
        path: PathBuf,
    },
}

impl NodeError {
    /// An [`NodeError::Io`] for `path`.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { action, path, source }
    }
}
