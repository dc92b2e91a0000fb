//! The pure core: a beacon chain built over given execution blocks, and the light-client data
//! (bootstraps, updates) it serves. No I/O, no clock: the driver feeds slots and blocks.
//!
//! Each beacon block wraps one execution block. Its body and state are Merkle trees whose
//! leaves at the light client's generalized indices are real (execution payload header,
//! finalized checkpoint, current and next sync committee); the other leaves are deterministic
//! filler (see `specs/beacon-simulator.md`).

use std::collections::HashMap;

use alloy_primitives::{B256, U256};
use light_client::execution::ExecutionHeader;
use light_client::proof::{
    current_sync_committee_gindex, finalized_root_gindex, next_sync_committee_gindex,
    EXECUTION_BLOCK_HASH_GINDEX_DENEB, EXECUTION_BLOCK_HASH_GINDEX_GLOAS, EXECUTION_PAYLOAD_GINDEX,
};
use light_client::sync::{compute_signing_root, sync_committee_domain};
use light_client::types::{
    BeaconBlockHeader, ExecutionPayloadHeaderDeneb, LightClientBootstrapDeneb,
    LightClientBootstrapElectra, LightClientBootstrapGloas, LightClientFinalityUpdateDeneb,
    LightClientFinalityUpdateElectra, LightClientFinalityUpdateGloas, LightClientHeader,
    LightClientHeaderDeneb, LightClientHeaderGloas, LightClientOptimisticUpdateDeneb,
    LightClientOptimisticUpdateGloas, LightClientUpdate, LightClientUpdateDeneb,
    LightClientUpdateElectra, LightClientUpdateGloas, SyncAggregate,
};
use light_client::{is_better_update, ChainConfig, ForkName, Minimal};
use serde::{Deserialize, Serialize};
use ssz_types::typenum::Unsigned;
use ssz_types::{BitVector, FixedVector, VariableList};
use tree_hash::TreeHash;

use crate::committee::Committee;
use crate::config::{ChainParams, SLOTS_PER_EPOCH, SLOTS_PER_PERIOD, SYNC_COMMITTEE_SIZE};
use crate::error::SimError;
use crate::merkle::{uint64_leaf, MerkleTree, SparseTree};

/// `BeaconState` field indices (phase0..Fulu keep these positions; the finalized checkpoint
/// and the committees are placed by the light client's own generalized indices).
const STATE_GENESIS_TIME: u64 = 0;
const STATE_GENESIS_VALIDATORS_ROOT: u64 = 1;
const STATE_SLOT: u64 = 2;
const STATE_FORK: u64 = 3;
const STATE_LATEST_BLOCK_HEADER: u64 = 4;
const STATE_LATEST_EXECUTION_PAYLOAD_HEADER: u64 = 24;
/// Generalized index of `graffiti` in the Deneb..Fulu `BeaconBlockBody` (16 leaves).
const BODY_GRAFFITI_GINDEX: u64 = 16 + 2;
/// Leaves of the `ExecutionPayloadHeader` container (17 fields padded to 32).
const PAYLOAD_LEAVES: u64 = 32;
/// Graffiti of every block.
const GRAFFITI: &[u8] = b"beacon-sim";
/// `MAX_REQUEST_LIGHT_CLIENT_UPDATES`.
pub const MAX_REQUEST_LIGHT_CLIENT_UPDATES: u64 = 128;

/// `compute_sync_committee_period_at_slot` (minimal preset).
pub fn period_at_slot(slot: u64) -> u64 {
    slot / SLOTS_PER_PERIOD
}

/// A finalized checkpoint as a block's state records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// Checkpoint epoch.
    pub epoch: u64,
    /// Block root (zero: the genesis checkpoint, nothing finalized yet).
    pub root: B256,
    /// Slot of the block `root` names (`None` for the zero root).
    pub block_slot: Option<u64>,
}

impl Checkpoint {
    const GENESIS: Checkpoint = Checkpoint { epoch: 0, root: B256::ZERO, block_slot: None };
}

