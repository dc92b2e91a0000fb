//! [`Devnet`]: the whole Ethereum → peg zone system as real processes (specs/devnet.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256};
use peg_eth_rpc::EthRpc;
use pegd::rpc::RpcClient;
use serde_json::{json, Value};

use crate::ports::{free_node_range, free_port};
use crate::process::{run, tail, Service};
use crate::{wait_until, HarnessError, Result};

/// Anvil's well-known first development key (public; it deploys the contracts).
pub const DEPLOYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// The deployer's address.
pub const DEPLOYER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// Anvil's second development key: the user who locks.
pub const USER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
/// The user's address.
pub const USER: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/// The peg zone's chain id.
pub const CHAIN_ID: &str = "peg-e2e-eth";
/// The voucher of ETH.
pub const ETH_VOUCHER: &str = "eth/0x0000000000000000000000000000000000000000";
/// Test ERC-20 minted to the user at start (base units).
pub const USER_TOKENS: u128 = 1_000_000_000_000_000_000_000_000;

/// What to start.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Peg zone validators.
    pub validators: usize,
    /// Beacon slot time.
    pub seconds_per_slot: u64,
    /// Finality lag of the simulator, in epochs.
    pub finality_lag_epochs: u64,
    /// Electra activation epoch (none: Deneb throughout).
    pub electra_epoch: Option<u64>,
    /// Extra funded peg accounts (`account0` …), relayers and receivers use them.
    pub accounts: usize,
    /// CometBFT block interval.
    pub timeout_commit: String,
    /// `pegd testnet --batch-timeout-secs` (the bridge's batch timeout); `None`: the default.
    pub batch_timeout_secs: Option<u64>,
    /// Extra genesis balances `(account index, denom, amount)` of the funded accounts: native
    /// coins other than `upeg` (e.g. one to register with `MsgRegisterDenom`).
    pub genesis_coins: Vec<(usize, String, u128)>,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            validators: 4,
            seconds_per_slot: 1,
            finality_lag_epochs: 1,
            electra_epoch: None,
            accounts: 4,
            timeout_commit: "300ms".into(),
            batch_timeout_secs: None,
            genesis_coins: Vec::new(),
        }
    }
}

/// The result of `pegd eth lock`.
#[derive(Debug, Clone)]
pub struct LockReceipt {
    /// The Ethereum transaction.
    pub tx_hash: String,
    /// Its block.
    pub block_number: u64,
    /// The bridge event nonce it emitted.
    pub event_nonce: u64,
    /// Wall time of the command (send → receipt).
    pub elapsed: Duration,
    /// The command's JSON output.
    pub raw: Value,
}

/// The running system. Dropping it kills every process; if [`Devnet::finish`] was not called
/// (a failed test), the run directory is kept and every log's tail printed.
#[derive(Debug)]
pub struct Devnet {
    /// The configuration.
    pub config: DevnetConfig,
    dir: Option<tempfile::TempDir>,
    root: PathBuf,
    bins: PathBuf,
    tools: PathBuf,
    runtime: tokio::runtime::Runtime,
    eth: EthRpc,
    /// Ports.
    pub anvil_port: u16,
    /// Beacon API port.
    pub beacon_port: u16,
    base_port: u16,
    /// The bridge.
    pub bridge: Address,
    /// The bridge id.
    pub bridge_id: B256,
    /// The test ERC-20.
    pub token: Address,
    services: BTreeMap<String, Service>,
    finished: bool,
    /// When `start` began.
    pub started_at: Instant,
    /// `start`'s duration.
    pub startup: Duration,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The directory holding the workspace binaries: the test executable's profile directory.
fn binaries_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PEG_E2E_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let exe = std::env::current_exe()?;
    // target/<profile>/deps/<test>-<hash>
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| HarnessError::Unexpected(format!("no profile dir above {}", exe.display())))
}

fn setup(what: impl Into<String>, reason: impl ToString) -> HarnessError {
    HarnessError::Setup { what: what.into(), reason: reason.to_string() }
}

