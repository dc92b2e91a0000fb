//! The light-client recovery path over real processes: validators re-anchor the peg zone's
//! Ethereum light client by governance (`pegd tx eth reset-checkpoint`), specs/eth-module.md §7.
//!
//! ```text
//! cargo build -p pegd -p beacon-sim -p peg-relayer
//! PEG_E2E=1 cargo test -p peg-e2e --test recovery -- --nocapture
//! ```
//!
//! Four validators of equal power (2 votes are 50 %, not enough; 3 are 75 %). The simulator
//! stalls finality, so a lock is never finalized and never credited. The operators then agree on
//! a checkpoint their own beacon node shows: the first fetches the `head` block root, the others
//! vote for that exact root (a different root would be a different proposal). Two votes leave
//! the light client untouched; the third re-anchors it at that block, whose execution block
//! enters the trusted ring, and the relayer proves the lock against it: credited exactly once.
//! Finality then resumes and the client follows on its own past the checkpoint.
//!
//! Why `head` and not `finalized`: while finality is stalled the finalized checkpoint is the
//! frozen one the client already has; a stall that outlasts what the light client can bridge
//! (a sync-committee period) leaves an explicitly trusted recent block as the only way forward.
//! Figures are printed as `figure: {json}` lines.

use std::time::{Duration, Instant};

use peg_e2e::devnet::{http_get, http_post_json, trusted_newest, ETH_VOUCHER};
use peg_e2e::process::run;
use peg_e2e::{Devnet, DevnetConfig, HarnessError, Result};
use serde_json::{json, Value};

const ONE_ETH: u128 = 1_000_000_000_000_000_000;
/// Slots of a sync-committee period (minimal preset).
const PERIOD_SLOTS: u64 = 64;
/// The stall starts at this offset of a period or later (so that something is finalized and the
/// frozen checkpoint is in the same period as the reset target: epoch 3 of the period finalizes
/// its epoch 1) and no later than [`STALL_LATEST`] (so the reset lands in that period too: a
/// reset store learns its next committee from an update of its own period).
const STALL_EARLIEST: u64 = 26;
const STALL_LATEST: u64 = 42;

fn figure(name: &str, value: Value) {
    println!("figure: {}", json!({ "name": name, "value": value }));
}

fn sim_status(net: &Devnet) -> Result<Value> {
    let text = http_get(&format!("{}/sim/v1/status", net.beacon_url()))?;
    serde_json::from_str(&text).map_err(|e| HarnessError::Unexpected(format!("sim status: {e}")))
}

fn adversary(net: &Devnet, body: Value) -> Result<()> {
    http_post_json(&format!("{}/sim/v1/adversary", net.beacon_url()), &body).map(|_| ())
}

