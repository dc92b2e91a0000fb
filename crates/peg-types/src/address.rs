//! Addresses on both sides of the peg (`specs/contracts.md` §1).

use std::fmt;
use std::str::FromStr;

use alloy_primitives::{Address, FixedBytes};
use serde::{Deserialize, Serialize};

use crate::PegTypesError;

/// A 20-byte Ethereum account or contract address.
///
/// Ordered by its bytes, which is the order of `uint160(address)` in Solidity, the order the
/// contract uses for valset members of equal power (§3). Displayed in EIP-55 checksummed form.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EthAddress(pub Address);

impl EthAddress {
    /// The zero address, which is also how the contract names ETH (§1).
    pub const ZERO: Self = Self(Address::ZERO);

    /// Wraps raw bytes.
    pub const fn new(bytes: [u8; 20]) -> Self {
        Self(Address::new(bytes))
    }

    /// The alloy address.
    pub const fn as_address(&self) -> Address {
        self.0
    }

    /// The 20 bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        self.0.as_ref()
    }

    /// `true` for `address(0)`.
    pub fn is_zero(&self) -> bool {
        self.0 == Address::ZERO
    }

    /// The address of the contract deployed by `self` with a `CREATE` at account nonce `nonce`:
    /// `keccak256(rlp([sender, nonce]))[12..]`.
    pub fn create_address(&self, nonce: u64) -> Self {
        // rlp([sender, nonce]): a 20-byte string and a minimal big-endian integer, a list of at
        // most 1 + 21 + 9 bytes (short-list form).
        let nonce_bytes = nonce.to_be_bytes();
        let significant =
            nonce_bytes.iter().position(|&b| b != 0).map_or(&[][..], |first| &nonce_bytes[first..]);
        let mut encoded_nonce = Vec::with_capacity(9);
        match significant {
            [single] if *single < 0x80 => encoded_nonce.push(*single),
            bytes => {
                // A u64 has at most 8 significant bytes: the length always fits in the prefix.
                encoded_nonce.push(0x80 + bytes.len() as u8);
                encoded_nonce.extend_from_slice(bytes);
            }
        }
        let payload_len = 21 + encoded_nonce.len();
        let mut rlp = Vec::with_capacity(1 + payload_len);
        rlp.push(0xc0 + payload_len as u8);
        rlp.push(0x80 + 20);
        rlp.extend_from_slice(self.0.as_slice());
        rlp.extend_from_slice(&encoded_nonce);
        let hash = alloy_primitives::keccak256(&rlp);
        let mut address = [0u8; 20];
        address.copy_from_slice(&hash[12..]);
        Self::new(address)
    }

    /// The address of a secp256k1 public key: the last 20 bytes of `keccak256(x ‖ y)`.
    pub fn from_verifying_key(key: &k256::ecdsa::VerifyingKey) -> Self {
        Self(Address::from_public_key(key))
    }
}

impl From<Address> for EthAddress {
    fn from(address: Address) -> Self {
        Self(address)
    }
}

impl From<EthAddress> for Address {
    fn from(address: EthAddress) -> Self {
        address.0
    }
}

impl From<[u8; 20]> for EthAddress {
    fn from(bytes: [u8; 20]) -> Self {
        Self::new(bytes)
    }
}

impl FromStr for EthAddress {
    type Err = PegTypesError;

    /// Parses a `0x`-prefixed, 40-hex-digit address. Mixed-case input must carry a valid EIP-55
    /// checksum; all-lowercase or all-uppercase input is accepted as is.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let invalid =
            |reason: String| PegTypesError::InvalidEthAddress { input: input.to_owned(), reason };
        let Some(hex_digits) = input.strip_prefix("0x") else {
            return Err(invalid("missing 0x prefix".to_owned()));
        };
        if hex_digits.len() != 40 {
            return Err(invalid(format!("got {} hex digits, expected 40", hex_digits.len())));
        }
        let mixed_case = hex_digits.chars().any(|c| c.is_ascii_lowercase())
            && hex_digits.chars().any(|c| c.is_ascii_uppercase());
        if mixed_case {
            Address::parse_checksummed(input, None).map(Self).map_err(|e| invalid(e.to_string()))
        } else {
            Address::from_str(input).map(Self).map_err(|e| invalid(e.to_string()))
        }
    }
}

