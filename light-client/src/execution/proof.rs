//! Receipt proofs: a receipt bound to a receipts root under the key `rlp(tx_index)`, and the full
//! execution proof (header chain + receipt proof) from a trusted block hash to a receipt.

use alloy_primitives::{Bytes, B256};

use super::error::ExecutionError;
use super::header_chain::{verify_header_chain, HeaderFields};
use super::receipt::Receipt;
use super::trie::{ordered_trie_key, ordered_trie_root, verify_proof, OrderedTrie};

/// The receipts root of a block from its full, ordered list of receipts: the root of the trie mapping
/// `rlp(i)` to the consensus encoding of receipt `i` (EIP-2718 envelope for typed receipts).
pub fn compute_receipts_root(receipts: &[Receipt]) -> B256 {
    let encoded: Vec<Vec<u8>> = receipts.iter().map(Receipt::encoded_2718).collect();
    ordered_trie_root(&encoded)
}

/// Generates the inclusion proof of receipt `tx_index` from the block's full list of receipts.
pub fn generate_receipt_proof(
    receipts: &[Receipt],
    tx_index: u64,
) -> Result<Vec<Bytes>, ExecutionError> {
    let trie = OrderedTrie::new(receipts.iter().map(Receipt::encoded_2718).collect());
    Ok(trie.proof(tx_index)?.into_iter().map(Bytes::from).collect())
}

/// Verifies that `proof` proves the receipt of transaction `tx_index` under `receipts_root`, and
/// returns the decoded receipt.
///
/// The proof is walked along the key `rlp(tx_index)`, so the receipt returned is the one at that
/// index and no other. Deviation from Snowbridge's `verify_receipt_proof`, which takes the key from
/// the proof itself: a relayer could otherwise present a receipt at another index than claimed.
pub fn verify_receipt_proof<N: AsRef<[u8]>>(
    receipts_root: B256,
    tx_index: u64,
    proof: &[N],
) -> Result<Receipt, ExecutionError> {
    let value = verify_proof(receipts_root, &ordered_trie_key(tx_index), proof)?;
    Receipt::decode_2718(value)
}

/// Everything needed to prove a receipt against a trusted execution block hash: the headers from the
/// trusted block down to the receipt's block (newest first; one header when the receipt is in the
/// trusted block itself) and the receipt's trie proof under the last header's receipts root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionProof {
    /// RLP headers, newest first; `headers[0]` hashes to the trusted block hash.
    pub headers: Vec<Bytes>,
    /// Index of the transaction in the oldest header's block.
    pub tx_index: u64,
    /// Receipt trie nodes, root first.
    pub receipt_proof: Vec<Bytes>,
}

/// A receipt proven against a trusted block hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReceipt {
    /// The block holding the receipt.
    pub block: HeaderFields,
    /// The transaction's index in the block.
    pub tx_index: u64,
    /// The receipt.
    pub receipt: Receipt,
}

impl ExecutionProof {
    /// Verifies the header chain down from `trusted_block_hash` and the receipt proof under the
    /// oldest header's receipts root.
    pub fn verify(&self, trusted_block_hash: B256) -> Result<VerifiedReceipt, ExecutionError> {
        let chain = verify_header_chain(trusted_block_hash, &self.headers)?;
        let block = *chain.last().ok_or(ExecutionError::EmptyHeaderChain)?;
        let receipt =
            verify_receipt_proof(block.receipts_root, self.tx_index, &self.receipt_proof)?;
        Ok(VerifiedReceipt { block, tx_index: self.tx_index, receipt })
    }
}
