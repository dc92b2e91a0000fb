//! The execution side against real mainnet data (`../shared/vectors/mainnet-execution`, see its
//! SOURCE.txt): header hashes, header-chain links, receipts roots, a proof for every receipt, and
//! tampered copies of each rejected with the matching error.

use std::path::PathBuf;

use alloy_primitives::{Bytes, B256};
use light_client::execution::{
    compute_receipts_root, generate_receipt_proof, ordered_trie_key, read_header_fields,
    verify_header_chain, verify_proof, verify_receipt_proof, ExecutionError, ExecutionHeader,
    ExecutionProof, OrderedTrie, Receipt, ReceiptOutcome, RpcReceipt, TxType,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A change to one receipt.
type Mutation = Box<dyn Fn(&mut Receipt)>;

const BLOCKS: [u64; 3] = [15_573_637, 19_433_902, 19_433_903];

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/mainnet-execution")
}

fn load_result(name: &str) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut value: serde_json::Value = serde_json::from_str(&text)?;
    Ok(value.get_mut("result").map(serde_json::Value::take).ok_or("no result member")?)
}

struct Block {
    number: u64,
    header: ExecutionHeader,
    hash: B256,
    rlp: Vec<u8>,
    receipts: Vec<Receipt>,
    rpc_receipts: Vec<RpcReceipt>,
}

fn load_block(number: u64) -> Result<Block, Box<dyn std::error::Error>> {
    let rpc = ExecutionHeader::from_json_rpc(&load_result(&format!("block-{number}.json"))?)?;
    let hash = rpc.claimed_hash.ok_or("block without hash")?;
    let rlp = rpc.header.encode_rlp()?;
    let rpc_receipts =
        Receipt::list_from_json_rpc(&load_result(&format!("receipts-{number}.json"))?)?;
    let receipts = rpc_receipts.iter().map(|r| r.receipt.clone()).collect();
    Ok(Block { number, header: rpc.header, hash, rlp, receipts, rpc_receipts })
}

fn blocks() -> Result<Vec<Block>, Box<dyn std::error::Error>> {
    BLOCKS.iter().map(|&n| load_block(n)).collect()
}

#[test]
fn header_hashes_recompute() -> TestResult {
    for block in blocks()? {
        assert_eq!(block.header.hash()?, block.hash, "block {}", block.number);
        assert_eq!(block.header.number, block.number);
        // The full decoder round-trips the canonical RLP.
        assert_eq!(ExecutionHeader::decode_rlp(&block.rlp)?, block.header);
        // The light client's field reader sees the same values.
        let fields = read_header_fields(&block.rlp)?;
        assert_eq!(fields.hash, block.hash);
        assert_eq!(fields.parent_hash, block.header.parent_hash);
        assert_eq!(fields.state_root, block.header.state_root);
        assert_eq!(fields.transactions_root, block.header.transactions_root);
        assert_eq!(fields.receipts_root, block.header.receipts_root);
        assert_eq!(fields.number, block.number);
        assert_eq!(fields.timestamp, block.header.timestamp);
        // A single-header chain from its own hash verifies.
        assert_eq!(verify_header_chain(block.hash, &[&block.rlp])?, vec![fields]);
    }
    Ok(())
}

#[test]
fn real_parent_link_verifies_and_wrong_parent_is_rejected() -> TestResult {
    let parent = load_block(19_433_902)?;
    let child = load_block(19_433_903)?;
    assert_eq!(child.header.parent_hash, parent.hash);
    let chain = verify_header_chain(child.hash, &[&child.rlp, &parent.rlp])?;
    assert_eq!(chain.len(), 2);
    assert_eq!(chain.first().map(|h| h.number), Some(19_433_903));
    assert_eq!(chain.last().map(|h| h.hash), Some(parent.hash));

    // A header that is not the parent.
    let other = load_block(15_573_637)?;
    assert_eq!(
        verify_header_chain(child.hash, &[&child.rlp, &other.rlp]),
        Err(ExecutionError::ParentHashMismatch {
            index: 1,
            got: other.hash,
            expected: parent.hash
        })
    );
    // The chain in the wrong order.
    assert_eq!(
        verify_header_chain(child.hash, &[&parent.rlp, &child.rlp]),
        Err(ExecutionError::HeaderHashMismatch { got: parent.hash, expected: child.hash })
    );
    Ok(())
}

