//! Delivery of `MsgSubmitEthEvents` and `MsgUpdateEthClient` (`specs/eth-module.md` §3).
//!
//! Events: FinalizeBlock + Commit of one
//! transaction proving `n` bridge `Locked` events (one receipt each, a 2-header chain, real
//! receipt Merkle-Patricia proofs), against the gas the schedule charges for it. The time per
//! gas is what the schedule's "one gas ≈ one nanosecond" claims; set-up (genesis with a real
//! mainnet light-client bootstrap, signing, trusting the block) is outside the timing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use light_client::execution::{
    compute_receipts_root, generate_receipt_proof, Address, Bytes, ExecutionHeader, Log, Receipt,
    ReceiptOutcome, TxType,
};
use peg_app::eth::TrustedBlock;
use peg_app::tendermint_proto::google::protobuf::Timestamp;
use peg_app::tendermint_proto::v0_38::abci::{RequestFinalizeBlock, RequestInitChain};
use peg_app::App;
use peg_tx::{
    required_gas, AccAddress, Coin, Coins, EventReceipt, Msg, MsgSubmitEthEvents, PublicKey,
    SigningKey, TxBuilder,
};
use peg_types::{EthAddress, PegAccount, PegEvent, TransferToPegZone, U256};

const CHAIN_ID: &str = "peg-bench-eth";
const BRIDGE: [u8; 20] = [0xB0; 20];
const TIME: i64 = 1_606_824_023 + 9_425_300 * 12;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32].into()).expect("a valid scalar")
}

fn genesis(signer: &AccAddress) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client/committee-change/base-data");
    let text = std::fs::read_to_string(dir.join("BootstrapDeneb.json")).expect("vectors");
    let bootstrap: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let (_, boot) =
        light_client::types::LightClientBootstrap::<light_client::Mainnet>::from_beacon_api_json(
            &text,
        )
        .expect("bootstrap");
    serde_json::json!({
        "params": {"denom": "upeg", "min_fee": "1000", "power_reduction": "1000000",
                   "min_self_bond": "1000000", "max_validators": 10, "max_tx_bytes": 1048576,
                   "fee_per_kgas": "1"},
        "accounts": [{"address": signer.to_bech32(),
                      "balances": [{"denom": "upeg", "amount": "1000000000000"}]}],
        "validators": [{"operator": signer.to_bech32(), "consensus_pubkey": hex::encode([1u8; 32]),
                        "bonded": "1000000", "moniker": "v"}],
        "eth": {
            "network": {"builtin": "mainnet"},
            "genesis_time": 1_606_824_023u64,
            "genesis_validators_root":
                "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95",
            "trusted_block_root": format!("{}", boot.header.beacon_root()),
            "bootstrap": bootstrap,
            "bridge_contract": format!("0x{}", hex::encode(BRIDGE)),
            "bridge_id": format!("0x{}", hex::encode([1u8; 32])),
            "eth_chain_id": 1,
            "next_event_nonce": "1",
            "trusted_ring_size": 64,
            "native_denoms": [],
            "governance_voting_period": 100
        }
    })
    .to_string()
    .into_bytes()
}

struct Setup {
    app: App,
    tx: Vec<u8>,
    _dir: tempfile::TempDir,
}

fn setup(n: u64) -> (Setup, u64) {
    let signer_key = key();
    let signer = PublicKey::from_signing_key(&signer_key).address();
    let receipts: Vec<Receipt> = (1..=n)
        .map(|nonce| {
            let (topics, data) = PegEvent::Locked(TransferToPegZone {
                event_nonce: nonce,
                token: EthAddress::new([0xE2; 20]),
                sender: EthAddress::new([0x5E; 20]),
                receiver: PegAccount::new([0x42; 20]),
                amount: U256::from(1_000u64),
            })
            .encode_log();
            let mut r = Receipt {
                tx_type: TxType::Eip1559,
                outcome: ReceiptOutcome::Status(true),
                cumulative_gas_used: 60_000 * nonce,
                logs_bloom: Default::default(),
                logs: vec![Log { address: Address::from(BRIDGE), topics, data: Bytes::from(data) }],
            };
            r.logs_bloom = r.compute_logs_bloom();
            r
        })
        .collect();
    let parent = ExecutionHeader {
        number: 30_000_000,
        timestamp: 1_700_000_000,
        gas_limit: 30_000_000,
        receipts_root: compute_receipts_root(&receipts),
        base_fee_per_gas: Some(7),
        ..ExecutionHeader::default()
    };
    let child = ExecutionHeader {
        parent_hash: parent.hash().expect("hash"),
        number: 30_000_001,
        timestamp: 1_700_000_012,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(7),
        ..ExecutionHeader::default()
    };
    let trusted = TrustedBlock {
        number: child.number,
        hash: child.hash().expect("hash").0,
        timestamp: child.timestamp,
    };
    let msg = Msg::SubmitEthEvents(MsgSubmitEthEvents {
        signer,
        first_event_nonce: 1,
        trusted_block_hash: trusted.hash,
        headers: vec![child.encode_rlp().expect("rlp"), parent.encode_rlp().expect("rlp")],
        receipts: (0..n)
            .map(|i| EventReceipt {
                header_index: 1,
                tx_index: u32::try_from(i).expect("small"),
                proof: generate_receipt_proof(&receipts, i)
                    .expect("proof")
                    .into_iter()
                    .map(|node| node.to_vec())
                    .collect(),
                log_indices: vec![0],
            })
            .collect(),
    });
    let gas = required_gas(std::slice::from_ref(&msg));
    let fee = u128::from(gas).div_ceil(1000).max(1000);
    let tx = TxBuilder::new(CHAIN_ID, 0, 0)
        .message(msg)
        .fee(Coins::new(vec![Coin::new("upeg", fee).expect("denom")]).expect("coins"))
        .gas_limit(gas)
        .sign(&signer_key)
        .expect("sign")
        .bytes;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = App::open(dir.path()).expect("open");
    app.init_chain(&RequestInitChain {
        chain_id: CHAIN_ID.into(),
        app_state_bytes: genesis(&signer).into(),
        initial_height: 1,
        ..RequestInitChain::default()
    })
    .expect("init");
    app.testing_trust_execution_block(trusted);
    app.finalize_block(&RequestFinalizeBlock {
        height: 1,
        time: Some(Timestamp { seconds: TIME, nanos: 0 }),
        ..RequestFinalizeBlock::default()
    })
    .expect("block 1");
    app.commit().expect("commit 1");
    (Setup { app, tx, _dir: dir }, gas)
}

