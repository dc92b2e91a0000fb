//! The peg zone → Ethereum half of the harness (issue 6): the `pegd tx bridge …` user commands run
//! as a user runs them, the bridge queries, reads of the PegBridge and ERC-20 contracts, and the
//! supply invariants (specs/bridge.md): vouchers in circulation equal what the contract holds, and
//! escrowed native coins equal their CosmosERC20's supply.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use peg_eth_rpc::{BlockId, CallRequest, LogFilter, TxReceipt};
use serde_json::Value;

use crate::devnet::Devnet;
use crate::process::run;
use crate::{HarnessError, Result};

/// The address of ETH in the bridge's token fields.
pub const ETH_TOKEN: Address = Address::ZERO;

/// Anvil's development key 2 (public): the Ethereum account of the first outbound relayer.
pub const RELAYER_A_ETH_KEY: &str =
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
/// Anvil's development key 3 (public): the Ethereum account of the second outbound relayer.
pub const RELAYER_B_ETH_KEY: &str =
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

/// The `[outbound]` table of a relayer's configuration (specs/relayer.md).
#[derive(Debug, Clone)]
pub struct Outbound {
    /// `0x` + 64 hex: the Ethereum account that pays gas and receives the fees.
    pub eth_key: String,
    /// Relay a batch when its fees are worth at least this many times its gas cost.
    pub min_fee_ratio: f64,
    /// Relay batches of tokens without a configured price.
    pub relay_unpriced: bool,
    /// Outbound poll interval, milliseconds.
    pub poll_ms: u64,
}

impl Outbound {
    /// Relays everything as soon as it is signed.
    pub fn eager(eth_key: &str) -> Self {
        Self { eth_key: eth_key.to_owned(), min_fee_ratio: 0.0, relay_unpriced: true, poll_ms: 500 }
    }

    /// Relays valsets but no batch: every batch's fees fall short of the ratio (ETH is priced
    /// at 1 wei per wei; other tokens are unpriced and skipped).
    pub fn stingy(eth_key: &str) -> Self {
        Self { min_fee_ratio: 1000.0, relay_unpriced: false, ..Self::eager(eth_key) }
    }

    /// The TOML table.
    pub fn toml(&self, key_file: &Path) -> String {
        format!(
            "\n[outbound]\nenabled = true\neth_key_file = \"{}\"\nmin_fee_ratio = {:?}\n\
             relay_unpriced = {}\npoll_ms = {}\n",
            key_file.display(),
            self.min_fee_ratio,
            self.relay_unpriced,
            self.poll_ms
        )
    }

    /// The Ethereum address of the key.
    pub fn address(&self) -> Result<Address> {
        eth_address_of(&self.eth_key)
    }
}

/// The address of a `0x` + 64 hex secp256k1 key.
pub fn eth_address_of(key: &str) -> Result<Address> {
    let rpc = peg_eth_rpc::EthRpc::new("http://127.0.0.1:1")?;
    Ok(peg_eth_rpc::Wallet::from_hex(rpc, key)?.address())
}

/// A fresh Ethereum address (no code, no balance) derived from `label`.
pub fn fresh_address(label: &str) -> Address {
    let hash = keccak256(format!("peg-e2e receiver {label}"));
    Address::from_slice(&hash[12..])
}

/// A committed peg zone transaction.
#[derive(Debug, Clone)]
pub struct TxOutcome {
    /// Hex hash.
    pub hash: String,
    /// Its block.
    pub height: u64,
    /// ExecTxResult code (0: success).
    pub code: u64,
    /// ExecTxResult log.
    pub log: String,
    /// ExecTxResult events.
    pub events: Value,
}

/// Whether a transaction was refused: by `pegd tx` itself (its local form checks or CheckTx) or
/// in execution (a non-zero code). Other failures (the node unreachable, …) stay errors.
pub fn refused(result: Result<TxOutcome>) -> Result<bool> {
    match result {
        Ok(outcome) => {
            println!(
                "transaction {} executed with code {}: {}",
                outcome.hash, outcome.code, outcome.log
            );
            Ok(outcome.code != 0)
        }
        Err(HarnessError::Command { command, output }) => {
            println!("refused by pegd tx: {}", output.lines().last().unwrap_or_default());
            let _ = command;
            Ok(true)
        }
        Err(other) => Err(other),
    }
}

impl TxOutcome {
    /// `Err` unless the transaction executed successfully.
    pub fn ok(self) -> Result<Self> {
        if self.code == 0 {
            Ok(self)
        } else {
            Err(HarnessError::Unexpected(format!(
                "transaction {} at height {} failed with code {}: {}",
                self.hash, self.height, self.code, self.log
            )))
        }
    }
}