/// One block of the simulated beacon chain.
#[derive(Debug, Clone)]
pub struct SimBlock {
    /// Beacon block header.
    pub header: BeaconBlockHeader,
    /// `hash_tree_root(header)`.
    pub root: B256,
    /// Fork at the block's slot.
    pub fork: ForkName,
    /// The wrapped execution block, as a payload header.
    pub execution: ExecutionPayloadHeaderDeneb,
    /// Finalized checkpoint recorded in the block's post-state.
    pub finalized: Checkpoint,
    /// The body tree (payload header fields below gindex 25; Gloas: the bid's parent block
    /// hash at 2856).
    body: SparseTree,
    /// The post-state tree.
    state: SparseTree,
}

impl SimBlock {
    /// Slot.
    pub fn slot(&self) -> u64 {
        self.header.slot
    }

    /// The execution block hash a light client learns from this block: the wrapped block's
    /// hash up to Fulu; from Gloas on (EIP-7732) the payload bid's parent block hash, i.e. the
    /// wrapped block's parent.
    pub fn light_client_execution_hash(&self) -> B256 {
        if self.fork >= ForkName::Gloas {
            self.execution.parent_hash
        } else {
            self.execution.block_hash
        }
    }

    /// The Deneb light-client header (also Electra's and Fulu's). A Gloas block has none.
    pub fn light_client_header(&self) -> Result<LightClientHeaderDeneb, SimError> {
        if self.fork >= ForkName::Gloas {
            return Err(SimError::Internal(format!(
                "slot {} is a Gloas slot: no payload header container",
                self.slot()
            )));
        }
        Ok(LightClientHeaderDeneb {
            beacon: self.header.clone(),
            execution: self.execution.clone(),
            execution_branch: fixed(self.body.branch(EXECUTION_PAYLOAD_GINDEX), "execution")?,
        })
    }

    /// The Gloas light-client header: the block hash with its branch at 2856 (Gloas slots) or,
    /// for an older slot, at 812 inside the payload, zero-padded to 11 nodes.
    pub fn light_client_header_gloas(&self) -> Result<LightClientHeaderGloas, SimError> {
        let branch = if self.fork >= ForkName::Gloas {
            self.body.branch(EXECUTION_BLOCK_HASH_GINDEX_GLOAS)
        } else {
            let mut branch = vec![B256::ZERO; 2];
            branch.extend(self.body.branch(EXECUTION_BLOCK_HASH_GINDEX_DENEB));
            branch
        };
        Ok(LightClientHeaderGloas {
            beacon: self.header.clone(),
            execution_block_hash: self.light_client_execution_hash(),
            execution_branch: fixed(branch, "execution branch")?,
        })
    }

    /// The header in the container of `container_fork`, fork-independent.
    fn generic_header(&self, container_fork: ForkName) -> Result<LightClientHeader, SimError> {
        if container_fork >= ForkName::Gloas {
            Ok(self.light_client_header_gloas()?.into())
        } else {
            Ok(self.light_client_header()?.into())
        }
    }
}

/// The adversary switches (`POST /sim/v1/adversary`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adversary {
    /// Sign every served update over a wrong message: a valid-looking G2 point that fails
    /// verification.
    #[serde(default)]
    pub bad_signatures: bool,
    /// Freeze the finalized checkpoint of blocks built from now on.
    #[serde(default)]
    pub stall_finality: bool,
}

/// Which light-client object a [`LightClientObject`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// `LightClientBootstrap`.
    Bootstrap,
    /// `LightClientUpdate`.
    Update,
    /// `LightClientFinalityUpdate`.
    FinalityUpdate,
    /// `LightClientOptimisticUpdate`.
    OptimisticUpdate,
}

/// A light-client object ready to serve: its fork, its beacon-API JSON `data` and its SSZ.
#[derive(Debug, Clone)]
pub struct LightClientObject {
    /// Kind of object.
    pub kind: ObjectKind,
    /// Fork of its container (of the attested slot; the header slot for a bootstrap).
    pub fork: ForkName,
    /// Attested (bootstrap: header) slot.
    pub slot: u64,
    /// Beacon-API JSON of the container (the `data` member).
    pub data: serde_json::Value,
    /// SSZ encoding of the container.
    pub ssz: Vec<u8>,
}

