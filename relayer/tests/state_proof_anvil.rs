//! Timeout proofs against a real anvil with the PegBridge deployed: the relayer builds
//! `MsgProveEthState` for the contract's slot 0 at a trusted block (known to the zone by hash
//! alone, as under Gloas), the message verifies with the light client exactly as the zone checks
//! it (header hash, account proof under the state root, slot 0 under the storage root), its low 64
//! bits are the contract's `eventNonce()` at that block and the next 64 its `valsetNonce()`; an
//! older block proves the older nonce; a wrong bridge address is refused before submission; the
//! message survives a signed peg zone transaction.
//!
//! Needs anvil (`scripts/install-tools`) and the Foundry artifacts in `contracts/out`; without
//! anvil the test reports that it is skipped.

use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use light_client::execution::{keccak256, read_header_fields, verify_storage_slot};
use peg_eth_rpc::anvil::{anvil_binary, foundry_bytecode, AnvilProcess, DEV_KEYS};
use peg_eth_rpc::{BlockId, CallRequest, EthRpc, SendOptions, Wallet};
use peg_relayer::keyfile::RelayerKey;
use peg_relayer::state_proof::{
    build_state_message, needs_timeout_proof, resolve_trusted, BatchTimeout, Observation,
};
use peg_relayer::submit::{build_tx, FeePolicy};
use peg_relayer::zone::RingEntry;
use peg_relayer::RelayerError;
use peg_types::PegAccount;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

async fn mine(rpc: &EthRpc) -> TestResult {
    let _: serde_json::Value = rpc.request("evm_mine", serde_json::json!([])).await?;
    Ok(())
}

async fn call_u64(rpc: &EthRpc, to: Address, signature: &str, block: u64) -> TestResult<u64> {
    let call = CallRequest {
        to: Some(to),
        data: Bytes::copy_from_slice(&keccak256(signature.as_bytes())[..4]),
        ..CallRequest::default()
    };
    let out = rpc.call(&call, BlockId::Number(block)).await?;
    Ok(U256::from_be_slice(&out).to::<u64>())
}

