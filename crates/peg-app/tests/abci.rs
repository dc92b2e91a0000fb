//! The state machine driven through its ABCI methods with real signed transactions:
//! InitChain → FinalizeBlock → Commit, CheckTx refusals, staking, Ethereum keys, determinism,
//! restart and proofs.

use peg_app::tendermint_proto::v0_38::abci::{
    RequestCheckTx, RequestExtendVote, RequestFinalizeBlock, RequestInfo, RequestInitChain,
    RequestPrepareProposal, RequestProcessProposal, RequestQuery, RequestVerifyVoteExtension,
    ResponseCheckTx, ResponseFinalizeBlock,
};
use peg_app::tendermint_proto::v0_38::crypto::public_key;
use peg_app::tendermint_proto::v0_38::types::{AbciParams, ConsensusParams};
use peg_app::{
    AccountView, App, BalancesView, EthView, ValidatorView, VoteExtension, CODE_ETH_ADDRESS_TAKEN,
    CODE_STAKING_RULE, CODE_UNKNOWN_VALIDATOR, PROOF_OP_TYPE,
};
use peg_store::{decode_proof, verify_membership};
use peg_tx::{
    sign_eth_pop, AccAddress, CheckTxCode, Coin, Coins, Msg, MsgBondUnbond, MsgCreateValidator,
    MsgRegisterEthAddress, MsgSend, PublicKey, SigningKey, TxBuilder,
};
use peg_types::EthAddress;
use prost::Message as _;

const CHAIN_ID: &str = "peg-test-1";
const DENOM: &str = "upeg";
const MIN_FEE: u128 = 1_000;
/// A `TxRaw` field 1 that announces 5 bytes and carries 1: not protobuf.
const GARBAGE: &[u8] = &[0x0a, 0x05, 0x01];

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn key(seed: u8) -> SigningKey {
    let mut bytes = [seed; 32];
    bytes[0] = 1;
    SigningKey::from_bytes(&bytes.into()).expect("a valid scalar")
}

fn addr(key: &SigningKey) -> AccAddress {
    PublicKey::from_signing_key(key).address()
}

fn coins(amount: u128) -> Coins {
    Coins::new(vec![Coin::new(DENOM, amount).expect("valid denom")]).expect("valid coins")
}

fn fee() -> Coins {
    coins(MIN_FEE)
}

/// alice (#0, rich), bob (#1, rich), poor (#2, 500upeg), val0's operator (#3, 10 PEG + bond).
fn genesis_json() -> Vec<u8> {
    let alice = addr(&key(1)).to_bech32();
    let bob = addr(&key(2)).to_bech32();
    let poor = addr(&key(3)).to_bech32();
    let val0 = addr(&key(10)).to_bech32();
    format!(
        r#"{{
  "params": {{"denom": "upeg", "min_fee": "1000", "power_reduction": "1000000",
              "min_self_bond": "1000000", "max_validators": 3, "max_tx_bytes": 32768}},
  "accounts": [
    {{"address": "{alice}", "balances": [{{"denom": "upeg", "amount": "1000000000"}}]}},
    {{"address": "{bob}", "balances": [{{"denom": "upeg", "amount": "1000000000"}}]}},
    {{"address": "{poor}", "balances": [{{"denom": "upeg", "amount": "500"}}]}},
    {{"address": "{val0}", "balances": [{{"denom": "upeg", "amount": "10000000"}}]}}
  ],
  "validators": [
    {{"operator": "{val0}", "consensus_pubkey": "{}", "bonded": "5000000", "moniker": "val-0"}}
  ]
}}"#,
        hex::encode([0xAA; 32])
    )
    .into_bytes()
}

struct Node {
    app: App,
    height: i64,
    _dir: tempfile::TempDir,
}

