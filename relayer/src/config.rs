//! Configuration: a TOML file, overridden by `PEG_RELAYER_<KEY>` environment variables, overridden
//! by command-line flags (file < env < flags).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::RelayerError;

/// Every setting as it may appear in one source (file, environment or flags): all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct ConfigOverrides {
    /// CometBFT RPC of a peg zone node.
    #[arg(long, value_name = "URL")]
    pub cometbft_rpc: Option<String>,
    /// Ethereum JSON-RPC endpoint.
    #[arg(long, value_name = "URL")]
    pub eth_rpc: Option<String>,
    /// Beacon node REST API (light-client endpoints).
    #[arg(long, value_name = "URL")]
    pub beacon_api: Option<String>,
    /// Peg zone chain id (default: asked from the node's `status`).
    #[arg(long)]
    pub chain_id: Option<String>,
    /// The relayer's peg zone account key (pegd key file: `<home>/keys/<name>.json`).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Pause between passes, milliseconds.
    #[arg(long)]
    pub poll_interval_ms: Option<u64>,
    /// Address of the Prometheus endpoint (`127.0.0.1:9464`); none when unset.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Most bridge events per `MsgSubmitEthEvents`.
    #[arg(long)]
    pub max_events_per_tx: Option<usize>,
    /// Fee per 1000 gas, in `fee_denom`.
    #[arg(long)]
    pub fee_per_kgas: Option<u64>,
    /// Smallest fee the zone accepts, in `fee_denom`.
    #[arg(long)]
    pub min_fee: Option<u64>,
    /// Fee denom.
    #[arg(long)]
    pub fee_denom: Option<String>,
    /// First Ethereum block searched for bridge events (the bridge's deployment block).
    #[arg(long)]
    pub start_block: Option<u64>,
    /// Most blocks per `eth_getLogs` request.
    #[arg(long)]
    pub log_block_range: Option<u64>,
    /// Largest transaction the relayer builds, bytes (the zone's `max_tx_bytes`).
    #[arg(long)]
    pub max_tx_bytes: Option<usize>,
    /// Most light-client updates fetched per pass.
    #[arg(long)]
    pub max_updates_per_pass: Option<u64>,
    /// How long to wait for a transaction to be included, milliseconds.
    #[arg(long)]
    pub tx_timeout_ms: Option<u64>,
    /// Attempts per step before a pass gives up (with exponential backoff between them).
    #[arg(long)]
    pub max_retries: Option<u32>,
}

/// The settings a relayer runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// CometBFT RPC.
    pub cometbft_rpc: String,
    /// Ethereum JSON-RPC.
    pub eth_rpc: String,
    /// Beacon API.
    pub beacon_api: String,
    /// Chain id, if fixed.
    pub chain_id: Option<String>,
    /// Key file.
    pub key_file: PathBuf,
    /// Pause between passes.
    pub poll_interval: Duration,
    /// Prometheus listen address.
    pub metrics_listen: Option<String>,
    /// Events per message.
    pub max_events_per_tx: usize,
    /// Fee per 1000 gas.
    pub fee_per_kgas: u64,
    /// Minimum fee.
    pub min_fee: u64,
    /// Fee denom.
    pub fee_denom: String,
    /// First block searched.
    pub start_block: u64,
    /// Blocks per `eth_getLogs`.
    pub log_block_range: u64,
    /// Largest transaction built.
    pub max_tx_bytes: usize,
    /// Updates per pass.
    pub max_updates_per_pass: u64,
    /// Inclusion wait.
    pub tx_timeout: Duration,
    /// Attempts per step.
    pub max_retries: u32,
}

/// The keys, in the order they are documented (also the environment variable suffixes).
pub const KEYS: [&str; 17] = [
    "cometbft_rpc",
    "eth_rpc",
    "beacon_api",
    "chain_id",
    "key_file",
    "poll_interval_ms",
    "metrics_listen",
    "max_events_per_tx",
    "fee_per_kgas",
    "min_fee",
    "fee_denom",
    "start_block",
    "log_block_range",
    "max_tx_bytes",
    "max_updates_per_pass",
    "tx_timeout_ms",
    "max_retries",
];

