//! Errors of the consensus side of the light client: one variant per rejected check.
//!
//! Mismatches carry `{ got, expected }`. Nothing here panics on outside input.

use alloy_primitives::B256;

use crate::config::ForkName;

/// A network configuration could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The YAML text did not parse.
    #[error("config.yaml: {reason}")]
    Yaml {
        /// Parser message.
        reason: String,
    },
    /// A required key is absent.
    #[error("config.yaml: missing key {key}")]
    MissingKey {
        /// The key.
        key: String,
    },
    /// A key has a value of the wrong shape.
    #[error("config.yaml: invalid {key}: {reason}")]
    InvalidValue {
        /// The key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// `PRESET_BASE` names a preset this build does not have.
    #[error("unsupported preset {got:?} (expected mainnet or minimal)")]
    UnsupportedPreset {
        /// The preset named.
        got: String,
    },
    /// No genesis validators root given or in the file.
    #[error(
        "the genesis validators root is not in config.yaml: add GENESIS_VALIDATORS_ROOT or pass it"
    )]
    MissingGenesisValidatorsRoot,
    /// Fork epochs decrease along the fork order.
    #[error("fork {fork} at epoch {epoch} precedes {previous} at epoch {previous_epoch}")]
    ForkOrder {
        /// The later fork.
        fork: ForkName,
        /// Its epoch.
        epoch: u64,
        /// The earlier fork.
        previous: ForkName,
        /// Its epoch.
        previous_epoch: u64,
    },
    /// A fork name that does not exist.
    #[error("unknown fork {got:?}")]
    UnknownFork {
        /// The name given.
        got: String,
    },
}

/// Light-client data could not be decoded (SSZ or beacon-API JSON).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// SSZ bytes do not decode as the fork's container.
    #[error("{container} ({fork}): invalid SSZ: {reason}")]
    Ssz {
        /// Container name.
        container: &'static str,
        /// Fork whose layout was used.
        fork: ForkName,
        /// Decoder message.
        reason: String,
    },
    /// JSON does not match the fork's container.
    #[error("{container} ({fork}): invalid JSON: {reason}")]
    Json {
        /// Container name.
        container: &'static str,
        /// Fork whose layout was used.
        fork: ForkName,
        /// Parser message.
        reason: String,
    },
    /// The `{"version", "data"}` envelope is malformed.
    #[error("invalid beacon-API envelope: {reason}")]
    Envelope {
        /// What is wrong.
        reason: String,
    },
    /// The fork has no light-client data of this kind.
    #[error("{container} does not exist in fork {fork}")]
    UnsupportedFork {
        /// Container name.
        container: &'static str,
        /// The fork.
        fork: ForkName,
    },
    /// Unknown fork name in a `version` field.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// BLS failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlsError {
    /// A committee public key is not a valid compressed G1 point of the subgroup, or is infinity.
    #[error("sync committee public key {index} is invalid")]
    InvalidPublicKey {
        /// Position in the committee.
        index: usize,
    },
    /// The signature is not a valid compressed G2 point of the subgroup.
    #[error("sync committee signature is not a valid G2 point")]
    InvalidSignatureEncoding,
    /// The participation bits and the committee have different lengths.
    #[error("participation has {got} bits, committee has {expected} members")]
    ParticipationLength {
        /// Bits given.
        got: usize,
        /// Committee size.
        expected: usize,
    },
    /// No participant, or the participants' keys sum to infinity.
    #[error("aggregate public key of the participants is the point at infinity")]
    InfiniteAggregate,
    /// The pairing check failed.
    #[error("sync committee signature does not verify")]
    SignatureMismatch,
}

