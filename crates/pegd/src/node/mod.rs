//! Node homes: `pegd init` and `pegd testnet`.
//!
//! A node home holds:
//!
//! - `pegd.json`: the node's own configuration ([`PegdConfig`]);
//! - `cometbft/`: CometBFT's home (`config/config.toml`, `config/genesis.json`, keys, data), as
//!   `cometbft init` lays it out, edited for the peg zone;
//! - `data/`: the application state (`peg-app.redb`, see `peg_app::App::store_path`);
//! - `keys/`: the account key ring ([`crate::keys::Keyring`]), with the operator key `validator`.

pub mod abci;
pub mod cometbft;
mod error;
pub mod genesis;
pub mod supervisor;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::NodeError;

use crate::keys::{generate_signing_key, Keyring};
use cometbft::{TomlEdit, ValidatorKey};
use genesis::CometValidator;
use peg_app::{Genesis, GenesisAccount, GenesisValidator};

/// The name of the node configuration file in a home.
pub const CONFIG_FILE: &str = "pegd.json";
/// The CometBFT home inside a node home.
pub const COMETBFT_DIR: &str = "cometbft";
/// The operator key created in every node home.
pub const VALIDATOR_KEY_NAME: &str = "validator";

/// `<home>/pegd.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PegdConfig {
    /// The chain id.
    pub chain_id: String,
    /// The node's name.
    pub moniker: String,
    /// Where the ABCI server listens (`host:port`); CometBFT's `proxy_app` is `tcp://` this.
    pub abci_listen: String,
    /// CometBFT's RPC address (`host:port`), for `pegd tx` / `pegd query`.
    pub rpc_listen: String,
    /// CometBFT's P2P address (`host:port`).
    pub p2p_listen: String,
    /// The CometBFT binary `pegd start` runs.
    pub cometbft_binary: PathBuf,
    /// CometBFT's home, relative to the node home.
    pub cometbft_home: PathBuf,
}

impl PegdConfig {
    /// Reads `<home>/pegd.json`.
    pub fn load(home: &Path) -> Result<Self, NodeError> {
        let path = home.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(NodeError::io("read", &path))?;
        serde_json::from_str(&text).map_err(|e| NodeError::Json { path, reason: e.to_string() })
    }

    /// Writes `<home>/pegd.json`.
    pub fn store(&self, home: &Path) -> Result<(), NodeError> {
        let path = home.join(CONFIG_FILE);
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| NodeError::Json { path: path.clone(), reason: e.to_string() })?;
        std::fs::write(&path, text + "\n").map_err(NodeError::io("write", &path))
    }
}

/// Loopback ports of one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePorts {
    /// CometBFT P2P.
    pub p2p: u16,
    /// CometBFT RPC.
    pub rpc: u16,
    /// The ABCI server.
    pub abci: u16,
}

impl NodePorts {
    /// CometBFT's defaults.
    pub const DEFAULT: Self = Self { p2p: 26656, rpc: 26657, abci: 26658 };

    /// The ports of node `index` of a test network: `base + 10 * index + {0, 1, 2}`.
    pub fn for_testnet(base: u16, index: usize) -> Result<Self, NodeError> {
        let start = u32::from(base) + 10 * u32::try_from(index).unwrap_or(u32::MAX / 20);
        let port = |offset: u32| {
            u16::try_from(start.saturating_add(offset)).map_err(|_| NodeError::InvalidArgument {
                name: "--base-port",
                reason: format!(
                    "node {index} would need port {} > 65535",
                    start.saturating_add(offset)
                ),
            })
        };
        Ok(Self { p2p: port(0)?, rpc: port(1)?, abci: port(2)? })
    }
}

/// What `pegd init` needs.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The node home to create.
    pub home: PathBuf,
    /// The chain id.
    pub chain_id: String,
    /// The node's name.
    pub moniker: String,
    /// The CometBFT binary.
    pub cometbft_binary: PathBuf,
    /// Ports.
    pub ports: NodePorts,
    /// Host to listen on.
    pub host: String,
    /// The block interval (`timeout_commit`), e.g. "1s".
    pub timeout_commit: Option<String>,
    /// Spendable balance of the operator account at genesis, in the native denom.
    pub operator_balance: u128,
    /// The validator's CometBFT power at genesis.
    pub power: u64,
    /// `consensus_params.abci.vote_extensions_enable_height`.
    pub vote_extensions_enable_height: u64,
}

