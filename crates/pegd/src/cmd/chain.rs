//! `pegd tx …` and `pegd query …`: through a node's CometBFT RPC.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use peg_app::eth::governance_query::{ActionSummary, ProposalView};
use peg_app::eth::{ClientView, EventRecord, TokenView, VoucherView};
use peg_app::{AccountView, BalancesView, EthView, ValidatorView};
use peg_tx::{
    sign_eth_pop, AccAddress, Coin, Coins, EthAddress, Msg, MsgBondUnbond, MsgCreateValidator,
    MsgRegisterEthAddress, MsgSend, TxBuilder,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{eth_gov, print_json, OutputFormat};
use crate::keys::Keyring;
use crate::node::{NodeError, PegdConfig};
use crate::rpc::RpcClient;

/// Where to reach a node: `--node host:port`, else the RPC address of `--home`'s `pegd.json`,
/// else CometBFT's default `127.0.0.1:26657`.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node home (its key ring and its RPC address).
    #[arg(long, global = true)]
    home: Option<PathBuf>,
    /// CometBFT RPC address, host:port.
    #[arg(long, global = true)]
    node: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t)]
    output: OutputFormat,
}

impl NodeArgs {
    fn client(&self) -> Result<RpcClient, NodeError> {
        if let Some(node) = &self.node {
            return Ok(RpcClient::new(node));
        }
        match &self.home {
            Some(home) => Ok(RpcClient::new(&PegdConfig::load(home)?.rpc_listen)),
            None => Ok(RpcClient::new("127.0.0.1:26657")),
        }
    }
}

/// `pegd query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(subcommand)]
    command: QueryCommand,
}

/// `pegd query …`.
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Account number, sequence and public key of an account.
    Account {
        /// `peg1…` address.
        address: String,
    },
    /// Balances of an account.
    Balances {
        /// `peg1…` address.
        address: String,
    },
    /// The validator set of the application (bonds, powers, Ethereum addresses).
    Validators,
    /// Registered Ethereum addresses of validators.
    EthAddresses,
    /// The Ethereum module: light client, events, vouchers, adopted tokens.
    #[command(subcommand)]
    Eth(EthQueryCommand),
    /// The bridge to Ethereum: pool, batches, valsets, signatures, denoms, parameters.
    #[command(subcommand)]
    Bridge(super::bridge::BridgeQueryCommand),
}

/// `pegd query eth …`.
#[derive(Debug, Subcommand)]
pub enum EthQueryCommand {
    /// The light client's status: finalized header, trusted ring, next event nonce.
    Client,
    /// Processed bridge events from a nonce on (at most 100).
    Events {
        /// First event nonce to list.
        #[arg(long, default_value_t = 1)]
        from: u64,
    },
    /// Vouchers of Ethereum tokens and their supplies.
    Vouchers,
    /// Native denoms adopted as CosmosERC20s and their escrow.
    Tokens,
    /// Open light-client governance proposals: action, voters, voted and needed power.
    Governance,
}

/// `pegd genesis`.
#[derive(Debug, Args)]
pub struct GenesisArgs {
    #[command(subcommand)]
    command: GenesisCommand,
}

/// `pegd genesis …`: edit a node's genesis before the chain starts.
#[derive(Debug, Subcommand)]
pub enum GenesisCommand {
    /// Embed (or replace) `app_state.eth` from a JSON file (`pegd eth genesis`); every node must
    /// get the identical file.
    SetEth {
        /// The node home.
        #[arg(long)]
        home: PathBuf,
        /// The `app_state.eth` JSON file.
        #[arg(long)]
        file: PathBuf,
    },
}

/// Runs `pegd genesis …`.
pub fn run_genesis(args: &GenesisArgs) -> Result<(), NodeError> {
    match &args.command {
        GenesisCommand::SetEth { home, file } => crate::node::set_eth_genesis(home, file),
    }
}

