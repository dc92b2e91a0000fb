//! The execution side on synthetic data the mainnet vectors lack: type-4 (EIP-7702) and
//! pre-Byzantium receipts, tries with inline nodes, hand-built malformed proof nodes and headers.

use alloy_primitives::{address, b256, keccak256, Bloom, Bytes, B256, U256};
use light_client::execution::{
    compute_receipts_root, generate_receipt_proof, ordered_trie_key, ordered_trie_root,
    verify_header_chain, verify_proof, verify_receipt_proof, ExecutionError, ExecutionHeader, Log,
    OrderedTrie, Receipt, ReceiptOutcome, TxType, MAX_HEADER_BYTES, MAX_HEADER_CHAIN_LENGTH,
    MAX_PROOF_NODES,
};
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn sample_log(i: u8) -> Log {
    Log {
        address: address!("0x00000000219ab540356cbb839cbe05303d7705fa"),
        topics: vec![B256::repeat_byte(i), B256::repeat_byte(i.wrapping_add(1))],
        data: Bytes::from(vec![i; usize::from(i) * 3]),
    }
}

fn receipt(tx_type: TxType, outcome: ReceiptOutcome, gas: u64, logs: Vec<Log>) -> Receipt {
    let mut r =
        Receipt { tx_type, outcome, cumulative_gas_used: gas, logs_bloom: Bloom::ZERO, logs };
    r.logs_bloom = r.compute_logs_bloom();
    r
}

/// A block mixing every receipt type and both outcomes.
fn mixed_receipts() -> Vec<Receipt> {
    let types =
        [TxType::Legacy, TxType::Eip2930, TxType::Eip1559, TxType::Eip4844, TxType::Eip7702];
    (0u8..40)
        .map(|i| {
            let tx_type = types.get(usize::from(i) % 5).copied().unwrap_or(TxType::Legacy);
            let logs = (0..i % 4).map(|j| sample_log(i + j)).collect();
            receipt(tx_type, ReceiptOutcome::Status(i % 7 != 3), 21_000 * u64::from(i + 1), logs)
        })
        .collect()
}

#[test]
fn type_4_receipts_encode_decode_and_prove() -> TestResult {
    let r = receipt(TxType::Eip7702, ReceiptOutcome::Status(true), 46_000, vec![sample_log(9)]);
    let encoded = r.encoded_2718();
    assert_eq!(encoded.first(), Some(&0x04));
    assert_eq!(Receipt::decode_2718(&encoded)?, r);

    let receipts = mixed_receipts();
    let root = compute_receipts_root(&receipts);
    let trie = OrderedTrie::new(receipts.iter().map(Receipt::encoded_2718).collect());
    assert_eq!(trie.root(), root);
    for (i, expected) in (0u64..).zip(&receipts) {
        let proof = generate_receipt_proof(&receipts, i)?;
        assert_eq!(&verify_receipt_proof(root, i, &proof)?, expected);
    }
    assert!(receipts.iter().any(|r| r.tx_type == TxType::Eip7702));
    Ok(())
}

#[test]
fn type_4_receipt_from_json_rpc() -> TestResult {
    let json = json!({
        "type": "0x4",
        "status": "0x1",
        "cumulativeGasUsed": "0xb3b0",
        "logsBloom": format!("0x{}", "00".repeat(256)),
        "logs": [],
        "transactionIndex": "0x0",
        "blockHash": "0x1111111111111111111111111111111111111111111111111111111111111111",
        "blockNumber": "0x15",
        "transactionHash": "0x2222222222222222222222222222222222222222222222222222222222222222",
        "authorizationList": []
    });
    let rpc = Receipt::from_json_rpc(&json)?;
    assert_eq!(rpc.receipt.tx_type, TxType::Eip7702);
    assert_eq!(rpc.receipt.outcome, ReceiptOutcome::Status(true));
    assert_eq!(rpc.receipt.cumulative_gas_used, 0xb3b0);
    assert_eq!(rpc.block_number, Some(0x15));
    assert_eq!(rpc.receipt.encoded_2718().first(), Some(&4));

    // A future type byte is rejected.
    let mut future = json.clone();
    future["type"] = json!("0x5");
    assert_eq!(Receipt::from_json_rpc(&future), Err(ExecutionError::UnsupportedReceiptType(5)));
    // A status other than 0 or 1.
    let mut bad = json.clone();
    bad["status"] = json!("0x2");
    assert!(matches!(Receipt::from_json_rpc(&bad), Err(ExecutionError::Json { .. })));
    // Neither status nor root.
    let mut none = json;
    if let Some(object) = none.as_object_mut() {
        object.remove("status");
    }
    assert!(matches!(Receipt::from_json_rpc(&none), Err(ExecutionError::Json { .. })));
    Ok(())
}

