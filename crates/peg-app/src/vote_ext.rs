//! Checkpoint signatures through vote extensions (`specs/state-machine.md` §6): the extension
//! format, the injected-signatures transaction format, and the rules each ABCI call applies.
//!
//! Extension (version 2): `version u8 = 2 ‖ payload_len u32 BE ‖ payload`, payload =
//! `count u8 ‖ count × (kind u8 ‖ nonce u64 BE ‖ r 32 ‖ s 32 ‖ v u8)`, `count ≤ 32`, at most
//! [`MAX_VOTE_EXTENSION_LEN`] bytes. Version 1 (empty payload) still decodes, as no signatures.
//!
//! Injected transaction (first of a block, at most one): `0xff ‖ "PEGSIGS" ‖ 0x01 ‖ count u16 BE
//! ‖ count × (operator 20 ‖ kind u8 ‖ nonce u64 BE ‖ r 32 ‖ s 32 ‖ v u8)`, `1 ≤ count ≤ 4096`,
//! strictly ascending by `(kind, nonce, operator)`.
//!
//! Every decoder here takes bytes from other validators: none panics, and what decodes
//! re-encodes to the same bytes (no malleable encodings).

use std::collections::{BTreeMap, BTreeSet};

use peg_tx::{AccAddress, ADDRESS_LEN};
use peg_types::{
    recover_signer, sign_digest, signer_address, EthAddress, EthSignature, SigningKey,
};
use tendermint_proto::v0_38::abci::{Event, ExtendedVoteInfo};
use tendermint_proto::v0_38::types::BlockIdFlag;
use tracing::{debug, warn};

use crate::bridge::signatures::{
    record_signed_height, signature_of, store_signature, validator_address,
};
use crate::bridge::{pending_checkpoints, pending_digest, CheckpointKind};
use crate::error::AppError;
use crate::exec::event;
use crate::state::Cache;

/// The version this software produces.
pub const VOTE_EXTENSION_VERSION: u8 = 2;
/// The first version (empty payload), still accepted.
pub const VOTE_EXTENSION_VERSION_EMPTY: u8 = 1;
/// Largest encoded extension accepted.
pub const MAX_VOTE_EXTENSION_LEN: usize = 4096;
/// Most checkpoint signatures one extension carries (the oldest pending ones go first).
pub const MAX_SIGNATURES_PER_EXTENSION: usize = 32;
/// Bytes of one extension entry: `kind 1 ‖ nonce 8 ‖ signature 65`.
pub const EXTENSION_ENTRY_LEN: usize = 1 + 8 + 65;
const HEADER_LEN: usize = 5;

/// The first bytes of the injected signatures transaction: `0xff ‖ "PEGSIGS" ‖ version 1`.
/// No transaction (`TxRaw` protobuf) can start with 0xff: wire type 7 does not exist.
pub const INJECTED_TX_MAGIC: &[u8; 9] = b"\xffPEGSIGS\x01";
/// Most signatures one injected transaction carries.
pub const MAX_INJECTED_SIGNATURES: usize = 4096;
/// Bytes of one injected entry: `operator 20 ‖ kind 1 ‖ nonce 8 ‖ signature 65`.
pub const INJECTED_ENTRY_LEN: usize = ADDRESS_LEN + EXTENSION_ENTRY_LEN;
const INJECTED_HEADER_LEN: usize = INJECTED_TX_MAGIC.len() + 2;
/// The `ExecTxResult` code of an injected transaction that does not decode (only possible when a
/// block is replayed without ProcessProposal: ProcessProposal rejects such blocks).
pub const CODE_BAD_INJECTED_TX: u32 = 160;

