//! FinalizeBlock + Commit throughput of signed bank transfers (`specs/state-machine.md` §9).
//!
//! Each measured iteration executes one block of `n` transfers, each from a distinct funded
//! account (signature verification, ante, send, the JMT root) and commits it (fsynced redb
//! write). Set-up (genesis, signing) is outside the timing.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use peg_app::tendermint_proto::v0_38::abci::{RequestFinalizeBlock, RequestInitChain};
use peg_app::App;
use peg_tx::{AccAddress, Coin, Coins, Msg, MsgSend, PublicKey, SigningKey, TxBuilder};

const CHAIN_ID: &str = "peg-bench-1";

fn key(index: u32) -> SigningKey {
    let mut bytes = [7u8; 32];
    bytes[..4].copy_from_slice(&index.to_be_bytes());
    bytes[4] = 1;
    SigningKey::from_bytes(&bytes.into()).expect("a valid scalar")
}

fn coins(amount: u128) -> Coins {
    Coins::new(vec![Coin::new("upeg", amount).expect("denom")]).expect("coins")
}

struct Setup {
    app: App,
    txs: Vec<Vec<u8>>,
    _dir: tempfile::TempDir,
}

fn setup(n: u32) -> Setup {
    let keys: Vec<SigningKey> = (0..n).map(key).collect();
    let addresses: Vec<AccAddress> =
        keys.iter().map(|k| PublicKey::from_signing_key(k).address()).collect();
    let accounts: Vec<String> = addresses
        .iter()
        .map(|a| {
            format!(r#"{{"address":"{a}","balances":[{{"denom":"upeg","amount":"1000000000"}}]}}"#)
        })
        .collect();
    let genesis = format!(
        r#"{{"params":{{"denom":"upeg","min_fee":"1000","power_reduction":"1000000","min_self_bond":"1000000","max_validators":10,"max_tx_bytes":32768}},"accounts":[{}],"validators":[{{"operator":"{}","consensus_pubkey":"{}","bonded":"1000000","moniker":"v"}}]}}"#,
        accounts.join(","),
        addresses[0],
        hex::encode([1u8; 32])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = App::open(dir.path()).expect("open");
    app.init_chain(&RequestInitChain {
        chain_id: CHAIN_ID.into(),
        app_state_bytes: genesis.into_bytes().into(),
        initial_height: 1,
        ..RequestInitChain::default()
    })
    .expect("init");
    app.finalize_block(&RequestFinalizeBlock { height: 1, ..RequestFinalizeBlock::default() })
        .expect("block 1");
    app.commit().expect("commit 1");
    let txs = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let to = addresses[(i + 1) % addresses.len()];
            let msg =
                Msg::Send(MsgSend { from_address: addresses[i], to_address: to, amount: coins(1) });
            TxBuilder::new(CHAIN_ID, i as u64, 0)
                .message(msg)
                .fee(coins(1000))
                .gas_limit(100_000)
                .sign(k)
                .expect("sign")
                .bytes
        })
        .collect();
    Setup { app, txs, _dir: dir }
}

fn finalize_and_commit(c: &mut Criterion) {
    let mut group = c.benchmark_group("finalize_block_commit");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for n in [1_000u32, 2_000] {
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::new("bank_send", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut s = setup(n);
                    let request = RequestFinalizeBlock {
                        txs: s.txs.drain(..).map(Into::into).collect(),
                        height: 2,
                        ..RequestFinalizeBlock::default()
                    };
                    let start = Instant::now();
                    let response = s.app.finalize_block(&request).expect("finalize");
                    s.app.commit().expect("commit");
                    total += start.elapsed();
                    assert!(response.tx_results.iter().all(|r| r.code == 0));
                }
                total
            });
        });
    }
    group.finish();
}

criterion_group!(benches, finalize_and_commit);
criterion_main!(benches);