impl LightClientObject {
    fn new<T: Serialize + ssz::Encode>(
        kind: ObjectKind,
        fork: ForkName,
        slot: u64,
        value: &T,
    ) -> Result<Self, SimError> {
        let data = serde_json::to_value(value)
            .map_err(|e| SimError::Internal(format!("encoding {kind:?} as JSON: {e}")))?;
        Ok(Self { kind, fork, slot, data, ssz: value.as_ssz_bytes() })
    }

    /// The beacon-API envelope `{"version": fork, "data": …}`.
    pub fn envelope(&self) -> serde_json::Value {
        serde_json::json!({ "version": self.fork.as_str(), "data": self.data })
    }
}

fn fixed<N: Unsigned>(nodes: Vec<B256>, what: &str) -> Result<FixedVector<B256, N>, SimError> {
    let len = nodes.len();
    FixedVector::new(nodes)
        .map_err(|_| SimError::Internal(format!("{what}: {len} nodes, expected {}", N::USIZE)))
}

/// The execution payload header of an execution block. `transactions_root` and
/// `withdrawals_root` are the execution header's trie roots (on Ethereum they are SSZ list
/// roots; nothing on the light-client path reads them).
pub fn payload_header(
    header: &ExecutionHeader,
    hash: B256,
) -> Result<ExecutionPayloadHeaderDeneb, SimError> {
    let invalid = |reason: String| SimError::ExecutionBlock { number: header.number, reason };
    let extra_data = VariableList::new(header.extra_data.to_vec())
        .map_err(|_| invalid(format!("extra data of {} bytes", header.extra_data.len())))?;
    Ok(ExecutionPayloadHeaderDeneb {
        parent_hash: header.parent_hash,
        fee_recipient: header.beneficiary,
        state_root: header.state_root,
        receipts_root: header.receipts_root,
        logs_bloom: light_client::types::execution_payload_header::LogsBloom::from(
            header.logs_bloom.0,
        ),
        prev_randao: header.mix_hash,
        block_number: header.number,
        gas_limit: header.gas_limit,
        gas_used: header.gas_used,
        timestamp: header.timestamp,
        extra_data,
        base_fee_per_gas: U256::from(header.base_fee_per_gas.unwrap_or_default()),
        block_hash: hash,
        transactions_root: header.transactions_root,
        withdrawals_root: header.withdrawals_root.unwrap_or_default(),
        blob_gas_used: header.blob_gas_used.unwrap_or_default(),
        excess_blob_gas: header.excess_blob_gas.unwrap_or_default(),
    })
}

/// `hash_tree_root` of each field of the payload header, in container order, padded to the 32
/// leaves of the container's tree.
fn payload_field_roots(p: &ExecutionPayloadHeaderDeneb) -> Vec<B256> {
    vec![
        p.parent_hash.tree_hash_root(),
        p.fee_recipient.tree_hash_root(),
        p.state_root.tree_hash_root(),
        p.receipts_root.tree_hash_root(),
        p.logs_bloom.tree_hash_root(),
        p.prev_randao.tree_hash_root(),
        p.block_number.tree_hash_root(),
        p.gas_limit.tree_hash_root(),
        p.gas_used.tree_hash_root(),
        p.timestamp.tree_hash_root(),
        p.extra_data.tree_hash_root(),
        p.base_fee_per_gas.tree_hash_root(),
        p.block_hash.tree_hash_root(),
        p.transactions_root.tree_hash_root(),
        p.withdrawals_root.tree_hash_root(),
        p.blob_gas_used.tree_hash_root(),
        p.excess_blob_gas.tree_hash_root(),
        // SSZ pads the 17 fields to 32 leaves with zero chunks.
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
        B256::ZERO,
    ]
}

/// The simulated beacon chain (canonical blocks only, in slot order).
#[derive(Debug)]
pub struct SimChain {
    params: ChainParams,
    config: ChainConfig,
    blocks: Vec<SimBlock>,
    by_root: HashMap<B256, usize>,
    committees: HashMap<u64, Committee>,
    /// Adversary switches: `stall_finality` applies to blocks pushed afterwards,
    /// `bad_signatures` to every object built afterwards.
    pub adversary: Adversary,
    /// Members that sign (the first `participation` of the committee).
    pub participation: usize,
}

