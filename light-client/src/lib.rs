//! Ethereum light client for the peg zone.
//!
//! Two halves, both pure (no I/O, no clock, no globals):
//! - the consensus side: the Altair sync protocol (through Gloas) verifying sync-committee-signed
//!   beacon headers up to a finalized execution block hash;
//! - the execution side ([`execution`]): RLP header chains linked by parent hash down from a trusted
//!   block hash, and receipt Merkle-Patricia proofs bound to `rlp(tx_index)`.
//!
//! See `specs/light-client.md`.

pub mod execution;