impl Devnet {
    /// Starts everything but the relayers (see [`Devnet::start_relayer`]).
    pub fn start(config: DevnetConfig) -> Result<Self> {
        let started_at = Instant::now();
        let root = repo_root();
        let bins = binaries_dir()?;
        for bin in ["pegd", "beacon-sim", "peg-relayer"] {
            if !bins.join(bin).is_file() {
                return Err(setup(
                    format!("finding {bin} in {}", bins.display()),
                    "missing: run `cargo build -p pegd -p beacon-sim -p peg-relayer` first \
                     (or set PEG_E2E_BIN_DIR)",
                ));
            }
        }
        let tools = PathBuf::from(
            run(Command::new(root.join("scripts/install-tools")))?
                .lines()
                .last()
                .unwrap_or("")
                .trim(),
        );
        let cometbft = PathBuf::from(
            run(Command::new(root.join("scripts/install-cometbft")))?
                .lines()
                .last()
                .unwrap_or("")
                .trim(),
        );
        let dir = tempfile::Builder::new().prefix("peg-e2e-").tempdir()?;
        for sub in ["logs", "eth"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let anvil_port = free_port()?;
        let beacon_port = free_port()?;
        let base_port = free_node_range(config.validators)?;
        let eth = EthRpc::new(&format!("http://127.0.0.1:{anvil_port}"))?;
        let bridge_id = bridge_id(CHAIN_ID);
        let mut net = Self {
            config,
            root: dir.path().to_path_buf(),
            dir: Some(dir),
            bins,
            tools,
            runtime,
            eth,
            anvil_port,
            beacon_port,
            base_port,
            bridge: Address::ZERO,
            bridge_id,
            token: Address::ZERO,
            services: BTreeMap::new(),
            finished: false,
            started_at,
            startup: Duration::ZERO,
        };
        net.write_key_files()?;
        // Compile first (solc-js is slow on a cold cache): slots tick from the simulator's
        // start, and the genesis checkpoint must come before the configured Electra epoch.
        run(net.forge(&["build"]))?;
        net.start_ethereum()?;
        net.create_testnet(&cometbft)?;
        net.deploy_contracts()?;
        net.write_eth_genesis()?;
        for node in 0..net.config.validators {
            net.start_node(node)?;
        }
        for node in 0..net.config.validators {
            net.wait_for_height(node, 2, Duration::from_secs(90))?;
        }
        net.wait_until("the peg zone's Ethereum light client", Duration::from_secs(30), || {
            Ok(net.eth_client().ok().filter(|c| c["enabled"] == true))
        })?;
        net.startup = started_at.elapsed();
        eprintln!(
            "devnet up in {:.1} s: bridge {}, token {}, dir {}",
            net.startup.as_secs_f64(),
            net.bridge,
            net.token,
            net.root.display()
        );
        Ok(net)
    }

    /// Marks the test as passed: the run directory is removed on drop.
    pub fn finish(mut self) {
        self.finished = true;
    }

    /// The run directory.
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The Ethereum JSON-RPC client (anvil).
    pub fn eth(&self) -> &EthRpc {
        &self.eth
    }

    /// Runs a future of the async libraries (peg-eth-rpc, peg-relayer) to completion.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// anvil's URL.
    pub fn anvil_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.anvil_port)
    }

    /// The beacon API's URL.
    pub fn beacon_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.beacon_port)
    }

    /// CometBFT RPC port of `node`.
    pub fn rpc_port(&self, node: usize) -> u16 {
        self.base_port + 10 * u16::try_from(node).unwrap_or(0) + 1
    }

    /// CometBFT RPC client of `node`.
    pub fn rpc(&self, node: usize) -> RpcClient {
        RpcClient::new(&format!("127.0.0.1:{}", self.rpc_port(node)))
    }

    /// The home of `node`.
    pub fn home(&self, node: usize) -> PathBuf {
        self.root.join(format!("net/node{node}"))
    }

    /// The key file of the funded account `account<i>`.
    pub fn account_key_file(&self, i: usize) -> PathBuf {
        self.root.join(format!("net/keys/account{i}.json"))
    }

    /// The `peg1…` address of `account<i>`.
    pub fn account_address(&self, i: usize) -> Result<String> {
        let out = run(self.pegd([
            "keys",
            "--home",
            &self.root.join("net").display().to_string(),
            "show",
            &format!("account{i}"),
            "--output",
            "json",
        ]))?;
        let key: Value = serde_json::from_str(&out)
            .map_err(|e| HarnessError::Unexpected(format!("pegd keys show: {e}")))?;
        key["address"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| HarnessError::Unexpected(format!("no address in {key}")))
    }

    /// The user's Ethereum key file.
    pub fn user_key_file(&self) -> PathBuf {
        self.root.join("eth/user.key")
    }

    /// A `pegd` command.
    pub fn pegd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(self.bins.join("pegd"));
        command.args(args);
        command
    }

    /// Every service must still run.
    pub fn check_services(&mut self) -> Result<()> {
        for service in self.services.values_mut() {
            service.check_running()?;
        }
        Ok(())
    }

    /// [`wait_until`] that also fails as soon as a service dies.
    pub fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut() -> Result<Option<T>>,
    ) -> Result<T> {
        let services: Vec<(String, Option<u32>)> =
            self.services.values().map(|s| (s.name().to_owned(), s.pid())).collect();
        wait_until(what, timeout, Duration::from_millis(250), || {
            for (name, pid) in &services {
                if let Some(pid) = pid {
                    if !alive(*pid) {
                        return Err(HarnessError::Exited {
                            name: name.clone(),
                            status: "no longer running".into(),
                        });
                    }
                }
            }
            probe()
        })
    }

    fn spawn(&mut self, name: &str, command: Command) -> Result<()> {
        let service = Service::spawn(name, command, &self.root.join("logs"))?;
        self.services.insert(name.to_owned(), service);
        Ok(())
    }

    fn write_key_files(&self) -> Result<()> {
        for (name, key) in [("deployer.key", DEPLOYER_KEY), ("user.key", USER_KEY)] {
            let path = self.root.join("eth").join(name);
            std::fs::write(&path, format!("{key}\n"))?;
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }

    fn start_ethereum(&mut self) -> Result<()> {
        let mut anvil = Command::new(self.tools.join("anvil"));
        anvil.args(["--host", "127.0.0.1", "--port", &self.anvil_port.to_string()]).args([
            "--no-mining",
            "--hardfork",
            "prague",
            "--chain-id",
            "31337",
        ]);
        self.spawn("anvil", anvil)?;
        self.wait_until("anvil", Duration::from_secs(30), || {
            Ok(self.block_on(self.eth.chain_id()).ok())
        })?;
        self.start_beacon_sim()
    }

    /// (Re)starts the beacon simulator.
    pub fn start_beacon_sim(&mut self) -> Result<()> {
        let mut sim = Command::new(self.bins.join("beacon-sim"));
        sim.args(["--anvil", &self.anvil_url()])
            .args(["--listen", &format!("127.0.0.1:{}", self.beacon_port)])
            .args(["--seconds-per-slot", &self.config.seconds_per_slot.to_string()])
            .args(["--finality-lag-epochs", &self.config.finality_lag_epochs.to_string()])
            .env("RUST_LOG", "info");
        if let Some(epoch) = self.config.electra_epoch {
            sim.args(["--electra-epoch", &epoch.to_string()]);
        }
        self.spawn("beacon-sim", sim)?;
        let url = format!("{}/eth/v1/beacon/genesis", self.beacon_url());
        self.wait_until("the beacon API", Duration::from_secs(60), || Ok(http_get(&url).ok()))?;
        Ok(())
    }

    fn create_testnet(&mut self, cometbft: &Path) -> Result<()> {
        let out = self.root.join("net");
        let mut testnet = self.pegd(["testnet"]);
        testnet
            .args(["--validators", &self.config.validators.to_string()])
            .args(["--accounts", &self.config.accounts.to_string()])
            .args(["--chain-id", CHAIN_ID])
            .args(["--base-port", &self.base_port.to_string()])
            .args(["--timeout-commit", &self.config.timeout_commit])
            .arg("--cometbft")
            .arg(cometbft)
            .arg("--output")
            .arg(&out)
            .args(["--output-format", "json"]);
        if let Some(secs) = self.config.batch_timeout_secs {
            testnet.args(["--batch-timeout-secs", &secs.to_string()]);
        }
        run(testnet)?;
        if !out.join("valset.json").is_file() {
            return Err(setup("pegd testnet", "wrote no valset.json"));
        }
        self.add_genesis_coins()
    }

    /// Adds [`DevnetConfig::genesis_coins`] to the accounts of every node's genesis (the same
    /// edit of the same file, so the genesis documents stay identical).
    fn add_genesis_coins(&self) -> Result<()> {
        if self.config.genesis_coins.is_empty() {
            return Ok(());
        }
        let mut grants = Vec::new();
        for (account, denom, amount) in &self.config.genesis_coins {
            grants.push((self.account_address(*account)?, denom.clone(), *amount));
        }
        for node in 0..self.config.validators {
            let home = self.home(node);
            let config = pegd::node::PegdConfig::load(&home)
                .map_err(|e| setup(format!("reading {}/pegd.json", home.display()), e))?;
            let path = home.join(&config.cometbft_home).join("config/genesis.json");
            let text = std::fs::read_to_string(&path)?;
            let mut genesis: Value = serde_json::from_str(&text)
                .map_err(|e| setup(format!("reading {}", path.display()), e))?;
            let accounts = genesis
                .pointer_mut("/app_state/accounts")
                .and_then(Value::as_array_mut)
                .ok_or_else(|| setup(format!("{}", path.display()), "no app_state.accounts"))?;
            for (address, denom, amount) in &grants {
                let account = accounts
                    .iter_mut()
                    .find(|a| a["address"] == address.as_str())
                    .ok_or_else(|| setup("genesis coins", format!("no account {address}")))?;
                let balances = account["balances"]
                    .as_array_mut()
                    .ok_or_else(|| setup("genesis coins", format!("{address}: no balances")))?;
                balances.push(json!({"denom": denom, "amount": amount.to_string()}));
                balances.sort_by(|a, b| {
                    a["denom"].as_str().unwrap_or("").cmp(b["denom"].as_str().unwrap_or(""))
                });
            }
            let text =
                serde_json::to_string_pretty(&genesis).map_err(|e| setup("writing genesis", e))?;
            std::fs::write(&path, text)?;
        }
        Ok(())
    }

    fn forge(&self, args: &[&str]) -> Command {
        let mut command = Command::new(self.tools.join("forge"));
        command.current_dir(repo_root().join("contracts")).args(args);
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.tools.clone()];
        paths.extend(std::env::split_paths(&path));
        if let Ok(joined) = std::env::join_paths(paths) {
            command.env("PATH", joined);
        }
        command
    }

    /// Deploys a PegBridge with the testnet's valset; returns its address.
    pub fn deploy_bridge(&self) -> Result<Address> {
        let text = std::fs::read_to_string(self.root.join("net/valset.json"))?;
        let valset: Value = serde_json::from_str(&text)
            .map_err(|e| HarnessError::Unexpected(format!("valset.json: {e}")))?;
        let list = |key: &str| -> Result<String> {
            let items = valset[key]
                .as_array()
                .ok_or_else(|| HarnessError::Unexpected(format!("valset.json: no {key}")))?;
            Ok(items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
                .collect::<Vec<_>>()
                .join(","))
        };
        let rpc = self.anvil_url();
        let mut forge = self.forge(&[
            "script",
            "script/Deploy.s.sol:Deploy",
            "--rpc-url",
            &rpc,
            "--broadcast",
            "--private-key",
            DEPLOYER_KEY,
            "--json",
            "--timeout",
            "120",
        ]);
        // forge may only read files under contracts/: the valset goes in as lists.
        forge
            .env("PEG_BRIDGE_ID", self.bridge_id.to_string())
            .env("PEG_GUARDIAN", USER)
            .env("PEG_VALSET_NONCE", valset["nonce"].to_string())
            .env("PEG_VALIDATORS", list("validators")?)
            .env("PEG_POWERS", list("powers")?);
        let out = run(forge)?;
        std::fs::write(self.root.join("logs/deploy-bridge.log"), &out)?;
        find_address_after(&out, "\"bridge\"")
            .ok_or_else(|| HarnessError::Unexpected(format!("no bridge address in: {out}")))
    }

    fn deploy_contracts(&mut self) -> Result<()> {
        self.bridge = self.deploy_bridge()?;
        let rpc = self.anvil_url();
        let out = run(self.forge(&[
            "create",
            "test/mocks/MockERC20.sol:MockERC20",
            "--rpc-url",
            &rpc,
            "--private-key",
            DEPLOYER_KEY,
            "--broadcast",
            "--json",
            "--timeout",
            "120",
            "--constructor-args",
            "E2E Token",
            "E2E",
        ]))?;
        self.token = find_address_after(&out, "\"deployedTo\"")
            .ok_or_else(|| HarnessError::Unexpected(format!("no token address in: {out}")))?;
        // mint(address,uint256) from anvil's unlocked deployer.
        let user: Address =
            USER.parse().map_err(|e| HarnessError::Unexpected(format!("USER: {e}")))?;
        let data = format!("0x40c10f19{:0>64}{:064x}", hex_lower(user.as_slice()), USER_TOKENS);
        let hash: B256 = self.block_on(self.eth.request(
            "eth_sendTransaction",
            json!([{"from": DEPLOYER, "to": self.token, "data": data}]),
        ))?;
        let receipt = self.block_on(self.eth.wait_for_receipt(
            hash,
            Duration::from_secs(60),
            Duration::from_millis(200),
        ))?;
        if !receipt.succeeded() {
            return Err(HarnessError::Unexpected(format!("mint {hash} reverted")));
        }
        Ok(())
    }

    fn write_eth_genesis(&mut self) -> Result<()> {
        let file = self.root.join("eth/genesis-eth.json");
        let beacon = self.beacon_url();
        let bridge = self.bridge.to_string();
        let bridge_id = self.bridge_id.to_string();
        let anvil = self.anvil_url();
        let file_arg = file.display().to_string();
        let mut last = String::new();
        self.wait_until(
            "pegd eth genesis (a finalized checkpoint)",
            Duration::from_secs(120),
            || {
                let result = run(self.pegd([
                    "eth",
                    "genesis",
                    "--beacon-api",
                    &beacon,
                    "--block-root",
                    "finalized",
                    "--bridge",
                    &bridge,
                    "--bridge-id",
                    &bridge_id,
                    "--next-event-nonce",
                    "1",
                    "--eth-rpc",
                    &anvil,
                    "--out",
                    &file_arg,
                ]));
                match result {
                    Ok(summary) => Ok(Some(summary)),
                    Err(e) => {
                        last = e.to_string();
                        Err(e)
                    }
                }
            },
        )
        .map_err(|e| setup("pegd eth genesis", format!("{e}; last: {last}")))?;
        for node in 0..self.config.validators {
            run(self.pegd([
                "genesis",
                "set-eth",
                "--home",
                &self.home(node).display().to_string(),
                "--file",
                &file_arg,
            ]))?;
        }
        Ok(())
    }

    /// Starts (or restarts) `pegd start` of `node`.
    pub fn start_node(&mut self, node: usize) -> Result<()> {
        let mut start = self.pegd(["start", "--home", &self.home(node).display().to_string()]);
        start.env("RUST_LOG", "info");
        self.spawn(&format!("node{node}"), start)
    }

    /// Waits until `node` reports at least height `h`.
    pub fn wait_for_height(&self, node: usize, h: u64, timeout: Duration) -> Result<u64> {
        self.wait_until(&format!("node{node} at height {h}"), timeout, || {
            let height = self.height(node)?;
            Ok((height >= h).then_some(height))
        })
    }

    /// `node`'s latest height.
    pub fn height(&self, node: usize) -> Result<u64> {
        let status = self.rpc(node).status()?;
        status["sync_info"]["latest_block_height"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .ok_or_else(|| HarnessError::Unexpected(format!("no height in {status}")))
    }

    /// Writes a relayer config and starts `peg-relayer run` as service `name`, signing with
    /// `account<account>`.
    pub fn start_relayer(&mut self, name: &str, account: usize) -> Result<u16> {
        self.start_relayer_with(name, account, "")
    }

    /// [`Devnet::start_relayer`] with `extra` TOML lines appended to the relayer's config (e.g.
    /// a smaller `max_tx_bytes`).
    pub fn start_relayer_with(&mut self, name: &str, account: usize, extra: &str) -> Result<u16> {
        self.spawn_relayer(name, account, extra, None)
    }

    /// Starts a relayer that also relays outbound (`[outbound]` enabled): valsets and batches to
    /// the PegBridge, paying gas from (and receiving fees at) `outbound`'s Ethereum key.
    pub fn start_outbound_relayer(
        &mut self,
        name: &str,
        account: usize,
        outbound: &crate::bridge::Outbound,
    ) -> Result<u16> {
        self.spawn_relayer(name, account, "", Some(outbound))
    }

    fn spawn_relayer(
        &mut self,
        name: &str,
        account: usize,
        extra: &str,
        outbound: Option<&crate::bridge::Outbound>,
    ) -> Result<u16> {
        let metrics = free_port()?;
        let config = self.root.join(format!("{name}.toml"));
        let mut text = format!(
            "cometbft_rpc = \"http://127.0.0.1:{rpc}\"\neth_rpc = \"{eth}\"\n\
             beacon_api = \"{beacon}\"\nchain_id = \"{CHAIN_ID}\"\nkey_file = \"{key}\"\n\
             poll_interval_ms = 500\nmetrics_listen = \"127.0.0.1:{metrics}\"\n{extra}",
            rpc = self.rpc_port(0),
            eth = self.anvil_url(),
            beacon = self.beacon_url(),
            key = self.account_key_file(account).display(),
        );
        if let Some(outbound) = outbound {
            let key_file = self.root.join(format!("eth/{name}.key"));
            std::fs::write(&key_file, format!("{}\n", outbound.eth_key))?;
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600))?;
            text.push_str(&outbound.toml(&key_file));
        }
        std::fs::write(&config, text)?;
        let mut relayer = Command::new(self.bins.join("peg-relayer"));
        relayer.arg("run").arg("--config").arg(&config).env("RUST_LOG", "info");
        self.spawn(name, relayer)?;
        let url = format!("http://127.0.0.1:{metrics}/metrics");
        self.wait_until(&format!("{name} metrics"), Duration::from_secs(30), || {
            Ok(http_get(&url).ok())
        })?;
        Ok(metrics)
    }

    /// The value of one series (`name{labels}` exactly as rendered) of the Prometheus endpoint
    /// on `port` (a relayer's metrics); 0 when absent.
    pub fn metric(&self, port: u16, series: &str) -> Result<f64> {
        let text = http_get(&format!("http://127.0.0.1:{port}/metrics"))?;
        Ok(text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .find_map(|l| {
                let (name, value) = l.rsplit_once(' ')?;
                (name == series).then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0.0))
    }

    /// Whether service `name` is running (started and not yet stopped or killed).
    pub fn has_service(&self, name: &str) -> bool {
        self.services.contains_key(name)
    }

    /// SIGKILLs service `name` (a crash) and forgets it.
    pub fn kill(&mut self, name: &str) -> Result<()> {
        let mut service = self
            .services
            .remove(name)
            .ok_or_else(|| HarnessError::Unexpected(format!("no service {name}")))?;
        service.kill();
        Ok(())
    }

    /// SIGTERMs service `name` and waits for it (up to 15 s, then SIGKILL).
    pub fn stop(&mut self, name: &str) -> Result<()> {
        let mut service = self
            .services
            .remove(name)
            .ok_or_else(|| HarnessError::Unexpected(format!("no service {name}")))?;
        service.terminate(Duration::from_secs(15))?;
        Ok(())
    }

    /// The JSON answer of an ABCI query on node 0.
    pub fn query(&self, path: &str) -> Result<Value> {
        let answer = self.rpc(0).abci_query(path)?;
        serde_json::from_slice(&answer.value)
            .map_err(|e| HarnessError::Unexpected(format!("query {path}: not JSON: {e}")))
    }

    /// `/eth/client` on node 0.
    pub fn eth_client(&self) -> Result<Value> {
        self.query("/eth/client")
    }

    /// The amount of `denom` held by `address` (0 when absent), on `node`.
    pub fn balance_on(&self, node: usize, address: &str, denom: &str) -> Result<u128> {
        let answer = self.rpc(node).abci_query(&format!("/balances/{address}"))?;
        let value: Value = serde_json::from_slice(&answer.value)
            .map_err(|e| HarnessError::Unexpected(format!("balances: {e}")))?;
        let coins = value.get("balances").unwrap_or(&value);
        let coins = coins
            .as_array()
            .ok_or_else(|| HarnessError::Unexpected(format!("balances: not a list: {value}")))?;
        for coin in coins {
            if coin["denom"] == denom {
                let amount = match &coin["amount"] {
                    Value::String(s) => s.parse().ok(),
                    Value::Number(n) => n.as_u64().map(u128::from),
                    _ => None,
                };
                return amount
                    .ok_or_else(|| HarnessError::Unexpected(format!("bad amount in {coin}")));
            }
        }
        Ok(0)
    }

    /// [`Devnet::balance_on`] node 0.
    pub fn balance(&self, address: &str, denom: &str) -> Result<u128> {
        self.balance_on(0, address, denom)
    }

    /// The voucher denom of an Ethereum token.
    pub fn voucher(token: Address) -> String {
        format!("eth/0x{}", hex_lower(token.as_slice()))
    }

    /// `pegd eth lock` from the user: ETH (`token` None) or an ERC-20.
    pub fn lock(
        &self,
        receiver: &str,
        amount: u128,
        token: Option<Address>,
    ) -> Result<LockReceipt> {
        let mut command = self.pegd(["eth", "lock"]);
        command
            .args(["--eth-rpc", &self.anvil_url()])
            .arg("--eth-key")
            .arg(self.user_key_file())
            .args(["--bridge", &self.bridge.to_string()])
            .args(["--receiver", receiver])
            .args(["--amount", &amount.to_string()])
            .args(["--output", "json"]);
        if let Some(token) = token {
            command.args(["--token", &token.to_string()]);
        }
        let started = Instant::now();
        let out = run(command)?;
        let elapsed = started.elapsed();
        let raw: Value = serde_json::from_str(out.trim())
            .map_err(|e| HarnessError::Unexpected(format!("pegd eth lock output {out:?}: {e}")))?;
        let number = |keys: &[&str]| -> Option<u64> {
            keys.iter().find_map(|k| match &raw[*k] {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            })
        };
        let tx_hash = ["tx_hash", "transaction_hash", "hash"]
            .iter()
            .find_map(|k| raw[*k].as_str())
            .unwrap_or_default()
            .to_owned();
        Ok(LockReceipt {
            block_number: number(&["block_number", "blockNumber"])
                .ok_or_else(|| HarnessError::Unexpected(format!("no block number in {raw}")))?,
            event_nonce: number(&["event_nonce", "eventNonce", "nonce"])
                .ok_or_else(|| HarnessError::Unexpected(format!("no event nonce in {raw}")))?,
            tx_hash,
            elapsed,
            raw,
        })
    }

    /// Waits until the light client's trusted ring covers execution block `number`.
    pub fn wait_covered(&self, number: u64, timeout: Duration) -> Result<Value> {
        self.wait_until(&format!("the trusted ring to cover block {number}"), timeout, || {
            let client = self.eth_client()?;
            Ok((trusted_newest(&client) >= number).then_some(client))
        })
    }

    /// Waits until `address` holds exactly `amount` of `denom` on every node.
    pub fn wait_balance(
        &self,
        address: &str,
        denom: &str,
        amount: u128,
        timeout: Duration,
    ) -> Result<()> {
        for node in 0..self.config.validators {
            self.wait_until(
                &format!("node{node}: {address} holding {amount} {denom}"),
                timeout,
                || {
                    let got = self.balance_on(node, address, denom)?;
                    if got > amount {
                        return Err(HarnessError::Fatal(format!(
                            "{address} holds {got} {denom}, more than the {amount} expected"
                        )));
                    }
                    Ok((got == amount).then_some(()))
                },
            )?;
        }
        Ok(())
    }

    /// Sends a raw JSON-RPC request to anvil (`anvil_reorg`, `anvil_rollback`, `evm_mine`, …).
    pub fn anvil(&self, method: &str, params: Value) -> Result<Value> {
        Ok(self.block_on(self.eth.request_value(method, params))?)
    }

    fn print_logs(&self) {
        eprintln!("---- e2e failed; run directory kept: {}", self.root.display());
        for service in self.services.values() {
            eprintln!("---- last lines of {} ({})", service.name(), service.log().display());
            eprintln!("{}", service.log_tail(40));
        }
        let logs = self.root.join("logs");
        if let Ok(entries) = std::fs::read_dir(&logs) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let name = name.trim_end_matches(".log");
                if !self.services.contains_key(name) {
                    eprintln!("---- last lines of {}", entry.path().display());
                    eprintln!("{}", tail(&entry.path(), 20));
                }
            }
        }
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if !self.finished {
            self.print_logs();
        }
        // Newest first: relayers, nodes, then the simulator and anvil.
        let mut services: Vec<Service> = std::mem::take(&mut self.services).into_values().collect();
        services.sort_by_key(|s| match s.name() {
            "anvil" => 3,
            "beacon-sim" => 2,
            n if n.starts_with("node") => 1,
            _ => 0,
        });
        for mut service in services {
            service.kill();
        }
        if !self.finished {
            if let Some(dir) = self.dir.take() {
                let _ = dir.keep();
            }
        }
    }
}

