//! Drives anvil: one execution block per slot, wrapped into the beacon chain, and anvil reorgs
//! followed (unfinalized) or reported (finalized).
//!
//! Anvil must run with `--no-mining`. At each slot the driver first reconciles its chain with
//! anvil's (a test may have called `anvil_reorg` / `anvil_rollback`), then either wraps the next
//! anvil block it has not wrapped yet (replacement blocks after a reorg, blocks someone else
//! mined) or mines one with `evm_mine` at the slot's timestamp. A slot whose time is not after
//! the execution head's timestamp stays empty (Ethereum timestamps strictly increase).

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy_primitives::B256;
use peg_eth_rpc::{Block, BlockId, EthRpc};
use serde_json::json;
use tokio::sync::watch;

use crate::chain::SimChain;
use crate::config::ChainParams;
use crate::error::SimError;

/// What the server and the driver share.
#[derive(Debug)]
pub struct SimState {
    /// The beacon chain.
    pub chain: SimChain,
    /// Set when anvil reorganized a finalized block: the simulator stops building.
    pub fatal: Option<String>,
    /// The last slot the driver processed.
    pub slot: u64,
    /// Reorgs followed so far.
    pub reorgs: u64,
    /// Blocks dropped by those reorgs.
    pub reorged_blocks: u64,
}

/// The shared state handle.
#[derive(Debug, Clone)]
pub struct Shared(Arc<RwLock<SimState>>);

impl Shared {
    /// Wraps a chain.
    pub fn new(chain: SimChain) -> Self {
        Self(Arc::new(RwLock::new(SimState {
            chain,
            fatal: None,
            slot: 0,
            reorgs: 0,
            reorged_blocks: 0,
        })))
    }

    /// Read access (a poisoned lock still holds consistent data: every mutation is one call).
    pub fn read(&self) -> RwLockReadGuard<'_, SimState> {
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Write access.
    pub fn write(&self) -> RwLockWriteGuard<'_, SimState> {
        self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Unix time now, in seconds.
pub fn unix_now() -> u64 {
    unix_now_ms() / 1000
}

/// Unix time now, in milliseconds.
pub fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn rpc_error(e: peg_eth_rpc::EthRpcError) -> SimError {
    SimError::Rpc(e.to_string())
}

/// The anvil driver.
#[derive(Debug)]
pub struct Driver {
    rpc: EthRpc,
    state: Shared,
    params: ChainParams,
}

impl Driver {
    /// A driver of `state` over the anvil at `rpc`.
    pub fn new(rpc: EthRpc, state: Shared) -> Self {
        let params = state.read().chain.params().clone();
        Self { rpc, state, params }
    }

    async fn block(&self, number: u64) -> Result<Option<Block>, SimError> {
        self.rpc.block_by_number(BlockId::Number(number)).await.map_err(rpc_error)
    }

    /// Builds the genesis block (slot 0) over anvil's current head.
    pub async fn genesis(&self) -> Result<(), SimError> {
        let latest = self.rpc.block_number().await.map_err(rpc_error)?;
        let block = self
            .block(latest)
            .await?
            .ok_or_else(|| SimError::Rpc(format!("anvil has no block {latest}")))?;
        let mut state = self.state.write();
        if state.chain.head().is_some() {
            return Ok(());
        }
        let built = state.chain.push_block(0, &block.header, block.hash)?;
        tracing::info!(
            root = %built.root,
            execution_number = block.header.number,
            execution_hash = %block.hash,
            "beacon genesis block built over anvil's head"
        );
        Ok(())
    }

