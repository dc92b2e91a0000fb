//! consensus-spec-tests conformance runner (libtest-mimic, `harness = false`).
//!
//! Walks `tests/<preset>/<fork>/<runner>/<handler>/<suite>/<case>` under
//! `CONSENSUS_SPEC_TESTS_DIR` (default: `../shared/vectors/consensus-spec-tests` beside the
//! repository), discovers every case, and turns each into a named trial. Supported kinds:
//! `light_client/sync`, `light_client/update_ranking`, and `ssz_static` of the light-client
//! containers, `BeaconBlockHeader`,
//! `ExecutionPayloadHeader`, `SyncCommittee` and `SyncAggregate`. A supported case that fails is a
//! failure; cases of other kinds are listed (as ignored trials and in the summary), never
//! dropped silently. Every file of a supported case must be read, or the case fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use alloy_primitives::{FixedBytes, B256};
use libtest_mimic::{Arguments, Failed, Trial};
use light_client::config::{ChainConfig, ForkName};
use light_client::preset::{Mainnet, Minimal, Preset};
use light_client::sync::{
    get_lc_execution_root, initialize_light_client_store, process_light_client_store_force_update,
    process_light_client_update,
};
use light_client::types::*;
use light_client::{DefaultBls, LightClientStore};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use ssz::{Decode, Encode};
use tree_hash::TreeHash;

type CaseResult = Result<(), String>;

fn tests_root() -> PathBuf {
    match std::env::var_os("CONSENSUS_SPEC_TESTS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/consensus-spec-tests")
        }
    }
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Tracks which files of a case were read, so unread files fail the case.
struct CaseFiles {
    dir: PathBuf,
    read: BTreeSet<String>,
}

