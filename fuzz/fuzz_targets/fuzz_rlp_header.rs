//! RLP execution headers on arbitrary bytes.
//!
//! Input: the bytes of one header. Checks: neither the light client's field reader nor the full
//! decoder panics; a header the full decoder accepts re-encodes to exactly the input (no malleable
//! encoding) and the field reader agrees with it; a single-header chain trusted at the input's own
//! hash verifies exactly when the field reader accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use light_client::execution::{
    keccak256, read_header_fields, verify_header_chain, ExecutionHeader, MAX_HEADER_BYTES,
};

fuzz_target!(|data: &[u8]| {
    let fields = read_header_fields(data);
    let chain = verify_header_chain(keccak256(data), &[data]);
    match (&fields, &chain) {
        (Ok(f), Ok(c)) => assert_eq!(c.as_slice(), std::slice::from_ref(f)),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("field reader and chain verifier disagree: {fields:?} vs {chain:?}"),
    }
    if let Ok(header) = ExecutionHeader::decode_rlp(data) {
        let encoded = header.encode_rlp().expect("a decoded header has no fork-field gap");
        assert_eq!(encoded, data, "non-canonical header accepted");
        if data.len() <= MAX_HEADER_BYTES {
            let f = fields.expect("the field reader accepts what the full decoder accepts");
            assert_eq!(f.hash, header.hash().expect("encodes"));
            assert_eq!(f.parent_hash, header.parent_hash);
            assert_eq!(f.receipts_root, header.receipts_root);
            assert_eq!(f.state_root, header.state_root);
            assert_eq!(f.transactions_root, header.transactions_root);
            assert_eq!((f.number, f.timestamp), (header.number, header.timestamp));
        }
    }
});
