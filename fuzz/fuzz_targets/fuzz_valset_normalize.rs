//! `Valset::from_raw_powers` on arbitrary validator sets: never panics, and every valset it builds
//! passes the contract's rules with a total of at most 2^32 that loses less than one unit per member.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_types::{EthAddress, Valset, TOTAL_NORMALIZED_POWER};

fuzz_target!(|input: &[u8]| {
    // 28 bytes per validator: address (20) ‖ raw power (8).
    let raw: Vec<(EthAddress, u64)> = input
        .chunks_exact(28)
        .map(|c| {
            let mut address = [0u8; 20];
            address.copy_from_slice(&c[..20]);
            let mut power = [0u8; 8];
            power.copy_from_slice(&c[20..]);
            (EthAddress::new(address), u64::from_be_bytes(power))
        })
        .collect();
    let n = raw.len() as u128;
    if let Ok(valset) = Valset::from_raw_powers(1, raw) {
        assert_eq!(valset.validate(), Ok(()));
        let total = valset.total_power();
        assert!(total <= u128::from(TOTAL_NORMALIZED_POWER));
        assert!(total + n > u128::from(TOTAL_NORMALIZED_POWER));
    }
});
