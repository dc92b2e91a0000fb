//! Header chains on arbitrary bytes.
//!
//! Input: headers, each a 2-byte little-endian length and that many bytes; the trusted hash is the
//! first header's keccak256 so verification gets past the first link. Checks: no panic; an accepted
//! chain returns one entry per header, the first hashing to the trusted hash, each entry's hash
//! equal to its child's parent hash, numbers decreasing by one and timestamps strictly decreasing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use light_client::execution::{keccak256, verify_header_chain};

fuzz_target!(|data: &[u8]| {
    let mut headers = Vec::new();
    let mut rest = data;
    while let [a, b, tail @ ..] = rest {
        let len = usize::from(u16::from_le_bytes([*a, *b])).min(tail.len());
        let (header, after) = tail.split_at(len);
        headers.push(header);
        rest = after;
    }
    let Some(first) = headers.first() else { return };
    let trusted = keccak256(first);
    if let Ok(chain) = verify_header_chain(trusted, &headers) {
        assert_eq!(chain.len(), headers.len());
        assert_eq!(chain.first().map(|h| h.hash), Some(trusted));
        for pair in chain.windows(2) {
            if let [child, parent] = pair {
                assert_eq!(child.parent_hash, parent.hash);
                assert_eq!(child.number, parent.number + 1);
                assert!(child.timestamp > parent.timestamp);
            }
        }
    }
});