fn deliver(c: &mut Criterion) {
    let mut group = c.benchmark_group("eth_events_finalize_commit");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [1u64, 16, 64] {
        let (_, gas) = setup(n);
        eprintln!("n = {n}: {gas} gas ({} gas per event)", gas / n);
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (mut s, _) = setup(n);
                    let start = Instant::now();
                    let response = s
                        .app
                        .finalize_block(&RequestFinalizeBlock {
                            height: 2,
                            time: Some(Timestamp { seconds: TIME + 12, nanos: 0 }),
                            txs: vec![s.tx.clone().into()],
                            ..RequestFinalizeBlock::default()
                        })
                        .expect("block 2");
                    s.app.commit().expect("commit 2");
                    total += start.elapsed();
                    assert_eq!(response.tx_results[0].code, 0, "{}", response.tx_results[0].log);
                }
                total
            });
        });
    }
    group.finish();
}

/// `MsgUpdateEthClient` with the real mainnet committee-change update (attested slot 9420873,
/// 25.2 KB, carrying the next 512-key committee): the committee's keys are prepared and the
/// aggregate signature verified inside the timing.
fn update(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client/committee-change");
    let ssz = std::fs::read(dir.join("LightClientUpdateDeneb.ssz")).expect("vectors");
    // signature_slot: the last 8 bytes of the fixed part (see tests/eth.rs).
    let at = 4 + 512 * 48 + 48 + 5 * 32 + 4 + 6 * 32 + 64 + 96;
    let mut slot = [0u8; 8];
    slot.copy_from_slice(&ssz[at..at + 8]);
    let time = 1_606_824_023 + i64::try_from(u64::from_le_bytes(slot) * 12).expect("fits");
    let signer_key = key();
    let signer = PublicKey::from_signing_key(&signer_key).address();
    let msg = Msg::UpdateEthClient(peg_tx::MsgUpdateEthClient {
        signer,
        fork: "deneb".into(),
        kind: peg_tx::EthUpdateKind::Update,
        update: ssz,
    });
    let gas = required_gas(std::slice::from_ref(&msg));
    eprintln!("mainnet update with committee: {gas} gas");
    let fee = u128::from(gas).div_ceil(1000).max(1000);
    let tx = TxBuilder::new(CHAIN_ID, 0, 0)
        .message(msg)
        .fee(Coins::new(vec![Coin::new("upeg", fee).expect("denom")]).expect("coins"))
        .gas_limit(gas)
        .sign(&signer_key)
        .expect("sign")
        .bytes;
    let mut group = c.benchmark_group("eth_update_finalize_commit");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("mainnet_committee_update", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("tempdir");
                let mut app = App::open(dir.path()).expect("open");
                app.init_chain(&RequestInitChain {
                    chain_id: CHAIN_ID.into(),
                    app_state_bytes: genesis(&signer).into(),
                    initial_height: 1,
                    ..RequestInitChain::default()
                })
                .expect("init");
                app.finalize_block(&RequestFinalizeBlock {
                    height: 1,
                    time: Some(Timestamp { seconds: time, nanos: 0 }),
                    ..RequestFinalizeBlock::default()
                })
                .expect("block 1");
                app.commit().expect("commit 1");
                // A fresh node: the store (and its prepared keys) is not cached yet, as after
                // a restart; the measured block pays the current committee's preparation too.
                let mut app = {
                    drop(app);
                    App::open(dir.path()).expect("reopen")
                };
                let start = Instant::now();
                let response = app
                    .finalize_block(&RequestFinalizeBlock {
                        height: 2,
                        time: Some(Timestamp { seconds: time, nanos: 0 }),
                        txs: vec![tx.clone().into()],
                        ..RequestFinalizeBlock::default()
                    })
                    .expect("block 2");
                app.commit().expect("commit 2");
                total += start.elapsed();
                assert_eq!(response.tx_results[0].code, 0, "{}", response.tx_results[0].log);
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, deliver, update);
criterion_main!(benches);
