//! Criterion benches of the consensus hot paths on real mainnet Deneb data (512-member committee).
//!
//! `cargo bench -p peg-light-client --bench sync` (add `--features blst` to compare the `blst`
//! backend; each bench name ends with the backend).
//!
//! - `process_finality_update/cached_committee_512`: one update verified and applied against a
//!   store whose committee is already decoded and aggregated (the steady state).
//! - `fast_aggregate_verify/512`: the BLS part alone.
//! - `prepare_committee/512`: decoding (with subgroup checks) and aggregating a committee, done
//!   once per period.
//! - `process_update/period_change_512`: an update crossing into the next period, which also
//!   prepares the following committee.
//! - `merkle/finality_branch`: one normalized branch check.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
#[cfg(feature = "blst")]
use light_client::bls::Blst;
use light_client::bls::{Bls12381, BlsBackend};
use light_client::config::{ChainConfig, ForkName};
use light_client::preset::Mainnet;
use light_client::proof::{finalized_root_gindex, is_valid_normalized_merkle_branch};
use light_client::sync::{
    compute_signing_root, initialize_light_client_store, process_light_client_finality_update,
    process_light_client_update, sync_committee_domain,
};
use light_client::types::{LightClientBootstrap, LightClientFinalityUpdate, LightClientUpdate};
use light_client::LightClientStore;

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/mainnet-deneb-light-client")
        .join(rel);
    std::fs::read_to_string(&path).expect("mainnet-deneb-light-client vectors beside the repo")
}

fn bootstrap(dir: &str) -> LightClientBootstrap<Mainnet> {
    LightClientBootstrap::from_beacon_api_json(&read(&format!(
        "{dir}/base-data/BootstrapDeneb.json"
    )))
    .expect("bootstrap decodes")
    .1
}

fn store_from<B: BlsBackend>(dir: &str, config: &ChainConfig) -> LightClientStore<Mainnet, B> {
    let boot = bootstrap(dir);
    let root = boot.header.beacon_root();
    initialize_light_client_store(config, root, boot).expect("bootstrap verifies")
}

fn benches(c: &mut Criterion) {
    backend_benches::<Bls12381>(c, "bls12_381");
    #[cfg(feature = "blst")]
    backend_benches::<Blst>(c, "blst");
}

fn backend_benches<B: BlsBackend>(c: &mut Criterion, backend: &str) {
    let config = ChainConfig::mainnet();

    // Steady state: inclusion store that knows both committees, one finality update.
    let mut store = store_from::<B>("inclusion", &config);
    let (_, updates) = LightClientUpdate::<Mainnet>::list_from_beacon_api_json(&read(
        "inclusion/base-data/UpdateDeneb.json",
    ))
    .expect("updates decode")
    .into_iter()
    .next()
    .expect("one update");
    process_light_client_update(&mut store, &config, &updates, updates.signature_slot)
        .expect("update verifies");
    let (_, finality) = LightClientFinalityUpdate::<Mainnet>::from_beacon_api_json(&read(
        "inclusion/base-data/FinalityUpdateDeneb.json",
    ))
    .expect("finality update decodes");
    let slot = finality.signature_slot;
    c.bench_function(&format!("process_finality_update/cached_committee_512/{backend}"), |b| {
        b.iter_batched(
            || (store.clone(), finality.clone()),
            |(mut s, f)| {
                process_light_client_finality_update(&mut s, &config, f, ForkName::Deneb, slot)
                    .expect("verifies")
            },
            BatchSize::SmallInput,
        )
    });

    let committee = bootstrap("inclusion").current_sync_committee;
    let prepared = B::prepare_committee(&committee.pubkeys).expect("valid keys");
    let participation = finality.sync_aggregate.participation();
    let signing_root = compute_signing_root(
        finality.attested_header.beacon_root(),
        sync_committee_domain::<Mainnet>(&config, slot),
    );
    c.bench_function(&format!("fast_aggregate_verify/512/{backend}"), |b| {
        b.iter(|| {
            B::fast_aggregate_verify(
                &prepared,
                &participation,
                &signing_root,
                &finality.sync_aggregate.sync_committee_signature,
            )
            .expect("verifies")
        })
    });

    c.bench_function(&format!("prepare_committee/512/{backend}"), |b| {
        b.iter(|| B::prepare_committee(&committee.pubkeys).expect("valid keys"))
    });

    // Period change: committee-change store after the same-period update, then the next period.
    let mut cc_store = store_from::<B>("committee-change", &config);
    let same = LightClientUpdate::<Mainnet>::from_beacon_api_json(&read(
        "committee-change/base-data/UpdateDeneb.json",
    ))
    .expect("decodes")
    .1;
    process_light_client_update(&mut cc_store, &config, &same, same.signature_slot)
        .expect("verifies");
    let next = LightClientUpdate::<Mainnet>::from_beacon_api_json(&read(
        "committee-change/base-data/UpdateNewPeriodDeneb.json",
    ))
    .expect("decodes")
    .1;
    c.bench_function(&format!("process_update/period_change_512/{backend}"), |b| {
        b.iter_batched(
            || cc_store.clone(),
            |mut s| {
                process_light_client_update(&mut s, &config, &next, next.signature_slot)
                    .expect("verifies")
            },
            BatchSize::SmallInput,
        )
    });

    let leaf = finality.finalized_header.beacon_root();
    let root = finality.attested_header.beacon.state_root;
    let gindex = finalized_root_gindex(ForkName::Deneb);
    c.bench_function(&format!("merkle/finality_branch/{backend}"), |b| {
        b.iter(|| {
            assert!(is_valid_normalized_merkle_branch(
                leaf,
                &finality.finality_branch,
                gindex,
                root
            ))
        })
    });
}

criterion_group! {
    name = sync;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(sync);