/// What `init_home` produced: the node's identity, used by `pegd testnet` to wire a network.
#[derive(Debug, Clone)]
pub struct InitializedNode {
    /// The node home.
    pub home: PathBuf,
    /// The configuration written.
    pub config: PegdConfig,
    /// The P2P node id.
    pub node_id: String,
    /// Its consensus key.
    pub validator_key: ValidatorKey,
    /// Its CometBFT voting power at genesis.
    pub power: u64,
    /// The genesis entry of its validator.
    pub genesis_validator: GenesisValidator,
    /// The genesis account of its operator.
    pub genesis_account: GenesisAccount,
}

fn check_timeout(timeout: &str) -> Result<(), NodeError> {
    let digits = timeout.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &timeout[digits.len()..];
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(unit, "ms" | "s" | "m");
    if ok {
        Ok(())
    } else {
        Err(NodeError::InvalidArgument {
            name: "--timeout-commit",
            reason: format!("{timeout:?}: expected a Go duration such as 500ms or 1s"),
        })
    }
}

/// `pegd init`: lays out a one-validator node home, whose genesis is ready to start.
pub fn init_home(options: &InitOptions) -> Result<InitializedNode, NodeError> {
    let cometbft_home = options.home.join(COMETBFT_DIR);
    for existing in [options.home.join(CONFIG_FILE), cometbft_home.clone()] {
        if existing.exists() {
            return Err(NodeError::HomeExists { path: existing });
        }
    }
    if let Some(timeout) = &options.timeout_commit {
        check_timeout(timeout)?;
    }
    if options.power == 0 {
        return Err(NodeError::InvalidArgument {
            name: "--power",
            reason: "must be positive".to_owned(),
        });
    }
    std::fs::create_dir_all(&options.home)
        .map_err(NodeError::io("create directory", &options.home))?;
    let home = options.home.canonicalize().map_err(NodeError::io("resolve", &options.home))?;
    let cometbft_home = home.join(COMETBFT_DIR);
    let binary = options.cometbft_binary.clone();
    cometbft::check_cometbft_version(&binary)?;
    cometbft::cometbft_init(&binary, &cometbft_home)?;

    let host = &options.host;
    let ports = options.ports;
    let mut edits = vec![
        TomlEdit::string("", "moniker", &options.moniker),
        TomlEdit::string("", "proxy_app", &format!("tcp://{host}:{}", ports.abci)),
        TomlEdit::string("rpc", "laddr", &format!("tcp://{host}:{}", ports.rpc)),
        TomlEdit::string("rpc", "pprof_laddr", ""),
        TomlEdit::string("p2p", "laddr", &format!("tcp://{host}:{}", ports.p2p)),
    ];
    if let Some(timeout) = &options.timeout_commit {
        edits.push(TomlEdit::string("consensus", "timeout_commit", timeout));
    }
    cometbft::edit_config_file(&cometbft_home, &edits)?;

    let keyring = Keyring::in_home(&home);
    let operator = keyring.add(VALIDATOR_KEY_NAME, &generate_signing_key()?)?;
    let operator_address = peg_tx::AccAddress::from_bech32(&operator.address).map_err(|e| {
        NodeError::InvalidArgument { name: "operator address", reason: e.to_string() }
    })?;
    let validator_key = cometbft::read_validator_key(&cometbft_home)?;
    let node_id = cometbft::cometbft_node_id(&binary, &cometbft_home)?;

    let params = genesis::default_params();
    let bonded =
        u128::from(options.power).checked_mul(params.power_reduction).ok_or_else(|| {
            NodeError::InvalidArgument {
                name: "--power",
                reason: "power * power_reduction overflows".to_owned(),
            }
        })?;
    let consensus_pubkey = hex::encode(validator_key.pub_key_bytes()?);
    let genesis_validator = GenesisValidator {
        operator: operator.address.clone(),
        consensus_pubkey,
        bonded,
        moniker: options.moniker.clone(),
    };
    let genesis_account = genesis::native_account(&operator_address, options.operator_balance);
    let app_state = Genesis {
        params,
        accounts: vec![genesis_account.clone()],
        validators: vec![genesis_validator.clone()],
        eth: None,
        eth_addresses: Vec::new(),
        bridge: None,
    };
    let comet_validator = CometValidator {
        key: validator_key.clone(),
        power: options.power,
        name: options.moniker.clone(),
    };
    rewrite_genesis(&cometbft_home, |genesis| {
        genesis::patch_genesis(
            genesis,
            &options.chain_id,
            options.vote_extensions_enable_height,
            std::slice::from_ref(&comet_validator),
            &app_state,
        )
    })?;

    let config = PegdConfig {
        chain_id: options.chain_id.clone(),
        moniker: options.moniker.clone(),
        abci_listen: format!("{host}:{}", ports.abci),
        rpc_listen: format!("{host}:{}", ports.rpc),
        p2p_listen: format!("{host}:{}", ports.p2p),
        cometbft_binary: binary,
        cometbft_home: PathBuf::from(COMETBFT_DIR),
    };
    config.store(&home)?;
    tracing::info!(home = %home.display(), chain_id = %options.chain_id, node_id = %node_id, "initialized node home");
    Ok(InitializedNode {
        home,
        config,
        node_id,
        validator_key,
        power: options.power,
        genesis_validator,
        genesis_account,
    })
}

