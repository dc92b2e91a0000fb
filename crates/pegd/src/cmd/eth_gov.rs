//! `pegd tx eth reset-checkpoint` and `pegd tx eth set-fork-schedule`: the validators' votes
//! of `MsgEthGovernance` (specs/eth-module.md §7), checked locally against the chain's own
//! stored configuration before anything is signed.
//!
//! The reset's bootstrap comes from a beacon node (`--beacon-api`, with `--block-root
//! head|finalized|0x…`) or from a file (`--bootstrap FILE.json`, the beacon-API JSON, with the
//! trusted `--block-root 0x…`). It is re-encoded as the SSZ container the zone decodes and a
//! light-client store is initialized from it with `peg_app`'s own code and the chain's
//! configuration (read from the state key `eth/config`), so a vote the chain would refuse is
//! never sent.

use std::path::{Path, PathBuf};

use alloy_primitives::B256;
use peg_app::eth::client::AnyStore;
use peg_app::eth::genesis::EthConfig;
use peg_tx::{AccAddress, EthGovernanceAction, ForkEpoch, ALL_FORKS};
use serde::Serialize;

use super::beacon::{block_root_by_id, encode_bootstrap, Beacon, BeaconError};
use crate::rpc::RpcClient;

/// The state key of the Ethereum module's configuration.
const KEY_ETH_CONFIG: &[u8] = b"eth/config";

/// Why a governance vote was not built.
#[derive(Debug, thiserror::Error)]
pub enum EthGovError {
    /// The chain does not run the Ethereum module.
    #[error("the Ethereum module is not enabled on this chain")]
    Disabled,
    /// The chain's stored configuration is unreadable.
    #[error("the chain's eth/config: {0}")]
    Config(String),
    /// A beacon API exchange failed.
    #[error(transparent)]
    Beacon(#[from] BeaconError),
    /// The bootstrap file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bootstrap is unusable.
    #[error("bootstrap: {0}")]
    Bootstrap(String),
    /// The bootstrap does not start a light client on this chain: the chain would refuse the reset.
    #[error("the chain would refuse this checkpoint: {0}")]
    Refused(String),
    /// A `--fork` entry is malformed or the schedule is invalid.
    #[error("fork schedule: {0}")]
    Schedule(String),
    /// The async runtime could not start.
    #[error("async runtime: {0}")]
    Runtime(String),
    /// The CometBFT RPC failed.
    #[error(transparent)]
    Rpc(#[from] crate::rpc::RpcError),
}

/// Where the reset's bootstrap comes from.
#[derive(Debug, Clone)]
pub enum BootstrapSource<'a> {
    /// A beacon node and `head`, `finalized` or `0x…`.
    BeaconApi {
        /// The REST API base URL.
        url: &'a str,
        /// `head`, `finalized` or a `0x` block root.
        block_root: &'a str,
    },
    /// A beacon-API JSON file and the trusted root it must match.
    File {
        /// The file.
        path: &'a Path,
        /// `0x` block root.
        block_root: &'a str,
    },
}

/// What a reset vote carries, printed before it is sent.
#[derive(Debug, Clone, Serialize)]
pub struct ResetPlan {
    /// The action id (`sha256` of its protobuf encoding), `0x…`: every validator must vote for
    /// the same one.
    pub id: String,
    /// The trusted block root.
    pub trusted_block_root: B256,
    /// Fork of the bootstrap container.
    pub fork: String,
    /// Slot of the bootstrap header.
    pub slot: u64,
    /// Sync-committee period of the new store.
    pub sync_committee_period: u64,
    /// Execution block of the checkpoint (`null` from Gloas on).
    pub execution_block_number: Option<u64>,
    /// Its hash, when the header carries it.
    pub execution_block_hash: Option<String>,
    /// SSZ size of the bootstrap.
    pub bootstrap_bytes: usize,
}

/// The chain's stored Ethereum configuration (`/store/<hex "eth/config">`).
pub fn chain_eth_config(client: &RpcClient) -> Result<EthConfig, EthGovError> {
    let answer = client.abci_query(&format!("/store/{}", hex::encode(KEY_ETH_CONFIG)))?;
    if answer.value.is_empty() {
        return Err(EthGovError::Disabled);
    }
    serde_json::from_slice(&answer.value).map_err(|e| EthGovError::Config(e.to_string()))
}

fn parse_root(text: &str) -> Result<B256, EthGovError> {
    text.trim().parse::<B256>().map_err(|e| {
        EthGovError::Bootstrap(format!(
            "--block-root {text:?} is not a 0x-prefixed 32-byte root: {e}"
        ))
    })
}

/// Builds and checks a `ResetCheckpoint` action against `config`.
pub fn reset_checkpoint_action(
    config: &EthConfig,
    source: &BootstrapSource<'_>,
) -> Result<(EthGovernanceAction, ResetPlan), EthGovError> {
    let (root, text) = match source {
        BootstrapSource::File { path, block_root } => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| EthGovError::Read { path: path.to_path_buf(), source })?;
            (parse_root(block_root)?, text)
        }
        BootstrapSource::BeaconApi { url, block_root } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| EthGovError::Runtime(e.to_string()))?;
            runtime.block_on(async {
                let beacon = Beacon::new(url)?;
                let root = match *block_root {
                    "head" | "finalized" => block_root_by_id(&beacon, block_root, &config.chain)
                        .await
                        .map_err(EthGovError::from)?,
                    text => parse_root(text)?,
                };
                let text = beacon.bootstrap(root).await?;
                Ok::<_, EthGovError>((root, text))
            })?
        }
    };
    let encoded =
        encode_bootstrap(config.preset.as_str(), &text).map_err(EthGovError::Bootstrap)?;
    if encoded.header_root != root {
        return Err(EthGovError::Refused(format!(
            "the bootstrap's header has root {}, not the trusted {root}",
            encoded.header_root
        )));
    }
    // The very initialization the zone runs when the action applies.
    let store =
        AnyStore::bootstrap_ssz(config.preset, &config.chain, encoded.fork, &encoded.ssz, root.0)
            .map_err(|e| EthGovError::Refused(e.to_string()))?;
    let (number, hash) = match &store {
        AnyStore::Mainnet(s) => {
            (s.finalized_execution_block_number(), s.finalized_execution_block_hash())
        }
        AnyStore::Minimal(s) => {
            (s.finalized_execution_block_number(), s.finalized_execution_block_hash())
        }
    };
    let action = EthGovernanceAction::ResetCheckpoint {
        fork: encoded.fork.as_str().to_owned(),
        bootstrap_ssz: encoded.ssz.clone(),
        trusted_block_root: root.0,
    };
    let plan = ResetPlan {
        id: format!("0x{}", hex::encode(action.id())),
        trusted_block_root: root,
        fork: encoded.fork.as_str().to_owned(),
        slot: encoded.slot,
        sync_committee_period: store.sync_committee_period(),
        execution_block_number: number,
        execution_block_hash: hash.map(|h| h.to_string()),
        bootstrap_bytes: encoded.ssz.len(),
    };
    Ok((action, plan))
}

