//! Checkpoint signatures through vote extensions (`specs/state-machine.md` §6), driven through
//! the ABCI calls with four validators holding real Ethereum keys: a bond creates a pending valset
//! checkpoint; ExtendVote signs it; VerifyVoteExtension checks form only; PrepareProposal builds
//! the injected transaction from `local_last_commit`, dropping invalid, duplicate and already
//! stored signatures; ProcessProposal accepts it and rejects tampered blocks; FinalizeBlock stores
//! the signatures once.

use peg_app::bridge::signatures::{last_signed_height, signatures, validator_address};
use peg_app::bridge::{pending_checkpoints, pending_digest, CheckpointKind};
use peg_app::state::Cache;
use peg_app::tendermint_proto::google::protobuf::Timestamp;
use peg_app::tendermint_proto::v0_38::abci::{
    ExtendedCommitInfo, ExtendedVoteInfo, RequestCheckTx, RequestExtendVote, RequestFinalizeBlock,
    RequestInitChain, RequestPrepareProposal, RequestProcessProposal, RequestVerifyVoteExtension,
    ResponseFinalizeBlock, Validator as VoteValidator,
};
use peg_app::tendermint_proto::v0_38::types::{AbciParams, BlockIdFlag, ConsensusParams};
use peg_app::{
    App, InjectedSignature, InjectedSignatures, VoteExtension, CODE_BAD_INJECTED_TX,
    INJECTED_TX_MAGIC,
};
use peg_tx::{AccAddress, Coin, Coins, Msg, MsgBondUnbond, PublicKey, SigningKey, TxBuilder};
use peg_types::{recover_signer, sign_digest, signer_address, signing_key_from_bytes, B256};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CHAIN_ID: &str = "peg-ve-1";
/// Operator key seeds of the four validators.
const SEEDS: [u8; 4] = [10, 11, 12, 13];
/// The first block's time: the mainnet bootstrap's slot (the light client checks it).
const START_TIME: u64 = 1_606_824_023 + 9_425_184 * 12;

fn key(seed: u8) -> SigningKey {
    let mut bytes = [seed; 32];
    bytes[0] = 1;
    SigningKey::from_bytes(&bytes.into()).expect("a valid scalar")
}

fn addr(key: &SigningKey) -> AccAddress {
    PublicKey::from_signing_key(key).address()
}

fn eth_key(seed: u8) -> peg_types::SigningKey {
    signing_key_from_bytes(&B256::repeat_byte(seed)).expect("a valid secp256k1 scalar")
}

fn consensus_key(i: usize) -> [u8; 32] {
    [0xA0 + i as u8; 32]
}

/// CometBFT's address of validator `i`.
fn comet_address(i: usize) -> Vec<u8> {
    validator_address(&consensus_key(i)).to_vec()
}

fn vectors() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client")
}

/// Four validators (power 5 each) with registered Ethereum keys, the Ethereum module on the
/// real mainnet bootstrap, vote extensions from height 2.
fn genesis_json() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let bootstrap_text =
        std::fs::read_to_string(vectors().join("committee-change/base-data/BootstrapDeneb.json"))?;
    let bootstrap: serde_json::Value = serde_json::from_str(&bootstrap_text)?;
    let (_, b) =
        light_client::types::LightClientBootstrap::<light_client::Mainnet>::from_beacon_api_json(
            &bootstrap_text,
        )?;
    let root = b.header.beacon_root();
    let coin = |amount: u128| serde_json::json!([{"denom": "upeg", "amount": amount.to_string()}]);
    let mut accounts = Vec::new();
    let mut validators = Vec::new();
    let mut eth_addresses = Vec::new();
    for (i, seed) in SEEDS.into_iter().enumerate() {
        let operator = addr(&key(seed)).to_bech32();
        accounts.push(serde_json::json!({"address": operator, "balances": coin(100_000_000)}));
        validators.push(serde_json::json!({
            "operator": operator,
            "consensus_pubkey": hex::encode(consensus_key(i)),
            "bonded": "5000000",
            "moniker": format!("val-{i}"),
        }));
        eth_addresses.push(serde_json::json!({
            "operator": operator,
            "eth_address": signer_address(&eth_key(seed)).to_string(),
        }));
    }
    let genesis = serde_json::json!({
        "params": {"denom": "upeg", "min_fee": "1000", "power_reduction": "1000000",
                   "min_self_bond": "1000000", "max_validators": 10, "max_tx_bytes": 131072,
                   "fee_per_kgas": "1"},
        "accounts": accounts,
        "validators": validators,
        "eth": {
            "network": {"builtin": "mainnet"},
            "genesis_time": 1_606_824_023u64,
            "genesis_validators_root":
                "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95",
            "trusted_block_root": format!("{root}"),
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
    });
    Ok(serde_json::to_vec(&genesis)?)
}

