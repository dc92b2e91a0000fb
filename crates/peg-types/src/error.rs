//! The one error type of `peg-types`.
//!
//! Every variant is one rejected check. Mismatches carry `{ got, expected }` so that a log line
//! is enough to see what a relayer or a validator supplied.

use alloy_primitives::{B256, U256};

use crate::EthAddress;

/// Everything `peg-types` refuses, one variant per check.
///
/// The valset checks mirror the contract's rules of `specs/contracts.md` §3, the signature checks
/// §5 and the event checks §6.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PegTypesError {
    /// A string is not a `0x`-prefixed 20-byte hex address.
    #[error("invalid Ethereum address {input:?}: {reason}")]
    InvalidEthAddress {
        /// The rejected input.
        input: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A valset with no member (§3: a valid valset is non-empty).
    #[error("valset is empty")]
    EmptyValset,

    /// A valset with more members than the contract accepts (§3: `MAX_VALIDATORS`).
    #[error("valset has {got} members, at most {max} allowed")]
    TooManyValidators {
        /// Number of members supplied.
        got: usize,
        /// `MAX_VALIDATORS`.
        max: usize,
    },

    /// A member with the zero address (§3).
    #[error("valset member {index} has the zero address")]
    ZeroAddress {
        /// Position of the member.
        index: usize,
    },

    /// A member with zero power (§3).
    #[error("valset member {index} ({address}) has zero power")]
    ZeroPower {
        /// Position of the member.
        index: usize,
        /// Its address.
        address: EthAddress,
    },

    /// The same address appears twice.
    #[error("validator {address} appears twice in the valset")]
    DuplicateValidator {
        /// The repeated address.
        address: EthAddress,
    },

    /// Members are not strictly ordered by power descending, then address ascending (§3).
    #[error(
        "valset member {index} ({address}, power {power}) is not strictly after member {prev_index} \
         ({prev_address}, power {prev_power}): order is power descending, then address ascending"
    )]
    ValsetNotOrdered {
        /// Position of the out-of-order member.
        index: usize,
        /// Its address.
        address: EthAddress,
        /// Its power.
        power: u64,
        /// Position of the member before it.
        prev_index: usize,
        /// That member's address.
        prev_address: EthAddress,
        /// That member's power.
        prev_power: u64,
    },

    /// The normalized powers add up to more than `2^32` (§1).
    #[error("valset total power {got} exceeds the normalized total {max}")]
    TotalPowerTooHigh {
        /// Sum of the powers.
        got: u128,
        /// `2^32`.
        max: u64,
    },

    /// The valset cannot reach its own threshold (§3).
    #[error("valset total power {got} is below the threshold {expected}")]
    TotalPowerBelowThreshold {
        /// Sum of the powers.
        got: u128,
        /// `POWER_THRESHOLD`.
        expected: u64,
    },

    /// Two lists that must be parallel have different lengths.
    #[error("{what}: got {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which lists.
        what: &'static str,
        /// Length found.
        got: usize,
        /// Length required.
        expected: usize,
    },

    /// A sum of amounts or fees that does not fit in a `uint256` (the contract would revert).
    #[error("the sum of the batch {what} overflows uint256")]
    AmountOverflow {
        /// `"amounts"`, `"fees"` or `"amounts and fees"`.
        what: &'static str,
    },

    /// A signature that is not 65 bytes `r ‖ s ‖ v`.
    #[error("signature has {got} bytes, expected {expected}")]
    InvalidSignatureLength {
        /// Length supplied.
        got: usize,
        /// 65.
        expected: usize,
    },

    /// A recovery byte other than 27 or 28 (§5).
    #[error("signature v is {got}, expected 27 or 28")]
    InvalidRecoveryId {
        /// The `v` supplied.
        got: u8,
    },

    /// `s` above `n/2` (§5: low `s` only, as OpenZeppelin's `ECDSA.tryRecover`).
    #[error("signature s {s} is in the upper half of the curve order (high-s)")]
    HighS {
        /// The rejected `s`.
        s: B256,
    },

    /// `r` or `s` is zero or not below the curve order, or no key recovers from it.
    #[error("invalid secp256k1 signature: {reason}")]
    InvalidSignature {
        /// What the curve arithmetic refused.
        reason: String,
    },

    /// A signature recovers to another address than the validator at its position (§5).
    #[error("signature at valset position {index} recovers to {got}, expected {expected}")]
    SignerMismatch {
        /// Valset position.
        index: usize,
        /// Recovered address.
        got: EthAddress,
        /// The validator at that position.
        expected: EthAddress,
    },

    /// The signature given for the validator at `index` is malformed (bad `v`, high `s`, scalar out
    /// of range, no recoverable key): the contract's `InvalidSignature(index)`.
    #[error("signature of valset member {index} is invalid: {source}")]
    InvalidMemberSignature {
        /// Valset position.
        index: usize,
        /// Why the signature was refused.
        source: Box<PegTypesError>,
    },

    /// The signer bitmap names a position at or above the valset size (§8.2).
    #[error("signer bitmap {signers:#x} names a member at or above the valset size {size}")]
    SignerOutOfRange {
        /// The bitmap.
        signers: U256,
        /// The valset size.
        size: usize,
    },

    /// The current valset passed along does not hash to the stored `valsetMembersHash` (§8.2).
    #[error("valset members hash {got} does not match the stored hash {expected}")]
    ValsetMembersMismatch {
        /// Hash of the member words supplied.
        got: B256,
        /// The stored hash.
        expected: B256,
    },

    /// A new-valset entry references a current member that does not exist (§8.3).
    #[error("new valset entry {index} references current member {reference}, out of range")]
    InvalidMemberReference {
        /// Position of the entry.
        index: usize,
        /// The referenced position.
        reference: U256,
    },

    /// `updateValsetPowers` asked for a new valset whose addresses differ from the current ones
    /// (position by position) or whose size differs (§8.3).
    #[error("new valset differs from the current one in its addresses at position {index}: use member words or references")]
    RepowerNotApplicable {
        /// First position where the addresses differ (or the shorter length).
        index: usize,
    },

    /// A signature checked against one expected signer recovers to another address.
    #[error("signature recovers to {got}, expected {expected}")]
    WrongSigner {
        /// Recovered address.
        got: EthAddress,
        /// The expected signer.
        expected: EthAddress,
    },

    /// Valid signatures carry less than `POWER_THRESHOLD` normalized power (§1).
    #[error("signed power {got} is below the threshold {expected}")]
    InsufficientPower {
        /// Cumulative normalized power of the valid signers.
        got: u128,
        /// `POWER_THRESHOLD`.
        expected: u64,
    },

    /// A valset nonce that does not move forward (§3: `newNonce > currentNonce`).
    #[error("valset nonce {got} is not above the current nonce {current}")]
    StaleValsetNonce {
        /// The new valset's nonce.
        got: u64,
        /// The current valset's nonce.
        current: u64,
    },

    /// A secret key that is zero or not below the curve order.
    #[error("invalid secp256k1 secret key")]
    InvalidSigningKey,

    /// A log without topics (anonymous events are not ours).
    #[error("log has no topics")]
    MissingTopic0,

    /// A log whose `topic0` is none of the bridge's events (§6).
    #[error("log topic0 {topic0} is not a bridge event")]
    UnknownEvent {
        /// The log's `topic0`.
        topic0: B256,
    },

    /// A log of another kind than the one asked for.
    #[error("log is a {got} event, expected {expected}")]
    WrongEventKind {
        /// The event the log carries.
        got: &'static str,
        /// The event asked for.
        expected: &'static str,
    },

    /// A log emitted by another contract than the bridge.
    #[error("log emitted by {got}, expected the bridge at {expected}")]
    WrongEmitter {
        /// The log's address.
        got: EthAddress,
        /// The bridge's address.
        expected: EthAddress,
    },

    /// A log with the right `topic0` but a malformed body or topic count.
    #[error("malformed {event} log: {reason}")]
    MalformedLog {
        /// The event named by `topic0`.
        event: &'static str,
        /// What the ABI decoder refused.
        reason: String,
    },

    /// A `uint256` that does not fit in the Rust type used for it.
    #[error("{what} {got} does not fit in a u64")]
    ValueOutOfRange {
        /// Which field.
        what: &'static str,
        /// The value found.
        got: U256,
    },
}
