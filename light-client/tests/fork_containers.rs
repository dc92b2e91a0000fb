//! Every fork's light-client containers decode identically from SSZ and from beacon-API JSON,
//! and a container of one fork does not decode as another fork's.

use alloy_primitives::B256;
use light_client::config::ForkName;
use light_client::preset::{Mainnet, Minimal, Preset};
use light_client::types::*;
use serde::Serialize;
use ssz::Encode;

/// SSZ round trip of a wire value: decodes back to an equal value.
fn ssz_round_trip<T: Encode + ssz::Decode + PartialEq + std::fmt::Debug>(value: T) -> T {
    let decoded = T::from_ssz_bytes(&value.as_ssz_bytes()).expect("re-decodes");
    assert_eq!(decoded, value);
    decoded
}

fn envelope<T: Serialize>(fork: ForkName, data: &T) -> String {
    serde_json::json!({ "version": fork.as_str(), "data": data }).to_string()
}

macro_rules! check_update {
    ($p:ty, $fork:expr, $wire:ty) => {{
        let mut wire = <$wire>::from_ssz_bytes_default();
        wire.signature_slot = 77;
        wire.finality_branch[0] = B256::repeat_byte(5);
        wire.next_sync_committee.pubkeys[1] = BlsPublicKey::repeat_byte(9);
        wire.sync_aggregate.sync_committee_bits.set(3, true).expect("bit");
        wire.attested_header.beacon.slot = 1234;
        let wire = ssz_round_trip(wire);
        let ssz = wire.as_ssz_bytes();
        let from_ssz = LightClientUpdate::<$p>::from_ssz_bytes(&ssz, $fork).expect("ssz");
        let (fork, from_json) =
            LightClientUpdate::<$p>::from_beacon_api_json(&envelope($fork, &wire)).expect("json");
        assert_eq!(fork, $fork);
        assert_eq!(from_ssz, from_json, "{}", $fork);
        assert_eq!(from_ssz.signature_slot, 77);
        assert_eq!(from_ssz.attested_header.beacon.slot, 1234);
        assert!(from_ssz.is_finality_update() && !from_ssz.is_sync_committee_update());
        let list = format!("[{}]", envelope($fork, &wire));
        let listed = LightClientUpdate::<$p>::list_from_beacon_api_json(&list).expect("list");
        assert_eq!(listed, vec![($fork, from_ssz)]);
        ssz
    }};
}

trait DefaultWire: Sized {
    fn from_ssz_bytes_default() -> Self;
}

macro_rules! default_wire {
    ($($t:ty),*) => {$(
        impl<P: Preset> DefaultWire for $t {
            fn from_ssz_bytes_default() -> Self {
                Self {
                    attested_header: Default::default(),
                    next_sync_committee: Default::default(),
                    next_sync_committee_branch: Default::default(),
                    finalized_header: Default::default(),
                    finality_branch: Default::default(),
                    sync_aggregate: Default::default(),
                    signature_slot: 0,
                }
            }
        }
    )*};
}

default_wire!(
    LightClientUpdateAltair<P>,
    LightClientUpdateCapella<P>,
    LightClientUpdateDeneb<P>,
    LightClientUpdateElectra<P>,
    LightClientUpdateGloas<P>
);

fn all_forks<P: Preset>() {
    let encodings = [
        (ForkName::Altair, check_update!(P, ForkName::Altair, LightClientUpdateAltair<P>)),
        (ForkName::Bellatrix, check_update!(P, ForkName::Bellatrix, LightClientUpdateAltair<P>)),
        (ForkName::Capella, check_update!(P, ForkName::Capella, LightClientUpdateCapella<P>)),
        (ForkName::Deneb, check_update!(P, ForkName::Deneb, LightClientUpdateDeneb<P>)),
        (ForkName::Electra, check_update!(P, ForkName::Electra, LightClientUpdateElectra<P>)),
        (ForkName::Fulu, check_update!(P, ForkName::Fulu, LightClientUpdateElectra<P>)),
        (ForkName::Gloas, check_update!(P, ForkName::Gloas, LightClientUpdateGloas<P>)),
    ];
    // Layouts that differ must not decode as each other.
    for (fork_a, bytes) in &encodings {
        for (fork_b, other) in &encodings {
            if bytes.len() != other.len() {
                assert!(
                    LightClientUpdate::<P>::from_ssz_bytes(bytes, *fork_b).is_err(),
                    "{fork_a} bytes decoded as {fork_b}"
                );
            }
        }
    }
    assert!(LightClientUpdate::<P>::from_ssz_bytes(&encodings[0].1, ForkName::Phase0).is_err());
}

#[test]
fn update_containers_of_every_fork_mainnet() {
    all_forks::<Mainnet>();
}

#[test]
fn update_containers_of_every_fork_minimal() {
    all_forks::<Minimal>();
}

#[test]
fn envelope_errors_are_typed() {
    for bad in [
        "",
        "[]x",
        "{\"data\":{}}",
        "{\"version\":\"deneb\"}",
        "{\"version\":\"sharding\",\"data\":{}}",
        "{\"version\":7,\"data\":{}}",
        "{\"version\":\"deneb\",\"data\":{\"signature_slot\":\"-1\"}}",
    ] {
        assert!(
            LightClientUpdate::<Mainnet>::from_beacon_api_json(bad).is_err(),
            "{bad:?} must fail"
        );
    }
    assert!(
        LightClientUpdate::<Mainnet>::list_from_beacon_api_json("{\"version\":\"deneb\"}").is_err()
    );
    assert_eq!(
        LightClientUpdate::<Mainnet>::list_from_beacon_api_json("[]").expect("empty list"),
        vec![]
    );
}