struct Node {
    app: App,
    height: i64,
    sequences: [u64; 4],
    _dir: tempfile::TempDir,
}

impl Node {
    fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut app = App::open(dir.path())?;
        app.init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: genesis_json()?.into(),
            initial_height: 1,
            consensus_params: Some(ConsensusParams {
                abci: Some(AbciParams { vote_extensions_enable_height: 2 }),
                ..ConsensusParams::default()
            }),
            ..RequestInitChain::default()
        })?;
        let mut node = Self { app, height: 0, sequences: [0; 4], _dir: dir };
        node.block(vec![])?;
        Ok(node)
    }

    fn block(
        &mut self,
        txs: Vec<Vec<u8>>,
    ) -> Result<ResponseFinalizeBlock, Box<dyn std::error::Error>> {
        self.height += 1;
        let response = self.app.finalize_block(&RequestFinalizeBlock {
            txs: txs.into_iter().map(Into::into).collect(),
            height: self.height,
            time: Some(Timestamp { seconds: i64::try_from(START_TIME)? + self.height, nanos: 0 }),
            ..RequestFinalizeBlock::default()
        })?;
        self.app.commit()?;
        Ok(response)
    }

    /// Validator `i` bonds `amount` more (account number = its index in genesis).
    fn bond(&mut self, i: usize, amount: u128) -> Vec<u8> {
        let k = key(SEEDS[i]);
        let msg = Msg::Bond(MsgBondUnbond {
            operator_address: addr(&k),
            amount: Coin::new("upeg", amount).expect("denom"),
        });
        let gas = peg_tx::required_gas(std::slice::from_ref(&msg));
        let fee = u128::from(gas).div_ceil(1000).max(1000);
        let bytes = TxBuilder::new(CHAIN_ID, i as u64, self.sequences[i])
            .message(msg)
            .fee(Coins::new(vec![Coin::new("upeg", fee).expect("denom")]).expect("coins"))
            .gas_limit(gas)
            .sign(&k)
            .expect("signable")
            .bytes;
        self.sequences[i] += 1;
        bytes
    }

    /// Validator `i`'s vote extension for the next height.
    fn extend(&mut self, i: usize) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        self.app.set_eth_signer(eth_key(SEEDS[i]));
        let response = self.app.extend_vote(&RequestExtendVote {
            height: self.height + 1,
            ..RequestExtendVote::default()
        })?;
        Ok(response.vote_extension.to_vec())
    }

    fn verify(&self, bytes: Vec<u8>) -> Result<i32, Box<dyn std::error::Error>> {
        Ok(self
            .app
            .verify_vote_extension(&RequestVerifyVoteExtension {
                height: self.height + 1,
                validator_address: comet_address(0).into(),
                vote_extension: bytes.into(),
                ..RequestVerifyVoteExtension::default()
            })?
            .status)
    }

    fn prepare(
        &self,
        votes: Vec<ExtendedVoteInfo>,
        mempool: Vec<Vec<u8>>,
        max_tx_bytes: i64,
    ) -> Result<Vec<Vec<u8>>, Box<dyn std::error::Error>> {
        let response = self.app.prepare_proposal(&RequestPrepareProposal {
            max_tx_bytes,
            txs: mempool.into_iter().map(Into::into).collect(),
            local_last_commit: Some(ExtendedCommitInfo { round: 0, votes }),
            height: self.height + 1,
            ..RequestPrepareProposal::default()
        })?;
        Ok(response.txs.into_iter().map(|t| t.to_vec()).collect())
    }

    fn process(&self, txs: &[Vec<u8>]) -> Result<i32, Box<dyn std::error::Error>> {
        Ok(self
            .app
            .process_proposal(&RequestProcessProposal {
                txs: txs.iter().cloned().map(Into::into).collect(),
                height: self.height + 1,
                ..RequestProcessProposal::default()
            })?
            .status)
    }

    fn with_cache<T>(
        &self,
        f: impl FnOnce(&Cache<'_>) -> Result<T, peg_app::AppError>,
    ) -> Result<T, Box<dyn std::error::Error>> {
        let mut ws = self.app.store().working_set()?;
        let cache = Cache::new(self.app.store(), &mut ws);
        Ok(f(&cache)?)
    }
}

