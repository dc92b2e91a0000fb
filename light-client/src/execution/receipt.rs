//! Transaction receipts: the consensus encodings (the values of the receipts trie), JSON-RPC
//! receipts, and log extraction.
//!
//! Encodings (what the receipts trie stores under `rlp(tx_index)`):
//! - legacy (type 0): `rlp([outcome, cumulative_gas_used, logs_bloom, logs])` (Yellow Paper §4.3.1);
//! - typed (EIP-2718): `type ‖ rlp([status, cumulative_gas_used, logs_bloom, logs])` for type 1
//!   (EIP-2930), 2 (EIP-1559), 3 (EIP-4844) and 4 (EIP-7702);
//! - `outcome` is the status (EIP-658, Byzantium: `0x` for failure, `0x01` for success) or, before
//!   Byzantium, the 32-byte post-transaction state root;
//! - `logs = [[address, [topic…], data]…]`.
//!
//! Decoding follows geth (`core/types/receipt.go`): a status is exactly `0x` or `0x01`, anything else
//! but a 32-byte root is rejected, and unknown type bytes are rejected.

use alloy_primitives::{Address, Bloom, Bytes, B256};
use alloy_rlp::Encodable;
use serde::Deserialize;

use super::error::ExecutionError;
use super::json::{self, parse_json};
use super::rlp::{list_items, put_list_header, Item};

/// The EIP-2718 type of the transaction a receipt belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TxType {
    /// Untyped (legacy) transaction; also every pre-Berlin transaction.
    Legacy = 0,
    /// EIP-2930 access-list transaction (Berlin).
    Eip2930 = 1,
    /// EIP-1559 dynamic-fee transaction (London).
    Eip1559 = 2,
    /// EIP-4844 blob transaction (Cancun).
    Eip4844 = 3,
    /// EIP-7702 set-code transaction (Prague).
    Eip7702 = 4,
}

impl TxType {
    /// The type byte.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}

impl TryFrom<u8> for TxType {
    type Error = ExecutionError;

    fn try_from(value: u8) -> Result<Self, ExecutionError> {
        match value {
            0 => Ok(Self::Legacy),
            1 => Ok(Self::Eip2930),
            2 => Ok(Self::Eip1559),
            3 => Ok(Self::Eip4844),
            4 => Ok(Self::Eip7702),
            other => Err(ExecutionError::UnsupportedReceiptType(other)),
        }
    }
}

/// The first receipt field: the EIP-658 status, or the pre-Byzantium post-transaction state root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiptOutcome {
    /// Byzantium and later: whether the transaction succeeded.
    Status(bool),
    /// Before Byzantium: the state root after the transaction.
    PostState(B256),
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Log {
    /// The emitting contract.
    pub address: Address,
    /// Topics (at most four in practice; `topics[0]` is the event signature for Solidity events).
    pub topics: Vec<B256>,
    /// Non-indexed data.
    pub data: Bytes,
}

impl Log {
    /// The first topic (the event signature hash of a non-anonymous Solidity event).
    pub fn topic0(&self) -> Option<&B256> {
        self.topics.first()
    }

    fn payload_length(&self) -> usize {
        self.address.length() + topics_length(&self.topics).1 + self.data.length()
    }

    fn encode(&self, out: &mut Vec<u8>) {
        put_list_header(self.payload_length(), out);
        self.address.encode(out);
        let (payload, _) = topics_length(&self.topics);
        put_list_header(payload, out);
        for topic in &self.topics {
            topic.encode(out);
        }
        self.data.encode(out);
    }