impl SimChain {
    /// An empty chain; the first pushed block is the genesis block (slot 0).
    pub fn new(params: ChainParams) -> Result<Self, SimError> {
        params.validate()?;
        let config = params.chain_config();
        let participation = params.participation;
        Ok(Self {
            params,
            config,
            blocks: Vec::new(),
            by_root: HashMap::new(),
            committees: HashMap::new(),
            adversary: Adversary::default(),
            participation,
        })
    }

    /// Chain parameters.
    pub fn params(&self) -> &ChainParams {
        &self.params
    }

    /// The network configuration (what the light client must be configured with).
    pub fn chain_config(&self) -> &ChainConfig {
        &self.config
    }

    /// The canonical blocks, oldest first.
    pub fn blocks(&self) -> &[SimBlock] {
        &self.blocks
    }

    /// The head block.
    pub fn head(&self) -> Option<&SimBlock> {
        self.blocks.last()
    }

    /// The genesis block.
    pub fn genesis(&self) -> Option<&SimBlock> {
        self.blocks.first()
    }

    /// The block with beacon root `root`.
    pub fn block_by_root(&self, root: &B256) -> Option<&SimBlock> {
        self.by_root.get(root).and_then(|index| self.blocks.get(*index))
    }

    /// The block at exactly `slot`.
    pub fn block_at_slot(&self, slot: u64) -> Option<&SimBlock> {
        self.blocks
            .binary_search_by_key(&slot, SimBlock::slot)
            .ok()
            .and_then(|i| self.blocks.get(i))
    }

    /// Index of the latest block at or before `slot`.
    fn index_at_or_before(&self, slot: u64) -> Option<usize> {
        match self.blocks.binary_search_by_key(&slot, SimBlock::slot) {
            Ok(index) => Some(index),
            Err(0) => None,
            Err(index) => Some(index - 1),
        }
    }

    /// The block the head's state has finalized (`None` while the checkpoint is the genesis one).
    pub fn finalized_block(&self) -> Option<&SimBlock> {
        let head = self.head()?;
        self.block_by_root(&head.finalized.root)
    }

    fn committee(&self, period: u64) -> Result<&Committee, SimError> {
        self.committees
            .get(&period)
            .ok_or_else(|| SimError::Internal(format!("committee of period {period} not derived")))
    }

    fn ensure_committee(&mut self, period: u64) -> Result<(), SimError> {
        if !self.committees.contains_key(&period) {
            let committee = Committee::derive(self.params.seed, period)?;
            self.committees.insert(period, committee);
        }
        Ok(())
    }

    /// The finalized checkpoint of a block at `slot` built on the current chain: the epoch
    /// boundary `finality_lag_epochs + 1` epochs back (never moving backwards; frozen while
    /// finality is stalled).
    fn checkpoint_for(&self, slot: u64) -> Checkpoint {
        let parent = self.head().map(|b| b.finalized).unwrap_or(Checkpoint::GENESIS);
        if self.adversary.stall_finality {
            return parent;
        }
        let epoch = slot / SLOTS_PER_EPOCH;
        let Some(target) = epoch.checked_sub(self.params.finality_lag_epochs + 1) else {
            return parent;
        };
        if target <= parent.epoch || target == 0 {
            return parent;
        }
        match self.index_at_or_before(target * SLOTS_PER_EPOCH) {
            // The genesis block is finalized as the zero root, as the light client expects.
            Some(index) if self.blocks[index].slot() > 0 => {
                let block = &self.blocks[index];
                Checkpoint { epoch: target, root: block.root, block_slot: Some(block.slot()) }
            }
            _ => Checkpoint { epoch: target, ..Checkpoint::GENESIS },
        }
    }

