//! # peg-app: the deterministic ABCI 2.0 state machine of the peg zone
//!
//! Specification: `specs/state-machine.md`. [`App`] has one method per ABCI call, taking and
//! returning the `tendermint_proto::v0_38::abci` types, so the node binary plugs it into a
//! `tendermint-abci` 0.41 server. State lives in peg-store (a Jellyfish Merkle Tree over redb:
//! the app hash is its root); transactions are peg-tx's Cosmos SDK envelope.
//!
//! Pure: no network, no wall clock (time is block time). I/O only through the store.

mod app;
pub mod bridge;
mod error;
pub mod eth;
mod exec;
mod genesis;
pub mod state;
mod vote_ext;

pub use app::{
    AccountView, App, AppConfig, BalancesView, CoinView, EthView, ValidatorView, ABCI_APP_VERSION,
    CODE_BAD_QUERY, CODE_NOT_FOUND, PROOF_OP_TYPE,
};
pub use error::{
    AppError, CODE_BRIDGE_BATCH, CODE_BRIDGE_NOT_IN_POOL, CODE_BRIDGE_NOT_SENDER,
    CODE_BRIDGE_REGISTER_DENOM, CODE_BRIDGE_UNKNOWN_TOKEN, CODE_BRIDGE_VALSET,
    CODE_ETH_ADDRESS_TAKEN, CODE_ETH_ALREADY_TRUSTED, CODE_ETH_CLIENT, CODE_ETH_DISABLED,
    CODE_ETH_EVENT_NONCE, CODE_ETH_GOVERNANCE, CODE_ETH_PROOF, CODE_ETH_UNTRUSTED_BLOCK,
    CODE_INTERNAL, CODE_NOT_INITIALIZED, CODE_STAKING_RULE, CODE_UNKNOWN_VALIDATOR,
    CODE_VALIDATOR_EXISTS, CODE_VALSET_CONTINUITY,
};
pub use exec::{tx_limits, MAX_TOTAL_VOTING_POWER};
pub use genesis::{
    CheckedGenesis, CheckedValidator, Genesis, GenesisAccount, GenesisCoin, GenesisParams,
    GenesisValidator, Params,
};
/// Re-exported: the ABCI protobuf types the methods take.
pub use tendermint_proto;
pub use vote_ext::{
    ExtensionSignature, InjectedSignature, InjectedSignatures, InjectedTxError, SignatureRefusal,
    VoteExtension, VoteExtensionError, CODE_BAD_INJECTED_TX, INJECTED_TX_MAGIC,
    MAX_INJECTED_SIGNATURES, MAX_SIGNATURES_PER_EXTENSION, MAX_VOTE_EXTENSION_LEN,
    VOTE_EXTENSION_VERSION, VOTE_EXTENSION_VERSION_EMPTY,
};
