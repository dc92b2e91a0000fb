//! Stored checkpoint signatures (`specs/state-machine.md` §2, §6): what validators signed through
//! their vote extensions, injected by the proposer and kept here until the checkpoint is done.
//!
//! Keys:
//! - `bridge/sig/` ‖ kind u8 ‖ nonce u64 BE ‖ operator 20 → `eth_address 20 ‖ signature 65`
//!   (`r ‖ s ‖ v`, v ∈ {27, 28});
//! - `bridge/sigset/` ‖ kind u8 ‖ nonce u64 BE → the operators holding a signature of that
//!   checkpoint, 20 bytes each, sorted (the store has no prefix scan, so the list is the index);
//! - `bridge/last_signed/` ‖ operator 20 → u64 BE, the last height a signature of that validator
//!   was stored (the `/bridge/signatures` liveness query).

use peg_tx::{AccAddress, ADDRESS_LEN};
use peg_types::{EthAddress, EthSignature};
use sha2::{Digest, Sha256};

use super::CheckpointKind;
use crate::error::AppError;
use crate::state::{decode_address_list, decode_u64, Cache};

/// Prefix of one stored signature.
pub const PREFIX_SIGNATURE: &[u8] = b"bridge/sig/";
/// Prefix of the per-checkpoint signer index.
pub const PREFIX_SIGNER_INDEX: &[u8] = b"bridge/sigset/";
/// Prefix of a validator's last signing height.
pub const PREFIX_LAST_SIGNED: &[u8] = b"bridge/last_signed/";
/// Length of a stored signature value: `eth_address 20 ‖ signature 65`.
pub const SIGNATURE_VALUE_LEN: usize = 20 + 65;

impl CheckpointKind {
    /// The kind of a wire byte (1 valset, 2 batch), `None` for any other byte.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::Valset),
            2 => Some(Self::Batch),
            _ => None,
        }
    }

    /// The wire byte.
    pub fn as_byte(self) -> u8 {
        self as u8
    }

    /// `"valset"` or `"batch"` (events and logs).
    pub fn name(self) -> &'static str {
        match self {
            Self::Valset => "valset",
            Self::Batch => "batch",
        }
    }
}

fn checkpoint_id(kind: CheckpointKind, nonce: u64) -> [u8; 9] {
    let mut id = [0u8; 9];
    id[0] = kind.as_byte();
    id[1..].copy_from_slice(&nonce.to_be_bytes());
    id
}

/// The key of one validator's signature of one checkpoint.
pub fn signature_key(kind: CheckpointKind, nonce: u64, operator: &AccAddress) -> Vec<u8> {
    [PREFIX_SIGNATURE, &checkpoint_id(kind, nonce), operator.as_bytes()].concat()
}

/// The key of the signer index of one checkpoint.
pub fn signer_index_key(kind: CheckpointKind, nonce: u64) -> Vec<u8> {
    [PREFIX_SIGNER_INDEX, &checkpoint_id(kind, nonce)].concat()
}

/// The key of a validator's last signing height.
pub fn last_signed_key(operator: &AccAddress) -> Vec<u8> {
    [PREFIX_LAST_SIGNED, operator.as_bytes()].concat()
}

fn signers(
    cache: &Cache<'_>,
    kind: CheckpointKind,
    nonce: u64,
) -> Result<Vec<AccAddress>, AppError> {
    let key = signer_index_key(kind, nonce);
    match cache.get(&key)? {
        Some(bytes) => decode_address_list(&key, &bytes),
        None => Ok(Vec::new()),
    }
}

fn decode_value(key: &[u8], bytes: &[u8]) -> Result<(EthAddress, EthSignature), AppError> {
    if bytes.len() != SIGNATURE_VALUE_LEN {
        return Err(AppError::CorruptState {
            key: hex::encode(key),
            reason: "signature value is not 85 bytes",
        });
    }
    let (address, signature) = bytes.split_at(20);
    let mut a = [0u8; 20];
    a.copy_from_slice(address);
    let signature = EthSignature::from_bytes(signature).map_err(|_| AppError::CorruptState {
        key: hex::encode(key),
        reason: "signature value is not 85 bytes",
    })?;
    Ok((EthAddress::new(a), signature))
}

/// Stores (or replaces) `operator`'s signature of checkpoint `(kind, nonce)`, made by
/// `eth_address`. The caller has verified it against the checkpoint digest.
pub fn store_signature(
    cache: &mut Cache<'_>,
    kind: CheckpointKind,
    nonce: u64,
    operator: &AccAddress,
    eth_address: &EthAddress,
    sig: &EthSignature,
) -> Result<(), AppError> {
    let mut value = Vec::with_capacity(SIGNATURE_VALUE_LEN);
    value.extend_from_slice(eth_address.as_bytes());
    value.extend_from_slice(&sig.to_bytes());
    cache.set(signature_key(kind, nonce, operator), value);
    let mut operators = signers(cache, kind, nonce)?;
    if let Err(at) = operators.binary_search(operator) {
        operators.insert(at, *operator);
        let bytes: Vec<u8> = operators.iter().flat_map(|o| o.as_bytes().to_vec()).collect();
        cache.set(signer_index_key(kind, nonce), bytes);
    }
    Ok(())
}

/// `operator`'s stored signature of checkpoint `(kind, nonce)` and the Ethereum address that
/// made it.
pub fn signature_of(
    cache: &Cache<'_>,
    kind: CheckpointKind,
    nonce: u64,
    operator: &AccAddress,
) -> Result<Option<(EthAddress, EthSignature)>, AppError> {
    let key = signature_key(kind, nonce, operator);
    cache.get(&key)?.map(|bytes| decode_value(&key, &bytes)).transpose()
}