/// Reads `<cometbft home>/config/genesis.json`, applies `patch`, writes it back.
fn rewrite_genesis(
    cometbft_home: &Path,
    patch: impl FnOnce(serde_json::Value) -> Result<serde_json::Value, NodeError>,
) -> Result<(), NodeError> {
    let path = cometbft_home.join("config/genesis.json");
    let text = std::fs::read_to_string(&path).map_err(NodeError::io("read", &path))?;
    let genesis: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| NodeError::Json { path: path.clone(), reason: e.to_string() })?;
    let patched = patch(genesis)?;
    write_json(&path, &patched)
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), NodeError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| NodeError::Json { path: path.to_path_buf(), reason: e.to_string() })?;
    std::fs::write(path, text + "\n").map_err(NodeError::io("write", path))
}

/// Reads an `app_state.eth` object from a JSON file.
pub fn read_eth_genesis(path: &Path) -> Result<peg_app::eth::genesis::EthGenesis, NodeError> {
    let text = std::fs::read_to_string(path).map_err(NodeError::io("read", path))?;
    serde_json::from_str(&text)
        .map_err(|e| NodeError::Json { path: path.to_path_buf(), reason: e.to_string() })
}

/// `pegd genesis set-eth`: embeds (or replaces) `app_state.eth` in the genesis of the node at
/// `home`, after checking the whole app state as InitChain will (the bootstrap included).
pub fn set_eth_genesis(home: &Path, file: &Path) -> Result<(), NodeError> {
    let eth = read_eth_genesis(file)?;
    let config = PegdConfig::load(home)?;
    let cometbft_home = home.join(&config.cometbft_home);
    rewrite_genesis(&cometbft_home, |mut genesis| {
        let app_state = genesis.get("app_state").cloned().unwrap_or(serde_json::Value::Null);
        let bytes = serde_json::to_vec(&app_state)
            .map_err(|e| NodeError::InvalidArgument { name: "app_state", reason: e.to_string() })?;
        let mut state = Genesis::from_json(&bytes)
            .map_err(|e| NodeError::InvalidArgument { name: "app_state", reason: e.to_string() })?;
        state.eth = Some(eth);
        let ve_height = genesis
            .pointer("/consensus_params/abci/vote_extensions_enable_height")
            .and_then(|v| v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_u64()))
            .unwrap_or(0);
        state.check(&config.chain_id, ve_height).map_err(|e| NodeError::InvalidArgument {
            name: "app_state.eth",
            reason: e.to_string(),
        })?;
        let value = serde_json::to_value(&state)
            .map_err(|e| NodeError::InvalidArgument { name: "app_state", reason: e.to_string() })?;
        if let Some(object) = genesis.as_object_mut() {
            object.insert("app_state".to_owned(), value);
        }
        Ok(genesis)
    })
}

