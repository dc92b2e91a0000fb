//! Deterministic synthetic workloads: account-shaped keys and values, and reproducible blocks of
//! changes. Shared by the tests, the benches and the crash-test writer
//! (`peg-store-crash-writer`), so that a parent process can replay exactly what a killed child
//! committed. Not used by the state machine.

use sha2::{Digest, Sha256};

use crate::Version;

/// `SplitMix64`: a tiny, well-mixed, seedable generator (no dependency, fully reproducible).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`; 0 gives 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }
}

/// The key of account `index`: `"acc/" ‖ sha256(index BE)[..20]`, shaped like a bank account
/// key with a 20-byte address.
pub fn account_key(index: u64) -> Vec<u8> {
    let digest = Sha256::digest(index.to_be_bytes());
    let mut key = Vec::with_capacity(24);
    key.extend_from_slice(b"acc/");
    key.extend_from_slice(&digest[..20]);
    key
}

/// A 72-byte account record (sequence, balance, public key) determined by `(index, nonce)`.
pub fn account_value(index: u64, nonce: u64) -> Vec<u8> {
    let mut value = Vec::with_capacity(72);
    value.extend_from_slice(&nonce.to_be_bytes());
    value.extend_from_slice(&(index.wrapping_mul(1_000_003) ^ nonce).to_be_bytes());
    value.extend_from_slice(&[0u8; 16]);
    let mut hasher = Sha256::new();
    hasher.update(index.to_be_bytes());
    hasher.update(nonce.to_be_bytes());
    value.extend_from_slice(&hasher.finalize());
    value.extend_from_slice(&index.to_be_bytes());
    value
}

/// The changes of block `version` in a reproducible workload over `accounts` accounts: `updates`
/// account writes (the value depends on the version) and `deletes` deletions, chosen by a
/// generator seeded with `(seed, version)`.
pub fn block_changes(
    seed: u64,
    version: Version,
    accounts: u64,
    updates: usize,
    deletes: usize,
) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let mut rng = SplitMix64::new(seed ^ version.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let mut changes = Vec::with_capacity(updates + deletes);
    for _ in 0..updates {
        let index = rng.below(accounts);
        changes.push((account_key(index), Some(account_value(index, version))));
    }
    for _ in 0..deletes {
        changes.push((account_key(rng.below(accounts)), None));
    }
    changes
}

/// Accounts touched by [`crash_test_block`].
pub const CRASH_TEST_ACCOUNTS: u64 = 5_000;

/// The block `version` of the crash-test workload (`peg-store-crash-writer` and
/// `tests/crash.rs`): 200 writes and 20 deletes, and every 5th block a large one (3,000 writes,
/// 100 deletes), so that kills land in commits of different sizes.
pub fn crash_test_block(seed: u64, version: Version) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let (updates, deletes) = if version % 5 == 0 { (3_000, 100) } else { (200, 20) };
    block_changes(seed, version, CRASH_TEST_ACCOUNTS, updates, deletes)
}
