//! The Ethereum half of outbound relaying against a real anvil with the PegBridge deployed, through
//! the functions the relayer's loop uses (`peg_relayer::outbound`): the newest valset that passes on
//! its own is picked and relayed (intermediate ones skipped), an order-preserving repower goes out
//! as `updateValsetPowers`, the current valset is recognized by its members hash and recovered from
//! the last `ValsetUpdated` log, a signed ETH batch pays its receivers and the relayer's fee, a
//! stale or timed-out batch is refused by simulation, and of two relayers racing on one batch
//! exactly one succeeds.
//!
//! The zone's answers are built here in the shape of `/bridge/valsets` and `/bridge/batches`,
//! signed with known keys; the full loop against real `pegd` nodes is the end-to-end tests' job.
//! Needs anvil (`scripts/install-tools`) and `contracts/out` (`forge build`); without anvil the
//! test reports that it is skipped.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use peg_eth_rpc::anvil::{anvil_binary, foundry_bytecode, AnvilProcess, DEV_KEYS};
use peg_eth_rpc::{BlockId, EthRpc, SendOptions, Wallet};
use peg_relayer::outbound::{
    await_outcome, find_current, gas_limit, judge_batch, pick_valset, plan_batch,
    relayable_batches, send_and_confirm, send_call, simulate, BatchDecision, BridgeContract,
    FeeJudge, SendOutcome, Simulation, ZoneBatch, ZoneMember, ZoneSignature, ZoneTransfer,
    ZoneValset,
};
use peg_types::{
    sign_digest, signer_address, signing_key_from_bytes, typed_data_digest, EthAddress, PegAccount,
    SigningKey, Valset,
};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

const RECEIPT_TIMEOUT: Duration = Duration::from_secs(20);

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn keys(n: usize) -> Vec<SigningKey> {
    (0..n)
        .map(|i| {
            signing_key_from_bytes(&keccak256(format!("outbound anvil validator {i}")))
                .expect("keccak output is a valid key")
        })
        .collect()
}

fn key_of<'a>(keys: &'a [SigningKey], address: &EthAddress) -> &'a SigningKey {
    keys.iter().find(|k| &signer_address(k) == address).expect("member has a key")
}

fn to_zone(valset: &Valset) -> ZoneValset {
    ZoneValset {
        nonce: valset.nonce,
        members: valset
            .members
            .iter()
            .map(|m| ZoneMember { eth_address: m.eth_address, power: m.power })
            .collect(),
        confirmed: false,
        signatures: Vec::new(),
    }
}

fn signature(key: &SigningKey, digest: &B256) -> ZoneSignature {
    let sig = sign_digest(key, digest).expect("sign");
    ZoneSignature {
        validator: String::new(),
        eth_address: signer_address(key),
        signature: format!("0x{}", hex::encode(sig.to_bytes())),
    }
}

/// A zone valset whose update digest is signed by `signers`.
fn signed_valset(valset: &Valset, sep: B256, signers: &[&SigningKey]) -> ZoneValset {
    let digest = typed_data_digest(sep, valset.valset_hash());
    ZoneValset {
        signatures: signers.iter().map(|k| signature(k, &digest)).collect(),
        ..to_zone(valset)
    }
}

fn eth_batch(nonce: u64, timeout: u64, transfers: &[(Address, u64, u64)]) -> ZoneBatch {
    ZoneBatch {
        nonce,
        token: EthAddress::ZERO,
        denom: "eth/0x0000000000000000000000000000000000000000".into(),
        timeout,
        transfers: transfers
            .iter()
            .enumerate()
            .map(|(i, (to, amount, fee))| ZoneTransfer {
                id: i as u64 + 1,
                receiver: EthAddress::from(*to),
                amount: amount.to_string(),
                fee: fee.to_string(),
            })
            .collect(),
        status: "pending".into(),
        signatures: Vec::new(),
    }
}