/// Why vote-extension bytes are malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteExtensionError {
    /// Longer than [`MAX_VOTE_EXTENSION_LEN`].
    #[error("vote extension is {got} bytes, at most {expected} allowed")]
    TooLong {
        /// Length found.
        got: usize,
        /// The bound.
        expected: usize,
    },
    /// Shorter than the 5-byte header.
    #[error("vote extension is {got} bytes, the header alone is {expected}")]
    TooShort {
        /// Length found.
        got: usize,
        /// 5.
        expected: usize,
    },
    /// A version this software does not know.
    #[error("vote extension version {got}, expected {expected} (or 1)")]
    UnknownVersion {
        /// Version found.
        got: u8,
        /// The version produced.
        expected: u8,
    },
    /// The declared payload length does not match the bytes.
    #[error("vote extension declares a {got}-byte payload, {expected} bytes follow")]
    LengthMismatch {
        /// Declared.
        got: usize,
        /// Present.
        expected: usize,
    },
    /// Version 1 carries no payload.
    #[error("version 1 vote extensions carry no payload, got {got} bytes")]
    UnexpectedPayload {
        /// Payload length.
        got: usize,
    },
    /// A version-2 payload without its count byte.
    #[error("version 2 vote extension payload is empty: the count byte is missing")]
    MissingCount,
    /// More signatures than [`MAX_SIGNATURES_PER_EXTENSION`].
    #[error("vote extension carries {got} signatures, at most {expected} allowed")]
    TooManySignatures {
        /// Count found.
        got: usize,
        /// The bound.
        expected: usize,
    },
    /// The payload is not `1 + count × 74` bytes.
    #[error("vote extension payload is {got} bytes, {expected} expected for its count")]
    PayloadLength {
        /// Length found.
        got: usize,
        /// `1 + count × 74`.
        expected: usize,
    },
    /// A checkpoint kind other than 1 (valset) or 2 (batch).
    #[error("vote extension entry {index}: unknown checkpoint kind {got}")]
    UnknownKind {
        /// Entry index.
        index: usize,
        /// Kind byte found.
        got: u8,
    },
    /// A signature `v` other than 27 or 28.
    #[error("vote extension entry {index}: signature v is {got}, expected 27 or 28")]
    BadRecoveryId {
        /// Entry index.
        index: usize,
        /// `v` found.
        got: u8,
    },
    /// The same checkpoint signed twice.
    #[error("vote extension signs {kind} {nonce} twice")]
    DuplicateCheckpoint {
        /// Kind name.
        kind: &'static str,
        /// Nonce.
        nonce: u64,
    },
}

/// Why injected-transaction bytes are malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InjectedTxError {
    /// Not starting with [`INJECTED_TX_MAGIC`].
    #[error("injected transaction does not start with 0xff \"PEGSIGS\" 0x01")]
    BadMagic,
    /// Shorter than the 11-byte header.
    #[error("injected transaction is {got} bytes, the header alone is {expected}")]
    TooShort {
        /// Length found.
        got: usize,
        /// 11.
        expected: usize,
    },
    /// No entry: a proposer never injects an empty transaction.
    #[error("injected transaction carries no signature")]
    Empty,
    /// More entries than [`MAX_INJECTED_SIGNATURES`].
    #[error("injected transaction carries {got} signatures, at most {expected} allowed")]
    TooManySignatures {
        /// Count found.
        got: usize,
        /// The bound.
        expected: usize,
    },
    /// The body is not `count × 94` bytes.
    #[error("injected transaction is {got} bytes, {expected} expected for its count")]
    Length {
        /// Length found.
        got: usize,
        /// `11 + count × 94`.
        expected: usize,
    },
    /// A checkpoint kind other than 1 (valset) or 2 (batch).
    #[error("injected entry {index}: unknown checkpoint kind {got}")]
    UnknownKind {
        /// Entry index.
        index: usize,
        /// Kind byte found.
        got: u8,
    },
    /// A signature `v` other than 27 or 28.
    #[error("injected entry {index}: signature v is {got}, expected 27 or 28")]
    BadRecoveryId {
        /// Entry index.
        index: usize,
        /// `v` found.
        got: u8,
    },
    /// Entries not strictly ascending by `(kind, nonce, operator)` (a duplicate included).
    #[error("injected entry {index} is not after entry {} in (kind, nonce, operator) order", index.saturating_sub(1))]
    NotSorted {
        /// Index of the first entry out of order.
        index: usize,
    },
}

/// One checkpoint signature in a vote extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionSignature {
    /// Valset or batch.
    pub kind: CheckpointKind,
    /// The checkpoint's nonce.
    pub nonce: u64,
    /// The validator's Ethereum signature of the checkpoint digest.
    pub signature: EthSignature,
}

/// A decoded vote extension: its version and the checkpoint signatures it carries (none in
/// version 1). Fields are private so that every value encodes within the bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteExtension {
    version: u8,
    signatures: Vec<ExtensionSignature>,
}

fn read_signature(entry: &[u8; 65]) -> EthSignature {
    let (r, rest) = entry.split_at(32);
    let (s, v) = rest.split_at(32);
    EthSignature {
        r: peg_types::B256::from_slice(r),
        s: peg_types::B256::from_slice(s),
        v: v.first().copied().unwrap_or_default(),
    }
}