/// One transfer of the outbound pool or of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Transfer id.
    pub id: u64,
    /// `peg1…`.
    pub sender: String,
    /// Ethereum receiver.
    pub receiver: Address,
    /// Amount in base units.
    pub amount: u128,
    /// Bridge fee in base units.
    pub fee: u128,
}

impl Transfer {
    fn from_json(value: &Value) -> Result<Self> {
        let bad = || HarnessError::Unexpected(format!("not a transfer: {value}"));
        Ok(Self {
            id: as_u64(&value["id"]).ok_or_else(bad)?,
            sender: value["sender"].as_str().unwrap_or_default().to_owned(),
            receiver: value["receiver"].as_str().and_then(|r| r.parse().ok()).ok_or_else(bad)?,
            amount: as_u128(&value["amount"]).ok_or_else(bad)?,
            fee: as_u128(&value["fee"]).ok_or_else(bad)?,
        })
    }
}

/// A batch as `/bridge/batch/<nonce>` shows it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Batch nonce.
    pub nonce: u64,
    /// Token contract.
    pub token: Address,
    /// Zone denom.
    pub denom: String,
    /// Ethereum timestamp after which the contract refuses it.
    pub timeout: u64,
    /// Its transfers.
    pub transfers: Vec<Transfer>,
    /// Zone height it was created at.
    pub created_height: u64,
    /// `pending`, `executed` or `cancelled`.
    pub status: String,
    /// Validators whose signatures are stored.
    pub signers: Vec<String>,
    /// The JSON answer.
    pub raw: Value,
}

impl Batch {
    /// Reads one batch object.
    pub fn from_json(value: &Value) -> Result<Self> {
        let bad = |what: &str| HarnessError::Unexpected(format!("batch without {what}: {value}"));
        let transfers = value["transfers"]
            .as_array()
            .ok_or_else(|| bad("transfers"))?
            .iter()
            .map(Transfer::from_json)
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            nonce: as_u64(&value["nonce"]).ok_or_else(|| bad("nonce"))?,
            token: value["token"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| bad("token"))?,
            denom: value["denom"].as_str().unwrap_or_default().to_owned(),
            timeout: as_u64(&value["timeout"]).ok_or_else(|| bad("timeout"))?,
            transfers,
            created_height: as_u64(&value["created_height"]).unwrap_or(0),
            status: value["status"].as_str().unwrap_or_default().to_owned(),
            signers: signers(value),
            raw: value.clone(),
        })
    }

    /// Σ amount + Σ fee.
    pub fn total(&self) -> u128 {
        self.transfers.iter().map(|t| t.amount + t.fee).sum()
    }

    /// The transfer ids, sorted.
    pub fn ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.transfers.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        ids
    }
}

fn signers(value: &Value) -> Vec<String> {
    value["signatures"]
        .as_array()
        .map(|list| {
            list.iter().filter_map(|s| s["validator"].as_str().map(str::to_owned)).collect()
        })
        .unwrap_or_default()
}

