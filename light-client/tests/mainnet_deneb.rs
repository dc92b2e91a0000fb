//! Real mainnet Deneb light-client data (512-member committee): the chains verify, and copies
//! with one flipped signature bit, an altered branch node or a swapped committee key are
//! rejected with the matching error. Data: `../shared/vectors/mainnet-deneb-light-client`.

use std::path::PathBuf;

use alloy_primitives::{b256, B256};
use light_client::config::{ChainConfig, ForkName};
use light_client::error::{BlsError, ConsensusError};
use light_client::preset::Mainnet;
use light_client::sync::{
    initialize_light_client_store, process_light_client_finality_update,
    process_light_client_update,
};
use light_client::types::{
    LightClientBootstrap, LightClientFinalityUpdate, LightClientUpdate, SyncCommittee,
};
use light_client::{BlsBackend, DefaultBls, LightClientStore};
use tree_hash::TreeHash;

type Store = LightClientStore<Mainnet, DefaultBls>;

/// Root of the inclusion bootstrap header (slot 9567456), the finalized header of the
/// inclusion finality update.
const INCLUSION_ROOT: B256 =
    b256!("f783c545d2dd90cee6c4cb92a9324323ef397f6ec85e1a3d61c48cf6cfc979e2");

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/mainnet-deneb-light-client")
}

