//! Checkpoints: the digests validators sign and the threshold check over their signatures
//! (`specs/contracts.md` §2–§5 and the calldata format of §8.2).

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, B256, U256};
use serde::{Deserialize, Serialize};

use crate::power::{is_above_threshold, POWER_THRESHOLD};
use crate::signature::{recover_signer, EthSignature};
use crate::{Batch, BridgeDomain, EthAddress, PegTypesError, Valset, ValsetMember};

/// Mask of the power bits (low 96) of a packed valset member word (§8.2).
const MEMBER_POWER_BITS: usize = 96;

/// Something validators sign: moving Ethereum to a new valset, or executing a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkpoint<'a> {
    /// Move to this (new) valset (§3).
    ValsetUpdate(&'a Valset),
    /// Execute this batch (§4).
    Batch(&'a Batch),
}

impl Checkpoint<'_> {
    /// The EIP-712 struct hash: `valsetHash` or `batchHash`.
    pub fn struct_hash(&self) -> B256 {
        match self {
            Self::ValsetUpdate(valset) => valset.valset_hash(),
            Self::Batch(batch) => batch.batch_hash(),
        }
    }

    /// The digest validators sign under `domain` (§2).
    pub fn digest(&self, domain: &BridgeDomain) -> B256 {
        domain.digest(self.struct_hash())
    }
}

/// The digest the current valset signs to move Ethereum to `new_valset` (§3): the EIP-712 digest
/// of the *new* valset's hash.
pub fn valset_update_digest(domain: &BridgeDomain, new_valset: &Valset) -> B256 {
    Checkpoint::ValsetUpdate(new_valset).digest(domain)
}

/// The digest the current valset signs to execute `batch` (§4).
pub fn batch_digest(domain: &BridgeDomain, batch: &Batch) -> B256 {
    Checkpoint::Batch(batch).digest(domain)
}

/// The contract's rules for a valset update (§3): the new set is valid and its nonce is strictly
/// above the current one (intermediate nonces may be skipped).
pub fn validate_valset_update(current: &Valset, new: &Valset) -> Result<(), PegTypesError> {
    new.validate()?;
    if new.nonce <= current.nonce {
        return Err(PegTypesError::StaleValsetNonce { got: new.nonce, current: current.nonce });
    }
    Ok(())
}

/// The contract's signature check (§1, §5): every signature given must recover to the validator
/// at its position, and the signers' cumulative normalized power must be `>= POWER_THRESHOLD`.
///
/// `signatures` is aligned with `valset.members`: `None` for a validator that did not sign.
/// Returns the signed power. A malformed signature or one from the wrong key fails the whole
/// check, as it reverts the contract's call, even when the others would be enough.
pub fn verify_checkpoint_signatures(
    valset: &Valset,
    digest: &B256,
    signatures: &[Option<EthSignature>],
) -> Result<u128, PegTypesError> {
    if signatures.len() != valset.members.len() {
        return Err(PegTypesError::LengthMismatch {
            what: "signatures vs valset members",
            got: signatures.len(),
            expected: valset.members.len(),
        });
    }
    let mut signed_power: u128 = 0;
    for (index, (member, signature)) in valset.members.iter().zip(signatures).enumerate() {
        let Some(signature) = signature else {
            continue;
        };
        let got = recover_signer(digest, signature).map_err(|source| {
            PegTypesError::InvalidMemberSignature { index, source: Box::new(source) }
        })?;
        if got != member.eth_address {
            return Err(PegTypesError::SignerMismatch { index, got, expected: member.eth_address });
        }
        signed_power += u128::from(member.power);
    }
    if !is_above_threshold(signed_power) {
        return Err(PegTypesError::InsufficientPower {
            got: signed_power,
            expected: POWER_THRESHOLD,
        });
    }
    Ok(signed_power)
}

/// Picks, from the signatures collected so far, the fewest that pass: walks the valset in order
/// (power descending) and keeps each valid signature until the threshold is reached.
///
/// Signatures that do not recover to their validator are ignored (a relayer must not submit
/// them: one bad signature reverts the whole call). Returns the aligned signature list for
/// [`verify_checkpoint_signatures`] / [`ValsetSignatures::new`], or
/// [`PegTypesError::InsufficientPower`] with the power the valid signatures reach.
pub fn select_signatures(
    valset: &Valset,
    digest: &B256,
    collected: &BTreeMap<EthAddress, EthSignature>,
) -> Result<Vec<Option<EthSignature>>, PegTypesError> {
    let mut selected = vec![None; valset.members.len()];
    let mut signed_power: u128 = 0;
    for (slot, member) in selected.iter_mut().zip(&valset.members) {
        if is_above_threshold(signed_power) {
            break;
        }
        let Some(signature) = collected.get(&member.eth_address) else {
            continue;
        };
        if recover_signer(digest, signature).ok() == Some(member.eth_address) {
            *slot = Some(*signature);
            signed_power += u128::from(member.power);
        }
    }
    if !is_above_threshold(signed_power) {
        return Err(PegTypesError::InsufficientPower {
            got: signed_power,
            expected: POWER_THRESHOLD,
        });
    }
    Ok(selected)
}

