//! End to end over a real `anvil --no-mining`: the simulator mines one block per slot, serves the
//! beacon API over HTTP, and the real light client follows it; anvil reorgs of unfinalized
//! blocks are followed, a reorg of a finalized block is reported as fatal.
//!
//! Needs `.tools/bin/anvil` (`scripts/install-tools`); skipped with a message when absent.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy_primitives::B256;
use beacon_sim::driver::unix_now;
use beacon_sim::server::Simulator;
use beacon_sim::ChainParams;
use light_client::sync::check_data_fork;
use light_client::types::{LightClientBootstrap, LightClientFinalityUpdate, LightClientUpdate};
use light_client::{
    initialize_light_client_store, process_light_client_finality_update,
    process_light_client_update, ChainConfig, DefaultBls, LightClientStore, Minimal,
};
use peg_eth_rpc::{BlockId, EthRpc};
use serde_json::{json, Value};

/// Kills anvil on every path.
struct AnvilGuard(Child);

impl Drop for AnvilGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn anvil_binary() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/bin/anvil");
    path.exists().then_some(path)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn get(&self, path: &str) -> (u16, String) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    async fn get_ok(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    async fn json(&self, path: &str) -> Value {
        serde_json::from_str(&self.get_ok(path).await).expect("JSON")
    }

    async fn status(&self) -> Value {
        self.json("/sim/v1/status").await
    }
}

