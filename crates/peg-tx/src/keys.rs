//! secp256k1 account keys and `SIGN_MODE_DIRECT` signatures (`specs/transactions.md` §5).
//!
//! As in the Cosmos SDK (`crypto/keys/secp256k1`): a signature is ECDSA over `SHA-256(message)`,
//! 64 bytes `r ‖ s` big-endian, and verification refuses `s > n/2` so that a signature has one
//! encoding. Signing uses RFC 6979 deterministic nonces and always returns low-s.

use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::{AccAddress, TxError};

/// `/cosmos.crypto.secp256k1.PubKey`, the only account key type accepted.
pub const SECP256K1_PUBKEY_TYPE_URL: &str = "/cosmos.crypto.secp256k1.PubKey";
/// Length of a compressed secp256k1 public key.
pub const PUBKEY_LEN: usize = 33;
/// Length of a `r ‖ s` signature.
pub const SIGNATURE_LEN: usize = 64;

/// A validated secp256k1 account public key (a curve point, kept in compressed form).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    compressed: [u8; PUBKEY_LEN],
    key: VerifyingKey,
}

impl PublicKey {
    /// Parses a 33-byte compressed SEC1 point. Uncompressed (65-byte) keys are refused, as the
    /// Cosmos SDK refuses them.
    pub fn from_compressed(bytes: &[u8]) -> Result<Self, TxError> {
        let compressed: [u8; PUBKEY_LEN] = bytes.try_into().map_err(|_| {
            TxError::InvalidPubKey { len: bytes.len(), reason: "expected 33 compressed bytes" }
        })?;
        if !matches!(compressed[0], 0x02 | 0x03) {
            return Err(TxError::InvalidPubKey {
                len: bytes.len(),
                reason: "compressed key must start with 0x02 or 0x03",
            });
        }
        let key = VerifyingKey::from_sec1_bytes(&compressed).map_err(|_| {
            TxError::InvalidPubKey { len: bytes.len(), reason: "not a point on secp256k1" }
        })?;
        Ok(Self { compressed, key })
    }

    /// The public key of a signing key.
    pub fn from_signing_key(key: &SigningKey) -> Self {
        let verifying = *key.verifying_key();
        let point = verifying.to_encoded_point(true);
        let mut compressed = [0u8; PUBKEY_LEN];
        compressed.copy_from_slice(point.as_bytes());
        Self { compressed, key: verifying }
    }

    /// The 33 compressed bytes.
    pub const fn to_compressed(&self) -> [u8; PUBKEY_LEN] {
        self.compressed
    }

    /// The account address: `ripemd160(sha256(compressed))`.
    pub fn address(&self) -> AccAddress {
        AccAddress::from_compressed_pubkey(&self.compressed)
    }

    /// The k256 key.
    pub const fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Checks `signature` over `SHA-256(message)`.
    pub fn verify(&self, message: &[u8], signature: &AccountSignature) -> bool {
        let digest = Sha256::digest(message);
        self.key.verify_prehash(&digest, &signature.0).is_ok()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.compressed))
    }
}

/// A parsed `r ‖ s` signature with `0 < r, s < n` and `s <= n/2`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AccountSignature(Signature);

impl AccountSignature {
    /// Parses 64 bytes `r ‖ s`, refusing out-of-range scalars and high `s`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        if bytes.len() != SIGNATURE_LEN {
            return Err(TxError::SignatureLength { got: bytes.len(), expected: SIGNATURE_LEN });
        }
        let signature = Signature::from_slice(bytes).map_err(|_| TxError::SignatureOutOfRange)?;
        if signature.normalize_s().is_some() {
            return Err(TxError::SignatureHighS);
        }
        Ok(Self(signature))
    }

    /// The 64 bytes `r ‖ s`.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out.copy_from_slice(&self.0.to_bytes());
        out
    }
}

impl std::fmt::Debug for AccountSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccountSignature({})", hex::encode(self.to_bytes()))
    }
}

/// Signs `message` as a Cosmos SDK secp256k1 key does: RFC 6979 ECDSA over `SHA-256(message)`
/// (k256's default digest for secp256k1), normalized to low-s.
pub fn sign_bytes(key: &SigningKey, message: &[u8]) -> AccountSignature {
    use k256::ecdsa::signature::Signer;
    let signature: Signature = key.sign(message);
    AccountSignature(signature.normalize_s().unwrap_or(signature))
}
