//! Presets: the compile-time constants that differ between `mainnet` and `minimal`.
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/presets/mainnet/altair.yaml> and
//! `presets/minimal/altair.yaml`. Only what the light client needs is here.

use core::fmt::Debug;

use ssz_types::typenum::{Unsigned, U32, U512};

/// A consensus-spec preset (`mainnet`, `minimal`): committee size and period length.
pub trait Preset: 'static + Copy + Clone + Debug + Default + PartialEq + Eq + Send + Sync {
    /// `SYNC_COMMITTEE_SIZE` as a type-level number (for SSZ vector lengths).
    type SyncCommitteeSize: Unsigned + Clone + Debug + PartialEq + Eq + Send + Sync + Default;
    /// Preset name as in `PRESET_BASE` (`mainnet`, `minimal`).
    const NAME: &'static str;
    /// `SLOTS_PER_EPOCH`.
    const SLOTS_PER_EPOCH: u64;
    /// `EPOCHS_PER_SYNC_COMMITTEE_PERIOD`.
    const EPOCHS_PER_SYNC_COMMITTEE_PERIOD: u64;
    /// `MIN_SYNC_COMMITTEE_PARTICIPANTS`.
    const MIN_SYNC_COMMITTEE_PARTICIPANTS: u64 = 1;

    /// `SYNC_COMMITTEE_SIZE`.
    fn sync_committee_size() -> usize {
        Self::SyncCommitteeSize::USIZE
    }

    /// `UPDATE_TIMEOUT = SLOTS_PER_EPOCH * EPOCHS_PER_SYNC_COMMITTEE_PERIOD`.
    fn update_timeout() -> u64 {
        Self::SLOTS_PER_EPOCH * Self::EPOCHS_PER_SYNC_COMMITTEE_PERIOD
    }
}

/// The `mainnet` preset: 512-member sync committee, 32 slots per epoch, 256-epoch periods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mainnet;

impl Preset for Mainnet {
    type SyncCommitteeSize = U512;
    const NAME: &'static str = "mainnet";
    const SLOTS_PER_EPOCH: u64 = 32;
    const EPOCHS_PER_SYNC_COMMITTEE_PERIOD: u64 = 256;
}

/// The `minimal` preset (spec tests, devnets): 32-member committee, 8 slots per epoch, 8-epoch periods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Minimal;

impl Preset for Minimal {
    type SyncCommitteeSize = U32;
    const NAME: &'static str = "minimal";
    const SLOTS_PER_EPOCH: u64 = 8;
    const EPOCHS_PER_SYNC_COMMITTEE_PERIOD: u64 = 8;
}

/// `compute_epoch_at_slot`.
pub fn compute_epoch_at_slot<P: Preset>(slot: u64) -> u64 {
    slot / P::SLOTS_PER_EPOCH
}

/// `compute_sync_committee_period(epoch)`.
pub fn compute_sync_committee_period<P: Preset>(epoch: u64) -> u64 {
    epoch / P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD
}

/// `compute_sync_committee_period_at_slot`.
pub fn compute_sync_committee_period_at_slot<P: Preset>(slot: u64) -> u64 {
    compute_sync_committee_period::<P>(compute_epoch_at_slot::<P>(slot))
}
