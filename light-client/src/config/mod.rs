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
    pub fn config_prefix(self) -> &'static str {
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

/// One `BLOB_SCHEDULE` entry (Fulu, EIP-7892): only used for fork digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobScheduleEntry {
    /// `EPOCH`.
    pub epoch: u64,
    /// `MAX_BLOBS_PER_BLOCK`.
    pub max_blobs_per_block: u64,
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
    /// `MAX_BLOBS_PER_BLOCK_ELECTRA` (fork digests from Fulu on).
    #[serde(default)]
    pub max_blobs_per_block_electra: u64,
    /// `BLOB_SCHEDULE` (fork digests from Fulu on).
    #[serde(default)]
    pub blob_schedule: Vec<BlobScheduleEntry>,
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

    /// `get_blob_parameters(epoch)` (Fulu): the latest schedule entry at or before `epoch`, else
    /// Electra's parameters. Returns `(epoch, max_blobs_per_block)`.
    pub fn blob_parameters(&self, epoch: u64) -> (u64, u64) {
        self.blob_schedule
            .iter()
            .filter(|entry| epoch >= entry.epoch)
            .max_by_key(|entry| entry.epoch)
            .map(|entry| (entry.epoch, entry.max_blobs_per_block))
            .unwrap_or((self.fork(ForkName::Electra).epoch, self.max_blobs_per_block_electra))
    }

    /// `compute_fork_digest(genesis_validators_root, epoch)`: the first 4 bytes of the fork data
    /// root, xored from Fulu on with `hash(uint64(blob epoch) ++ uint64(max blobs))`.
    ///
    /// Only used to name the fork of spec-test data; never part of verification.
    pub fn fork_digest_at_epoch(&self, epoch: u64) -> FixedBytes<4> {
        let base = crate::sync::compute_fork_data_root(
            self.fork_version_at_epoch(epoch),
            self.genesis_validators_root,
        );
        let mut digest = [0u8; 4];
        digest.copy_from_slice(&base[..4]);
        if self.fork_at_epoch(epoch) >= ForkName::Fulu {
            use sha2::{Digest, Sha256};
            let (blob_epoch, max_blobs) = self.blob_parameters(epoch);
            let mut hasher = Sha256::new();
            hasher.update(blob_epoch.to_le_bytes());
            hasher.update(max_blobs.to_le_bytes());
            let mask = hasher.finalize();
            for (d, m) in digest.iter_mut().zip(mask.iter()) {
                *d ^= m;
            }
        }
        FixedBytes::from(digest)
    }

    /// The fork of the data named by `digest`: tries every epoch where the digest can change
    /// (fork activations and blob schedule entries), latest first.
    pub fn fork_by_digest(&self, digest: FixedBytes<4>) -> Option<ForkName> {
        let mut epochs: Vec<u64> = ForkName::ALL
            .into_iter()
            .map(|fork| self.fork(fork).epoch)
            .chain(self.blob_schedule.iter().map(|entry| entry.epoch))
            .filter(|epoch| *epoch != FAR_FUTURE_EPOCH)
            .collect();
        epochs.sort_unstable();
        epochs.dedup();
        epochs
            .into_iter()
            .rev()
            .find(|epoch| self.fork_digest_at_epoch(*epoch) == digest)
            .map(|epoch| self.fork_at_epoch(epoch))
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
    fn fork_digests_name_their_fork() {
        for config in [ChainConfig::mainnet(), ChainConfig::sepolia(), ChainConfig::hoodi()] {
            for fork in ForkName::ALL {
                let epoch = config.fork(fork).epoch;
                if epoch == FAR_FUTURE_EPOCH {
                    continue;
                }
                let expected = config.fork_at_epoch(epoch);
                let digest = config.fork_digest_at_epoch(epoch);
                assert_eq!(config.fork_by_digest(digest), Some(expected), "{}", config.name);
            }
            // Blob-parameter-only forks change the digest, not the fork.
            let fulu = config.fork(ForkName::Fulu).epoch;
            for entry in &config.blob_schedule {
                let before = config.fork_digest_at_epoch(entry.epoch.saturating_sub(1).max(fulu));
                let after = config.fork_digest_at_epoch(entry.epoch);
                assert_ne!(before, after);
                assert_eq!(config.fork_by_digest(after), Some(ForkName::Fulu));
            }
        }
        // Before Fulu the digest is the first 4 bytes of the fork data root.
        let config = ChainConfig::mainnet();
        let root = crate::sync::compute_fork_data_root(
            config.fork(ForkName::Deneb).version,
            config.genesis_validators_root,
        );
        assert_eq!(config.fork_digest_at_epoch(269_568).as_slice(), &root[..4]);
    }

    #[test]
    fn fork_names_round_trip() {
        for fork in ForkName::ALL {
            assert_eq!(fork.as_str().parse::<ForkName>().expect("known"), fork);
        }
        assert!("electrum".parse::<ForkName>().is_err());
    }
}