/// Default `max_tx_bytes`: the `pegd init` / `pegd testnet` genesis default (128 KiB, pegd's
/// `DEFAULT_MAX_TX_BYTES`), below CometBFT's default mempool `max_tx_bytes` (1 MiB).
pub const DEFAULT_MAX_TX_BYTES: usize = 128 * 1024;
/// Smallest `max_tx_bytes` accepted: room for a walk-down step of two 4 KiB headers.
pub const MIN_MAX_TX_BYTES: usize = 16 * 1024;
// The default fits CometBFT's default mempool `max_tx_bytes` (1 MiB) and the minimum above.
const _: () = assert!(DEFAULT_MAX_TX_BYTES <= 1 << 20 && DEFAULT_MAX_TX_BYTES >= MIN_MAX_TX_BYTES);

/// Prefix of the environment variables.
pub const ENV_PREFIX: &str = "PEG_RELAYER_";

impl ConfigOverrides {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, RelayerError> {
        let text = std::fs::read_to_string(path).map_err(|e| RelayerError::Config {
            reason: format!("cannot read {}: {e}", path.display()),
        })?;
        toml::from_str(&text)
            .map_err(|e| RelayerError::Config { reason: format!("{}: {e}", path.display()) })
    }

    /// Reads `PEG_RELAYER_<KEY>` variables through `lookup` (the process environment in
    /// production, a map in tests). Empty values count as unset.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, RelayerError> {
        let get = |key: &str| {
            lookup(&format!("{ENV_PREFIX}{}", key.to_ascii_uppercase())).filter(|v| !v.is_empty())
        };
        fn num<T: std::str::FromStr>(
            key: &str,
            v: Option<String>,
        ) -> Result<Option<T>, RelayerError>
        where
            T::Err: std::fmt::Display,
        {
            v.map(|v| {
                v.trim().parse().map_err(|e| RelayerError::Config {
                    reason: format!("{ENV_PREFIX}{}={v:?}: {e}", key.to_ascii_uppercase()),
                })
            })
            .transpose()
        }
        Ok(Self {
            cometbft_rpc: get("cometbft_rpc"),
            eth_rpc: get("eth_rpc"),
            beacon_api: get("beacon_api"),
            chain_id: get("chain_id"),
            key_file: get("key_file").map(PathBuf::from),
            poll_interval_ms: num("poll_interval_ms", get("poll_interval_ms"))?,
            metrics_listen: get("metrics_listen"),
            max_events_per_tx: num("max_events_per_tx", get("max_events_per_tx"))?,
            fee_per_kgas: num("fee_per_kgas", get("fee_per_kgas"))?,
            min_fee: num("min_fee", get("min_fee"))?,
            fee_denom: get("fee_denom"),
            start_block: num("start_block", get("start_block"))?,
            log_block_range: num("log_block_range", get("log_block_range"))?,
            max_tx_bytes: num("max_tx_bytes", get("max_tx_bytes"))?,
            max_updates_per_pass: num("max_updates_per_pass", get("max_updates_per_pass"))?,
            tx_timeout_ms: num("tx_timeout_ms", get("tx_timeout_ms"))?,
            max_retries: num("max_retries", get("max_retries"))?,
        })
    }

    /// `self` with every value set in `over` replaced.
    pub fn overridden_by(self, over: Self) -> Self {
        Self {
            cometbft_rpc: over.cometbft_rpc.or(self.cometbft_rpc),
            eth_rpc: over.eth_rpc.or(self.eth_rpc),
            beacon_api: over.beacon_api.or(self.beacon_api),
            chain_id: over.chain_id.or(self.chain_id),
            key_file: over.key_file.or(self.key_file),
            poll_interval_ms: over.poll_interval_ms.or(self.poll_interval_ms),
            metrics_listen: over.metrics_listen.or(self.metrics_listen),
            max_events_per_tx: over.max_events_per_tx.or(self.max_events_per_tx),
            fee_per_kgas: over.fee_per_kgas.or(self.fee_per_kgas),
            min_fee: over.min_fee.or(self.min_fee),
            fee_denom: over.fee_denom.or(self.fee_denom),
            start_block: over.start_block.or(self.start_block),
            log_block_range: over.log_block_range.or(self.log_block_range),
            max_tx_bytes: over.max_tx_bytes.or(self.max_tx_bytes),
            max_updates_per_pass: over.max_updates_per_pass.or(self.max_updates_per_pass),
            tx_timeout_ms: over.tx_timeout_ms.or(self.tx_timeout_ms),
            max_retries: over.max_retries.or(self.max_retries),
        }
    }

    /// Applies the defaults and checks the values.
    pub fn resolve(self) -> Result<Config, RelayerError> {
        let bad = |reason: String| RelayerError::Config { reason };
        let key_file = self.key_file.ok_or_else(|| {
            bad(format!("key_file is required (config file, {ENV_PREFIX}KEY_FILE or --key-file)"))
        })?;
        let config = Config {
            cometbft_rpc: self.cometbft_rpc.unwrap_or_else(|| "http://127.0.0.1:26657".into()),
            eth_rpc: self.eth_rpc.unwrap_or_else(|| "http://127.0.0.1:8545".into()),
            beacon_api: self.beacon_api.unwrap_or_else(|| "http://127.0.0.1:5052".into()),
            chain_id: self.chain_id,
            key_file,
            poll_interval: Duration::from_millis(self.poll_interval_ms.unwrap_or(2_000)),
            metrics_listen: self.metrics_listen,
            max_events_per_tx: self.max_events_per_tx.unwrap_or(32),
            fee_per_kgas: self.fee_per_kgas.unwrap_or(1),
            min_fee: self.min_fee.unwrap_or(1_000),
            fee_denom: self.fee_denom.unwrap_or_else(|| "upeg".into()),
            start_block: self.start_block.unwrap_or(0),
            log_block_range: self.log_block_range.unwrap_or(2_000),
            max_tx_bytes: self.max_tx_bytes.unwrap_or(DEFAULT_MAX_TX_BYTES),
            max_updates_per_pass: self.max_updates_per_pass.unwrap_or(8),
            tx_timeout: Duration::from_millis(self.tx_timeout_ms.unwrap_or(30_000)),
            max_retries: self.max_retries.unwrap_or(5),
        };
        if config.max_events_per_tx == 0 || config.max_events_per_tx > peg_tx::MAX_EVENTS_PER_MSG {
            return Err(bad(format!(
                "max_events_per_tx must be 1 to {}, got {}",
                peg_tx::MAX_EVENTS_PER_MSG,
                config.max_events_per_tx
            )));
        }
        if config.log_block_range == 0 {
            return Err(bad("log_block_range must be positive".into()));
        }
        if config.max_updates_per_pass == 0 || config.max_updates_per_pass > 128 {
            return Err(bad("max_updates_per_pass must be 1 to 128".into()));
        }
        // Below this, two headers and a receipt proof do not fit one transaction.
        if config.max_tx_bytes < MIN_MAX_TX_BYTES {
            return Err(bad(format!("max_tx_bytes must be at least {MIN_MAX_TX_BYTES}")));
        }
        if config.poll_interval < Duration::from_millis(10) {
            return Err(bad("poll_interval_ms must be at least 10".into()));
        }
        if config.max_retries == 0 {
            return Err(bad("max_retries must be at least 1".into()));
        }
        peg_tx::validate_denom(&config.fee_denom)
            .map_err(|e| bad(format!("fee_denom {:?}: {e}", config.fee_denom)))?;
        Ok(config)
    }
}