/// A number that may be a JSON number or a decimal string.
pub fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A u128 that may be a JSON number or a decimal string.
pub fn as_u128(value: &Value) -> Option<u128> {
    match value {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The first four bytes of keccak256(signature).
pub fn selector(signature: &str) -> [u8; 4] {
    let hash = keccak256(signature.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

/// topic0 of an event.
pub fn topic(signature: &str) -> B256 {
    keccak256(signature.as_bytes())
}

/// A `BatchExecuted` log of the bridge.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Token.
    pub token: Address,
    /// Batch nonce.
    pub batch_nonce: u64,
    /// The bridge's event nonce.
    pub event_nonce: u64,
    /// The `submitBatch` transaction.
    pub tx_hash: B256,
    /// Its block.
    pub block_number: u64,
}

/// A transaction sent to the bridge, with its receipt.
#[derive(Debug, Clone)]
pub struct BridgeTx {
    /// Sender.
    pub from: Address,
    /// Receipt.
    pub receipt: TxReceipt,
}

/// What the supply invariants compared (for the logs).
#[derive(Debug, Clone, Default)]
pub struct Supplies {
    /// Per token: (voucher supply on the zone, held by the contract).
    pub vouchers: BTreeMap<Address, (u128, U256)>,
    /// Per native denom: (escrowed on the zone, CosmosERC20 totalSupply).
    pub native: BTreeMap<String, (u128, U256)>,
}

impl Devnet {
    // ---------------------------------------------------------------------------------------
    // Peg zone transactions, through the pegd CLI
    // ---------------------------------------------------------------------------------------

    /// The directory of the funded accounts' key ring (`pegd testnet`'s output).
    pub fn accounts_home(&self) -> PathBuf {
        self.dir().join("net")
    }

    /// Runs `pegd tx --home <home> --node <node0> --output json <args…>`, then waits until the
    /// transaction is committed; its execution result.
    pub fn pegd_tx(&self, home: &Path, args: &[&str]) -> Result<TxOutcome> {
        let mut command = self.pegd(["tx", "--home"]);
        command
            .arg(home)
            .args(["--node", &format!("127.0.0.1:{}", self.rpc_port(0)), "--output", "json"])
            .args(args);
        let out = run(command)?;
        let report: Value = serde_json::from_str(out.trim())
            .map_err(|e| HarnessError::Unexpected(format!("pegd tx output {out:?}: {e}")))?;
        let hash = report["hash"]
            .as_str()
            .ok_or_else(|| HarnessError::Unexpected(format!("no hash in {report}")))?
            .to_owned();
        self.wait_tx(&hash, Duration::from_secs(30))
    }

    /// Waits until transaction `hash` (hex) is committed (CometBFT's `tx` index on node 0).
    pub fn wait_tx(&self, hash: &str, timeout: Duration) -> Result<TxOutcome> {
        let query = format!("hash=0x{hash}");
        self.wait_until(&format!("transaction {hash} committed"), timeout, || {
            let Ok(found) = self.rpc(0).call("tx", &query) else { return Ok(None) };
            let result = &found["tx_result"];
            Ok(Some(TxOutcome {
                hash: hash.to_owned(),
                height: as_u64(&found["height"]).unwrap_or(0),
                code: result["code"].as_u64().unwrap_or(0),
                log: result["log"].as_str().unwrap_or_default().to_owned(),
                events: result["events"].clone(),
            }))
        })
    }

    /// `pegd tx …` signed by `account<i>` (key ring of [`Devnet::accounts_home`]).
    pub fn account_tx(&self, args: &[&str]) -> Result<TxOutcome> {
        self.pegd_tx(&self.accounts_home(), args)
    }

    /// `MsgSendToEthereum` from `account<i>`: `amount + fee` of `denom` into the outbound pool;
    /// the pool entry it created.
    pub fn send_to_eth(
        &self,
        account: usize,
        receiver: Address,
        denom: &str,
        amount: u128,
        fee: u128,
    ) -> Result<Transfer> {
        let before = self.pool()?.iter().map(|t| t.id).max().unwrap_or(0);
        let from = format!("account{account}");
        let receiver_text = receiver.to_string();
        let amount_text = format!("{amount}{denom}");
        let fee_text = format!("{fee}{denom}");
        self.account_tx(&[
            "bridge",
            "send-to-eth",
            "--from",
            &from,
            &receiver_text,
            &amount_text,
            "--bridge-fee",
            &fee_text,
        ])?
        .ok()?;
        let sender = self.account_address(account)?;
        let pool = self.pool()?;
        pool.into_iter()
            .filter(|t| {
                t.id > before
                    && t.sender == sender
                    && t.receiver == receiver
                    && t.amount == amount
                    && t.fee == fee
            })
            .max_by_key(|t| t.id)
            .ok_or_else(|| {
                HarnessError::Unexpected(format!(
                    "send-to-eth of {amount}{denom} to {receiver} committed but not in the pool"
                ))
            })
    }

    /// `MsgCancelSendToEthereum` of transfer `id` by `account<i>`.
    pub fn cancel_send(&self, account: usize, id: u64) -> Result<TxOutcome> {
        let from = format!("account{account}");
        self.account_tx(&["bridge", "cancel", "--from", &from, &id.to_string()])
    }

    /// `MsgRequestBatch` of `denom` by `account<i>`; the batch it created.
    pub fn request_batch(&self, account: usize, denom: &str) -> Result<Batch> {
        let from = format!("account{account}");
        let outcome =
            self.account_tx(&["bridge", "request-batch", "--from", &from, denom])?.ok()?;
        let batches = self.batches()?;
        batches
            .into_iter()
            .filter(|b| b.denom == denom && b.created_height == outcome.height)
            .max_by_key(|b| b.nonce)
            .ok_or_else(|| {
                HarnessError::Unexpected(format!(
                    "request-batch {denom} committed at height {} but no pending batch of it",
                    outcome.height
                ))
            })
    }

    /// `MsgRegisterDenom` by `account<i>`.
    pub fn register_denom(
        &self,
        account: usize,
        denom: &str,
        name: &str,
        symbol: &str,
        decimals: u8,
    ) -> Result<TxOutcome> {
        let from = format!("account{account}");
        self.account_tx(&[
            "bridge",
            "register-denom",
            "--from",
            &from,
            denom,
            "--name",
            name,
            "--symbol",
            symbol,
            "--decimals",
            &decimals.to_string(),
        ])
    }

    /// `pegd tx staking bond validator <amount>upeg` by validator `node`'s operator.
    pub fn bond(&self, node: usize, amount: u128) -> Result<TxOutcome> {
        let amount = format!("{amount}upeg");
        self.pegd_tx(&self.home(node), &["staking", "bond", "validator", &amount])
    }

    /// `pegd eth deploy-token` from the Ethereum user: the CosmosERC20 of `denom`.
    pub fn deploy_token(
        &self,
        denom: &str,
        name: &str,
        symbol: &str,
        decimals: u8,
    ) -> Result<(Address, u64)> {
        let mut command = self.pegd(["eth", "deploy-token"]);
        command
            .args(["--eth-rpc", &self.anvil_url()])
            .arg("--eth-key")
            .arg(self.user_key_file())
            .args(["--bridge", &self.bridge.to_string()])
            .args(["--denom", denom, "--name", name, "--symbol", symbol])
            .args(["--decimals", &decimals.to_string(), "--output", "json"]);
        let out = run(command)?;
        let raw: Value = serde_json::from_str(out.trim())
            .map_err(|e| HarnessError::Unexpected(format!("deploy-token output {out:?}: {e}")))?;
        let token = raw["token"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| HarnessError::Unexpected(format!("no token in {raw}")))?;
        let block = as_u64(&raw["block_number"])
            .ok_or_else(|| HarnessError::Unexpected(format!("no block in {raw}")))?;
        Ok((token, block))
    }

    /// `pegd eth burn` from the Ethereum user: `amount` of CosmosERC20 `token` released to
    /// `receiver` on the zone; the block it was mined in.
    pub fn burn(&self, token: Address, amount: u128, receiver: &str) -> Result<u64> {
        let mut command = self.pegd(["eth", "burn"]);
        command
            .args(["--eth-rpc", &self.anvil_url()])
            .arg("--eth-key")
            .arg(self.user_key_file())
            .args(["--bridge", &self.bridge.to_string()])
            .args(["--token", &token.to_string(), "--amount", &amount.to_string()])
            .args(["--receiver", receiver, "--output", "json"]);
        let out = run(command)?;
        let raw: Value = serde_json::from_str(out.trim())
            .map_err(|e| HarnessError::Unexpected(format!("burn output {out:?}: {e}")))?;
        as_u64(&raw["block_number"])
            .ok_or_else(|| HarnessError::Unexpected(format!("no block in {raw}")))
    }

    // ---------------------------------------------------------------------------------------
    // Bridge queries (ABCI, node 0)
    // ---------------------------------------------------------------------------------------

    /// The JSON answer of an ABCI query on node 0 and the height it is for.
    pub fn query_at(&self, path: &str) -> Result<(Value, u64)> {
        let answer = self.rpc(0).abci_query(path)?;
        let value = serde_json::from_slice(&answer.value)
            .map_err(|e| HarnessError::Unexpected(format!("query {path}: not JSON: {e}")))?;
        Ok((value, answer.height))
    }

    /// `/bridge/pool`.
    pub fn pool(&self) -> Result<Vec<Transfer>> {
        let pool = self.query("/bridge/pool")?;
        pool.as_array()
            .ok_or_else(|| HarnessError::Unexpected(format!("/bridge/pool: {pool}")))?
            .iter()
            .map(Transfer::from_json)
            .collect()
    }

    /// `/bridge/batches`: the pending batches.
    pub fn batches(&self) -> Result<Vec<Batch>> {
        let batches = self.query("/bridge/batches")?;
        batches
            .as_array()
            .ok_or_else(|| HarnessError::Unexpected(format!("/bridge/batches: {batches}")))?
            .iter()
            .map(Batch::from_json)
            .collect()
    }

    /// `/bridge/batch/<nonce>` and the height of the answer.
    pub fn batch(&self, nonce: u64) -> Result<(Batch, u64)> {
        let (value, height) = self.query_at(&format!("/bridge/batch/{nonce}"))?;
        Ok((Batch::from_json(&value)?, height))
    }

    /// `/bridge/valsets`.
    pub fn valsets(&self) -> Result<Value> {
        self.query("/bridge/valsets")
    }

    /// `/bridge/valset/<nonce>` and the height of the answer.
    pub fn valset(&self, nonce: u64) -> Result<(Value, u64)> {
        self.query_at(&format!("/bridge/valset/{nonce}"))
    }

    /// `/bridge/signatures`.
    pub fn signature_report(&self) -> Result<Vec<Value>> {
        let report = self.query("/bridge/signatures")?;
        report
            .as_array()
            .cloned()
            .ok_or_else(|| HarnessError::Unexpected(format!("/bridge/signatures: {report}")))
    }

    /// Voucher supplies by token (`/eth/vouchers`).
    pub fn voucher_supplies(&self) -> Result<BTreeMap<Address, u128>> {
        let list = self.query("/eth/vouchers")?;
        let mut supplies = BTreeMap::new();
        for v in list
            .as_array()
            .ok_or_else(|| HarnessError::Unexpected(format!("/eth/vouchers: {list}")))?
        {
            let token: Address = v["token"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| HarnessError::Unexpected(format!("voucher: {v}")))?;
            let supply = as_u128(&v["supply"])
                .ok_or_else(|| HarnessError::Unexpected(format!("voucher: {v}")))?;
            supplies.insert(token, supply);
        }
        Ok(supplies)
    }

    /// Adopted native denoms: denom → (CosmosERC20, escrowed) (`/eth/tokens`).
    pub fn native_tokens(&self) -> Result<BTreeMap<String, (Address, u128)>> {
        let list = self.query("/eth/tokens")?;
        let mut tokens = BTreeMap::new();
        for t in list
            .as_array()
            .ok_or_else(|| HarnessError::Unexpected(format!("/eth/tokens: {list}")))?
        {
            let denom = t["denom"].as_str().unwrap_or_default().to_owned();
            let token: Address = t["token"]
                .as_str()
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| HarnessError::Unexpected(format!("token: {t}")))?;
            let escrowed = as_u128(&t["escrowed"])
                .ok_or_else(|| HarnessError::Unexpected(format!("token: {t}")))?;
            tokens.insert(denom, (token, escrowed));
        }
        Ok(tokens)
    }

    /// The zone's next expected bridge event nonce (`/eth/client`).
    pub fn zone_next_event_nonce(&self) -> Result<u64> {
        let client = self.eth_client()?;
        as_u64(&client["next_event_nonce"])
            .or_else(|| as_u64(&client["status"]["next_event_nonce"]))
            .ok_or_else(|| HarnessError::Unexpected(format!("no next_event_nonce in {client}")))
    }

    // ---------------------------------------------------------------------------------------
    // Ethereum reads
    // ---------------------------------------------------------------------------------------

    /// `eth_call` (latest block) of `to` with `selector(signature) ‖ words`: the bytes returned.
    pub fn eth_call(&self, to: Address, signature: &str, words: &[B256]) -> Result<Bytes> {
        let mut data = selector(signature).to_vec();
        for word in words {
            data.extend_from_slice(word.as_slice());
        }
        let call = CallRequest {
            from: None,
            to: Some(to),
            value: U256::ZERO,
            data: Bytes::from(data),
            gas: None,
        };
        Ok(self.block_on(self.eth().call(&call, BlockId::Latest))?)
    }

    fn call_u256(&self, to: Address, signature: &str, words: &[B256]) -> Result<U256> {
        let out = self.eth_call(to, signature, words)?;
        if out.len() < 32 {
            return Err(HarnessError::Unexpected(format!("{signature} returned {out}")));
        }
        Ok(U256::from_be_slice(&out[..32]))
    }

    /// ETH balance of `address` (latest block).
    pub fn eth_balance(&self, address: Address) -> Result<U256> {
        Ok(self.block_on(self.eth().balance(address, BlockId::Latest))?)
    }

    /// ETH balance of `address` after block `number`.
    pub fn eth_balance_at(&self, address: Address, number: u64) -> Result<U256> {
        Ok(self.block_on(self.eth().balance(address, BlockId::Number(number)))?)
    }

    /// `token.balanceOf(holder)`.
    pub fn erc20_balance(&self, token: Address, holder: Address) -> Result<U256> {
        self.call_u256(token, "balanceOf(address)", &[holder.into_word()])
    }

    /// `token.totalSupply()`.
    pub fn erc20_total_supply(&self, token: Address) -> Result<U256> {
        self.call_u256(token, "totalSupply()", &[])
    }

    /// What the bridge holds of `token`: its ETH balance for ETH, else `balanceOf(bridge)`.
    pub fn bridge_holds(&self, token: Address) -> Result<U256> {
        if token == ETH_TOKEN {
            self.eth_balance(self.bridge)
        } else {
            self.erc20_balance(token, self.bridge)
        }
    }

    /// Balance of `holder` in `token` (ETH when [`ETH_TOKEN`]).
    pub fn token_balance(&self, token: Address, holder: Address) -> Result<U256> {
        if token == ETH_TOKEN {
            self.eth_balance(holder)
        } else {
            self.erc20_balance(token, holder)
        }
    }

    /// `bridge.lastBatchNonce(token)`.
    pub fn last_batch_nonce(&self, token: Address) -> Result<u64> {
        let nonce = self.call_u256(self.bridge, "lastBatchNonce(address)", &[token.into_word()])?;
        u64::try_from(nonce).map_err(|e| HarnessError::Unexpected(format!("lastBatchNonce: {e}")))
    }

    /// `bridge.valsetNonce()`.
    pub fn contract_valset_nonce(&self) -> Result<u64> {
        let nonce = self.call_u256(self.bridge, "valsetNonce()", &[])?;
        u64::try_from(nonce).map_err(|e| HarnessError::Unexpected(format!("valsetNonce: {e}")))
    }

    /// `bridge.eventNonce()`: the last emitted event nonce.
    pub fn contract_event_nonce(&self) -> Result<u64> {
        let nonce = self.call_u256(self.bridge, "eventNonce()", &[])?;
        u64::try_from(nonce).map_err(|e| HarnessError::Unexpected(format!("eventNonce: {e}")))
    }

    /// Every `BatchExecuted` log of the bridge from block `from` on.
    pub fn executions(&self, from: u64) -> Result<Vec<Execution>> {
        let filter = LogFilter {
            from_block: BlockId::Number(from),
            to_block: BlockId::Latest,
            addresses: vec![self.bridge],
            topic0: vec![topic("BatchExecuted(uint256,address,uint256)")],
        };
        let logs = self.block_on(self.eth().get_logs(&filter))?;
        logs.iter()
            .map(|log| {
                let word = |i: usize| {
                    log.topics.get(i).copied().ok_or_else(|| {
                        HarnessError::Unexpected(format!("BatchExecuted without topic {i}"))
                    })
                };
                let number = |w: B256| {
                    u64::try_from(U256::from_be_bytes(w.0))
                        .map_err(|e| HarnessError::Unexpected(format!("BatchExecuted: {e}")))
                };
                Ok(Execution {
                    event_nonce: number(word(1)?)?,
                    token: Address::from_word(word(2)?),
                    batch_nonce: number(word(3)?)?,
                    tx_hash: log.transaction_hash,
                    block_number: log.block_number,
                })
            })
            .collect()
    }

    /// Waits until batch `nonce` of `token` is executed on Ethereum; its execution.
    pub fn wait_executed(
        &self,
        token: Address,
        nonce: u64,
        timeout: Duration,
    ) -> Result<Execution> {
        let from = self.block_on(self.eth().block_number())?.saturating_sub(600);
        self.wait_until(&format!("batch {nonce} of {token} executed on Ethereum"), timeout, || {
            let found: Vec<Execution> = self
                .executions(from)?
                .into_iter()
                .filter(|e| e.token == token && e.batch_nonce >= nonce)
                .collect();
            if let Some(later) = found.iter().find(|e| e.batch_nonce > nonce) {
                return Err(HarnessError::Fatal(format!(
                    "batch {} of {token} executed instead of {nonce}",
                    later.batch_nonce
                )));
            }
            Ok(found.into_iter().next())
        })
    }

    /// Receipts of every transaction to the bridge in blocks `from..=to`.
    pub fn bridge_txs(&self, from: u64, to: u64) -> Result<Vec<BridgeTx>> {
        let mut txs = Vec::new();
        for number in from..=to {
            let Some(block) = self.block_on(self.eth().block_by_number(BlockId::Number(number)))?
            else {
                continue;
            };
            for hash in block.transaction_hashes() {
                let Some(receipt) = self.block_on(self.eth().transaction_receipt(hash))? else {
                    continue;
                };
                let to: Option<Address> = receipt.json["to"].as_str().and_then(|t| t.parse().ok());
                let from: Option<Address> =
                    receipt.json["from"].as_str().and_then(|f| f.parse().ok());
                if let (Some(to), Some(from)) = (to, from) {
                    if to == self.bridge {
                        txs.push(BridgeTx { from, receipt });
                    }
                }
            }
        }
        Ok(txs)
    }

    /// The ETH a transaction's sender paid for gas (`gasUsed × effectiveGasPrice`).
    pub fn gas_cost(receipt: &TxReceipt) -> Result<U256> {
        let price = receipt.json["effectiveGasPrice"]
            .as_str()
            .and_then(|p| peg_eth_rpc::parse_quantity_u256(p).ok())
            .ok_or_else(|| {
                HarnessError::Unexpected(format!("no effectiveGasPrice in {}", receipt.json))
            })?;
        Ok(U256::from(receipt.gas_used) * price)
    }

    // ---------------------------------------------------------------------------------------
    // Both chains
    // ---------------------------------------------------------------------------------------

    /// Waits until the zone has processed every event the bridge emitted so far (its next event
    /// nonce is the contract's last + 1): after it, both sides of every transfer are settled.
    pub fn wait_synced(&self, timeout: Duration) -> Result<u64> {
        let target = self.contract_event_nonce()?;
        self.wait_until(&format!("the zone to process bridge event {target}"), timeout, || {
            let next = self.zone_next_event_nonce()?;
            Ok((next > target).then_some(next))
        })
    }

    /// The supply invariants, checked exactly (call after [`Devnet::wait_synced`] with nothing
    /// in flight): every voucher's supply equals what the bridge holds of its token, and every
    /// adopted native denom's escrow equals its CosmosERC20's total supply.
    pub fn check_supplies(&self, tokens: &[Address]) -> Result<Supplies> {
        let mut report = Supplies::default();
        let vouchers = self.voucher_supplies()?;
        let mut all: Vec<Address> = vouchers.keys().copied().collect();
        all.extend(tokens.iter().copied());
        all.sort();
        all.dedup();
        for token in all {
            let zone = vouchers.get(&token).copied().unwrap_or(0);
            let held = self.bridge_holds(token)?;
            report.vouchers.insert(token, (zone, held));
            if U256::from(zone) != held {
                return Err(HarnessError::Unexpected(format!(
                    "voucher supply of {token} is {zone} on the zone, the bridge holds {held}"
                )));
            }
        }
        // Registered denoms (`/bridge/denoms`) report the same escrow for their adopted token.
        let registered = self.query("/bridge/denoms")?;
        for entry in registered.as_array().into_iter().flatten() {
            let Some(token) = entry["adopted_token"].as_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            let escrowed = as_u128(&entry["escrowed"])
                .ok_or_else(|| HarnessError::Unexpected(format!("/bridge/denoms: {entry}")))?;
            let supply = self.erc20_total_supply(token)?;
            if U256::from(escrowed) != supply {
                return Err(HarnessError::Unexpected(format!(
                    "/bridge/denoms: {entry}, but the CosmosERC20's supply is {supply}"
                )));
            }
        }
        for (denom, (token, escrowed)) in self.native_tokens()? {
            let supply = self.erc20_total_supply(token)?;
            report.native.insert(denom.clone(), (escrowed, supply));
            if U256::from(escrowed) != supply {
                return Err(HarnessError::Unexpected(format!(
                    "{escrowed} {denom} escrowed on the zone, its CosmosERC20 {token} has supply {supply}"
                )));
            }
        }
        Ok(report)
    }

    /// [`Devnet::wait_synced`] then [`Devnet::check_supplies`]; prints the comparison.
    pub fn settle_and_check(&self, phase: &str, tokens: &[Address]) -> Result<Supplies> {
        let started = Instant::now();
        self.wait_synced(Duration::from_secs(120))?;
        let supplies = self.check_supplies(tokens)?;
        println!(
            "invariants after {phase} (synced in {:.1} s): vouchers {:?}, native {:?}",
            started.elapsed().as_secs_f64(),
            supplies.vouchers,
            supplies.native
        );
        Ok(supplies)
    }
}

/// Checkpoint kinds as the injected signatures name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkpoint {
    /// A valset.
    Valset,
    /// A batch.
    Batch,
}

impl Checkpoint {
    fn matches(self, value: &str) -> bool {
        match self {
            Self::Valset => value == "1" || value.eq_ignore_ascii_case("valset"),
            Self::Batch => value == "2" || value.eq_ignore_ascii_case("batch"),
        }
    }
}

impl Devnet {
    /// The heights at which signatures of checkpoint `(kind, nonce)` were stored, by operator:
    /// the `checkpoint_signed` events of blocks `from..=to` (node 0's `block_results`).
    pub fn signature_heights(
        &self,
        kind: Checkpoint,
        nonce: u64,
        from: u64,
        to: u64,
    ) -> Result<BTreeMap<String, u64>> {
        let mut found = BTreeMap::new();
        let to = to.min(self.height(0)?);
        for height in from..=to {
            let results = self.rpc(0).call("block_results", &format!("height={height}"))?;
            let txs = results["txs_results"].as_array().cloned().unwrap_or_default();
            for tx in &txs {
                for event in tx["events"].as_array().into_iter().flatten() {
                    if event["type"] != "checkpoint_signed" {
                        continue;
                    }
                    let attr = |key: &str| -> Option<String> {
                        event["attributes"].as_array()?.iter().find_map(|a| {
                            (a["key"] == key).then(|| a["value"].as_str().map(str::to_owned))?
                        })
                    };
                    let same_kind = attr("kind").is_some_and(|k| kind.matches(&k));
                    let same_nonce =
                        attr("nonce").and_then(|n| n.parse::<u64>().ok()) == Some(nonce);
                    if same_kind && same_nonce {
                        let operator = attr("operator").unwrap_or_default();
                        found.entry(operator).or_insert(height);
                    }
                }
            }
        }
        Ok(found)
    }

    /// `pegd query --node <node0> --output json <args…>`: the JSON it prints.
    pub fn pegd_query(&self, args: &[&str]) -> Result<Value> {
        let mut command = self.pegd(["query", "--node"]);
        command
            .arg(format!("127.0.0.1:{}", self.rpc_port(0)))
            .args(["--output", "json"])
            .args(args);
        let out = run(command)?;
        serde_json::from_str(out.trim())
            .map_err(|e| HarnessError::Unexpected(format!("pegd query {args:?}: {out:?}: {e}")))
    }
}

impl Devnet {
    /// Many `MsgSendToEthereum` of `denom` from `account<i>`, one transaction each, queued with
    /// consecutive sequences without waiting in between (so they share few blocks); waits until
    /// the last one is committed and checks every one executed.
    pub fn send_to_eth_many(
        &self,
        account: usize,
        denom: &str,
        transfers: &[(Address, u128, u128)],
    ) -> Result<()> {
        let address = self.account_address(account)?;
        let view = self.query(&format!("/account/{address}"))?;
        let first = as_u64(&view["sequence"])
            .ok_or_else(|| HarnessError::Unexpected(format!("no sequence in {view}")))?;
        let from = format!("account{account}");
        let mut hashes = Vec::with_capacity(transfers.len());
        for (i, (receiver, amount, fee)) in transfers.iter().enumerate() {
            let sequence = (first + i as u64).to_string();
            let mut command = self.pegd(["tx", "--home"]);
            command
                .arg(self.accounts_home())
                .args(["--node", &format!("127.0.0.1:{}", self.rpc_port(0)), "--output", "json"])
                .args(["--sequence", &sequence])
                .args(["bridge", "send-to-eth", "--from", &from, &receiver.to_string()])
                .arg(format!("{amount}{denom}"))
                .args(["--bridge-fee", &format!("{fee}{denom}")]);
            let out = run(command)?;
            let report: Value = serde_json::from_str(out.trim())
                .map_err(|e| HarnessError::Unexpected(format!("pegd tx output {out:?}: {e}")))?;
            hashes.push(report["hash"].as_str().unwrap_or_default().to_owned());
        }
        for hash in hashes {
            self.wait_tx(&hash, Duration::from_secs(60))?.ok()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_topics_and_keys() -> Result<()> {
        assert_eq!(selector("balanceOf(address)"), [0x70, 0xa0, 0x82, 0x31]);
        assert_eq!(selector("totalSupply()"), [0x18, 0x16, 0x0d, 0xdd]);
        assert_eq!(
            topic("Transfer(address,address,uint256)").to_string(),
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
        );
        assert_eq!(
            Outbound::eager(RELAYER_A_ETH_KEY).address()?.to_string(),
            "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
        );
        assert_eq!(
            eth_address_of(RELAYER_B_ETH_KEY)?.to_string(),
            "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
        );
        assert_ne!(fresh_address("a"), fresh_address("b"));
        assert_eq!(fresh_address("a"), fresh_address("a"));
        Ok(())
    }

    #[test]
    fn outbound_table_is_toml() {
        let text = Outbound::stingy(RELAYER_A_ETH_KEY).toml(Path::new("/tmp/k"));
        assert!(text.contains("[outbound]\nenabled = true\n"), "{text}");
        assert!(text.contains("eth_key_file = \"/tmp/k\"\n"), "{text}");
        assert!(text.contains("min_fee_ratio = 1000.0\n"), "{text}");
        assert!(text.contains("relay_unpriced = false\n"), "{text}");
        let eager = Outbound::eager(RELAYER_A_ETH_KEY).toml(Path::new("/k"));
        assert!(eager.contains("min_fee_ratio = 0.0\n"), "{eager}");
    }

    #[test]
    fn batches_parse_from_the_query_shape() -> Result<()> {
        let value: Value = serde_json::from_str(
            r#"{"created_height":55,"denom":"eth/0x0000000000000000000000000000000000000000",
                "digest":"0xc6","nonce":1,"status":"pending","timeout":1795280862,
                "token":"0x0000000000000000000000000000000000000000",
                "signatures":[{"eth_address":"0x98b00d963375e23eab76eeA61FC66Ed9Cc5cFeE8",
                               "signature":"0x3f","validator":"pegvaloper1t9"}],
                "transfers":[{"amount":"1000000000000000000","fee":"10000000000000000","id":2,
                              "receiver":"0xfd9869aE69247442ebD615B82C07AEb988389301",
                              "sender":"peg1dru8"}]}"#,
        )
        .map_err(|e| HarnessError::Unexpected(e.to_string()))?;
        let batch = Batch::from_json(&value)?;
        assert_eq!((batch.nonce, batch.created_height, batch.timeout), (1, 55, 1_795_280_862));
        assert_eq!(batch.token, ETH_TOKEN);
        assert_eq!(batch.signers, vec!["pegvaloper1t9".to_owned()]);
        assert_eq!(batch.ids(), vec![2]);
        assert_eq!(batch.total(), 1_010_000_000_000_000_000);
        assert!(Batch::from_json(&serde_json::json!({"nonce": 1})).is_err());
        Ok(())
    }
}