const ACCEPT: i32 = 1;
const REJECT: i32 = 2;

fn vote(i: usize, extension: Vec<u8>) -> ExtendedVoteInfo {
    ExtendedVoteInfo {
        validator: Some(VoteValidator { address: comet_address(i).into(), power: 5 }),
        vote_extension: extension.into(),
        extension_signature: vec![0; 64].into(),
        block_id_flag: BlockIdFlag::Commit as i32,
    }
}

/// A node where validator 0 bonded enough to move the power by more than 5%: valset 1 is
/// pending. Returns the node and valset 1's digest.
fn node_with_pending_valset() -> Result<(Node, B256), Box<dyn std::error::Error>> {
    let mut node = Node::start()?;
    let bond = node.bond(0, 5_000_000);
    let result = node.block(vec![bond])?;
    assert_eq!(result.tx_results[0].code, 0, "{}", result.tx_results[0].log);
    let pending = node.with_cache(pending_checkpoints)?;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!((pending[0].kind, pending[0].nonce), (CheckpointKind::Valset, 1));
    let digest = node
        .with_cache(|c| pending_digest(c, CheckpointKind::Valset, 1))?
        .ok_or("valset 1 is pending")?;
    assert_eq!(digest, pending[0].digest);
    Ok((node, digest))
}

#[test]
fn extend_vote_signs_pending_checkpoints_and_verify_checks_form_only() -> TestResult {
    let (mut node, digest) = node_with_pending_valset()?;
    for (i, seed) in SEEDS.into_iter().enumerate() {
        let bytes = node.extend(i)?;
        let ext = VoteExtension::decode(&bytes)?;
        assert_eq!(ext.version(), 2);
        assert_eq!(ext.signatures().len(), 1);
        let s = ext.signatures()[0];
        assert_eq!((s.kind, s.nonce), (CheckpointKind::Valset, 1));
        assert_eq!(recover_signer(&digest, &s.signature)?, signer_address(&eth_key(seed)));
        assert_eq!(node.verify(bytes)?, ACCEPT);
    }
    // A key no validator registered signs nothing.
    node.app.set_eth_signer(eth_key(99));
    let bytes = node
        .app
        .extend_vote(&RequestExtendVote {
            height: node.height + 1,
            ..RequestExtendVote::default()
        })?
        .vote_extension
        .to_vec();
    assert_eq!(VoteExtension::decode(&bytes)?, VoteExtension::current());
    // Well-formed but useless extensions are accepted: form only, never the state.
    let forged = VoteExtension::new(vec![peg_app::ExtensionSignature {
        kind: CheckpointKind::Batch,
        nonce: 12_345,
        signature: sign_digest(&eth_key(99), &B256::repeat_byte(7))?,
    }])?;
    assert_eq!(node.verify(forged.encode())?, ACCEPT);
    assert_eq!(node.verify(vec![1, 0, 0, 0, 0])?, ACCEPT, "version 1 still decodes");
    // Malformed ones are rejected (never an error).
    let good = node.extend(0)?;
    let mut bad_kind = good.clone();
    bad_kind[6] = 9;
    let mut bad_v = good.clone();
    let last = bad_v.len() - 1;
    bad_v[last] = 0;
    let mut long_count = good.clone();
    long_count[5] = 33;
    for bad in [
        vec![],
        vec![2, 0, 0, 0, 0],
        vec![3, 0, 0, 0, 1, 0],
        good[..good.len() - 1].to_vec(),
        bad_kind,
        bad_v,
        long_count,
        vec![2; 4097],
    ] {
        assert_eq!(node.verify(bad.clone())?, REJECT, "{bad:?}");
    }
    Ok(())
}

