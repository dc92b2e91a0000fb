//! Peg zone → Ethereum, end to end over real processes (issue 6, item 6): anvil, the beacon
//! simulator, a 4-validator CometBFT network of `pegd` nodes signing checkpoints in their vote
//! extensions, PegBridge, and `peg-relayer`s with `[outbound]` enabled.
//!
//! ```text
//! cargo build -p pegd -p beacon-sim -p peg-relayer
//! PEG_E2E=1 cargo test -p peg-e2e --test peg_to_eth -- --nocapture
//! ```
//!
//! One network for every scenario (starting one costs half a minute on 2 cores), in phases that
//! each leave the system settled for the next; after every phase both chains are synced (the zone
//! has processed every bridge event) and the supply invariants hold exactly: each voucher's supply
//! equals what the bridge holds of its token, each adopted native denom's escrow equals its
//! CosmosERC20's total supply.
//!
//! 1. Funding: ETH and an ERC-20 locked for `account0`; a native denom (`ucoin`, a genesis balance
//!    of `account0`) registered with `MsgRegisterDenom`, its CosmosERC20 deployed with
//!    `pegd eth deploy-token` and adopted.
//! 2. Round trips: ETH, the ERC-20 and `ucoin` sent to Ethereum with fees, one batch each; the
//!    receivers get the exact amounts, the relayer the exact fees; a cancel before batching returns
//!    the funds, a cancel of a batched transfer is refused; the native coin burned on Ethereum is
//!    released on the zone.
//! 3. Batch sizes: 10 and 50 ERC-20 transfers in one batch each, every receiver paid exactly;
//!    `submitBatch` gas reported.
//! 4. One validator of four stopped, a batch nobody relays (the relayer's fee threshold refuses
//!    it), a validator bonding > 5 % more power: the new valset is signed by the three others and
//!    relayed; the batch times out (judged by the light client's Ethereum time) and its transfers
//!    return to the pool; the validator restarts; a new batch carries them out, verified against
//!    the new valset.
//! 5. The relayer killed (SIGKILL) once a batch is signed, then restarted, while a second relayer
//!    races it; then both race on another batch: each executes once, at most one transaction per
//!    batch reverts.
//!
//! Figures are printed as `figure: {json}` lines.

use std::time::{Duration, Instant};

use alloy_primitives::{Address, U256};
use peg_e2e::bridge::{
    fresh_address, refused, Batch, Checkpoint, Outbound, Transfer, ETH_TOKEN, RELAYER_A_ETH_KEY,
    RELAYER_B_ETH_KEY,
};
use peg_e2e::devnet::{ETH_VOUCHER, USER};
use peg_e2e::{Devnet, DevnetConfig, HarnessError, Result};
use serde_json::{json, Value};

const ONE_ETH: u128 = 1_000_000_000_000_000_000;
/// The bridge's batch timeout on this network: short, so that phase 4 sees one expire.
const BATCH_TIMEOUT_SECS: u64 = 20;
/// The native denom registered in phase 1 (a genesis balance of `account0`).
const NATIVE: &str = "ucoin";
const NATIVE_GENESIS: u128 = 1_000_000_000_000;
/// Bound of anything that waits for Ethereum finality (lock → credit, execution → proven).
const FINALITY_TIMEOUT: Duration = Duration::from_secs(120);
/// Bound of a signed checkpoint reaching Ethereum.
const RELAY_TIMEOUT: Duration = Duration::from_secs(60);

fn figure(name: &str, value: Value) {
    println!("figure: {}", json!({ "name": name, "value": value }));
}

fn unexpected(text: String) -> HarnessError {
    HarnessError::Unexpected(text)
}

/// What the phases share.
struct World {
    /// `account0`: locks arrive here, transfers leave from here.
    user: String,
    /// `account1`: receives the released native coin.
    other: String,
    /// The ERC-20's voucher denom.
    token_voucher: String,
    /// The CosmosERC20 of [`NATIVE`].
    native_token: Address,
    /// Tokens whose supplies are compared.
    tokens: Vec<Address>,
    /// The first outbound relayer's Ethereum account.
    relayer_a: Address,
}