#[test]
fn pre_byzantium_receipts_carry_a_state_root() -> TestResult {
    let state_root = b256!("0x96c4a0d3b0a9e0f2b6c2d7e8f5a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4");
    let r = receipt(TxType::Legacy, ReceiptOutcome::PostState(state_root), 21_000, vec![]);
    let encoded = r.encoded_2718();
    // rlp([root (33 bytes), gas, bloom (259 bytes), []])
    assert_eq!(encoded.get(3), Some(&0xa0));
    assert_eq!(Receipt::decode_2718(&encoded)?, r);
    assert_eq!(r.is_success(), None);

    let receipts: Vec<Receipt> = (0u8..20)
        .map(|i| {
            receipt(
                TxType::Legacy,
                ReceiptOutcome::PostState(B256::repeat_byte(i)),
                21_000 * u64::from(i + 1),
                (0..i % 3).map(|j| sample_log(i + j)).collect(),
            )
        })
        .collect();
    let root = compute_receipts_root(&receipts);
    for (i, expected) in (0u64..).zip(&receipts) {
        let proof = generate_receipt_proof(&receipts, i)?;
        assert_eq!(&verify_receipt_proof(root, i, &proof)?, expected);
    }

    // From JSON-RPC (pre-Byzantium nodes report `root` and no `type`).
    let json = json!({
        "root": format!("{state_root}"),
        "cumulativeGasUsed": "0x5208",
        "logsBloom": format!("0x{}", "00".repeat(256)),
        "logs": [],
        "transactionIndex": "0x0"
    });
    let rpc = Receipt::from_json_rpc(&json)?;
    assert_eq!(rpc.receipt, r);
    // Both a root and a status is ambiguous.
    let mut both = json.clone();
    both["status"] = json!("0x1");
    assert!(matches!(Receipt::from_json_rpc(&both), Err(ExecutionError::Json { .. })));
    // A typed receipt cannot carry a root.
    let mut typed = json;
    typed["type"] = json!("0x2");
    assert_eq!(
        Receipt::from_json_rpc(&typed),
        Err(ExecutionError::PostStateInTypedReceipt { tx_type: 2 })
    );
    Ok(())
}

#[test]
fn malformed_receipt_encodings_are_rejected() -> TestResult {
    let r = receipt(TxType::Eip1559, ReceiptOutcome::Status(false), 1, vec![sample_log(1)]);
    let good = r.encoded_2718();
    assert_eq!(Receipt::decode_2718(&good)?, r);
    let body = good.get(1..).ok_or("short")?.to_vec();

    // Type 0 as an envelope byte, unknown types, an RLP string instead of a list, empty input.
    let with_type = |t: u8| [vec![t], body.clone()].concat();
    assert_eq!(Receipt::decode_2718(&with_type(0)), Err(ExecutionError::UnsupportedReceiptType(0)));
    assert_eq!(Receipt::decode_2718(&with_type(5)), Err(ExecutionError::UnsupportedReceiptType(5)));
    assert_eq!(
        Receipt::decode_2718(&with_type(0x7e)),
        Err(ExecutionError::UnsupportedReceiptType(0x7e))
    );
    assert!(matches!(
        Receipt::decode_2718(&[0x83, 1, 2, 3]),
        Err(ExecutionError::ExpectedList { .. })
    ));
    assert!(matches!(Receipt::decode_2718(&[]), Err(ExecutionError::Rlp { .. })));
    // Trailing bytes after the list.
    let mut trailing = good.clone();
    trailing.push(0x80);
    assert!(matches!(
        Receipt::decode_2718(&trailing),
        Err(ExecutionError::TrailingBytes { got: 1, .. })
    ));
    // Truncated.
    assert!(matches!(
        Receipt::decode_2718(good.get(..good.len() - 1).ok_or("short")?),
        Err(ExecutionError::Rlp { .. })
    ));
    // A status byte 0x00 (geth rejects it: failure is the empty string).
    let mut zero_status = body.clone();
    let status_at = 3; // list header f9 xx xx, then the status
    assert_eq!(zero_status.get(status_at), Some(&0x80));
    if let Some(b) = zero_status.get_mut(status_at) {
        *b = 0x00;
    }
    assert_eq!(
        Receipt::decode_2718(&[vec![2], zero_status].concat()),
        Err(ExecutionError::InvalidReceiptOutcome { len: 1 })
    );
    // A typed receipt with a 32-byte post state.
    let typed_root = Receipt { outcome: ReceiptOutcome::PostState(B256::ZERO), ..r.clone() };
    assert_eq!(
        Receipt::decode_2718(&typed_root.encoded_2718()),
        Err(ExecutionError::PostStateInTypedReceipt { tx_type: 2 })
    );
    // Three fields only.
    let three = alloy_rlp::encode(vec![Bytes::new(), Bytes::new(), Bytes::new()]);
    assert_eq!(
        Receipt::decode_2718(&three),
        Err(ExecutionError::ReceiptFieldCount { got: 3, expected: 4 })
    );
    Ok(())
}

