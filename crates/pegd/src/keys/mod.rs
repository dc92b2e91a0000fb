//! The file key ring of `pegd keys`: one secp256k1 account key per file in `<home>/keys/`.
//!
//! File `<home>/keys/<name>.json` (mode 0600 on Unix):
//! `{"name", "type": "secp256k1", "address": "peg1…", "pub_key": "<33-byte compressed hex>",
//! "private_key": "<32-byte hex>"}`. On load the private key is re-derived into its address and
//! compared with the recorded one, so a damaged or edited file is refused.
//!
//! Deviation: the Cosmos SDK keyring encrypts keys (`file` backend) or uses the OS keyring; this is
//! the SDK's `test` backend equivalent (plain files), meant for validators' local accounts and
//! test networks. Funds of value belong in a hardware or encrypted signer.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use peg_tx::{AccAddress, PublicKey, SigningKey};
use serde::{Deserialize, Serialize};

use crate::node::NodeError;

/// The key type written in key files.
pub const KEY_TYPE_SECP256K1: &str = "secp256k1";

/// The public description of a key, as `pegd keys show --output json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// The key name.
    pub name: String,
    /// Always [`KEY_TYPE_SECP256K1`].
    #[serde(rename = "type")]
    pub key_type: String,
    /// The `peg1…` account address.
    pub address: String,
    /// The compressed public key, hex.
    pub pub_key: String,
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    #[serde(flatten)]
    info: KeyInfo,
    private_key: String,
}

/// A loaded key: its description and its signing key.
#[derive(Debug, Clone)]
pub struct LoadedKey {
    /// The public description.
    pub info: KeyInfo,
    /// The private key.
    pub signing_key: SigningKey,
}

impl LoadedKey {
    /// The account address.
    pub fn address(&self) -> AccAddress {
        PublicKey::from_signing_key(&self.signing_key).address()
    }
}

/// A key ring directory.
#[derive(Debug, Clone)]
pub struct Keyring {
    dir: PathBuf,
}

/// Checks a key name: 1 to 64 characters of `[A-Za-z0-9_-]` (it becomes a file name).
pub fn validate_key_name(name: &str) -> Result<(), NodeError> {
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(NodeError::InvalidKeyName { got: name.to_owned() })
    }
}

/// A fresh secp256k1 key from the operating system's random source.
pub fn generate_signing_key() -> Result<SigningKey, NodeError> {
    let path = Path::new("/dev/urandom");
    let mut file = std::fs::File::open(path).map_err(NodeError::io("open", path))?;
    // A uniformly random 32-byte string is a valid scalar except with probability ~2^-128.
    for _ in 0..8 {
        let mut bytes = [0u8; 32];
        file.read_exact(&mut bytes).map_err(NodeError::io("read", path))?;
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
    Err(NodeError::BadKeyFile {
        path: path.to_path_buf(),
        reason: "the random source produced 8 invalid scalars in a row".to_owned(),
    })
}

/// The public description of `key` under `name`.
pub fn key_info(name: &str, key: &SigningKey) -> KeyInfo {
    let public = PublicKey::from_signing_key(key);
    KeyInfo {
        name: name.to_owned(),
        key_type: KEY_TYPE_SECP256K1.to_owned(),
        address: public.address().to_bech32(),
        pub_key: hex::encode(public.to_compressed()),
    }
}

impl Keyring {
    /// The key ring of a node home: `<home>/keys`.
    pub fn in_home(home: &Path) -> Self {
        Self { dir: home.join("keys") }
    }

    /// The key ring in directory `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, NodeError> {
        validate_key_name(name)?;
        Ok(self.dir.join(format!("{name}.json")))
    }

    /// Stores `key` as `name`; refuses to overwrite an existing key.
    pub fn add(&self, name: &str, key: &SigningKey) -> Result<KeyInfo, NodeError> {
        let path = self.path_of(name)?;
        std::fs::create_dir_all(&self.dir).map_err(NodeError::io("create directory", &self.dir))?;
        let info = key_info(name, key);
        let file = KeyFile { info: info.clone(), private_key: hex::encode(key.to_bytes()) };
        let text = serde_json::to_string_pretty(&file)
            .map_err(|e| NodeError::Json { path: path.clone(), reason: e.to_string() })?;
        write_new_private_file(&path, text.as_bytes()).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => {
                NodeError::KeyExists { name: name.to_owned(), path: path.clone() }
            }
            _ => NodeError::Io { action: "create", path: path.clone(), source },
        })?;
        Ok(info)
    }

    /// Loads and checks the key `name`.
    pub fn load(&self, name: &str) -> Result<LoadedKey, NodeError> {
        let path = self.path_of(name)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(NodeError::KeyNotFound { name: name.to_owned(), dir: self.dir.clone() })
            }
            Err(e) => return Err(NodeError::Io { action: "read", path, source: e }),
        };
        decode_key_file(&path, &text, name)
    }

    /// Every key, sorted by name.
    pub fn list(&self) -> Result<Vec<KeyInfo>, NodeError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(NodeError::Io { action: "list", path: self.dir.clone(), source: e })
            }
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(NodeError::io("list", &self.dir))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                continue;
            };
            if validate_key_name(name).is_ok() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        names.iter().map(|name| self.load(name).map(|key| key.info)).collect()
    }
}