fn read(path: &str) -> String {
    let full = vectors().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn read_bytes(path: &str) -> Vec<u8> {
    let full = vectors().join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn bootstrap(dir: &str) -> LightClientBootstrap<Mainnet> {
    let (fork, b) = LightClientBootstrap::from_beacon_api_json(&read(&format!(
        "{dir}/base-data/BootstrapDeneb.json"
    )))
    .expect("bootstrap JSON decodes");
    assert_eq!(fork, ForkName::Deneb);
    b
}

fn inclusion_update() -> LightClientUpdate<Mainnet> {
    let mut list = LightClientUpdate::<Mainnet>::list_from_beacon_api_json(&read(
        "inclusion/base-data/UpdateDeneb.json",
    ))
    .expect("updates JSON array decodes");
    assert_eq!(list.len(), 1);
    let (fork, update) = list.remove(0);
    assert_eq!(fork, ForkName::Deneb);
    update
}

fn update_object(path: &str) -> LightClientUpdate<Mainnet> {
    let (fork, update) =
        LightClientUpdate::from_beacon_api_json(&read(path)).expect("update JSON decodes");
    assert_eq!(fork, ForkName::Deneb);
    update
}

fn finality_update() -> LightClientFinalityUpdate<Mainnet> {
    let (fork, update) = LightClientFinalityUpdate::from_beacon_api_json(&read(
        "inclusion/base-data/FinalityUpdateDeneb.json",
    ))
    .expect("finality update JSON decodes");
    assert_eq!(fork, ForkName::Deneb);
    update
}

fn inclusion_store() -> Store {
    let config = ChainConfig::mainnet();
    initialize_light_client_store(&config, INCLUSION_ROOT, bootstrap("inclusion"))
        .expect("bootstrap verifies")
}

#[test]
fn json_and_ssz_decode_to_the_same_objects() {
    for dir in ["inclusion", "committee-change"] {
        let from_ssz = LightClientBootstrap::<Mainnet>::from_ssz_bytes(
            &read_bytes(&format!("{dir}/LightClientBootstrapDeneb.ssz")),
            ForkName::Deneb,
        )
        .expect("bootstrap SSZ decodes");
        assert_eq!(from_ssz, bootstrap(dir), "{dir} bootstrap");
    }
    let from_ssz = LightClientUpdate::<Mainnet>::from_ssz_bytes(
        &read_bytes("inclusion/LightClientUpdateDeneb.ssz"),
        ForkName::Deneb,
    )
    .expect("update SSZ decodes");
    assert_eq!(from_ssz, inclusion_update());
    let from_ssz = LightClientFinalityUpdate::<Mainnet>::from_ssz_bytes(
        &read_bytes("inclusion/LightClientFinalityUpdateDeneb.ssz"),
        ForkName::Deneb,
    )
    .expect("finality update SSZ decodes");
    assert_eq!(from_ssz, finality_update());
    for (ssz, json) in [
        ("LightClientUpdateDeneb.ssz", "UpdateDeneb.json"),
        ("LightClientUpdateNewPeriodDeneb.ssz", "UpdateNewPeriodDeneb.json"),
    ] {
        let from_ssz = LightClientUpdate::<Mainnet>::from_ssz_bytes(
            &read_bytes(&format!("committee-change/{ssz}")),
            ForkName::Deneb,
        )
        .expect("update SSZ decodes");
        assert_eq!(from_ssz, update_object(&format!("committee-change/base-data/{json}")));
    }
    // The committee-change bootstrap's committee is the standalone SyncCommittee SSZ file.
    let committee = <SyncCommittee<Mainnet> as ssz::Decode>::from_ssz_bytes(&read_bytes(
        "committee-change/SyncCommitteeDeneb.ssz",
    ))
    .expect("committee SSZ decodes");
    assert_eq!(committee, bootstrap("committee-change").current_sync_committee);
}

#[test]
fn inclusion_bootstrap_update_then_finality_update() {
    let config = ChainConfig::mainnet();
    let mut store = inclusion_store();
    assert_eq!(store.finalized_slot(), 9_567_456);
    assert_eq!(store.sync_committee_period(), 1167);
    assert_eq!(store.finalized_execution_block_number(), Some(20_360_596));
    assert!(!store.is_next_sync_committee_known());

    let update = inclusion_update();
    let outcome = process_light_client_update(&mut store, &config, &update, update.signature_slot)
        .expect("update verifies");
    assert!(outcome.applied, "supermajority update with a finalized next committee");
    assert!(!outcome.finalized_advanced, "its finalized header is older than the bootstrap");
    assert_eq!(
        store.next_sync_committee().map(TreeHash::tree_hash_root),
        Some(update.next_sync_committee.tree_hash_root())
    );

    let finality = finality_update();
    assert_eq!(finality.finalized_header.beacon_root(), INCLUSION_ROOT);
    let signature_slot = finality.signature_slot;
    let attested = finality.attested_header.beacon.slot;
    let outcome = process_light_client_finality_update(
        &mut store,
        &config,
        finality,
        ForkName::Deneb,
        signature_slot,
    )
    .expect("finality update verifies");
    assert!(!outcome.finalized_advanced);
    assert_eq!(store.optimistic_header().beacon.slot, attested);
    assert_eq!(store.finalized_block_root(), INCLUSION_ROOT);

    // Replaying the first update now brings nothing: stale.
    let err = process_light_client_update(&mut store, &config, &update, update.signature_slot)
        .expect_err("stale update");
    assert!(err.is_irrelevant(), "{err}");
}

#[test]
fn committee_change_rotates_the_committee() {
    let config = ChainConfig::mainnet();
    let boot = bootstrap("committee-change");
    let root = boot.header.beacon_root();
    let mut store: Store =
        initialize_light_client_store(&config, root, boot).expect("bootstrap verifies");
    assert_eq!(store.sync_committee_period(), 1150);

    let new_period = update_object("committee-change/base-data/UpdateNewPeriodDeneb.json");
    // Without the next committee the new period's update cannot be checked.
    let err =
        process_light_client_update(&mut store, &config, &new_period, new_period.signature_slot)
            .expect_err("next committee unknown");
    assert!(matches!(err, ConsensusError::SkippedSyncCommitteePeriod { got: 1151, .. }), "{err}");

    let update = update_object("committee-change/base-data/UpdateDeneb.json");
    process_light_client_update(&mut store, &config, &update, update.signature_slot)
        .expect("same-period update verifies");
    assert!(store.is_next_sync_committee_known());
    let next_root = update.next_sync_committee.tree_hash_root();

    let outcome =
        process_light_client_update(&mut store, &config, &new_period, new_period.signature_slot)
            .expect("new-period update verifies");
    assert!(outcome.applied && outcome.finalized_advanced);
    assert_eq!(store.sync_committee_period(), 1151);
    assert_eq!(store.finalized_slot(), new_period.finalized_header.beacon.slot);
    assert_eq!(store.current_sync_committee().tree_hash_root(), next_root);
    assert_eq!(
        store.finalized_execution_block_hash(),
        new_period.finalized_header.execution.block_hash()
    );
}

#[test]
fn flipped_signature_bit_is_rejected() {
    let config = ChainConfig::mainnet();
    let update = inclusion_update();
    // Every single-bit flip of the signature's x coordinate (skipping the 3 flag bits).
    for bit in [3usize, 100, 400, 767] {
        let mut bad = update.clone();
        bad.sync_aggregate.sync_committee_signature.0[bit / 8] ^= 0x80 >> (bit % 8);
        let mut store = inclusion_store();
        let err = process_light_client_update(&mut store, &config, &bad, bad.signature_slot)
            .expect_err("flipped signature bit");
        assert!(
            matches!(
                err,
                ConsensusError::InvalidSignature(
                    BlsError::SignatureMismatch | BlsError::InvalidSignatureEncoding
                )
            ),
            "bit {bit}: {err}"
        );
        assert!(!store.is_next_sync_committee_known(), "store unchanged on error");
    }
    // A flipped participation bit changes the signer set: the pairing fails.
    let mut bad = update.clone();
    let first = bad.sync_aggregate.sync_committee_bits.get(0).expect("bit 0");
    bad.sync_aggregate.sync_committee_bits.set(0, !first).expect("bit 0");
    let mut store = inclusion_store();
    let err = process_light_client_update(&mut store, &config, &bad, bad.signature_slot)
        .expect_err("flipped participation bit");
    assert_eq!(err, ConsensusError::InvalidSignature(BlsError::SignatureMismatch));
}

#[test]
fn altered_branch_nodes_are_rejected() {
    let config = ChainConfig::mainnet();
    let update = inclusion_update();

    let mut bad = update.clone();
    bad.finality_branch[3].0[0] ^= 1;
    let err =
        process_light_client_update(&mut inclusion_store(), &config, &bad, bad.signature_slot)
            .expect_err("finality branch");
    assert_eq!(err, ConsensusError::InvalidFinalityBranch);

    let mut bad = update.clone();
    bad.next_sync_committee_branch[0].0[31] ^= 1;
    let err =
        process_light_client_update(&mut inclusion_store(), &config, &bad, bad.signature_slot)
            .expect_err("next committee branch");
    assert_eq!(err, ConsensusError::InvalidNextSyncCommitteeBranch);

    let mut bad = update.clone();
    bad.attested_header.execution_branch[1].0[7] ^= 1;
    let err =
        process_light_client_update(&mut inclusion_store(), &config, &bad, bad.signature_slot)
            .expect_err("execution branch");
    assert_eq!(
        err,
        ConsensusError::InvalidExecutionBranch { slot: bad.attested_header.beacon.slot }
    );

    let mut boot = bootstrap("inclusion");
    boot.current_sync_committee_branch[4].0[0] ^= 0x80;
    let err = initialize_light_client_store::<Mainnet, DefaultBls>(&config, INCLUSION_ROOT, boot)
        .expect_err("bootstrap committee branch");
    assert_eq!(err, ConsensusError::InvalidCurrentSyncCommitteeBranch);
}

#[test]
fn swapped_committee_keys_are_rejected() {
    let config = ChainConfig::mainnet();
    let mut boot = bootstrap("inclusion");
    boot.current_sync_committee.pubkeys.swap(0, 1);
    let err = initialize_light_client_store::<Mainnet, DefaultBls>(&config, INCLUSION_ROOT, boot)
        .expect_err("bootstrap with swapped keys");
    assert_eq!(err, ConsensusError::InvalidCurrentSyncCommitteeBranch);

    let mut bad = inclusion_update();
    bad.next_sync_committee.pubkeys.swap(10, 11);
    let err =
        process_light_client_update(&mut inclusion_store(), &config, &bad, bad.signature_slot)
            .expect_err("update with swapped next keys");
    assert_eq!(err, ConsensusError::InvalidNextSyncCommitteeBranch);
}

#[test]
fn wrong_trust_anchor_network_or_clock_is_rejected() {
    let config = ChainConfig::mainnet();
    let err = initialize_light_client_store::<Mainnet, DefaultBls>(
        &config,
        B256::repeat_byte(0x11),
        bootstrap("inclusion"),
    )
    .expect_err("untrusted root");
    assert!(
        matches!(err, ConsensusError::TrustedRootMismatch { got, .. } if got == INCLUSION_ROOT)
    );

    // Same data judged with another network's genesis validators root: domain differs.
    let mut other = ChainConfig::mainnet();
    other.genesis_validators_root = ChainConfig::sepolia().genesis_validators_root;
    let update = inclusion_update();
    let mut store: Store =
        initialize_light_client_store(&other, INCLUSION_ROOT, bootstrap("inclusion"))
            .expect("bootstrap has no signature");
    let err = process_light_client_update(&mut store, &other, &update, update.signature_slot)
        .expect_err("other network");
    assert_eq!(err, ConsensusError::InvalidSignature(BlsError::SignatureMismatch));

    let err = process_light_client_update(
        &mut inclusion_store(),
        &config,
        &update,
        update.signature_slot - 1,
    )
    .expect_err("signature from the future");
    assert!(matches!(err, ConsensusError::SignatureSlotInFuture { .. }), "{err}");
}

/// The chain verifies, and a flipped signature bit fails, with each BLS backend.
fn inclusion_chain_with<B: BlsBackend>() {
    let config = ChainConfig::mainnet();
    let mut store: LightClientStore<Mainnet, B> =
        initialize_light_client_store(&config, INCLUSION_ROOT, bootstrap("inclusion"))
            .expect("bootstrap verifies");
    let update = inclusion_update();
    let mut bad = update.clone();
    bad.sync_aggregate.sync_committee_signature.0[20] ^= 0x10;
    let err = process_light_client_update(&mut store, &config, &bad, bad.signature_slot)
        .expect_err("flipped bit");
    assert!(matches!(err, ConsensusError::InvalidSignature(_)), "{err}");
    process_light_client_update(&mut store, &config, &update, update.signature_slot)
        .expect("update verifies");
    let finality = finality_update();
    let slot = finality.signature_slot;
    process_light_client_finality_update(&mut store, &config, finality, ForkName::Deneb, slot)
        .expect("finality update verifies");
    assert_eq!(store.optimistic_header().beacon.slot, 9_567_542);
}

#[test]
fn each_bls_backend_verifies_the_inclusion_chain() {
    inclusion_chain_with::<light_client::Bls12381>();
    #[cfg(feature = "blst")]
    inclusion_chain_with::<light_client::Blst>();
}

#[test]
fn store_snapshot_round_trips_through_json() {
    let config = ChainConfig::mainnet();
    let mut store = inclusion_store();
    let update = inclusion_update();
    process_light_client_update(&mut store, &config, &update, update.signature_slot)
        .expect("update verifies");
    let json = serde_json::to_string(&store.snapshot()).expect("serializes");
    let snapshot: light_client::LightClientStoreSnapshot<Mainnet> =
        serde_json::from_str(&json).expect("deserializes");
    assert_eq!(snapshot, store.snapshot());
    let mut restored = Store::from_snapshot(snapshot).expect("committees prepare");
    let finality = finality_update();
    let slot = finality.signature_slot;
    process_light_client_finality_update(&mut restored, &config, finality, ForkName::Deneb, slot)
        .expect("restored store verifies the next update");
    assert_eq!(restored.finalized_block_root(), INCLUSION_ROOT);
    assert_eq!(restored.optimistic_header().beacon.slot, 9_567_542);
}