#[test]
fn peg_zone_to_ethereum() -> Result<()> {
    if !peg_e2e::enabled("peg_zone_to_ethereum") {
        return Ok(());
    }
    let started = Instant::now();
    let mut net = Devnet::start(DevnetConfig {
        electra_epoch: None,
        batch_timeout_secs: Some(BATCH_TIMEOUT_SECS),
        genesis_coins: vec![(0, NATIVE.to_owned(), NATIVE_GENESIS)],
        ..DevnetConfig::default()
    })?;
    figure("startup_s", json!(net.startup.as_secs_f64()));
    let params = net.query("/bridge/params")?;
    println!("bridge params: {params}");
    assert_eq!(
        params["batch_timeout_secs"].as_u64(),
        Some(BATCH_TIMEOUT_SECS),
        "pegd testnet --batch-timeout-secs must reach the chain's bridge params: {params}"
    );
    let relayer_a = Outbound::eager(RELAYER_A_ETH_KEY);
    net.start_outbound_relayer("relayer-a", 2, &relayer_a)?;
    let mut world = World {
        user: net.account_address(0)?,
        other: net.account_address(1)?,
        token_voucher: Devnet::voucher(net.token),
        native_token: Address::ZERO,
        tokens: vec![ETH_TOKEN, net.token],
        relayer_a: relayer_a.address()?,
    };
    let mut phases = Vec::new();
    let mut phase = Instant::now();
    funding(&net, &mut world)?;
    phases.push(("funding", phase.elapsed()));
    phase = Instant::now();
    round_trips(&net, &world)?;
    phases.push(("round_trips", phase.elapsed()));
    phase = Instant::now();
    batch_sizes(&net, &world)?;
    phases.push(("batch_sizes", phase.elapsed()));
    phase = Instant::now();
    offline_valset_timeout(&mut net, &world)?;
    phases.push(("offline_valset_timeout", phase.elapsed()));
    phase = Instant::now();
    relayers_race(&mut net, &world)?;
    phases.push(("relayers_race", phase.elapsed()));
    net.check_services()?;
    figure(
        "peg_to_eth_phases_s",
        json!(phases
            .iter()
            .map(|(n, d)| ((*n).to_owned(), json!(d.as_secs_f64())))
            .collect::<serde_json::Map<_, _>>()),
    );
    figure("peg_to_eth_total_s", json!(started.elapsed().as_secs_f64()));
    net.finish();
    Ok(())
}

/// Phase 1: vouchers and an adopted native denom to send out.
fn funding(net: &Devnet, world: &mut World) -> Result<()> {
    // A denom that is no voucher, exists, and is not registered yet.
    net.register_denom(0, NATIVE, "Coin", "COIN", 6)?.ok()?;
    let again = net.register_denom(0, NATIVE, "Coin", "COIN", 6);
    assert!(refused(again)?, "a second MsgRegisterDenom of {NATIVE} was accepted");
    let voucher = net.register_denom(0, ETH_VOUCHER, "Ether", "ETH", 18);
    assert!(refused(voucher)?, "a voucher was registered as a native denom");
    let denoms = net.query("/bridge/denoms")?;
    println!("registered denoms: {denoms}");

    let started = Instant::now();
    net.lock(&world.user, 3 * ONE_ETH, None)?;
    net.lock(&world.user, 5_000_000, Some(net.token))?;
    let (native_token, _) = net.deploy_token(NATIVE, "Coin", "COIN", 6)?;
    world.native_token = native_token;
    world.tokens.push(native_token);
    net.wait_balance(&world.user, ETH_VOUCHER, 3 * ONE_ETH, FINALITY_TIMEOUT)?;
    net.wait_balance(&world.user, &world.token_voucher, 5_000_000, FINALITY_TIMEOUT)?;
    net.wait_until(&format!("{NATIVE} adopted as {native_token}"), FINALITY_TIMEOUT, || {
        Ok(net.native_tokens()?.get(NATIVE).filter(|(t, _)| *t == native_token).map(|_| ()))
    })?;
    figure("funding_s", json!(started.elapsed().as_secs_f64()));
    net.settle_and_check("funding", &world.tokens)?;
    Ok(())
}