    /// Compares the wrapped execution blocks with anvil's chain and drops the orphaned ones.
    /// A reorg reaching the finalized block is fatal.
    async fn reconcile(&self) -> Result<(), SimError> {
        let latest = self.rpc.block_number().await.map_err(rpc_error)?;
        // (index, execution number, execution hash) from the head down to the finalized block
        // (or genesis), the only blocks a reorg may touch.
        let (candidates, floor) = {
            let state = self.state.read();
            let chain = &state.chain;
            let floor = chain
                .finalized_block()
                .and_then(|f| chain.blocks().iter().position(|b| b.root == f.root))
                .unwrap_or(0);
            let list: Vec<(usize, u64, B256)> = chain
                .blocks()
                .iter()
                .enumerate()
                .skip(floor)
                .rev()
                .map(|(i, b)| (i, b.execution.block_number, b.execution.block_hash))
                .collect();
            (list, floor)
        };
        for (index, number, hash) in candidates {
            let anvil_hash = if number <= latest {
                self.block(number).await?.map(|b| b.hash).unwrap_or(B256::ZERO)
            } else {
                B256::ZERO
            };
            if anvil_hash == hash {
                let mut state = self.state.write();
                let dropped = state.chain.truncate(index + 1);
                if dropped > 0 {
                    state.reorgs += 1;
                    state.reorged_blocks += dropped as u64;
                    tracing::warn!(
                        dropped,
                        common_execution_number = number,
                        "anvil reorg: orphaned beacon blocks dropped, re-linking on anvil's chain"
                    );
                }
                return Ok(());
            }
            if index == floor {
                return Err(SimError::FinalizedReorg {
                    finalized_number: number,
                    finalized_hash: hash,
                    anvil_hash,
                });
            }
        }
        Ok(())
    }

    /// Processes `slot`: reconcile, then wrap or mine at most one execution block.
    pub async fn tick(&self, slot: u64) -> Result<(), SimError> {
        if self.state.read().fatal.is_some() {
            return Ok(());
        }
        if let Err(e) = self.reconcile().await {
            if matches!(e, SimError::FinalizedReorg { .. }) {
                tracing::error!(error = %e, "fatal: the simulator stops building blocks");
                self.state.write().fatal = Some(e.to_string());
                return Ok(());
            }
            return Err(e);
        }
        let (head_number, head_timestamp) = {
            let state = self.state.read();
            let head = state.chain.head().ok_or(SimError::NoGenesis)?;
            (head.execution.block_number, head.execution.timestamp)
        };
        let latest = self.rpc.block_number().await.map_err(rpc_error)?;
        if latest <= head_number {
            let timestamp = self.params.slot_time(slot);
            if timestamp <= head_timestamp {
                tracing::debug!(slot, timestamp, head_timestamp, "empty slot: anvil is ahead");
                self.state.write().slot = slot;
                return Ok(());
            }
            self.rpc
                .request_value("evm_mine", json!([{ "timestamp": timestamp, "blocks": 1 }]))
                .await
                .map_err(rpc_error)?;
        }
        let next = head_number + 1;
        let block = self
            .block(next)
            .await?
            .ok_or_else(|| SimError::Rpc(format!("anvil has no block {next} after mining")))?;
        let mut state = self.state.write();
        state.slot = slot;
        match state.chain.push_block(slot, &block.header, block.hash) {
            Ok(built) => {
                tracing::debug!(slot, root = %built.root, execution_number = next, "slot built");
                Ok(())
            }
            // Anvil moved under us between the calls: the next tick reconciles.
            Err(e @ SimError::ExecutionParentMismatch { .. }) => {
                tracing::warn!(slot, error = %e, "execution block does not extend the head");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Runs until `shutdown` turns true: catches up with the wall clock at once (one block per
    /// missed slot), then processes each slot at its start.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut next_slot = self.state.read().chain.head().map(|h| h.slot() + 1).unwrap_or(1);
        loop {
            if *shutdown.borrow() {
                return;
            }
            let target = self.params.slot_at(unix_now());
            while next_slot <= target {
                if let Err(e) = self.tick(next_slot).await {
                    tracing::warn!(slot = next_slot, error = %e, "slot failed, left empty");
                }
                next_slot += 1;
                if *shutdown.borrow() {
                    return;
                }
            }
            let start_ms = self.params.slot_time(next_slot).saturating_mul(1000);
            let wait_ms = start_ms
                .saturating_sub(unix_now_ms())
                .min(self.params.seconds_per_slot.saturating_mul(1000));
            // Wake at the slot start, a little late rather than early.
            let sleep = Duration::from_millis(wait_ms + 10);
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