impl Node {
    fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut app = App::open(dir.path())?;
        let init = app.init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: genesis_json().into(),
            initial_height: 1,
            consensus_params: Some(ConsensusParams {
                abci: Some(AbciParams { vote_extensions_enable_height: 2 }),
                ..ConsensusParams::default()
            }),
            ..RequestInitChain::default()
        })?;
        assert_eq!(init.validators.len(), 1);
        assert_eq!(init.validators[0].power, 5);
        assert_eq!(init.app_hash.len(), 32);
        let mut node = Self { app, height: 0, _dir: dir };
        let first = node.block(vec![])?;
        // Block 1 executes on top of genesis without change: same root as InitChain announced.
        assert_eq!(first.app_hash, init.app_hash);
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
            ..RequestFinalizeBlock::default()
        })?;
        self.app.commit()?;
        Ok(response)
    }

    fn check(&mut self, tx: &[u8]) -> ResponseCheckTx {
        self.app.check_tx(&RequestCheckTx { tx: tx.to_vec().into(), r#type: 0 })
    }

    fn query_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<T, Box<dyn std::error::Error>> {
        let response =
            self.app.query(&RequestQuery { path: path.into(), ..RequestQuery::default() });
        assert_eq!(response.code, 0, "query {path}: {}", response.log);
        Ok(serde_json::from_slice(&response.value)?)
    }

    fn account(&self, key: &SigningKey) -> Result<AccountView, Box<dyn std::error::Error>> {
        self.query_json(&format!("/account/{}", addr(key)))
    }

    fn balance(&self, address: &AccAddress) -> Result<u128, Box<dyn std::error::Error>> {
        let view: BalancesView = self.query_json(&format!("/balances/{address}"))?;
        Ok(view
            .balances
            .iter()
            .find(|c| c.denom == DENOM)
            .map(|c| c.amount.parse())
            .transpose()?
            .unwrap_or(0))
    }

    fn app_hash(&self) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        Ok(self.app.info(&RequestInfo::default())?.last_block_app_hash.to_vec())
    }
}

fn signed(key: &SigningKey, account_number: u64, sequence: u64, msg: Msg, fee: Coins) -> Vec<u8> {
    TxBuilder::new(CHAIN_ID, account_number, sequence)
        .message(msg)
        .fee(fee)
        .gas_limit(200_000)
        .sign(key)
        .expect("signable")
        .bytes
}

fn send(
    from: &SigningKey,
    account_number: u64,
    sequence: u64,
    to: AccAddress,
    amount: u128,
) -> Vec<u8> {
    let msg =
        Msg::Send(MsgSend { from_address: addr(from), to_address: to, amount: coins(amount) });
    signed(from, account_number, sequence, msg, fee())
}

fn code(c: CheckTxCode) -> u32 {
    c.code()
}

#[test]
fn transfer_moves_funds_pays_the_fee_and_bumps_the_sequence() -> TestResult {
    let mut node = Node::start()?;
    let (alice, bob) = (key(1), key(2));
    let carol = addr(&key(4));
    let tx = send(&alice, 0, 0, carol, 250);
    assert_eq!(node.check(&tx).code, 0);
    let block = node.block(vec![tx])?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].events.iter().any(|e| e.r#type == "transfer"));
    assert_eq!(node.balance(&addr(&alice))?, 1_000_000_000 - 250 - MIN_FEE);
    assert_eq!(node.balance(&carol)?, 250);
    assert_eq!(node.balance(&peg_app::state::fee_collector())?, MIN_FEE);
    let account = node.account(&alice)?;
    assert_eq!((account.account_number, account.sequence), (0, 1));
    assert!(account.pubkey.is_some());
    // carol's account was created on receipt, after the 4 genesis accounts and the collector.
    let carol_account: AccountView = node.query_json(&format!("/account/{carol}"))?;
    assert_eq!(carol_account.account_number, 5);
    // bob, next sequence is 0; two in one block execute in order.
    let b0 = send(&bob, 1, 0, carol, 1);
    let b1 = send(&bob, 1, 1, carol, 2);
    let block = node.block(vec![b0, b1])?;
    assert!(block.tx_results.iter().all(|r| r.code == 0));
    assert_eq!(node.balance(&carol)?, 253);
    assert_eq!(node.account(&bob)?.sequence, 2);
    Ok(())
}

