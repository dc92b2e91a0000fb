//! secp256k1 signatures over checkpoint digests (`specs/contracts.md` §5).
//!
//! Signatures are plain ECDSA over the 32-byte EIP-712 digest (no `"\x19Ethereum Signed
//! Message"` prefix), low `s` only, `v ∈ {27, 28}`: what OpenZeppelin's `ECDSA.tryRecover`
//! accepts. On the wire to the contract they travel in EIP-2098 compact form (64 bytes).

use alloy_primitives::{B256, U256};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::{EthAddress, PegTypesError};

/// `n / 2` of secp256k1: the largest `s` accepted (§5).
pub const SECP256K1_HALF_ORDER: U256 = U256::from_be_bytes([
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

/// An Ethereum ECDSA signature `(r, s, v)` with `v ∈ {27, 28}`.
///
/// Constructing one does not check it; [`recover_signer`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EthSignature {
    /// `r`, big-endian.
    pub r: B256,
    /// `s`, big-endian; at most `n/2` to be accepted.
    pub s: B256,
    /// 27 or 28: the parity of the nonce point's `y`, plus 27.
    pub v: u8,
}

impl EthSignature {
    /// The 65-byte `r ‖ s ‖ v` form (as returned by `eth_sign` and `vm.sign`).
    pub fn to_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..32].copy_from_slice(self.r.as_slice());
        out[32..64].copy_from_slice(self.s.as_slice());
        out[64] = self.v;
        out
    }

    /// Parses the 65-byte `r ‖ s ‖ v` form. Only the length is checked here.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PegTypesError> {
        let bytes: &[u8; 65] = bytes.try_into().map_err(|_| {
            PegTypesError::InvalidSignatureLength { got: bytes.len(), expected: 65 }
        })?;
        let (r, rest) = bytes.split_at(32);
        let (s, v) = rest.split_at(32);
        Ok(Self {
            r: B256::from_slice(r),
            s: B256::from_slice(s),
            v: v.first().copied().unwrap_or_default(),
        })
    }

    /// The 64-byte EIP-2098 compact form `r ‖ (yParity << 255 | s)` the contract takes.
    ///
    /// Refuses a `v` other than 27/28 and a high `s` (whose top bit would collide with the parity
    /// bit), so that a compact signature always round-trips.
    pub fn to_compact(&self) -> Result<[u8; 64], PegTypesError> {
        let parity = self.y_parity()?;
        check_low_s(&self.s)?;
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.r.as_slice());
        out[32..].copy_from_slice(self.s.as_slice());
        if parity {
            out[32] |= 0x80;
        }
        Ok(out)
    }

    /// Parses the 64-byte EIP-2098 compact form: `s` is the low 255 bits of the second word,
    /// `v = 27 + (top bit)`.
    pub fn from_compact(bytes: &[u8]) -> Result<Self, PegTypesError> {
        let bytes: &[u8; 64] = bytes.try_into().map_err(|_| {
            PegTypesError::InvalidSignatureLength { got: bytes.len(), expected: 64 }
        })?;
        let (r, vs) = bytes.split_at(32);
        let mut s = B256::from_slice(vs);
        let parity = s.0[0] & 0x80 != 0;
        s.0[0] &= 0x7f;
        Ok(Self { r: B256::from_slice(r), s, v: 27 + u8::from(parity) })
    }

    /// `v - 27` as a parity bit, refusing anything but 27 and 28.
    pub fn y_parity(&self) -> Result<bool, PegTypesError> {
        match self.v {
            27 => Ok(false),
            28 => Ok(true),
            got => Err(PegTypesError::InvalidRecoveryId { got }),
        }
    }
}

fn check_low_s(s: &B256) -> Result<(), PegTypesError> {
    if U256::from_be_bytes(s.0) > SECP256K1_HALF_ORDER {
        return Err(PegTypesError::HighS { s: *s });
    }
    Ok(())
}

/// Parses a 32-byte secp256k1 secret key.
pub fn signing_key_from_bytes(secret: &B256) -> Result<SigningKey, PegTypesError> {
    SigningKey::from_slice(secret.as_slice()).map_err(|_| PegTypesError::InvalidSigningKey)
}

/// The Ethereum address of a signing key.
pub fn signer_address(key: &SigningKey) -> EthAddress {
    EthAddress::from_verifying_key(key.verifying_key())
}

