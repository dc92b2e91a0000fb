//! Validator sets as the contract knows them (`specs/contracts.md` §3).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use alloy_primitives::{B256, U256};
use alloy_sol_types::SolStruct;
use serde::{Deserialize, Serialize};

use crate::eip712::sol_types;
use crate::power::{normalize_power, MAX_VALIDATORS, POWER_THRESHOLD, TOTAL_NORMALIZED_POWER};
use crate::{EthAddress, PegTypesError};

/// One valset member: a validator's registered Ethereum address and its normalized power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValsetMember {
    /// The validator's Ethereum (secp256k1) address.
    pub eth_address: EthAddress,
    /// Normalized power: the members' powers add up to at most `2^32` (§1).
    pub power: u64,
}

/// The canonical order of valset members (§3): power descending, then address ascending.
pub fn canonical_order(a: &ValsetMember, b: &ValsetMember) -> Ordering {
    b.power.cmp(&a.power).then_with(|| a.eth_address.cmp(&b.eth_address))
}

/// A validator set: a nonce and its members in canonical order with normalized powers (§3).
///
/// Fields are public so that decoded data can be held as is; [`Valset::validate`] applies the
/// contract's rules, and [`Valset::new`] / [`Valset::from_raw_powers`] only build valid sets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Valset {
    /// The valset nonce: strictly increasing across updates.
    pub nonce: u64,
    /// Members, power descending then address ascending.
    pub members: Vec<ValsetMember>,
}

impl Valset {
    /// A valset from already-normalized, already-ordered members, checked by [`Valset::validate`].
    pub fn new(nonce: u64, members: Vec<ValsetMember>) -> Result<Self, PegTypesError> {
        let valset = Self { nonce, members };
        valset.validate()?;
        Ok(valset)
    }

    /// Builds the valset the contract will accept from raw (consensus) powers: normalizes each
    /// power to `floor(power * 2^32 / total)` (§1), orders the members canonically and validates.
    ///
    /// `total` is the sum of every raw power supplied.
    ///
    /// Deviation: a validator whose normalized power floors to zero (less than `2^-32` of the
    /// total) is left out, since the contract refuses zero powers; leaving it out cannot help a
    /// checkpoint pass, as its power still counts in the total.
    pub fn from_raw_powers(
        nonce: u64,
        raw: impl IntoIterator<Item = (EthAddress, u64)>,
    ) -> Result<Self, PegTypesError> {
        let raw: Vec<(EthAddress, u64)> = raw.into_iter().collect();
        if raw.is_empty() {
            return Err(PegTypesError::EmptyValset);
        }
        let mut seen = BTreeSet::new();
        let mut total: u128 = 0;
        for (index, &(address, power)) in raw.iter().enumerate() {
            if address.is_zero() {
                return Err(PegTypesError::ZeroAddress { index });
            }
            if power == 0 {
                return Err(PegTypesError::ZeroPower { index, address });
            }
            if !seen.insert(address) {
                return Err(PegTypesError::DuplicateValidator { address });
            }
            total += u128::from(power);
        }
        let mut members = Vec::with_capacity(raw.len());
        for (index, &(eth_address, raw_power)) in raw.iter().enumerate() {
            // `total` is a positive sum that includes `raw_power`, so this is always `Some`.
            let power = normalize_power(raw_power, total)
                .ok_or(PegTypesError::ZeroPower { index, address: eth_address })?;
            if power > 0 {
                members.push(ValsetMember { eth_address, power });
            }
        }
        members.sort_by(canonical_order);
        Self::new(nonce, members)
    }

