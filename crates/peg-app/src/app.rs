//! The ABCI 2.0 application: one method per ABCI call (`specs/state-machine.md` §1).

use std::path::{Path, PathBuf};

use peg_store::{encode_proof, PreparedCommit, Store, StoreConfig, WorkingSet};
use peg_tx::{decode_tx, AccAddress, TxError};
use serde::Serialize;
use tendermint_proto::v0_38::abci::{
    response_process_proposal::ProposalStatus, response_verify_vote_extension::VerifyStatus,
    ExecTxResult, RequestCheckTx, RequestExtendVote, RequestFinalizeBlock, RequestInfo,
    RequestInitChain, RequestPrepareProposal, RequestProcessProposal, RequestQuery,
    RequestVerifyVoteExtension, ResponseCheckTx, ResponseCommit, ResponseExtendVote,
    ResponseFinalizeBlock, ResponseInfo, ResponseInitChain, ResponsePrepareProposal,
    ResponseProcessProposal, ResponseQuery, ResponseVerifyVoteExtension, ValidatorUpdate,
};
use tendermint_proto::v0_38::crypto::{public_key, ProofOp, ProofOps, PublicKey};
use tracing::{debug, info, warn};

use crate::error::{AppError, CODE_INTERNAL};
use crate::eth::{self, BlockContext, EthCache, TrustedBlock};
use crate::exec::{ante, execute_messages, tx_limits, PowerChanges};
use crate::genesis::{Genesis, Params};
use crate::state::{account_key, balances_key, consensus_key_key, Cache, Validator, KEY_PARAMS};
use crate::vote_ext::{
    apply_injected_signatures, check_proposal_injection, collect_signatures,
    sign_pending_checkpoints, InjectedSignatures, VoteExtension, CODE_BAD_INJECTED_TX,
};

/// The ABCI protocol version this application speaks (CometBFT v0.38).
pub const ABCI_APP_VERSION: u64 = 1;
/// The `ProofOp` type of the proofs `query` returns.
pub const PROOF_OP_TYPE: &str = "ics23:jmt";
/// Code of a malformed query.
pub const CODE_BAD_QUERY: u32 = 130;
/// Code of a query for something absent.
pub const CODE_NOT_FOUND: u32 = 131;

/// Node-local settings (not consensus).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppConfig {
    /// The state store's settings.
    pub store: StoreConfig,
    /// Blocks CometBFT must keep (`retain_height = height - min_retain_blocks`); 0 keeps all.
    pub min_retain_blocks: u64,
}

#[derive(Debug)]
struct PendingGenesis {
    ws: WorkingSet,
    params: Params,
    initial_height: u64,
}

#[derive(Debug)]
struct PendingBlock {
    prepared: PreparedCommit,
    params: Params,
}

/// The peg zone state machine. Deterministic: no network, no wall clock (time is block time).
#[derive(Debug)]
pub struct App {
    store: Store,
    config: AppConfig,
    params: Option<Params>,
    check_ws: WorkingSet,
    genesis: Option<PendingGenesis>,
    pending: Option<PendingBlock>,
    eth_cache: EthCache,
    /// Ring entries a test asked to trust, written at the start of the next FinalizeBlock
    /// (only [`App::testing_trust_execution_block`] fills it).
    injected_trusted: Vec<TrustedBlock>,
    /// The validator's Ethereum key, signing checkpoints in ExtendVote (node-local, never in
    /// state; `None`: extensions carry no signature).
    eth_signer: Option<peg_types::SigningKey>,
}

fn to_height(height: i64, what: &str) -> Result<u64, AppError> {
    u64::try_from(height)
        .ok()
        .filter(|h| *h > 0)
        .ok_or_else(|| AppError::OutOfOrder(format!("{what} height {height} is not positive")))
}

fn validator_update(key: &[u8; 32], power: i64) -> ValidatorUpdate {
    ValidatorUpdate {
        pub_key: Some(PublicKey { sum: Some(public_key::Sum::Ed25519(key.to_vec())) }),
        power,
    }
}

/// Bytes a transaction adds to the `Data.Txs` protobuf field (tag, length varint, bytes), the
/// way CometBFT counts `max_tx_bytes`.
fn proto_tx_size(len: usize) -> usize {
    let mut varint = 1;
    let mut rest = len >> 7;
    while rest > 0 {
        varint += 1;
        rest >>= 7;
    }
    1 + varint + len
}

impl App {
    /// The state store file under a node home: `<home>/data/peg-app.redb`.
    pub fn store_path(home: &Path) -> PathBuf {
        home.join("data").join("peg-app.redb")
    }

    /// Opens (or creates) the application state under `home` with the default settings.
    pub fn open(home: impl AsRef<Path>) -> Result<Self, AppError> {
        Self::open_with(home, AppConfig::default())
    }

