//! CheckTx hot path: decoding and verifying a signed bank transfer, and signing one.
//!
//! `cargo bench -p peg-tx --bench verify`

use criterion::{criterion_group, criterion_main, Criterion};
use peg_tx::{
    decode_tx, AccAddress, Coin, Coins, Msg, MsgSend, PublicKey, SigningKey, TxBuilder, TxLimits,
};

const CHAIN_ID: &str = "peg-bench-1";

fn signed_send() -> (Vec<u8>, TxBuilder, SigningKey) {
    let key = SigningKey::from_slice(&[0x42; 32]).expect("a valid secret key");
    let from = PublicKey::from_signing_key(&key).address();
    let amount = Coins::new(vec![Coin::new("upeg", 1_000).expect("valid denom")])
        .expect("one positive coin");
    let fee =
        Coins::new(vec![Coin::new("upeg", 200).expect("valid denom")]).expect("one positive coin");
    let builder = TxBuilder::new(CHAIN_ID, 7, 3)
        .message(Msg::Send(MsgSend {
            from_address: from,
            to_address: AccAddress::new([9; 20]),
            amount,
        }))
        .fee(fee)
        .gas_limit(200_000);
    let bytes = builder.sign(&key).expect("signer matches").bytes;
    (bytes, builder, key)
}

fn bench(c: &mut Criterion) {
    let (bytes, builder, key) = signed_send();
    let limits = TxLimits::default();
    c.bench_function("decode_tx/bank_send", |b| {
        b.iter(|| decode_tx(std::hint::black_box(&bytes), &limits).expect("valid"))
    });
    c.bench_function("decode_and_verify/bank_send", |b| {
        b.iter(|| {
            decode_tx(std::hint::black_box(&bytes), &limits)
                .expect("valid")
                .verify(CHAIN_ID, 7)
                .expect("verifies")
        })
    });
    c.bench_function("sign/bank_send", |b| b.iter(|| builder.sign(&key).expect("signs")));
}

criterion_group!(benches, bench);
criterion_main!(benches);
