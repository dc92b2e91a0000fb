//! The client and wallet against a real anvil (automine): send ETH, read blocks, receipts, logs.
//!
//! Needs anvil (`scripts/install-tools` puts it at `.tools/bin/anvil`; `PEG_ANVIL` overrides).
//! Without it the test reports that it is skipped and passes.

use std::path::PathBuf;
use std::time::Duration;

use peg_eth_rpc::anvil::{anvil_binary, AnvilProcess, DEV_KEYS};
use peg_eth_rpc::{
    Address, BlockId, Bytes, CallRequest, EthRpc, EthRpcError, LogFilter, SendOptions, Wallet,
    B256, U256,
};

const DEV_KEY_0: &str = DEV_KEYS[0];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test]
async fn wallet_sends_eth_and_client_reads_it_back() {
    let Some(binary) = anvil_binary(&workspace()) else {
        eprintln!("skipped: anvil not installed (scripts/install-tools)");
        return;
    };
    let anvil = AnvilProcess::start(&binary, &[]).await.expect("anvil starts");
    let rpc = EthRpc::new(anvil.url()).expect("url");
    assert_eq!(rpc.chain_id().await.expect("chain id"), 31337);

    let wallet = Wallet::from_hex(rpc.clone(), DEV_KEY_0).expect("key");
    assert_eq!(
        wallet.address(),
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().expect("address")
    );
    let recipient = Address::repeat_byte(0x42);
    let amount = U256::from(10u64).pow(U256::from(18));
    let before = rpc.block_number().await.expect("block number");

    let receipt = wallet
        .send_and_wait(Some(recipient), amount, Bytes::new(), &SendOptions::default())
        .await
        .expect("send 1 ETH");
    assert!(receipt.succeeded());
    assert_eq!(receipt.gas_used, 21_000);
    assert!(receipt.block_number > before);
    assert_eq!(rpc.balance(recipient, BlockId::Latest).await.expect("balance"), amount);
    assert_eq!(rpc.transaction_count(wallet.address(), BlockId::Pending).await.expect("nonce"), 1);

    // The block: header hash checked against the node's, receipts against the receipts root.
    let block = rpc
        .block_by_number(BlockId::Number(receipt.block_number))
        .await
        .expect("block")
        .expect("block exists");
    assert_eq!(block.hash, receipt.block_hash);
    assert_eq!(block.transaction_hashes(), vec![receipt.transaction_hash]);
    let receipts = rpc.block_receipts(&block).await.expect("receipts");
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].receipt, receipt.rpc.receipt);
    let latest = rpc.block_by_number(BlockId::Latest).await.expect("latest").expect("exists");
    assert!(latest.number() >= receipt.block_number);
    assert!(rpc.block_by_number(BlockId::Number(1_000_000)).await.expect("query").is_none());
    let by_hash = rpc.block_by_hash(block.hash).await.expect("by hash").expect("exists");
    assert_eq!(by_hash.header, block.header);

    // A second transfer: the nonce advances (pending count), fees come from the node.
    let fees = wallet.fees().await.expect("fees");
    assert!(fees.max_fee_per_gas >= fees.max_priority_fee_per_gas);
    let hash = wallet
        .send(Some(recipient), U256::from(1u64), Bytes::new(), &SendOptions::default())
        .await
        .expect("second send");
    let second = rpc
        .wait_for_receipt(hash, Duration::from_secs(10), Duration::from_millis(50))
        .await
        .expect("second receipt");
    assert!(second.succeeded());

    // No logs from a plain transfer; the filter round-trips.
    let logs = rpc
        .get_logs(&LogFilter {
            from_block: BlockId::Number(0),
            to_block: BlockId::Latest,
            addresses: vec![recipient],
            topic0: vec![],
        })
        .await
        .expect("logs");
    assert!(logs.is_empty());

    // Generic requests reach anvil's own methods.
    let _: serde_json::Value =
        rpc.request("evm_mine", serde_json::json!([])).await.expect("evm_mine");
    assert_eq!(rpc.block_number().await.expect("block number"), second.block_number + 1);
    let err = rpc
        .request::<serde_json::Value>("no_such_method", serde_json::json!([]))
        .await
        .expect_err("unknown method");
    assert!(err.is_method_not_found(), "{err}");

    // An unknown transaction never gets a receipt: the wait is bounded.
    let err = rpc
        .wait_for_receipt(
            B256::repeat_byte(1),
            Duration::from_millis(300),
            Duration::from_millis(50),
        )
        .await
        .expect_err("no receipt");
    assert!(matches!(err, EthRpcError::Timeout { .. }), "{err}");

    // Deploying init code that reverts (PUSH0 PUSH0 REVERT) is refused at estimation.
    let err = wallet
        .deploy(Bytes::from(vec![0x5f, 0x5f, 0xfd]), &SendOptions::default())
        .await
        .expect_err("reverting init code");
    assert!(matches!(err, EthRpcError::WouldRevert { .. }), "{err}");

    // A contract that returns 42 from any call: init code copies a 10-byte runtime.
    // runtime: PUSH1 42 PUSH0 MSTORE PUSH1 32 PUSH0 RETURN
    let runtime = [0x60, 0x2a, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3];
    let mut init = vec![0x60, runtime.len() as u8, 0x80, 0x60, 0x0b, 0x5f, 0x39, 0x5f, 0xf3];
    // PUSH1 len DUP1 PUSH1 offset(=init len) PUSH0 CODECOPY PUSH0 RETURN  (9 bytes + 2 padding)
    init.extend_from_slice(&[0x00, 0x00]);
    init.extend_from_slice(&runtime);
    let deployed = wallet.deploy(Bytes::from(init), &SendOptions::default()).await.expect("deploy");
    let contract = deployed.contract_address.expect("created address");
    assert_eq!(rpc.code(contract, BlockId::Latest).await.expect("code").as_ref(), &runtime);
    let out = rpc
        .call(&CallRequest { to: Some(contract), ..CallRequest::default() }, BlockId::Latest)
        .await
        .expect("call");
    assert_eq!(U256::from_be_slice(&out), U256::from(42u64));
    let gas = rpc
        .estimate_gas(&CallRequest { to: Some(contract), ..CallRequest::default() })
        .await
        .expect("estimate");
    assert!(gas >= 21_000);
}

