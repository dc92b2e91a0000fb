//! pegd's parsers of outside data: CometBFT RPC answers (HTTP + JSON-RPC), key files, and the
//! `config.toml` editor. None may panic; accepted inputs must be self-consistent.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pegd::node::cometbft::{edit_config_toml, TomlEdit};

fuzz_target!(|data: &[u8]| {
    let _ = pegd::rpc::parse_http_response(data, "status");
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(key) = pegd::keys::decode_key_file(Path::new("fuzz.json"), text, "k") {
            // An accepted key file re-derives to exactly what it records.
            assert_eq!(pegd::keys::key_info("k", &key.signing_key), key.info);
        }
        let edits = [TomlEdit::string("p2p", "laddr", "tcp://127.0.0.1:1"), TomlEdit::boolean("", "x", true)];
        if let Ok(out) = edit_config_toml(text, &edits) {
            // Editing again with the same values is a fixed point.
            assert_eq!(edit_config_toml(&out, &edits).ok().as_deref(), Some(out.as_str()));
        }
    }
});
