//! The peg zone relayer: stateless and permissionless, it carries Ethereum's light-client updates
//! and the PegBridge's events into the peg zone (`specs/relayer.md`).
//!
//! Each pass reads everything it needs from the peg zone (`/eth/client`, `/eth/trusted/<n>`,
//! `/eth/trusted/latest`, `/eth/trusted/position/<i>`, `/eth/events/<n>`), the beacon node and
//! the Ethereum node (which also gives the numbers of Gloas trusted blocks, known to the zone by
//! hash only); nothing is kept between passes beyond metrics. Any number of relayers may run: the zone applies each update and event
//! nonce once and refuses the duplicates cheaply. An event too far below every trusted block
//! for one transaction is reached by walking trust down with `MsgTrustEthAncestor` in pieces
//! ([`inbound::plan_ancestor_walk`]), resumed from the zone's ancestors after a restart.
//! When a pending batch has timed out on Ethereum and the zone cannot see it yet, the bridge's
//! event nonce is proven at the newest trusted block ([`state_proof`], `MsgProveEthState`).
//!
//! The pieces are public so tests can build messages by hand and tamper with them:
//! [`inbound::build_event_message`], [`inbound::fetch_update`], [`cometbft::CometRpc`].

pub mod backoff;
pub mod beacon;
pub mod cometbft;
pub mod config;
pub mod error;
pub mod inbound;
pub mod keyfile;
pub mod metrics;
pub mod outbound;
pub mod relayer;
pub mod state_proof;
pub mod submit;
pub mod zone;

pub use config::{Config, ConfigOverrides};
pub use error::RelayerError;
pub use relayer::{PassReport, Relayer};
