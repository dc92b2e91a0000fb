//! An async client of CometBFT's JSON-RPC (POST, JSON-RPC 2.0): `status`, `abci_query`,
//! `broadcast_tx_sync`, `tx`. Reference: <https://docs.cometbft.com/v0.38/rpc/>.
//!
//! Byte parameters travel as base64 in JSON-RPC (`tx`, `hash`), hex in the URI form; numbers
//! of results are decimal strings.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::error::RelayerError;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// An ABCI query answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryAnswer {
    /// ABCI code (0 = success).
    pub code: u32,
    /// The application's log.
    pub log: String,
    /// The value bytes.
    pub value: Vec<u8>,
    /// The height queried.
    pub height: u64,
}

/// The `broadcast_tx_sync` answer: the CheckTx result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastResult {
    /// CheckTx code.
    pub code: u32,
    /// Codespace.
    pub codespace: String,
    /// Log.
    pub log: String,
    /// The transaction hash (upper-case hex, as CometBFT prints it).
    pub hash: String,
}

/// A committed transaction's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxResult {
    /// Block height.
    pub height: u64,
    /// DeliverTx code.
    pub code: u32,
    /// Codespace.
    pub codespace: String,
    /// Log.
    pub log: String,
    /// Gas the transaction declared.
    pub gas_wanted: u64,
    /// Gas the application charged.
    pub gas_used: u64,
}

/// A CometBFT RPC client.
#[derive(Debug)]
pub struct CometRpc {
    http: reqwest::Client,
    url: reqwest::Url,
    next_id: AtomicU64,
}

impl CometRpc {
    /// A client of `url` (`http://127.0.0.1:26657`; `tcp://` is accepted as CometBFT spells it).
    pub fn new(url: &str, timeout: Duration) -> Result<Self, RelayerError> {
        let normalized = match url.strip_prefix("tcp://") {
            Some(rest) => format!("http://{rest}"),
            None => url.to_owned(),
        };
        let parsed = reqwest::Url::parse(&normalized)
            .map_err(|e| RelayerError::Config { reason: format!("cometbft_rpc {url:?}: {e}") })?;
        let http = reqwest::Client::builder().timeout(timeout).build().map_err(|e| {
            RelayerError::Config { reason: format!("cannot build the HTTP client: {e}") }
        })?;
        Ok(Self { http, url: parsed, next_id: AtomicU64::new(1) })
    }

