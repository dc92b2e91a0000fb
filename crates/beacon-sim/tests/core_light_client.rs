//! The pure core's output, verified by the real light client: bootstrap, updates across a
//! period rotation and a Deneb → Electra transition, finality reaching the fed execution
//! blocks, and the adversary switches.

use alloy_primitives::{B256, U256};
use beacon_sim::chain::LightClientObject;
use beacon_sim::{ChainParams, SimChain};
use light_client::error::ConsensusError;
use light_client::execution::ExecutionHeader;
use light_client::sync::check_data_fork;
use light_client::types::{LightClientBootstrap, LightClientFinalityUpdate, LightClientUpdate};
use light_client::{
    initialize_light_client_store, process_light_client_finality_update,
    process_light_client_update, DefaultBls, ForkName, LightClientStore, Minimal,
};

type Store = LightClientStore<Minimal, DefaultBls>;

fn params(electra_epoch: Option<u64>) -> ChainParams {
    ChainParams {
        genesis_time: 1_700_000_000,
        seconds_per_slot: 1,
        finality_lag_epochs: 1,
        electra_epoch,
        fulu_epoch: None,
        gloas_epoch: None,
        seed: 42,
        participation: 32,
    }
}

/// A chain of synthetic Prague-shaped execution headers, one per call.
struct ExecutionChain {
    parent: B256,
    number: u64,
}

impl ExecutionChain {
    fn new() -> Self {
        Self { parent: B256::repeat_byte(0xee), number: 0 }
    }

    fn next(&mut self, timestamp: u64) -> (ExecutionHeader, B256) {
        let header = ExecutionHeader {
            parent_hash: self.parent,
            number: self.number,
            timestamp,
            gas_limit: 30_000_000,
            state_root: B256::repeat_byte(self.number as u8),
            receipts_root: B256::repeat_byte(0x56),
            base_fee_per_gas: Some(7),
            withdrawals_root: Some(B256::repeat_byte(1)),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: Some(B256::repeat_byte(2)),
            difficulty: U256::ZERO,
            ..Default::default()
        };
        let hash = header.hash().expect("hashable header");
        self.parent = hash;
        self.number += 1;
        (header, hash)
    }
}

/// Pushes blocks for `slots` (in order) and returns the execution hashes by slot.
fn grow(chain: &mut SimChain, exec: &mut ExecutionChain, slots: impl IntoIterator<Item = u64>) {
    for slot in slots {
        let (header, hash) = exec.next(chain.params().slot_time(slot));
        chain.push_block(slot, &header, hash).expect("block");
    }
}

/// Decodes an update exactly as a relayer would: from the served JSON envelope, checking the
/// SSZ form decodes to the same thing.
fn decode_update(object: &LightClientObject) -> (ForkName, LightClientUpdate<Minimal>) {
    let text = object.envelope().to_string();
    let (fork, update) = LightClientUpdate::<Minimal>::from_beacon_api_json(&text).expect("json");
    let from_ssz = LightClientUpdate::<Minimal>::from_ssz_bytes(&object.ssz, fork).expect("ssz");
    assert_eq!(update, from_ssz);
    (fork, update)
}

fn decode_finality(object: &LightClientObject) -> (ForkName, LightClientFinalityUpdate<Minimal>) {
    let text = object.envelope().to_string();
    let (fork, update) =
        LightClientFinalityUpdate::<Minimal>::from_beacon_api_json(&text).expect("json");
    let from_ssz =
        LightClientFinalityUpdate::<Minimal>::from_ssz_bytes(&object.ssz, fork).expect("ssz");
    assert_eq!(update, from_ssz);
    (fork, update)
}

fn bootstrap_store(chain: &SimChain, slot: u64) -> Store {
    let block = chain.block_at_slot(slot).expect("block at slot");
    let object = chain.bootstrap(&block.root).expect("bootstrap").expect("known root");
    let text = object.envelope().to_string();
    let (fork, bootstrap) =
        LightClientBootstrap::<Minimal>::from_beacon_api_json(&text).expect("json");
    assert_eq!(
        LightClientBootstrap::<Minimal>::from_ssz_bytes(&object.ssz, fork).expect("ssz"),
        bootstrap
    );
    check_data_fork::<Minimal>(chain.chain_config(), fork, slot).expect("fork of the slot");
    initialize_light_client_store(chain.chain_config(), block.root, bootstrap).expect("bootstrap")
}