    fn decode(item: Item<'_>, index: usize) -> Result<Self, ExecutionError> {
        let fields = list_items(item.list("log")?, "log field")?;
        let [address, topics, data] = fields.as_slice() else {
            return Err(ExecutionError::LogFieldCount { index, got: fields.len() });
        };
        let topics = list_items(topics.list("log.topics")?, "log topic")?
            .into_iter()
            .map(|t| t.fixed::<32>("log.topic").map(B256::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            address: Address::from(address.fixed::<20>("log.address")?),
            topics,
            data: Bytes::copy_from_slice(data.string("log.data")?),
        })
    }
}

/// (payload length, full length) of the topics list.
fn topics_length(topics: &[B256]) -> (usize, usize) {
    let payload = topics.len() * 33;
    (payload, alloy_rlp::length_of_length(payload) + payload)
}

/// A transaction receipt as committed to by a block's `receipts_root`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Receipt {
    /// The transaction type (the envelope type byte; `Legacy` is unprefixed).
    pub tx_type: TxType,
    /// Status or pre-Byzantium state root.
    pub outcome: ReceiptOutcome,
    /// Gas used in the block up to and including this transaction.
    pub cumulative_gas_used: u64,
    /// Bloom filter of this receipt's logs.
    pub logs_bloom: Bloom,
    /// The logs, in emission order.
    pub logs: Vec<Log>,
}

impl Receipt {
    /// `Some(true)` for a successful transaction, `Some(false)` for a reverted one, `None` for a
    /// pre-Byzantium receipt (which records a state root instead).
    pub fn is_success(&self) -> Option<bool> {
        match self.outcome {
            ReceiptOutcome::Status(ok) => Some(ok),
            ReceiptOutcome::PostState(_) => None,
        }
    }

    /// The log at `index` within this receipt.
    pub fn log(&self, index: usize) -> Result<&Log, ExecutionError> {
        self.logs
            .get(index)
            .ok_or(ExecutionError::LogIndexOutOfRange { index, count: self.logs.len() })
    }

