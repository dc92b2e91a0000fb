//! Typed views of the peg zone's ABCI queries the relayer reads (`specs/eth-module.md`):
//! `/eth/client`, `/eth/trusted/<n>`, `/eth/trusted/latest`, `/eth/trusted/position/<i>`,
//! `/eth/events/<from>`, `/account/<peg1…>`.

use alloy_primitives::B256;
use serde::{Deserialize, Deserializer};

use crate::cometbft::CometRpc;
use crate::error::RelayerError;

#[derive(Deserialize)]
#[serde(untagged)]
enum LenientNumber {
    Num(u64),
    Str(String),
}

impl LenientNumber {
    fn value<E: serde::de::Error>(self) -> Result<u64, E> {
        match self {
            Self::Num(n) => Ok(n),
            Self::Str(s) => s.parse().map_err(E::custom),
        }
    }
}

/// A `u64` sent as a JSON number or a decimal string (numbers that may exceed 2^53 are strings).
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    LenientNumber::deserialize(d)?.value()
}

/// Like [`lenient_u64`], `null` (or absent, with `#[serde(default)]`) being `None`.
pub(crate) fn lenient_opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Option::<LenientNumber>::deserialize(d)?.map(LenientNumber::value).transpose()
}

/// `/eth/client`: the light client's and the event stream's state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EthClientStatus {
    /// Whether the eth module runs at all.
    pub enabled: bool,
    /// `minimal` or `mainnet`.
    #[serde(default)]
    pub preset: String,
    /// The store's fork.
    #[serde(default)]
    pub fork: String,
    /// Beacon genesis time.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub genesis_time: u64,
    /// Finalized beacon slot.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub finalized_slot: u64,
    /// The finalized execution block, once known (from Gloas on: the hash, number unknown).
    #[serde(default)]
    pub finalized_execution: Option<RingEntry>,
    /// The store's sync-committee period (of the finalized slot).
    #[serde(default, deserialize_with = "lenient_u64")]
    pub sync_committee_period: u64,
    /// Whether the next sync committee is known.
    #[serde(default)]
    pub next_sync_committee_known: bool,
    /// The zone's current beacon slot (from its block time).
    #[serde(default, deserialize_with = "lenient_u64")]
    pub current_slot: u64,
    /// The next bridge event nonce the zone expects.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub next_event_nonce: u64,
    /// The bridge contract.
    #[serde(default)]
    pub bridge_contract: Option<String>,
    /// The trusted ring.
    #[serde(default)]
    pub trusted: Option<TrustedRange>,
}

/// The bounds of the trusted ring (block numbers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TrustedRange {
    /// Entries.
    #[serde(deserialize_with = "lenient_u64")]
    pub len: u64,
    /// Oldest block number (absent when empty).
    #[serde(default)]
    pub oldest: Option<serde_json::Value>,
    /// Newest block number (absent when empty).
    #[serde(default)]
    pub newest: Option<serde_json::Value>,
}

impl TrustedRange {
    /// The newest trusted block number, if any.
    pub fn newest_number(&self) -> Option<u64> {
        number_of(self.newest.as_ref()?)
    }
}

/// A ring value may be a number, a decimal string, or an entry object with a `number`.
fn number_of(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        serde_json::Value::Object(o) => number_of(o.get("number")?),
        _ => None,
    }
}

/// An entry of the trusted ring: a finalized execution block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct TrustedBlock {
    /// Block number.
    #[serde(deserialize_with = "lenient_u64")]
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Block timestamp.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub timestamp: u64,
}

/// A ring entry as `/eth/trusted/latest` and `/eth/client` show it: a Gloas light-client header
/// carries the execution block hash only, so number and timestamp may be unknown (`null`) until
/// an events message proves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct RingEntry {
    /// Block number, when known.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub number: Option<u64>,
    /// Block hash.
    pub hash: B256,
    /// Block timestamp, when known.
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub timestamp: Option<u64>,
}

impl RingEntry {
    /// The entry as a [`TrustedBlock`], when its number is known.
    pub fn known(&self) -> Option<TrustedBlock> {
        Some(TrustedBlock {
            number: self.number?,
            hash: self.hash,
            timestamp: self.timestamp.unwrap_or(0),
        })
    }
}

/// An entry of `/eth/events/<from>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventRecord {
    /// Event nonce.
    #[serde(deserialize_with = "lenient_u64")]
    pub nonce: u64,
    /// `Locked`, `Burned`, …
    pub kind: String,
    /// The Ethereum block.
    #[serde(deserialize_with = "lenient_u64")]
    pub block_number: u64,
    /// `applied`, `failed: …`, `ignored: …`.
    #[serde(default)]
    pub result: String,
}

/// `/account/<peg1…>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct AccountView {
    /// Account number.
    #[serde(deserialize_with = "lenient_u64")]
    pub account_number: u64,
    /// Next sequence.
    #[serde(deserialize_with = "lenient_u64")]
    pub sequence: u64,
}

/// The peg zone queries, over a [`CometRpc`].
#[derive(Debug)]
pub struct Zone<'a> {
    rpc: &'a CometRpc,
}

