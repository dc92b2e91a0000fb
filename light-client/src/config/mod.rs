//! Network configurations: fork schedule (epochs and versions), genesis time and genesis
//! validators root, for mainnet, sepolia and hoodi, and loading of a consensus-spec `config.yaml`.
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/configs/mainnet.yaml>.

mod networks;
mod yaml;

use core::fmt;
use core::str::FromStr;

use alloy_primitives::{FixedBytes, B256};
use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::preset::{compute_epoch_at_slot, Preset};

/// A 4-byte fork version.
pub type Version = FixedBytes<4>;

/// `FAR_FUTURE_EPOCH`: a fork that is not scheduled.
pub const FAR_FUTURE_EPOCH: u64 = u64::MAX;

/// The consensus forks, in activation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForkName {
    /// Genesis fork (no light-client data exists for it).
    Phase0,
    /// Sync committees, light-client protocol.
    Altair,
    /// The merge (light-client data unchanged from Altair).
    Bellatrix,
    /// `LightClientHeader` gains the execution payload header and its branch.
    Capella,
    /// Execution payload header gains blob gas fields.
    Deneb,
    /// `BeaconState` deepens: finality 169, committees 86/87.
    Electra,
    /// Same light-client data as Electra.
    Fulu,
    /// EIP-7688 progressive containers and EIP-7732 ePBS: indices move again, execution block hash only.
    Gloas,
}

impl ForkName {
    /// Every fork, in activation order.
    pub const ALL: [ForkName; 8] = [
        ForkName::Phase0,
        ForkName::Altair,
        ForkName::Bellatrix,
        ForkName::Capella,
        ForkName::Deneb,
        ForkName::Electra,
        ForkName::Fulu,
        ForkName::Gloas,
    ];

    /// Lower-case name as used by the beacon API `version` field and the spec-test tree.
    pub fn as_str(self) -> &'static str {
        match self {
            ForkName::Phase0 => "phase0",
            ForkName::Altair => "altair",
            ForkName::Bellatrix => "bellatrix",
            ForkName::Capella => "capella",
            ForkName::Deneb => "deneb",
            ForkName::Electra => "electra",
            ForkName::Fulu => "fulu",
            ForkName::Gloas => "gloas",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Upper-case prefix of this fork's keys in `config.yaml` (`ALTAIR_FORK_EPOCH`); genesis uses `GENESIS`.
    fn config_prefix(self) -> &'static str {
        match self {
            ForkName::Phase0 => "GENESIS",
            ForkName::Altair => "ALTAIR",
            ForkName::Bellatrix => "BELLATRIX",
            ForkName::Capella => "CAPELLA",
            ForkName::Deneb => "DENEB",
            ForkName::Electra => "ELECTRA",
            ForkName::Fulu => "FULU",
            ForkName::Gloas => "GLOAS",
        }
    }
}

impl fmt::Display for ForkName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ForkName {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ForkName::ALL
            .into_iter()
            .find(|fork| fork.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ConfigError::UnknownFork { got: s.to_owned() })
    }
}

/// One entry of the fork schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkSchedule {
    /// Fork version (`*_FORK_VERSION`).
    pub version: Version,
    /// Activation epoch (`*_FORK_EPOCH`); [`FAR_FUTURE_EPOCH`] when not scheduled.
    pub epoch: u64,
}

/// A network's chain configuration as far as the light client needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// `CONFIG_NAME` (`mainnet`, `sepolia`, `hoodi`, a devnet name).
    pub name: String,
    /// `PRESET_BASE` (`mainnet` or `minimal`).
    pub preset_base: String,
    /// Genesis time (unix seconds). Informational: the pure core never reads a clock.
    pub genesis_time: u64,
    /// `SECONDS_PER_SLOT`.
    pub seconds_per_slot: u64,
    /// `genesis_validators_root`, part of every signing domain.
    pub genesis_validators_root: B256,
    /// Fork schedule indexed by [`ForkName`] (phase0 first).
    pub forks: [ForkSchedule; 8],
}

impl ChainConfig {
    /// Ethereum mainnet.
    pub fn mainnet() -> Self {
        networks::mainnet()
    }

    /// The Sepolia testnet.
    pub fn sepolia() -> Self {
        networks::sepolia()
    }

    /// The Hoodi testnet.
    pub fn hoodi() -> Self {
        networks::hoodi()
    }