    /// The valset rules of §3: non-empty; at most `MAX_VALIDATORS` members; no zero address; no
    /// zero power; strictly ordered by power descending then address ascending; no duplicate
    /// address; total power `<= 2^32` and `>= POWER_THRESHOLD`.
    ///
    /// Deviation: the contract's ordering check alone does not refuse an address listed twice
    /// with *different* powers (`[A: 3, B: 2, A: 1]` is strictly ordered); this function refuses
    /// any duplicate, as §3 intends, so the peg zone never asks for such a set.
    pub fn validate(&self) -> Result<(), PegTypesError> {
        if self.members.is_empty() {
            return Err(PegTypesError::EmptyValset);
        }
        if self.members.len() > MAX_VALIDATORS {
            return Err(PegTypesError::TooManyValidators {
                got: self.members.len(),
                max: MAX_VALIDATORS,
            });
        }
        let mut total: u128 = 0;
        let mut prev: Option<(usize, &ValsetMember)> = None;
        let mut seen = BTreeSet::new();
        for (index, member) in self.members.iter().enumerate() {
            if member.eth_address.is_zero() {
                return Err(PegTypesError::ZeroAddress { index });
            }
            if member.power == 0 {
                return Err(PegTypesError::ZeroPower { index, address: member.eth_address });
            }
            if let Some((prev_index, prev_member)) = prev {
                if prev_member.eth_address == member.eth_address {
                    return Err(PegTypesError::DuplicateValidator { address: member.eth_address });
                }
                if canonical_order(prev_member, member) != Ordering::Less {
                    return Err(PegTypesError::ValsetNotOrdered {
                        index,
                        address: member.eth_address,
                        power: member.power,
                        prev_index,
                        prev_address: prev_member.eth_address,
                        prev_power: prev_member.power,
                    });
                }
            }
            if !seen.insert(member.eth_address) {
                return Err(PegTypesError::DuplicateValidator { address: member.eth_address });
            }
            total += u128::from(member.power);
            prev = Some((index, member));
        }
        if total > u128::from(TOTAL_NORMALIZED_POWER) {
            return Err(PegTypesError::TotalPowerTooHigh {
                got: total,
                max: TOTAL_NORMALIZED_POWER,
            });
        }
        if total < u128::from(POWER_THRESHOLD) {
            return Err(PegTypesError::TotalPowerBelowThreshold {
                got: total,
                expected: POWER_THRESHOLD,
            });
        }
        Ok(())
    }

    /// The members' addresses, in valset order (the contract's `validators` array).
    pub fn validators(&self) -> Vec<EthAddress> {
        self.members.iter().map(|m| m.eth_address).collect()
    }

    /// The members' normalized powers, in valset order (the contract's `powers` array).
    pub fn powers(&self) -> Vec<u64> {
        self.members.iter().map(|m| m.power).collect()
    }

    /// Sum of the normalized powers.
    pub fn total_power(&self) -> u128 {
        self.members.iter().map(|m| u128::from(m.power)).sum()
    }

    /// The `sol!` struct hashed for EIP-712.
    pub fn to_sol(&self) -> sol_types::Valset {
        sol_types::Valset {
            nonce: U256::from(self.nonce),
            validators: self.members.iter().map(|m| m.eth_address.0).collect(),
            powers: self.members.iter().map(|m| U256::from(m.power)).collect(),
        }
    }

    /// `valsetHash` (§3): `keccak256(abi.encode(VALSET_TYPEHASH, nonce,
    /// keccak256(abi.encodePacked(validators)), keccak256(abi.encodePacked(powers))))`, the
    /// EIP-712 struct hash of `Valset`. This is what the contract stores.
    ///
    /// Hashes whatever the fields hold; call [`Valset::validate`] first for a set the contract
    /// would accept.
    pub fn valset_hash(&self) -> B256 {
        self.to_sol().eip712_hash_struct()
    }

    /// The member words of §8.2 (`validator << 96 | power`), in valset order: what
    /// `ValsetUpdated` emits and `ValsetSignatures.members` carries.
    pub fn member_words(&self) -> Vec<B256> {
        self.members.iter().map(crate::pack_member).collect()
    }

    /// `valsetMembersHash` (§8.2): `keccak256(abi.encodePacked(member words))`, stored by the
    /// contract beside [`Valset::valset_hash`] to check the current valset cheaply.
    pub fn members_hash(&self) -> B256 {
        crate::checkpoint::members_hash(&self.member_words())
    }