    /// Builds the beacon block of `slot` wrapping the execution block `execution` (hash
    /// `hash`, already checked by the caller to be its keccak) and makes it the head.
    pub fn push_block(
        &mut self,
        slot: u64,
        execution: &ExecutionHeader,
        hash: B256,
    ) -> Result<&SimBlock, SimError> {
        let parent_root = match self.head() {
            Some(head) => {
                if slot <= head.slot() {
                    return Err(SimError::SlotNotAfterHead { slot, head: head.slot() });
                }
                if execution.parent_hash != head.execution.block_hash {
                    return Err(SimError::ExecutionParentMismatch {
                        number: execution.number,
                        got: execution.parent_hash,
                        expected: head.execution.block_hash,
                    });
                }
                head.root
            }
            None if slot != 0 => {
                return Err(SimError::Config(format!(
                    "the genesis block must be at slot 0, not {slot}"
                )))
            }
            None => B256::ZERO,
        };
        let period = period_at_slot(slot);
        self.ensure_committee(period)?;
        self.ensure_committee(period + 1)?;
        let fork = self.params.fork_at_slot(slot);
        let payload = payload_header(execution, hash)?;
        let payload_leaves = payload_field_roots(&payload);
        let payload_root = payload.tree_hash_root();

        // Body: real where the light client looks, zero filler elsewhere.
        let body_nodes: Vec<(u64, B256)> = if fork >= ForkName::Gloas {
            // EIP-7732: the body commits to the payload bid, whose `parent_block_hash` is the
            // execution head the slot's payload builds on.
            vec![(EXECUTION_BLOCK_HASH_GINDEX_GLOAS, payload.parent_hash)]
        } else {
            let mut graffiti = [0u8; 32];
            graffiti[..GRAFFITI.len()].copy_from_slice(GRAFFITI);
            let mut nodes = vec![(BODY_GRAFFITI_GINDEX, B256::from(graffiti))];
            // The payload header's fields below `execution_payload` (gindex 25), so both the
            // payload branch (25) and the block-hash branch (812) are real.
            let first = EXECUTION_PAYLOAD_GINDEX * PAYLOAD_LEAVES;
            nodes.extend(
                payload_leaves.iter().enumerate().map(|(i, leaf)| (first + i as u64, *leaf)),
            );
            nodes
        };
        let body =
            SparseTree::new(&body_nodes).ok_or_else(|| SimError::Internal("body tree".into()))?;
        if fork < ForkName::Gloas && body.node(EXECUTION_PAYLOAD_GINDEX) != payload_root {
            return Err(SimError::Internal("payload field roots do not hash to the header".into()));
        }

        let finalized = self.checkpoint_for(slot);
        let mut header = BeaconBlockHeader {
            slot,
            proposer_index: slot % 64,
            parent_root,
            state_root: B256::ZERO,
            body_root: body.root(),
        };
        // State: the checkpoint (epoch and root) and both committees at the light client's
        // indices for the fork; up to Fulu also the simple fields at their phase0 positions.
        let checkpoint_root = finalized_root_gindex(fork);
        let mut state_nodes = vec![
            (checkpoint_root - 1, uint64_leaf(finalized.epoch)),
            (checkpoint_root, finalized.root),
            (current_sync_committee_gindex(fork), self.committee(period)?.root),
            (next_sync_committee_gindex(fork), self.committee(period + 1)?.root),
        ];
        if fork < ForkName::Gloas {
            let first = if fork >= ForkName::Electra { 64 } else { 32 };
            state_nodes.extend([
                (first + STATE_GENESIS_TIME, uint64_leaf(self.params.genesis_time)),
                (first + STATE_GENESIS_VALIDATORS_ROOT, self.config.genesis_validators_root),
                (first + STATE_SLOT, uint64_leaf(slot)),
                (first + STATE_FORK, self.fork_root(fork)?),
                // `latest_block_header` has a zero state root in the block's own post-state.
                (first + STATE_LATEST_BLOCK_HEADER, header.tree_hash_root()),
                (first + STATE_LATEST_EXECUTION_PAYLOAD_HEADER, payload_root),
            ]);
        }
        let state =
            SparseTree::new(&state_nodes).ok_or_else(|| SimError::Internal("state tree".into()))?;
        header.state_root = state.root();
        let root = header.tree_hash_root();
        let block = SimBlock { header, root, fork, execution: payload, finalized, body, state };
        self.by_root.insert(root, self.blocks.len());
        self.blocks.push(block);
        let block = self.blocks.last().ok_or_else(|| SimError::Internal("just pushed".into()))?;
        tracing::debug!(
            slot,
            root = %block.root,
            execution_number = block.execution.block_number,
            finalized_epoch = block.finalized.epoch,
            "beacon block built"
        );
        Ok(block)
    }

