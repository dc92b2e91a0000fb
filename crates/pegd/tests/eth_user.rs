//! `pegd eth lock|burn|deploy-token` as a user runs them, against a real anvil with the PegBridge
//! and a MockERC20 deployed from the Foundry artifacts (`contracts/out`, built with forge when
//! missing).
//!
//! Needs anvil and forge (`scripts/install-tools`); without anvil the test reports that it is
//! skipped and passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alloy_sol_types::{SolCall, SolValue};
use peg_eth_rpc::anvil::{anvil_binary, foundry_bytecode, AnvilProcess, DEV_KEYS};
use peg_eth_rpc::{Address, BlockId, Bytes, CallRequest, EthRpc, SendOptions, Wallet, B256, U256};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

alloy_sol_types::sol! {
    function mint(address to, uint256 amount) external;
    function balanceOf(address owner) external view returns (uint256);
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The artifact of `contract` in `file`, building the contracts with forge when missing.
fn artifact(file: &str, contract: &str) -> TestResult<PathBuf> {
    let root = workspace();
    let path = root.join(format!("contracts/out/{file}/{contract}.json"));
    if !path.exists() {
        let tools = root.join(".tools/bin");
        let path_var = format!("{}:{}", tools.display(), std::env::var("PATH").unwrap_or_default());
        let status = Command::new(tools.join("forge"))
            .arg("build")
            .current_dir(root.join("contracts"))
            .env("PATH", path_var)
            .status()?;
        if !status.success() {
            return Err(format!("forge build failed: {status}").into());
        }
    }
    Ok(path)
}

fn pegd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pegd"))
        .args(["eth"])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("pegd runs")
}

