//! JSON-RPC quantities: `0x`-prefixed hex without leading zeros (execution API spec `uint`).

// One parser for the whole project: the light client's (strict `0x` hex, 64/256-bit bounds).
pub use light_client::execution::{parse_quantity_u256, parse_quantity_u64};

/// Formats a number as a quantity (`0x0`, `0x1a`).
pub fn quantity(n: impl std::fmt::LowerHex) -> String {
    format!("{n:#x}")
}

#[cfg(test)]
mod tests {
    use alloy_primitives::U256;

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
