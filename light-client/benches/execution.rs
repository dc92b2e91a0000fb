//! Execution-side hot paths: a 32-header chain plus one receipt proof (the per-event cost of an
//! inbound transfer; target ≤ 100 µs), its parts, and a full block's receipts root.
//!
//! Data: mainnet block 19433903 (`../shared/vectors/mainnet-execution`) is the oldest header of the
//! chain and its real receipts are proven; the 31 newer headers are that header re-linked by parent
//! hash (same size and shape as real Cancun headers).
//!
//! Run: `cargo bench -p peg-light-client --bench execution`.

use std::path::PathBuf;

use alloy_primitives::{keccak256, Bytes, B256};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use light_client::execution::{
    compute_receipts_root, generate_receipt_proof, verify_header_chain, verify_receipt_proof,
    ExecutionHeader, ExecutionProof, Receipt,
};

type Error = Box<dyn std::error::Error>;

fn load_result(name: &str) -> Result<serde_json::Value, Error> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/mainnet-execution")
        .join(name);
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    Ok(value.get_mut("result").map(serde_json::Value::take).ok_or("no result")?)
}

struct Fixture {
    trusted: B256,
    headers: Vec<Bytes>,
    receipts: Vec<Receipt>,
    receipts_root: B256,
}

fn fixture(block: u64) -> Result<Fixture, Error> {
    let oldest =
        ExecutionHeader::from_json_rpc(&load_result(&format!("block-{block}.json"))?)?.header;
    let receipts: Vec<Receipt> =
        Receipt::list_from_json_rpc(&load_result(&format!("receipts-{block}.json"))?)?
            .into_iter()
            .map(|r| r.receipt)
            .collect();
    let mut headers = vec![Bytes::from(oldest.encode_rlp()?)];
    let mut child = oldest.clone();
    for _ in 1..32 {
        let parent_hash = keccak256(headers.last().ok_or("no header")?);
        child = ExecutionHeader {
            parent_hash,
            number: child.number + 1,
            timestamp: child.timestamp + 12,
            ..child
        };
        headers.push(Bytes::from(child.encode_rlp()?));
    }
    headers.reverse();
    let trusted = keccak256(headers.first().ok_or("no header")?);
    Ok(Fixture { trusted, headers, receipts_root: oldest.receipts_root, receipts })
}

fn benches(c: &mut Criterion) -> Result<(), Error> {
    let f = fixture(19_433_903)?;
    // A median-size receipt and the largest one of the block.
    let mut by_size: Vec<(usize, u64)> =
        (0u64..).zip(&f.receipts).map(|(i, r)| (r.encoded_length(), i)).collect();
    by_size.sort_unstable();
    let median = by_size.get(by_size.len() / 2).map(|p| p.1).ok_or("no receipts")?;
    let largest = by_size.last().map(|p| p.1).ok_or("no receipts")?;

    for (name, index) in [("median_receipt", median), ("largest_receipt", largest)] {
        let proof = ExecutionProof {
            headers: f.headers.clone(),
            tx_index: index,
            receipt_proof: generate_receipt_proof(&f.receipts, index)?,
        };
        proof.verify(f.trusted)?;
        c.bench_function(&format!("execution_proof/32_headers+{name}"), |b| {
            b.iter(|| proof.verify(black_box(f.trusted)))
        });
        c.bench_function(&format!("receipt_proof/{name}"), |b| {
            b.iter(|| verify_receipt_proof(black_box(f.receipts_root), index, &proof.receipt_proof))
        });
    }
    // Reference: the hashing share of the header chain.
    let header = f.headers.first().ok_or("no header")?.clone();
    c.bench_function(&format!("keccak256/header_{}_bytes", header.len()), |b| {
        b.iter(|| keccak256(black_box(&header)))
    });
    c.bench_function("header_chain/32", |b| {
        b.iter(|| verify_header_chain(black_box(f.trusted), &f.headers))
    });

    let big = fixture(15_573_637)?;
    assert_eq!(compute_receipts_root(&big.receipts), big.receipts_root);
    c.bench_function("receipts_root/block_15573637_239_receipts", |b| {
        b.iter(|| compute_receipts_root(black_box(&big.receipts)))
    });
    c.bench_function("generate_receipt_proof/block_15573637_239_receipts", |b| {
        b.iter(|| generate_receipt_proof(black_box(&big.receipts), 120))
    });
    Ok(())
}

fn execution(c: &mut Criterion) {
    if let Err(error) = benches(c) {
        eprintln!("execution bench setup failed: {error}");
        std::process::exit(1);
    }
}

criterion_group!(group, execution);
criterion_main!(group);
