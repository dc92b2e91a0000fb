//! Checkpoint signatures from other validators: vote extensions (VerifyVoteExtension, every
//! peer's precommit) and the proposer's injected signatures transaction (ProcessProposal). None
//! may panic; what decodes must re-encode to the same bytes, and stay within the bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_app::{
    InjectedSignatures, VoteExtension, MAX_INJECTED_SIGNATURES, MAX_SIGNATURES_PER_EXTENSION,
    MAX_VOTE_EXTENSION_LEN,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    if selector % 2 == 0 {
        if let Ok(ext) = VoteExtension::decode(bytes) {
            assert_eq!(ext.encode(), bytes);
            assert!(bytes.len() <= MAX_VOTE_EXTENSION_LEN);
            assert!(ext.signatures().len() <= MAX_SIGNATURES_PER_EXTENSION);
            assert!(ext.signatures().iter().all(|s| s.signature.v == 27 || s.signature.v == 28));
        }
    } else {
        // Most random bytes fail the magic: give the decoder a valid header half of the time.
        let owned;
        let input = if selector & 2 == 0 {
            bytes
        } else {
            owned = [&peg_app::INJECTED_TX_MAGIC[..], bytes].concat();
            &owned
        };
        if let Ok(tx) = InjectedSignatures::decode(input) {
            assert_eq!(tx.encode(), input);
            assert!(InjectedSignatures::is_injected(input));
            let entries = tx.entries();
            assert!(!entries.is_empty() && entries.len() <= MAX_INJECTED_SIGNATURES);
            assert!(entries
                .windows(2)
                .all(|w| (w[0].kind, w[0].nonce, w[0].operator) < (w[1].kind, w[1].nonce, w[1].operator)));
        }
    }
});
