//! peg-app decoders of outside data: vote extensions (from any validator's precommit), the
//! genesis document, and the stored state encodings (a damaged database). None may panic; the
//! vote extension and state values must round-trip when they decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_app::state::{decode_coins, encode_coins, Account, Validator};
use peg_app::{Genesis, Params, VoteExtension};
use peg_tx::AccAddress;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    match selector % 5 {
        0 => {
            if let Ok(ext) = VoteExtension::decode(bytes) {
                assert_eq!(ext.encode(), bytes);
            }
        }
        1 => {
            if let Ok(genesis) = Genesis::from_json(bytes) {
                let _ = genesis.check("peg-fuzz-1", 0);
            }
        }
        2 => {
            if let Ok(params) = Params::decode(bytes) {
                assert_eq!(params.encode(), bytes);
            }
        }
        3 => {
            if let Ok(account) = Account::decode(b"k", bytes) {
                assert_eq!(account.encode(), bytes);
            }
            if let Ok(coins) = decode_coins(b"k", bytes) {
                assert_eq!(encode_coins(&coins), bytes);
            }
        }
        _ => {
            if let Ok(validator) = Validator::decode(AccAddress::new([0; 20]), b"k", bytes) {
                assert_eq!(validator.encode(), bytes);
            }
        }
    }
});
