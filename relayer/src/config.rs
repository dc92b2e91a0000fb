//! Configuration: a TOML file, overridden by `PEG_RELAYER_<KEY>` environment variables, overridden
//! by command-line flags (file < env < flags).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use alloy_primitives::U256;
use peg_types::EthAddress;
use serde::Deserialize;

use crate::error::RelayerError;

/// Every setting as it may appear in one source (file, environment or flags): all optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, clap::Args)]
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
    /// The `[outbound]` table: relaying signed valsets and batches to the PegBridge.
    #[serde(default)]
    #[command(flatten)]
    pub outbound: OutboundOverrides,
}

/// Token prices for judging batch fees: token address → wei per base unit of the token, written
/// `0xTOKEN=WEI,0xTOKEN=WEI` in the environment and on the command line, a TOML table in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct TokenPrices(pub BTreeMap<String, String>);

impl FromStr for TokenPrices {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut map = BTreeMap::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (token, price) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?}: expected 0xTOKEN=WEI_PER_UNIT"))?;
            map.insert(token.trim().to_owned(), price.trim().to_owned());
        }
        Ok(Self(map))
    }
}

/// The `[outbound]` settings as they appear in one source (all optional).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct OutboundOverrides {
    /// Relay signed valsets and batches to Ethereum (default false).
    #[arg(long = "outbound-enabled", id = "outbound_enabled", value_name = "BOOL")]
    pub enabled: Option<bool>,
    /// Key file (`0x` + 64 hex) of the Ethereum account that pays gas and receives batch fees.
    #[arg(long = "outbound-eth-key-file", id = "outbound_eth_key_file", value_name = "FILE")]
    pub eth_key_file: Option<PathBuf>,
    /// Relay a batch when its fee value ≥ ratio × gas cost (default 1.0; 0 relays everything).
    #[arg(long = "outbound-min-fee-ratio", id = "outbound_min_fee_ratio", value_name = "RATIO")]
    pub min_fee_ratio: Option<f64>,
    /// Wei per base unit of each token: `0xTOKEN=WEI,…` (ETH, `0x000…0`, is 1 unless set).
    #[arg(
        long = "outbound-token-prices-wei",
        id = "outbound_token_prices_wei",
        value_name = "0xTOKEN=WEI,…",
        value_parser = TokenPrices::from_str
    )]
    pub token_prices_wei: Option<TokenPrices>,
    /// Relay batches of tokens without a price (default false).
    #[arg(long = "outbound-relay-unpriced", id = "outbound_relay_unpriced", value_name = "BOOL")]
    pub relay_unpriced: Option<bool>,
    /// Pause between outbound rounds, milliseconds (default 5000).
    #[arg(long = "outbound-poll-ms", id = "outbound_poll_ms", value_name = "MS")]
    pub poll_ms: Option<u64>,
    /// How long to wait for an Ethereum receipt, milliseconds (default 180000).
    #[arg(
        long = "outbound-receipt-timeout-ms",
        id = "outbound_receipt_timeout_ms",
        value_name = "MS"
    )]
    pub receipt_timeout_ms: Option<u64>,
}

/// The keys of the `[outbound]` table (environment variables `PEG_RELAYER_OUTBOUND_<KEY>`).
pub const OUTBOUND_KEYS: [&str; 7] = [
    "enabled",
    "eth_key_file",
    "min_fee_ratio",
    "token_prices_wei",
    "relay_unpriced",
    "poll_ms",
    "receipt_timeout_ms",
];

/// Largest accepted `min_fee_ratio`.
pub const MAX_MIN_FEE_RATIO: f64 = 1_000_000.0;

/// Resolved `[outbound]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundConfig {
    /// Whether the outbound loop runs.
    pub enabled: bool,
    /// The Ethereum key file (required when enabled).
    pub eth_key_file: Option<PathBuf>,
    /// Fee value / gas cost ratio from which a batch is relayed.
    pub min_fee_ratio: f64,
    /// Wei per base unit, by token (ETH's zero address is 1 unless set).
    pub token_prices_wei: BTreeMap<EthAddress, U256>,
    /// Relay batches of unpriced tokens.
    pub relay_unpriced: bool,
    /// Pause between rounds.
    pub poll_interval: Duration,
    /// Receipt wait.
    pub receipt_timeout: Duration,
}