#[test]
fn log_extraction() -> TestResult {
    let bridge = address!("0x1111111111111111111111111111111111111111");
    let locked = keccak256("Locked(address,address,uint256,uint256)");
    let other =
        Log { address: address!("0x2222222222222222222222222222222222222222"), ..sample_log(1) };
    let event =
        |data: u8| Log { address: bridge, topics: vec![locked], data: Bytes::from(vec![data]) };
    let unrelated = Log { address: bridge, topics: vec![B256::repeat_byte(7)], data: Bytes::new() };
    let anonymous = Log { address: bridge, topics: vec![], data: Bytes::new() };
    let r = receipt(
        TxType::Eip1559,
        ReceiptOutcome::Status(true),
        1,
        vec![other, event(1), unrelated, anonymous, event(2)],
    );
    let found: Vec<(usize, u8)> = r
        .events(bridge, locked)
        .map(|(i, log)| (i, log.data.first().copied().unwrap_or_default()))
        .collect();
    assert_eq!(found, vec![(1, 1), (4, 2)]);
    assert_eq!(r.logs_from(bridge).count(), 4);
    assert_eq!(r.log(3)?.topic0(), None);
    assert_eq!(r.log(5), Err(ExecutionError::LogIndexOutOfRange { index: 5, count: 5 }));
    assert_eq!(r.is_success(), Some(true));
    Ok(())
}

#[test]
fn tries_of_every_size_agree_with_alloy_trie_and_prove_every_item() -> TestResult {
    // Sizes crossing the key-length boundaries (1-byte keys up to 127, 0x80 for 0, 2-byte keys from
    // 128, 3-byte keys from 256), with small values so that nodes get inlined.
    for size in [0usize, 1, 2, 3, 15, 16, 17, 127, 128, 129, 255, 256, 257, 300] {
        for value_len in [1usize, 4, 40] {
            let values: Vec<Vec<u8>> = (0..size)
                .map(|i| (0..value_len).map(|j| (i * 31 + j + 1) as u8).collect())
                .collect();
            let expected = ordered_trie_root(&values);
            let trie = OrderedTrie::new(values.clone());
            assert_eq!(trie.root(), expected, "size {size} value_len {value_len}");
            for (i, value) in (0u64..).zip(&values) {
                let proof = trie.proof(i)?;
                let got = verify_proof(expected, &ordered_trie_key(i), &proof)?;
                assert_eq!(got, value.as_slice(), "size {size} value_len {value_len} item {i}");
            }
        }
    }
    Ok(())
}

