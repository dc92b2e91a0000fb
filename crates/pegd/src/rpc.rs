//! A small client of CometBFT's JSON-RPC over loopback HTTP (URI form, `GET /method?args`), for
//! `pegd tx` and `pegd query`: `status`, `abci_query`, `broadcast_tx_sync`.
//!
//! Reference: <https://docs.cometbft.com/v0.38/rpc/>. HTTP/1.0 with `Connection: close`, so
//! the body is everything after the header (no chunked encoding).

use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

/// Largest RPC answer read (CometBFT's default `max_body_bytes` is 1 MB).
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// RPC failures.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// The node could not be reached or the connection failed.
    #[error("CometBFT RPC at {address}: {source}")]
    Io {
        /// The RPC address.
        address: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The answer is not HTTP 200 with a JSON-RPC body.
    #[error("CometBFT RPC at {address}: {reason}")]
    Protocol {
        /// The RPC address.
        address: String,
        /// What is wrong.
        reason: String,
    },
    /// The node answered with a JSON-RPC error.
    #[error("CometBFT RPC {method}: {error}")]
    Remote {
        /// The method.
        method: String,
        /// The error object.
        error: String,
    },
    /// An `abci_query` answered with a non-zero code.
    #[error("query {path}: code {code} ({codespace}): {log}")]
    Query {
        /// The query path.
        path: String,
        /// The ABCI code.
        code: u32,
        /// The codespace.
        codespace: String,
        /// The application's log.
        log: String,
    },
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters kept).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Parses a raw HTTP answer of CometBFT's JSON-RPC to `method`: the `result` of a 200 answer,
/// [`RpcError::Remote`] for a JSON-RPC error, [`RpcError::Protocol`] for anything else
/// (`address` left empty: the caller fills it in). Pure, never panics.
pub fn parse_http_response(raw: &[u8], method: &str) -> Result<Value, RpcError> {
    let protocol = |reason: String| RpcError::Protocol { address: String::new(), reason };
    let text = std::str::from_utf8(raw).map_err(|_| protocol("answer is not UTF-8".to_owned()))?;
    let (head, body) =
        text.split_once("\r\n\r\n").ok_or_else(|| protocol("no end of HTTP header".to_owned()))?;
    let status_line = head.lines().next().unwrap_or_default();
    let mut value: Value = serde_json::from_str(body)
        .map_err(|e| protocol(format!("{status_line}: body is not JSON: {e}")))?;
    if let Some(error) = value.get("error") {
        return Err(RpcError::Remote { method: method.to_owned(), error: error.to_string() });
    }
    if status_line.split_whitespace().nth(1).is_none_or(|code| code != "200") {
        return Err(protocol(format!("HTTP status {status_line:?}")));
    }
    value
        .get_mut("result")
        .map(Value::take)
        .ok_or_else(|| protocol("JSON-RPC answer without result".to_owned()))
}

/// A CometBFT RPC endpoint, `host:port`.
#[derive(Debug, Clone)]
pub struct RpcClient {
    address: String,
    timeout: Duration,
}

/// The answer of an `abci_query` with code 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryAnswer {
    /// The value bytes.
    pub value: Vec<u8>,
    /// The height the answer is for.
    pub height: u64,
}

impl RpcClient {
    /// A client of `address` (`host:port`, or `tcp://host:port` as in CometBFT's config).
    pub fn new(address: &str) -> Self {
        let address = address.trim_start_matches("tcp://").trim_start_matches("http://");
        Self { address: address.to_owned(), timeout: Duration::from_secs(10) }
    }

    fn protocol(&self, reason: impl Into<String>) -> RpcError {
        RpcError::Protocol { address: self.address.clone(), reason: reason.into() }
    }

