//! Child processes with Drop guards: every [`Service`] runs in its own process group (so a
//! `pegd start` takes its CometBFT child down with it) and is killed when dropped.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{HarnessError, Result};

/// A running child process, its process group and its log file.
#[derive(Debug)]
pub struct Service {
    name: String,
    child: Option<Child>,
    log: PathBuf,
}

impl Service {
    /// Spawns `command` as the leader of a new process group, stdout and stderr appended to
    /// `<log_dir>/<name>.log`.
    pub fn spawn(name: &str, mut command: Command, log_dir: &Path) -> Result<Self> {
        use std::os::unix::process::CommandExt as _;
        let log = log_dir.join(format!("{name}.log"));
        let out = File::options().create(true).append(true).open(&log)?;
        let err = out.try_clone()?;
        let child =
            command.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0).spawn().map_err(
                |e| HarnessError::Setup {
                    what: format!("spawning {name} ({command:?})"),
                    reason: e.to_string(),
                },
            )?;
        Ok(Self { name: name.to_owned(), child: Some(child), log })
    }

    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The leader's pid, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// `Err` naming the service when it has exited.
    pub fn check_running(&mut self) -> Result<()> {
        let Some(child) = self.child.as_mut() else {
            return Err(HarnessError::Exited { name: self.name.clone(), status: "stopped".into() });
        };
        match child.try_wait()? {
            None => Ok(()),
            Some(status) => {
                Err(HarnessError::Exited { name: self.name.clone(), status: status.to_string() })
            }
        }
    }

    /// SIGTERM to the leader, up to `grace` for it to exit, then SIGKILL to the group.
    pub fn terminate(&mut self, grace: Duration) -> Result<Option<ExitStatus>> {
        let Some(mut child) = self.child.take() else { return Ok(None) };
        signal(&format!("{}", child.id()), "-TERM");
        let deadline = Instant::now() + grace;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        signal(&format!("-{}", child.id()), "-KILL");
        let status = match status {
            Some(status) => status,
            None => child.wait()?,
        };
        Ok(Some(status))
    }

    /// SIGKILL to the whole group at once (a crash), then reaps the leader.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(&format!("-{}", child.id()), "-KILL");
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The last `lines` lines of the log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `kill <signal> -- <target>` (a negative target is a process group). Best effort: the
/// target may already be gone.
fn signal(target: &str, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last `lines` lines of a text file (empty when unreadable).
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs `command` to completion; its stdout on success, an error with its stderr otherwise.
pub fn run(mut command: Command) -> Result<String> {
    let output = command.stdin(Stdio::null()).output().map_err(|e| HarnessError::Setup {
        what: format!("running {command:?}"),
        reason: e.to_string(),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last: Vec<&str> = stderr.lines().chain(stdout.lines()).collect();
        return Err(HarnessError::Command {
            command: format!("{command:?}"),
            output: last[last.len().saturating_sub(15)..].join("\n"),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