    /// The logs emitted by `address`, with their index within the receipt.
    pub fn logs_from(&self, address: Address) -> impl Iterator<Item = (usize, &Log)> + '_ {
        self.logs.iter().enumerate().filter(move |(_, log)| log.address == address)
    }

    /// The logs emitted by `address` whose first topic is `topic0` (one event type of one contract),
    /// with their index within the receipt.
    pub fn events(
        &self,
        address: Address,
        topic0: B256,
    ) -> impl Iterator<Item = (usize, &Log)> + '_ {
        self.logs_from(address).filter(move |(_, log)| log.topic0() == Some(&topic0))
    }

    /// The bloom filter of the logs, recomputed (Yellow Paper §4.3.1, `M`): address and each topic.
    pub fn compute_logs_bloom(&self) -> Bloom {
        let mut bloom = Bloom::ZERO;
        for log in &self.logs {
            bloom.accrue(alloy_primitives::BloomInput::Raw(log.address.as_slice()));
            for topic in &log.topics {
                bloom.accrue(alloy_primitives::BloomInput::Raw(topic.as_slice()));
            }
        }
        bloom
    }

    fn payload_length(&self) -> usize {
        let outcome = match &self.outcome {
            ReceiptOutcome::Status(_) => 1,
            ReceiptOutcome::PostState(root) => root.length(),
        };
        let logs: usize = self
            .logs
            .iter()
            .map(|l| {
                let p = l.payload_length();
                alloy_rlp::length_of_length(p) + p
            })
            .sum();
        outcome
            + self.cumulative_gas_used.length()
            + self.logs_bloom.length()
            + alloy_rlp::length_of_length(logs)
            + logs
    }

    /// Length of [`Self::encode_2718`]'s output.
    pub fn encoded_length(&self) -> usize {
        let p = self.payload_length();
        usize::from(self.tx_type != TxType::Legacy) + alloy_rlp::length_of_length(p) + p
    }

    /// Appends the consensus encoding (the receipts-trie value): `rlp(body)` for a legacy receipt,
    /// `type ‖ rlp(body)` for a typed one (EIP-2718).
    ///
    /// A `PostState` outcome on a typed receipt is encoded as given, though
    /// [`Self::decode_2718`] would reject it: no consensus receipt has one.
    pub fn encode_2718(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_length());
        if self.tx_type != TxType::Legacy {
            out.push(self.tx_type.as_u8());
        }
        put_list_header(self.payload_length(), out);
        match &self.outcome {
            ReceiptOutcome::Status(true) => out.push(0x01),
            ReceiptOutcome::Status(false) => out.push(alloy_rlp::EMPTY_STRING_CODE),
            ReceiptOutcome::PostState(root) => root.encode(out),
        }
        self.cumulative_gas_used.encode(out);
        self.logs_bloom.encode(out);
        let logs: usize = self
            .logs
            .iter()
            .map(|l| {
                let p = l.payload_length();
                alloy_rlp::length_of_length(p) + p
            })
            .sum();
        put_list_header(logs, out);
        for log in &self.logs {
            log.encode(out);
        }
    }

    /// The consensus encoding as a new vector.
    pub fn encoded_2718(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_length());
        self.encode_2718(&mut out);
        out
    }

    /// Decodes a consensus-encoded receipt (a receipts-trie value): a legacy RLP list, or a type byte
    /// 1..=4 followed by an RLP list, with nothing after it.
    pub fn decode_2718(bytes: &[u8]) -> Result<Self, ExecutionError> {
        let (tx_type, body) = match bytes.first() {
            None => {
                return Err(ExecutionError::Rlp {
                    context: "receipt",
                    source: alloy_rlp::Error::InputTooShort,
                })
            }
            Some(&b) if b >= alloy_rlp::EMPTY_LIST_CODE => (TxType::Legacy, bytes),
            Some(&b) if b < alloy_rlp::EMPTY_STRING_CODE => match TxType::try_from(b)? {
                TxType::Legacy => return Err(ExecutionError::UnsupportedReceiptType(0)),
                typed => (typed, bytes.get(1..).unwrap_or_default()),
            },
            Some(_) => return Err(ExecutionError::ExpectedList { context: "receipt" }),
        };
        let payload = Item::exact(body, "receipt")?.list("receipt")?;
        let fields = list_items(payload, "receipt field")?;
        let [outcome, cumulative_gas_used, logs_bloom, logs] = fields.as_slice() else {
            return Err(ExecutionError::ReceiptFieldCount { got: fields.len(), expected: 4 });
        };
        let outcome = match outcome.string("receipt.status")? {
            [] => ReceiptOutcome::Status(false),
            [1] => ReceiptOutcome::Status(true),
            root if root.len() == 32 => {
                if tx_type != TxType::Legacy {
                    return Err(ExecutionError::PostStateInTypedReceipt {
                        tx_type: tx_type.as_u8(),
                    });
                }
                ReceiptOutcome::PostState(B256::from_slice(root))
            }
            other => return Err(ExecutionError::InvalidReceiptOutcome { len: other.len() }),
        };
        let logs = list_items(logs.list("receipt.logs")?, "log")?
            .into_iter()
            .enumerate()
            .map(|(i, item)| Log::decode(item, i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            tx_type,
            outcome,
            cumulative_gas_used: cumulative_gas_used.u64("receipt.cumulative_gas_used")?,
            logs_bloom: Bloom::from(logs_bloom.fixed::<256>("receipt.logs_bloom")?),
            logs,
        })
    }

    /// Reads one `eth_getTransactionReceipt` / `eth_getBlockReceipts` receipt object.
    pub fn from_json_rpc(receipt: &serde_json::Value) -> Result<RpcReceipt, ExecutionError> {
        Self::from_json_rpc_in(receipt, || "receipt".to_owned())
    }

    fn from_json_rpc_in(
        receipt: &serde_json::Value,
        context: impl Fn() -> String,
    ) -> Result<RpcReceipt, ExecutionError> {
        let json_error = |reason: String| ExecutionError::Json { context: context(), reason };
        let rpc = RpcReceiptJson::deserialize(receipt).map_err(|e| json_error(e.to_string()))?;
        let tx_type = match rpc.r#type {
            // Pre-Berlin nodes do not report a type: every such receipt is legacy.
            None => TxType::Legacy,
            Some(json::Quantity(t)) => {
                let byte = u8::try_from(t).map_err(|_| json_error(format!("type {t:#x}")))?;
                TxType::try_from(byte)?
            }
        };
        let root = rpc.root.filter(|r| !r.is_empty());
        let outcome = match (root, rpc.status) {
            (Some(root), None) => {
                let root =
                    B256::try_from(root.as_ref()).map_err(|_| ExecutionError::FieldLength {
                        field: "receipt.root",
                        got: root.len(),
                        expected: 32,
                    })?;
                if tx_type != TxType::Legacy {
                    return Err(ExecutionError::PostStateInTypedReceipt {
                        tx_type: tx_type.as_u8(),
                    });
                }
                ReceiptOutcome::PostState(root)
            }
            (None, Some(json::Quantity(0))) => ReceiptOutcome::Status(false),
            (None, Some(json::Quantity(1))) => ReceiptOutcome::Status(true),
            (None, Some(json::Quantity(other))) => {
                return Err(json_error(format!("status {other:#x} is neither 0x0 nor 0x1")))
            }
            (None, None) => return Err(json_error("neither status nor root".into())),
            (Some(_), Some(_)) => return Err(json_error("both status and a state root".into())),
        };
        Ok(RpcReceipt {
            receipt: Self {
                tx_type,
                outcome,
                cumulative_gas_used: rpc.cumulative_gas_used.0,
                logs_bloom: rpc.logs_bloom,
                logs: rpc
                    .logs
                    .into_iter()
                    .map(|l| Log { address: l.address, topics: l.topics, data: l.data })
                    .collect(),
            },
            transaction_index: rpc.transaction_index.0,
            transaction_hash: rpc.transaction_hash,
            block_hash: rpc.block_hash,
            block_number: rpc.block_number.map(|q| q.0),
        })
    }

    /// [`Self::from_json_rpc`] on JSON text (the bare receipt object).
    pub fn from_json_rpc_text(text: &str) -> Result<RpcReceipt, ExecutionError> {
        Self::from_json_rpc(&parse_json(text, "receipt")?)
    }

    /// [`Self::list_from_json_rpc`] on JSON text (the bare array).
    pub fn list_from_json_rpc_text(text: &str) -> Result<Vec<RpcReceipt>, ExecutionError> {
        Self::list_from_json_rpc(&parse_json(text, "receipts")?)
    }

    /// Reads an `eth_getBlockReceipts` result (a JSON array of receipt objects), checking that the
    /// receipts are in transaction-index order `0, 1, 2, …`.
    pub fn list_from_json_rpc(
        receipts: &serde_json::Value,
    ) -> Result<Vec<RpcReceipt>, ExecutionError> {
        let array = receipts.as_array().ok_or_else(|| ExecutionError::Json {
            context: "receipts".into(),
            reason: "expected a JSON array of receipt objects".into(),
        })?;
        array
            .iter()
            .enumerate()
            .map(|(position, value)| {
                let rpc = Self::from_json_rpc_in(value, || format!("receipt {position}"))?;
                if u64::try_from(position).ok() != Some(rpc.transaction_index) {
                    return Err(ExecutionError::ReceiptIndexMismatch {
                        position,
                        got: rpc.transaction_index,
                    });
                }
                Ok(rpc)
            })
            .collect()
    }
}

/// A receipt read from JSON-RPC, with the context members the node reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcReceipt {
    /// The consensus receipt.
    pub receipt: Receipt,
    /// `transactionIndex`.
    pub transaction_index: u64,
    /// `transactionHash`, if reported.
    pub transaction_hash: Option<B256>,
    /// `blockHash`, if reported.
    pub block_hash: Option<B256>,
    /// `blockNumber`, if reported.
    pub block_number: Option<u64>,
}

/// The JSON-RPC receipt object (execution API spec `ReceiptInfo`), consensus members only.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcReceiptJson {
    #[serde(default)]
    r#type: Option<json::Quantity>,
    #[serde(default)]
    status: Option<json::Quantity>,
    #[serde(default)]
    root: Option<Bytes>,
    cumulative_gas_used: json::Quantity,
    logs_bloom: Bloom,
    logs: Vec<RpcLog>,
    transaction_index: json::Quantity,
    #[serde(default)]
    transaction_hash: Option<B256>,
    #[serde(default)]
    block_hash: Option<B256>,
    #[serde(default)]
    block_number: Option<json::Quantity>,
}

#[derive(Deserialize)]
struct RpcLog {
    address: Address,
    topics: Vec<B256>,
    data: Bytes,
}
