//! The one error enum of the state machine (`specs/state-machine.md` §7) and the ABCI codes it
//! maps to.

use peg_store::StoreError;
use peg_tx::{CheckTxCode, TxError, CODESPACE_PEG};

/// `peg` 110: the message names a validator that does not exist.
pub const CODE_UNKNOWN_VALIDATOR: u32 = 110;
/// `peg` 111: the operator already runs a validator, or the consensus key is taken.
pub const CODE_VALIDATOR_EXISTS: u32 = 111;
/// `peg` 112: a staking rule refused the message (denom, self-bond, set size, power).
pub const CODE_STAKING_RULE: u32 = 112;
/// `peg` 113: the Ethereum address is taken, or the validator already registered one.
pub const CODE_ETH_ADDRESS_TAKEN: u32 = 113;
/// `peg` 120: the chain is not initialized yet (no InitChain, or no block committed).
pub const CODE_NOT_INITIALIZED: u32 = 120;
/// `peg` 140: the Ethereum module is not enabled in this chain's genesis.
pub const CODE_ETH_DISABLED: u32 = 140;
/// `peg` 141: the light client refused the update (invalid, or it advances nothing).
pub const CODE_ETH_CLIENT: u32 = 141;
/// `peg` 142: the events' first nonce is not the next expected one (repeat or gap).
pub const CODE_ETH_EVENT_NONCE: u32 = 142;
/// `peg` 143: an event proof is invalid (header chain, receipt proof, failed receipt, log).
pub const CODE_ETH_PROOF: u32 = 143;
/// `peg` 144: the trusted block hash is not in the trusted ring.
pub const CODE_ETH_UNTRUSTED_BLOCK: u32 = 144;
/// `peg` 145: a governance vote refused (not a bonded validator, already voted, bad action).
pub const CODE_ETH_GOVERNANCE: u32 = 145;
/// `peg` 146: `MsgTrustEthAncestor` names an oldest block that is already trusted (a race
/// with another relayer, or a repeat): nothing to add.
pub const CODE_ETH_ALREADY_TRUSTED: u32 = 146;
/// `peg` 147: a bonding change would leave the valset known to be on Ethereum unable to reach
/// its threshold (`specs/bridge-module.md` §4): wait until a newer valset is confirmed.
pub const CODE_VALSET_CONTINUITY: u32 = 147;
/// `peg` 148: the denom has no Ethereum token (not a voucher, not an adopted native denom).
pub const CODE_BRIDGE_UNKNOWN_TOKEN: u32 = 148;
/// `peg` 149: the transfer is not in the outbound pool (unknown, batched or cancelled).
pub const CODE_BRIDGE_NOT_IN_POOL: u32 = 149;
/// `peg` 150: only the sender of a transfer may cancel it.
pub const CODE_BRIDGE_NOT_SENDER: u32 = 150;
/// `peg` 151: `MsgRequestBatch` refused (empty pool, too many pending batches).
pub const CODE_BRIDGE_BATCH: u32 = 151;
/// `peg` 152: `MsgRegisterDenom` refused (unknown, voucher, registered or adopted denom).
pub const CODE_BRIDGE_REGISTER_DENOM: u32 = 152;
/// `peg` 153: the bonded validators do not make a valid valset (never a user's fault).
pub const CODE_BRIDGE_VALSET: u32 = 153;
/// `peg` 199: the node itself failed (store, corrupt state, call order, genesis).
pub const CODE_INTERNAL: u32 = 199;

