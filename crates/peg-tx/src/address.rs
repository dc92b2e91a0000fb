//! Account and validator-operator addresses (`specs/transactions.md` §2).
//!
//! An account address is `ripemd160(sha256(compressed secp256k1 public key))`, 20 bytes, as in
//! the Cosmos SDK (`cosmos-sdk/crypto/keys/secp256k1`), written in bech32 (BIP-173, not bech32m)
//! with the human-readable part `peg`. The same 20 bytes written with the prefix `pegvaloper`
//! name the validator that account operates (display only: messages carry `peg1…` strings).
//!
//! Parsing is strict: mixed case, another prefix, a bad checksum (bech32m included) and a payload
//! other than exactly 20 bytes are each a typed [`TxError`]. An all-uppercase string is accepted,
//! as BIP-173 requires, and always displayed in lowercase.

use std::fmt;
use std::str::FromStr;

use bech32::primitives::decode::{CheckedHrpstring, CheckedHrpstringError, ChecksumError};
use bech32::{Bech32, Hrp};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

use crate::TxError;

/// Human-readable part of account addresses: `peg1…`.
pub const ACCOUNT_HRP: &str = "peg";
/// Human-readable part of validator operator addresses: `pegvaloper1…`.
pub const VALOPER_HRP: &str = "pegvaloper";
/// Length of an address in bytes.
pub const ADDRESS_LEN: usize = 20;

const ACCOUNT_HRP_PARSED: Hrp = Hrp::parse_unchecked(ACCOUNT_HRP);
const VALOPER_HRP_PARSED: Hrp = Hrp::parse_unchecked(VALOPER_HRP);

/// Which kind of bech32 address was being parsed (for error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// `peg1…`
    Account,
    /// `pegvaloper1…`
    ValidatorOperator,
    /// An address with a caller-chosen prefix (tests against other Cosmos chains' vectors).
    Other,
}

impl fmt::Display for AddressKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Account => "account",
            Self::ValidatorOperator => "validator operator",
            Self::Other => "bech32",
        })
    }
}

/// An account address: the 20 bytes behind `peg1…`.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccAddress([u8; ADDRESS_LEN]);

/// A validator operator address: the operator account's 20 bytes, written `pegvaloper1…`.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValoperAddress([u8; ADDRESS_LEN]);

impl AccAddress {
    /// Wraps raw bytes.
    pub const fn new(bytes: [u8; ADDRESS_LEN]) -> Self {
        Self(bytes)
    }

    /// The 20 bytes.
    pub const fn as_bytes(&self) -> &[u8; ADDRESS_LEN] {
        &self.0
    }

    /// `ripemd160(sha256(key))` of a 33-byte compressed secp256k1 public key, as the Cosmos SDK
    /// derives `secp256k1.PubKey.Address()`.
    pub fn from_compressed_pubkey(key: &[u8; 33]) -> Self {
        let sha = Sha256::digest(key);
        let ripe = Ripemd160::digest(sha);
        let mut bytes = [0u8; ADDRESS_LEN];
        bytes.copy_from_slice(&ripe);
        Self(bytes)
    }

    /// The `pegvaloper1…` address of the validator this account operates.
    pub const fn to_valoper(self) -> ValoperAddress {
        ValoperAddress(self.0)
    }

    /// Parses a `peg1…` string.
    pub fn from_bech32(input: &str) -> Result<Self, TxError> {
        decode_bech32(input, ACCOUNT_HRP, AddressKind::Account).map(Self)
    }

    /// The `peg1…` string.
    pub fn to_bech32(&self) -> String {
        encode_bech32(ACCOUNT_HRP_PARSED, &self.0)
    }

    /// Parses a bech32 string with another prefix (`cosmos1…` in upstream test vectors).
    pub fn from_bech32_with_hrp(input: &str, hrp: &str) -> Result<Self, TxError> {
        decode_bech32(input, hrp, AddressKind::Other).map(Self)
    }

    /// Writes the address with another prefix; `None` if `hrp` is not a valid bech32 prefix.
    pub fn to_bech32_with_hrp(&self, hrp: &str) -> Option<String> {
        let hrp = Hrp::parse(hrp).ok()?;
        Some(encode_bech32(hrp, &self.0))
    }
}

