//! Loading a consensus-spec `config.yaml`.

use alloy_primitives::B256;
use serde_yaml::{Mapping, Value};

use super::{BlobScheduleEntry, ChainConfig, ForkName, ForkSchedule, Version, FAR_FUTURE_EPOCH};
use crate::error::ConfigError;

pub(super) fn parse(
    text: &str,
    genesis_validators_root: Option<B256>,
) -> Result<ChainConfig, ConfigError> {
    let value: Value =
        serde_yaml::from_str(text).map_err(|e| ConfigError::Yaml { reason: e.to_string() })?;
    let map = value
        .as_mapping()
        .ok_or_else(|| ConfigError::Yaml { reason: "top level is not a mapping".into() })?;

    let preset_base = string(map, "PRESET_BASE")?.unwrap_or_else(|| "mainnet".into());
    if preset_base != "mainnet" && preset_base != "minimal" {
        return Err(ConfigError::UnsupportedPreset { got: preset_base });
    }
    let name = string(map, "CONFIG_NAME")?.unwrap_or_else(|| "custom".into());
    let seconds_per_slot = integer(map, "SECONDS_PER_SLOT")?.unwrap_or(12);
    let genesis_time = match integer(map, "GENESIS_TIME")? {
        Some(t) => t,
        None => integer(map, "MIN_GENESIS_TIME")?
            .unwrap_or(0)
            .saturating_add(integer(map, "GENESIS_DELAY")?.unwrap_or(0)),
    };
    let genesis_validators_root =
        match (genesis_validators_root, string(map, "GENESIS_VALIDATORS_ROOT")?) {
            (Some(root), _) => root,
            (None, Some(text)) => text.parse::<B256>().map_err(|_| ConfigError::InvalidValue {
                key: "GENESIS_VALIDATORS_ROOT".into(),
                reason: format!("not a 32-byte hex string: {text}"),
            })?,
            (None, None) => return Err(ConfigError::MissingGenesisValidatorsRoot),
        };

    let mut forks = [ForkSchedule { version: Version::ZERO, epoch: FAR_FUTURE_EPOCH }; 8];
    for (slot, fork) in forks.iter_mut().zip(ForkName::ALL) {
        let prefix = fork.config_prefix();
        let version_key = format!("{prefix}_FORK_VERSION");
        let version = match version(map, &version_key)? {
            Some(v) => v,
            None if fork == ForkName::Phase0 => {
                return Err(ConfigError::MissingKey { key: version_key })
            }
            // An unscheduled fork without a version can never be selected.
            None => Version::ZERO,
        };
        let epoch = if fork == ForkName::Phase0 {
            0
        } else {
            integer(map, &format!("{prefix}_FORK_EPOCH"))?.unwrap_or(FAR_FUTURE_EPOCH)
        };
        *slot = ForkSchedule { version, epoch };
    }
    let max_blobs_per_block_electra = integer(map, "MAX_BLOBS_PER_BLOCK_ELECTRA")?.unwrap_or(9);
    let blob_schedule = blob_schedule(map)?;
    let config = ChainConfig {
        name,
        preset_base,
        genesis_time,
        seconds_per_slot,
        genesis_validators_root,
        forks,
        max_blobs_per_block_electra,
        blob_schedule,
    };
    config.validate()?;
    Ok(config)
}

fn blob_schedule(map: &Mapping) -> Result<Vec<BlobScheduleEntry>, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidValue {
        key: "BLOB_SCHEDULE".into(),
        reason: reason.into(),
    };
    match get(map, "BLOB_SCHEDULE") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Sequence(entries)) => entries
            .iter()
            .map(|entry| {
                let entry =
                    entry.as_mapping().ok_or_else(|| invalid("entries must be mappings"))?;
                Ok(BlobScheduleEntry {
                    epoch: integer(entry, "EPOCH")?.ok_or_else(|| invalid("missing EPOCH"))?,
                    max_blobs_per_block: integer(entry, "MAX_BLOBS_PER_BLOCK")?
                        .ok_or_else(|| invalid("missing MAX_BLOBS_PER_BLOCK"))?,
                })
            })
            .collect(),
        Some(_) => Err(invalid("expected a list")),
    }
}

