//! Request and response types of the JSON-RPC methods the peg zone uses.

use alloy_primitives::{Address, Bytes, B256, U256};
use light_client::execution::{ExecutionHeader, RpcReceipt};
use serde_json::{json, Value};

use crate::error::EthRpcError;
use crate::quantity::{parse_quantity_u64, quantity};

/// A block selector: a number or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockId {
    /// A block number.
    Number(u64),
    /// `latest`.
    Latest,
    /// `finalized`.
    Finalized,
    /// `safe`.
    Safe,
    /// `pending`.
    Pending,
    /// `earliest`.
    Earliest,
}

impl BlockId {
    /// The JSON-RPC parameter (`"0x1a"`, `"latest"`, …).
    pub fn to_param(self) -> Value {
        match self {
            Self::Number(n) => Value::String(quantity(n)),
            Self::Latest => "latest".into(),
            Self::Finalized => "finalized".into(),
            Self::Safe => "safe".into(),
            Self::Pending => "pending".into(),
            Self::Earliest => "earliest".into(),
        }
    }
}

impl From<u64> for BlockId {
    fn from(n: u64) -> Self {
        Self::Number(n)
    }
}

impl std::fmt::Display for BlockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            other => write!(f, "{}", other.to_param().as_str().unwrap_or("?")),
        }
    }
}

/// A block as the node served it: the raw JSON object and its header, checked to hash to the
/// `hash` the node claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The raw `eth_getBlockByNumber` result (transactions as hashes).
    pub json: Value,
    /// The header, canonical fields only.
    pub header: ExecutionHeader,
    /// keccak256 of the header's RLP (equal to the node's `hash`).
    pub hash: B256,
}

impl Block {
    /// The block number.
    pub fn number(&self) -> u64 {
        self.header.number
    }

    /// The transaction hashes listed in the block (empty if the node sent full objects without
    /// hashes, which no conforming node does).
    pub fn transaction_hashes(&self) -> Vec<B256> {
        let Some(txs) = self.json.get("transactions").and_then(Value::as_array) else {
            return Vec::new();
        };
        txs.iter()
            .filter_map(|t| match t {
                Value::String(s) => s.parse().ok(),
                Value::Object(o) => o.get("hash").and_then(Value::as_str)?.parse().ok(),
                _ => None,
            })
            .collect()
    }

    /// Reads a block object, checking the claimed hash against the header's hash.
    pub fn from_json(json: Value) -> Result<Self, EthRpcError> {
        let rpc = ExecutionHeader::from_json_rpc(&json)
            .map_err(|source| EthRpcError::Execution { context: "block".into(), source })?;
        let hash = rpc
            .header
            .hash()
            .map_err(|source| EthRpcError::Execution { context: "block hash".into(), source })?;
        if let Some(claimed) = rpc.claimed_hash {
            if claimed != hash {
                return Err(EthRpcError::Decode {
                    method: "eth_getBlockByNumber".into(),
                    reason: format!(
                        "block {} claims hash {claimed} but its header hashes to {hash}",
                        rpc.header.number
                    ),
                });
            }
        }
        Ok(Self { json, header: rpc.header, hash })
    }
}

/// The call object of `eth_call` / `eth_estimateGas`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallRequest {
    /// Sender (`from`), if any.
    pub from: Option<Address>,
    /// Recipient; `None` deploys a contract.
    pub to: Option<Address>,
    /// Wei sent.
    pub value: U256,
    /// Calldata (or init code).
    pub data: Bytes,
    /// Gas limit, if any.
    pub gas: Option<u64>,
}

impl CallRequest {
    /// The JSON call object.
    pub fn to_json(&self) -> Value {
        let mut o = serde_json::Map::new();
        if let Some(from) = self.from {
            o.insert("from".into(), json!(from));
        }
        if let Some(to) = self.to {
            o.insert("to".into(), json!(to));
        }
        if !self.value.is_zero() {
            o.insert("value".into(), json!(quantity(self.value)));
        }
        // `input` is the spec's name, `data` the legacy one: send both (nodes take either).
        o.insert("input".into(), json!(self.data));
        o.insert("data".into(), json!(self.data));
        if let Some(gas) = self.gas {
            o.insert("gas".into(), json!(quantity(gas)));
        }
        Value::Object(o)
    }
}

/// An `eth_getLogs` filter over a closed block range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    /// First block (inclusive).
    pub from_block: BlockId,
    /// Last block (inclusive).
    pub to_block: BlockId,
    /// Emitting contracts (empty: any).
    pub addresses: Vec<Address>,
    /// `topics[0]` alternatives (empty: any).
    pub topic0: Vec<B256>,
}

