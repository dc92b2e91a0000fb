//! State proofs against a real `eth_getProof` answer from anvil (`tests/vectors/state_proof_anvil.json`,
//! written by `crates/peg-eth-rpc/tests/state_proof_anvil.rs`): the header hashes to the block
//! hash, its `state_root` (field 3) roots the account proof, the account's storage root roots
//! every slot's proof (present slots and an unset one), an absent account is proven absent; and
//! tampered nodes, wrong keys, wrong roots, truncated and padded proofs are rejected.

use std::path::PathBuf;

use light_client::execution::{
    read_header_fields, verify_account_proof, verify_proof_or_absence, verify_storage_proof,
    verify_storage_slot, Address, ExecutionError, B256, U256,
};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Vector {
    json: Value,
    header_rlp: Vec<u8>,
    address: Address,
    account_proof: Vec<Vec<u8>>,
    storage: Vec<(U256, U256, Vec<Vec<u8>>)>,
}

fn bytes(v: &Value) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let text = v.as_str().ok_or("not a string")?;
    Ok(hex::decode(text.trim_start_matches("0x"))?)
}

fn nodes(v: &Value) -> Result<Vec<Vec<u8>>, Box<dyn std::error::Error>> {
    v.as_array().ok_or("not an array")?.iter().map(bytes).collect()
}

fn u256(v: &Value) -> Result<U256, Box<dyn std::error::Error>> {
    Ok(v.as_str().ok_or("not a string")?.parse()?)
}

fn load() -> Result<Vector, Box<dyn std::error::Error>> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/state_proof_anvil.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let storage = json["storage"]
        .as_array()
        .ok_or("storage")?
        .iter()
        .map(|s| Ok((u256(&s["slot"])?, u256(&s["value"])?, nodes(&s["proof"])?)))
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    Ok(Vector {
        header_rlp: bytes(&json["header_rlp"])?,
        address: json["address"].as_str().ok_or("address")?.parse()?,
        account_proof: nodes(&json["account_proof"])?,
        storage,
        json,
    })
}

fn state_root(v: &Vector) -> Result<B256, Box<dyn std::error::Error>> {
    let fields = read_header_fields(&v.header_rlp)?;
    let hash: B256 = v.json["block_hash"].as_str().ok_or("block_hash")?.parse()?;
    assert_eq!(fields.hash, hash, "the header hashes to the block hash");
    assert_eq!(fields.number, v.json["block_number"].as_u64().ok_or("block_number")?);
    let root: B256 = v.json["state_root"].as_str().ok_or("state_root")?.parse()?;
    assert_eq!(fields.state_root, root, "field 3 of the header is the state root");
    Ok(fields.state_root)
}

#[test]
fn account_and_storage_proofs_verify() -> TestResult {
    let v = load()?;
    let root = state_root(&v)?;
    let account = verify_account_proof(root, v.address, &v.account_proof)?.ok_or("absent")?;
    assert_eq!(account.storage_root, v.json["storage_hash"].as_str().ok_or("sh")?.parse::<B256>()?);
    assert_eq!(account.code_hash, v.json["code_hash"].as_str().ok_or("ch")?.parse::<B256>()?);
    assert!(account.has_code());
    assert!(v.storage.len() >= 5);
    let mut zeros = 0;
    for (slot, value, proof) in &v.storage {
        assert_eq!(
            verify_storage_proof(account.storage_root, *slot, proof)?,
            *value,
            "slot {slot}"
        );
        let both = verify_storage_slot(root, v.address, *slot, &v.account_proof, proof)?;
        assert_eq!((both.account, both.value), (Some(account), *value));
        zeros += usize::from(value.is_zero());
    }
    assert_eq!(zeros, 1, "the vector proves one unset slot");
    // Slot 0 packs eventNonce-like (low 64 bits) and a second u64 above it.
    let (slot, value, _) = &v.storage[0];
    assert_eq!((*slot, value.as_limbs()[0], value.as_limbs()[1]), (U256::ZERO, 41, 3));
    Ok(())
}

