//! `pegd eth genesis`: build the `app_state.eth` object of a peg zone genesis from a beacon node.
//!
//! ```text
//! pegd eth genesis --beacon-api URL [--block-root head|finalized|0x..] [--network mainnet|sepolia|hoodi]
//!     --bridge 0x.. --bridge-id 0x.. [--next-event-nonce 1] [--trusted-ring-size 8192]
//!     [--governance-voting-period 1000] --out FILE
//! ```
//!
//! Fetches, in order:
//! 1. `GET /eth/v1/beacon/genesis`: genesis time and genesis validators root;
//! 2. the network configuration: the built-in `--network`, else the simulator's
//!    `GET /sim/v1/config.yaml` when served, else `GET /eth/v1/config/spec` turned into a
//!    `config.yaml` text;
//! 3. the trusted block root: `--block-root 0x..` as given, or `head`/`finalized` through
//!    `GET /eth/v1/beacon/headers/{id}` (falling back, for `finalized`, to the finalized header
//!    of `GET /eth/v1/beacon/light_client/finality_update`);
//! 4. `GET /eth/v1/beacon/light_client/bootstrap/{root}`.
//!
//! Before writing anything it initializes a light-client store from that bootstrap and runs the
//! peg zone's own genesis check of `app_state.eth` (`peg_app::eth::genesis::EthGenesis::check`)
//! on the object, so a bad genesis is refused here rather than by a chain that cannot start.
//! Writes the object to `--out` (specs/eth-module.md, `app_state.eth`) and prints a one-line
//! JSON summary on stdout; on failure prints one line on stderr and exits 1.

use std::path::PathBuf;
use std::process::ExitCode;

use alloy_primitives::{Address, B256};
use light_client::config::{ChainConfig, ForkName};
use light_client::preset::{Mainnet, Minimal, Preset};
use light_client::sync::{check_data_fork, initialize_light_client_store};
use light_client::types::LightClientBootstrap;
use light_client::{DefaultBls, LightClientStore};
use pegd::cmd::beacon::{block_root_by_id, field, Beacon, BeaconError};
use serde::Serialize;
use serde_json::Value;

/// Default bound of the trusted ring of finalized execution blocks.
const DEFAULT_TRUSTED_RING_SIZE: u32 = 8192;
/// Default number of blocks a governance proposal stays open.
const DEFAULT_GOVERNANCE_VOTING_PERIOD: u64 = 1000;

/// Arguments of `pegd eth genesis`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Beacon node REST API (e.g. the devnet simulator at http://127.0.0.1:5052).
    #[arg(long, value_name = "URL")]
    beacon_api: String,
    /// Trusted checkpoint: `head`, `finalized`, or a 0x-prefixed beacon block root.
    #[arg(long, value_name = "head|finalized|0x..", default_value = "finalized")]
    block_root: String,
    /// A built-in network (`mainnet`, `sepolia`, `hoodi`) instead of the node's own config.
    #[arg(long)]
    network: Option<String>,
    /// The PegBridge contract address.
    #[arg(long, value_name = "0x..")]
    bridge: String,
    /// The bridge id (the contract's EIP-712 salt), 32 bytes.
    #[arg(long, value_name = "0x..")]
    bridge_id: String,
    /// Ethereum JSON-RPC: its `eth_chainId` is the EIP-712 domain's chain id
    /// (`app_state.eth.eth_chain_id`).
    #[arg(long, value_name = "URL", required_unless_present = "eth_chain_id")]
    eth_rpc: Option<String>,
    /// The Ethereum chain id, instead of asking `--eth-rpc` (both: they must agree).
    #[arg(long, value_name = "N")]
    eth_chain_id: Option<u64>,
    /// First event nonce the peg zone expects from the contract.
    #[arg(long, default_value_t = 1)]
    next_event_nonce: u64,
    /// Bound of the ring of trusted finalized execution blocks.
    #[arg(long, default_value_t = DEFAULT_TRUSTED_RING_SIZE)]
    trusted_ring_size: u32,
    /// Blocks a governance proposal stays open.
    #[arg(long, default_value_t = DEFAULT_GOVERNANCE_VOTING_PERIOD)]
    governance_voting_period: u64,
    /// Where to write the `app_state.eth` JSON object.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Why the genesis object could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// A command-line value is malformed.
    #[error("{flag}: {reason}")]
    Argument {
        /// The flag.
        flag: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The beacon node could not be reached, answered with an error status, or not with the
    /// JSON expected.
    #[error(transparent)]
    Beacon(#[from] BeaconError),
    /// The network configuration is unusable or contradicts the node.
    #[error("network configuration: {0}")]
    Config(String),
    /// The bootstrap does not initialize a light-client store.
    #[error("bootstrap for {root}: {reason}")]
    Bootstrap {
        /// The trusted block root.
        root: B256,
        /// Why it was refused.
        reason: String,
    },
    /// The output file could not be written.
    #[error("{path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// `app_state.eth.network`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum NetworkSpec {
    /// A network built into the light client.
    Builtin {
        /// `mainnet`, `sepolia` or `hoodi`.
        builtin: String,
    },
    /// A devnet: the text of its consensus `config.yaml` and its preset.
    ConfigYaml {
        /// The `config.yaml` text.
        config_yaml: String,
        /// `minimal` or `mainnet`.
        preset: String,
    },
}

/// A native denom's metadata, which `TokenDeployed` events must match to be adopted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeDenom {
    /// The denom (`upeg`).
    pub denom: String,
    /// ERC-20 name.
    pub name: String,
    /// ERC-20 symbol.
    pub symbol: String,
    /// ERC-20 decimals.
    pub decimals: u8,
}

