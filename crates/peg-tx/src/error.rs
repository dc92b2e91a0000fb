//! The one error type of `peg-tx`, and the CheckTx codes it maps to (`specs/transactions.md` §9).
//!
//! Every variant is one rejected check. Mismatches carry `{ got, expected }` (or `{ got, max }`)
//! so that a CheckTx log line is enough to see what the sender did wrong.

use crate::address::AddressKind;

/// Everything `peg-tx` refuses, one variant per check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    // ----- size and limits (§7) -----
    /// The raw transaction is longer than the node accepts.
    #[error("transaction is {got} bytes, at most {max} allowed")]
    TxTooLarge {
        /// Length of the raw transaction.
        got: usize,
        /// The configured maximum.
        max: usize,
    },

    /// More messages than a transaction may carry.
    #[error("transaction has {got} messages, at most {max} allowed")]
    TooManyMessages {
        /// Number of messages.
        got: usize,
        /// The configured maximum.
        max: usize,
    },

    /// A transaction without any message.
    #[error("transaction has no message")]
    NoMessages,

    /// A memo longer than allowed.
    #[error("memo is {got} bytes, at most {max} allowed")]
    MemoTooLarge {
        /// Length of the memo in bytes.
        got: usize,
        /// The configured maximum.
        max: usize,
    },

    /// A gas limit above the Cosmos SDK's `MaxGasWanted` (`2^63 - 1`).
    #[error("gas limit {got} exceeds the maximum {max}")]
    GasLimitTooLarge {
        /// The gas limit asked for.
        got: u64,
        /// `2^63 - 1`.
        max: u64,
    },

    // ----- protobuf wire format (§3, §4) -----
    /// Bytes that are not a valid protobuf encoding of the expected message.
    #[error("cannot decode {message}: {reason}")]
    Decode {
        /// The protobuf message being decoded (`cosmos.tx.v1beta1.TxRaw`, …).
        message: &'static str,
        /// What the decoder reported.
        reason: String,
    },

    /// A field number the message does not declare (the Cosmos SDK's `unknownproto` rejection,
    /// applied to every message, critical or not).
    #[error("unknown field {field} (wire type {wire_type}) in {message}")]
    UnknownField {
        /// The protobuf message.
        message: &'static str,
        /// The unknown field number.
        field: u32,
        /// Its wire type.
        wire_type: u8,
    },

    /// A known field encoded with a wire type other than its declared one.
    #[error("field {field} of {message} has wire type {got}, expected {expected}")]
    WrongWireType {
        /// The protobuf message.
        message: &'static str,
        /// The field number.
        field: u32,
        /// Wire type found.
        got: u8,
        /// Wire type declared.
        expected: u8,
    },

    /// A non-repeated field that occurs more than once (ambiguous: parsers differ on which wins).
    #[error("field {field} of {message} occurs more than once")]
    DuplicateField {
        /// The protobuf message.
        message: &'static str,
        /// The repeated singular field.
        field: u32,
    },

    /// Sub-messages nested deeper than the schema allows.
    #[error("{message} is nested more than {max} levels deep")]
    NestingTooDeep {
        /// The protobuf message.
        message: &'static str,
        /// The maximum depth.
        max: usize,
    },

    /// `TxRaw` bytes that are not the canonical encoding of their content (fields out of order,
    /// empty fields present, …): the same signed transaction must have one hash.
    #[error("TxRaw is not canonically encoded")]
    NonCanonicalTxRaw,

    /// A required field is absent.
    #[error("missing field {field} in {message}")]
    MissingField {
        /// The protobuf message.
        message: &'static str,
        /// The field's name.
        field: &'static str,
    },

    /// Extension options: none is supported (critical or not).
    #[error("{count} {kind} extension option(s) present; this chain supports none")]
    ExtensionOptionsUnsupported {
        /// `"critical"` or `"non-critical"`.
        kind: &'static str,
        /// How many were present.
        count: usize,
    },

    /// A fee payer or fee granter: fee grants are not supported.
    #[error("fee {field} is set ({value:?}); fee grants and third-party payers are not supported")]
    FeePayerUnsupported {
        /// `"payer"` or `"granter"`.
        field: &'static str,
        /// The address given.
        value: String,
    },

    // ----- signers and signatures (§5) -----
    /// Not exactly one `SignerInfo` (the one-signer rule).
    #[error("transaction has {got} signer infos, expected {expected}")]
    SignerInfoCount {
        /// Number of `SignerInfo`s.
        got: usize,
        /// Always 1.
        expected: usize,
    },

    /// Not exactly one signature.
    #[error("transaction has {got} signatures, expected {expected}")]
    SignatureCount {
        /// Number of signatures.
        got: usize,
        /// Always 1.
        expected: usize,
    },

    /// A sign mode other than `SIGN_MODE_DIRECT`, or a multisig `ModeInfo`.
    #[error("unsupported sign mode {got}, expected SIGN_MODE_DIRECT ({expected})")]
    UnsupportedSignMode {
        /// The sign mode (`-1` for `ModeInfo.multi`).
        got: i32,
        /// `SIGN_MODE_DIRECT = 1`.
        expected: i32,
    },

    /// A public key of a type other than `/cosmos.crypto.secp256k1.PubKey`.
    #[error("unsupported public key type {got:?}, expected {expected:?}")]
    UnsupportedPubKeyType {
        /// The `Any` type URL found.
        got: String,
        /// `/cosmos.crypto.secp256k1.PubKey`.
        expected: &'static str,
    },

    /// A secp256k1 public key that is not 33 compressed bytes of a curve point.
    #[error("invalid secp256k1 public key ({len} bytes): {reason}")]
    InvalidPubKey {
        /// Length of the key bytes.
        len: usize,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A signature that is not 64 bytes `r ‖ s`.
    #[error("signature is {got} bytes, expected {expected}")]
    SignatureLength {
        /// Length found.
        got: usize,
        /// 64.
        expected: usize,
    },

    /// A signature with `r` or `s` zero or not below the group order.
    #[error("signature scalars are out of range")]
    SignatureOutOfRange,

    /// A signature with `s > n/2` (malleable; the Cosmos SDK refuses it too).
    #[error("signature s is in the upper half of the group order (high-s)")]
    SignatureHighS,

    /// The signature does not verify over the SignDoc (wrong key, chain id, account number,
    /// or altered bytes).
    #[error("signature verification failed for {signer} (chain id {chain_id:?}, account number {account_number})")]
    SignatureInvalid {
        /// The signer's address.
        signer: String,
        /// The chain id the SignDoc was rebuilt with.
        chain_id: String,
        /// The account number the SignDoc was rebuilt with.
        account_number: u64,
    },

    /// A message whose signer is not the transaction's signer.
    #[error("message {index} must be signed by {got}, but the transaction's signer is {expected}")]
    SignerMismatch {
        /// Index of the message in the body.
        index: usize,
        /// The message's signer.
        got: String,
        /// The address of the transaction's public key.
        expected: String,
    },

    // ----- messages (§6) -----
    /// A message under the reserved type-URL prefix, which only the block proposer may use.
    #[error("message {index} uses the reserved type URL {type_url:?} (prefix {prefix:?})")]
    ReservedTypeUrl {
        /// Index of the message in the body.
        index: usize,
        /// The type URL.
        type_url: String,
        /// The reserved prefix.
        prefix: &'static str,
    },

    /// A message type this chain does not know.
    #[error("message {index} has unknown type URL {type_url:?}")]
    UnknownMessageType {
        /// Index of the message in the body.
        index: usize,
        /// The type URL.
        type_url: String,
    },

    /// A message that fails its stateless checks.
    #[error("invalid {msg}: {reason}")]
    InvalidMessage {
        /// The message type URL.
        msg: &'static str,
        /// What is wrong.
        reason: String,
    },

    // ----- addresses (§2) -----
    /// A bech32 string that mixes upper and lower case.
    #[error("address {input:?} mixes upper and lower case")]
    AddressMixedCase {
        /// The rejected input.
        input: String,
    },

    /// A string that is not bech32 at all (no separator, bad character, too short, …).
    #[error("address {input:?} is not bech32: {reason}")]
    AddressMalformed {
        /// The rejected input.
        input: String,
        /// The parser's reason.
        reason: String,
    },

    /// A bech32 string whose checksum does not verify (including bech32m strings).
    #[error("address {input:?} has an invalid bech32 checksum")]
    AddressChecksum {
        /// The rejected input.
        input: String,
    },

    /// A bech32 string with another human-readable part.
    #[error("address {input:?} has prefix {got:?}, expected {expected:?}")]
    AddressWrongHrp {
        /// The rejected input.
        input: String,
        /// The HRP found.
        got: String,
        /// The HRP expected for this kind of address.
        expected: String,
    },

    /// A bech32 string whose payload is not 20 bytes.
    #[error(
        "{kind} address {input:?} has a {got}-bit payload, expected {expected} bits (20 bytes)"
    )]
    AddressLength {
        /// Which kind of address was parsed.
        kind: AddressKind,
        /// The rejected input.
        input: String,
        /// Payload length in bits.
        got: usize,
        /// 160.
        expected: usize,
    },

    // ----- coins (§6.1) -----
    /// A denom outside `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
    #[error("invalid denom {denom:?}: {reason}")]
    InvalidDenom {
        /// The rejected denom.
        denom: String,
        /// Why.
        reason: &'static str,
    },

    /// An amount that is not a canonical decimal integer fitting in 128 bits.
    #[error("invalid amount {amount:?} for denom {denom:?}: {reason}")]
    InvalidAmount {
        /// The denom.
        denom: String,
        /// The rejected amount string.
        amount: String,
        /// Why.
        reason: &'static str,
    },

    /// Coins that are not sorted by denom, duplicated, or zero.
    #[error("invalid coins: {reason}")]
    InvalidCoins {
        /// Why.
        reason: String,
    },

    // ----- Ethereum key proof of possession (§6.5) -----
    /// The proof of possession does not recover to the claimed Ethereum address.
    #[error("proof of possession recovers to {got}, expected {expected}")]
    PopSignerMismatch {
        /// The recovered address.
        got: String,
        /// The claimed address.
        expected: String,
    },

    /// The proof of possession is malformed (length, `v`, high `s`, unrecoverable).
    #[error("invalid proof of possession: {0}")]
    PopInvalid(#[from] peg_types::PegTypesError),
}