/// What `pegd testnet` needs.
#[derive(Debug, Clone)]
pub struct TestnetOptions {
    /// The output directory (`node0/`, `node1/`, … and `keys/` of the extra accounts).
    pub output: PathBuf,
    /// Number of validators.
    pub validators: usize,
    /// Extra funded accounts, keys `account0`, `account1`, … in `<output>/keys`.
    pub accounts: usize,
    /// The chain id.
    pub chain_id: String,
    /// The CometBFT binary.
    pub cometbft_binary: PathBuf,
    /// First port; node `i` uses `base + 10 i + {0: p2p, 1: rpc, 2: abci}`.
    pub base_port: u16,
    /// Block interval.
    pub timeout_commit: String,
    /// Balance of every funded account, in the native denom.
    pub balance: u128,
    /// Power of every validator.
    pub power: u64,
    /// `consensus_params.abci.vote_extensions_enable_height`.
    pub vote_extensions_enable_height: u64,
    /// An `app_state.eth` object (JSON file) to embed: enables the Ethereum module.
    pub eth_genesis: Option<PathBuf>,
    /// `app_state.bridge.batch_timeout_secs` (`None`: the default, no `bridge` object).
    pub batch_timeout_secs: Option<u64>,
}

/// The file under a node home holding the validator's Ethereum key: `0x` + 64 hex, mode 0600.
pub const ETH_KEY_FILE: &str = "config/eth_key";

