//! Gloas (EIP-7688 indices, EIP-7732 execution block hash) end to end on synthetic data with real
//! BLS keys (minimal preset): bootstrap, a finality update decoded from beacon-API JSON, and the
//! matching rejections. No Gloas vectors exist upstream yet, so the data is built here from the
//! spec's generalized indices; the signing path is the same as the one checked on mainnet data.

use alloy_primitives::B256;
use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use bls12_381::{G1Affine, G2Affine, G2Projective, Scalar};
use light_client::config::{ChainConfig, ForkName};
use light_client::error::{BlsError, ConsensusError};
use light_client::preset::Minimal;
use light_client::proof::{
    compute_merkle_branch_root, floorlog2, get_subtree_index, CURRENT_SYNC_COMMITTEE_GINDEX_GLOAS,
    EXECUTION_BLOCK_HASH_GINDEX_DENEB, EXECUTION_BLOCK_HASH_GINDEX_GLOAS,
    FINALIZED_ROOT_GINDEX_ELECTRA, FINALIZED_ROOT_GINDEX_GLOAS,
};
use light_client::sync::{
    compute_signing_root, get_lc_execution_root, initialize_light_client_store,
    is_valid_light_client_header, process_light_client_finality_update, sync_committee_domain,
};
use light_client::types::*;
use light_client::{DefaultBls, LightClientStore};
use ssz_types::{BitVector, FixedVector};
use tree_hash::TreeHash;

const CONFIG: &str = "PRESET_BASE: 'minimal'\nCONFIG_NAME: 'gloas-devnet'\n\
    GENESIS_FORK_VERSION: 0x00000001\nALTAIR_FORK_VERSION: 0x01000001\nALTAIR_FORK_EPOCH: 0\n\
    BELLATRIX_FORK_VERSION: 0x02000001\nBELLATRIX_FORK_EPOCH: 0\n\
    CAPELLA_FORK_VERSION: 0x03000001\nCAPELLA_FORK_EPOCH: 0\n\
    DENEB_FORK_VERSION: 0x04000001\nDENEB_FORK_EPOCH: 0\n\
    ELECTRA_FORK_VERSION: 0x05000001\nELECTRA_FORK_EPOCH: 0\n\
    FULU_FORK_VERSION: 0x06000001\nFULU_FORK_EPOCH: 0\n\
    GLOAS_FORK_VERSION: 0x07000001\nGLOAS_FORK_EPOCH: 1\n";

fn config() -> ChainConfig {
    ChainConfig::from_yaml_str(CONFIG, Some(B256::repeat_byte(0x42))).expect("valid config")
}

fn node(seed: u8, i: usize) -> B256 {
    let mut n = B256::repeat_byte(seed);
    n.0[0] = i as u8;
    n
}

fn branch(seed: u8, len: usize) -> Vec<B256> {
    (0..len).map(|i| node(seed, i)).collect()
}

fn root_for(leaf: B256, branch: &[B256], gindex: u64) -> B256 {
    compute_merkle_branch_root(leaf, branch, floorlog2(gindex), get_subtree_index(gindex))
        .expect("branch long enough")
}

fn secret(i: u64) -> Scalar {
    Scalar::from(i.wrapping_mul(0x9e37_79b9) + 17)
}

fn committee() -> SyncCommittee<Minimal> {
    let keys: Vec<BlsPublicKey> = (0..32)
        .map(|i| {
            BlsPublicKey::from(G1Affine::from(G1Affine::generator() * secret(i)).to_compressed())
        })
        .collect();
    SyncCommittee {
        pubkeys: FixedVector::new(keys).expect("32 keys"),
        aggregate_pubkey: BlsPublicKey::ZERO,
    }
}

fn sign(message: B256, signers: &[u64]) -> BlsSignature {
    let h = <G2Projective as HashToCurve<ExpandMsgXmd<sha2_09::Sha256>>>::hash_to_curve(
        message.as_slice(),
        b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_",
    );
    let sk = signers.iter().fold(Scalar::zero(), |acc, i| acc + secret(*i));
    BlsSignature::from(G2Affine::from(h * sk).to_compressed())
}

