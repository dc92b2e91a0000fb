//! The three calldata forms of a new valset (`specs/contracts.md` §8.3): plain member words,
//! entries that reference current members, and the 5-byte powers of `updateValsetPowers`.
//!
//! All three describe the same new valset, hashed and signed the same way; they differ only in
//! calldata cost. The encoders pick references for validators that stay; the decoders
//! ([`expand_valset_entries`], [`expand_valset_powers`]) are the contract's expansion, used to
//! check what a relayer sends.

use alloy_primitives::{B256, U256};

use crate::checkpoint::{pack_member, unpack_member};
use crate::{EthAddress, PegTypesError, Valset, ValsetMember};

/// Bit 95 of an entry marks a reference (§8.3): `ref << 96 | 1 << 95 | power`.
pub const REFERENCE_FLAG_BIT: usize = 95;

/// Bytes per member in `updateValsetPowers`' `newPowers` (big-endian; powers are `<= 2^32`).
pub const POWER_BYTES: usize = 5;

/// How a new valset travels in `updateValset` / `updateValsetPowers` (§8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NewValsetEncoding {
    /// `updateValset` with one member word per member (always valid).
    MemberWords,
    /// `updateValset` with a reference for each validator that is in the current valset.
    References,
    /// `updateValsetPowers`: only when the new valset has the current addresses in the same order.
    Powers,
}

fn address_of_word(word: &B256) -> EthAddress {
    let mut address = [0u8; 20];
    address.copy_from_slice(&word.0[..20]);
    EthAddress::new(address)
}

/// A reference entry: "the address of `current.members[reference]`, with `power`".
pub fn reference_entry(reference: usize, power: u64) -> B256 {
    let word: U256 =
        (U256::from(reference) << 96) | (U256::from(1u8) << REFERENCE_FLAG_BIT) | U256::from(power);
    B256::from(word.to_be_bytes::<32>())
}

/// The `updateValset` entries of `new`, given the current valset's member words: a reference for
/// each validator found among them (6 non-zero calldata bytes instead of 24), a member word for
/// the others.
pub fn new_valset_entries(current_members: &[B256], new: &Valset) -> Vec<B256> {
    new.members
        .iter()
        .map(|member| {
            current_members
                .iter()
                .position(|word| address_of_word(word) == member.eth_address)
                .map_or_else(|| pack_member(member), |r| reference_entry(r, member.power))
        })
        .collect()
}

/// The contract's expansion of `updateValset` entries (§8.3) into the new valset (not validated:
/// call [`Valset::validate`]). Refuses a reference at or above `current_members.len()`.
pub fn expand_valset_entries(
    nonce: u64,
    entries: &[B256],
    current_members: &[B256],
) -> Result<Valset, PegTypesError> {
    let mut members = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let word = U256::from_be_bytes(entry.0);
        if word.bit(REFERENCE_FLAG_BIT) {
            let reference = word >> 96;
            let current = usize::try_from(reference)
                .ok()
                .and_then(|r| current_members.get(r))
                .ok_or(PegTypesError::InvalidMemberReference { index, reference })?;
            let power_mask = (U256::from(1u8) << REFERENCE_FLAG_BIT) - U256::from(1u8);
            let power = word & power_mask;
            let power = u64::try_from(power)
                .map_err(|_| PegTypesError::ValueOutOfRange { what: "entry power", got: power })?;
            members.push(ValsetMember { eth_address: address_of_word(current), power });
        } else {
            members.push(unpack_member(entry)?);
        }
    }
    Ok(Valset { nonce, members })
}

/// `newPowers` of `updateValsetPowers` (§8.3): 5 bytes big-endian per member, when `new` has
/// exactly the current addresses in the same order; otherwise
/// [`PegTypesError::RepowerNotApplicable`] naming the first differing position.
pub fn valset_powers_bytes(
    current_members: &[B256],
    new: &Valset,
) -> Result<Vec<u8>, PegTypesError> {
    if let Some(index) = current_members
        .iter()
        .zip(&new.members)
        .position(|(word, member)| address_of_word(word) != member.eth_address)
    {
        return Err(PegTypesError::RepowerNotApplicable { index });
    }
    if current_members.len() != new.members.len() {
        return Err(PegTypesError::RepowerNotApplicable {
            index: current_members.len().min(new.members.len()),
        });
    }
    let mut out = Vec::with_capacity(new.members.len() * POWER_BYTES);
    for member in &new.members {
        let bytes = member.power.to_be_bytes();
        // Powers above 2^40 - 1 cannot be expressed (valid powers are <= 2^32).
        if bytes[..8 - POWER_BYTES].iter().any(|&b| b != 0) {
            return Err(PegTypesError::ValueOutOfRange {
                what: "power for updateValsetPowers",
                got: U256::from(member.power),
            });
        }
        out.extend_from_slice(&bytes[8 - POWER_BYTES..]);
    }
    Ok(out)
}

