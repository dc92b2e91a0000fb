//! `MsgProveEthState` and the Ethereum observation (`/eth/observed`) through the ABCI methods,
//! with real signed transactions:
//!
//! - a REAL `eth_getProof` answer from anvil (`light-client/tests/vectors/state_proof_anvil.json`:
//!   a contract whose slot 0 packs event nonce 41 in its low 64 bits and 3 above) proven under
//!   the real anvil header, trusted through the test entry point
//!   (`App::testing_trust_execution_block`) after the real mainnet bootstrap block;
//! - recorded at once when the zone has processed nonce 41, kept pending otherwise and promoted
//!   when the event arrives; applied events update the observation by themselves;
//! - refused: untrusted block, a header that is not the trusted block's, tampered proofs, a
//!   wrong bridge address, a proof of another slot, a stale block;
//! - end to end with the bridge module: a pending batch survives the events' (older) block and
//!   times out, its transfer back in the pool, once the proof shows a block past its timeout.

use std::path::PathBuf;

use light_client::execution::{
    compute_receipts_root, generate_receipt_proof, Address, Bytes, ExecutionHeader, Log, Receipt,
    ReceiptOutcome, TxType, B256,
};
use light_client::types::LightClientBootstrap;
use light_client::Mainnet;
use peg_app::eth::{EthObservation, TrustedBlock};
use peg_app::tendermint_proto::google::protobuf::Timestamp;
use peg_app::tendermint_proto::v0_38::abci::{
    RequestFinalizeBlock, RequestInitChain, RequestQuery, ResponseFinalizeBlock,
};
use peg_app::{App, CODE_ETH_EVENT_NONCE, CODE_ETH_PROOF, CODE_ETH_UNTRUSTED_BLOCK};
use peg_tx::{
    required_gas, AccAddress, Coin, Coins, EventReceipt, Msg, MsgProveEthState, MsgSubmitEthEvents,
    PublicKey, SigningKey, TxBuilder,
};
use peg_types::{EthAddress, PegAccount, PegEvent, TransferToPegZone, U256};
use serde_json::{json, Value};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

const CHAIN_ID: &str = "peg-observed-1";
const MAINNET_GENESIS_TIME: u64 = 1_606_824_023;
const MAINNET_GVR: &str = "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95";
const FEE_PER_KGAS: u128 = 1;
/// A synthetic event block: above the mainnet bootstrap block (20,219,075), below anvil's.
const EVENT_BLOCK: u64 = 25_000_000;
/// Its timestamp: below the anvil block's (2026).
const EVENT_TIME: u64 = 1_750_000_000;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn key(seed: u8) -> SigningKey {
    let mut bytes = [seed; 32];
    bytes[0] = 1;
    SigningKey::from_bytes(&bytes.into()).expect("a valid scalar")
}

fn addr(key: &SigningKey) -> AccAddress {
    PublicKey::from_signing_key(key).address()
}

fn slot_time(slot: u64) -> u64 {
    MAINNET_GENESIS_TIME + slot * 12
}

/// The anvil state-proof vector.
struct Vector {
    bridge: [u8; 20],
    block: TrustedBlock,
    header_rlp: Vec<u8>,
    account_proof: Vec<Vec<u8>>,
    /// Per slot: (slot, proof).
    storage: Vec<(u64, Vec<Vec<u8>>)>,
}

fn hex_bytes(v: &Value) -> TestResult<Vec<u8>> {
    Ok(hex::decode(v.as_str().ok_or("not a string")?.trim_start_matches("0x"))?)
}

fn hex_nodes(v: &Value) -> TestResult<Vec<Vec<u8>>> {
    v.as_array().ok_or("not an array")?.iter().map(hex_bytes).collect()
}