#[test]
fn tampered_headers_are_rejected() -> TestResult {
    for block in blocks()? {
        // Every single-field change moves the hash.
        let mut header = block.header.clone();
        header.gas_used += 1;
        let tampered = header.encode_rlp()?;
        assert!(matches!(
            verify_header_chain(block.hash, &[&tampered]),
            Err(ExecutionError::HeaderHashMismatch { expected, .. }) if expected == block.hash
        ));
        let mut header = block.header.clone();
        header.receipts_root = B256::repeat_byte(0xee);
        assert!(matches!(
            verify_header_chain(block.hash, &[header.encode_rlp()?]),
            Err(ExecutionError::HeaderHashMismatch { .. })
        ));
        // Truncated and extended encodings.
        let truncated = block.rlp.get(..block.rlp.len() - 1).ok_or("short")?;
        assert!(matches!(
            verify_header_chain(block.hash, &[truncated]),
            Err(ExecutionError::HeaderHashMismatch { .. })
        ));
        let mut extended = block.rlp.clone();
        extended.push(0x80);
        assert!(matches!(
            verify_header_chain(block.hash, &[&extended]),
            Err(ExecutionError::HeaderHashMismatch { .. })
        ));
        // A tampered parent in a chain is caught by the link.
        if block.number == 19_433_903 {
            let parent = load_block(19_433_902)?;
            let mut header = parent.header.clone();
            header.timestamp -= 1;
            let forged = header.encode_rlp()?;
            assert!(matches!(
                verify_header_chain(block.hash, &[&block.rlp, &forged]),
                Err(ExecutionError::ParentHashMismatch { index: 1, expected, .. })
                    if expected == parent.hash
            ));
        }
    }
    Ok(())
}

#[test]
fn receipts_roots_recompute() -> TestResult {
    for block in blocks()? {
        let root = compute_receipts_root(&block.receipts);
        assert_eq!(root, block.header.receipts_root, "block {}", block.number);
        // The independent in-memory builder agrees with alloy-trie's HashBuilder.
        let trie = OrderedTrie::new(block.receipts.iter().map(Receipt::encoded_2718).collect());
        assert_eq!(trie.root(), root, "block {}", block.number);
        // Every receipt's context agrees with the block.
        for r in &block.rpc_receipts {
            assert_eq!(r.block_hash, Some(block.hash));
            assert_eq!(r.block_number, Some(block.number));
        }
    }
    Ok(())
}

#[test]
fn vectors_cover_receipt_types_0_to_3() -> TestResult {
    let mut seen = std::collections::BTreeSet::new();
    for block in blocks()? {
        seen.extend(block.receipts.iter().map(|r| r.tx_type.as_u8()));
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![0, 1, 2, 3]);
    Ok(())
}

#[test]
fn receipts_decode_from_their_consensus_encoding_and_blooms_recompute() -> TestResult {
    for block in blocks()? {
        for (i, receipt) in block.receipts.iter().enumerate() {
            let encoded = receipt.encoded_2718();
            assert_eq!(encoded.len(), receipt.encoded_length());
            assert_eq!(
                &Receipt::decode_2718(&encoded)?,
                receipt,
                "block {} receipt {i}",
                block.number
            );
            assert_eq!(
                receipt.compute_logs_bloom(),
                receipt.logs_bloom,
                "block {} receipt {i}",
                block.number
            );
            assert!(matches!(receipt.outcome, ReceiptOutcome::Status(_)));
        }
    }
    Ok(())
}

