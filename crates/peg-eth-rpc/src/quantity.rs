//! JSON-RPC quantities: `0x`-prefixed hex without leading zeros (execution API spec `uint`).

use alloy_primitives::U256;

fn digits(s: &str) -> Result<&str, String> {
    let digits =
        s.strip_prefix("0x").ok_or_else(|| format!("quantity {s:?} lacks its 0x prefix"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("quantity {s:?} is not hex"));
    }
    Ok(digits.trim_start_matches('0'))
}

/// Parses a quantity into a `u64`. Leading zeros are accepted (as geth does for inputs).
pub fn parse_quantity_u64(s: &str) -> Result<u64, String> {
    let digits = digits(s)?;
    if digits.is_empty() {
        return Ok(0);
    }
    if digits.len() > 16 {
        return Err(format!("quantity {s:?} does not fit 64 bits"));
    }
    u64::from_str_radix(digits, 16).map_err(|e| format!("quantity {s:?}: {e}"))
}

/// Parses a quantity into a `U256`.
pub fn parse_quantity_u256(s: &str) -> Result<U256, String> {
    let digits = digits(s)?;
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    if digits.len() > 64 {
        return Err(format!("quantity {s:?} does not fit 256 bits"));
    }
    U256::from_str_radix(digits, 16).map_err(|e| format!("quantity {s:?}: {e}"))
}

/// Formats a number as a quantity (`0x0`, `0x1a`).
pub fn quantity(n: impl std::fmt::LowerHex) -> String {
    format!("{n:#x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_quantities() {
        assert_eq!(parse_quantity_u64("0x0"), Ok(0));
        assert_eq!(parse_quantity_u64("0x1a"), Ok(26));
        assert_eq!(parse_quantity_u64("0x001a"), Ok(26));
        assert_eq!(parse_quantity_u64("0xffffffffffffffff"), Ok(u64::MAX));
        assert!(parse_quantity_u64("0x10000000000000000").is_err());
        assert!(parse_quantity_u64("1a").is_err());
        assert!(parse_quantity_u64("0x").is_err());
        assert!(parse_quantity_u64("0xzz").is_err());
        assert_eq!(
            parse_quantity_u256("0xde0b6b3a7640000"),
            Ok(U256::from(10u64).pow(U256::from(18)))
        );
        assert_eq!(quantity(0u64), "0x0");
        assert_eq!(quantity(26u64), "0x1a");
        assert_eq!(quantity(U256::MAX), format!("0x{}", "f".repeat(64)));
    }
}
