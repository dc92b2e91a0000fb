//! Protobuf wire types, declared by hand with `prost` derive (no `protoc`, no build script).
//!
//! Field numbers and types are exactly those of the upstream `.proto` files
//! (`specs/transactions.md` §3, §6):
//!
//! - `cosmos/tx/v1beta1/tx.proto` (cosmos-sdk v0.50): `TxRaw`, `TxBody`, `AuthInfo`,
//!   `SignerInfo`, `ModeInfo`, `Fee`, `SignDoc`;
//! - `cosmos/base/v1beta1/coin.proto`: `Coin`; `google/protobuf/any.proto`: `Any`;
//! - `cosmos/crypto/secp256k1/keys.proto`: `PubKey`;
//! - `cosmos/bank/v1beta1/tx.proto`: `MsgSend`;
//! - this chain's own `peg.staking.v1` and `peg.eth.v1` messages.
//!
//! These types accept anything prost accepts; the strict rules (unknown fields, duplicates,
//! canonical `TxRaw`: `specs/transactions.md` §4) are enforced by [`crate::decode_tx`], which
//! walks the wire format before prost sees the bytes.
//!
//! Deviation: `TxBody` fields 4 (`unordered`) and 5 (`timeout_timestamp`) of cosmos-sdk v0.53
//! and `AuthInfo.tip` (3, deprecated) are not declared, so a transaction using them is refused as
//! carrying an unknown field.

/// `google.protobuf.Any`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Any {
    /// Field 1: `/<full protobuf message name>`.
    #[prost(string, tag = "1")]
    pub type_url: String,
    /// Field 2: the encoded message.
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `cosmos.base.v1beta1.Coin`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Coin {
    /// Field 1.
    #[prost(string, tag = "1")]
    pub denom: String,
    /// Field 2: a decimal integer (`cosmossdk.io/math.Int` as a string).
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// `cosmos.tx.v1beta1.TxRaw`: what CometBFT carries as a transaction.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct TxRaw {
    /// Field 1: the encoded [`TxBody`], exactly as signed.
    #[prost(bytes = "vec", tag = "1")]
    pub body_bytes: Vec<u8>,
    /// Field 2: the encoded [`AuthInfo`], exactly as signed.
    #[prost(bytes = "vec", tag = "2")]
    pub auth_info_bytes: Vec<u8>,
    /// Field 3: one signature per `SignerInfo`, in order.
    #[prost(bytes = "vec", repeated, tag = "3")]
    pub signatures: Vec<Vec<u8>>,
}

/// `cosmos.tx.v1beta1.TxBody`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct TxBody {
    /// Field 1.
    #[prost(message, repeated, tag = "1")]
    pub messages: Vec<Any>,
    /// Field 2.
    #[prost(string, tag = "2")]
    pub memo: String,
    /// Field 3: the block height after which the transaction is invalid (0: none).
    #[prost(uint64, tag = "3")]
    pub timeout_height: u64,
    /// Field 1023.
    #[prost(message, repeated, tag = "1023")]
    pub extension_options: Vec<Any>,
    /// Field 2047.
    #[prost(message, repeated, tag = "2047")]
    pub non_critical_extension_options: Vec<Any>,
}

/// `cosmos.tx.v1beta1.AuthInfo`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct AuthInfo {
    /// Field 1.
    #[prost(message, repeated, tag = "1")]
    pub signer_infos: Vec<SignerInfo>,
    /// Field 2.
    #[prost(message, optional, tag = "2")]
    pub fee: Option<Fee>,
}

/// `cosmos.tx.v1beta1.SignerInfo`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SignerInfo {
    /// Field 1: an `Any` holding a [`Secp256k1PubKey`].
    #[prost(message, optional, tag = "1")]
    pub public_key: Option<Any>,
    /// Field 2.
    #[prost(message, optional, tag = "2")]
    pub mode_info: Option<ModeInfo>,
    /// Field 3: the account's sequence this transaction uses.
    #[prost(uint64, tag = "3")]
    pub sequence: u64,
}

