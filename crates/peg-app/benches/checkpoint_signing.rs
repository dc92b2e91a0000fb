//! Checkpoint signatures through vote extensions (`specs/state-machine.md` §6), timed through
//! the real ABCI methods of [`App`]:
//!
//! 1. `ExtendVote` of one validator signing 1 and 32 pending checkpoints (digests + ECDSA);
//! 2. `VerifyVoteExtension` of a full 32-signature extension (form only);
//! 3. `PrepareProposal` building the injected transaction from `N` validators' extensions of
//!    `k` signatures each (every signature recovered and compared: `N × k` ecrecovers);
//! 4. `ProcessProposal` re-checking that block;
//! 5. `FinalizeBlock` storing them, alone (repeated at the same height, nothing persisted) and
//!    with `Commit` (each iteration on a fresh copy of the same committed store).
//!
//! The pending checkpoints are real: genesis registers every validator's Ethereum key on the
//! mainnet light-client bootstrap, then bond transactions move more than 5% of the power per
//! block, so each block's end creates one more unconfirmed valset. Set-up is outside the timing.
//! Sizes (extension bytes per validator, injected transaction bytes) are printed on stderr.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};
use peg_app::bridge::signatures::validator_address;
use peg_app::bridge::{pending_checkpoints, pending_digest, CheckpointKind};
use peg_app::state::Cache;
use peg_app::tendermint_proto::google::protobuf::Timestamp;
use peg_app::tendermint_proto::v0_38::abci::{
    ExtendedCommitInfo, ExtendedVoteInfo, RequestExtendVote, RequestFinalizeBlock,
    RequestInitChain, RequestPrepareProposal, RequestProcessProposal, RequestVerifyVoteExtension,
    ResponseFinalizeBlock, Validator as VoteValidator,
};
use peg_app::tendermint_proto::v0_38::types::{AbciParams, BlockIdFlag, ConsensusParams};
use peg_app::{App, InjectedSignatures, VoteExtension};
use peg_tx::{AccAddress, Coin, Coins, Msg, MsgBondUnbond, PublicKey, SigningKey, TxBuilder};
use peg_types::{recover_signer, sign_digest, signer_address, signing_key_from_bytes, B256};

const CHAIN_ID: &str = "peg-bench-ve";
/// The first block's time: the mainnet bootstrap's slot (the light client checks it).
const START_TIME: i64 = 1_606_824_023 + 9_425_184 * 12;
/// Every validator's genesis bond (5 units of power).
const GENESIS_BOND: u128 = 5_000_000;
/// The proposal byte budget CometBFT would give (far above what the injection needs).
const MAX_TX_BYTES: i64 = 1 << 20;
const ACCEPT: i32 = 1;

fn operator_key(i: usize) -> SigningKey {
    let mut bytes = [0x33u8; 32];
    bytes[0] = 1;
    bytes[1] = u8::try_from(i).expect("< 256 validators");
    SigningKey::from_bytes(&bytes.into()).expect("a valid scalar")
}

fn operator(i: usize) -> AccAddress {
    PublicKey::from_signing_key(&operator_key(i)).address()
}

fn eth_key(i: usize) -> peg_types::SigningKey {
    let mut bytes = [0x44u8; 32];
    bytes[0] = 2;
    bytes[1] = u8::try_from(i).expect("< 256 validators");
    signing_key_from_bytes(&B256::from(bytes)).expect("a valid secp256k1 scalar")
}

fn consensus_key(i: usize) -> [u8; 32] {
    let mut key = [0xA0u8; 32];
    key[1] = u8::try_from(i).expect("< 256 validators");
    key
}