    /// Opens (or creates) the application state under `home`.
    pub fn open_with(home: impl AsRef<Path>, config: AppConfig) -> Result<Self, AppError> {
        let path = Self::store_path(home.as_ref());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::Genesis(format!("cannot create {}: {e}", dir.display())))?;
        }
        let store = Store::open_with(&path, config.store)?;
        Self::from_store(store, config)
    }

    /// Wraps an opened store: reads the committed parameters, if any.
    pub fn from_store(store: Store, config: AppConfig) -> Result<Self, AppError> {
        let params = store.get(KEY_PARAMS)?.map(|bytes| Params::decode(&bytes)).transpose()?;
        let check_ws = store.working_set()?;
        let app = Self {
            store,
            config,
            params,
            check_ws,
            genesis: None,
            pending: None,
            eth_cache: EthCache::default(),
            injected_trusted: Vec::new(),
            eth_signer: None,
        };
        info!(height = ?app.last_height()?, "peg app opened");
        Ok(app)
    }

    /// Gives the node's Ethereum key (`<home>/config/eth_key`, loaded by `pegd start`): from
    /// now on ExtendVote signs the pending checkpoints with it (§6). Never stored in state.
    pub fn set_eth_signer(&mut self, key: peg_types::SigningKey) {
        info!(
            eth_address = %peg_types::signer_address(&key),
            "checkpoint signing enabled"
        );
        self.eth_signer = Some(key);
    }

    /// The latest state the proposal and vote-extension calls read: the pending genesis before
    /// the first commit, else the last committed block.
    fn latest_state(&self) -> Result<WorkingSet, AppError> {
        match &self.genesis {
            Some(g) => Ok(g.ws.clone()),
            None => Ok(self.store.working_set()?),
        }
    }

    /// The state store (read access for tools and tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The committed chain parameters (`None` before the first commit).
    pub fn params(&self) -> Option<&Params> {
        self.params.as_ref()
    }

    /// The last committed height (`None`: nothing committed).
    pub fn last_height(&self) -> Result<Option<u64>, AppError> {
        Ok(self.store.latest_version()?)
    }

    /// Whether the block at `height` carries vote extensions (§6): CometBFT's
    /// `vote_extensions_enable_height` rule, the one helper every caller uses.
    pub fn vote_extensions_enabled(&self, height: u64) -> bool {
        self.current_params().is_some_and(|p| p.vote_extensions_enabled(height))
    }

    fn current_params(&self) -> Option<&Params> {
        self.params.as_ref().or(self.genesis.as_ref().map(|g| &g.params))
    }

    /// `Info`: the last committed height and app hash, from which CometBFT replays.
    pub fn info(&self, _req: &RequestInfo) -> Result<ResponseInfo, AppError> {
        let (height, hash) = match self.store.latest_version()? {
            Some(height) => (height, self.store.root_hash()?.0.to_vec()),
            None => (0, Vec::new()),
        };
        let last_block_height = i64::try_from(height)
            .map_err(|_| AppError::OutOfOrder(format!("height {height} beyond i64")))?;
        Ok(ResponseInfo {
            data: "peg-zone".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            app_version: ABCI_APP_VERSION,
            last_block_height,
            last_block_app_hash: hash.into(),
        })
    }

    /// `InitChain`: loads the genesis `app_state` (§3), kept pending until the first block
    /// commits; returns the genesis app hash and the validator set.
    pub fn init_chain(&mut self, req: &RequestInitChain) -> Result<ResponseInitChain, AppError> {
        if self.store.latest_version()?.is_some() {
            return Err(AppError::OutOfOrder("InitChain on a store that has blocks".into()));
        }
        let genesis = Genesis::from_json(&req.app_state_bytes)?;
        let ve_height = req
            .consensus_params
            .as_ref()
            .and_then(|c| c.abci.as_ref())
            .map_or(0, |a| a.vote_extensions_enable_height);
        let ve_height = u64::try_from(ve_height).map_err(|_| {
            AppError::Genesis(format!("vote_extensions_enable_height {ve_height} is negative"))
        })?;
        let checked = genesis.check(&req.chain_id, ve_height)?;
        let initial_height = u64::try_from(req.initial_height.max(1))
            .map_err(|_| AppError::Genesis("initial height".into()))?;
        let mut ws = self.store.working_set()?;
        let mut cache = Cache::new(&self.store, &mut ws);
        cache.set(KEY_PARAMS.to_vec(), checked.params.encode());
        for (address, coins) in &checked.accounts {
            cache.account_or_create(address)?;
            for coin in coins.as_slice() {
                cache.add_balance(address, &coin.denom, coin.amount)?;
            }
        }
        let mut updates = Vec::with_capacity(checked.validators.len());
        let mut set = Vec::with_capacity(checked.validators.len());
        for v in &checked.validators {
            cache.account_or_create(&v.operator)?;
            let validator = Validator {
                operator: v.operator,
                consensus_pubkey: v.consensus_pubkey,
                bonded: v.bonded,
                moniker: v.moniker.clone(),
            };
            cache.set_validator(&validator);
            cache.set(consensus_key_key(&v.consensus_pubkey), v.operator.as_bytes().to_vec());
            set.push(v.operator);
            updates.push(validator_update(
                &v.consensus_pubkey,
                validator.power(checked.params.power_reduction)?,
            ));
        }
        cache.set_validator_set(set);
        for (operator, eth_address) in &checked.eth_addresses {
            cache
                .set(crate::state::eth_by_validator_key(operator), eth_address.as_bytes().to_vec());
            cache.set(crate::state::eth_by_address_key(eth_address), operator.as_bytes().to_vec());
        }
        if let Some(eth) = &checked.eth {
            eth::init_genesis(&mut cache, eth)?;
            cache.account_or_create(&eth::escrow_address())?;
        }
        if let Some(bridge) = &checked.bridge {
            crate::bridge::init_genesis(&mut cache, &checked.params, bridge, initial_height)?;
            cache.account_or_create(&crate::bridge::pool_address())?;
        }
        cache.write()?;
        if !req.validators.is_empty() {
            let mut ours = updates.clone();
            let mut theirs = req.validators.clone();
            ours.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
            theirs.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
            if ours != theirs {
                return Err(AppError::Genesis(
                    "the CometBFT genesis validators differ from the app_state validators".into(),
                ));
            }
        }
        let app_hash = self.store.prepare(&ws, initial_height)?.root_hash();
        info!(
            chain_id = %req.chain_id,
            initial_height,
            accounts = checked.accounts.len(),
            validators = checked.validators.len(),
            app_hash = %hex::encode(app_hash.0),
            "genesis loaded"
        );
        self.genesis = Some(PendingGenesis { ws, params: checked.params, initial_height });
        Ok(ResponseInitChain {
            consensus_params: None,
            validators: updates,
            app_hash: app_hash.0.to_vec().into(),
        })
    }

    /// `CheckTx`: the ante checks (§4) against the mempool overlay, which keeps the fee and
    /// sequence of accepted transactions until the next Commit resets it.
    pub fn check_tx(&mut self, req: &RequestCheckTx) -> ResponseCheckTx {
        let refused = |error: &AppError| {
            let (code, codespace) = error.abci_code();
            debug!(code, %error, "CheckTx refused");
            ResponseCheckTx {
                code,
                codespace: codespace.into(),
                log: error.to_string(),
                ..ResponseCheckTx::default()
            }
        };
        let Some(params) = self.params.as_ref() else {
            return refused(&AppError::NotInitialized("no block committed yet"));
        };
        let height = match self.store.latest_version() {
            Ok(h) => h.unwrap_or(0).saturating_add(1),
            Err(error) => return refused(&error.into()),
        };
        let mut cache = Cache::new(&self.store, &mut self.check_ws);
        // CheckTx's clock: the last committed block's time (never the wall clock).
        let time = match eth::last_block_time(&cache) {
            Ok(time) => time,
            Err(error) => return refused(&error),
        };
        let ctx = BlockContext { height, time };
        match ante(&mut cache, params, &req.tx, height) {
            // Deviation from the Cosmos SDK (which skips messages in CheckTx): the messages run
            // too, on the same cache, so a send beyond the balance, a staking rule violation or
            // an invalid Ethereum proof is refused before it reaches the mempool; nothing is
            // written unless both pass.
            Ok((tx, gas, events)) => {
                let gas_wanted = i64::try_from(tx.fee().gas_limit).unwrap_or(i64::MAX);
                let gas_used = i64::try_from(gas).unwrap_or(i64::MAX);
                match execute_messages(
                    &mut cache,
                    params,
                    &tx,
                    &mut PowerChanges::default(),
                    ctx,
                    &mut self.eth_cache,
                )
                .and_then(|_| cache.write())
                {
                    Ok(()) => ResponseCheckTx {
                        code: 0,
                        gas_wanted,
                        gas_used,
                        events,
                        ..ResponseCheckTx::default()
                    },
                    Err(error) => ResponseCheckTx { gas_wanted, gas_used, ..refused(&error) },
                }
            }
            Err(error) => refused(&error),
        }
    }

    /// Whether the transaction is one the proposer must not include (§6): a message under the
    /// reserved type-URL prefix, or bytes too large for the chain.
    fn proposal_refuses(params: Option<&Params>, tx: &[u8]) -> Option<String> {
        let limits = params.map(tx_limits).unwrap_or_default();
        match decode_tx(tx, &limits) {
            Err(error @ TxError::ReservedTypeUrl { .. }) => Some(error.to_string()),
            Err(error @ TxError::TxTooLarge { .. }) => Some(error.to_string()),
            _ => None,
        }
    }

    /// `PrepareProposal` (§6): first the injected signatures transaction, built from the
    /// checkpoint signatures of `local_last_commit`'s extensions that verify and are not stored
    /// yet; then the mempool's transactions in order, without those using the reserved type-URL
    /// prefix, undecodable (0xff-prefixed included) or oversized ones, within `max_tx_bytes`.
    pub fn prepare_proposal(
        &self,
        req: &RequestPrepareProposal,
    ) -> Result<ResponsePrepareProposal, AppError> {
        let max = usize::try_from(req.max_tx_bytes).unwrap_or(0);
        let params = self.current_params();
        let limits = params.map(tx_limits).unwrap_or_default();
        let mut total = 0usize;
        let mut txs = Vec::with_capacity(req.txs.len() + 1);
        let previous = u64::try_from(req.height).unwrap_or(0).saturating_sub(1);
        if let Some(commit) = req.local_last_commit.as_ref() {
            if previous > 0 && self.vote_extensions_enabled(previous) {
                let mut ws = self.latest_state()?;
                let cache = Cache::new(&self.store, &mut ws);
                if let Some(injected) = collect_signatures(&cache, &commit.votes, max)? {
                    let bytes = injected.encode();
                    total = proto_tx_size(bytes.len());
                    debug!(
                        height = req.height,
                        signatures = injected.entries().len(),
                        "PrepareProposal injects checkpoint signatures"
                    );
                    txs.push(bytes.into());
                }
            }
        }
        for tx in &req.txs {
            if let Err(error) = decode_tx(tx, &limits) {
                debug!(%error, "PrepareProposal drops a transaction");
                continue;
            }
            let size = proto_tx_size(tx.len());
            if total.saturating_add(size) > max {
                continue;
            }
            total += size;
            txs.push(tx.clone());
        }
        Ok(ResponsePrepareProposal { txs })
    }

    /// `ProcessProposal`: refuses a block carrying a reserved-prefix or oversized transaction, or
    /// breaking the injection rules (§6: one well-formed injected transaction at most, first,
    /// every signature verifying over a pending checkpoint); other invalid transactions are only
    /// failed (not charged) in FinalizeBlock.
    pub fn process_proposal(
        &self,
        req: &RequestProcessProposal,
    ) -> Result<ResponseProcessProposal, AppError> {
        let params = self.current_params();
        for (index, tx) in req.txs.iter().enumerate() {
            if InjectedSignatures::is_injected(tx) {
                continue;
            }
            if let Some(reason) = Self::proposal_refuses(params, tx) {
                warn!(height = req.height, index, %reason, "ProcessProposal rejects the block");
                return Ok(ResponseProcessProposal { status: ProposalStatus::Reject as i32 });
            }
        }
        let mut ws = self.latest_state()?;
        let cache = Cache::new(&self.store, &mut ws);
        if let Some(reason) = check_proposal_injection(&cache, &req.txs)? {
            warn!(height = req.height, %reason, "ProcessProposal rejects the injected signatures");
            return Ok(ResponseProcessProposal { status: ProposalStatus::Reject as i32 });
        }
        Ok(ResponseProcessProposal { status: ProposalStatus::Accept as i32 })
    }

    /// `ExtendVote` (§6): when extensions are enabled, the version-2 extension carrying this
    /// node's signatures of the pending checkpoints it has not signed in state yet (none without
    /// an Ethereum key). When the block may create or settle a checkpoint, it is executed
    /// speculatively first, so that the checkpoints it creates are signed one block earlier.
    pub fn extend_vote(&mut self, req: &RequestExtendVote) -> Result<ResponseExtendVote, AppError> {
        let height = to_height(req.height, "ExtendVote")?;
        let vote_extension = if !self.vote_extensions_enabled(height) {
            Vec::new()
        } else if let Some(key) = self.eth_signer.clone() {
            let extension = match self.speculative_extension(req, height, &key) {
                Ok(Some(extension)) => extension,
                Ok(None) => self.committed_extension(&key)?,
                Err(error) => {
                    debug!(height, %error, "speculative execution failed: signing the committed state");
                    self.committed_extension(&key)?
                }
            };
            debug!(height, signatures = extension.signatures().len(), "ExtendVote");
            extension.encode()
        } else {
            VoteExtension::current().encode()
        };
        Ok(ResponseExtendVote { vote_extension: vote_extension.into() })
    }

    /// The extension signed from the latest state (the committed block before the voted one).
    fn committed_extension(&self, key: &peg_types::SigningKey) -> Result<VoteExtension, AppError> {
        let mut ws = self.latest_state()?;
        let cache = Cache::new(&self.store, &mut ws);
        sign_pending_checkpoints(&cache, key)
    }

    /// The extension signed from the state after the voted block, executed on a scratch copy of
    /// the latest state (`None`: the block cannot change the pending checkpoints, or it is not
    /// the next block). Nothing FinalizeBlock relies on is touched (the Ethereum cache only
    /// memoizes by content).
    fn speculative_extension(
        &mut self,
        req: &RequestExtendVote,
        height: u64,
        key: &peg_types::SigningKey,
    ) -> Result<Option<VoteExtension>, AppError> {
        let Some(params) = self.current_params().cloned() else {
            return Ok(None);
        };
        let limits = tx_limits(&params);
        if !req.txs.iter().any(|tx| may_change_checkpoints(tx, &limits)) {
            return Ok(None);
        }
        let next = match &self.genesis {
            Some(g) => g.initial_height,
            None => self.store.latest_version()?.unwrap_or(0).saturating_add(1),
        };
        if height != next {
            return Ok(None);
        }
        let time = req.time.as_ref().map_or(0, |t| u64::try_from(t.seconds).unwrap_or(0));
        let mut ws = self.latest_state()?;
        execute_block(
            &self.store,
            &mut ws,
            &params,
            BlockContext { height, time },
            &req.txs,
            &self.injected_trusted,
            &mut self.eth_cache,
        )?;
        let cache = Cache::new(&self.store, &mut ws);
        sign_pending_checkpoints(&cache, key).map(Some)
    }

    /// `VerifyVoteExtension`: accepts every well-formed extension (form and bounds, §6), rejects
    /// only malformed bytes; never looks at the state nor checks signatures (a rejection
    /// discards that one precommit, never the block).
    pub fn verify_vote_extension(
        &self,
        req: &RequestVerifyVoteExtension,
    ) -> Result<ResponseVerifyVoteExtension, AppError> {
        let status = match VoteExtension::decode(&req.vote_extension) {
            Ok(_) => VerifyStatus::Accept,
            Err(error) => {
                warn!(
                    height = req.height,
                    validator = %hex::encode(&req.validator_address),
                    %error,
                    "rejecting a malformed vote extension"
                );
                VerifyStatus::Reject
            }
        };
        Ok(ResponseVerifyVoteExtension { status: status as i32 })
    }

    /// `FinalizeBlock`: executes the transactions in order (§4: fee and sequence stick even if
    /// the messages fail), emits validator updates, returns the app hash. Nothing is persisted
    /// before [`App::commit`].
    pub fn finalize_block(
        &mut self,
        req: &RequestFinalizeBlock,
    ) -> Result<ResponseFinalizeBlock, AppError> {
        let height = to_height(req.height, "FinalizeBlock")?;
        let (mut ws, params) = match &self.genesis {
            Some(g) => {
                if height != g.initial_height {
                    return Err(AppError::OutOfOrder(format!(
                        "first block at height {height}, expected the initial height {}",
                        g.initial_height
                    )));
                }
                (g.ws.clone(), g.params.clone())
            }
            None => {
                let params = self
                    .params
                    .clone()
                    .ok_or(AppError::NotInitialized("FinalizeBlock before InitChain"))?;
                let expected = self.store.latest_version()?.unwrap_or(0).saturating_add(1);
                if height != expected {
                    return Err(AppError::OutOfOrder(format!(
                        "FinalizeBlock at height {height}, expected {expected}"
                    )));
                }
                (self.store.working_set()?, params)
            }
        };
        // Block time: the header's, in unix seconds (a missing or pre-1970 time counts as 0).
        let time = req.time.as_ref().map_or(0, |t| u64::try_from(t.seconds).unwrap_or(0));
        let ExecutedBlock { tx_results, block_events, validator_updates } = execute_block(
            &self.store,
            &mut ws,
            &params,
            BlockContext { height, time },
            &req.txs,
            &self.injected_trusted,
            &mut self.eth_cache,
        )?;
        self.injected_trusted.clear();
        let prepared = self.store.prepare(&ws, height)?;
        let app_hash = prepared.root_hash();
        debug!(
            height,
            txs = req.txs.len(),
            updates = validator_updates.len(),
            app_hash = %hex::encode(app_hash.0),
            "block finalized"
        );
        self.pending = Some(PendingBlock { prepared, params });
        Ok(ResponseFinalizeBlock {
            events: block_events,
            tx_results,
            validator_updates,
            consensus_param_updates: None,
            app_hash: app_hash.0.to_vec().into(),
        })
    }

    /// `Commit`: persists the finalized block atomically (peg-store) and resets the CheckTx
    /// overlay; `retain_height` follows [`AppConfig::min_retain_blocks`].
    pub fn commit(&mut self) -> Result<ResponseCommit, AppError> {
        let pending = self
            .pending
            .take()
            .ok_or(AppError::OutOfOrder("Commit without FinalizeBlock".into()))?;
        let commit = self.store.commit(pending.prepared)?;
        self.params = Some(pending.params);
        self.genesis = None;
        self.check_ws = self.store.working_set()?;
        let retain = match self.config.min_retain_blocks {
            0 => 0,
            keep => commit.version.saturating_sub(keep),
        };
        info!(height = commit.version, app_hash = %hex::encode(commit.root.0), "committed");
        Ok(ResponseCommit { retain_height: i64::try_from(retain).unwrap_or(0) })
    }

    /// `Query` (§8): `/account/<peg1…>`, `/balances/<peg1…>`, `/validators`, `/eth-addresses`,
    /// `/eth/client`, `/eth/trusted/<n>`, `/eth/events/<from>`, `/eth/vouchers`, `/eth/tokens`
    /// (JSON, latest state), `/store/<hex key>` (raw bytes at any retained height; with
    /// `prove`, an ICS23 proof as a `ProofOp` of type `ics23:jmt` verifying against the app hash
    /// of block `height + 1`).
    pub fn query(&self, req: &RequestQuery) -> ResponseQuery {
        match self.query_inner(req) {
            Ok(response) => response,
            Err((code, log)) => ResponseQuery {
                code,
                log,
                codespace: peg_tx::CODESPACE_PEG.into(),
                ..ResponseQuery::default()
            },
        }
    }

    fn query_inner(&self, req: &RequestQuery) -> Result<ResponseQuery, (u32, String)> {
        let internal = |e: AppError| (CODE_INTERNAL, e.to_string());
        let latest = self.store.latest_version().map_err(|e| internal(e.into()))?;
        let Some(latest) = latest else {
            return Err((CODE_NOT_FOUND, "no block committed yet".into()));
        };
        let height = match u64::try_from(req.height) {
            Ok(0) => latest,
            Ok(h) => h,
            Err(_) => return Err((CODE_BAD_QUERY, format!("negative height {}", req.height))),
        };
        let response_height = i64::try_from(height).unwrap_or(i64::MAX);
        let (path, arg) = match req.path.trim_start_matches('/').split_once('/') {
            Some((p, a)) => (p.to_owned(), a.to_owned()),
            None => (req.path.trim_start_matches('/').to_owned(), String::new()),
        };
        if path == "store" {
            let key = hex::decode(&arg).map_err(|e| (CODE_BAD_QUERY, format!("store key: {e}")))?;
            if key.is_empty() {
                return Err((CODE_BAD_QUERY, "empty store key".into()));
            }
            let (value, proof_ops) = if req.prove {
                let (value, proof) = self
                    .store
                    .get_with_proof(&key, height)
                    .map_err(|e| (CODE_NOT_FOUND, e.to_string()))?;
                let op = ProofOp {
                    r#type: PROOF_OP_TYPE.into(),
                    key: key.clone(),
                    data: encode_proof(&proof),
                };
                (value, Some(ProofOps { ops: vec![op] }))
            } else {
                (
                    self.store.get_at(&key, height).map_err(|e| (CODE_NOT_FOUND, e.to_string()))?,
                    None,
                )
            };
            return Ok(ResponseQuery {
                key: key.into(),
                value: value.unwrap_or_default().into(),
                proof_ops,
                height: response_height,
                ..ResponseQuery::default()
            });
        }
        if req.prove {
            return Err((
                CODE_BAD_QUERY,
                "proofs are served on /store/<hex key>; see specs/state-machine.md §2 for keys"
                    .into(),
            ));
        }
        if height != latest {
            return Err((
                CODE_BAD_QUERY,
                format!("/{path} serves the latest height {latest} only"),
            ));
        }
        let mut ws = self.store.working_set().map_err(|e| internal(e.into()))?;
        let cache = Cache::new(&self.store, &mut ws);
        if path == "bridge" {
            let params = self.params.as_ref().ok_or((CODE_NOT_FOUND, "no params".into()))?;
            let json = crate::bridge::query::query(&cache, params, latest, &arg)?;
            return Ok(ResponseQuery {
                value: json.into(),
                height: response_height,
                ..ResponseQuery::default()
            });
        }
        if path == "eth" {
            let json = eth::query(&cache, &arg)?;
            return Ok(ResponseQuery {
                value: json.into(),
                height: response_height,
                ..ResponseQuery::default()
            });
        }
        let json = match path.as_str() {
            "account" => {
                let address = parse_address(&arg)?;
                let account = cache
                    .account(&address)
                    .map_err(internal)?
                    .ok_or_else(|| (CODE_NOT_FOUND, format!("account {arg} does not exist")))?;
                serde_json::to_vec(&AccountView {
                    address: address.to_bech32(),
                    account_number: account.account_number,
                    sequence: account.sequence,
                    pubkey: account.pubkey.map(hex::encode),
                    store_key: hex::encode(account_key(&address)),
                })
            }
            "balances" => {
                let address = parse_address(&arg)?;
                let coins = cache.balances(&address).map_err(internal)?;
                serde_json::to_vec(&BalancesView {
                    address: address.to_bech32(),
                    balances: coins
                        .as_slice()
                        .iter()
                        .map(|c| CoinView { denom: c.denom.clone(), amount: c.amount.to_string() })
                        .collect(),
                    store_key: hex::encode(balances_key(&address)),
                })
            }
            "validators" | "eth-addresses" => {
                let params = self.params.as_ref().ok_or((CODE_NOT_FOUND, "no params".into()))?;
                let mut validators = Vec::new();
                let mut eth = Vec::new();
                for operator in cache.validator_set().map_err(internal)? {
                    let Some(v) = cache.validator(&operator).map_err(internal)? else {
                        return Err(internal(AppError::CorruptState {
                            key: hex::encode(operator.as_bytes()),
                            reason: "validator in the set has no record",
                        }));
                    };
                    let eth_address = cache.eth_address_of(&operator).map_err(internal)?;
                    if let Some(address) = eth_address {
                        eth.push(EthView {
                            validator: operator.to_valoper().to_bech32(),
                            operator: operator.to_bech32(),
                            eth_address: address.to_string(),
                        });
                    }
                    validators.push(ValidatorView {
                        validator: operator.to_valoper().to_bech32(),
                        operator: operator.to_bech32(),
                        consensus_pubkey: hex::encode(v.consensus_pubkey),
                        bonded: v.bonded.to_string(),
                        power: v.power(params.power_reduction).map_err(internal)?,
                        moniker: v.moniker.clone(),
                        eth_address: eth_address.map(|a| a.to_string()),
                    });
                }
                if path == "validators" {
                    serde_json::to_vec(&validators)
                } else {
                    serde_json::to_vec(&eth)
                }
            }
            other => return Err((CODE_BAD_QUERY, format!("unknown query path /{other}"))),
        }
        .map_err(|e| (CODE_INTERNAL, e.to_string()))?;
        Ok(ResponseQuery {
            value: json.into(),
            height: response_height,
            ..ResponseQuery::default()
        })
    }
}

