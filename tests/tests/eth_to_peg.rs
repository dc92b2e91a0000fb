//! Ethereum → peg zone, end to end over real processes (issue 5, item 6): anvil, the beacon
//! simulator, a 4-validator CometBFT network of `pegd` nodes, PegBridge, and `peg-relayer`s.
//!
//! ```text
//! cargo build -p pegd -p beacon-sim -p peg-relayer
//! PEG_E2E=1 cargo test -p peg-e2e --test eth_to_peg -- --nocapture
//! ```
//!
//! One network is shared by every scenario (starting it costs about half a minute on 2 cores),
//! run in an order where each leaves the system clean for the next. Figures (stage timings,
//! message sizes, gas) are printed as `figure: {json}` lines.

use std::time::{Duration, Instant};

use peg_e2e::devnet::{trusted_newest, ETH_VOUCHER};
use peg_e2e::{Devnet, DevnetConfig, HarnessError, Result};
use serde_json::{json, Value};

#[path = "support/forged.rs"]
mod forged;

/// Bound of one lock → credit (finality lag of 1 epoch of 8 one-second slots, plus relaying).
const CREDIT_TIMEOUT: Duration = Duration::from_secs(120);
const ONE_ETH: u128 = 1_000_000_000_000_000_000;

/// Prints a measured figure for the report.
fn figure(name: &str, value: Value) {
    println!("figure: {}", json!({ "name": name, "value": value }));
}

fn config() -> DevnetConfig {
    let electra_epoch =
        std::env::var("PEG_E2E_ELECTRA_EPOCH").ok().and_then(|e| e.parse().ok()).unwrap_or(6);
    DevnetConfig { electra_epoch: Some(electra_epoch), ..DevnetConfig::default() }
}

#[test]
fn ethereum_to_peg_zone() -> Result<()> {
    if !peg_e2e::enabled("ethereum_to_peg_zone") {
        return Ok(());
    }
    let mut net = Devnet::start(config())?;
    figure("startup_s", json!(net.startup.as_secs_f64()));
    let client = net.eth_client()?;
    println!("light client at genesis: {client}");
    assert_eq!(client["fork"], "deneb", "the checkpoint must predate Electra: {client}");
    let genesis_period = client["sync_committee_period"].as_u64().unwrap_or(0);

    // Receivers: account0 (ETH and ERC-20), account1 (reorg), account3 (kill/restart).
    // account2 and account3 sign for the relayers, account3 also for hand-built messages.
    let r0 = net.account_address(0)?;
    let r1 = net.account_address(1)?;

    net.start_relayer("relayer-a", 2)?;
    locks_are_credited_once(&net, &r0)?;

    net.start_relayer("relayer-b", 3)?;
    two_relayers_credit_once(&net, &r0)?;
    net.stop("relayer-b")?;

    relayer_killed_and_restarted(&mut net, &r0)?;
    relayer_outage_walks_trust_down(&mut net, &r0)?;

    // Hand-built messages: no relayer may deliver the event first.
    net.stop("relayer-a")?;
    forged::forged_messages_are_refused(&mut net, &r0)?;
    net.start_relayer("relayer-a", 2)?;

    reorg_of_unfinalized_lock(&net, &r1)?;

    period_rotation_and_fork(&net, &r0, genesis_period)?;
    forged_committee_signatures_change_nothing(&net, &r1)?;
    net.check_services()?;
    net.finish();
    Ok(())
}

/// Sum of the amounts `address` must hold, tracked across scenarios.
fn expect(net: &Devnet, address: &str, denom: &str, amount: u128) -> Result<()> {
    net.wait_balance(address, denom, amount, CREDIT_TIMEOUT)
}