    /// `hash_tree_root(Fork { previous_version, current_version, epoch })`.
    fn fork_root(&self, fork: ForkName) -> Result<B256, SimError> {
        let previous = ForkName::ALL
            .into_iter()
            .rfind(|f| *f < fork && self.params.fork_epoch(*f) < self.params.fork_epoch(fork))
            .unwrap_or(fork);
        let version_leaf = |f: ForkName| {
            let mut chunk = [0u8; 32];
            chunk[..4].copy_from_slice(crate::config::fork_version(f).as_slice());
            B256::from(chunk)
        };
        let tree = MerkleTree::new(
            vec![
                version_leaf(previous),
                version_leaf(fork),
                uint64_leaf(self.params.fork_epoch(fork)),
            ],
            2,
        )
        .ok_or_else(|| SimError::Internal("fork tree".into()))?;
        Ok(tree.root())
    }

    /// Drops every block after the first `keep` (a reorg of unfinalized blocks). Returns how
    /// many were dropped.
    pub fn truncate(&mut self, keep: usize) -> usize {
        if keep >= self.blocks.len() {
            return 0;
        }
        let dropped = self.blocks.len() - keep;
        for block in self.blocks.drain(keep..) {
            self.by_root.remove(&block.root);
        }
        dropped
    }

    /// The sync aggregate the committee of `signature_slot`'s period produces for `attested`.
    fn sign(
        &self,
        attested: &SimBlock,
        signature_slot: u64,
    ) -> Result<SyncAggregate<Minimal>, SimError> {
        let committee = self.committee(period_at_slot(signature_slot))?;
        let domain = sync_committee_domain::<Minimal>(&self.config, signature_slot);
        let mut signing_root = compute_signing_root(attested.root, domain);
        if self.adversary.bad_signatures {
            // A real signature of the committee, over the wrong message.
            signing_root.0[31] ^= 0xff;
        }
        committee.sign(&signing_root, self.participation)
    }

    fn participation_bits(
        &self,
    ) -> Result<BitVector<<Minimal as light_client::Preset>::SyncCommitteeSize>, SimError> {
        let mut bits = BitVector::new();
        for index in 0..self.participation.min(SYNC_COMMITTEE_SIZE) {
            bits.set(index, true).map_err(|e| SimError::Internal(format!("bit {index}: {e:?}")))?;
        }
        Ok(bits)
    }

    /// The block an attested block's state names as finalized (`None` for the zero root).
    fn finalized_block_of(&self, attested: &SimBlock) -> Result<Option<&SimBlock>, SimError> {
        if attested.finalized.root.is_zero() {
            return Ok(None);
        }
        self.block_by_root(&attested.finalized.root).map(Some).ok_or_else(|| {
            SimError::Internal(format!(
                "finalized block {} of slot {} is not in the chain",
                attested.finalized.root,
                attested.slot()
            ))
        })
    }

    /// The finalized header in the Deneb container (default for the zero root).
    fn finalized_header_deneb(
        &self,
        attested: &SimBlock,
    ) -> Result<LightClientHeaderDeneb, SimError> {
        match self.finalized_block_of(attested)? {
            Some(block) => block.light_client_header(),
            None => Ok(LightClientHeaderDeneb::default()),
        }
    }

    /// The finalized header in the Gloas container (default for the zero root).
    fn finalized_header_gloas(
        &self,
        attested: &SimBlock,
    ) -> Result<LightClientHeaderGloas, SimError> {
        match self.finalized_block_of(attested)? {
            Some(block) => block.light_client_header_gloas(),
            None => Ok(LightClientHeaderGloas::default()),
        }
    }

    fn finality_branch(attested: &SimBlock) -> Vec<B256> {
        attested.state.branch(finalized_root_gindex(attested.fork))
    }

    fn next_committee_branch(attested: &SimBlock) -> Vec<B256> {
        attested.state.branch(next_sync_committee_gindex(attested.fork))
    }