#[test]
fn a_proof_for_every_receipt_verifies() -> TestResult {
    let mut proven = 0;
    for block in blocks()? {
        let root = block.header.receipts_root;
        for (i, expected) in (0u64..).zip(&block.receipts) {
            let proof = generate_receipt_proof(&block.receipts, i)?;
            let receipt = verify_receipt_proof(root, i, &proof)?;
            assert_eq!(&receipt, expected, "block {} receipt {i}", block.number);
            proven += 1;
        }
        // Out of range for the generator.
        let count = block.receipts.len();
        assert_eq!(
            generate_receipt_proof(&block.receipts, count as u64),
            Err(ExecutionError::ReceiptIndexOutOfRange { index: count as u64, count })
        );
    }
    assert_eq!(proven, 239 + 171 + 172);
    Ok(())
}

#[test]
fn full_execution_proof_from_trusted_hash_to_log() -> TestResult {
    let parent = load_block(19_433_902)?;
    let child = load_block(19_433_903)?;
    // The receipt with the most logs in the parent block.
    let (index, expected) =
        (0u64..).zip(&parent.receipts).max_by_key(|(_, r)| r.logs.len()).ok_or("no receipts")?;
    let proof = ExecutionProof {
        headers: vec![Bytes::from(child.rlp.clone()), Bytes::from(parent.rlp.clone())],
        tx_index: index,
        receipt_proof: generate_receipt_proof(&parent.receipts, index)?,
    };
    let verified = proof.verify(child.hash)?;
    assert_eq!(verified.block.hash, parent.hash);
    assert_eq!(verified.block.number, 19_433_902);
    assert_eq!(&verified.receipt, expected);
    let log = verified.receipt.log(0)?;
    let topic0 = *log.topic0().ok_or("anonymous log")?;
    let events: Vec<usize> = verified.receipt.events(log.address, topic0).map(|(i, _)| i).collect();
    assert!(events.contains(&0));
    assert!(events
        .iter()
        .all(|&i| verified.receipt.logs.get(i).map(|l| l.address) == Some(log.address)));
    let count = verified.receipt.logs.len();
    assert_eq!(
        verified.receipt.log(count),
        Err(ExecutionError::LogIndexOutOfRange { index: count, count })
    );
    // The same proof against another trusted hash fails at the first header.
    assert!(matches!(proof.verify(parent.hash), Err(ExecutionError::HeaderHashMismatch { .. })));
    Ok(())
}

#[test]
fn tampered_receipts_change_the_root() -> TestResult {
    for block in blocks()? {
        let root = block.header.receipts_root;
        let with_logs = block.receipts.iter().position(|r| !r.logs.is_empty()).ok_or("no logs")?;
        let mutations: Vec<Mutation> = vec![
            Box::new(|r| r.cumulative_gas_used += 1),
            Box::new(|r| r.outcome = ReceiptOutcome::Status(r.is_success() != Some(true))),
            Box::new(|r| {
                r.tx_type =
                    if r.tx_type == TxType::Legacy { TxType::Eip1559 } else { TxType::Legacy }
            }),
            Box::new(|r| {
                if let Some(log) = r.logs.first_mut() {
                    let mut data = log.data.to_vec();
                    data.push(0);
                    log.data = data.into();
                }
            }),
            Box::new(|r| {
                if let Some(log) = r.logs.first_mut() {
                    log.topics.reverse();
                    log.topics.push(B256::ZERO);
                }
            }),
        ];
        for (m, mutate) in mutations.iter().enumerate() {
            let mut receipts = block.receipts.clone();
            if let Some(r) = receipts.get_mut(with_logs) {
                mutate(r);
            }
            assert_ne!(
                compute_receipts_root(&receipts),
                root,
                "block {} mutation {m}",
                block.number
            );
            // Its proof, built from the tampered list, does not verify against the real root.
            let proof = generate_receipt_proof(&receipts, with_logs as u64)?;
            assert!(matches!(
                verify_receipt_proof(root, with_logs as u64, &proof),
                Err(ExecutionError::ProofNodeHashMismatch { index: 0, .. })
            ));
        }
        // A missing or reordered receipt.
        let mut receipts = block.receipts.clone();
        receipts.pop();
        assert_ne!(compute_receipts_root(&receipts), root);
        let mut receipts = block.receipts.clone();
        receipts.swap(0, 1);
        assert_ne!(compute_receipts_root(&receipts), root);
    }
    Ok(())
}