/// ETH and an ERC-20 locked: each voucher credited exactly once, every stage timed.
fn locks_are_credited_once(net: &Devnet, receiver: &str) -> Result<()> {
    let token_voucher = Devnet::voucher(net.token);
    let before_eth = net.balance(receiver, ETH_VOUCHER)?;
    let before_token = net.balance(receiver, &token_voucher)?;

    let start = Instant::now();
    let eth_lock = net.lock(receiver, ONE_ETH, None)?;
    let included = start.elapsed();
    net.wait_covered(eth_lock.block_number, CREDIT_TIMEOUT)?;
    let covered = start.elapsed();
    expect(net, receiver, ETH_VOUCHER, before_eth + ONE_ETH)?;
    let credited = start.elapsed();
    figure(
        "eth_lock_to_credit",
        json!({
            "lock_included_s": included.as_secs_f64(),
            "wait_finality_s": (covered - included).as_secs_f64(),
            "relay_s": (credited - covered).as_secs_f64(),
            "lock_to_credit_s": credited.as_secs_f64(),
            "block": eth_lock.block_number,
            "event_nonce": eth_lock.event_nonce,
        }),
    );

    let start = Instant::now();
    let amount = 123_456_789u128;
    let token_lock = net.lock(receiver, amount, Some(net.token))?;
    expect(net, receiver, &token_voucher, before_token + amount)?;
    figure(
        "erc20_lock_to_credit_s",
        json!({"lock_to_credit_s": start.elapsed().as_secs_f64(), "lock_s": token_lock.elapsed.as_secs_f64()}),
    );

    // Exactly once: a few more light-client advances change nothing.
    let newest = trusted_newest(&net.eth_client()?);
    net.wait_covered(newest + 4, CREDIT_TIMEOUT)?;
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, before_eth + ONE_ETH);
    assert_eq!(net.balance(receiver, &token_voucher)?, before_token + amount);
    let events = net.query(&format!("/eth/events/{}", eth_lock.event_nonce))?;
    let applied: Vec<&Value> = events
        .as_array()
        .ok_or_else(|| HarnessError::Unexpected(format!("events: {events}")))?
        .iter()
        .filter(|e| {
            let nonce = e["nonce"].as_str().and_then(|n| n.parse::<u64>().ok());
            nonce == Some(eth_lock.event_nonce) || nonce == Some(token_lock.event_nonce)
        })
        .collect();
    assert_eq!(applied.len(), 2, "each event recorded once: {events}");
    assert!(applied.iter().all(|e| e["result"] == "applied"), "{events}");
    let vouchers = net.query("/eth/vouchers")?;
    println!("vouchers: {vouchers}");
    Ok(())
}

/// Two relayers race on the same events: nothing is credited twice.
fn two_relayers_credit_once(net: &Devnet, receiver: &str) -> Result<()> {
    let before = net.balance(receiver, ETH_VOUCHER)?;
    let mut total = 0u128;
    let mut last = None;
    for i in 1..=3u128 {
        let amount = i * 1_000_000_007;
        last = Some(net.lock(receiver, amount, None)?);
        total += amount;
    }
    expect(net, receiver, ETH_VOUCHER, before + total)?;
    let block = last.map(|l| l.block_number).unwrap_or(0);
    // Both relayers saw everything long ago; still exactly the sum.
    net.wait_covered(block + 4, CREDIT_TIMEOUT)?;
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, before + total, "credited twice");
    Ok(())
}

/// The only relayer crashes (SIGKILL) once the lock is final, before or while it delivers the
/// event; a restarted relayer (stateless) completes the transfer, exactly once.
fn relayer_killed_and_restarted(net: &mut Devnet, receiver: &str) -> Result<()> {
    let before = net.balance(receiver, ETH_VOUCHER)?;
    let amount = 777_000_000_000u128;
    let lock = net.lock(receiver, amount, None)?;
    net.wait_covered(lock.block_number, CREDIT_TIMEOUT)?;
    net.kill("relayer-a")?;
    let at_kill = net.balance(receiver, ETH_VOUCHER)?;
    println!("relayer killed; credited at that moment: {}", at_kill > before);
    std::thread::sleep(Duration::from_secs(3));
    net.start_relayer("relayer-a", 2)?;
    expect(net, receiver, ETH_VOUCHER, before + amount)?;
    let newest = trusted_newest(&net.eth_client()?);
    net.wait_covered(newest + 4, CREDIT_TIMEOUT)?;
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, before + amount);
    Ok(())
}

