//! The vote-extension format (`specs/state-machine.md` §6).
//!
//! `version u8 ‖ payload_len u32 big-endian ‖ payload`, at most [`MAX_VOTE_EXTENSION_LEN`] bytes.
//! Version 1's payload is empty: the plumbing is in place, checkpoint signatures fill it later
//! (a new version number, so that old and new extensions never get confused).

/// The version this software produces.
pub const VOTE_EXTENSION_VERSION: u8 = 1;
/// Largest encoded extension accepted (the future checkpoint signature fits easily).
pub const MAX_VOTE_EXTENSION_LEN: usize = 1024;
const HEADER_LEN: usize = 5;

/// Why vote-extension bytes are malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteExtensionError {
    /// Longer than [`MAX_VOTE_EXTENSION_LEN`].
    #[error("vote extension is {got} bytes, at most {expected} allowed")]
    TooLong {
        /// Length found.
        got: usize,
        /// The bound.
        expected: usize,
    },
    /// Shorter than the 5-byte header.
    #[error("vote extension is {got} bytes, the header alone is {expected}")]
    TooShort {
        /// Length found.
        got: usize,
        /// 5.
        expected: usize,
    },
    /// A version this software does not know.
    #[error("vote extension version {got}, expected {expected}")]
    UnknownVersion {
        /// Version found.
        got: u8,
        /// The version known.
        expected: u8,
    },
    /// The declared payload length does not match the bytes.
    #[error("vote extension declares a {got}-byte payload, {expected} bytes follow")]
    LengthMismatch {
        /// Declared.
        got: usize,
        /// Present.
        expected: usize,
    },
    /// Version 1 carries no payload.
    #[error("version 1 vote extensions carry no payload, got {got} bytes")]
    UnexpectedPayload {
        /// Payload length.
        got: usize,
    },
}

/// A decoded vote extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteExtension {
    /// The format version.
    pub version: u8,
    /// The payload (empty in version 1).
    pub payload: Vec<u8>,
}

impl VoteExtension {
    /// The extension this node attaches to its precommits now.
    pub fn current() -> Self {
        Self { version: VOTE_EXTENSION_VERSION, payload: Vec::new() }
    }

    /// The wire bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        out.push(self.version);
        let len = u32::try_from(self.payload.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }

    /// Decodes and checks the bytes; never panics, whatever they are.
    pub fn decode(bytes: &[u8]) -> Result<Self, VoteExtensionError> {
        if bytes.len() > MAX_VOTE_EXTENSION_LEN {
            return Err(VoteExtensionError::TooLong {
                got: bytes.len(),
                expected: MAX_VOTE_EXTENSION_LEN,
            });
        }
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(VoteExtensionError::TooShort { got: bytes.len(), expected: HEADER_LEN });
        };
        let [version, l0, l1, l2, l3] = *header;
        if version != VOTE_EXTENSION_VERSION {
            return Err(VoteExtensionError::UnknownVersion {
                got: version,
                expected: VOTE_EXTENSION_VERSION,
            });
        }
        let declared = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
        if declared != payload.len() {
            return Err(VoteExtensionError::LengthMismatch {
                got: declared,
                expected: payload.len(),
            });
        }
        if !payload.is_empty() {
            return Err(VoteExtensionError::UnexpectedPayload { got: payload.len() });
        }
        Ok(Self { version, payload: payload.to_vec() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_round_trips() {
        let ext = VoteExtension::current();
        assert_eq!(ext.encode(), vec![1, 0, 0, 0, 0]);
        assert_eq!(VoteExtension::decode(&ext.encode()), Ok(ext));
    }

    #[test]
    fn malformed_bytes_are_refused() {
        assert!(matches!(VoteExtension::decode(&[]), Err(VoteExtensionError::TooShort { .. })));
        assert!(matches!(
            VoteExtension::decode(&[2, 0, 0, 0, 0]),
            Err(VoteExtensionError::UnknownVersion { got: 2, .. })
        ));
        assert!(matches!(
            VoteExtension::decode(&[1, 0, 0, 0, 1]),
            Err(VoteExtensionError::LengthMismatch { .. })
        ));
        assert!(matches!(
            VoteExtension::decode(&[1, 0, 0, 0, 1, 7]),
            Err(VoteExtensionError::UnexpectedPayload { got: 1 })
        ));
        assert!(matches!(
            VoteExtension::decode(&vec![1; MAX_VOTE_EXTENSION_LEN + 1]),
            Err(VoteExtensionError::TooLong { .. })
        ));
    }

    #[test]
    fn every_short_input_is_handled() {
        for len in 0..64usize {
            for byte in [0u8, 1, 0xff] {
                let bytes = vec![byte; len];
                let valid = bytes == [1, 0, 0, 0, 0];
                assert_eq!(VoteExtension::decode(&bytes).is_ok(), valid, "{bytes:?}");
            }
        }
    }
}