#[test]
fn tampered_proofs_are_rejected() -> TestResult {
    let block = load_block(15_573_637)?;
    let root = block.header.receipts_root;
    let receipts = &block.receipts;
    // Keys rlp(1) = 0x01 and rlp(2) = 0x02 share the root slot and part ways in the next branch.
    let proof = generate_receipt_proof(receipts, 1)?;
    assert!(proof.len() >= 3, "a 239-receipt trie is at least three levels deep");

    // Wrong index key: the walk takes another slot, whose hash is not the next node's.
    assert!(matches!(
        verify_receipt_proof(root, 2, &proof),
        Err(ExecutionError::ProofNodeHashMismatch { index: 2, .. })
    ));
    // A key whose path leaves the proven path at an empty slot: a proof of absence, rejected.
    // Indices 128..=238 have keys 0x8180..=0x81ee, so the branch at nibbles [8, 1] has no slot f:
    // the proof of 238 (0x81ee) shows that 250 (0x81fa) is absent.
    let proof_238 = generate_receipt_proof(receipts, 238)?;
    assert_eq!(verify_receipt_proof(root, 238, &proof_238)?, *receipts.get(238).ok_or("238")?);
    assert!(matches!(
        verify_receipt_proof(root, 250, &proof_238),
        Err(ExecutionError::KeyNotInTrie { key }) if key == "0x81fa"
    ));
    // Altered node (each position).
    for node in 0..proof.len() {
        let mut altered: Vec<Vec<u8>> = proof.iter().map(|n| n.to_vec()).collect();
        if let Some(byte) = altered.get_mut(node).and_then(|n| n.get_mut(40)) {
            *byte ^= 0x01;
        }
        assert!(matches!(
            verify_receipt_proof(root, 1, &altered),
            Err(ExecutionError::ProofNodeHashMismatch { index, .. }) if index == node
        ));
    }
    // Truncated: the last node missing.
    let truncated = proof.get(..proof.len() - 1).ok_or("short")?;
    assert_eq!(
        verify_receipt_proof(root, 1, truncated),
        Err(ExecutionError::IncompleteProof { nodes: proof.len() - 1 })
    );
    // Extra node after the value.
    let mut extra = proof.clone();
    extra.push(proof.first().cloned().ok_or("empty")?);
    assert_eq!(
        verify_receipt_proof(root, 1, &extra),
        Err(ExecutionError::UnusedProofNodes { used: proof.len(), total: proof.len() + 1 })
    );
    // Trailing garbage on the leaf.
    let mut garbage: Vec<Vec<u8>> = proof.iter().map(|n| n.to_vec()).collect();
    if let Some(last) = garbage.last_mut() {
        last.push(0x00);
    }
    assert!(matches!(
        verify_receipt_proof(root, 1, &garbage),
        Err(ExecutionError::ProofNodeHashMismatch { .. })
    ));
    // Nodes swapped.
    let mut swapped = proof.clone();
    swapped.swap(1, 2);
    assert!(matches!(
        verify_receipt_proof(root, 1, &swapped),
        Err(ExecutionError::ProofNodeHashMismatch { index: 1, .. })
    ));
    // Empty proof and wrong root.
    assert_eq!(
        verify_receipt_proof(root, 1, &Vec::<Bytes>::new()),
        Err(ExecutionError::EmptyProof)
    );
    assert!(matches!(
        verify_receipt_proof(B256::ZERO, 1, &proof),
        Err(ExecutionError::ProofNodeHashMismatch { index: 0, .. })
    ));
    // The generic verifier returns the exact trie value.
    let value = verify_proof(root, &ordered_trie_key(1), &proof)?;
    assert_eq!(value, receipts.get(1).ok_or("receipt 1")?.encoded_2718().as_slice());
    Ok(())
}

