//! The outbound bridge module through the ABCI methods, with real signed transactions and
//! bridge events proven by real RLP headers and receipt proofs (under blocks trusted through
//! `App::testing_trust_execution_block`, as in tests/eth.rs):
//!
//! - valset 0 at genesis, confirmed, equal to `Valset::from_raw_powers(0, …)`;
//! - send-to-eth of vouchers and of an adopted native denom (funds in the pool account), cancel
//!   (only the sender, only in the pool, exact refund), request-batch (fee order, size cap,
//!   pending cap, timeout = block time + param);
//! - `BatchExecuted`: voucher supply burned / native coins escrowed, older batches of the token
//!   cancelled back to the pool; supply invariants;
//! - timeouts judged by the observed Ethereum time; register-denom rules;
//! - valsets: a new one beyond 5% or on a membership change (not at ≤ 5%), continuity refusal
//!   (code 147) until `ValsetUpdated` confirms a newer one; the `/bridge/...` queries.

use std::path::PathBuf;

use light_client::execution::{
    compute_receipts_root, generate_receipt_proof, Address, Bytes, ExecutionHeader, Log, Receipt,
    ReceiptOutcome, TxType,
};
use light_client::types::LightClientBootstrap;
use light_client::Mainnet;
use peg_app::bridge::query::{BatchView, DenomView, SignerView, ValsetsView};
use peg_app::bridge::{BridgeParams, OutgoingTransfer};
use peg_app::eth::genesis::{EthGenesis, GenesisEthAddress, NativeDenom, NetworkSpec};
use peg_app::eth::{TokenView, TrustedBlock, VoucherView};
use peg_app::tendermint_proto::google::protobuf::Timestamp;
use peg_app::tendermint_proto::v0_38::abci::{
    Event, ExtendedCommitInfo, ExtendedVoteInfo, RequestExtendVote, RequestFinalizeBlock,
    RequestInitChain, RequestPrepareProposal, RequestQuery, ResponseFinalizeBlock,
    Validator as VoteValidator,
};
use peg_app::tendermint_proto::v0_38::types::{AbciParams, BlockIdFlag, ConsensusParams};
use peg_app::{
    App, BalancesView, Genesis, GenesisAccount, GenesisCoin, GenesisParams, GenesisValidator,
    CODE_BRIDGE_BATCH, CODE_BRIDGE_NOT_IN_POOL, CODE_BRIDGE_NOT_SENDER, CODE_BRIDGE_REGISTER_DENOM,
    CODE_BRIDGE_UNKNOWN_TOKEN, CODE_VALSET_CONTINUITY,
};
use peg_tx::{
    required_gas, AccAddress, Coin, Coins, EventReceipt, Msg, MsgBondUnbond,
    MsgCancelSendToEthereum, MsgRegisterDenom, MsgRequestBatch, MsgSendToEthereum,
    MsgSubmitEthEvents, PublicKey, SigningKey, TxBuilder,
};
use peg_types::{
    batch_digest, signer_address, valset_update_digest, Batch, BatchExecuted, BridgeDomain,
    EthAddress, PegAccount, PegEvent, TokenDeployed, Transfer, TransferToPegZone, Valset,
    ValsetUpdated, B256, U256,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CHAIN_ID: &str = "peg-bridge-1";
const MAINNET_GENESIS_TIME: u64 = 1_606_824_023;
const MAINNET_GVR: &str = "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95";
const FEE_PER_KGAS: u128 = 1;
const BRIDGE: [u8; 20] = [0xB0; 20];
const BRIDGE_ID: [u8; 32] = [0x1D; 32];
const ETH_CHAIN_ID: u64 = 31_337;
const ETH: [u8; 20] = [0; 20];
const COSMOS_ERC20: [u8; 20] = [0xC0; 20];
/// Seeds of the validators' account keys (power 5 each).
const VALIDATORS: [u8; 4] = [10, 11, 12, 13];
const TIMEOUT_SECS: u64 = 600;
/// The first block's time (about mainnet slot 9425184).
const T0: u64 = MAINNET_GENESIS_TIME + 9_425_184 * 12;
/// Ethereum block timestamps of proven events: below every batch timeout, unless a test
/// wants one to time out.
const ETH_TIME: u64 = 1_600_000_000;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client")
}

fn key(seed: u8) -> SigningKey {
    let mut bytes = [seed; 32];
    bytes[0] = 1;
    SigningKey::from_bytes(&bytes.into()).expect("a valid scalar")
}

fn eth_key(seed: u8) -> SigningKey {
    let mut bytes = [seed; 32];
    bytes[0] = 2;
    SigningKey::from_bytes(&bytes.into()).expect("a valid scalar")
}

fn addr(seed: u8) -> AccAddress {
    PublicKey::from_signing_key(&key(seed)).address()
}

fn eth_addr(seed: u8) -> EthAddress {
    signer_address(&eth_key(seed))
}

fn voucher(token: [u8; 20]) -> String {
    format!("eth/0x{}", hex::encode(token))
}