impl ValoperAddress {
    /// Wraps raw bytes.
    pub const fn new(bytes: [u8; ADDRESS_LEN]) -> Self {
        Self(bytes)
    }

    /// The 20 bytes.
    pub const fn as_bytes(&self) -> &[u8; ADDRESS_LEN] {
        &self.0
    }

    /// The operator's account address (the same bytes).
    pub const fn to_account(self) -> AccAddress {
        AccAddress(self.0)
    }

    /// Parses a `pegvaloper1…` string.
    pub fn from_bech32(input: &str) -> Result<Self, TxError> {
        decode_bech32(input, VALOPER_HRP, AddressKind::ValidatorOperator).map(Self)
    }

    /// The `pegvaloper1…` string.
    pub fn to_bech32(&self) -> String {
        encode_bech32(VALOPER_HRP_PARSED, &self.0)
    }
}

fn encode_bech32(hrp: Hrp, bytes: &[u8; ADDRESS_LEN]) -> String {
    let mut out = String::with_capacity(hrp.len() + 1 + 32 + 6);
    // Cannot fail: the only errors are the formatter's (none for a String) and a string longer
    // than bech32's 1023-character code length, while an HRP has at most 83 characters and 20
    // bytes take 32 characters plus a 6-character checksum.
    if let Err(error) = bech32::encode_lower_to_fmt::<Bech32, String>(&mut out, hrp, bytes) {
        tracing::error!(%error, "bech32 encoding of a 20-byte address failed");
        out.clear();
    }
    out
}

/// Strict bech32 decoding of a 20-byte address under `expected_hrp`.
fn decode_bech32(
    input: &str,
    expected_hrp: &str,
    kind: AddressKind,
) -> Result<[u8; ADDRESS_LEN], TxError> {
    let owned = || input.to_owned();
    if input.bytes().any(|b| b.is_ascii_lowercase())
        && input.bytes().any(|b| b.is_ascii_uppercase())
    {
        return Err(TxError::AddressMixedCase { input: owned() });
    }
    let checked = CheckedHrpstring::new::<Bech32>(input).map_err(|e| match e {
        CheckedHrpstringError::Checksum(ChecksumError::InvalidResidue(_)) => {
            TxError::AddressChecksum { input: owned() }
        }
        other => TxError::AddressMalformed { input: owned(), reason: other.to_string() },
    })?;
    let hrp = checked.hrp().to_lowercase();
    if hrp != expected_hrp {
        return Err(TxError::AddressWrongHrp {
            input: owned(),
            got: hrp,
            expected: expected_hrp.to_owned(),
        });
    }
    // 20 bytes are exactly 32 five-bit groups: no padding bits to check.
    let groups = checked.fe32_iter().len();
    if groups != 32 {
        return Err(TxError::AddressLength {
            kind,
            input: owned(),
            got: groups * 5,
            expected: 160,
        });
    }
    let mut bytes = [0u8; ADDRESS_LEN];
    let mut written = 0usize;
    for (slot, byte) in bytes.iter_mut().zip(checked.byte_iter()) {
        *slot = byte;
        written += 1;
    }
    if written != ADDRESS_LEN {
        return Err(TxError::AddressLength {
            kind,
            input: owned(),
            got: written * 8,
            expected: 160,
        });
    }
    Ok(bytes)
}

impl FromStr for AccAddress {
    type Err = TxError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::from_bech32(input)
    }
}

impl FromStr for ValoperAddress {
    type Err = TxError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::from_bech32(input)
    }
}

impl fmt::Display for AccAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bech32())
    }
}

impl fmt::Debug for AccAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccAddress({})", self.to_bech32())
    }
}

impl fmt::Display for ValoperAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bech32())
    }
}

impl fmt::Debug for ValoperAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ValoperAddress({})", self.to_bech32())
    }
}

impl From<[u8; ADDRESS_LEN]> for AccAddress {
    fn from(bytes: [u8; ADDRESS_LEN]) -> Self {
        Self(bytes)
    }
}