#[test]
fn bad_transactions_are_refused_at_check_tx_and_change_nothing() -> TestResult {
    let mut node = Node::start()?;
    let (alice, poor) = (key(1), key(3));
    let bob = addr(&key(2));
    let root_before = node.app_hash()?;
    let cases: Vec<(&str, Vec<u8>, u32)> = vec![
        ("wrong sequence", send(&alice, 0, 5, bob, 1), code(CheckTxCode::WrongSequence)),
        // Signed for account number 7: the SignDoc differs, the signature does not verify.
        ("bad signature", send(&alice, 7, 0, bob, 1), code(CheckTxCode::Unauthorized)),
        ("insufficient funds", send(&poor, 2, 0, bob, 1), code(CheckTxCode::InsufficientFunds)),
        (
            "insufficient fee",
            signed(
                &alice,
                0,
                0,
                Msg::Send(MsgSend {
                    from_address: addr(&alice),
                    to_address: bob,
                    amount: coins(1),
                }),
                coins(MIN_FEE - 1),
            ),
            code(CheckTxCode::InsufficientFee),
        ),
        ("oversized", vec![0x0a; 40_000], code(CheckTxCode::TxTooLarge)),
        ("garbage", GARBAGE.to_vec(), code(CheckTxCode::TxDecode)),
        ("unknown account", send(&key(9), 0, 0, bob, 1), code(CheckTxCode::UnknownAddress)),
    ];
    for (name, tx, expected) in &cases {
        let response = node.check(tx);
        assert_eq!(response.code, *expected, "{name}: {}", response.log);
        assert!(!response.log.is_empty(), "{name} has a log");
        assert!(!response.codespace.is_empty(), "{name} has a codespace");
    }
    // Nothing changed: the mempool overlay still expects alice's sequence 0 and poor's balance.
    assert_eq!(node.check(&send(&alice, 0, 0, bob, 1)).code, 0);
    assert_eq!(node.app_hash()?, root_before);
    // The same bad transactions in a block fail with the same codes and change nothing.
    let txs: Vec<Vec<u8>> = cases.iter().map(|(_, tx, _)| tx.clone()).collect();
    let block = node.block(txs)?;
    for ((name, _, expected), result) in cases.iter().zip(&block.tx_results) {
        assert_eq!(result.code, *expected, "{name} in FinalizeBlock: {}", result.log);
    }
    assert_eq!(node.app_hash()?, root_before);
    assert_eq!(node.balance(&addr(&poor))?, 500);
    Ok(())
}

#[test]
fn check_tx_runs_the_messages_and_refuses_a_send_beyond_the_balance() -> TestResult {
    let mut node = Node::start()?;
    let alice = key(1);
    let bob = addr(&key(2));
    let root_before = node.app_hash()?;
    // alice can pay the fee but not the amount: refused at CheckTx, nothing written to the overlay.
    let too_much = send(&alice, 0, 0, bob, 2_000_000_000);
    let response = node.check(&too_much);
    assert_eq!(response.code, code(CheckTxCode::InsufficientFunds), "{}", response.log);
    assert!(!response.log.is_empty());
    // The overlay still expects sequence 0: the refused transaction bumped nothing.
    assert_eq!(node.check(&send(&alice, 0, 0, bob, 1)).code, 0);
    assert_eq!(node.app_hash()?, root_before);
    Ok(())
}

#[test]
fn check_tx_overlay_tracks_sequences_until_commit() -> TestResult {
    let mut node = Node::start()?;
    let alice = key(1);
    let bob = addr(&key(2));
    assert_eq!(node.check(&send(&alice, 0, 0, bob, 1)).code, 0);
    assert_eq!(node.check(&send(&alice, 0, 1, bob, 1)).code, 0);
    // A replay of sequence 0 is now refused: the overlay bumped the sequence.
    assert_eq!(node.check(&send(&alice, 0, 0, bob, 2)).code, code(CheckTxCode::WrongSequence));
    // The block did not include them: Commit resets the overlay to the committed state.
    node.block(vec![])?;
    assert_eq!(node.check(&send(&alice, 0, 0, bob, 3)).code, 0);
    Ok(())
}

#[test]
fn failed_messages_still_pay_the_fee_and_bump_the_sequence() -> TestResult {
    let mut node = Node::start()?;
    let alice = key(1);
    let bob = addr(&key(2));
    let before = node.balance(&addr(&alice))?;
    let block = node.block(vec![send(&alice, 0, 0, bob, 10_000_000_000)])?;
    assert_eq!(block.tx_results[0].code, code(CheckTxCode::InsufficientFunds));
    assert_eq!(node.balance(&addr(&alice))?, before - MIN_FEE);
    assert_eq!(node.balance(&bob)?, 1_000_000_000);
    assert_eq!(node.account(&alice)?.sequence, 1);
    Ok(())
}

