//! The full execution block header, London through Prague, as JSON-RPC serves it and as its canonical
//! RLP encodes it.
//!
//! Field order is the consensus order (Yellow Paper §4.3 plus EIP-1559 `base_fee_per_gas`, EIP-4895
//! `withdrawals_root`, EIP-4844 `blob_gas_used`/`excess_blob_gas`, EIP-4788
//! `parent_beacon_block_root`, EIP-7685 `requests_hash`). Each fork only appends, so the optional
//! fields form a prefix chain: a later one present requires every earlier one.
//!
//! The light client itself never needs this type (see [`super::header_chain`], which reads only the
//! fields it uses); pegd and the relayer use it to turn `eth_getBlockByNumber` results into the RLP
//! that header chains carry.

use alloy_primitives::{keccak256, Address, Bloom, Bytes, B256, B64, U256};
use alloy_rlp::Encodable;
use serde::Deserialize;

use super::error::ExecutionError;
use super::json;
use super::rlp::{list_items, put_list_header, Item};

/// A full execution block header (Frontier fields plus the London..Prague optional tail).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecutionHeader {
    /// Hash of the parent block.
    pub parent_hash: B256,
    /// `sha3Uncles`: hash of the ommers list (the empty-list hash since the merge).
    pub ommers_hash: B256,
    /// `miner`: fee recipient.
    pub beneficiary: Address,
    /// State trie root after the block.
    pub state_root: B256,
    /// Transactions trie root.
    pub transactions_root: B256,
    /// Receipts trie root.
    pub receipts_root: B256,
    /// Bloom filter of the block's logs.
    pub logs_bloom: Bloom,
    /// Proof-of-work difficulty (zero since the merge).
    pub difficulty: U256,
    /// Block number.
    pub number: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Unix timestamp in seconds.
    pub timestamp: u64,
    /// Extra data (at most 32 bytes by consensus; not enforced here).
    pub extra_data: Bytes,
    /// `mixHash`: proof-of-work mix hash, `prev_randao` since the merge.
    pub mix_hash: B256,
    /// Proof-of-work nonce (zero since the merge).
    pub nonce: B64,
    /// EIP-1559 (London).
    pub base_fee_per_gas: Option<u64>,
    /// EIP-4895 (Shanghai).
    pub withdrawals_root: Option<B256>,
    /// EIP-4844 (Cancun).
    pub blob_gas_used: Option<u64>,
    /// EIP-4844 (Cancun).
    pub excess_blob_gas: Option<u64>,
    /// EIP-4788 (Cancun).
    pub parent_beacon_block_root: Option<B256>,
    /// EIP-7685 (Prague).
    pub requests_hash: Option<B256>,
}

/// A value of the optional tail, in consensus order.
#[derive(Clone, Copy)]
enum Tail<'a> {
    U64(u64),
    Hash(&'a B256),
}

/// Names of the optional tail fields, in consensus order.
const TAIL_NAMES: [&str; 6] = [
    "baseFeePerGas",
    "withdrawalsRoot",
    "blobGasUsed",
    "excessBlobGas",
    "parentBeaconBlockRoot",
    "requestsHash",
];

/// Fields of a Prague header: 15 Frontier fields plus the 6 of the tail.
pub const PRAGUE_HEADER_FIELDS: usize = 21;

impl ExecutionHeader {
    fn tail(&self) -> [Option<Tail<'_>>; 6] {
        [
            self.base_fee_per_gas.map(Tail::U64),
            self.withdrawals_root.as_ref().map(Tail::Hash),
            self.blob_gas_used.map(Tail::U64),
            self.excess_blob_gas.map(Tail::U64),
            self.parent_beacon_block_root.as_ref().map(Tail::Hash),
            self.requests_hash.as_ref().map(Tail::Hash),
        ]
    }

