//! Execution header chains: from a trusted block hash down to an older block by parent-hash links.
//!
//! A header is identified by `keccak256(rlp(header))` (Yellow Paper §4.3, "block header"). Only the
//! fields this light client needs are read, by position in the RLP list:
//!
//! | index | field              | since    |
//! |-------|--------------------|----------|
//! | 0     | `parent_hash`      | Frontier |
//! | 3     | `state_root`       | Frontier |
//! | 4     | `transactions_root`| Frontier |
//! | 5     | `receipts_root`    | Frontier |
//! | 8     | `number`           | Frontier |
//! | 11    | `timestamp`        | Frontier |
//!
//! Fields after the 15 Frontier fields (base fee, withdrawals root, blob gas, parent beacon root,
//! requests hash and whatever later forks append) are checked to be well-formed RLP items and
//! otherwise ignored, so a new fork's header fields never break verification: the hash covers them.

use alloy_primitives::{keccak256, B256};

use super::error::ExecutionError;
use super::rlp::Item;

/// The largest header RLP accepted. Mainnet Prague headers are about 620 bytes (`extra_data` is
/// capped at 32 bytes by consensus); the bound leaves room for many future fields.
pub const MAX_HEADER_BYTES: usize = 4096;

/// The longest header chain [`verify_header_chain`] accepts (about 27 hours of 12-second slots).
/// The state machine may impose a smaller bound; this one caps the hashing work of one call.
pub const MAX_HEADER_CHAIN_LENGTH: usize = 8192;

/// Number of fields of the oldest (Frontier) header format.
pub const FRONTIER_HEADER_FIELDS: usize = 15;

/// The fields of an execution header the light client uses, with the header's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderFields {
    /// `keccak256(rlp(header))`: the block hash.
    pub hash: B256,
    /// Field 0.
    pub parent_hash: B256,
    /// Field 3.
    pub state_root: B256,
    /// Field 4.
    pub transactions_root: B256,
    /// Field 5.
    pub receipts_root: B256,
    /// Field 8.
    pub number: u64,
    /// Field 11.
    pub timestamp: u64,
}

/// Reads the [`HeaderFields`] of one RLP-encoded header and hashes it.
///
/// The input must be exactly one canonical RLP list of at least [`FRONTIER_HEADER_FIELDS`]
/// well-formed items, at most [`MAX_HEADER_BYTES`] long; this does not check the hash against
/// anything (see [`verify_header_chain`]).
pub fn read_header_fields(header_rlp: &[u8]) -> Result<HeaderFields, ExecutionError> {
    if header_rlp.len() > MAX_HEADER_BYTES {
        return Err(ExecutionError::HeaderTooLarge {
            index: 0,
            got: header_rlp.len(),
            max: MAX_HEADER_BYTES,
        });
    }
    let hash = keccak256(header_rlp);
    parse_header_fields(header_rlp, hash)
}

fn parse_header_fields(header_rlp: &[u8], hash: B256) -> Result<HeaderFields, ExecutionError> {
    let mut payload = Item::exact(header_rlp, "header")?.list("header")?;
    let mut fields = HeaderFields {
        hash,
        parent_hash: B256::ZERO,
        state_root: B256::ZERO,
        transactions_root: B256::ZERO,
        receipts_root: B256::ZERO,
        number: 0,
        timestamp: 0,
    };
    // Walk every item (so the whole list is well-formed), decoding only the fields we use.
    let mut count = 0usize;
    while !payload.is_empty() {
        let item = Item::next(&mut payload, "header field")?;
        match count {
            0 => fields.parent_hash = B256::from(item.fixed::<32>("header.parent_hash")?),
            3 => fields.state_root = B256::from(item.fixed::<32>("header.state_root")?),
            4 => {
                fields.transactions_root =
                    B256::from(item.fixed::<32>("header.transactions_root")?);
            }
            5 => fields.receipts_root = B256::from(item.fixed::<32>("header.receipts_root")?),
            8 => fields.number = item.u64("header.number")?,
            11 => fields.timestamp = item.u64("header.timestamp")?,
            _ => {}
        }
        count += 1;
    }
    if count < FRONTIER_HEADER_FIELDS {
        return Err(ExecutionError::HeaderFieldCount { got: count, min: FRONTIER_HEADER_FIELDS });
    }
    Ok(fields)
}

/// Verifies a chain of RLP-encoded execution headers walking down from a trusted block hash.
///
/// `headers` is ordered newest first: `headers[0]` must hash to `trusted_block_hash` (typically the
/// light client's finalized `execution.block_hash`), and every `headers[i]` must hash to
/// `headers[i - 1].parent_hash`. Returns the fields of every header in the same order; the last is
/// the oldest block, whose `receipts_root` a receipt proof is then checked against.
///
/// Each header is hashed before it is parsed, so only authentic headers are ever decoded. Beyond the
/// hash links (which alone make the chain authentic once `headers[0]` is), two cheap consistency
/// checks reject internally inconsistent input: numbers decrease by exactly one and timestamps
/// strictly decrease (Yellow Paper eq. 47–48 and the merge's `timestamp > parent.timestamp`).
pub fn verify_header_chain<H: AsRef<[u8]>>(
    trusted_block_hash: B256,
    headers: &[H],
) -> Result<Vec<HeaderFields>, ExecutionError> {
    if headers.is_empty() {
        return Err(ExecutionError::EmptyHeaderChain);
    }
    if headers.len() > MAX_HEADER_CHAIN_LENGTH {
        return Err(ExecutionError::HeaderChainTooLong {
            got: headers.len(),
            max: MAX_HEADER_CHAIN_LENGTH,
        });
    }
    let mut verified: Vec<HeaderFields> = Vec::with_capacity(headers.len());
    for (index, header) in headers.iter().enumerate() {
        let header = header.as_ref();
        if header.len() > MAX_HEADER_BYTES {
            return Err(ExecutionError::HeaderTooLarge {
                index,
                got: header.len(),
                max: MAX_HEADER_BYTES,
            });
        }
        let hash = keccak256(header);
        let fields = match verified.last() {
            None => {
                if hash != trusted_block_hash {
                    return Err(ExecutionError::HeaderHashMismatch {
                        got: hash,
                        expected: trusted_block_hash,
                    });
                }
                parse_header_fields(header, hash)?
            }
            Some(child) => {
                if hash != child.parent_hash {
                    return Err(ExecutionError::ParentHashMismatch {
                        index,
                        got: hash,
                        expected: child.parent_hash,
                    });
                }
                let fields = parse_header_fields(header, hash)?;
                let expected =
                    child.number.checked_sub(1).ok_or(ExecutionError::BlockNumberMismatch {
                        index,
                        got: fields.number,
                        expected: 0,
                    })?;
                if fields.number != expected {
                    return Err(ExecutionError::BlockNumberMismatch {
                        index,
                        got: fields.number,
                        expected,
                    });
                }
                if fields.timestamp >= child.timestamp {
                    return Err(ExecutionError::TimestampNotIncreasing {
                        index,
                        got: fields.timestamp,
                        child: child.timestamp,
                    });
                }
                fields
            }
        };
        verified.push(fields);
    }
    Ok(verified)
}