fn create_validator(
    k: &SigningKey,
    account_number: u64,
    seq: u64,
    cons: u8,
    bond: u128,
) -> Vec<u8> {
    let msg = Msg::CreateValidator(MsgCreateValidator {
        operator_address: addr(k),
        consensus_pubkey: [cons; 32],
        self_bond: Coin::new(DENOM, bond).expect("denom"),
        moniker: format!("val-{cons}"),
    });
    signed(k, account_number, seq, msg, fee())
}

fn bond_tx(k: &SigningKey, account_number: u64, seq: u64, amount: u128, unbond: bool) -> Vec<u8> {
    let inner = MsgBondUnbond {
        operator_address: addr(k),
        amount: Coin::new(DENOM, amount).expect("denom"),
    };
    let msg = if unbond { Msg::Unbond(inner) } else { Msg::Bond(inner) };
    signed(k, account_number, seq, msg, fee())
}

fn ed25519_of(update: &peg_app::tendermint_proto::v0_38::abci::ValidatorUpdate) -> Vec<u8> {
    match update.pub_key.as_ref().and_then(|k| k.sum.clone()) {
        Some(public_key::Sum::Ed25519(bytes)) => bytes,
        other => panic!("not an ed25519 key: {other:?}"),
    }
}

#[test]
fn staking_changes_the_validator_set() -> TestResult {
    let mut node = Node::start()?;
    let alice = key(1);
    // alice creates a validator with 3 PEG: power 3.
    let block = node.block(vec![create_validator(&alice, 0, 0, 0xBB, 3_000_000)])?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(block.validator_updates.len(), 1);
    assert_eq!(ed25519_of(&block.validator_updates[0]), vec![0xBB; 32]);
    assert_eq!(block.validator_updates[0].power, 3);
    let set: Vec<ValidatorView> = node.query_json("/validators")?;
    assert_eq!(set.len(), 2);
    // Bond 2 PEG more: power 5.
    let block = node.block(vec![bond_tx(&alice, 0, 1, 2_000_000, false)])?;
    assert_eq!(block.validator_updates.len(), 1);
    assert_eq!(block.validator_updates[0].power, 5);
    // A bond that does not change the power emits no update.
    let block = node.block(vec![bond_tx(&alice, 0, 2, 10, false)])?;
    assert_eq!(block.tx_results[0].code, 0);
    assert!(block.validator_updates.is_empty());
    // Unbonding more than bonded, or leaving less than the minimum self-bond, is refused.
    let block = node.block(vec![
        bond_tx(&alice, 0, 3, 99_000_000, true),
        bond_tx(&alice, 0, 4, 4_500_000, true),
    ])?;
    assert_eq!(block.tx_results[0].code, CODE_STAKING_RULE);
    assert_eq!(block.tx_results[1].code, CODE_STAKING_RULE);
    assert!(block.validator_updates.is_empty());
    // The same consensus key cannot be used twice; the operator cannot create twice.
    let bob = key(2);
    let block = node.block(vec![
        create_validator(&bob, 1, 0, 0xBB, 1_000_000),
        create_validator(&alice, 0, 5, 0xCC, 1_000_000),
    ])?;
    assert_eq!(block.tx_results[0].code, peg_app::CODE_VALIDATOR_EXISTS);
    assert_eq!(block.tx_results[1].code, peg_app::CODE_VALIDATOR_EXISTS);
    // Unbond everything: the validator leaves (power 0 update) and gets its tokens back.
    let before = node.balance(&addr(&alice))?;
    let block = node.block(vec![bond_tx(&alice, 0, 6, 5_000_010, true)])?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(block.validator_updates.len(), 1);
    assert_eq!(block.validator_updates[0].power, 0);
    assert_eq!(node.balance(&addr(&alice))?, before + 5_000_010 - MIN_FEE);
    let set: Vec<ValidatorView> = node.query_json("/validators")?;
    assert_eq!(set.len(), 1);
    // The last validator cannot leave.
    let val0 = key(10);
    let block = node.block(vec![bond_tx(&val0, 3, 0, 5_000_000, true)])?;
    assert_eq!(block.tx_results[0].code, CODE_STAKING_RULE);
    // Below the minimum self-bond, and the set is capped at max_validators (3).
    let block = node.block(vec![
        create_validator(&bob, 1, 1, 0x01, 999_999),
        create_validator(&bob, 1, 2, 0x01, 1_000_000),
        create_validator(&alice, 0, 7, 0x02, 1_000_000),
        create_validator(&key(4), 0, 0, 0x03, 1_000_000),
    ])?;
    assert_eq!(block.tx_results[0].code, CODE_STAKING_RULE);
    assert_eq!(block.tx_results[1].code, 0);
    assert_eq!(block.tx_results[2].code, 0);
    assert_eq!(block.tx_results[3].code, code(CheckTxCode::UnknownAddress));
    let set: Vec<ValidatorView> = node.query_json("/validators")?;
    assert_eq!(set.len(), 3);
    let block = node.block(vec![send(&alice, 0, 8, addr(&key(5)), 2_000_000)])?;
    assert_eq!(block.tx_results[0].code, 0);
    let block = node.block(vec![create_validator(&key(5), 5, 0, 0x04, 1_000_000)])?;
    assert_eq!(block.tx_results[0].code, CODE_STAKING_RULE, "{}", block.tx_results[0].log);
    // Supply is conserved: balances (fee collector included) plus bonds equal genesis.
    let mut holders: Vec<AccAddress> = [1, 2, 3, 4, 5, 10].iter().map(|s| addr(&key(*s))).collect();
    holders.push(peg_app::state::fee_collector());
    let mut total = 0u128;
    for holder in &holders {
        total += node.balance(holder)?;
    }
    let set: Vec<ValidatorView> = node.query_json("/validators")?;
    for v in &set {
        total += v.bonded.parse::<u128>()?;
    }
    assert_eq!(total, 1_000_000_000 + 1_000_000_000 + 500 + 10_000_000 + 5_000_000);
    Ok(())
}

