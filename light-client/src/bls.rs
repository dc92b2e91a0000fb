//! BLS signature verification behind a small trait.
//!
//! Ciphersuite `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_` (public keys in G1, signatures in
//! G2), as the consensus specs use: <https://github.com/ethereum/consensus-specs/blob/dev/specs/phase0/beacon-chain.md#bls-signatures>.
//!
//! The sync committee of a period is decoded and aggregated once ([`BlsBackend::prepare_committee`]);
//! each update then costs one hash-to-curve, a few hundred point subtractions (absent signers) or
//! additions, and a two-term pairing check.

use core::fmt::Debug;
use std::sync::Arc;

use alloy_primitives::B256;
use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use bls12_381::{
    multi_miller_loop, G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, Gt,
};

use crate::error::BlsError;
use crate::types::{BlsPublicKey, BlsSignature};

/// Domain separation tag of the proof-of-possession ciphersuite.
pub const DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// A BLS implementation that can verify sync-committee aggregates.
pub trait BlsBackend: Debug + Clone + Send + Sync + 'static {
    /// A committee with keys decoded, validated and aggregated, reused for a whole period.
    type PreparedCommittee: Debug + Clone + Send + Sync;

    /// Decodes and validates (`KeyValidate`: on curve, in subgroup, not infinity) every key and
    /// aggregates them.
    fn prepare_committee(pubkeys: &[BlsPublicKey]) -> Result<Self::PreparedCommittee, BlsError>;

    /// `FastAggregateVerify(participants, message, signature)` with the participants given as
    /// one bit per committee member.
    fn fast_aggregate_verify(
        committee: &Self::PreparedCommittee,
        participation: &[bool],
        message: &B256,
        signature: &BlsSignature,
    ) -> Result<(), BlsError>;
}

/// The pure-Rust `bls12_381` backend (zkcrypto), the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bls12381;

/// A committee prepared by [`Bls12381`].
#[derive(Debug, Clone)]
pub struct Bls12381Committee {
    keys: Arc<Vec<G1Affine>>,
    aggregate: G1Projective,
}

impl Bls12381Committee {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True for an empty committee.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl BlsBackend for Bls12381 {
    type PreparedCommittee = Bls12381Committee;

    fn prepare_committee(pubkeys: &[BlsPublicKey]) -> Result<Bls12381Committee, BlsError> {
        let mut keys = Vec::with_capacity(pubkeys.len());
        let mut aggregate = G1Projective::identity();
        for (index, pubkey) in pubkeys.iter().enumerate() {
            // `from_compressed` checks the encoding, the curve equation and the subgroup.
            let key: Option<G1Affine> = G1Affine::from_compressed(&pubkey.0).into();
            let key = key.ok_or(BlsError::InvalidPublicKey { index })?;
            if bool::from(key.is_identity()) {
                return Err(BlsError::InvalidPublicKey { index });
            }
            aggregate += key;
            keys.push(key);
        }
        Ok(Bls12381Committee { keys: Arc::new(keys), aggregate })
    }

