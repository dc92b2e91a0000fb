//! Light-client update decoding and validation on arbitrary bytes.
//!
//! Layout: byte 0 selects the fork (and the preset with its high bit), bytes 1..9 the current
//! slot (little endian), the rest is the SSZ of a `LightClientUpdate`. Checks: decoding never
//! panics; what decodes re-encodes to the same bytes (no malleable encodings); processing the
//! update against a real mainnet store (bootstrap at slot 9567456) never panics, and a store
//! never loses finality or changes on error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use light_client::config::{ChainConfig, ForkName};
use light_client::preset::{Mainnet, Minimal, Preset};
use light_client::sync::{initialize_light_client_store, process_light_client_update};
use light_client::types::*;
use light_client::{DefaultBls, LightClientStore};
use ssz::{Decode, Encode};

const BOOTSTRAP: &[u8] = include_bytes!(
    "../../../shared/vectors/mainnet-deneb-light-client/inclusion/LightClientBootstrapDeneb.ssz"
);

fn store() -> &'static (ChainConfig, LightClientStore<Mainnet, DefaultBls>) {
    static STORE: OnceLock<(ChainConfig, LightClientStore<Mainnet, DefaultBls>)> = OnceLock::new();
    STORE.get_or_init(|| {
        let config = ChainConfig::mainnet();
        let bootstrap = LightClientBootstrap::<Mainnet>::from_ssz_bytes(BOOTSTRAP, ForkName::Deneb)
            .expect("vector decodes");
        let root = bootstrap.header.beacon_root();
        let store =
            initialize_light_client_store(&config, root, bootstrap).expect("vector verifies");
        (config, store)
    })
}

fn round_trip<T: Decode + Encode>(bytes: &[u8]) {
    if let Ok(value) = T::from_ssz_bytes(bytes) {
        assert_eq!(value.as_ssz_bytes(), bytes, "SSZ decoding accepted a non-canonical encoding");
    }
}

fn wire_round_trip<P: Preset>(fork: ForkName, bytes: &[u8]) {
    match fork {
        ForkName::Altair | ForkName::Bellatrix => round_trip::<LightClientUpdateAltair<P>>(bytes),
        ForkName::Capella => round_trip::<LightClientUpdateCapella<P>>(bytes),
        ForkName::Deneb => round_trip::<LightClientUpdateDeneb<P>>(bytes),
        ForkName::Electra | ForkName::Fulu => round_trip::<LightClientUpdateElectra<P>>(bytes),
        ForkName::Gloas => round_trip::<LightClientUpdateGloas<P>>(bytes),
        ForkName::Phase0 => {}
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let Some(slot_bytes) = rest.get(..8) else {
        return;
    };
    let current_slot = u64::from_le_bytes(slot_bytes.try_into().unwrap_or_default());
    let body = rest.get(8..).unwrap_or_default();
    let forks = [
        ForkName::Deneb,
        ForkName::Altair,
        ForkName::Capella,
        ForkName::Electra,
        ForkName::Gloas,
        ForkName::Bellatrix,
        ForkName::Fulu,
        ForkName::Phase0,
    ];
    let fork = forks[usize::from(selector & 0x07)];

    if selector & 0x80 != 0 {
        wire_round_trip::<Minimal>(fork, body);
        let _ = LightClientUpdate::<Minimal>::from_ssz_bytes(body, fork);
        let _ = LightClientFinalityUpdate::<Minimal>::from_ssz_bytes(body, fork);
        let _ = LightClientBootstrap::<Minimal>::from_ssz_bytes(body, fork);
        return;
    }
    wire_round_trip::<Mainnet>(fork, body);
    let _ = LightClientOptimisticUpdate::<Mainnet>::from_ssz_bytes(body, fork);
    let Ok(update) = LightClientUpdate::<Mainnet>::from_ssz_bytes(body, fork) else {
        return;
    };
    let (config, store) = store();
    let mut copy = store.clone();
    match process_light_client_update(&mut copy, config, &update, current_slot) {
        Ok(_) => assert!(copy.finalized_slot() >= store.finalized_slot()),
        Err(_) => {
            assert_eq!(copy.finalized_header(), store.finalized_header());
            assert_eq!(copy.optimistic_header(), store.optimistic_header());
            assert_eq!(copy.is_next_sync_committee_known(), store.is_next_sync_committee_known());
        }
    }
});
