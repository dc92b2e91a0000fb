//! The Ethereum module through the ABCI methods, with real signed transactions:
//!
//! - the light client on REAL mainnet Deneb data (`../shared/vectors/mainnet-deneb-light-client`,
//!   512-member committee): updates through FinalizeBlock with block times that make the current
//!   slot right, the ring receiving the real execution block; too-early, tampered and repeated
//!   updates refused (and charged);
//! - bridge events proven by real RLP headers and receipt Merkle-Patricia proofs carrying real
//!   ABI-encoded bridge logs, under a block trusted through the clearly named test entry point
//!   (`App::testing_trust_execution_block`): real signed proofs cannot commit to synthetic blocks;
//! - Gloas: a REAL sync-committee-signed Gloas chain from the beacon simulator (library, minimal
//!   preset) over synthetic execution headers; its finalized headers carry the execution block
//!   hash only, so the ring holds entries without a number until an events message proves one;
//! - governance by bonded validators, and replay determinism.

use std::path::PathBuf;

use light_client::execution::{
    compute_receipts_root, generate_receipt_proof, Address, Bytes, ExecutionHeader, Log, Receipt,
    ReceiptOutcome, TxType, B256,
};
use light_client::types::LightClientBootstrap;
use light_client::{ForkName, Mainnet};
use peg_app::eth::genesis::{EthGenesis, NativeDenom, NetworkSpec};
use peg_app::eth::{
    ClientView, EventRecord, MaybeNumber, RingEntry, TokenView, TrustedBlock, VoucherView,
};
use peg_app::tendermint_proto::google::protobuf::Timestamp;
use peg_app::tendermint_proto::v0_38::abci::{
    RequestCheckTx, RequestFinalizeBlock, RequestInfo, RequestInitChain, RequestQuery,
    ResponseFinalizeBlock,
};
use peg_app::{
    App, BalancesView, Genesis, GenesisAccount, GenesisCoin, GenesisParams, GenesisValidator,
    CODE_ETH_ALREADY_TRUSTED, CODE_ETH_CLIENT, CODE_ETH_EVENT_NONCE, CODE_ETH_PROOF,
    CODE_ETH_UNTRUSTED_BLOCK,
};
use peg_tx::{
    required_gas, AccAddress, CheckTxCode, Coin, Coins, EthGovernanceAction, EthUpdateKind,
    EventReceipt, Msg, MsgEthGovernance, MsgSubmitEthEvents, MsgTrustEthAncestor,
    MsgUpdateEthClient, PublicKey, SigningKey, TxBuilder,
};
use peg_types::{EthAddress, PegAccount, PegEvent, TokenDeployed, TransferToPegZone, U256};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CHAIN_ID: &str = "peg-eth-1";
const MAINNET_GENESIS_TIME: u64 = 1_606_824_023;
const MAINNET_GVR: &str = "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95";
const FEE_PER_KGAS: u128 = 1;
const BRIDGE: [u8; 20] = [0xB0; 20];

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client")
}

fn read(path: &str) -> Vec<u8> {
    let full = vectors().join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
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

/// The committee-change bootstrap (slot 9425184, period 1150) and its root.
fn bootstrap() -> (serde_json::Value, B256) {
    let text = String::from_utf8(read("committee-change/base-data/BootstrapDeneb.json"))
        .expect("UTF-8 JSON");
    let (_, b) = LightClientBootstrap::<Mainnet>::from_beacon_api_json(&text).expect("decodes");
    (serde_json::from_str(&text).expect("JSON"), b.header.beacon_root())
}

fn eth_genesis() -> EthGenesis {
    let (bootstrap, root) = bootstrap();
    EthGenesis {
        network: NetworkSpec::Builtin { builtin: "mainnet".into() },
        genesis_time: MAINNET_GENESIS_TIME,
        genesis_validators_root: MAINNET_GVR.into(),
        trusted_block_root: format!("{root}"),
        bootstrap,
        bridge_contract: format!("0x{}", hex::encode(BRIDGE)),
        bridge_id: format!("0x{}", hex::encode([0x1D; 32])),
        eth_chain_id: 1,
        next_event_nonce: "1".into(),
        trusted_ring_size: 4,
        native_denoms: vec![NativeDenom {
            denom: "upeg".into(),
            name: "Peg".into(),
            symbol: "PEG".into(),
            decimals: 6,
        }],
        governance_voting_period: 10,
    }
}

/// alice (key 1, relayer), three validators (keys 10, 11, 12, power 5 each), the escrow
/// seeded with 1000 upeg.
fn genesis() -> Genesis {
    let coin = |amount| vec![GenesisCoin { denom: "upeg".into(), amount }];
    let mut accounts =
        vec![GenesisAccount { address: addr(&key(1)).to_bech32(), balances: coin(1_000_000_000) }];
    let mut validators = Vec::new();
    for (i, seed) in [10u8, 11, 12].into_iter().enumerate() {
        accounts.push(GenesisAccount {
            address: addr(&key(seed)).to_bech32(),
            balances: coin(100_000_000),
        });
        validators.push(GenesisValidator {
            operator: addr(&key(seed)).to_bech32(),
            consensus_pubkey: hex::encode([0xA0 + i as u8; 32]),
            bonded: 5_000_000,
            moniker: format!("val-{i}"),
        });
    }
    accounts.push(GenesisAccount {
        address: peg_app::eth::escrow_address().to_bech32(),
        balances: coin(1000),
    });
    Genesis {
        params: GenesisParams {
            denom: "upeg".into(),
            min_fee: 1000,
            power_reduction: 1_000_000,
            min_self_bond: 1_000_000,
            max_validators: 10,
            max_tx_bytes: 128 * 1024,
            fee_per_kgas: FEE_PER_KGAS,
        },
        accounts,
        validators,
        eth: Some(eth_genesis()),
        eth_addresses: Vec::new(),
        bridge: None,
    }
}

struct Node {
    app: App,
    height: i64,
    sequences: std::collections::BTreeMap<u8, u64>,
    _dir: tempfile::TempDir,
}

impl Node {
    fn start() -> Result<Self, Box<dyn std::error::Error>> {
        Self::start_with(genesis(), slot_time(9_425_184))
    }

    /// A node from `genesis`, with its first block at `time`.
    fn start_with(genesis: Genesis, time: u64) -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut app = App::open(dir.path())?;
        app.init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: genesis.to_json()?.into(),
            initial_height: 1,
            ..RequestInitChain::default()
        })?;
        let mut node = Self { app, height: 0, sequences: Default::default(), _dir: dir };
        node.block_at(vec![], time)?;
        Ok(node)
    }

    fn block_at(
        &mut self,
        txs: Vec<Vec<u8>>,
        time: u64,
    ) -> Result<ResponseFinalizeBlock, Box<dyn std::error::Error>> {
        self.height += 1;
        let response = self.app.finalize_block(&RequestFinalizeBlock {
            txs: txs.into_iter().map(Into::into).collect(),
            height: self.height,
            time: Some(Timestamp { seconds: i64::try_from(time)?, nanos: 0 }),
            ..RequestFinalizeBlock::default()
        })?;
        self.app.commit()?;
        Ok(response)
    }

    /// Signs `msg` with key `seed` (account number = index in genesis), enough gas and fee.
    fn tx(&mut self, seed: u8, msg: Msg) -> Vec<u8> {
        let account_number = match seed {
            1 => 0,
            10 => 1,
            11 => 2,
            12 => 3,
            _ => panic!("unknown key"),
        };
        let sequence = self.sequences.entry(seed).or_insert(0);
        let gas = required_gas(std::slice::from_ref(&msg));
        let fee = (u128::from(gas) * FEE_PER_KGAS).div_ceil(1000).max(1000);
        let bytes = TxBuilder::new(CHAIN_ID, account_number, *sequence)
            .message(msg)
            .fee(Coins::new(vec![Coin::new("upeg", fee).expect("denom")]).expect("coins"))
            .gas_limit(gas)
            .sign(&key(seed))
            .expect("signable")
            .bytes;
        *sequence += 1;
        bytes
    }

    fn query<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<T, Box<dyn std::error::Error>> {
        let response =
            self.app.query(&RequestQuery { path: path.into(), ..RequestQuery::default() });
        assert_eq!(response.code, 0, "query {path}: {}", response.log);
        Ok(serde_json::from_slice(&response.value)?)
    }

    fn client(&self) -> Result<peg_app::eth::ClientStatus, Box<dyn std::error::Error>> {
        let view: ClientView = self.query("/eth/client")?;
        assert!(view.enabled);
        Ok(view.status.expect("enabled"))
    }

    fn balance(
        &self,
        address: &AccAddress,
        denom: &str,
    ) -> Result<u128, Box<dyn std::error::Error>> {
        let view: BalancesView = self.query(&format!("/balances/{address}"))?;
        Ok(view
            .balances
            .iter()
            .find(|c| c.denom == denom)
            .map(|c| c.amount.parse())
            .transpose()?
            .unwrap_or(0))
    }

    fn app_hash(&self) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        Ok(self.app.info(&RequestInfo::default())?.last_block_app_hash.to_vec())
    }
}