/// The `app_state.eth` object (interfaces of issue 5, specs/eth-module.md).
#[derive(Debug, Clone, Serialize)]
pub struct EthGenesis {
    /// The Ethereum network's configuration.
    pub network: NetworkSpec,
    /// Beacon genesis time, unix seconds.
    pub genesis_time: u64,
    /// `genesis_validators_root`.
    pub genesis_validators_root: B256,
    /// `hash_tree_root(bootstrap.header.beacon)`.
    pub trusted_block_root: B256,
    /// The beacon-API bootstrap answer, unchanged.
    pub bootstrap: Value,
    /// The PegBridge contract (lower-case hex).
    pub bridge_contract: String,
    /// The bridge id.
    pub bridge_id: B256,
    /// The Ethereum chain id (EIP-712 domain).
    pub eth_chain_id: u64,
    /// First event nonce expected (a decimal string).
    pub next_event_nonce: String,
    /// Bound of the trusted ring.
    pub trusted_ring_size: u32,
    /// Native denoms that can be deployed as CosmosERC20.
    pub native_denoms: Vec<NativeDenom>,
    /// Blocks a governance proposal stays open.
    pub governance_voting_period: u64,
}

/// The one-line summary printed on success.
#[derive(Debug, Serialize)]
struct Summary {
    out: String,
    network: String,
    preset: String,
    fork: ForkName,
    trusted_block_root: B256,
    slot: u64,
    sync_committee_period: u64,
    execution_block_number: Option<u64>,
    execution_block_hash: Option<B256>,
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(execute(&args)) {
        Ok(summary) => match serde_json::to_string(&summary) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot serialize the summary: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {}", e.to_string().replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn parse_b256(flag: &'static str, text: &str) -> Result<B256, GenesisError> {
    text.trim().parse::<B256>().map_err(|e| GenesisError::Argument {
        flag,
        reason: format!("{text:?} is not a 0x-prefixed 32-byte hex value: {e}"),
    })
}

async fn execute(args: &Args) -> Result<Summary, GenesisError> {
    let bridge = args.bridge.trim().parse::<Address>().map_err(|e| GenesisError::Argument {
        flag: "--bridge",
        reason: format!("{:?} is not a 0x-prefixed 20-byte address: {e}", args.bridge),
    })?;
    let bridge_id = parse_b256("--bridge-id", &args.bridge_id)?;
    if args.trusted_ring_size == 0 {
        return Err(GenesisError::Argument {
            flag: "--trusted-ring-size",
            reason: "must be at least 1".into(),
        });
    }
    let eth_chain_id = eth_chain_id(args).await?;
    let beacon = Beacon::new(&args.beacon_api)?;

    // 1. Genesis.
    const GENESIS: &str = "/eth/v1/beacon/genesis";
    let genesis = beacon.get_json(GENESIS).await?;
    let genesis_time_text = field(&beacon, GENESIS, &genesis, "/data/genesis_time")?;
    let genesis_time = genesis_time_text.parse::<u64>().map_err(|_| {
        beacon.answer_error(GENESIS, format!("genesis_time {genesis_time_text:?} is not a u64"))
    })?;
    let root_text = field(&beacon, GENESIS, &genesis, "/data/genesis_validators_root")?;
    let genesis_validators_root = root_text.parse::<B256>().map_err(|_| {
        beacon
            .answer_error(GENESIS, format!("genesis_validators_root {root_text:?} is not 32 bytes"))
    })?;

    // 2. Network configuration.
    let (network, config) = network_config(&beacon, args, genesis_validators_root).await?;
    if config.genesis_validators_root != genesis_validators_root {
        return Err(GenesisError::Config(format!(
            "network {} has genesis validators root {}, the beacon node reports {}",
            config.name, config.genesis_validators_root, genesis_validators_root
        )));
    }
    if let NetworkSpec::Builtin { .. } = network {
        if config.genesis_time != genesis_time {
            return Err(GenesisError::Config(format!(
                "network {} has genesis time {}, the beacon node reports {genesis_time}",
                config.name, config.genesis_time
            )));
        }
    }

    // 3. Trusted block root.
    let trusted_root = match args.block_root.as_str() {
        "head" | "finalized" => block_root_by_id(&beacon, &args.block_root, &config).await?,
        text => parse_b256("--block-root", text)?,
    };

    // 4. Bootstrap, verified locally.
    let path = format!("/eth/v1/beacon/light_client/bootstrap/{trusted_root}");
    let bootstrap_text = beacon.bootstrap(trusted_root).await?;
    let bootstrap: Value = serde_json::from_str(&bootstrap_text)
        .map_err(|e| beacon.answer_error(&path, format!("not JSON: {e}")))?;
    let checked = match config.preset_base.as_str() {
        "minimal" => verify_bootstrap::<Minimal>(&config, trusted_root, &bootstrap_text),
        _ => verify_bootstrap::<Mainnet>(&config, trusted_root, &bootstrap_text),
    }?;

    let object = EthGenesis {
        network,
        genesis_time,
        genesis_validators_root,
        trusted_block_root: trusted_root,
        bootstrap,
        bridge_contract: format!("{bridge:#x}"),
        bridge_id,
        eth_chain_id,
        next_event_nonce: args.next_event_nonce.to_string(),
        trusted_ring_size: args.trusted_ring_size,
        native_denoms: vec![NativeDenom {
            denom: "upeg".into(),
            name: "Peg".into(),
            symbol: "PEG".into(),
            decimals: 6,
        }],
        governance_voting_period: args.governance_voting_period,
    };
    let value = serde_json::to_value(&object)
        .map_err(|e| GenesisError::Config(format!("cannot serialize: {e}")))?;
    // The very check the peg zone runs on `app_state.eth` at genesis (field by field, then the
    // light-client bootstrap): a file this command writes is one the chain starts from.
    let as_zone_reads: peg_app::eth::genesis::EthGenesis = serde_json::from_value(value.clone())
        .map_err(|e| GenesisError::Config(format!("the peg zone cannot read the object: {e}")))?;
    as_zone_reads
        .check()
        .map_err(|e| GenesisError::Config(format!("the peg zone would refuse it: {e}")))?;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| GenesisError::Config(format!("cannot serialize: {e}")))?;
    let out = args.out.display().to_string();
    std::fs::write(&args.out, format!("{text}\n"))
        .map_err(|source| GenesisError::Write { path: out.clone(), source })?;
    Ok(Summary {
        out,
        network: config.name.clone(),
        preset: config.preset_base.clone(),
        fork: checked.fork,
        trusted_block_root: trusted_root,
        slot: checked.slot,
        sync_committee_period: checked.period,
        execution_block_number: checked.execution_number,
        execution_block_hash: checked.execution_hash,
    })
}