/// Reads `kind ‖ nonce ‖ signature` (74 bytes); `Err((kind byte, true))` for an unknown kind,
/// `Err((v, false))` for a bad `v` (the caller names the entry).
fn read_entry(entry: &[u8; EXTENSION_ENTRY_LEN]) -> Result<ExtensionSignature, (u8, bool)> {
    let (kind_byte, rest) = entry.split_at(1);
    let (nonce, signature) = rest.split_at(8);
    let kind_byte = kind_byte.first().copied().unwrap_or_default();
    let kind = CheckpointKind::from_byte(kind_byte).ok_or((kind_byte, true))?;
    let mut n = [0u8; 8];
    n.copy_from_slice(nonce);
    let mut sig = [0u8; 65];
    sig.copy_from_slice(signature);
    let signature = read_signature(&sig);
    if signature.v != 27 && signature.v != 28 {
        return Err((signature.v, false));
    }
    Ok(ExtensionSignature { kind, nonce: u64::from_be_bytes(n), signature })
}

fn write_entry(out: &mut Vec<u8>, kind: CheckpointKind, nonce: u64, signature: &EthSignature) {
    out.push(kind.as_byte());
    out.extend_from_slice(&nonce.to_be_bytes());
    out.extend_from_slice(&signature.to_bytes());
}

impl VoteExtension {
    /// The version-2 extension without signatures (a node without an Ethereum key, or nothing
    /// left to sign).
    pub fn current() -> Self {
        Self { version: VOTE_EXTENSION_VERSION, signatures: Vec::new() }
    }

    /// A version-2 extension carrying `signatures`: at most [`MAX_SIGNATURES_PER_EXTENSION`],
    /// each checkpoint once, `v ∈ {27, 28}`.
    pub fn new(signatures: Vec<ExtensionSignature>) -> Result<Self, VoteExtensionError> {
        if signatures.len() > MAX_SIGNATURES_PER_EXTENSION {
            return Err(VoteExtensionError::TooManySignatures {
                got: signatures.len(),
                expected: MAX_SIGNATURES_PER_EXTENSION,
            });
        }
        let mut seen = BTreeSet::new();
        for (index, s) in signatures.iter().enumerate() {
            if s.signature.v != 27 && s.signature.v != 28 {
                return Err(VoteExtensionError::BadRecoveryId { index, got: s.signature.v });
            }
            if !seen.insert((s.kind, s.nonce)) {
                return Err(VoteExtensionError::DuplicateCheckpoint {
                    kind: s.kind.name(),
                    nonce: s.nonce,
                });
            }
        }
        Ok(Self { version: VOTE_EXTENSION_VERSION, signatures })
    }

    /// The format version (1 or 2).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The checkpoint signatures, in the signer's order.
    pub fn signatures(&self) -> &[ExtensionSignature] {
        &self.signatures
    }

    /// The wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        if self.version == VOTE_EXTENSION_VERSION {
            // `new` bounds the count to 32: it fits a byte.
            payload.reserve(1 + self.signatures.len() * EXTENSION_ENTRY_LEN);
            payload.push(u8::try_from(self.signatures.len()).unwrap_or(u8::MAX));
            for s in &self.signatures {
                write_entry(&mut payload, s.kind, s.nonce, &s.signature);
            }
        }
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.push(self.version);
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Decodes and checks the bytes (form and bounds only, never state); never panics,
    /// whatever they are.
    pub fn decode(bytes: &[u8]) -> Result<Self, VoteExtensionError> {
        if bytes.len() > MAX_VOTE_EXTENSION_LEN {
            return Err(VoteExtensionError::TooLong {
                got: bytes.len(),
                expected: MAX_VOTE_EXTENSION_LEN,
            });
        }
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(VoteExtensionError::TooShort { got: bytes.len(), expected: HEADER_LEN });
        };
        let [version, l0, l1, l2, l3] = *header;
        if version != VOTE_EXTENSION_VERSION && version != VOTE_EXTENSION_VERSION_EMPTY {
            return Err(VoteExtensionError::UnknownVersion {
                got: version,
                expected: VOTE_EXTENSION_VERSION,
            });
        }
        let declared = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
        if declared != payload.len() {
            return Err(VoteExtensionError::LengthMismatch {
                got: declared,
                expected: payload.len(),
            });
        }
        if version == VOTE_EXTENSION_VERSION_EMPTY {
            if !payload.is_empty() {
                return Err(VoteExtensionError::UnexpectedPayload { got: payload.len() });
            }
            return Ok(Self { version, signatures: Vec::new() });
        }
        let Some((&count, entries)) = payload.split_first() else {
            return Err(VoteExtensionError::MissingCount);
        };
        let count = usize::from(count);
        if count > MAX_SIGNATURES_PER_EXTENSION {
            return Err(VoteExtensionError::TooManySignatures {
                got: count,
                expected: MAX_SIGNATURES_PER_EXTENSION,
            });
        }
        if entries.len() != count * EXTENSION_ENTRY_LEN {
            return Err(VoteExtensionError::PayloadLength {
                got: payload.len(),
                expected: 1 + count * EXTENSION_ENTRY_LEN,
            });
        }
        let mut signatures = Vec::with_capacity(count);
        for (index, chunk) in entries.chunks_exact(EXTENSION_ENTRY_LEN).enumerate() {
            let mut e = [0u8; EXTENSION_ENTRY_LEN];
            e.copy_from_slice(chunk);
            let entry = read_entry(&e).map_err(|(got, is_kind)| {
                if is_kind {
                    VoteExtensionError::UnknownKind { index, got }
                } else {
                    VoteExtensionError::BadRecoveryId { index, got }
                }
            })?;
            signatures.push(entry);
        }
        Self::new(signatures)
    }
}

