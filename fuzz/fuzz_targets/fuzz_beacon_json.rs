//! Beacon-API JSON (`{"version","data"}` objects and `/updates` arrays) and consensus-spec
//! `config.yaml` on arbitrary text: decoding never panics, whatever the fork or preset.
#![no_main]

use libfuzzer_sys::fuzz_target;
use light_client::config::ChainConfig;
use light_client::preset::{Mainnet, Minimal};
use light_client::types::*;

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let _ = LightClientBootstrap::<Mainnet>::from_beacon_api_json(text);
    let _ = LightClientUpdate::<Mainnet>::from_beacon_api_json(text);
    let _ = LightClientUpdate::<Mainnet>::list_from_beacon_api_json(text);
    let _ = LightClientFinalityUpdate::<Mainnet>::from_beacon_api_json(text);
    let _ = LightClientOptimisticUpdate::<Mainnet>::from_beacon_api_json(text);
    let _ = LightClientUpdate::<Minimal>::list_from_beacon_api_json(text);
    let _ = LightClientBootstrap::<Minimal>::from_beacon_api_json(text);
    if let Ok(config) = ChainConfig::from_yaml_str(text, Some(Default::default())) {
        // A loaded schedule is ordered, and every epoch maps to a fork.
        assert!(config.validate().is_ok());
        let _ = config.fork_at_epoch(u64::MAX);
    }
});