    /// `GET /<method>?<query>`, returning the JSON-RPC `result`.
    pub fn call(&self, method: &str, query: &str) -> Result<Value, RpcError> {
        let io = |source| RpcError::Io { address: self.address.clone(), source };
        let socket = self
            .address
            .to_socket_addrs()
            .map_err(io)?
            .next()
            .ok_or_else(|| self.protocol("address resolves to nothing"))?;
        let mut stream = TcpStream::connect_timeout(&socket, self.timeout).map_err(io)?;
        stream.set_read_timeout(Some(self.timeout)).map_err(io)?;
        stream.set_write_timeout(Some(self.timeout)).map_err(io)?;
        let target =
            if query.is_empty() { format!("/{method}") } else { format!("/{method}?{query}") };
        write!(
            stream,
            "GET {target} HTTP/1.0\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .map_err(io)?;
        let mut raw = Vec::new();
        stream.take(MAX_RESPONSE_BYTES).read_to_end(&mut raw).map_err(io)?;
        parse_http_response(&raw, method).map_err(|error| match error {
            RpcError::Protocol { reason, .. } => self.protocol(reason),
            other => other,
        })
    }

    /// `status`.
    pub fn status(&self) -> Result<Value, RpcError> {
        self.call("status", "")
    }

    /// The chain id (`node_info.network`).
    pub fn chain_id(&self) -> Result<String, RpcError> {
        let status = self.status()?;
        status["node_info"]["network"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.protocol("status without node_info.network"))
    }

    /// `abci_query` of `path` (latest height, no proof), failing on a non-zero code.
    pub fn abci_query(&self, path: &str) -> Result<QueryAnswer, RpcError> {
        let query = format!("path={}", percent_encode(&format!("\"{path}\"")));
        let result = self.call("abci_query", &query)?;
        let response = &result["response"];
        let code = response["code"].as_u64().unwrap_or(0);
        if code != 0 {
            return Err(RpcError::Query {
                path: path.to_owned(),
                code: u32::try_from(code).unwrap_or(u32::MAX),
                codespace: response["codespace"].as_str().unwrap_or_default().to_owned(),
                log: response["log"].as_str().unwrap_or_default().to_owned(),
            });
        }
        let value = match response["value"].as_str() {
            Some(b64) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| self.protocol(format!("query value is not base64: {e}")))?,
            None => Vec::new(),
        };
        let height = response["height"].as_str().and_then(|h| h.parse().ok()).unwrap_or(0);
        Ok(QueryAnswer { value, height })
    }

    /// `broadcast_tx_sync`: the CheckTx result (`code`, `log`, `codespace`, `hash`).
    pub fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<Value, RpcError> {
        self.call("broadcast_tx_sync", &format!("tx=0x{}", hex::encode(tx)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_of_a_query_path() {
        assert_eq!(percent_encode("\"/account/peg1x\""), "%22%2Faccount%2Fpeg1x%22");
        assert_eq!(percent_encode("a-b_c.d~"), "a-b_c.d~");
    }

    #[test]
    fn http_answers_parse_or_fail_typed() {
        let ok = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":{\"x\":1}}";
        assert!(matches!(parse_http_response(ok, "status"), Ok(v) if v["x"] == 1));
        let remote =
            b"HTTP/1.0 500 Internal\r\n\r\n{\"error\":{\"code\":-32603,\"message\":\"boom\"}}";
        assert!(matches!(parse_http_response(remote, "status"), Err(RpcError::Remote { .. })));
        let not_200 = b"HTTP/1.0 404 Not Found\r\n\r\n{\"result\":{}}";
        assert!(matches!(parse_http_response(not_200, "status"), Err(RpcError::Protocol { .. })));
        for bad in [
            &b""[..],
            b"HTTP/1.0 200 OK",
            b"HTTP/1.0 200 OK\r\n\r\nnot json",
            b"\xff\xfe",
            b"HTTP/1.0 200 OK\r\n\r\n{}",
        ] {
            assert!(
                matches!(parse_http_response(bad, "status"), Err(RpcError::Protocol { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn unreachable_node_is_a_typed_error() {
        // Port 9 (discard) on loopback is closed on a test machine.
        let client = RpcClient::new("tcp://127.0.0.1:9");
        assert!(matches!(client.status(), Err(RpcError::Io { .. })));
    }
}
