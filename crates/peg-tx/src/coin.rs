//! Coins (`specs/transactions.md` §6.1): `cosmos.base.v1beta1.Coin` with the Cosmos SDK's
//! validity rules, amounts held as `u128`.
//!
//! - denom: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}` (the SDK's default `reDnmString`);
//! - amount: a canonical decimal integer (`0` or no leading zero, digits only) below `2^128`.
//!   Deviation: the SDK's `math.Int` goes up to `2^256 - 1` and its parser accepts a sign and
//!   leading zeros; we refuse all three (no supply on this chain comes near `2^128`);
//! - a coin list ([`Coins`]) is sorted by denom, strictly (no duplicate), with positive amounts.

use std::fmt;

use crate::proto;
use crate::TxError;

/// One coin: a denom and an amount.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Coin {
    /// The denom, validated.
    pub denom: String,
    /// The amount.
    pub amount: u128,
}

impl Coin {
    /// A coin after checking its denom (any amount, zero included).
    pub fn new(denom: impl Into<String>, amount: u128) -> Result<Self, TxError> {
        let denom = denom.into();
        validate_denom(&denom)?;
        Ok(Self { denom, amount })
    }

    /// Parses the protobuf form.
    pub fn from_proto(coin: &proto::Coin) -> Result<Self, TxError> {
        validate_denom(&coin.denom)?;
        let amount = parse_amount(&coin.denom, &coin.amount)?;
        Ok(Self { denom: coin.denom.clone(), amount })
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> proto::Coin {
        proto::Coin { denom: self.denom.clone(), amount: self.amount.to_string() }
    }
}

impl fmt::Display for Coin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.denom)
    }
}

/// A valid coin list: sorted by denom, no duplicate denom, every amount positive. May be empty
/// (a zero fee).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Coins(Vec<Coin>);

impl Coins {
    /// The empty list.
    pub const fn empty() -> Self {
        Self(Vec::new())
    }

    /// Checks the list rules on coins given in order.
    pub fn new(coins: Vec<Coin>) -> Result<Self, TxError> {
        for coin in &coins {
            validate_denom(&coin.denom)?;
            if coin.amount == 0 {
                return Err(TxError::InvalidCoins {
                    reason: format!("amount of {} is zero", coin.denom),
                });
            }
        }
        for pair in coins.windows(2) {
            if let [first, second] = pair {
                if first.denom >= second.denom {
                    return Err(TxError::InvalidCoins {
                        reason: format!(
                            "denoms not sorted strictly ascending: {:?} then {:?}",
                            first.denom, second.denom
                        ),
                    });
                }
            }
        }
        Ok(Self(coins))
    }

    /// Sorts by denom, then checks the list rules (for building transactions).
    pub fn from_unsorted(mut coins: Vec<Coin>) -> Result<Self, TxError> {
        coins.sort_by(|a, b| a.denom.cmp(&b.denom));
        Self::new(coins)
    }

    /// Parses the protobuf form (order as given: a signer must sort).
    pub fn from_proto(coins: &[proto::Coin]) -> Result<Self, TxError> {
        coins.iter().map(Coin::from_proto).collect::<Result<Vec<_>, _>>().and_then(Self::new)
    }

    /// The protobuf form.
    pub fn to_proto(&self) -> Vec<proto::Coin> {
        self.0.iter().map(Coin::to_proto).collect()
    }

    /// The coins, sorted by denom.
    pub fn as_slice(&self) -> &[Coin] {
        &self.0
    }

    /// `true` for the empty list.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The amount of `denom` (zero if absent).
    pub fn amount_of(&self, denom: &str) -> u128 {
        self.0
            .binary_search_by(|coin| coin.denom.as_str().cmp(denom))
            .ok()
            .and_then(|index| self.0.get(index))
            .map_or(0, |coin| coin.amount)
    }
}

impl fmt::Display for Coins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, coin) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            write!(f, "{coin}")?;
        }
        Ok(())
    }
}

/// The SDK's default denom rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
pub fn validate_denom(denom: &str) -> Result<(), TxError> {
    let invalid = |reason| TxError::InvalidDenom { denom: denom.to_owned(), reason };
    let bytes = denom.as_bytes();
    if !(3..=128).contains(&bytes.len()) {
        return Err(invalid("length must be 3 to 128"));
    }
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return Err(invalid("must start with a letter"));
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b':' | b'.' | b'_' | b'-'))
    {
        return Err(invalid("only letters, digits and / : . _ - are allowed"));
    }
    Ok(())
}

fn parse_amount(denom: &str, amount: &str) -> Result<u128, TxError> {
    let invalid = |reason| TxError::InvalidAmount {
        denom: denom.to_owned(),
        amount: amount.to_owned(),
        reason,
    };
    if amount.is_empty() {
        return Err(invalid("empty"));
    }
    if !amount.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("not a decimal integer"));
    }
    if amount.len() > 1 && amount.starts_with('0') {
        return Err(invalid("leading zero"));
    }
    amount.parse::<u128>().map_err(|_| invalid("does not fit in 128 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(denom: &str, amount: &str) -> proto::Coin {
        proto::Coin { denom: denom.to_owned(), amount: amount.to_owned() }
    }

    #[test]
    fn parses_valid_coins() -> Result<(), TxError> {
        let coins = Coins::from_proto(&[raw("upeg", "5"), raw("uvoucher/0xabc", "12")])?;
        assert_eq!(coins.amount_of("upeg"), 5);
        assert_eq!(coins.amount_of("uvoucher/0xabc"), 12);
        assert_eq!(coins.amount_of("other"), 0);
        assert_eq!(coins.to_string(), "5upeg,12uvoucher/0xabc");
        assert_eq!(Coins::from_proto(&coins.to_proto())?, coins);
        let max = Coin::from_proto(&raw("upeg", &u128::MAX.to_string()))?;
        assert_eq!(max.amount, u128::MAX);
        Ok(())
    }

    #[test]
    fn refuses_bad_denoms() {
        for denom in ["", "ab", "1abc", "ab c", "abc!", &"a".repeat(129), "äbc"] {
            assert!(
                matches!(Coin::from_proto(&raw(denom, "1")), Err(TxError::InvalidDenom { .. })),
                "{denom:?}"
            );
        }
    }

    #[test]
    fn refuses_bad_amounts() {
        for amount in [
            "",
            "-1",
            "+1",
            "01",
            "1.5",
            "0x10",
            " 1",
            "1_000",
            "340282366920938463463374607431768211456",
        ] {
            assert!(
                matches!(
                    Coin::from_proto(&raw("upeg", amount)),
                    Err(TxError::InvalidAmount { .. })
                ),
                "{amount:?}"
            );
        }
    }

    #[test]
    fn refuses_unsorted_duplicate_and_zero() {
        for coins in [
            vec![raw("uzzz", "1"), raw("uaaa", "1")],
            vec![raw("upeg", "1"), raw("upeg", "2")],
            vec![raw("upeg", "0")],
        ] {
            assert!(
                matches!(Coins::from_proto(&coins), Err(TxError::InvalidCoins { .. })),
                "{coins:?}"
            );
        }
    }

    #[test]
    fn from_unsorted_sorts() -> Result<(), TxError> {
        let coins = Coins::from_unsorted(vec![Coin::new("uzzz", 1)?, Coin::new("uaaa", 2)?])?;
        assert_eq!(coins.as_slice().first().map(|c| c.denom.as_str()), Some("uaaa"));
        Ok(())
    }
}