/// `pegd tx`.
#[derive(Debug, Args)]
pub struct TxArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// The fee, e.g. 1000upeg (default: the chain's minimum for the gas limit,
    /// `max(min_fee, ceil(gas × fee_per_kgas / 1000))`, from its stored parameters).
    #[arg(long, global = true)]
    fees: Option<String>,
    /// The gas limit written in the fee (default: the messages' deterministic gas,
    /// `peg_tx::required_gas`; a larger limit only raises the fee).
    #[arg(long, global = true)]
    gas: Option<u64>,
    /// A memo.
    #[arg(long, global = true, default_value = "")]
    memo: String,
    /// Sign with this sequence instead of the committed one the node reports (to queue several
    /// transactions of one account in the same block).
    #[arg(long, global = true)]
    sequence: Option<u64>,
    #[command(subcommand)]
    command: TxCommand,
}

/// `pegd tx …`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Bank transactions.
    #[command(subcommand)]
    Bank(BankCommand),
    /// Validator transactions.
    #[command(subcommand)]
    Staking(StakingCommand),
    /// Ethereum key registration.
    #[command(subcommand)]
    Eth(EthTxCommand),
    /// Transfers to Ethereum, batches, native denom registration.
    #[command(subcommand)]
    Bridge(super::bridge::BridgeTxCommand),
}

/// `pegd tx staking …`.
#[derive(Debug, Subcommand)]
pub enum StakingCommand {
    /// Create a validator operated by key `from`, with a self-bond.
    CreateValidator {
        /// The operator's key name.
        from: String,
        /// The CometBFT ed25519 consensus public key: 64 hex digits or base64 (as in
        /// `priv_validator_key.json`).
        consensus_pubkey: String,
        /// The self-bond, e.g. 5000000upeg.
        amount: String,
        /// Display name.
        #[arg(long)]
        moniker: String,
    },
    /// Bond more to the validator operated by `from`.
    Bond {
        /// The operator's key name.
        from: String,
        /// Amount, e.g. 1000000upeg.
        amount: String,
    },
    /// Unbond from the validator operated by `from`.
    Unbond {
        /// The operator's key name.
        from: String,
        /// Amount, e.g. 1000000upeg.
        amount: String,
    },
}

/// `pegd tx eth …`.
#[derive(Debug, Subcommand)]
pub enum EthTxCommand {
    /// Register the Ethereum address of key `eth_key` (same key ring) for the validator operated
    /// by `from`, with a proof of possession signed by that Ethereum key.
    RegisterAddress {
        /// The operator's key name.
        from: String,
        /// The key ring name of the Ethereum (secp256k1) key.
        eth_key: String,
    },
    /// Vote (as the validator operated by `--from`) to re-initialize the light client from a
    /// trusted checkpoint; applies once > 2/3 of the bonded power voted for the same root.
    /// The bootstrap is checked locally against the chain's configuration first.
    #[command(group(clap::ArgGroup::new("source").required(true).args(["beacon_api", "bootstrap"])))]
    ResetCheckpoint {
        /// The operator's key name.
        #[arg(long)]
        from: String,
        /// A beacon node REST API to fetch the bootstrap from.
        #[arg(long, value_name = "URL")]
        beacon_api: Option<String>,
        /// A beacon-API bootstrap JSON file (`{"version", "data"}`), with `--block-root 0x…`.
        #[arg(long, value_name = "FILE.json")]
        bootstrap: Option<PathBuf>,
        /// The trusted checkpoint: `head` or `finalized` (with `--beacon-api`) or a 0x root.
        /// Other validators should vote for the 0x root the first voter printed.
        #[arg(long, value_name = "head|finalized|0x..")]
        block_root: String,
    },
    /// Vote (as the validator operated by `--from`) to replace forks of the chain's Ethereum
    /// fork schedule.
    SetForkSchedule {
        /// The operator's key name.
        #[arg(long)]
        from: String,
        /// A fork: `name:0xVERSION:EPOCH` (EPOCH decimal or `never`), repeatable.
        #[arg(long = "fork", value_name = "name:0xVERSION:EPOCH", required = true)]
        forks: Vec<String>,
    },
}

