//! The `beacon-sim` binary's configuration handling.

use std::process::Command;

use beacon_sim::ChainParams;

fn beacon_sim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_beacon-sim")).args(args).output().expect("run beacon-sim")
}

fn params() -> ChainParams {
    ChainParams {
        genesis_time: 1_800_000_000,
        seconds_per_slot: 2,
        finality_lag_epochs: 1,
        electra_epoch: Some(4),
        fulu_epoch: None,
        gloas_epoch: None,
        seed: 9,
        participation: 32,
    }
}

#[test]
fn config_yaml_matches_the_served_text() {
    let out = beacon_sim(&[
        "config-yaml",
        "--genesis-time",
        "1800000000",
        "--seconds-per-slot",
        "2",
        "--electra-epoch",
        "4",
        "--seed",
        "9",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), params().config_yaml());
}

#[test]
fn config_file_and_flag_override() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sim.toml");
    std::fs::write(
        &path,
        "genesis_time = 1800000000\nseconds_per_slot = 2\nelectra_epoch = 7\nseed = 9\n",
    )
    .expect("write");
    let path = path.to_str().expect("utf-8 path");
    // The flag wins over the file.
    let out = beacon_sim(&["config-yaml", "--config", path, "--electra-epoch", "4"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), params().config_yaml());
}

#[test]
fn refuses_what_it_cannot_simulate() {
    let out = beacon_sim(&["config-yaml", "--genesis-time", "1", "--gloas-epoch", "3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gloas needs a fulu epoch"));
    let out = beacon_sim(&["config-yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--genesis-time"));
    let out = beacon_sim(&["config-yaml", "--genesis-time", "1", "--participation", "40"]);
    assert_eq!(out.status.code(), Some(2));
}