/// A two-item trie whose leaves are inlined into the root branch.
#[test]
fn inline_nodes_are_read_inside_their_parent() -> TestResult {
    let values = vec![vec![0xaa], vec![0xbb]];
    let trie = OrderedTrie::new(values.clone());
    let root = trie.root();
    assert_eq!(root, ordered_trie_root(&values));
    let proof = trie.proof(1)?;
    // Only the root: both leaves are shorter than 32 bytes and live inside it.
    assert_eq!(proof.len(), 1);
    assert_eq!(verify_proof(root, &ordered_trie_key(1), &proof)?, &[0xbb]);
    assert_eq!(verify_proof(root, &ordered_trie_key(0), &proof)?, &[0xaa]);
    // An inline node given again as a separate element is an extra node.
    let leaf = alloy_rlp::encode(vec![Bytes::from_static(&[0x20]), Bytes::from_static(&[0xbb])]);
    let with_inline = vec![proof.first().cloned().ok_or("root")?, leaf];
    assert_eq!(
        verify_proof(root, &ordered_trie_key(1), &with_inline),
        Err(ExecutionError::UnusedProofNodes { used: 1, total: 2 })
    );
    // Absent key through an inline branch.
    assert!(matches!(
        verify_proof(root, &ordered_trie_key(2), &proof),
        Err(ExecutionError::KeyNotInTrie { .. })
    ));
    Ok(())
}

/// Builds a node's RLP from raw item encodings.
fn node(items: &[Vec<u8>]) -> Vec<u8> {
    let payload: Vec<u8> = items.concat();
    let mut out = Vec::new();
    alloy_rlp::Header { list: true, payload_length: payload.len() }.encode(&mut out);
    out.extend(payload);
    out
}

fn string(bytes: &[u8]) -> Vec<u8> {
    alloy_rlp::encode(bytes)
}

#[test]
fn malformed_proof_nodes_are_rejected() {
    let key = ordered_trie_key(1); // 0x01: nibbles [0, 1]
    let value = vec![0x42u8; 40];
    let check = |n: Vec<u8>, expected: ExecutionError| {
        let root = keccak256(&n);
        assert_eq!(verify_proof(root, &key, &[n]), Err(expected));
    };
    let malformed = |reason| ExecutionError::MalformedProofNode { index: 0, reason };

    // A correct leaf, for reference.
    let leaf = node(&[string(&[0x20, 0x01]), string(&value)]);
    assert_eq!(verify_proof(keccak256(&leaf), &key, std::slice::from_ref(&leaf)), Ok(&value[..]));
    // Trailing garbage after the node (under a root forged to match).
    let mut trailing = leaf.clone();
    trailing.push(0x80);
    check(trailing, ExecutionError::TrailingBytes { context: "proof node", got: 1 });
    // Wrong item counts.
    check(
        node(&[string(&[0x20, 0x01])]),
        malformed("node is neither a 17-item branch nor a 2-item leaf/extension"),
    );
    check(
        node(&vec![string(&[]); 16]),
        malformed("node is neither a 17-item branch nor a 2-item leaf/extension"),
    );
    // A string where a node is required.
    check(string(&[1, 2, 3]), ExecutionError::ExpectedList { context: "proof node" });
    // Hex-prefix flag above 3, and an even path with a padding nibble.
    check(
        node(&[string(&[0x40, 0x01]), string(&value)]),
        malformed("hex-prefix path flag above 3"),
    );
    check(
        node(&[string(&[0x25, 0x01]), string(&value)]),
        malformed("even hex-prefix path with a non-zero padding nibble"),
    );
    check(node(&[string(&[]), string(&value)]), malformed("empty hex-prefix path"));
    // A leaf whose path is not the key: absence.
    check(
        node(&[string(&[0x20, 0x02]), string(&value)]),
        ExecutionError::KeyNotInTrie { key: "0x01".into() },
    );
    // A leaf with an empty value: absence.
    check(
        node(&[string(&[0x20, 0x01]), string(&[])]),
        ExecutionError::KeyNotInTrie { key: "0x01".into() },
    );
    // An extension with an empty path, and one without a child.
    check(node(&[string(&[0x00]), string(&[0u8; 32])]), malformed("extension with an empty path"));
    check(node(&[string(&[0x10]), string(&[])]), malformed("extension without a child"));
    // A branch slot holding a 5-byte string.
    let mut slots = vec![string(&[]); 17];
    if let Some(slot) = slots.get_mut(0) {
        *slot = string(&[1, 2, 3, 4, 5]);
    }
    check(
        node(&slots),
        malformed("child reference is neither empty, a 32-byte hash nor an inline node"),
    );
    // A branch slot holding an inline node of 32 bytes or more.
    let mut slots = vec![string(&[]); 17];
    if let Some(slot) = slots.get_mut(0) {
        *slot = node(&[string(&[0x31]), string(&[7u8; 30])]);
    }
    check(node(&slots), malformed("inline child node of 32 bytes or more (must be hashed)"));
    // A branch with an empty slot on the path: absence; ending on a branch with no value: absence.
    check(node(&vec![string(&[]); 17]), ExecutionError::KeyNotInTrie { key: "0x01".into() });
    // Too many nodes.
    let many = vec![leaf; MAX_PROOF_NODES + 1];
    assert_eq!(
        verify_proof(B256::ZERO, &key, &many),
        Err(ExecutionError::ProofTooLong { got: MAX_PROOF_NODES + 1, max: MAX_PROOF_NODES })
    );
}