/// Every stored signature of checkpoint `(kind, nonce)`, by operator bytes ascending.
pub fn signatures(
    cache: &Cache<'_>,
    kind: CheckpointKind,
    nonce: u64,
) -> Result<Vec<(AccAddress, EthAddress, EthSignature)>, AppError> {
    let mut out = Vec::new();
    for operator in signers(cache, kind, nonce)? {
        let key = signature_key(kind, nonce, &operator);
        let bytes = cache.get(&key)?.ok_or_else(|| AppError::CorruptState {
            key: hex::encode(&key),
            reason: "indexed signature is missing",
        })?;
        let (eth_address, signature) = decode_value(&key, &bytes)?;
        out.push((operator, eth_address, signature));
    }
    Ok(out)
}

/// Deletes every signature of checkpoint `(kind, nonce)` (the checkpoint is executed,
/// cancelled or superseded: nobody will relay it).
pub fn delete_signatures(
    cache: &mut Cache<'_>,
    kind: CheckpointKind,
    nonce: u64,
) -> Result<(), AppError> {
    for operator in signers(cache, kind, nonce)? {
        cache.delete(signature_key(kind, nonce, &operator));
    }
    cache.delete(signer_index_key(kind, nonce));
    Ok(())
}

/// Records that a signature of `operator` was stored at `height`.
pub fn record_signed_height(cache: &mut Cache<'_>, operator: &AccAddress, height: u64) {
    cache.set(last_signed_key(operator), height.to_be_bytes().to_vec());
}

/// The last height at which a signature of `operator` was stored (`None`: never).
pub fn last_signed_height(
    cache: &Cache<'_>,
    operator: &AccAddress,
) -> Result<Option<u64>, AppError> {
    let key = last_signed_key(operator);
    cache.get(&key)?.map(|bytes| decode_u64(&key, &bytes)).transpose()
}

/// The CometBFT address of an ed25519 consensus key: the first 20 bytes of its SHA-256.
pub fn validator_address(consensus_pubkey: &[u8; 32]) -> [u8; ADDRESS_LEN] {
    let digest = Sha256::digest(consensus_pubkey);
    let mut out = [0u8; ADDRESS_LEN];
    out.copy_from_slice(&digest[..ADDRESS_LEN]);
    out
}

/// The operator of the validator whose CometBFT address is `address` (the votes of a commit
/// name validators that way). Walks the validator set, which is small.
pub fn operator_of_validator_address(
    cache: &Cache<'_>,
    address: &[u8],
) -> Result<Option<AccAddress>, AppError> {
    for operator in cache.validator_set()? {
        if let Some(validator) = cache.validator(&operator)? {
            if validator_address(&validator.consensus_pubkey).as_slice() == address {
                return Ok(Some(operator));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use peg_store::Store;
    use peg_types::B256;

    fn sig(byte: u8) -> EthSignature {
        EthSignature { r: B256::repeat_byte(byte), s: B256::repeat_byte(byte), v: 27 }
    }

    #[test]
    fn store_list_and_delete() -> Result<(), AppError> {
        let dir = tempfile::tempdir().map_err(|e| AppError::Genesis(e.to_string()))?;
        let store = Store::open(dir.path().join("s.redb"))?;
        let mut ws = store.working_set()?;
        let mut cache = Cache::new(&store, &mut ws);
        let (a, b) = (AccAddress::new([9; 20]), AccAddress::new([3; 20]));
        let eth = EthAddress::new([7; 20]);
        store_signature(&mut cache, CheckpointKind::Batch, 5, &a, &eth, &sig(1))?;
        store_signature(&mut cache, CheckpointKind::Batch, 5, &b, &eth, &sig(2))?;
        store_signature(&mut cache, CheckpointKind::Batch, 5, &a, &eth, &sig(3))?;
        store_signature(&mut cache, CheckpointKind::Valset, 5, &a, &eth, &sig(4))?;
        let all = signatures(&cache, CheckpointKind::Batch, 5)?;
        assert_eq!(all, vec![(b, eth, sig(2)), (a, eth, sig(3))]);
        assert_eq!(signature_of(&cache, CheckpointKind::Valset, 5, &a)?, Some((eth, sig(4))));
        assert_eq!(signature_of(&cache, CheckpointKind::Valset, 5, &b)?, None);
        delete_signatures(&mut cache, CheckpointKind::Batch, 5)?;
        assert!(signatures(&cache, CheckpointKind::Batch, 5)?.is_empty());
        assert_eq!(signature_of(&cache, CheckpointKind::Batch, 5, &a)?, None);
        assert_eq!(signatures(&cache, CheckpointKind::Valset, 5)?.len(), 1);
        assert_eq!(last_signed_height(&cache, &a)?, None);
        record_signed_height(&mut cache, &a, 12);
        assert_eq!(last_signed_height(&cache, &a)?, Some(12));
        Ok(())
    }

    #[test]
    fn kind_bytes_round_trip() {
        for kind in [CheckpointKind::Valset, CheckpointKind::Batch] {
            assert_eq!(CheckpointKind::from_byte(kind.as_byte()), Some(kind));
        }
        assert_eq!(CheckpointKind::from_byte(0), None);
        assert_eq!(CheckpointKind::from_byte(3), None);
    }
}