/// One signature in the injected transaction: which validator signed which checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InjectedSignature {
    /// The validator's operator account.
    pub operator: AccAddress,
    /// Valset or batch.
    pub kind: CheckpointKind,
    /// The checkpoint's nonce.
    pub nonce: u64,
    /// The validator's Ethereum signature of the checkpoint digest.
    pub signature: EthSignature,
}

impl InjectedSignature {
    fn order_key(&self) -> (CheckpointKind, u64, AccAddress) {
        (self.kind, self.nonce, self.operator)
    }
}

/// The injected signatures transaction: 1 to [`MAX_INJECTED_SIGNATURES`] entries, strictly
/// ascending by `(kind, nonce, operator)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedSignatures {
    entries: Vec<InjectedSignature>,
}

impl InjectedSignatures {
    /// Sorts `entries`, keeps the first of each `(kind, nonce, operator)` and at most
    /// [`MAX_INJECTED_SIGNATURES`]; `None` when nothing is left.
    pub fn new(mut entries: Vec<InjectedSignature>) -> Option<Self> {
        entries.sort_by_key(InjectedSignature::order_key);
        entries.dedup_by_key(|e| e.order_key());
        entries.truncate(MAX_INJECTED_SIGNATURES);
        (!entries.is_empty()).then_some(Self { entries })
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[InjectedSignature] {
        &self.entries
    }

    /// The encoded length of a transaction with `count` entries.
    pub fn encoded_len(count: usize) -> usize {
        INJECTED_HEADER_LEN + count * INJECTED_ENTRY_LEN
    }

    /// Whether `tx` claims to be an injected transaction (its first byte is 0xff, which no
    /// user transaction can have).
    pub fn is_injected(tx: &[u8]) -> bool {
        tx.first() == INJECTED_TX_MAGIC.first()
    }

    /// The wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::encoded_len(self.entries.len()));
        out.extend_from_slice(INJECTED_TX_MAGIC);
        // At most 4096 entries: fits u16.
        out.extend_from_slice(&u16::try_from(self.entries.len()).unwrap_or(u16::MAX).to_be_bytes());
        for e in &self.entries {
            out.extend_from_slice(e.operator.as_bytes());
            write_entry(&mut out, e.kind, e.nonce, &e.signature);
        }
        out
    }

    /// Decodes and checks the form (magic, bounds, order); never panics.
    pub fn decode(bytes: &[u8]) -> Result<Self, InjectedTxError> {
        let Some((header, body)) = bytes.split_first_chunk::<INJECTED_HEADER_LEN>() else {
            if bytes.len() >= INJECTED_TX_MAGIC.len() && !bytes.starts_with(INJECTED_TX_MAGIC) {
                return Err(InjectedTxError::BadMagic);
            }
            return Err(InjectedTxError::TooShort {
                got: bytes.len(),
                expected: INJECTED_HEADER_LEN,
            });
        };
        if !header.starts_with(INJECTED_TX_MAGIC) {
            return Err(InjectedTxError::BadMagic);
        }
        let count = usize::from(u16::from_be_bytes([header[9], header[10]]));
        if count == 0 {
            return Err(InjectedTxError::Empty);
        }
        if count > MAX_INJECTED_SIGNATURES {
            return Err(InjectedTxError::TooManySignatures {
                got: count,
                expected: MAX_INJECTED_SIGNATURES,
            });
        }
        if body.len() != count * INJECTED_ENTRY_LEN {
            return Err(InjectedTxError::Length {
                got: bytes.len(),
                expected: Self::encoded_len(count),
            });
        }
        let mut entries: Vec<InjectedSignature> = Vec::with_capacity(count);
        for (index, chunk) in body.chunks_exact(INJECTED_ENTRY_LEN).enumerate() {
            let (operator, rest) = chunk.split_at(ADDRESS_LEN);
            let mut o = [0u8; ADDRESS_LEN];
            o.copy_from_slice(operator);
            let mut e = [0u8; EXTENSION_ENTRY_LEN];
            e.copy_from_slice(rest);
            let entry = read_entry(&e).map_err(|(got, is_kind)| {
                if is_kind {
                    InjectedTxError::UnknownKind { index, got }
                } else {
                    InjectedTxError::BadRecoveryId { index, got }
                }
            })?;
            let entry = InjectedSignature {
                operator: AccAddress::new(o),
                kind: entry.kind,
                nonce: entry.nonce,
                signature: entry.signature,
            };
            if entries.last().is_some_and(|prev| prev.order_key() >= entry.order_key()) {
                return Err(InjectedTxError::NotSorted { index });
            }
            entries.push(entry);
        }
        Ok(Self { entries })
    }
}