/// The Ethereum chain id: `--eth-chain-id`, or `eth_chainId` of `--eth-rpc` (both: equal).
async fn eth_chain_id(args: &Args) -> Result<u64, GenesisError> {
    let asked = match &args.eth_rpc {
        Some(url) => {
            let rpc = peg_eth_rpc::EthRpc::new(url)
                .map_err(|e| GenesisError::Argument { flag: "--eth-rpc", reason: e.to_string() })?;
            Some(rpc.chain_id().await.map_err(|e| GenesisError::Argument {
                flag: "--eth-rpc",
                reason: format!("eth_chainId: {e}"),
            })?)
        }
        None => None,
    };
    let chain_id = match (args.eth_chain_id, asked) {
        (Some(given), Some(asked)) if given != asked => {
            return Err(GenesisError::Argument {
                flag: "--eth-chain-id",
                reason: format!("{given} differs from the node's eth_chainId {asked}"),
            })
        }
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => {
            return Err(GenesisError::Argument {
                flag: "--eth-rpc",
                reason: "give --eth-rpc or --eth-chain-id".into(),
            })
        }
    };
    if chain_id == 0 {
        return Err(GenesisError::Argument {
            flag: "--eth-chain-id",
            reason: "must be positive".into(),
        });
    }
    Ok(chain_id)
}

