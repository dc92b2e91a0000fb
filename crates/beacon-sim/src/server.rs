//! The HTTP server: the beacon light-client API (JSON, and SSZ on `Accept:
//! application/octet-stream`), the configuration endpoints and the control API.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use alloy_primitives::B256;
use axum::extract::{Path, Query, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use peg_eth_rpc::EthRpc;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::chain::{period_at_slot, LightClientObject, SimBlock, SimChain};
use crate::config::{ChainParams, SLOTS_PER_EPOCH, SYNC_COMMITTEE_SIZE};
use crate::driver::{unix_now, Driver, Shared};
use crate::error::SimError;

/// Header naming the fork of a light-client response.
const CONSENSUS_VERSION: HeaderName = HeaderName::from_static("eth-consensus-version");

fn api_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "code": status.as_u16(), "message": message.into() }))).into_response()
}

fn internal(e: SimError) -> Response {
    tracing::error!(error = %e, "request failed");
    api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

fn wants_ssz(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/octet-stream"))
}

fn object_response(object: LightClientObject, ssz: bool) -> Response {
    let version = object.fork.as_str();
    if ssz {
        ([(CONTENT_TYPE, "application/octet-stream"), (CONSENSUS_VERSION, version)], object.ssz)
            .into_response()
    } else {
        ([(CONSENSUS_VERSION, version)], Json(object.envelope())).into_response()
    }
}

/// The beacon-API and control-API router over `state`.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/eth/v1/beacon/genesis", get(genesis))
        .route("/eth/v1/beacon/headers/{block_id}", get(header))
        .route("/eth/v1/config/spec", get(spec))
        .route("/eth/v1/beacon/light_client/bootstrap/{block_root}", get(bootstrap))
        .route("/eth/v1/beacon/light_client/updates", get(updates))
        .route("/eth/v1/beacon/light_client/finality_update", get(finality_update))
        .route("/eth/v1/beacon/light_client/optimistic_update", get(optimistic_update))
        .route("/sim/v1/status", get(status))
        .route("/sim/v1/adversary", post(adversary))
        .route("/sim/v1/config.yaml", get(config_yaml))
        .fallback(|| async { api_error(StatusCode::NOT_FOUND, "no such endpoint") })
        .with_state(state)
}

async fn genesis(State(state): State<Shared>) -> Response {
    let state = state.read();
    let params = state.chain.params();
    Json(json!({ "data": {
        "genesis_time": params.genesis_time.to_string(),
        "genesis_validators_root": params.genesis_validators_root(),
        "genesis_fork_version": crate::config::fork_version(light_client::ForkName::Phase0),
    }}))
    .into_response()
}

async fn spec(State(state): State<Shared>) -> Response {
    Json(json!({ "data": state.read().chain.params().spec_json() })).into_response()
}

