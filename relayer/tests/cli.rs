//! The `peg-relayer` binary's failure paths: clear messages and exit status 1, nothing hangs.

use std::process::Command;

fn relayer(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_peg-relayer"));
    cmd.args(args).env("RUST_LOG", "error");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("peg-relayer runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn configuration_errors_exit_1_with_a_reason() {
    let (ok, err) = relayer(&["once"], &[]);
    assert!(!ok);
    assert!(err.contains("key_file is required"), "{err}");

    let (ok, err) = relayer(&["once", "--key-file", "/nonexistent/key.json"], &[]);
    assert!(!ok);
    assert!(err.contains("/nonexistent/key.json"), "{err}");

    let (ok, err) = relayer(&["once"], &[("PEG_RELAYER_MAX_EVENTS_PER_TX", "lots")]);
    assert!(!ok);
    assert!(err.contains("PEG_RELAYER_MAX_EVENTS_PER_TX"), "{err}");

    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("relayer.toml");
    std::fs::write(&config, "eth_rpc = 5\n").expect("write");
    let (ok, err) = relayer(&["run", "--config", config.to_str().expect("utf-8")], &[]);
    assert!(!ok);
    assert!(err.contains("relayer.toml"), "{err}");
}

#[test]
fn unreachable_peg_zone_fails_the_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = peg_tx::SigningKey::from_slice(&[5u8; 32]).expect("key");
    let public = peg_tx::PublicKey::from_signing_key(&key);
    let file = dir.path().join("relayer.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "name": "relayer", "type": "secp256k1", "address": public.address().to_bech32(),
            "pub_key": hex::encode(public.to_compressed()), "private_key": hex::encode(key.to_bytes()),
        })
        .to_string(),
    )
    .expect("write key");
    // Port 9 (discard): nothing listens; the chain id is asked from the node first.
    let (ok, err) = relayer(
        &[
            "once",
            "--key-file",
            file.to_str().expect("utf-8"),
            "--cometbft-rpc",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    assert!(!ok);
    assert!(err.contains("CometBFT RPC status") && err.contains("unreachable"), "{err}");
}