/// Signs a 32-byte digest as the contract expects (§5): deterministic RFC 6979 ECDSA, `s`
/// normalized to the lower half with the recovery id flipped to match, `v = 27 + yParity`.
pub fn sign_digest(key: &SigningKey, digest: &B256) -> Result<EthSignature, PegTypesError> {
    let (signature, recovery_id) = key
        .sign_prehash_recoverable(digest.as_slice())
        .map_err(|e| PegTypesError::InvalidSignature { reason: e.to_string() })?;
    // k256 already returns low-s; normalize anyway so that the invariant holds by construction.
    let (signature, recovery_id) = match signature.normalize_s() {
        Some(low) => (low, RecoveryId::new(!recovery_id.is_y_odd(), recovery_id.is_x_reduced())),
        None => (signature, recovery_id),
    };
    if recovery_id.is_x_reduced() {
        // r ≥ n happens with probability ~2^-128 and is not expressible with v ∈ {27, 28}.
        return Err(PegTypesError::InvalidSignature {
            reason: "x-reduced recovery id cannot be expressed as v = 27/28".to_owned(),
        });
    }
    let (r, s) = signature.split_bytes();
    Ok(EthSignature {
        r: B256::from_slice(&r),
        s: B256::from_slice(&s),
        v: 27 + u8::from(recovery_id.is_y_odd()),
    })
}

/// Recovers the address that signed `digest` (§5), with the contract's checks: `v ∈ {27, 28}`,
/// `0 < r < n`, `0 < s <= n/2`, and a recoverable point. Mirrors `ECDSA.tryRecover`.
pub fn recover_signer(
    digest: &B256,
    signature: &EthSignature,
) -> Result<EthAddress, PegTypesError> {
    let parity = signature.y_parity()?;
    check_low_s(&signature.s)?;
    let parsed = Signature::from_scalars(signature.r.0, signature.s.0).map_err(|_| {
        PegTypesError::InvalidSignature {
            reason: "r or s is zero or not below the curve order".to_owned(),
        }
    })?;
    let recovery_id = RecoveryId::new(parity, false);
    let key = VerifyingKey::recover_from_prehash(digest.as_slice(), &parsed, recovery_id).map_err(
        |e| PegTypesError::InvalidSignature { reason: format!("no public key recovers: {e}") },
    )?;
    Ok(EthAddress::from_verifying_key(&key))
}