/// One relayer pass: learn the next committee of the store period if unknown, then apply the
/// latest finality update. Errors of the finality update are returned.
fn sync_pass(store: &mut Store, chain: &SimChain) -> Result<(), ConsensusError> {
    let config = chain.chain_config();
    let current_slot = chain.head().expect("head").slot();
    if !store.is_next_sync_committee_known() {
        if let Some(object) = chain.update_for_period(store.sync_committee_period()).expect("build")
        {
            let (fork, update) = decode_update(&object);
            check_data_fork::<Minimal>(config, fork, update.attested_header.beacon.slot)
                .expect("container fork");
            process_light_client_update(store, config, &update, current_slot)?;
        }
    }
    let object = chain.finality_update().expect("build").expect("two blocks");
    let (fork, update) = decode_finality(&object);
    check_data_fork::<Minimal>(config, fork, update.attested_header.beacon.slot).expect("fork");
    process_light_client_finality_update(store, config, update, fork, current_slot)?;
    Ok(())
}

/// Slot of the block finalized by the state of the head's parent (the attested block of the
/// latest finality update).
fn attested_checkpoint_slot(chain: &SimChain) -> Option<u64> {
    let blocks = chain.blocks();
    blocks.get(blocks.len().checked_sub(2)?)?.finalized.block_slot
}

fn assert_finalized_execution_matches(store: &Store, chain: &SimChain) {
    let finalized = chain.block_by_root(&store.finalized_block_root()).expect("known block");
    assert_eq!(store.finalized_execution_block_hash(), Some(finalized.execution.block_hash));
    assert_eq!(store.finalized_execution_block_number(), Some(finalized.execution.block_number));
}

#[test]
fn light_client_follows_across_periods_and_the_electra_fork() {
    // Electra at epoch 12 (slot 96, inside period 1).
    let mut chain = SimChain::new(params(Some(12))).expect("params");
    let mut exec = ExecutionChain::new();
    grow(&mut chain, &mut exec, 0..=20);
    let mut store = bootstrap_store(&chain, 8);
    assert_eq!(store.sync_committee_period(), 0);

    let mut rotations = 0;
    let mut last_period = 0;
    let mut saw_electra = false;
    let mut head = 20;
    // Advance 8 slots at a time up to period 3, syncing after each step.
    while head < 3 * 64 + 40 {
        grow(&mut chain, &mut exec, head + 1..=head + 8);
        head += 8;
        sync_pass(&mut store, &chain).expect("honest data verifies");
        assert_finalized_execution_matches(&store, &chain);
        assert_eq!(
            Some(store.finalized_slot()),
            attested_checkpoint_slot(&chain),
            "finalized at the attested block's checkpoint (head {head})"
        );
        if store.sync_committee_period() != last_period {
            rotations += 1;
            last_period = store.sync_committee_period();
        }
        saw_electra |= chain.chain_config().fork_at_slot::<Minimal>(store.finalized_slot())
            == ForkName::Electra;
    }
    assert_eq!(rotations, 3, "rotated into periods 1, 2 and 3");
    assert!(saw_electra, "finalized an Electra block");
    // The finalized checkpoint lags two epochs: the epoch boundary of (head epoch - 2).
    let head_epoch = head / 8;
    assert_eq!(store.finalized_slot(), (head_epoch - 2) * 8);
    // The execution block the light client trusts is the one fed in at that slot.
    let fed = chain.block_at_slot(store.finalized_slot()).expect("block");
    assert_eq!(store.finalized_execution_block_hash(), Some(fed.execution.block_hash));
    assert_eq!(fed.execution.block_number, store.finalized_slot());

    // `updates` serves one update per period, each in its attested slot's fork.
    let updates = chain.updates(0, 10).expect("updates");
    assert_eq!(updates.len(), 4);
    for (period, object) in updates.iter().enumerate() {
        assert_eq!(object.slot / 64, period as u64);
        assert_eq!(object.fork, chain.chain_config().fork_at_slot::<Minimal>(object.slot));
    }
    assert_eq!(updates[3].fork, ForkName::Electra);
}