fn register(
    k: &SigningKey,
    account_number: u64,
    seq: u64,
    eth_key: &SigningKey,
    chain_id: &str,
) -> Vec<u8> {
    let operator = addr(k);
    let msg = Msg::RegisterEthAddress(MsgRegisterEthAddress {
        operator_address: operator,
        eth_address: EthAddress::from_verifying_key(eth_key.verifying_key()),
        signature: sign_eth_pop(eth_key, chain_id, &operator).expect("pop"),
    });
    signed(k, account_number, seq, msg, fee())
}

#[test]
fn ethereum_address_registration_is_unique() -> TestResult {
    let mut node = Node::start()?;
    let (val0, alice, bob) = (key(10), key(1), key(2));
    let (eth_a, eth_b) = (key(100), key(101));
    // A proof of possession made for another chain is refused at CheckTx.
    let wrong = register(&val0, 3, 0, &eth_a, "other-chain");
    assert_eq!(node.check(&wrong).code, code(CheckTxCode::InvalidEthProofOfPossession));
    let block = node.block(vec![
        register(&val0, 3, 0, &eth_a, CHAIN_ID),
        // Not a validator.
        register(&bob, 1, 0, &eth_b, CHAIN_ID),
        create_validator(&alice, 0, 0, 0xBB, 1_000_000),
    ])?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(block.tx_results[1].code, CODE_UNKNOWN_VALIDATOR);
    assert_eq!(block.tx_results[2].code, 0);
    let block = node.block(vec![
        // Taken by val0.
        register(&alice, 0, 1, &eth_a, CHAIN_ID),
        // val0 already has one.
        register(&val0, 3, 1, &eth_b, CHAIN_ID),
        register(&alice, 0, 2, &eth_b, CHAIN_ID),
    ])?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_ADDRESS_TAKEN);
    assert_eq!(block.tx_results[1].code, CODE_ETH_ADDRESS_TAKEN);
    assert_eq!(block.tx_results[2].code, 0, "{}", block.tx_results[2].log);
    let registered: Vec<EthView> = node.query_json("/eth-addresses")?;
    let mut got: Vec<(String, String)> =
        registered.into_iter().map(|e| (e.operator, e.eth_address.to_lowercase())).collect();
    got.sort();
    let mut expected = vec![
        (
            addr(&val0).to_bech32(),
            EthAddress::from_verifying_key(eth_a.verifying_key()).to_string().to_lowercase(),
        ),
        (
            addr(&alice).to_bech32(),
            EthAddress::from_verifying_key(eth_b.verifying_key()).to_string().to_lowercase(),
        ),
    ];
    expected.sort();
    assert_eq!(got, expected);
    Ok(())
}