/// Parses `name:0xVERSION:EPOCH` (`EPOCH` decimal, or `never` for an unscheduled fork).
pub fn parse_fork(text: &str) -> Result<ForkEpoch, EthGovError> {
    let bad = |reason: String| EthGovError::Schedule(format!("{text:?}: {reason}"));
    let mut parts = text.split(':');
    let (Some(name), Some(version), Some(epoch), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("expected name:0xVERSION:EPOCH, e.g. electra:0x05000001:10".into()));
    };
    let name = name.trim().to_ascii_lowercase();
    if !ALL_FORKS.contains(&name.as_str()) {
        return Err(bad(format!("unknown fork {name:?} (one of {})", ALL_FORKS.join(", "))));
    }
    let digits = version.trim().strip_prefix("0x").ok_or_else(|| bad("version lacks 0x".into()))?;
    let bytes = hex::decode(digits).map_err(|e| bad(format!("version: {e}")))?;
    let version: [u8; 4] =
        bytes.as_slice().try_into().map_err(|_| bad("version must be 4 bytes".into()))?;
    let epoch = match epoch.trim() {
        "never" => u64::MAX,
        digits => digits.parse().map_err(|_| bad(format!("epoch {digits:?} is not a u64")))?,
    };
    Ok(ForkEpoch { name, version, epoch })
}

/// Builds a `SetForkSchedule` action and checks that the chain's configuration with it is a
/// valid schedule (the check the zone runs when it applies).
pub fn fork_schedule_action(
    config: &EthConfig,
    forks: &[String],
) -> Result<EthGovernanceAction, EthGovError> {
    let forks = forks.iter().map(|f| parse_fork(f)).collect::<Result<Vec<_>, _>>()?;
    if forks.is_empty() {
        return Err(EthGovError::Schedule("give at least one --fork".into()));
    }
    let mut chain = config.chain.clone();
    for (i, fork) in forks.iter().enumerate() {
        if forks[..i].iter().any(|f| f.name == fork.name) {
            return Err(EthGovError::Schedule(format!("fork {} listed twice", fork.name)));
        }
        let name: light_client::config::ForkName =
            fork.name.parse().map_err(|e| EthGovError::Schedule(format!("{e}")))?;
        let index = light_client::config::ForkName::ALL
            .iter()
            .position(|f| *f == name)
            .ok_or_else(|| EthGovError::Schedule(format!("unknown fork {name}")))?;
        let entry = chain
            .forks
            .get_mut(index)
            .ok_or_else(|| EthGovError::Schedule(format!("the chain has no slot for {name}")))?;
        entry.version = fork.version.into();
        entry.epoch = fork.epoch;
    }
    chain
        .validate()
        .map_err(|e| EthGovError::Refused(format!("the schedule would be invalid: {e}")))?;
    Ok(EthGovernanceAction::SetForkSchedule { forks })
}

/// The `MsgEthGovernance` of `operator`.
pub fn governance_msg(operator: AccAddress, action: EthGovernanceAction) -> peg_tx::Msg {
    peg_tx::Msg::EthGovernance(peg_tx::MsgEthGovernance { operator, action })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fork_entries_parse_or_are_refused() -> Result<(), EthGovError> {
        let f = parse_fork("Electra:0x05000001:10")?;
        assert_eq!((f.name.as_str(), f.version, f.epoch), ("electra", [5, 0, 0, 1], 10));
        assert_eq!(parse_fork("gloas:0x07000001:never")?.epoch, u64::MAX);
        for bad in [
            "electra",
            "electra:0x05000001",
            "electra:05000001:1",
            "electra:0x050000:1",
            "electra:0x05000001:-1",
            "merge:0x05000001:1",
            "electra:0x05000001:1:2",
        ] {
            assert!(parse_fork(bad).is_err(), "{bad}");
        }
        Ok(())
    }
}