/// Parses an ed25519 public key: 64 hex digits or base64 of 32 bytes.
pub fn parse_consensus_pubkey(text: &str) -> Result<[u8; 32], NodeError> {
    use base64::Engine as _;
    let bytes = match hex::decode(text) {
        Ok(bytes) => bytes,
        Err(_) => base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| {
            NodeError::InvalidArgument {
                name: "consensus_pubkey",
                reason: format!("{text:?} is neither hex nor base64"),
            }
        })?,
    };
    bytes.as_slice().try_into().map_err(|_| NodeError::InvalidArgument {
        name: "consensus_pubkey",
        reason: format!("{} bytes, expected 32 (ed25519)", bytes.len()),
    })
}

/// `pegd tx bank …`.
#[derive(Debug, Subcommand)]
pub enum BankCommand {
    /// Send coins: `pegd tx bank send <from key> <to address> <amount>`, e.g. `100upeg`.
    Send {
        /// The name of the sender's key in `<home>/keys`.
        from: String,
        /// The receiver, `peg1…`.
        to: String,
        /// Coins, comma-separated: `100upeg,5uatom`.
        amount: String,
    },
}

/// Parses `100upeg`.
pub fn parse_coin(text: &str) -> Result<Coin, NodeError> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (amount, denom) = text.split_at(split);
    let invalid = |reason: String| NodeError::InvalidArgument { name: "coin", reason };
    if amount.is_empty() || (amount.len() > 1 && amount.starts_with('0')) {
        return Err(invalid(format!("{text:?}: expected <amount><denom>, e.g. 100upeg")));
    }
    let amount: u128 =
        amount.parse().map_err(|_| invalid(format!("{text:?}: amount too large")))?;
    Ok(Coin::new(denom, amount)?)
}

/// Parses `100upeg,5uatom` (sorted and checked).
pub fn parse_coins(text: &str) -> Result<Coins, NodeError> {
    let coins = text.split(',').map(parse_coin).collect::<Result<Vec<_>, _>>()?;
    Ok(Coins::from_unsorted(coins)?)
}

fn parse_address(text: &str) -> Result<AccAddress, NodeError> {
    Ok(AccAddress::from_bech32(text)?)
}

fn query_json<T: DeserializeOwned>(client: &RpcClient, path: &str) -> Result<T, NodeError> {
    let answer = client.abci_query(path)?;
    serde_json::from_slice(&answer.value).map_err(|e| NodeError::Json {
        path: PathBuf::from(format!("abci_query {path}")),
        reason: e.to_string(),
    })
}

fn print<T: Serialize>(
    value: &T,
    output: OutputFormat,
    text: impl FnOnce(&T),
) -> Result<(), NodeError> {
    match output {
        OutputFormat::Json => print_json(value),
        OutputFormat::Text => {
            text(value);
            Ok(())
        }
    }
}

/// Runs `pegd query …`.
pub fn run_query(args: &QueryArgs) -> Result<(), NodeError> {
    let client = args.node.client()?;
    let output = args.node.output;
    match &args.command {
        QueryCommand::Account { address } => {
            let address = parse_address(address)?;
            let view: AccountView = query_json(&client, &format!("/account/{address}"))?;
            print(&view, output, |v| {
                println!(
                    "{} account_number {} sequence {}",
                    v.address, v.account_number, v.sequence
                )
            })
        }
        QueryCommand::Balances { address } => {
            let address = parse_address(address)?;
            let view: BalancesView = query_json(&client, &format!("/balances/{address}"))?;
            print(&view, output, |v| {
                for coin in &v.balances {
                    println!("{}{}", coin.amount, coin.denom);
                }
            })
        }
        QueryCommand::Validators => {
            let view: Vec<ValidatorView> = query_json(&client, "/validators")?;
            print(&view, output, |v| {
                for val in v {
                    println!(
                        "{}\tpower {}\tbonded {}\t{}",
                        val.validator, val.power, val.bonded, val.moniker
                    );
                }
            })
        }
        QueryCommand::EthAddresses => {
            let view: Vec<EthView> = query_json(&client, "/eth-addresses")?;
            print(&view, output, |v| {
                for e in v {
                    println!("{}\t{}", e.validator, e.eth_address);
                }
            })
        }
        QueryCommand::Eth(command) => run_eth_query(&client, output, command),
        QueryCommand::Bridge(command) => super::bridge::run_query(&client, output, command),
    }
}

