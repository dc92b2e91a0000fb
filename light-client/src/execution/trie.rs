//! Merkle-Patricia tries: inclusion-proof verification, and an ordered-trie builder that computes
//! roots and generates proofs (Yellow Paper appendix D, "Modified Merkle Patricia Tree").
//!
//! Nodes are RLP lists: a branch has 17 items (16 child references and a value), a leaf or an
//! extension has 2 (a hex-prefix encoded path, then the value or the child reference). A child
//! reference is either `keccak256(node)` as a 32-byte string, or, when the child's RLP is shorter than
//! 32 bytes, the child node itself inlined as a list. The root is always referenced by hash.
//!
//! Proof format (as `eth_getProof` and geth's `trie.Prove`): the nodes on the path from the root to
//! the value, root first, each node referenced **by hash** by its parent. Inline nodes are never
//! separate proof elements: they are read inside their parent. Anything else (an extra node, a node
//! out of order, a truncated proof, a proof of absence) is rejected.

use alloy_primitives::{keccak256, B256};

use super::error::ExecutionError;
use super::rlp::{list_items, put_list_header, put_string, Item};

/// The most nodes an inclusion proof may carry. A receipts-trie key (`rlp(u64)`) is at most 9 bytes,
/// 18 nibbles, so a path has at most 19 nodes; the bound is generous for other tries' 32-byte keys
/// (65 nodes at most) too.
pub const MAX_PROOF_NODES: usize = 66;

/// `keccak256(rlp(""))`: the root of an empty trie.
pub const EMPTY_TRIE_ROOT: B256 = alloy_trie::EMPTY_ROOT_HASH;

/// How a parent refers to the next node.
#[derive(Clone, Copy)]
enum NodeRef<'a> {
    /// By hash: the next proof element must hash to it.
    Hash(B256),
    /// Inline: the node's RLP itself, read from within the parent (`parent` is its proof index).
    Inline { rlp: &'a [u8], parent: usize },
}

/// Unpacks bytes into nibbles, high nibble first.
fn nibbles(key: &[u8]) -> Vec<u8> {
    key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect()
}

/// Decodes a hex-prefix (compact) path (Yellow Paper appendix C): `(is_leaf, nibbles)`.
fn decode_path(encoded: &[u8], index: usize) -> Result<(bool, Vec<u8>), ExecutionError> {
    let malformed = |reason| ExecutionError::MalformedProofNode { index, reason };
    let (&first, rest) = encoded.split_first().ok_or(malformed("empty hex-prefix path"))?;
    let flag = first >> 4;
    let is_leaf = flag & 2 != 0;
    if flag > 3 {
        return Err(malformed("hex-prefix path flag above 3"));
    }
    let mut path = Vec::with_capacity(rest.len() * 2 + 1);
    if flag & 1 == 1 {
        path.push(first & 0x0f);
    } else if first & 0x0f != 0 {
        return Err(malformed("even hex-prefix path with a non-zero padding nibble"));
    }
    path.extend(nibbles(rest));
    Ok((is_leaf, path))
}

/// Reads a child reference out of a branch slot or an extension.
fn child_ref<'a>(item: Item<'a>, index: usize) -> Result<Option<NodeRef<'a>>, ExecutionError> {
    let malformed = |reason| ExecutionError::MalformedProofNode { index, reason };
    if item.is_list {
        if item.raw.len() >= 32 {
            return Err(malformed("inline child node of 32 bytes or more (must be hashed)"));
        }
        return Ok(Some(NodeRef::Inline { rlp: item.raw, parent: index }));
    }
    match item.payload.len() {
        0 => Ok(None),
        32 => Ok(Some(NodeRef::Hash(B256::from_slice(item.payload)))),
        _ => Err(malformed("child reference is neither empty, a 32-byte hash nor an inline node")),
    }
}