/// The newest block number of the trusted ring in an `/eth/client` answer (0 when empty); the
/// entry may be a number, a decimal string or a `{"number", …}` object.
pub fn trusted_newest(client: &Value) -> u64 {
    let newest = &client["trusted"]["newest"];
    let value = if newest.is_object() { &newest["number"] } else { newest };
    match value {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// A process is alive (and not a zombie).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map(|s| !s.lines().any(|l| l.starts_with("State:") && l.contains('Z')))
        .unwrap_or(false)
}

/// A minimal blocking HTTP GET over loopback (HTTP/1.0): the body of a 2xx answer.
pub fn http_get(url: &str) -> Result<String> {
    use std::io::{Read as _, Write as _};
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| HarnessError::Unexpected(format!("not an http URL: {url}")))?;
    let (host, path) =
        rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
    let mut raw = Vec::new();
    stream.take(32 * 1024 * 1024).read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| HarnessError::Unexpected(format!("GET {url}: no HTTP header end")))?;
    let ok = head.split_whitespace().nth(1).is_some_and(|code| code.starts_with('2'));
    if !ok {
        return Err(HarnessError::Unexpected(format!(
            "GET {url}: {}",
            head.lines().next().unwrap_or_default()
        )));
    }
    Ok(body.to_owned())
}