fn update_msg(path: &str, kind: EthUpdateKind) -> Msg {
    Msg::UpdateEthClient(MsgUpdateEthClient {
        signer: addr(&key(1)),
        fork: "deneb".into(),
        kind,
        update: read(path),
    })
}

/// Offset of the sync committee signature in an SSZ mainnet Deneb `LightClientUpdate`: the
/// fixed part is `attested offset 4 ‖ next committee 512×48+48 ‖ branch 5×32 ‖ finalized
/// offset 4 ‖ finality branch 6×32 ‖ bits 64 ‖ signature 96 ‖ signature_slot 8`.
const SIGNATURE_OFFSET: usize = 4 + 512 * 48 + 48 + 5 * 32 + 4 + 6 * 32 + 64;

/// `signature_slot` of an SSZ mainnet Deneb `LightClientUpdate`.
fn signature_slot(ssz: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&ssz[SIGNATURE_OFFSET + 96..SIGNATURE_OFFSET + 104]);
    u64::from_le_bytes(b)
}

#[test]
fn real_mainnet_updates_advance_the_client_and_the_ring() -> TestResult {
    let mut node = Node::start()?;
    let status = node.client()?;
    assert_eq!(status.finalized_slot, 9_425_184);
    assert_eq!(status.sync_committee_period, 1150);
    assert_eq!(status.trusted.len, 1, "the bootstrap's execution block seeds the ring");
    assert!(!status.next_sync_committee_known);
    assert_eq!(status.fork, "deneb");

    // Same-period update bringing the next committee, at a block time past its signature slot.
    let same_period = "committee-change/LightClientUpdateDeneb.ssz";
    let tx = node.tx(1, update_msg(same_period, EthUpdateKind::Update));
    let time = slot_time(signature_slot(&read(same_period)));
    let block = node.block_at(vec![tx], time)?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].gas_used > 3_000_000);
    assert!(node.client()?.next_sync_committee_known);

    // The new-period update, in a block one slot BEFORE its signature slot: the light client
    // sees a signature from the future and refuses; the fee is still charged.
    let new_period = "committee-change/LightClientUpdateNewPeriodDeneb.ssz";
    let sig_slot = signature_slot(&read(new_period));
    let alice_before = node.balance(&addr(&key(1)), "upeg")?;
    let tx = node.tx(1, update_msg(new_period, EthUpdateKind::Update));
    let block = node.block_at(vec![tx], slot_time(sig_slot - 1))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_CLIENT, "{}", block.tx_results[0].log);
    assert!(
        block.tx_results[0].log.contains("after the current slot"),
        "{}",
        block.tx_results[0].log
    );
    assert!(node.balance(&addr(&key(1)), "upeg")? < alice_before, "a refused update pays");
    assert_eq!(node.client()?.finalized_slot, 9_425_184);

    // A flipped signature bit: refused by the BLS check, charged like a good one.
    let mut bad = read(new_period);
    bad[SIGNATURE_OFFSET + 10] ^= 0x01;
    let bad_msg = Msg::UpdateEthClient(MsgUpdateEthClient {
        signer: addr(&key(1)),
        fork: "deneb".into(),
        kind: EthUpdateKind::Update,
        update: bad,
    });
    let good_gas = update_msg(new_period, EthUpdateKind::Update).gas();
    assert_eq!(bad_msg.gas(), good_gas, "gas is a function of the shape only");
    let tx = node.tx(1, bad_msg);
    let block = node.block_at(vec![tx], slot_time(sig_slot))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_CLIENT, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].log.contains("signature"), "{}", block.tx_results[0].log);
    assert_eq!(
        block.tx_results[0].gas_used,
        i64::try_from(required_gas(&[update_msg(new_period, EthUpdateKind::Update)]))?
    );

    // On time: the committee rotates, finality advances, the ring gets the real block.
    let tx = node.tx(1, update_msg(new_period, EthUpdateKind::Update));
    let block = node.block_at(vec![tx], slot_time(sig_slot))?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].events.iter().any(|e| e.r#type == "eth_trusted_block"));
    let status = node.client()?;
    assert_eq!(status.sync_committee_period, 1151);
    assert!(status.finalized_slot > 9_425_184);
    let finalized = status.finalized_execution.expect("Deneb headers carry the block");
    let finalized = finalized.known().expect("Deneb headers carry number and timestamp");
    assert_eq!(status.trusted.len, 2);
    assert_eq!(status.trusted.newest, Some(finalized.number));
    let trusted: TrustedBlock = node.query(&format!("/eth/trusted/{}", finalized.number))?;
    assert_eq!(trusted, finalized);
    let latest: RingEntry = node.query("/eth/trusted/latest")?;
    assert_eq!(latest, RingEntry::from(finalized), "the newest entry, number known");

    // A repeat of the old update cannot advance anything: refused before any BLS work.
    let tx = node.tx(1, update_msg(same_period, EthUpdateKind::Update));
    let check = node.app.check_tx(&RequestCheckTx { tx: tx.clone().into(), r#type: 0 });
    assert_eq!(check.code, CODE_ETH_CLIENT);
    assert!(check.log.contains("does not advance the light client"), "{}", check.log);
    node.sequences.insert(1, node.sequences[&1] - 1); // CheckTx refused it: not consumed.
    Ok(())
}

#[test]
fn too_little_gas_is_refused_before_any_work() -> TestResult {
    let mut node = Node::start()?;
    let msg = update_msg("committee-change/LightClientUpdateDeneb.ssz", EthUpdateKind::Update);
    let gas = required_gas(std::slice::from_ref(&msg));
    let tx = TxBuilder::new(CHAIN_ID, 0, 0)
        .message(msg)
        .fee(Coins::new(vec![Coin::new("upeg", 1_000_000)?])?)
        .gas_limit(gas - 1)
        .sign(&key(1))?
        .bytes;
    let check = node.app.check_tx(&RequestCheckTx { tx: tx.into(), r#type: 0 });
    assert_eq!(check.code, CheckTxCode::OutOfGas.code(), "{}", check.log);
    // A fee below gas × price is refused too.
    let msg = update_msg("committee-change/LightClientUpdateDeneb.ssz", EthUpdateKind::Update);
    let tx = TxBuilder::new(CHAIN_ID, 0, 0)
        .message(msg)
        .fee(Coins::new(vec![Coin::new("upeg", 1000)?])?)
        .gas_limit(gas)
        .sign(&key(1))?
        .bytes;
    let check = node.app.check_tx(&RequestCheckTx { tx: tx.into(), r#type: 0 });
    assert_eq!(check.code, CheckTxCode::InsufficientFee.code(), "{}", check.log);
    node.block_at(vec![], slot_time(9_425_200))?;
    Ok(())
}

// ----- events -----

/// A block number above the bootstrap's execution block (the ring only grows forward).
const EL_BLOCK: u64 = 25_000_000;
const RECEIVER: [u8; 20] = [0x42; 20];
const ERC20: [u8; 20] = [0xE2; 20];
const COSMOS_ERC20: [u8; 20] = [0xC0; 20];

fn log_of(emitter: [u8; 20], event: &PegEvent) -> Log {
    let (topics, data) = event.encode_log();
    Log { address: Address::from(emitter), topics, data: Bytes::from(data) }
}

fn locked(nonce: u64, token: [u8; 20], amount: u64) -> PegEvent {
    PegEvent::Locked(TransferToPegZone {
        event_nonce: nonce,
        token: EthAddress::new(token),
        sender: EthAddress::new([0x5E; 20]),
        receiver: PegAccount::new(RECEIVER),
        amount: U256::from(amount),
    })
}

fn burned(nonce: u64, token: [u8; 20], amount: u64) -> PegEvent {
    match locked(nonce, token, amount) {
        PegEvent::Locked(t) => PegEvent::Burned(t),
        _ => unreachable!("locked builds Locked"),
    }
}

fn deployed(nonce: u64, token: [u8; 20], symbol: &str) -> PegEvent {
    PegEvent::TokenDeployed(TokenDeployed {
        event_nonce: nonce,
        token: EthAddress::new(token),
        denom: "upeg".into(),
        name: "Peg".into(),
        symbol: symbol.into(),
        decimals: 6,
    })
}

fn receipt(success: bool, logs: Vec<Log>) -> Receipt {
    let mut r = Receipt {
        tx_type: TxType::Eip1559,
        outcome: ReceiptOutcome::Status(success),
        cumulative_gas_used: 50_000,
        logs_bloom: Default::default(),
        logs,
    };
    r.logs_bloom = r.compute_logs_bloom();
    r
}

/// A block at `number` holding `receipts`, and its child (the trusted block): headers newest
/// first and the trusted entry.
struct Proven {
    headers: Vec<Vec<u8>>,
    receipts: Vec<Receipt>,
    trusted: TrustedBlock,
}

fn chain(number: u64, receipts: Vec<Receipt>) -> Proven {
    let parent = ExecutionHeader {
        number,
        timestamp: 1_700_000_000 + number * 12,
        gas_limit: 30_000_000,
        receipts_root: compute_receipts_root(&receipts),
        base_fee_per_gas: Some(7),
        ..ExecutionHeader::default()
    };
    let parent_rlp = parent.encode_rlp().expect("encodes");
    let child = ExecutionHeader {
        parent_hash: parent.hash().expect("hashes"),
        number: number + 1,
        timestamp: parent.timestamp + 12,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(7),
        ..ExecutionHeader::default()
    };
    let child_rlp = child.encode_rlp().expect("encodes");
    let trusted = TrustedBlock {
        number: number + 1,
        hash: child.hash().expect("hashes").0,
        timestamp: child.timestamp,
    };
    Proven { headers: vec![child_rlp, parent_rlp], receipts, trusted }
}

fn events_msg(p: &Proven, first: u64, picks: &[(u32, Vec<u32>)]) -> Msg {
    Msg::SubmitEthEvents(MsgSubmitEthEvents {
        signer: addr(&key(1)),
        first_event_nonce: first,
        trusted_block_hash: p.trusted.hash,
        headers: p.headers.clone(),
        receipts: picks
            .iter()
            .map(|(tx, logs)| EventReceipt {
                header_index: 1,
                tx_index: *tx,
                proof: generate_receipt_proof(&p.receipts, u64::from(*tx))
                    .expect("proof")
                    .into_iter()
                    .map(|n| n.to_vec())
                    .collect(),
                log_indices: logs.clone(),
            })
            .collect(),
    })
}

fn voucher(token: [u8; 20]) -> String {
    format!("eth/0x{}", hex::encode(token))
}

#[test]
fn bridge_events_mint_adopt_release_and_refuse_bad_proofs() -> TestResult {
    let mut node = Node::start()?;
    let receiver = AccAddress::new(RECEIVER);
    let other_contract = [0x0C; 20];
    // Block 100: tx 0 locks ETH (nonce 1) and an ERC-20 (nonce 2), with an unrelated log
    // between them; tx 1 is a reverted transaction carrying a lock-shaped log (nonce 3); tx 2
    // carries a lock-shaped log (nonce 3) from another contract; tx 3 the real nonce 3..6.
    let receipts = vec![
        receipt(
            true,
            vec![
                log_of(BRIDGE, &locked(1, [0; 20], 1_000)),
                Log {
                    address: Address::from(BRIDGE),
                    topics: vec![B256::repeat_byte(9)],
                    data: Bytes::new(),
                },
                log_of(BRIDGE, &locked(2, ERC20, 500)),
            ],
        ),
        receipt(false, vec![log_of(BRIDGE, &locked(3, [0; 20], 7))]),
        receipt(true, vec![log_of(other_contract, &locked(3, [0; 20], 7))]),
        receipt(
            true,
            vec![
                log_of(BRIDGE, &deployed(3, [0xDD; 20], "WRONG")),
                log_of(BRIDGE, &deployed(4, COSMOS_ERC20, "PEG")),
                log_of(BRIDGE, &burned(5, COSMOS_ERC20, 400)),
                log_of(BRIDGE, &burned(6, [0xAB; 20], 1)),
                log_of(BRIDGE, &burned(7, COSMOS_ERC20, 5_000)),
            ],
        ),
    ];
    let p = chain(EL_BLOCK, receipts);

    // Not yet trusted.
    let tx = node.tx(1, events_msg(&p, 1, &[(0, vec![0, 2])]));
    let block = node.block_at(vec![tx], slot_time(9_425_300))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_UNTRUSTED_BLOCK, "{}", block.tx_results[0].log);

    node.app.testing_trust_execution_block(p.trusted);
    node.block_at(vec![], slot_time(9_425_301))?;
    assert_eq!(node.client()?.trusted.len, 2);

    // Locked ETH and ERC-20: vouchers, exact amounts.
    let tx = node.tx(1, events_msg(&p, 1, &[(0, vec![0, 2])]));
    let block = node.block_at(vec![tx], slot_time(9_425_302))?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(node.balance(&receiver, &voucher([0; 20]))?, 1_000);
    assert_eq!(node.balance(&receiver, &voucher(ERC20))?, 500);
    let vouchers: Vec<VoucherView> = node.query("/eth/vouchers")?;
    assert_eq!(vouchers.len(), 2);
    assert_eq!(vouchers[0].denom, "eth/0x0000000000000000000000000000000000000000");
    assert_eq!(vouchers[0].supply, "1000");
    assert_eq!(node.client()?.next_event_nonce, "3");
    let hash_after_mint = node.app_hash()?;

    // The repeat: refused cheaply, nothing changes but the fee and sequence.
    let tx = node.tx(1, events_msg(&p, 1, &[(0, vec![0, 2])]));
    let check = node.app.check_tx(&RequestCheckTx { tx: tx.clone().into(), r#type: 0 });
    assert_eq!(check.code, CODE_ETH_EVENT_NONCE);
    assert!(
        check.log.contains("event nonce 1 already processed (next expected 3)"),
        "{}",
        check.log
    );
    let block = node.block_at(vec![tx], slot_time(9_425_303))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_EVENT_NONCE);
    assert_ne!(node.app_hash()?, hash_after_mint, "the fee was paid");
    assert_eq!(node.balance(&receiver, &voucher([0; 20]))?, 1_000);

    // A gap: nonce 5 declared while 3 is expected.
    let tx = node.tx(1, events_msg(&p, 5, &[(3, vec![2])]));
    let block = node.block_at(vec![tx], slot_time(9_425_304))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_EVENT_NONCE);
    assert!(block.tx_results[0].log.contains("in the future"), "{}", block.tx_results[0].log);
    // A gap inside the message: nonce 3 then 5.
    let tx = node.tx(1, events_msg(&p, 3, &[(3, vec![0, 2])]));
    let block = node.block_at(vec![tx], slot_time(9_425_305))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF, "{}", block.tx_results[0].log);
    // A reverted transaction's log.
    let tx = node.tx(1, events_msg(&p, 3, &[(1, vec![0])]));
    let block = node.block_at(vec![tx], slot_time(9_425_306))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF);
    assert!(block.tx_results[0].log.contains("not a successful"), "{}", block.tx_results[0].log);
    // A log of another contract.
    let tx = node.tx(1, events_msg(&p, 3, &[(2, vec![0])]));
    let block = node.block_at(vec![tx], slot_time(9_425_307))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF);
    assert!(block.tx_results[0].log.contains("not the bridge"), "{}", block.tx_results[0].log);
    // A tampered header chain: the parent header altered (its hash no longer links).
    let mut tampered = events_msg(&p, 3, &[(3, vec![0])]);
    if let Msg::SubmitEthEvents(m) = &mut tampered {
        let last = m.headers[1].len() - 1;
        m.headers[1][last] ^= 1;
    }
    let tx = node.tx(1, tampered);
    let block = node.block_at(vec![tx], slot_time(9_425_308))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF);
    assert!(block.tx_results[0].log.contains("header chain"), "{}", block.tx_results[0].log);
    // A receipt proof for another transaction index than the one claimed.
    let mut swapped = events_msg(&p, 3, &[(3, vec![0])]);
    if let Msg::SubmitEthEvents(m) = &mut swapped {
        m.receipts[0].tx_index = 0;
    }
    let tx = node.tx(1, swapped);
    let block = node.block_at(vec![tx], slot_time(9_425_309))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF);
    assert_eq!(node.client()?.next_event_nonce, "3", "no refused message moved the nonce");

    // TokenDeployed with a wrong symbol (ignored), with the right metadata (adopted), a Burned
    // of the adopted token (escrow released), of an unknown token (failed), beyond the escrow
    // (failed): all recorded, the nonce advances past all five.
    let tx = node.tx(1, events_msg(&p, 3, &[(3, vec![0, 1, 2, 3, 4])]));
    let block = node.block_at(vec![tx], slot_time(9_425_310))?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    let tokens: Vec<TokenView> = node.query("/eth/tokens")?;
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].token, format!("0x{}", hex::encode(COSMOS_ERC20)));
    assert_eq!(tokens[0].escrowed, "600");
    assert_eq!(node.balance(&receiver, "upeg")?, 400);
    let records: Vec<EventRecord> = node.query("/eth/events/1")?;
    let results: Vec<&str> = records.iter().map(|r| r.result.as_str()).collect();
    assert_eq!(records.len(), 7);
    assert_eq!(&results[..2], ["applied", "applied"]);
    assert!(results[2].starts_with("ignored: metadata"), "{}", results[2]);
    assert_eq!(results[3], "applied");
    assert_eq!(results[4], "applied");
    assert!(results[5].starts_with("failed: token"), "{}", results[5]);
    assert!(results[6].starts_with("failed: escrow holds 600upeg"), "{}", results[6]);
    assert_eq!(records[0].block_number, EL_BLOCK);
    assert_eq!(node.client()?.next_event_nonce, "8");
    let later: Vec<EventRecord> = node.query("/eth/events/6")?;
    assert_eq!(later.len(), 2);
    Ok(())
}