impl App {
    /// Test support: trusts an execution block as if a finalized light-client header had
    /// carried it; written into the ring at the start of the next FinalizeBlock (so it is part
    /// of that block's state and app hash). Never available in a node build.
    #[cfg(any(test, feature = "testing"))]
    pub fn testing_trust_execution_block(&mut self, block: TrustedBlock) {
        self.injected_trusted.push(block);
    }
}

/// What executing one block's transactions and end block produced (the state changes are in
/// the working set).
struct ExecutedBlock {
    tx_results: Vec<ExecTxResult>,
    block_events: Vec<tendermint_proto::v0_38::abci::Event>,
    validator_updates: Vec<ValidatorUpdate>,
}

/// The body of FinalizeBlock on `ws` (begin block, the injected signatures at index 0, the
/// transactions, end block, validator updates). FinalizeBlock and ExtendVote's speculative run
/// share it, so the state ExtendVote signs from is exactly the one FinalizeBlock will commit.
fn execute_block(
    store: &Store,
    ws: &mut WorkingSet,
    params: &Params,
    ctx: BlockContext,
    txs: &[impl AsRef<[u8]>],
    injected_trusted: &[TrustedBlock],
    eth_cache: &mut EthCache,
) -> Result<ExecutedBlock, AppError> {
    {
        let mut cache = Cache::new(store, ws);
        eth::begin_block(&mut cache, ctx.time)?;
        if !injected_trusted.is_empty() {
            if let Some(config) = eth::load_config(&cache)? {
                for block in injected_trusted {
                    eth::ring_push(&mut cache, &config, *block)?;
                }
            }
        }
        cache.write()?;
    }
    let mut changes = PowerChanges::default();
    let mut tx_results = Vec::with_capacity(txs.len());
    for (index, tx_bytes) in txs.iter().enumerate() {
        let tx_bytes: &[u8] = tx_bytes.as_ref();
        if index == 0 && InjectedSignatures::is_injected(tx_bytes) {
            let mut cache = Cache::new(store, ws);
            match apply_injected_signatures(&mut cache, tx_bytes, ctx.height)? {
                Ok(events) => {
                    cache.write()?;
                    tx_results.push(ExecTxResult { code: 0, events, ..ExecTxResult::default() });
                }
                Err(error) => tx_results.push(ExecTxResult {
                    code: CODE_BAD_INJECTED_TX,
                    codespace: peg_tx::CODESPACE_PEG.into(),
                    log: error.to_string(),
                    ..ExecTxResult::default()
                }),
            }
            continue;
        }
        let mut cache = Cache::new(store, ws);
        let (tx, gas, ante_events) = match ante(&mut cache, params, tx_bytes, ctx.height) {
            Ok(ok) => ok,
            Err(error) if error.is_fatal() => return Err(error),
            Err(error) => {
                tx_results.push(failed(&error, Vec::new()));
                continue;
            }
        };
        cache.write()?;
        let gas_wanted = i64::try_from(tx.fee().gas_limit).unwrap_or(i64::MAX);
        let gas_used = i64::try_from(gas).unwrap_or(i64::MAX);
        let mut cache = Cache::new(store, ws);
        match execute_messages(&mut cache, params, &tx, &mut changes, ctx, eth_cache) {
            Ok(events) => {
                cache.write()?;
                let mut all = ante_events;
                all.extend(events);
                tx_results.push(ExecTxResult {
                    code: 0,
                    gas_wanted,
                    gas_used,
                    events: all,
                    ..ExecTxResult::default()
                });
            }
            Err(error) if error.is_fatal() => return Err(error),
            Err(error) => tx_results.push(ExecTxResult {
                gas_wanted,
                gas_used,
                ..failed(&error, ante_events)
            }),
        }
    }
    let block_events = {
        let mut cache = Cache::new(store, ws);
        let events = crate::bridge::end_block(&mut cache, params, ctx)?;
        cache.write()?;
        events
    };
    let validator_updates = {
        let cache = Cache::new(store, ws);
        let mut updates = Vec::new();
        for (key, before) in &changes.before {
            let now = match cache.consensus_key_owner(key)? {
                Some(operator) => match cache.validator(&operator)? {
                    Some(v) if &v.consensus_pubkey == key => v.power(params.power_reduction)?,
                    _ => 0,
                },
                None => 0,
            };
            if now != *before {
                updates.push(validator_update(key, now));
            }
        }
        updates
    };
    Ok(ExecutedBlock { tx_results, block_events, validator_updates })
}