/// `cosmos.tx.v1beta1.ModeInfo`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ModeInfo {
    /// `oneof sum { Single single = 1; Multi multi = 2; }`
    #[prost(oneof = "mode_info::Sum", tags = "1, 2")]
    pub sum: Option<mode_info::Sum>,
}

/// Nested types of [`ModeInfo`].
pub mod mode_info {
    /// The `sum` oneof.
    #[derive(Clone, PartialEq, Eq, ::prost::Oneof)]
    pub enum Sum {
        /// Field 1.
        #[prost(message, tag = "1")]
        Single(Single),
        /// Field 2: multisig, refused; its content is not inspected.
        #[prost(message, tag = "2")]
        Multi(Multi),
    }

    /// `ModeInfo.Single`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Single {
        /// Field 1: a `cosmos.tx.signing.v1beta1.SignMode`.
        #[prost(int32, tag = "1")]
        pub mode: i32,
    }

    /// `ModeInfo.Multi`, declared empty: any multisig transaction is refused.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Multi {}
}

/// `cosmos.tx.signing.v1beta1.SignMode.SIGN_MODE_DIRECT`.
pub const SIGN_MODE_DIRECT: i32 = 1;

/// `cosmos.tx.v1beta1.Fee`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Fee {
    /// Field 1.
    #[prost(message, repeated, tag = "1")]
    pub amount: Vec<Coin>,
    /// Field 2.
    #[prost(uint64, tag = "2")]
    pub gas_limit: u64,
    /// Field 3: must be empty (no third-party payer).
    #[prost(string, tag = "3")]
    pub payer: String,
    /// Field 4: must be empty (no fee grants).
    #[prost(string, tag = "4")]
    pub granter: String,
}

/// `cosmos.tx.v1beta1.SignDoc`: the bytes a `SIGN_MODE_DIRECT` signer signs (their SHA-256).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SignDoc {
    /// Field 1: `TxRaw.body_bytes`.
    #[prost(bytes = "vec", tag = "1")]
    pub body_bytes: Vec<u8>,
    /// Field 2: `TxRaw.auth_info_bytes`.
    #[prost(bytes = "vec", tag = "2")]
    pub auth_info_bytes: Vec<u8>,
    /// Field 3.
    #[prost(string, tag = "3")]
    pub chain_id: String,
    /// Field 4.
    #[prost(uint64, tag = "4")]
    pub account_number: u64,
}

/// `cosmos.crypto.secp256k1.PubKey`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Secp256k1PubKey {
    /// Field 1: the 33-byte compressed SEC1 point.
    #[prost(bytes = "vec", tag = "1")]
    pub key: Vec<u8>,
}

/// `cosmos.bank.v1beta1.MsgSend`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgSend {
    /// Field 1: `peg1…`, the signer.
    #[prost(string, tag = "1")]
    pub from_address: String,
    /// Field 2: `peg1…`.
    #[prost(string, tag = "2")]
    pub to_address: String,
    /// Field 3.
    #[prost(message, repeated, tag = "3")]
    pub amount: Vec<Coin>,
}

/// `peg.staking.v1.MsgCreateValidator`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgCreateValidator {
    /// Field 1: `peg1…`, the operator account and signer.
    #[prost(string, tag = "1")]
    pub operator_address: String,
    /// Field 2: the CometBFT ed25519 consensus public key, 32 bytes.
    #[prost(bytes = "vec", tag = "2")]
    pub consensus_pubkey: Vec<u8>,
    /// Field 3: the initial self-bond.
    #[prost(message, optional, tag = "3")]
    pub self_bond: Option<Coin>,
    /// Field 4: a display name.
    #[prost(string, tag = "4")]
    pub moniker: String,
}

/// `peg.staking.v1.MsgBond` and `peg.staking.v1.MsgUnbond` (same layout).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgBondUnbond {
    /// Field 1: `peg1…`, the operator account and signer.
    #[prost(string, tag = "1")]
    pub operator_address: String,
    /// Field 2.
    #[prost(message, optional, tag = "2")]
    pub amount: Option<Coin>,
}

