//! Hand-built `MsgSubmitEthEvents`, made with peg-relayer's own library and then tampered with:
//! each is refused and nothing is credited; the untampered message is then accepted once.
//!
//! No relayer runs during this scenario: the test drives the light client itself
//! (`inbound::fetch_update` + `MsgUpdateEthClient`), so no one delivers the event before it.

use std::time::{Duration, Instant};

use light_client::execution::{generate_receipt_proof, Receipt};
use peg_e2e::devnet::CHAIN_ID;
use peg_e2e::LockReceipt;
use peg_e2e::{Devnet, HarnessError, Result};
use peg_eth_rpc::Block;
use peg_relayer::beacon::{encode_update, BeaconApi};
use peg_relayer::cometbft::CometRpc;
use peg_relayer::inbound::{build_event_message, fetch_update, find_pending_events, PendingEvent};
use peg_relayer::keyfile::RelayerKey;
use peg_relayer::submit::{build_tx, FeePolicy};
use peg_relayer::zone::{TrustedBlock, Zone};
use peg_relayer::RelayerError;
use peg_tx::{EthUpdateKind, EventReceipt, Msg, MsgSubmitEthEvents, MsgUpdateEthClient};
use serde_json::json;

use super::figure;

/// The account that signs the hand-built messages.
const SIGNER_ACCOUNT: usize = 3;

/// What became of a submitted transaction.
#[derive(Debug)]
enum Outcome {
    /// Refused by CheckTx (never in a block).
    RefusedAtCheck { code: u32, log: String },
    /// In a block, with a non-zero code.
    RefusedAtDeliver { code: u32, log: String },
    /// Executed.
    Accepted { gas_used: u64, gas_wanted: u64 },
}

struct Driver<'a> {
    net: &'a Devnet,
    comet: CometRpc,
    beacon: BeaconApi,
    key: RelayerKey,
    fees: FeePolicy,
}

fn relayer(e: RelayerError) -> HarnessError {
    HarnessError::Unexpected(format!("peg-relayer library: {e}"))
}

impl<'a> Driver<'a> {
    fn new(net: &'a Devnet) -> Result<Self> {
        Ok(Driver {
            net,
            comet: CometRpc::new(
                &format!("http://127.0.0.1:{}", net.rpc_port(0)),
                Duration::from_secs(10),
            )
            .map_err(relayer)?,
            beacon: BeaconApi::new(&net.beacon_url(), Duration::from_secs(10)).map_err(relayer)?,
            key: RelayerKey::from_file(&net.account_key_file(SIGNER_ACCOUNT)).map_err(relayer)?,
            fees: FeePolicy { fee_per_kgas: 10, min_fee: 1_000, denom: "upeg".into() },
        })
    }

    /// Signs, broadcasts and (if CheckTx accepts) waits for inclusion.
    fn submit(&self, msg: &Msg) -> Result<(Outcome, usize)> {
        self.net.block_on(async {
            let zone = Zone::new(&self.comet);
            let address = self.key.address.to_bech32();
            let account = zone
                .account(&address)
                .await
                .map_err(relayer)?
                .ok_or_else(|| HarnessError::Unexpected(format!("no account {address}")))?;
            let tx = build_tx(
                msg,
                &self.key,
                CHAIN_ID,
                account.account_number,
                account.sequence,
                &self.fees,
            )
            .map_err(relayer)?;
            let check = self.comet.broadcast_tx_sync(&tx.bytes).await.map_err(relayer)?;
            if check.code != 0 {
                return Ok((
                    Outcome::RefusedAtCheck { code: check.code, log: check.log },
                    tx.bytes.len(),
                ));
            }
            let result = self
                .comet
                .wait_for_tx(&tx.hash, Duration::from_secs(30), Duration::from_millis(200))
                .await
                .map_err(relayer)?;
            let outcome = if result.code == 0 {
                Outcome::Accepted { gas_used: result.gas_used, gas_wanted: result.gas_wanted }
            } else {
                Outcome::RefusedAtDeliver { code: result.code, log: result.log }
            };
            Ok((outcome, tx.bytes.len()))
        })
    }