/// Everything the state machine can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The transaction failed a stateless check or its signature (peg-tx's codes).
    #[error(transparent)]
    Tx(#[from] TxError),

    /// The state store failed (I/O, corruption): never a transaction's fault.
    #[error("state store: {0}")]
    Store(#[from] StoreError),

    /// A stored value that does not decode: the database is damaged.
    #[error("corrupt state value under key {key}: {reason}")]
    CorruptState {
        /// The key, hex.
        key: String,
        /// Why it does not decode.
        reason: &'static str,
    },

    /// The genesis document is invalid.
    #[error("invalid genesis: {0}")]
    Genesis(String),

    /// An ABCI call arrived out of order (e.g. Commit without FinalizeBlock).
    #[error("ABCI call out of order: {0}")]
    OutOfOrder(String),

    /// A call needs the chain to be initialized.
    #[error("chain not initialized: {0}")]
    NotInitialized(&'static str),

    /// The signer has no account.
    #[error("account {address} does not exist")]
    UnknownAccount {
        /// The bech32 address.
        address: String,
    },

    /// The transaction's sequence is not the account's.
    #[error("account sequence mismatch: got {got}, expected {expected}")]
    WrongSequence {
        /// The sequence in the transaction.
        got: u64,
        /// The account's sequence.
        expected: u64,
    },

    /// The fee is below the chain minimum.
    #[error("insufficient fee: got {got}, expected at least {expected}")]
    InsufficientFee {
        /// The fee offered, in the native denom (`123upeg`).
        got: String,
        /// The minimum.
        expected: String,
    },

    /// The account cannot pay.
    #[error("insufficient funds: balance {got}, needs {expected}")]
    InsufficientFunds {
        /// The balance of the denom.
        got: String,
        /// The amount needed.
        expected: String,
    },

    /// The timeout height of the transaction has passed.
    #[error("transaction timed out: block height {got} is past the timeout height {expected}")]
    TimedOut {
        /// The height of the block.
        got: u64,
        /// The transaction's timeout height.
        expected: u64,
    },

    /// The operator has no validator.
    #[error("validator {operator} does not exist")]
    UnknownValidator {
        /// The operator address (`peg1…`).
        operator: String,
    },

    /// The operator already runs a validator, or the consensus key is used by another one.
    #[error("validator already exists: {0}")]
    ValidatorExists(String),

    /// A staking rule refused the message.
    #[error("staking rule: {0}")]
    StakingRule(String),

    /// The Ethereum address is registered by another validator, or this validator has one.
    #[error("ethereum address registration refused: {0}")]
    EthAddressTaken(String),

    /// The declared gas limit is below the message's deterministic cost.
    #[error("out of gas: gas limit {got} is below the required {required}")]
    OutOfGas {
        /// `AuthInfo.fee.gas_limit`.
        got: u64,
        /// `TX_BASE_GAS + Σ msg.gas()`.
        required: u64,
    },

    /// The Ethereum module is disabled (no `app_state.eth` at genesis).
    #[error("the Ethereum module is not enabled on this chain")]
    EthDisabled,

    /// The light client refused the update.
    #[error("light client: {0}")]
    EthClient(String),

    /// The events' first nonce is not the next expected nonce.
    #[error("{0}")]
    EthEventNonce(String),

    /// An event proof is invalid.
    #[error("invalid event proof: {0}")]
    EthProof(String),

    /// The trusted block hash is neither in the trusted ring nor a trusted ancestor.
    #[error("block {hash} is not in the trusted ring nor a trusted ancestor")]
    EthUntrustedBlock {
        /// `0x…`.
        hash: String,
    },

    /// `MsgTrustEthAncestor` would add a block that is already trusted.
    #[error("{0}")]
    EthAlreadyTrusted(String),

    /// A governance vote refused.
    #[error("eth governance: {0}")]
    EthGovernance(String),

    /// The confirmed valset would fall below its threshold (`specs/bridge-module.md` §4).
    #[error(
        "the validators of valset {confirmed}, the one on Ethereum, would keep 2/3 of its power \
         no more: wait until valset {latest} is confirmed on Ethereum"
    )]
    ValsetContinuity {
        /// The confirmed valset's nonce.
        confirmed: u64,
        /// The newest valset's nonce.
        latest: u64,
    },

    /// The denom has no Ethereum token.
    #[error("{denom} has no Ethereum token: it is neither a voucher nor an adopted native denom")]
    BridgeUnknownToken {
        /// The denom.
        denom: String,
    },

    /// The transfer is not in the pool.
    #[error("transfer {id} is not in the outbound pool (unknown, in a batch, or cancelled)")]
    BridgeTransferNotInPool {
        /// The transfer id.
        id: u64,
    },

    /// Someone else's transfer.
    #[error("transfer {id} was sent by {sender}: only its sender may cancel it")]
    BridgeNotSender {
        /// The transfer id.
        id: u64,
        /// Its sender, `peg1…`.
        sender: String,
    },

    /// `MsgRequestBatch` refused.
    #[error("batch refused: {0}")]
    BridgeBatch(String),

    /// `MsgRegisterDenom` refused.
    #[error("denom registration refused: {0}")]
    BridgeRegisterDenom(String),

    /// The bonded validators do not make a valid valset.
    #[error("invalid valset: {0}")]
    BridgeValset(String),

    /// An arithmetic overflow on amounts (never with a sane supply).
    #[error("amount overflow: {0}")]
    Overflow(&'static str),
}

impl AppError {
    /// The ABCI `(code, codespace)` reported for this error.
    pub fn abci_code(&self) -> (u32, &'static str) {
        let sdk = |code: CheckTxCode| (code.code(), code.codespace());
        match self {
            Self::Tx(error) => sdk(error.check_tx_code()),
            Self::UnknownAccount { .. } => sdk(CheckTxCode::UnknownAddress),
            Self::WrongSequence { .. } => sdk(CheckTxCode::WrongSequence),
            Self::InsufficientFee { .. } => sdk(CheckTxCode::InsufficientFee),
            Self::InsufficientFunds { .. } => sdk(CheckTxCode::InsufficientFunds),
            Self::TimedOut { .. } => sdk(CheckTxCode::TxTimeoutHeight),
            Self::UnknownValidator { .. } => (CODE_UNKNOWN_VALIDATOR, CODESPACE_PEG),
            Self::ValidatorExists(_) => (CODE_VALIDATOR_EXISTS, CODESPACE_PEG),
            Self::StakingRule(_) | Self::Overflow(_) => (CODE_STAKING_RULE, CODESPACE_PEG),
            Self::EthAddressTaken(_) => (CODE_ETH_ADDRESS_TAKEN, CODESPACE_PEG),
            Self::NotInitialized(_) => (CODE_NOT_INITIALIZED, CODESPACE_PEG),
            Self::OutOfGas { .. } => sdk(CheckTxCode::OutOfGas),
            Self::EthDisabled => (CODE_ETH_DISABLED, CODESPACE_PEG),
            Self::EthClient(_) => (CODE_ETH_CLIENT, CODESPACE_PEG),
            Self::EthEventNonce(_) => (CODE_ETH_EVENT_NONCE, CODESPACE_PEG),
            Self::EthProof(_) => (CODE_ETH_PROOF, CODESPACE_PEG),
            Self::EthUntrustedBlock { .. } => (CODE_ETH_UNTRUSTED_BLOCK, CODESPACE_PEG),
            Self::EthGovernance(_) => (CODE_ETH_GOVERNANCE, CODESPACE_PEG),
            Self::EthAlreadyTrusted(_) => (CODE_ETH_ALREADY_TRUSTED, CODESPACE_PEG),
            Self::ValsetContinuity { .. } => (CODE_VALSET_CONTINUITY, CODESPACE_PEG),
            Self::BridgeUnknownToken { .. } => (CODE_BRIDGE_UNKNOWN_TOKEN, CODESPACE_PEG),
            Self::BridgeTransferNotInPool { .. } => (CODE_BRIDGE_NOT_IN_POOL, CODESPACE_PEG),
            Self::BridgeNotSender { .. } => (CODE_BRIDGE_NOT_SENDER, CODESPACE_PEG),
            Self::BridgeBatch(_) => (CODE_BRIDGE_BATCH, CODESPACE_PEG),
            Self::BridgeRegisterDenom(_) => (CODE_BRIDGE_REGISTER_DENOM, CODESPACE_PEG),
            Self::BridgeValset(_) => (CODE_BRIDGE_VALSET, CODESPACE_PEG),
            Self::Store(_) | Self::CorruptState { .. } | Self::Genesis(_) | Self::OutOfOrder(_) => {
                (CODE_INTERNAL, CODESPACE_PEG)
            }
        }
    }

    /// `true` for failures of the node itself (store, corruption, call order), which must stop
    /// the node rather than be charged to a transaction.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Self::Store(_) | Self::CorruptState { .. } | Self::OutOfOrder(_) | Self::Genesis(_)
        )
    }
}