    /// One JSON-RPC call: the `result`.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, RelayerError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let err = |reason: String, transient: bool| RelayerError::Comet {
            method: method.to_owned(),
            reason,
            transient,
        };
        let response = self
            .http
            .post(self.url.clone())
            .json(&body)
            .send()
            .await
            .map_err(|e| err(format!("{} unreachable: {e}", self.url), true))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| err(e.to_string(), true))?;
        let mut envelope: Value = serde_json::from_str(&text).map_err(|e| {
            err(
                format!(
                    "HTTP {status}, not JSON ({e}): {}",
                    text.chars().take(200).collect::<String>()
                ),
                status.is_server_error(),
            )
        })?;
        if let Some(error) = envelope.get("error").filter(|e| !e.is_null()) {
            let data = error.get("data").and_then(Value::as_str).unwrap_or_default();
            let message = error.get("message").and_then(Value::as_str).unwrap_or_default();
            return Err(err(format!("{message}: {data}"), false));
        }
        match envelope.get_mut("result") {
            Some(result) if status.is_success() => Ok(result.take()),
            _ => Err(err(format!("HTTP {status} without a result"), status.is_server_error())),
        }
    }

    /// The node's chain id (`status`).
    pub async fn chain_id(&self) -> Result<String, RelayerError> {
        let status = self.call("status", json!({})).await?;
        status.pointer("/node_info/network").and_then(Value::as_str).map(str::to_owned).ok_or_else(
            || RelayerError::Comet {
                method: "status".into(),
                reason: "no node_info.network".into(),
                transient: false,
            },
        )
    }

    /// `abci_query` at the latest height, without proof.
    pub async fn abci_query(&self, path: &str) -> Result<QueryAnswer, RelayerError> {
        let result = self
            .call("abci_query", json!({"path": path, "data": "", "height": "0", "prove": false}))
            .await?;
        let response = result.get("response").ok_or_else(|| RelayerError::Comet {
            method: "abci_query".into(),
            reason: "no response".into(),
            transient: false,
        })?;
        let value = match response.get("value").and_then(Value::as_str) {
            None | Some("") => Vec::new(),
            Some(b64) => BASE64.decode(b64).map_err(|e| RelayerError::Comet {
                method: "abci_query".into(),
                reason: format!("value is not base64: {e}"),
                transient: false,
            })?,
        };
        Ok(QueryAnswer {
            code: number(response.get("code")).try_into().unwrap_or(u32::MAX),
            log: string(response.get("log")),
            value,
            height: number(response.get("height")),
        })
    }

    /// `abci_query` decoded as JSON; a non-zero code is [`RelayerError::Query`].
    pub async fn query_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, RelayerError> {
        let answer = self.abci_query(path).await?;
        if answer.code != 0 {
            return Err(RelayerError::Query {
                path: path.to_owned(),
                code: answer.code,
                log: answer.log,
            });
        }
        serde_json::from_slice(&answer.value).map_err(|e| RelayerError::Query {
            path: path.to_owned(),
            code: 0,
            log: format!("unexpected answer ({e}): {}", String::from_utf8_lossy(&answer.value)),
        })
    }

    /// `broadcast_tx_sync`: CheckTx's verdict.
    pub async fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<BroadcastResult, RelayerError> {
        let result = self.call("broadcast_tx_sync", json!({"tx": BASE64.encode(tx)})).await?;
        Ok(BroadcastResult {
            code: number(result.get("code")).try_into().unwrap_or(u32::MAX),
            codespace: string(result.get("codespace")),
            log: string(result.get("log")),
            hash: string(result.get("hash")),
        })
    }

    /// `tx` by hash: `None` while not committed (or unknown to the node's indexer).
    pub async fn tx(&self, hash: &[u8; 32]) -> Result<Option<TxResult>, RelayerError> {
        match self.call("tx", json!({"hash": BASE64.encode(hash), "prove": false})).await {
            Ok(result) => {
                let r = result.get("tx_result").cloned().unwrap_or(Value::Null);
                Ok(Some(TxResult {
                    height: number(result.get("height")),
                    code: number(r.get("code")).try_into().unwrap_or(u32::MAX),
                    codespace: string(r.get("codespace")),
                    log: string(r.get("log")),
                    gas_wanted: number(r.get("gas_wanted")),
                    gas_used: number(r.get("gas_used")),
                }))
            }
            Err(RelayerError::Comet { reason, .. }) if reason.contains("not found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Polls [`Self::tx`] every `poll` until the transaction is committed or `timeout` passes.
    pub async fn wait_for_tx(
        &self,
        hash: &[u8; 32],
        timeout: Duration,
        poll: Duration,
    ) -> Result<TxResult, RelayerError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match self.tx(hash).await {
                Ok(Some(result)) => return Ok(result),
                Ok(None) => {}
                Err(e) if e.is_transient() => tracing::debug!(error = %e, "tx poll failed"),
                Err(e) => return Err(e),
            }
            if tokio::time::Instant::now() + poll > deadline {
                return Err(RelayerError::TxTimeout {
                    hash: hex::encode_upper(hash),
                    seconds: timeout.as_secs(),
                });
            }
            tokio::time::sleep(poll).await;
        }
    }
}

/// A number CometBFT sends as a JSON number or a decimal string (0 when absent).
fn number(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn string(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_urls() {
        assert_eq!(number(Some(&json!("12"))), 12);
        assert_eq!(number(Some(&json!(7))), 7);
        assert_eq!(number(None), 0);
        assert!(CometRpc::new("tcp://127.0.0.1:26657", Duration::from_secs(1)).is_ok());
        assert!(CometRpc::new("not a url", Duration::from_secs(1)).is_err());
    }
}
