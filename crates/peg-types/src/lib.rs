//! Wire types, encodings and digests shared by the peg zone, the relayer and the contracts.
//!
//! Everything here is byte for byte the Solidity side of `specs/contracts.md`:
//!
//! - [`BridgeDomain`]: the EIP-712 domain (§2), [`BridgeDomain::domain_separator`] and
//!   [`BridgeDomain::digest`].
//! - [`Valset`]: normalized powers ([`Valset::from_raw_powers`]), the contract's rules
//!   ([`Valset::validate`]) and [`Valset::valset_hash`] (§3).
//! - [`Batch`] and [`Batch::batch_hash`] (§4).
//! - [`Checkpoint`], [`valset_update_digest`], [`batch_digest`]: what validators sign.
//! - [`sign_digest`], [`recover_signer`], [`verify_checkpoint_signatures`] (§5) and the contract's
//!   calldata form [`ValsetSignatures`] (§8.2).
//! - [`PegEvent::decode_raw_log`]: the events the peg zone learns (§6).
//! - [`update_valset_calldata`], [`submit_batch_calldata`], [`lock_eth_calldata`], …: the exact
//!   calldata of the bridge's calls.
//!
//! No I/O and no clock: times (a batch timeout) are passed in.

mod address;
mod batch;
pub mod calls;
mod checkpoint;
pub mod eip712;
mod error;
pub mod events;
mod new_valset;
mod power;
mod signature;
mod valset;

pub use address::{EthAddress, PegAccount};
pub use batch::{Batch, Transfer};
pub use calls::{
    burn_calldata, lock_calldata, lock_eth_calldata, submit_batch_calldata, update_valset_calldata,
    update_valset_calldata_with,
};
pub use checkpoint::{
    batch_digest, members_hash, pack_member, select_signatures, unpack_member,
    validate_valset_update, valset_update_digest, verify_checkpoint_signatures, Checkpoint,
    ValsetSignatures,
};
pub use eip712::{typed_data_digest, BridgeDomain};
pub use error::PegTypesError;
pub use events::{BatchExecuted, PegEvent, TokenDeployed, TransferToPegZone, ValsetUpdated};
pub use new_valset::{
    expand_valset_entries, expand_valset_powers, new_valset_entries, reference_entry,
    valset_powers_bytes, NewValsetEncoding, POWER_BYTES, REFERENCE_FLAG_BIT,
};
pub use power::{
    is_above_threshold, normalize_power, MAX_VALIDATORS, POWER_THRESHOLD, TOTAL_NORMALIZED_POWER,
};
pub use signature::{
    recover_signer, sign_digest, signer_address, signing_key_from_bytes, verify_signature,
    EthSignature, SECP256K1_HALF_ORDER,
};
pub use valset::{canonical_order, Valset, ValsetMember};

/// Re-exported so that users name the same key and word types as this crate.
pub use alloy_primitives::{B256, U256};
/// Re-exported so that users name the same `SigningKey` type.
pub use k256::ecdsa::SigningKey;

#[cfg(test)]
mod test_rng {
    /// A tiny deterministic generator for property-style tests (SplitMix64).
    #[derive(Debug)]
    pub(crate) struct SplitMix64(pub(crate) u64);

    impl SplitMix64 {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49eb_133d_111b);
            z ^ (z >> 31)
        }
    }
}