/// A Gloas header at `slot` whose body commits to `block_hash` at gindex 2856.
fn gloas_header(slot: u64, block_hash: B256, state_root: B256) -> LightClientHeaderGloas {
    let exec_branch = branch(slot as u8, 11);
    LightClientHeaderGloas {
        beacon: BeaconBlockHeader {
            slot,
            proposer_index: 3,
            parent_root: node(0xaa, slot as usize),
            state_root,
            body_root: root_for(block_hash, &exec_branch, EXECUTION_BLOCK_HASH_GINDEX_GLOAS),
        },
        execution_block_hash: block_hash,
        execution_branch: FixedVector::new(exec_branch).expect("11 nodes"),
    }
}

struct Scenario {
    config: ChainConfig,
    store: LightClientStore<Minimal, DefaultBls>,
    update: LightClientFinalityUpdateGloas<Minimal>,
    finalized_hash: B256,
}

fn scenario() -> Scenario {
    let config = config();
    // Bootstrap at slot 8 (epoch 1: Gloas), committee proven at gindex 2945.
    let committee = committee();
    let committee_branch = branch(0x33, 11);
    let state_root = root_for(
        committee.tree_hash_root(),
        &committee_branch,
        CURRENT_SYNC_COMMITTEE_GINDEX_GLOAS,
    );
    let boot_header = gloas_header(8, B256::repeat_byte(0x08), state_root);
    let trusted = boot_header.beacon.tree_hash_root();
    let bootstrap = LightClientBootstrapGloas::<Minimal> {
        header: boot_header,
        current_sync_committee: committee,
        current_sync_committee_branch: FixedVector::new(committee_branch).expect("11"),
    };
    // Round trip through SSZ to exercise the Gloas decoder.
    let bootstrap = LightClientBootstrap::<Minimal>::from_ssz_bytes(
        &ssz::Encode::as_ssz_bytes(&bootstrap),
        ForkName::Gloas,
    )
    .expect("Gloas bootstrap decodes");
    let store = initialize_light_client_store(&config, trusted, bootstrap).expect("bootstrap");

    // Finalized header at slot 16, attested at slot 24 proving it at gindex 735.
    let finalized_hash = B256::repeat_byte(0x16);
    let finalized = gloas_header(16, finalized_hash, node(0x55, 16));
    let finality_branch = branch(0x77, 9);
    let attested_state =
        root_for(finalized.beacon.tree_hash_root(), &finality_branch, FINALIZED_ROOT_GINDEX_GLOAS);
    let attested = gloas_header(24, B256::repeat_byte(0x24), attested_state);
    let signature_slot = 25;
    let signing_root = compute_signing_root(
        attested.beacon.tree_hash_root(),
        sync_committee_domain::<Minimal>(&config, signature_slot),
    );
    let signers: Vec<u64> = (0..32).filter(|i| i % 5 != 0).collect(); // 25 of 32
    let mut bits = BitVector::new();
    for i in &signers {
        bits.set(*i as usize, true).expect("in range");
    }
    let update = LightClientFinalityUpdateGloas::<Minimal> {
        attested_header: attested,
        finalized_header: finalized,
        finality_branch: FixedVector::new(finality_branch).expect("9"),
        sync_aggregate: SyncAggregate {
            sync_committee_bits: bits,
            sync_committee_signature: sign(signing_root, &signers),
        },
        signature_slot,
    };
    Scenario { config, store, update, finalized_hash }
}

fn as_beacon_api_json(update: &LightClientFinalityUpdateGloas<Minimal>) -> String {
    serde_json::json!({ "version": "gloas", "data": update }).to_string()
}

#[test]
fn gloas_finality_update_from_json_moves_the_finalized_block_hash() {
    let Scenario { config, mut store, update, finalized_hash } = scenario();
    let json = as_beacon_api_json(&update);
    assert!(json.contains("\"signature_slot\":\"25\""), "beacon-API quoted integers");
    let (fork, decoded) =
        LightClientFinalityUpdate::<Minimal>::from_beacon_api_json(&json).expect("decodes");
    assert_eq!(fork, ForkName::Gloas);
    let outcome = process_light_client_finality_update(&mut store, &config, decoded, fork, 25)
        .expect("valid");
    assert!(outcome.applied && outcome.finalized_advanced);
    assert_eq!(store.finalized_slot(), 16);
    assert_eq!(store.finalized_execution_block_hash(), Some(finalized_hash));
    assert_eq!(store.finalized_execution_block_number(), None, "Gloas: hash only");
    assert_eq!(get_lc_execution_root::<Minimal>(&config, store.finalized_header()), finalized_hash);
}

