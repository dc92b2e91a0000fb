//! Serde helpers for the two text encodings the light client reads: beacon-API JSON (integers as
//! decimal strings) and consensus-spec-tests YAML (integers as numbers, big integers as strings).

use alloy_primitives::U256;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// `uint64`: written as a decimal string (beacon API); read from a string or a number.
pub mod quoted_u64 {
    use super::*;

    /// Writes `value` as a decimal string.
    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads a decimal string or a non-negative integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = u64;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a uint64 as a decimal string or an integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                u64::try_from(v).map_err(|_| E::custom(format!("negative uint64 {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                v.parse::<u64>().map_err(|_| E::custom(format!("invalid uint64 {v:?}")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `uint256`: written as a decimal string; read from a decimal string, a `0x` hex string or a number.
pub mod quoted_u256 {
    use super::*;

    /// Writes `value` as a decimal string.
    pub fn serialize<S: Serializer>(value: &U256, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads a decimal string, a `0x`-prefixed hex string, or a non-negative integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<U256, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = U256;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a uint256 as a decimal string or an integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<U256, E> {
                Ok(U256::from(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<U256, E> {
                u64::try_from(v)
                    .map(U256::from)
                    .map_err(|_| E::custom(format!("negative uint256 {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<U256, E> {
                let parsed = match v.strip_prefix("0x") {
                    Some(hex) => U256::from_str_radix(hex, 16),
                    None => U256::from_str_radix(v, 10),
                };
                parsed.map_err(|_| E::custom(format!("invalid uint256 {v:?}")))
            }
        }
        deserializer.deserialize_any(V)
    }
}