    /// Builds a valset from the parallel arrays the contract takes and emits (`validators`,
    /// `powers`), without validating it.
    pub fn from_arrays(
        nonce: u64,
        validators: &[EthAddress],
        powers: &[u64],
    ) -> Result<Self, PegTypesError> {
        if validators.len() != powers.len() {
            return Err(PegTypesError::LengthMismatch {
                what: "valset powers vs validators",
                got: powers.len(),
                expected: validators.len(),
            });
        }
        Ok(Self {
            nonce,
            members: validators
                .iter()
                .zip(powers)
                .map(|(&eth_address, &power)| ValsetMember { eth_address, power })
                .collect(),
        })
    }

    /// The position of `address` in this valset, if it is a member.
    pub fn position(&self, address: &EthAddress) -> Option<usize> {
        self.members.iter().position(|m| &m.eth_address == address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, keccak256};
    use alloy_sol_types::SolValue;

    fn addr(byte: u8) -> EthAddress {
        EthAddress::new([byte; 20])
    }

    fn member(byte: u8, power: u64) -> ValsetMember {
        ValsetMember { eth_address: addr(byte), power }
    }

    #[test]
    fn from_raw_powers_normalizes_and_orders() -> Result<(), PegTypesError> {
        let valset = Valset::from_raw_powers(7, [(addr(3), 10), (addr(1), 30), (addr(2), 10)])?;
        assert_eq!(valset.nonce, 7);
        assert_eq!(valset.validators(), vec![addr(1), addr(2), addr(3)]);
        // floor(30 * 2^32 / 50), floor(10 * 2^32 / 50) twice.
        assert_eq!(valset.powers(), vec![2_576_980_377, 858_993_459, 858_993_459]);
        assert!(valset.total_power() <= u128::from(TOTAL_NORMALIZED_POWER));
        Ok(())
    }

    #[test]
    fn single_validator_gets_all_power() -> Result<(), PegTypesError> {
        let valset = Valset::from_raw_powers(1, [(addr(9), 1)])?;
        assert_eq!(valset.powers(), vec![TOTAL_NORMALIZED_POWER]);
        Ok(())
    }

    #[test]
    fn from_raw_powers_drops_dust_validators() -> Result<(), PegTypesError> {
        let valset = Valset::from_raw_powers(1, [(addr(1), u64::MAX), (addr(2), 1)])?;
        assert_eq!(valset.validators(), vec![addr(1)]);
        Ok(())
    }

    #[test]
    fn from_raw_powers_refuses_bad_input() {
        assert_eq!(Valset::from_raw_powers(1, []), Err(PegTypesError::EmptyValset));
        assert_eq!(
            Valset::from_raw_powers(1, [(addr(1), 5), (EthAddress::ZERO, 5)]),
            Err(PegTypesError::ZeroAddress { index: 1 })
        );
        assert_eq!(
            Valset::from_raw_powers(1, [(addr(1), 0)]),
            Err(PegTypesError::ZeroPower { index: 0, address: addr(1) })
        );
        assert_eq!(
            Valset::from_raw_powers(1, [(addr(1), 5), (addr(1), 6)]),
            Err(PegTypesError::DuplicateValidator { address: addr(1) })
        );
        let too_many = (1..=(MAX_VALIDATORS as u32 + 1)).map(|i| {
            let mut bytes = [0u8; 20];
            bytes[16..].copy_from_slice(&i.to_be_bytes());
            (EthAddress::new(bytes), 1u64)
        });
        assert_eq!(
            Valset::from_raw_powers(1, too_many),
            Err(PegTypesError::TooManyValidators { got: MAX_VALIDATORS + 1, max: MAX_VALIDATORS })
        );
    }

    #[test]
    fn validate_reports_each_rule() {
        let ok =
            Valset { nonce: 1, members: vec![member(1, 3_000_000_000), member(2, 1_000_000_000)] };
        assert_eq!(ok.validate(), Ok(()));

        let empty = Valset { nonce: 1, members: vec![] };
        assert_eq!(empty.validate(), Err(PegTypesError::EmptyValset));

        let zero_addr = Valset { nonce: 1, members: vec![member(0, 3_000_000_000)] };
        assert_eq!(zero_addr.validate(), Err(PegTypesError::ZeroAddress { index: 0 }));

        let zero_power = Valset { nonce: 1, members: vec![member(1, 3_000_000_000), member(2, 0)] };
        assert_eq!(
            zero_power.validate(),
            Err(PegTypesError::ZeroPower { index: 1, address: addr(2) })
        );

        let power_ascending =
            Valset { nonce: 1, members: vec![member(1, 1_000_000_000), member(2, 3_000_000_000)] };
        assert!(matches!(
            power_ascending.validate(),
            Err(PegTypesError::ValsetNotOrdered { index: 1, prev_index: 0, .. })
        ));

        let address_descending =
            Valset { nonce: 1, members: vec![member(2, 2_000_000_000), member(1, 2_000_000_000)] };
        assert!(matches!(
            address_descending.validate(),
            Err(PegTypesError::ValsetNotOrdered { index: 1, .. })
        ));

        let duplicate =
            Valset { nonce: 1, members: vec![member(1, 2_000_000_000), member(1, 2_000_000_000)] };
        assert_eq!(
            duplicate.validate(),
            Err(PegTypesError::DuplicateValidator { address: addr(1) })
        );

        // Strictly ordered, yet address 1 appears twice (with different powers).
        let split_duplicate = Valset {
            nonce: 1,
            members: vec![
                member(1, 2_000_000_000),
                member(2, 1_500_000_000),
                member(1, 500_000_000),
            ],
        };
        assert_eq!(
            split_duplicate.validate(),
            Err(PegTypesError::DuplicateValidator { address: addr(1) })
        );

        let too_high =
            Valset { nonce: 1, members: vec![member(1, TOTAL_NORMALIZED_POWER), member(2, 1)] };
        assert_eq!(
            too_high.validate(),
            Err(PegTypesError::TotalPowerTooHigh {
                got: u128::from(TOTAL_NORMALIZED_POWER) + 1,
                max: TOTAL_NORMALIZED_POWER
            })
        );

        let too_low = Valset { nonce: 1, members: vec![member(1, POWER_THRESHOLD - 1)] };
        assert_eq!(
            too_low.validate(),
            Err(PegTypesError::TotalPowerBelowThreshold {
                got: u128::from(POWER_THRESHOLD - 1),
                expected: POWER_THRESHOLD
            })
        );

        let at_threshold = Valset { nonce: 1, members: vec![member(1, POWER_THRESHOLD)] };
        assert_eq!(at_threshold.validate(), Ok(()));

        let too_many = Valset { nonce: 1, members: vec![member(1, 1); MAX_VALIDATORS + 1] };
        assert_eq!(
            too_many.validate(),
            Err(PegTypesError::TooManyValidators { got: MAX_VALIDATORS + 1, max: MAX_VALIDATORS })
        );
    }

    #[test]
    fn valset_hash_is_the_spec_encoding() {
        let valset =
            Valset { nonce: 5, members: vec![member(1, 3_000_000_000), member(2, 1_000_000_000)] };
        let mut packed_validators = Vec::new();
        let mut packed_powers = Vec::new();
        for m in &valset.members {
            packed_validators.extend_from_slice(&[0u8; 12]);
            packed_validators.extend_from_slice(m.eth_address.as_bytes());
            packed_powers.extend_from_slice(&U256::from(m.power).to_be_bytes::<32>());
        }
        let by_hand = keccak256(
            (
                keccak256("Valset(uint256 nonce,address[] validators,uint256[] powers)"),
                U256::from(5u64),
                keccak256(&packed_validators),
                keccak256(&packed_powers),
            )
                .abi_encode(),
        );
        assert_eq!(valset.valset_hash(), by_hand);
    }

    #[test]
    fn valset_hash_pinned() -> Result<(), PegTypesError> {
        // One member 0x11…11 with all the power, nonce 1. Pinned literal: any change to the
        // encoding shows up here before it reaches the vectors.
        let valset = Valset::from_raw_powers(1, [(addr(0x11), 100)])?;
        assert_eq!(
            valset.valset_hash(),
            b256!("1ca79eaf4b82e3def6966fe3d90e7944c66fc5ab8ddbc3375ba665f4cf844a8c")
        );
        Ok(())
    }

    #[test]
    fn member_words_and_members_hash() {
        let valset =
            Valset { nonce: 5, members: vec![member(1, 3_000_000_000), member(2, 1_000_000_000)] };
        let words = valset.member_words();
        let mut packed = Vec::new();
        for m in &valset.members {
            let mut word = [0u8; 32];
            word[..20].copy_from_slice(m.eth_address.as_bytes());
            word[24..].copy_from_slice(&m.power.to_be_bytes());
            assert!(words.contains(&B256::from(word)));
            packed.extend_from_slice(&word);
        }
        assert_eq!(valset.members_hash(), keccak256(&packed));
        // The members hash ignores the nonce; the EIP-712 valset hash does not.
        let mut later = valset.clone();
        later.nonce = 6;
        assert_eq!(later.members_hash(), valset.members_hash());
        assert_ne!(later.valset_hash(), valset.valset_hash());
    }

    #[test]
    fn valset_hash_changes_with_every_field() {
        let base =
            Valset { nonce: 5, members: vec![member(1, 3_000_000_000), member(2, 1_000_000_000)] };
        let mut nonce = base.clone();
        nonce.nonce = 6;
        let mut address = base.clone();
        address.members[1].eth_address = addr(3);
        let mut power = base.clone();
        power.members[1].power = 1_000_000_001;
        for changed in [nonce, address, power] {
            assert_ne!(changed.valset_hash(), base.valset_hash());
        }
    }

    #[test]
    fn from_arrays_and_accessors() -> Result<(), PegTypesError> {
        let valset = Valset::from_arrays(3, &[addr(1), addr(2)], &[3_000_000_000, 1_000_000_000])?;
        assert_eq!(valset.validate(), Ok(()));
        assert_eq!(valset.position(&addr(2)), Some(1));
        assert_eq!(valset.position(&addr(9)), None);
        assert_eq!(
            Valset::from_arrays(3, &[addr(1)], &[1, 2]),
            Err(PegTypesError::LengthMismatch {
                what: "valset powers vs validators",
                got: 2,
                expected: 1
            })
        );
        Ok(())
    }

    /// Property: for pseudo-random raw powers, normalization never exceeds 2^32, loses less than
    /// one unit per member, and the result is valid and canonically ordered.
    #[test]
    fn prop_normalization_bounds() -> Result<(), PegTypesError> {
        let mut rng = crate::test_rng::SplitMix64(0x5eed);
        for _ in 0..300 {
            let n = (rng.next() % 200 + 1) as usize;
            let shift = rng.next() % 64;
            let raw: Vec<(EthAddress, u64)> = (0..n)
                .map(|i| {
                    let mut bytes = [0u8; 20];
                    bytes[..8].copy_from_slice(&rng.next().to_be_bytes());
                    bytes[19] = i as u8;
                    bytes[18] = (i >> 8) as u8 | 1;
                    (EthAddress::new(bytes), (rng.next() >> shift).max(1))
                })
                .collect();
            let valset = Valset::from_raw_powers(1, raw.clone())?;
            let total = valset.total_power();
            assert!(total <= u128::from(TOTAL_NORMALIZED_POWER));
            assert!(total + n as u128 > u128::from(TOTAL_NORMALIZED_POWER));
            assert!(valset
                .members
                .windows(2)
                .all(|w| matches!(w, [a, b] if canonical_order(a, b) == Ordering::Less)));
        }
        Ok(())
    }
}