/// `len` linked headers (RLP, newest first) from block `bottom + len - 1` down to `bottom`, the
/// bottom block holding `receipts`; with the newest as a trusted entry.
fn long_chain(bottom: u64, len: u64, receipts: &[Receipt]) -> (Vec<Vec<u8>>, TrustedBlock) {
    let mut headers = Vec::new();
    let mut parent_hash = B256::ZERO;
    let mut newest = None;
    for number in bottom..bottom + len {
        let header = ExecutionHeader {
            parent_hash,
            number,
            timestamp: 1_700_000_000 + number * 12,
            gas_limit: 30_000_000,
            receipts_root: compute_receipts_root(if number == bottom { receipts } else { &[] }),
            base_fee_per_gas: Some(7),
            ..ExecutionHeader::default()
        };
        parent_hash = header.hash().expect("hashes");
        newest = Some(TrustedBlock { number, hash: parent_hash.0, timestamp: header.timestamp });
        headers.push(header.encode_rlp().expect("encodes"));
    }
    headers.reverse();
    (headers, newest.expect("len > 0"))
}

fn ancestor_msg(from: [u8; 32], headers: &[Vec<u8>]) -> Msg {
    Msg::TrustEthAncestor(MsgTrustEthAncestor {
        signer: addr(&key(1)),
        trusted_block_hash: from,
        headers: headers.to_vec(),
    })
}

