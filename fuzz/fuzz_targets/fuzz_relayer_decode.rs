//! The relayer's and peg-eth-rpc's parsers of outside data: execution JSON-RPC answers (blocks,
//! receipts, logs), the peg zone's `/eth/…` query answers, beacon API update envelopes, and the
//! relayer's TOML config. None may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_eth_rpc::{Block, RpcLog, TxReceipt};
use peg_relayer::beacon::encode_update;
use peg_relayer::config::ConfigOverrides;
use peg_relayer::zone::{EthClientStatus, EventRecord, RingEntry, TrustedBlock};
use peg_tx::EthUpdateKind;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = toml::from_str::<ConfigOverrides>(text);
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else { return };
    // Execution node answers: a block is checked against its own hash, a receipt and a log
    // against their fields.
    let _ = Block::from_json(json.clone());
    let _ = TxReceipt::from_json(json.clone());
    let _ = RpcLog::from_json(&json);
    // Peg zone query answers.
    let _ = serde_json::from_value::<EthClientStatus>(json.clone());
    let _ = serde_json::from_value::<Vec<EventRecord>>(json.clone());
    let _ = serde_json::from_value::<RingEntry>(json.clone());
    let _ = serde_json::from_value::<TrustedBlock>(json.clone());
    // Beacon API envelopes, re-encoded to SSZ for MsgUpdateEthClient, under both presets.
    for preset in ["minimal", "mainnet"] {
        for kind in [EthUpdateKind::Update, EthUpdateKind::FinalityUpdate] {
            let _ = encode_update(preset, kind, &json);
        }
    }
});