impl From<AccAddress> for peg_types::PegAccount {
    /// The account as the Ethereum contract carries it (`bytes20`, `specs/contracts.md` §1).
    fn from(address: AccAddress) -> Self {
        peg_types::PegAccount::new(address.0)
    }
}

impl From<peg_types::PegAccount> for AccAddress {
    fn from(account: peg_types::PegAccount) -> Self {
        Self(*account.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosmos_hub_vector_derives_address() -> Result<(), TxError> {
        // cosmjs faucet key (packages/proto-signing/src/testutils.spec.ts): its public key and
        // its address, computed independently by CosmJS and the Cosmos SDK.
        let key: [u8; 33] =
            hex::decode("034f04181eeba35391b858633a765c4a0c189697b40d216354d50890d350c70290")
                .expect("hex literal")
                .try_into()
                .expect("33 bytes");
        let address = AccAddress::from_compressed_pubkey(&key);
        assert_eq!(
            address.to_bech32_with_hrp("cosmos").as_deref(),
            Some("cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6")
        );
        let parsed = AccAddress::from_bech32_with_hrp(
            "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6",
            "cosmos",
        )?;
        assert_eq!(parsed, address);
        Ok(())
    }

    #[test]
    fn round_trips_and_valoper_shares_bytes() -> Result<(), TxError> {
        let address = AccAddress::new([0x5a; 20]);
        let text = address.to_string();
        assert!(text.starts_with("peg1"), "{text}");
        assert_eq!(text.parse::<AccAddress>()?, address);
        assert_eq!(text.to_uppercase().parse::<AccAddress>()?, address);
        let valoper = address.to_valoper();
        assert!(valoper.to_string().starts_with("pegvaloper1"));
        assert_eq!(valoper.to_string().parse::<ValoperAddress>()?.to_account(), address);
        Ok(())
    }

    #[test]
    fn rejects_mixed_case() {
        let text = AccAddress::new([7; 20]).to_string();
        let mixed = format!("P{}", &text[1..]);
        assert!(matches!(
            mixed.parse::<AccAddress>(),
            Err(TxError::AddressMixedCase { ref input }) if *input == mixed
        ));
    }

    #[test]
    fn rejects_wrong_hrp() {
        let valoper = AccAddress::new([7; 20]).to_valoper().to_string();
        assert!(matches!(
            valoper.parse::<AccAddress>(),
            Err(TxError::AddressWrongHrp { ref got, .. }) if got == "pegvaloper"
        ));
        let account = AccAddress::new([7; 20]).to_string();
        assert!(matches!(
            account.parse::<ValoperAddress>(),
            Err(TxError::AddressWrongHrp { ref got, .. }) if got == "peg"
        ));
    }

    #[test]
    fn rejects_bad_checksum_and_bech32m() {
        let mut text = AccAddress::new([9; 20]).to_string();
        let last = text.pop().expect("non-empty");
        text.push(if last == 'q' { 'p' } else { 'q' });
        assert!(matches!(text.parse::<AccAddress>(), Err(TxError::AddressChecksum { .. })));

        let bech32m =
            bech32::encode::<bech32::Bech32m>(ACCOUNT_HRP_PARSED, &[9; 20]).expect("encodes");
        assert!(matches!(bech32m.parse::<AccAddress>(), Err(TxError::AddressChecksum { .. })));
    }

    #[test]
    fn rejects_wrong_length() {
        for len in [0usize, 19, 21, 32] {
            let text =
                bech32::encode::<Bech32>(ACCOUNT_HRP_PARSED, &vec![1u8; len]).expect("encodes");
            assert!(
                matches!(
                    text.parse::<AccAddress>(),
                    Err(TxError::AddressLength { got, expected: 160, .. }) if got != 160
                ),
                "{len} bytes: {text}"
            );
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in
            ["", "peg", "peg1", "1qqqqqq", "peg1b000000000000000000000000000000000000", "peg 1"]
        {
            let err = bad.parse::<AccAddress>().expect_err("must be refused");
            assert!(
                matches!(
                    err,
                    TxError::AddressMalformed { .. }
                        | TxError::AddressChecksum { .. }
                        | TxError::AddressLength { .. }
                ),
                "{bad:?}: {err}"
            );
        }
    }
}