/// Waits until batch `nonce` carries `signers` signatures; the batch and how many blocks after
/// its creation the last of them was stored.
fn wait_batch_signed(net: &Devnet, nonce: u64, signers: usize) -> Result<(Batch, u64)> {
    let (batch, seen_at) = net.wait_until(
        &format!("batch {nonce} signed by {signers} validators"),
        Duration::from_secs(30),
        || {
            let (batch, height) = net.batch(nonce)?;
            Ok((batch.signers.len() >= signers).then_some((batch, height)))
        },
    )?;
    let heights = net.signature_heights(Checkpoint::Batch, nonce, batch.created_height, seen_at)?;
    let last = heights.values().copied().max().unwrap_or(seen_at);
    let blocks = last.saturating_sub(batch.created_height);
    println!(
        "batch {nonce} created at height {}, {} signatures by height {last} ({blocks} block(s)): {heights:?}",
        batch.created_height,
        batch.signers.len()
    );
    Ok((batch, blocks))
}

/// Phase 2: ETH, the ERC-20 and the native coin out (and the native coin back); a cancel.
fn round_trips(net: &Devnet, world: &World) -> Result<()> {
    let user = world.user.as_str();
    let eth_receiver = fresh_address("eth round trip");
    let erc20_receiver = fresh_address("erc20 round trip");
    let user_eth: Address = USER.parse().map_err(|e| unexpected(format!("USER: {e}")))?;
    let eth_before = net.balance(user, ETH_VOUCHER)?;
    let erc20_before = net.balance(user, &world.token_voucher)?;
    let native_before = net.balance(user, NATIVE)?;
    let relayer_erc20_before = net.erc20_balance(net.token, world.relayer_a)?;
    let relayer_native_before = net.erc20_balance(world.native_token, world.relayer_a)?;

    let (eth_amount, eth_fee) = (ONE_ETH, ONE_ETH / 100);
    let (erc20_amount, erc20_fee) = (2_000_000u128, 1_234u128);
    let (native_amount, native_fee) = (300_000_000u128, 777u128);

    // Cancel before batching: the funds come back exactly.
    let cancelled = net.send_to_eth(0, eth_receiver, ETH_VOUCHER, ONE_ETH / 2, 5)?;
    assert_eq!(net.balance(user, ETH_VOUCHER)?, eth_before - ONE_ETH / 2 - 5);
    net.cancel_send(0, cancelled.id)?.ok()?;
    assert_eq!(net.balance(user, ETH_VOUCHER)?, eth_before, "the cancel must return amount + fee");
    assert!(net.pool()?.iter().all(|t| t.id != cancelled.id), "cancelled transfer still pooled");
    assert!(refused(net.cancel_send(0, cancelled.id))?, "a transfer was cancelled twice");

    let sent = Instant::now();
    let eth_transfer = net.send_to_eth(0, eth_receiver, ETH_VOUCHER, eth_amount, eth_fee)?;
    let erc20_transfer =
        net.send_to_eth(0, erc20_receiver, &world.token_voucher, erc20_amount, erc20_fee)?;
    let native_transfer = net.send_to_eth(0, user_eth, NATIVE, native_amount, native_fee)?;
    assert_eq!(net.balance(user, ETH_VOUCHER)?, eth_before - eth_amount - eth_fee);
    assert_eq!(net.balance(user, NATIVE)?, native_before - native_amount - native_fee);
    let requested = Instant::now();
    let eth_batch = net.request_batch(0, ETH_VOUCHER)?;
    let erc20_batch = net.request_batch(0, &world.token_voucher)?;
    let native_batch = net.request_batch(0, NATIVE)?;
    for (batch, transfer, token) in [
        (&eth_batch, &eth_transfer, ETH_TOKEN),
        (&erc20_batch, &erc20_transfer, net.token),
        (&native_batch, &native_transfer, world.native_token),
    ] {
        assert_eq!(batch.ids(), vec![transfer.id], "batch {}: {}", batch.nonce, batch.raw);
        assert_eq!(batch.token, token, "batch {}: {}", batch.nonce, batch.raw);
    }
    // A batched transfer can no longer be cancelled.
    assert!(refused(net.cancel_send(0, eth_transfer.id))?, "a batched transfer was cancelled");

    let (_, blocks) = wait_batch_signed(net, eth_batch.nonce, 4)?;
    figure("request_batch_to_signatures_blocks", json!(blocks));
    let report = net.pegd_query(&["bridge", "batches"])?;
    println!("pegd query bridge batches: {report}");

    let eth_exec = net.wait_executed(ETH_TOKEN, eth_batch.nonce, RELAY_TIMEOUT)?;
    let unlocked = net.wait_until("the ETH unlocked", RELAY_TIMEOUT, || {
        Ok((net.eth_balance(eth_receiver)? == U256::from(eth_amount)).then_some(()))
    });
    unlocked?;
    figure(
        "send_to_unlock_s",
        json!({"send_to_unlock_s": sent.elapsed().as_secs_f64(),
               "request_to_unlock_s": requested.elapsed().as_secs_f64()}),
    );
    let erc20_exec = net.wait_executed(net.token, erc20_batch.nonce, RELAY_TIMEOUT)?;
    let native_exec = net.wait_executed(world.native_token, native_batch.nonce, RELAY_TIMEOUT)?;

    // Exact to the wei on Ethereum.
    assert_eq!(net.eth_balance(eth_receiver)?, U256::from(eth_amount));
    assert_eq!(net.erc20_balance(net.token, erc20_receiver)?, U256::from(erc20_amount));
    assert_eq!(net.erc20_balance(world.native_token, user_eth)?, U256::from(native_amount));
    // The relayer got the fees: ERC-20s exactly; ETH exactly net of its gas in that block.
    let txs = net.bridge_txs(eth_exec.block_number, eth_exec.block_number)?;
    let relayer = txs
        .iter()
        .find(|t| t.receipt.transaction_hash == eth_exec.tx_hash)
        .map(|t| t.from)
        .ok_or_else(|| unexpected(format!("no receipt of {}", eth_exec.tx_hash)))?;
    assert_eq!(relayer, world.relayer_a, "only relayer-a runs");
    for exec in [&erc20_exec, &native_exec] {
        let tx = net.bridge_txs(exec.block_number, exec.block_number)?;
        let from = tx.iter().find(|t| t.receipt.transaction_hash == exec.tx_hash).map(|t| t.from);
        assert_eq!(from, Some(world.relayer_a), "{exec:?}");
    }
    let mut gas = U256::ZERO;
    for tx in txs.iter().filter(|t| t.from == relayer) {
        gas += Devnet::gas_cost(&tx.receipt)?;
    }
    let after = net.eth_balance_at(relayer, eth_exec.block_number)?;
    let before = net.eth_balance_at(relayer, eth_exec.block_number - 1)?;
    assert_eq!(
        after + gas,
        before + U256::from(eth_fee),
        "relayer's ETH: before {before}, after {after}, gas {gas}, fee {eth_fee}"
    );
    assert_eq!(
        net.erc20_balance(net.token, world.relayer_a)?,
        relayer_erc20_before + U256::from(erc20_fee)
    );
    assert_eq!(
        net.erc20_balance(world.native_token, world.relayer_a)?,
        relayer_native_before + U256::from(native_fee)
    );
    for (name, exec) in [("eth", &eth_exec), ("erc20", &erc20_exec), ("native", &native_exec)] {
        let receipt = net
            .block_on(net.eth().transaction_receipt(exec.tx_hash))?
            .ok_or_else(|| unexpected(format!("no receipt {}", exec.tx_hash)))?;
        figure(&format!("submit_batch_1_transfer_{name}_gas"), json!(receipt.gas_used));
    }

    // The native coin back: burned on Ethereum, released from escrow on the zone.
    let other_before = net.balance(&world.other, NATIVE)?;
    let burned = Instant::now();
    net.burn(world.native_token, native_amount, &world.other)?;
    net.wait_balance(&world.other, NATIVE, other_before + native_amount, FINALITY_TIMEOUT)?;
    figure("native_burn_to_release_s", json!(burned.elapsed().as_secs_f64()));

    net.settle_and_check("round trips", &world.tokens)?;
    // Settled on the zone: the batches executed, the user's balances exact.
    for nonce in [eth_batch.nonce, erc20_batch.nonce, native_batch.nonce] {
        let (batch, _) = net.batch(nonce)?;
        assert_eq!(batch.status, "executed", "batch {nonce}: {}", batch.raw);
    }
    assert_eq!(net.balance(user, ETH_VOUCHER)?, eth_before - eth_amount - eth_fee);
    assert_eq!(net.balance(user, &world.token_voucher)?, erc20_before - erc20_amount - erc20_fee);
    assert_eq!(net.balance(user, NATIVE)?, native_before - native_amount - native_fee);
    Ok(())
}