impl Config {
    /// file < env < flags, then defaults.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        flags: ConfigOverrides,
    ) -> Result<Self, RelayerError> {
        let from_file = match file {
            Some(path) => ConfigOverrides::from_file(path)?,
            None => ConfigOverrides::default(),
        };
        from_file.overridden_by(ConfigOverrides::from_env(env)?).overridden_by(flags).resolve()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("relayer.toml");
        std::fs::write(
            &file,
            r#"
cometbft_rpc = "http://file:26657"
eth_rpc = "http://file:8545"
beacon_api = "http://file:5052"
key_file = "/file/key.json"
poll_interval_ms = 100
max_events_per_tx = 4
fee_per_kgas = 7
"#,
        )
        .expect("write");
        let env: HashMap<String, String> = [
            ("PEG_RELAYER_ETH_RPC", "http://env:8545"),
            ("PEG_RELAYER_BEACON_API", "http://env:5052"),
            ("PEG_RELAYER_MAX_EVENTS_PER_TX", "5"),
            ("PEG_RELAYER_CHAIN_ID", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let flags = ConfigOverrides {
            beacon_api: Some("http://flag:5052".into()),
            ..ConfigOverrides::default()
        };
        let config =
            Config::load(Some(&file), |k| env.get(k).cloned(), flags).expect("valid config");
        assert_eq!(config.cometbft_rpc, "http://file:26657");
        assert_eq!(config.eth_rpc, "http://env:8545");
        assert_eq!(config.beacon_api, "http://flag:5052");
        assert_eq!(config.max_events_per_tx, 5);
        assert_eq!(config.fee_per_kgas, 7);
        assert_eq!(config.poll_interval, Duration::from_millis(100));
        assert_eq!(config.chain_id, None, "an empty variable is unset");
        assert_eq!(config.key_file, PathBuf::from("/file/key.json"));
        // Defaults.
        assert_eq!(config.fee_denom, "upeg");
        assert_eq!(config.start_block, 0);
        assert_eq!(config.metrics_listen, None);
    }

    #[test]
    fn refuses_bad_values() {
        let no_env = |_: &str| None;
        let err = Config::load(None, no_env, ConfigOverrides::default()).expect_err("no key");
        assert!(err.to_string().contains("key_file is required"), "{err}");

        let key = ConfigOverrides { key_file: Some("/k".into()), ..ConfigOverrides::default() };
        let err = Config::load(
            None,
            |k| (k == "PEG_RELAYER_FEE_PER_KGAS").then(|| "ten".to_owned()),
            key.clone(),
        )
        .expect_err("not a number");
        assert!(err.to_string().contains("PEG_RELAYER_FEE_PER_KGAS"), "{err}");

        let zero = ConfigOverrides { max_events_per_tx: Some(0), ..key.clone() };
        assert!(Config::load(None, no_env, zero).is_err());

        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "unknown_key = 1\n").expect("write");
        let err = Config::load(Some(&file), no_env, key).expect_err("unknown key");
        assert!(err.to_string().contains("unknown"), "{err}");
    }

    #[test]
    fn keys_list_matches_the_struct() {
        // Every documented key is accepted in a file.
        let text: String = KEYS
            .iter()
            .map(|k| match *k {
                "poll_interval_ms"
                | "max_events_per_tx"
                | "fee_per_kgas"
                | "min_fee"
                | "start_block"
                | "log_block_range"
                | "max_tx_bytes"
                | "max_updates_per_pass"
                | "tx_timeout_ms"
                | "max_retries" => format!("{k} = 1\n"),
                _ => format!("{k} = \"x\"\n"),
            })
            .collect();
        let parsed: ConfigOverrides = toml::from_str(&text).expect("all keys known");
        assert_eq!(parsed.max_retries, Some(1));
        assert_eq!(parsed.cometbft_rpc.as_deref(), Some("x"));
    }

    #[test]
    fn default_max_tx_bytes_fits_the_zone_and_cometbft() {
        // pegd's genesis default (crates/pegd/src/node/genesis.rs DEFAULT_MAX_TX_BYTES) and
        // CometBFT's default mempool max_tx_bytes (1 MiB).
        assert_eq!(DEFAULT_MAX_TX_BYTES, 128 * 1024);
        // The smallest accepted size still walks down: two worst-case headers per step.
        let budget = crate::inbound::WalkBudget::for_max_tx_bytes(MIN_MAX_TX_BYTES);
        let worst = peg_tx::MAX_EVENT_HEADER_BYTES + crate::inbound::HEADER_FRAMING_BYTES;
        assert!(budget.ancestor_bytes >= 2 * worst);
        assert!(budget.events_bytes >= worst);
    }
}