    /// `LightClientBootstrap` of the block `root` (any block of the canonical chain).
    pub fn bootstrap(&self, root: &B256) -> Result<Option<LightClientObject>, SimError> {
        let Some(block) = self.block_by_root(root) else { return Ok(None) };
        let committee = self.committee(period_at_slot(block.slot()))?.sync_committee.clone();
        let branch = block.state.branch(current_sync_committee_gindex(block.fork));
        let (kind, fork, slot) = (ObjectKind::Bootstrap, block.fork, block.slot());
        let object = match fork {
            ForkName::Gloas => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientBootstrapGloas::<Minimal> {
                    header: block.light_client_header_gloas()?,
                    current_sync_committee: committee,
                    current_sync_committee_branch: fixed(branch, "committee branch")?,
                },
            )?,
            ForkName::Electra | ForkName::Fulu => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientBootstrapElectra::<Minimal> {
                    header: block.light_client_header()?,
                    current_sync_committee: committee,
                    current_sync_committee_branch: fixed(branch, "committee branch")?,
                },
            )?,
            _ => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientBootstrapDeneb::<Minimal> {
                    header: block.light_client_header()?,
                    current_sync_committee: committee,
                    current_sync_committee_branch: fixed(branch, "committee branch")?,
                },
            )?,
        };
        Ok(Some(object))
    }

    /// The update attested by block `attested` and signed at `signature_slot`, in
    /// fork-independent form with participation bits but no signature (for ranking).
    fn candidate(
        &self,
        attested: &SimBlock,
        signature_slot: u64,
    ) -> Result<LightClientUpdate<Minimal>, SimError> {
        let next = self.committee(period_at_slot(attested.slot()) + 1)?.sync_committee.clone();
        let finalized_header = match self.finalized_block_of(attested)? {
            Some(block) => block.generic_header(attested.fork)?,
            None => LightClientHeader::default(),
        };
        Ok(LightClientUpdate {
            attested_header: attested.generic_header(attested.fork)?,
            next_sync_committee: next,
            next_sync_committee_branch: Self::next_committee_branch(attested),
            finalized_header,
            finality_branch: Self::finality_branch(attested),
            sync_aggregate: SyncAggregate {
                sync_committee_bits: self.participation_bits()?,
                sync_committee_signature: Default::default(),
            },
            signature_slot,
        })
    }

    /// The full `LightClientUpdate` of `attested`, signed at `signature_slot`.
    fn update_object(
        &self,
        attested: &SimBlock,
        signature_slot: u64,
    ) -> Result<LightClientObject, SimError> {
        let next = self.committee(period_at_slot(attested.slot()) + 1)?.sync_committee.clone();
        let next_branch = Self::next_committee_branch(attested);
        let finality_branch = Self::finality_branch(attested);
        let sync_aggregate = self.sign(attested, signature_slot)?;
        let (kind, fork, slot) = (ObjectKind::Update, attested.fork, attested.slot());
        match fork {
            ForkName::Gloas => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientUpdateGloas::<Minimal> {
                    attested_header: attested.light_client_header_gloas()?,
                    next_sync_committee: next,
                    next_sync_committee_branch: fixed(next_branch, "next committee branch")?,
                    finalized_header: self.finalized_header_gloas(attested)?,
                    finality_branch: fixed(finality_branch, "finality branch")?,
                    sync_aggregate,
                    signature_slot,
                },
            ),
            ForkName::Electra | ForkName::Fulu => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientUpdateElectra::<Minimal> {
                    attested_header: attested.light_client_header()?,
                    next_sync_committee: next,
                    next_sync_committee_branch: fixed(next_branch, "next committee branch")?,
                    finalized_header: self.finalized_header_deneb(attested)?,
                    finality_branch: fixed(finality_branch, "finality branch")?,
                    sync_aggregate,
                    signature_slot,
                },
            ),
            _ => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientUpdateDeneb::<Minimal> {
                    attested_header: attested.light_client_header()?,
                    next_sync_committee: next,
                    next_sync_committee_branch: fixed(next_branch, "next committee branch")?,
                    finalized_header: self.finalized_header_deneb(attested)?,
                    finality_branch: fixed(finality_branch, "finality branch")?,
                    sync_aggregate,
                    signature_slot,
                },
            ),
        }
    }

    /// The best `LightClientUpdate` of sync-committee `period` (the spec's `is_better_update`
    /// ranking over every block of the period whose child, carrying the aggregate, is in the
    /// period too). `None` when the period has no such pair yet.
    pub fn update_for_period(&self, period: u64) -> Result<Option<LightClientObject>, SimError> {
        let start = self.blocks.partition_point(|b| period_at_slot(b.slot()) < period);
        let mut best: Option<(usize, LightClientUpdate<Minimal>)> = None;
        for index in start..self.blocks.len() {
            let (Some(attested), Some(child)) =
                (self.blocks.get(index), self.blocks.get(index + 1))
            else {
                break;
            };
            if period_at_slot(child.slot()) != period {
                break;
            }
            let candidate = self.candidate(attested, child.slot())?;
            if best.as_ref().is_none_or(|(_, b)| is_better_update(&candidate, b)) {
                best = Some((index, candidate));
            }
        }
        match best {
            Some((index, candidate)) => {
                Ok(Some(self.update_object(&self.blocks[index], candidate.signature_slot)?))
            }
            None => Ok(None),
        }
    }

    /// `GET …/updates?start_period&count`: the best update of each period that has one.
    pub fn updates(
        &self,
        start_period: u64,
        count: u64,
    ) -> Result<Vec<LightClientObject>, SimError> {
        let count = count.min(MAX_REQUEST_LIGHT_CLIENT_UPDATES);
        let mut out = Vec::new();
        let last_period = self.head().map(|h| period_at_slot(h.slot())).unwrap_or(0);
        for period in start_period..start_period.saturating_add(count) {
            if period > last_period {
                break;
            }
            if let Some(update) = self.update_for_period(period)? {
                out.push(update);
            }
        }
        Ok(out)
    }

    /// The latest `LightClientFinalityUpdate`: attested = the head's parent, signed in the head.
    pub fn finality_update(&self) -> Result<Option<LightClientObject>, SimError> {
        let [.., attested, head] = self.blocks.as_slice() else { return Ok(None) };
        let signature_slot = head.slot();
        let (kind, fork, slot) = (ObjectKind::FinalityUpdate, attested.fork, attested.slot());
        let finality_branch = Self::finality_branch(attested);
        let sync_aggregate = self.sign(attested, signature_slot)?;
        let object = match fork {
            ForkName::Gloas => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientFinalityUpdateGloas::<Minimal> {
                    attested_header: attested.light_client_header_gloas()?,
                    finalized_header: self.finalized_header_gloas(attested)?,
                    finality_branch: fixed(finality_branch, "finality branch")?,
                    sync_aggregate,
                    signature_slot,
                },
            )?,
            ForkName::Electra | ForkName::Fulu => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientFinalityUpdateElectra::<Minimal> {
                    attested_header: attested.light_client_header()?,
                    finalized_header: self.finalized_header_deneb(attested)?,
                    finality_branch: fixed(finality_branch, "finality branch")?,
                    sync_aggregate,
                    signature_slot,
                },
            )?,
            _ => LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientFinalityUpdateDeneb::<Minimal> {
                    attested_header: attested.light_client_header()?,
                    finalized_header: self.finalized_header_deneb(attested)?,
                    finality_branch: fixed(finality_branch, "finality branch")?,
                    sync_aggregate,
                    signature_slot,
                },
            )?,
        };
        Ok(Some(object))
    }

    /// The latest `LightClientOptimisticUpdate`: attested = the head's parent, signed in the head.
    pub fn optimistic_update(&self) -> Result<Option<LightClientObject>, SimError> {
        let [.., attested, head] = self.blocks.as_slice() else { return Ok(None) };
        let signature_slot = head.slot();
        let sync_aggregate = self.sign(attested, signature_slot)?;
        let (kind, fork, slot) = (ObjectKind::OptimisticUpdate, attested.fork, attested.slot());
        let object = if fork >= ForkName::Gloas {
            LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientOptimisticUpdateGloas::<Minimal> {
                    attested_header: attested.light_client_header_gloas()?,
                    sync_aggregate,
                    signature_slot,
                },
            )?
        } else {
            LightClientObject::new(
                kind,
                fork,
                slot,
                &LightClientOptimisticUpdateDeneb::<Minimal> {
                    attested_header: attested.light_client_header()?,
                    sync_aggregate,
                    signature_slot,
                },
            )?
        };
        Ok(Some(object))
    }
}
