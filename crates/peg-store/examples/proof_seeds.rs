//! Writes seed inputs for the `fuzz_store_proof` fuzz target: real existence and non-existence
//! proofs of a small store, each prefixed with the mode byte and the root they verify against.
//! `cargo run -p peg-store --example proof_seeds -- fuzz/corpus/fuzz_store_proof`
use peg_store::workload::{account_key, account_value};
use peg_store::{encode_proof, Store, StoreConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: proof_seeds <corpus dir>")?;
    std::fs::create_dir_all(&out)?;
    let dir = tempfile::tempdir()?;
    let store = Store::open_with(
        dir.path().join("seeds.redb"),
        StoreConfig {
            keep_recent: None,
            sync_commits: false,
            cache_size: None,
            prune_on_commit: true,
            check_integrity_on_open: true,
        },
    )?;
    let mut ws = store.working_set()?;
    for i in 0..64 {
        ws.set(account_key(i), account_value(i, 1))?;
    }
    store.commit_working_set(&ws, 1)?;
    let root = store.root_hash()?;
    let keys: Vec<Vec<u8>> =
        (0..8).map(account_key).chain((0..8).map(|i| format!("absent/{i}").into_bytes())).collect();
    for (n, key) in keys.iter().enumerate() {
        let (_, proof) = store.get_with_proof(key, 1)?;
        let mut seed = vec![0u8];
        seed.extend_from_slice(&root.0);
        seed.extend_from_slice(&encode_proof(&proof));
        std::fs::write(format!("{out}/seed-{n:02}"), seed)?;
    }
    println!("wrote {} seeds to {out}", keys.len());
    Ok(())
}
