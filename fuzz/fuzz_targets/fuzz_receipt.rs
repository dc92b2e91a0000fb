//! Receipts on arbitrary bytes: the consensus encoding (a receipts-trie value) and JSON-RPC objects.
//!
//! Input: byte 0 selects the decoder (even: consensus encoding, odd: JSON-RPC receipt object, receipt list or block object), the
//! rest is its input. Checks: no panic; an accepted consensus encoding re-encodes to exactly the
//! input with the announced length; an accepted JSON receipt survives an encode/decode round trip
//! (or is a typed receipt with a state root, which no decoder accepts).
#![no_main]

use libfuzzer_sys::fuzz_target;
use light_client::execution::{ExecutionHeader, Receipt, ReceiptOutcome, TxType};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, input)) = data.split_first() else { return };
    if mode % 2 == 0 {
        if let Ok(receipt) = Receipt::decode_2718(input) {
            let encoded = receipt.encoded_2718();
            assert_eq!(encoded, input, "non-canonical receipt accepted");
            assert_eq!(receipt.encoded_length(), input.len());
            let _ = receipt.compute_logs_bloom();
            if let ReceiptOutcome::PostState(_) = receipt.outcome {
                assert_eq!(receipt.tx_type, TxType::Legacy);
            }
        }
    } else {
        let Ok(text) = std::str::from_utf8(input) else { return };
        let _ = Receipt::list_from_json_rpc_text(text);
        let _ = ExecutionHeader::from_json_rpc_text(text).map(|b| b.header.encode_rlp());
        if let Ok(rpc) = Receipt::from_json_rpc_text(text) {
            let encoded = rpc.receipt.encoded_2718();
            match Receipt::decode_2718(&encoded) {
                Ok(decoded) => assert_eq!(decoded, rpc.receipt),
                Err(e) => panic!("a JSON receipt does not round-trip: {e}"),
            }
        }
    }
});