/// The configuration: built-in, the simulator's `config.yaml`, or the node's `config/spec`.
async fn network_config(
    beacon: &Beacon,
    args: &Args,
    genesis_validators_root: B256,
) -> Result<(NetworkSpec, ChainConfig), GenesisError> {
    if let Some(name) = &args.network {
        let config = ChainConfig::by_name(name).ok_or_else(|| GenesisError::Argument {
            flag: "--network",
            reason: format!("{name:?} is not a built-in network (mainnet, sepolia, hoodi)"),
        })?;
        return Ok((NetworkSpec::Builtin { builtin: name.clone() }, config));
    }
    let yaml = match beacon.get_optional("/sim/v1/config.yaml").await? {
        Some(text) => text,
        None => {
            const SPEC: &str = "/eth/v1/config/spec";
            let spec = beacon.get_json(SPEC).await?;
            let data = spec
                .get("data")
                .filter(|d| d.is_object())
                .ok_or_else(|| beacon.answer_error(SPEC, "no `data` object"))?;
            // JSON is a subset of YAML's data model: the spec's keys and (string) values become
            // a config.yaml the light client and the peg zone parse the same way.
            serde_yaml::to_string(data)
                .map_err(|e| beacon.answer_error(SPEC, format!("cannot render as YAML: {e}")))?
        }
    };
    let config = ChainConfig::from_yaml_str(&yaml, Some(genesis_validators_root))
        .map_err(|e| GenesisError::Config(e.to_string()))?;
    let preset = config.preset_base.clone();
    Ok((NetworkSpec::ConfigYaml { config_yaml: yaml, preset }, config))
}

/// What the verified bootstrap establishes.
#[derive(Debug)]
struct Checked {
    fork: ForkName,
    slot: u64,
    period: u64,
    execution_number: Option<u64>,
    execution_hash: Option<B256>,
}

/// Decodes the bootstrap and initializes a store from it, as the peg zone's genesis will.
fn verify_bootstrap<P: Preset>(
    config: &ChainConfig,
    trusted_root: B256,
    text: &str,
) -> Result<Checked, GenesisError> {
    let refused = |reason: String| GenesisError::Bootstrap { root: trusted_root, reason };
    let (fork, bootstrap) = LightClientBootstrap::<P>::from_beacon_api_json(text)
        .map_err(|e| refused(e.to_string()))?;
    let slot = bootstrap.header.beacon.slot;
    check_data_fork::<P>(config, fork, slot).map_err(|e| refused(e.to_string()))?;
    let store: LightClientStore<P, DefaultBls> =
        initialize_light_client_store(config, trusted_root, bootstrap)
            .map_err(|e| refused(e.to_string()))?;
    Ok(Checked {
        fork,
        slot,
        period: store.sync_committee_period(),
        execution_number: store.finalized_execution_block_number(),
        execution_hash: store.finalized_execution_block_hash(),
    })
}
