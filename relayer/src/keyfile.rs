//! The relayer's peg zone key, in the pegd key file format (`pegd keys add`,
//! `<home>/keys/<name>.json`): `{"name", "type": "secp256k1", "address": "peg1…",
//! "pub_key": "<hex>", "private_key": "<hex>"}`. The private key must derive the recorded address.

use std::path::Path;

use peg_tx::{AccAddress, PublicKey, SigningKey};
use serde::Deserialize;

use crate::error::RelayerError;

#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    key_type: String,
    address: String,
    private_key: String,
}

/// A loaded account key.
#[derive(Clone)]
pub struct RelayerKey {
    /// The signing key.
    pub signing_key: SigningKey,
    /// Its account.
    pub address: AccAddress,
}

impl std::fmt::Debug for RelayerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("RelayerKey").field("address", &self.address.to_bech32()).finish()
    }
}

impl RelayerKey {
    /// Wraps a signing key.
    pub fn new(signing_key: SigningKey) -> Self {
        let address = PublicKey::from_signing_key(&signing_key).address();
        Self { signing_key, address }
    }

    /// Reads and checks a pegd key file.
    pub fn from_file(path: &Path) -> Result<Self, RelayerError> {
        let text = std::fs::read_to_string(path).map_err(|e| RelayerError::KeyFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_json(&text)
            .map_err(|reason| RelayerError::KeyFile { path: path.display().to_string(), reason })
    }

    /// Decodes key file text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let file: KeyFile =
            serde_json::from_str(text).map_err(|e| format!("not a pegd key file: {e}"))?;
        if file.key_type != "secp256k1" {
            return Err(format!("key type {:?} is not secp256k1", file.key_type));
        }
        let secret = hex::decode(file.private_key.trim_start_matches("0x"))
            .map_err(|_| "private_key is not hex".to_owned())?;
        let signing_key = SigningKey::from_slice(&secret)
            .map_err(|_| "private_key is not a valid secp256k1 scalar".to_owned())?;
        let key = Self::new(signing_key);
        if key.address.to_bech32() != file.address {
            return Err(format!(
                "the private key derives {}, the file records {}",
                key.address.to_bech32(),
                file.address
            ));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_for(key: &SigningKey, address: &str) -> String {
        serde_json::json!({
            "name": "relayer", "type": "secp256k1", "address": address,
            "pub_key": hex::encode(PublicKey::from_signing_key(key).to_compressed()),
            "private_key": hex::encode(key.to_bytes()),
        })
        .to_string()
    }

    #[test]
    fn reads_and_checks_key_files() {
        let key = SigningKey::from_slice(&[7u8; 32]).expect("valid scalar");
        let address = PublicKey::from_signing_key(&key).address().to_bech32();
        let loaded = RelayerKey::from_json(&file_for(&key, &address)).expect("valid file");
        assert_eq!(loaded.address.to_bech32(), address);
        assert!(!format!("{loaded:?}").contains(&hex::encode(key.to_bytes())));

        let other = PublicKey::from_signing_key(&SigningKey::from_slice(&[8u8; 32]).expect("k"))
            .address()
            .to_bech32();
        let err = RelayerKey::from_json(&file_for(&key, &other)).expect_err("wrong address");
        assert!(err.contains("derives"), "{err}");
        assert!(RelayerKey::from_json("{}").is_err());
        assert!(RelayerKey::from_json("0xabc").is_err());
    }
}