#[test]
fn sync_from_bootstrap_through_period_updates_only() {
    // A client that only reads `updates` (one per period) still reaches the latest period.
    let mut chain = SimChain::new(params(Some(4))).expect("params");
    let mut exec = ExecutionChain::new();
    grow(&mut chain, &mut exec, 0..=4 * 64 + 30);
    let mut store = bootstrap_store(&chain, 3);
    let current_slot = chain.head().expect("head").slot();
    for object in chain.updates(0, 128).expect("updates") {
        let (_, update) = decode_update(&object);
        process_light_client_update(&mut store, chain.chain_config(), &update, current_slot)
            .expect("period update verifies");
    }
    assert_eq!(store.sync_committee_period(), 4);
    assert_finalized_execution_matches(&store, &chain);
}

#[test]
fn bad_signatures_fail_the_signature_check() {
    let mut chain = SimChain::new(params(None)).expect("params");
    let mut exec = ExecutionChain::new();
    grow(&mut chain, &mut exec, 0..=40);
    let mut store = bootstrap_store(&chain, 8);
    chain.adversary.bad_signatures = true;
    let error = sync_pass(&mut store, &chain).expect_err("bad aggregate");
    assert!(matches!(error, ConsensusError::InvalidSignature(_)), "{error:?}");
    assert_eq!(store.finalized_slot(), 8, "nothing applied");
    // The same data with honest signatures verifies.
    chain.adversary.bad_signatures = false;
    sync_pass(&mut store, &chain).expect("honest");
    assert!(store.finalized_slot() > 8);
}

#[test]
fn stalled_finality_does_not_advance() {
    let mut chain = SimChain::new(params(None)).expect("params");
    let mut exec = ExecutionChain::new();
    grow(&mut chain, &mut exec, 0..=40);
    let mut store = bootstrap_store(&chain, 8);
    sync_pass(&mut store, &chain).expect("honest");
    let finalized = store.finalized_slot();
    // Head 40 (epoch 5), attested 39 (epoch 4): finalized epoch 2.
    assert_eq!(finalized, 16);

    chain.adversary.stall_finality = true;
    grow(&mut chain, &mut exec, 41..=60);
    assert_eq!(chain.head().expect("head").finalized.block_slot, Some(24), "frozen at 24");
    // The client catches up with the frozen checkpoint, then stops.
    sync_pass(&mut store, &chain).expect("valid");
    assert_eq!(store.finalized_slot(), 24);
    grow(&mut chain, &mut exec, 61..=90);
    sync_pass(&mut store, &chain).expect("still valid, just not new");
    assert_eq!(store.finalized_slot(), 24, "finality stalled");
    assert!(finalized < 24);

    chain.adversary.stall_finality = false;
    grow(&mut chain, &mut exec, 91..=92);
    sync_pass(&mut store, &chain).expect("honest");
    // Attested 91 (epoch 11): finalized epoch 9.
    assert_eq!(store.finalized_slot(), 72, "finality resumes at the lagged boundary");
}

#[test]
fn partial_participation_and_empty_slots() {
    let mut chain = SimChain::new(params(None)).expect("params");
    chain.participation = 22; // exactly 2/3 of 32 rounded up: still a supermajority
    let mut exec = ExecutionChain::new();
    // Slots 17..=23 and 25 are empty: the epoch-3 boundary (slot 24) has a block, epoch 2's
    // boundary (16) too.
    grow(&mut chain, &mut exec, (0..=16).chain([24, 26, 27]).chain(28..=45));
    let mut store = bootstrap_store(&chain, 8);
    sync_pass(&mut store, &chain).expect("22 of 32 sign");
    assert_eq!(store.finalized_slot(), 24);
    assert_finalized_execution_matches(&store, &chain);

    // Below the supermajority nothing is finalized.
    chain.participation = 21;
    grow(&mut chain, &mut exec, 46..=60);
    sync_pass(&mut store, &chain).expect("valid but not applied");
    assert_eq!(store.finalized_slot(), 24);
}

