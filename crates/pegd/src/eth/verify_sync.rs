//! `pegd eth verify-sync`: bootstrap a light client from a trusted block root and apply beacon-API
//! light-client updates offline.
//!
//! ```text
//! pegd eth verify-sync --network <mainnet|sepolia|hoodi|PATH/config.yaml> --trusted-root 0x.. \
//!     --bootstrap FILE [--updates FILE]... [--finality-update FILE]... [--current-slot N]
//! ```
//!
//! Files are beacon-API JSON as served by `/eth/v1/beacon/light_client/bootstrap/{root}`,
//! `/updates` (a JSON array of `{"version","data"}`; a single object is accepted too) and
//! `/finality_update`. Updates are applied first (files and elements in order), then finality
//! updates. Prints one JSON object on stdout and exits 0; on any invalid input prints one line on
//! stderr naming the file, the update's index and the reason, and exits 1.
//!
//! Counting: an update is *applied* when it verified and moved the store (finalized header or
//! sync committees, `apply_light_client_update` ran); it is *ignored* when it verified (or was
//! recognised as stale before the signature check) but changed nothing final: a stale update
//! (signed in a past period, or not newer than the finalized header), a finality update for an
//! already-finalized header, or one without a supermajority.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alloy_primitives::B256;
use light_client::config::{ChainConfig, ForkName};
use light_client::preset::{Mainnet, Minimal, Preset};
use light_client::sync::{
    check_data_fork, initialize_light_client_store, process_light_client_finality_update,
    process_light_client_update,
};
use light_client::types::{LightClientBootstrap, LightClientFinalityUpdate, LightClientUpdate};
use light_client::{DefaultBls, LightClientStore};
use serde::Serialize;

/// Arguments of `pegd eth verify-sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Network: `mainnet`, `sepolia`, `hoodi`, or the path of a consensus-spec `config.yaml`.
    #[arg(long)]
    network: String,
    /// Genesis validators root, for a `config.yaml` network (else read from a
    /// `GENESIS_VALIDATORS_ROOT` key or a `genesis_validators_root.txt` beside the file).
    #[arg(long, value_name = "0x..")]
    genesis_validators_root: Option<String>,
    /// Trusted beacon block root the bootstrap must match.
    #[arg(long, value_name = "0x..")]
    trusted_root: String,
    /// `/eth/v1/beacon/light_client/bootstrap/{root}` response.
    #[arg(long, value_name = "FILE")]
    bootstrap: PathBuf,
    /// `/eth/v1/beacon/light_client/updates` response (repeatable).
    #[arg(long = "updates", value_name = "FILE")]
    updates: Vec<PathBuf>,
    /// `/eth/v1/beacon/light_client/finality_update` response (repeatable).
    #[arg(long = "finality-update", value_name = "FILE")]
    finality_updates: Vec<PathBuf>,
    /// Current slot; defaults to the latest signature slot seen.
    #[arg(long, value_name = "N")]
    current_slot: Option<u64>,
}

/// The summary printed on success.
#[derive(Debug, Serialize)]
struct Report {
    network: String,
    finalized_slot: u64,
    finalized_block_root: B256,
    sync_committee_period: u64,
    /// `null` for pre-Capella headers and for Gloas headers (hash only).
    execution_block_number: Option<u64>,
    /// `null` for pre-Capella headers.
    execution_block_hash: Option<B256>,
    optimistic_slot: u64,
    current_slot: u64,
    updates_applied: u64,
    updates_ignored: u64,
}

/// One failure, rendered as a single stderr line.
#[derive(Debug)]
struct Failure {
    file: PathBuf,
    what: String,
    reason: String,
}

impl Failure {
    fn new(file: &Path, what: impl Into<String>, reason: impl ToString) -> Self {
        Self { file: file.to_path_buf(), what: what.into(), reason: reason.to_string() }
    }
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    match execute(&args) {
        Ok(report) => match serde_json::to_string(&report) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot serialize the report: {e}");
                ExitCode::FAILURE
            }
        },
        Err(f) => {
            let reason = f.reason.replace('\n', " ");
            eprintln!("error: {}: {}: {reason}", f.file.display(), f.what);
            ExitCode::FAILURE
        }
    }
}

/// Parses a 32-byte hex argument (reported as a one-line failure, not a usage error).
fn parse_root(flag: &str, text: &str) -> Result<B256, Failure> {
    text.trim().parse::<B256>().map_err(|e| {
        Failure::new(
            Path::new(flag),
            "argument",
            format!("{text:?} is not a 0x-prefixed 32-byte hex root: {e}"),
        )
    })
}

fn load_config(args: &Args) -> Result<ChainConfig, Failure> {
    if let Some(config) = ChainConfig::by_name(&args.network) {
        return Ok(config);
    }
    let path = Path::new(&args.network);
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            path,
            "network",
            format!(
                "not a known network (mainnet, sepolia, hoodi) nor a readable config.yaml: {e}"
            ),
        )
    })?;
    let mut root = args
        .genesis_validators_root
        .as_deref()
        .map(|text| parse_root("--genesis-validators-root", text))
        .transpose()?;
    if root.is_none() {
        let sibling = path.with_file_name("genesis_validators_root.txt");
        if let Ok(content) = std::fs::read_to_string(&sibling) {
            root = Some(
                content
                    .trim()
                    .parse::<B256>()
                    .map_err(|e| Failure::new(&sibling, "genesis validators root", e))?,
            );
        }
    }
    ChainConfig::from_yaml_str(&text, root).map_err(|e| Failure::new(path, "network", e))
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::new(path, "read", e))
}

