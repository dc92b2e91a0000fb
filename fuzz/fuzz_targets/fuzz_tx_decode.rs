//! `peg_tx::decode_tx` + `DecodedTx::verify` on arbitrary bytes: never panics, and whatever
//! decodes satisfies the envelope invariants (one signer, every message signed by it, the hash
//! is SHA-256 of the bytes, a canonical TxRaw).
//!
//! Two modes, chosen by the first byte, so the fuzzer reaches past the signature check:
//! - even: the rest is the raw transaction;
//! - odd: the rest is `len ‖ body_bytes ‖ auth_info_bytes` (len two bytes, big-endian), wrapped in a
//!   TxRaw whose signature is a real one by a fixed key over the SignDoc, so arbitrary bodies and
//!   auth infos are decoded, verified and their proofs of possession checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_tx::proto::TxRaw;
use peg_tx::{decode_tx, sign_bytes, sign_doc_bytes, tx_hash, SigningKey, TxLimits};
use prost::Message as _;

const CHAIN_ID: &str = "peg-fuzz-1";
const ACCOUNT_NUMBER: u64 = 7;

fn check(tx_bytes: &[u8]) {
    let limits = TxLimits::default();
    let Ok(decoded) = decode_tx(tx_bytes, &limits) else {
        return;
    };
    assert_eq!(decoded.hash(), &tx_hash(tx_bytes));
    assert_eq!(decoded.public_key().address(), *decoded.signer());
    assert!(!decoded.messages().is_empty());
    for msg in decoded.messages() {
        assert_eq!(msg.signer(), decoded.signer());
        assert!(!peg_tx::is_reserved_type_url(msg.type_url()));
    }
    let raw = TxRaw::decode(tx_bytes).expect("decode_tx accepted it, so TxRaw decodes");
    assert_eq!(raw.encode_to_vec(), tx_bytes, "accepted TxRaw is canonical");
    if let Ok(verified) = decoded.verify(CHAIN_ID, ACCOUNT_NUMBER) {
        assert_eq!(verified.account_number(), ACCOUNT_NUMBER);
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        check(rest);
        return;
    }
    let Some((len, rest)) = rest.split_first_chunk::<2>() else {
        return;
    };
    let split = usize::from(u16::from_be_bytes(*len)).min(rest.len());
    let (body_bytes, auth_info_bytes) = rest.split_at(split);
    let key = SigningKey::from_slice(&[0x42; 32]).expect("fixed valid key");
    let sign_doc = sign_doc_bytes(body_bytes, auth_info_bytes, CHAIN_ID, ACCOUNT_NUMBER);
    let signature = sign_bytes(&key, &sign_doc).to_bytes().to_vec();
    let tx = TxRaw {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        signatures: vec![signature],
    }
    .encode_to_vec();
    check(&tx);
});