/// `n` validators (power 5 each) with registered Ethereum keys, the Ethereum module on the real
/// mainnet bootstrap.
fn genesis(n: usize) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client/committee-change/base-data");
    let text = std::fs::read_to_string(dir.join("BootstrapDeneb.json")).expect("vectors");
    let bootstrap: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let (_, boot) =
        light_client::types::LightClientBootstrap::<light_client::Mainnet>::from_beacon_api_json(
            &text,
        )
        .expect("bootstrap");
    let mut accounts = Vec::new();
    let mut validators = Vec::new();
    let mut eth_addresses = Vec::new();
    for i in 0..n {
        let operator = operator(i).to_bech32();
        accounts.push(serde_json::json!({"address": operator,
            "balances": [{"denom": "upeg", "amount": "1000000000000000"}]}));
        validators.push(serde_json::json!({
            "operator": operator,
            "consensus_pubkey": hex::encode(consensus_key(i)),
            "bonded": GENESIS_BOND.to_string(),
            "moniker": format!("val-{i}"),
        }));
        eth_addresses.push(serde_json::json!({
            "operator": operator,
            "eth_address": signer_address(&eth_key(i)).to_string(),
        }));
    }
    serde_json::json!({
        "params": {"denom": "upeg", "min_fee": "1000", "power_reduction": "1000000",
                   "min_self_bond": "1000000", "max_validators": n, "max_tx_bytes": 131072,
                   "fee_per_kgas": "1"},
        "accounts": accounts,
        "validators": validators,
        "eth": {
            "network": {"builtin": "mainnet"},
            "genesis_time": 1_606_824_023u64,
            "genesis_validators_root":
                "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95",
            "trusted_block_root": format!("{}", boot.header.beacon_root()),
            "bootstrap": bootstrap,
            "bridge_contract": format!("0x{}", hex::encode([0xB0; 20])),
            "bridge_id": format!("0x{}", hex::encode([0x1D; 32])),
            "next_event_nonce": "1",
            "trusted_ring_size": 4,
            "native_denoms": [],
            "governance_voting_period": 10,
            "eth_chain_id": 31337,
        },
        "eth_addresses": eth_addresses,
    })
    .to_string()
    .into_bytes()
}

/// One node's application driven block by block.
struct Chain {
    app: App,
    n: usize,
    height: i64,
    sequences: Vec<u64>,
    /// Total bonded upeg (the bond sizes follow it).
    bonded: u128,
    bonds: usize,
    dir: tempfile::TempDir,
}

impl Chain {
    fn start(n: usize) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = App::open(dir.path()).expect("open");
        app.init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: genesis(n).into(),
            initial_height: 1,
            consensus_params: Some(ConsensusParams {
                abci: Some(AbciParams { vote_extensions_enable_height: 2 }),
                ..ConsensusParams::default()
            }),
            ..RequestInitChain::default()
        })
        .expect("InitChain");
        let mut chain = Self {
            app,
            n,
            height: 0,
            sequences: vec![0; n],
            bonded: GENESIS_BOND * n as u128,
            bonds: 0,
            dir,
        };
        chain.block(vec![]);
        chain
    }

    fn time(&self, height: i64) -> Option<Timestamp> {
        Some(Timestamp { seconds: START_TIME + height, nanos: 0 })
    }

    fn block(&mut self, txs: Vec<Vec<u8>>) -> ResponseFinalizeBlock {
        self.height += 1;
        let response = self
            .app
            .finalize_block(&RequestFinalizeBlock {
                txs: txs.into_iter().map(Into::into).collect(),
                height: self.height,
                time: self.time(self.height),
                ..RequestFinalizeBlock::default()
            })
            .expect("FinalizeBlock");
        self.app.commit().expect("Commit");
        response
    }

    fn pending(&self) -> usize {
        let mut ws = self.app.store().working_set().expect("working set");
        let cache = Cache::new(self.app.store(), &mut ws);
        pending_checkpoints(&cache).expect("pending checkpoints").len()
    }

    /// One block in which one of the first four validators (round robin) bonds a quarter of the
    /// total: more than 5% of the power moves, so the block's end creates a new valset.
    fn new_valset(&mut self) {
        let before = self.pending();
        let i = self.bonds % 4.min(self.n);
        let amount = self.bonded / 4;
        let key = operator_key(i);
        let msg = Msg::Bond(MsgBondUnbond {
            operator_address: operator(i),
            amount: Coin::new("upeg", amount).expect("denom"),
        });
        let gas = peg_tx::required_gas(std::slice::from_ref(&msg));
        let fee = u128::from(gas).div_ceil(1000).max(1000);
        let tx = TxBuilder::new(CHAIN_ID, i as u64, self.sequences[i])
            .message(msg)
            .fee(Coins::new(vec![Coin::new("upeg", fee).expect("denom")]).expect("coins"))
            .gas_limit(gas)
            .sign(&key)
            .expect("signable")
            .bytes;
        self.sequences[i] += 1;
        let result = self.block(vec![tx]);
        assert_eq!(result.tx_results[0].code, 0, "{}", result.tx_results[0].log);
        self.bonded += amount;
        self.bonds += 1;
        assert_eq!(self.pending(), before + 1, "the bond creates one valset");
    }

    fn until_pending(&mut self, count: usize) {
        while self.pending() < count {
            self.new_valset();
        }
    }

    fn extend_request(&self) -> RequestExtendVote {
        RequestExtendVote { height: self.height + 1, ..RequestExtendVote::default() }
    }

    /// Validator `i`'s real extension, keeping its first `k` signatures.
    fn extension(&mut self, i: usize, k: usize) -> Vec<u8> {
        self.app.set_eth_signer(eth_key(i));
        let bytes =
            self.app.extend_vote(&self.extend_request()).expect("ExtendVote").vote_extension;
        let full = VoteExtension::decode(&bytes).expect("own extension decodes");
        assert!(full.signatures().len() >= k, "{} signatures", full.signatures().len());
        VoteExtension::new(full.signatures()[..k].to_vec()).expect("k ≤ 32").encode()
    }

    fn votes(&mut self, k: usize) -> Vec<ExtendedVoteInfo> {
        (0..self.n)
            .map(|i| ExtendedVoteInfo {
                validator: Some(VoteValidator {
                    address: validator_address(&consensus_key(i)).to_vec().into(),
                    power: 5,
                }),
                vote_extension: self.extension(i, k).into(),
                extension_signature: vec![0; 64].into(),
                block_id_flag: BlockIdFlag::Commit as i32,
            })
            .collect()
    }

    fn prepare_request(&self, votes: Vec<ExtendedVoteInfo>) -> RequestPrepareProposal {
        RequestPrepareProposal {
            max_tx_bytes: MAX_TX_BYTES,
            local_last_commit: Some(ExtendedCommitInfo { round: 0, votes }),
            height: self.height + 1,
            ..RequestPrepareProposal::default()
        }
    }

    fn finalize_request(&self, txs: &[Vec<u8>]) -> RequestFinalizeBlock {
        RequestFinalizeBlock {
            txs: txs.iter().cloned().map(Into::into).collect(),
            height: self.height + 1,
            time: self.time(self.height + 1),
            ..RequestFinalizeBlock::default()
        }
    }
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
}

