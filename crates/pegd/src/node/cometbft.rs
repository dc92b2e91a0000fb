//! Driving the CometBFT binary for set-up (`init`, `show-node-id`) and editing its files:
//! `config.toml` (by section-aware line edits, so CometBFT's comments survive) and
//! `priv_validator_key.json`.
//!
//! CometBFT v0.38 config reference: <https://docs.cometbft.com/v0.38/core/configuration>.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use serde::Deserialize;

use super::NodeError;

/// The CometBFT release `scripts/install-cometbft` installs, and the one this node speaks to.
pub const COMETBFT_VERSION: &str = "0.38.25";

/// The CometBFT binary to use: `explicit` if given, else `$PEG_COMETBFT`, else
/// `<dir of pegd>/../../.tools/bin/cometbft` when it exists (a `target/{debug,release}` build
/// inside the repository), else `cometbft` from `PATH`.
pub fn resolve_cometbft_binary(explicit: Option<&Path>) -> PathBuf {
    if let Some(path) = explicit {
        return path.to_path_buf();
    }
    if let Some(path) = std::env::var_os("PEG_COMETBFT") {
        return PathBuf::from(path);
    }
    if let Ok(exe) = std::env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(4) {
            let candidate = ancestor.join(".tools/bin/cometbft");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    PathBuf::from("cometbft")
}

/// Runs `binary args…`, returning its stdout, or a typed error with its stderr.
pub fn run_cometbft(binary: &Path, args: &[&str]) -> Result<String, NodeError> {
    let output = Command::new(binary)
        .args(args)
        .output()
        .map_err(|source| NodeError::CometbftSpawn { binary: binary.to_path_buf(), source })?;
    if !output.status.success() {
        return Err(NodeError::CometbftFailed {
            command: format!("{} {}", binary.display(), args.join(" ")),
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Checks that `binary version` is [`COMETBFT_VERSION`].
pub fn check_cometbft_version(binary: &Path) -> Result<(), NodeError> {
    let got = run_cometbft(binary, &["version"])?.trim().to_owned();
    if got != COMETBFT_VERSION {
        return Err(NodeError::UnexpectedField {
            path: binary.to_path_buf(),
            field: "version",
            got,
            expected: COMETBFT_VERSION.to_owned(),
        });
    }
    Ok(())
}

/// `cometbft init --home <home>`: node key, validator key and a one-validator genesis.
pub fn cometbft_init(binary: &Path, home: &Path) -> Result<(), NodeError> {
    let home = home.to_string_lossy();
    run_cometbft(binary, &["init", "--home", &home]).map(|_| ())
}

/// `cometbft show-node-id --home <home>`: the hex P2P node id.
pub fn cometbft_node_id(binary: &Path, home: &Path) -> Result<String, NodeError> {
    let home_str = home.to_string_lossy();
    let id = run_cometbft(binary, &["show-node-id", "--home", &home_str])?.trim().to_owned();
    if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NodeError::UnexpectedField {
            path: home.join("config/node_key.json"),
            field: "node id",
            got: id,
            expected: "40 hex characters".to_owned(),
        });
    }
    Ok(id)
}

/// The public half of a CometBFT validator key, as written in `priv_validator_key.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorKey {
    /// The consensus address, upper-case hex (`sha256(pubkey)[..20]`).
    pub address: String,
    /// The ed25519 public key, base64 as CometBFT writes it.
    pub pub_key_base64: String,
}

#[derive(Deserialize)]
struct PrivValidatorKeyFile {
    address: String,
    pub_key: TypedKey,
}

#[derive(Deserialize)]
struct TypedKey {
    #[serde(rename = "type")]
    key_type: String,
    value: String,
}

impl ValidatorKey {
    /// The raw 32-byte ed25519 public key.
    pub fn pub_key_bytes(&self) -> Result<[u8; 32], NodeError> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&self.pub_key_base64)
            .map_err(|e| NodeError::InvalidArgument { name: "pub_key", reason: e.to_string() })?;
        raw.as_slice().try_into().map_err(|_| NodeError::InvalidArgument {
            name: "pub_key",
            reason: format!("{} bytes, expected 32 (ed25519)", raw.len()),
        })
    }
}

/// The CometBFT amino type name of ed25519 public keys.
pub const ED25519_PUBKEY_TYPE: &str = "tendermint/PubKeyEd25519";

/// Reads and checks `<cometbft home>/config/priv_validator_key.json`.
pub fn read_validator_key(cometbft_home: &Path) -> Result<ValidatorKey, NodeError> {
    let path = cometbft_home.join("config/priv_validator_key.json");
    let text = std::fs::read_to_string(&path).map_err(NodeError::io("read", &path))?;
    let file: PrivValidatorKeyFile = serde_json::from_str(&text)
        .map_err(|e| NodeError::Json { path: path.clone(), reason: e.to_string() })?;
    if file.pub_key.key_type != ED25519_PUBKEY_TYPE {
        return Err(NodeError::UnexpectedField {
            path,
            field: "pub_key.type",
            got: file.pub_key.key_type,
            expected: ED25519_PUBKEY_TYPE.to_owned(),
        });
    }
    let raw =
        base64::engine::general_purpose::STANDARD.decode(&file.pub_key.value).map_err(|e| {
            NodeError::UnexpectedField {
                path: path.clone(),
                field: "pub_key.value",
                got: e.to_string(),
                expected: "base64".to_owned(),
            }
        })?;
    if raw.len() != 32 {
        return Err(NodeError::UnexpectedField {
            path,
            field: "pub_key.value",
            got: format!("{} bytes", raw.len()),
            expected: "32 bytes (ed25519)".to_owned(),
        });
    }
    if file.address.len() != 40 || !file.address.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NodeError::UnexpectedField {
            path,
            field: "address",
            got: file.address,
            expected: "40 hex characters".to_owned(),
        });
    }
    Ok(ValidatorKey { address: file.address, pub_key_base64: file.pub_key.value })
}

