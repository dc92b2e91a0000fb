//! The one error type of the execution side ([`ExecutionError`]).
//!
//! Every variant names the check that failed; mismatches carry `{ got, expected }`. No function of
//! [`crate::execution`] panics on any input: every rejection is one of these.

use alloy_primitives::B256;

/// Why an execution-layer header chain, receipt, receipt proof or JSON-RPC object was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    // ---------------------------------------------------------------- RLP
    /// The bytes are not valid canonical RLP where `context` expected it.
    #[error("malformed RLP in {context}: {source}")]
    Rlp {
        /// What was being decoded (e.g. `"header"`, `"receipt"`, `"proof node 2"`).
        context: &'static str,
        /// The decoder's reason.
        #[source]
        source: alloy_rlp::Error,
    },
    /// An RLP item was followed by bytes that belong to no item.
    #[error("{context}: {got} trailing bytes after the RLP item")]
    TrailingBytes {
        /// What was being decoded.
        context: &'static str,
        /// How many bytes were left over.
        got: usize,
    },
    /// An RLP item was a string where a list was required.
    #[error("{context}: expected an RLP list, got a string")]
    ExpectedList {
        /// What was being decoded.
        context: &'static str,
    },
    /// An RLP item was a list where a string was required.
    #[error("{context}: expected an RLP string, got a list")]
    ExpectedString {
        /// What was being decoded.
        context: &'static str,
    },
    /// A fixed-size field (hash, address, bloom) had the wrong length.
    #[error("{field}: got {got} bytes, expected {expected}")]
    FieldLength {
        /// The field.
        field: &'static str,
        /// Length found.
        got: usize,
        /// Length required.
        expected: usize,
    },
    /// An integer field was not a canonical big-endian integer that fits its type.
    #[error("{field}: not a canonical integer of at most {max_bytes} bytes")]
    InvalidInteger {
        /// The field.
        field: &'static str,
        /// The widest accepted encoding.
        max_bytes: usize,
    },

    // ---------------------------------------------------------------- headers
    /// A header's RLP is longer than any plausible header.
    #[error("header {index}: {got} bytes, at most {max} accepted")]
    HeaderTooLarge {
        /// Position of the header in the chain (0 = newest).
        index: usize,
        /// Its length.
        got: usize,
        /// The bound, [`crate::execution::MAX_HEADER_BYTES`].
        max: usize,
    },
    /// A header list has fewer fields than the oldest (Frontier) header format.
    #[error("header: {got} fields, at least {min} required")]
    HeaderFieldCount {
        /// Number of fields found.
        got: usize,
        /// Minimum number of fields.
        min: usize,
    },
    /// A header chain with no header.
    #[error("empty header chain")]
    EmptyHeaderChain,
    /// A header chain longer than the accepted bound.
    #[error("header chain of {got} headers, at most {max} accepted")]
    HeaderChainTooLong {
        /// Its length.
        got: usize,
        /// The bound, [`crate::execution::MAX_HEADER_CHAIN_LENGTH`].
        max: usize,
    },
    /// `keccak256(rlp(header))` of the first (newest) header is not the trusted block hash.
    #[error("header hash mismatch: got {got}, expected {expected}")]
    HeaderHashMismatch {
        /// keccak256 of the header supplied.
        got: B256,
        /// The trusted (or claimed) block hash.
        expected: B256,
    },
    /// Header `index` does not hash to the parent hash of header `index - 1`.
    #[error("header {index} is not the parent of header {}: hash {got}, parent hash {expected}", index - 1)]
    ParentHashMismatch {
        /// Position of the offending header in the chain (0 = newest; always ≥ 1 here).
        index: usize,
        /// keccak256 of header `index`.
        got: B256,
        /// The `parent_hash` field of header `index - 1`.
        expected: B256,
    },
    /// Header `index` does not carry the number one below its child's.
    #[error("header {index}: block number {got}, expected {expected}")]
    BlockNumberMismatch {
        /// Position of the offending header (0 = newest).
        index: usize,
        /// Its number.
        got: u64,
        /// Its child's number minus one.
        expected: u64,
    },
    /// Header `index` is not strictly older than its child.
    #[error("header {index}: timestamp {got} is not below its child's {child}")]
    TimestampNotIncreasing {
        /// Position of the offending header (0 = newest).
        index: usize,
        /// Its timestamp.
        got: u64,
        /// Its child's timestamp.
        child: u64,
    },
    /// A full header has a fork field without one of the fields every earlier fork added.
    #[error("header field {field} is present but the earlier field {missing} is not")]
    HeaderFieldGap {
        /// The later field present.
        field: &'static str,
        /// The earlier field missing.
        missing: &'static str,
    },
    /// A full header has more fields than the newest fork this crate can type (Prague).
    #[error("header: {got} fields, at most {max} can be typed (Prague)")]
    UnknownHeaderFields {
        /// Number of fields found.
        got: usize,
        /// Fields of the newest supported header.
        max: usize,
    },

    // ---------------------------------------------------------------- receipts
    /// A typed receipt whose type byte is not 1, 2, 3 or 4.
    #[error("unsupported receipt type {0:#04x}")]
    UnsupportedReceiptType(u8),
    /// A receipt body list does not have exactly four fields.
    #[error("receipt: {got} fields, expected {expected}")]
    ReceiptFieldCount {
        /// Number of fields found.
        got: usize,
        /// Always 4: outcome, cumulative gas, bloom, logs.
        expected: usize,
    },
    /// The first receipt field is neither a status (`0x`/`0x01`) nor a 32-byte state root.
    #[error(
        "receipt: status/post-state field of {len} bytes is neither a status nor a state root"
    )]
    InvalidReceiptOutcome {
        /// Its length in bytes.
        len: usize,
    },
    /// A typed (EIP-2718, post-Byzantium) receipt that carries a post-transaction state root.
    #[error("typed receipt (type {tx_type}) carries a pre-Byzantium state root")]
    PostStateInTypedReceipt {
        /// The type byte.
        tx_type: u8,
    },
    /// A log entry is not `[address, [topics…], data]`.
    #[error("log {index}: {got} fields, expected 3")]
    LogFieldCount {
        /// Position of the log in its receipt.
        index: usize,
        /// Number of fields found.
        got: usize,
    },
    /// A log index beyond the receipt's logs.
    #[error("log index {index} out of range: the receipt has {count} logs")]
    LogIndexOutOfRange {
        /// Index asked for.
        index: usize,
        /// Number of logs.
        count: usize,
    },
    /// A receipt index beyond the block's receipts (proof generation).
    #[error("receipt index {index} out of range: the block has {count} receipts")]
    ReceiptIndexOutOfRange {
        /// Index asked for.
        index: u64,
        /// Number of receipts.
        count: usize,
    },

    // ---------------------------------------------------------------- Merkle-Patricia proofs
    /// A proof with no node.
    #[error("empty Merkle-Patricia proof")]
    EmptyProof,
    /// A proof with more nodes than the key could ever traverse.
    #[error("Merkle-Patricia proof of {got} nodes, at most {max} accepted")]
    ProofTooLong {
        /// Number of nodes.
        got: usize,
        /// The bound.
        max: usize,
    },
    /// Proof node `index` does not hash to the reference its parent (or the root) holds.
    #[error("proof node {index}: hash {got}, expected {expected}")]
    ProofNodeHashMismatch {
        /// Position of the node in the proof (0 = root).
        index: usize,
        /// keccak256 of the node supplied.
        got: B256,
        /// The root, or the reference held by the parent node.
        expected: B256,
    },
    /// Proof node `index` is not a valid trie node (wrong item count, bad path encoding, …).
    #[error("proof node {index}: {reason}")]
    MalformedProofNode {
        /// Position of the node in the proof (0 = root) holding the bad item.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The proof ended before reaching the key's value.
    #[error("proof ended after {nodes} nodes before reaching the value")]
    IncompleteProof {
        /// Number of nodes consumed.
        nodes: usize,
    },
    /// The proof shows that the key is not in the trie (a proof of absence): rejected, we only accept
    /// inclusion.
    #[error("the trie holds no value under key {key} (proof of absence)")]
    KeyNotInTrie {
        /// The key, hex.
        key: String,
    },
    /// Nodes left after the value was reached (extra or trailing nodes).
    #[error("proof has {total} nodes but the value was reached after {used}")]
    UnusedProofNodes {
        /// Nodes consumed.
        used: usize,
        /// Nodes supplied.
        total: usize,
    },

    // ---------------------------------------------------------------- state proofs
    /// A state-trie account value is not the four-item list `[nonce, balance, storageRoot,
    /// codeHash]`.
    #[error("account: {got} fields, expected 4 (nonce, balance, storage root, code hash)")]
    AccountFieldCount {
        /// Number of fields found.
        got: usize,
    },

    // ---------------------------------------------------------------- JSON-RPC objects
    /// A JSON-RPC object could not be read.
    #[error("JSON-RPC {context}: {reason}")]
    Json {
        /// What was being read (`"block"`, `"receipt 3"`).
        context: String,
        /// The reason.
        reason: String,
    },
    /// A JSON-RPC receipt list is not ordered by transaction index.
    #[error("receipt at position {position} has transactionIndex {got}")]
    ReceiptIndexMismatch {
        /// Position in the list.
        position: usize,
        /// Its `transactionIndex`.
        got: u64,
    },
}

impl ExecutionError {
    /// Wraps an `alloy_rlp` error with the context it occurred in.
    pub(crate) fn rlp(context: &'static str) -> impl FnOnce(alloy_rlp::Error) -> Self {
        move |source| Self::Rlp { context, source }
    }
}