    /// The present tail fields, after checking they form a prefix (no later fork's field without
    /// every earlier one).
    fn present_tail(&self) -> Result<Vec<Tail<'_>>, ExecutionError> {
        let tail = self.tail();
        let present = tail.iter().take_while(|f| f.is_some()).count();
        if let Some(later) = tail.iter().skip(present).position(Option::is_some) {
            let field = TAIL_NAMES.get(present + later).copied().unwrap_or("?");
            let missing = TAIL_NAMES.get(present).copied().unwrap_or("?");
            return Err(ExecutionError::HeaderFieldGap { field, missing });
        }
        Ok(tail.into_iter().flatten().collect())
    }

    /// Checks the fork fields form a prefix chain (see the module documentation).
    pub fn validate_fork_fields(&self) -> Result<(), ExecutionError> {
        self.present_tail().map(|_| ())
    }

    /// The canonical RLP encoding: `rlp([parent_hash, …, requests_hash])`, omitting absent tail fields.
    pub fn encode_rlp(&self) -> Result<Vec<u8>, ExecutionError> {
        let tail = self.present_tail()?;
        let frontier: [&dyn Encodable; 15] = [
            &self.parent_hash,
            &self.ommers_hash,
            &self.beneficiary,
            &self.state_root,
            &self.transactions_root,
            &self.receipts_root,
            &self.logs_bloom,
            &self.difficulty,
            &self.number,
            &self.gas_limit,
            &self.gas_used,
            &self.timestamp,
            &self.extra_data,
            &self.mix_hash,
            &self.nonce,
        ];
        let tail_length = |t: &Tail<'_>| match t {
            Tail::U64(v) => v.length(),
            Tail::Hash(h) => h.length(),
        };
        let payload_length = frontier.iter().map(|f| f.length()).sum::<usize>()
            + tail.iter().map(tail_length).sum::<usize>();
        let mut out = Vec::with_capacity(payload_length + 3);
        put_list_header(payload_length, &mut out);
        for field in frontier {
            field.encode(&mut out);
        }
        for field in &tail {
            match field {
                Tail::U64(v) => v.encode(&mut out),
                Tail::Hash(h) => h.encode(&mut out),
            }
        }
        Ok(out)
    }

    /// The block hash, `keccak256(rlp(header))`.
    pub fn hash(&self) -> Result<B256, ExecutionError> {
        Ok(keccak256(self.encode_rlp()?))
    }

    /// Decodes a canonical RLP header of 15 (Frontier) to 21 (Prague) fields.
    ///
    /// Headers with fields beyond Prague's are rejected with
    /// [`ExecutionError::UnknownHeaderFields`]: use [`super::read_header_fields`] for those.
    pub fn decode_rlp(bytes: &[u8]) -> Result<Self, ExecutionError> {
        let payload = Item::exact(bytes, "header")?.list("header")?;
        let items = list_items(payload, "header field")?;
        let count = items.len();
        if count < super::FRONTIER_HEADER_FIELDS {
            return Err(ExecutionError::HeaderFieldCount {
                got: count,
                min: super::FRONTIER_HEADER_FIELDS,
            });
        }
        if count > PRAGUE_HEADER_FIELDS {
            return Err(ExecutionError::UnknownHeaderFields {
                got: count,
                max: PRAGUE_HEADER_FIELDS,
            });
        }
        let mut it = items.into_iter();
        let mut next = |field: &'static str| {
            it.next()
                .ok_or(ExecutionError::HeaderFieldCount {
                    got: count,
                    min: super::FRONTIER_HEADER_FIELDS,
                })
                .map(|item| (item, field))
        };
        let hash =
            |(item, field): (Item<'_>, &'static str)| item.fixed::<32>(field).map(B256::from);
        let int = |(item, field): (Item<'_>, &'static str)| item.u64(field);
        let mut header = Self {
            parent_hash: hash(next("header.parent_hash")?)?,
            ommers_hash: hash(next("header.ommers_hash")?)?,
            beneficiary: {
                let (item, field) = next("header.beneficiary")?;
                Address::from(item.fixed::<20>(field)?)
            },
            state_root: hash(next("header.state_root")?)?,
            transactions_root: hash(next("header.transactions_root")?)?,
            receipts_root: hash(next("header.receipts_root")?)?,
            logs_bloom: {
                let (item, field) = next("header.logs_bloom")?;
                Bloom::from(item.fixed::<256>(field)?)
            },
            difficulty: {
                let (item, field) = next("header.difficulty")?;
                let bytes = item.string(field)?;
                if bytes.len() > 32 || bytes.first() == Some(&0) {
                    return Err(ExecutionError::InvalidInteger { field, max_bytes: 32 });
                }
                U256::from_be_slice(bytes)
            },
            number: int(next("header.number")?)?,
            gas_limit: int(next("header.gas_limit")?)?,
            gas_used: int(next("header.gas_used")?)?,
            timestamp: int(next("header.timestamp")?)?,
            extra_data: {
                let (item, field) = next("header.extra_data")?;
                Bytes::copy_from_slice(item.string(field)?)
            },
            mix_hash: hash(next("header.mix_hash")?)?,
            nonce: {
                let (item, field) = next("header.nonce")?;
                B64::from(item.fixed::<8>(field)?)
            },
            ..Self::default()
        };
        if count > 15 {
            header.base_fee_per_gas = Some(int(next("header.base_fee_per_gas")?)?);
        }
        if count > 16 {
            header.withdrawals_root = Some(hash(next("header.withdrawals_root")?)?);
        }
        if count > 17 {
            header.blob_gas_used = Some(int(next("header.blob_gas_used")?)?);
        }
        if count > 18 {
            header.excess_blob_gas = Some(int(next("header.excess_blob_gas")?)?);
        }
        if count > 19 {
            header.parent_beacon_block_root = Some(hash(next("header.parent_beacon_block_root")?)?);
        }
        if count > 20 {
            header.requests_hash = Some(hash(next("header.requests_hash")?)?);
        }
        Ok(header)
    }

    /// Reads the header of an `eth_getBlockByNumber` / `eth_getBlockByHash` result object (the bare
    /// `result`, with or without full transactions), returning it with the `hash` the node claimed.
    ///
    /// Every other member of the block object (transactions, size, totalDifficulty, uncles,
    /// withdrawals, …) is ignored.
    pub fn from_json_rpc(block: &serde_json::Value) -> Result<RpcBlockHeader, ExecutionError> {
        let rpc = RpcHeader::deserialize(block)
            .map_err(|e| ExecutionError::Json { context: "block".into(), reason: e.to_string() })?;
        let header = Self {
            parent_hash: rpc.parent_hash,
            ommers_hash: rpc.sha3_uncles,
            beneficiary: rpc.miner,
            state_root: rpc.state_root,
            transactions_root: rpc.transactions_root,
            receipts_root: rpc.receipts_root,
            logs_bloom: rpc.logs_bloom,
            difficulty: rpc.difficulty.0,
            number: rpc.number.0,
            gas_limit: rpc.gas_limit.0,
            gas_used: rpc.gas_used.0,
            timestamp: rpc.timestamp.0,
            extra_data: rpc.extra_data,
            mix_hash: rpc.mix_hash,
            nonce: rpc.nonce,
            base_fee_per_gas: rpc.base_fee_per_gas.map(|q| q.0),
            withdrawals_root: rpc.withdrawals_root,
            blob_gas_used: rpc.blob_gas_used.map(|q| q.0),
            excess_blob_gas: rpc.excess_blob_gas.map(|q| q.0),
            parent_beacon_block_root: rpc.parent_beacon_block_root,
            requests_hash: rpc.requests_hash,
        };
        header.validate_fork_fields()?;
        Ok(RpcBlockHeader { header, claimed_hash: rpc.hash })
    }

    /// [`Self::from_json_rpc`] on JSON text (the bare block object).
    pub fn from_json_rpc_text(text: &str) -> Result<RpcBlockHeader, ExecutionError> {
        Self::from_json_rpc(&json::parse_json(text, "block")?)
    }
}

