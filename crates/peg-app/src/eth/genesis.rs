//! `app_state.eth` and `app_state.eth_addresses` (`specs/eth-module.md` §5).

use light_client::config::ChainConfig;
use light_client::execution::{Address, B256};
use peg_tx::{validate_denom, AccAddress};
use peg_types::EthAddress;
use serde::{Deserialize, Serialize};

use super::client::{AnyStore, PresetKind};
use crate::error::AppError;

/// The followed Ethereum network: a built-in one or a consensus `config.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NetworkSpec {
    /// `{"builtin": "mainnet" | "sepolia" | "hoodi"}` (mainnet preset).
    Builtin {
        /// The network's name.
        builtin: String,
    },
    /// `{"config_yaml": "<text>", "preset": "minimal" | "mainnet"}`.
    Yaml {
        /// The text of a consensus-spec `config.yaml`.
        config_yaml: String,
        /// The preset the network runs.
        preset: String,
    },
}

/// Metadata of a native denom, as its CosmosERC20 must carry it on Ethereum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NativeDenom {
    /// The peg zone denom (`upeg`).
    pub denom: String,
    /// ERC-20 name.
    pub name: String,
    /// ERC-20 symbol.
    pub symbol: String,
    /// ERC-20 decimals.
    pub decimals: u8,
}

/// `app_state.eth`, as written by `pegd eth genesis`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EthGenesis {
    /// The network.
    pub network: NetworkSpec,
    /// Beacon genesis time, unix seconds.
    pub genesis_time: u64,
    /// `0x…`, 32 bytes.
    pub genesis_validators_root: String,
    /// `0x…`, `hash_tree_root(bootstrap.header.beacon)`.
    pub trusted_block_root: String,
    /// Beacon-API JSON of the bootstrap (`{"version": fork, "data": …}`).
    pub bootstrap: serde_json::Value,
    /// The PegBridge contract, `0x…`.
    pub bridge_contract: String,
    /// The bridge's EIP-712 salt, `0x…` 32 bytes.
    pub bridge_id: String,
    /// The Ethereum chain id (`eth_chainId`, the contract's `block.chainid`): part of the
    /// EIP-712 domain of every checkpoint (`specs/bridge-module.md` §1).
    pub eth_chain_id: u64,
    /// The first event nonce the zone expects (decimal string).
    pub next_event_nonce: String,
    /// Bound of the trusted ring of finalized execution blocks.
    pub trusted_ring_size: u32,
    /// Native denoms that may be adopted as CosmosERC20s.
    pub native_denoms: Vec<NativeDenom>,
    /// Blocks a governance proposal stays open.
    pub governance_voting_period: u64,
}

/// A genesis Ethereum key registration (trusted like the rest of genesis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisEthAddress {
    /// The validator operator, `peg1…`.
    pub operator: String,
    /// `0x…`.
    pub eth_address: String,
}

/// Largest trusted ring accepted.
pub const MAX_TRUSTED_RING_SIZE: u32 = 65_536;

/// The module's stored configuration (`eth/config`, JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EthConfig {
    /// A label: the built-in name or the config's `CONFIG_NAME`.
    pub network: String,
    /// The preset.
    pub preset: PresetKind,
    /// Fork schedule, genesis time, seconds per slot, genesis validators root.
    pub chain: ChainConfig,
    /// The PegBridge contract.
    pub bridge_contract: Address,
    /// The bridge's EIP-712 salt.
    pub bridge_id: B256,
    /// The Ethereum chain id of the EIP-712 domain.
    pub chain_id: u64,
    /// Ring bound.
    pub trusted_ring_size: u32,
    /// Adoptable native denoms.
    pub native_denoms: Vec<NativeDenom>,
    /// Governance voting period, blocks.
    pub governance_voting_period: u64,
}

/// A checked `app_state.eth`: the configuration and the bootstrapped store.
#[derive(Debug, Clone)]
pub struct CheckedEth {
    /// The configuration.
    pub config: EthConfig,
    /// The light-client store initialized from the bootstrap.
    pub store: AnyStore,
    /// The first event nonce expected.
    pub next_event_nonce: u64,
}

fn g(message: String) -> AppError {
    AppError::Genesis(format!("app_state.eth: {message}"))
}

/// Parses `0x` + 64 hex digits.
pub fn parse_b256(field: &str, text: &str) -> Result<B256, AppError> {
    let digits = text.strip_prefix("0x").ok_or_else(|| g(format!("{field} lacks 0x")))?;
    let bytes = hex::decode(digits).map_err(|e| g(format!("{field}: {e}")))?;
    let array: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| g(format!("{field} is {} bytes, expected 32", bytes.len())))?;
    Ok(B256::from(array))
}

/// Parses `0x` + 40 hex digits.
pub fn parse_address(field: &str, text: &str) -> Result<Address, AppError> {
    let digits = text.strip_prefix("0x").ok_or_else(|| g(format!("{field} lacks 0x")))?;
    let bytes = hex::decode(digits).map_err(|e| g(format!("{field}: {e}")))?;
    let array: [u8; 20] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| g(format!("{field} is {} bytes, expected 20", bytes.len())))?;
    Ok(Address::from(array))
}