    /// Submits light-client updates until the trusted ring covers `number`; returns the sizes
    /// and gas of the updates sent.
    fn advance_to(&self, number: u64, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.net.block_on(Zone::new(&self.comet).eth_client()).map_err(relayer)?;
            let newest = status.trusted.as_ref().and_then(|t| t.newest_number()).unwrap_or(0);
            if newest >= number {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(HarnessError::Timeout {
                    what: format!("hand-driven light client to cover block {number}"),
                    seconds: timeout.as_secs(),
                    last: format!("newest trusted {newest}"),
                });
            }
            let updates =
                self.net.block_on(fetch_update(&self.beacon, &status, 4)).map_err(relayer)?;
            for update in updates {
                // The zone's clock is its last block's time: an update signed later is refused.
                if update.signature_slot > status.current_slot {
                    break;
                }
                let msg = Msg::UpdateEthClient(MsgUpdateEthClient {
                    signer: self.key.address,
                    fork: update.fork.as_str().to_owned(),
                    kind: update.kind,
                    update: update.ssz.clone(),
                });
                let (outcome, bytes) = self.submit(&msg)?;
                figure(
                    "msg_update_eth_client",
                    json!({
                        "kind": update.kind.as_str(), "fork": update.fork.as_str(),
                        "ssz_bytes": update.ssz.len(), "tx_bytes": bytes,
                        "gas": msg.gas(), "outcome": format!("{outcome:?}"),
                    }),
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn next_event_nonce(&self) -> Result<u64> {
        let status = self.net.block_on(Zone::new(&self.comet).eth_client()).map_err(relayer)?;
        Ok(status.next_event_nonce)
    }

    fn trusted_at_or_after(&self, n: u64) -> Result<TrustedBlock> {
        self.net
            .block_on(Zone::new(&self.comet).trusted_at_or_after(n))
            .map_err(relayer)?
            .ok_or_else(|| HarnessError::Unexpected(format!("no trusted block at or after {n}")))
    }
}

/// Delivers the beacon node's latest finality update alone — what a relayer coming back from an
/// outage may do, skipping every intermediate update — until the trusted ring's newest block is
/// at least `number`. So the next trusted block lands far above anything final before it.
pub fn jump_light_client_to(net: &Devnet, number: u64, timeout: Duration) -> Result<()> {
    let driver = Driver::new(net)?;
    let deadline = Instant::now() + timeout;
    loop {
        let status = net.block_on(Zone::new(&driver.comet).eth_client()).map_err(relayer)?;
        let newest = status.trusted.as_ref().and_then(|t| t.newest_number()).unwrap_or(0);
        if newest >= number {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(HarnessError::Timeout {
                what: format!("one finality update to make block {number} trusted"),
                seconds: timeout.as_secs(),
                last: format!("newest trusted {newest}"),
            });
        }
        if let Some(envelope) = net.block_on(driver.beacon.finality_update()).map_err(relayer)? {
            let update = encode_update(&status.preset, EthUpdateKind::FinalityUpdate, &envelope)
                .map_err(relayer)?;
            // The zone's clock is its last block's time: an update signed later is refused.
            if update.signature_slot <= status.current_slot {
                let msg = Msg::UpdateEthClient(MsgUpdateEthClient {
                    signer: driver.key.address,
                    fork: update.fork.as_str().to_owned(),
                    kind: update.kind,
                    update: update.ssz.clone(),
                });
                let (outcome, _) = driver.submit(&msg)?;
                println!("finality update (finalized slot {}): {outcome:?}", update.finalized_slot);
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Asserts `outcome` is a refusal; returns "stage code: log" for the record.
fn refused(case: &str, outcome: &Outcome) -> Result<String> {
    match outcome {
        Outcome::RefusedAtCheck { code, log } => Ok(format!("CheckTx code {code}: {log}")),
        Outcome::RefusedAtDeliver { code, log } => Ok(format!("DeliverTx code {code}: {log}")),
        Outcome::Accepted { .. } => {
            Err(HarnessError::Unexpected(format!("{case}: the tampered message was accepted")))
        }
    }
}

/// The scenario (see the module doc). `receiver` gets the ERC-20 voucher.
pub fn forged_messages_are_refused(net: &mut Devnet, receiver: &str) -> Result<()> {
    let driver = Driver {
        net,
        comet: CometRpc::new(
            &format!("http://127.0.0.1:{}", net.rpc_port(0)),
            Duration::from_secs(10),
        )
        .map_err(relayer)?,
        beacon: BeaconApi::new(&net.beacon_url(), Duration::from_secs(10)).map_err(relayer)?,
        key: RelayerKey::from_file(&net.account_key_file(SIGNER_ACCOUNT)).map_err(relayer)?,
        fees: FeePolicy { fee_per_kgas: 10, min_fee: 1_000, denom: "upeg".into() },
    };
    let voucher = Devnet::voucher(net.token);
    let before = net.balance(receiver, &voucher)?;
    let nonce = driver.next_event_nonce()?;
    // Catch the light client up with the simulator's finality first, so that the ring gets an
    // entry shortly above the lock (a short header chain, as a running relayer would give).
    let sim_finalized = {
        let text = peg_e2e::devnet::http_get(&format!("{}/sim/v1/status", net.beacon_url()))?;
        let status: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| HarnessError::Unexpected(format!("sim status: {e}")))?;
        status["finalized"]["execution_number"].as_u64().unwrap_or(0)
    };
    driver.advance_to(sim_finalized, Duration::from_secs(120))?;

    // An ERC-20 lock: its receipt holds the token's Transfer log and the bridge's Locked log.
    let amount = 31_337u128;
    let lock = net.lock(receiver, amount, Some(net.token))?;
    if lock.event_nonce != nonce {
        return Err(HarnessError::Unexpected(format!(
            "lock emitted nonce {}, the zone expects {nonce}",
            lock.event_nonce
        )));
    }
    let pending = net
        .block_on(find_pending_events(
            net.eth(),
            net.bridge,
            nonce,
            lock.block_number,
            lock.block_number,
            16,
            1,
        ))
        .map_err(relayer)?;
    if pending.len() != 1 {
        return Err(HarnessError::Unexpected(format!("pending events: {pending:?}")));
    }
    let build = |trusted: TrustedBlock| -> Result<MsgSubmitEthEvents> {
        net.block_on(build_event_message(
            net.eth(),
            net.bridge,
            trusted,
            &pending,
            driver.key.address,
        ))
        .map_err(relayer)
    };
    let submit = |case: &str, msg: MsgSubmitEthEvents| -> Result<()> {
        let (outcome, bytes) = driver.submit(&Msg::SubmitEthEvents(msg))?;
        let why = refused(case, &outcome)?;
        println!("refused, {case} ({bytes} bytes): {why}");
        Ok(())
    };

    // 1. An event in a block the light client does not trust yet: the message claims the lock's
    //    own (not yet finalized) block as its trusted block.
    let block = net
        .block_on(net.eth().block_by_number(lock.block_number.into()))?
        .ok_or_else(|| HarnessError::Unexpected(format!("no block {}", lock.block_number)))?;
    let unfinalized = TrustedBlock {
        number: lock.block_number,
        hash: block.hash,
        timestamp: block.header.timestamp,
    };
    submit("event in a block not yet finalized", build(unfinalized)?)?;

    // Now let the light client cover a block a few above the lock, so the proof has a real
    // header chain (several headers) to tamper with.
    driver.advance_to(lock.block_number + 1, Duration::from_secs(120))?;
    let trusted = driver.trusted_at_or_after(lock.block_number + 1)?;
    let good = build(trusted)?;
    if good.headers.len() < 2 {
        return Err(HarnessError::Unexpected(format!(
            "expected a header chain, got {} header(s)",
            good.headers.len()
        )));
    }

    // 2. A forged receipt proof: one byte of the receipt (the leaf node: the Locked log's
    //    amount sits at its end) changed.
    let mut forged = good.clone();
    let receipt =
        forged.receipts.first_mut().ok_or_else(|| HarnessError::Unexpected("no receipt".into()))?;
    let leaf =
        receipt.proof.last_mut().ok_or_else(|| HarnessError::Unexpected("empty proof".into()))?;
    let at = leaf.len().saturating_sub(1);
    if let Some(byte) = leaf.get_mut(at) {
        *byte ^= 0x01;
    }
    submit("forged receipt proof", forged)?;

    // 3. A log of another contract: the token's Transfer log in the same receipt, named as the
    //    bridge event.
    let mut other = good.clone();
    let receipt =
        other.receipts.first_mut().ok_or_else(|| HarnessError::Unexpected("no receipt".into()))?;
    let locked_index = *receipt
        .log_indices
        .first()
        .ok_or_else(|| HarnessError::Unexpected("no log index".into()))?;
    receipt.log_indices = vec![if locked_index == 0 { 1 } else { 0 }];
    submit("log emitted by another contract (the ERC-20's Transfer)", other)?;

    // 4. A tampered header chain: one byte of the oldest header (the event's block) changed,
    //    so it no longer hashes to its child's parent hash.
    let mut tampered = good.clone();
    let header =
        tampered.headers.last_mut().ok_or_else(|| HarnessError::Unexpected("no header".into()))?;
    let middle = header.len() / 2;
    if let Some(byte) = header.get_mut(middle) {
        *byte ^= 0x80;
    }
    submit("tampered header chain", tampered)?;
    // And one header left out of the chain.
    let mut gap = good.clone();
    gap.headers.remove(1);
    for receipt in &mut gap.receipts {
        receipt.header_index = receipt.header_index.saturating_sub(1);
    }
    submit("header chain with a missing header", gap)?;

    // Nothing moved.
    assert_eq!(net.balance(receiver, &voucher)?, before, "a refused message credited something");
    assert_eq!(driver.next_event_nonce()?, nonce, "a refused message advanced the event nonce");

    // The untampered message is accepted, exactly once.
    let msg = Msg::SubmitEthEvents(good.clone());
    // The message as it sits in the transaction body: its Any's value.
    let msg_bytes = msg.to_any().value.len();
    let (outcome, tx_bytes) = driver.submit(&msg)?;
    let Outcome::Accepted { gas_used, gas_wanted } = outcome else {
        return Err(HarnessError::Unexpected(format!("the good message was refused: {outcome:?}")));
    };
    figure(
        "msg_submit_eth_events",
        json!({
            "events": good.event_count(), "headers": good.headers.len(),
            "proof_nodes": good.receipts.iter().map(|r| r.proof.len()).sum::<usize>(),
            "msg_bytes": msg_bytes, "tx_bytes": tx_bytes,
            "gas_wanted": gas_wanted, "gas_used": gas_used,
            "gas_per_event": gas_used / u64::try_from(good.event_count().max(1)).unwrap_or(1),
        }),
    );
    net.wait_balance(receiver, &voucher, before + amount, Duration::from_secs(30))?;
    // A replay is refused cheaply by its nonce.
    let (replay, _) = driver.submit(&Msg::SubmitEthEvents(good))?;
    println!("replay of the accepted message: {}", refused("replay", &replay)?);
    assert_eq!(net.balance(receiver, &voucher)?, before + amount, "credited twice");
    Ok(())
}

/// A lock's block, receipts and event, captured before a reorg removes them from the node.
#[derive(Debug)]
pub struct Orphan {
    block: Block,
    receipts: Vec<Receipt>,
    event: PendingEvent,
}

/// Captures the block, receipts and bridge event of `lock` while the node still serves them.
pub fn capture(net: &Devnet, lock: &LockReceipt) -> Result<Orphan> {
    let block = net
        .block_on(net.eth().block_by_number(lock.block_number.into()))?
        .ok_or_else(|| HarnessError::Unexpected(format!("no block {}", lock.block_number)))?;
    let receipts: Vec<Receipt> =
        net.block_on(net.eth().block_receipts(&block))?.into_iter().map(|r| r.receipt).collect();
    let event = net
        .block_on(find_pending_events(
            net.eth(),
            net.bridge,
            lock.event_nonce,
            lock.block_number,
            lock.block_number,
            16,
            1,
        ))
        .map_err(relayer)?
        .pop()
        .ok_or_else(|| HarnessError::Unexpected(format!("no event {}", lock.event_nonce)))?;
    Ok(Orphan { block, receipts, event })
}

/// After the reorg: a complete, correctly formed proof of the orphaned event (receipt proof
/// under the orphaned block's receipts root, header chain from a trusted block of the new chain
/// down to the orphaned header) is refused, because the orphaned header is not the parent of the
/// new chain's block at the next height.
pub fn orphaned_event_is_refused(net: &Devnet, orphan: &Orphan) -> Result<()> {
    let driver = Driver::new(net)?;
    let number = orphan.block.number();
    let trusted = driver.trusted_at_or_after(number + 1)?;
    let mut headers = Vec::new();
    for n in (number + 1..=trusted.number).rev() {
        let block = net
            .block_on(net.eth().block_by_number(n.into()))?
            .ok_or_else(|| HarnessError::Unexpected(format!("no block {n}")))?;
        headers
            .push(block.header.encode_rlp().map_err(|e| HarnessError::Unexpected(e.to_string()))?);
    }
    headers.push(
        orphan.block.header.encode_rlp().map_err(|e| HarnessError::Unexpected(e.to_string()))?,
    );
    let receipt = orphan
        .receipts
        .get(usize::try_from(orphan.event.tx_index).unwrap_or(usize::MAX))
        .ok_or_else(|| HarnessError::Unexpected("orphaned receipt missing".into()))?;
    let log_index =
        receipt.logs.iter().position(|log| log.address == net.bridge).ok_or_else(|| {
            HarnessError::Unexpected("no bridge log in the orphaned receipt".into())
        })?;
    let proof = generate_receipt_proof(&orphan.receipts, orphan.event.tx_index)
        .map_err(|e| HarnessError::Unexpected(e.to_string()))?;
    let msg = MsgSubmitEthEvents {
        signer: driver.key.address,
        first_event_nonce: orphan.event.nonce,
        trusted_block_hash: trusted.hash.0,
        headers,
        receipts: vec![EventReceipt {
            header_index: u32::try_from(trusted.number - number).unwrap_or(u32::MAX),
            tx_index: u32::try_from(orphan.event.tx_index).unwrap_or(u32::MAX),
            proof: proof.into_iter().map(|node| node.to_vec()).collect(),
            log_indices: vec![u32::try_from(log_index).unwrap_or(u32::MAX)],
        }],
    };
    let (outcome, bytes) = driver.submit(&Msg::SubmitEthEvents(msg))?;
    let why = refused("orphaned event", &outcome)?;
    println!("refused, proof of the orphaned lock ({bytes} bytes): {why}");
    if !why.contains("header chain") {
        return Err(HarnessError::Unexpected(format!(
            "the orphaned event was refused for another reason than its header chain: {why}"
        )));
    }
    Ok(())
}
