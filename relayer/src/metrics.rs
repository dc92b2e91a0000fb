//! Prometheus metrics in the text exposition format, served at `GET /metrics` by a small HTTP/1.1
//! server on tokio (seven series; no metrics library needed).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// The relayer's counters and gauges.
#[derive(Debug, Default)]
pub struct Metrics {
    finalized_slot: AtomicU64,
    pending_events: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    submitted: Mutex<BTreeMap<&'static str, u64>>,
    contract_valset_nonce: AtomicU64,
    relayable_batches: AtomicU64,
    outbound: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
}

impl Metrics {
    /// Sets `peg_relayer_light_client_finalized_slot` (the peg zone's light client).
    pub fn set_finalized_slot(&self, slot: u64) {
        self.finalized_slot.store(slot, Ordering::Relaxed);
    }

    /// Sets `peg_relayer_pending_events` (bridge events on Ethereum not yet on the peg zone).
    pub fn set_pending_events(&self, n: u64) {
        self.pending_events.store(n, Ordering::Relaxed);
    }

    /// Increments `peg_relayer_errors_total{kind}`.
    pub fn inc_error(&self, kind: &'static str) {
        if let Ok(mut map) = self.errors.lock() {
            *map.entry(kind).or_default() += 1;
        }
    }

    /// Increments `peg_relayer_submitted_total{msg}`.
    pub fn inc_submitted(&self, msg: &'static str) {
        if let Ok(mut map) = self.submitted.lock() {
            *map.entry(msg).or_default() += 1;
        }
    }

    /// Sets `peg_relayer_contract_valset_nonce` (the PegBridge's `valsetNonce`).
    pub fn set_contract_valset_nonce(&self, nonce: u64) {
        self.contract_valset_nonce.store(nonce, Ordering::Relaxed);
    }

    /// Sets `peg_relayer_relayable_batches` (signed-for zone batches the contract can still take).
    pub fn set_relayable_batches(&self, n: u64) {
        self.relayable_batches.store(n, Ordering::Relaxed);
    }

    /// Increments `peg_relayer_outbound_total{kind, result}`: `kind` is `valset` or `batch`,
    /// `result` is `executed`, `reverted`, `would_revert`, `unprofitable` or `unpriced`.
    pub fn inc_outbound(&self, kind: &'static str, result: &'static str) {
        if let Ok(mut map) = self.outbound.lock() {
            *map.entry((kind, result)).or_default() += 1;
        }
    }

    /// The current value of `peg_relayer_outbound_total{kind, result}`.
    pub fn outbound(&self, kind: &str, result: &str) -> u64 {
        self.outbound
            .lock()
            .map(|m| m.iter().find(|((k, r), _)| *k == kind && *r == result).map_or(0, |(_, n)| *n))
            .unwrap_or(0)
    }

