//! The JSON-RPC client.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy_primitives::{Address, Bytes, B256, U256};
use light_client::execution::{Receipt, RpcReceipt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::EthRpcError;
use crate::quantity::{parse_quantity_u256, parse_quantity_u64};
use crate::types::{AccountProof, Block, BlockId, CallRequest, LogFilter, RpcLog, TxReceipt};

/// Per-request timeout unless [`EthRpc::with_timeout`] says otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response body kept in an error message.
const ERROR_BODY_CHARS: usize = 300;

/// An Ethereum JSON-RPC 2.0 client over HTTP(S). Cheap to clone (the connection pool is shared).
#[derive(Debug)]
pub struct EthRpc {
    http: reqwest::Client,
    url: reqwest::Url,
    next_id: AtomicU64,
}

impl Clone for EthRpc {
    fn clone(&self) -> Self {
        Self {
            http: self.http.clone(),
            url: self.url.clone(),
            next_id: AtomicU64::new(self.next_id.load(Ordering::Relaxed)),
        }
    }
}

impl EthRpc {
    /// A client for `url` (`http://127.0.0.1:8545`, `https://…`), with
    /// [`DEFAULT_REQUEST_TIMEOUT`].
    pub fn new(url: &str) -> Result<Self, EthRpcError> {
        Self::with_timeout(url, DEFAULT_REQUEST_TIMEOUT)
    }

    /// A client whose every request gives up after `timeout`.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self, EthRpcError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| EthRpcError::InvalidUrl { url: url.to_owned(), reason: e.to_string() })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(EthRpcError::InvalidUrl {
                url: url.to_owned(),
                reason: format!("scheme {:?} is not http or https", parsed.scheme()),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| EthRpcError::InvalidUrl {
                url: url.to_owned(),
                reason: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self { http, url: parsed, next_id: AtomicU64::new(1) })
    }

    /// The endpoint.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Sends one JSON-RPC request and decodes its `result` as `T`.
    ///
    /// `params` is anything that serializes to a JSON array (`json!([...])`, a tuple, a `Vec`).
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> Result<T, EthRpcError> {
        let value = self.request_value(method, params).await?;
        serde_json::from_value(value)
            .map_err(|e| EthRpcError::Decode { method: method.to_owned(), reason: e.to_string() })
    }

    /// [`Self::request`] returning the raw `result` (possibly `null`).
    pub async fn request_value(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> Result<Value, EthRpcError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        tracing::trace!(method, id, "eth rpc request");
        let transport = |e: reqwest::Error| EthRpcError::Transport {
            method: method.to_owned(),
            url: self.url.to_string(),
            reason: error_chain(&e),
        };
        let response =
            self.http.post(self.url.clone()).json(&body).send().await.map_err(transport)?;
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        if !status.is_success() {
            return Err(EthRpcError::HttpStatus {
                method: method.to_owned(),
                status: status.as_u16(),
                body: text.chars().take(ERROR_BODY_CHARS).collect(),
            });
        }
        let decode = |reason: String| EthRpcError::Decode { method: method.to_owned(), reason };
        let mut envelope: Value = serde_json::from_str(&text).map_err(|e| {
            decode(format!("{e}: {}", text.chars().take(ERROR_BODY_CHARS).collect::<String>()))
        })?;
        if let Some(error) = envelope.get("error").filter(|e| !e.is_null()) {
            return Err(EthRpcError::Rpc {
                method: method.to_owned(),
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)")
                    .to_owned(),
                data: error.get("data").cloned(),
            });
        }
        match envelope.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => Err(decode("response has neither result nor error".into())),
        }
    }

    async fn quantity_u64(&self, method: &str, params: Value) -> Result<u64, EthRpcError> {
        let s: String = self.request(method, params).await?;
        parse_quantity_u64(&s)
            .map_err(|reason| EthRpcError::Decode { method: method.into(), reason })
    }

    async fn quantity_u256(&self, method: &str, params: Value) -> Result<U256, EthRpcError> {
        let s: String = self.request(method, params).await?;
        parse_quantity_u256(&s)
            .map_err(|reason| EthRpcError::Decode { method: method.into(), reason })
    }

    /// `eth_chainId`.
    pub async fn chain_id(&self) -> Result<u64, EthRpcError> {
        self.quantity_u64("eth_chainId", json!([])).await
    }

    /// `eth_blockNumber`.
    pub async fn block_number(&self) -> Result<u64, EthRpcError> {
        self.quantity_u64("eth_blockNumber", json!([])).await
    }

    /// `eth_getBalance` at `block`.
    pub async fn balance(&self, address: Address, block: BlockId) -> Result<U256, EthRpcError> {
        self.quantity_u256("eth_getBalance", json!([address, block.to_param()])).await
    }

    /// `eth_getTransactionCount` at `block` (use [`BlockId::Pending`] for the next nonce).
    pub async fn transaction_count(
        &self,
        address: Address,
        block: BlockId,
    ) -> Result<u64, EthRpcError> {
        self.quantity_u64("eth_getTransactionCount", json!([address, block.to_param()])).await
    }

    /// `eth_getCode` at `block`.
    pub async fn code(&self, address: Address, block: BlockId) -> Result<Bytes, EthRpcError> {
        self.request("eth_getCode", json!([address, block.to_param()])).await
    }

    /// `eth_gasPrice`.
    pub async fn gas_price(&self) -> Result<U256, EthRpcError> {
        self.quantity_u256("eth_gasPrice", json!([])).await
    }

    /// `eth_maxPriorityFeePerGas`.
    pub async fn max_priority_fee_per_gas(&self) -> Result<U256, EthRpcError> {
        self.quantity_u256("eth_maxPriorityFeePerGas", json!([])).await
    }

    /// `eth_getBlockByNumber(block, false)`: `None` when the node has no such block. The header is
    /// checked to hash to the node's claimed `hash`.
    pub async fn block_by_number(&self, block: BlockId) -> Result<Option<Block>, EthRpcError> {
        let value =
            self.request_value("eth_getBlockByNumber", json!([block.to_param(), false])).await?;
        if value.is_null() {
            return Ok(None);
        }
        Block::from_json(value).map(Some)
    }

    /// `eth_getBlockByHash(hash, false)`.
    pub async fn block_by_hash(&self, hash: B256) -> Result<Option<Block>, EthRpcError> {
        let value = self.request_value("eth_getBlockByHash", json!([hash, false])).await?;
        if value.is_null() {
            return Ok(None);
        }
        let block = Block::from_json(value)?;
        if block.hash != hash {
            return Err(EthRpcError::Decode {
                method: "eth_getBlockByHash".into(),
                reason: format!("asked for block {hash}, got {}", block.hash),
            });
        }
        Ok(Some(block))
    }

    /// All receipts of a block, in transaction order: `eth_getBlockReceipts`, falling back to one
    /// `eth_getTransactionReceipt` per transaction on nodes without it. The receipts are checked
    /// against the block's receipts root, so a lying or lagging node is caught here rather than
    /// by the peg zone.
    pub async fn block_receipts(&self, block: &Block) -> Result<Vec<RpcReceipt>, EthRpcError> {
        let number = block.number();
        let receipts = match self
            .request_value("eth_getBlockReceipts", json!([BlockId::Number(number).to_param()]))
            .await
        {
            Ok(Value::Null) => {
                return Err(EthRpcError::NotFound(format!("receipts of block {number}")))
            }
            Ok(value) => Receipt::list_from_json_rpc(&value).map_err(|source| {
                EthRpcError::Execution { context: format!("receipts of block {number}"), source }
            })?,
            Err(e) if e.is_method_not_found() => {
                tracing::debug!(
                    number,
                    "eth_getBlockReceipts unsupported: one receipt per transaction"
                );
                let mut receipts = Vec::new();
                for hash in block.transaction_hashes() {
                    let receipt = self
                        .transaction_receipt(hash)
                        .await?
                        .ok_or_else(|| EthRpcError::NotFound(format!("receipt of {hash}")))?;
                    receipts.push(receipt.rpc);
                }
                receipts
            }
            Err(e) => return Err(e),
        };
        let consensus: Vec<Receipt> = receipts.iter().map(|r| r.receipt.clone()).collect();
        let root = light_client::execution::compute_receipts_root(&consensus);
        if root != block.header.receipts_root {
            return Err(EthRpcError::Decode {
                method: "eth_getBlockReceipts".into(),
                reason: format!(
                    "receipts of block {number} hash to root {root}, the header says {}",
                    block.header.receipts_root
                ),
            });
        }
        Ok(receipts)
    }

    /// `eth_getLogs` over `filter`. Logs the node flags as `removed` are dropped.
    pub async fn get_logs(&self, filter: &LogFilter) -> Result<Vec<RpcLog>, EthRpcError> {
        let values: Vec<Value> = self.request("eth_getLogs", json!([filter.to_json()])).await?;
        values
            .iter()
            .map(|v| {
                RpcLog::from_json(v)
                    .map_err(|reason| EthRpcError::Decode { method: "eth_getLogs".into(), reason })
            })
            .filter(|l| !matches!(l, Ok(log) if log.removed))
            .collect()
    }

    /// `eth_getProof(address, slots, block)` (EIP-1186): the account and storage proofs under
    /// the block's state root, unverified (the caller checks them against a trusted header).
    pub async fn get_proof(
        &self,
        address: Address,
        slots: &[U256],
        block: BlockId,
    ) -> Result<AccountProof, EthRpcError> {
        let keys: Vec<B256> = slots.iter().map(|s| B256::from(s.to_be_bytes::<32>())).collect();
        let value =
            self.request_value("eth_getProof", json!([address, keys, block.to_param()])).await?;
        let proof = AccountProof::from_json(&value)
            .map_err(|reason| EthRpcError::Decode { method: "eth_getProof".into(), reason })?;
        if proof.address != address || proof.storage_proof.len() != slots.len() {
            return Err(EthRpcError::Decode {
                method: "eth_getProof".into(),
                reason: format!(
                    "asked for {address} with {} slots, got {} with {}",
                    slots.len(),
                    proof.address,
                    proof.storage_proof.len()
                ),
            });
        }
        Ok(proof)
    }

    /// `eth_call` at `block`: the returned bytes. A revert is an [`EthRpcError::Rpc`] whose
    /// [`EthRpcError::revert_data`] holds the ABI-encoded error.
    pub async fn call(&self, call: &CallRequest, block: BlockId) -> Result<Bytes, EthRpcError> {
        self.request("eth_call", json!([call.to_json(), block.to_param()])).await
    }

    /// `eth_estimateGas`. A revert comes back as [`EthRpcError::WouldRevert`].
    pub async fn estimate_gas(&self, call: &CallRequest) -> Result<u64, EthRpcError> {
        match self.quantity_u64("eth_estimateGas", json!([call.to_json()])).await {
            Err(e @ EthRpcError::Rpc { .. }) if is_revert(&e) => Err(EthRpcError::WouldRevert {
                data: e.revert_data(),
                reason: match &e {
                    EthRpcError::Rpc { message, .. } => message.clone(),
                    _ => e.to_string(),
                },
            }),
            other => other,
        }
    }

    /// `eth_sendRawTransaction`: the transaction hash.
    pub async fn send_raw_transaction(&self, raw: &[u8]) -> Result<B256, EthRpcError> {
        self.request("eth_sendRawTransaction", json!([Bytes::copy_from_slice(raw)])).await
    }

    /// `eth_getTransactionReceipt`: `None` while the transaction is pending or unknown.
    pub async fn transaction_receipt(&self, hash: B256) -> Result<Option<TxReceipt>, EthRpcError> {
        let value = self.request_value("eth_getTransactionReceipt", json!([hash])).await?;
        if value.is_null() {
            return Ok(None);
        }
        TxReceipt::from_json(value).map(Some)
    }

    /// Polls `eth_getTransactionReceipt` every `poll` until the receipt appears or `timeout`
    /// passes. Transient transport errors are retried within the same bound.
    pub async fn wait_for_receipt(
        &self,
        hash: B256,
        timeout: Duration,
        poll: Duration,
    ) -> Result<TxReceipt, EthRpcError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match self.transaction_receipt(hash).await {
                Ok(Some(receipt)) => return Ok(receipt),
                Ok(None) => {}
                Err(e) if e.is_transient() => {
                    tracing::debug!(%hash, error = %e, "receipt poll failed; retrying");
                }
                Err(e) => return Err(e),
            }
            if tokio::time::Instant::now() + poll > deadline {
                return Err(EthRpcError::Timeout {
                    what: format!("the receipt of {hash}"),
                    seconds: timeout.as_secs(),
                });
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// `eth_feeHistory(blocks, latest, [percentile])`: the base fee of the next block and the
    /// given reward percentile of each of the last `blocks` blocks.
    pub async fn fee_history(
        &self,
        blocks: u64,
        percentile: f64,
    ) -> Result<(U256, Vec<U256>), EthRpcError> {
        let v: Value = self
            .request("eth_feeHistory", json!([crate::quantity(blocks), "latest", [percentile]]))
            .await?;
        let decode =
            |reason: String| EthRpcError::Decode { method: "eth_feeHistory".into(), reason };
        let base_fees = v
            .get("baseFeePerGas")
            .and_then(Value::as_array)
            .ok_or_else(|| decode("no baseFeePerGas".into()))?;
        let next_base = base_fees
            .last()
            .and_then(Value::as_str)
            .ok_or_else(|| decode("empty baseFeePerGas".into()))
            .and_then(|s| parse_quantity_u256(s).map_err(decode))?;
        let rewards = match v.get("reward").and_then(Value::as_array) {
            None => Vec::new(),
            Some(rows) => rows
                .iter()
                .filter_map(|row| row.get(0).and_then(Value::as_str))
                .map(|s| parse_quantity_u256(s).map_err(decode))
                .collect::<Result<_, _>>()?,
        };
        Ok((next_base, rewards))
    }
}

fn is_revert(e: &EthRpcError) -> bool {
    match e {
        EthRpcError::Rpc { code, message, .. } => {
            *code == 3 || message.contains("revert") || message.contains("execution reverted")
        }
        _ => false,
    }
}

/// The error with its sources (reqwest's top-level message alone says little).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_urls() {
        assert!(matches!(EthRpc::new("not a url"), Err(EthRpcError::InvalidUrl { .. })));
        assert!(matches!(EthRpc::new("ftp://127.0.0.1"), Err(EthRpcError::InvalidUrl { .. })));
        assert!(EthRpc::new("http://127.0.0.1:8545").is_ok());
    }

    #[tokio::test]
    async fn unreachable_node_is_a_transport_error() {
        // Port 9 (discard) on loopback: nothing listens in the test environment.
        let rpc =
            EthRpc::with_timeout("http://127.0.0.1:9", Duration::from_secs(2)).expect("valid url");
        let err = rpc.chain_id().await.expect_err("nothing listens");
        assert!(matches!(err, EthRpcError::Transport { .. }), "{err}");
        assert!(err.is_transient());
        assert!(err.to_string().contains("eth_chainId"), "{err}");
    }
}