impl<'a> Zone<'a> {
    /// Queries through `rpc`.
    pub fn new(rpc: &'a CometRpc) -> Self {
        Self { rpc }
    }

    /// `/eth/client`.
    pub async fn eth_client(&self) -> Result<EthClientStatus, RelayerError> {
        self.rpc.query_json("/eth/client").await
    }

    /// `/eth/trusted/<n>`: the oldest trusted block numbered `n` or later; `None` when the ring
    /// has none yet (the zone answers with an error code).
    pub async fn trusted_at_or_after(&self, n: u64) -> Result<Option<TrustedBlock>, RelayerError> {
        match self.rpc.query_json(&format!("/eth/trusted/{n}")).await {
            Ok(block) => Ok(Some(block)),
            Err(RelayerError::Query { code, .. }) if code != 0 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `/eth/trusted/latest`: the newest ring entry (its number may be unknown: Gloas); `None`
    /// when the ring is empty (the zone answers with an error code).
    pub async fn trusted_latest(&self) -> Result<Option<RingEntry>, RelayerError> {
        match self.rpc.query_json("/eth/trusted/latest").await {
            Ok(entry) => Ok(Some(entry)),
            Err(RelayerError::Query { code, .. }) if code != 0 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `/eth/trusted/position/<i>`: the ring entry at position `i` (0 = the oldest); `None` when
    /// the ring is shorter.
    pub async fn trusted_at_position(&self, i: u64) -> Result<Option<RingEntry>, RelayerError> {
        match self.rpc.query_json(&format!("/eth/trusted/position/{i}")).await {
            Ok(entry) => Ok(Some(entry)),
            Err(RelayerError::Query { code, .. }) if code != 0 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `/eth/events/<from>`: processed events with nonce ≥ `from` (at most 100).
    pub async fn events_from(&self, from: u64) -> Result<Vec<EventRecord>, RelayerError> {
        self.rpc.query_json(&format!("/eth/events/{from}")).await
    }

    /// `/account/<address>`; `None` when the account does not exist.
    pub async fn account(&self, address: &str) -> Result<Option<AccountView>, RelayerError> {
        let answer = self.rpc.abci_query(&format!("/account/{address}")).await?;
        if answer.code != 0 {
            if answer.log.contains("does not exist") {
                return Ok(None);
            }
            return Err(RelayerError::Query {
                path: format!("/account/{address}"),
                code: answer.code,
                log: answer.log,
            });
        }
        serde_json::from_slice(&answer.value).map(Some).map_err(|e| RelayerError::Query {
            path: format!("/account/{address}"),
            code: 0,
            log: format!("unexpected answer: {e}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_client_status() {
        let text = r#"{"enabled":true,"network":"custom","preset":"minimal","fork":"deneb",
            "genesis_time":1700000000,"finalized_slot":64,"finalized_block_root":"0x00",
            "finalized_execution":{"number":60,"hash":"0x1111111111111111111111111111111111111111111111111111111111111111","timestamp":1700000384},
            "optimistic_slot":70,"sync_committee_period":1,"next_sync_committee_known":false,
            "current_slot":72,"next_event_nonce":"3","bridge_contract":"0x5fbdb2315678afecb367f032d93f642f64180aa3",
            "bridge_id":"0x00","trusted":{"len":2,"oldest":52,"newest":60}}"#;
        let status: EthClientStatus = serde_json::from_str(text).expect("valid");
        assert!(status.enabled);
        assert_eq!(status.next_event_nonce, 3);
        assert_eq!(status.finalized_execution.and_then(|b| b.number), Some(60));
        assert_eq!(status.trusted.as_ref().and_then(|t| t.newest_number()), Some(60));
        let disabled: EthClientStatus = serde_json::from_str(r#"{"enabled":false}"#).expect("ok");
        assert!(!disabled.enabled);
        let range: TrustedRange =
            serde_json::from_str(r#"{"len":1,"oldest":{"number":"5"},"newest":{"number":"9"}}"#)
                .expect("objects");
        assert_eq!(range.newest_number(), Some(9));
    }

    #[test]
    fn reads_gloas_entries_without_a_number() {
        let hash = "0x2222222222222222222222222222222222222222222222222222222222222222";
        let text = format!(
            r#"{{"enabled":true,"preset":"minimal","fork":"gloas","finalized_slot":96,
            "finalized_execution":{{"number":null,"hash":"{hash}","timestamp":null}},
            "next_event_nonce":"1","trusted":{{"len":3,"oldest":12,"newest":null}}}}"#
        );
        let status: EthClientStatus = serde_json::from_str(&text).expect("valid");
        let entry = status.finalized_execution.expect("present");
        assert_eq!((entry.number, entry.timestamp), (None, None));
        assert_eq!(entry.known(), None);
        assert_eq!(status.trusted.as_ref().and_then(|t| t.newest_number()), None);
        let numbered: RingEntry = serde_json::from_str(&format!(
            r#"{{"number":"70","hash":"{hash}","timestamp":1700000070}}"#
        ))
        .expect("valid");
        assert_eq!(numbered.known().map(|b| (b.number, b.timestamp)), Some((70, 1_700_000_070)));
        assert!(serde_json::from_str::<RingEntry>(r#"{"number":"x","hash":"0x00"}"#).is_err());
    }
}