fn u64_at(value: &Value, pointer: &str) -> u64 {
    match value.pointer(pointer) {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// `pegd tx eth reset-checkpoint` signed by validator `node`'s operator key; its JSON report.
fn vote_reset(net: &Devnet, node: usize, block_root: &str) -> Result<Value> {
    let out = run(net.pegd([
        "tx",
        "--home",
        &net.home(node).display().to_string(),
        "--node",
        &format!("127.0.0.1:{}", net.rpc_port(node)),
        "--output",
        "json",
        "eth",
        "reset-checkpoint",
        "--from",
        "validator",
        "--beacon-api",
        &net.beacon_url(),
        "--block-root",
        block_root,
    ]))?;
    serde_json::from_str(out.trim())
        .map_err(|e| HarnessError::Unexpected(format!("reset-checkpoint output {out:?}: {e}")))
}

/// `pegd query eth governance --output json` on node 0.
fn governance(net: &Devnet) -> Result<Value> {
    let out = run(net.pegd([
        "query",
        "--node",
        &format!("127.0.0.1:{}", net.rpc_port(0)),
        "--output",
        "json",
        "eth",
        "governance",
    ]))?;
    serde_json::from_str(out.trim())
        .map_err(|e| HarnessError::Unexpected(format!("query eth governance {out:?}: {e}")))
}

/// Waits until the open proposal `id` has `voters` voters.
fn wait_voters(net: &Devnet, id: &str, voters: usize) -> Result<Value> {
    net.wait_until(
        &format!("proposal {id} with {voters} voter(s)"),
        Duration::from_secs(30),
        || {
            let open = governance(net)?;
            let found = open
                .as_array()
                .and_then(|list| list.iter().find(|p| p["id"] == id))
                .filter(|p| p["voters"].as_array().map(Vec::len) == Some(voters))
                .cloned();
            Ok(found)
        },
    )
}

#[test]
fn validators_reset_a_stalled_light_client() -> Result<()> {
    if !peg_e2e::enabled("validators_reset_a_stalled_light_client") {
        return Ok(());
    }
    let mut net = Devnet::start(DevnetConfig { electra_epoch: None, ..DevnetConfig::default() })?;
    let started = Instant::now();
    let receiver = net.account_address(0)?;
    net.start_relayer("relayer-a", 2)?;
    let result = scenario(&net, &receiver);
    if result.is_err() {
        let _ = adversary(&net, json!({"stall_finality": false}));
    }
    result?;
    figure("recovery_test_after_startup_s", json!(started.elapsed().as_secs_f64()));
    net.check_services()?;
    net.finish();
    Ok(())
}

fn scenario(net: &Devnet, receiver: &str) -> Result<()> {
    // Start the stall inside the window of a period (see STALL_EARLIEST).
    let head_slot =
        net.wait_until("a head slot inside the stall window", Duration::from_secs(80), || {
            let slot = u64_at(&sim_status(net)?, "/head/slot");
            Ok((STALL_EARLIEST..=STALL_LATEST).contains(&(slot % PERIOD_SLOTS)).then_some(slot))
        })?;
    adversary(net, json!({"stall_finality": true}))?;
    let frozen = sim_status(net)?;
    println!("finality stalled at head slot {head_slot}: {}", frozen["finalized"]);
    let frozen_number = u64_at(&frozen, "/finalized/execution_number");
    let frozen_slot = u64_at(&frozen, "/finalized/slot");
    assert!(frozen_slot > 0, "nothing finalized before the stall: {frozen}");
    // The zone's client catches up with the frozen checkpoint, then stays there.
    net.wait_until("the light client at the frozen checkpoint", Duration::from_secs(30), || {
        let client = net.eth_client()?;
        Ok((u64_at(&client, "/finalized_slot") >= frozen_slot).then_some(()))
    })?;

    // A lock that finality never reaches: not credited.
    let lock = net.lock(receiver, ONE_ETH, None)?;
    assert!(lock.block_number > frozen_number, "lock block {} already final", lock.block_number);
    net.wait_until(
        "the simulator's head 10 blocks past the lock",
        Duration::from_secs(40),
        || {
            let status = sim_status(net)?;
            Ok((u64_at(&status, "/head/execution_number") >= lock.block_number + 10).then_some(()))
        },
    )?;
    let stalled = net.eth_client()?;
    let status = sim_status(net)?;
    assert!(
        u64_at(&status, "/finalized/execution_number") < lock.block_number,
        "finality moved under the stall: {status}"
    );
    assert!(trusted_newest(&stalled) < lock.block_number, "lock block trusted: {stalled}");
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, 0, "credited without finality");
    assert_eq!(governance(net)?, json!([]), "no proposal yet");

    // First operator: the head root of its beacon node, checked locally, then voted.
    let decided = Instant::now();
    let first = vote_reset(net, 0, "head")?;
    let root = first["action"]["trusted_block_root"]
        .as_str()
        .ok_or_else(|| HarnessError::Unexpected(format!("no root in {first}")))?
        .to_owned();
    let id = first["action"]["id"]
        .as_str()
        .ok_or_else(|| HarnessError::Unexpected(format!("no id in {first}")))?
        .to_owned();
    let checkpoint_number = u64_at(&first, "/action/execution_block_number");
    println!("operator 0 proposes {root} (execution block {checkpoint_number}): {first}");
    assert!(checkpoint_number >= lock.block_number, "the checkpoint predates the lock: {first}");
    wait_voters(net, &id, 1)?;

    // Second operator: the same root. 2 of 4 (50 %) do not apply.
    let second = vote_reset(net, 1, &root)?;
    assert_eq!(second["action"]["id"], id.as_str(), "same root, same proposal: {second}");
    let open = wait_voters(net, &id, 2)?;
    println!("after two votes: {open}");
    assert_eq!(open["power"], "20", "{open}");
    assert_eq!(open["total_power"], "40", "{open}");
    assert_eq!(open["threshold"], "27", "{open}");
    assert_eq!(open["action"]["type"], "reset_checkpoint", "{open}");
    assert_eq!(open["action"]["trusted_block_root"], root.as_str(), "{open}");
    std::thread::sleep(Duration::from_secs(2));
    let client = net.eth_client()?;
    assert_eq!(
        client["finalized_slot"], stalled["finalized_slot"],
        "two votes of four moved the light client: {client}"
    );
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, 0);

    // Third operator: 75 % > 2/3, the checkpoint applies in that block.
    let third_at = Instant::now();
    vote_reset(net, 2, &root)?;
    let reset = net.wait_until("the light client re-anchored", Duration::from_secs(30), || {
        let client = net.eth_client()?;
        Ok((client["finalized_block_root"] == root.as_str()).then_some(client))
    })?;
    println!("after the third vote: {reset}");
    assert_eq!(governance(net)?, json!([]), "an applied proposal is closed");
    assert!(trusted_newest(&reset) >= lock.block_number, "{reset}");

    // The relayer proves the lock against the new trusted block: credited once, everywhere.
    net.wait_balance(receiver, ETH_VOUCHER, ONE_ETH, Duration::from_secs(60))?;
    figure(
        "light_client_recovery",
        json!({
            "first_vote_to_credit_s": decided.elapsed().as_secs_f64(),
            "third_vote_to_credit_s": third_at.elapsed().as_secs_f64(),
            "lock_block": lock.block_number,
            "checkpoint_block": checkpoint_number,
        }),
    );

    // Finality resumes: the client follows on its own past the checkpoint.
    adversary(net, json!({"stall_finality": false}))?;
    let reset_slot = u64_at(&reset, "/finalized_slot");
    let resumed = Instant::now();
    let followed = net.wait_until(
        "the light client to finalize past the checkpoint",
        Duration::from_secs(90),
        || {
            let client = net.eth_client()?;
            Ok((u64_at(&client, "/finalized_slot") > reset_slot).then_some(client))
        },
    )?;
    figure("follow_after_resume_s", json!(resumed.elapsed().as_secs_f64()));
    println!("following again: {followed}");
    let events = net.query(&format!("/eth/events/{}", lock.event_nonce))?;
    let records: Vec<&Value> = events
        .as_array()
        .ok_or_else(|| HarnessError::Unexpected(format!("events: {events}")))?
        .iter()
        .filter(|e| e["nonce"].as_str() == Some(lock.event_nonce.to_string().as_str()))
        .collect();
    assert_eq!(records.len(), 1, "{events}");
    assert_eq!(records[0]["result"], "applied", "{events}");
    assert_eq!(net.balance(receiver, ETH_VOUCHER)?, ONE_ETH, "credited twice");
    local_checks_and_schedule_vote(net, &root)
}

