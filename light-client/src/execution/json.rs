//! JSON-RPC quantities (execution API spec `uint`: `0x`-prefixed hex, no leading zeros).
//!
//! Spec: <https://ethereum.org/developers/docs/apis/json-rpc/#quantities-encoding>.
//! Deviation: leading zeros (`0x01`) are accepted, as geth's own decoder does for inputs; the value
//! is what the hashes bind, not its spelling.

use alloy_primitives::U256;
use serde::de::{Deserializer, Error};
use serde::Deserialize;

use super::error::ExecutionError;

/// A `u64` quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quantity(pub(crate) u64);

/// A `U256` quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QuantityU256(pub(crate) U256);

/// The hex digits of a quantity, after its `0x` prefix.
fn digits(s: &str) -> Result<&str, String> {
    let digits =
        s.strip_prefix("0x").ok_or_else(|| format!("quantity {s:?} lacks its 0x prefix"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("quantity {s:?} is not hex"));
    }
    Ok(digits.trim_start_matches('0'))
}

/// Parses JSON text into a value.
pub(crate) fn parse_json(text: &str, context: &str) -> Result<serde_json::Value, ExecutionError> {
    serde_json::from_str(text)
        .map_err(|e| ExecutionError::Json { context: context.to_owned(), reason: e.to_string() })
}

/// Parses a `0x`-prefixed hex quantity (execution JSON-RPC `uint`) into a `u64`; leading zeros
/// are accepted, as geth does for inputs.
pub fn parse_u64(s: &str) -> Result<u64, String> {
    let digits = digits(s)?;
    if digits.is_empty() {
        return Ok(0);
    }
    if digits.len() > 16 {
        return Err(format!("quantity {s:?} does not fit 64 bits"));
    }
    u64::from_str_radix(digits, 16).map_err(|e| format!("quantity {s:?}: {e}"))
}

/// Parses a `0x`-prefixed hex quantity (execution JSON-RPC `uint`) into a `U256`.
pub fn parse_u256(s: &str) -> Result<U256, String> {
    let digits = digits(s)?;
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    if digits.len() > 64 {
        return Err(format!("quantity {s:?} does not fit 256 bits"));
    }
    U256::from_str_radix(digits, 16).map_err(|e| format!("quantity {s:?}: {e}"))
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        parse_u64(&s).map(Self).map_err(D::Error::custom)
    }
}

impl<'de> Deserialize<'de> for QuantityU256 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        parse_u256(&s).map(Self).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_strictly() {
        assert_eq!(parse_u64("0x0"), Ok(0));
        assert_eq!(parse_u64("0x1b4"), Ok(436));
        assert_eq!(parse_u64("0x01"), Ok(1));
        assert_eq!(parse_u64("0xffffffffffffffff"), Ok(u64::MAX));
        assert!(parse_u64("0x10000000000000000").is_err());
        assert!(parse_u64("0x").is_err());
        assert!(parse_u64("12").is_err());
        assert!(parse_u64("0x+1").is_err());
        assert!(parse_u64("0xg").is_err());
        assert_eq!(parse_u256("0xc70d815d562d3cfa955"), Ok(U256::from(0xc70d815d562d3cfa955u128)));
        assert!(parse_u256(&format!("0x1{}", "0".repeat(64))).is_err());
    }
}