fn eth_genesis() -> Result<EthGenesis, Box<dyn std::error::Error>> {
    let path = vectors().join("committee-change/base-data/BootstrapDeneb.json");
    let text = std::fs::read_to_string(&path)?;
    let (_, b) = LightClientBootstrap::<Mainnet>::from_beacon_api_json(&text)?;
    Ok(EthGenesis {
        network: NetworkSpec::Builtin { builtin: "mainnet".into() },
        genesis_time: MAINNET_GENESIS_TIME,
        genesis_validators_root: MAINNET_GVR.into(),
        trusted_block_root: format!("{}", b.header.beacon_root()),
        bootstrap: serde_json::from_str(&text)?,
        bridge_contract: format!("0x{}", hex::encode(BRIDGE)),
        bridge_id: format!("0x{}", hex::encode(BRIDGE_ID)),
        eth_chain_id: ETH_CHAIN_ID,
        next_event_nonce: "1".into(),
        trusted_ring_size: 64,
        native_denoms: vec![NativeDenom {
            denom: "upeg".into(),
            name: "Peg".into(),
            symbol: "PEG".into(),
            decimals: 6,
        }],
        governance_voting_period: 10,
    })
}

/// alice (key 1) and bob (key 2) funded in upeg and ufoo; four validators (power 5 each) with
/// genesis Ethereum addresses; batches of at most 2 transfers, 2 pending per token.
fn genesis() -> Result<Genesis, Box<dyn std::error::Error>> {
    let coins = |upeg: u128, ufoo: u128| {
        vec![
            GenesisCoin { denom: "ufoo".into(), amount: ufoo },
            GenesisCoin { denom: "upeg".into(), amount: upeg },
        ]
    };
    let mut accounts = vec![
        GenesisAccount { address: addr(1).to_bech32(), balances: coins(1_000_000_000, 50_000) },
        GenesisAccount {
            address: addr(2).to_bech32(),
            balances: coins(1_000_000_000, 0)[1..].to_vec(),
        },
    ];
    let mut validators = Vec::new();
    let mut eth_addresses = Vec::new();
    for (i, seed) in VALIDATORS.into_iter().enumerate() {
        accounts.push(GenesisAccount {
            address: addr(seed).to_bech32(),
            balances: coins(100_000_000, 0)[1..].to_vec(),
        });
        validators.push(GenesisValidator {
            operator: addr(seed).to_bech32(),
            consensus_pubkey: hex::encode([0xA0 + i as u8; 32]),
            bonded: 5_000_000,
            moniker: format!("val-{i}"),
        });
        eth_addresses.push(GenesisEthAddress {
            operator: addr(seed).to_bech32(),
            eth_address: eth_addr(seed).to_string(),
        });
    }
    Ok(Genesis {
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
        eth: Some(eth_genesis()?),
        eth_addresses,
        bridge: Some(BridgeParams {
            batch_timeout_secs: TIMEOUT_SECS,
            max_batch_transfers: 2,
            max_pending_batches_per_token: 2,
        }),
    })
}

fn domain() -> BridgeDomain {
    BridgeDomain {
        chain_id: ETH_CHAIN_ID,
        verifying_contract: EthAddress::new(BRIDGE),
        bridge_id: B256::from(BRIDGE_ID),
    }
}

struct Node {
    app: App,
    height: i64,
    time: u64,
    sequences: std::collections::BTreeMap<u8, u64>,
    /// Next Ethereum block number of proven events (the ring only grows forward).
    eth_block: u64,
    /// Next bridge event nonce.
    event_nonce: u64,
    _dir: tempfile::TempDir,
}

impl Node {
    fn start() -> Result<Self, Box<dyn std::error::Error>> {
        Self::start_with(None)
    }