/// A real Prague header (all 21 fields, `requests_hash` included): public testnet block 8324337
/// (2025-05-14; Sepolia by number and date), header members of its `eth_getBlockByNumber` result
/// as served. The mainnet vectors stop at Cancun.
#[test]
fn a_real_prague_header_hash_recomputes() -> TestResult {
    let block = serde_json::json!({
        "parentHash": "0xf60f120fe84500833ef563123067a765361a7af59a11e3370971c1136e28540d",
        "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
        "miner": "0x3826539cbd8d68dcf119e80b994557b4278cec9f",
        "stateRoot": "0xb40115a391949e36c4cf558d93686537360cd9c4193fb2c0932a4812c340437f",
        "transactionsRoot": "0x7302699e65a901d688e8a0f06aeb1bf7aeed7445c27e70e4205da9c90b5a7edd",
        "receiptsRoot": "0x6c3c22526eaf8eb9e177d60e7aee4f546e79527468fd294d1fde9f1e3bcc17ee",
        "logsBloom": concat!(
            "0xae206c5f8adfa784b2aca218aa9c9eb470f714451e08f0efe0ea2406359615c3839abc07ba5e3c1a01",
            "02168b1d2fb858c132376084e6dc04fe42be6624ec249b0a9ab88485a2f52cc4297ccf7f23fb3885596b",
            "5464562ce84b9b2955e1a080917d0032833bed3c4101a89c4bf3434d4e16411fc0c0244f497386dc3c11",
            "f583cce2d58635f73ac75464c840a7e75cf03df174a649f08caf4e9a153188fe862cdac6d82bd22fc535",
            "8b5fe624e65be4028848a2f40aa2abb89a391e930a616d08adfc5960b209c1658a0b1f60f1fc63a0b418",
            "57c91488e50a6b00031de20948eae7cc1abf18c99da0cb678d791b987a6e1ce8268b34c432564853b6a5",
            "2128726e06"
        ),
        "difficulty": "0x0",
        "number": "0x7f04f1",
        "gasLimit": "0x390d860",
        "gasUsed": "0x15cfc87",
        "timestamp": "0x68246b68",
        "extraData": "0x626573752032352e352d646576656c6f702d62386364346338",
        "mixHash": "0x807bee076a500d33eb547cdcf948808b473a8ed44f6227b56647f64719340b94",
        "nonce": "0x0000000000000000",
        "baseFeePerGas": "0x137d0bb9e",
        "withdrawalsRoot": "0xba38ea1816871bfbd95cccc97160a762b06d9a654135477ea832662eb6748acd",
        "blobGasUsed": "0xa0000",
        "excessBlobGas": "0x60000",
        "parentBeaconBlockRoot": "0xc0959914345b1f080a0659d7ff38cc1a9992caf800b62de6b2dd5b548f072984",
        "requestsHash": "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "hash": "0xe27565f06f04fe79d3c3bb4dc9749a0318c520d7f784545be4d1a65bbcac21db"
    });
    let rpc = ExecutionHeader::from_json_rpc(&block)?;
    let hash = rpc.header.hash()?;
    assert_eq!(Some(hash), rpc.claimed_hash);
    let rlp = rpc.header.encode_rlp()?;
    assert_eq!(ExecutionHeader::decode_rlp(&rlp)?, rpc.header);
    let fields = verify_header_chain(hash, &[&rlp])?;
    assert_eq!(fields.first().map(|f| f.number), Some(8_324_337));
    // Without the Prague field the hash is another block's.
    let mut cancun = rpc.header.clone();
    cancun.requests_hash = None;
    assert_ne!(cancun.hash()?, hash);
    Ok(())
}
