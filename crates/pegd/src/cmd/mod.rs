//! The node's sub-commands: `init`, `testnet`, `start`, `keys`, `tx`, `query`.

pub mod beacon;
pub mod bridge;
pub mod chain;
pub mod eth_gov;

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::keys::{generate_signing_key, KeyInfo, Keyring};
use crate::node::cometbft::resolve_cometbft_binary;
use crate::node::{self, InitOptions, NodeError, NodePorts, TestnetOptions};

/// How results are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// Default spendable balance of genesis accounts: 10^12 upeg.
const DEFAULT_BALANCE: u128 = 1_000_000_000_000;

/// `pegd init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The node home to create.
    #[arg(long)]
    home: PathBuf,
    /// The chain id (1 to 50 characters).
    #[arg(long)]
    chain_id: String,
    /// The node's name.
    #[arg(long)]
    moniker: String,
    /// The CometBFT binary (default: $PEG_COMETBFT, the repository's .tools/bin/cometbft, or PATH).
    #[arg(long)]
    cometbft: Option<PathBuf>,
    /// The validator's CometBFT power at genesis.
    #[arg(long, default_value_t = 10)]
    power: u64,
    /// Spendable genesis balance of the operator account, in upeg.
    #[arg(long, default_value_t = DEFAULT_BALANCE)]
    balance: u128,
    /// CometBFT P2P port (loopback).
    #[arg(long, default_value_t = NodePorts::DEFAULT.p2p)]
    p2p_port: u16,
    /// CometBFT RPC port (loopback).
    #[arg(long, default_value_t = NodePorts::DEFAULT.rpc)]
    rpc_port: u16,
    /// ABCI server port (loopback).
    #[arg(long, default_value_t = NodePorts::DEFAULT.abci)]
    abci_port: u16,
    /// Block interval (CometBFT timeout_commit); CometBFT's default (1s) when absent.
    #[arg(long)]
    timeout_commit: Option<String>,
    /// First height with vote extensions (consensus_params.abci.vote_extensions_enable_height).
    #[arg(long, default_value_t = 1)]
    vote_extensions_height: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    output: OutputFormat,
}

/// `pegd testnet`.
#[derive(Debug, Args)]
pub struct TestnetArgs {
    /// Number of validators.
    #[arg(long, default_value_t = 4)]
    validators: usize,
    /// Output directory: node0/, node1/, … and keys/ of the extra accounts.
    #[arg(long)]
    output: PathBuf,
    /// Extra funded accounts (keys account0, account1, … in <output>/keys).
    #[arg(long, default_value_t = 2)]
    accounts: usize,
    /// The chain id.
    #[arg(long, default_value = "peg-testnet")]
    chain_id: String,
    /// First loopback port: node i uses base + 10 i (+0 P2P, +1 RPC, +2 ABCI).
    #[arg(long, default_value_t = 36600)]
    base_port: u16,
    /// Block interval (CometBFT timeout_commit).
    #[arg(long, default_value = "300ms")]
    timeout_commit: String,
    /// The CometBFT binary.
    #[arg(long)]
    cometbft: Option<PathBuf>,
    /// Power of every validator.
    #[arg(long, default_value_t = 10)]
    power: u64,
    /// Balance of every funded account, in upeg.
    #[arg(long, default_value_t = DEFAULT_BALANCE)]
    balance: u128,
    /// First height with vote extensions.
    #[arg(long, default_value_t = 1)]
    vote_extensions_height: u64,
    /// An `app_state.eth` JSON file (`pegd eth genesis`) to embed: enables the Ethereum module.
    #[arg(long)]
    eth_genesis: Option<PathBuf>,
    /// Seconds from a batch's creation to its Ethereum timeout (`app_state.bridge`; default
    /// 3600).
    #[arg(long, value_name = "SECONDS")]
    batch_timeout_secs: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    output_format: OutputFormat,
}

/// `pegd start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The node home (made by `pegd init` or `pegd testnet`).
    #[arg(long)]
    home: PathBuf,
}

/// `pegd keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// The node home (keys live in <home>/keys).
    #[arg(long, global = true, default_value = ".")]
    home: PathBuf,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t)]
    output: OutputFormat,
    #[command(subcommand)]
    command: KeysCommand,
}

/// `pegd keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a new secp256k1 account key.
    Add {
        /// The key name ([A-Za-z0-9_-], 1 to 64 characters).
        name: String,
    },
    /// List every key.
    List,
    /// Show one key.
    Show {
        /// The key name.
        name: String,
    },
}

