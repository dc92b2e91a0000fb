//! A batch requested in block H is signed in the precommits of block H itself (ExtendVote
//! executes the block speculatively), injected by the proposer of H + 1 and stored there.
//! The node harness is the one of tests/bridge.rs (real signed transactions, real proofs).
#![allow(dead_code, unused_imports)]

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