fn workload() -> Vec<Vec<Vec<u8>>> {
    let (alice, bob, val0) = (key(1), key(2), key(10));
    vec![
        vec![send(&alice, 0, 0, addr(&key(7)), 5), send(&bob, 1, 0, addr(&alice), 9)],
        vec![
            create_validator(&alice, 0, 1, 0xBB, 2_000_000),
            register(&val0, 3, 0, &key(100), CHAIN_ID),
        ],
        vec![],
        vec![
            send(&alice, 0, 2, addr(&bob), 1),
            b"garbage".to_vec(),
            bond_tx(&alice, 0, 3, 1_000_000, false),
        ],
    ]
}

#[test]
fn app_hash_is_deterministic_across_instances_and_survives_reopen() -> TestResult {
    let mut a = Node::start()?;
    let mut b = Node::start()?;
    assert_eq!(a.app_hash()?, b.app_hash()?);
    let mut hashes = Vec::new();
    for txs in workload() {
        let ra = a.block(txs.clone())?;
        let rb = b.block(txs)?;
        assert_eq!(ra.app_hash, rb.app_hash);
        assert_eq!(ra.tx_results, rb.tx_results);
        assert_eq!(ra.validator_updates, rb.validator_updates);
        hashes.push(ra.app_hash);
    }
    // Every block with transactions changed the state.
    assert_ne!(hashes[0], hashes[1]);
    assert_eq!(hashes[1], hashes[2]);
    // Reopen `a` from disk: Info reports the last height and app hash for CometBFT's replay.
    let Node { app, height, _dir } = a;
    let expected = app.info(&RequestInfo::default())?;
    drop(app);
    let reopened = App::open(_dir.path())?;
    let info = reopened.info(&RequestInfo::default())?;
    assert_eq!(info.last_block_height, height);
    assert_eq!(info.last_block_app_hash, expected.last_block_app_hash);
    assert_eq!(info.last_block_app_hash.to_vec(), hashes[3].to_vec());
    let mut a = Node { app: reopened, height, _dir };
    // Both keep producing identical blocks; the reopened one still verifies signatures
    // (chain id and params were read back from the store).
    let tx = send(&key(2), 1, 1, addr(&key(1)), 77);
    let ra = a.block(vec![tx.clone()])?;
    let rb = b.block(vec![tx])?;
    assert_eq!(ra.tx_results[0].code, 0, "{}", ra.tx_results[0].log);
    assert_eq!(ra.app_hash, rb.app_hash);
    Ok(())
}

#[test]
fn a_crash_before_the_first_commit_restarts_from_init_chain() -> TestResult {
    let dir = tempfile::tempdir()?;
    let init = |app: &mut App| {
        app.init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: genesis_json().into(),
            initial_height: 1,
            ..RequestInitChain::default()
        })
    };
    let mut app = App::open(dir.path())?;
    let first = init(&mut app)?;
    app.finalize_block(&RequestFinalizeBlock { height: 1, ..RequestFinalizeBlock::default() })?;
    drop(app); // killed before Commit
    let mut app = App::open(dir.path())?;
    assert_eq!(app.info(&RequestInfo::default())?.last_block_height, 0);
    let second = init(&mut app)?;
    assert_eq!(first.app_hash, second.app_hash);
    // Blocks out of order are refused, not executed.
    assert!(app
        .finalize_block(&RequestFinalizeBlock { height: 2, ..RequestFinalizeBlock::default() })
        .is_err());
    assert!(app.commit().is_err());
    Ok(())
}

#[test]
fn query_proofs_verify_against_the_app_hash() -> TestResult {
    let mut node = Node::start()?;
    let alice = key(1);
    node.block(vec![send(&alice, 0, 0, addr(&key(2)), 5)])?;
    let account: AccountView = node.account(&alice)?;
    let store_key = hex::decode(&account.store_key)?;
    let response = node.app.query(&RequestQuery {
        path: format!("/store/{}", account.store_key),
        prove: true,
        ..RequestQuery::default()
    });
    assert_eq!(response.code, 0, "{}", response.log);
    let ops = response.proof_ops.expect("a proof").ops;
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].r#type, PROOF_OP_TYPE);
    assert_eq!(ops[0].key, store_key);
    let proof = decode_proof(&ops[0].data)?;
    // The app hash of state version `height` is the one block `height + 1` carries: the one
    // Info / FinalizeBlock reported for `height`.
    let height = u64::try_from(response.height)?;
    let root = node.app.store().root_hash_at(height)?;
    assert_eq!(root.0.to_vec(), node.app_hash()?);
    verify_membership(&proof, &root, &store_key, &response.value)?;
    // Tampered value fails.
    let mut tampered = response.value.to_vec();
    tampered[0] ^= 1;
    assert!(verify_membership(&proof, &root, &store_key, &tampered).is_err());
    // Bad queries get codes, not panics.
    for path in ["/store/zz", "/account/peg1xyz", "/nope", "/balances/", "/store/"] {
        let response =
            node.app.query(&RequestQuery { path: path.into(), ..RequestQuery::default() });
        assert_ne!(response.code, 0, "{path}");
    }
    Ok(())
}