    /// The current value of `peg_relayer_submitted_total{msg}`.
    pub fn submitted(&self, msg: &str) -> u64 {
        self.submitted.lock().map(|m| m.get(msg).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// The text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP peg_relayer_light_client_finalized_slot Finalized beacon slot of the peg zone's light client.\n");
        out.push_str("# TYPE peg_relayer_light_client_finalized_slot gauge\n");
        out.push_str(&format!(
            "peg_relayer_light_client_finalized_slot {}\n",
            self.finalized_slot.load(Ordering::Relaxed)
        ));
        out.push_str("# HELP peg_relayer_pending_events Bridge events on Ethereum the peg zone has not processed.\n");
        out.push_str("# TYPE peg_relayer_pending_events gauge\n");
        out.push_str(&format!(
            "peg_relayer_pending_events {}\n",
            self.pending_events.load(Ordering::Relaxed)
        ));
        out.push_str("# HELP peg_relayer_errors_total Failed relayer steps, by kind.\n");
        out.push_str("# TYPE peg_relayer_errors_total counter\n");
        if let Ok(map) = self.errors.lock() {
            for (kind, n) in map.iter() {
                out.push_str(&format!("peg_relayer_errors_total{{kind=\"{kind}\"}} {n}\n"));
            }
        }
        out.push_str("# HELP peg_relayer_submitted_total Transactions included in the peg zone, by message.\n");
        out.push_str("# TYPE peg_relayer_submitted_total counter\n");
        if let Ok(map) = self.submitted.lock() {
            for (msg, n) in map.iter() {
                out.push_str(&format!("peg_relayer_submitted_total{{msg=\"{msg}\"}} {n}\n"));
            }
        }
        out.push_str(
            "# HELP peg_relayer_contract_valset_nonce The PegBridge's current valset nonce.\n",
        );
        out.push_str("# TYPE peg_relayer_contract_valset_nonce gauge\n");
        out.push_str(&format!(
            "peg_relayer_contract_valset_nonce {}\n",
            self.contract_valset_nonce.load(Ordering::Relaxed)
        ));
        out.push_str(
            "# HELP peg_relayer_relayable_batches Zone batches the PegBridge can still execute.\n",
        );
        out.push_str("# TYPE peg_relayer_relayable_batches gauge\n");
        out.push_str(&format!(
            "peg_relayer_relayable_batches {}\n",
            self.relayable_batches.load(Ordering::Relaxed)
        ));
        out.push_str(
            "# HELP peg_relayer_outbound_total Outbound valset updates and batches, by result.\n",
        );
        out.push_str("# TYPE peg_relayer_outbound_total counter\n");
        if let Ok(map) = self.outbound.lock() {
            for ((kind, result), n) in map.iter() {
                out.push_str(&format!(
                    "peg_relayer_outbound_total{{kind=\"{kind}\",result=\"{result}\"}} {n}\n"
                ));
            }
        }
        out
    }
}

/// Serves `GET /metrics` on `listener` until the task is dropped. Each connection gets one
/// answer and is closed; requests are read with a bound and a timeout.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    loop {
        let (mut socket, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "metrics accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let metrics = Arc::clone(&metrics);
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let mut len = 0;
            let read = tokio::time::timeout(Duration::from_secs(5), async {
                while len < buf.len() {
                    let n = socket.read(&mut buf[len..]).await?;
                    if n == 0 {
                        break;
                    }
                    len += n;
                    if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                Ok::<_, std::io::Error>(())
            })
            .await;
            if !matches!(read, Ok(Ok(()))) {
                return;
            }
            let request = String::from_utf8_lossy(&buf[..len]);
            let first = request.lines().next().unwrap_or_default();
            let (status, content_type, body) = if first.starts_with("GET /metrics ") {
                ("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.render())
            } else {
                (
                    "404 Not Found",
                    "text/plain; charset=utf-8",
                    "not found; try /metrics\n".to_owned(),
                )
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            if let Err(e) = socket.write_all(response.as_bytes()).await {
                tracing::debug!(%peer, error = %e, "metrics write failed");
            }
            let _ = socket.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_four_series() {
        let m = Metrics::default();
        m.set_finalized_slot(64);
        m.set_pending_events(3);
        m.inc_error("eth_rpc");
        m.inc_error("eth_rpc");
        m.inc_submitted("update_eth_client");
        let text = m.render();
        assert!(text.contains("peg_relayer_light_client_finalized_slot 64\n"), "{text}");
        assert!(text.contains("peg_relayer_pending_events 3\n"));
        assert!(text.contains("peg_relayer_errors_total{kind=\"eth_rpc\"} 2\n"));
        assert!(text.contains("peg_relayer_submitted_total{msg=\"update_eth_client\"} 1\n"));
        assert!(text.contains("# TYPE peg_relayer_errors_total counter\n"));
        assert_eq!(m.submitted("update_eth_client"), 1);
        m.set_contract_valset_nonce(7);
        m.set_relayable_batches(2);
        m.inc_outbound("batch", "executed");
        m.inc_outbound("batch", "executed");
        m.inc_outbound("valset", "reverted");
        let text = m.render();
        assert!(text.contains("peg_relayer_contract_valset_nonce 7\n"), "{text}");
        assert!(text.contains("peg_relayer_relayable_batches 2\n"));
        assert!(text.contains("peg_relayer_outbound_total{kind=\"batch\",result=\"executed\"} 2\n"));
        assert!(
            text.contains("peg_relayer_outbound_total{kind=\"valset\",result=\"reverted\"} 1\n")
        );
        assert_eq!(m.outbound("batch", "executed"), 2);
        assert_eq!(m.outbound("batch", "reverted"), 0);
    }

    #[tokio::test]
    async fn serves_metrics_over_http() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let metrics = Arc::new(Metrics::default());
        metrics.set_pending_events(5);
        let server = tokio::spawn(serve(listener, Arc::clone(&metrics)));
        let get = |path: &'static str| async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
            s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                .await
                .expect("write");
            let mut out = String::new();
            s.read_to_string(&mut out).await.expect("read");
            out
        };
        let ok = get("/metrics").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(ok.contains("peg_relayer_pending_events 5"));
        let missing = get("/other").await;
        assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
        server.abort();
    }
}
