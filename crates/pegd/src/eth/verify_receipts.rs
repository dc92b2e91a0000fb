//! `pegd eth verify-receipts --block FILE --receipts FILE`: recompute a block's header hash and
//! receipts root from JSON-RPC responses, offline.
//!
//! Inputs are what `eth_getBlockByNumber` (or `…ByHash`, with or without full transactions) and
//! `eth_getBlockReceipts` return: the whole JSON-RPC response `{"jsonrpc", "id", "result"}` or its
//! bare `result`. Every mainnet header shape from London to Prague is accepted, and receipt types 0
//! to 4 (plus pre-Byzantium receipts).
//!
//! Output: one JSON object on stdout, `{"block_number", "block_hash", "receipts", "header_hash_ok",
//! "receipts_root_ok"}`, where `block_hash` is the recomputed `keccak256(rlp(header))`. Exit 0 only
//! when both checks hold; otherwise exit 1 with one line per failed check on stderr. Unreadable
//! input prints no object, only the reason.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alloy_primitives::B256;
use anyhow::{bail, Context};
use light_client::execution::{compute_receipts_root, ExecutionHeader, Receipt};
use serde_json::Value;

/// Arguments of `pegd eth verify-receipts`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// `eth_getBlockByNumber` response (JSON-RPC response or its bare `result`).
    #[arg(long, value_name = "FILE")]
    pub block: PathBuf,
    /// `eth_getBlockReceipts` response (JSON-RPC response or its bare `result`).
    #[arg(long, value_name = "FILE")]
    pub receipts: PathBuf,
}

/// Members of a JSON-RPC block object that are not header fields (execution-apis `Block` schema and
/// common client extensions). Any other member this tool does not type is reported when the header
/// hash does not recompute: it is likely a header field of a fork newer than Prague.
const KNOWN_BLOCK_MEMBERS: &[&str] = &[
    "hash",
    "parentHash",
    "sha3Uncles",
    "miner",
    "stateRoot",
    "transactionsRoot",
    "receiptsRoot",
    "logsBloom",
    "difficulty",
    "number",
    "gasLimit",
    "gasUsed",
    "timestamp",
    "extraData",
    "mixHash",
    "nonce",
    "baseFeePerGas",
    "withdrawalsRoot",
    "blobGasUsed",
    "excessBlobGas",
    "parentBeaconBlockRoot",
    "requestsHash",
    "size",
    "totalDifficulty",
    "transactions",
    "uncles",
    "withdrawals",
    "sealFields",
    "author",
];

/// The result of the two checks; serialized (in this order) as the command's output.
#[derive(Debug, serde::Serialize)]
struct Report {
    block_number: u64,
    block_hash: B256,
    receipts: usize,
    header_hash_ok: bool,
    receipts_root_ok: bool,
    /// Why a check failed, one line each (stderr, not part of the object).
    #[serde(skip)]
    failures: Vec<String>,
}

/// Runs the command: prints the report, returns exit code 0 only when both checks hold.
pub fn run(args: Args) -> ExitCode {
    match verify(&args) {
        Ok(report) => {
            match serde_json::to_string(&report) {
                Ok(object) => println!("{object}"),
                Err(error) => {
                    eprintln!("verify-receipts: cannot print the report: {error}");
                    return ExitCode::FAILURE;
                }
            }
            if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                for failure in &report.failures {
                    eprintln!("verify-receipts: {failure}");
                }
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("verify-receipts: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a JSON-RPC response file and returns its `result` (or the whole value if it is not a
/// response envelope).
fn read_result(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut value: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: invalid JSON", path.display()))?;
    let is_envelope = value.get("jsonrpc").is_some()
        || (value.get("id").is_some()
            && (value.get("result").is_some() || value.get("error").is_some()));
    if !is_envelope {
        return Ok(value);
    }
    if let Some(error) = value.get("error") {
        bail!("{}: the JSON-RPC response is an error: {error}", path.display());
    }
    match value.get_mut("result").map(Value::take) {
        Some(Value::Null) | None => {
            bail!("{}: the JSON-RPC response has no result", path.display())
        }
        Some(result) => Ok(result),
    }
}

fn verify(args: &Args) -> anyhow::Result<Report> {
    let block_json = read_result(&args.block)?;
    let receipts_json = read_result(&args.receipts)?;
    let block_file = args.block.display();
    let receipts_file = args.receipts.display();

    let rpc_block =
        ExecutionHeader::from_json_rpc(&block_json).with_context(|| format!("{block_file}"))?;
    let header = &rpc_block.header;
    let rpc_receipts =
        Receipt::list_from_json_rpc(&receipts_json).with_context(|| format!("{receipts_file}"))?;
    tracing::debug!(number = header.number, receipts = rpc_receipts.len(), "inputs read");

    let mut failures = Vec::new();
    let block_hash = header.hash().with_context(|| format!("{block_file}"))?;
    let header_hash_ok = match rpc_block.claimed_hash {
        Some(claimed) if claimed == block_hash => true,
        Some(claimed) => {
            let mut reason = format!(
                "{block_file}: header hash mismatch: keccak256(rlp(header)) is {block_hash}, the block says {claimed}"
            );
            let unknown: Vec<&str> = block_json
                .as_object()
                .map(|o| {
                    o.keys()
                        .map(String::as_str)
                        .filter(|k| !KNOWN_BLOCK_MEMBERS.contains(k))
                        .collect()
                })
                .unwrap_or_default();
            if !unknown.is_empty() {
                reason.push_str(&format!(
                    " (members not typed by this tool, maybe header fields of a fork after Prague: {})",
                    unknown.join(", ")
                ));
            }
            failures.push(reason);
            false
        }
        None => {
            failures.push(format!("{block_file}: the block object has no hash to check against"));
            false
        }
    };

    // The receipts must be this block's, when the node says which block they belong to.
    let claimed_hash = rpc_block.claimed_hash.unwrap_or(block_hash);
    let foreign = rpc_receipts.iter().enumerate().find(|(_, r)| {
        r.block_hash.is_some_and(|h| h != claimed_hash)
            || r.block_number.is_some_and(|n| n != header.number)
    });
    if let Some((position, r)) = foreign {
        failures.push(format!(
            "{receipts_file}: receipt {position} belongs to block {} ({}), not to block {} ({claimed_hash})",
            r.block_number.map_or_else(|| "?".to_owned(), |n| n.to_string()),
            r.block_hash.map_or_else(|| "?".to_owned(), |h| h.to_string()),
            header.number,
        ));
    }

    let receipts: Vec<Receipt> = rpc_receipts.into_iter().map(|r| r.receipt).collect();
    let receipts_root = compute_receipts_root(&receipts);
    let receipts_root_ok = receipts_root == header.receipts_root;
    if !receipts_root_ok {
        failures.push(format!(
            "{receipts_file}: receipts root mismatch: the receipts give {receipts_root}, the header holds {}",
            header.receipts_root
        ));
    }
    Ok(Report {
        block_number: header.number,
        block_hash,
        receipts: receipts.len(),
        header_hash_ok,
        receipts_root_ok,
        failures,
    })
}