#[test]
fn reorg_of_unfinalized_blocks_relinks_the_chain() {
    let mut chain = SimChain::new(params(None)).expect("params");
    let mut exec = ExecutionChain::new();
    grow(&mut chain, &mut exec, 0..=30);
    let old_head = chain.head().expect("head").root;
    // Drop the last 3 blocks (exec 28..=30) and build a different execution branch.
    assert_eq!(chain.truncate(28), 3);
    assert!(chain.block_by_root(&old_head).is_none());
    let mut fork =
        ExecutionChain { parent: chain.head().expect("head").execution.block_hash, number: 28 };
    let (header, hash) = fork.next(99);
    // A block that does not extend the head is refused.
    let (orphan, orphan_hash) = ExecutionChain::new().next(5);
    assert!(chain.push_block(31, &orphan, orphan_hash).is_err());
    // Slots are never reused backwards either.
    assert!(chain.push_block(27, &header, hash).is_err());
    chain.push_block(31, &header, hash).expect("extends the new head");
    let mut fork_exec = fork;
    grow(&mut chain, &mut fork_exec, 32..=45);
    let mut store = bootstrap_store(&chain, 8);
    sync_pass(&mut store, &chain).expect("relinked chain verifies");
    // Attested 44 (epoch 5): finalized epoch 3, the block at slot 24.
    assert_eq!(store.finalized_slot(), 24);
    grow(&mut chain, &mut fork_exec, 46..=50);
    sync_pass(&mut store, &chain).expect("relinked chain verifies");
    // Attested 49 (epoch 6): finalized epoch 4; slot 32 is the first block of the new branch.
    assert_eq!(store.finalized_slot(), 32);
    let finalized = chain.block_at_slot(32).expect("block");
    assert_eq!(store.finalized_execution_block_hash(), Some(finalized.execution.block_hash));
    assert_eq!(finalized.execution.parent_hash, hash, "on the new execution branch");
}

#[test]
fn electra_at_genesis_then_fulu() {
    let mut chain =
        SimChain::new(ChainParams { fulu_epoch: Some(3), ..params(Some(0)) }).expect("params");
    let mut exec = ExecutionChain::new();
    grow(&mut chain, &mut exec, 0..=90);
    let mut store = bootstrap_store(&chain, 8);
    for _ in 0..3 {
        sync_pass(&mut store, &chain).expect("honest data verifies");
    }
    assert_eq!(store.sync_committee_period(), 1);
    assert_finalized_execution_matches(&store, &chain);
    let object = chain.finality_update().expect("build").expect("exists");
    assert_eq!(object.fork, ForkName::Fulu);
    assert_eq!(object.envelope()["version"], "fulu");
    let bootstrap = chain.bootstrap(&chain.block_at_slot(8).expect("block").root).expect("build");
    assert_eq!(bootstrap.expect("exists").fork, ForkName::Electra);
}

#[test]
fn gloas_transition_and_rotation() {
    // Electra at genesis, Fulu at epoch 1, Gloas at epoch 4 (slot 32).
    let mut chain =
        SimChain::new(ChainParams { fulu_epoch: Some(1), gloas_epoch: Some(4), ..params(Some(0)) })
            .expect("params");
    let mut exec = ExecutionChain::new();
    grow(&mut chain, &mut exec, 0..=20);
    let mut store = bootstrap_store(&chain, 16);
    let mut head = 20;
    let mut finalized_gloas = false;
    while head < 2 * 64 + 30 {
        grow(&mut chain, &mut exec, head + 1..=head + 8);
        head += 8;
        sync_pass(&mut store, &chain).expect("honest data verifies");
        let finalized = chain.block_by_root(&store.finalized_block_root()).expect("known");
        assert_eq!(
            store.finalized_execution_block_hash(),
            Some(finalized.light_client_execution_hash())
        );
        if finalized.fork == ForkName::Gloas {
            finalized_gloas = true;
            // EIP-7732: the bid's parent block hash, i.e. the wrapped block's parent; no number.
            assert_eq!(
                store.finalized_execution_block_hash(),
                Some(finalized.execution.parent_hash)
            );
            assert_eq!(store.finalized_execution_block_number(), None);
        }
    }
    assert!(finalized_gloas);
    assert_eq!(store.sync_committee_period(), 2);
    // A Gloas bootstrap and period updates alone also work.
    let gloas_block = chain.block_at_slot(72).expect("block");
    assert_eq!(gloas_block.fork, ForkName::Gloas);
    let mut store = bootstrap_store(&chain, 72);
    for object in chain.updates(1, 4).expect("updates") {
        assert_eq!(object.fork, ForkName::Gloas);
        let (_, update) = decode_update(&object);
        process_light_client_update(&mut store, chain.chain_config(), &update, head)
            .expect("Gloas period update verifies");
    }
    assert_eq!(store.sync_committee_period(), 2);
}