/// The contract's expansion of `updateValsetPowers` (§8.3): member `i` is the address of
/// `current_members[i]` with power `new_powers[5i .. 5i+5]` (not validated).
pub fn expand_valset_powers(
    nonce: u64,
    new_powers: &[u8],
    current_members: &[B256],
) -> Result<Valset, PegTypesError> {
    let expected = current_members.len() * POWER_BYTES;
    if new_powers.len() != expected {
        return Err(PegTypesError::LengthMismatch {
            what: "newPowers bytes vs 5 per current member",
            got: new_powers.len(),
            expected,
        });
    }
    let members = current_members
        .iter()
        .zip(new_powers.chunks_exact(POWER_BYTES))
        .map(|(word, chunk)| {
            let mut bytes = [0u8; 8];
            bytes[8 - POWER_BYTES..].copy_from_slice(chunk);
            ValsetMember { eth_address: address_of_word(word), power: u64::from_be_bytes(bytes) }
        })
        .collect();
    Ok(Valset { nonce, members })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(byte: u8) -> EthAddress {
        EthAddress::new([byte; 20])
    }

    fn valset(nonce: u64, members: &[(u8, u64)]) -> Valset {
        Valset {
            nonce,
            members: members
                .iter()
                .map(|&(b, power)| ValsetMember { eth_address: addr(b), power })
                .collect(),
        }
    }

    #[test]
    fn reference_entry_layout() {
        let entry = reference_entry(3, 0x4ccc_cccc);
        let mut expected = [0u8; 32];
        expected[19] = 3; // ref << 96: the low byte of the upper 160 bits
        expected[20] = 0x80; // 1 << 95
        expected[28..].copy_from_slice(&[0x4c, 0xcc, 0xcc, 0xcc]);
        assert_eq!(entry, B256::from(expected));
    }

    #[test]
    fn entries_use_references_for_staying_validators() -> Result<(), PegTypesError> {
        let current = valset(1, &[(1, 2_000_000_000), (2, 1_500_000_000), (3, 794_967_296)]);
        let new = valset(2, &[(3, 2_000_000_000), (4, 1_500_000_000), (1, 794_967_296)]);
        let words = current.member_words();
        let entries = new_valset_entries(&words, &new);
        assert_eq!(entries[0], reference_entry(2, 2_000_000_000));
        assert_eq!(entries[1], pack_member(&new.members[1]));
        assert_eq!(entries[2], reference_entry(0, 794_967_296));
        assert_eq!(expand_valset_entries(2, &entries, &words)?, new);
        // Plain member words expand to themselves.
        assert_eq!(expand_valset_entries(2, &new.member_words(), &words)?, new);
        Ok(())
    }

    #[test]
    fn out_of_range_reference_is_refused() {
        let words = valset(1, &[(1, 1 << 32)]).member_words();
        let entries =
            [pack_member(&ValsetMember { eth_address: addr(9), power: 5 }), reference_entry(1, 5)];
        assert_eq!(
            expand_valset_entries(2, &entries, &words),
            Err(PegTypesError::InvalidMemberReference { index: 1, reference: U256::from(1) })
        );
        // A huge reference (all upper bits set) too.
        let mut huge = [0xffu8; 32];
        huge[20] = 0x80;
        huge[21..].fill(0);
        assert!(matches!(
            expand_valset_entries(2, &[B256::from(huge)], &words),
            Err(PegTypesError::InvalidMemberReference { index: 0, .. })
        ));
    }

    #[test]
    fn powers_bytes_round_trip_and_applicability() -> Result<(), PegTypesError> {
        let current = valset(1, &[(1, 1_073_741_824), (2, 1_073_741_824), (3, 1_073_741_824)]);
        let new = valset(5, &[(1, 1 << 32), (2, 7), (3, 1)]);
        let words = current.member_words();
        let bytes = valset_powers_bytes(&words, &new)?;
        assert_eq!(bytes, vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 1]);
        assert_eq!(expand_valset_powers(5, &bytes, &words)?, new);

        let reordered = valset(5, &[(2, 7), (1, 1 << 32), (3, 1)]);
        assert_eq!(
            valset_powers_bytes(&words, &reordered),
            Err(PegTypesError::RepowerNotApplicable { index: 0 })
        );
        let shorter = valset(5, &[(1, 1 << 32), (2, 7)]);
        assert_eq!(
            valset_powers_bytes(&words, &shorter),
            Err(PegTypesError::RepowerNotApplicable { index: 2 })
        );
        let too_big = valset(5, &[(1, 1 << 40), (2, 7), (3, 1)]);
        assert!(matches!(
            valset_powers_bytes(&words, &too_big),
            Err(PegTypesError::ValueOutOfRange { .. })
        ));
        assert_eq!(
            expand_valset_powers(5, &bytes[..14], &words),
            Err(PegTypesError::LengthMismatch {
                what: "newPowers bytes vs 5 per current member",
                got: 14,
                expected: 15
            })
        );
        Ok(())
    }
}