#[test]
fn signatures_flow_from_extensions_to_state_once() -> TestResult {
    let (mut node, digest) = node_with_pending_valset()?;
    let extensions: Vec<Vec<u8>> = (0..4).map(|i| node.extend(i)).collect::<Result<_, _>>()?;
    node.block(vec![])?;
    // Validator 3's extension is signed by the wrong key: its signature must be dropped.
    let wrong = VoteExtension::new(vec![peg_app::ExtensionSignature {
        kind: CheckpointKind::Valset,
        nonce: 1,
        signature: sign_digest(&eth_key(SEEDS[0]), &digest)?,
    }])?
    .encode();
    let mut nil_vote = vote(2, extensions[2].clone());
    nil_vote.block_id_flag = BlockIdFlag::Nil as i32;
    let unknown = ExtendedVoteInfo {
        validator: Some(VoteValidator { address: vec![0x55; 20].into(), power: 5 }),
        ..vote(0, extensions[0].clone())
    };
    let votes = vec![
        vote(1, extensions[1].clone()),
        vote(0, extensions[0].clone()),
        vote(0, extensions[0].clone()), // duplicate vote
        vote(3, wrong),
        nil_vote,
        unknown,
        vote(2, vec![9, 9, 9]), // malformed
    ];
    let user = node.bond(1, 1_000_000);
    let junk = [&INJECTED_TX_MAGIC[..], &[0, 0]].concat();
    let txs = node.prepare(votes, vec![junk.clone(), user.clone()], 1 << 20)?;
    assert_eq!(txs.len(), 2, "the injected tx, then the user tx (the 0xff junk dropped)");
    assert_eq!(txs[1], user);
    let injected = InjectedSignatures::decode(&txs[0])?;
    let operators: Vec<AccAddress> = injected.entries().iter().map(|e| e.operator).collect();
    let mut expected = vec![addr(&key(SEEDS[0])), addr(&key(SEEDS[1]))];
    expected.sort();
    assert_eq!(operators, expected, "only validators 0 and 1 signed validly, once each");

    // ProcessProposal: the honest proposal passes, every tampering is rejected.
    assert_eq!(node.process(&txs)?, ACCEPT);
    assert_eq!(node.process(std::slice::from_ref(&user))?, ACCEPT, "no injected tx is fine");
    let entry = injected.entries()[0];
    let tampered = |e: InjectedSignature| -> Vec<u8> {
        InjectedSignatures::new(vec![e]).expect("one entry").encode()
    };
    let mut bad_sig = entry;
    bad_sig.signature.r.0[31] ^= 1;
    assert_eq!(node.process(&[tampered(bad_sig), user.clone()])?, REJECT, "bad signature");
    let unknown_checkpoint = InjectedSignature { nonce: 99, ..entry };
    assert_eq!(node.process(&[tampered(unknown_checkpoint)])?, REJECT, "unknown checkpoint");
    let batch = InjectedSignature { kind: CheckpointKind::Batch, ..entry };
    assert_eq!(node.process(&[tampered(batch)])?, REJECT, "no such batch");
    let other_operator = InjectedSignature { operator: addr(&key(SEEDS[2])), ..entry };
    assert_eq!(node.process(&[tampered(other_operator)])?, REJECT, "wrong signer");
    assert_eq!(node.process(&[user.clone(), txs[0].clone()])?, REJECT, "not first");
    assert_eq!(node.process(&[txs[0].clone(), txs[0].clone()])?, REJECT, "two injected");
    assert_eq!(node.process(&[txs[0][..txs[0].len() - 1].to_vec()])?, REJECT, "truncated");
    assert_eq!(node.process(std::slice::from_ref(&junk))?, REJECT, "empty injected tx");

    // FinalizeBlock stores them and emits one event each.
    let result = node.block(txs.clone())?;
    assert_eq!(result.tx_results[0].code, 0);
    let signed: Vec<_> =
        result.tx_results[0].events.iter().filter(|e| e.r#type == "checkpoint_signed").collect();
    assert_eq!(signed.len(), 2);
    assert_eq!(result.tx_results[1].code, 0, "{}", result.tx_results[1].log);
    let stored = node.with_cache(|c| signatures(c, CheckpointKind::Valset, 1))?;
    assert_eq!(stored.len(), 2);
    for (operator, eth_address, signature) in &stored {
        let i = SEEDS.iter().position(|s| addr(&key(*s)) == *operator).ok_or("a validator")?;
        assert_eq!(*eth_address, signer_address(&eth_key(SEEDS[i])));
        assert_eq!(recover_signer(&digest, signature)?, *eth_address);
        let height = node.with_cache(|c| last_signed_height(c, operator))?;
        assert_eq!(height, Some(u64::try_from(node.height)?));
    }

    // Validators 0 and 1 have nothing left to sign; 2 and 3 still sign valset 1.
    assert!(VoteExtension::decode(&node.extend(0)?)?.signatures().is_empty());
    let ext2 = node.extend(2)?;
    let ext3 = node.extend(3)?;
    assert_eq!(VoteExtension::decode(&ext3)?.signatures().len(), 1);
    node.block(vec![])?;
    // The next proposer drops what is stored and injects the two missing ones.
    let votes: Vec<_> = [extensions[0].clone(), extensions[1].clone(), ext2, ext3]
        .into_iter()
        .enumerate()
        .map(|(i, e)| vote(i, e))
        .collect();
    let txs = node.prepare(votes.clone(), vec![], 1 << 20)?;
    assert_eq!(txs.len(), 1);
    let injected = InjectedSignatures::decode(&txs[0])?;
    let mut expected = vec![addr(&key(SEEDS[2])), addr(&key(SEEDS[3]))];
    expected.sort();
    assert_eq!(injected.entries().iter().map(|e| e.operator).collect::<Vec<_>>(), expected);
    // A budget too small for one entry injects nothing; mempool order is untouched.
    assert!(node.prepare(votes.clone(), vec![], 50)?.is_empty());
    assert_eq!(node.process(&txs)?, ACCEPT);
    let first = node.block(txs.clone())?;
    assert_eq!(first.tx_results[0].events.len(), 2);
    assert_eq!(node.with_cache(|c| signatures(c, CheckpointKind::Valset, 1))?.len(), 4);

    // The same block again: accepted (already stored is harmless), stores nothing new.
    assert_eq!(node.process(&txs)?, ACCEPT);
    let again = node.block(txs)?;
    assert_eq!(again.tx_results[0].code, 0);
    assert!(again.tx_results[0].events.is_empty());
    assert_eq!(node.with_cache(|c| signatures(c, CheckpointKind::Valset, 1))?.len(), 4);
    // And nothing is left to inject.
    assert!(node.prepare(votes, vec![], 1 << 20)?.is_empty());
    Ok(())
}

#[test]
fn a_malformed_injected_tx_replayed_in_finalize_block_stores_nothing() -> TestResult {
    let (mut node, _) = node_with_pending_valset()?;
    let junk = [&INJECTED_TX_MAGIC[..], &[0, 1], &[0u8; 10][..]].concat();
    let result = node.block(vec![junk])?;
    assert_eq!(result.tx_results[0].code, CODE_BAD_INJECTED_TX);
    assert!(node.with_cache(|c| signatures(c, CheckpointKind::Valset, 1))?.is_empty());
    // An injected-looking tx elsewhere is just an undecodable transaction.
    let extension = node.extend(0)?;
    node.block(vec![])?;
    let txs = node.prepare(vec![vote(0, extension)], vec![], 1 << 20)?;
    // CheckTx never lets one into the mempool (not a TxRaw: wire type 7).
    let check = node.app.check_tx(&RequestCheckTx { tx: txs[0].clone().into(), r#type: 0 });
    assert_ne!(check.code, 0);
    assert!(check.log.contains("wire type 7"), "{}", check.log);
    let user = node.bond(1, 1_000_000);
    let result = node.block(vec![user, txs[0].clone()])?;
    assert_eq!(result.tx_results[0].code, 0);
    assert_ne!(result.tx_results[1].code, 0);
    assert!(node.with_cache(|c| signatures(c, CheckpointKind::Valset, 1))?.is_empty());
    Ok(())
}

#[test]
fn replicas_reach_the_same_app_hash() -> TestResult {
    let run = || -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let (mut node, _) = node_with_pending_valset()?;
        let exts: Vec<Vec<u8>> = (0..4).map(|i| node.extend(i)).collect::<Result<_, _>>()?;
        node.block(vec![])?;
        let votes = exts.into_iter().enumerate().map(|(i, e)| vote(i, e)).collect();
        let txs = node.prepare(votes, vec![], 1 << 20)?;
        Ok(node.block(txs)?.app_hash.to_vec())
    };
    assert_eq!(run()?, run()?);
    Ok(())
}

/// Validator `i`'s vote extension for the block at the next height carrying `txs`, called
/// before that block's FinalizeBlock like CometBFT does.
fn extend_block(
    node: &mut Node,
    i: usize,
    txs: &[Vec<u8>],
) -> Result<VoteExtension, Box<dyn std::error::Error>> {
    node.app.set_eth_signer(eth_key(SEEDS[i]));
    let height = node.height + 1;
    let started = std::time::Instant::now();
    let response = node.app.extend_vote(&RequestExtendVote {
        height,
        time: Some(Timestamp { seconds: i64::try_from(START_TIME)? + height, nanos: 0 }),
        txs: txs.iter().cloned().map(Into::into).collect(),
        ..RequestExtendVote::default()
    })?;
    eprintln!("ExtendVote({height}, {} txs) took {:?}", txs.len(), started.elapsed());
    Ok(VoteExtension::decode(&response.vote_extension)?)
}

#[test]
fn a_valset_created_in_block_h_is_signed_in_its_own_precommits_and_stored_at_h_plus_1() -> TestResult
{
    let mut node = Node::start()?;
    let bond = node.bond(0, 5_000_000);
    let block = vec![bond];
    // ExtendVote(H) runs before FinalizeBlock(H): the valset does not exist in state yet.
    assert!(node.with_cache(pending_checkpoints)?.is_empty());
    let mut votes = Vec::new();
    for (i, seed) in SEEDS.into_iter().enumerate() {
        let ext = extend_block(&mut node, i, &block)?;
        assert_eq!(ext.signatures().len(), 1, "validator {i}");
        let s = ext.signatures()[0];
        assert_eq!((s.kind, s.nonce), (CheckpointKind::Valset, 1));
        votes.push((i, s, seed, ext));
    }
    // The speculative run left the node untouched: FinalizeBlock(H) executes normally.
    let result = node.block(block)?;
    assert_eq!(result.tx_results[0].code, 0, "{}", result.tx_results[0].log);
    let digest = node
        .with_cache(|c| pending_digest(c, CheckpointKind::Valset, 1))?
        .ok_or("valset 1 is pending")?;
    for (_, s, seed, _) in &votes {
        assert_eq!(recover_signer(&digest, &s.signature)?, signer_address(&eth_key(*seed)));
    }
    let votes: Vec<_> = votes.into_iter().map(|(i, _, _, ext)| vote(i, ext.encode())).collect();
    let txs = node.prepare(votes, vec![], 1 << 20)?;
    assert_eq!(txs.len(), 1, "the injected signatures");
    assert_eq!(node.process(&txs)?, ACCEPT);
    let result = node.block(txs)?;
    assert_eq!(result.tx_results[0].code, 0, "{}", result.tx_results[0].log);
    let stored = node.with_cache(|c| signatures(c, CheckpointKind::Valset, 1))?;
    assert_eq!(stored.len(), 4, "stored by block H + 1");
    Ok(())
}

#[test]
fn an_extend_vote_over_garbage_txs_still_returns_a_valid_extension() -> TestResult {
    let (mut node, digest) = node_with_pending_valset()?;
    let mut injected_like = INJECTED_TX_MAGIC.to_vec();
    injected_like.extend_from_slice(&[1, 0, 9]);
    // A decodable bond that fails in execution (validator 1 bonds more than it holds) makes the
    // speculative run happen; garbage around it is skipped.
    let overdrawn = node.bond(1, u128::MAX / 2);
    let garbage =
        vec![vec![], vec![0xde, 0xad, 0xbe, 0xef], injected_like, vec![7; 300], overdrawn];
    for txs in [garbage.clone(), garbage[..4].to_vec()] {
        let ext = extend_block(&mut node, 2, &txs)?;
        assert_eq!(ext.signatures().len(), 1);
        let s = ext.signatures()[0];
        assert_eq!((s.kind, s.nonce), (CheckpointKind::Valset, 1));
        assert_eq!(recover_signer(&digest, &s.signature)?, signer_address(&eth_key(SEEDS[2])));
        assert_eq!(node.verify(ext.encode())?, ACCEPT);
    }
    // A wrong height (not the next block) falls back to the committed state.
    node.app.set_eth_signer(eth_key(SEEDS[3]));
    let bond = node.bond(3, 1_000);
    let response = node.app.extend_vote(&RequestExtendVote {
        height: node.height + 5,
        txs: vec![bond.into()],
        ..RequestExtendVote::default()
    })?;
    assert_eq!(VoteExtension::decode(&response.vote_extension)?.signatures().len(), 1);
    Ok(())
}