#[test]
fn gloas_rejections() {
    let s = scenario();
    let run = |update: LightClientFinalityUpdateGloas<Minimal>| {
        let mut store = s.store.clone();
        let normalized: LightClientFinalityUpdate<Minimal> = update.into();
        process_light_client_finality_update(&mut store, &s.config, normalized, ForkName::Gloas, 25)
    };

    let mut bad = s.update.clone();
    bad.sync_aggregate.sync_committee_bits.set(0, true).expect("bit 0");
    assert_eq!(run(bad), Err(ConsensusError::InvalidSignature(BlsError::SignatureMismatch)));

    // A branch proven at the Electra index (169) does not verify at a Gloas slot.
    let mut bad = s.update.clone();
    let electra_branch = branch(0x77, 7);
    bad.attested_header.beacon.state_root = root_for(
        bad.finalized_header.beacon.tree_hash_root(),
        &electra_branch,
        FINALIZED_ROOT_GINDEX_ELECTRA,
    );
    let mut padded = vec![B256::ZERO; 2];
    padded.extend(electra_branch);
    bad.finality_branch = FixedVector::new(padded).expect("9");
    assert_eq!(run(bad), Err(ConsensusError::InvalidFinalityBranch));

    let mut bad = s.update.clone();
    bad.finalized_header.execution_block_hash.0[0] ^= 1;
    assert_eq!(run(bad), Err(ConsensusError::InvalidExecutionBranch { slot: 16 }));

    // Signed with the Fulu fork version: the Gloas domain must be used.
    let mut fulu = s.config.clone();
    fulu.forks[ForkName::Gloas as usize].version = fulu.fork(ForkName::Fulu).version;
    let mut store = s.store.clone();
    let normalized: LightClientFinalityUpdate<Minimal> = s.update.clone().into();
    assert_eq!(
        process_light_client_finality_update(&mut store, &fulu, normalized, ForkName::Gloas, 25),
        Err(ConsensusError::InvalidSignature(BlsError::SignatureMismatch))
    );
}

#[test]
fn gloas_container_for_a_pre_gloas_slot_uses_the_deneb_block_hash_index() {
    let config = config();
    // Slot 7 is epoch 0: Fulu. A Gloas-shaped header proves the hash at gindex 812, with the
    // 11-node branch normalized (2 leading zeros).
    let hash = B256::repeat_byte(0x07);
    let proof = branch(0x19, 9);
    let body_root = root_for(hash, &proof, EXECUTION_BLOCK_HASH_GINDEX_DENEB);
    let mut normalized = vec![B256::ZERO; 2];
    normalized.extend(proof.iter().copied());
    let header: LightClientHeader = LightClientHeaderGloas {
        beacon: BeaconBlockHeader { slot: 7, body_root, ..Default::default() },
        execution_block_hash: hash,
        execution_branch: FixedVector::new(normalized).expect("11"),
    }
    .into();
    is_valid_light_client_header::<Minimal>(&config, &header).expect("valid at a Fulu slot");
    // The execution root is rebuilt from the hash and the lower 5 nodes (Deneb payload header).
    let expected = compute_merkle_branch_root(hash, &proof[..5], 5, 12).expect("5 nodes");
    assert_eq!(get_lc_execution_root::<Minimal>(&config, &header), expected);

    // The same header at a Gloas slot is checked at 2856 and fails.
    let mut moved = header.clone();
    moved.beacon.slot = 8;
    assert!(is_valid_light_client_header::<Minimal>(&config, &moved).is_err());

    // A Deneb payload header cannot describe a Gloas slot.
    let deneb: LightClientHeader = LightClientHeaderDeneb {
        beacon: BeaconBlockHeader { slot: 8, ..Default::default() },
        ..Default::default()
    }
    .into();
    assert!(matches!(
        is_valid_light_client_header::<Minimal>(&config, &deneb),
        Err(ConsensusError::InvalidExecutionHeader { slot: 8, .. })
    ));
}
