//! ICS23 proofs: existence and non-existence proofs verify against the root of their version, and
//! any other key, value, root or a tampered proof is refused.

use ics23::commitment_proof::Proof;
use ics23::HostFunctionsManager;
use peg_store::workload::{account_key, account_value, SplitMix64};
use peg_store::{
    decode_proof, encode_proof, proof_spec, verify_membership, verify_non_membership, verify_proof,
    CommitmentProof, ProofError, RootHash, Store, StoreConfig, StoreError,
};
use sha2::{Digest, Sha256};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const ACCOUNTS: u64 = 300;

/// Version 1: accounts 0..300. Version 2: accounts 0..150 rewritten, 150..200 deleted.
fn two_version_store(dir: &std::path::Path) -> Result<Store, StoreError> {
    let store = Store::open_with(
        dir.join("state.redb"),
        StoreConfig { keep_recent: None, ..StoreConfig::default() },
    )?;
    let mut ws = store.working_set()?;
    for i in 0..ACCOUNTS {
        ws.set(account_key(i), account_value(i, 1))?;
    }
    store.commit_working_set(&ws, 1)?;
    let mut ws = store.working_set()?;
    for i in 0..150 {
        ws.set(account_key(i), account_value(i, 2))?;
    }
    for i in 150..200 {
        ws.delete(account_key(i))?;
    }
    store.commit_working_set(&ws, 2)?;
    Ok(store)
}

fn nonexist(proof: &CommitmentProof) -> Option<&ics23::NonExistenceProof> {
    match proof.proof.as_ref() {
        Some(Proof::Nonexist(non)) => Some(non),
        _ => None,
    }
}

#[test]
fn existence_proofs_verify_and_bind_key_value_and_root() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = two_version_store(dir.path())?;
    let root1 = store.root_hash_at(1)?;
    let root2 = store.root_hash_at(2)?;
    for i in (0..150).step_by(7).chain(200..ACCOUNTS) {
        let key = account_key(i);
        let (value, proof) = store.get_with_proof(&key, 2)?;
        let value = value.ok_or("present")?;
        let expected = account_value(i, if i < 150 { 2 } else { 1 });
        assert_eq!(value, expected);
        verify_membership(&proof, &root2, &key, &value)?;
        verify_proof(&proof, &root2, &key, Some(&value))?;
        // A standard ICS23 verifier with the published spec agrees.
        assert!(ics23::verify_membership::<HostFunctionsManager>(
            &proof,
            &proof_spec(),
            &root2.0.to_vec(),
            &key,
            &value
        ));

        // Another root (the previous version's, or a random one) is refused.
        assert!(matches!(
            verify_membership(&proof, &root1, &key, &value),
            Err(ProofError::Rejected { .. })
        ));
        assert!(matches!(
            verify_membership(&proof, &RootHash([7; 32]), &key, &value),
            Err(ProofError::Rejected { .. })
        ));
        // Another value.
        assert!(matches!(
            verify_membership(&proof, &root2, &key, &account_value(i, 3)),
            Err(ProofError::ValueMismatch { .. })
        ));
        // Another key.
        assert!(matches!(
            verify_membership(&proof, &root2, &account_key(i + 1), &value),
            Err(ProofError::KeyMismatch { .. })
        ));
        // The proof of a present key is not a proof of absence.
        assert!(matches!(
            verify_non_membership(&proof, &root2, &key),
            Err(ProofError::WrongKind { got: "existence", expected: "non-existence" })
        ));
        // Rewriting the proof's key and value to another account does not fool the verifier.
        let mut forged = proof.clone();
        if let Some(Proof::Exist(exist)) = forged.proof.as_mut() {
            exist.key = account_key(i + 1);
            exist.value = account_value(i + 1, 2);
        }
        assert!(matches!(
            verify_membership(&forged, &root2, &account_key(i + 1), &account_value(i + 1, 2)),
            Err(ProofError::Rejected { .. })
        ));
    }
    Ok(())
}