#[test]
fn an_absent_account_is_proven_absent() -> TestResult {
    let v = load()?;
    let root = state_root(&v)?;
    let nobody: Address = v.json["absent_address"].as_str().ok_or("absent_address")?.parse()?;
    let proof = nodes(&v.json["absent_account_proof"])?;
    assert_eq!(verify_account_proof(root, nobody, &proof)?, None);
    let none: [Vec<u8>; 0] = [];
    let slot = verify_storage_slot(root, nobody, U256::ZERO, &proof, &none)?;
    assert_eq!((slot.account, slot.value), (None, U256::ZERO));
    // An absent account has no storage to prove.
    assert!(matches!(
        verify_storage_slot(root, nobody, U256::ZERO, &proof, &v.storage[0].2),
        Err(ExecutionError::UnusedProofNodes { .. })
    ));
    // The absence proof never proves the present account absent.
    assert!(!matches!(verify_account_proof(root, v.address, &proof), Ok(None)));
    Ok(())
}

#[test]
fn tampered_proofs_are_rejected() -> TestResult {
    let v = load()?;
    let root = state_root(&v)?;
    // Every byte flip in every account node breaks a hash link or the decoding.
    for (i, node) in v.account_proof.iter().enumerate() {
        for at in [0, node.len() / 2, node.len() - 1] {
            let mut proof = v.account_proof.clone();
            proof[i][at] ^= 0x01;
            assert!(verify_account_proof(root, v.address, &proof).is_err(), "node {i} byte {at}");
        }
    }
    let account = verify_account_proof(root, v.address, &v.account_proof)?.ok_or("absent")?;
    for (slot, _, proof) in &v.storage {
        for i in 0..proof.len() {
            let mut bad = proof.clone();
            let last = bad[i].len() - 1;
            bad[i][last] ^= 0x80;
            assert!(
                verify_storage_proof(account.storage_root, *slot, &bad).is_err(),
                "slot {slot} node {i}"
            );
        }
    }
    Ok(())
}

#[test]
fn wrong_keys_and_roots_are_rejected() -> TestResult {
    let v = load()?;
    let root = state_root(&v)?;
    // Wrong root: the first node does not hash to it.
    assert!(matches!(
        verify_account_proof(B256::repeat_byte(7), v.address, &v.account_proof),
        Err(ExecutionError::ProofNodeHashMismatch { index: 0, .. })
    ));
    // Wrong address: the walk leaves the proven path (absence with unused nodes, or a missing
    // node), never another account's value.
    let other = Address::repeat_byte(0x11);
    assert!(
        !matches!(verify_account_proof(root, other, &v.account_proof), Ok(Some(_))),
        "another account's proof accepted"
    );
    // Wrong slot with a present slot's proof: never that slot's value.
    let account = verify_account_proof(root, v.address, &v.account_proof)?.ok_or("absent")?;
    let (slot, value, proof) = &v.storage[1];
    assert!(!value.is_zero());
    // (An absence proven by the slot's own path is sound: slot + 100 is not in the trie.)
    if let Ok(got) = verify_storage_proof(account.storage_root, *slot + U256::from(100u64), proof) {
        assert!(got.is_zero(), "another slot's value: {got}");
    }
    // A present slot (slot 0) with slot 1's proof: rejected outright.
    assert!(verify_storage_proof(account.storage_root, U256::ZERO, proof).is_err());
    // The storage proof against the state root, or the account proof against the storage root.
    assert!(verify_storage_proof(root, *slot, proof).is_err());
    assert!(verify_account_proof(account.storage_root, v.address, &v.account_proof).is_err());
    Ok(())
}

#[test]
fn truncated_and_padded_proofs_are_rejected() -> TestResult {
    let v = load()?;
    let root = state_root(&v)?;
    let mut short = v.account_proof.clone();
    short.pop();
    assert!(matches!(
        verify_account_proof(root, v.address, &short),
        Err(ExecutionError::IncompleteProof { .. })
    ));
    let mut long = v.account_proof.clone();
    long.push(vec![0xc0]);
    assert!(matches!(
        verify_account_proof(root, v.address, &long),
        Err(ExecutionError::UnusedProofNodes { .. })
    ));
    // An absence proof with a node appended is refused too.
    let nobody: Address = v.json["absent_address"].as_str().ok_or("absent_address")?.parse()?;
    let mut absent = nodes(&v.json["absent_account_proof"])?;
    absent.push(vec![0xc0]);
    assert!(matches!(
        verify_account_proof(root, nobody, &absent),
        Err(ExecutionError::UnusedProofNodes { .. })
    ));
    // The raw trie API gives the same answers under the hashed key.
    let key = light_client::execution::account_key(nobody);
    assert_eq!(verify_proof_or_absence(root, key.as_slice(), &absent[..absent.len() - 1])?, None);
    let empty: [Vec<u8>; 0] = [];
    assert_eq!(verify_account_proof(root, v.address, &empty), Err(ExecutionError::EmptyProof));
    Ok(())
}