/// One edit of `config.toml`: set `key` of `[section]` ("" = top level) to `value`, a TOML
/// literal (strings quoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlEdit {
    /// The section, without brackets ("" for the top level).
    pub section: &'static str,
    /// The key.
    pub key: &'static str,
    /// The new value, as a TOML literal.
    pub value: String,
}

impl TomlEdit {
    /// Sets a string value.
    pub fn string(section: &'static str, key: &'static str, value: &str) -> Self {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        Self { section, key, value: format!("\"{escaped}\"") }
    }

    /// Sets a boolean value.
    pub fn boolean(section: &'static str, key: &'static str, value: bool) -> Self {
        Self { section, key, value: value.to_string() }
    }
}

/// Applies `edits` to the text of a CometBFT `config.toml`, keeping every other line (comments
/// included) as it is. Each edited key must appear exactly once in its section: a missing key
/// means another CometBFT layout, and is an error rather than a silently ignored setting.
pub fn edit_config_toml(input: &str, edits: &[TomlEdit]) -> Result<String, NodeError> {
    let mut hits = vec![0usize; edits.len()];
    let mut section = String::new();
    let mut out = String::with_capacity(input.len() + 64);
    for line in input.lines() {
        let trimmed = line.trim();
        if let Some(inner) = trimmed.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            section = inner.trim().to_owned();
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let key = trimmed.split_once('=').map(|(key, _)| key.trim());
        let edit = key.and_then(|key| {
            edits.iter().enumerate().find(|(_, e)| e.section == section && e.key == key)
        });
        match edit {
            Some((index, edit)) if !trimmed.starts_with('#') => {
                if let Some(count) = hits.get_mut(index) {
                    *count += 1;
                }
                out.push_str(edit.key);
                out.push_str(" = ");
                out.push_str(&edit.value);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    for (edit, count) in edits.iter().zip(hits) {
        match count {
            1 => {}
            0 => {
                return Err(NodeError::TomlKeyMissing {
                    section: edit.section.to_owned(),
                    key: edit.key.to_owned(),
                })
            }
            got => {
                return Err(NodeError::TomlKeyDuplicated {
                    section: edit.section.to_owned(),
                    key: edit.key.to_owned(),
                    got,
                })
            }
        }
    }
    Ok(out)
}

/// Reads, edits and writes back `<cometbft home>/config/config.toml`.
pub fn edit_config_file(cometbft_home: &Path, edits: &[TomlEdit]) -> Result<(), NodeError> {
    let path = cometbft_home.join("config/config.toml");
    let text = std::fs::read_to_string(&path).map_err(NodeError::io("read", &path))?;
    let edited = edit_config_toml(&text, edits)?;
    std::fs::write(&path, edited).map_err(NodeError::io("write", &path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# top comment
proxy_app = "tcp://127.0.0.1:26658"
moniker = "host"

[rpc]
# laddr = "commented"
laddr = "tcp://127.0.0.1:26657"
pprof_laddr = ""

[p2p]
laddr = "tcp://0.0.0.0:26656"
persistent_peers = ""
"#;

    #[test]
    fn edits_the_key_of_the_right_section_only() -> Result<(), NodeError> {
        let out = edit_config_toml(
            SAMPLE,
            &[
                TomlEdit::string("p2p", "laddr", "tcp://127.0.0.1:30000"),
                TomlEdit::string("", "moniker", "val\"0"),
            ],
        )?;
        assert!(out.contains("[rpc]\n# laddr = \"commented\"\nladdr = \"tcp://127.0.0.1:26657\""));
        assert!(out.contains("[p2p]\nladdr = \"tcp://127.0.0.1:30000\""));
        assert!(out.contains("moniker = \"val\\\"0\""));
        assert!(out.starts_with("# top comment\n"));
        Ok(())
    }

    #[test]
    fn missing_key_is_an_error() {
        let err = edit_config_toml(SAMPLE, &[TomlEdit::boolean("p2p", "allow_duplicate_ip", true)]);
        assert!(
            matches!(err, Err(NodeError::TomlKeyMissing { ref key, .. }) if key == "allow_duplicate_ip")
        );
    }

    #[test]
    fn duplicated_key_is_an_error() {
        let doubled = format!("{SAMPLE}laddr = \"again\"\n");
        let err = edit_config_toml(&doubled, &[TomlEdit::string("p2p", "laddr", "x")]);
        assert!(matches!(err, Err(NodeError::TomlKeyDuplicated { got: 2, .. })));
    }
}