#[test]
fn proofs_at_an_older_version_verify_against_that_version_root() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = two_version_store(dir.path())?;
    let root1 = store.root_hash_at(1)?;
    let root2 = store.root_hash_at(2)?;
    for i in [0u64, 3, 160, 199] {
        let key = account_key(i);
        let (value, proof) = store.get_with_proof(&key, 1)?;
        let value = value.ok_or("present at version 1")?;
        assert_eq!(value, account_value(i, 1));
        verify_membership(&proof, &root1, &key, &value)?;
        assert!(verify_membership(&proof, &root2, &key, &value).is_err());
    }
    // Deleted at version 2: absent there, with a proof.
    for i in 150..200 {
        let key = account_key(i);
        let (value, proof) = store.get_with_proof(&key, 2)?;
        assert_eq!(value, None);
        verify_non_membership(&proof, &root2, &key)?;
        assert!(verify_non_membership(&proof, &root1, &key).is_err());
    }
    Ok(())
}

#[test]
fn non_existence_proofs_verify_and_cover_both_edges() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = two_version_store(dir.path())?;
    let root = store.root_hash_at(2)?;
    let (mut left_only, mut right_only, mut both) = (0, 0, 0);
    for i in 0..400u64 {
        let key = format!("absent/{i}").into_bytes();
        let (value, proof) = store.get_with_proof(&key, 2)?;
        assert_eq!(value, None);
        verify_non_membership(&proof, &root, &key)?;
        verify_proof(&proof, &root, &key, None)?;
        assert!(ics23::verify_non_membership::<HostFunctionsManager>(
            &proof,
            &proof_spec(),
            &root.0.to_vec(),
            &key
        ));
        let non = nonexist(&proof).ok_or("non-existence proof")?;
        match (&non.left, &non.right) {
            (Some(_), Some(_)) => both += 1,
            (Some(_), None) => left_only += 1,
            (None, Some(_)) => right_only += 1,
            (None, None) => return Err("proof without neighbours".into()),
        }
        // Not a proof for another absent key, nor against another root.
        assert!(verify_non_membership(&proof, &root, b"absent/other").is_err());
        assert!(verify_non_membership(&proof, &store.root_hash_at(1)?, &key).is_err());
        assert!(matches!(
            verify_membership(&proof, &root, &key, b"x"),
            Err(ProofError::WrongKind { .. })
        ));
    }
    assert!(both > 300, "middle proofs: {both}");

    // Keys whose hash sorts before / after every present key exercise the edge proofs.
    let mut hashes: Vec<[u8; 32]> = (0..ACCOUNTS)
        .filter(|i| !(150..200).contains(i))
        .map(|i| Sha256::digest(account_key(i)).into())
        .collect();
    hashes.sort();
    let (min, max) = (hashes[0], hashes[hashes.len() - 1]);
    let mut rng = SplitMix64::new(9);
    let (mut found_low, mut found_high) = (false, false);
    for _ in 0..200_000 {
        if found_low && found_high {
            break;
        }
        let key = format!("edge/{}", rng.next_u64()).into_bytes();
        let hash: [u8; 32] = Sha256::digest(&key).into();
        let (is_low, is_high) = (hash < min, hash > max);
        if (is_low && !found_low) || (is_high && !found_high) {
            let (value, proof) = store.get_with_proof(&key, 2)?;
            assert_eq!(value, None);
            verify_non_membership(&proof, &root, &key)?;
            let non = nonexist(&proof).ok_or("non-existence proof")?;
            if is_low {
                assert!(non.left.is_none() && non.right.is_some());
                found_low = true;
                right_only += 1;
            } else {
                assert!(non.left.is_some() && non.right.is_none());
                found_high = true;
                left_only += 1;
            }
        }
    }
    assert!(found_low && found_high, "edge keys not found");
    assert!(left_only > 0 && right_only > 0);
    Ok(())
}

#[test]
fn a_present_key_cannot_be_proven_absent() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = two_version_store(dir.path())?;
    let root = store.root_hash_at(2)?;
    let (_, proof) = store.get_with_proof(b"absent/1", 2)?;
    let non = nonexist(&proof).ok_or("non-existence proof")?;
    // Claim absence of each neighbour (present keys) with the same neighbours.
    for neighbour in [&non.left, &non.right].into_iter().flatten() {
        let mut forged = proof.clone();
        if let Some(Proof::Nonexist(n)) = forged.proof.as_mut() {
            n.key = neighbour.key.clone();
        }
        assert!(matches!(
            verify_non_membership(&forged, &root, &neighbour.key),
            Err(ProofError::Rejected { .. })
        ));
    }
    // Claim absence of a present key with the proof of an absent one.
    assert!(matches!(
        verify_non_membership(&proof, &root, &account_key(0)),
        Err(ProofError::KeyMismatch { .. })
    ));
    // Dropping one neighbour of a middle proof makes it an (invalid) edge proof.
    let mut forged = proof.clone();
    if let Some(Proof::Nonexist(n)) = forged.proof.as_mut() {
        n.left = None;
    }
    assert!(verify_non_membership(&forged, &root, b"absent/1").is_err());
    Ok(())
}