#[test]
fn a_branch_value_is_returned_when_the_key_ends_there() {
    // Key 0x01 ends at a branch reached through an extension [0, 1].
    let value = vec![0x55u8; 40];
    let mut slots = vec![string(&[]); 17];
    if let Some(slot) = slots.get_mut(16) {
        *slot = string(&value);
    }
    if let Some(slot) = slots.get_mut(3) {
        *slot = string(&[0x77; 32]);
    }
    let branch = node(&slots);
    let extension = node(&[string(&[0x00, 0x01]), string(keccak256(&branch).as_slice())]);
    let root = keccak256(&extension);
    let proof = vec![extension, branch];
    assert_eq!(verify_proof(root, &[0x01], &proof), Ok(&value[..]));
    // Key 0x0102 goes on through slot 0 (empty): absent.
    assert!(matches!(
        verify_proof(root, &[0x01, 0x02], &proof),
        Err(ExecutionError::KeyNotInTrie { .. })
    ));
    // Key 0x02 leaves the extension: absent.
    assert!(matches!(
        verify_proof(root, &[0x02], &proof),
        Err(ExecutionError::KeyNotInTrie { .. })
    ));
    // Key 0x0130 goes through slot 3, whose node is missing: incomplete.
    assert_eq!(
        verify_proof(root, &[0x01, 0x30], &proof),
        Err(ExecutionError::IncompleteProof { nodes: 2 })
    );
}

/// A chain of `n` synthetic headers, newest first, linked by parent hash.
fn synthetic_chain(
    n: usize,
    tweak: impl Fn(usize, &mut ExecutionHeader),
) -> Result<Vec<Vec<u8>>, ExecutionError> {
    let mut headers = Vec::with_capacity(n);
    let mut parent_hash = B256::repeat_byte(0x99);
    for i in 0..n {
        // Built oldest first.
        let mut header = ExecutionHeader {
            parent_hash,
            number: 1_000 + i as u64,
            timestamp: 1_700_000_000 + 12 * i as u64,
            difficulty: U256::ZERO,
            base_fee_per_gas: Some(7),
            withdrawals_root: Some(B256::repeat_byte(1)),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::repeat_byte(2)),
            requests_hash: Some(B256::repeat_byte(3)),
            ..ExecutionHeader::default()
        };
        tweak(n - 1 - i, &mut header);
        let rlp = header.encode_rlp()?;
        parent_hash = keccak256(&rlp);
        headers.push(rlp);
    }
    headers.reverse();
    Ok(headers)
}