/// A header read from a JSON-RPC block object, with the hash the node claimed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcBlockHeader {
    /// The header.
    pub header: ExecutionHeader,
    /// The block object's `hash` member, if any (`null` for pending blocks).
    pub claimed_hash: Option<B256>,
}

/// The JSON-RPC block object, header members only (camelCase as the execution API spec names them:
/// <https://github.com/ethereum/execution-apis/blob/main/src/schemas/block.yaml>).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcHeader {
    #[serde(default)]
    hash: Option<B256>,
    parent_hash: B256,
    sha3_uncles: B256,
    miner: Address,
    state_root: B256,
    transactions_root: B256,
    receipts_root: B256,
    logs_bloom: Bloom,
    difficulty: json::QuantityU256,
    number: json::Quantity,
    gas_limit: json::Quantity,
    gas_used: json::Quantity,
    timestamp: json::Quantity,
    extra_data: Bytes,
    mix_hash: B256,
    nonce: B64,
    #[serde(default)]
    base_fee_per_gas: Option<json::Quantity>,
    #[serde(default)]
    withdrawals_root: Option<B256>,
    #[serde(default)]
    blob_gas_used: Option<json::Quantity>,
    #[serde(default)]
    excess_blob_gas: Option<json::Quantity>,
    #[serde(default)]
    parent_beacon_block_root: Option<B256>,
    #[serde(default)]
    requests_hash: Option<B256>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_in_the_fork_fields_is_rejected() {
        let header = ExecutionHeader {
            base_fee_per_gas: Some(7),
            blob_gas_used: Some(0),
            ..ExecutionHeader::default()
        };
        assert_eq!(
            header.encode_rlp(),
            Err(ExecutionError::HeaderFieldGap {
                field: "blobGasUsed",
                missing: "withdrawalsRoot"
            })
        );
    }

    #[test]
    fn rlp_round_trips_for_every_fork_shape() -> Result<(), ExecutionError> {
        let mut header = ExecutionHeader {
            parent_hash: B256::repeat_byte(1),
            difficulty: U256::from(131_072u64),
            number: 1,
            gas_limit: 5000,
            timestamp: 1_438_269_988,
            extra_data: Bytes::from_static(b"frontier"),
            nonce: B64::repeat_byte(0x42),
            ..ExecutionHeader::default()
        };
        let mut shapes = vec![header.clone()];
        header.base_fee_per_gas = Some(1_000_000_000);
        shapes.push(header.clone());
        header.withdrawals_root = Some(B256::repeat_byte(2));
        shapes.push(header.clone());
        header.blob_gas_used = Some(131_072);
        header.excess_blob_gas = Some(0);
        header.parent_beacon_block_root = Some(B256::repeat_byte(3));
        shapes.push(header.clone());
        header.requests_hash = Some(B256::repeat_byte(4));
        shapes.push(header);
        for (i, shape) in shapes.iter().enumerate() {
            let rlp = shape.encode_rlp()?;
            assert_eq!(&ExecutionHeader::decode_rlp(&rlp)?, shape, "shape {i}");
            let fields = super::super::read_header_fields(&rlp)?;
            assert_eq!(fields.hash, shape.hash()?);
            assert_eq!((fields.number, fields.timestamp), (shape.number, shape.timestamp));
        }
        Ok(())
    }

    #[test]
    fn a_non_canonical_difficulty_is_rejected() -> Result<(), ExecutionError> {
        let header = ExecutionHeader::default();
        let rlp = header.encode_rlp()?;
        // difficulty 0 is encoded 0x80; find it after the bloom and re-encode it as 0x00.
        let position = 1 + 2 + 33 * 2 + 21 + 33 * 3 + 259;
        let mut bad = rlp.clone();
        assert_eq!(bad.get(position), Some(&0x80));
        if let Some(b) = bad.get_mut(position) {
            *b = 0x00;
        }
        assert!(matches!(
            ExecutionHeader::decode_rlp(&bad),
            Err(ExecutionError::InvalidInteger { field: "header.difficulty", .. })
        ));
        Ok(())
    }
}