/// Phase 3: gas of `submitBatch` for 10 and 50 ERC-20 transfers to fresh receivers (4 validators), each
/// receiver paid exactly.
fn batch_sizes(net: &Devnet, world: &World) -> Result<()> {
    let mut batches = Vec::new();
    for size in [10usize, 50] {
        let transfers: Vec<(Address, u128, u128)> = (0..size)
            .map(|i| (fresh_address(&format!("batch {size} #{i}")), 1_000 + i as u128, 10))
            .collect();
        net.send_to_eth_many(0, &world.token_voucher, &transfers)?;
        let batch = net.request_batch(0, &world.token_voucher)?;
        assert_eq!(batch.transfers.len(), size, "{}", batch.raw);
        batches.push((size, batch, transfers));
    }
    for (size, batch, transfers) in &batches {
        let exec = net.wait_executed(net.token, batch.nonce, RELAY_TIMEOUT)?;
        let receipt = net
            .block_on(net.eth().transaction_receipt(exec.tx_hash))?
            .ok_or_else(|| unexpected(format!("no receipt {}", exec.tx_hash)))?;
        figure(
            &format!("submit_batch_{size}_transfers_erc20_gas"),
            json!({"batch": receipt.gas_used, "per_transfer": receipt.gas_used / *size as u64}),
        );
        for (receiver, amount, _) in transfers {
            assert_eq!(net.erc20_balance(net.token, *receiver)?, U256::from(*amount));
        }
    }
    net.settle_and_check("batch sizes", &world.tokens)?;
    Ok(())
}