/// Verifies a Merkle-Patricia inclusion proof of `key` against `root` and returns the value.
///
/// `proof` holds the hashed nodes from the root down (see the module documentation). The value
/// returned borrows from the proof. Rejected: an empty or over-long proof, a node whose hash is not
/// the reference its parent holds, a malformed node, a path that diverges from the key or ends on an
/// empty slot (a proof of absence), a proof that stops early, and nodes left over after the value.
pub fn verify_proof<'a, N: AsRef<[u8]>>(
    root: B256,
    key: &[u8],
    proof: &'a [N],
) -> Result<&'a [u8], ExecutionError> {
    match walk(root, key, proof)? {
        (Some(value), _) => Ok(value),
        // A proof of absence, whether or not nodes are left over: rejected either way.
        (None, _) => {
            Err(ExecutionError::KeyNotInTrie { key: alloy_primitives::hex::encode_prefixed(key) })
        }
    }
}

/// Verifies a Merkle-Patricia proof of `key` against `root`: `Some(value)` for an inclusion proof,
/// `None` for a proof of absence (the path from the root diverges from the key, or ends on an
/// empty slot). State and storage proofs (`eth_getProof`) need both answers: an account that does
/// not exist and a storage slot holding zero are proven by absence.
///
/// The empty trie ([`EMPTY_TRIE_ROOT`]) holds nothing: its proof is empty or the single node
/// `rlp("")` (`0x80`), and the answer is `None`. Every other rule is [`verify_proof`]'s: each node
/// hashes to its parent's reference, and no node may be left over once the answer is reached.
pub fn verify_proof_or_absence<'a, N: AsRef<[u8]>>(
    root: B256,
    key: &[u8],
    proof: &'a [N],
) -> Result<Option<&'a [u8]>, ExecutionError> {
    if root == EMPTY_TRIE_ROOT {
        return match proof {
            [] => Ok(None),
            [node] if node.as_ref() == [alloy_rlp::EMPTY_STRING_CODE].as_slice() => Ok(None),
            _ => Err(ExecutionError::UnusedProofNodes { used: 0, total: proof.len() }),
        };
    }
    match walk(root, key, proof)? {
        (None, used) if used != proof.len() => {
            Err(ExecutionError::UnusedProofNodes { used, total: proof.len() })
        }
        (answer, _) => Ok(answer),
    }
}

/// Walks `proof` along `key` from `root`: the value (`None`: the path proves absence) and the
/// number of proof nodes consumed. An inclusion with nodes left over is refused here; an absence
/// is returned with its count so that each caller applies its own rule.
fn walk<'a, N: AsRef<[u8]>>(
    root: B256,
    key: &[u8],
    proof: &'a [N],
) -> Result<(Option<&'a [u8]>, usize), ExecutionError> {
    if proof.is_empty() {
        return Err(ExecutionError::EmptyProof);
    }
    if proof.len() > MAX_PROOF_NODES {
        return Err(ExecutionError::ProofTooLong { got: proof.len(), max: MAX_PROOF_NODES });
    }
    let key = nibbles(key);
    let mut position = 0usize; // nibbles of the key consumed
    let mut used = 0usize; // proof elements consumed
    let mut next = NodeRef::Hash(root);
    // Every iteration consumes at least one key nibble or returns, so this terminates.
    loop {
        let (node, index) = match next {
            NodeRef::Hash(expected) => {
                let node =
                    proof.get(used).ok_or(ExecutionError::IncompleteProof { nodes: used })?;
                let node = node.as_ref();
                let got = keccak256(node);
                if got != expected {
                    return Err(ExecutionError::ProofNodeHashMismatch {
                        index: used,
                        got,
                        expected,
                    });
                }
                used += 1;
                (node, used - 1)
            }
            NodeRef::Inline { rlp, parent } => (rlp, parent),
        };
        let malformed = |reason| ExecutionError::MalformedProofNode { index, reason };
        let payload = Item::exact(node, "proof node")?.list("proof node")?;
        let items = list_items(payload, "proof node item")?;
        let value = match items.as_slice() {
            [slots @ .., value] if slots.len() == 16 => match key.get(position) {
                None => Some(value.string("branch value")?),
                Some(&nibble) => {
                    let slot = slots.get(usize::from(nibble)).ok_or(malformed("nibble"))?;
                    position += 1;
                    match child_ref(*slot, index)? {
                        Some(child) => next = child,
                        None => return Ok((None, used)),
                    }
                    None
                }
            },
            [path, rest] => {
                let (is_leaf, path) = decode_path(path.string("node path")?, index)?;
                let remaining = key.get(position..).unwrap_or_default();
                if is_leaf {
                    if remaining != path.as_slice() {
                        return Ok((None, used));
                    }
                    Some(rest.string("leaf value")?)
                } else {
                    if path.is_empty() {
                        return Err(malformed("extension with an empty path"));
                    }
                    if !remaining.starts_with(&path) {
                        return Ok((None, used));
                    }
                    position += path.len();
                    next =
                        child_ref(*rest, index)?.ok_or(malformed("extension without a child"))?;
                    None
                }
            }
            _ => {
                return Err(malformed(
                    "node is neither a 17-item branch nor a 2-item leaf/extension",
                ))
            }
        };
        if let Some(value) = value {
            if value.is_empty() {
                return Ok((None, used));
            }
            if used != proof.len() {
                return Err(ExecutionError::UnusedProofNodes { used, total: proof.len() });
            }
            return Ok((Some(value), used));
        }
    }
}