/// Whether a transaction may create a checkpoint or change which are pending (a batch request,
/// a staking or Ethereum-address change, proven Ethereum events or state): a cheap stateless
/// decode; anything that does not decode cannot.
fn may_change_checkpoints(tx: &[u8], limits: &peg_tx::TxLimits) -> bool {
    use peg_tx::Msg;
    decode_tx(tx, limits).is_ok_and(|decoded| {
        decoded.messages().iter().any(|msg| {
            matches!(
                msg,
                Msg::RequestBatch(_)
                    | Msg::CreateValidator(_)
                    | Msg::Bond(_)
                    | Msg::Unbond(_)
                    | Msg::RegisterEthAddress(_)
                    | Msg::SubmitEthEvents(_)
                    | Msg::ProveEthState(_)
            )
        })
    })
}

fn parse_address(arg: &str) -> Result<AccAddress, (u32, String)> {
    arg.parse::<AccAddress>().map_err(|e| (CODE_BAD_QUERY, e.to_string()))
}

fn failed(error: &AppError, events: Vec<tendermint_proto::v0_38::abci::Event>) -> ExecTxResult {
    let (code, codespace) = error.abci_code();
    ExecTxResult {
        code,
        codespace: codespace.into(),
        log: error.to_string(),
        events,
        ..ExecTxResult::default()
    }
}

