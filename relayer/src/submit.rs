//! Signing and submitting peg zone transactions: account number and sequence from
//! `/account/<addr>`, gas from `peg_tx` (no simulation), fee = max(min_fee, gas × fee_per_kgas /
//! 1000), `broadcast_tx_sync`, then a bounded wait for inclusion. A sequence mismatch (another
//! transaction of the same account got in first) re-reads the account and signs again.

use std::time::Duration;

use peg_tx::{Coin, Coins, Msg, TxBuilder};

use crate::cometbft::{CometRpc, TxResult};
use crate::error::{is_sequence_mismatch, RelayerError};
use crate::keyfile::RelayerKey;
use crate::zone::Zone;

/// Fee settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeePolicy {
    /// Fee per 1000 gas.
    pub fee_per_kgas: u64,
    /// Smallest fee.
    pub min_fee: u64,
    /// Denom.
    pub denom: String,
}

impl FeePolicy {
    /// The fee for `gas`: `max(min_fee, ceil(gas × fee_per_kgas / 1000))`.
    pub fn fee_for(&self, gas: u64) -> u128 {
        let by_gas = (u128::from(gas) * u128::from(self.fee_per_kgas)).div_ceil(1000);
        by_gas.max(u128::from(self.min_fee))
    }
}

/// Signs and submits transactions of one account.
#[derive(Debug)]
pub struct Submitter<'a> {
    /// CometBFT client.
    pub comet: &'a CometRpc,
    /// The account key.
    pub key: &'a RelayerKey,
    /// Chain id.
    pub chain_id: &'a str,
    /// Fees.
    pub fees: &'a FeePolicy,
    /// Largest transaction.
    pub max_tx_bytes: usize,
    /// Inclusion wait.
    pub tx_timeout: Duration,
    /// Attempts on sequence mismatch.
    pub max_attempts: u32,
}

/// A signed transaction and what it costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltTx {
    /// `TxRaw` bytes.
    pub bytes: Vec<u8>,
    /// CometBFT hash.
    pub hash: [u8; 32],
    /// Gas limit (the computed cost).
    pub gas: u64,
    /// Fee.
    pub fee: u128,
}

/// Signs `msg` for `key` at (`account_number`, `sequence`).
pub fn build_tx(
    msg: &Msg,
    key: &RelayerKey,
    chain_id: &str,
    account_number: u64,
    sequence: u64,
    fees: &FeePolicy,
) -> Result<BuiltTx, RelayerError> {
    let gas = peg_tx::required_gas(std::slice::from_ref(msg));
    let fee = fees.fee_for(gas);
    let coins = if fee == 0 {
        Coins::empty()
    } else {
        Coins::new(vec![Coin::new(fees.denom.clone(), fee)?])?
    };
    let signed = TxBuilder::new(chain_id, account_number, sequence)
        .message(msg.clone())
        .gas_limit(gas)
        .fee(coins)
        .sign(&key.signing_key)?;
    Ok(BuiltTx { bytes: signed.bytes, hash: signed.hash, gas, fee })
}

impl Submitter<'_> {
    /// Signs, broadcasts and waits for `msg`; `label` names it in logs, errors and metrics.
    pub async fn submit(&self, msg: &Msg, label: &'static str) -> Result<TxResult, RelayerError> {
        let zone = Zone::new(self.comet);
        let address = self.key.address.to_bech32();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let account = zone.account(&address).await?.ok_or_else(|| RelayerError::Config {
                reason: format!(
                    "the relayer account {address} does not exist on the peg zone: fund it"
                ),
            })?;
            let tx = build_tx(
                msg,
                self.key,
                self.chain_id,
                account.account_number,
                account.sequence,
                self.fees,
            )?;
            if tx.bytes.len() > self.max_tx_bytes {
                return Err(RelayerError::TxTooLarge {
                    bytes: tx.bytes.len(),
                    max: self.max_tx_bytes,
                });
            }
            tracing::debug!(label, gas = tx.gas, fee = %tx.fee, bytes = tx.bytes.len(), sequence = account.sequence, "broadcasting");
            let check = self.comet.broadcast_tx_sync(&tx.bytes).await?;
            if check.code != 0 {
                if is_sequence_mismatch(&check.codespace, check.code) && attempt < self.max_attempts
                {
                    tracing::info!(label, log = %check.log, "sequence mismatch; re-reading the account");
                    continue;
                }
                return Err(RelayerError::TxRefused {
                    msg: label,
                    stage: "check",
                    code: check.code,
                    codespace: check.codespace,
                    log: check.log,
                });
            }
            let result = self
                .comet
                .wait_for_tx(&tx.hash, self.tx_timeout, Duration::from_millis(250))
                .await?;
            if result.code != 0 {
                return Err(RelayerError::TxRefused {
                    msg: label,
                    stage: "deliver",
                    code: result.code,
                    codespace: result.codespace,
                    log: result.log,
                });
            }
            tracing::info!(label, height = result.height, gas_used = result.gas_used, hash = %hex::encode_upper(tx.hash), "included");
            return Ok(result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peg_tx::{DecodedTx, MsgUpdateEthClient, TxLimits};

    #[test]
    fn fees_and_signed_tx() {
        let fees = FeePolicy { fee_per_kgas: 3, min_fee: 1_000, denom: "upeg".into() };
        assert_eq!(fees.fee_for(0), 1_000);
        assert_eq!(fees.fee_for(1_000_001), 3_001);
        assert_eq!(fees.fee_for(2_000_000), 6_000);
        assert_eq!(fees.fee_for(1), 1_000);
        let key = RelayerKey::new(peg_tx::SigningKey::from_slice(&[9u8; 32]).expect("key"));
        let msg = Msg::UpdateEthClient(MsgUpdateEthClient {
            signer: key.address,
            fork: "deneb".into(),
            kind: peg_tx::EthUpdateKind::FinalityUpdate,
            update: vec![1; 100],
        });
        let tx = build_tx(&msg, &key, "peg-test", 4, 7, &fees).expect("build");
        assert_eq!(tx.gas, peg_tx::TX_BASE_GAS + msg.gas());
        assert_eq!(tx.fee, fees.fee_for(tx.gas));
        let decoded: DecodedTx =
            peg_tx::decode_tx(&tx.bytes, &TxLimits::default()).expect("decodes");
        assert_eq!(decoded.sequence(), 7);
        assert_eq!(decoded.messages(), std::slice::from_ref(&msg));
        let verified = decoded.verify("peg-test", 4).expect("signature verifies");
        assert_eq!(verified.signer(), &key.address);
    }
}
