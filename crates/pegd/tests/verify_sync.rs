//! `pegd eth verify-sync` on the real mainnet Deneb light-client vectors, good and bad.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const INCLUSION_ROOT: &str = "0xf783c545d2dd90cee6c4cb92a9324323ef397f6ec85e1a3d61c48cf6cfc979e2";
const COMMITTEE_CHANGE_ROOT: &str =
    "0xefb4338d596b9d335b2da176dc85ee97469fc80c7e2d35b9b9c1558b4602077a";

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client")
}

fn file(rel: &str) -> PathBuf {
    vectors().join(rel)
}

fn pegd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pegd"))
        .args(["eth", "verify-sync"])
        .args(args)
        .output()
        .expect("pegd runs")
}

fn stdout_json(output: &Output) -> Value {
    assert!(output.status.success(), "pegd failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

fn stderr_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "expected exit 1");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one stderr line: {stderr:?}");
    stderr
}

/// A scratch copy of a vector with `edit` applied to its JSON.
fn tampered(name: &str, source: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let text = std::fs::read_to_string(file(source)).expect("vector readable");
    let mut value: Value = serde_json::from_str(&text).expect("vector is JSON");
    edit(&mut value);
    let dir = std::env::temp_dir().join(format!("pegd-verify-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&value).expect("serialize")).expect("write");
    path
}

fn flip_hex_char(value: &mut Value, pointer: &str, position: usize) {
    let slot = value.pointer_mut(pointer).expect("field exists");
    let text = slot.as_str().expect("hex string").to_owned();
    let mut chars: Vec<char> = text.chars().collect();
    let c = chars[position];
    chars[position] = if c == '0' { '1' } else { '0' };
    *slot = Value::String(chars.into_iter().collect());
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn inclusion_chain_verifies() {
    let boot = file("inclusion/base-data/BootstrapDeneb.json");
    let updates = file("inclusion/base-data/UpdateDeneb.json");
    let finality = file("inclusion/base-data/FinalityUpdateDeneb.json");
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&boot),
        "--updates",
        s(&updates),
        "--finality-update",
        s(&finality),
    ]);
    let report = stdout_json(&out);
    assert_eq!(report["finalized_slot"], 9_567_456);
    assert_eq!(report["finalized_block_root"], INCLUSION_ROOT);
    assert_eq!(report["sync_committee_period"], 1167);
    assert_eq!(report["execution_block_number"], 20_360_596);
    assert_eq!(
        report["execution_block_hash"],
        "0x8a5009007f9ba1af6a5ac8142fefee972a3e96d21e3db6498fbb6d410376400e"
    );
    assert_eq!(report["updates_applied"], 1);
    assert_eq!(report["updates_ignored"], 1);
    assert_eq!(report["current_slot"], 9_567_543, "latest signature slot by default");
}

#[test]
fn updates_from_a_past_period_are_ignored() {
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
        "--updates",
        s(&file("committee-change/base-data/UpdateDeneb.json")),
        "--updates",
        s(&file("inclusion/base-data/UpdateDeneb.json")),
    ]);
    let report = stdout_json(&out);
    assert_eq!(report["updates_applied"], 1);
    assert_eq!(report["updates_ignored"], 1);
    assert_eq!(report["finalized_slot"], 9_567_456);
}

#[test]
fn committee_change_chain_verifies() {
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        COMMITTEE_CHANGE_ROOT,
        "--bootstrap",
        s(&file("committee-change/base-data/BootstrapDeneb.json")),
        "--updates",
        s(&file("committee-change/base-data/UpdateDeneb.json")),
        "--updates",
        s(&file("committee-change/base-data/UpdateNewPeriodDeneb.json")),
    ]);
    let report = stdout_json(&out);
    assert_eq!(report["finalized_slot"], 9_430_496);
    assert_eq!(report["sync_committee_period"], 1151);
    assert_eq!(report["updates_applied"], 2);
    assert_eq!(report["updates_ignored"], 0);
}

