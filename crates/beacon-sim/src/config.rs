//! The simulator's parameters and the network configuration it serves.
//!
//! The chain is always the `minimal` preset (32-member sync committee, 8 slots per epoch,
//! 8-epoch periods). Altair, Bellatrix, Capella and Deneb are active at genesis; Electra, Fulu
//! and Gloas activate at configurable epochs. Fork versions are those of the consensus specs'
//! `configs/minimal.yaml` (`0x0N000001`).

use std::fmt::Write as _;
use std::net::SocketAddr;

use alloy_primitives::{FixedBytes, B256};
use light_client::config::{ForkSchedule, FAR_FUTURE_EPOCH};
use light_client::{ChainConfig, ForkName};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::SimError;

/// `SLOTS_PER_EPOCH` of the minimal preset.
pub const SLOTS_PER_EPOCH: u64 = 8;
/// `EPOCHS_PER_SYNC_COMMITTEE_PERIOD` of the minimal preset.
pub const EPOCHS_PER_SYNC_COMMITTEE_PERIOD: u64 = 8;
/// Slots in one sync-committee period (64).
pub const SLOTS_PER_PERIOD: u64 = SLOTS_PER_EPOCH * EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
/// `SYNC_COMMITTEE_SIZE` of the minimal preset.
pub const SYNC_COMMITTEE_SIZE: usize = 32;
/// `CONFIG_NAME` of the served configuration.
pub const CONFIG_NAME: &str = "beacon-sim";

/// Fork version of `fork` in the minimal configuration: `0x0N000001`.
pub fn fork_version(fork: ForkName) -> FixedBytes<4> {
    FixedBytes::from([fork as u8, 0, 0, 1])
}

/// The simulator's chain parameters (everything that fixes the chain it builds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainParams {
    /// Beacon genesis time (unix seconds).
    pub genesis_time: u64,
    /// `SECONDS_PER_SLOT`.
    pub seconds_per_slot: u64,
    /// The finalized checkpoint is the epoch boundary `finality_lag_epochs + 1` epochs back.
    pub finality_lag_epochs: u64,
    /// Electra activation epoch (`None`: not scheduled).
    pub electra_epoch: Option<u64>,
    /// Fulu activation epoch (`None`: not scheduled).
    pub fulu_epoch: Option<u64>,
    /// Gloas activation epoch (`None`: not scheduled).
    pub gloas_epoch: Option<u64>,
    /// Seed of the sync-committee keys and the genesis validators root.
    pub seed: u64,
    /// Sync-committee members that sign (the first `participation` of 32).
    pub participation: usize,
}

