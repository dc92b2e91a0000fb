//! A local-key EIP-1559 wallet.

use std::path::Path;
use std::time::Duration;

use alloy_primitives::{Address, Bytes, B256, U256};
use k256::ecdsa::SigningKey;
use tokio::sync::OnceCell;

use crate::client::EthRpc;
use crate::error::EthRpcError;
use crate::tx::{address_of, Eip1559Tx};
use crate::types::{BlockId, CallRequest, TxReceipt};

/// Tip used when the node cannot suggest one (`eth_maxPriorityFeePerGas` missing): 1 gwei.
const FALLBACK_PRIORITY_FEE: u128 = 1_000_000_000;

/// Reads an Ethereum key file: `0x` + 64 hex digits (surrounding whitespace allowed), the form of
/// anvil's well-known development keys. Errors never contain the key.
pub fn read_key_file(path: &Path) -> Result<SigningKey, EthRpcError> {
    let text = std::fs::read_to_string(path).map_err(|e| EthRpcError::KeyFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse_key(text.trim())
        .map_err(|reason| EthRpcError::KeyFile { path: path.display().to_string(), reason })
}

fn parse_key(text: &str) -> Result<SigningKey, String> {
    let hex_digits = text.strip_prefix("0x").unwrap_or(text);
    if hex_digits.len() != 64 || !hex_digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "expected 0x followed by 64 hex digits (a secp256k1 secret key), got {} characters",
            text.len()
        ));
    }
    let bytes = hex::decode(hex_digits).map_err(|e| e.to_string())?;
    SigningKey::from_slice(&bytes).map_err(|_| "not a valid secp256k1 secret key".to_owned())
}

/// Fees per gas of an EIP-1559 transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeEstimate {
    /// Fee cap.
    pub max_fee_per_gas: u128,
    /// Tip.
    pub max_priority_fee_per_gas: u128,
}

/// How to send a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOptions {
    /// Fixed gas limit; `None` = `eth_estimateGas` × (100 + `gas_margin_percent`) / 100.
    pub gas_limit: Option<u64>,
    /// Margin over the estimate, percent.
    pub gas_margin_percent: u64,
    /// Fixed fees; `None` = from the node.
    pub fees: Option<FeeEstimate>,
    /// How long [`Wallet::send_and_wait`] waits for the receipt.
    pub receipt_timeout: Duration,
    /// Receipt polling interval.
    pub poll_interval: Duration,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            gas_limit: None,
            gas_margin_percent: 25,
            fees: None,
            receipt_timeout: Duration::from_secs(60),
            poll_interval: Duration::from_millis(250),
        }
    }
}

/// A secp256k1 key that signs and sends EIP-1559 transactions through an [`EthRpc`].
pub struct Wallet {
    rpc: EthRpc,
    key: SigningKey,
    address: Address,
    chain_id: OnceCell<u64>,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Wallet")
            .field("address", &self.address)
            .field("rpc", &self.rpc.url())
            .finish()
    }
}

impl Wallet {
    /// A wallet for `key`.
    pub fn new(rpc: EthRpc, key: SigningKey) -> Self {
        let address = address_of(&key);
        Self { rpc, key, address, chain_id: OnceCell::new() }
    }

    /// A wallet whose key is read from `path` (see [`read_key_file`]).
    pub fn from_key_file(rpc: EthRpc, path: &Path) -> Result<Self, EthRpcError> {
        Ok(Self::new(rpc, read_key_file(path)?))
    }

    /// A wallet from a `0x` + 64 hex key string.
    pub fn from_hex(rpc: EthRpc, key: &str) -> Result<Self, EthRpcError> {
        parse_key(key.trim()).map(|k| Self::new(rpc, k)).map_err(EthRpcError::InvalidKey)
    }

    /// The wallet's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The client.
    pub fn rpc(&self) -> &EthRpc {
        &self.rpc
    }

    /// The node's chain id (asked once).
    pub async fn chain_id(&self) -> Result<u64, EthRpcError> {
        self.chain_id.get_or_try_init(|| self.rpc.chain_id()).await.copied()
    }

    /// Current fees: tip from `eth_maxPriorityFeePerGas` (1 gwei if unsupported), cap = twice the
    /// next block's base fee (from `eth_feeHistory`, else the latest header, else `eth_gasPrice`)
    /// plus the tip, which survives six full blocks of base-fee growth.
    pub async fn fees(&self) -> Result<FeeEstimate, EthRpcError> {
        let tip = match self.rpc.max_priority_fee_per_gas().await {
            Ok(t) => to_u128(t, "eth_maxPriorityFeePerGas")?,
            Err(e) if e.is_method_not_found() => FALLBACK_PRIORITY_FEE,
            Err(e) => return Err(e),
        };
        let base = match self.rpc.fee_history(1, 50.0).await {
            Ok((next_base, _)) => to_u128(next_base, "eth_feeHistory")?,
            Err(e) if e.is_method_not_found() => {
                match self
                    .rpc
                    .block_by_number(BlockId::Latest)
                    .await?
                    .and_then(|b| b.header.base_fee_per_gas)
                {
                    Some(base) => u128::from(base),
                    None => to_u128(self.rpc.gas_price().await?, "eth_gasPrice")?,
                }
            }
            Err(e) => return Err(e),
        };
        let max_fee = base.saturating_mul(2).saturating_add(tip);
        Ok(FeeEstimate { max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip })
    }

