//! Event discovery and `MsgSubmitEthEvents` building against a real anvil with the PegBridge
//! deployed: the message's header chain and receipt proofs verify with the light client, its
//! logs decode to the expected consecutive nonces, and it survives a round trip through a signed
//! peg zone transaction; a trusted block known by hash alone (Gloas) is resolved through
//! `eth_getBlockByHash` into the same message; a trusted block far above the events is walked
//! down with `MsgTrustEthAncestor` steps that each fit a small transaction and chain from one
//! ancestor to the next, the events then proven from the last one.
//!
//! Needs anvil (`scripts/install-tools`) and the Foundry artifacts in `contracts/out` (built by
//! `scripts/contracts-test` or `forge build`); without anvil the test reports that it is skipped.

use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use light_client::execution::{verify_header_chain, ExecutionProof, Receipt};
use peg_eth_rpc::anvil::{anvil_binary, foundry_bytecode, AnvilProcess, DEV_KEYS};
use peg_eth_rpc::{BlockId, EthRpc, SendOptions, Wallet};
use peg_relayer::inbound::{
    build_event_message, choose_trusted, encode_headers, fetch_header_chain, find_pending_events,
    plan_ancestor_walk, plan_walk_window, provable_prefix, resolve_by_hash, TrustedChoice,
    WalkBudget,
};
use peg_relayer::keyfile::RelayerKey;
use peg_relayer::submit::{build_tx, FeePolicy};
use peg_relayer::zone::{RingEntry, TrustedBlock};
use peg_relayer::RelayerError;
use peg_types::{PegAccount, PegEvent};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

async fn mine(rpc: &EthRpc) -> TestResult {
    let _: serde_json::Value = rpc.request("evm_mine", serde_json::json!([])).await?;
    Ok(())
}

/// Sends without waiting (anvil does not mine by itself here).
async fn send(
    wallet: &Wallet,
    to: Option<Address>,
    value: U256,
    input: Vec<u8>,
) -> TestResult<B256> {
    let opts = SendOptions { gas_limit: Some(3_000_000), ..SendOptions::default() };
    wallet
        .send(to, value, Bytes::from(input), &opts)
        .await
        .map_err(|e| format!("send from {} to {to:?}: {e}", wallet.address()).into())
}