/// (1) and (2): one validator's ExtendVote with 1 and 32 pending checkpoints; the check of a
/// full extension.
fn extend_and_verify(c: &mut Criterion) {
    let mut chain = Chain::start(4);
    let mut group = c.benchmark_group("checkpoint_extend_vote");
    configure(&mut group);
    for pending in [1usize, 32] {
        chain.until_pending(pending);
        assert_eq!(chain.pending(), pending);
        chain.app.set_eth_signer(eth_key(0));
        let request = chain.extend_request();
        let bytes = chain.app.extend_vote(&request).expect("ExtendVote").vote_extension;
        let signed = VoteExtension::decode(&bytes).expect("decodes").signatures().len();
        assert_eq!(signed, pending);
        eprintln!("ExtendVote, {pending} pending: extension {} bytes", bytes.len());
        group.bench_with_input(BenchmarkId::new("signatures", pending), &request, |b, r| {
            b.iter(|| chain.app.extend_vote(r).expect("ExtendVote"))
        });
    }
    group.finish();

    let extension = chain.extension(0, 32);
    let request = RequestVerifyVoteExtension {
        height: chain.height + 1,
        validator_address: validator_address(&consensus_key(0)).to_vec().into(),
        vote_extension: extension.clone().into(),
        ..RequestVerifyVoteExtension::default()
    };
    assert_eq!(chain.app.verify_vote_extension(&request).expect("verify").status, ACCEPT);
    let mut group = c.benchmark_group("checkpoint_verify_vote_extension");
    configure(&mut group);
    group.bench_with_input(BenchmarkId::new("signatures", 32), &request, |b, r| {
        b.iter(|| chain.app.verify_vote_extension(r).expect("VerifyVoteExtension"))
    });
    group.finish();
}

/// What each injected signature costs at least, for comparison: the lookup of the newest
/// pending valset's digest (`N` members: JSON load, ABI encoding, keccak) and one ecrecover.
fn primitives(c: &mut Criterion, chain: &Chain) {
    let mut ws = chain.app.store().working_set().expect("working set");
    let cache = Cache::new(chain.app.store(), &mut ws);
    let nonce = u64::try_from(chain.bonds).expect("small");
    let digest = pending_digest(&cache, CheckpointKind::Valset, nonce)
        .expect("store")
        .expect("the newest valset is pending");
    let signature = sign_digest(&eth_key(0), &digest).expect("sign");
    let mut group = c.benchmark_group("checkpoint_primitives");
    configure(&mut group);
    group.bench_function(format!("pending_digest_n{}", chain.n), |b| {
        b.iter(|| pending_digest(&cache, CheckpointKind::Valset, nonce).expect("store"))
    });
    if chain.n == 4 {
        group.bench_function("ecrecover", |b| {
            b.iter(|| recover_signer(&digest, &signature).expect("recovers"))
        });
    }
    group.finish();
}