#[test]
fn config_yaml_network_gives_the_same_result() {
    let dir = std::env::temp_dir().join(format!("pegd-verify-sync-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config = dir.join("config.yaml");
    std::fs::write(
        &config,
        "PRESET_BASE: 'mainnet'\nCONFIG_NAME: 'mainnet-copy'\nGENESIS_FORK_VERSION: 0x00000000\n\
         ALTAIR_FORK_VERSION: 0x01000000\nALTAIR_FORK_EPOCH: 74240\n\
         BELLATRIX_FORK_VERSION: 0x02000000\nBELLATRIX_FORK_EPOCH: 144896\n\
         CAPELLA_FORK_VERSION: 0x03000000\nCAPELLA_FORK_EPOCH: 194048\n\
         DENEB_FORK_VERSION: 0x04000000\nDENEB_FORK_EPOCH: 269568\n",
    )
    .expect("write config");
    std::fs::write(
        dir.join("genesis_validators_root.txt"),
        "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95\n",
    )
    .expect("write root");
    let out = pegd(&[
        "--network",
        s(&config),
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
        "--finality-update",
        s(&file("inclusion/base-data/FinalityUpdateDeneb.json")),
        "--current-slot",
        "9567600",
    ]);
    let report = stdout_json(&out);
    assert_eq!(report["network"], "mainnet-copy");
    assert_eq!(report["current_slot"], 9_567_600);
    assert_eq!(report["finalized_block_root"], INCLUSION_ROOT);
}

#[test]
fn flipped_signature_bit_fails_naming_file_and_index() {
    let bad = tampered("bad-signature.json", "inclusion/base-data/UpdateDeneb.json", |v| {
        flip_hex_char(v, "/0/data/sync_aggregate/sync_committee_signature", 40)
    });
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
        "--updates",
        s(&bad),
    ]);
    let line = stderr_line(&out);
    assert!(line.contains("bad-signature.json"), "{line}");
    assert!(line.contains("update 0"), "{line}");
    assert!(line.contains("signature"), "{line}");
}

#[test]
fn altered_finality_branch_fails() {
    let bad = tampered("bad-branch.json", "inclusion/base-data/FinalityUpdateDeneb.json", |v| {
        flip_hex_char(v, "/data/finality_branch/2", 10)
    });
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
        "--finality-update",
        s(&bad),
    ]);
    let line = stderr_line(&out);
    assert!(line.contains("bad-branch.json"), "{line}");
    assert!(line.contains("finality update 0"), "{line}");
    assert!(line.contains("finality branch"), "{line}");
}

#[test]
fn swapped_committee_key_in_bootstrap_fails() {
    let bad = tampered("bad-committee.json", "inclusion/base-data/BootstrapDeneb.json", |v| {
        let keys = v
            .pointer_mut("/data/current_sync_committee/pubkeys")
            .and_then(Value::as_array_mut)
            .expect("pubkeys");
        keys.swap(3, 4);
    });
    let out =
        pegd(&["--network", "mainnet", "--trusted-root", INCLUSION_ROOT, "--bootstrap", s(&bad)]);
    let line = stderr_line(&out);
    assert!(line.contains("bad-committee.json: bootstrap"), "{line}");
    assert!(line.contains("sync committee branch"), "{line}");
}

#[test]
fn untrusted_root_wrong_fork_and_skipped_period_fail() {
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        COMMITTEE_CHANGE_ROOT,
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
    ]);
    assert!(stderr_line(&out).contains("trusted block root"));

    // Deneb data declared as Electra does not decode as Electra containers.
    let relabelled = tampered("relabelled.json", "inclusion/base-data/BootstrapDeneb.json", |v| {
        v["version"] = Value::String("electra".into())
    });
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&relabelled),
    ]);
    assert!(stderr_line(&out).contains("relabelled.json: bootstrap"));

    // The new period's update without the update that brings the next committee.
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        COMMITTEE_CHANGE_ROOT,
        "--bootstrap",
        s(&file("committee-change/base-data/BootstrapDeneb.json")),
        "--updates",
        s(&file("committee-change/base-data/UpdateNewPeriodDeneb.json")),
    ]);
    let line = stderr_line(&out);
    assert!(line.contains("UpdateNewPeriodDeneb.json: update 0"), "{line}");
    assert!(line.contains("period"), "{line}");

    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        "0x12",
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
    ]);
    assert!(stderr_line(&out).contains("--trusted-root: argument"));

    let out = pegd(&[
        "--network",
        "nowhere",
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
    ]);
    assert!(stderr_line(&out).contains("nowhere: network"));

    let garbage = tampered("garbage.json", "inclusion/base-data/UpdateDeneb.json", |v| {
        *v = Value::String("not an update".into())
    });
    let out = pegd(&[
        "--network",
        "mainnet",
        "--trusted-root",
        INCLUSION_ROOT,
        "--bootstrap",
        s(&file("inclusion/base-data/BootstrapDeneb.json")),
        "--updates",
        s(&garbage),
    ]);
    assert!(stderr_line(&out).contains("garbage.json: updates"));
}
