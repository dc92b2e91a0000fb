//! Wire types, encodings and digests shared by the peg zone, the relayer and the contracts.
