//! State proofs (`eth_getProof`: account under a state root, slot under a storage root).
//!
//! Input: byte 0 selects the mode.
//! - Even: arbitrary proofs. Bytes 1..21 are an address, byte 21 a slot, then account-proof nodes
//!   and (after an empty node) storage-proof nodes, each a 2-byte little-endian length and that
//!   many bytes. The state root is `keccak256(account node 0)` so the walk gets past the root.
//!   Checks: no panic; an account accepted re-encodes to a value found inside the proof.
//! - Odd: a real anvil proof (`light-client/tests/vectors/state_proof_anvil.json`) with byte
//!   flips at fuzzer-chosen positions (3 bytes each: node, offset, xor). Checks: the mutated
//!   proof is rejected, or proves exactly the original answer (soundness: no altered proof proves
//!   another value, another account, or absence).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use light_client::execution::{
    keccak256, verify_account_proof, verify_storage_slot, Address, Bytes, B256, U256,
};

const VECTOR: &str = include_str!("../../light-client/tests/vectors/state_proof_anvil.json");

struct Real {
    root: B256,
    address: Address,
    account: Vec<Vec<u8>>,
    storage: Vec<(U256, Vec<Vec<u8>>)>,
}

fn hex_bytes(v: &serde_json::Value) -> Vec<u8> {
    let bytes: Bytes = v.as_str().expect("vector string").parse().expect("vector hex");
    bytes.to_vec()
}

fn real() -> &'static Real {
    static REAL: OnceLock<Real> = OnceLock::new();
    REAL.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(VECTOR).expect("vector JSON");
        let nodes = |n: &serde_json::Value| {
            n.as_array().expect("vector array").iter().map(hex_bytes).collect::<Vec<_>>()
        };
        Real {
            root: B256::from_slice(&hex_bytes(&v["state_root"])),
            address: Address::from_slice(&hex_bytes(&v["address"])),
            account: nodes(&v["account_proof"]),
            storage: v["storage"]
                .as_array()
                .expect("vector storage")
                .iter()
                .map(|s| {
                    let slot = s["slot"].as_str().expect("slot").parse().expect("slot number");
                    (slot, nodes(&s["proof"]))
                })
                .collect(),
        }
    })
}

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
        let Some((head, rest)) = input.split_at_checked(21) else { return };
        let address = Address::from_slice(&head[..20]);
        let slot = U256::from(head[20]);
        let nodes = split_nodes(rest);
        let split = nodes.iter().position(|n| n.is_empty()).unwrap_or(nodes.len());
        let (account_nodes, storage_nodes) = nodes.split_at(split);
        let storage_nodes = storage_nodes.get(1..).unwrap_or_default();
        let Some(first) = account_nodes.first() else { return };
        let root = keccak256(first);
        if let Ok(Some(account)) = verify_account_proof(root, address, account_nodes) {
            // The decoded account came from the proof: its code hash bytes are in some node.
            assert!(account_nodes
                .iter()
                .any(|n| n.windows(32).any(|w| w == account.code_hash.as_slice())));
        }
        let _ = verify_storage_slot(root, address, slot, account_nodes, storage_nodes);
    } else {
        let real = real();
        let (slot, storage) = &real.storage[usize::from(mode / 2) % real.storage.len()];
        let expected = verify_storage_slot(real.root, real.address, *slot, &real.account, storage)
            .expect("the real proof verifies");
        let mut account = real.account.clone();
        let mut storage = storage.clone();
        let mut changed = false;
        for flip in input.chunks_exact(3) {
            let (which, offset, xor) = (usize::from(flip[0]), usize::from(flip[1]), flip[2]);
            let total = account.len() + storage.len();
            let index = which % total;
            let node = if index < account.len() {
                &mut account[index]
            } else {
                &mut storage[index - account.len()]
            };
            let at = offset * 7 % node.len();
            node[at] ^= xor;
            changed |= xor != 0;
        }
        match verify_storage_slot(real.root, real.address, *slot, &account, &storage) {
            Ok(got) => assert_eq!(got, expected, "a mutated proof proved something else"),
            Err(_) => assert!(changed, "the unchanged proof must verify"),
        }
    }
});
