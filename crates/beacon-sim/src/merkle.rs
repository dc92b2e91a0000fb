//! SSZ-style binary Merkle trees (sha256) over a fixed number of 32-byte leaves, with branches
//! in the order the light client folds them (leaf side first).

use std::collections::{HashMap, HashSet};

use alloy_primitives::B256;
use sha2::{Digest, Sha256};

/// `hash(left ++ right)`.
pub fn hash_pair(left: &B256, right: &B256) -> B256 {
    let mut hasher = Sha256::new();
    hasher.update(left);
    hasher.update(right);
    B256::from_slice(&hasher.finalize())
}

/// The SSZ chunk of a `uint64`: little-endian, zero-padded to 32 bytes.
pub fn uint64_leaf(value: u64) -> B256 {
    let mut chunk = [0u8; 32];
    chunk[..8].copy_from_slice(&value.to_le_bytes());
    B256::from(chunk)
}

/// A complete binary tree of `2^depth` leaves, every layer kept.
#[derive(Debug, Clone)]
pub struct MerkleTree {
    /// `layers[0]` are the leaves, the last layer is the root alone.
    layers: Vec<Vec<B256>>,
}

impl MerkleTree {
    /// Builds the tree; `leaves` is padded with zero chunks to `2^depth` (and must not exceed it).
    pub fn new(mut leaves: Vec<B256>, depth: u32) -> Option<Self> {
        let width = 1usize.checked_shl(depth)?;
        if leaves.len() > width {
            return None;
        }
        leaves.resize(width, B256::ZERO);
        let mut layers = vec![leaves];
        for _ in 0..depth {
            let below = layers.last()?;
            let above = below.chunks_exact(2).map(|pair| hash_pair(&pair[0], &pair[1])).collect();
            layers.push(above);
        }
        Some(Self { layers })
    }

    /// The root.
    pub fn root(&self) -> B256 {
        self.layers.last().and_then(|top| top.first()).copied().unwrap_or_default()
    }

    /// The branch of leaf `index`, leaf side first (empty when out of range).
    pub fn branch(&self, index: usize) -> Vec<B256> {
        let depth = self.layers.len().saturating_sub(1);
        let mut branch = Vec::with_capacity(depth);
        let mut position = index;
        for layer in self.layers.iter().take(depth) {
            match layer.get(position ^ 1) {
                Some(sibling) => branch.push(*sibling),
                None => return Vec::new(),
            }
            position /= 2;
        }
        branch
    }
}

/// A Merkle tree given by the values of some of its nodes (generalized indices). Every subtree
/// holding no given node is a zero chunk (not the root of a zero subtree): deterministic filler
/// for the fields the light client never opens. A region that must equal an SSZ root is given
/// in full, padding leaves included. Lets one tree mix depths (a checkpoint root at 105 beside a committee at 54).
#[derive(Debug, Clone)]
pub struct SparseTree {
    /// Given and computed nodes by generalized index.
    nodes: HashMap<u64, B256>,
}

impl SparseTree {
    /// Builds the tree from `(gindex, value)` pairs. `None` when a gindex is 0 or one given node
    /// is an ancestor of another (its value would be ambiguous).
    pub fn new(given: &[(u64, B256)]) -> Option<Self> {
        let mut nodes: HashMap<u64, B256> = HashMap::with_capacity(given.len() * 8);
        let mut ancestors: HashSet<u64> = HashSet::new();
        for (gindex, value) in given {
            if *gindex == 0 || nodes.insert(*gindex, *value).is_some() {
                return None;
            }
            let mut g = *gindex / 2;
            while g >= 1 {
                ancestors.insert(g);
                g /= 2;
            }
        }
        if given.iter().any(|(g, _)| ancestors.contains(g)) {
            return None;
        }
        // Compute ancestors deepest first: children are ready before their parent.
        let mut order: Vec<u64> = ancestors.into_iter().collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        for g in order {
            let left = nodes.get(&(2 * g)).copied().unwrap_or_default();
            let right = nodes.get(&(2 * g + 1)).copied().unwrap_or_default();
            nodes.insert(g, hash_pair(&left, &right));
        }
        Some(Self { nodes })
    }

    /// The root (generalized index 1).
    pub fn root(&self) -> B256 {
        self.nodes.get(&1).copied().unwrap_or_default()
    }

    /// The node at `gindex` (zero filler when not on a given path).
    pub fn node(&self, gindex: u64) -> B256 {
        self.nodes.get(&gindex).copied().unwrap_or_default()
    }

    /// The branch of `gindex`, leaf side first (`floorlog2(gindex)` nodes).
    pub fn branch(&self, gindex: u64) -> Vec<B256> {
        let mut branch = Vec::new();
        let mut g = gindex;
        while g > 1 {
            branch.push(self.node(g ^ 1));
            g /= 2;
        }
        branch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use light_client::proof::is_valid_merkle_branch;

    #[test]
    fn branches_verify_with_the_light_client() {
        let leaves: Vec<B256> = (0u8..20).map(B256::repeat_byte).collect();
        let tree = MerkleTree::new(leaves.clone(), 5).expect("fits");
        for (index, leaf) in leaves.iter().enumerate() {
            let branch = tree.branch(index);
            assert_eq!(branch.len(), 5);
            assert!(is_valid_merkle_branch(*leaf, &branch, 5, index as u64, tree.root()));
        }
        assert!(!is_valid_merkle_branch(leaves[1], &tree.branch(2), 5, 2, tree.root()));
        assert!(MerkleTree::new(leaves, 4).is_none());
        assert!(tree.branch(32).is_empty());
    }

    #[test]
    fn sparse_tree_matches_the_dense_tree_and_mixes_depths() {
        use light_client::proof::{is_valid_normalized_merkle_branch, FINALIZED_ROOT_GINDEX};
        let mut leaves: Vec<B256> = (1u8..=20).map(B256::repeat_byte).collect();
        let dense = MerkleTree::new(leaves.clone(), 5).expect("fits");
        // Padding leaves must be given to match SSZ (unset subtrees are zero nodes, not zero
        // subtrees).
        leaves.resize(32, B256::ZERO);
        let given: Vec<(u64, B256)> =
            leaves.iter().enumerate().map(|(i, leaf)| (32 + i as u64, *leaf)).collect();
        let sparse = SparseTree::new(&given).expect("valid");
        assert_eq!(sparse.root(), dense.root());
        assert_eq!(sparse.branch(32 + 7), dense.branch(7));
        // A checkpoint root one level below leaf 20.
        let root = B256::repeat_byte(0xaa);
        let mixed =
            SparseTree::new(&[(104, uint64_leaf(3)), (105, root), (54, leaves[0])]).expect("valid");
        assert_eq!(mixed.node(52), hash_pair(&uint64_leaf(3), &root));
        assert!(is_valid_normalized_merkle_branch(
            root,
            &mixed.branch(FINALIZED_ROOT_GINDEX),
            FINALIZED_ROOT_GINDEX,
            mixed.root()
        ));
        assert!(SparseTree::new(&[(52, root), (105, root)]).is_none(), "ancestor and descendant");
        assert!(SparseTree::new(&[(0, root)]).is_none());
    }

    #[test]
    fn matches_ssz_hash_tree_root_of_a_checkpoint() {
        // Checkpoint { epoch: 3, root }: two chunks, one level.
        let root = B256::repeat_byte(9);
        let tree = MerkleTree::new(vec![uint64_leaf(3), root], 1).expect("fits");
        assert_eq!(tree.root(), hash_pair(&uint64_leaf(3), &root));
    }
}