#[tokio::test]
async fn wrong_key_and_unreachable_node_are_clear_errors() {
    let rpc = EthRpc::new("http://127.0.0.1:9").expect("url");
    let err = Wallet::from_hex(rpc.clone(), "0x1234").expect_err("short key");
    assert!(err.to_string().contains("64 hex digits"), "{err}");
    let wallet = Wallet::from_hex(rpc, DEV_KEY_0).expect("key");
    let err = wallet
        .send(Some(Address::ZERO), U256::from(1u64), Bytes::new(), &SendOptions::default())
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, EthRpcError::Transport { .. }), "{err}");
}

/// A JSON-RPC proxy in front of anvil that answers `eth_getBlockReceipts` with "method not
/// found", as nodes without that method do. Serves until the task is aborted.
async fn proxy_without_block_receipts(upstream: String) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = tokio::spawn(async move {
        let http = reqwest::Client::new();
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then Content-Length bytes of body.
            let body = loop {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break Some(buf[end + 4..end + 4 + len].to_vec());
                }
            };
            let Some(body) = body else { continue };
            let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let answer = if request["method"] == "eth_getBlockReceipts" {
                serde_json::json!({"jsonrpc": "2.0", "id": request["id"],
                    "error": {"code": -32601, "message": "the method eth_getBlockReceipts does not exist/is not available"}})
                .to_string()
            } else {
                match http
                    .post(&upstream)
                    .body(body)
                    .header("content-type", "application/json")
                    .send()
                    .await
                {
                    Ok(r) => r.text().await.unwrap_or_default(),
                    Err(_) => continue,
                }
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    (url, handle)
}

#[tokio::test]
async fn block_receipts_fall_back_to_one_receipt_per_transaction() {
    let Some(binary) = anvil_binary(&workspace()) else {
        eprintln!("skipped: anvil not installed (scripts/install-tools)");
        return;
    };
    let anvil = AnvilProcess::start(&binary, &["--no-mining"]).await.expect("anvil starts");
    let direct = EthRpc::new(anvil.url()).expect("url");
    // Three transfers from two senders in one block.
    let opts = SendOptions { gas_limit: Some(21_000), ..SendOptions::default() };
    for key in [DEV_KEYS[0], DEV_KEYS[1], DEV_KEYS[0]] {
        Wallet::from_hex(direct.clone(), key)
            .expect("key")
            .send(Some(Address::repeat_byte(7)), U256::from(1u64), Bytes::new(), &opts)
            .await
            .expect("send");
    }
    let _: serde_json::Value =
        direct.request("evm_mine", serde_json::json!([])).await.expect("mine");
    let block = direct.block_by_number(BlockId::Latest).await.expect("block").expect("exists");
    assert_eq!(block.transaction_hashes().len(), 3);
    let expected = direct.block_receipts(&block).await.expect("direct receipts");

    let (proxy_url, proxy) = proxy_without_block_receipts(anvil.url().to_owned()).await;
    let proxied = EthRpc::new(&proxy_url).expect("url");
    let err = proxied
        .request::<serde_json::Value>("eth_getBlockReceipts", serde_json::json!(["latest"]))
        .await
        .expect_err("the proxy hides the method");
    assert!(err.is_method_not_found(), "{err}");
    let fallback = proxied.block_receipts(&block).await.expect("per-transaction receipts");
    assert_eq!(fallback, expected);
    proxy.abort();
}