fn json_of(output: &Output) -> TestResult<serde_json::Value> {
    if !output.status.success() {
        return Err(format!(
            "pegd failed: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn stderr_of(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "expected a failure, got {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_key(dir: &Path, name: &str, key: &str) -> TestResult<String> {
    let path = dir.join(name);
    std::fs::write(&path, format!("{key}\n"))?;
    Ok(path.display().to_string())
}

#[tokio::test]
async fn lock_eth_lock_erc20_deploy_token_and_refusals() -> TestResult {
    let Some(anvil_bin) = anvil_binary(&workspace()) else {
        eprintln!("skipped: anvil not installed (scripts/install-tools)");
        return Ok(());
    };
    let bridge_code = foundry_bytecode(&artifact("PegBridge.sol", "PegBridge")?)?;
    let mock_code = foundry_bytecode(&artifact("MockERC20.sol", "MockERC20")?)?;
    let anvil = AnvilProcess::start(&anvil_bin, &[]).await?;
    let rpc = EthRpc::new(anvil.url())?;
    let deployer = Wallet::from_hex(rpc.clone(), DEV_KEYS[0])?;
    let user = Wallet::from_hex(rpc.clone(), DEV_KEYS[1])?;
    let opts = SendOptions::default();

    // PegBridge(bridgeId, guardian, valsetNonce, validators, powers): one validator, all power.
    let validator: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".parse()?;
    let args = (
        B256::repeat_byte(0x11),
        Address::ZERO,
        U256::ZERO,
        vec![validator],
        vec![U256::from(1u64 << 32)],
    )
        .abi_encode_params();
    let mut init = bridge_code.to_vec();
    init.extend_from_slice(&args);
    let bridge =
        deployer.deploy(Bytes::from(init), &opts).await?.contract_address.ok_or("no bridge")?;
    let mut init = mock_code.to_vec();
    init.extend_from_slice(&("Mock".to_owned(), "MCK".to_owned()).abi_encode_params());
    let token =
        deployer.deploy(Bytes::from(init), &opts).await?.contract_address.ok_or("no token")?;
    deployer
        .send_and_wait(
            Some(token),
            U256::ZERO,
            mintCall { to: user.address(), amount: U256::from(1_000_000u64) }.abi_encode().into(),
            &opts,
        )
        .await?;

    let dir = tempfile::tempdir()?;
    let key = write_key(dir.path(), "user.key", DEV_KEYS[1])?;
    let url = anvil.url().to_owned();
    let bridge_s = bridge.to_string();
    let receiver = peg_tx::AccAddress::new([0xab; 20]).to_bech32();
    let common = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        v.extend(
            ["--eth-rpc", &url, "--eth-key", &key, "--bridge", &bridge_s, "--output", "json"]
                .iter()
                .map(|s| s.to_string()),
        );
        v
    };
    let run = |extra: &[&str]| {
        let args = common(extra);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        pegd(&refs)
    };

    // 1. Lock ETH: event nonce 1, ETH is token address(0).
    let out = json_of(&run(&["lock", "--receiver", &receiver, "--amount", "1000"]))?;
    assert_eq!(out["event"], "Locked");
    assert_eq!(out["event_nonce"], "1");
    assert_eq!(out["token"], "0x0000000000000000000000000000000000000000");
    assert_eq!(out["amount"], "1000");
    assert_eq!(out["receiver"], receiver.as_str());
    assert_eq!(out["sender"], format!("{:#x}", user.address()).to_lowercase());
    assert!(out.get("approve_tx_hash").is_none());
    assert_eq!(rpc.balance(bridge, BlockId::Latest).await?, U256::from(1000u64));

    // 2. Lock an ERC-20: the allowance is short, so the command approves first.
    let token_s = format!("{token:#x}");
    let out =
        json_of(&run(&["lock", "--receiver", &receiver, "--amount", "500", "--token", &token_s]))?;
    assert_eq!(out["event_nonce"], "2");
    assert_eq!(out["token"], token_s.to_lowercase());
    assert_eq!(out["amount"], "500");
    assert!(out["approve_tx_hash"].as_str().is_some_and(|h| h.starts_with("0x")));
    let held = rpc
        .call(
            &CallRequest {
                to: Some(token),
                data: balanceOfCall { owner: bridge }.abi_encode().into(),
                ..CallRequest::default()
            },
            BlockId::Latest,
        )
        .await?;
    assert_eq!(U256::from_be_slice(&held), U256::from(500u64));

    // 3. Deploy the CosmosERC20 of upeg.
    let out = json_of(&run(&[
        "deploy-token",
        "--denom",
        "upeg",
        "--name",
        "Peg",
        "--symbol",
        "PEG",
        "--decimals",
        "6",
    ]))?;
    assert_eq!(out["event"], "TokenDeployed");
    assert_eq!(out["event_nonce"], "3");
    assert_eq!(out["denom"], "upeg");
    assert_eq!(out["decimals"], 6);
    let cosmos_token = out["token"].as_str().ok_or("token")?.to_owned();
    assert_ne!(cosmos_token, "0x0000000000000000000000000000000000000000");

    // 4. Refusals, decoded from the contract's custom errors; nothing is sent.
    let err = stderr_of(&run(&["lock", "--receiver", &receiver, "--amount", "0"]));
    assert!(err.contains("ZeroAmount(token: 0x0000000000000000000000000000000000000000)"), "{err}");
    let err =
        stderr_of(&run(&["burn", "--token", &token_s, "--amount", "1", "--receiver", &receiver]));
    assert!(err.contains("NotCosmosToken"), "{err}");
    let err = stderr_of(&run(&[
        "burn",
        "--token",
        &cosmos_token,
        "--amount",
        "5",
        "--receiver",
        &receiver,
    ]));
    assert!(err.contains("ERC20InsufficientBalance"), "{err}");
    // Locking more ERC-20 than the user holds: approval succeeds, the lock is refused.
    let err = stderr_of(&run(&[
        "lock",
        "--receiver",
        &receiver,
        "--amount",
        "999999999",
        "--token",
        &token_s,
    ]));
    assert!(err.contains("ERC20InsufficientBalance"), "{err}");

    // 5. Bad inputs: clear errors before any transaction.
    let err = stderr_of(&run(&["lock", "--receiver", "peg1xyz", "--amount", "1"]));
    assert!(err.contains("--receiver"), "{err}");
    let err = stderr_of(&run(&["lock", "--receiver", &receiver, "--amount", "1.5"]));
    assert!(err.contains("--amount"), "{err}");
    let bad_key = write_key(dir.path(), "bad.key", "0x1234")?;
    let err = stderr_of(&pegd(&[
        "lock",
        "--receiver",
        &receiver,
        "--amount",
        "1",
        "--eth-rpc",
        &url,
        "--eth-key",
        &bad_key,
        "--bridge",
        &bridge_s,
    ]));
    assert!(err.contains("64 hex digits"), "{err}");
    assert!(!err.contains("0x1234"), "the key text must not be echoed: {err}");
    let err = stderr_of(&pegd(&[
        "lock",
        "--receiver",
        &receiver,
        "--amount",
        "1",
        "--eth-rpc",
        "http://127.0.0.1:9",
        "--eth-key",
        &key,
        "--bridge",
        &bridge_s,
    ]));
    assert!(err.contains("cannot reach the Ethereum node"), "{err}");
    let err = stderr_of(&pegd(&[
        "lock",
        "--receiver",
        &receiver,
        "--amount",
        "1",
        "--eth-rpc",
        &url,
        "--eth-key",
        &key,
        "--bridge",
        &format!("{validator:#x}"),
    ]));
    assert!(err.contains("no contract at"), "{err}");

    // 6. Text output names the nonce too.
    let text = run_text(&url, &key, &bridge_s, &receiver);
    assert!(text.contains("event:        Locked (nonce 4)"), "{text}");
    Ok(())
}

fn run_text(url: &str, key: &str, bridge: &str, receiver: &str) -> String {
    let out = pegd(&[
        "lock",
        "--receiver",
        receiver,
        "--amount",
        "7",
        "--eth-rpc",
        url,
        "--eth-key",
        key,
        "--bridge",
        bridge,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
