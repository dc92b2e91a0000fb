//! `pegd eth genesis` against a local beacon API serving the real mainnet Deneb light-client
//! vectors: the object it writes, and the refusals (wrong network, a bootstrap for another root,
//! a tampered bootstrap) that must happen before a chain ever starts.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use serde_json::{json, Value};

const ROOT: &str = "0xf783c545d2dd90cee6c4cb92a9324323ef397f6ec85e1a3d61c48cf6cfc979e2";
const MAINNET_GVR: &str = "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95";
const BRIDGE: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const BRIDGE_ID: &str = "0x7065672d6465766e65742d310000000000000000000000000000000000000000";

fn bootstrap_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-deneb-light-client/inclusion/base-data/BootstrapDeneb.json");
    std::fs::read_to_string(&path).expect("mainnet Deneb bootstrap vector")
}

/// A one-thread HTTP/1.1 server answering GETs from a fixed table (404 otherwise), for as long
/// as the test runs.
fn serve(routes: HashMap<String, String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Skip the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let (status, body) = match routes.get(&path) {
                Some(body) => ("200 OK", body.clone()),
                None => ("404 Not Found", "{\"code\":404,\"message\":\"not found\"}".to_owned()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{address}")
}

fn mainnet_routes(bootstrap: &str) -> HashMap<String, String> {
    let mut routes = HashMap::new();
    routes.insert(
        "/eth/v1/beacon/genesis".to_owned(),
        json!({"data": {"genesis_time": "1606824023", "genesis_validators_root": MAINNET_GVR,
                        "genesis_fork_version": "0x00000000"}})
        .to_string(),
    );
    routes.insert(
        "/eth/v1/beacon/headers/finalized".to_owned(),
        json!({"data": {"root": ROOT, "canonical": true}}).to_string(),
    );
    routes.insert(format!("/eth/v1/beacon/light_client/bootstrap/{ROOT}"), bootstrap.to_owned());
    routes
}

fn genesis(url: &str, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pegd"))
        .args(["eth", "genesis", "--beacon-api", url, "--bridge", BRIDGE, "--bridge-id", BRIDGE_ID])
        .args(["--eth-chain-id", "1"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("pegd runs")
}

fn failure_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "expected exit 1: {output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "one stderr line: {stderr:?}");
    stderr
}

#[test]
fn writes_the_eth_genesis_object_from_a_builtin_network() {
    let bootstrap = bootstrap_text();
    let url = serve(mainnet_routes(&bootstrap));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("eth.json");
    let output = genesis(&url, &out, &["--network", "mainnet", "--block-root", "finalized"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: Value = serde_json::from_slice(&output.stdout).expect("summary JSON");
    assert_eq!(summary["fork"], "deneb");
    assert_eq!(summary["trusted_block_root"], ROOT);
    assert_eq!(summary["sync_committee_period"], 1167);

    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("out written")).expect("JSON");
    assert_eq!(written["network"], json!({"builtin": "mainnet"}));
    assert_eq!(written["genesis_time"], 1_606_824_023u64);
    assert_eq!(written["genesis_validators_root"], MAINNET_GVR);
    assert_eq!(written["trusted_block_root"], ROOT);
    let served: Value = serde_json::from_str(&bootstrap).expect("vector JSON");
    assert_eq!(written["bootstrap"], served, "the bootstrap is embedded unchanged");
    assert_eq!(written["bridge_contract"], BRIDGE.to_lowercase());
    assert_eq!(written["bridge_id"], BRIDGE_ID);
    assert_eq!(written["eth_chain_id"], 1);
    assert_eq!(written["next_event_nonce"], "1");
    assert_eq!(written["trusted_ring_size"], 8192);
    assert_eq!(written["governance_voting_period"], 1000);
    assert_eq!(
        written["native_denoms"],
        json!([{"denom": "upeg", "name": "Peg", "symbol": "PEG", "decimals": 6}])
    );
}

#[test]
fn builds_the_config_from_the_spec_endpoint() {
    let bootstrap = bootstrap_text();
    let mut routes = mainnet_routes(&bootstrap);
    // What a beacon node's /eth/v1/config/spec answers (strings), for mainnet's schedule.
    routes.insert(
        "/eth/v1/config/spec".to_owned(),
        json!({"data": {
            "CONFIG_NAME": "mainnet", "PRESET_BASE": "mainnet", "SECONDS_PER_SLOT": "12",
            "GENESIS_FORK_VERSION": "0x00000000",
            "ALTAIR_FORK_VERSION": "0x01000000", "ALTAIR_FORK_EPOCH": "74240",
            "BELLATRIX_FORK_VERSION": "0x02000000", "BELLATRIX_FORK_EPOCH": "144896",
            "CAPELLA_FORK_VERSION": "0x03000000", "CAPELLA_FORK_EPOCH": "194048",
            "DENEB_FORK_VERSION": "0x04000000", "DENEB_FORK_EPOCH": "269568",
            "ELECTRA_FORK_VERSION": "0x05000000", "ELECTRA_FORK_EPOCH": "364032",
            "BLOB_SCHEDULE": [{"EPOCH": "412672", "MAX_BLOBS_PER_BLOCK": "15"}]
        }})
        .to_string(),
    );
    let url = serve(routes);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("eth.json");
    let output = genesis(&url, &out, &["--block-root", ROOT, "--next-event-nonce", "7"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("out written")).expect("JSON");
    assert_eq!(written["network"]["preset"], "mainnet");
    let yaml = written["network"]["config_yaml"].as_str().expect("config_yaml text");
    assert!(yaml.contains("DENEB_FORK_EPOCH"), "{yaml}");
    assert_eq!(written["next_event_nonce"], "7");
}

#[test]
fn refuses_a_node_of_another_network() {
    let mut routes = mainnet_routes(&bootstrap_text());
    routes.insert(
        "/eth/v1/beacon/genesis".to_owned(),
        json!({"data": {"genesis_time": "1606824023", "genesis_validators_root": format!("0x{}", "11".repeat(32))}})
            .to_string(),
    );
    let url = serve(routes);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("eth.json");
    let line = failure_line(&genesis(&url, &out, &["--network", "mainnet"]));
    assert!(line.contains("genesis validators root"), "{line}");
    assert!(!out.exists(), "nothing written on failure");
}

#[test]
fn refuses_a_bootstrap_of_another_root() {
    let bootstrap = bootstrap_text();
    let other = format!("0x{}", "22".repeat(32));
    let mut routes = mainnet_routes(&bootstrap);
    routes.insert(format!("/eth/v1/beacon/light_client/bootstrap/{other}"), bootstrap);
    let url = serve(routes);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("eth.json");
    let line =
        failure_line(&genesis(&url, &out, &["--network", "mainnet", "--block-root", &other]));
    assert!(line.contains("bootstrap for"), "{line}");
    assert!(!out.exists(), "nothing written on failure");
}

#[test]
fn refuses_a_tampered_bootstrap_and_an_unreachable_node() {
    let mut value: Value = serde_json::from_str(&bootstrap_text()).expect("JSON");
    // Swap two committee keys: the committee root no longer matches the header's state root.
    let pubkeys = value
        .pointer_mut("/data/current_sync_committee/pubkeys")
        .and_then(Value::as_array_mut)
        .expect("pubkeys");
    pubkeys.swap(0, 1);
    let url = serve(mainnet_routes(&value.to_string()));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("eth.json");
    let line = failure_line(&genesis(&url, &out, &["--network", "mainnet"]));
    assert!(line.contains("bootstrap for"), "{line}");
    assert!(!out.exists());

    // Nothing listens on port 9 of loopback.
    let line = failure_line(&genesis("http://127.0.0.1:9", &out, &["--network", "mainnet"]));
    assert!(line.contains("/eth/v1/beacon/genesis"), "{line}");
}
