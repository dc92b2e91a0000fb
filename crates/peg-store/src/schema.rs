//! On-disk layout: the redb tables and the byte encodings of their keys and values.
//!
//! All integers in keys are big-endian so that redb's byte order is the numeric order (range
//! scans by version). See `specs/state-store.md` §3.

use jmt::storage::{NibblePath, Node, NodeKey};
use jmt::KeyHash;
use redb::TableDefinition;

use crate::error::StoreError;
use crate::Version;

/// Format marker stored under [`META_FORMAT`]; bump on any incompatible layout change.
pub(crate) const FORMAT: &str = "peg-store/jmt-sha256-redb/v1";

/// `&str` → bytes: format marker and version bounds.
pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("peg_store_meta");
/// Meta key of the format marker.
pub(crate) const META_FORMAT: &str = "format";
/// Meta key of the latest committed version (u64 BE).
pub(crate) const META_LATEST: &str = "latest_version";
/// Meta key of the oldest retained version (u64 BE).
pub(crate) const META_OLDEST: &str = "oldest_version";

/// `borsh(NodeKey)` → `borsh(Node)`: the tree nodes.
pub(crate) const NODES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("jmt_nodes");
/// `key_hash (32) ‖ version (8 BE)` → `0x00` (deleted) or `0x01 ‖ value`.
pub(crate) const VALUES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("jmt_values");
/// `key_hash (32)` → key preimage (needed for ICS23 proofs, which carry raw keys).
pub(crate) const PREIMAGES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("key_preimages");
/// `stale_since_version (8 BE) ‖ borsh(NodeKey)` → (): nodes no version ≥ stale_since uses.
pub(crate) const STALE_NODES: TableDefinition<&[u8], ()> = TableDefinition::new("stale_nodes");
/// `stale_since_version (8 BE) ‖ key_hash (32) ‖ version (8 BE)` → (): superseded values.
pub(crate) const STALE_VALUES: TableDefinition<&[u8], ()> = TableDefinition::new("stale_values");
/// version → root hash (32 bytes) of that version.
pub(crate) const ROOTS: TableDefinition<u64, &[u8]> = TableDefinition::new("roots");

/// Tag byte of a deleted value (tombstone).
pub(crate) const TOMBSTONE: u8 = 0;
/// Tag byte of a present value.
pub(crate) const PRESENT: u8 = 1;

/// The key of the root node of `version` (empty nibble path). The jmt crate keeps its
/// constructor private; the empty path is built from its borsh form (`num_nibbles: u64 = 0`,
/// `bytes: Vec<u8> = []`).
pub(crate) fn root_node_key(version: Version) -> Result<NodeKey, StoreError> {
    let empty: NibblePath = borsh::from_slice(&[0u8; 12]).map_err(|e| StoreError::Corrupt {
        what: format!("cannot build the empty nibble path: {e}"),
    })?;
    Ok(NodeKey::new(version, empty))
}

/// `borsh(NodeKey)`: deterministic, and only ever compared for equality.
pub(crate) fn encode_node_key(key: &NodeKey) -> Result<Vec<u8>, StoreError> {
    borsh::to_vec(key)
        .map_err(|e| StoreError::Corrupt { what: format!("cannot encode node key {key:?}: {e}") })
}

/// `borsh(Node)`.
pub(crate) fn encode_node(node: &Node) -> Result<Vec<u8>, StoreError> {
    borsh::to_vec(node)
        .map_err(|e| StoreError::Corrupt { what: format!("cannot encode node: {e}") })
}

/// Decodes a node record; a failure means a corrupt file.
pub(crate) fn decode_node(bytes: &[u8]) -> Result<Node, StoreError> {
    borsh::from_slice(bytes)
        .map_err(|e| StoreError::Corrupt { what: format!("tree node record does not decode: {e}") })
}

/// `key_hash ‖ version BE`.
pub(crate) fn value_key(key_hash: &KeyHash, version: Version) -> [u8; 40] {
    let mut out = [0u8; 40];
    out[..32].copy_from_slice(&key_hash.0);
    out[32..].copy_from_slice(&version.to_be_bytes());
    out
}

/// Splits a [`VALUES`] key back into its version (the key hash is known to the caller).
pub(crate) fn value_key_version(bytes: &[u8]) -> Result<Version, StoreError> {
    bytes.get(32..40).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_be_bytes).ok_or_else(
        || StoreError::Corrupt { what: format!("value key of {} bytes, expected 40", bytes.len()) },
    )
}

/// Decodes a [`VALUES`] record: `None` for a tombstone.
pub(crate) fn decode_value(bytes: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    match bytes.split_first() {
        Some((&TOMBSTONE, [])) => Ok(None),
        Some((&PRESENT, value)) if !value.is_empty() => Ok(Some(value.to_vec())),
        _ => Err(StoreError::Corrupt {
            what: format!("value record with bad tag or length ({} bytes)", bytes.len()),
        }),
    }
}

/// `0x01 ‖ value`.
pub(crate) fn encode_value(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + value.len());
    out.push(PRESENT);
    out.extend_from_slice(value);
    out
}

/// `stale_since BE ‖ encoded node key`.
pub(crate) fn stale_node_key(stale_since: Version, node_key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + node_key.len());
    out.extend_from_slice(&stale_since.to_be_bytes());
    out.extend_from_slice(node_key);
    out
}

/// `stale_since BE ‖ key_hash ‖ version BE`.
pub(crate) fn stale_value_key(
    stale_since: Version,
    key_hash: &KeyHash,
    version: Version,
) -> [u8; 48] {
    let mut out = [0u8; 48];
    out[..8].copy_from_slice(&stale_since.to_be_bytes());
    out[8..].copy_from_slice(&value_key(key_hash, version));
    out
}

/// Decodes a big-endian u64 meta record.
pub(crate) fn decode_u64(what: &str, bytes: &[u8]) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(bytes).map(u64::from_be_bytes).map_err(|_| StoreError::Corrupt {
        what: format!("{what}: {} bytes, expected 8", bytes.len()),
    })
}

/// Decodes a 32-byte root record.
pub(crate) fn decode_root(version: Version, bytes: &[u8]) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| StoreError::Corrupt {
        what: format!("root of version {version}: {} bytes, expected 32", bytes.len()),
    })
}