#[test]
fn proofs_survive_encoding_and_tampering_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = two_version_store(dir.path())?;
    let root = store.root_hash_at(2)?;
    let key = account_key(42);
    let (value, proof) = store.get_with_proof(&key, 2)?;
    let value = value.ok_or("present")?;
    let bytes = encode_proof(&proof);
    let decoded = decode_proof(&bytes)?;
    assert_eq!(decoded, proof);
    verify_membership(&decoded, &root, &key, &value)?;

    // Flip every byte in turn: the result never verifies.
    for position in 0..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[position] ^= 0x5a;
        if let Ok(p) = decode_proof(&tampered) {
            assert!(
                verify_membership(&p, &root, &key, &value).is_err(),
                "tampered byte {position} still verifies"
            );
        }
    }
    // Truncations never verify either.
    for len in 0..bytes.len() {
        if let Ok(p) = decode_proof(&bytes[..len]) {
            assert!(verify_membership(&p, &root, &key, &value).is_err(), "prefix {len}");
        }
    }
    assert!(matches!(decode_proof(&[0xff, 0xff, 0xff]), Err(ProofError::Decode(_))));
    assert!(matches!(
        verify_membership(&CommitmentProof::default(), &root, &key, &value),
        Err(ProofError::WrongKind { got: "empty", .. })
    ));

    let (_, absent_proof) = store.get_with_proof(b"absent/9", 2)?;
    let bytes = encode_proof(&absent_proof);
    for position in 0..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[position] ^= 0x01;
        if let Ok(p) = decode_proof(&tampered) {
            assert!(
                verify_non_membership(&p, &root, b"absent/9").is_err(),
                "tampered byte {position} still verifies"
            );
        }
    }
    Ok(())
}

#[test]
fn proofs_that_leave_the_spec_are_refused_before_hashing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = two_version_store(dir.path())?;
    let root = store.root_hash_at(2)?;
    let key = account_key(1);
    let (value, proof) = store.get_with_proof(&key, 2)?;
    let value = value.ok_or("present")?;

    let mut other_leaf = proof.clone();
    if let Some(Proof::Exist(e)) = other_leaf.proof.as_mut() {
        if let Some(leaf) = e.leaf.as_mut() {
            leaf.prefix = b"other".to_vec();
        }
    }
    assert!(matches!(
        verify_membership(&other_leaf, &root, &key, &value),
        Err(ProofError::Spec(_))
    ));

    let mut other_hash = proof.clone();
    if let Some(Proof::Exist(e)) = other_hash.proof.as_mut() {
        if let Some(step) = e.path.first_mut() {
            step.hash = ics23::HashOp::Keccak256 as i32;
        }
    }
    assert!(matches!(
        verify_membership(&other_hash, &root, &key, &value),
        Err(ProofError::Spec(_))
    ));

    let mut too_long = proof.clone();
    if let Some(Proof::Exist(e)) = too_long.proof.as_mut() {
        let step = e.path.first().cloned().ok_or("non-empty path")?;
        e.path = vec![step; 257];
    }
    assert!(matches!(verify_membership(&too_long, &root, &key, &value), Err(ProofError::Spec(_))));
    Ok(())
}

#[test]
fn proof_queries_check_versions_and_keys() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = two_version_store(dir.path())?;
    assert!(matches!(
        store.get_with_proof(&account_key(1), 3),
        Err(StoreError::VersionNotCommitted { version: 3, latest: 2 })
    ));
    assert!(matches!(
        store.get_with_proof(&account_key(1), 0),
        Err(StoreError::VersionPruned { version: 0, oldest: 1 })
    ));
    assert!(matches!(store.get_with_proof(b"", 2), Err(StoreError::EmptyKey)));
    Ok(())
}
