//! `pegd eth verify-receipts` as a process: the three mainnet vector blocks, their bare `result`s,
//! tampered copies, a synthetic Prague block with type-4 receipts, and unreadable input.

use std::path::{Path, PathBuf};
use std::process::Command;

use alloy_primitives::B256;
use light_client::execution::{compute_receipts_root, ExecutionHeader, Receipt};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const BLOCKS: [u64; 3] = [15_573_637, 19_433_902, 19_433_903];

fn vector(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/mainnet-execution")
        .join(name)
}

fn read_json(path: &Path) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// Writes `value` to a fresh file under the test's scratch directory.
fn write_json(name: &str, value: &Value) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify_receipts");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(value)?)?;
    Ok(path)
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn report(&self) -> Result<Value, Box<dyn std::error::Error>> {
        let line = self.stdout.lines().next().ok_or("no output")?;
        assert_eq!(self.stdout.lines().count(), 1, "one object on stdout: {}", self.stdout);
        Ok(serde_json::from_str(line)?)
    }
}

fn run(block: &Path, receipts: &Path) -> Result<Run, Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_pegd"))
        .args(["eth", "verify-receipts", "--block"])
        .arg(block)
        .arg("--receipts")
        .arg(receipts)
        .output()?;
    Ok(Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout)?,
        stderr: String::from_utf8(output.stderr)?,
    })
}

#[test]
fn the_three_mainnet_blocks_verify() -> TestResult {
    for n in BLOCKS {
        let block = vector(&format!("block-{n}.json"));
        let out = run(&block, &vector(&format!("receipts-{n}.json")))?;
        assert_eq!(out.code, Some(0), "block {n}: {}", out.stderr);
        let report = out.report()?;
        let claimed = read_json(&block)?["result"]["hash"].clone();
        let receipts = read_json(&vector(&format!("receipts-{n}.json")))?["result"]
            .as_array()
            .map(Vec::len)
            .ok_or("receipts")?;
        assert_eq!(
            report,
            json!({
                "block_number": n,
                "block_hash": claimed,
                "receipts": receipts,
                "header_hash_ok": true,
                "receipts_root_ok": true,
            })
        );
        assert!(out.stderr.is_empty(), "{}", out.stderr);
    }
    Ok(())
}

#[test]
fn bare_results_are_accepted() -> TestResult {
    let n = 19_433_903;
    let block = read_json(&vector(&format!("block-{n}.json")))?["result"].clone();
    let receipts = read_json(&vector(&format!("receipts-{n}.json")))?["result"].clone();
    let out = run(
        &write_json("bare-block.json", &block)?,
        &write_json("bare-receipts.json", &receipts)?,
    )?;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.report()?["receipts_root_ok"], json!(true));
    Ok(())
}

#[test]
fn a_tampered_header_fails_the_hash_check() -> TestResult {
    let n = 19_433_902;
    let mut block = read_json(&vector(&format!("block-{n}.json")))?;
    block["result"]["gasUsed"] = json!("0x1");
    let out =
        run(&write_json("tampered-header.json", &block)?, &vector(&format!("receipts-{n}.json")))?;
    assert_eq!(out.code, Some(1));
    let report = out.report()?;
    assert_eq!(report["header_hash_ok"], json!(false));
    assert_eq!(report["receipts_root_ok"], json!(true));
    assert!(out.stderr.contains("header hash mismatch"), "{}", out.stderr);
    Ok(())
}

#[test]
fn an_unknown_header_member_is_named_when_the_hash_fails() -> TestResult {
    let n = 19_433_903;
    let mut block = read_json(&vector(&format!("block-{n}.json")))?;
    block["result"]["blockAccessListHash"] = json!(format!("{}", B256::repeat_byte(1)));
    block["result"]["hash"] = json!(format!("{}", B256::repeat_byte(2)));
    let out =
        run(&write_json("future-header.json", &block)?, &vector(&format!("receipts-{n}.json")))?;
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("blockAccessListHash"), "{}", out.stderr);
    Ok(())
}