/// The CLI refuses, before signing, a bootstrap that does not match the trusted root; a fork
/// schedule vote by one validator of four is listed, not applied.
fn local_checks_and_schedule_vote(net: &Devnet, root: &str) -> Result<()> {
    let bootstrap =
        http_get(&format!("{}/eth/v1/beacon/light_client/bootstrap/{root}", net.beacon_url()))?;
    let file = net.dir().join("bootstrap.json");
    std::fs::write(&file, bootstrap)?;
    let wrong_root = format!("0x{}", "11".repeat(32));
    let home = net.home(3).display().to_string();
    let node = format!("127.0.0.1:{}", net.rpc_port(3));
    let refused = run(net.pegd([
        "tx",
        "--home",
        &home,
        "--node",
        &node,
        "eth",
        "reset-checkpoint",
        "--from",
        "validator",
        "--bootstrap",
        &file.display().to_string(),
        "--block-root",
        &wrong_root,
    ]));
    match refused {
        Err(HarnessError::Command { output, .. }) => {
            assert!(output.contains("would refuse this checkpoint"), "{output}")
        }
        other => panic!("a bootstrap of another root was not refused locally: {other:?}"),
    }
    assert_eq!(governance(net)?, json!([]), "nothing was sent");

    let out = run(net.pegd([
        "tx",
        "--home",
        &home,
        "--node",
        &node,
        "--output",
        "json",
        "eth",
        "set-fork-schedule",
        "--from",
        "validator",
        "--fork",
        "electra:0x05000001:100000",
    ]))?;
    let vote: Value = serde_json::from_str(out.trim())
        .map_err(|e| HarnessError::Unexpected(format!("set-fork-schedule output {out:?}: {e}")))?;
    let id = vote["action"]["id"]
        .as_str()
        .ok_or_else(|| HarnessError::Unexpected(format!("no id in {vote}")))?;
    let open = wait_voters(net, id, 1)?;
    assert_eq!(open["action"]["type"], "set_fork_schedule", "{open}");
    assert_eq!(open["action"]["forks"][0]["epoch"], "100000", "{open}");
    assert_eq!(open["power"], "10", "{open}");
    let text = run(net.pegd(["query", "--node", &node, "eth", "governance"]))?;
    println!("pegd query eth governance:\n{text}");
    assert!(text.contains("set_fork_schedule electra:0x05000001:100000"), "{text}");
    Ok(())
}
