//! Merkle branches and the generalized indices of the light-client proofs, per fork.
//!
//! Spec: phase0 `is_valid_merkle_branch`, electra `is_valid_normalized_merkle_branch`, and the
//! `*_GINDEX*` constants of altair/capella/electra/gloas `light-client/sync-protocol.md`.

use alloy_primitives::B256;
use sha2::{Digest, Sha256};

use crate::config::ForkName;

/// A generalized index: `2^depth + index`.
pub type GeneralizedIndex = u64;

/// `FINALIZED_ROOT_GINDEX` (Altair..Deneb): `finalized_checkpoint.root` in `BeaconState`.
pub const FINALIZED_ROOT_GINDEX: GeneralizedIndex = 105;
/// `CURRENT_SYNC_COMMITTEE_GINDEX` (Altair..Deneb).
pub const CURRENT_SYNC_COMMITTEE_GINDEX: GeneralizedIndex = 54;
/// `NEXT_SYNC_COMMITTEE_GINDEX` (Altair..Deneb).
pub const NEXT_SYNC_COMMITTEE_GINDEX: GeneralizedIndex = 55;
/// `FINALIZED_ROOT_GINDEX_ELECTRA` (Electra, Fulu).
pub const FINALIZED_ROOT_GINDEX_ELECTRA: GeneralizedIndex = 169;
/// `CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA` (Electra, Fulu).
pub const CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA: GeneralizedIndex = 86;
/// `NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA` (Electra, Fulu).
pub const NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA: GeneralizedIndex = 87;
/// `FINALIZED_ROOT_GINDEX_GLOAS` (EIP-7688 progressive `BeaconState`).
pub const FINALIZED_ROOT_GINDEX_GLOAS: GeneralizedIndex = 735;
/// `CURRENT_SYNC_COMMITTEE_GINDEX_GLOAS`.
pub const CURRENT_SYNC_COMMITTEE_GINDEX_GLOAS: GeneralizedIndex = 2945;
/// `NEXT_SYNC_COMMITTEE_GINDEX_GLOAS`.
pub const NEXT_SYNC_COMMITTEE_GINDEX_GLOAS: GeneralizedIndex = 2946;
/// `EXECUTION_PAYLOAD_GINDEX`: `execution_payload` in the Capella..Fulu `BeaconBlockBody`.
pub const EXECUTION_PAYLOAD_GINDEX: GeneralizedIndex = 25;
/// `EXECUTION_BLOCK_HASH_GINDEX`: `execution_payload.block_hash` in the Capella body.
pub const EXECUTION_BLOCK_HASH_GINDEX: GeneralizedIndex = 412;
/// `EXECUTION_BLOCK_HASH_GINDEX_DENEB`: `execution_payload.block_hash` in the Deneb..Fulu body.
pub const EXECUTION_BLOCK_HASH_GINDEX_DENEB: GeneralizedIndex = 812;
/// `EXECUTION_BLOCK_HASH_GINDEX_GLOAS`:
/// `signed_execution_payload_bid.message.parent_block_hash` in the Gloas body.
pub const EXECUTION_BLOCK_HASH_GINDEX_GLOAS: GeneralizedIndex = 2856;

/// `floorlog2(gindex)`: the branch depth.
pub fn floorlog2(gindex: GeneralizedIndex) -> u32 {
    63u32.saturating_sub(gindex.leading_zeros())
}

/// `get_subtree_index(gindex)`: the leaf's position at its depth.
pub fn get_subtree_index(gindex: GeneralizedIndex) -> u64 {
    gindex % (1u64 << floorlog2(gindex))
}

/// `finalized_root_gindex_at_slot`, by the fork of the attested slot.
pub fn finalized_root_gindex(fork: ForkName) -> GeneralizedIndex {
    match fork {
        ForkName::Gloas => FINALIZED_ROOT_GINDEX_GLOAS,
        ForkName::Electra | ForkName::Fulu => FINALIZED_ROOT_GINDEX_ELECTRA,
        _ => FINALIZED_ROOT_GINDEX,
    }
}

/// `current_sync_committee_gindex_at_slot`, by fork.
pub fn current_sync_committee_gindex(fork: ForkName) -> GeneralizedIndex {
    match fork {
        ForkName::Gloas => CURRENT_SYNC_COMMITTEE_GINDEX_GLOAS,
        ForkName::Electra | ForkName::Fulu => CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA,
        _ => CURRENT_SYNC_COMMITTEE_GINDEX,
    }
}