fn get<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    map.get(Value::String(key.to_owned()))
}

fn string(map: &Mapping, key: &str) -> Result<Option<String>, ConfigError> {
    match get(map, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => {
            Err(ConfigError::InvalidValue { key: key.into(), reason: "expected a string".into() })
        }
    }
}

fn integer(map: &Mapping, key: &str) -> Result<Option<u64>, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidValue { key: key.into(), reason };
    match get(map, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_u64().map(Some).ok_or_else(|| invalid(format!("not a u64: {n}")))
        }
        Some(Value::String(s)) => {
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse::<u64>(),
            };
            parsed.map(Some).map_err(|_| invalid(format!("not a u64: {s}")))
        }
        Some(_) => Err(invalid("expected an integer".into())),
    }
}

fn version(map: &Mapping, key: &str) -> Result<Option<Version>, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidValue { key: key.into(), reason };
    match get(map, key) {
        None | Some(Value::Null) => Ok(None),
        // YAML 1.2 reads `0x01000000` as an integer.
        Some(Value::Number(n)) => {
            let v = n
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| invalid(format!("not a 4-byte version: {n}")))?;
            Ok(Some(Version::from(v.to_be_bytes())))
        }
        Some(Value::String(s)) => {
            let hex = s.strip_prefix("0x").unwrap_or(s);
            let bytes = hex::decode(hex).map_err(|e| invalid(format!("{s}: {e}")))?;
            let array: [u8; 4] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| invalid(format!("{s}: expected 4 bytes, got {}", bytes.len())))?;
            Ok(Some(Version::from(array)))
        }
        Some(_) => Err(invalid("expected a hex version".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "PRESET_BASE: 'minimal'\nCONFIG_NAME: 'devnet'\n\
        TERMINAL_TOTAL_DIFFICULTY: 115792089237316195423570985008687907853269984665640564039457584007913129638912\n\
        GENESIS_FORK_VERSION: 0x00000001\nALTAIR_FORK_VERSION: 0x01000001\nALTAIR_FORK_EPOCH: 0\n\
        BELLATRIX_FORK_VERSION: '0x02000001'\nBELLATRIX_FORK_EPOCH: 4\nCAPELLA_FORK_EPOCH: 18446744073709551615\n\
        SECONDS_PER_SLOT: 6\nBLOB_SCHEDULE:\n  - EPOCH: 1\n    MAX_BLOBS_PER_BLOCK: 3\n";

    #[test]
    fn parses_minimal_config() {
        let config = parse(MINIMAL, Some(B256::repeat_byte(1))).expect("valid config");
        assert_eq!(config.preset_base, "minimal");
        assert_eq!(config.seconds_per_slot, 6);
        assert_eq!(config.fork(ForkName::Altair).version, Version::from([1, 0, 0, 1]));
        assert_eq!(config.fork(ForkName::Bellatrix).version, Version::from([2, 0, 0, 1]));
        assert_eq!(config.fork_at_epoch(3), ForkName::Altair);
        assert_eq!(config.fork_at_epoch(4), ForkName::Bellatrix);
        assert_eq!(config.fork(ForkName::Gloas).epoch, FAR_FUTURE_EPOCH);
        assert_eq!(
            config.blob_schedule,
            vec![BlobScheduleEntry { epoch: 1, max_blobs_per_block: 3 }]
        );
    }

    #[test]
    fn rejects_missing_root_and_disorder() {
        assert!(matches!(parse(MINIMAL, None), Err(ConfigError::MissingGenesisValidatorsRoot)));
        let disordered =
            "GENESIS_FORK_VERSION: 0x00000001\nALTAIR_FORK_EPOCH: 5\nBELLATRIX_FORK_EPOCH: 4\n";
        assert!(matches!(parse(disordered, Some(B256::ZERO)), Err(ConfigError::ForkOrder { .. })));
    }
}