/// The ABCI codespace of codes equal to the Cosmos SDK's root codes.
pub const CODESPACE_SDK: &str = "sdk";
/// The ABCI codespace of peg-zone specific codes.
pub const CODESPACE_PEG: &str = "peg";

/// A stable CheckTx code (`specs/transactions.md` §9).
///
/// Where the Cosmos SDK has a root error with the same meaning, the code and the codespace
/// (`"sdk"`) are the SDK's, so standard clients show a meaningful name. Peg-specific codes use
/// the codespace `"peg"`. The numbers never change once released; new checks get new numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum CheckTxCode {
    /// `sdk` 2: the bytes are not a transaction we can parse.
    TxDecode = 2,
    /// `sdk` 3: wrong sequence in the SignerInfo (state machine).
    InvalidSequence = 3,
    /// `sdk` 4: the signature does not verify.
    Unauthorized = 4,
    /// `sdk` 5: the account cannot pay (state machine).
    InsufficientFunds = 5,
    /// `sdk` 6: unknown message type.
    UnknownRequest = 6,
    /// `sdk` 7: a malformed bech32 address.
    InvalidAddress = 7,
    /// `sdk` 8: a public key that is unsupported or not a curve point.
    InvalidPubKey = 8,
    /// `sdk` 9: the signer has no account (state machine).
    UnknownAddress = 9,
    /// `sdk` 10: malformed coins.
    InvalidCoins = 10,
    /// `sdk` 11: the gas limit is below the transaction's deterministic gas cost (state machine).
    OutOfGas = 11,
    /// `sdk` 12: memo too long.
    MemoTooLarge = 12,
    /// `sdk` 13: fee below the minimum (state machine).
    InsufficientFee = 13,
    /// `sdk` 14: more than one signature or signer.
    TooManySignatures = 14,
    /// `sdk` 15: no signature or signer.
    NoSignatures = 15,
    /// `sdk` 18: a message that fails its stateless checks.
    InvalidRequest = 18,
    /// `sdk` 21: the transaction exceeds the size limit.
    TxTooLarge = 21,
    /// `sdk` 24: a message signed by someone other than its signer.
    InvalidSigner = 24,
    /// `sdk` 30: the timeout height has passed (state machine).
    TxTimeoutHeight = 30,
    /// `sdk` 31: extension options present.
    UnknownExtensionOptions = 31,
    /// `sdk` 32: the sequence is not the account's (state machine).
    WrongSequence = 32,
    /// `sdk` 37: a feature the chain does not support (sign mode, fee grants).
    NotSupported = 37,
    /// `sdk` 41: invalid gas limit.
    InvalidGasLimit = 41,
    /// `peg` 101: a non-canonical or unknown protobuf field.
    NonCanonicalEncoding = 101,
    /// `peg` 102: a message under the reserved `/peg.internal.` prefix.
    ReservedTypeUrl = 102,
    /// `peg` 103: the Ethereum key proof of possession is invalid.
    InvalidEthProofOfPossession = 103,
}