fn run_eth_query(
    client: &RpcClient,
    output: OutputFormat,
    command: &EthQueryCommand,
) -> Result<(), NodeError> {
    match command {
        EthQueryCommand::Client => {
            let view: ClientView = query_json(client, "/eth/client")?;
            print(&view, output, |v| match &v.status {
                None => println!("the Ethereum module is not enabled"),
                Some(s) => {
                    println!("network {} ({} preset), fork {}", s.network, s.preset, s.fork);
                    println!(
                        "finalized slot {} ({}), optimistic slot {}, current slot {}",
                        s.finalized_slot, s.finalized_block_root, s.optimistic_slot, s.current_slot
                    );
                    if let Some(block) = &s.finalized_execution {
                        println!(
                            "finalized execution block {} 0x{}",
                            block.number,
                            hex::encode(block.hash)
                        );
                    }
                    println!(
                        "sync committee period {}, next committee known: {}",
                        s.sync_committee_period, s.next_sync_committee_known
                    );
                    println!(
                        "trusted ring: {} entries ({:?} to {:?})",
                        s.trusted.len, s.trusted.oldest, s.trusted.newest
                    );
                    println!(
                        "bridge {} (id {}), next event nonce {}",
                        s.bridge_contract, s.bridge_id, s.next_event_nonce
                    );
                }
            })
        }
        EthQueryCommand::Events { from } => {
            let view: Vec<EventRecord> = query_json(client, &format!("/eth/events/{from}"))?;
            print(&view, output, |v| {
                for e in v {
                    println!("{}\t{}\tblock {}\t{}", e.nonce, e.kind, e.block_number, e.result);
                }
            })
        }
        EthQueryCommand::Vouchers => {
            let view: Vec<VoucherView> = query_json(client, "/eth/vouchers")?;
            print(&view, output, |v| {
                for e in v {
                    println!("{}\t{}", e.denom, e.supply);
                }
            })
        }
        EthQueryCommand::Governance => {
            let answer = client.abci_query("/eth/governance")?;
            let view: Vec<ProposalView> =
                serde_json::from_slice(&answer.value).map_err(|e| NodeError::Json {
                    path: PathBuf::from("abci_query /eth/governance"),
                    reason: e.to_string(),
                })?;
            // A vote counts in a block at most `expires_at_height`; the next block is height + 1.
            let next_height = answer.height.saturating_add(1);
            print(&view, output, |v| {
                if v.is_empty() {
                    println!("no open proposal");
                }
                for p in v {
                    let what = match &p.action {
                        ActionSummary::ResetCheckpoint {
                            fork, trusted_block_root, slot, ..
                        } => {
                            let slot = slot.map_or("?".to_owned(), |s| s.to_string());
                            format!("reset_checkpoint {trusted_block_root} ({fork}, slot {slot})")
                        }
                        ActionSummary::SetForkSchedule { forks } => {
                            let forks: Vec<String> = forks
                                .iter()
                                .map(|f| format!("{}:{}:{}", f.name, f.version, f.epoch))
                                .collect();
                            format!("set_fork_schedule {}", forks.join(" "))
                        }
                    };
                    let state = if p.expires_at_height < next_height { " (expired)" } else { "" };
                    println!("{}\t{what}", p.id);
                    println!(
                        "\tpower {} of {} (applies at {}), {} voter(s), open until height {}{state}",
                        p.power,
                        p.total_power,
                        p.threshold,
                        p.voters.len(),
                        p.expires_at_height
                    );
                    for voter in &p.voters {
                        println!("\t  {voter}");
                    }
                }
            })
        }
        EthQueryCommand::Tokens => {
            let view: Vec<TokenView> = query_json(client, "/eth/tokens")?;
            print(&view, output, |v| {
                for e in v {
                    println!("{}\t{}\tescrowed {}", e.denom, e.token, e.escrowed);
                }
            })
        }
    }
}