/// The trie key of the item at `index` in an ordered trie (transactions, receipts, withdrawals):
/// `rlp(index)`.
pub fn ordered_trie_key(index: u64) -> Vec<u8> {
    alloy_rlp::encode(index)
}

/// The root of the ordered trie of already-encoded values (keys `rlp(0)`, `rlp(1)`, …), computed with
/// `alloy_trie`'s `HashBuilder`.
pub fn ordered_trie_root<V: AsRef<[u8]>>(values: &[V]) -> B256 {
    alloy_trie::root::ordered_trie_root_with_encoder(values, |v, out| {
        out.extend_from_slice(v.as_ref());
    })
}

/// An ordered trie (keys `rlp(0)`, `rlp(1)`, …) built in memory to generate inclusion proofs.
///
/// This is an independent implementation from [`ordered_trie_root`]'s (which uses `alloy_trie`);
/// the tests check that both give the same root on real blocks and synthetic lists.
#[derive(Debug, Clone)]
pub struct OrderedTrie {
    /// (key nibbles, value), sorted by key.
    entries: Vec<(Vec<u8>, Vec<u8>)>,
}

impl OrderedTrie {
    /// Builds the trie of `values` (already encoded), item `i` under key `rlp(i)`.
    pub fn new(values: Vec<Vec<u8>>) -> Self {
        let mut entries: Vec<(Vec<u8>, Vec<u8>)> =
            (0u64..).zip(values).map(|(i, value)| (nibbles(&ordered_trie_key(i)), value)).collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self { entries }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the trie holds no item.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The root hash.
    pub fn root(&self) -> B256 {
        let mut sink = Vec::new();
        keccak256(build(&self.entries, 0, None, &mut sink))
    }

    /// The inclusion proof of item `index`: the hashed nodes from the root down.
    pub fn proof(&self, index: u64) -> Result<Vec<Vec<u8>>, ExecutionError> {
        if usize::try_from(index).map_or(true, |i| i >= self.entries.len()) {
            return Err(ExecutionError::ReceiptIndexOutOfRange {
                index,
                count: self.entries.len(),
            });
        }
        let target = nibbles(&ordered_trie_key(index));
        let mut proof = Vec::new();
        build(&self.entries, 0, Some(&target), &mut proof);
        proof.reverse();
        Ok(proof)
    }
}

/// The RLP of the node holding `entries` (all sharing their first `depth` nibbles). When `target` is
/// under this node, the node (if referenced by hash, or the root) is appended to `proof` after its
/// descendants on the path.
fn build(
    entries: &[(Vec<u8>, Vec<u8>)],
    depth: usize,
    target: Option<&[u8]>,
    proof: &mut Vec<Vec<u8>>,
) -> Vec<u8> {
    let node = match entries {
        [] => vec![alloy_rlp::EMPTY_STRING_CODE],
        [(key, value)] => {
            let path = encode_path(key.get(depth..).unwrap_or_default(), true);
            let mut payload = Vec::with_capacity(path.len() + value.len() + 12);
            put_string(&path, &mut payload);
            put_string(value, &mut payload);
            list(&payload)
        }
        [(first, _), .., (last, _)] => {
            // Entries are sorted: the prefix shared by the first and last is shared by all.
            let shared =
                first.iter().zip(last.iter()).skip(depth).take_while(|(a, b)| a == b).count();
            if shared > 0 {
                let path = first.get(depth..depth + shared).unwrap_or_default();
                let child_target = target.filter(|t| t.get(depth..depth + shared) == Some(path));
                let child = build_branch(entries, depth + shared, child_target, proof);
                if child_target.is_some() && child.len() >= 32 {
                    proof.push(child.clone());
                }
                let mut payload = Vec::with_capacity(child.len() + path.len() + 4);
                put_string(&encode_path(path, false), &mut payload);
                put_child(&child, &mut payload);
                list(&payload)
            } else {
                build_branch(entries, depth, target, proof)
            }
        }
    };
    if target.is_some() && (depth == 0 || node.len() >= 32) {
        proof.push(node.clone());
    }
    node
}

/// A branch node at `depth` (entries share `depth` nibbles and at least two differ after it). The
/// caller records the branch itself in `proof`; its descendants on the path are recorded here.
fn build_branch(
    entries: &[(Vec<u8>, Vec<u8>)],
    depth: usize,
    target: Option<&[u8]>,
    proof: &mut Vec<Vec<u8>>,
) -> Vec<u8> {
    let mut payload = Vec::new();
    // A key ending here (sorted first) is the branch's value.
    let (value, mut rest) = match entries.split_first() {
        Some((first, rest)) if first.0.len() == depth => (Some(first.1.as_slice()), rest),
        _ => (None, entries),
    };
    for nibble in 0u8..16 {
        let count = rest.iter().take_while(|(k, _)| k.get(depth) == Some(&nibble)).count();
        let (group, after) = rest.split_at(count);
        rest = after;
        if group.is_empty() {
            payload.push(alloy_rlp::EMPTY_STRING_CODE);
            continue;
        }
        let child_target = target.filter(|t| t.get(depth) == Some(&nibble));
        let child = build(group, depth + 1, child_target, proof);
        put_child(&child, &mut payload);
    }
    match value {
        Some(value) => put_string(value, &mut payload),
        None => payload.push(alloy_rlp::EMPTY_STRING_CODE),
    }
    list(&payload)
}

/// Appends a child reference: the node inline when shorter than 32 bytes, else its hash.
fn put_child(child: &[u8], out: &mut Vec<u8>) {
    if child.len() < 32 {
        out.extend_from_slice(child);
    } else {
        put_string(keccak256(child).as_slice(), out);
    }
}

fn list(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 9);
    put_list_header(payload.len(), &mut out);
    out.extend_from_slice(payload);
    out
}

/// Hex-prefix encoding of a path (Yellow Paper appendix C).
fn encode_path(path: &[u8], is_leaf: bool) -> Vec<u8> {
    let flag = if is_leaf { 2u8 } else { 0 };
    let mut out = Vec::with_capacity(path.len() / 2 + 1);
    let mut rest = path;
    if let Some((&first, tail)) = path.split_first().filter(|_| path.len() % 2 == 1) {
        out.push(((flag | 1) << 4) | first);
        rest = tail;
    } else {
        out.push(flag << 4);
    }
    for pair in rest.chunks(2) {
        let hi = pair.first().copied().unwrap_or(0);
        let lo = pair.get(1).copied().unwrap_or(0);
        out.push((hi << 4) | lo);
    }
    out
}