impl CheckTxCode {
    /// The ABCI `code` field.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The ABCI `codespace` field: `"sdk"` for codes below 100, `"peg"` above.
    pub const fn codespace(self) -> &'static str {
        if (self as u32) < 100 {
            CODESPACE_SDK
        } else {
            CODESPACE_PEG
        }
    }
}

impl TxError {
    /// The CheckTx code this rejection is reported with (`specs/transactions.md` §9).
    pub fn check_tx_code(&self) -> CheckTxCode {
        match self {
            Self::TxTooLarge { .. } => CheckTxCode::TxTooLarge,
            Self::TooManyMessages { .. } | Self::NoMessages | Self::InvalidMessage { .. } => {
                CheckTxCode::InvalidRequest
            }
            Self::MemoTooLarge { .. } => CheckTxCode::MemoTooLarge,
            Self::GasLimitTooLarge { .. } => CheckTxCode::InvalidGasLimit,
            Self::Decode { .. } | Self::MissingField { .. } => CheckTxCode::TxDecode,
            Self::UnknownField { .. }
            | Self::WrongWireType { .. }
            | Self::DuplicateField { .. }
            | Self::NestingTooDeep { .. }
            | Self::NonCanonicalTxRaw => CheckTxCode::NonCanonicalEncoding,
            Self::ExtensionOptionsUnsupported { .. } => CheckTxCode::UnknownExtensionOptions,
            Self::FeePayerUnsupported { .. } | Self::UnsupportedSignMode { .. } => {
                CheckTxCode::NotSupported
            }
            Self::SignerInfoCount { got, .. } | Self::SignatureCount { got, .. } => {
                if *got == 0 {
                    CheckTxCode::NoSignatures
                } else {
                    CheckTxCode::TooManySignatures
                }
            }
            Self::UnsupportedPubKeyType { .. } | Self::InvalidPubKey { .. } => {
                CheckTxCode::InvalidPubKey
            }
            Self::SignatureLength { .. }
            | Self::SignatureOutOfRange
            | Self::SignatureHighS
            | Self::SignatureInvalid { .. } => CheckTxCode::Unauthorized,
            Self::SignerMismatch { .. } => CheckTxCode::InvalidSigner,
            Self::ReservedTypeUrl { .. } => CheckTxCode::ReservedTypeUrl,
            Self::UnknownMessageType { .. } => CheckTxCode::UnknownRequest,
            Self::AddressMixedCase { .. }
            | Self::AddressMalformed { .. }
            | Self::AddressChecksum { .. }
            | Self::AddressWrongHrp { .. }
            | Self::AddressLength { .. } => CheckTxCode::InvalidAddress,
            Self::InvalidDenom { .. } | Self::InvalidAmount { .. } | Self::InvalidCoins { .. } => {
                CheckTxCode::InvalidCoins
            }
            Self::PopSignerMismatch { .. } | Self::PopInvalid(_) => {
                CheckTxCode::InvalidEthProofOfPossession
            }
        }
    }
}
