//! The JSON → SSZ re-encoding of beacon-API light-client data, on real mainnet Deneb responses
//! (`../shared/vectors/mainnet-deneb-light-client`): the bytes decode, with the light client's
//! own SSZ decoder, to exactly what its JSON decoder reads, and the slots are reported right.

use std::path::PathBuf;

use light_client::preset::Mainnet;
use light_client::types::{LightClientFinalityUpdate, LightClientUpdate};
use light_client::ForkName;
use peg_relayer::beacon::{encode_update, slots_per_period};
use peg_tx::EthUpdateKind;

fn read(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/mainnet-deneb-light-client")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[test]
fn update_json_re_encodes_to_the_same_container() {
    let text = read("committee-change/base-data/UpdateDeneb.json");
    let envelope: serde_json::Value = serde_json::from_str(&text).expect("json");
    let encoded = encode_update("mainnet", EthUpdateKind::Update, &envelope).expect("encodes");
    assert_eq!(encoded.fork, ForkName::Deneb);
    assert_eq!(encoded.attested_slot, 9_420_873);
    assert!(encoded.has_next_committee);
    let (_, from_json) =
        LightClientUpdate::<Mainnet>::from_beacon_api_json(&text).expect("json decodes");
    let from_ssz = LightClientUpdate::<Mainnet>::from_ssz_bytes(&encoded.ssz, ForkName::Deneb)
        .expect("ssz decodes");
    assert_eq!(from_ssz, from_json);
    // The wrong preset is refused, not mis-encoded.
    assert!(encode_update("minimal", EthUpdateKind::Update, &envelope).is_err());
    // A JSON without version is refused.
    assert!(encode_update("mainnet", EthUpdateKind::Update, &envelope["data"]).is_err());
}

#[test]
fn finality_update_json_re_encodes_to_the_recorded_ssz() {
    let text = read("inclusion/base-data/FinalityUpdateDeneb.json");
    let envelope: serde_json::Value = serde_json::from_str(&text).expect("json");
    let encoded =
        encode_update("mainnet", EthUpdateKind::FinalityUpdate, &envelope).expect("encodes");
    assert_eq!(encoded.attested_slot, 9_567_542);
    assert_eq!(encoded.finalized_slot, 9_567_456);
    assert_eq!(encoded.signature_slot, 9_567_543);
    assert!(!encoded.has_next_committee);
    let (_, from_json) =
        LightClientFinalityUpdate::<Mainnet>::from_beacon_api_json(&text).expect("json decodes");
    let from_ssz =
        LightClientFinalityUpdate::<Mainnet>::from_ssz_bytes(&encoded.ssz, ForkName::Deneb)
            .expect("ssz decodes");
    assert_eq!(from_ssz, from_json);
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/vectors/mainnet-deneb-light-client/inclusion/LightClientFinalityUpdateDeneb.ssz");
    let recorded = std::fs::read(full).expect("recorded ssz");
    assert_eq!(encoded.ssz, recorded, "byte-identical to the beacon node's own SSZ");
    assert_eq!(slots_per_period("mainnet").expect("preset"), 8192);
    assert_eq!(slots_per_period("minimal").expect("preset"), 64);
}