/// `keccak256` of the concatenated member words: the contract's `valsetMembersHash` (§8.2).
pub fn members_hash(words: &[B256]) -> B256 {
    let mut packed = Vec::with_capacity(words.len() * 32);
    for word in words {
        packed.extend_from_slice(word.as_slice());
    }
    keccak256(&packed)
}

/// Packs a valset member into its calldata word (§8.2):
/// `uint256(uint160(validator)) << 96 | power` (the contract's `PegHashes.packMember`).
pub fn pack_member(member: &ValsetMember) -> B256 {
    let word = (U256::from_be_slice(member.eth_address.as_bytes()) << MEMBER_POWER_BITS)
        | U256::from(member.power);
    B256::from(word.to_be_bytes::<32>())
}

/// Unpacks a calldata member word (§8.2). A power that does not fit in `u64` (the contract
/// accepts at most `2^32`) is refused.
pub fn unpack_member(word: &B256) -> Result<ValsetMember, PegTypesError> {
    let mut address = [0u8; 20];
    address.copy_from_slice(&word.0[..20]);
    let power = U256::from_be_slice(&word.0[20..]);
    let power = u64::try_from(power)
        .map_err(|_| PegTypesError::ValueOutOfRange { what: "packed member power", got: power })?;
    Ok(ValsetMember { eth_address: EthAddress::new(address), power })
}

/// The contract's `ValsetSignatures` calldata (§8.2): the current valset as packed member words,
/// a bitmap of who signed (bit `i` = member `i`), and one 64-byte EIP-2098 signature per set bit
/// in increasing index order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ValsetSignatures {
    /// `members[i] = validator_i << 96 | power_i`.
    pub members: Vec<B256>,
    /// Bit `i` (least significant = 0) set when member `i` signed.
    pub signers: U256,
    /// Concatenated compact signatures, 64 bytes per set bit.
    pub signatures: Vec<u8>,
}

impl ValsetSignatures {
    /// Encodes `valset` and the aligned `signatures` (`None` = did not sign).
    ///
    /// Refuses a valset of more than 256 members (the bitmap's width, also `MAX_VALIDATORS`) and
    /// signatures that have no compact form (bad `v`, high `s`).
    pub fn new(
        valset: &Valset,
        signatures: &[Option<EthSignature>],
    ) -> Result<Self, PegTypesError> {
        if signatures.len() != valset.members.len() {
            return Err(PegTypesError::LengthMismatch {
                what: "signatures vs valset members",
                got: signatures.len(),
                expected: valset.members.len(),
            });
        }
        if valset.members.len() > 256 {
            return Err(PegTypesError::TooManyValidators { got: valset.members.len(), max: 256 });
        }
        let mut signers = U256::ZERO;
        let mut bytes = Vec::new();
        for (index, signature) in signatures.iter().enumerate() {
            if let Some(signature) = signature {
                let compact = signature.to_compact().map_err(|source| {
                    PegTypesError::InvalidMemberSignature { index, source: Box::new(source) }
                })?;
                signers.set_bit(index, true);
                bytes.extend_from_slice(&compact);
            }
        }
        Ok(Self {
            members: valset.members.iter().map(pack_member).collect(),
            signers,
            signatures: bytes,
        })
    }