#[derive(Serialize)]
struct InitReport<'a> {
    home: String,
    chain_id: &'a str,
    moniker: &'a str,
    node_id: &'a str,
    validator_address: &'a str,
    operator: &'a str,
}

pub(crate) fn print_json(value: &impl Serialize) -> Result<(), NodeError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| NodeError::Json { path: PathBuf::from("<stdout>"), reason: e.to_string() })?;
    println!("{text}");
    Ok(())
}

/// Runs `pegd init`.
pub fn run_init(args: &InitArgs) -> Result<(), NodeError> {
    let node = node::init_home(&InitOptions {
        home: args.home.clone(),
        chain_id: args.chain_id.clone(),
        moniker: args.moniker.clone(),
        cometbft_binary: resolve_cometbft_binary(args.cometbft.as_deref()),
        ports: NodePorts { p2p: args.p2p_port, rpc: args.rpc_port, abci: args.abci_port },
        host: "127.0.0.1".to_owned(),
        timeout_commit: args.timeout_commit.clone(),
        operator_balance: args.balance,
        power: args.power,
        vote_extensions_enable_height: args.vote_extensions_height,
    })?;
    let report = InitReport {
        home: node.home.display().to_string(),
        chain_id: &node.config.chain_id,
        moniker: &node.config.moniker,
        node_id: &node.node_id,
        validator_address: &node.validator_key.address,
        operator: &node.genesis_validator.operator,
    };
    match args.output {
        OutputFormat::Json => print_json(&report),
        OutputFormat::Text => {
            println!(
                "initialized {} ({}), node id {}",
                report.home, report.chain_id, report.node_id
            );
            println!("validator {} operated by {}", report.validator_address, report.operator);
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct TestnetNodeReport {
    home: String,
    node_id: String,
    operator: String,
    p2p: String,
    rpc: String,
    abci: String,
}

/// Runs `pegd testnet`.
pub fn run_testnet(args: &TestnetArgs) -> Result<(), NodeError> {
    let nodes = node::init_testnet(&TestnetOptions {
        output: args.output.clone(),
        validators: args.validators,
        accounts: args.accounts,
        chain_id: args.chain_id.clone(),
        cometbft_binary: resolve_cometbft_binary(args.cometbft.as_deref()),
        base_port: args.base_port,
        timeout_commit: args.timeout_commit.clone(),
        balance: args.balance,
        power: args.power,
        vote_extensions_enable_height: args.vote_extensions_height,
        eth_genesis: args.eth_genesis.clone(),
        batch_timeout_secs: args.batch_timeout_secs,
    })?;
    let report: Vec<TestnetNodeReport> = nodes
        .iter()
        .map(|n| TestnetNodeReport {
            home: n.home.display().to_string(),
            node_id: n.node_id.clone(),
            operator: n.genesis_validator.operator.clone(),
            p2p: n.config.p2p_listen.clone(),
            rpc: n.config.rpc_listen.clone(),
            abci: n.config.abci_listen.clone(),
        })
        .collect();
    match args.output_format {
        OutputFormat::Json => print_json(&report),
        OutputFormat::Text => {
            for node in &report {
                println!(
                    "{}  rpc {}  node id {}  operator {}",
                    node.home, node.rpc, node.node_id, node.operator
                );
            }
            Ok(())
        }
    }
}

fn print_keys(keys: &[KeyInfo], output: OutputFormat) -> Result<(), NodeError> {
    match output {
        OutputFormat::Json => print_json(&keys),
        OutputFormat::Text => {
            for key in keys {
                println!("{}\t{}\t{}", key.name, key.address, key.pub_key);
            }
            Ok(())
        }
    }
}

/// Runs `pegd keys …`.
pub fn run_keys(args: &KeysArgs) -> Result<(), NodeError> {
    let ring = Keyring::in_home(&args.home);
    match &args.command {
        KeysCommand::Add { name } => {
            let info = ring.add(name, &generate_signing_key()?)?;
            match args.output {
                OutputFormat::Json => print_json(&info),
                OutputFormat::Text => print_keys(std::slice::from_ref(&info), args.output),
            }
        }
        KeysCommand::List => print_keys(&ring.list()?, args.output),
        KeysCommand::Show { name } => {
            let key = ring.load(name)?;
            match args.output {
                OutputFormat::Json => print_json(&key.info),
                OutputFormat::Text => print_keys(std::slice::from_ref(&key.info), args.output),
            }
        }
    }
}

/// Runs `pegd start`; the exit code tells why the node stopped (0: signal, 1: CometBFT died,
/// 2: application failure).
pub fn run_start(args: &StartArgs) -> Result<u8, NodeError> {
    node::supervisor::run_node(&args.home).map(|reason| reason.exit_code())
}