/// Writes a fresh Ethereum key to `<home>/config/eth_key` (mode 0600) and returns its address.
fn write_eth_key(home: &Path) -> Result<peg_types::EthAddress, NodeError> {
    let key = generate_signing_key()?;
    let address = peg_types::EthAddress::from_verifying_key(key.verifying_key());
    let path = home.join(ETH_KEY_FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(NodeError::io("create directory", dir))?;
    }
    let text = format!("0x{}\n", hex::encode(key.to_bytes()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(NodeError::io("create", &path))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(NodeError::io("write", &path))?;
    Ok(address)
}

/// `<output>/valset.json`: the input of `contracts/script/Deploy.s.sol` (`PEG_VALSET_FILE`).
#[derive(Debug, Serialize)]
struct ValsetFile {
    nonce: u64,
    validators: Vec<String>,
    powers: Vec<u64>,
}

/// `pegd testnet`: N node homes on loopback, fully meshed through `persistent_peers`, sharing one
/// genesis with every validator and funded account.
pub fn init_testnet(options: &TestnetOptions) -> Result<Vec<InitializedNode>, NodeError> {
    if options.validators == 0 || options.validators > 100 {
        return Err(NodeError::InvalidArgument {
            name: "--validators",
            reason: format!("got {}, expected 1 to 100", options.validators),
        });
    }
    // Check every port before creating anything.
    let ports = (0..options.validators)
        .map(|i| NodePorts::for_testnet(options.base_port, i))
        .collect::<Result<Vec<_>, _>>()?;
    let mut nodes = Vec::with_capacity(options.validators);
    for (index, ports) in ports.iter().enumerate() {
        nodes.push(init_home(&InitOptions {
            home: options.output.join(format!("node{index}")),
            chain_id: options.chain_id.clone(),
            moniker: format!("node{index}"),
            cometbft_binary: options.cometbft_binary.clone(),
            ports: *ports,
            host: "127.0.0.1".to_owned(),
            timeout_commit: Some(options.timeout_commit.clone()),
            operator_balance: options.balance,
            power: options.power,
            vote_extensions_enable_height: options.vote_extensions_enable_height,
        })?);
    }
    let mut accounts: Vec<GenesisAccount> =
        nodes.iter().map(|n| n.genesis_account.clone()).collect();
    let extra = Keyring::at(options.output.join("keys"));
    for index in 0..options.accounts {
        let info = extra.add(&format!("account{index}"), &generate_signing_key()?)?;
        let address = peg_tx::AccAddress::from_bech32(&info.address).map_err(|e| {
            NodeError::InvalidArgument { name: "account address", reason: e.to_string() }
        })?;
        accounts.push(genesis::native_account(&address, options.balance));
    }
    // One Ethereum key per validator, registered at genesis; their valset for the contract.
    let mut eth_addresses = Vec::with_capacity(nodes.len());
    let mut raw_powers = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let address = write_eth_key(&node.home)?;
        eth_addresses.push(peg_app::eth::genesis::GenesisEthAddress {
            operator: node.genesis_validator.operator.clone(),
            eth_address: address.to_string(),
        });
        raw_powers.push((address, node.power));
    }
    let valset = peg_types::Valset::from_raw_powers(0, raw_powers)
        .map_err(|e| NodeError::InvalidArgument { name: "valset", reason: e.to_string() })?;
    write_json(
        &options.output.join("valset.json"),
        &ValsetFile {
            nonce: valset.nonce,
            validators: valset.validators().iter().map(ToString::to_string).collect(),
            powers: valset.powers(),
        },
    )?;
    let eth = match &options.eth_genesis {
        Some(path) => Some(read_eth_genesis(path)?),
        None => None,
    };
    let bridge = match options.batch_timeout_secs {
        Some(batch_timeout_secs) => {
            let params = peg_app::bridge::BridgeParams { batch_timeout_secs, ..Default::default() };
            params.validate().map_err(|e| NodeError::InvalidArgument {
                name: "--batch-timeout-secs",
                reason: e.to_string(),
            })?;
            Some(params)
        }
        None => None,
    };
    let app_state = Genesis {
        params: genesis::default_params(),
        accounts,
        validators: nodes.iter().map(|n| n.genesis_validator.clone()).collect(),
        eth,
        eth_addresses,
        bridge,
    };
    let comet_validators: Vec<CometValidator> = nodes
        .iter()
        .map(|n| CometValidator {
            key: n.validator_key.clone(),
            power: n.power,
            name: n.config.moniker.clone(),
        })
        .collect();
    // One genesis document (node0's, for its genesis_time), copied to every node.
    let first = nodes.first().ok_or_else(|| NodeError::InvalidArgument {
        name: "--validators",
        reason: "no node".to_owned(),
    })?;
    let first_genesis = first.home.join(COMETBFT_DIR).join("config/genesis.json");
    let text =
        std::fs::read_to_string(&first_genesis).map_err(NodeError::io("read", &first_genesis))?;
    let base: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| NodeError::Json { path: first_genesis.clone(), reason: e.to_string() })?;
    let shared = genesis::patch_genesis(
        base,
        &options.chain_id,
        options.vote_extensions_enable_height,
        &comet_validators,
        &app_state,
    )?;
    for (index, node) in nodes.iter().enumerate() {
        let cometbft_home = node.home.join(COMETBFT_DIR);
        write_json(&cometbft_home.join("config/genesis.json"), &shared)?;
        let peers: Vec<String> = nodes
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != index)
            .map(|(_, peer)| format!("{}@{}", peer.node_id, peer.config.p2p_listen))
            .collect();
        cometbft::edit_config_file(
            &cometbft_home,
            &[
                TomlEdit::string("p2p", "persistent_peers", &peers.join(",")),
                TomlEdit::boolean("p2p", "addr_book_strict", false),
                TomlEdit::boolean("p2p", "allow_duplicate_ip", true),
            ],
        )?;
    }
    tracing::info!(output = %options.output.display(), validators = nodes.len(), "test network ready");
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn testnet_ports_are_distinct_and_bounded() -> Result<(), NodeError> {
        let a = NodePorts::for_testnet(26600, 0)?;
        let b = NodePorts::for_testnet(26600, 3)?;
        assert_eq!(a, NodePorts { p2p: 26600, rpc: 26601, abci: 26602 });
        assert_eq!(b, NodePorts { p2p: 26630, rpc: 26631, abci: 26632 });
        assert!(NodePorts::for_testnet(65530, 1).is_err());
        Ok(())
    }

    /// A node home with `pegd.json` and a CometBFT genesis holding a valid app state.
    fn fake_home(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let config = PegdConfig {
            chain_id: "peg-set-eth".into(),
            moniker: "n".into(),
            abci_listen: "127.0.0.1:1".into(),
            rpc_listen: "127.0.0.1:2".into(),
            p2p_listen: "127.0.0.1:3".into(),
            cometbft_binary: PathBuf::from("cometbft"),
            cometbft_home: PathBuf::from(COMETBFT_DIR),
        };
        config.store(dir)?;
        let operator = peg_tx::PublicKey::from_signing_key(&generate_signing_key()?).address();
        let app_state = Genesis {
            params: genesis::default_params(),
            accounts: vec![genesis::native_account(&operator, 5)],
            validators: vec![GenesisValidator {
                operator: operator.to_bech32(),
                consensus_pubkey: hex::encode([1u8; 32]),
                bonded: 10_000_000,
                moniker: "v0".into(),
            }],
            eth: None,
            eth_addresses: Vec::new(),
            bridge: None,
        };
        let genesis = serde_json::json!({
            "chain_id": "peg-set-eth",
            "consensus_params": {"abci": {"vote_extensions_enable_height": "1"}},
            "app_state": app_state,
        });
        let config_dir = dir.join(COMETBFT_DIR).join("config");
        std::fs::create_dir_all(&config_dir)?;
        write_json(&config_dir.join("genesis.json"), &genesis)?;
        Ok(())
    }

    fn eth_json(root: &str) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let vectors = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/vectors/mainnet-deneb-light-client/committee-change/base-data");
        let bootstrap: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(vectors.join("BootstrapDeneb.json"))?)?;
        Ok(serde_json::json!({
            "network": {"builtin": "mainnet"},
            "genesis_time": 1_606_824_023u64,
            "genesis_validators_root":
                "0x4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95",
            "trusted_block_root": root,
            "bootstrap": bootstrap,
            "bridge_contract": format!("0x{}", "b0".repeat(20)),
            "bridge_id": format!("0x{}", "1d".repeat(32)),
            "eth_chain_id": 31337,
            "next_event_nonce": "1",
            "trusted_ring_size": 8192,
            "native_denoms": [{"denom": "upeg", "name": "Peg", "symbol": "PEG", "decimals": 6}],
            "governance_voting_period": 1000
        }))
    }

    #[test]
    fn set_eth_embeds_a_verified_object_and_refuses_a_bad_one(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        fake_home(dir.path())?;
        let genesis_path = dir.path().join(COMETBFT_DIR).join("config/genesis.json");
        let before = std::fs::read_to_string(&genesis_path)?;

        // A wrong trusted root: refused, the genesis is untouched.
        let bad = dir.path().join("bad.json");
        write_json(&bad, &eth_json(&format!("0x{}", "00".repeat(32)))?)?;
        let err = set_eth_genesis(dir.path(), &bad).expect_err("bootstrap does not verify");
        assert!(err.to_string().contains("trusted block root"), "{err}");
        assert_eq!(std::fs::read_to_string(&genesis_path)?, before);

        let good = dir.path().join("eth.json");
        let root = "0xefb4338d596b9d335b2da176dc85ee97469fc80c7e2d35b9b9c1558b4602077a";
        write_json(&good, &eth_json(root)?)?;
        set_eth_genesis(dir.path(), &good)?;
        let after: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&genesis_path)?)?;
        assert_eq!(after["app_state"]["eth"]["trusted_block_root"], root);
        assert_eq!(after["chain_id"], "peg-set-eth");
        // Replacing works too (same file twice: idempotent).
        set_eth_genesis(dir.path(), &good)?;
        Ok(())
    }

    #[test]
    fn eth_key_file_is_private_and_fresh() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let address = write_eth_key(dir.path())?;
        let text = std::fs::read_to_string(dir.path().join(ETH_KEY_FILE))?;
        let bytes = hex::decode(text.trim().trim_start_matches("0x"))?;
        let key = peg_tx::SigningKey::from_slice(&bytes)?;
        assert_eq!(peg_types::EthAddress::from_verifying_key(key.verifying_key()), address);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(ETH_KEY_FILE))?.permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_eth_key(dir.path()).is_err(), "never overwrites a key");
        Ok(())
    }

    #[test]
    fn timeout_commit_syntax() {
        assert!(check_timeout("500ms").is_ok());
        assert!(check_timeout("1s").is_ok());
        assert!(check_timeout("1").is_err());
        assert!(check_timeout("fast").is_err());
        assert!(check_timeout("1h").is_err());
    }
}