    /// Estimates, signs and sends a transaction; returns its hash without waiting.
    ///
    /// A call that would revert is refused by `eth_estimateGas` with
    /// [`EthRpcError::WouldRevert`] (holding the revert data) and nothing is sent.
    pub async fn send(
        &self,
        to: Option<Address>,
        value: U256,
        input: Bytes,
        options: &SendOptions,
    ) -> Result<B256, EthRpcError> {
        let chain_id = self.chain_id().await?;
        let gas_limit = match options.gas_limit {
            Some(gas) => gas,
            None => {
                let call = CallRequest {
                    from: Some(self.address),
                    to,
                    value,
                    data: input.clone(),
                    gas: None,
                };
                let estimate = self.rpc.estimate_gas(&call).await?;
                estimate.saturating_mul(100 + options.gas_margin_percent) / 100
            }
        };
        let fees = match options.fees {
            Some(fees) => fees,
            None => self.fees().await?,
        };
        let nonce = self.rpc.transaction_count(self.address, BlockId::Pending).await?;
        let tx = Eip1559Tx {
            chain_id,
            nonce,
            max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
            max_fee_per_gas: fees.max_fee_per_gas,
            gas_limit,
            to,
            value,
            input,
        };
        let signed = tx.sign(&self.key)?;
        let hash = self.rpc.send_raw_transaction(&signed.raw).await?;
        if hash != signed.hash {
            return Err(EthRpcError::Decode {
                method: "eth_sendRawTransaction".into(),
                reason: format!(
                    "node returned hash {hash}, the signed transaction hashes to {}",
                    signed.hash
                ),
            });
        }
        tracing::debug!(%hash, nonce, gas_limit, from = %self.address, "sent transaction");
        Ok(hash)
    }

    /// [`Self::send`], then waits for the receipt; a mined failure is [`EthRpcError::Reverted`].
    pub async fn send_and_wait(
        &self,
        to: Option<Address>,
        value: U256,
        input: Bytes,
        options: &SendOptions,
    ) -> Result<TxReceipt, EthRpcError> {
        let hash = self.send(to, value, input, options).await?;
        let receipt =
            self.rpc.wait_for_receipt(hash, options.receipt_timeout, options.poll_interval).await?;
        if !receipt.succeeded() {
            return Err(EthRpcError::Reverted {
                tx_hash: hash,
                block_number: receipt.block_number,
                gas_used: receipt.gas_used,
            });
        }
        Ok(receipt)
    }

    /// Deploys `init_code` (creation bytecode followed by ABI-encoded constructor arguments) and
    /// returns the receipt, whose `contract_address` is the new contract.
    pub async fn deploy(
        &self,
        init_code: Bytes,
        options: &SendOptions,
    ) -> Result<TxReceipt, EthRpcError> {
        let receipt = self.send_and_wait(None, U256::ZERO, init_code, options).await?;
        if receipt.contract_address.is_none() {
            return Err(EthRpcError::Decode {
                method: "eth_getTransactionReceipt".into(),
                reason: format!("deployment {} has no contractAddress", receipt.transaction_hash),
            });
        }
        Ok(receipt)
    }
}

fn to_u128(v: U256, method: &str) -> Result<u128, EthRpcError> {
    u128::try_from(v).map_err(|_| EthRpcError::Decode {
        method: method.into(),
        reason: format!("fee {v} does not fit 128 bits"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn key_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("good");
        std::fs::write(
            &good,
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n",
        )
        .expect("write");
        let key = read_key_file(&good).expect("valid key file");
        assert_eq!(
            address_of(&key),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().expect("address")
        );

        let bad = dir.path().join("bad");
        let mut f = std::fs::File::create(&bad).expect("create");
        f.write_all(b"0x1234").expect("write");
        let err = read_key_file(&bad).expect_err("short key");
        assert!(err.to_string().contains("64 hex digits"), "{err}");

        let zero = dir.path().join("zero");
        std::fs::write(&zero, format!("0x{}", "0".repeat(64))).expect("write");
        let err = read_key_file(&zero).expect_err("zero is not a key");
        assert!(err.to_string().contains("not a valid"), "{err}");
        assert!(!err.to_string().contains(&"0".repeat(64)));

        let missing = read_key_file(&dir.path().join("missing")).expect_err("missing");
        assert!(matches!(missing, EthRpcError::KeyFile { .. }));
    }
}
