//! The hot paths of checkpoint handling: hashing valsets and batches, signing, recovering, and the
//! full threshold check a validator (`ProcessProposal`) and a relayer run per checkpoint.
//!
//! `cargo bench -p peg-types --bench checkpoint`

use std::hint::black_box;

use alloy_primitives::{keccak256, U256};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use peg_types::{
    recover_signer, select_signatures, sign_digest, signer_address, signing_key_from_bytes,
    verify_checkpoint_signatures, Batch, EthAddress, EthSignature, SigningKey, Transfer, Valset,
    ValsetSignatures,
};

fn keys(n: usize) -> Vec<SigningKey> {
    (0..n)
        .map(|i| {
            signing_key_from_bytes(&keccak256(format!("bench key {i}")))
                .expect("keccak output is a valid key")
        })
        .collect()
}

fn equal_valset(keys: &[SigningKey]) -> Valset {
    Valset::from_raw_powers(1, keys.iter().map(|k| (signer_address(k), 1))).expect("valid valset")
}

fn batch(n: usize) -> Batch {
    Batch {
        token: EthAddress::new([0xaa; 20]),
        batch_nonce: 1,
        timeout: 1 << 40,
        transfers: (0..n)
            .map(|i| Transfer {
                receiver: EthAddress::new([(i % 255) as u8 + 1; 20]),
                amount: U256::from(1_000_000u64 + i as u64),
                fee: U256::from(1_000u64),
            })
            .collect(),
    }
}

fn hashing(c: &mut Criterion) {
    let mut group = c.benchmark_group("hash");
    for n in [10usize, 100, 256] {
        let valset = equal_valset(&keys(n));
        group.bench_with_input(BenchmarkId::new("valset_hash", n), &valset, |b, v| {
            b.iter(|| black_box(v).valset_hash())
        });
    }
    for n in [1usize, 100] {
        let batch = batch(n);
        group.bench_with_input(BenchmarkId::new("batch_hash", n), &batch, |b, batch| {
            b.iter(|| black_box(batch).batch_hash())
        });
    }
    group.finish();
}

fn signatures(c: &mut Criterion) {
    let key = &keys(1)[0];
    let digest = keccak256("bench digest");
    let signature = sign_digest(key, &digest).expect("signing works");
    c.bench_function("sign_digest", |b| b.iter(|| sign_digest(black_box(key), black_box(&digest))));
    c.bench_function("recover_signer", |b| {
        b.iter(|| recover_signer(black_box(&digest), black_box(&signature)))
    });
}

fn checkpoint(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_checkpoint_signatures");
    group.sample_size(20);
    for n in [10usize, 100, 150] {
        let keys = keys(n);
        let valset = equal_valset(&keys);
        let digest = keccak256("bench checkpoint");
        let collected =
            keys.iter()
                .map(|k| Ok((signer_address(k), sign_digest(k, &digest)?)))
                .collect::<Result<
                    std::collections::BTreeMap<EthAddress, EthSignature>,
                    peg_types::PegTypesError,
                >>()
                .expect("signing works");
        let selected = select_signatures(&valset, &digest, &collected).expect("all signed");
        group.bench_with_input(BenchmarkId::new("fewest_signers", n), &selected, |b, s| {
            b.iter(|| verify_checkpoint_signatures(&valset, &digest, black_box(s)))
        });
        let calldata = ValsetSignatures::new(&valset, &selected).expect("encodable");
        let stored = valset.members_hash();
        group.bench_with_input(BenchmarkId::new("calldata_verify", n), &calldata, |b, cd| {
            b.iter(|| black_box(cd).verify(&stored, &digest))
        });
    }
    group.finish();
}

criterion_group!(benches, hashing, signatures, checkpoint);
criterion_main!(benches);