/// Why a signature of the injected transaction is refused against the state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    /// The checkpoint is unknown, executed, cancelled or confirmed.
    #[error("{kind} {nonce} is not a pending checkpoint")]
    NotPending {
        /// Kind name.
        kind: &'static str,
        /// Nonce.
        nonce: u64,
    },
    /// The operator is not a validator or has no registered Ethereum address.
    #[error("{operator} has no registered Ethereum address")]
    NoEthAddress {
        /// The operator, bech32.
        operator: String,
    },
    /// The signature does not recover to the operator's Ethereum address.
    #[error("signature of {kind} {nonce} by {operator} does not verify: {reason}")]
    BadSignature {
        /// Kind name.
        kind: &'static str,
        /// Nonce.
        nonce: u64,
        /// The operator, bech32.
        operator: String,
        /// Why.
        reason: String,
    },
}

/// Checks one signature against the state: the checkpoint is pending and the signature recovers
/// to the operator's registered Ethereum address (contract rules: low `s`, `v ∈ {27, 28}`).
/// Returns that address. The outer error is a node fault (the store).
pub fn verify_checkpoint_signature(
    cache: &Cache<'_>,
    entry: &InjectedSignature,
) -> Result<Result<EthAddress, SignatureRefusal>, AppError> {
    let Some(digest) = pending_digest(cache, entry.kind, entry.nonce)? else {
        return Ok(Err(SignatureRefusal::NotPending {
            kind: entry.kind.name(),
            nonce: entry.nonce,
        }));
    };
    let eth_address = match cache.validator(&entry.operator)? {
        Some(_) => cache.eth_address_of(&entry.operator)?,
        None => None,
    };
    let Some(eth_address) = eth_address else {
        return Ok(Err(SignatureRefusal::NoEthAddress { operator: entry.operator.to_bech32() }));
    };
    let refusal = |reason: String| SignatureRefusal::BadSignature {
        kind: entry.kind.name(),
        nonce: entry.nonce,
        operator: entry.operator.to_bech32(),
        reason,
    };
    Ok(match recover_signer(&digest, &entry.signature) {
        Ok(got) if got == eth_address => Ok(eth_address),
        Ok(got) => Err(refusal(format!("recovers {got}, registered {eth_address}"))),
        Err(error) => Err(refusal(error.to_string())),
    })
}

/// Whether `entry` is already stored with the same signer address (nothing new to store).
fn already_stored(
    cache: &Cache<'_>,
    entry: &InjectedSignature,
    eth_address: &EthAddress,
) -> Result<bool, AppError> {
    Ok(signature_of(cache, entry.kind, entry.nonce, &entry.operator)?
        .is_some_and(|(stored, _)| &stored == eth_address))
}

/// ExtendVote: the node's Ethereum key signs the pending checkpoints (in
/// `pending_checkpoints` order) whose signature by this validator is not stored yet, up to
/// [`MAX_SIGNATURES_PER_EXTENSION`]. Empty when the key's address is not registered by a
/// validator.
pub fn sign_pending_checkpoints(
    cache: &Cache<'_>,
    key: &SigningKey,
) -> Result<VoteExtension, AppError> {
    let eth_address = signer_address(key);
    let Some(operator) = cache.eth_address_owner(&eth_address)? else {
        debug!(%eth_address, "the node's Ethereum key is not registered: nothing to sign");
        return Ok(VoteExtension::current());
    };
    let mut signatures = Vec::new();
    for checkpoint in pending_checkpoints(cache)? {
        if signatures.len() == MAX_SIGNATURES_PER_EXTENSION {
            break;
        }
        if signature_of(cache, checkpoint.kind, checkpoint.nonce, &operator)?
            .is_some_and(|(stored, _)| stored == eth_address)
        {
            continue;
        }
        match sign_digest(key, &checkpoint.digest) {
            Ok(signature) => signatures.push(ExtensionSignature {
                kind: checkpoint.kind,
                nonce: checkpoint.nonce,
                signature,
            }),
            Err(error) => warn!(kind = checkpoint.kind.name(), nonce = checkpoint.nonce, %error,
                "cannot sign a checkpoint"),
        }
    }
    // Pending checkpoints are distinct and the count is capped: `new` cannot refuse.
    VoteExtension::new(signatures).map_err(|e| AppError::OutOfOrder(format!("own extension: {e}")))
}

