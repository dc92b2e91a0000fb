//! A local anvil process for tests and the devnet tools, killed on drop, plus Foundry artifact
//! reading (creation bytecode of `contracts/out/<File>.sol/<Contract>.json`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alloy_primitives::Bytes;

use crate::client::EthRpc;
use crate::error::EthRpcError;

/// anvil's well-known development keys 0–2 (public; funded with 10000 ETH each).
pub const DEV_KEYS: [&str; 3] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
];

/// The anvil binary: `$PEG_ANVIL`, else `<workspace>/.tools/bin/anvil` when it exists, else
/// `anvil` on the `PATH` if found there.
pub fn anvil_binary(workspace: &Path) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PEG_ANVIL") {
        return Some(PathBuf::from(path));
    }
    let local = workspace.join(".tools/bin/anvil");
    if local.exists() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|p| p.join("anvil")).find(|p| p.exists())
    })
}

/// A running anvil on a free loopback port; killed (and reaped) on drop.
#[derive(Debug)]
pub struct AnvilProcess {
    child: Child,
    url: String,
}

impl AnvilProcess {
    /// Starts `binary` with `extra_args` (e.g. `["--no-mining"]`) and waits (at most 15 s) until
    /// it answers `eth_chainId`.
    pub async fn start(binary: &Path, extra_args: &[&str]) -> Result<Self, EthRpcError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| EthRpcError::Transport {
                method: "bind".into(),
                url: "127.0.0.1:0".into(),
                reason: e.to_string(),
            })?;
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--host", "127.0.0.1", "--silent"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| EthRpcError::Transport {
                method: "spawn anvil".into(),
                url: binary.display().to_string(),
                reason: e.to_string(),
            })?;
        let process = Self { child, url: format!("http://127.0.0.1:{port}") };
        let rpc = EthRpc::with_timeout(&process.url, Duration::from_secs(2))?;
        for _ in 0..150 {
            if rpc.chain_id().await.is_ok() {
                return Ok(process);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(EthRpcError::Timeout { what: format!("anvil at {}", process.url), seconds: 15 })
    }

    /// The JSON-RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for AnvilProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The creation bytecode (`bytecode.object`) of a Foundry artifact JSON file. Refuses artifacts
/// with unlinked library references.
pub fn foundry_bytecode(artifact: &Path) -> Result<Bytes, EthRpcError> {
    let bad = |reason: String| EthRpcError::Decode {
        method: format!("artifact {}", artifact.display()),
        reason,
    };
    let text = std::fs::read_to_string(artifact).map_err(|e| bad(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let object = json
        .pointer("/bytecode/object")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| bad("no bytecode.object".into()))?;
    if object.contains("__$") {
        return Err(bad("bytecode has unlinked library references".into()));
    }
    hex::decode(object.trim_start_matches("0x")).map(Bytes::from).map_err(|e| bad(e.to_string()))
}