/// `next_sync_committee_gindex_at_slot`, by fork.
pub fn next_sync_committee_gindex(fork: ForkName) -> GeneralizedIndex {
    match fork {
        ForkName::Gloas => NEXT_SYNC_COMMITTEE_GINDEX_GLOAS,
        ForkName::Electra | ForkName::Fulu => NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA,
        _ => NEXT_SYNC_COMMITTEE_GINDEX,
    }
}

fn hash_pair(left: &B256, right: &B256) -> B256 {
    let mut hasher = Sha256::new();
    hasher.update(left);
    hasher.update(right);
    B256::from_slice(&hasher.finalize())
}

/// `compute_merkle_branch_root`: folds `branch` (leaf side first) over `leaf` at `index`.
/// Returns `None` when `branch` is shorter than `depth`.
pub fn compute_merkle_branch_root(
    leaf: B256,
    branch: &[B256],
    depth: u32,
    index: u64,
) -> Option<B256> {
    let nodes = branch.get(..depth as usize)?;
    let mut value = leaf;
    for (i, node) in nodes.iter().enumerate() {
        value =
            if (index >> i) & 1 == 1 { hash_pair(node, &value) } else { hash_pair(&value, node) };
    }
    Some(value)
}

/// `is_valid_merkle_branch(leaf, branch, depth, index, root)`.
///
/// Deviation: a branch shorter than `depth` is invalid here (the spec would raise).
pub fn is_valid_merkle_branch(
    leaf: B256,
    branch: &[B256],
    depth: u32,
    index: u64,
    root: B256,
) -> bool {
    compute_merkle_branch_root(leaf, branch, depth, index) == Some(root)
}

/// `is_valid_normalized_merkle_branch(leaf, branch, gindex, root)`: a branch longer than the
/// gindex depth (a newer fork's container holding an older fork's proof) must start with zeros.
pub fn is_valid_normalized_merkle_branch(
    leaf: B256,
    branch: &[B256],
    gindex: GeneralizedIndex,
    root: B256,
) -> bool {
    let depth = floorlog2(gindex);
    let Some(num_extra) = branch.len().checked_sub(depth as usize) else {
        return false;
    };
    let (extra, proof) = branch.split_at(num_extra);
    extra.iter().all(|node| node.is_zero())
        && is_valid_merkle_branch(leaf, proof, depth, get_subtree_index(gindex), root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gindex_depths_match_branch_lengths() {
        assert_eq!(floorlog2(FINALIZED_ROOT_GINDEX), 6);
        assert_eq!(floorlog2(NEXT_SYNC_COMMITTEE_GINDEX), 5);
        assert_eq!(floorlog2(FINALIZED_ROOT_GINDEX_ELECTRA), 7);
        assert_eq!(floorlog2(NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA), 6);
        assert_eq!(floorlog2(FINALIZED_ROOT_GINDEX_GLOAS), 9);
        assert_eq!(floorlog2(CURRENT_SYNC_COMMITTEE_GINDEX_GLOAS), 11);
        assert_eq!(floorlog2(EXECUTION_PAYLOAD_GINDEX), 4);
        assert_eq!(floorlog2(EXECUTION_BLOCK_HASH_GINDEX_GLOAS), 11);
        assert_eq!(get_subtree_index(FINALIZED_ROOT_GINDEX), 41);
        assert_eq!(floorlog2(0), 0);
    }

    #[test]
    fn branch_round_trip_and_normalization() {
        let leaf = B256::repeat_byte(1);
        let branch = [B256::repeat_byte(2), B256::repeat_byte(3)];
        // gindex 6 = depth 2, index 2 (binary 10): leaf is a left child, then a right child.
        let root = hash_pair(&branch[1], &hash_pair(&leaf, &branch[0]));
        assert!(is_valid_merkle_branch(leaf, &branch, 2, 2, root));
        assert!(is_valid_normalized_merkle_branch(leaf, &branch, 6, root));
        let padded = [B256::ZERO, branch[0], branch[1]];
        assert!(is_valid_normalized_merkle_branch(leaf, &padded, 6, root));
        let bad_pad = [B256::repeat_byte(9), branch[0], branch[1]];
        assert!(!is_valid_normalized_merkle_branch(leaf, &bad_pad, 6, root));
        assert!(!is_valid_normalized_merkle_branch(leaf, &branch[..1], 6, root));
        assert!(!is_valid_merkle_branch(leaf, &branch, 2, 3, root));
    }
}