/// PrepareProposal: the signatures of the last commit's extensions (votes for the block only)
/// that verify against the state and are not stored yet, as one injected transaction of at most
/// `max_bytes` (`None`: nothing to inject).
pub fn collect_signatures(
    cache: &Cache<'_>,
    votes: &[ExtendedVoteInfo],
    max_bytes: usize,
) -> Result<Option<InjectedSignatures>, AppError> {
    let mut operators: BTreeMap<[u8; ADDRESS_LEN], AccAddress> = BTreeMap::new();
    for operator in cache.validator_set()? {
        if let Some(v) = cache.validator(&operator)? {
            operators.insert(validator_address(&v.consensus_pubkey), operator);
        }
    }
    let mut entries = Vec::new();
    for vote in votes {
        if vote.block_id_flag != BlockIdFlag::Commit as i32 || vote.vote_extension.is_empty() {
            continue;
        }
        let Some(validator) = &vote.validator else { continue };
        let Some(&operator) = operators.get(&validator.address[..]) else {
            debug!(address = %hex::encode(&validator.address), "vote of an unknown validator");
            continue;
        };
        let extension = match VoteExtension::decode(&vote.vote_extension) {
            Ok(extension) => extension,
            Err(error) => {
                debug!(%operator, %error, "PrepareProposal ignores a malformed extension");
                continue;
            }
        };
        for s in extension.signatures() {
            let entry = InjectedSignature {
                operator,
                kind: s.kind,
                nonce: s.nonce,
                signature: s.signature,
            };
            match verify_checkpoint_signature(cache, &entry)? {
                Ok(eth_address) if !already_stored(cache, &entry, &eth_address)? => {
                    entries.push(entry)
                }
                Ok(_) => {}
                Err(refusal) => debug!(%refusal, "PrepareProposal drops a signature"),
            }
        }
    }
    let Some(mut injected) = InjectedSignatures::new(entries) else { return Ok(None) };
    // Fit `max_bytes` (protobuf framing counted by the caller's budget: keep 8 bytes spare).
    let room = max_bytes.saturating_sub(INJECTED_HEADER_LEN + 8) / INJECTED_ENTRY_LEN;
    if room == 0 {
        return Ok(None);
    }
    injected.entries.truncate(room);
    Ok(Some(injected))
}

/// ProcessProposal: `None` when the block's transactions respect the injection rules (at most
/// one injected transaction, first, well-formed, every signature verifying against a pending
/// checkpoint), else why the block must be rejected.
pub fn check_proposal_injection(
    cache: &Cache<'_>,
    txs: &[impl AsRef<[u8]>],
) -> Result<Option<String>, AppError> {
    for (index, tx) in txs.iter().enumerate() {
        let tx = tx.as_ref();
        if !InjectedSignatures::is_injected(tx) {
            continue;
        }
        if index != 0 {
            return Ok(Some(format!("transaction {index} starts with 0xff: only the first may be the injected signatures")));
        }
        let injected = match InjectedSignatures::decode(tx) {
            Ok(injected) => injected,
            Err(error) => return Ok(Some(error.to_string())),
        };
        for entry in injected.entries() {
            if let Err(refusal) = verify_checkpoint_signature(cache, entry)? {
                return Ok(Some(refusal.to_string()));
            }
        }
    }
    Ok(None)
}