#[tokio::test]
async fn finds_events_and_builds_a_verifiable_message() -> TestResult {
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
    // Distinct timestamps, as on Ethereum (the header chain check requires them increasing).
    let _: serde_json::Value =
        rpc.request("anvil_setBlockTimestampInterval", serde_json::json!([12])).await?;
    let deployer = Wallet::from_hex(rpc.clone(), DEV_KEYS[0])?;
    let alice = Wallet::from_hex(rpc.clone(), DEV_KEYS[1])?;
    let bob = Wallet::from_hex(rpc.clone(), DEV_KEYS[2])?;

    let args = (
        B256::repeat_byte(0x22),
        Address::ZERO,
        U256::ZERO,
        vec!["0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse::<Address>()?],
        vec![U256::from(1u64 << 32)],
    )
        .abi_encode_params();
    let mut init = foundry_bytecode(&artifact)?.to_vec();
    init.extend_from_slice(&args);
    let deploy = deployer
        .send(
            None,
            U256::ZERO,
            Bytes::from(init),
            &SendOptions { gas_limit: Some(8_000_000), ..SendOptions::default() },
        )
        .await
        .map_err(|e| format!("deploy: {e}"))?;
    mine(&rpc).await?;
    let receipt =
        rpc.wait_for_receipt(deploy, Duration::from_secs(5), Duration::from_millis(50)).await?;
    let bridge = receipt.contract_address.ok_or("no bridge address")?;

    let receiver = PegAccount::new([0x5a; 20]);
    let lock = peg_types::calls::lock_eth_calldata(&receiver);
    // Block A: two locks (nonces 1 and 2), transactions 0 and 1.
    let l1 = send(&alice, Some(bridge), U256::from(100u64), lock.clone()).await?;
    let l2 = send(&bob, Some(bridge), U256::from(200u64), lock.clone()).await?;
    mine(&rpc).await?;
    let block_a = rpc
        .wait_for_receipt(l1, Duration::from_secs(5), Duration::from_millis(50))
        .await?
        .block_number;
    assert_eq!(
        rpc.wait_for_receipt(l2, Duration::from_secs(5), Duration::from_millis(50))
            .await?
            .block_number,
        block_a
    );
    // Block A+1: empty. Block A+2: a plain transfer, then lock nonce 3 (transaction 1).
    mine(&rpc).await?;
    send(&deployer, Some(Address::repeat_byte(9)), U256::from(1u64), Vec::new()).await?;
    let l3 = send(&alice, Some(bridge), U256::from(300u64), lock.clone()).await?;
    mine(&rpc).await?;
    let r3 = rpc.wait_for_receipt(l3, Duration::from_secs(5), Duration::from_millis(50)).await?;
    assert_eq!(r3.block_number, block_a + 2);
    assert_eq!(r3.rpc.transaction_index, 1);
    for _ in 0..3 {
        mine(&rpc).await?;
    }
    let latest = rpc.block_by_number(BlockId::Latest).await?.ok_or("latest")?;
    let trusted = TrustedBlock {
        number: latest.number(),
        hash: latest.hash,
        timestamp: latest.header.timestamp,
    };

    // Discovery, two blocks per eth_getLogs.
    let events = find_pending_events(&rpc, bridge, 1, 0, latest.number(), 2, 10).await?;
    let nonces: Vec<u64> = events.iter().map(|e| e.nonce).collect();
    assert_eq!(nonces, [1, 2, 3]);
    assert_eq!(events[0].block_number, block_a);
    assert_eq!((events[1].tx_index, events[2].tx_index), (1, 1));
    assert_eq!(provable_prefix(&events, &trusted, 10), 3);
    assert_eq!(provable_prefix(&events, &trusted, 2), 2);
    let below = TrustedBlock { number: block_a + 1, ..trusted };
    assert_eq!(provable_prefix(&events, &below, 10), 2);
    let later = find_pending_events(&rpc, bridge, 2, 0, latest.number(), 1000, 10).await?;
    assert_eq!(later.iter().map(|e| e.nonce).collect::<Vec<_>>(), [2, 3]);
    let limited = find_pending_events(&rpc, bridge, 1, 0, latest.number(), 1000, 1).await?;
    assert_eq!(limited.len(), 1);
    // The zone's next nonce lies before the scan start: refused, not silently skipped.
    let err = find_pending_events(&rpc, bridge, 1, block_a + 1, latest.number(), 1000, 10)
        .await
        .expect_err("nonce 1 is before the start");
    assert!(matches!(err, RelayerError::Inconsistent(_)), "{err}");

    // The message.
    let key = RelayerKey::new(peg_tx::SigningKey::from_slice(&[3u8; 32])?);
    let msg = build_event_message(&rpc, bridge, trusted, &events, key.address).await?;
    assert_eq!(msg.first_event_nonce, 1);
    assert_eq!(msg.trusted_block_hash, trusted.hash.0);
    assert_eq!(msg.headers.len() as u64, trusted.number - block_a + 1);
    verify_header_chain(trusted.hash, &msg.headers)?;
    assert_eq!(msg.receipts.len(), 3);
    let mut seen = Vec::new();
    for r in &msg.receipts {
        let headers: Vec<Bytes> = msg.headers[..=r.header_index as usize]
            .iter()
            .map(|h| Bytes::from(h.clone()))
            .collect();
        let verified = ExecutionProof {
            headers,
            tx_index: u64::from(r.tx_index),
            receipt_proof: r.proof.iter().map(|n| Bytes::from(n.clone())).collect(),
        }
        .verify(trusted.hash)?;
        let receipt: &Receipt = &verified.receipt;
        for &i in &r.log_indices {
            let log = receipt.log(i as usize)?;
            assert_eq!(log.address, bridge);
            seen.push(PegEvent::decode_raw_log(&log.topics, &log.data)?.event_nonce());
        }
    }
    assert_eq!(seen, [1, 2, 3]);

    // A signed transaction carries it unchanged through peg-tx's decoder.
    let fees = FeePolicy { fee_per_kgas: 1, min_fee: 1000, denom: "upeg".into() };
    let wrapped = peg_tx::Msg::SubmitEthEvents(msg.clone());
    let tx = build_tx(&wrapped, &key, "peg-test", 0, 0, &fees)?;
    let decoded = peg_tx::decode_tx(
        &tx.bytes,
        &peg_tx::TxLimits { max_tx_bytes: 1 << 20, ..peg_tx::TxLimits::default() },
    )?;
    assert_eq!(decoded.messages(), std::slice::from_ref(&wrapped));

    // Gloas: the zone's newest ring entry may name the block by hash alone. Its number comes
    // from the execution node by hash; the message built from it is the same one.
    let entry = RingEntry { number: None, hash: trusted.hash, timestamp: None };
    let TrustedChoice::ResolveByHash(hash) = choose_trusted(None, Some(entry)) else {
        return Err("a number-less newest entry is resolved by hash".into());
    };
    let resolved = resolve_by_hash(&rpc, hash).await?;
    assert_eq!(resolved, trusted);
    let by_hash = build_event_message(&rpc, bridge, resolved, &events, key.address).await?;
    assert_eq!(by_hash, msg);
    let err = resolve_by_hash(&rpc, B256::repeat_byte(1)).await.expect_err("unknown hash");
    assert!(err.to_string().contains("does not know"), "{err}");

    // A trusted hash the node does not have: refused before anything is sent.
    let forged = TrustedBlock { hash: B256::repeat_byte(1), ..trusted };
    let err = build_event_message(&rpc, bridge, forged, &events, key.address)
        .await
        .expect_err("forged trusted hash");
    assert!(err.to_string().contains("the peg zone trusts"), "{err}");
    // Events above the trusted block cannot be proven.
    let err = build_event_message(&rpc, bridge, below, &events, key.address)
        .await
        .expect_err("event above trusted");
    assert!(err.to_string().contains("above the trusted block"), "{err}");

    // A trusted block far above the events (a relayer outage): walk down in steps that fit
    // 16 KiB transactions, each from the previous step's ancestor, then prove from the last.
    for _ in 0..120 {
        mine(&rpc).await?;
    }
    let tip = rpc.block_by_number(BlockId::Latest).await?.ok_or("latest")?;
    let far =
        TrustedBlock { number: tip.number(), hash: tip.hash, timestamp: tip.header.timestamp };
    let max_tx_bytes = 16 * 1024;
    let budget = WalkBudget::for_max_tx_bytes(max_tx_bytes);
    // From the block trusted earlier (a few blocks above the events): nothing to walk.
    assert!(plan_walk_window(&rpc, trusted, block_a, budget, 1024, key.address).await?.is_none());
    // The whole chain at once: the planner's steps over the real header sizes.
    let blocks = fetch_header_chain(&rpc, far, block_a).await?;
    assert_eq!(blocks.len() as u64, far.number - block_a + 1);
    let sizes: Vec<usize> = encode_headers(&blocks)?.iter().map(Vec::len).collect();
    let steps = plan_ancestor_walk(&sizes, true, budget)?;
    assert!(steps.len() >= 3, "{} steps for {} headers", steps.len(), sizes.len());
    // Windows of 40 headers, as a relayer walks them: every message fits, decodes, and chains
    // from the previous one's ancestor; each window starts at the previous window's lowest.
    let mut from = far;
    let mut windows = 0;
    let last = loop {
        let Some(window) = plan_walk_window(&rpc, from, block_a, budget, 40, key.address).await?
        else {
            // The previous window's lowest block is close enough: the walk is over.
            assert!(windows > 0, "the events are too far below: a walk is needed");
            break from;
        };
        windows += 1;
        let mut start = from.hash;
        for msg in &window.messages {
            assert_eq!(msg.trusted_block_hash, start.0, "each step starts at the last ancestor");
            let wrapped = peg_tx::Msg::TrustEthAncestor(msg.clone());
            let tx = build_tx(&wrapped, &key, "peg-test", 0, 0, &fees)?;
            assert!(tx.bytes.len() <= max_tx_bytes, "step of {} bytes", tx.bytes.len());
            let decoded = peg_tx::decode_tx(
                &tx.bytes,
                &peg_tx::TxLimits { max_tx_bytes, ..peg_tx::TxLimits::default() },
            )?;
            assert_eq!(decoded.messages(), std::slice::from_ref(&wrapped));
            let chain = verify_header_chain(start, &msg.headers)?;
            start = chain.last().ok_or("no headers")?.hash;
        }
        assert_eq!(start, window.lowest.hash);
        from = window.lowest;
        if window.reaches_target {
            break window.lowest;
        }
        assert!(windows < 10, "the walk makes progress");
    };
    assert!(windows >= 3, "{windows} windows of 40 for {} headers", sizes.len());
    let ancestor = last;
    assert!(plan_walk_window(&rpc, ancestor, block_a, budget, 40, key.address).await?.is_none());
    assert!(ancestor.number >= block_a + 2, "every event lies at or below the last ancestor");
    assert_eq!(provable_prefix(&events, &ancestor, 10), 3);
    let msg = build_event_message(&rpc, bridge, ancestor, &events, key.address).await?;
    verify_header_chain(ancestor.hash, &msg.headers)?;
    let tx = build_tx(&peg_tx::Msg::SubmitEthEvents(msg), &key, "peg-test", 0, 0, &fees)?;
    assert!(tx.bytes.len() <= max_tx_bytes, "events message of {} bytes", tx.bytes.len());
    Ok(())
}