#[test]
fn vote_extension_plumbing() -> TestResult {
    let mut node = Node::start()?;
    // Enabled from height 2 by the consensus parameter given at InitChain.
    assert!(!node.app.vote_extensions_enabled(1));
    assert!(node.app.vote_extensions_enabled(2));
    let ext =
        node.app.extend_vote(&RequestExtendVote { height: 2, ..RequestExtendVote::default() })?;
    assert_eq!(VoteExtension::decode(&ext.vote_extension)?, VoteExtension::current());
    let verify = |bytes: Vec<u8>| {
        node.app
            .verify_vote_extension(&RequestVerifyVoteExtension {
                height: 2,
                vote_extension: bytes.into(),
                ..RequestVerifyVoteExtension::default()
            })
            .map(|r| r.status)
    };
    assert_eq!(verify(ext.vote_extension.to_vec())?, 1, "accept");
    assert_eq!(verify(vec![])?, 2, "reject");
    assert_eq!(verify(vec![9; 5000])?, 2, "reject");
    let before =
        node.app.extend_vote(&RequestExtendVote { height: 1, ..RequestExtendVote::default() })?;
    assert!(before.vote_extension.is_empty());
    Ok(())
}

fn reserved_tx(k: &SigningKey) -> Vec<u8> {
    let builder = TxBuilder::new(CHAIN_ID, 0, 0).fee(fee());
    let public_key = PublicKey::from_signing_key(k);
    let body = peg_tx::proto::TxBody {
        messages: vec![peg_tx::proto::Any {
            type_url: "/peg.internal.Checkpoint".into(),
            value: vec![],
        }],
        ..peg_tx::proto::TxBody::default()
    }
    .encode_to_vec();
    let auth = builder.auth_info_bytes(&public_key);
    let sig = peg_tx::sign_bytes(k, &peg_tx::sign_doc_bytes(&body, &auth, CHAIN_ID, 0));
    peg_tx::proto::TxRaw {
        body_bytes: body,
        auth_info_bytes: auth,
        signatures: vec![sig.to_bytes().to_vec()],
    }
    .encode_to_vec()
}

#[test]
fn proposals_drop_and_refuse_reserved_transactions() -> TestResult {
    let mut node = Node::start()?;
    let alice = key(1);
    let good = send(&alice, 0, 0, addr(&key(2)), 1);
    let reserved = reserved_tx(&alice);
    assert_eq!(node.check(&reserved).code, code(CheckTxCode::ReservedTypeUrl));
    let prepared = node.app.prepare_proposal(&RequestPrepareProposal {
        max_tx_bytes: 1 << 20,
        txs: vec![reserved.clone().into(), good.clone().into(), GARBAGE.to_vec().into()],
        height: 2,
        ..RequestPrepareProposal::default()
    })?;
    assert_eq!(prepared.txs, vec![prepared.txs[0].clone()]);
    assert_eq!(prepared.txs[0].to_vec(), good);
    // max_tx_bytes: only what fits (each tx costs its length plus protobuf framing).
    let second = send(&alice, 0, 1, addr(&key(2)), 1);
    let limit = i64::try_from(good.len() + 3)?;
    let prepared = node.app.prepare_proposal(&RequestPrepareProposal {
        max_tx_bytes: limit,
        txs: vec![good.clone().into(), second.into()],
        height: 2,
        ..RequestPrepareProposal::default()
    })?;
    assert_eq!(prepared.txs.len(), 1);
    let process = |txs: Vec<Vec<u8>>| {
        node.app
            .process_proposal(&RequestProcessProposal {
                txs: txs.into_iter().map(Into::into).collect(),
                height: 2,
                ..RequestProcessProposal::default()
            })
            .map(|r| r.status)
    };
    assert_eq!(process(vec![good.clone()])?, 1, "accept");
    assert_eq!(process(vec![good.clone(), reserved])?, 2, "reject");
    assert_eq!(process(vec![vec![0x0a; 40_000]])?, 2, "reject oversized");
    // A block of undecodable bytes is accepted; the transaction fails in FinalizeBlock.
    assert_eq!(process(vec![GARBAGE.to_vec()])?, 1);
    let block = node.block(vec![GARBAGE.to_vec(), good])?;
    assert_eq!(block.tx_results[0].code, code(CheckTxCode::TxDecode));
    assert_eq!(block.tx_results[1].code, 0);
    Ok(())
}