fn execute(args: &Args) -> Result<Report, Failure> {
    let trusted_root = parse_root("--trusted-root", &args.trusted_root)?;
    let config = load_config(args)?;
    match config.preset_base.as_str() {
        "minimal" => execute_with::<Minimal>(args, &config, trusted_root),
        _ => execute_with::<Mainnet>(args, &config, trusted_root),
    }
}

enum Item<P: Preset> {
    Update(LightClientUpdate<P>),
    Finality(LightClientFinalityUpdate<P>),
}

struct Queued<P: Preset> {
    file: PathBuf,
    what: String,
    fork: ForkName,
    item: Item<P>,
}

impl<P: Preset> Queued<P> {
    fn signature_slot(&self) -> u64 {
        match &self.item {
            Item::Update(u) => u.signature_slot,
            Item::Finality(u) => u.signature_slot,
        }
    }

    fn attested_slot(&self) -> u64 {
        match &self.item {
            Item::Update(u) => u.attested_header.beacon.slot,
            Item::Finality(u) => u.attested_header.beacon.slot,
        }
    }
}

fn execute_with<P: Preset>(
    args: &Args,
    config: &ChainConfig,
    trusted_root: B256,
) -> Result<Report, Failure> {
    let boot_text = read(&args.bootstrap)?;
    let (boot_fork, bootstrap) = LightClientBootstrap::<P>::from_beacon_api_json(&boot_text)
        .map_err(|e| Failure::new(&args.bootstrap, "bootstrap", e))?;
    check_data_fork::<P>(config, boot_fork, bootstrap.header.beacon.slot)
        .map_err(|e| Failure::new(&args.bootstrap, "bootstrap", e))?;
    let bootstrap_slot = bootstrap.header.beacon.slot;
    let mut store: LightClientStore<P, DefaultBls> =
        initialize_light_client_store(config, trusted_root, bootstrap)
            .map_err(|e| Failure::new(&args.bootstrap, "bootstrap", e))?;

    // Decode everything first: the default current slot is the latest signature slot seen.
    let mut queue: Vec<Queued<P>> = Vec::new();
    for file in &args.updates {
        let text = read(file)?;
        let list = decode_updates::<P>(&text).map_err(|e| Failure::new(file, "updates", e))?;
        for (index, (fork, update)) in list.into_iter().enumerate() {
            queue.push(Queued {
                file: file.clone(),
                what: format!("update {index}"),
                fork,
                item: Item::Update(update),
            });
        }
    }
    for (index, file) in args.finality_updates.iter().enumerate() {
        let text = read(file)?;
        let (fork, update) = LightClientFinalityUpdate::<P>::from_beacon_api_json(&text)
            .map_err(|e| Failure::new(file, format!("finality update {index}"), e))?;
        queue.push(Queued {
            file: file.clone(),
            what: format!("finality update {index}"),
            fork,
            item: Item::Finality(update),
        });
    }
    let current_slot = args.current_slot.unwrap_or_else(|| {
        queue.iter().map(Queued::signature_slot).max().unwrap_or(bootstrap_slot)
    });

    let (mut applied, mut ignored) = (0u64, 0u64);
    for queued in queue {
        check_data_fork::<P>(config, queued.fork, queued.attested_slot())
            .map_err(|e| Failure::new(&queued.file, queued.what.clone(), e))?;
        let result = match queued.item {
            Item::Update(update) => {
                process_light_client_update(&mut store, config, &update, current_slot)
            }
            Item::Finality(update) => process_light_client_finality_update(
                &mut store,
                config,
                update,
                queued.fork,
                current_slot,
            ),
        };
        match result {
            Ok(outcome) if outcome.applied => applied += 1,
            Ok(_) => ignored += 1,
            Err(e) if e.is_irrelevant() => {
                tracing::info!(file = %queued.file.display(), what = %queued.what, "ignored: {e}");
                ignored += 1;
            }
            Err(e) => return Err(Failure::new(&queued.file, queued.what, e)),
        }
    }

    let finalized = store.finalized_header();
    Ok(Report {
        network: config.name.clone(),
        finalized_slot: finalized.beacon.slot,
        finalized_block_root: store.finalized_block_root(),
        sync_committee_period: store.sync_committee_period(),
        execution_block_number: store.finalized_execution_block_number(),
        execution_block_hash: store.finalized_execution_block_hash(),
        optimistic_slot: store.optimistic_header().beacon.slot,
        current_slot,
        updates_applied: applied,
        updates_ignored: ignored,
    })
}

/// `/updates` is an array; a single `{"version","data"}` object is accepted too.
fn decode_updates<P: Preset>(
    text: &str,
) -> Result<Vec<(ForkName, LightClientUpdate<P>)>, light_client::DecodeError> {
    let single = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .is_some_and(|v| v.get("version").is_some());
    if single {
        LightClientUpdate::<P>::from_beacon_api_json(text).map(|u| vec![u])
    } else {
        LightClientUpdate::<P>::list_from_beacon_api_json(text)
    }
}