impl EthGenesis {
    /// Checks every field, builds the network configuration and initializes the light client
    /// from the bootstrap and the trusted root (the chain refuses to start on a bad bootstrap).
    pub fn check(&self) -> Result<CheckedEth, AppError> {
        let gvr = parse_b256("genesis_validators_root", &self.genesis_validators_root)?;
        let (network, preset, mut chain) = match &self.network {
            NetworkSpec::Builtin { builtin } => {
                let chain = ChainConfig::by_name(builtin)
                    .ok_or_else(|| g(format!("unknown built-in network {builtin:?}")))?;
                if chain.genesis_validators_root != gvr {
                    return Err(g(format!(
                        "genesis_validators_root {gvr} differs from {builtin}'s {}",
                        chain.genesis_validators_root
                    )));
                }
                if chain.genesis_time != self.genesis_time {
                    return Err(g(format!(
                        "genesis_time {} differs from {builtin}'s {}",
                        self.genesis_time, chain.genesis_time
                    )));
                }
                (builtin.clone(), PresetKind::Mainnet, chain)
            }
            NetworkSpec::Yaml { config_yaml, preset } => {
                let preset = PresetKind::parse(preset).ok_or_else(|| {
                    g(format!("preset {preset:?} is neither minimal nor mainnet"))
                })?;
                let chain = ChainConfig::from_yaml_str(config_yaml, Some(gvr))
                    .map_err(|e| g(format!("config_yaml: {e}")))?;
                if !chain.preset_base.is_empty() && chain.preset_base != preset.as_str() {
                    return Err(g(format!(
                        "config_yaml has PRESET_BASE {:?}, genesis says {:?}",
                        chain.preset_base,
                        preset.as_str()
                    )));
                }
                (chain.name.clone(), preset, chain)
            }
        };
        chain.genesis_time = self.genesis_time;
        chain.genesis_validators_root = gvr;
        chain.validate().map_err(|e| g(e.to_string()))?;
        if chain.seconds_per_slot == 0 {
            return Err(g("SECONDS_PER_SLOT is 0".into()));
        }
        let root = parse_b256("trusted_block_root", &self.trusted_block_root)?;
        let bootstrap_text =
            serde_json::to_string(&self.bootstrap).map_err(|e| g(format!("bootstrap: {e}")))?;
        let store = AnyStore::bootstrap_json(preset, &chain, &bootstrap_text, root.0)
            .map_err(|e| g(format!("bootstrap refused: {e}")))?;
        let bridge_contract = parse_address("bridge_contract", &self.bridge_contract)?;
        if bridge_contract.is_zero() {
            return Err(g("bridge_contract is the zero address".into()));
        }
        let bridge_id = parse_b256("bridge_id", &self.bridge_id)?;
        if self.eth_chain_id == 0 {
            return Err(g("eth_chain_id must be positive".into()));
        }
        let next_event_nonce: u64 =
            self.next_event_nonce.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                g(format!("next_event_nonce {:?} is not a positive integer", self.next_event_nonce))
            })?;
        if self.trusted_ring_size == 0 || self.trusted_ring_size > MAX_TRUSTED_RING_SIZE {
            return Err(g(format!(
                "trusted_ring_size {} must be 1 to {MAX_TRUSTED_RING_SIZE}",
                self.trusted_ring_size
            )));
        }
        if self.governance_voting_period == 0 {
            return Err(g("governance_voting_period must be positive".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for native in &self.native_denoms {
            validate_denom(&native.denom).map_err(|e| g(e.to_string()))?;
            if !seen.insert(native.denom.clone()) {
                return Err(g(format!("native denom {} listed twice", native.denom)));
            }
            if native.name.is_empty() || native.symbol.is_empty() {
                return Err(g(format!("native denom {} needs a name and a symbol", native.denom)));
            }
        }
        Ok(CheckedEth {
            config: EthConfig {
                network,
                preset,
                chain,
                bridge_contract,
                bridge_id,
                chain_id: self.eth_chain_id,
                trusted_ring_size: self.trusted_ring_size,
                native_denoms: self.native_denoms.clone(),
                governance_voting_period: self.governance_voting_period,
            },
            store,
            next_event_nonce,
        })
    }
}

impl GenesisEthAddress {
    /// The typed registration.
    pub fn check(&self) -> Result<(AccAddress, EthAddress), AppError> {
        let operator: AccAddress = self
            .operator
            .parse()
            .map_err(|e: peg_tx::TxError| AppError::Genesis(format!("eth_addresses: {e}")))?;
        let address = parse_address("eth_addresses.eth_address", &self.eth_address)?;
        let eth = EthAddress::new(address.0 .0);
        if eth.is_zero() {
            return Err(AppError::Genesis(format!(
                "eth_addresses: {} registers the zero address",
                self.operator
            )));
        }
        Ok((operator, eth))
    }
}