/// Decodes and checks the key file text `text` of key `name` (`path` only names it in errors):
/// the private key must be a valid scalar whose public key and address are the recorded ones.
pub fn decode_key_file(path: &Path, text: &str, name: &str) -> Result<LoadedKey, NodeError> {
    let file: KeyFile = serde_json::from_str(text)
        .map_err(|e| NodeError::Json { path: path.to_path_buf(), reason: e.to_string() })?;
    let bad = |reason: String| NodeError::BadKeyFile { path: path.to_path_buf(), reason };
    if file.info.key_type != KEY_TYPE_SECP256K1 {
        return Err(bad(format!(
            "key type: got {:?}, expected {KEY_TYPE_SECP256K1:?}",
            file.info.key_type
        )));
    }
    let secret =
        hex::decode(&file.private_key).map_err(|e| bad(format!("private_key is not hex: {e}")))?;
    let signing_key = SigningKey::from_slice(&secret)
        .map_err(|_| bad("private_key is not a valid secp256k1 scalar".to_owned()))?;
    let derived = key_info(&file.info.name, &signing_key);
    if derived != file.info {
        return Err(bad(format!(
            "recorded key does not match its private key: got address {}, expected {}",
            file.info.address, derived.address
        )));
    }
    if file.info.name != name {
        return Err(bad(format!("name: got {:?}, expected {name:?}", file.info.name)));
    }
    Ok(LoadedKey { info: derived, signing_key })
}

/// Creates `path` (failing if it exists) with owner-only permissions, writes `bytes`, syncs.
fn write_new_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_load_list_round_trip() -> Result<(), Box<dyn std::error::Error>> {
        let home = tempfile::tempdir()?;
        let ring = Keyring::in_home(home.path());
        let key = generate_signing_key()?;
        let info = ring.add("alice", &key)?;
        assert!(info.address.starts_with("peg1"));
        let loaded = ring.load("alice")?;
        assert_eq!(loaded.info, info);
        assert_eq!(loaded.signing_key.to_bytes(), key.to_bytes());
        ring.add("bob", &generate_signing_key()?)?;
        let names: Vec<_> = ring.list()?.into_iter().map(|k| k.name).collect();
        assert_eq!(names, ["alice", "bob"]);
        Ok(())
    }

    #[test]
    fn refuses_overwrite_bad_names_and_missing_keys() -> Result<(), Box<dyn std::error::Error>> {
        let home = tempfile::tempdir()?;
        let ring = Keyring::in_home(home.path());
        ring.add("k", &generate_signing_key()?)?;
        assert!(matches!(
            ring.add("k", &generate_signing_key()?),
            Err(NodeError::KeyExists { .. })
        ));
        assert!(matches!(
            ring.add("../x", &generate_signing_key()?),
            Err(NodeError::InvalidKeyName { .. })
        ));
        assert!(matches!(
            ring.add("", &generate_signing_key()?),
            Err(NodeError::InvalidKeyName { .. })
        ));
        assert!(matches!(ring.load("nobody"), Err(NodeError::KeyNotFound { .. })));
        Ok(())
    }

    #[test]
    fn tampered_key_file_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let home = tempfile::tempdir()?;
        let ring = Keyring::in_home(home.path());
        let info = ring.add("k", &generate_signing_key()?)?;
        let other = key_info("k", &generate_signing_key()?);
        let path = home.path().join("keys").join("k.json");
        let text = std::fs::read_to_string(&path)?.replace(&info.address, &other.address);
        std::fs::write(&path, text)?;
        assert!(matches!(ring.load("k"), Err(NodeError::BadKeyFile { .. })));
        std::fs::write(&path, "{not json")?;
        assert!(matches!(ring.load("k"), Err(NodeError::Json { .. })));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_owner_only() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt as _;
        let home = tempfile::tempdir()?;
        let ring = Keyring::in_home(home.path());
        ring.add("k", &generate_signing_key()?)?;
        let mode = std::fs::metadata(home.path().join("keys").join("k.json"))?.permissions().mode();
        assert_eq!(mode & 0o077, 0);
        Ok(())
    }
}
