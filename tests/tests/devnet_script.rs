//! `scripts/devnet`, the one-command devnet, run as users run it:
//! `--smoke` runs both round trips (ETH locked, credited, sent back and unlocked; `upeg` out to its
//! CosmosERC20 and burned back) and exits 0 with the stage timings as its last line, and SIGTERM
//! to a running devnet stops every process it started (no orphans).
//!
//! ```text
//! cargo build -p pegd -p beacon-sim -p peg-relayer
//! PEG_E2E=1 cargo test -p peg-e2e --test devnet_script -- --nocapture
//! ```
//!
//! The script runs with `--no-build` (cargo cannot build while `cargo test` holds the build
//! lock) on a free port range, in a temporary run directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use peg_e2e::process::Service;
use peg_e2e::{ports, wait_until, HarnessError, Result};
use serde_json::Value;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/devnet")
}

/// The `target/<profile>` directory the binaries were built into.
fn profile() -> Result<&'static str> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().and_then(Path::parent).and_then(Path::file_name);
    Ok(if dir.is_some_and(|d| d == "release") { "release" } else { "debug" })
}

fn devnet(dir: &Path, base_port: u16, extra: &[&str]) -> Result<Command> {
    let mut command = Command::new(script());
    command
        .args(["--no-build", "--validators", "2", "--dir"])
        .arg(dir)
        .args(["--base-port", &base_port.to_string()])
        .args(extra);
    command.arg(if profile()? == "release" { "--release" } else { "--dev" });
    Ok(command)
}

/// One test, two runs in sequence: two devnets at once would share 2 cores.
#[test]
fn devnet_script() -> Result<()> {
    if !peg_e2e::enabled("devnet_script") {
        return Ok(());
    }
    smoke_locks_eth_and_reports_the_stages()?;
    sigterm_stops_every_process()
}

fn smoke_locks_eth_and_reports_the_stages() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("peg-devnet-smoke-").tempdir()?;
    let base = ports::free_node_range(11)?;
    let output = devnet(dir.path(), base, &["--smoke"])?.stdin(Stdio::null()).output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let kept = dir.keep();
        return Err(HarnessError::Unexpected(format!(
            "scripts/devnet --smoke exited {}; run dir kept at {}\n{stderr}",
            output.status,
            kept.display()
        )));
    }
    let last = stdout.lines().last().unwrap_or_default();
    let report: Value = serde_json::from_str(last)
        .map_err(|e| HarnessError::Unexpected(format!("last line {last:?} is not JSON: {e}")))?;
    println!("figure: {{\"name\":\"devnet_smoke\",\"value\":{report}}}");
    for key in [
        "lock_to_credit_s",
        "lock_included_s",
        "wait_finality_s",
        "relay_s",
        "startup_s",
        "send_to_unlock_s",
        "send_to_batch_s",
        "batch_to_unlock_s",
        "native_adopt_s",
        "native_out_s",
        "native_back_s",
        "native_round_trip_s",
    ] {
        let seconds = report[key]
            .as_f64()
            .ok_or_else(|| HarnessError::Unexpected(format!("{key} missing from {report}")))?;
        assert!(seconds >= 0.0, "{key} = {seconds}");
    }
    for (total, parts) in [
        ("lock_to_credit_s", &["lock_included_s", "wait_finality_s", "relay_s"][..]),
        ("send_to_unlock_s", &["send_to_batch_s", "batch_to_unlock_s"][..]),
        ("native_round_trip_s", &["native_out_s", "native_back_s"][..]),
    ] {
        let sum: f64 = parts.iter().map(|p| report[*p].as_f64().unwrap_or(0.0)).sum();
        let whole = report[total].as_f64().unwrap_or(0.0);
        assert!(
            (sum - whole).abs() < 0.05,
            "{parts:?} = {sum} s do not add up to {total} = {whole} s"
        );
    }
    // Sending out needs no Ethereum finality (signatures come with the next blocks); bringing the
    // native coin back does (the Burned event is proven).
    assert!(report["send_to_unlock_s"].as_f64() < report["native_round_trip_s"].as_f64());
    // Everything it started is gone.
    assert_no_processes_left(dir.path())?;
    Ok(())
}

fn sigterm_stops_every_process() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("peg-devnet-term-").tempdir()?;
    let logs = dir.path().join("script-logs");
    std::fs::create_dir_all(&logs)?;
    let base = ports::free_node_range(11)?;
    let run = dir.path().join("run");
    let mut script = Service::spawn("devnet", devnet(&run, base, &[])?, &logs)?;
    let summary = run.join("devnet.json");
    let ready = wait_until(
        "the devnet to come up",
        Duration::from_secs(180),
        Duration::from_millis(250),
        || {
            script.check_running()?;
            Ok(summary.is_file().then_some(()))
        },
    );
    if let Err(e) = ready {
        eprintln!("{}", script.log_tail(60));
        return Err(e);
    }
    let pids = recorded_pids(&run)?;
    assert!(pids.len() >= 5, "anvil, beacon-sim, 2 nodes and the relayer: {pids:?}");
    // A second devnet in the same directory is refused while this one runs.
    let second = devnet(&run, base, &[])?.stdin(Stdio::null()).output()?;
    assert!(!second.status.success(), "a second devnet started in the same directory");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("running"), "{stderr}");

    let status = script.terminate(Duration::from_secs(60))?;
    let status = status.ok_or_else(|| HarnessError::Unexpected("script not running".into()))?;
    println!("devnet exited with {status} after SIGTERM");
    assert_eq!(status.code(), Some(143), "SIGTERM exit status: {status}\n{}", script.log_tail(30));
    for (name, pid) in pids {
        assert!(!alive(pid), "{name} (pid {pid}) survived the devnet's SIGTERM");
    }
    assert_no_processes_left(&run)?;
    Ok(())
}

/// `pids/<name>` files of a run directory.
fn recorded_pids(run: &Path) -> Result<Vec<(String, u32)>> {
    let mut pids = Vec::new();
    let Ok(entries) = std::fs::read_dir(run.join("pids")) else { return Ok(pids) };
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path())?;
        if let Ok(pid) = text.trim().parse() {
            pids.push((entry.file_name().to_string_lossy().into_owned(), pid));
        }
    }
    Ok(pids)
}

fn assert_no_processes_left(run: &Path) -> Result<()> {
    let left = recorded_pids(run)?;
    let alive: Vec<_> = left.iter().filter(|(_, pid)| alive(*pid)).collect();
    assert!(alive.is_empty(), "processes left running: {alive:?}");
    Ok(())
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map(|s| !s.lines().any(|l| l.starts_with("State:") && l.contains('Z')))
        .unwrap_or(false)
}