/// What `pegd tx` prints.
#[derive(Debug, Serialize)]
struct BroadcastReport {
    hash: String,
    code: u64,
    codespace: String,
    log: String,
    /// The gas limit signed.
    gas: u64,
    /// The fee paid.
    fee: String,
    /// For governance votes: what was voted for (id, root, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<serde_json::Value>,
}

/// The chain's parameters, from the state key `params` (the fee rule needs them).
fn chain_params(client: &RpcClient) -> Result<peg_app::Params, NodeError> {
    let answer = client.abci_query(&format!("/store/{}", hex::encode(b"params")))?;
    peg_app::Params::decode(&answer.value)
        .map_err(|e| NodeError::App { reason: format!("stored params: {e}") })
}

/// Runs `pegd tx …`: signs with a key of `--home`'s key ring (account number and sequence from
/// the node), broadcasts with `broadcast_tx_sync`, fails unless CheckTx accepted it.
pub fn run_tx(args: &TxArgs) -> Result<(), NodeError> {
    let client = args.node.client()?;
    let home = args.node.home.clone().unwrap_or_else(|| PathBuf::from("."));
    let ring = Keyring::in_home(&home);
    let chain_id = client.chain_id()?;
    let mut action_report = None;
    let (key, msg) = match &args.command {
        TxCommand::Bank(BankCommand::Send { from, to, amount }) => {
            let key = ring.load(from)?;
            let msg = Msg::Send(MsgSend {
                from_address: key.address(),
                to_address: parse_address(to)?,
                amount: parse_coins(amount)?,
            });
            (key, msg)
        }
        TxCommand::Staking(StakingCommand::CreateValidator {
            from,
            consensus_pubkey,
            amount,
            moniker,
        }) => {
            let key = ring.load(from)?;
            let msg = Msg::CreateValidator(MsgCreateValidator {
                operator_address: key.address(),
                consensus_pubkey: parse_consensus_pubkey(consensus_pubkey)?,
                self_bond: parse_coin(amount)?,
                moniker: moniker.clone(),
            });
            (key, msg)
        }
        TxCommand::Staking(StakingCommand::Bond { from, amount }) => {
            let key = ring.load(from)?;
            let msg = Msg::Bond(MsgBondUnbond {
                operator_address: key.address(),
                amount: parse_coin(amount)?,
            });
            (key, msg)
        }
        TxCommand::Staking(StakingCommand::Unbond { from, amount }) => {
            let key = ring.load(from)?;
            let msg = Msg::Unbond(MsgBondUnbond {
                operator_address: key.address(),
                amount: parse_coin(amount)?,
            });
            (key, msg)
        }
        TxCommand::Bridge(command) => {
            let key = ring.load(command.from())?;
            let msg = command.build_msg(key.address())?;
            (key, msg)
        }
        TxCommand::Eth(EthTxCommand::RegisterAddress { from, eth_key }) => {
            let key = ring.load(from)?;
            let eth = ring.load(eth_key)?;
            let operator = key.address();
            let msg = Msg::RegisterEthAddress(MsgRegisterEthAddress {
                operator_address: operator,
                eth_address: EthAddress::from_verifying_key(eth.signing_key.verifying_key()),
                signature: sign_eth_pop(&eth.signing_key, &chain_id, &operator)?,
            });
            (key, msg)
        }
        TxCommand::Eth(EthTxCommand::ResetCheckpoint {
            from,
            beacon_api,
            bootstrap,
            block_root,
        }) => {
            let key = ring.load(from)?;
            let config = eth_gov::chain_eth_config(&client)?;
            let source = match (beacon_api, bootstrap) {
                (_, Some(path)) => eth_gov::BootstrapSource::File { path, block_root },
                (Some(url), None) => eth_gov::BootstrapSource::BeaconApi { url, block_root },
                (None, None) => {
                    return Err(NodeError::InvalidArgument {
                        name: "--beacon-api",
                        reason: "give --beacon-api URL or --bootstrap FILE.json".into(),
                    })
                }
            };
            let (action, plan) = eth_gov::reset_checkpoint_action(&config, &source)?;
            action_report = serde_json::to_value(&plan).ok();
            (key.clone(), eth_gov::governance_msg(key.address(), action))
        }
        TxCommand::Eth(EthTxCommand::SetForkSchedule { from, forks }) => {
            let key = ring.load(from)?;
            let config = eth_gov::chain_eth_config(&client)?;
            let action = eth_gov::fork_schedule_action(&config, forks)?;
            action_report = Some(serde_json::json!({
                "id": format!("0x{}", hex::encode(action.id())),
                "forks": forks,
            }));
            (key.clone(), eth_gov::governance_msg(key.address(), action))
        }
    };
    let gas = args.gas.unwrap_or_else(|| peg_tx::required_gas(std::slice::from_ref(&msg)));
    let fees = match &args.fees {
        Some(text) => parse_coins(text)?,
        None => {
            let params = chain_params(&client)?;
            Coins::from_unsorted(vec![Coin::new(&params.denom, params.required_fee(gas))?])?
        }
    };
    let fee_text = fees
        .as_slice()
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",");
    let account: AccountView = query_json(&client, &format!("/account/{}", key.address()))?;
    let sequence = args.sequence.unwrap_or(account.sequence);
    let signed = TxBuilder::new(chain_id, account.account_number, sequence)
        .message(msg)
        .fee(fees)
        .gas_limit(gas)
        .memo(args.memo.clone())
        .sign(&key.signing_key)?;
    let result = client.broadcast_tx_sync(&signed.bytes)?;
    let report = BroadcastReport {
        hash: hex::encode_upper(signed.hash),
        code: result["code"].as_u64().unwrap_or(0),
        codespace: result["codespace"].as_str().unwrap_or_default().to_owned(),
        log: result["log"].as_str().unwrap_or_default().to_owned(),
        gas,
        fee: fee_text,
        action: action_report,
    };
    if report.code != 0 {
        return Err(NodeError::TxRefused {
            hash: report.hash,
            code: report.code,
            codespace: report.codespace,
            log: report.log,
        });
    }
    print(&report, args.node.output, |r| {
        println!("accepted {} (gas {}, fee {})", r.hash, r.gas, r.fee);
        if let Some(action) = &r.action {
            println!("voted for {action}");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coins_parse() -> Result<(), NodeError> {
        let coin = parse_coin("100upeg")?;
        assert_eq!((coin.denom.as_str(), coin.amount), ("upeg", 100));
        let coins = parse_coins("5uzzz,7upeg")?;
        assert_eq!(coins.amount_of("upeg"), 7);
        assert_eq!(coins.amount_of("uzzz"), 5);
        for bad in [
            "upeg",
            "100",
            "01upeg",
            "-1upeg",
            "1u",
            "999999999999999999999999999999999999999999upeg",
        ] {
            assert!(parse_coin(bad).is_err(), "{bad}");
        }
        assert!(parse_coins("1upeg,2upeg").is_err());
        Ok(())
    }

    #[test]
    fn consensus_pubkey_hex_or_base64() -> Result<(), NodeError> {
        assert_eq!(parse_consensus_pubkey(&"01".repeat(32))?, [1u8; 32]);
        assert_eq!(
            parse_consensus_pubkey("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")?,
            [1u8; 32]
        );
        assert!(parse_consensus_pubkey(&"01".repeat(31)).is_err());
        assert!(parse_consensus_pubkey("not a key").is_err());
        Ok(())
    }
}