impl CaseFiles {
    fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf(), read: BTreeSet::new() }
    }

    fn exists(&self, name: &str) -> bool {
        self.dir.join(name).is_file()
    }

    fn bytes(&mut self, name: &str) -> Result<Vec<u8>, String> {
        self.read.insert(name.to_owned());
        std::fs::read(self.dir.join(name)).map_err(|e| format!("{name}: {e}"))
    }

    fn text(&mut self, name: &str) -> Result<String, String> {
        let bytes = self.bytes(name)?;
        String::from_utf8(bytes).map_err(|e| format!("{name}: {e}"))
    }

    fn snappy(&mut self, name: &str) -> Result<Vec<u8>, String> {
        let compressed = self.bytes(name)?;
        snap::raw::Decoder::new()
            .decompress_vec(&compressed)
            .map_err(|e| format!("{name}: snappy: {e}"))
    }

    fn yaml<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, String> {
        let text = self.text(name)?;
        serde_yaml::from_str(&text).map_err(|e| format!("{name}: {e}"))
    }

    fn unread_matching(&self, prefix: &str, suffix: &str) -> Result<Vec<String>, String> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| e.to_string())?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix) && n.ends_with(suffix) && !self.read.contains(n))
            .collect();
        names.sort();
        Ok(names)
    }

    fn all_read(&self) -> CaseResult {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| e.to_string())?;
        let unread: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !self.read.contains(n))
            .collect();
        if unread.is_empty() {
            Ok(())
        } else {
            Err(format!("files not read by the runner: {unread:?}"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ssz_static

fn ssz_static<T>(dir: &Path) -> CaseResult
where
    T: Decode + Encode + TreeHash + DeserializeOwned + PartialEq + Debug,
{
    let mut files = CaseFiles::new(dir);
    let serialized = files.snappy("serialized.ssz_snappy")?;
    let decoded = T::from_ssz_bytes(&serialized).map_err(|e| format!("decode: {e:?}"))?;
    if decoded.as_ssz_bytes() != serialized {
        return Err("re-encoding differs from serialized.ssz_snappy".into());
    }
    let value: T = files.yaml("value.yaml")?;
    if value != decoded {
        return Err(format!("value.yaml differs from the decoded SSZ:\n{value:?}\n{decoded:?}"));
    }
    if files.exists("roots.yaml") {
        #[derive(Deserialize)]
        struct Roots {
            root: B256,
        }
        let roots: Roots = files.yaml("roots.yaml")?;
        let got = decoded.tree_hash_root();
        if got != roots.root {
            return Err(format!("hash_tree_root {got} != roots.yaml {}", roots.root));
        }
    }
    files.all_read()
}

macro_rules! by_lc_fork {
    ($fork:expr, $dir:expr, $altair:ty, $capella:ty, $deneb:ty, $electra:ty, $gloas:ty) => {
        match $fork {
            ForkName::Altair | ForkName::Bellatrix => Some(ssz_static::<$altair>($dir)),
            ForkName::Capella => Some(ssz_static::<$capella>($dir)),
            ForkName::Deneb => Some(ssz_static::<$deneb>($dir)),
            ForkName::Electra | ForkName::Fulu => Some(ssz_static::<$electra>($dir)),
            ForkName::Gloas => Some(ssz_static::<$gloas>($dir)),
            ForkName::Phase0 => None,
        }
    };
}

/// Runs one `ssz_static` case, or `None` when the container is not supported at this fork.
fn ssz_static_case<P: Preset>(fork: ForkName, handler: &str, dir: &Path) -> Option<CaseResult> {
    let altair_or_later = fork >= ForkName::Altair;
    match handler {
        "BeaconBlockHeader" => Some(ssz_static::<BeaconBlockHeader>(dir)),
        "SyncCommittee" if altair_or_later => Some(ssz_static::<SyncCommittee<P>>(dir)),
        "SyncAggregate" if altair_or_later => Some(ssz_static::<SyncAggregate<P>>(dir)),
        "ExecutionPayloadHeader" => match fork {
            ForkName::Bellatrix => Some(ssz_static::<ExecutionPayloadHeaderBellatrix>(dir)),
            ForkName::Capella => Some(ssz_static::<ExecutionPayloadHeaderCapella>(dir)),
            ForkName::Deneb | ForkName::Electra | ForkName::Fulu => {
                Some(ssz_static::<ExecutionPayloadHeaderDeneb>(dir))
            }
            _ => None,
        },
        "LightClientHeader" => by_lc_fork!(
            fork,
            dir,
            LightClientHeaderAltair,
            LightClientHeaderCapella,
            LightClientHeaderDeneb,
            LightClientHeaderDeneb,
            LightClientHeaderGloas
        ),
        "LightClientBootstrap" => by_lc_fork!(
            fork,
            dir,
            LightClientBootstrapAltair<P>,
            LightClientBootstrapCapella<P>,
            LightClientBootstrapDeneb<P>,
            LightClientBootstrapElectra<P>,
            LightClientBootstrapGloas<P>
        ),
        "LightClientUpdate" => by_lc_fork!(
            fork,
            dir,
            LightClientUpdateAltair<P>,
            LightClientUpdateCapella<P>,
            LightClientUpdateDeneb<P>,
            LightClientUpdateElectra<P>,
            LightClientUpdateGloas<P>
        ),
        "LightClientFinalityUpdate" => by_lc_fork!(
            fork,
            dir,
            LightClientFinalityUpdateAltair<P>,
            LightClientFinalityUpdateCapella<P>,
            LightClientFinalityUpdateDeneb<P>,
            LightClientFinalityUpdateElectra<P>,
            LightClientFinalityUpdateGloas<P>
        ),
        "LightClientOptimisticUpdate" => by_lc_fork!(
            fork,
            dir,
            LightClientOptimisticUpdateAltair<P>,
            LightClientOptimisticUpdateCapella<P>,
            LightClientOptimisticUpdateDeneb<P>,
            LightClientOptimisticUpdateDeneb<P>,
            LightClientOptimisticUpdateGloas<P>
        ),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// light_client/sync (format: consensus-specs tests/formats/light_client/sync.md)

#[derive(Debug, Deserialize)]
struct SyncMeta {
    genesis_validators_root: B256,
    trusted_block_root: B256,
    #[serde(default)]
    bootstrap_fork_digest: Option<FixedBytes<4>>,
    #[serde(default)]
    store_fork_digest: Option<FixedBytes<4>>,
}

#[derive(Debug, Deserialize)]
struct HeaderCheck {
    slot: u64,
    beacon_root: B256,
    #[serde(default)]
    execution_root: Option<B256>,
}

#[derive(Debug, Deserialize)]
struct Checks {
    finalized_header: HeaderCheck,
    optimistic_header: HeaderCheck,
}

#[derive(Debug, Deserialize)]
struct ProcessUpdateStep {
    #[serde(default)]
    update_fork_digest: Option<FixedBytes<4>>,
    update: String,
    current_slot: u64,
    checks: Checks,
}

#[derive(Debug, Deserialize)]
struct ForceUpdateStep {
    current_slot: u64,
    checks: Checks,
}

#[derive(Debug, Deserialize)]
struct UpgradeStoreStep {
    store_fork_digest: FixedBytes<4>,
    checks: Checks,
}

/// One step of `steps.yaml`: a single-key map naming the step kind.
#[derive(Debug)]
enum Step {
    ProcessUpdate(ProcessUpdateStep),
    ForceUpdate(ForceUpdateStep),
    UpgradeStore(UpgradeStoreStep),
}

fn parse_steps(raw: Vec<BTreeMap<String, serde_yaml::Value>>) -> Result<Vec<Step>, String> {
    raw.into_iter()
        .enumerate()
        .map(|(index, map)| {
            let mut entries = map.into_iter();
            let (Some((kind, body)), None) = (entries.next(), entries.next()) else {
                return Err(format!("step {index}: expected exactly one step kind"));
            };
            let parse_err = |e: serde_yaml::Error| format!("step {index} ({kind}): {e}");
            match kind.as_str() {
                "process_update" => {
                    serde_yaml::from_value(body).map(Step::ProcessUpdate).map_err(parse_err)
                }
                "force_update" => {
                    serde_yaml::from_value(body).map(Step::ForceUpdate).map_err(parse_err)
                }
                "upgrade_store" => {
                    serde_yaml::from_value(body).map(Step::UpgradeStore).map_err(parse_err)
                }
                other => Err(format!("step {index}: unsupported step kind {other:?}")),
            }
        })
        .collect()
}

fn fork_of(
    config: &ChainConfig,
    digest: Option<FixedBytes<4>>,
    default: ForkName,
) -> Result<ForkName, String> {
    match digest {
        None => Ok(default),
        Some(d) => config
            .fork_by_digest(d)
            .ok_or_else(|| format!("fork digest {d} matches no fork of config.yaml")),
    }
}

fn check_header(
    config: &ChainConfig,
    what: &str,
    header: &LightClientHeader,
    expected: &HeaderCheck,
    execution_root: B256,
) -> CaseResult {
    if header.beacon.slot != expected.slot {
        return Err(format!("{what}.slot {} != {}", header.beacon.slot, expected.slot));
    }
    let root = header.beacon_root();
    if root != expected.beacon_root {
        return Err(format!("{what}.beacon_root {root} != {}", expected.beacon_root));
    }
    if let Some(exec) = expected.execution_root {
        if execution_root != exec {
            return Err(format!("{what}.execution_root {execution_root} != {exec}"));
        }
    }
    let _ = config;
    Ok(())
}

fn run_checks<P: Preset>(
    config: &ChainConfig,
    store: &LightClientStore<P, DefaultBls>,
    checks: &Checks,
    step: usize,
) -> CaseResult {
    let fin = store.finalized_header();
    let opt = store.optimistic_header();
    check_header(
        config,
        "finalized_header",
        fin,
        &checks.finalized_header,
        get_lc_execution_root::<P>(config, fin),
    )
    .and_then(|()| {
        check_header(
            config,
            "optimistic_header",
            opt,
            &checks.optimistic_header,
            get_lc_execution_root::<P>(config, opt),
        )
    })
    .map_err(|e| format!("step {step}: {e}"))
}

fn light_client_sync<P: Preset>(dir_fork: ForkName, dir: &Path) -> CaseResult {
    let mut files = CaseFiles::new(dir);
    let meta: SyncMeta = files.yaml("meta.yaml")?;
    let config_text = files.text("config.yaml")?;
    let config = ChainConfig::from_yaml_str(&config_text, Some(meta.genesis_validators_root))
        .map_err(|e| e.to_string())?;
    if config.preset_base != P::NAME {
        return Err(format!("config PRESET_BASE {} in a {} tree", config.preset_base, P::NAME));
    }
    let bootstrap_fork = fork_of(&config, meta.bootstrap_fork_digest, dir_fork)?;
    fork_of(&config, meta.store_fork_digest, dir_fork)?;
    let bootstrap_bytes = files.snappy("bootstrap.ssz_snappy")?;
    let bootstrap = LightClientBootstrap::<P>::from_ssz_bytes(&bootstrap_bytes, bootstrap_fork)
        .map_err(|e| e.to_string())?;
    let mut store: LightClientStore<P, DefaultBls> =
        initialize_light_client_store(&config, meta.trusted_block_root, bootstrap)
            .map_err(|e| format!("bootstrap: {e}"))?;
    let steps = parse_steps(files.yaml("steps.yaml")?)?;
    for (index, step) in steps.iter().enumerate() {
        match step {
            Step::ProcessUpdate(ProcessUpdateStep {
                update_fork_digest,
                update,
                current_slot,
                checks,
            }) => {
                let fork = fork_of(&config, *update_fork_digest, dir_fork)?;
                let bytes = files.snappy(&format!("{update}.ssz_snappy"))?;
                let update = LightClientUpdate::<P>::from_ssz_bytes(&bytes, fork)
                    .map_err(|e| format!("step {index}: {e}"))?;
                process_light_client_update(&mut store, &config, &update, *current_slot)
                    .map_err(|e| format!("step {index}: process_update: {e}"))?;
                run_checks(&config, &store, checks, index)?;
            }
            Step::ForceUpdate(ForceUpdateStep { current_slot, checks }) => {
                process_light_client_store_force_update(&mut store, *current_slot)
                    .map_err(|e| format!("step {index}: force_update: {e}"))?;
                run_checks(&config, &store, checks, index)?;
            }
            Step::UpgradeStore(UpgradeStoreStep { store_fork_digest, checks }) => {
                // The store keeps headers in fork-independent form: upgrading is a no-op
                // beyond checking that the digest names a fork of the config.
                fork_of(&config, Some(*store_fork_digest), dir_fork)?;
                run_checks(&config, &store, checks, index)?;
            }
        }
    }
    // The generator may write updates that no step uses (electra
    // `supply_sync_committee_from_past_update` does): they must still decode.
    let store_fork = fork_of(&config, meta.store_fork_digest, dir_fork)?;
    for name in files.unread_matching("update_", ".ssz_snappy")? {
        let bytes = files.snappy(&name)?;
        LightClientUpdate::<P>::from_ssz_bytes(&bytes, store_fork)
            .map_err(|e| format!("unused {name}: {e}"))?;
    }
    files.all_read()
}

// ---------------------------------------------------------------------------------------------
// light_client/update_ranking (format: consensus-specs tests/formats/light_client/update_ranking.md)

#[derive(Debug, Deserialize)]
struct RankingMeta {
    updates_count: usize,
}

/// `updates_<i>` are ordered best first: no later update may rank better than an earlier one.
fn light_client_update_ranking<P: Preset>(fork: ForkName, dir: &Path) -> CaseResult {
    let mut files = CaseFiles::new(dir);
    let meta: RankingMeta = files.yaml("meta.yaml")?;
    let mut updates = Vec::with_capacity(meta.updates_count);
    for index in 0..meta.updates_count {
        let bytes = files.snappy(&format!("updates_{index}.ssz_snappy"))?;
        updates.push(
            LightClientUpdate::<P>::from_ssz_bytes(&bytes, fork)
                .map_err(|e| format!("updates_{index}: {e}"))?,
        );
    }
    for (i, better) in updates.iter().enumerate() {
        for (j, worse) in updates.iter().enumerate().skip(i + 1) {
            if light_client::is_better_update(worse, better) {
                return Err(format!("updates_{j} ranks better than updates_{i}"));
            }
        }
    }
    files.all_read()
}

// ---------------------------------------------------------------------------------------------
// discovery

struct Discovered {
    trials: Vec<Trial>,
    unsupported: BTreeMap<String, usize>,
}

fn run_case<P: Preset>(
    fork: ForkName,
    runner: &str,
    handler: &str,
    dir: &Path,
) -> Option<Box<dyn FnOnce() -> CaseResult + Send>> {
    let dir = dir.to_path_buf();
    match (runner, handler) {
        ("light_client", "sync") if fork >= ForkName::Altair => {
            Some(Box::new(move || light_client_sync::<P>(fork, &dir)))
        }
        ("light_client", "update_ranking") if fork >= ForkName::Altair => {
            Some(Box::new(move || light_client_update_ranking::<P>(fork, &dir)))
        }
        ("ssz_static", handler) => {
            // Probe support without running: a supported container returns Some.
            if supported_ssz_static(fork, handler) {
                let handler = handler.to_owned();
                Some(Box::new(move || {
                    ssz_static_case::<P>(fork, &handler, &dir)
                        .unwrap_or_else(|| Err("unsupported container".into()))
                }))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn supported_ssz_static(fork: ForkName, handler: &str) -> bool {
    match handler {
        "BeaconBlockHeader" => true,
        "SyncCommittee" | "SyncAggregate" => fork >= ForkName::Altair,
        "ExecutionPayloadHeader" => fork >= ForkName::Bellatrix && fork <= ForkName::Fulu,
        "LightClientHeader"
        | "LightClientBootstrap"
        | "LightClientUpdate"
        | "LightClientFinalityUpdate"
        | "LightClientOptimisticUpdate" => fork >= ForkName::Altair,
        _ => false,
    }
}

fn discover(root: &Path) -> Discovered {
    let mut trials = Vec::new();
    let mut unsupported = BTreeMap::new();
    let tests = root.join("tests");
    for preset_dir in sorted_dirs(&tests) {
        let preset = name_of(&preset_dir);
        for fork_dir in sorted_dirs(&preset_dir) {
            let fork_name = name_of(&fork_dir);
            for runner_dir in sorted_dirs(&fork_dir) {
                let runner = name_of(&runner_dir);
                for handler_dir in sorted_dirs(&runner_dir) {
                    let handler = name_of(&handler_dir);
                    for suite_dir in sorted_dirs(&handler_dir) {
                        let suite = name_of(&suite_dir);
                        for case_dir in sorted_dirs(&suite_dir) {
                            let case = name_of(&case_dir);
                            let name =
                                format!("{runner}_{handler}_{suite}_{case}_{fork_name}_{preset}");
                            let fork = fork_name.parse::<ForkName>().ok();
                            let job = fork.and_then(|fork| match preset.as_str() {
                                "mainnet" => {
                                    run_case::<Mainnet>(fork, &runner, &handler, &case_dir)
                                }
                                "minimal" => {
                                    run_case::<Minimal>(fork, &runner, &handler, &case_dir)
                                }
                                _ => None,
                            });
                            match job {
                                Some(job) => trials
                                    .push(Trial::test(name, move || job().map_err(Failed::from))),
                                None => {
                                    *unsupported
                                        .entry(format!("{preset}/{fork_name}/{runner}/{handler}"))
                                        .or_insert(0) += 1;
                                    trials.push(
                                        Trial::test(name, || Ok(()))
                                            .with_kind("unsupported")
                                            .with_ignored_flag(true),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Discovered { trials, unsupported }
}

fn main() {
    let args = Arguments::from_args();
    let root = tests_root();
    let mut trials = Vec::new();
    let mut unsupported = BTreeMap::new();
    if root.join("tests").is_dir() {
        let found = discover(&root);
        trials = found.trials;
        unsupported = found.unsupported;
    } else {
        let shown = root.display().to_string();
        trials.push(Trial::test("consensus_spec_tests_present", move || {
            Err(Failed::from(format!(
                "no consensus-spec-tests tree at {shown} (set CONSENSUS_SPEC_TESTS_DIR)"
            )))
        }));
    }
    let total = trials.len();
    let supported = total - unsupported.values().sum::<usize>();
    eprintln!(
        "consensus-spec-tests: {} ({total} cases found, {supported} supported)",
        root.display()
    );
    for (kind, count) in &unsupported {
        eprintln!("  not supported: {kind} ({count} cases)");
    }
    let conclusion = libtest_mimic::run(&args, trials);
    eprintln!(
        "consensus-spec-tests summary: ran {}, passed {}, failed {}, not supported {}, filtered out {}",
        conclusion.num_passed + conclusion.num_failed,
        conclusion.num_passed,
        conclusion.num_failed,
        conclusion.num_ignored,
        conclusion.num_filtered_out
    );
    conclusion.exit();
}