/// `/account` answer.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct AccountView {
    /// `peg1…`.
    pub address: String,
    /// Account number.
    pub account_number: u64,
    /// Next sequence.
    pub sequence: u64,
    /// Compressed secp256k1 key, hex, once known.
    pub pubkey: Option<String>,
    /// The store key (for `/store/<key>` proofs), hex.
    pub store_key: String,
}

/// A coin in JSON.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct CoinView {
    /// Denom.
    pub denom: String,
    /// Decimal amount.
    pub amount: String,
}

/// `/balances` answer.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct BalancesView {
    /// `peg1…`.
    pub address: String,
    /// Balances by denom.
    pub balances: Vec<CoinView>,
    /// The store key, hex.
    pub store_key: String,
}

/// An entry of `/validators`.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ValidatorView {
    /// `pegvaloper1…`.
    pub validator: String,
    /// `peg1…`.
    pub operator: String,
    /// ed25519, hex.
    pub consensus_pubkey: String,
    /// Bonded tokens.
    pub bonded: String,
    /// CometBFT power.
    pub power: i64,
    /// Moniker.
    pub moniker: String,
    /// The registered Ethereum address.
    pub eth_address: Option<String>,
}

/// An entry of `/eth-addresses`.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct EthView {
    /// `pegvaloper1…`.
    pub validator: String,
    /// `peg1…`.
    pub operator: String,
    /// `0x…` (EIP-55).
    pub eth_address: String,
}
