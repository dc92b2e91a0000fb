//! Sync committees: 32 BLS keys per period, derived deterministically from the seed, and the
//! aggregate signatures the committee produces.
//!
//! Every member signs the same signing root, so the aggregate of the participants' signatures is
//! the signature of the sum of their secret keys: one signing per aggregate instead of 32.

use alloy_primitives::{FixedBytes, U256};
use blst::min_pk::{AggregatePublicKey, PublicKey, SecretKey};
use light_client::types::{BlsPublicKey, SyncAggregate, SyncCommittee};
use light_client::Minimal;
use sha2::{Digest, Sha256};
use ssz_types::{BitVector, FixedVector};
use tree_hash::TreeHash;

use crate::config::SYNC_COMMITTEE_SIZE;
use crate::error::SimError;

/// Domain separation tag of the proof-of-possession ciphersuite the consensus layer uses.
pub const DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// Order `r` of the BLS12-381 scalar field.
const CURVE_ORDER: U256 = U256::from_be_bytes([
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
]);

/// The sync committee of one period, with its secret keys.
pub struct Committee {
    /// Period.
    pub period: u64,
    /// Secret scalars, in committee order.
    scalars: Vec<U256>,
    /// The SSZ container committed in the beacon state.
    pub sync_committee: SyncCommittee<Minimal>,
    /// `hash_tree_root(sync_committee)`.
    pub root: alloy_primitives::B256,
}

impl std::fmt::Debug for Committee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secret keys.
        f.debug_struct("Committee").field("period", &self.period).field("root", &self.root).finish()
    }
}

impl Committee {
    /// Derives the committee of `period` from `seed`: member `i`'s key is
    /// `KeyGen(sha256("beacon-sim sync committee" ++ seed ++ period ++ i))` (all little-endian u64).
    pub fn derive(seed: u64, period: u64) -> Result<Self, SimError> {
        let mut scalars = Vec::with_capacity(SYNC_COMMITTEE_SIZE);
        let mut keys = Vec::with_capacity(SYNC_COMMITTEE_SIZE);
        for index in 0..SYNC_COMMITTEE_SIZE as u64 {
            let mut hasher = Sha256::new();
            hasher.update(b"beacon-sim sync committee");
            hasher.update(seed.to_le_bytes());
            hasher.update(period.to_le_bytes());
            hasher.update(index.to_le_bytes());
            let ikm = hasher.finalize();
            let secret = SecretKey::key_gen(&ikm, &[])
                .map_err(|e| SimError::Bls(format!("key_gen for member {index}: {e:?}")))?;
            scalars.push(U256::from_be_bytes(secret.to_bytes()));
            keys.push(secret.sk_to_pk());
        }
        let refs: Vec<&PublicKey> = keys.iter().collect();
        let aggregate = AggregatePublicKey::aggregate(&refs, false)
            .map_err(|e| SimError::Bls(format!("aggregating committee keys: {e:?}")))?
            .to_public_key();
        let pubkeys: Vec<BlsPublicKey> =
            keys.iter().map(|key| FixedBytes::from(key.compress())).collect();
        let sync_committee = SyncCommittee::<Minimal> {
            pubkeys: FixedVector::new(pubkeys)
                .map_err(|e| SimError::Internal(format!("committee size: {e:?}")))?,
            aggregate_pubkey: FixedBytes::from(aggregate.compress()),
        };
        let root = sync_committee.tree_hash_root();
        Ok(Self { period, scalars, sync_committee, root })
    }

    /// The `SyncAggregate` of the first `participants` members signing `signing_root`.
    pub fn sign(
        &self,
        signing_root: &alloy_primitives::B256,
        participants: usize,
    ) -> Result<SyncAggregate<Minimal>, SimError> {
        let participants = participants.clamp(1, SYNC_COMMITTEE_SIZE);
        let mut bits = BitVector::new();
        let mut sum = U256::ZERO;
        for (index, scalar) in self.scalars.iter().take(participants).enumerate() {
            bits.set(index, true).map_err(|e| SimError::Internal(format!("bit {index}: {e:?}")))?;
            sum = sum.add_mod(*scalar, CURVE_ORDER);
        }
        let secret = SecretKey::from_bytes(&sum.to_be_bytes::<32>())
            .map_err(|e| SimError::Bls(format!("aggregate secret key: {e:?}")))?;
        let signature = secret.sign(signing_root.as_slice(), DST, &[]);
        Ok(SyncAggregate {
            sync_committee_bits: bits,
            sync_committee_signature: FixedBytes::from(signature.compress()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::B256;
    use light_client::{BlsBackend, DefaultBls};

    #[test]
    fn aggregate_of_summed_keys_verifies() {
        let committee = Committee::derive(1, 0).expect("keys");
        let prepared =
            DefaultBls::prepare_committee(committee.sync_committee.pubkeys.as_ref()).expect("keys");
        let message = B256::repeat_byte(5);
        for participants in [32, 22, 1] {
            let aggregate = committee.sign(&message, participants).expect("sign");
            assert_eq!(aggregate.num_participants(), participants as u64);
            DefaultBls::fast_aggregate_verify(
                &prepared,
                &aggregate.participation(),
                &message,
                &aggregate.sync_committee_signature,
            )
            .expect("valid aggregate");
        }
        let aggregate = committee.sign(&message, 32).expect("sign");
        assert!(DefaultBls::fast_aggregate_verify(
            &prepared,
            &aggregate.participation(),
            &B256::repeat_byte(6),
            &aggregate.sync_committee_signature,
        )
        .is_err());
    }

    #[test]
    fn keys_are_deterministic_and_rotate() {
        let a = Committee::derive(1, 0).expect("keys");
        let b = Committee::derive(1, 0).expect("keys");
        let c = Committee::derive(1, 1).expect("keys");
        let d = Committee::derive(2, 0).expect("keys");
        assert_eq!(a.root, b.root);
        assert_ne!(a.root, c.root);
        assert_ne!(a.root, d.root);
    }
}