/// Checks that `signature` over `digest` was made by `expected`.
pub fn verify_signature(
    digest: &B256,
    signature: &EthSignature,
    expected: &EthAddress,
) -> Result<(), PegTypesError> {
    let got = recover_signer(digest, signature)?;
    if &got != expected {
        return Err(PegTypesError::WrongSigner { got, expected: *expected });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, keccak256};

    fn key(seed: &str) -> SigningKey {
        signing_key_from_bytes(&keccak256(seed)).expect("keccak output is a valid key")
    }

    /// The secp256k1 group order n.
    fn order() -> U256 {
        U256::from_be_bytes(
            b256!("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").0,
        )
    }

    #[test]
    fn half_order_is_n_over_2() {
        assert_eq!(SECP256K1_HALF_ORDER, order() >> 1);
    }

    #[test]
    fn sign_then_recover() -> Result<(), PegTypesError> {
        for i in 0..32 {
            let k = key(&format!("signer {i}"));
            let digest = keccak256(format!("digest {i}"));
            let sig = sign_digest(&k, &digest)?;
            assert!(sig.v == 27 || sig.v == 28);
            assert!(U256::from_be_bytes(sig.s.0) <= SECP256K1_HALF_ORDER);
            assert_eq!(recover_signer(&digest, &sig)?, signer_address(&k));
            verify_signature(&digest, &sig, &signer_address(&k))?;
        }
        Ok(())
    }

    #[test]
    fn known_key_address_and_signature() -> Result<(), PegTypesError> {
        // Anvil's first dev key (a public test key) and its well-known address.
        let k = signing_key_from_bytes(&b256!(
            "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        ))?;
        assert_eq!(signer_address(&k), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse()?);
        let digest = keccak256("peg-types");
        let sig = sign_digest(&k, &digest)?;
        // RFC 6979 is deterministic: the same key and digest give the same signature.
        assert_eq!(sign_digest(&k, &digest)?, sig);
        Ok(())
    }

    #[test]
    fn refuses_high_s() -> Result<(), PegTypesError> {
        let k = key("high-s");
        let digest = keccak256("high-s digest");
        let sig = sign_digest(&k, &digest)?;
        // (r, n - s, v ^ 1) is the same signature's malleated twin: valid ECDSA, refused here.
        let high_s = order() - U256::from_be_bytes(sig.s.0);
        let twin = EthSignature {
            r: sig.r,
            s: B256::from(high_s.to_be_bytes::<32>()),
            v: if sig.v == 27 { 28 } else { 27 },
        };
        assert_eq!(recover_signer(&digest, &twin), Err(PegTypesError::HighS { s: twin.s }));
        assert_eq!(twin.to_compact(), Err(PegTypesError::HighS { s: twin.s }));
        Ok(())
    }

    #[test]
    fn refuses_bad_v_zero_and_out_of_range_scalars() -> Result<(), PegTypesError> {
        let k = key("bad");
        let digest = keccak256("bad digest");
        let sig = sign_digest(&k, &digest)?;
        for v in [0u8, 1, 26, 29, 255] {
            let bad = EthSignature { v, ..sig };
            assert_eq!(
                recover_signer(&digest, &bad),
                Err(PegTypesError::InvalidRecoveryId { got: v })
            );
        }
        let zero_r = EthSignature { r: B256::ZERO, ..sig };
        assert!(matches!(
            recover_signer(&digest, &zero_r),
            Err(PegTypesError::InvalidSignature { .. })
        ));
        let zero_s = EthSignature { s: B256::ZERO, ..sig };
        assert!(matches!(
            recover_signer(&digest, &zero_s),
            Err(PegTypesError::InvalidSignature { .. })
        ));
        let r_is_n = EthSignature { r: B256::from(order().to_be_bytes::<32>()), ..sig };
        assert!(matches!(
            recover_signer(&digest, &r_is_n),
            Err(PegTypesError::InvalidSignature { .. })
        ));
        Ok(())
    }

    #[test]
    fn wrong_digest_or_signer_is_a_mismatch() -> Result<(), PegTypesError> {
        let k = key("a");
        let other = signer_address(&key("b"));
        let digest = keccak256("d");
        let sig = sign_digest(&k, &digest)?;
        assert_eq!(
            verify_signature(&digest, &sig, &other),
            Err(PegTypesError::WrongSigner { got: signer_address(&k), expected: other })
        );
        // Another digest recovers some other address (never the signer).
        assert_ne!(recover_signer(&keccak256("e"), &sig).ok(), Some(signer_address(&k)));
        Ok(())
    }

    #[test]
    fn byte_forms_round_trip() -> Result<(), PegTypesError> {
        for i in 0..16 {
            let sig = sign_digest(&key(&format!("k{i}")), &keccak256(format!("d{i}")))?;
            assert_eq!(EthSignature::from_bytes(&sig.to_bytes())?, sig);
            let compact = sig.to_compact()?;
            assert_eq!(EthSignature::from_compact(&compact)?, sig);
            assert_eq!(compact[32] & 0x80 != 0, sig.v == 28);
        }
        assert_eq!(
            EthSignature::from_bytes(&[0u8; 64]),
            Err(PegTypesError::InvalidSignatureLength { got: 64, expected: 65 })
        );
        assert_eq!(
            EthSignature::from_compact(&[0u8; 65]),
            Err(PegTypesError::InvalidSignatureLength { got: 65, expected: 64 })
        );
        let bad_v = EthSignature { r: B256::ZERO, s: B256::ZERO, v: 1 };
        assert_eq!(bad_v.to_compact(), Err(PegTypesError::InvalidRecoveryId { got: 1 }));
        Ok(())
    }

    #[test]
    fn invalid_secret_keys() {
        assert_eq!(
            signing_key_from_bytes(&B256::ZERO).err(),
            Some(PegTypesError::InvalidSigningKey)
        );
        assert_eq!(
            signing_key_from_bytes(&B256::from(order().to_be_bytes::<32>())).err(),
            Some(PegTypesError::InvalidSigningKey)
        );
    }
}
