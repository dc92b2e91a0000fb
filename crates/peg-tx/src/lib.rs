//! Peg zone transactions: the Cosmos SDK envelope, accounts, messages, signing and stateless
//! verification. The specification is `specs/transactions.md`; section numbers below refer to it.
//!
//! - Wire types ([`proto`]): `TxRaw`, `TxBody`, `AuthInfo`, `SignerInfo`, `ModeInfo`, `Fee`,
//!   `SignDoc`, `Coin`, `Any`, `secp256k1.PubKey` and the messages, field for field as in the
//!   Cosmos SDK protos (§3), so standard `SIGN_MODE_DIRECT` signers (CosmJS, the Go SDK) produce
//!   bytes this crate accepts, and the other way round.
//! - Addresses (§2): [`AccAddress`] (`peg1…`, `ripemd160(sha256(pubkey))`) and
//!   [`ValoperAddress`] (`pegvaloper1…`), strict bech32.
//! - Messages (§6): [`Msg`] — bank send, create validator, bond, unbond, register an Ethereum
//!   address with a proof of possession ([`eth_pop_digest`], [`sign_eth_pop`],
//!   [`verify_eth_pop`]); the reserved prefix [`RESERVED_TYPE_URL_PREFIX`]; the Ethereum
//!   light-client messages [`MsgUpdateEthClient`], [`MsgSubmitEthEvents`],
//!   [`MsgTrustEthAncestor`], [`MsgProveEthState`], [`MsgEthGovernance`]
//!   (`specs/eth-module.md`) and the gas schedule ([`Msg::gas`], [`required_gas`]); the
//!   outbound bridge messages [`MsgSendToEthereum`], [`MsgCancelSendToEthereum`],
//!   [`MsgRequestBatch`], [`MsgRegisterDenom`] (`specs/bridge-module.md`).
//! - Verification (§5, §7): [`decode_tx`] (stateless) then [`DecodedTx::verify`] (with the
//!   chain id and the account number) → [`VerifiedTx`]; building: [`TxBuilder`].
//! - Errors: [`TxError`], each mapped to a stable [`CheckTxCode`] (§9).
//!
//! Pure: no I/O, no clock.

mod address;
mod bridge_msgs;
mod coin;
mod error;
mod eth_msgs;
mod keys;
mod msgs;
mod pop;
pub mod proto;
mod tx;
mod wire;

pub use address::{AccAddress, AddressKind, ValoperAddress, ACCOUNT_HRP, ADDRESS_LEN, VALOPER_HRP};
pub use bridge_msgs::{
    raw as bridge_raw, MsgCancelSendToEthereum, MsgRegisterDenom, MsgRequestBatch,
    MsgSendToEthereum, CANCEL_SEND_TO_ETHEREUM_GAS, MAX_TOKEN_DECIMALS, MAX_TOKEN_NAME_LEN,
    MAX_TOKEN_SYMBOL_LEN, MSG_CANCEL_SEND_TO_ETHEREUM_TYPE_URL, MSG_REGISTER_DENOM_TYPE_URL,
    MSG_REQUEST_BATCH_TYPE_URL, MSG_SEND_TO_ETHEREUM_TYPE_URL, REGISTER_DENOM_GAS,
    REQUEST_BATCH_GAS, SEND_TO_ETHEREUM_GAS,
};
pub use coin::{validate_denom, Coin, Coins};
pub use error::{CheckTxCode, TxError, CODESPACE_PEG, CODESPACE_SDK};
pub use eth_msgs::{
    ancestor_gas, events_gas, governance_gas, state_gas, update_gas, EthGovernanceAction,
    EthUpdateKind, EventReceipt, ForkEpoch, MsgEthGovernance, MsgProveEthState, MsgSubmitEthEvents,
    MsgTrustEthAncestor, MsgUpdateEthClient, ALL_FORKS, ETH_ANCESTOR_BASE_GAS, ETH_EVENTS_BASE_GAS,
    ETH_EVENT_GAS, ETH_GOVERNANCE_BASE_GAS, ETH_HEADER_GAS, ETH_PROOF_BYTE_GAS, ETH_PROOF_NODE_GAS,
    ETH_RECEIPT_GAS, ETH_STATE_BASE_GAS, ETH_STATE_BYTE_GAS, ETH_UPDATE_BASE_GAS,
    ETH_UPDATE_BYTE_GAS, LIGHT_CLIENT_FORKS, MAX_ANCESTOR_HEADERS, MAX_ETH_UPDATE_BYTES,
    MAX_EVENTS_PER_MSG, MAX_EVENT_HEADERS, MAX_EVENT_HEADER_BYTES, MAX_EVENT_RECEIPTS,
    MAX_FORK_ENTRIES, MAX_PROOF_NODES, MAX_PROOF_NODE_BYTES, MAX_STATE_PROOF_NODE_BYTES,
    MIN_ANCESTOR_HEADERS, MSG_ETH_GOVERNANCE_TYPE_URL, MSG_PROVE_ETH_STATE_TYPE_URL,
    MSG_SUBMIT_ETH_EVENTS_TYPE_URL, MSG_TRUST_ETH_ANCESTOR_TYPE_URL,
    MSG_UPDATE_ETH_CLIENT_TYPE_URL, REGISTER_ETH_ADDRESS_GAS, SEND_BASE_GAS, SEND_COIN_GAS,
    STAKING_GAS, TX_BASE_GAS,
};
pub use keys::{
    sign_bytes, AccountSignature, PublicKey, PUBKEY_LEN, SECP256K1_PUBKEY_TYPE_URL, SIGNATURE_LEN,
};
pub use msgs::{
    is_reserved_type_url, required_gas, Msg, MsgBondUnbond, MsgCreateValidator,
    MsgRegisterEthAddress, MsgSend, ED25519_PUBKEY_LEN, ETH_SIGNATURE_LEN, MAX_MONIKER_LEN,
    MSG_BOND_TYPE_URL, MSG_CREATE_VALIDATOR_TYPE_URL, MSG_REGISTER_ETH_ADDRESS_TYPE_URL,
    MSG_SEND_TYPE_URL, MSG_UNBOND_TYPE_URL, RESERVED_TYPE_URL_PREFIX,
};
pub use pop::{eth_pop_digest, eth_pop_message, sign_eth_pop, verify_eth_pop, ETH_POP_DOMAIN};
pub use tx::{
    decode_tx, sign_doc_bytes, tx_hash, DecodedTx, Fee, SignedTx, TxBuilder, TxLimits, VerifiedTx,
    DEFAULT_MAX_MEMO_BYTES, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_TX_BYTES, MAX_GAS_WANTED,
};

/// Re-exported so that users name the same key types as this crate.
pub use k256::ecdsa::SigningKey;
/// Re-exported: the Ethereum address type of `MsgRegisterEthAddress`.
pub use peg_types::EthAddress;