fn sign_batch(batch: &mut ZoneBatch, sep: B256, signers: &[&SigningKey]) -> TestResult {
    let digest = typed_data_digest(sep, batch.batch()?.batch_hash());
    batch.signatures = signers.iter().map(|k| signature(k, &digest)).collect();
    Ok(())
}

async fn latest_timestamp(rpc: &EthRpc) -> TestResult<u64> {
    Ok(rpc.block_by_number(BlockId::Latest).await?.ok_or("no latest block")?.header.timestamp)
}

#[tokio::test]
async fn relays_valsets_and_batches_to_a_real_bridge() -> TestResult {
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
    let anvil = AnvilProcess::start(&anvil_bin, &[]).await?;
    let rpc = EthRpc::new(anvil.url())?;
    let relayer = Wallet::from_hex(rpc.clone(), DEV_KEYS[0])?;
    let rival = Wallet::from_hex(rpc.clone(), DEV_KEYS[1])?;
    let user = Wallet::from_hex(rpc.clone(), DEV_KEYS[2])?;

    // Valset 0 (the contract's constructor): three validators of equal power.
    let k = keys(4);
    let v0 = Valset::from_raw_powers(0, k[..3].iter().map(|key| (signer_address(key), 100)))?;
    let sol = v0.to_sol();
    let args = (B256::repeat_byte(0x33), Address::ZERO, U256::ZERO, sol.validators, sol.powers)
        .abi_encode_params();
    let mut init = foundry_bytecode(&artifact)?.to_vec();
    init.extend_from_slice(&args);
    let deployed = relayer
        .deploy(
            Bytes::from(init),
            &SendOptions { gas_limit: Some(8_000_000), ..SendOptions::default() },
        )
        .await?;
    let bridge = deployed.contract_address.ok_or("no bridge address")?;
    let contract = BridgeContract::new(&rpc, bridge);
    let sep = contract.domain_separator().await?;
    assert_eq!(contract.valset_nonce().await?, 0);
    assert_eq!(contract.valset_members_hash().await?, v0.members_hash());

    // Lock 1 ETH so that batches have something to pay out.
    let lock = peg_types::calls::lock_eth_calldata(&PegAccount::new([0x5a; 20]));
    user.send_and_wait(
        Some(bridge),
        U256::from(10u64).pow(U256::from(18u64)),
        Bytes::from(lock),
        &SendOptions::default(),
    )
    .await?;

    // The zone made valsets 1 (repower), 2 (a fourth validator) and 3 (signed by one only).
    let v1 = Valset::from_raw_powers(
        1,
        v0.members.iter().enumerate().map(|(i, m)| (m.eth_address, 100 + i as u64)),
    )?;
    let v2 = Valset::from_raw_powers(2, k.iter().map(|key| (signer_address(key), 100)))?;
    let v3 = Valset::from_raw_powers(
        3,
        k.iter().enumerate().map(|(i, key)| (signer_address(key), if i == 0 { 150 } else { 100 })),
    )?;
    let all: Vec<&SigningKey> = k.iter().collect();
    let zone = vec![
        signed_valset(&v3, sep, &all[..1]),
        signed_valset(&v2, sep, &all),
        signed_valset(&v1, sep, &all),
        to_zone(&v0),
    ];
    // The current valset is recognized by the contract's members hash.
    let current = find_current(&zone, &contract.valset_members_hash().await?, 0).ok_or("v0")?;
    assert_eq!(current, v0);
    // The newest that passes on its own: v2 (v1 skipped, v3 under-signed).
    let plan = pick_valset(&zone, &current, 0, sep).ok_or("v2 passes")?;
    assert_eq!(plan.new, v2);
    let data = plan.calldata();
    let Simulation::Ready { gas } = simulate(&rpc, relayer.address(), bridge, &data).await? else {
        return Err("the valset update simulates".into());
    };
    let outcome =
        send_and_confirm(&relayer, bridge, &data, gas_limit(gas), RECEIPT_TIMEOUT).await?;
    assert!(matches!(outcome, SendOutcome::Executed { .. }), "{outcome:?}");
    assert_eq!(contract.valset_nonce().await?, 2);
    let members_hash = contract.valset_members_hash().await?;
    assert_eq!(members_hash, v2.members_hash());
    assert_eq!(find_current(&zone, &members_hash, 2), Some(v2.clone()));
    // The same update again: refused by simulation (stale nonce), nothing sent.
    assert!(matches!(
        simulate(&rpc, relayer.address(), bridge, &data).await?,
        Simulation::WouldRevert { .. }
    ));
    // Nothing newer passes with v2's signatures over v3 yet.
    assert!(pick_valset(&zone, &v2, 2, sep).is_none());

    // The fallback: the member order from the last ValsetUpdated log (also the constructor's).
    let latest = rpc.block_number().await?;
    let from_logs = contract.valset_from_logs(2, 0, 2).await?.ok_or("ValsetUpdated of v2")?;
    assert_eq!(from_logs, v2);
    let from_logs = contract.valset_from_logs(0, 0, latest + 10).await?.ok_or("constructor")?;
    assert_eq!(from_logs, v0);
    assert_eq!(contract.valset_from_logs(9, 0, 3).await?, None);

    // An order-preserving repower goes out as updateValsetPowers.
    let v4 = Valset::from_raw_powers(
        4,
        v2.members.iter().enumerate().map(|(i, m)| (m.eth_address, 200 - i as u64)),
    )?;
    let signers: Vec<&SigningKey> = v2.members.iter().map(|m| key_of(&k, &m.eth_address)).collect();
    let zone4 = vec![signed_valset(&v4, sep, &signers), to_zone(&v2)];
    let plan = pick_valset(&zone4, &v2, 2, sep).ok_or("v4 passes")?;
    let data = plan.calldata();
    let powers_selector =
        &keccak256("updateValsetPowers(uint256,bytes,(bytes32[],uint256,bytes))")[..4];
    assert_eq!(&data[..4], powers_selector);
    let Simulation::Ready { gas } = simulate(&rpc, relayer.address(), bridge, &data).await? else {
        return Err("the repower simulates".into());
    };
    let outcome =
        send_and_confirm(&relayer, bridge, &data, gas_limit(gas), RECEIPT_TIMEOUT).await?;
    assert!(matches!(outcome, SendOutcome::Executed { .. }), "{outcome:?}");
    assert_eq!(contract.valset_nonce().await?, 4);
    let current = v4;

    // A batch of ETH: two receivers, fees to the relayer.
    let (alice, bob) = (Address::repeat_byte(0xa1), Address::repeat_byte(0xb0));
    let now = latest_timestamp(&rpc).await?;
    let mut batch = eth_batch(5, now + 3600, &[(alice, 1_000, 10), (bob, 2_000, 20)]);
    // One signer is not enough.
    sign_batch(&mut batch, sep, &signers[..1])?;
    assert!(plan_batch(&batch, &current, sep)?.is_none());
    sign_batch(&mut batch, sep, &signers)?;
    let plan = plan_batch(&batch, &current, sep)?.ok_or("the batch passes")?;
    let Simulation::Ready { gas } =
        simulate(&rpc, relayer.address(), bridge, &plan.calldata).await?
    else {
        return Err("the batch simulates".into());
    };
    let judge =
        FeeJudge { min_fee_ratio: 1.0, token_prices_wei: BTreeMap::new(), relay_unpriced: false };
    let gas_price = rpc.gas_price().await?;
    // 30 wei of fees do not pay for the gas at ratio 1; ratio 0 relays anyway.
    assert!(matches!(
        judge_batch(&judge, &batch.token, plan.batch.total_fees()?, gas, gas_price),
        BatchDecision::Unprofitable { .. }
    ));
    let judge = FeeJudge { min_fee_ratio: 0.0, ..judge };
    assert!(matches!(
        judge_batch(&judge, &batch.token, plan.batch.total_fees()?, gas, gas_price),
        BatchDecision::Relay { .. }
    ));
    let before = rpc.balance(relayer.address(), BlockId::Latest).await?;
    let hash = send_call(&relayer, bridge, &plan.calldata, gas_limit(gas)).await?;
    let outcome = await_outcome(&rpc, hash, RECEIPT_TIMEOUT).await?;
    let SendOutcome::Executed { gas_used, .. } = outcome else {
        return Err(format!("batch not executed: {outcome:?}").into());
    };
    let receipt = rpc.transaction_receipt(hash).await?.ok_or("receipt")?;
    let price = receipt
        .json
        .get("effectiveGasPrice")
        .and_then(|v| v.as_str())
        .ok_or("effectiveGasPrice")?;
    let price = peg_eth_rpc::parse_quantity_u256(price)?;
    let after = rpc.balance(relayer.address(), BlockId::Latest).await?;
    assert_eq!(
        after + U256::from(gas_used) * price,
        before + U256::from(30u8),
        "fees to the relayer"
    );
    assert_eq!(rpc.balance(alice, BlockId::Latest).await?, U256::from(1_000u64));
    assert_eq!(rpc.balance(bob, BlockId::Latest).await?, U256::from(2_000u64));
    assert_eq!(contract.last_batch_nonce(&EthAddress::ZERO).await?, 5);

    // Never resent: above lastBatchNonce only, and the simulation refuses it anyway.
    let last: BTreeMap<EthAddress, u64> =
        [(EthAddress::ZERO, contract.last_batch_nonce(&EthAddress::ZERO).await?)].into();
    let now = latest_timestamp(&rpc).await?;
    let mut timed_out = eth_batch(6, now, &[(alice, 1, 0)]);
    sign_batch(&mut timed_out, sep, &signers)?;
    let mut racing = eth_batch(7, now + 3600, &[(bob, 5, 1)]);
    sign_batch(&mut racing, sep, &signers)?;
    let zone_batches = vec![batch.clone(), timed_out.clone(), racing.clone()];
    let nonces: Vec<u64> =
        relayable_batches(&zone_batches, &last, now).iter().map(|b| b.nonce).collect();
    assert_eq!(nonces, [7], "5 executed, 6 timed out");
    assert!(matches!(
        simulate(&rpc, relayer.address(), bridge, &plan.calldata).await?,
        Simulation::WouldRevert { .. }
    ));
    let stale = plan_batch(&timed_out, &current, sep)?.ok_or("signed")?;
    assert!(matches!(
        simulate(&rpc, relayer.address(), bridge, &stale.calldata).await?,
        Simulation::WouldRevert { .. }
    ));

    // Two relayers race on batch 7 in one block: exactly one executes, the other reverts.
    let plan = plan_batch(&racing, &current, sep)?.ok_or("signed")?;
    let Simulation::Ready { gas } =
        simulate(&rpc, relayer.address(), bridge, &plan.calldata).await?
    else {
        return Err("batch 7 simulates".into());
    };
    let _: serde_json::Value = rpc.request("evm_setAutomine", serde_json::json!([false])).await?;
    let first = send_call(&relayer, bridge, &plan.calldata, gas_limit(gas)).await?;
    let second = send_call(&rival, bridge, &plan.calldata, gas_limit(gas)).await?;
    let _: serde_json::Value = rpc.request("evm_mine", serde_json::json!([])).await?;
    let outcomes = [
        await_outcome(&rpc, first, RECEIPT_TIMEOUT).await?,
        await_outcome(&rpc, second, RECEIPT_TIMEOUT).await?,
    ];
    let _: serde_json::Value = rpc.request("evm_setAutomine", serde_json::json!([true])).await?;
    let executed = outcomes.iter().filter(|o| matches!(o, SendOutcome::Executed { .. })).count();
    let reverted = outcomes.iter().filter(|o| matches!(o, SendOutcome::Reverted { .. })).count();
    assert_eq!((executed, reverted), (1, 1), "{outcomes:?}");
    assert_eq!(contract.last_batch_nonce(&EthAddress::ZERO).await?, 7);
    assert_eq!(rpc.balance(bob, BlockId::Latest).await?, U256::from(2_005u64));
    Ok(())
}