impl fmt::Display for EthAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.to_checksum(None))
    }
}

impl fmt::Debug for EthAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EthAddress({self})")
    }
}

/// A peg zone account: the 20 bytes behind a bech32 `peg1…` address, carried on Ethereum as
/// `bytes20` (§1). Every 20-byte value is a valid account.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PegAccount(pub FixedBytes<20>);

impl PegAccount {
    /// Wraps raw bytes.
    pub const fn new(bytes: [u8; 20]) -> Self {
        Self(FixedBytes(bytes))
    }

    /// The 20 bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0 .0
    }
}

impl From<[u8; 20]> for PegAccount {
    fn from(bytes: [u8; 20]) -> Self {
        Self::new(bytes)
    }
}

impl fmt::Display for PegAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for PegAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PegAccount({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_checksummed_and_plain_hex() -> Result<(), PegTypesError> {
        let checksummed: EthAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse()?;
        let lower: EthAddress = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266".parse()?;
        assert_eq!(checksummed, lower);
        assert_eq!(lower.to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        Ok(())
    }

    #[test]
    fn rejects_bad_checksum_length_and_prefix() {
        for bad in [
            "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", // one letter's case flipped
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb922",   // 19 bytes
            "f39fd6e51aad88f6f4ce6ab8827279cfffb92266",   // no prefix
            "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266", // not hex
        ] {
            let err = bad.parse::<EthAddress>().expect_err("must be refused");
            assert!(
                matches!(err, PegTypesError::InvalidEthAddress { ref input, .. } if input == bad),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn create_address_matches_known_deployment() -> Result<(), PegTypesError> {
        // Anvil's first account deploying its first contract: a well-known address.
        let deployer: EthAddress = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266".parse()?;
        assert_eq!(
            deployer.create_address(0),
            "0x5FbDB2315678afecb367f032d93F642f64180aa3".parse()?
        );
        assert_eq!(
            deployer.create_address(1),
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512".parse()?
        );
        // The deposit contract and its deployer (alloy's documented example): nonce 0 and 1.
        let sender: EthAddress = "0xb20a608c624Ca5003905aA834De7156C68b2E1d0".parse()?;
        assert_eq!(sender.create_address(0), "0x00000000219ab540356cBB839Cbe05303d7705Fa".parse()?);
        assert_eq!(sender.create_address(1), "0xe33c6e89e69d085897f98e92b06ebd541d1daa99".parse()?);
        Ok(())
    }

    #[test]
    fn create_address_rlp_of_large_nonces() {
        // Multi-byte nonces: rlp(0x80) = 0x8180, rlp(u64::MAX) = 0x88ff…ff.
        let sender = EthAddress::new([0x5a; 20]);
        for (nonce, encoded) in [
            (0x7f_u64, vec![0x7f]),
            (0x80, vec![0x81, 0x80]),
            (0x0100, vec![0x82, 0x01, 0x00]),
            (u64::MAX, [vec![0x88], vec![0xff; 8]].concat()),
        ] {
            let mut rlp = vec![0xc0 + 21 + encoded.len() as u8, 0x94];
            rlp.extend_from_slice(&[0x5a; 20]);
            rlp.extend_from_slice(&encoded);
            let hash = alloy_primitives::keccak256(&rlp);
            assert_eq!(sender.create_address(nonce).as_bytes()[..], hash[12..], "nonce {nonce}");
        }
    }

    #[test]
    fn order_is_numeric_and_zero_is_zero() {
        let low = EthAddress::new([0; 20]);
        let mut high_bytes = [0u8; 20];
        high_bytes[0] = 1;
        let high = EthAddress::new(high_bytes);
        assert!(low < high);
        assert!(low.is_zero());
        assert!(!high.is_zero());
        assert_eq!(EthAddress::ZERO, low);
        assert_eq!(high.as_bytes(), &high_bytes);
        assert_eq!(Address::from(high), high.as_address());
    }

    #[test]
    fn peg_account_display() {
        let account = PegAccount::new([0xab; 20]);
        assert_eq!(account.to_string(), format!("0x{}", "ab".repeat(20)));
        assert_eq!(account.as_bytes(), &[0xab; 20]);
    }
}