#[tokio::test]
async fn builds_a_verifiable_state_proof_of_the_bridge_event_nonce() -> TestResult {
    let Some(anvil_bin) = anvil_binary(&workspace()) else {
        eprintln!("skipped: anvil not installed (scripts/install-tools)");
        return Ok(());
    };
    let artifact = workspace().join("contracts/out/PegBridge.sol/PegBridge.json");
    if !artifact.exists() {
        return Err(
            format!("{} missing: run `forge build` in contracts/", artifact.display()).into()
        );
    }
    let anvil = AnvilProcess::start(&anvil_bin, &["--no-mining"]).await?;
    let rpc = EthRpc::new(anvil.url())?;
    let _: serde_json::Value =
        rpc.request("anvil_setBlockTimestampInterval", serde_json::json!([12])).await?;
    let deployer = Wallet::from_hex(rpc.clone(), DEV_KEYS[0])?;
    let alice = Wallet::from_hex(rpc.clone(), DEV_KEYS[1])?;

    // Valset nonce 5 at deployment, so both packed nonces are visible in slot 0.
    let args = (
        B256::repeat_byte(0x22),
        Address::ZERO,
        U256::from(5u64),
        vec!["0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse::<Address>()?],
        vec![U256::from(1u64 << 32)],
    )
        .abi_encode_params();
    let mut init = foundry_bytecode(&artifact)?.to_vec();
    init.extend_from_slice(&args);
    let opts = SendOptions { gas_limit: Some(8_000_000), ..SendOptions::default() };
    let deploy = deployer.send(None, U256::ZERO, Bytes::from(init), &opts).await?;
    mine(&rpc).await?;
    let receipt =
        rpc.wait_for_receipt(deploy, Duration::from_secs(5), Duration::from_millis(50)).await?;
    let bridge = receipt.contract_address.ok_or("no bridge address")?;

    // One lock per block: event nonces 1, 2, 3.
    let lock = peg_types::calls::lock_eth_calldata(&PegAccount::new([0x5a; 20]));
    let lock_opts = SendOptions { gas_limit: Some(300_000), ..SendOptions::default() };
    let mut blocks = Vec::new();
    for i in 0..3u64 {
        let tx = alice
            .send(Some(bridge), U256::from(100 + i), Bytes::from(lock.clone()), &lock_opts)
            .await?;
        mine(&rpc).await?;
        let r = rpc.wait_for_receipt(tx, Duration::from_secs(5), Duration::from_millis(50)).await?;
        assert!(r.succeeded());
        blocks.push(r.block_number);
    }
    mine(&rpc).await?;
    let latest = rpc.block_by_number(BlockId::Latest).await?.ok_or("latest")?;
    let key = RelayerKey::new(peg_tx::SigningKey::from_slice(&[3u8; 32])?);

    // The zone knows the block by hash alone: number and header come from the node.
    let entry = RingEntry { number: None, hash: latest.hash, timestamp: None };
    let (trusted, header_rlp) = resolve_trusted(&rpc, &entry).await?;
    assert_eq!((trusted.number, trusted.timestamp), (latest.number(), latest.header.timestamp));
    let (msg, event_nonce) =
        build_state_message(&rpc, bridge, &trusted, header_rlp, key.address).await?;
    assert_eq!(event_nonce, 3);
    assert_eq!(event_nonce, call_u64(&rpc, bridge, "eventNonce()", trusted.number).await?);

    // What the zone checks, from the message alone.
    let fields = read_header_fields(&msg.header_rlp)?;
    assert_eq!(fields.hash.0, msg.trusted_block_hash);
    let slot = verify_storage_slot(
        fields.state_root,
        bridge,
        U256::ZERO,
        &msg.account_proof,
        &msg.storage_proof,
    )?;
    assert!(slot.account.ok_or("bridge absent")?.has_code());
    let limbs = slot.value.as_limbs();
    assert_eq!(limbs[0], 3, "eventNonce: low 64 bits");
    assert_eq!(limbs[1], call_u64(&rpc, bridge, "valsetNonce()", trusted.number).await?);
    assert_eq!(limbs[1], 5, "valsetNonce: next 64 bits");
    // The same proof is not one of another address.
    assert!(
        verify_storage_slot(
            fields.state_root,
            Address::repeat_byte(7),
            U256::ZERO,
            &msg.account_proof,
            &msg.storage_proof
        )
        .map_or(true, |s| s.account.is_none() && s.value.is_zero()),
        "another address never gets the bridge's slot"
    );

    // An older block proves the older nonce (historical state).
    let older = rpc.block_by_number(BlockId::Number(blocks[0])).await?.ok_or("older")?;
    let entry = RingEntry { number: Some(blocks[0]), hash: older.hash, timestamp: None };
    let (old_trusted, old_rlp) = resolve_trusted(&rpc, &entry).await?;
    let (_, old_nonce) =
        build_state_message(&rpc, bridge, &old_trusted, old_rlp, key.address).await?;
    assert_eq!(old_nonce, 1);
    // A ring number that is not the node's: refused.
    let wrong = RingEntry { number: Some(blocks[0] + 1), hash: older.hash, timestamp: None };
    assert!(matches!(resolve_trusted(&rpc, &wrong).await, Err(RelayerError::Inconsistent(_))));

    // A bridge address with no contract: refused before any submission.
    let (_, rlp) =
        resolve_trusted(&rpc, &RingEntry { number: None, hash: latest.hash, timestamp: None })
            .await?;
    let err = build_state_message(&rpc, Address::repeat_byte(0x77), &trusted, rlp, key.address)
        .await
        .expect_err("no contract there");
    assert!(matches!(err, RelayerError::Inconsistent(_)), "{err}");

    // The decision: a batch whose timeout is at or below the trusted block's timestamp, the
    // zone having observed nothing newer.
    let batches = [BatchTimeout { nonce: 1, timeout: trusted.timestamp, status: None }];
    assert!(needs_timeout_proof(&batches, trusted.timestamp, None));
    let seen =
        Observation { block_number: trusted.number, timestamp: trusted.timestamp, event_nonce: 3 };
    assert!(!needs_timeout_proof(&batches, trusted.timestamp, Some(&seen)));

    // A signed transaction carries it unchanged through peg-tx's decoder.
    let fees = FeePolicy { fee_per_kgas: 1, min_fee: 1000, denom: "upeg".into() };
    let wrapped = peg_tx::Msg::ProveEthState(msg);
    let tx = build_tx(&wrapped, &key, "peg-test", 0, 0, &fees)?;
    let decoded = peg_tx::decode_tx(&tx.bytes, &peg_tx::TxLimits::default())?;
    assert_eq!(decoded.messages(), std::slice::from_ref(&wrapped));
    Ok(())
}