impl LogFilter {
    /// The JSON filter object.
    pub fn to_json(&self) -> Value {
        let mut o = serde_json::Map::new();
        o.insert("fromBlock".into(), self.from_block.to_param());
        o.insert("toBlock".into(), self.to_block.to_param());
        if !self.addresses.is_empty() {
            o.insert("address".into(), json!(self.addresses));
        }
        if !self.topic0.is_empty() {
            o.insert("topics".into(), json!([self.topic0]));
        }
        Value::Object(o)
    }
}

/// One log of an `eth_getLogs` result, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcLog {
    /// The emitting contract.
    pub address: Address,
    /// Topics.
    pub topics: Vec<B256>,
    /// Data.
    pub data: Bytes,
    /// Block number.
    pub block_number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Transaction hash.
    pub transaction_hash: B256,
    /// Transaction index in the block.
    pub transaction_index: u64,
    /// Index of the log in the block (not in the receipt).
    pub log_index: u64,
    /// Whether the node flagged the log as removed by a reorg.
    pub removed: bool,
}

impl RpcLog {
    /// Reads one log object.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let field = |name: &str| v.get(name).ok_or_else(|| format!("log lacks {name}"));
        let string = |name: &str| -> Result<&str, String> {
            field(name)?.as_str().ok_or_else(|| format!("log {name} is not a string"))
        };
        let hash = |name: &str| -> Result<B256, String> {
            string(name)?.parse().map_err(|e| format!("log {name}: {e}"))
        };
        let number = |name: &str| -> Result<u64, String> { parse_quantity_u64(string(name)?) };
        let topics = field("topics")?
            .as_array()
            .ok_or("log topics is not an array")?
            .iter()
            .map(|t| {
                t.as_str()
                    .ok_or_else(|| "log topic is not a string".to_owned())?
                    .parse::<B256>()
                    .map_err(|e| format!("log topic: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let data_hex = string("data")?;
        let data = hex::decode(data_hex.strip_prefix("0x").unwrap_or(data_hex))
            .map_err(|e| format!("log data: {e}"))?;
        Ok(Self {
            address: string("address")?.parse().map_err(|e| format!("log address: {e}"))?,
            topics,
            data: data.into(),
            block_number: number("blockNumber")?,
            block_hash: hash("blockHash")?,
            transaction_hash: hash("transactionHash")?,
            transaction_index: number("transactionIndex")?,
            log_index: number("logIndex")?,
            removed: v.get("removed").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

/// A transaction receipt: the consensus receipt plus the members tools print.
#[derive(Debug, Clone, PartialEq)]
pub struct TxReceipt {
    /// The consensus receipt and its position.
    pub rpc: RpcReceipt,
    /// The raw JSON object.
    pub json: Value,
    /// Transaction hash.
    pub transaction_hash: B256,
    /// Block number.
    pub block_number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Gas used by this transaction.
    pub gas_used: u64,
    /// The created contract, for deployments.
    pub contract_address: Option<Address>,
}

impl TxReceipt {
    /// Whether the transaction succeeded (`status = 1`).
    pub fn succeeded(&self) -> bool {
        self.rpc.receipt.is_success() == Some(true)
    }

    /// Reads one receipt object.
    pub fn from_json(json: Value) -> Result<Self, EthRpcError> {
        let rpc = light_client::execution::Receipt::from_json_rpc(&json)
            .map_err(|source| EthRpcError::Execution { context: "receipt".into(), source })?;
        let decode = |reason: String| EthRpcError::Decode {
            method: "eth_getTransactionReceipt".into(),
            reason,
        };
        let transaction_hash =
            rpc.transaction_hash.ok_or_else(|| decode("receipt lacks transactionHash".into()))?;
        let block_number =
            rpc.block_number.ok_or_else(|| decode("receipt lacks blockNumber".into()))?;
        let block_hash = rpc.block_hash.ok_or_else(|| decode("receipt lacks blockHash".into()))?;
        let gas_used = json
            .get("gasUsed")
            .and_then(Value::as_str)
            .ok_or_else(|| decode("receipt lacks gasUsed".into()))
            .and_then(|s| parse_quantity_u64(s).map_err(decode))?;
        let contract_address = match json.get("contractAddress") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                Some(s.parse().map_err(|e| decode(format!("contractAddress: {e}")))?)
            }
            Some(other) => return Err(decode(format!("contractAddress is {other}"))),
        };
        Ok(Self {
            rpc,
            json,
            transaction_hash,
            block_number,
            block_hash,
            gas_used,
            contract_address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_and_call_json() {
        let f = LogFilter {
            from_block: BlockId::Number(1),
            to_block: BlockId::Latest,
            addresses: vec![Address::repeat_byte(0x11)],
            topic0: vec![B256::repeat_byte(0x22)],
        };
        let j = f.to_json();
        assert_eq!(j["fromBlock"], "0x1");
        assert_eq!(j["toBlock"], "latest");
        assert_eq!(j["address"][0], format!("0x{}", "11".repeat(20)));
        assert_eq!(j["topics"][0][0], format!("0x{}", "22".repeat(32)));
        let c = CallRequest { to: Some(Address::ZERO), value: U256::from(5), ..Default::default() };
        let j = c.to_json();
        assert_eq!(j["value"], "0x5");
        assert_eq!(j["input"], "0x");
        assert!(j.get("from").is_none());
    }

    #[test]
    fn reads_a_log() {
        let v = json!({
            "address": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
            "topics": ["0x0000000000000000000000000000000000000000000000000000000000000001"],
            "data": "0x0102",
            "blockNumber": "0x10", "blockHash": format!("0x{}", "ab".repeat(32)),
            "transactionHash": format!("0x{}", "cd".repeat(32)),
            "transactionIndex": "0x0", "logIndex": "0x3", "removed": false
        });
        let log = RpcLog::from_json(&v).expect("valid log");
        assert_eq!(log.block_number, 16);
        assert_eq!(log.log_index, 3);
        assert_eq!(log.data.as_ref(), &[1, 2]);
        let mut bad = v.clone();
        bad["blockNumber"] = json!(16);
        assert!(RpcLog::from_json(&bad).is_err());
    }
}

/// One storage slot of an `eth_getProof` result (EIP-1186).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageProof {
    /// The slot.
    pub key: U256,
    /// Its value as the node claims it (verify the proof before trusting it).
    pub value: U256,
    /// Storage-trie nodes, root first.
    pub proof: Vec<Bytes>,
}

/// An `eth_getProof` result (EIP-1186): the account and the requested slots, each with the trie
/// nodes that prove it under the block's state root. Nothing here is checked against a root:
/// `light_client::execution::verify_storage_slot` does that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountProof {
    /// The account.
    pub address: Address,
    /// Its balance (as claimed).
    pub balance: U256,
    /// Its code hash (as claimed).
    pub code_hash: B256,
    /// Its nonce (as claimed).
    pub nonce: u64,
    /// Its storage root (as claimed).
    pub storage_hash: B256,
    /// State-trie nodes, root first.
    pub account_proof: Vec<Bytes>,
    /// One entry per requested slot, in request order.
    pub storage_proof: Vec<StorageProof>,
}

impl AccountProof {
    /// Reads an `eth_getProof` result object.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        fn string<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
            v.get(name)
                .ok_or_else(|| format!("proof lacks {name}"))?
                .as_str()
                .ok_or_else(|| format!("proof {name} is not a string"))
        }
        fn u256(v: &Value, name: &str) -> Result<U256, String> {
            crate::quantity::parse_quantity_u256(string(v, name)?)
                .map_err(|e| format!("proof {name}: {e}"))
        }
        fn nodes(v: &Value, name: &str) -> Result<Vec<Bytes>, String> {
            v.get(name)
                .and_then(Value::as_array)
                .ok_or_else(|| format!("proof {name} is not an array"))?
                .iter()
                .map(|n| {
                    let text = n.as_str().ok_or_else(|| format!("proof {name}: not a string"))?;
                    hex::decode(text.strip_prefix("0x").unwrap_or(text))
                        .map(Bytes::from)
                        .map_err(|e| format!("proof {name}: {e}"))
                })
                .collect()
        }
        let storage_proof = v
            .get("storageProof")
            .and_then(Value::as_array)
            .ok_or("proof storageProof is not an array")?
            .iter()
            .map(|entry| {
                Ok(StorageProof {
                    key: u256(entry, "key")?,
                    value: u256(entry, "value")?,
                    proof: nodes(entry, "proof")?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            address: string(v, "address")?.parse().map_err(|e| format!("proof address: {e}"))?,
            balance: u256(v, "balance")?,
            code_hash: string(v, "codeHash")?
                .parse()
                .map_err(|e| format!("proof codeHash: {e}"))?,
            nonce: parse_quantity_u64(string(v, "nonce")?)?,
            storage_hash: string(v, "storageHash")?
                .parse()
                .map_err(|e| format!("proof storageHash: {e}"))?,
            account_proof: nodes(v, "accountProof")?,
            storage_proof,
        })
    }
}