/// A light-client object was rejected: one variant per check of the sync protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsensusError {
    /// Decoding failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Configuration problem.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data's fork (beacon-API `version`) is not the fork the config gives at its slot.
    #[error("data declared as fork {got} but slot {slot} is in fork {expected}")]
    ForkMismatch {
        /// Declared fork.
        got: ForkName,
        /// Fork at the slot per the config.
        expected: ForkName,
        /// The attested (or bootstrap) slot.
        slot: u64,
    },
    /// Light-client data at a slot before Altair.
    #[error("slot {slot} is before Altair: no light-client data exists")]
    PreAltair {
        /// The slot.
        slot: u64,
    },
    /// `is_valid_light_client_header`: the execution part is not what the fork allows.
    #[error("header at slot {slot}: {reason}")]
    InvalidExecutionHeader {
        /// Beacon slot of the header.
        slot: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// `is_valid_light_client_header`: the execution branch does not prove the execution data.
    #[error("header at slot {slot}: execution branch does not match body_root")]
    InvalidExecutionBranch {
        /// Beacon slot of the header.
        slot: u64,
    },
    /// Bootstrap header is not the trusted block root.
    #[error("bootstrap header root {got} is not the trusted block root {expected}")]
    TrustedRootMismatch {
        /// `hash_tree_root(bootstrap.header.beacon)`.
        got: B256,
        /// The trusted root.
        expected: B256,
    },
    /// Bootstrap committee branch does not match the state root.
    #[error("current sync committee branch does not match the state root")]
    InvalidCurrentSyncCommitteeBranch,
    /// Fewer participants than `MIN_SYNC_COMMITTEE_PARTICIPANTS`.
    #[error("{got} sync committee participants, at least {expected} required")]
    InsufficientParticipants {
        /// Participants.
        got: u64,
        /// Minimum.
        expected: u64,
    },
    /// `signature_slot > current_slot`.
    #[error("signature slot {signature_slot} is after the current slot {current_slot}")]
    SignatureSlotInFuture {
        /// Signature slot.
        signature_slot: u64,
        /// Current slot.
        current_slot: u64,
    },
    /// `signature_slot <= attested slot`.
    #[error("signature slot {signature_slot} is not after the attested slot {attested_slot}")]
    SignatureSlotNotAfterAttested {
        /// Signature slot.
        signature_slot: u64,
        /// Attested slot.
        attested_slot: u64,
    },
    /// `attested slot < finalized slot`.
    #[error("attested slot {attested_slot} is before the finalized slot {finalized_slot}")]
    AttestedBeforeFinalized {
        /// Attested slot.
        attested_slot: u64,
        /// Finalized slot.
        finalized_slot: u64,
    },
    /// The update was signed in a period before the store period: stale.
    #[error("update signed in period {got}, before the store period {expected}")]
    SyncCommitteePeriodInPast {
        /// Signature period.
        got: u64,
        /// Store period.
        expected: u64,
    },
    /// The signature period is after the store's (or after the next one when the next committee
    /// is known): the committee that signed it is not known yet.
    #[error("update signed in period {got}, store accepts {expected}")]
    SkippedSyncCommitteePeriod {
        /// Signature period.
        got: u64,
        /// Accepted periods, e.g. `"41"` or `"41 or 42"`.
        expected: String,
    },
    /// Update neither advances the finalized slot nor supplies a missing next committee.
    #[error("irrelevant update: attested slot {attested_slot} is not after the finalized slot {finalized_slot} and it brings no needed sync committee")]
    IrrelevantUpdate {
        /// Attested slot.
        attested_slot: u64,
        /// Store's finalized slot.
        finalized_slot: u64,
    },
    /// No finality proof but a non-empty finalized header.
    #[error("update without a finality branch carries a finalized header")]
    UnexpectedFinalizedHeader,
    /// Finalized at genesis slot but the header is not empty.
    #[error("finalized header at the genesis slot must be empty")]
    NonEmptyGenesisFinalizedHeader,
    /// Finality branch does not match the attested state root.
    #[error("finality branch does not match the attested state root")]
    InvalidFinalityBranch,
    /// No next-committee proof but a non-empty next committee.
    #[error("update without a next sync committee branch carries a next sync committee")]
    UnexpectedNextSyncCommittee,
    /// Next committee differs from the one the store already knows for that period.
    #[error("next sync committee root {got} differs from the known one {expected}")]
    NextSyncCommitteeMismatch {
        /// Root in the update.
        got: B256,
        /// Root in the store.
        expected: B256,
    },
    /// Next committee branch does not match the attested state root.
    #[error("next sync committee branch does not match the attested state root")]
    InvalidNextSyncCommitteeBranch,
    /// The aggregate signature does not verify.
    #[error("sync aggregate signature: {0}")]
    InvalidSignature(#[from] BlsError),
    /// `apply_light_client_update`: finalized period is not the store period while the next committee is unknown.
    #[error("finalized period {got} differs from the store period {expected} while the next committee is unknown")]
    FinalizedPeriodMismatch {
        /// Finalized period of the update.
        got: u64,
        /// Store period.
        expected: u64,
    },
    /// A force update was asked for but none is due.
    #[error("no force update is due at slot {current_slot}")]
    ForceUpdateNotDue {
        /// Current slot.
        current_slot: u64,
    },
}

impl ConsensusError {
    /// True when the update is well formed as far as checked, but stale: signed in a past
    /// period, or neither advancing the store nor bringing a needed committee. A relayer may have sent it
    /// twice; callers may count it as ignored rather than invalid.
    pub fn is_irrelevant(&self) -> bool {
        matches!(
            self,
            ConsensusError::IrrelevantUpdate { .. }
                | ConsensusError::SyncCommitteePeriodInPast { .. }
        )
    }
}