    /// A node whose blocks carry vote extensions from `height` on (`None`: never).
    fn start_with(extensions_from: Option<i64>) -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut app = App::open(dir.path())?;
        app.init_chain(&RequestInitChain {
            chain_id: CHAIN_ID.into(),
            app_state_bytes: genesis()?.to_json()?.into(),
            initial_height: 1,
            consensus_params: extensions_from.map(|height| ConsensusParams {
                abci: Some(AbciParams { vote_extensions_enable_height: height }),
                ..ConsensusParams::default()
            }),
            ..RequestInitChain::default()
        })?;
        let mut node = Self {
            app,
            height: 0,
            time: T0,
            sequences: Default::default(),
            eth_block: 25_000_000,
            event_nonce: 1,
            _dir: dir,
        };
        node.block(vec![])?;
        Ok(node)
    }

    /// A block 12 seconds after the previous one.
    fn block(
        &mut self,
        txs: Vec<Vec<u8>>,
    ) -> Result<ResponseFinalizeBlock, Box<dyn std::error::Error>> {
        self.height += 1;
        self.time += 12;
        let response = self.app.finalize_block(&RequestFinalizeBlock {
            txs: txs.into_iter().map(Into::into).collect(),
            height: self.height,
            time: Some(Timestamp { seconds: i64::try_from(self.time)?, nanos: 0 }),
            ..RequestFinalizeBlock::default()
        })?;
        self.app.commit()?;
        Ok(response)
    }

    /// Signs `msg` with key `seed` (account number = index in genesis).
    fn tx(&mut self, seed: u8, msg: Msg) -> Vec<u8> {
        let account_number = match seed {
            1 => 0,
            2 => 1,
            s if VALIDATORS.contains(&s) => u64::from(s - 10) + 2,
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

    /// One transaction in its own block; returns (code, log, events).
    fn run(
        &mut self,
        seed: u8,
        msg: Msg,
    ) -> Result<(u32, String, Vec<Event>), Box<dyn std::error::Error>> {
        let tx = self.tx(seed, msg);
        let block = self.block(vec![tx])?;
        let result = block.tx_results.first().ok_or("no tx result")?;
        let mut events = result.events.clone();
        events.extend(block.events);
        Ok((result.code, result.log.clone(), events))
    }

    fn ok(&mut self, seed: u8, msg: Msg) -> Result<Vec<Event>, Box<dyn std::error::Error>> {
        let (code, log, events) = self.run(seed, msg)?;
        assert_eq!(code, 0, "{log}");
        Ok(events)
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

    fn voucher_supply(&self, token: [u8; 20]) -> Result<u128, Box<dyn std::error::Error>> {
        let vouchers: Vec<VoucherView> = self.query("/eth/vouchers")?;
        Ok(vouchers
            .iter()
            .find(|v| v.denom == voucher(token))
            .map(|v| v.supply.parse())
            .transpose()?
            .unwrap_or(0))
    }

    /// Proves `events` (consecutive nonces from the next one) in one Ethereum block of
    /// timestamp `eth_time`, trusted through the test entry point; returns the block's events.
    fn prove(
        &mut self,
        eth_time: u64,
        events: impl FnOnce(u64) -> Vec<PegEvent>,
    ) -> Result<Vec<Event>, Box<dyn std::error::Error>> {
        let events = events(self.event_nonce);
        let count = events.len() as u64;
        let logs = events
            .iter()
            .map(|event| {
                let (topics, data) = event.encode_log();
                Log { address: Address::from(BRIDGE), topics, data: Bytes::from(data) }
            })
            .collect::<Vec<_>>();
        let mut receipt = Receipt {
            tx_type: TxType::Eip1559,
            outcome: ReceiptOutcome::Status(true),
            cumulative_gas_used: 50_000,
            logs_bloom: Default::default(),
            logs,
        };
        receipt.logs_bloom = receipt.compute_logs_bloom();
        let receipts = vec![receipt];
        let number = self.eth_block;
        self.eth_block += 2;
        let parent = ExecutionHeader {
            number,
            timestamp: eth_time,
            gas_limit: 30_000_000,
            receipts_root: compute_receipts_root(&receipts),
            base_fee_per_gas: Some(7),
            ..ExecutionHeader::default()
        };
        let child = ExecutionHeader {
            parent_hash: parent.hash()?,
            number: number + 1,
            timestamp: eth_time + 12,
            gas_limit: 30_000_000,
            base_fee_per_gas: Some(7),
            ..ExecutionHeader::default()
        };
        let trusted =
            TrustedBlock { number: number + 1, hash: child.hash()?.0, timestamp: child.timestamp };
        self.app.testing_trust_execution_block(trusted);
        self.block(vec![])?;
        let msg = Msg::SubmitEthEvents(MsgSubmitEthEvents {
            signer: addr(1),
            first_event_nonce: self.event_nonce,
            trusted_block_hash: trusted.hash,
            headers: vec![child.encode_rlp()?, parent.encode_rlp()?],
            receipts: vec![EventReceipt {
                header_index: 1,
                tx_index: 0,
                proof: generate_receipt_proof(&receipts, 0)?
                    .into_iter()
                    .map(|n| n.to_vec())
                    .collect(),
                log_indices: (0..count as u32).collect(),
            }],
        });
        let events = self.ok(1, msg)?;
        self.event_nonce += count;
        Ok(events)
    }

    fn send(
        &mut self,
        seed: u8,
        denom: &str,
        amount: u128,
        fee: u128,
    ) -> Result<(u32, String, Vec<Event>), Box<dyn std::error::Error>> {
        self.run(
            seed,
            Msg::SendToEthereum(MsgSendToEthereum {
                sender: addr(seed),
                eth_receiver: EthAddress::new([0x42; 20]),
                amount: Coin::new(denom, amount)?,
                bridge_fee: Coin::new(denom, fee)?,
            }),
        )
    }

    fn request_batch(
        &mut self,
        seed: u8,
        denom: &str,
    ) -> Result<(u32, String, Vec<Event>), Box<dyn std::error::Error>> {
        self.run(
            seed,
            Msg::RequestBatch(MsgRequestBatch { sender: addr(seed), denom: denom.into() }),
        )
    }
}

fn locked(nonce: u64, token: [u8; 20], receiver: AccAddress, amount: u64) -> PegEvent {
    PegEvent::Locked(TransferToPegZone {
        event_nonce: nonce,
        token: EthAddress::new(token),
        sender: EthAddress::new([0x5E; 20]),
        receiver: PegAccount::new(*receiver.as_bytes()),
        amount: U256::from(amount),
    })
}

fn executed(nonce: u64, token: [u8; 20], batch_nonce: u64) -> PegEvent {
    PegEvent::BatchExecuted(BatchExecuted {
        event_nonce: nonce,
        token: EthAddress::new(token),
        batch_nonce,
    })
}

fn has_event(events: &[Event], kind: &str, attributes: &[(&str, &str)]) -> bool {
    events.iter().any(|e| {
        e.r#type == kind
            && attributes
                .iter()
                .all(|(k, v)| e.attributes.iter().any(|a| a.key == *k && a.value == *v))
    })
}

fn transfer_ids(view: &BatchView) -> Vec<u64> {
    view.transfers.iter().map(|t| t.id).collect()
}

#[test]
fn genesis_valset_zero_is_confirmed_and_matches_the_deployment_valset() -> TestResult {
    let node = Node::start()?;
    let valsets: ValsetsView = node.query("/bridge/valsets")?;
    assert_eq!(valsets.confirmed_nonce, Some(0));
    assert_eq!(valsets.latest_nonce, Some(0));
    assert_eq!(valsets.valsets.len(), 1);
    let v0 = &valsets.valsets[0];
    let expected = Valset::from_raw_powers(0, VALIDATORS.iter().map(|s| (eth_addr(*s), 5)))?;
    let members: Vec<(String, u64)> =
        v0.members.iter().map(|m| (m.eth_address.clone(), m.power)).collect();
    let expected_members: Vec<(String, u64)> =
        expected.members.iter().map(|m| (m.eth_address.to_string(), m.power)).collect();
    assert_eq!(members, expected_members);
    assert!(v0.confirmed);
    assert_eq!(v0.created_height, 1);
    assert_eq!(v0.digest, format!("{}", valset_update_digest(&domain(), &expected)));
    assert!(v0.signatures.is_empty());
    // Nothing to sign: no unconfirmed valset, no batch.
    let signers: Vec<SignerView> = node.query("/bridge/signatures")?;
    assert_eq!(signers.len(), 4);
    assert!(signers.iter().all(|s| s.pending == 0 && s.missing == 0 && s.power == 5));
    assert!(signers.iter().all(|s| s.eth_address.is_some()));
    let params: BridgeParams = node.query("/bridge/params")?;
    assert_eq!(params.batch_timeout_secs, TIMEOUT_SECS);
    let pool: Vec<OutgoingTransfer> = node.query("/bridge/pool")?;
    assert!(pool.is_empty());
    Ok(())
}

#[test]
fn vouchers_pool_cancel_batch_execute_and_supply() -> TestResult {
    let mut node = Node::start()?;
    let alice = addr(1);
    let eth_denom = voucher(ETH);
    node.prove(ETH_TIME, |n| vec![locked(n, ETH, alice, 10_000)])?;
    assert_eq!(node.balance(&alice, &eth_denom)?, 10_000);
    assert_eq!(node.voucher_supply(ETH)?, 10_000);

    // Three transfers: fees 5, 9, 9.
    for fee in [5, 9, 9] {
        let (code, log, events) = node.send(1, &eth_denom, 100, fee)?;
        assert_eq!(code, 0, "{log}");
        assert!(has_event(&events, "send_to_ethereum", &[("denom", &eth_denom)]));
    }
    let pool_account = peg_app::bridge::pool_address();
    assert_eq!(node.balance(&pool_account, &eth_denom)?, 323);
    assert_eq!(node.balance(&alice, &eth_denom)?, 10_000 - 323);
    assert_eq!(node.voucher_supply(ETH)?, 10_000, "vouchers in the pool are not burned yet");
    let pool: Vec<OutgoingTransfer> = node.query("/bridge/pool")?;
    assert_eq!(
        pool.iter().map(|t| (t.id, t.fee)).collect::<Vec<_>>(),
        vec![(2, 9), (3, 9), (1, 5)]
    );
    assert_eq!(pool[0].token, "0x0000000000000000000000000000000000000000");
    assert_eq!(pool[0].receiver, EthAddress::new([0x42; 20]).to_string());
    assert_eq!(pool[0].sender, alice.to_bech32());
    let by_denom: Vec<OutgoingTransfer> = node.query(&format!("/bridge/pool/{eth_denom}"))?;
    assert_eq!(by_denom, pool);

    // Cancel: only the sender, exact refund, only once.
    let cancel = |seed: u8, id: u64| {
        Msg::CancelSendToEthereum(MsgCancelSendToEthereum { sender: addr(seed), transfer_id: id })
    };
    let (code, log, _) = node.run(10, cancel(10, 1))?;
    assert_eq!(code, CODE_BRIDGE_NOT_SENDER, "{log}");
    node.ok(1, cancel(1, 1))?;
    assert_eq!(node.balance(&alice, &eth_denom)?, 10_000 - 218);
    assert_eq!(node.balance(&pool_account, &eth_denom)?, 218);
    let (code, log, _) = node.run(1, cancel(1, 1))?;
    assert_eq!(code, CODE_BRIDGE_NOT_IN_POOL, "{log}");

    // Batch 1: the two best fees, timeout = block time + param.
    let (code, log, events) = node.request_batch(2, &eth_denom)?;
    assert_eq!(code, 0, "{log}");
    assert!(has_event(&events, "batch_created", &[("nonce", "1"), ("transfers", "2,3")]));
    let batch1_time = node.time;
    let (code, _, _) = node.run(1, cancel(1, 2))?;
    assert_eq!(code, CODE_BRIDGE_NOT_IN_POOL, "a batched transfer cannot be cancelled");
    let (code, log, _) = node.request_batch(2, &eth_denom)?;
    assert_eq!(code, CODE_BRIDGE_BATCH, "empty pool: {log}");
    // Batch 2 with one new transfer; then the pending cap (2 per token) refuses a third.
    node.send(1, &eth_denom, 50, 1)?;
    node.ok(2, Msg::RequestBatch(MsgRequestBatch { sender: addr(2), denom: eth_denom.clone() }))?;
    node.send(1, &eth_denom, 70, 0)?;
    let (code, log, _) = node.request_batch(2, &eth_denom)?;
    assert_eq!(code, CODE_BRIDGE_BATCH, "{log}");
    assert!(log.contains("2 pending batches"), "{log}");

    let batches: Vec<BatchView> = node.query("/bridge/batches")?;
    assert_eq!(batches.iter().map(|b| b.nonce).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(transfer_ids(&batches[0]), vec![2, 3]);
    assert_eq!(transfer_ids(&batches[1]), vec![4]);
    assert_eq!(batches[0].timeout, batch1_time + TIMEOUT_SECS);
    assert_eq!(batches[0].status, peg_app::bridge::BatchStatus::Pending);
    assert!(batches[0].signatures.is_empty());
    let expected = Batch {
        token: EthAddress::new(ETH),
        batch_nonce: 1,
        timeout: batch1_time + TIMEOUT_SECS,
        transfers: [9u64, 9]
            .iter()
            .map(|fee| Transfer {
                receiver: EthAddress::new([0x42; 20]),
                amount: U256::from(100u64),
                fee: U256::from(*fee),
            })
            .collect(),
    };
    assert_eq!(batches[0].digest, format!("{}", batch_digest(&domain(), &expected)));
    let signers: Vec<SignerView> = node.query("/bridge/signatures")?;
    assert!(signers.iter().all(|s| s.pending == 2 && s.signed == 0 && s.missing == 2));

    // Batch 2 executes on Ethereum: burned from the pool and the supply; batch 1 (older, same
    // token) is cancelled and its transfers are back in the pool with their ids.
    let events = node.prove(ETH_TIME + 100, |n| vec![executed(n, ETH, 2)])?;
    assert!(has_event(&events, "batch_executed", &[("nonce", "2"), ("settlement", "burned")]));
    assert!(has_event(&events, "batch_cancelled", &[("nonce", "1")]));
    assert_eq!(node.voucher_supply(ETH)?, 10_000 - 51);
    assert_eq!(node.balance(&pool_account, &eth_denom)?, 218 + 70);
    let batch2: BatchView = node.query("/bridge/batch/2")?;
    assert_eq!(batch2.status, peg_app::bridge::BatchStatus::Executed);
    let batch1: BatchView = node.query("/bridge/batch/1")?;
    assert_eq!(batch1.status, peg_app::bridge::BatchStatus::Cancelled);
    let batches: Vec<BatchView> = node.query("/bridge/batches")?;
    assert!(batches.is_empty());
    let pool: Vec<OutgoingTransfer> = node.query("/bridge/pool")?;
    assert_eq!(pool.iter().map(|t| t.id).collect::<Vec<_>>(), vec![2, 3, 5]);
    // Supply invariant: vouchers held anywhere on the zone == supply == what the contract holds
    // (10 000 locked, 51 released by batch 2).
    let held = node.balance(&alice, &eth_denom)? + node.balance(&pool_account, &eth_denom)?;
    assert_eq!(held, node.voucher_supply(ETH)?);
    assert_eq!(held, 10_000 - 51);

    // A repeat BatchExecuted of a settled batch changes nothing but is recorded.
    let events = node.prove(ETH_TIME + 200, |n| vec![executed(n, ETH, 2)])?;
    assert!(has_event(&events, "batch_executed_unknown", &[("nonce", "2")]));
    assert_eq!(node.voucher_supply(ETH)?, 10_000 - 51);
    Ok(())
}

#[test]
fn batches_time_out_by_the_observed_ethereum_time() -> TestResult {
    let mut node = Node::start()?;
    let alice = addr(1);
    let eth_denom = voucher(ETH);
    node.prove(ETH_TIME, |n| vec![locked(n, ETH, alice, 1_000)])?;
    node.send(1, &eth_denom, 100, 3)?;
    node.ok(1, Msg::RequestBatch(MsgRequestBatch { sender: alice, denom: eth_denom.clone() }))?;
    let batch: BatchView = node.query("/bridge/batch/1")?;
    // An event in an Ethereum block just before the timeout: the batch could still execute.
    let events = node.prove(batch.timeout - 13, |n| vec![locked(n, ETH, alice, 1)])?;
    assert!(!has_event(&events, "batch_timed_out", &[]));
    let pending: Vec<BatchView> = node.query("/bridge/batches")?;
    assert_eq!(pending.len(), 1);
    // An event in a block at the timeout: the contract refuses the batch from then on.
    let events = node.prove(batch.timeout, |n| vec![locked(n, ETH, alice, 1)])?;
    assert!(has_event(&events, "batch_timed_out", &[("nonce", "1")]), "{events:?}");
    let batch: BatchView = node.query("/bridge/batch/1")?;
    assert_eq!(batch.status, peg_app::bridge::BatchStatus::Cancelled);
    let pool: Vec<OutgoingTransfer> = node.query("/bridge/pool")?;
    assert_eq!(pool.iter().map(|t| t.id).collect::<Vec<_>>(), vec![1]);
    // It goes out again in a new batch, with a fresh timeout.
    node.ok(1, Msg::RequestBatch(MsgRequestBatch { sender: alice, denom: eth_denom.clone() }))?;
    let again: BatchView = node.query("/bridge/batch/2")?;
    assert_eq!(transfer_ids(&again), vec![1]);
    assert_eq!(again.timeout, node.time + TIMEOUT_SECS);
    assert_eq!(node.balance(&peg_app::bridge::pool_address(), &eth_denom)?, 103);
    Ok(())
}

#[test]
fn native_denom_register_adopt_send_execute_escrow_and_release() -> TestResult {
    let mut node = Node::start()?;
    let alice = addr(1);
    let register = |seed: u8, denom: &str| {
        Msg::RegisterDenom(MsgRegisterDenom {
            sender: addr(seed),
            denom: denom.into(),
            name: "Foo".into(),
            symbol: "FOO".into(),
            decimals: 6,
        })
    };
    // Refusals: a denom the sender does not hold, a genesis native denom.
    let (code, log, _) = node.run(2, register(2, "ufoo"))?;
    assert_eq!(code, CODE_BRIDGE_REGISTER_DENOM, "{log}");
    let (code, log, _) = node.run(1, register(1, "upeg"))?;
    assert_eq!(code, CODE_BRIDGE_REGISTER_DENOM, "{log}");
    let events = node.ok(1, register(1, "ufoo"))?;
    assert!(has_event(&events, "register_denom", &[("denom", "ufoo"), ("symbol", "FOO")]));
    let (code, log, _) = node.run(1, register(1, "ufoo"))?;
    assert_eq!(code, CODE_BRIDGE_REGISTER_DENOM, "twice: {log}");
    let denoms: Vec<DenomView> = node.query("/bridge/denoms")?;
    assert_eq!(denoms.len(), 1);
    assert_eq!(denoms[0].adopted_token, None);

    // Not adopted yet: no token to send to.
    let (code, log, _) = node.send(1, "ufoo", 1_000, 10)?;
    assert_eq!(code, CODE_BRIDGE_UNKNOWN_TOKEN, "{log}");
    // The CosmosERC20 is deployed with the registered metadata: adopted.
    let events = node.prove(ETH_TIME, |n| {
        vec![PegEvent::TokenDeployed(TokenDeployed {
            event_nonce: n,
            token: EthAddress::new(COSMOS_ERC20),
            denom: "ufoo".into(),
            name: "Foo".into(),
            symbol: "FOO".into(),
            decimals: 6,
        })]
    })?;
    assert!(has_event(&events, "token_adopted", &[("denom", "ufoo")]));
    let (code, log, _) = node.run(1, register(1, "ufoo"))?;
    assert_eq!(code, CODE_BRIDGE_REGISTER_DENOM, "adopted: {log}");

    node.send(1, "ufoo", 1_000, 10)?;
    assert_eq!(node.balance(&alice, "ufoo")?, 50_000 - 1_010);
    node.ok(1, Msg::RequestBatch(MsgRequestBatch { sender: alice, denom: "ufoo".into() }))?;
    let batch: BatchView = node.query("/bridge/batch/1")?;
    assert_eq!(batch.token, format!("0x{}", hex::encode(COSMOS_ERC20)));
    // Executed: the CosmosERC20 minted 1000 + 10; the pool moves them to the escrow.
    let events = node.prove(ETH_TIME + 10, |n| vec![executed(n, COSMOS_ERC20, 1)])?;
    assert!(has_event(&events, "batch_executed", &[("settlement", "escrowed")]));
    let escrow = peg_app::eth::escrow_address();
    assert_eq!(node.balance(&escrow, "ufoo")?, 1_010);
    assert_eq!(node.balance(&peg_app::bridge::pool_address(), "ufoo")?, 0);
    let denoms: Vec<DenomView> = node.query("/bridge/denoms")?;
    assert_eq!(denoms[0].adopted_token, Some(format!("0x{}", hex::encode(COSMOS_ERC20))));
    assert_eq!(denoms[0].escrowed, "1010");
    // Burned on Ethereum (400 of the 1010 minted): released from the escrow.
    let events = node.prove(ETH_TIME + 20, |n| {
        vec![PegEvent::Burned(TransferToPegZone {
            event_nonce: n,
            token: EthAddress::new(COSMOS_ERC20),
            sender: EthAddress::new([0x5E; 20]),
            receiver: PegAccount::new(*alice.as_bytes()),
            amount: U256::from(400u64),
        })]
    })?;
    assert!(has_event(&events, "escrow_released", &[("amount", "400")]));
    assert_eq!(node.balance(&alice, "ufoo")?, 50_000 - 1_010 + 400);
    // Invariant: escrow == CosmosERC20 total supply (1010 minted − 400 burned).
    let tokens: Vec<TokenView> = node.query("/eth/tokens")?;
    let foo = tokens.iter().find(|t| t.denom == "ufoo").ok_or("ufoo adopted")?;
    assert_eq!(foo.escrowed, "610");
    Ok(())
}

#[test]
fn valsets_follow_power_and_continuity_waits_for_confirmation() -> TestResult {
    let mut node = Node::start()?;
    let bond = |seed: u8, amount: u128| {
        Msg::Bond(MsgBondUnbond {
            operator_address: addr(seed),
            amount: Coin::new("upeg", amount).expect("denom"),
        })
    };
    let unbond = |seed: u8, amount: u128| {
        Msg::Unbond(MsgBondUnbond {
            operator_address: addr(seed),
            amount: Coin::new("upeg", amount).expect("denom"),
        })
    };
    // 5,5,5,5 → 6,5,5,5: 3.6% of the power moved, no new valset.
    let events = node.ok(10, bond(10, 1_000_000))?;
    assert!(!has_event(&events, "valset_created", &[]));
    let valsets: ValsetsView = node.query("/bridge/valsets")?;
    assert_eq!(valsets.latest_nonce, Some(0));
    // 7,5,5,5 against valset 0: 6.8% moved, valset 1.
    let events = node.ok(10, bond(10, 1_000_000))?;
    assert!(has_event(&events, "valset_created", &[("nonce", "1")]), "{events:?}");
    let created_at = node.height as u64;
    let valsets: ValsetsView = node.query("/bridge/valsets")?;
    assert_eq!((valsets.confirmed_nonce, valsets.latest_nonce), (Some(0), Some(1)));
    assert_eq!(
        valsets.valsets.iter().map(|v| (v.nonce, v.confirmed)).collect::<Vec<_>>(),
        vec![(1, false), (0, true)]
    );
    let expected = Valset::from_raw_powers(
        1,
        [(eth_addr(10), 7), (eth_addr(11), 5), (eth_addr(12), 5), (eth_addr(13), 5)],
    )?;
    let v1 = &valsets.valsets[0];
    assert_eq!(v1.members.iter().map(|m| m.power).collect::<Vec<_>>(), expected.powers());
    assert_eq!(v1.members[0].eth_address, eth_addr(10).to_string());
    assert_eq!(v1.digest, format!("{}", valset_update_digest(&domain(), &expected)));
    assert_eq!(v1.created_height, created_at);
    node.block(vec![])?;
    let signers: Vec<SignerView> = node.query("/bridge/signatures")?;
    assert!(signers.iter().all(|s| s.pending == 1 && s.missing == 0), "one block: not late yet");
    node.block(vec![])?;
    let signers: Vec<SignerView> = node.query("/bridge/signatures")?;
    assert!(signers.iter().all(|s| s.pending == 1 && s.missing == 1));
    assert!(signers.iter().all(|s| s.oldest_missing_height == Some(created_at)));

    // Membership: validator 13 leaves (valset 0 keeps 75% > 2/3), valset 2 without it.
    let events = node.ok(13, unbond(13, 5_000_000))?;
    assert!(has_event(&events, "valset_created", &[("nonce", "2")]), "{events:?}");
    // Validator 12 leaving too would leave valset 0 (on Ethereum) with 50%: refused, 147.
    let (code, log, _) = node.run(12, unbond(12, 5_000_000))?;
    assert_eq!(code, CODE_VALSET_CONTINUITY, "{log}");
    assert!(log.contains("wait until valset 2 is confirmed"), "{log}");
    // A partial unbond keeps it a member: allowed.
    node.ok(12, unbond(12, 1_000_000))?;

    // Ethereum moves to valset 2 (skipping 1): confirmed, older signatures dropped.
    let valsets: ValsetsView = node.query("/bridge/valsets")?;
    let v2 = valsets.valsets.iter().find(|v| v.nonce == 2).ok_or("valset 2")?;
    let members = v2
        .members
        .iter()
        .map(|m| {
            Ok(peg_types::ValsetMember { eth_address: m.eth_address.parse()?, power: m.power })
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let valset2 = Valset { nonce: 2, members };
    let events = node.prove(ETH_TIME, |n| {
        vec![PegEvent::ValsetUpdated(ValsetUpdated { event_nonce: n, valset: valset2.clone() })]
    })?;
    assert!(has_event(&events, "valset_confirmed", &[("nonce", "2")]), "{events:?}");
    let valsets: ValsetsView = node.query("/bridge/valsets")?;
    assert_eq!(valsets.confirmed_nonce, Some(2));
    // Only the confirmed one remains listed (1 is below it): nothing left to sign.
    assert!(valsets.valsets.iter().all(|v| v.confirmed));
    let signers: Vec<SignerView> = node.query("/bridge/signatures")?;
    assert!(signers.iter().all(|s| s.pending == 0));
    // Against valset 2 (7,5,5 of 17 → 4 of 17 left for 12 after its partial unbond), 12 leaving
    // keeps 12/17 > 2/3: allowed now.
    node.ok(12, unbond(12, 4_000_000))?;
    Ok(())
}

#[test]
fn without_the_ethereum_module_bridge_messages_fail_with_140() -> TestResult {
    let mut genesis = genesis()?;
    genesis.eth = None;
    let dir = tempfile::tempdir()?;
    let mut app = App::open(dir.path())?;
    app.init_chain(&RequestInitChain {
        chain_id: CHAIN_ID.into(),
        app_state_bytes: genesis.to_json()?.into(),
        initial_height: 1,
        ..RequestInitChain::default()
    })?;
    let mut node = Node {
        app,
        height: 0,
        time: T0,
        sequences: Default::default(),
        eth_block: 0,
        event_nonce: 1,
        _dir: dir,
    };
    node.block(vec![])?;
    let (code, log, _) = node.send(1, "upeg", 10, 0)?;
    assert_eq!(code, peg_app::CODE_ETH_DISABLED, "{log}");
    let (code, log, _) = node.request_batch(1, "upeg")?;
    assert_eq!(code, peg_app::CODE_ETH_DISABLED, "{log}");
    let response =
        node.app.query(&RequestQuery { path: "/bridge/valsets".into(), ..RequestQuery::default() });
    assert_eq!(response.code, peg_app::CODE_NOT_FOUND, "{}", response.log);
    // Bonding changes are not held by any continuity rule.
    node.ok(
        13,
        Msg::Unbond(MsgBondUnbond {
            operator_address: addr(13),
            amount: Coin::new("upeg", 5_000_000)?,
        }),
    )?;
    node.ok(
        12,
        Msg::Unbond(MsgBondUnbond {
            operator_address: addr(12),
            amount: Coin::new("upeg", 5_000_000)?,
        }),
    )?;
    Ok(())
}

#[test]
fn signatures_from_vote_extensions_appear_in_the_batch_query() -> TestResult {
    let mut node = Node::start_with(Some(2))?;
    let alice = addr(1);
    let eth_denom = voucher(ETH);
    node.prove(ETH_TIME, |n| vec![locked(n, ETH, alice, 1_000)])?;
    node.send(1, &eth_denom, 100, 3)?;
    node.ok(1, Msg::RequestBatch(MsgRequestBatch { sender: alice, denom: eth_denom.clone() }))?;
    // Validator 10 signs the pending batch in its vote extension; the next proposer injects it.
    node.app.set_eth_signer(eth_key(10));
    let extension = node
        .app
        .extend_vote(&RequestExtendVote {
            height: node.height + 1,
            ..RequestExtendVote::default()
        })?
        .vote_extension;
    node.block(vec![])?;
    let vote = ExtendedVoteInfo {
        validator: Some(VoteValidator {
            address: peg_app::bridge::signatures::validator_address(&[0xA0; 32]).to_vec().into(),
            power: 5,
        }),
        vote_extension: extension,
        extension_signature: vec![0; 64].into(),
        block_id_flag: BlockIdFlag::Commit as i32,
    };
    let txs = node
        .app
        .prepare_proposal(&RequestPrepareProposal {
            max_tx_bytes: 1 << 20,
            local_last_commit: Some(ExtendedCommitInfo { round: 0, votes: vec![vote] }),
            height: node.height + 1,
            ..RequestPrepareProposal::default()
        })?
        .txs;
    assert_eq!(txs.len(), 1, "the injected signatures");
    node.block(txs.into_iter().map(|t| t.to_vec()).collect())?;
    let signed_at = node.height as u64;

    let batches: Vec<BatchView> = node.query("/bridge/batches")?;
    let batch = batches.first().ok_or("one pending batch")?;
    assert_eq!(batch.signatures.len(), 1);
    let signature = &batch.signatures[0];
    assert_eq!(signature.validator, addr(10).to_valoper().to_bech32());
    assert_eq!(signature.eth_address, eth_addr(10).to_string());
    assert_eq!(signature.signature.len(), 2 + 130);
    let bytes = hex::decode(&signature.signature[2..])?;
    let digest: B256 = batch.digest.parse()?;
    let recovered =
        peg_types::recover_signer(&digest, &peg_types::EthSignature::from_bytes(&bytes)?)?;
    assert_eq!(recovered, eth_addr(10), "the stored signature verifies over the digest");
    let signers: Vec<SignerView> = node.query("/bridge/signatures")?;
    let ten = addr(10).to_valoper().to_bech32();
    for signer in &signers {
        if signer.validator == ten {
            assert_eq!((signer.pending, signer.signed, signer.missing), (1, 1, 0));
            assert_eq!(signer.last_signed_height, Some(signed_at));
        } else {
            assert_eq!((signer.pending, signer.signed), (1, 0));
            assert_eq!(signer.last_signed_height, None);
        }
    }
    // Executed: the signatures are no longer needed.
    node.prove(ETH_TIME + 1, |n| vec![executed(n, ETH, 1)])?;
    let batch: BatchView = node.query("/bridge/batch/1")?;
    assert!(batch.signatures.is_empty());
    Ok(())
}

/// ExtendVote executes block H speculatively: a batch requested in H is signed in H's own
/// precommits, injected by the proposer of H + 1 and stored there (one block).
#[test]
fn a_batch_requested_in_block_h_is_signed_in_its_own_precommits_and_stored_at_h_plus_1(
) -> TestResult {
    let mut node = Node::start_with(Some(2))?;
    let alice = addr(1);
    let eth_denom = voucher(ETH);
    node.prove(ETH_TIME, |n| vec![locked(n, ETH, alice, 1_000)])?;
    node.send(1, &eth_denom, 100, 3)?;
    let request =
        node.tx(1, Msg::RequestBatch(MsgRequestBatch { sender: alice, denom: eth_denom.clone() }));
    let block_h = vec![request];
    let height = node.height + 1;
    let time = node.time + 12;
    let mut votes = Vec::new();
    for (i, seed) in VALIDATORS.into_iter().enumerate() {
        node.app.set_eth_signer(eth_key(seed));
        let started = std::time::Instant::now();
        let extension = node
            .app
            .extend_vote(&RequestExtendVote {
                height,
                time: Some(Timestamp { seconds: i64::try_from(time)?, nanos: 0 }),
                txs: block_h.iter().cloned().map(Into::into).collect(),
                ..RequestExtendVote::default()
            })?
            .vote_extension;
        eprintln!("ExtendVote({height}) with a batch request took {:?}", started.elapsed());
        let decoded = peg_app::VoteExtension::decode(&extension)?;
        assert_eq!(decoded.signatures().len(), 1, "validator {seed} signs the new batch");
        votes.push(ExtendedVoteInfo {
            validator: Some(VoteValidator {
                address: peg_app::bridge::signatures::validator_address(&[0xA0 + i as u8; 32])
                    .to_vec()
                    .into(),
                power: 5,
            }),
            vote_extension: extension,
            extension_signature: vec![0; 64].into(),
            block_id_flag: BlockIdFlag::Commit as i32,
        });
    }
    // FinalizeBlock(H) creates the batch, unaffected by the speculative runs.
    let result = node.block(block_h)?;
    assert_eq!(result.tx_results[0].code, 0, "{}", result.tx_results[0].log);
    let batches: Vec<BatchView> = node.query("/bridge/batches")?;
    let nonce = batches.first().ok_or("one pending batch")?.nonce;
    assert!(batches[0].signatures.is_empty());
    // The proposer of H + 1 injects the four signatures; H + 1 stores them.
    let txs = node
        .app
        .prepare_proposal(&RequestPrepareProposal {
            max_tx_bytes: 1 << 20,
            local_last_commit: Some(ExtendedCommitInfo { round: 0, votes }),
            height: node.height + 1,
            ..RequestPrepareProposal::default()
        })?
        .txs;
    assert_eq!(txs.len(), 1, "the injected signatures");
    let result = node.block(txs.into_iter().map(|t| t.to_vec()).collect())?;
    assert_eq!(result.tx_results[0].code, 0, "{}", result.tx_results[0].log);
    let batch: BatchView = node.query(&format!("/bridge/batch/{nonce}"))?;
    assert_eq!(batch.signatures.len(), 4, "stored by block H + 1");
    Ok(())
}