fn vector() -> TestResult<Vector> {
    let path = workspace().join("light-client/tests/vectors/state_proof_anvil.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let header_rlp = hex_bytes(&v["header_rlp"])?;
    let fields = light_client::execution::read_header_fields(&header_rlp)?;
    let bridge: [u8; 20] = hex_bytes(&v["address"])?.as_slice().try_into()?;
    let storage = v["storage"]
        .as_array()
        .ok_or("storage")?
        .iter()
        .map(|s| {
            let slot = u64::from_str_radix(
                s["slot"].as_str().ok_or("slot")?.trim_start_matches("0x"),
                16,
            )?;
            Ok((slot, hex_nodes(&s["proof"])?))
        })
        .collect::<TestResult<Vec<_>>>()?;
    Ok(Vector {
        bridge,
        block: TrustedBlock {
            number: fields.number,
            hash: fields.hash.0,
            timestamp: fields.timestamp,
        },
        header_rlp,
        account_proof: hex_nodes(&v["account_proof"])?,
        storage,
    })
}

fn bootstrap() -> TestResult<(Value, B256)> {
    let path = workspace()
        .join("../shared/vectors/mainnet-deneb-light-client/committee-change/base-data/BootstrapDeneb.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (_, b) = LightClientBootstrap::<Mainnet>::from_beacon_api_json(&text)
        .map_err(|e| format!("bootstrap: {e:?}"))?;
    Ok((serde_json::from_str(&text)?, b.header.beacon_root()))
}

/// alice (key 1, relayer) and one validator (key 10); the bridge at `bridge`.
fn app_state(bridge: [u8; 20], next_event_nonce: u64) -> TestResult<Value> {
    let (bootstrap, root) = bootstrap()?;
    let coin = |amount: u64| json!([{ "denom": "upeg", "amount": amount.to_string() }]);
    Ok(json!({
        "params": {
            "denom": "upeg",
            "min_fee": "1000",
            "power_reduction": "1000000",
            "min_self_bond": "1000000",
            "max_validators": 10,
            "max_tx_bytes": 131072,
            "fee_per_kgas": FEE_PER_KGAS.to_string(),
        },
        "accounts": [
            { "address": addr(&key(1)).to_bech32(), "balances": coin(1_000_000_000) },
            { "address": addr(&key(10)).to_bech32(), "balances": coin(100_000_000) },
        ],
        "validators": [{
            "operator": addr(&key(10)).to_bech32(),
            "consensus_pubkey": hex::encode([0xA0; 32]),
            "bonded": "5000000",
            "moniker": "val-0",
        }],
        "eth": {
            "network": { "builtin": "mainnet" },
            "genesis_time": MAINNET_GENESIS_TIME,
            "genesis_validators_root": MAINNET_GVR,
            "trusted_block_root": format!("{root}"),
            "bootstrap": bootstrap,
            "bridge_contract": format!("0x{}", hex::encode(bridge)),
            "bridge_id": format!("0x{}", hex::encode([0x1D; 32])),
            "next_event_nonce": next_event_nonce.to_string(),
            "trusted_ring_size": 8,
            "native_denoms": [],
            "governance_voting_period": 10,
            "eth_chain_id": 31337,
        },
    }))
}

struct Node {
    app: App,
    height: i64,
    sequence: u64,
    _dir: tempfile::TempDir,
}

impl Node {
    fn start(bridge: [u8; 20], next_event_nonce: u64) -> TestResult<Self> {
        let mut state = app_state(bridge, next_event_nonce)?;
        // `eth_chain_id` is part of app_state.eth from issue 6 on; a build without it refuses
        // the unknown field, so retry without it.
        let mut last_error = String::new();
        for _ in 0..2 {
            let dir = tempfile::tempdir()?;
            let mut app = App::open(dir.path())?;
            match app.init_chain(&RequestInitChain {
                chain_id: CHAIN_ID.into(),
                app_state_bytes: serde_json::to_vec(&state)?.into(),
                initial_height: 1,
                ..RequestInitChain::default()
            }) {
                Ok(_) => {
                    let mut node = Self { app, height: 0, sequence: 0, _dir: dir };
                    node.block(vec![])?;
                    return Ok(node);
                }
                Err(e) => {
                    last_error = e.to_string();
                    if let Some(eth) = state["eth"].as_object_mut() {
                        eth.remove("eth_chain_id");
                    }
                }
            }
        }
        Err(format!("init_chain: {last_error}").into())
    }

    fn block(&mut self, txs: Vec<Vec<u8>>) -> TestResult<ResponseFinalizeBlock> {
        self.height += 1;
        let time = slot_time(9_425_184 + u64::try_from(self.height)?);
        let response = self.app.finalize_block(&RequestFinalizeBlock {
            txs: txs.into_iter().map(Into::into).collect(),
            height: self.height,
            time: Some(Timestamp { seconds: i64::try_from(time)?, nanos: 0 }),
            ..RequestFinalizeBlock::default()
        })?;
        self.app.commit()?;
        Ok(response)
    }

    /// One block with one transaction of alice's carrying `msg`: its (code, log).
    fn run(&mut self, msg: Msg) -> TestResult<(u32, String)> {
        let gas = required_gas(std::slice::from_ref(&msg));
        let fee = (u128::from(gas) * FEE_PER_KGAS).div_ceil(1000).max(1000);
        let tx = TxBuilder::new(CHAIN_ID, 0, self.sequence)
            .message(msg)
            .fee(Coins::new(vec![Coin::new("upeg", fee)?])?)
            .gas_limit(gas)
            .sign(&key(1))?
            .bytes;
        self.sequence += 1;
        let response = self.block(vec![tx])?;
        let result = response.tx_results.first().ok_or("no tx result")?;
        Ok((result.code, result.log.clone()))
    }

    fn trust(&mut self, block: TrustedBlock) -> TestResult {
        self.app.testing_trust_execution_block(block);
        self.block(vec![])?;
        Ok(())
    }

    fn query(&self, path: &str) -> TestResult<Value> {
        let response =
            self.app.query(&RequestQuery { path: path.into(), ..RequestQuery::default() });
        assert_eq!(response.code, 0, "query {path}: {}", response.log);
        Ok(serde_json::from_slice(&response.value)?)
    }

    fn observed(&self) -> TestResult<Option<EthObservation>> {
        Ok(serde_json::from_value(self.query("/eth/observed")?)?)
    }

    fn pending(&self) -> TestResult<Option<EthObservation>> {
        Ok(serde_json::from_value(self.query("/eth/observed/pending")?)?)
    }
}

fn prove_msg(v: &Vector, slot: u64) -> TestResult<MsgProveEthState> {
    let storage = v.storage.iter().find(|(s, _)| *s == slot).ok_or("slot not in the vector")?;
    Ok(MsgProveEthState {
        sender: addr(&key(1)),
        trusted_block_hash: v.block.hash,
        header_rlp: v.header_rlp.clone(),
        account_proof: v.account_proof.clone(),
        storage_proof: storage.1.clone(),
    })
}

fn anvil_observation(v: &Vector) -> EthObservation {
    EthObservation { block_number: v.block.number, timestamp: v.block.timestamp, event_nonce: 41 }
}

#[test]
fn a_real_state_proof_records_the_bridge_event_nonce() -> TestResult {
    let v = vector()?;
    let mut node = Node::start(v.bridge, 42)?;
    assert_eq!(node.observed()?, None);
    let good = prove_msg(&v, 0)?;

    // Not trusted yet.
    let (code, log) = node.run(Msg::ProveEthState(good.clone()))?;
    assert_eq!(code, CODE_ETH_UNTRUSTED_BLOCK, "{log}");
    node.trust(v.block)?;

    // A header that is not the trusted block's.
    let mut bad = good.clone();
    let last = bad.header_rlp.len() - 1;
    bad.header_rlp[last] ^= 1;
    let (code, log) = node.run(Msg::ProveEthState(bad))?;
    assert_eq!(code, CODE_ETH_PROOF, "{log}");
    // A tampered account node, a tampered storage node.
    let mut bad = good.clone();
    bad.account_proof[1][10] ^= 1;
    let (code, log) = node.run(Msg::ProveEthState(bad))?;
    assert_eq!(code, CODE_ETH_PROOF, "{log}");
    let mut bad = good.clone();
    let node_len = bad.storage_proof[0].len();
    bad.storage_proof[0][node_len - 1] ^= 1;
    let (code, log) = node.run(Msg::ProveEthState(bad))?;
    assert_eq!(code, CODE_ETH_PROOF, "{log}");
    // Slot 1's proof (value 7) does not pass for slot 0.
    let (code, log) = node.run(Msg::ProveEthState(prove_msg(&v, 1)?))?;
    assert_eq!(code, CODE_ETH_PROOF, "{log}");
    // The empty storage proof does not prove slot 0 zero.
    let (code, log) =
        node.run(Msg::ProveEthState(MsgProveEthState { storage_proof: vec![], ..good.clone() }))?;
    assert_eq!(code, CODE_ETH_PROOF, "{log}");
    assert_eq!(node.observed()?, None, "nothing recorded by refused proofs");

    // The real proof: eventNonce 41 (the low 64 bits; 3 above them is the valset nonce).
    let (code, log) = node.run(Msg::ProveEthState(good.clone()))?;
    assert_eq!(code, 0, "{log}");
    assert_eq!(node.observed()?, Some(anvil_observation(&v)));
    assert_eq!(node.pending()?, None);

    // The same block again: stale.
    let (code, log) = node.run(Msg::ProveEthState(good))?;
    assert_eq!(code, CODE_ETH_EVENT_NONCE, "{log}");
    assert!(log.contains("not newer"), "{log}");
    Ok(())
}

#[test]
fn the_bridge_address_comes_from_the_config() -> TestResult {
    let v = vector()?;
    // Another bridge: the account proof is not for it.
    let mut node = Node::start([0xB0; 20], 42)?;
    node.trust(v.block)?;
    let (code, log) = node.run(Msg::ProveEthState(prove_msg(&v, 0)?))?;
    assert_eq!(code, CODE_ETH_PROOF, "{log}");
    assert_eq!(node.observed()?, None);
    Ok(())
}

/// ETH locked for alice.
fn locked(nonce: u64) -> PegEvent {
    PegEvent::Locked(TransferToPegZone {
        event_nonce: nonce,
        token: EthAddress::new([0; 20]),
        sender: EthAddress::new([0x5E; 20]),
        receiver: PegAccount::new(*addr(&key(1)).as_bytes()),
        amount: U256::from(1_000u64),
    })
}

fn receipt(bridge: [u8; 20], nonce: u64) -> Receipt {
    let (topics, data) = locked(nonce).encode_log();
    let mut r = Receipt {
        tx_type: TxType::Eip1559,
        outcome: ReceiptOutcome::Status(true),
        cumulative_gas_used: 50_000,
        logs_bloom: Default::default(),
        logs: vec![Log { address: Address::from(bridge), topics, data: Bytes::from(data) }],
    };
    r.logs_bloom = r.compute_logs_bloom();
    r
}

/// Block EVENT_BLOCK with one lock per nonce of `nonces` (transaction i), and its child (the
/// trusted block): headers newest first, receipts, the trusted entry.
fn event_chain(
    bridge: [u8; 20],
    nonces: &[u64],
    time: u64,
) -> TestResult<(Vec<Vec<u8>>, Vec<Receipt>, TrustedBlock)> {
    let receipts: Vec<Receipt> = nonces.iter().map(|n| receipt(bridge, *n)).collect();
    let parent = ExecutionHeader {
        number: EVENT_BLOCK,
        timestamp: time,
        gas_limit: 30_000_000,
        receipts_root: compute_receipts_root(&receipts),
        base_fee_per_gas: Some(7),
        ..ExecutionHeader::default()
    };
    let child = ExecutionHeader {
        parent_hash: parent.hash()?,
        number: EVENT_BLOCK + 1,
        timestamp: time + 12,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(7),
        ..ExecutionHeader::default()
    };
    let trusted =
        TrustedBlock { number: EVENT_BLOCK + 1, hash: child.hash()?.0, timestamp: child.timestamp };
    Ok((vec![child.encode_rlp()?, parent.encode_rlp()?], receipts, trusted))
}

fn events_msg(
    headers: &[Vec<u8>],
    receipts: &[Receipt],
    trusted: &TrustedBlock,
    first: u64,
    tx: u32,
) -> TestResult<Msg> {
    Ok(Msg::SubmitEthEvents(MsgSubmitEthEvents {
        signer: addr(&key(1)),
        first_event_nonce: first,
        trusted_block_hash: trusted.hash,
        headers: headers.to_vec(),
        receipts: vec![EventReceipt {
            header_index: 1,
            tx_index: tx,
            proof: generate_receipt_proof(receipts, u64::from(tx))?
                .into_iter()
                .map(|n| n.to_vec())
                .collect(),
            log_indices: vec![0],
        }],
    }))
}

#[test]
fn events_update_the_observation_and_promote_a_pending_proof() -> TestResult {
    let v = vector()?;
    let mut node = Node::start(v.bridge, 40)?;
    let (headers, receipts, event_top) = event_chain(v.bridge, &[40, 41], EVENT_TIME)?;
    // The ring is ordered by number: the event block's child first, then the anvil block.
    node.trust(event_top)?;
    node.trust(v.block)?;

    // Event 40 in block EVENT_BLOCK: the observation follows the event's block.
    let (code, log) = node.run(events_msg(&headers, &receipts, &event_top, 40, 0)?)?;
    assert_eq!(code, 0, "{log}");
    let from_events =
        EthObservation { block_number: EVENT_BLOCK, timestamp: EVENT_TIME, event_nonce: 40 };
    assert_eq!(node.observed()?, Some(from_events));

    // The state proof says 41, the zone expects 41 next: pending, not recorded.
    let (code, log) = node.run(Msg::ProveEthState(prove_msg(&v, 0)?))?;
    assert_eq!(code, 0, "{log}");
    assert_eq!(node.observed()?, Some(from_events));
    assert_eq!(node.pending()?, Some(anvil_observation(&v)));
    // A second proof of the same block: not newer than the pending one.
    let (code, log) = node.run(Msg::ProveEthState(prove_msg(&v, 0)?))?;
    assert_eq!(code, CODE_ETH_EVENT_NONCE, "{log}");

    // Event 41 arrives: the event's own observation, then the pending proof (newer) promoted.
    let (code, log) = node.run(events_msg(&headers, &receipts, &event_top, 41, 1)?)?;
    assert_eq!(code, 0, "{log}");
    assert_eq!(node.observed()?, Some(anvil_observation(&v)));
    assert_eq!(node.pending()?, None);
    Ok(())
}

/// Point 1 of the issue end to end: a batch whose Ethereum timeout passed is cancelled once a
/// real state proof shows a finalized block at or past its timeout, the zone having processed
/// every event up to the bridge's nonce there; before the proof, the events alone (an older
/// block) do not time it out.
#[test]
fn a_state_proof_times_out_a_pending_batch() -> TestResult {
    let v = vector()?;
    let mut node = Node::start(v.bridge, 41)?;
    // Ethereum time of the event block: before the zone's clock (2024), so a batch created now
    // (timeout = zone time + 3600) is still valid at that block.
    let old_time = 1_700_000_000;
    let (headers, receipts, event_top) = event_chain(v.bridge, &[41], old_time)?;
    node.trust(event_top)?;
    node.trust(v.block)?;
    let (code, log) = node.run(events_msg(&headers, &receipts, &event_top, 41, 0)?)?;
    assert_eq!(code, 0, "{log}");
    assert_eq!(node.observed()?.map(|o| o.timestamp), Some(old_time));

    let eth = "eth/0x0000000000000000000000000000000000000000";
    let send = Msg::SendToEthereum(peg_tx::MsgSendToEthereum {
        sender: addr(&key(1)),
        eth_receiver: EthAddress::new([0x11; 20]),
        amount: Coin::new(eth, 600)?,
        bridge_fee: Coin::new(eth, 10)?,
    });
    let (code, log) = node.run(send)?;
    assert_eq!(code, 0, "{log}");
    let request =
        Msg::RequestBatch(peg_tx::MsgRequestBatch { sender: addr(&key(1)), denom: eth.into() });
    let (code, log) = node.run(request)?;
    assert_eq!(code, 0, "{log}");
    node.block(vec![])?;
    let batches = node.query("/bridge/batches")?;
    let batches = batches.as_array().ok_or("batches")?;
    assert_eq!(batches.len(), 1, "the batch is pending: the events' block is older");
    let timeout = batches[0]["timeout"].as_u64().ok_or("timeout")?;
    assert!(old_time < timeout && timeout <= v.block.timestamp, "{timeout}");
    assert_eq!(node.query("/bridge/pool")?.as_array().map(Vec::len), Some(0));

    // The anvil block (eventNonce 41, processed) is past the timeout: the batch times out in
    // the same block and its transfer returns to the pool.
    let (code, log) = node.run(Msg::ProveEthState(prove_msg(&v, 0)?))?;
    assert_eq!(code, 0, "{log}");
    assert_eq!(node.observed()?, Some(anvil_observation(&v)));
    assert_eq!(node.query("/bridge/batches")?.as_array().map(Vec::len), Some(0));
    let pool = node.query("/bridge/pool")?;
    let pool = pool.as_array().ok_or("pool")?;
    assert_eq!(pool.len(), 1, "the transfer is back in the pool: {pool:?}");
    assert_eq!(pool[0]["amount"], "600");
    Ok(())
}
