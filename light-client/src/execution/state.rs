//! State proofs (`eth_getProof`, EIP-1186): an account under a block's `state_root`, and a
//! storage slot under that account's `storage_root`.
//!
//! Both tries are "secure" Merkle-Patricia tries (Yellow Paper §4.1 and appendix D):
//!
//! | trie    | root                   | key                        | value                                       |
//! |---------|------------------------|----------------------------|---------------------------------------------|
//! | state   | header field 3         | `keccak256(address)`       | `rlp([nonce, balance, storageRoot, codeHash])` |
//! | storage | the account's `storageRoot` | `keccak256(slot as 32 bytes)` | `rlp(value)`, a canonical integer, never 0 |
//!
//! An account that does not exist and a slot holding zero are not in their trie: their proofs are
//! proofs of absence, and the answers are [`None`] and zero, never errors. Proof nodes are given
//! root first, as `eth_getProof` returns them (`accountProof`, `storageProof[i].proof`).
//!
//! Pure: no I/O, no panics on any input.

use alloy_primitives::{keccak256, Address, B256, U256};

use super::error::ExecutionError;
use super::rlp::{list_items, Item};
use super::trie::verify_proof_or_absence;

/// `keccak256("")`: the code hash of an account without code.
pub const EMPTY_CODE_HASH: B256 =
    alloy_primitives::b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

/// An account of the state trie (Yellow Paper §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Account {
    /// Transactions sent (EOA) or contracts created (contract).
    pub nonce: u64,
    /// Wei held.
    pub balance: U256,
    /// Root of the account's storage trie ([`crate::execution::EMPTY_TRIE_ROOT`] when empty).
    pub storage_root: B256,
    /// `keccak256` of the account's code ([`EMPTY_CODE_HASH`] for an EOA).
    pub code_hash: B256,
}

impl Account {
    /// Whether the account has code (a contract).
    pub fn has_code(&self) -> bool {
        self.code_hash != EMPTY_CODE_HASH
    }
}

/// The state-trie key of `address`: `keccak256(address)`.
pub fn account_key(address: Address) -> B256 {
    keccak256(address)
}

/// The storage-trie key of `slot`: `keccak256(slot)` with the slot as a 32-byte big-endian word.
pub fn storage_key(slot: U256) -> B256 {
    keccak256(slot.to_be_bytes::<32>())
}

/// Decodes the state-trie value of an account: `rlp([nonce, balance, storageRoot, codeHash])`,
/// integers canonical.
pub fn decode_account(value: &[u8]) -> Result<Account, ExecutionError> {
    let payload = Item::exact(value, "account")?.list("account")?;
    let items = list_items(payload, "account field")?;
    let [nonce, balance, storage_root, code_hash] = items.as_slice() else {
        return Err(ExecutionError::AccountFieldCount { got: items.len() });
    };
    Ok(Account {
        nonce: nonce.u64("account.nonce")?,
        balance: be_u256(balance.string("account.balance")?, "account.balance")?,
        storage_root: B256::from(storage_root.fixed::<32>("account.storage_root")?),
        code_hash: B256::from(code_hash.fixed::<32>("account.code_hash")?),
    })
}

/// A canonical big-endian integer of at most 32 bytes (empty for zero, no leading zero byte).
fn be_u256(bytes: &[u8], field: &'static str) -> Result<U256, ExecutionError> {
    if bytes.len() > 32 || bytes.first() == Some(&0) {
        return Err(ExecutionError::InvalidInteger { field, max_bytes: 32 });
    }
    Ok(U256::from_be_slice(bytes))
}

/// Verifies an account proof of `address` against a block's `state_root`.
///
/// `Some(account)` when the proof includes the account, `None` when it proves the account does
/// not exist. Every proof error of [`crate::execution::verify_proof`] applies (tampered node,
/// wrong root, truncated or over-long proof), and a present value must decode as an account.
pub fn verify_account_proof<N: AsRef<[u8]>>(
    state_root: B256,
    address: Address,
    proof: &[N],
) -> Result<Option<Account>, ExecutionError> {
    let key = account_key(address);
    verify_proof_or_absence(state_root, key.as_slice(), proof)?.map(decode_account).transpose()
}