    /// A built-in network by name (`mainnet`, `sepolia`, `hoodi`).
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "mainnet" => Some(Self::mainnet()),
            "sepolia" => Some(Self::sepolia()),
            "hoodi" => Some(Self::hoodi()),
            _ => None,
        }
    }

    /// Parses a consensus-spec `config.yaml` (devnets, spec tests, eth-clients network configs).
    ///
    /// `config.yaml` does not carry the genesis validators root (it comes from the genesis state):
    /// pass it here, or put a `GENESIS_VALIDATORS_ROOT` key in the file. Missing forks are
    /// unscheduled ([`FAR_FUTURE_EPOCH`]); the schedule must be non-decreasing.
    pub fn from_yaml_str(
        text: &str,
        genesis_validators_root: Option<B256>,
    ) -> Result<Self, ConfigError> {
        yaml::parse(text, genesis_validators_root)
    }

    /// The schedule entry of `fork`.
    pub fn fork(&self, fork: ForkName) -> ForkSchedule {
        // `forks` has exactly one entry per `ForkName` variant.
        self.forks[fork.index()]
    }

    /// `compute_fork_version(epoch)` as a fork name: the latest fork active at `epoch`.
    pub fn fork_at_epoch(&self, epoch: u64) -> ForkName {
        ForkName::ALL
            .into_iter()
            .rev()
            .find(|fork| self.fork(*fork).epoch <= epoch)
            .unwrap_or(ForkName::Phase0)
    }

    /// The fork active at `slot`.
    pub fn fork_at_slot<P: Preset>(&self, slot: u64) -> ForkName {
        self.fork_at_epoch(compute_epoch_at_slot::<P>(slot))
    }

    /// `compute_fork_version(epoch)`.
    pub fn fork_version_at_epoch(&self, epoch: u64) -> Version {
        self.fork(self.fork_at_epoch(epoch)).version
    }

    /// `compute_fork_digest(fork_version, genesis_validators_root)` as defined up to Electra
    /// (first 4 bytes of the fork data root).
    ///
    /// Deviation: Fulu also mixes the blob schedule into the digest; the light client only uses
    /// digests to name a spec test's fork, never for verification, so the pre-Fulu form is enough.
    pub fn fork_digest(&self, fork: ForkName) -> FixedBytes<4> {
        let root = crate::sync::compute_fork_data_root(
            self.fork(fork).version,
            self.genesis_validators_root,
        );
        FixedBytes::from_slice(&root[..4])
    }

    /// The fork whose digest (see [`Self::fork_digest`]) is `digest`, the latest one if several match.
    pub fn fork_by_digest(&self, digest: FixedBytes<4>) -> Option<ForkName> {
        ForkName::ALL.into_iter().rev().find(|fork| self.fork_digest(*fork) == digest)
    }

    /// Checks that epochs never decrease along the fork order.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for pair in ForkName::ALL.windows(2) {
            if let [earlier, later] = pair {
                let (e, l) = (self.fork(*earlier).epoch, self.fork(*later).epoch);
                if l < e {
                    return Err(ConfigError::ForkOrder {
                        fork: *later,
                        epoch: l,
                        previous: *earlier,
                        previous_epoch: e,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Mainnet;

    #[test]
    fn mainnet_fork_at_slot() {
        let config = ChainConfig::mainnet();
        assert_eq!(config.fork_at_slot::<Mainnet>(0), ForkName::Phase0);
        assert_eq!(config.fork_at_slot::<Mainnet>(74240 * 32), ForkName::Altair);
        assert_eq!(config.fork_at_slot::<Mainnet>(9567456), ForkName::Deneb);
        assert_eq!(config.fork_at_slot::<Mainnet>(364032 * 32), ForkName::Electra);
        assert_eq!(config.fork_at_slot::<Mainnet>(411392 * 32), ForkName::Fulu);
        config.validate().expect("mainnet schedule is ordered");
        ChainConfig::sepolia().validate().expect("sepolia ordered");
        ChainConfig::hoodi().validate().expect("hoodi ordered");
    }

    #[test]
    fn fork_names_round_trip() {
        for fork in ForkName::ALL {
            assert_eq!(fork.as_str().parse::<ForkName>().expect("known"), fork);
        }
        assert!("electrum".parse::<ForkName>().is_err());
    }
}