/// A long relayer outage: when a relayer comes back, the next trusted block lands far above a
/// lock, farther than one transaction can carry (the restarted relayer is held to 16 KiB
/// transactions, ≈ 13 headers in an events message). It extends trust down with
/// `MsgTrustEthAncestor` in pieces, then proves the event from the last ancestor: credited once.
fn relayer_outage_walks_trust_down(net: &mut Devnet, receiver: &str) -> Result<()> {
    // ≈ 600-byte anvil headers: 24 do not fit the half of 16 KiB an events message gets.
    const GAP_BLOCKS: u64 = 24;
    const SLOTS_PER_PERIOD: u64 = 64;
    let beacon = net.beacon_url();
    let sim_status = || -> Result<Value> {
        let text = peg_e2e::devnet::http_get(&format!("{beacon}/sim/v1/status"))?;
        serde_json::from_str(&text)
            .map_err(|e| HarnessError::Unexpected(format!("sim status: {e}")))
    };
    // Start the outage in the middle of a sync-committee period (the zone's store then sits in
    // this period, its next committee known), so the single update that ends it — signed about
    // 45 slots later — is still one the store can verify (this period or the next).
    net.wait_until("the middle of a sync-committee period", Duration::from_secs(80), || {
        let slot = sim_status()?["slot"].as_u64().unwrap_or(0);
        Ok((28..36).contains(&(slot % SLOTS_PER_PERIOD)).then_some(slot))
    })?;
    net.stop("relayer-a")?;
    let before = net.balance(receiver, ETH_VOUCHER)?;
    let ancestors_before = net.eth_client()?["ancestors"].as_u64().unwrap_or(0);
    let amount = 555_000_000_000u128;
    let lock = net.lock(receiver, amount, None)?;
    let target = lock.block_number + GAP_BLOCKS;
    net.wait_until(
        &format!("the simulator to finalize block {target}"),
        Duration::from_secs(120),
        || {
            let finalized = sim_status()?["finalized"]["execution_number"].as_u64().unwrap_or(0);
            Ok((finalized >= target).then_some(finalized))
        },
    )?;
    // The first trusted block after the outage: far above the lock.
    forged::jump_light_client_to(net, target, Duration::from_secs(60))?;
    let restarted = Instant::now();
    net.start_relayer_with("relayer-a", 2, "max_tx_bytes = 16384\n")?;
    expect(net, receiver, ETH_VOUCHER, before + amount)?;
    let ancestors = net.eth_client()?["ancestors"].as_u64().unwrap_or(0);
    assert!(
        ancestors > ancestors_before,
        "the relayer must have extended trust down (ancestors {ancestors_before} -> {ancestors})"
    );
    figure("outage_restart_to_credit_s", json!(restarted.elapsed().as_secs_f64()));
    figure("outage_ancestors_added", json!(ancestors - ancestors_before));
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, before + amount, "credited twice");
    Ok(())
}

/// A lock in blocks that anvil then rolls back before they are final: nothing of the orphaned
/// chain is credited, a full proof of the orphaned event is refused, and the next lock on the new
/// chain is credited. (Should anvil re-include the transaction on the new chain, it is a real
/// lock there and must be credited exactly once.)
fn reorg_of_unfinalized_lock(net: &Devnet, receiver: &str) -> Result<()> {
    let sim_status = || -> Result<Value> {
        let text = peg_e2e::devnet::http_get(&format!("{}/sim/v1/status", net.beacon_url()))?;
        serde_json::from_str(&text)
            .map_err(|e| HarnessError::Unexpected(format!("sim status: {e}")))
    };
    let reorgs_before = sim_status()?["reorgs"].as_u64().unwrap_or(0);
    let before = net.balance(receiver, ETH_VOUCHER)?;
    let amount = 424_242u128;
    let lock = net.lock(receiver, amount, None)?;
    let orphan = forged::capture(net, &lock)?;
    let head = net.block_on(net.eth().block_number())?;
    let depth = head.saturating_sub(lock.block_number) + 1;
    let trusted_before = trusted_newest(&net.eth_client()?);
    assert!(
        trusted_before < lock.block_number,
        "the lock block {} is already trusted ({trusted_before})",
        lock.block_number
    );
    net.anvil("anvil_rollback", json!([depth]))?;
    println!("rolled back {depth} block(s) (lock in block {})", lock.block_number);
    let status =
        net.wait_until("the simulator to follow the reorg", Duration::from_secs(30), || {
            let status = sim_status()?;
            if !status["fatal"].is_null() {
                return Err(HarnessError::Fatal(format!("simulator fatal error: {status}")));
            }
            Ok((status["reorgs"].as_u64().unwrap_or(0) > reorgs_before).then_some(status))
        })?;
    println!(
        "simulator after the reorg: reorgs {}, reorged blocks {}",
        status["reorgs"], status["reorged_blocks"]
    );
    // Let the new chain finalize past the old height.
    net.wait_covered(lock.block_number + 4, CREDIT_TIMEOUT)?;
    let hash = lock
        .tx_hash
        .parse()
        .map_err(|e| HarnessError::Unexpected(format!("tx hash {}: {e}", lock.tx_hash)))?;
    let reincluded = net.block_on(net.eth().transaction_receipt(hash))?.is_some();
    println!("lock transaction re-included after the rollback: {reincluded}");
    let expected = if reincluded {
        before + amount
    } else {
        forged::orphaned_event_is_refused(net, &orphan)?;
        before
    };
    // Give the relayer time to (wrongly) deliver anything, then check.
    std::thread::sleep(Duration::from_secs(5));
    expect(net, receiver, ETH_VOUCHER, expected)?;
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, expected, "orphaned lock credited");
    // The zone still accepts the new chain's next event (it reuses the orphaned nonce).
    let next = net.lock(receiver, 1_000, None)?;
    expect(net, receiver, ETH_VOUCHER, expected + 1_000)?;
    println!("post-reorg lock nonce {} credited", next.event_nonce);
    Ok(())
}