/// FinalizeBlock, the injected transaction: stores every signature that verifies and is not
/// stored yet (re-checked: a replayed block skips ProcessProposal), records the signers'
/// height, and returns one `checkpoint_signed {kind, nonce, operator}` event per stored one.
pub fn apply_injected_signatures(
    cache: &mut Cache<'_>,
    tx: &[u8],
    height: u64,
) -> Result<Result<Vec<Event>, InjectedTxError>, AppError> {
    let injected = match InjectedSignatures::decode(tx) {
        Ok(injected) => injected,
        Err(error) => return Ok(Err(error)),
    };
    let mut events = Vec::new();
    for entry in injected.entries() {
        let eth_address = match verify_checkpoint_signature(cache, entry)? {
            Ok(eth_address) => eth_address,
            Err(refusal) => {
                warn!(height, %refusal, "FinalizeBlock skips an injected signature");
                continue;
            }
        };
        if already_stored(cache, entry, &eth_address)? {
            continue;
        }
        store_signature(
            cache,
            entry.kind,
            entry.nonce,
            &entry.operator,
            &eth_address,
            &entry.signature,
        )?;
        record_signed_height(cache, &entry.operator, height);
        events.push(event(
            "checkpoint_signed",
            &[
                ("kind", entry.kind.name().to_owned()),
                ("nonce", entry.nonce.to_string()),
                ("operator", entry.operator.to_valoper().to_bech32()),
            ],
        ));
    }
    Ok(Ok(events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use peg_types::B256;

    fn sig(byte: u8, v: u8) -> EthSignature {
        EthSignature { r: B256::repeat_byte(byte), s: B256::repeat_byte(byte), v }
    }

    fn ext_sig(kind: CheckpointKind, nonce: u64) -> ExtensionSignature {
        ExtensionSignature { kind, nonce, signature: sig(nonce as u8, 27 + (nonce % 2) as u8) }
    }

    #[test]
    fn empty_extensions_round_trip() {
        let ext = VoteExtension::current();
        assert_eq!(ext.encode(), vec![2, 0, 0, 0, 1, 0]);
        assert_eq!(VoteExtension::decode(&ext.encode()), Ok(ext));
        let v1 = VoteExtension::decode(&[1, 0, 0, 0, 0]).expect("version 1 decodes");
        assert_eq!(v1.version(), 1);
        assert!(v1.signatures().is_empty());
        assert_eq!(v1.encode(), vec![1, 0, 0, 0, 0]);
    }

    #[test]
    fn full_extension_round_trips_within_bounds() {
        let signatures: Vec<_> = (0..MAX_SIGNATURES_PER_EXTENSION as u64)
            .map(|n| {
                ext_sig(if n % 3 == 0 { CheckpointKind::Valset } else { CheckpointKind::Batch }, n)
            })
            .collect();
        let ext = VoteExtension::new(signatures.clone()).expect("within bounds");
        let bytes = ext.encode();
        assert_eq!(bytes.len(), HEADER_LEN + 1 + 32 * EXTENSION_ENTRY_LEN);
        assert!(bytes.len() <= MAX_VOTE_EXTENSION_LEN);
        assert_eq!(VoteExtension::decode(&bytes), Ok(ext));
        let mut more = signatures;
        more.push(ext_sig(CheckpointKind::Batch, 1000));
        assert!(matches!(
            VoteExtension::new(more),
            Err(VoteExtensionError::TooManySignatures { got: 33, .. })
        ));
    }

    #[test]
    fn malformed_extensions_are_refused() {
        let one = VoteExtension::new(vec![ext_sig(CheckpointKind::Batch, 7)]).expect("valid");
        let good = one.encode();
        let check = |bytes: &[u8]| VoteExtension::decode(bytes);
        assert!(matches!(check(&[]), Err(VoteExtensionError::TooShort { .. })));
        assert!(matches!(
            check(&[3, 0, 0, 0, 0]),
            Err(VoteExtensionError::UnknownVersion { got: 3, .. })
        ));
        assert!(matches!(check(&[1, 0, 0, 0, 1]), Err(VoteExtensionError::LengthMismatch { .. })));
        assert!(matches!(
            check(&[1, 0, 0, 0, 1, 7]),
            Err(VoteExtensionError::UnexpectedPayload { got: 1 })
        ));
        assert!(matches!(check(&[2, 0, 0, 0, 0]), Err(VoteExtensionError::MissingCount)));
        assert!(matches!(
            check(&[2, 0, 0, 0, 1, 33]),
            Err(VoteExtensionError::TooManySignatures { got: 33, .. })
        ));
        assert!(matches!(
            check(&[2, 0, 0, 0, 1, 1]),
            Err(VoteExtensionError::PayloadLength { .. })
        ));
        assert!(matches!(
            check(&vec![2; MAX_VOTE_EXTENSION_LEN + 1]),
            Err(VoteExtensionError::TooLong { .. })
        ));
        let mut bad_kind = good.clone();
        bad_kind[6] = 3;
        assert_eq!(check(&bad_kind), Err(VoteExtensionError::UnknownKind { index: 0, got: 3 }));
        let mut bad_v = good.clone();
        let last = bad_v.len() - 1;
        bad_v[last] = 29;
        assert_eq!(check(&bad_v), Err(VoteExtensionError::BadRecoveryId { index: 0, got: 29 }));
        let twice = [&good[..], &good[6..]].concat();
        let mut twice = twice;
        twice[5] = 2;
        twice[4] = (1 + 2 * EXTENSION_ENTRY_LEN) as u8;
        assert!(matches!(
            check(&twice),
            Err(VoteExtensionError::DuplicateCheckpoint { nonce: 7, .. })
        ));
    }

    fn injected(operator: u8, kind: CheckpointKind, nonce: u64) -> InjectedSignature {
        InjectedSignature {
            operator: AccAddress::new([operator; 20]),
            kind,
            nonce,
            signature: sig(operator, 28),
        }
    }

    #[test]
    fn injected_tx_sorts_dedups_and_round_trips() {
        let entries = vec![
            injected(3, CheckpointKind::Batch, 2),
            injected(1, CheckpointKind::Batch, 2),
            injected(9, CheckpointKind::Valset, 5),
            injected(1, CheckpointKind::Batch, 2),
            injected(2, CheckpointKind::Batch, 1),
        ];
        let tx = InjectedSignatures::new(entries).expect("not empty");
        let order: Vec<_> =
            tx.entries().iter().map(|e| (e.kind, e.nonce, e.operator.as_bytes()[0])).collect();
        assert_eq!(
            order,
            vec![
                (CheckpointKind::Valset, 5, 9),
                (CheckpointKind::Batch, 1, 2),
                (CheckpointKind::Batch, 2, 1),
                (CheckpointKind::Batch, 2, 3),
            ]
        );
        let bytes = tx.encode();
        assert_eq!(bytes.len(), InjectedSignatures::encoded_len(4));
        assert!(InjectedSignatures::is_injected(&bytes));
        assert_eq!(InjectedSignatures::decode(&bytes), Ok(tx));
        assert_eq!(InjectedSignatures::new(Vec::new()), None);
    }

    #[test]
    fn malformed_injected_txs_are_refused() {
        let tx = InjectedSignatures::new(vec![
            injected(1, CheckpointKind::Batch, 2),
            injected(2, CheckpointKind::Batch, 2),
        ])
        .expect("not empty")
        .encode();
        let check = |b: &[u8]| InjectedSignatures::decode(b);
        assert!(matches!(check(&tx[..5]), Err(InjectedTxError::TooShort { .. })));
        assert_eq!(check(b"\xffPEGSIGX\x01\x00\x01"), Err(InjectedTxError::BadMagic));
        assert_eq!(check(b"\xffPEGSIGS\x02\x00\x01"), Err(InjectedTxError::BadMagic));
        assert_eq!(check(b"\xffPEGSIGS\x01\x00\x00"), Err(InjectedTxError::Empty));
        assert!(matches!(
            check(b"\xffPEGSIGS\x01\x10\x01"),
            Err(InjectedTxError::TooManySignatures { got: 4097, .. })
        ));
        assert!(matches!(check(&tx[..tx.len() - 1]), Err(InjectedTxError::Length { .. })));
        // Swapped entries: out of order.
        let (head, body) = tx.split_at(INJECTED_HEADER_LEN);
        let swapped = [head, &body[INJECTED_ENTRY_LEN..], &body[..INJECTED_ENTRY_LEN]].concat();
        assert_eq!(check(&swapped), Err(InjectedTxError::NotSorted { index: 1 }));
        // A duplicate: not strictly ascending.
        let dup = [head, &body[..INJECTED_ENTRY_LEN], &body[..INJECTED_ENTRY_LEN]].concat();
        assert_eq!(check(&dup), Err(InjectedTxError::NotSorted { index: 1 }));
        let mut bad_kind = tx.clone();
        bad_kind[INJECTED_HEADER_LEN + 20] = 0;
        assert_eq!(check(&bad_kind), Err(InjectedTxError::UnknownKind { index: 0, got: 0 }));
        let mut bad_v = tx.clone();
        bad_v[INJECTED_HEADER_LEN + INJECTED_ENTRY_LEN - 1] = 0;
        assert_eq!(check(&bad_v), Err(InjectedTxError::BadRecoveryId { index: 0, got: 0 }));
    }

    #[test]
    fn every_short_input_is_handled() {
        for len in 0..96usize {
            for byte in [0u8, 1, 2, 0xff] {
                let bytes = vec![byte; len];
                let _ = VoteExtension::decode(&bytes);
                assert!(InjectedSignatures::decode(&bytes).is_err());
            }
        }
    }
}