/// A committed store to start each FinalizeBlock + Commit iteration from.
struct Snapshot {
    dir: tempfile::TempDir,
}

impl Snapshot {
    /// Closes the chain's store (dropping the app) and keeps its directory.
    fn take(chain: Chain) -> Self {
        let Chain { app, dir, .. } = chain;
        drop(app);
        Self { dir }
    }

    /// A fresh application on a copy of the snapshot's store.
    fn fork(&self) -> (App, tempfile::TempDir) {
        let copy = tempfile::tempdir().expect("tempdir");
        let from = App::store_path(self.dir.path());
        let to = App::store_path(copy.path());
        std::fs::create_dir_all(to.parent().expect("data dir")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy the store");
        (App::open(copy.path()).expect("open the copy"), copy)
    }
}

/// (3), (4), (5): `n` validators' extensions of `k` signatures each, through PrepareProposal,
/// ProcessProposal, FinalizeBlock (+ Commit).
fn proposal(c: &mut Criterion) {
    for n in [4usize, 100] {
        for k in [1usize, 4] {
            let mut chain = Chain::start(n);
            chain.until_pending(k);
            let votes = chain.votes(k);
            let extension_bytes = votes[0].vote_extension.len();
            // The block the extensions were voted in, as CometBFT does (no state change here).
            chain.block(vec![]);
            let prepare = chain.prepare_request(votes);
            let txs: Vec<Vec<u8>> = chain
                .app
                .prepare_proposal(&prepare)
                .expect("PrepareProposal")
                .txs
                .into_iter()
                .map(|t| t.to_vec())
                .collect();
            assert_eq!(txs.len(), 1, "the injected transaction only");
            let injected = InjectedSignatures::decode(&txs[0]).expect("injected tx decodes");
            assert_eq!(injected.entries().len(), n * k, "every signature verifies");
            eprintln!(
                "N = {n}, k = {k}: extension {extension_bytes} bytes per validator, \
                 injected tx {} bytes ({} signatures)",
                txs[0].len(),
                n * k
            );
            let id = format!("n{n}_k{k}");
            let process = RequestProcessProposal {
                txs: txs.iter().cloned().map(Into::into).collect(),
                height: chain.height + 1,
                ..RequestProcessProposal::default()
            };
            assert_eq!(chain.app.process_proposal(&process).expect("process").status, ACCEPT);
            let finalize = chain.finalize_request(&txs);
            let empty = chain.finalize_request(&[]);
            let stored = chain.app.finalize_block(&finalize).expect("FinalizeBlock");
            assert_eq!(stored.tx_results[0].code, 0);
            assert_eq!(stored.tx_results[0].events.len(), n * k, "every signature stored");

            if k == 1 {
                primitives(c, &chain);
            }
            let mut group = c.benchmark_group("checkpoint_prepare_proposal");
            configure(&mut group);
            group.bench_function(&id, |b| {
                b.iter(|| chain.app.prepare_proposal(&prepare).expect("PrepareProposal"))
            });
            group.finish();
            let mut group = c.benchmark_group("checkpoint_process_proposal");
            configure(&mut group);
            group.bench_function(&id, |b| {
                b.iter(|| chain.app.process_proposal(&process).expect("ProcessProposal"))
            });
            group.finish();
            // FinalizeBlock alone: repeated at the same height (each call replaces the
            // uncommitted block), against the same block without the injected tx.
            let mut group = c.benchmark_group("checkpoint_finalize_block");
            configure(&mut group);
            group.bench_function(&id, |b| {
                b.iter(|| chain.app.finalize_block(&finalize).expect("FinalizeBlock"))
            });
            group.bench_function(format!("{id}_empty_block"), |b| {
                b.iter(|| chain.app.finalize_block(&empty).expect("FinalizeBlock"))
            });
            group.finish();

            let snapshot = Snapshot::take(chain);
            let mut group = c.benchmark_group("checkpoint_finalize_commit");
            configure(&mut group);
            group.bench_function(&id, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (mut app, _copy) = snapshot.fork();
                        let start = Instant::now();
                        let response = app.finalize_block(&finalize).expect("FinalizeBlock");
                        app.commit().expect("Commit");
                        total += start.elapsed();
                        assert_eq!(response.tx_results[0].events.len(), n * k);
                    }
                    total
                })
            });
            group.finish();
        }
    }
}

criterion_group!(benches, extend_and_verify, proposal);
criterion_main!(benches);