    fn fast_aggregate_verify(
        committee: &Bls12381Committee,
        participation: &[bool],
        message: &B256,
        signature: &BlsSignature,
    ) -> Result<(), BlsError> {
        if participation.len() != committee.keys.len() {
            return Err(BlsError::ParticipationLength {
                got: participation.len(),
                expected: committee.keys.len(),
            });
        }
        let present = participation.iter().filter(|bit| **bit).count();
        // Sum whichever side is smaller: the present keys, or the absent ones subtracted from
        // the cached aggregate.
        let aggregate = if present * 2 >= participation.len() {
            let mut acc = committee.aggregate;
            for (key, _) in committee.keys.iter().zip(participation).filter(|(_, bit)| !**bit) {
                acc -= key;
            }
            acc
        } else {
            let mut acc = G1Projective::identity();
            for (key, _) in committee.keys.iter().zip(participation).filter(|(_, bit)| **bit) {
                acc += key;
            }
            acc
        };
        // Deviation: an aggregate at infinity (no participant, or keys cancelling out) is
        // rejected outright instead of reaching the pairing.
        if present == 0 || bool::from(aggregate.is_identity()) {
            return Err(BlsError::InfiniteAggregate);
        }
        let signature: Option<G2Affine> = G2Affine::from_compressed(&signature.0).into();
        let signature = signature.ok_or(BlsError::InvalidSignatureEncoding)?;
        let hashed = <G2Projective as HashToCurve<ExpandMsgXmd<sha2_09::Sha256>>>::hash_to_curve(
            message.as_slice(),
            DST,
        );
        // e(aggregate, H(m)) == e(g1, signature)  <=>  e(aggregate, H(m)) * e(-g1, signature) == 1
        let aggregate = G1Affine::from(aggregate);
        let hashed = G2Prepared::from(G2Affine::from(hashed));
        let signature = G2Prepared::from(signature);
        let neg_g1 = -G1Affine::generator();
        let result = multi_miller_loop(&[(&aggregate, &hashed), (&neg_g1, &signature)])
            .final_exponentiation();
        if result == Gt::identity() {
            Ok(())
        } else {
            Err(BlsError::SignatureMismatch)
        }
    }
}

/// The backend the store uses unless told otherwise: `blst` with the (default) feature `blst`,
/// else the pure-Rust `bls12_381`.
#[cfg(not(feature = "blst"))]
pub type DefaultBls = Bls12381;
/// The backend the store uses unless told otherwise: `blst` with the (default) feature `blst`,
/// else the pure-Rust `bls12_381`.
#[cfg(feature = "blst")]
pub type DefaultBls = Blst;

/// The supranational `blst` backend (C and assembly), behind the `blst` feature.
#[cfg(feature = "blst")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Blst;

/// A committee prepared by [`Blst`].
#[cfg(feature = "blst")]
#[derive(Debug, Clone)]
pub struct BlstCommittee {
    keys: Arc<Vec<blst::min_pk::PublicKey>>,
    aggregate: blst::min_pk::AggregatePublicKey,
}

#[cfg(feature = "blst")]
impl BlsBackend for Blst {
    type PreparedCommittee = BlstCommittee;