impl ChainParams {
    /// Checks the values.
    pub fn validate(&self) -> Result<(), SimError> {
        if self.seconds_per_slot == 0 {
            return Err(SimError::Config("seconds_per_slot must be at least 1".into()));
        }
        if self.participation == 0 || self.participation > SYNC_COMMITTEE_SIZE {
            return Err(SimError::Config(format!(
                "participation must be 1..={SYNC_COMMITTEE_SIZE}, got {}",
                self.participation
            )));
        }
        if self.finality_lag_epochs > 64 {
            return Err(SimError::Config("finality_lag_epochs must be at most 64".into()));
        }
        if let (Some(e), Some(f)) = (self.electra_epoch, self.fulu_epoch) {
            if f < e {
                return Err(SimError::Config(format!(
                    "fulu epoch {f} is before electra epoch {e}"
                )));
            }
        }
        if self.fulu_epoch.is_some() && self.electra_epoch.is_none() {
            return Err(SimError::Config("fulu needs an electra epoch".into()));
        }
        if let Some(g) = self.gloas_epoch {
            match self.fulu_epoch {
                None => return Err(SimError::Config("gloas needs a fulu epoch".into())),
                Some(f) if g < f => {
                    return Err(SimError::Config(format!(
                        "gloas epoch {g} is before fulu epoch {f}"
                    )))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The genesis validators root: derived from the seed (there is no validator registry).
    pub fn genesis_validators_root(&self) -> B256 {
        let mut hasher = Sha256::new();
        hasher.update(b"beacon-sim genesis validators root");
        hasher.update(self.seed.to_le_bytes());
        B256::from_slice(&hasher.finalize())
    }

    /// Activation epoch of `fork` ([`FAR_FUTURE_EPOCH`] when not scheduled).
    pub fn fork_epoch(&self, fork: ForkName) -> u64 {
        match fork {
            ForkName::Phase0
            | ForkName::Altair
            | ForkName::Bellatrix
            | ForkName::Capella
            | ForkName::Deneb => 0,
            ForkName::Electra => self.electra_epoch.unwrap_or(FAR_FUTURE_EPOCH),
            ForkName::Fulu => self.fulu_epoch.unwrap_or(FAR_FUTURE_EPOCH),
            ForkName::Gloas => self.gloas_epoch.unwrap_or(FAR_FUTURE_EPOCH),
        }
    }

    /// The [`ChainConfig`] of the simulated network (what the light client is configured with).
    pub fn chain_config(&self) -> ChainConfig {
        let mut forks = [ForkSchedule { version: FixedBytes::ZERO, epoch: FAR_FUTURE_EPOCH }; 8];
        for (entry, fork) in forks.iter_mut().zip(ForkName::ALL) {
            *entry = ForkSchedule { version: fork_version(fork), epoch: self.fork_epoch(fork) };
        }
        ChainConfig {
            name: CONFIG_NAME.into(),
            preset_base: "minimal".into(),
            genesis_time: self.genesis_time,
            seconds_per_slot: self.seconds_per_slot,
            genesis_validators_root: self.genesis_validators_root(),
            forks,
            max_blobs_per_block_electra: 9,
            blob_schedule: Vec::new(),
        }
    }

    /// The fork at `slot`.
    pub fn fork_at_slot(&self, slot: u64) -> ForkName {
        let epoch = slot / SLOTS_PER_EPOCH;
        ForkName::ALL
            .into_iter()
            .rev()
            .find(|fork| self.fork_epoch(*fork) <= epoch)
            .unwrap_or(ForkName::Phase0)
    }

    /// Unix time of the start of `slot`.
    pub fn slot_time(&self, slot: u64) -> u64 {
        self.genesis_time.saturating_add(slot.saturating_mul(self.seconds_per_slot))
    }

    /// The slot at unix time `now` (0 before genesis).
    pub fn slot_at(&self, now: u64) -> u64 {
        now.saturating_sub(self.genesis_time) / self.seconds_per_slot
    }

    /// The consensus `config.yaml` of the network, as `ChainConfig::from_yaml_str` reads it
    /// (with the non-standard `GENESIS_VALIDATORS_ROOT` key, so the file stands alone).
    pub fn config_yaml(&self) -> String {
        let mut out = String::new();
        // `write!` to a String cannot fail.
        let _ = writeln!(out, "# beacon-sim network configuration (minimal preset)");
        let _ = writeln!(out, "PRESET_BASE: 'minimal'");
        let _ = writeln!(out, "CONFIG_NAME: '{CONFIG_NAME}'");
        let _ = writeln!(out, "MIN_GENESIS_TIME: {}", self.genesis_time);
        let _ = writeln!(out, "GENESIS_DELAY: 0");
        let _ = writeln!(out, "SECONDS_PER_SLOT: {}", self.seconds_per_slot);
        let _ = writeln!(out, "GENESIS_VALIDATORS_ROOT: '{}'", self.genesis_validators_root());
        for fork in ForkName::ALL {
            let prefix = fork.config_prefix();
            let _ = writeln!(out, "{prefix}_FORK_VERSION: '{}'", fork_version(fork));
            if fork != ForkName::Phase0 {
                let _ = writeln!(out, "{prefix}_FORK_EPOCH: {}", self.fork_epoch(fork));
            }
        }
        let _ = writeln!(out, "MAX_BLOBS_PER_BLOCK_ELECTRA: 9");
        out
    }

    /// The `/eth/v1/config/spec` object: preset and configuration values, all as strings.
    pub fn spec_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        let mut put = |key: &str, value: String| {
            map.insert(key.to_owned(), serde_json::Value::String(value));
        };
        put("PRESET_BASE", "minimal".into());
        put("CONFIG_NAME", CONFIG_NAME.into());
        put("MIN_GENESIS_TIME", self.genesis_time.to_string());
        put("GENESIS_DELAY", "0".into());
        put("SECONDS_PER_SLOT", self.seconds_per_slot.to_string());
        put("SLOTS_PER_EPOCH", SLOTS_PER_EPOCH.to_string());
        put("EPOCHS_PER_SYNC_COMMITTEE_PERIOD", EPOCHS_PER_SYNC_COMMITTEE_PERIOD.to_string());
        put("SYNC_COMMITTEE_SIZE", SYNC_COMMITTEE_SIZE.to_string());
        put("MIN_SYNC_COMMITTEE_PARTICIPANTS", "1".into());
        put("UPDATE_TIMEOUT", SLOTS_PER_PERIOD.to_string());
        put("DOMAIN_SYNC_COMMITTEE", "0x07000000".into());
        put("MAX_BLOBS_PER_BLOCK_ELECTRA", "9".into());
        for fork in ForkName::ALL {
            let prefix = fork.config_prefix();
            put(&format!("{prefix}_FORK_VERSION"), fork_version(fork).to_string());
            if fork != ForkName::Phase0 {
                put(&format!("{prefix}_FORK_EPOCH"), self.fork_epoch(fork).to_string());
            }
        }
        serde_json::Value::Object(map)
    }
}

/// Keys of the `--config FILE.toml` file (all optional; command-line flags win).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Anvil JSON-RPC URL.
    pub anvil: Option<String>,
    /// Listen address of the HTTP server.
    pub listen: Option<SocketAddr>,
    /// `SECONDS_PER_SLOT`.
    pub seconds_per_slot: Option<u64>,
    /// Finality lag in epochs.
    pub finality_lag_epochs: Option<u64>,
    /// Electra activation epoch.
    pub electra_epoch: Option<u64>,
    /// Fulu activation epoch.
    pub fulu_epoch: Option<u64>,
    /// Gloas activation epoch.
    pub gloas_epoch: Option<u64>,
    /// Beacon genesis time.
    pub genesis_time: Option<u64>,
    /// Key seed.
    pub seed: Option<u64>,
    /// Signing sync-committee members.
    pub participation: Option<usize>,
}

impl FileConfig {
    /// Reads and parses a TOML file.
    pub fn load(path: &std::path::Path) -> Result<Self, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::Io {
            context: format!("reading {}", path.display()),
            source,
        })?;
        toml::from_str(&text).map_err(|e| SimError::Config(format!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> ChainParams {
        ChainParams {
            genesis_time: 1_700_000_000,
            seconds_per_slot: 1,
            finality_lag_epochs: 1,
            electra_epoch: Some(3),
            fulu_epoch: Some(5),
            gloas_epoch: Some(6),
            seed: 7,
            participation: 32,
        }
    }

    #[test]
    fn config_yaml_parses_to_the_same_schedule() {
        let p = params();
        let parsed = ChainConfig::from_yaml_str(&p.config_yaml(), None).expect("valid yaml");
        assert_eq!(parsed, p.chain_config());
        assert_eq!(parsed.fork_at_epoch(2), ForkName::Deneb);
        assert_eq!(parsed.fork_at_epoch(3), ForkName::Electra);
        assert_eq!(parsed.fork_at_epoch(5), ForkName::Fulu);
        assert_eq!(parsed.fork_at_epoch(6), ForkName::Gloas);
        for slot in [0, 23, 24, 39, 40, 1000] {
            assert_eq!(p.fork_at_slot(slot), parsed.fork_at_slot::<light_client::Minimal>(slot));
        }
        let unscheduled =
            ChainParams { electra_epoch: None, fulu_epoch: None, gloas_epoch: None, ..p };
        let parsed = ChainConfig::from_yaml_str(&unscheduled.config_yaml(), None).expect("yaml");
        assert_eq!(parsed, unscheduled.chain_config());
        assert_eq!(parsed.fork_at_epoch(1_000_000), ForkName::Deneb);
    }

    #[test]
    fn spec_json_is_all_strings() {
        let spec = params().spec_json();
        let map = spec.as_object().expect("object");
        assert!(map.values().all(|v| v.is_string()));
        assert_eq!(map["ELECTRA_FORK_EPOCH"], "3");
        assert_eq!(map["DENEB_FORK_VERSION"], "0x04000001");
        assert_eq!(map["SECONDS_PER_SLOT"], "1");
    }

    #[test]
    fn validation_rejects_bad_values() {
        assert!(params().validate().is_ok());
        assert!(ChainParams { participation: 0, ..params() }.validate().is_err());
        assert!(ChainParams { participation: 33, ..params() }.validate().is_err());
        assert!(ChainParams { seconds_per_slot: 0, ..params() }.validate().is_err());
        assert!(ChainParams { fulu_epoch: Some(2), ..params() }.validate().is_err());
        assert!(ChainParams { gloas_epoch: Some(4), ..params() }.validate().is_err());
        assert!(ChainParams { fulu_epoch: None, gloas_epoch: None, ..params() }.validate().is_ok());
        assert!(ChainParams { fulu_epoch: None, ..params() }.validate().is_err());
    }
}