async fn anvil_hash(rpc: &EthRpc, number: u64) -> Option<B256> {
    rpc.block_by_number(BlockId::Number(number)).await.expect("rpc").map(|b| b.hash)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_anvil_over_http_with_the_light_client() {
    let Some(anvil) = anvil_binary() else {
        // scripts/test installs the tools first and sets PEG_REQUIRE_TOOLS: never skip there.
        assert!(
            std::env::var_os("PEG_REQUIRE_TOOLS").is_none(),
            ".tools/bin/anvil is absent but PEG_REQUIRE_TOOLS is set (run scripts/install-tools)"
        );
        eprintln!("SKIPPED: .tools/bin/anvil is absent (run scripts/install-tools)");
        return;
    };
    let started = Instant::now();
    // Genesis 85 s ago: the catch-up crosses the period boundary at slot 64 at once, and
    // finality (two epochs behind) reaches period 1 within a few slots.
    let genesis_time = unix_now() - 85;
    let port = free_port();
    let child = Command::new(anvil)
        .args(["--no-mining", "--silent", "--port", &port.to_string()])
        .args(["--timestamp", &genesis_time.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn anvil");
    let _anvil = AnvilGuard(child);
    let anvil_url = format!("http://127.0.0.1:{port}");
    let params = ChainParams {
        genesis_time,
        seconds_per_slot: 1,
        finality_lag_epochs: 1,
        electra_epoch: Some(9),
        fulu_epoch: None,
        gloas_epoch: None,
        seed: 3,
        participation: 32,
    };
    let listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let simulator = Simulator::start(params.clone(), &anvil_url, listen, Duration::from_secs(20))
        .await
        .expect("simulator starts");
    let client =
        Client { http: reqwest::Client::new(), base: format!("http://{}", simulator.addr) };
    let rpc = EthRpc::new(&anvil_url).expect("rpc");

    // Wait for the catch-up (bounded).
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = client.status().await;
        if status["head"]["slot"].as_u64().unwrap_or(0) >= 80 {
            break;
        }
        assert!(Instant::now() < deadline, "no catch-up: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The configuration the peg zone would be given.
    let yaml = client.get_ok("/sim/v1/config.yaml").await;
    assert_eq!(yaml, params.config_yaml());
    let genesis = client.json("/eth/v1/beacon/genesis").await;
    let root: B256 =
        genesis["data"]["genesis_validators_root"].as_str().expect("root").parse().expect("hex");
    let config = ChainConfig::from_yaml_str(&yaml, Some(root)).expect("config.yaml parses");
    assert_eq!(config, params.chain_config());
    let spec = client.json("/eth/v1/config/spec").await;
    assert_eq!(spec["data"]["ELECTRA_FORK_EPOCH"], "9");
    assert_eq!(spec["data"]["SECONDS_PER_SLOT"], "1");

    // Execution timestamps are slot times, and each block wraps the anvil block of its number.
    let status = client.status().await;
    let head_number = status["head"]["execution_number"].as_u64().expect("number");
    let head_slot = status["head"]["slot"].as_u64().expect("slot");
    assert_eq!(status["head"]["execution_timestamp"].as_u64(), Some(params.slot_time(head_slot)));
    assert_eq!(
        Some(
            status["head"]["execution_hash"].as_str().expect("hash").parse::<B256>().expect("hex")
        ),
        anvil_hash(&rpc, head_number).await
    );

    // Bootstrap from a period-0 header (the relayer then has to rotate the committee).
    let finalized = client.json("/eth/v1/beacon/headers/finalized").await;
    assert_eq!(finalized["finalized"], true);
    let header = client.json("/eth/v1/beacon/headers/16").await;
    let trusted: B256 = header["data"]["root"].as_str().expect("root").parse().expect("hex");
    let bootstrap_text =
        client.get_ok(&format!("/eth/v1/beacon/light_client/bootstrap/{trusted}")).await;
    let (fork, bootstrap) =
        LightClientBootstrap::<Minimal>::from_beacon_api_json(&bootstrap_text).expect("bootstrap");
    check_data_fork::<Minimal>(&config, fork, bootstrap.header.beacon.slot).expect("fork");
    let mut store: LightClientStore<Minimal, DefaultBls> =
        initialize_light_client_store(&config, trusted, bootstrap).expect("store");
    let (status_404, body) = client
        .get(&format!("/eth/v1/beacon/light_client/bootstrap/{}", B256::repeat_byte(1)))
        .await;
    assert_eq!(status_404, 404, "{body}");
    assert!(body.contains("\"code\":404"));
    for (path, code) in [
        ("/eth/v1/beacon/light_client/updates?start_period=0", 400),
        ("/eth/v1/beacon/light_client/updates?start_period=x&count=1", 400),
        ("/eth/v1/beacon/headers/notablock", 400),
        ("/eth/v1/beacon/headers/999999", 404),
        ("/eth/v1/nothing", 404),
    ] {
        let (status, body) = client.get(path).await;
        assert_eq!(status, code, "{path}: {body}");
        let error: Value = serde_json::from_str(&body).expect("JSON error body");
        assert_eq!(error["code"], code);
        assert!(error["message"].is_string());
    }

    // Follow for a few slots: period updates when the next committee is unknown, then the
    // latest finality update.
    let start_period = store.sync_committee_period();
    let mut finalized_hashes_checked = 0;
    for _ in 0..6 {
        let current_slot = params.slot_at(unix_now());
        if !store.is_next_sync_committee_known() {
            let period = store.sync_committee_period();
            let text = client
                .get_ok(&format!(
                    "/eth/v1/beacon/light_client/updates?start_period={period}&count=1"
                ))
                .await;
            for (fork, update) in
                LightClientUpdate::<Minimal>::list_from_beacon_api_json(&text).expect("updates")
            {
                check_data_fork::<Minimal>(&config, fork, update.attested_header.beacon.slot)
                    .expect("fork");
                process_light_client_update(&mut store, &config, &update, current_slot)
                    .expect("period update");
            }
        }
        let text = client.get_ok("/eth/v1/beacon/light_client/finality_update").await;
        let (fork, update) =
            LightClientFinalityUpdate::<Minimal>::from_beacon_api_json(&text).expect("finality");
        check_data_fork::<Minimal>(&config, fork, update.attested_header.beacon.slot)
            .expect("fork");
        process_light_client_finality_update(&mut store, &config, update, fork, current_slot)
            .expect("finality update verifies");
        // The finalized execution block is anvil's block of that number.
        let number = store.finalized_execution_block_number().expect("number");
        assert_eq!(store.finalized_execution_block_hash(), anvil_hash(&rpc, number).await);
        finalized_hashes_checked += 1;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert_eq!(finalized_hashes_checked, 6);
    assert!(store.sync_committee_period() > start_period, "rotated into period 1");
    assert!(store.finalized_slot() >= 48);

    // SSZ responses decode to the same data.
    let ssz = client
        .http
        .get(format!("{}/eth/v1/beacon/light_client/optimistic_update", client.base))
        .header("accept", "application/octet-stream")
        .send()
        .await
        .expect("request");
    assert_eq!(ssz.headers()["eth-consensus-version"], "electra");
    assert!(!ssz.bytes().await.expect("body").is_empty());

    // Bad signatures: the light client rejects the finality update with the signature error.
    let response = client
        .http
        .post(format!("{}/sim/v1/adversary", client.base))
        .json(&json!({"bad_signatures": true}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);
    let text = client.get_ok("/eth/v1/beacon/light_client/finality_update").await;
    let (fork, update) =
        LightClientFinalityUpdate::<Minimal>::from_beacon_api_json(&text).expect("finality");
    let error = process_light_client_finality_update(
        &mut store,
        &config,
        update,
        fork,
        params.slot_at(unix_now()),
    )
    .expect_err("bad signature");
    assert!(matches!(error, light_client::ConsensusError::InvalidSignature(_)), "{error:?}");
    client
        .http
        .post(format!("{}/sim/v1/adversary", client.base))
        .json(&json!({"bad_signatures": false}))
        .send()
        .await
        .expect("post");
    let bad = client
        .http
        .post(format!("{}/sim/v1/adversary", client.base))
        .json(&json!({"participation": 0}))
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status().as_u16(), 400);

    // An anvil reorg of the last two (unfinalized) blocks is followed.
    let before = client.status().await;
    let _: Value = rpc.request("anvil_reorg", json!([2, []])).await.expect("anvil_reorg");
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let status = client.status().await;
        let number = status["head"]["execution_number"].as_u64().expect("number");
        let hash: B256 =
            status["head"]["execution_hash"].as_str().expect("hash").parse().expect("hex");
        if status["reorgs"].as_u64() >= Some(1)
            && number > before["head"]["execution_number"].as_u64().expect("number")
            && anvil_hash(&rpc, number).await == Some(hash)
        {
            assert!(status["reorged_blocks"].as_u64() >= Some(2), "{status}");
            assert!(status["fatal"].is_null());
            break;
        }
        assert!(Instant::now() < deadline, "reorg not followed: {status}");
    }

    // A rollback below the finalized block is fatal, reported, never followed.
    let status = client.status().await;
    let head = status["head"]["execution_number"].as_u64().expect("head");
    let finalized = status["finalized"]["execution_number"].as_u64().expect("finalized");
    let _: Value =
        rpc.request("anvil_rollback", json!([head - finalized + 1])).await.expect("rollback");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let status = client.status().await;
        if let Some(fatal) = status["fatal"].as_str() {
            assert!(fatal.contains("finalized"), "{fatal}");
            break;
        }
        assert!(Instant::now() < deadline, "fatal reorg not reported: {status}");
    }
    simulator.stop().await;
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
}