/// `peg.eth.v1.MsgRegisterEthAddress`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgRegisterEthAddress {
    /// Field 1: `peg1…`, the validator operator and signer.
    #[prost(string, tag = "1")]
    pub operator_address: String,
    /// Field 2: the 20-byte Ethereum address.
    #[prost(bytes = "vec", tag = "2")]
    pub eth_address: Vec<u8>,
    /// Field 3: the 65-byte `r ‖ s ‖ v` proof of possession (`specs/transactions.md` §6.5).
    #[prost(bytes = "vec", tag = "3")]
    pub signature: Vec<u8>,
}

/// `peg.eth.v1.MsgUpdateEthClient`: a light-client update for the peg zone's Ethereum light
/// client (`specs/eth-module.md` §2.1).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgUpdateEthClient {
    /// Field 1: `peg1…`, any account (permissionless).
    #[prost(string, tag = "1")]
    pub signer: String,
    /// Field 2: the fork of the container in `update` (`"altair"` … `"gloas"`).
    #[prost(string, tag = "2")]
    pub fork: String,
    /// Field 3: 0 = `LightClientUpdate`, 1 = `LightClientFinalityUpdate`.
    #[prost(uint32, tag = "3")]
    pub kind: u32,
    /// Field 4: the SSZ encoding of that fork's container.
    #[prost(bytes = "vec", tag = "4")]
    pub update: Vec<u8>,
}

/// `peg.eth.v1.MsgSubmitEthEvents.EventReceipt`: one receipt proof and the bridge logs in it.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct EventReceipt {
    /// Field 1: index into `MsgSubmitEthEvents.headers` of the block holding the receipt.
    #[prost(uint32, tag = "1")]
    pub header_index: u32,
    /// Field 2: the transaction's index in its block (trie key `rlp(tx_index)`).
    #[prost(uint32, tag = "2")]
    pub tx_index: u32,
    /// Field 3: Merkle-Patricia proof nodes, root first.
    #[prost(bytes = "vec", repeated, tag = "3")]
    pub proof: Vec<Vec<u8>>,
    /// Field 4 (packed): indices of the receipt's logs that are bridge events, increasing.
    #[prost(uint32, repeated, packed = "true", tag = "4")]
    pub log_indices: Vec<u32>,
}

/// `peg.eth.v1.MsgSubmitEthEvents`: bridge events proven against a trusted execution block.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgSubmitEthEvents {
    /// Field 1: `peg1…`, any account (permissionless).
    #[prost(string, tag = "1")]
    pub signer: String,
    /// Field 2: the event nonce of the first event (checked first, cheaply).
    #[prost(uint64, tag = "2")]
    pub first_event_nonce: u64,
    /// Field 3: a block hash of the peg zone's trusted ring, 32 bytes.
    #[prost(bytes = "vec", tag = "3")]
    pub trusted_block_hash: Vec<u8>,
    /// Field 4: RLP execution headers, newest first; `keccak(headers[0]) == trusted_block_hash`.
    #[prost(bytes = "vec", repeated, tag = "4")]
    pub headers: Vec<Vec<u8>>,
    /// Field 5: receipt proofs, in event-nonce order.
    #[prost(message, repeated, tag = "5")]
    pub receipts: Vec<EventReceipt>,
}

/// `peg.eth.v1.MsgProveEthState`: the bridge contract's storage slot 0 (its event nonce) at a
/// trusted execution block, proven by `eth_getProof` nodes under the header's state root.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgProveEthState {
    /// Field 1: `peg1…`, any account (permissionless).
    #[prost(string, tag = "1")]
    pub sender: String,
    /// Field 2: a trusted block hash (ring or ancestor entry), 32 bytes.
    #[prost(bytes = "vec", tag = "2")]
    pub trusted_block_hash: Vec<u8>,
    /// Field 3: the RLP header of that block; `keccak(header_rlp) == trusted_block_hash`.
    #[prost(bytes = "vec", tag = "3")]
    pub header_rlp: Vec<u8>,
    /// Field 4: state-trie nodes of the bridge account, root first (`accountProof`).
    #[prost(bytes = "vec", repeated, tag = "4")]
    pub account_proof: Vec<Vec<u8>>,
    /// Field 5: storage-trie nodes of slot 0, root first (`storageProof[0].proof`).
    #[prost(bytes = "vec", repeated, tag = "5")]
    pub storage_proof: Vec<Vec<u8>>,
}

