//! Execution-layer proofs: header chains and receipt proofs.