    /// Decodes the valset (nonce `nonce`, which the calldata does not carry) and the aligned
    /// signatures, with the contract's structural checks: no signer bit at or above the valset
    /// size, exactly 64 bytes per signer.
    pub fn decode(&self, nonce: u64) -> Result<(Valset, Vec<Option<EthSignature>>), PegTypesError> {
        let members = self.members.iter().map(unpack_member).collect::<Result<Vec<_>, _>>()?;
        let size = members.len();
        if size < 256 && (self.signers >> size) != U256::ZERO {
            return Err(PegTypesError::SignerOutOfRange { signers: self.signers, size });
        }
        let signer_count = self.signers.count_ones();
        if self.signatures.len() != signer_count * 64 {
            return Err(PegTypesError::LengthMismatch {
                what: "signature bytes vs 64 per signer",
                got: self.signatures.len(),
                expected: signer_count * 64,
            });
        }
        let mut compact = self.signatures.chunks_exact(64);
        let mut signatures = Vec::with_capacity(size);
        for index in 0..size {
            if self.signers.bit(index) {
                let chunk = compact.next().ok_or(PegTypesError::LengthMismatch {
                    what: "signature bytes vs 64 per signer",
                    got: self.signatures.len(),
                    expected: signer_count * 64,
                })?;
                signatures.push(Some(EthSignature::from_compact(chunk)?));
            } else {
                signatures.push(None);
            }
        }
        Ok((Valset { nonce, members }, signatures))
    }

    /// `keccak256(abi.encodePacked(members))`: the contract's `valsetMembersHash` of the valset
    /// these words describe (§8.2).
    pub fn members_hash(&self) -> B256 {
        members_hash(&self.members)
    }

    /// The contract's whole checkpoint check (§8.2): the member words hash to the stored
    /// `valsetMembersHash`, then [`verify_checkpoint_signatures`] over `digest`. Returns the
    /// signed power.
    pub fn verify(&self, stored_members_hash: &B256, digest: &B256) -> Result<u128, PegTypesError> {
        let got = self.members_hash();
        if &got != stored_members_hash {
            return Err(PegTypesError::ValsetMembersMismatch {
                got,
                expected: *stored_members_hash,
            });
        }
        // The nonce is not part of the members hash nor of the signature check.
        let (valset, signatures) = self.decode(0)?;
        verify_checkpoint_signatures(&valset, digest, &signatures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{sign_digest, signer_address, signing_key_from_bytes};
    use crate::Transfer;
    use alloy_primitives::keccak256;
    use k256::ecdsa::SigningKey;

    fn keys(n: usize) -> Vec<SigningKey> {
        (0..n)
            .map(|i| {
                signing_key_from_bytes(&keccak256(format!("checkpoint test key {i}")))
                    .expect("keccak output is a valid key")
            })
            .collect()
    }

    fn equal_valset(keys: &[SigningKey], nonce: u64) -> Valset {
        Valset::from_raw_powers(nonce, keys.iter().map(|k| (signer_address(k), 100)))
            .expect("valid valset")
    }

    fn key_of<'a>(keys: &'a [SigningKey], address: &EthAddress) -> &'a SigningKey {
        keys.iter().find(|k| &signer_address(k) == address).expect("member has a key")
    }