impl OutboundOverrides {
    fn from_env(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, RelayerError> {
        let get = |key: &str| {
            lookup(&format!("{ENV_PREFIX}OUTBOUND_{}", key.to_ascii_uppercase()))
                .filter(|v| !v.is_empty())
        };
        fn parsed<T: FromStr>(key: &str, v: Option<String>) -> Result<Option<T>, RelayerError>
        where
            T::Err: std::fmt::Display,
        {
            v.map(|v| {
                v.trim().parse().map_err(|e| RelayerError::Config {
                    reason: format!("{ENV_PREFIX}OUTBOUND_{}={v:?}: {e}", key.to_ascii_uppercase()),
                })
            })
            .transpose()
        }
        Ok(Self {
            enabled: parsed("enabled", get("enabled"))?,
            eth_key_file: get("eth_key_file").map(PathBuf::from),
            min_fee_ratio: parsed("min_fee_ratio", get("min_fee_ratio"))?,
            token_prices_wei: parsed("token_prices_wei", get("token_prices_wei"))?,
            relay_unpriced: parsed("relay_unpriced", get("relay_unpriced"))?,
            poll_ms: parsed("poll_ms", get("poll_ms"))?,
            receipt_timeout_ms: parsed("receipt_timeout_ms", get("receipt_timeout_ms"))?,
        })
    }

    fn overridden_by(self, over: Self) -> Self {
        Self {
            enabled: over.enabled.or(self.enabled),
            eth_key_file: over.eth_key_file.or(self.eth_key_file),
            min_fee_ratio: over.min_fee_ratio.or(self.min_fee_ratio),
            token_prices_wei: over.token_prices_wei.or(self.token_prices_wei),
            relay_unpriced: over.relay_unpriced.or(self.relay_unpriced),
            poll_ms: over.poll_ms.or(self.poll_ms),
            receipt_timeout_ms: over.receipt_timeout_ms.or(self.receipt_timeout_ms),
        }
    }

    /// Applies the defaults and checks the values.
    pub fn resolve(self) -> Result<OutboundConfig, RelayerError> {
        let bad = |reason: String| RelayerError::Config { reason: format!("[outbound] {reason}") };
        let enabled = self.enabled.unwrap_or(false);
        if enabled && self.eth_key_file.is_none() {
            return Err(bad(format!(
                "eth_key_file is required when enabled ({ENV_PREFIX}OUTBOUND_ETH_KEY_FILE or \
                 --outbound-eth-key-file)"
            )));
        }
        let min_fee_ratio = self.min_fee_ratio.unwrap_or(1.0);
        if !min_fee_ratio.is_finite() || !(0.0..=MAX_MIN_FEE_RATIO).contains(&min_fee_ratio) {
            return Err(bad(format!(
                "min_fee_ratio must be a number from 0 to {MAX_MIN_FEE_RATIO}, got {min_fee_ratio}"
            )));
        }
        let mut token_prices_wei = BTreeMap::new();
        for (token, price) in self.token_prices_wei.unwrap_or_default().0 {
            let address: EthAddress = token
                .parse()
                .map_err(|e| bad(format!("token_prices_wei: token {token:?}: {e}")))?;
            let wei = U256::from_str_radix(price.trim(), 10).map_err(|e| {
                bad(format!("token_prices_wei: price {price:?} of {token}: {e} (decimal wei)"))
            })?;
            if token_prices_wei.insert(address, wei).is_some() {
                return Err(bad(format!("token_prices_wei: {address} is given twice")));
            }
        }
        let poll_ms = self.poll_ms.unwrap_or(5_000);
        if poll_ms < 10 {
            return Err(bad("poll_ms must be at least 10".into()));
        }
        let receipt_timeout_ms = self.receipt_timeout_ms.unwrap_or(180_000);
        if receipt_timeout_ms < 100 {
            return Err(bad("receipt_timeout_ms must be at least 100".into()));
        }
        Ok(OutboundConfig {
            enabled,
            eth_key_file: self.eth_key_file,
            min_fee_ratio,
            token_prices_wei,
            relay_unpriced: self.relay_unpriced.unwrap_or(false),
            poll_interval: Duration::from_millis(poll_ms),
            receipt_timeout: Duration::from_millis(receipt_timeout_ms),
        })
    }
}

/// The settings a relayer runs with.
#[derive(Debug, Clone, PartialEq)]
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
    /// Outbound relaying.
    pub outbound: OutboundConfig,
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
            outbound: OutboundOverrides::from_env(&lookup)?,
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
            outbound: self.outbound.overridden_by(over.outbound),
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
            outbound: self.outbound.resolve()?,
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
    fn outbound_table_env_and_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("relayer.toml");
        std::fs::write(
            &file,
            r#"
key_file = "/file/key.json"

[outbound]
enabled = true
eth_key_file = "/file/eth_key"
min_fee_ratio = 1.5
relay_unpriced = true
poll_ms = 250

[outbound.token_prices_wei]
"0x1111111111111111111111111111111111111111" = "2000000"
"#,
        )
        .expect("write");
        let env: HashMap<String, String> = [
            ("PEG_RELAYER_OUTBOUND_POLL_MS", "300"),
            ("PEG_RELAYER_OUTBOUND_RELAY_UNPRICED", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let flags = ConfigOverrides {
            outbound: OutboundOverrides { min_fee_ratio: Some(0.5), ..Default::default() },
            ..ConfigOverrides::default()
        };
        let config =
            Config::load(Some(&file), |k| env.get(k).cloned(), flags).expect("valid config");
        let out = &config.outbound;
        assert!(out.enabled);
        assert_eq!(out.eth_key_file, Some(PathBuf::from("/file/eth_key")));
        assert_eq!(out.min_fee_ratio, 0.5, "flag over file");
        assert!(!out.relay_unpriced, "env over file");
        assert_eq!(out.poll_interval, Duration::from_millis(300));
        assert_eq!(out.receipt_timeout, Duration::from_secs(180));
        let token: EthAddress =
            "0x1111111111111111111111111111111111111111".parse().expect("address");
        assert_eq!(out.token_prices_wei.get(&token), Some(&U256::from(2_000_000u64)));

        // Defaults: off, ratio 1, no prices.
        let key = ConfigOverrides { key_file: Some("/k".into()), ..ConfigOverrides::default() };
        let config = Config::load(None, |_| None, key.clone()).expect("defaults");
        assert!(!config.outbound.enabled);
        assert_eq!(config.outbound.min_fee_ratio, 1.0);
        assert!(config.outbound.token_prices_wei.is_empty());

        // Prices from the environment: `0xTOKEN=WEI,…`.
        let config = Config::load(
            None,
            |k| {
                (k == "PEG_RELAYER_OUTBOUND_TOKEN_PRICES_WEI")
                    .then(|| "0x1111111111111111111111111111111111111111=7, 0x0000000000000000000000000000000000000000=1".to_owned())
            },
            key.clone(),
        )
        .expect("prices");
        assert_eq!(config.outbound.token_prices_wei.len(), 2);
        assert_eq!(config.outbound.token_prices_wei.get(&token), Some(&U256::from(7u8)));
    }

    #[test]
    fn outbound_refuses_bad_values() {
        let key = ConfigOverrides { key_file: Some("/k".into()), ..ConfigOverrides::default() };
        let with = |o: OutboundOverrides| ConfigOverrides { outbound: o, ..key.clone() };
        let load = |c: ConfigOverrides| Config::load(None, |_| None, c);
        let err = load(with(OutboundOverrides { enabled: Some(true), ..Default::default() }))
            .expect_err("no eth key");
        assert!(err.to_string().contains("eth_key_file is required"), "{err}");
        for ratio in [-1.0, f64::NAN, f64::INFINITY, 2e6] {
            let err =
                load(with(OutboundOverrides { min_fee_ratio: Some(ratio), ..Default::default() }))
                    .expect_err("bad ratio");
            assert!(matches!(err, RelayerError::Config { .. }), "{err}");
            assert!(err.to_string().contains("min_fee_ratio"), "{err}");
        }
        let prices = |text: &str| OutboundOverrides {
            token_prices_wei: Some(text.parse().expect("pairs")),
            ..Default::default()
        };
        let err = load(with(prices("0x12=5"))).expect_err("bad token");
        assert!(err.to_string().contains("token_prices_wei"), "{err}");
        let err = load(with(prices("0x1111111111111111111111111111111111111111=1.5")))
            .expect_err("bad price");
        assert!(err.to_string().contains("decimal wei"), "{err}");
        // The same token twice (lowercase and uppercase hex).
        let err = load(with(prices(
            "0x1111111111111111111111111111111111111aaa=1,0x1111111111111111111111111111111111111AAA=2",
        )))
        .expect_err("duplicate");
        assert!(err.to_string().contains("twice"), "{err}");
        assert!("0x11".parse::<TokenPrices>().is_err(), "no '='");
        let err = load(with(OutboundOverrides { poll_ms: Some(1), ..Default::default() }))
            .expect_err("poll too short");
        assert!(err.to_string().contains("poll_ms"), "{err}");
        let err = Config::load(
            None,
            |k| (k == "PEG_RELAYER_OUTBOUND_ENABLED").then(|| "yes please".to_owned()),
            key.clone(),
        )
        .expect_err("not a bool");
        assert!(err.to_string().contains("PEG_RELAYER_OUTBOUND_ENABLED"), "{err}");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[outbound]\nenabeld = true\n").expect("write");
        let err = Config::load(Some(&file), |_| None, key).expect_err("unknown outbound key");
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