/// The simulator rotates sync committees every 64 slots and switches to Electra at the
/// configured epoch: the peg zone's light client follows both, and a lock after them is credited.
fn period_rotation_and_fork(net: &Devnet, receiver: &str, genesis_period: u64) -> Result<()> {
    let client = net.wait_until(
        "the light client to reach Electra and the next sync-committee period",
        Duration::from_secs(240),
        || {
            let c = net.eth_client()?;
            let period = c["sync_committee_period"].as_u64().unwrap_or(0);
            Ok((c["fork"] == "electra" && period > genesis_period).then_some(c))
        },
    )?;
    println!("after rotation and fork: {client}");
    let before = net.balance(receiver, ETH_VOUCHER)?;
    net.lock(receiver, 5, None)?;
    expect(net, receiver, ETH_VOUCHER, before + 5)?;
    Ok(())
}

/// The simulator signs with wrong keys (`/sim/v1/adversary` `bad_signatures`): the peg zone
/// refuses every update (BLS), its light client stays put, and a lock made meanwhile is not
/// credited; once the signatures are honest again, the lock goes through.
fn forged_committee_signatures_change_nothing(net: &Devnet, receiver: &str) -> Result<()> {
    let adversary = format!("{}/sim/v1/adversary", net.beacon_url());
    peg_e2e::devnet::http_post_json(&adversary, &json!({"bad_signatures": true}))?;
    let result = (|| -> Result<()> {
        let before = net.balance(receiver, ETH_VOUCHER)?;
        let frozen = net.eth_client()?;
        let lock = net.lock(receiver, 99, None)?;
        // Wait until the simulator has finalized well past the lock (with bad signatures).
        net.wait_until("the simulator to finalize past the lock", CREDIT_TIMEOUT, || {
            let text = peg_e2e::devnet::http_get(&format!("{}/sim/v1/status", net.beacon_url()))?;
            let status: Value = serde_json::from_str(&text)
                .map_err(|e| HarnessError::Unexpected(format!("sim status: {e}")))?;
            let finalized = status["finalized"]["execution_number"].as_u64().unwrap_or(0);
            Ok((finalized > lock.block_number).then_some(()))
        })?;
        // A few slots for a relayer to (try to) deliver updates finalizing it.
        std::thread::sleep(Duration::from_secs(4));
        let client = net.eth_client()?;
        println!("light client under forged signatures: {client}");
        // Slack of one epoch: an honest update built just before the switch may still land.
        assert!(
            client["finalized_slot"].as_u64() <= frozen["finalized_slot"].as_u64().map(|s| s + 8),
            "a badly signed update moved the light client: {frozen} -> {client}"
        );
        assert!(trusted_newest(&client) < lock.block_number, "{client}");
        assert_eq!(net.balance(receiver, ETH_VOUCHER)?, before, "credited without a proof");
        peg_e2e::devnet::http_post_json(&adversary, &json!({"bad_signatures": false}))?;
        let start = Instant::now();
        net.wait_balance(receiver, ETH_VOUCHER, before + 99, Duration::from_secs(180))?;
        figure("recovery_after_forged_signatures_s", json!(start.elapsed().as_secs_f64()));
        Ok(())
    })();
    if result.is_err() {
        let _ = peg_e2e::devnet::http_post_json(&adversary, &json!({"bad_signatures": false}));
    }
    result
}