fn hash_of(header: &[u8]) -> [u8; 32] {
    light_client::execution::keccak256(header).0
}

#[test]
fn ancestors_extend_trust_down_to_an_event_far_below() -> TestResult {
    let mut node = Node::start()?;
    let receiver = AccAddress::new(RECEIVER);
    // An event at EL_BLOCK, 60 blocks below the only trusted block: walked down in pieces of
    // at most 25 headers, then proven from the last ancestor.
    let receipts = vec![receipt(true, vec![log_of(BRIDGE, &locked(1, [0; 20], 777))])];
    let (headers, top) = long_chain(EL_BLOCK, 61, &receipts);
    let hash_at = |i: usize| hash_of(&headers[i]);
    let number_at = |i: usize| EL_BLOCK + 60 - i as u64;

    // Nothing trusted yet: refused as untrusted, after the cheap "already trusted" check.
    let tx = node.tx(1, ancestor_msg(top.hash, &headers[0..25]));
    let block = node.block_at(vec![tx], slot_time(9_425_300))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_UNTRUSTED_BLOCK, "{}", block.tx_results[0].log);
    node.app.testing_trust_execution_block(top);
    node.block_at(vec![], slot_time(9_425_301))?;

    // A tampered link: the middle header altered.
    let mut tampered = headers[0..25].to_vec();
    let last = tampered[12].len() - 1;
    tampered[12][last] ^= 1;
    let tx = node.tx(1, ancestor_msg(top.hash, &tampered));
    let block = node.block_at(vec![tx], slot_time(9_425_302))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].log.contains("header chain"), "{}", block.tx_results[0].log);
    // A chain that does not start at the named trusted block.
    let tx = node.tx(1, ancestor_msg(top.hash, &headers[1..25]));
    let block = node.block_at(vec![tx], slot_time(9_425_303))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF, "{}", block.tx_results[0].log);
    assert_eq!(node.client()?.ancestors, 0, "no refused message added an ancestor");

    // Piece 1: headers 0..=24 → ancestor at index 24, gas as computed from the shape.
    let msg = ancestor_msg(top.hash, &headers[0..25]);
    let required = required_gas(std::slice::from_ref(&msg));
    let tx = node.tx(1, msg);
    let block = node.block_at(vec![tx], slot_time(9_425_304))?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(block.tx_results[0].gas_used, i64::try_from(required)?);
    assert!(block.tx_results[0].events.iter().any(|e| e.r#type == "eth_trusted_ancestor"));
    let found: TrustedBlock = node.query(&format!("/eth/trusted/{}", EL_BLOCK))?;
    assert_eq!((found.number, found.hash), (number_at(24), hash_at(24)));
    assert_eq!(found.timestamp, 1_700_000_000 + number_at(24) * 12);

    // The repeat: refused cheaply (in CheckTx already), nothing added.
    let tx = node.tx(1, ancestor_msg(top.hash, &headers[0..25]));
    let check = node.app.check_tx(&RequestCheckTx { tx: tx.clone().into(), r#type: 0 });
    assert_eq!(check.code, CODE_ETH_ALREADY_TRUSTED, "{}", check.log);
    assert!(check.log.contains("already trusted"), "{}", check.log);
    let block = node.block_at(vec![tx], slot_time(9_425_305))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_ALREADY_TRUSTED);
    assert_eq!(node.client()?.ancestors, 1);

    // Piece 2 starts at the ancestor: 24..=48; piece 3: 48..=59, one above the event block.
    for (range, time) in [((24usize, 49usize), 9_425_306u64), ((48, 60), 9_425_307)] {
        let tx = node.tx(1, ancestor_msg(hash_at(range.0), &headers[range.0..range.1]));
        let block = node.block_at(vec![tx], slot_time(time))?;
        assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    }
    assert_eq!(node.client()?.ancestors, 3);
    let found: TrustedBlock = node.query(&format!("/eth/trusted/{}", EL_BLOCK))?;
    assert_eq!(found.number, EL_BLOCK + 1, "the closest trusted block above the event");
    // The ring's own entry is still found above the ancestors.
    let found: TrustedBlock = node.query(&format!("/eth/trusted/{}", number_at(0)))?;
    assert_eq!(found.hash, top.hash);

    // The event, proven from the last ancestor with two headers.
    let msg = Msg::SubmitEthEvents(MsgSubmitEthEvents {
        signer: addr(&key(1)),
        first_event_nonce: 1,
        trusted_block_hash: hash_at(59),
        headers: headers[59..61].to_vec(),
        receipts: vec![EventReceipt {
            header_index: 1,
            tx_index: 0,
            proof: generate_receipt_proof(&receipts, 0)?.into_iter().map(|n| n.to_vec()).collect(),
            log_indices: vec![0],
        }],
    });
    let tx = node.tx(1, msg);
    let block = node.block_at(vec![tx], slot_time(9_425_308))?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(node.balance(&receiver, &voucher([0; 20]))?, 777);
    assert_eq!(node.client()?.next_event_nonce, "2");

    // Trusting the event block itself from an ancestor works too; then it is the answer.
    let tx = node.tx(1, ancestor_msg(hash_at(59), &headers[59..61]));
    let block = node.block_at(vec![tx], slot_time(9_425_309))?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    let found: TrustedBlock = node.query(&format!("/eth/trusted/{}", EL_BLOCK))?;
    assert_eq!(found.number, EL_BLOCK);
    Ok(())
}

#[test]
fn ring_is_bounded_and_drops_the_oldest() -> TestResult {
    let mut node = Node::start()?;
    for n in 0..6u64 {
        node.app.testing_trust_execution_block(TrustedBlock {
            number: 30_000_000 + n,
            hash: [n as u8 + 1; 32],
            timestamp: 5,
        });
    }
    node.block_at(vec![], slot_time(9_425_300))?;
    let status = node.client()?;
    assert_eq!(status.trusted.len, 4, "trusted_ring_size is 4");
    assert_eq!(
        (status.trusted.oldest, status.trusted.newest),
        (Some(30_000_002), Some(30_000_005))
    );
    let first: TrustedBlock = node.query("/eth/trusted/0")?;
    assert_eq!(first.number, 30_000_002);
    let mid: TrustedBlock = node.query("/eth/trusted/30000004")?;
    assert_eq!(mid.hash, [5; 32]);
    let response = node
        .app
        .query(&RequestQuery { path: "/eth/trusted/30000006".into(), ..RequestQuery::default() });
    assert_ne!(response.code, 0);
    // An evicted block is no longer trusted.
    let p = chain(1, vec![receipt(true, vec![log_of(BRIDGE, &locked(1, [0; 20], 1))])]);
    let mut msg = events_msg(&p, 1, &[(0, vec![0])]);
    if let Msg::SubmitEthEvents(m) = &mut msg {
        m.trusted_block_hash = [1; 32];
    }
    let tx = node.tx(1, msg);
    let block = node.block_at(vec![tx], slot_time(9_425_301))?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_UNTRUSTED_BLOCK);
    Ok(())
}

#[test]
fn governance_reset_needs_more_than_two_thirds() -> TestResult {
    let mut node = Node::start()?;
    // Reset to the inclusion bootstrap (slot 9567456, execution block 20360596).
    let ssz = read("inclusion/LightClientBootstrapDeneb.ssz");
    let boot =
        LightClientBootstrap::<Mainnet>::from_ssz_bytes(&ssz, ForkName::Deneb).expect("decodes");
    let action = EthGovernanceAction::ResetCheckpoint {
        fork: "deneb".into(),
        bootstrap_ssz: ssz,
        trusted_block_root: boot.header.beacon_root().0,
    };
    let vote = |seed: u8| {
        Msg::EthGovernance(MsgEthGovernance { operator: addr(&key(seed)), action: action.clone() })
    };
    // A non-validator cannot vote.
    let tx = node.tx(
        1,
        Msg::EthGovernance(MsgEthGovernance { operator: addr(&key(1)), action: action.clone() }),
    );
    let block = node.block_at(vec![tx], slot_time(9_425_300))?;
    assert_eq!(block.tx_results[0].code, peg_app::CODE_ETH_GOVERNANCE);
    // Two of three equal validators: exactly 2/3, not more: nothing happens.
    let (a, b) = (node.tx(10, vote(10)), node.tx(11, vote(11)));
    let block = node.block_at(vec![a, b], slot_time(9_425_301))?;
    assert!(block.tx_results.iter().all(|r| r.code == 0), "{:?}", block.tx_results);
    assert_eq!(node.client()?.finalized_slot, 9_425_184);
    // A second vote by the same operator is refused.
    let again = node.tx(10, vote(10));
    let block = node.block_at(vec![again], slot_time(9_425_302))?;
    assert_eq!(block.tx_results[0].code, peg_app::CODE_ETH_GOVERNANCE);
    // The third: applied; the ring is re-seeded with the new checkpoint's block.
    let c = node.tx(12, vote(12));
    let block = node.block_at(vec![c], slot_time(9_567_500))?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].events.iter().any(|e| e.r#type == "eth_governance_applied"));
    let status = node.client()?;
    assert_eq!(status.finalized_slot, 9_567_456);
    assert_eq!(status.trusted.len, 1);
    assert_eq!(status.trusted.newest, Some(20_360_596));
    Ok(())
}

#[test]
fn governance_votes_expire() -> TestResult {
    let mut node = Node::start()?;
    let action = EthGovernanceAction::SetForkSchedule {
        forks: vec![peg_tx::ForkEpoch {
            name: "gloas".into(),
            version: [7, 0, 0, 0],
            epoch: 999_999,
        }],
    };
    let vote = |seed: u8| {
        Msg::EthGovernance(MsgEthGovernance { operator: addr(&key(seed)), action: action.clone() })
    };
    let (a, b) = (node.tx(10, vote(10)), node.tx(11, vote(11)));
    node.block_at(vec![a, b], slot_time(9_425_300))?;
    for i in 0..11 {
        node.block_at(vec![], slot_time(9_425_301 + i))?;
    }
    // The period (10 blocks) is over: the third vote starts a new proposal alone.
    let c = node.tx(12, vote(12));
    let block = node.block_at(vec![c], slot_time(9_425_400))?;
    assert_eq!(block.tx_results[0].code, 0);
    assert!(!block.tx_results[0].events.iter().any(|e| e.r#type == "eth_governance_applied"));
    // Two more votes within the period: applied.
    let (a, b) = (node.tx(10, vote(10)), node.tx(11, vote(11)));
    let block = node.block_at(vec![a, b], slot_time(9_425_401))?;
    assert!(block.tx_results[1].events.iter().any(|e| e.r#type == "eth_governance_applied"));
    Ok(())
}

#[test]
fn disabled_module_and_bad_bootstrap() -> TestResult {
    // A bootstrap under the wrong trusted root: the chain refuses to start.
    let dir = tempfile::tempdir()?;
    let mut app = App::open(dir.path())?;
    let mut g = genesis();
    if let Some(eth) = &mut g.eth {
        eth.trusted_block_root = format!("0x{}", "11".repeat(32));
    }
    let err = app
        .init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: g.to_json()?.into(),
            initial_height: 1,
            ..RequestInitChain::default()
        })
        .expect_err("bad trusted root");
    assert!(err.to_string().contains("bootstrap"), "{err}");

    // No eth section: disabled; eth messages refused with their code.
    let dir = tempfile::tempdir()?;
    let mut app = App::open(dir.path())?;
    let mut g = genesis();
    g.eth = None;
    app.init_chain(&RequestInitChain {
        chain_id: CHAIN_ID.into(),
        app_state_bytes: g.to_json()?.into(),
        initial_height: 1,
        ..RequestInitChain::default()
    })?;
    let mut node = Node { app, height: 0, sequences: Default::default(), _dir: dir };
    node.block_at(vec![], 1)?;
    let view: ClientView = node.query("/eth/client")?;
    assert!(!view.enabled);
    let tx = node
        .tx(1, update_msg("committee-change/LightClientUpdateDeneb.ssz", EthUpdateKind::Update));
    let block = node.block_at(vec![tx], 2)?;
    assert_eq!(block.tx_results[0].code, peg_app::CODE_ETH_DISABLED);
    Ok(())
}

#[test]
fn replay_and_restart_reach_the_same_app_hash() -> TestResult {
    let run = || -> Result<(Vec<u8>, tempfile::TempDir), Box<dyn std::error::Error>> {
        let mut node = Node::start()?;
        let path = "committee-change/LightClientUpdateDeneb.ssz";
        let tx = node.tx(1, update_msg(path, EthUpdateKind::Update));
        node.block_at(vec![tx], slot_time(signature_slot(&read(path))))?;
        let p = chain(EL_BLOCK, vec![receipt(true, vec![log_of(BRIDGE, &locked(1, [0; 20], 9))])]);
        node.app.testing_trust_execution_block(p.trusted);
        node.block_at(vec![], slot_time(9_425_400))?;
        let tx = node.tx(1, events_msg(&p, 1, &[(0, vec![0])]));
        let block = node.block_at(vec![tx], slot_time(9_425_401))?;
        assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
        let hash = node.app_hash()?;
        Ok((hash, node._dir))
    };
    let (first, dir) = run()?;
    let (second, _other) = run()?;
    assert_eq!(first, second, "two nodes replaying the same blocks agree");
    // Restart: the reopened store reports the same hash and still serves the module.
    let app = App::open(dir.path())?;
    assert_eq!(app.info(&RequestInfo::default())?.last_block_app_hash.to_vec(), first);
    let response =
        app.query(&RequestQuery { path: "/eth/client".into(), ..RequestQuery::default() });
    let view: ClientView = serde_json::from_slice(&response.value)?;
    assert_eq!(view.status.expect("enabled").next_event_nonce, "2");
    Ok(())
}

// ----- Gloas: ring entries without a number -----

const SIM_GENESIS: u64 = 1_700_000_000;
/// The execution block (= slot) holding the Gloas test's lock.
const GLOAS_EVENT_BLOCK: u64 = 3;

fn sim_params() -> beacon_sim::ChainParams {
    beacon_sim::ChainParams {
        genesis_time: SIM_GENESIS,
        seconds_per_slot: 1,
        finality_lag_epochs: 1,
        electra_epoch: Some(0),
        fulu_epoch: Some(0),
        gloas_epoch: Some(0),
        seed: 5,
        participation: 32,
    }
}

/// Synthetic Prague-shaped execution blocks, number = slot, each the parent of the next;
/// block [`GLOAS_EVENT_BLOCK`] holds `receipts`.
struct GloasChain {
    sim: beacon_sim::SimChain,
    /// `(rlp, hash)` by block number.
    blocks: Vec<(Vec<u8>, B256)>,
    receipts: Vec<Receipt>,
}

impl GloasChain {
    fn new(receipts: Vec<Receipt>) -> Result<Self, Box<dyn std::error::Error>> {
        Ok(Self { sim: beacon_sim::SimChain::new(sim_params())?, blocks: Vec::new(), receipts })
    }

    fn grow_to(&mut self, slot: u64) -> TestResult {
        while (self.blocks.len() as u64) <= slot {
            let number = self.blocks.len() as u64;
            let header = ExecutionHeader {
                parent_hash: self.blocks.last().map_or(B256::repeat_byte(0xee), |b| b.1),
                number,
                timestamp: SIM_GENESIS + number,
                gas_limit: 30_000_000,
                state_root: B256::repeat_byte(number as u8),
                receipts_root: if number == GLOAS_EVENT_BLOCK {
                    compute_receipts_root(&self.receipts)
                } else {
                    B256::repeat_byte(0x56)
                },
                base_fee_per_gas: Some(7),
                withdrawals_root: Some(B256::repeat_byte(1)),
                blob_gas_used: Some(0),
                excess_blob_gas: Some(0),
                parent_beacon_block_root: Some(B256::ZERO),
                requests_hash: Some(B256::repeat_byte(2)),
                ..ExecutionHeader::default()
            };
            let hash = header.hash()?;
            self.sim.push_block(number, &header, hash)?;
            self.blocks.push((header.encode_rlp()?, hash));
        }
        Ok(())
    }

    fn number_of(&self, hash: &[u8; 32]) -> Option<u64> {
        self.blocks.iter().position(|(_, h)| h.0 == *hash).map(|n| n as u64)
    }

    /// The events message proving block [`GLOAS_EVENT_BLOCK`]'s receipt 0 from `trusted`.
    fn events_msg(
        &self,
        trusted: &[u8; 32],
        first: u64,
    ) -> Result<Msg, Box<dyn std::error::Error>> {
        let top = self.number_of(trusted).ok_or("the trusted hash is not one of our blocks")?;
        let headers = (GLOAS_EVENT_BLOCK..=top).rev().map(|n| self.blocks[n as usize].0.clone());
        Ok(Msg::SubmitEthEvents(MsgSubmitEthEvents {
            signer: addr(&key(1)),
            first_event_nonce: first,
            trusted_block_hash: *trusted,
            headers: headers.collect(),
            receipts: vec![EventReceipt {
                header_index: u32::try_from(top - GLOAS_EVENT_BLOCK)?,
                tx_index: 0,
                proof: generate_receipt_proof(&self.receipts, 0)?
                    .into_iter()
                    .map(|n| n.to_vec())
                    .collect(),
                log_indices: vec![0],
            }],
        }))
    }
}

#[test]
fn gloas_finalized_blocks_enter_the_ring_without_a_number_until_proven() -> TestResult {
    let receipts = vec![receipt(true, vec![log_of(BRIDGE, &locked(1, [0; 20], 777))])];
    let mut chain = GloasChain::new(receipts)?;
    chain.grow_to(12)?;

    // Genesis from a Gloas bootstrap at slot 8: the ring is seeded with its hash alone.
    let boot_block = chain.sim.block_at_slot(8).ok_or("block 8")?.clone();
    let bootstrap = chain.sim.bootstrap(&boot_block.root)?.ok_or("bootstrap")?;
    assert_eq!(bootstrap.fork, ForkName::Gloas);
    let params = sim_params();
    let mut g = genesis();
    g.eth = Some(EthGenesis {
        network: NetworkSpec::Yaml { config_yaml: params.config_yaml(), preset: "minimal".into() },
        genesis_time: SIM_GENESIS,
        genesis_validators_root: format!("{}", params.genesis_validators_root()),
        trusted_block_root: format!("{}", boot_block.root),
        bootstrap: bootstrap.envelope(),
        ..eth_genesis()
    });
    let mut node = Node::start_with(g, SIM_GENESIS + 12)?;
    let status = node.client()?;
    assert_eq!(status.fork, "gloas");
    let seeded = status.finalized_execution.ok_or("a Gloas header names its block")?;
    assert_eq!(seeded.number, MaybeNumber(None), "Gloas: the hash only");
    assert_eq!(B256::from(seeded.hash), boot_block.light_client_execution_hash());
    assert_eq!(chain.number_of(&seeded.hash), Some(7), "EIP-7732: the wrapped block's parent");
    assert_eq!((status.trusted.len, status.trusted.newest), (1, None));

    // A real signed finality update: the finalized header advances, its hash enters the ring.
    chain.grow_to(40)?;
    let update = chain.sim.finality_update()?.ok_or("finality update")?;
    assert_eq!(update.fork, ForkName::Gloas);
    let tx = node.tx(
        1,
        Msg::UpdateEthClient(MsgUpdateEthClient {
            signer: addr(&key(1)),
            fork: "gloas".into(),
            kind: EthUpdateKind::FinalityUpdate,
            update: update.ssz.clone(),
        }),
    );
    let block = node.block_at(vec![tx], SIM_GENESIS + 41)?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    let pushed = block.tx_results[0]
        .events
        .iter()
        .find(|e| e.r#type == "eth_trusted_block")
        .ok_or("the finalized block entered the ring")?;
    assert!(pushed.attributes.iter().all(|a| a.key != "number"), "no number to report");
    let status = node.client()?;
    assert!(status.finalized_slot > 8);
    let finalized = status.finalized_execution.ok_or("finalized execution")?;
    assert_eq!(finalized.number, MaybeNumber(None));
    let top = chain.number_of(&finalized.hash).ok_or("one of our blocks")?;
    assert!(top > 7, "a later block than the bootstrap's");
    assert_eq!((status.trusted.len, status.trusted.newest), (2, None));
    let latest: RingEntry = node.query("/eth/trusted/latest")?;
    assert_eq!(latest, finalized);
    let oldest: RingEntry = node.query("/eth/trusted/position/0")?;
    assert_eq!(oldest, seeded, "positions count from the oldest entry");
    let newest: RingEntry = node.query("/eth/trusted/position/1")?;
    assert_eq!(newest, latest);
    let response =
        node.app.query(&RequestQuery { path: "/eth/trusted/0".into(), ..RequestQuery::default() });
    assert_ne!(response.code, 0, "no entry has a known number yet: {}", response.log);

    // A refused message records nothing: a receipt proof with one byte changed.
    let mut tampered = chain.events_msg(&latest.hash, 1)?;
    if let Msg::SubmitEthEvents(m) = &mut tampered {
        let leaf = m.receipts[0].proof.last_mut().ok_or("a proof")?;
        let last = leaf.len() - 1;
        leaf[last] ^= 1;
    }
    let tx = node.tx(1, tampered);
    let block = node.block_at(vec![tx], SIM_GENESIS + 42)?;
    assert_eq!(block.tx_results[0].code, CODE_ETH_PROOF, "{}", block.tx_results[0].log);
    let still: RingEntry = node.query("/eth/trusted/latest")?;
    assert_eq!(still.number, MaybeNumber(None));

    // The events message from the number-less entry: the header hashing to it gives the
    // number, recorded back into the ring; the lock is applied.
    let tx = node.tx(1, chain.events_msg(&latest.hash, 1)?);
    let block = node.block_at(vec![tx], SIM_GENESIS + 43)?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].events.iter().any(|e| e.r#type == "eth_trusted_block_number"));
    assert_eq!(node.balance(&AccAddress::new(RECEIVER), &voucher([0; 20]))?, 777);
    let records: Vec<EventRecord> = node.query("/eth/events/1")?;
    assert_eq!((records.len(), records[0].block_number), (1, GLOAS_EVENT_BLOCK));
    let numbered = TrustedBlock { number: top, hash: latest.hash, timestamp: SIM_GENESIS + top };
    let latest: RingEntry = node.query("/eth/trusted/latest")?;
    assert_eq!(latest, RingEntry::from(numbered));
    let found: TrustedBlock = node.query(&format!("/eth/trusted/{GLOAS_EVENT_BLOCK}"))?;
    assert_eq!(found, numbered, "lookups by number find the entry now");
    let status = node.client()?;
    assert_eq!((status.trusted.oldest, status.trusted.newest), (None, Some(top)));
    assert_eq!(status.next_event_nonce, "2");
    Ok(())
}