/// `peg.eth.v1.MsgTrustEthAncestor`: extends trust from a trusted execution block down to one
/// of its ancestors, so that events far below the oldest trusted block stay provable.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgTrustEthAncestor {
    /// Field 1: `peg1…`, any account (permissionless).
    #[prost(string, tag = "1")]
    pub signer: String,
    /// Field 2: a trusted block hash (ring or ancestor entry), 32 bytes.
    #[prost(bytes = "vec", tag = "2")]
    pub trusted_block_hash: Vec<u8>,
    /// Field 3: RLP execution headers, newest first; `keccak(headers[0]) == trusted_block_hash`;
    /// the last (oldest) becomes a trusted ancestor.
    #[prost(bytes = "vec", repeated, tag = "3")]
    pub headers: Vec<Vec<u8>>,
}

/// `peg.eth.v1.ForkEpoch`: one fork of a fork schedule.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ForkEpoch {
    /// Field 1: fork name (`"phase0"` … `"gloas"`).
    #[prost(string, tag = "1")]
    pub name: String,
    /// Field 2: the 4-byte fork version.
    #[prost(bytes = "vec", tag = "2")]
    pub version: Vec<u8>,
    /// Field 3: activation epoch (`2^64 - 1`: not scheduled).
    #[prost(uint64, tag = "3")]
    pub epoch: u64,
}

/// `peg.eth.v1.ResetCheckpoint`: re-initialize the light client from a new trusted checkpoint.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ResetCheckpoint {
    /// Field 1: the fork of the bootstrap container.
    #[prost(string, tag = "1")]
    pub fork: String,
    /// Field 2: SSZ `LightClientBootstrap` of that fork.
    #[prost(bytes = "vec", tag = "2")]
    pub bootstrap_ssz: Vec<u8>,
    /// Field 3: `hash_tree_root` of the bootstrap's beacon header, 32 bytes.
    #[prost(bytes = "vec", tag = "3")]
    pub trusted_block_root: Vec<u8>,
}

/// `peg.eth.v1.SetForkSchedule`: replace forks of the stored network configuration.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct SetForkSchedule {
    /// Field 1.
    #[prost(message, repeated, tag = "1")]
    pub forks: Vec<ForkEpoch>,
}

/// `peg.eth.v1.EthGovernanceAction`: `oneof action { ResetCheckpoint reset_checkpoint = 1;
/// SetForkSchedule set_fork_schedule = 2; }`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct EthGovernanceAction {
    /// The oneof.
    #[prost(oneof = "eth_governance_action::Action", tags = "1, 2")]
    pub action: Option<eth_governance_action::Action>,
}

/// The oneof of [`EthGovernanceAction`].
pub mod eth_governance_action {
    /// `oneof action`.
    #[derive(Clone, PartialEq, Eq, ::prost::Oneof)]
    pub enum Action {
        /// Field 1.
        #[prost(message, tag = "1")]
        ResetCheckpoint(super::ResetCheckpoint),
        /// Field 2.
        #[prost(message, tag = "2")]
        SetForkSchedule(super::SetForkSchedule),
    }
}

/// `peg.eth.v1.MsgEthGovernance`: a bonded validator's vote for an Ethereum light-client
/// governance action (applied at more than 2/3 of the bonded power).
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct MsgEthGovernance {
    /// Field 1: `peg1…`, the validator operator and signer.
    #[prost(string, tag = "1")]
    pub operator: String,
    /// Field 2: the action voted for.
    #[prost(message, optional, tag = "2")]
    pub action: Option<EthGovernanceAction>,
}