#[test]
fn synthetic_header_chains() -> TestResult {
    let chain = synthetic_chain(32, |_, _| {})?;
    let trusted = keccak256(chain.first().ok_or("empty")?);
    let fields = verify_header_chain(trusted, &chain)?;
    assert_eq!(fields.len(), 32);
    assert_eq!(fields.last().map(|f| f.number), Some(1_000));
    assert_eq!(fields.first().map(|f| f.number), Some(1_031));

    // Linked by hash but numbered wrongly (index counts from the newest header).
    let skipped = synthetic_chain(4, |i, h| {
        if i == 2 {
            h.number -= 1;
        }
    })?;
    assert_eq!(
        verify_header_chain(keccak256(skipped.first().ok_or("empty")?), &skipped),
        Err(ExecutionError::BlockNumberMismatch { index: 2, got: 1_000, expected: 1_001 })
    );
    let stalled = synthetic_chain(4, |i, h| {
        if i == 1 {
            h.timestamp += 12;
        }
    })?;
    assert!(matches!(
        verify_header_chain(keccak256(stalled.first().ok_or("empty")?), &stalled),
        Err(ExecutionError::TimestampNotIncreasing { index: 1, .. })
    ));

    // Empty and over-long chains.
    assert_eq!(
        verify_header_chain(trusted, &Vec::<Vec<u8>>::new()),
        Err(ExecutionError::EmptyHeaderChain)
    );
    let too_long = vec![Vec::<u8>::new(); MAX_HEADER_CHAIN_LENGTH + 1];
    assert_eq!(
        verify_header_chain(trusted, &too_long),
        Err(ExecutionError::HeaderChainTooLong {
            got: MAX_HEADER_CHAIN_LENGTH + 1,
            max: MAX_HEADER_CHAIN_LENGTH
        })
    );
    // An over-long header.
    let huge = vec![0u8; MAX_HEADER_BYTES + 1];
    assert_eq!(
        verify_header_chain(keccak256(&huge), &[&huge]),
        Err(ExecutionError::HeaderTooLarge {
            index: 0,
            got: MAX_HEADER_BYTES + 1,
            max: MAX_HEADER_BYTES
        })
    );
    Ok(())
}

#[test]
fn headers_with_future_fields_still_verify() -> TestResult {
    // A Prague header with two more (unknown) fields appended: the chain verifier reads only the
    // fields it needs; the full-header decoder refuses to type it.
    let header = ExecutionHeader { number: 5, timestamp: 60, ..ExecutionHeader::default() };
    let rlp = header.encode_rlp()?;
    let mut items = Vec::new();
    let mut payload = rlp.get(3..).ok_or("short")?; // f9 xx xx
    while !payload.is_empty() {
        let start = payload;
        let h = alloy_rlp::Header::decode(&mut payload)?;
        let consumed_header = start.len() - payload.len();
        let item = start.get(..consumed_header + h.payload_length).ok_or("item")?;
        payload = payload.get(h.payload_length..).ok_or("payload")?;
        items.push(item.to_vec());
    }
    assert_eq!(items.len(), 15);
    for _ in 0..6 {
        items.push(string(&[0x11; 32]));
    }
    items.push(string(&[0x22; 32]));
    items.push(node(&[string(&[1]), string(&[2])]));
    let future = node(&items);
    let fields = verify_header_chain(keccak256(&future), &[&future])?;
    assert_eq!(fields.first().map(|f| (f.number, f.timestamp)), Some((5, 60)));
    assert_eq!(
        ExecutionHeader::decode_rlp(&future),
        Err(ExecutionError::UnknownHeaderFields { got: 23, max: 21 })
    );

    // Hash-matching but malformed headers (only reachable with a forged trusted hash).
    let short = node(items.get(..14).ok_or("items")?);
    assert_eq!(
        verify_header_chain(keccak256(&short), &[&short]),
        Err(ExecutionError::HeaderFieldCount { got: 14, min: 15 })
    );
    let mut bad_number = items.clone();
    if let Some(n) = bad_number.get_mut(8) {
        *n = string(&[0, 5]);
    }
    let bad_number = node(&bad_number);
    assert_eq!(
        verify_header_chain(keccak256(&bad_number), &[&bad_number]),
        Err(ExecutionError::InvalidInteger { field: "header.number", max_bytes: 8 })
    );
    let mut bad_root = items;
    if let Some(n) = bad_root.get_mut(5) {
        *n = string(&[0x11; 31]);
    }
    let bad_root = node(&bad_root);
    assert_eq!(
        verify_header_chain(keccak256(&bad_root), &[&bad_root]),
        Err(ExecutionError::FieldLength { field: "header.receipts_root", got: 31, expected: 32 })
    );
    let garbage = [0xf8u8, 0x02, 0x80];
    assert!(matches!(
        verify_header_chain(keccak256(garbage), &[&garbage[..]]),
        Err(ExecutionError::Rlp { .. })
    ));
    Ok(())
}
