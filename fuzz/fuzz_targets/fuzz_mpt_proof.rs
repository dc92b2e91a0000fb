//! Merkle-Patricia proofs on arbitrary bytes, and the proof generator against alloy-trie.
//!
//! Input: byte 0 selects the mode.
//! - Even: proof verification. Byte 1 is the key length `k`, then `k` key bytes, then nodes, each a
//!   2-byte little-endian length and that many bytes. The root is `keccak256(node 0)` so the walk
//!   gets past the root. Checks: no panic; an accepted value lies inside one of the nodes, and the
//!   receipt wrapper agrees with the generic verifier for keys that are `rlp(u64)`.
//! - Odd: differential. The rest is a list of values, each a 1-byte length and that many bytes
//!   (empty values skipped, at most 300). Checks: the in-memory trie's root equals alloy-trie's
//!   HashBuilder root, and the proofs of the last item and a spread of about 8 others (every item
//!   for lists up to 15) verify to exactly those items.
#![no_main]

use libfuzzer_sys::fuzz_target;
use light_client::execution::{
    keccak256, ordered_trie_key, ordered_trie_root, verify_proof, verify_receipt_proof, OrderedTrie,
};

/// Cap on the values of the differential mode (crosses the 1-, 2- and 3-byte key boundaries).
const MAX_VALUES: usize = 300;

fn split_nodes(mut rest: &[u8]) -> Vec<&[u8]> {
    let mut nodes = Vec::new();
    while let [a, b, tail @ ..] = rest {
        let len = usize::from(u16::from_le_bytes([*a, *b])).min(tail.len());
        let (node, after) = tail.split_at(len);
        nodes.push(node);
        rest = after;
    }
    nodes
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, input)) = data.split_first() else { return };
    if mode % 2 == 0 {
        let Some((&key_len, rest)) = input.split_first() else { return };
        let key_len = usize::from(key_len).min(rest.len());
        let (key, rest) = rest.split_at(key_len);
        let nodes = split_nodes(rest);
        let Some(first) = nodes.first() else { return };
        let root = keccak256(first);
        if let Ok(value) = verify_proof(root, key, &nodes) {
            assert!(!value.is_empty());
            let inside = nodes.iter().any(|n| {
                let (start, end) = (n.as_ptr() as usize, n.as_ptr() as usize + n.len());
                value.as_ptr() as usize >= start && value.as_ptr() as usize + value.len() <= end
            });
            assert!(inside, "value does not come from the proof");
        }
        // The same nodes under each small index key, through the receipt wrapper.
        for index in [0u64, 1, 127, 128, 255, 256] {
            let generic = verify_proof(root, &ordered_trie_key(index), &nodes);
            let receipt = verify_receipt_proof(root, index, &nodes);
            if generic.is_err() {
                assert!(receipt.is_err());
            }
        }
    } else {
        let mut values = Vec::new();
        let mut rest = input;
        while let Some((&len, tail)) = rest.split_first() {
            let len = usize::from(len).min(tail.len());
            let (value, after) = tail.split_at(len);
            if !value.is_empty() {
                values.push(value.to_vec());
            }
            rest = after;
        }
        values.truncate(MAX_VALUES);
        let expected = ordered_trie_root(&values);
        let trie = OrderedTrie::new(values.clone());
        assert_eq!(trie.root(), expected, "in-memory trie and HashBuilder disagree");
        // Each proof rebuilds the trie: prove the last item and a spread of about 8 others.
        let stride = (values.len() / 8).max(1);
        let last = values.len().saturating_sub(1);
        let picked =
            (0u64..).zip(&values).enumerate().filter(|(i, _)| i % stride == 0 || *i == last);
        for (_, (index, value)) in picked {
            let proof = trie.proof(index).expect("index in range");
            let got = verify_proof(expected, &ordered_trie_key(index), &proof)
                .expect("generated proof verifies");
            assert_eq!(got, value.as_slice());
        }
        assert!(trie.proof(values.len() as u64).is_err());
    }
});