#[test]
fn invalid_genesis_is_refused_before_anything_is_written() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut app = App::open(dir.path())?;
    let good = String::from_utf8(genesis_json())?;
    let val0 = addr(&key(10)).to_bech32();
    let cases = [
        good.replace(r#""min_self_bond": "1000000""#, r#""min_self_bond": "999""#),
        good.replace(r#""bonded": "5000000""#, r#""bonded": "5""#),
        good.replace(&hex::encode([0xAA; 32]), "abcd"),
        good.replace(&val0, "peg1notanaddress"),
        good.replace(r#""max_validators": 3"#, r#""max_validators": 3, "extra": 1"#),
        good.replace(r#""denom": "upeg", "min_fee""#, r#""denom": "1x", "min_fee""#),
        "not json".to_owned(),
    ];
    for (index, genesis) in cases.iter().enumerate() {
        assert_ne!(genesis, &good, "case {index} must change the document");
        let result = app.init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: genesis.clone().into_bytes().into(),
            initial_height: 1,
            ..RequestInitChain::default()
        });
        assert!(matches!(result, Err(peg_app::AppError::Genesis(_))), "case {index}: {result:?}");
    }
    // CometBFT's genesis validators must match the app's.
    let mismatch = app.init_chain(&RequestInitChain {
        chain_id: CHAIN_ID.into(),
        app_state_bytes: genesis_json().into(),
        initial_height: 1,
        validators: vec![peg_app::tendermint_proto::v0_38::abci::ValidatorUpdate {
            pub_key: None,
            power: 1,
        }],
        ..RequestInitChain::default()
    });
    assert!(mismatch.is_err());
    assert_eq!(app.info(&RequestInfo::default())?.last_block_height, 0);
    // Before the first commit, CheckTx answers "not initialized" with a code.
    let response = app.check_tx(&RequestCheckTx { tx: GARBAGE.to_vec().into(), r#type: 0 });
    assert_eq!(response.code, peg_app::CODE_NOT_INITIALIZED);
    Ok(())
}

#[test]
fn a_crash_between_finalize_and_commit_replays_to_the_same_app_hash() -> TestResult {
    let mut reference = Node::start()?;
    let mut crashing = Node::start()?;
    let blocks = workload();
    for txs in &blocks[..2] {
        reference.block(txs.clone())?;
        crashing.block(txs.clone())?;
    }
    // The crashing node finalizes block 4 and dies before Commit.
    let height = crashing.height + 1;
    let lost = crashing.app.finalize_block(&RequestFinalizeBlock {
        txs: blocks[2].iter().cloned().map(Into::into).collect(),
        height,
        ..RequestFinalizeBlock::default()
    })?;
    let Node { app, height: committed, _dir } = crashing;
    drop(app);
    // Restart: Info says the last committed height; CometBFT replays the lost block.
    let mut crashing = Node { app: App::open(_dir.path())?, height: committed, _dir };
    assert_eq!(crashing.app.info(&RequestInfo::default())?.last_block_height, committed);
    for txs in &blocks[2..] {
        let expected = reference.block(txs.clone())?;
        let replayed = crashing.block(txs.clone())?;
        assert_eq!(replayed.app_hash, expected.app_hash);
        assert_eq!(replayed.tx_results, expected.tx_results);
    }
    assert_eq!(
        lost.app_hash,
        reference.app.store().root_hash_at(u64::try_from(height)?)?.0.to_vec()
    );
    assert_eq!(crashing.app_hash()?, reference.app_hash()?);
    Ok(())
}