    fn sign_first(
        keys: &[SigningKey],
        valset: &Valset,
        digest: &B256,
        count: usize,
    ) -> Vec<Option<EthSignature>> {
        valset
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (i < count).then(|| {
                    sign_digest(key_of(keys, &m.eth_address), digest).expect("signing works")
                })
            })
            .collect()
    }

    fn domain() -> BridgeDomain {
        BridgeDomain {
            chain_id: 31337,
            verifying_contract: EthAddress::new([0x42; 20]),
            bridge_id: keccak256("bridge"),
        }
    }

    #[test]
    fn digests_are_domain_digests_of_struct_hashes() {
        let k = keys(1);
        let valset = equal_valset(&k, 2);
        let batch = Batch {
            token: EthAddress::ZERO,
            batch_nonce: 1,
            timeout: 10,
            transfers: vec![Transfer {
                receiver: EthAddress::new([1; 20]),
                amount: U256::from(5),
                fee: U256::from(1),
            }],
        };
        let d = domain();
        assert_eq!(valset_update_digest(&d, &valset), d.digest(valset.valset_hash()));
        assert_eq!(batch_digest(&d, &batch), d.digest(batch.batch_hash()));
        assert_eq!(Checkpoint::Batch(&batch).struct_hash(), batch.batch_hash());
        assert_ne!(valset_update_digest(&d, &valset), batch_digest(&d, &batch));
    }

    #[test]
    fn threshold_with_equal_powers() -> Result<(), PegTypesError> {
        // 4 equal validators: 3 pass (3/4 > 2/3), 2 do not.
        let k = keys(4);
        let valset = equal_valset(&k, 1);
        let digest = keccak256("checkpoint");
        let three = sign_first(&k, &valset, &digest, 3);
        assert_eq!(
            verify_checkpoint_signatures(&valset, &digest, &three)?,
            3 * u128::from(valset.members[0].power)
        );
        let two = sign_first(&k, &valset, &digest, 2);
        assert_eq!(
            verify_checkpoint_signatures(&valset, &digest, &two),
            Err(PegTypesError::InsufficientPower {
                got: 2 * u128::from(valset.members[0].power),
                expected: POWER_THRESHOLD
            })
        );
        Ok(())
    }

    #[test]
    fn three_equal_validators_need_all_three() -> Result<(), PegTypesError> {
        let k = keys(3);
        let valset = equal_valset(&k, 1);
        let digest = keccak256("checkpoint");
        assert!(matches!(
            verify_checkpoint_signatures(&valset, &digest, &sign_first(&k, &valset, &digest, 2)),
            Err(PegTypesError::InsufficientPower { .. })
        ));
        verify_checkpoint_signatures(&valset, &digest, &sign_first(&k, &valset, &digest, 3))?;
        Ok(())
    }

    #[test]
    fn wrong_signer_or_bad_signature_fails_the_whole_check() -> Result<(), PegTypesError> {
        let k = keys(4);
        let valset = equal_valset(&k, 1);
        let digest = keccak256("checkpoint");
        let mut sigs = sign_first(&k, &valset, &digest, 4);
        // Member 3 signs another digest: recovers elsewhere.
        sigs[3] =
            Some(sign_digest(key_of(&k, &valset.members[3].eth_address), &keccak256("other"))?);
        assert!(matches!(
            verify_checkpoint_signatures(&valset, &digest, &sigs),
            Err(PegTypesError::SignerMismatch { index: 3, expected, .. })
                if expected == valset.members[3].eth_address
        ));
        // Swapped signatures: right signers, wrong positions.
        let mut swapped = sign_first(&k, &valset, &digest, 4);
        swapped.swap(0, 1);
        assert!(matches!(
            verify_checkpoint_signatures(&valset, &digest, &swapped),
            Err(PegTypesError::SignerMismatch { index: 0, .. })
        ));
        // Malformed v.
        let mut bad_v = sign_first(&k, &valset, &digest, 4);
        if let Some(Some(sig)) = bad_v.get_mut(2) {
            sig.v = 29;
        }
        assert_eq!(
            verify_checkpoint_signatures(&valset, &digest, &bad_v),
            Err(PegTypesError::InvalidMemberSignature {
                index: 2,
                source: Box::new(PegTypesError::InvalidRecoveryId { got: 29 })
            })
        );
        // Wrong length.
        assert_eq!(
            verify_checkpoint_signatures(&valset, &digest, &bad_v[..3]),
            Err(PegTypesError::LengthMismatch {
                what: "signatures vs valset members",
                got: 3,
                expected: 4
            })
        );
        Ok(())
    }

    #[test]
    fn select_signatures_takes_the_fewest_valid() -> Result<(), PegTypesError> {
        let k = keys(10);
        // Skewed powers: the first members carry most of the power.
        let valset = Valset::from_raw_powers(
            1,
            k.iter().enumerate().map(|(i, key)| (signer_address(key), 1000 - 90 * i as u64)),
        )?;
        let digest = keccak256("select");
        let mut collected: BTreeMap<EthAddress, EthSignature> = k
            .iter()
            .map(|key| Ok((signer_address(key), sign_digest(key, &digest)?)))
            .collect::<Result<_, PegTypesError>>()?;
        // The heaviest member's signature is for another digest: it must be skipped.
        let heaviest = valset.members[0].eth_address;
        collected.insert(heaviest, sign_digest(key_of(&k, &heaviest), &keccak256("other"))?);
        let selected = select_signatures(&valset, &digest, &collected)?;
        assert!(selected[0].is_none());
        let power = verify_checkpoint_signatures(&valset, &digest, &selected)?;
        // Fewest: dropping the last selected signer falls under the threshold.
        let last = selected.iter().rposition(Option::is_some).expect("some signer selected");
        assert!(power - u128::from(valset.members[last].power) < u128::from(POWER_THRESHOLD));
        // Too few collected.
        let few: BTreeMap<_, _> = collected.into_iter().take(2).collect();
        assert!(matches!(
            select_signatures(&valset, &digest, &few),
            Err(PegTypesError::InsufficientPower { .. })
        ));
        Ok(())
    }

    #[test]
    fn pack_unpack_member() -> Result<(), PegTypesError> {
        let member = ValsetMember { eth_address: EthAddress::new([0xab; 20]), power: 1 << 32 };
        let word = pack_member(&member);
        assert_eq!(&word.0[..20], &[0xab; 20]);
        assert_eq!(&word.0[20..], &[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(unpack_member(&word)?, member);
        let mut too_big = word;
        too_big.0[20] = 1;
        assert!(matches!(
            unpack_member(&too_big),
            Err(PegTypesError::ValueOutOfRange { what: "packed member power", .. })
        ));
        Ok(())
    }

    #[test]
    fn calldata_round_trip_and_verify() -> Result<(), PegTypesError> {
        let k = keys(5);
        let valset = equal_valset(&k, 9);
        let digest = keccak256("calldata");
        let sigs = sign_first(&k, &valset, &digest, 4);
        let calldata = ValsetSignatures::new(&valset, &sigs)?;
        assert_eq!(calldata.signers, U256::from(0b1111));
        assert_eq!(calldata.signatures.len(), 4 * 64);
        let (decoded, decoded_sigs) = calldata.decode(9)?;
        assert_eq!(decoded, valset);
        assert_eq!(decoded_sigs, sigs);
        let power = calldata.verify(&valset.members_hash(), &digest)?;
        assert_eq!(power, 4 * u128::from(valset.members[0].power));
        // Another stored valset: the members hash does not match.
        let other = equal_valset(&k[..4], 9);
        assert_eq!(
            calldata.verify(&other.members_hash(), &digest),
            Err(PegTypesError::ValsetMembersMismatch {
                got: valset.members_hash(),
                expected: other.members_hash()
            })
        );
        Ok(())
    }

    #[test]
    fn calldata_structural_errors() -> Result<(), PegTypesError> {
        let k = keys(3);
        let valset = equal_valset(&k, 1);
        let digest = keccak256("calldata");
        let good = ValsetSignatures::new(&valset, &sign_first(&k, &valset, &digest, 3))?;

        let mut out_of_range = good.clone();
        out_of_range.signers.set_bit(3, true);
        assert_eq!(
            out_of_range.decode(1),
            Err(PegTypesError::SignerOutOfRange { signers: U256::from(0b1111), size: 3 })
        );

        let mut short = good.clone();
        short.signatures.pop();
        assert_eq!(
            short.decode(1),
            Err(PegTypesError::LengthMismatch {
                what: "signature bytes vs 64 per signer",
                got: 191,
                expected: 192
            })
        );

        let mut fewer_bits = good.clone();
        fewer_bits.signers = U256::from(0b011);
        assert!(matches!(fewer_bits.decode(1), Err(PegTypesError::LengthMismatch { .. })));

        assert!(matches!(
            ValsetSignatures::new(&valset, &[None]),
            Err(PegTypesError::LengthMismatch { .. })
        ));
        Ok(())
    }

    #[test]
    fn valset_update_rules() -> Result<(), PegTypesError> {
        let k = keys(2);
        let current = equal_valset(&k, 5);
        validate_valset_update(&current, &equal_valset(&k, 6))?;
        validate_valset_update(&current, &equal_valset(&k, 50))?;
        assert_eq!(
            validate_valset_update(&current, &equal_valset(&k, 5)),
            Err(PegTypesError::StaleValsetNonce { got: 5, current: 5 })
        );
        let empty = Valset { nonce: 7, members: vec![] };
        assert_eq!(validate_valset_update(&current, &empty), Err(PegTypesError::EmptyValset));
        Ok(())
    }

    /// Property: for random power distributions, signing in valset order passes exactly when the
    /// cumulative power crosses the threshold.
    #[test]
    fn prop_threshold_matches_cumulative_power() -> Result<(), PegTypesError> {
        let k = keys(12);
        let mut rng = crate::test_rng::SplitMix64(42);
        let digest = keccak256("prop");
        for _ in 0..12 {
            let valset = Valset::from_raw_powers(
                1,
                k.iter().map(|key| (signer_address(key), rng.next() % 1_000_000 + 1)),
            )?;
            let all = sign_first(&k, &valset, &digest, valset.members.len());
            let mut cumulative: u128 = 0;
            for count in 0..=valset.members.len() {
                let mut sigs = all.clone();
                for s in sigs.iter_mut().skip(count) {
                    *s = None;
                }
                let result = verify_checkpoint_signatures(&valset, &digest, &sigs);
                assert_eq!(
                    result.is_ok(),
                    cumulative >= u128::from(POWER_THRESHOLD),
                    "count {count}"
                );
                if let Some(m) = valset.members.get(count) {
                    cumulative += u128::from(m.power);
                }
            }
        }
        Ok(())
    }
}
