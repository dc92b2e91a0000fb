//! Beacon simulator: a test harness (never a production path) that wraps an anvil execution
//! chain into a sync-committee-signed beacon chain (minimal preset) and serves the standard
//! beacon light-client API, so the real relayer and the real peg zone light client can run end
//! to end on one machine.
//!
//! - [`chain`]: the pure core (beacon blocks over execution blocks, bootstraps, updates);
//! - [`driver`]: mines one anvil block per slot and follows anvil reorgs;
//! - [`server`]: the beacon API and the control API (axum).
//!
//! See `specs/beacon-simulator.md`.

pub mod chain;
pub mod committee;
pub mod config;
pub mod driver;
pub mod error;
pub mod merkle;
pub mod server;

pub use chain::{Adversary, LightClientObject, SimBlock, SimChain};
pub use config::{ChainParams, FileConfig};
pub use error::SimError;