#[test]
fn a_tampered_receipt_fails_the_root_check() -> TestResult {
    let n = 15_573_637;
    let mut receipts = read_json(&vector(&format!("receipts-{n}.json")))?;
    receipts["result"][5]["cumulativeGasUsed"] = json!("0x1");
    let out = run(
        &vector(&format!("block-{n}.json")),
        &write_json("tampered-receipts.json", &receipts)?,
    )?;
    assert_eq!(out.code, Some(1));
    let report = out.report()?;
    assert_eq!(report["header_hash_ok"], json!(true));
    assert_eq!(report["receipts_root_ok"], json!(false));
    assert!(out.stderr.contains("receipts root mismatch"), "{}", out.stderr);

    // A missing receipt: the list must stay in index order, and the root changes.
    let mut receipts = read_json(&vector(&format!("receipts-{n}.json")))?;
    if let Some(list) = receipts["result"].as_array_mut() {
        list.pop();
    }
    let out =
        run(&vector(&format!("block-{n}.json")), &write_json("short-receipts.json", &receipts)?)?;
    assert_eq!(out.code, Some(1));
    assert_eq!(out.report()?["receipts_root_ok"], json!(false));

    // Receipts out of order are refused before any root is computed.
    let mut receipts = read_json(&vector(&format!("receipts-{n}.json")))?;
    if let Some(list) = receipts["result"].as_array_mut() {
        list.swap(0, 1);
    }
    let out =
        run(&vector(&format!("block-{n}.json")), &write_json("swapped-receipts.json", &receipts)?)?;
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("transactionIndex"), "{}", out.stderr);
    Ok(())
}

#[test]
fn receipts_of_another_block_are_rejected() -> TestResult {
    let out = run(&vector("block-19433902.json"), &vector("receipts-19433903.json"))?;
    assert_eq!(out.code, Some(1));
    assert_eq!(out.report()?["receipts_root_ok"], json!(false));
    assert!(out.stderr.contains("belongs to block 19433903"), "{}", out.stderr);
    Ok(())
}

#[test]
fn unreadable_input_exits_1_with_a_reason() -> TestResult {
    let block = vector("block-19433903.json");
    let receipts = vector("receipts-19433903.json");
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("does-not-exist.json");
    let out = run(&missing, &receipts)?;
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("does-not-exist.json"), "{}", out.stderr);

    let garbage = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("garbage.json");
    std::fs::write(&garbage, b"{not json")?;
    let out = run(&block, &garbage)?;
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("invalid JSON"), "{}", out.stderr);

    let error = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "header not found"}});
    let out = run(&write_json("rpc-error.json", &error)?, &receipts)?;
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("header not found"), "{}", out.stderr);

    let mut bad = read_json(&block)?;
    bad["result"]["receiptsRoot"] = json!("0x1234");
    let out = run(&write_json("bad-root.json", &bad)?, &receipts)?;
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("bad-root.json"), "{}", out.stderr);
    Ok(())
}

/// A Prague-shaped block (requestsHash) with a type-4 receipt among others, made self-consistent:
/// the tool must parse every field and get both checks right.
#[test]
fn a_prague_block_with_type_4_receipts_verifies() -> TestResult {
    let n = 19_433_903;
    let mut receipts = read_json(&vector(&format!("receipts-{n}.json")))?;
    let list = receipts["result"].as_array_mut().ok_or("receipts")?;
    // Turn a type-2 receipt into a type-4 one.
    let position = list.iter().position(|r| r["type"] == json!("0x2")).ok_or("no type 2")?;
    list[position]["type"] = json!("0x4");
    let parsed = Receipt::list_from_json_rpc(&receipts["result"])?;
    let root = compute_receipts_root(&parsed.iter().map(|r| r.receipt.clone()).collect::<Vec<_>>());

    let mut block = read_json(&vector(&format!("block-{n}.json")))?;
    block["result"]["requestsHash"] =
        json!("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    block["result"]["receiptsRoot"] = json!(format!("{root}"));
    let header = ExecutionHeader::from_json_rpc(&block["result"])?.header;
    assert_eq!(header.requests_hash.map(|h| h.0[0]), Some(0xe3));
    let hash = header.hash()?;
    block["result"]["hash"] = json!(format!("{hash}"));
    // The receipts' blockHash follows the new hash.
    for r in receipts["result"].as_array_mut().ok_or("receipts")? {
        r["blockHash"] = json!(format!("{hash}"));
    }
    let out = run(
        &write_json("prague-block.json", &block)?,
        &write_json("prague-receipts.json", &receipts)?,
    )?;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let report = out.report()?;
    assert_eq!(report["block_hash"], json!(format!("{hash}")));
    assert_eq!(report["header_hash_ok"], json!(true));
    assert_eq!(report["receipts_root_ok"], json!(true));

    // Dropping the type-4 override breaks the root: the type byte is committed.
    let original = read_json(&vector(&format!("receipts-{n}.json")))?;
    let out = run(
        &write_json("prague-block-2.json", &block)?,
        &write_json("prague-receipts-orig.json", &original)?,
    )?;
    assert_eq!(out.code, Some(1));
    Ok(())
}
