//! Ethereum light client for the peg zone.
//!
//! Two halves, both pure (no I/O, no clock, no globals):
//! - the consensus side: the Altair sync protocol (through Gloas) verifying sync-committee-signed
//!   beacon headers up to a finalized execution block hash ([`sync`], [`store`], [`types`]);
//! - the execution side ([`execution`]): RLP header chains linked by parent hash down from a trusted
//!   block hash, and receipt Merkle-Patricia proofs bound to `rlp(tx_index)`.
//!
//! See `specs/light-client.md`.
//!
//! ```text
//! let mut store = initialize_light_client_store::<Mainnet, DefaultBls>(&config, trusted_root, bootstrap)?;
//! process_light_client_update(&mut store, &config, &update, current_slot)?;
//! store.finalized_execution_block_hash();
//! ```

pub mod bls;
pub mod config;
pub mod error;
pub mod execution;
pub mod preset;
pub mod proof;
pub mod store;
pub mod sync;
pub mod types;

#[cfg(feature = "blst")]
pub use bls::Blst;
pub use bls::{Bls12381, BlsBackend, DefaultBls};
pub use config::{ChainConfig, ForkName};
pub use error::{BlsError, ConfigError, ConsensusError, DecodeError};
pub use preset::{Mainnet, Minimal, Preset};
pub use store::{LightClientStore, LightClientStoreSnapshot};
pub use sync::{
    initialize_light_client_store, is_better_update, process_light_client_finality_update,
    process_light_client_optimistic_update, process_light_client_store_force_update,
    process_light_client_update, validate_light_client_update, ProcessOutcome,
};