async fn config_yaml(State(state): State<Shared>) -> Response {
    let text = state.read().chain.params().config_yaml();
    ([(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// Resolves a beacon-API block id: `head`, `finalized`, `genesis`, a slot, or a `0x` root.
/// The error is the message of a 400 answer.
fn resolve<'a>(chain: &'a SimChain, id: &str) -> Result<Option<&'a SimBlock>, String> {
    match id {
        "head" => Ok(chain.head()),
        "genesis" => Ok(chain.genesis()),
        "finalized" => Ok(chain.finalized_block().or(chain.genesis())),
        _ if id.starts_with("0x") => match id.parse::<B256>() {
            Ok(root) => Ok(chain.block_by_root(&root)),
            Err(_) => Err(format!("invalid block root {id}")),
        },
        _ => match id.parse::<u64>() {
            Ok(slot) => Ok(chain.block_at_slot(slot)),
            Err(_) => Err(format!("invalid block id {id}")),
        },
    }
}

async fn header(State(state): State<Shared>, Path(block_id): Path<String>) -> Response {
    let state = state.read();
    let chain = &state.chain;
    let block = match resolve(chain, &block_id) {
        Ok(Some(block)) => block,
        Ok(None) => return api_error(StatusCode::NOT_FOUND, format!("block {block_id} not found")),
        Err(message) => return api_error(StatusCode::BAD_REQUEST, message),
    };
    let finalized_slot = chain.finalized_block().map(SimBlock::slot).unwrap_or(0);
    Json(json!({
        "execution_optimistic": false,
        "finalized": block.slot() <= finalized_slot,
        "data": {
            "root": block.root,
            "canonical": true,
            // No proposer signs: the signature is the zero placeholder.
            "header": { "message": block.header, "signature": format!("0x{}", "00".repeat(96)) },
        }
    }))
    .into_response()
}

async fn bootstrap(
    State(state): State<Shared>,
    Path(block_root): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(root) = block_root.parse::<B256>() else {
        return api_error(StatusCode::BAD_REQUEST, format!("invalid block root {block_root}"));
    };
    match state.read().chain.bootstrap(&root) {
        Ok(Some(object)) => object_response(object, wants_ssz(&headers)),
        Ok(None) => api_error(
            StatusCode::NOT_FOUND,
            format!("LC bootstrap unavailable: block {root} is not in the simulated chain"),
        ),
        Err(e) => internal(e),
    }
}

async fn updates(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let number = |key: &str| -> Result<u64, String> {
        let text = query.get(key).ok_or_else(|| format!("missing query parameter {key}"))?;
        text.parse::<u64>().map_err(|_| format!("invalid {key}: {text:?} is not a uint64"))
    };
    let (start, count) = match (number("start_period"), number("count")) {
        (Ok(start), Ok(count)) => (start, count),
        (Err(message), _) | (_, Err(message)) => {
            return api_error(StatusCode::BAD_REQUEST, message)
        }
    };
    let state = state.read();
    let list = match state.chain.updates(start, count) {
        Ok(list) => list,
        Err(e) => return internal(e),
    };
    if wants_ssz(&headers) {
        // Each chunk: 8-byte little-endian length of (fork digest ++ SSZ), fork digest, SSZ.
        let config = state.chain.chain_config();
        let mut body = Vec::new();
        for object in &list {
            let digest = config.fork_digest_at_epoch(object.slot / SLOTS_PER_EPOCH);
            body.extend_from_slice(&((object.ssz.len() + 4) as u64).to_le_bytes());
            body.extend_from_slice(digest.as_slice());
            body.extend_from_slice(&object.ssz);
        }
        return ([(CONTENT_TYPE, "application/octet-stream")], body).into_response();
    }
    Json(Value::Array(list.iter().map(LightClientObject::envelope).collect())).into_response()
}

async fn finality_update(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match state.read().chain.finality_update() {
        Ok(Some(object)) => object_response(object, wants_ssz(&headers)),
        Ok(None) => api_error(StatusCode::NOT_FOUND, "no finality update available yet"),
        Err(e) => internal(e),
    }
}

async fn optimistic_update(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match state.read().chain.optimistic_update() {
        Ok(Some(object)) => object_response(object, wants_ssz(&headers)),
        Ok(None) => api_error(StatusCode::NOT_FOUND, "no optimistic update available yet"),
        Err(e) => internal(e),
    }
}

fn block_summary(block: &SimBlock) -> Value {
    json!({
        "slot": block.slot(),
        "root": block.root,
        "execution_number": block.execution.block_number,
        "execution_hash": block.execution.block_hash,
        "execution_timestamp": block.execution.timestamp,
    })
}

/// The `/sim/v1/status` object.
pub fn status_json(state: &Shared) -> Value {
    let state = state.read();
    let chain = &state.chain;
    let params = chain.params();
    let head = chain.head();
    let head_slot = head.map(SimBlock::slot).unwrap_or(0);
    json!({
        "slot": state.slot,
        "wall_clock_slot": params.slot_at(unix_now()),
        "genesis_time": params.genesis_time,
        "seconds_per_slot": params.seconds_per_slot,
        "head": head.map(block_summary),
        "finalized": chain.finalized_block().map(block_summary),
        "period": period_at_slot(head_slot),
        "fork": params.fork_at_slot(head_slot).as_str(),
        "adversary": chain.adversary,
        "participation": chain.participation,
        "reorgs": state.reorgs,
        "reorged_blocks": state.reorged_blocks,
        "fatal": state.fatal,
    })
}

async fn status(State(state): State<Shared>) -> Response {
    Json(status_json(&state)).into_response()
}

/// `POST /sim/v1/adversary` body: every field optional, absent = unchanged.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdversaryRequest {
    bad_signatures: Option<bool>,
    stall_finality: Option<bool>,
    participation: Option<usize>,
}

async fn adversary(State(state): State<Shared>, body: axum::body::Bytes) -> Response {
    let request: AdversaryRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, format!("invalid body: {e}")),
    };
    if let Some(n) = request.participation {
        if n == 0 || n > SYNC_COMMITTEE_SIZE {
            return api_error(
                StatusCode::BAD_REQUEST,
                format!("participation must be 1..={SYNC_COMMITTEE_SIZE}, got {n}"),
            );
        }
    }
    {
        let mut guard = state.write();
        let chain = &mut guard.chain;
        if let Some(flag) = request.bad_signatures {
            chain.adversary.bad_signatures = flag;
        }
        if let Some(flag) = request.stall_finality {
            chain.adversary.stall_finality = flag;
        }
        if let Some(n) = request.participation {
            chain.participation = n;
        }
        tracing::warn!(adversary = ?chain.adversary, participation = chain.participation, "adversary switches set");
    }
    Json(status_json(&state)).into_response()
}

/// A running simulator: driver and server tasks. Dropping it stops both.
#[derive(Debug)]
pub struct Simulator {
    /// The address the server listens on.
    pub addr: SocketAddr,
    /// The shared state (for tests and embedding).
    pub state: Shared,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Simulator {
    /// Builds the genesis block over anvil's head (waiting up to `anvil_wait` for anvil to
    /// answer), binds `listen` and starts the driver and the server.
    pub async fn start(
        params: ChainParams,
        anvil_url: &str,
        listen: SocketAddr,
        anvil_wait: Duration,
    ) -> Result<Self, SimError> {
        let rpc = EthRpc::new(anvil_url).map_err(|e| SimError::Rpc(e.to_string()))?;
        let state = Shared::new(SimChain::new(params)?);
        let driver = Driver::new(rpc, state.clone());
        let deadline = tokio::time::Instant::now() + anvil_wait;
        loop {
            match driver.genesis().await {
                Ok(()) => break,
                Err(SimError::Rpc(reason)) if tokio::time::Instant::now() < deadline => {
                    tracing::debug!(%reason, "waiting for anvil");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => return Err(e),
            }
        }
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| SimError::Io { context: format!("binding {listen}"), source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Io { context: "local address".into(), source })?;
        let (shutdown, rx) = watch::channel(false);
        let mut server_rx = rx.clone();
        let app = router(state.clone());
        let server = tokio::spawn(async move {
            let stop = async move {
                // Returns when the flag flips or the sender is gone.
                let _ = server_rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(stop).await {
                tracing::error!(error = %e, "server failed");
            }
        });
        let driver_task = tokio::spawn(driver.run(rx));
        tracing::info!(%addr, "beacon simulator listening");
        Ok(Self { addr, state, shutdown, tasks: vec![server, driver_task] })
    }

    /// Stops the driver and the server and waits for them.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}