/// Verifies a storage proof of `slot` against an account's `storage_root`: the slot's value,
/// zero when the proof shows the slot is not in the trie (zero is never stored).
pub fn verify_storage_proof<N: AsRef<[u8]>>(
    storage_root: B256,
    slot: U256,
    proof: &[N],
) -> Result<U256, ExecutionError> {
    let key = storage_key(slot);
    let Some(value) = verify_proof_or_absence(storage_root, key.as_slice(), proof)? else {
        return Ok(U256::ZERO);
    };
    let bytes = Item::exact(value, "storage value")?.string("storage value")?;
    // A stored value is never zero: an empty (zero) value in the trie is malformed.
    if bytes.is_empty() {
        return Err(ExecutionError::InvalidInteger { field: "storage value", max_bytes: 32 });
    }
    be_u256(bytes, "storage value")
}

/// The value of `slot` of `address` at the block whose state root is `state_root`, from an
/// account proof and a storage proof. An absent account has no storage: its slots are zero
/// and its storage proof must be empty.
pub fn verify_storage_slot<A: AsRef<[u8]>, S: AsRef<[u8]>>(
    state_root: B256,
    address: Address,
    slot: U256,
    account_proof: &[A],
    storage_proof: &[S],
) -> Result<StorageSlot, ExecutionError> {
    match verify_account_proof(state_root, address, account_proof)? {
        None => {
            if !storage_proof.is_empty() {
                return Err(ExecutionError::UnusedProofNodes {
                    used: 0,
                    total: storage_proof.len(),
                });
            }
            Ok(StorageSlot { account: None, value: U256::ZERO })
        }
        Some(account) => {
            let value = verify_storage_proof(account.storage_root, slot, storage_proof)?;
            Ok(StorageSlot { account: Some(account), value })
        }
    }
}

/// What [`verify_storage_slot`] proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageSlot {
    /// The account (`None`: it does not exist at that block).
    pub account: Option<Account>,
    /// The slot's value (zero when absent).
    pub value: U256,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::EMPTY_TRIE_ROOT;

    #[test]
    fn empty_code_hash_is_keccak_of_nothing() {
        assert_eq!(keccak256([]), EMPTY_CODE_HASH);
    }

    #[test]
    fn accounts_decode_strictly() -> Result<(), ExecutionError> {
        let encode = |fields: &[&[u8]]| {
            let mut payload = Vec::new();
            for f in fields {
                alloy_rlp::Encodable::encode(f, &mut payload);
            }
            let mut out = Vec::new();
            alloy_rlp::Header { list: true, payload_length: payload.len() }.encode(&mut out);
            out.extend_from_slice(&payload);
            out
        };
        let good = encode(&[&[1], &[0x12, 0x34], EMPTY_TRIE_ROOT.as_slice(), &EMPTY_CODE_HASH[..]]);
        let account = decode_account(&good)?;
        assert_eq!(account.nonce, 1);
        assert_eq!(account.balance, U256::from(0x1234));
        assert!(!account.has_code());
        let leading_zero =
            encode(&[&[1], &[0, 0x34], EMPTY_TRIE_ROOT.as_slice(), &EMPTY_CODE_HASH[..]]);
        assert!(matches!(
            decode_account(&leading_zero),
            Err(ExecutionError::InvalidInteger { field: "account.balance", .. })
        ));
        let short = encode(&[&[1], &[], EMPTY_TRIE_ROOT.as_slice()]);
        assert_eq!(decode_account(&short), Err(ExecutionError::AccountFieldCount { got: 3 }));
        let bad_root = encode(&[&[1], &[], &[1; 31], &EMPTY_CODE_HASH[..]]);
        assert!(matches!(decode_account(&bad_root), Err(ExecutionError::FieldLength { .. })));
        Ok(())
    }

    #[test]
    fn the_empty_storage_trie_holds_zero_everywhere() -> Result<(), ExecutionError> {
        let none: [&[u8]; 0] = [];
        assert_eq!(verify_storage_proof(EMPTY_TRIE_ROOT, U256::ZERO, &none)?, U256::ZERO);
        assert_eq!(verify_storage_proof(EMPTY_TRIE_ROOT, U256::from(7), &[[0x80u8]])?, U256::ZERO);
        assert!(verify_storage_proof(EMPTY_TRIE_ROOT, U256::ZERO, &[[0xc0u8]]).is_err());
        // A non-empty root needs a proof.
        assert_eq!(
            verify_storage_proof(B256::repeat_byte(1), U256::ZERO, &none),
            Err(ExecutionError::EmptyProof)
        );
        Ok(())
    }
}