/// A minimal blocking HTTP POST of a JSON body over loopback (HTTP/1.0): the body of a 2xx answer.
pub fn http_post_json(url: &str, body: &Value) -> Result<String> {
    use std::io::{Read as _, Write as _};
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| HarnessError::Unexpected(format!("not an http URL: {url}")))?;
    let (host, path) =
        rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let body = body.to_string();
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.take(1024 * 1024).read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, answer) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| HarnessError::Unexpected(format!("POST {url}: no HTTP header end")))?;
    if !head.split_whitespace().nth(1).is_some_and(|code| code.starts_with('2')) {
        return Err(HarnessError::Unexpected(format!("POST {url}: {head}: {answer}")));
    }
    Ok(answer.to_owned())
}

/// The bridge id of a chain: its id's bytes, right-padded to 32 (as `scripts/devnet`).
pub fn bridge_id(chain_id: &str) -> B256 {
    let mut bytes = [0u8; 32];
    for (slot, byte) in bytes.iter_mut().zip(chain_id.bytes()) {
        *slot = byte;
    }
    B256::from(bytes)
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first `0x` + 40 hex digits after `key` in `text` (forge's JSON output).
fn find_address_after(text: &str, key: &str) -> Option<Address> {
    let start = text.find(key)? + key.len();
    let rest = &text[start..];
    let at = rest.find("0x")?;
    rest.get(at..at + 42)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forge_outputs_yield_addresses() {
        let script = r#"{"logs":[],"returns":{"bridge":{"internal_type":"contract PegBridge","value":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}}}"#;
        assert_eq!(
            find_address_after(script, "\"bridge\"").map(|a| a.to_string()),
            Some("0x5FbDB2315678afecb367f032d93F642f64180aa3".to_owned())
        );
        let create = r#"{"deployer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","deployedTo":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512","transactionHash":"0x1"}"#;
        assert_eq!(
            find_address_after(create, "\"deployedTo\"").map(|a| a.to_string()),
            Some("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512".to_owned())
        );
        assert_eq!(find_address_after("{}", "\"bridge\""), None);
    }

    #[test]
    fn bridge_id_is_the_padded_chain_id() {
        let id = bridge_id("peg-devnet-1");
        assert_eq!(
            id.to_string(),
            "0x7065672d6465766e65742d310000000000000000000000000000000000000000"
        );
    }
}
