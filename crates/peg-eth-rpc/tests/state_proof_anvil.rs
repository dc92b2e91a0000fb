//! `eth_getProof` against a real anvil: the account and storage proofs it serves verify with the
//! light client against the state root of the block's header (a contract with several slots, a
//! slot holding zero, an account that does not exist), and tampered copies are rejected.
//!
//! With `PEG_WRITE_STATE_VECTOR=<path>` the test also writes the JSON vector the light client's
//! offline tests read (`light-client/tests/vectors/state_proof_anvil.json`).
//!
//! Needs anvil (`scripts/install-tools`); without it the test reports that it is skipped.

use std::path::PathBuf;

use alloy_primitives::{Address, Bytes, B256, U256};
use light_client::execution::{verify_storage_slot, ExecutionError};
use peg_eth_rpc::anvil::{anvil_binary, AnvilProcess};
use peg_eth_rpc::{BlockId, EthRpc};
use serde_json::json;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn hex_list(nodes: &[Bytes]) -> Vec<String> {
    nodes.iter().map(|n| format!("0x{}", hex::encode(n))).collect()
}

#[tokio::test]
async fn anvil_state_proofs_verify_against_the_header_state_root() -> TestResult {
    let Some(anvil_bin) = anvil_binary(&workspace()) else {
        eprintln!("skipped: anvil not installed (scripts/install-tools)");
        return Ok(());
    };
    // A genesis number above mainnet's, so the block can follow real mainnet blocks in a
    // peg zone test's trusted ring (which is ordered by number).
    let anvil = AnvilProcess::start(&anvil_bin, &["--number", "30000000"]).await?;
    let rpc = EthRpc::new(anvil.url())?;
    // A contract with code and a few slots (slot 0 packs two uint64s like PegBridge's).
    let contract: Address = "0x00000000000000000000000000000000000b41d6".parse()?;
    let _: serde_json::Value =
        rpc.request("anvil_setCode", json!([contract, "0x6001600055"])).await?;
    let slot0 = (U256::from(3u64) << 64) | U256::from(41u64);
    let values = [(0u64, slot0), (1, U256::from(7u64)), (5, U256::MAX), (9, U256::from(1u64))];
    for (slot, value) in values {
        let _: serde_json::Value = rpc
            .request(
                "anvil_setStorageAt",
                json!([contract, B256::from(U256::from(slot)), B256::from(value)]),
            )
            .await?;
    }
    let _: serde_json::Value = rpc.request("evm_mine", json!([])).await?;
    let number = rpc.block_number().await?;
    let block = rpc.block_by_number(BlockId::Number(number)).await?.ok_or("no block")?;
    let header_rlp = block.header.encode_rlp()?;
    let state_root = block.header.state_root;

    // Every slot, including an unset one (zero: a proof of absence).
    let slots: Vec<U256> = [0u64, 1, 5, 9, 2].into_iter().map(U256::from).collect();
    let proof = rpc.get_proof(contract, &slots, BlockId::Number(number)).await?;
    for (i, entry) in proof.storage_proof.iter().enumerate() {
        let proven = verify_storage_slot(
            state_root,
            contract,
            entry.key,
            &proof.account_proof,
            &entry.proof,
        )?;
        let account = proven.account.ok_or("contract account absent")?;
        assert!(account.has_code());
        assert_eq!(account.storage_root, proof.storage_hash);
        assert_eq!(account.code_hash, proof.code_hash);
        assert_eq!(proven.value, entry.value, "slot {}", entry.key);
        let expected = values.iter().find(|(s, _)| U256::from(*s) == slots[i]).map(|(_, v)| *v);
        assert_eq!(proven.value, expected.unwrap_or(U256::ZERO));
    }
    // Slot 1's proof for slot 0 (present in the trie): rejected, never a value or an absence.
    let slot1 = &proof.storage_proof[1];
    assert!(verify_storage_slot(
        state_root,
        contract,
        U256::from(0u64),
        &proof.account_proof,
        &slot1.proof,
    )
    .is_err());
    // Another root: refused at the first node.
    assert!(matches!(
        verify_storage_slot(
            B256::repeat_byte(0x42),
            contract,
            U256::ZERO,
            &proof.account_proof,
            &proof.storage_proof[0].proof
        ),
        Err(ExecutionError::ProofNodeHashMismatch { index: 0, .. })
    ));

    // An account that does not exist.
    let nobody: Address = "0x000000000000000000000000000000000000dead".parse()?;
    let absent = rpc.get_proof(nobody, &[U256::ZERO], BlockId::Number(number)).await?;
    let proven = verify_storage_slot(
        state_root,
        nobody,
        U256::ZERO,
        &absent.account_proof,
        &[] as &[Bytes],
    )?;
    assert_eq!(proven.account, None);
    assert_eq!(proven.value, U256::ZERO);

    if let Some(path) = std::env::var_os("PEG_WRITE_STATE_VECTOR") {
        let vector = json!({
            "source": "anvil (foundry) eth_getProof, written by crates/peg-eth-rpc/tests/state_proof_anvil.rs",
            "block_number": number,
            "block_hash": block.hash,
            "header_rlp": format!("0x{}", hex::encode(&header_rlp)),
            "state_root": state_root,
            "address": contract,
            "storage_hash": proof.storage_hash,
            "code_hash": proof.code_hash,
            "nonce": proof.nonce,
            "balance": proof.balance,
            "account_proof": hex_list(&proof.account_proof),
            "storage": proof.storage_proof.iter().map(|s| json!({
                "slot": s.key,
                "value": s.value,
                "proof": hex_list(&s.proof),
            })).collect::<Vec<_>>(),
            "absent_address": nobody,
            "absent_account_proof": hex_list(&absent.account_proof),
        });
        std::fs::write(&path, serde_json::to_string_pretty(&vector)? + "\n")?;
        eprintln!("wrote {}", PathBuf::from(path).display());
    }
    Ok(())
}