    fn prepare_committee(pubkeys: &[BlsPublicKey]) -> Result<BlstCommittee, BlsError> {
        use blst::min_pk::{AggregatePublicKey, PublicKey};
        let keys = pubkeys
            .iter()
            .enumerate()
            .map(|(index, pk)| {
                // `key_validate`: decoding, curve, subgroup, and not infinity.
                PublicKey::key_validate(pk.as_slice())
                    .map_err(|_| BlsError::InvalidPublicKey { index })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&PublicKey> = keys.iter().collect();
        let aggregate =
            AggregatePublicKey::aggregate(&refs, false).map_err(|_| BlsError::InfiniteAggregate)?;
        Ok(BlstCommittee { keys: Arc::new(keys), aggregate })
    }

    fn fast_aggregate_verify(
        committee: &BlstCommittee,
        participation: &[bool],
        message: &B256,
        signature: &BlsSignature,
    ) -> Result<(), BlsError> {
        use blst::min_pk::{AggregatePublicKey, PublicKey, Signature};
        use blst::BLST_ERROR;
        if participation.len() != committee.keys.len() {
            return Err(BlsError::ParticipationLength {
                got: participation.len(),
                expected: committee.keys.len(),
            });
        }
        let present = participation.iter().filter(|bit| **bit).count();
        if present == 0 {
            return Err(BlsError::InfiniteAggregate);
        }
        let absent: Vec<&PublicKey> = committee
            .keys
            .iter()
            .zip(participation)
            .filter(|(_, bit)| !**bit)
            .map(|(key, _)| key)
            .collect();
        let aggregate = if absent.is_empty() {
            committee.aggregate.to_public_key()
        } else if present * 2 >= participation.len() {
            let mut acc = committee.aggregate;
            let absent = AggregatePublicKey::aggregate(&absent, false)
                .map_err(|_| BlsError::InfiniteAggregate)?;
            acc.sub_aggregate(&absent);
            acc.to_public_key()
        } else {
            let present: Vec<&PublicKey> = committee
                .keys
                .iter()
                .zip(participation)
                .filter(|(_, bit)| **bit)
                .map(|(key, _)| key)
                .collect();
            AggregatePublicKey::aggregate(&present, false)
                .map_err(|_| BlsError::InfiniteAggregate)?
                .to_public_key()
        };
        // Deviation (as the bls12_381 backend): an aggregate at infinity is rejected up front.
        if aggregate.validate().is_err() {
            return Err(BlsError::InfiniteAggregate);
        }
        let signature = Signature::from_bytes(signature.as_slice())
            .map_err(|_| BlsError::InvalidSignatureEncoding)?;
        match signature.verify(true, message.as_slice(), DST, &[], &aggregate, false) {
            BLST_ERROR::BLST_SUCCESS => Ok(()),
            BLST_ERROR::BLST_POINT_NOT_IN_GROUP | BLST_ERROR::BLST_POINT_NOT_ON_CURVE => {
                Err(BlsError::InvalidSignatureEncoding)
            }
            _ => Err(BlsError::SignatureMismatch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bls12_381::Scalar;

    fn keypair(seed: u64) -> (Scalar, BlsPublicKey) {
        let sk = Scalar::from(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let pk = G1Affine::from(G1Affine::generator() * sk);
        (sk, BlsPublicKey::from(pk.to_compressed()))
    }

    fn sign(sks: &[Scalar], message: &B256) -> BlsSignature {
        let h = <G2Projective as HashToCurve<ExpandMsgXmd<sha2_09::Sha256>>>::hash_to_curve(
            message.as_slice(),
            DST,
        );
        let mut sig = G2Projective::identity();
        for sk in sks {
            sig += h * sk;
        }
        BlsSignature::from(G2Affine::from(sig).to_compressed())
    }

    fn aggregate_with_absent_signers<B: BlsBackend>() {
        let pairs: Vec<_> = (1..=8).map(keypair).collect();
        let pubkeys: Vec<_> = pairs.iter().map(|(_, pk)| *pk).collect();
        let committee = B::prepare_committee(&pubkeys).expect("valid keys");
        let message = B256::repeat_byte(7);
        // 6 of 8 sign (subtract path), 2 of 8 sign (add path), all sign.
        for signers in [vec![0usize, 1, 2, 3, 5, 7], vec![2, 6], (0..8).collect()] {
            let participation: Vec<bool> = (0..8).map(|i| signers.contains(&i)).collect();
            let sks: Vec<_> = signers.iter().map(|i| pairs[*i].0).collect();
            let signature = sign(&sks, &message);
            B::fast_aggregate_verify(&committee, &participation, &message, &signature)
                .expect("valid aggregate");
            let mut wrong = participation.clone();
            wrong[4] = !wrong[4];
            assert_eq!(
                B::fast_aggregate_verify(&committee, &wrong, &message, &signature),
                Err(BlsError::SignatureMismatch)
            );
            assert_eq!(
                B::fast_aggregate_verify(&committee, &participation, &B256::ZERO, &signature),
                Err(BlsError::SignatureMismatch)
            );
        }
        assert_eq!(
            B::fast_aggregate_verify(&committee, &[false; 8], &message, &BlsSignature::ZERO),
            Err(BlsError::InfiniteAggregate)
        );
        assert_eq!(
            B::fast_aggregate_verify(&committee, &[true; 7], &message, &BlsSignature::ZERO),
            Err(BlsError::ParticipationLength { got: 7, expected: 8 })
        );
        assert_eq!(
            B::fast_aggregate_verify(
                &committee,
                &[true; 8],
                &message,
                &BlsSignature::repeat_byte(3)
            ),
            Err(BlsError::InvalidSignatureEncoding)
        );
    }

    #[test]
    fn bls12_381_aggregate_with_absent_signers() {
        aggregate_with_absent_signers::<Bls12381>();
    }

    #[cfg(feature = "blst")]
    #[test]
    fn blst_aggregate_with_absent_signers() {
        aggregate_with_absent_signers::<Blst>();
    }

    fn rejects_invalid_keys<B: BlsBackend>() {
        let mut keys = vec![keypair(1).1, keypair(2).1];
        keys[1].0[5] ^= 1;
        assert_eq!(
            B::prepare_committee(&keys).map(|_| ()).err(),
            Some(BlsError::InvalidPublicKey { index: 1 })
        );
        let infinity = BlsPublicKey::from(G1Affine::identity().to_compressed());
        assert_eq!(
            B::prepare_committee(&[infinity]).map(|_| ()).err(),
            Some(BlsError::InvalidPublicKey { index: 0 })
        );
    }

    #[test]
    fn bls12_381_rejects_invalid_keys() {
        rejects_invalid_keys::<Bls12381>();
    }

    #[cfg(feature = "blst")]
    #[test]
    fn blst_rejects_invalid_keys() {
        rejects_invalid_keys::<Blst>();
    }
}