/// The Ethereum address (lower-case hex) of validator `node`'s key file.
fn eth_address_of_node(net: &Devnet, node: usize) -> Result<String> {
    let key = std::fs::read_to_string(net.home(node).join("config/eth_key"))?;
    Ok(peg_e2e::bridge::eth_address_of(key.trim())?.to_string().to_lowercase())
}

/// Phase 4: a validator offline, a valset change, a batch timing out and going out again.
fn offline_valset_timeout(net: &mut Devnet, world: &World) -> Result<()> {
    let receiver = fresh_address("timeout");
    // The relayer now relays valsets only: every batch's fee is below its threshold.
    net.stop("relayer-a")?;
    let metrics =
        net.start_outbound_relayer("relayer-a", 2, &Outbound::stingy(RELAYER_A_ETH_KEY))?;
    net.stop("node3")?;
    let offline_eth = eth_address_of_node(net, 3)?;
    println!("node3 stopped (Ethereum key {offline_eth})");

    let executed_before = net.last_batch_nonce(ETH_TOKEN)?;
    let first = net.send_to_eth(0, receiver, ETH_VOUCHER, ONE_ETH / 5, 1_000)?;
    let second = net.send_to_eth(0, receiver, ETH_VOUCHER, ONE_ETH * 3 / 10, 2_000)?;
    let timed = net.request_batch(0, ETH_VOUCHER)?;
    // Highest fee first.
    let order: Vec<u64> = timed.transfers.iter().map(|t| t.id).collect();
    assert_eq!(order, vec![second.id, first.id], "fee order: {}", timed.raw);
    let (signed, blocks) = wait_batch_signed(net, timed.nonce, 3)?;
    figure("request_batch_to_signatures_blocks_one_offline", json!(blocks));
    assert_eq!(signed.signers.len(), 3, "node3 is offline: {}", signed.raw);

    // The validator that does not sign shows in /bridge/signatures.
    let missing =
        net.wait_until("node3 reported missing signatures", Duration::from_secs(20), || {
            let report = net.signature_report()?;
            Ok(report
                .into_iter()
                .find(|v| {
                    v["eth_address"].as_str().map(str::to_lowercase).as_deref()
                        == Some(offline_eth.as_str())
                })
                .filter(|v| v["missing"].as_u64().unwrap_or(0) >= 1))
        })?;
    println!("signature report of the offline validator: {missing}");

    // > 5 % of the power moves: node1 bonds 50 % more (10 → 15 of 45: 8.3 % moved).
    let valsets = net.valsets()?;
    let latest = valsets["latest_nonce"].as_u64().unwrap_or(0);
    let confirmed = net.contract_valset_nonce()?;
    net.bond(1, 5_000_000)?.ok()?;
    let new_nonce = latest + 1;
    let (valset, _) = net.wait_until(
        &format!("valset {new_nonce} created and signed by 3"),
        Duration::from_secs(30),
        || {
            let Ok((valset, height)) = net.valset(new_nonce) else { return Ok(None) };
            let signed = valset["signatures"].as_array().map_or(0, Vec::len);
            Ok((signed >= 3).then_some((valset, height)))
        },
    )?;
    let created = valset["created_height"].as_u64().unwrap_or(0);
    let heights = net.signature_heights(Checkpoint::Valset, new_nonce, created, created + 10)?;
    let last = heights.values().copied().max().unwrap_or(created);
    figure("valset_to_signatures_blocks_one_offline", json!(last.saturating_sub(created)));
    println!("valset {new_nonce}: {valset}");
    let powers: Vec<u64> = valset["members"]
        .as_array()
        .map(|m| m.iter().filter_map(|x| x["power"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(powers.len(), 4, "{valset}");
    let relayed = Instant::now();
    net.wait_until(&format!("valset {new_nonce} on Ethereum"), RELAY_TIMEOUT, || {
        Ok((net.contract_valset_nonce()? >= new_nonce).then_some(()))
    })?;
    figure("valset_signed_to_relayed_s", json!(relayed.elapsed().as_secs_f64()));
    assert!(net.contract_valset_nonce()? > confirmed);
    net.wait_until(&format!("valset {new_nonce} confirmed on the zone"), FINALITY_TIMEOUT, || {
        let v = net.valsets()?;
        Ok((v["confirmed_nonce"].as_u64() >= Some(new_nonce)).then_some(()))
    })?;

    // The batch nobody relayed times out on the zone: its transfers are pooled again.
    let timeout_started = Instant::now();
    net.wait_until(
        &format!("batch {} timed out (timeout {})", timed.nonce, timed.timeout),
        Duration::from_secs(BATCH_TIMEOUT_SECS) + FINALITY_TIMEOUT,
        || {
            let (batch, _) = net.batch(timed.nonce)?;
            if batch.status == "executed" {
                return Err(HarnessError::Fatal(format!("batch {} executed", timed.nonce)));
            }
            Ok((batch.status == "cancelled").then_some(()))
        },
    )?;
    let late = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
        - timed.timeout as f64;
    let observed = net.query("/eth/observed")?;
    println!("batch {} timed out; /eth/observed {observed}", timed.nonce);
    assert!(observed["timestamp"].as_u64() >= Some(timed.timeout), "{observed}");
    figure(
        "batch_timeout_to_release_s",
        json!({"after_timeout_s": late, "waited_here_s": timeout_started.elapsed().as_secs_f64()}),
    );
    // The relayer refused the batch for its fee, and proved the bridge's state past the timeout.
    let unprofitable =
        net.metric(metrics, "peg_relayer_outbound_total{kind=\"batch\",result=\"unprofitable\"}")?;
    let proofs = net.metric(metrics, "peg_relayer_submitted_total{msg=\"prove_eth_state\"}")?;
    println!("stingy relayer: {unprofitable} unprofitable batch round(s), {proofs} state proof(s)");
    assert!(unprofitable >= 1.0, "the relayer never judged the batch unprofitable");
    // The zone learns an Ethereum time past the timeout from a state proof, or from a proven
    // bridge event in a block past it (e.g. the valset update, when it lands after the
    // timeout): either way every event up to the observed nonce must have been processed.
    if proofs < 1.0 {
        let event_nonce = observed["event_nonce"].as_u64().unwrap_or(0);
        let events = net.query(&format!("/eth/events/{event_nonce}"))?;
        println!("no state proof needed: the observation is event {event_nonce}'s: {events}");
        assert!(
            events.as_array().is_some_and(|list| !list.is_empty()),
            "no MsgProveEthState included and no event {event_nonce} processed, yet the zone saw {observed}"
        );
    }
    let pooled: Vec<Transfer> =
        net.pool()?.into_iter().filter(|t| t.id == first.id || t.id == second.id).collect();
    assert_eq!(pooled.len(), 2, "both transfers back in the pool: {pooled:?}");
    assert_eq!(net.last_batch_nonce(ETH_TOKEN)?, executed_before, "the timed-out batch ran");
    assert_eq!(net.eth_balance(receiver)?, U256::ZERO);

    // The validator comes back; the relayer relays again.
    net.start_node(3)?;
    let height = net.height(0)?;
    net.wait_for_height(3, height, Duration::from_secs(60))?;
    net.stop("relayer-a")?;
    net.start_outbound_relayer("relayer-a", 2, &Outbound::eager(RELAYER_A_ETH_KEY))?;

    let again = net.request_batch(0, ETH_VOUCHER)?;
    assert_eq!(again.ids(), timed.ids(), "the new batch carries the released transfers");
    assert!(again.nonce > timed.nonce);
    net.wait_executed(ETH_TOKEN, again.nonce, RELAY_TIMEOUT)?;
    assert_eq!(net.eth_balance(receiver)?, U256::from(ONE_ETH / 2), "exact to the wei");
    assert_eq!(net.contract_valset_nonce()?, new_nonce, "verified against the new valset");
    net.settle_and_check("offline validator, valset change, timeout", &world.tokens)?;
    let (done, _) = net.batch(again.nonce)?;
    assert_eq!(done.status, "executed", "{}", done.raw);
    Ok(())
}

/// Reverted bridge transactions of `senders` in blocks `from..=to`.
fn reverted(net: &Devnet, senders: &[Address], from: u64, to: u64) -> Result<(usize, usize)> {
    let txs = net.bridge_txs(from, to)?;
    let ours: Vec<_> = txs.iter().filter(|t| senders.contains(&t.from)).collect();
    let failed = ours.iter().filter(|t| !t.receipt.succeeded()).count();
    Ok((ours.len(), failed))
}

/// One batch of one ETH transfer relayed while relayers race (and `kill` one mid-way): executed
/// exactly once, the receiver paid exactly, at most one reverted transaction.
fn race_once(net: &mut Devnet, label: &str, kill: bool, senders: &[Address]) -> Result<()> {
    let receiver = fresh_address(label);
    let amount = ONE_ETH / 10;
    let from = net.block_on(net.eth().block_number())?;
    net.send_to_eth(0, receiver, ETH_VOUCHER, amount, ONE_ETH / 1000)?;
    let batch = net.request_batch(0, ETH_VOUCHER)?;
    if kill {
        wait_batch_signed(net, batch.nonce, 3)?;
        net.kill("relayer-a")?;
        println!("relayer-a killed once batch {} was signed", batch.nonce);
        std::thread::sleep(Duration::from_secs(1));
        net.start_outbound_relayer("relayer-a", 2, &Outbound::eager(RELAYER_A_ETH_KEY))?;
    }
    let exec = net.wait_executed(ETH_TOKEN, batch.nonce, RELAY_TIMEOUT)?;
    // Give the losers time to try (and a restarted relayer to resend, which it must not).
    let head = net.block_on(net.eth().block_number())?;
    net.wait_until("three more Ethereum blocks", Duration::from_secs(20), || {
        Ok((net.block_on(net.eth().block_number())? >= head + 3).then_some(()))
    })?;
    let to = net.block_on(net.eth().block_number())?;
    let executions: Vec<_> = net
        .executions(from)?
        .into_iter()
        .filter(|e| e.token == ETH_TOKEN && e.batch_nonce == batch.nonce)
        .collect();
    assert_eq!(executions.len(), 1, "batch {} executed {executions:?}", batch.nonce);
    assert_eq!(net.last_batch_nonce(ETH_TOKEN)?, batch.nonce);
    assert_eq!(net.eth_balance(receiver)?, U256::from(amount), "paid exactly once");
    let (sent, failed) = reverted(net, senders, from, to)?;
    let winner = net
        .bridge_txs(exec.block_number, exec.block_number)?
        .into_iter()
        .find(|t| t.receipt.transaction_hash == exec.tx_hash)
        .map(|t| t.from);
    println!(
        "race {label}: batch {} executed by {winner:?} in block {}; {sent} relayer transaction(s), {failed} reverted",
        batch.nonce, exec.block_number
    );
    figure(&format!("race_{label}"), json!({"transactions": sent, "reverted": failed}));
    assert!(failed <= 1, "{failed} relayer transactions reverted for batch {}", batch.nonce);
    Ok(())
}

/// Phase 5: the relayer killed and restarted; two relayers racing.
fn relayers_race(net: &mut Devnet, world: &World) -> Result<()> {
    let relayer_b = Outbound::eager(RELAYER_B_ETH_KEY);
    let senders = [world.relayer_a, relayer_b.address()?];
    net.start_outbound_relayer("relayer-b", 3, &relayer_b)?;
    race_once(net, "kill_restart", true, &senders)?;
    race_once(net, "two_relayers", false, &senders)?;
    net.settle_and_check("relayers racing", &world.tokens)?;
    net.stop("relayer-b")?;
    Ok(())
}
