//! `PegEvent::decode_raw_log` on arbitrary logs: never panics, and whatever decodes re-encodes to
//! the same log (the decoder is strict: canonical ABI data, exact topic count).
#![no_main]

use libfuzzer_sys::fuzz_target;
use peg_types::{PegEvent, B256};

fuzz_target!(|input: &[u8]| {
    // Layout: one byte topic count (0..=4 kept), then the topics, then the data.
    let Some((&count, rest)) = input.split_first() else {
        return;
    };
    let count = usize::from(count % 5);
    let Some(topic_bytes) = rest.get(..count * 32) else {
        return;
    };
    let data = rest.get(count * 32..).unwrap_or_default();
    let mut topics: Vec<B256> = topic_bytes.chunks_exact(32).map(B256::from_slice).collect();
    // Steer half the inputs to a real event signature so that the body decoders are exercised.
    if let (Some(first), Some(&selector)) = (topics.first_mut(), input.last()) {
        if selector & 1 == 1 {
            let known = PegEvent::topic0s();
            *first = known[usize::from(selector >> 1) % known.len()].1;
        }
    }
    if let Ok(event) = PegEvent::decode_raw_log(&topics, data) {
        let (re_topics, re_data) = event.encode_log();
        assert_eq!(re_topics, topics, "topics round-trip");
        assert_eq!(re_data, data, "data round-trip");
    }
});
