//! The bridge events the peg zone learns (`specs/contracts.md` §6), decoded from raw logs.

use alloy_primitives::{Log, B256, U256};
use alloy_sol_types::SolEvent;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{pack_member, unpack_member};
use crate::{EthAddress, PegAccount, PegTypesError, Valset};

/// The `sol!` declarations of §6, byte for byte the contract's `IPegBridge` events.
pub mod sol_events {
    alloy_sol_types::sol! {
        /// §6 `Locked`.
        #[derive(Debug, PartialEq, Eq)]
        event Locked(uint256 indexed eventNonce, address indexed token, address indexed sender, bytes20 receiver, uint256 amount);
        /// §6 `Burned`.
        #[derive(Debug, PartialEq, Eq)]
        event Burned(uint256 indexed eventNonce, address indexed token, address indexed sender, bytes20 receiver, uint256 amount);
        /// §6 `TokenDeployed`.
        #[derive(Debug, PartialEq, Eq)]
        event TokenDeployed(uint256 indexed eventNonce, address indexed token, string denom, string name, string symbol, uint8 decimals);
        /// §6 `ValsetUpdated`, with the valset as packed member words
        /// (`validator << 96 | power`, §8.2), as the contract emits it.
        #[derive(Debug, PartialEq, Eq)]
        event ValsetUpdated(uint256 indexed eventNonce, uint256 indexed valsetNonce, bytes32[] members);
        /// §6 `BatchExecuted`.
        #[derive(Debug, PartialEq, Eq)]
        event BatchExecuted(uint256 indexed eventNonce, address indexed token, uint256 indexed batchNonce);
    }
}

/// `amount` of `token` locked (or, for [`PegEvent::Burned`], burned) on Ethereum by `sender` for
/// the peg zone account `receiver`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferToPegZone {
    /// The bridge's sequential event nonce.
    pub event_nonce: u64,
    /// The Ethereum token (`address(0)` for ETH).
    pub token: EthAddress,
    /// The Ethereum sender.
    pub sender: EthAddress,
    /// The peg zone account credited.
    pub receiver: PegAccount,
    /// Amount that arrived (the bridge's balance change for a lock).
    pub amount: U256,
}

/// A CosmosERC20 deployed for a peg zone denom.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDeployed {
    /// The bridge's sequential event nonce.
    pub event_nonce: u64,
    /// The new token's address.
    pub token: EthAddress,
    /// The peg zone denom it represents.
    pub denom: String,
    /// ERC-20 name.
    pub name: String,
    /// ERC-20 symbol.
    pub symbol: String,
    /// ERC-20 decimals.
    pub decimals: u8,
}

/// The bridge moved to a new valset. The valset is carried as emitted (not validated: call
/// [`Valset::validate`] before trusting its shape).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValsetUpdated {
    /// The bridge's sequential event nonce (0 for the constructor's informational event).
    pub event_nonce: u64,
    /// The new current valset.
    pub valset: Valset,
}

/// A batch was executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchExecuted {
    /// The bridge's sequential event nonce.
    pub event_nonce: u64,
    /// The batch's token.
    pub token: EthAddress,
    /// The batch's nonce.
    pub batch_nonce: u64,
}

/// One bridge event the peg zone learns (§6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PegEvent {
    /// `Locked`.
    Locked(TransferToPegZone),
    /// `Burned`.
    Burned(TransferToPegZone),
    /// `TokenDeployed`.
    TokenDeployed(TokenDeployed),
    /// `ValsetUpdated`.
    ValsetUpdated(ValsetUpdated),
    /// `BatchExecuted`.
    BatchExecuted(BatchExecuted),
}

/// The names and `topic0`s of the bridge events.
pub const EVENT_NAMES: [&str; 5] =
    ["Locked", "Burned", "TokenDeployed", "ValsetUpdated", "BatchExecuted"];

fn to_u64(what: &'static str, value: U256) -> Result<u64, PegTypesError> {
    u64::try_from(value).map_err(|_| PegTypesError::ValueOutOfRange { what, got: value })
}

fn decode_as<E: SolEvent>(topics: &[B256], data: &[u8]) -> Result<E, PegTypesError> {
    let malformed =
        |reason: String| PegTypesError::MalformedLog { event: event_name(E::SIGNATURE), reason };
    // Strict: exactly the event's topics (alloy would ignore extra ones), canonical ABI data.
    let expected_topics = <E::TopicList as alloy_sol_types::TopicList>::COUNT;
    if topics.len() != expected_topics {
        return Err(malformed(format!("got {} topics, expected {expected_topics}", topics.len())));
    }
    E::decode_raw_log_validate(topics.iter().copied(), data).map_err(|e| malformed(e.to_string()))
}

fn event_name(signature: &str) -> &'static str {
    EVENT_NAMES
        .iter()
        .find(|name| signature.strip_prefix(**name).is_some_and(|rest| rest.starts_with('(')))
        .copied()
        .unwrap_or("unknown")
}

impl PegEvent {
    /// The event's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Locked(_) => "Locked",
            Self::Burned(_) => "Burned",
            Self::TokenDeployed(_) => "TokenDeployed",
            Self::ValsetUpdated(_) => "ValsetUpdated",
            Self::BatchExecuted(_) => "BatchExecuted",
        }
    }

    /// The bridge's sequential event nonce (§6): the peg zone applies events in strict order.
    pub fn event_nonce(&self) -> u64 {
        match self {
            Self::Locked(e) | Self::Burned(e) => e.event_nonce,
            Self::TokenDeployed(e) => e.event_nonce,
            Self::ValsetUpdated(e) => e.event_nonce,
            Self::BatchExecuted(e) => e.event_nonce,
        }
    }

    /// `topic0` of each bridge event, `keccak256` of its signature.
    pub fn topic0s() -> [(&'static str, B256); 5] {
        [
            ("Locked", sol_events::Locked::SIGNATURE_HASH),
            ("Burned", sol_events::Burned::SIGNATURE_HASH),
            ("TokenDeployed", sol_events::TokenDeployed::SIGNATURE_HASH),
            ("ValsetUpdated", sol_events::ValsetUpdated::SIGNATURE_HASH),
            ("BatchExecuted", sol_events::BatchExecuted::SIGNATURE_HASH),
        ]
    }

    /// Decodes a raw log (`topics`, `data`) into a bridge event, by its `topic0`.
    ///
    /// Strict: refuses a log with no topics, an unknown `topic0`, a wrong topic count, nonces
    /// that do not fit in `u64`, and any ABI encoding other than the canonical one the contract
    /// emits (dirty padding, unusual offsets, trailing bytes), so that decoding is one-to-one.
    ///
    /// The bridge's informational events (`TransferCredited`, `Claimed`, `Paused`, `Unpaused`)
    /// carry no event nonce and come back as [`PegTypesError::UnknownEvent`]: skip them.
    pub fn decode_raw_log(topics: &[B256], data: &[u8]) -> Result<Self, PegTypesError> {
        let event = Self::decode_raw_log_lenient(topics, data)?;
        let (canonical_topics, canonical_data) = event.encode_log();
        if canonical_topics != topics || canonical_data != data {
            return Err(PegTypesError::MalformedLog {
                event: event.name(),
                reason: "not the canonical ABI encoding".to_owned(),
            });
        }
        Ok(event)
    }

    /// Decodes with alloy's validating decoder only (which accepts some non-canonical encodings).
    fn decode_raw_log_lenient(topics: &[B256], data: &[u8]) -> Result<Self, PegTypesError> {
        let topic0 = *topics.first().ok_or(PegTypesError::MissingTopic0)?;
        if topic0 == sol_events::Locked::SIGNATURE_HASH {
            let e: sol_events::Locked = decode_as(topics, data)?;
            Ok(Self::Locked(TransferToPegZone {
                event_nonce: to_u64("Locked eventNonce", e.eventNonce)?,
                token: e.token.into(),
                sender: e.sender.into(),
                receiver: PegAccount(e.receiver),
                amount: e.amount,
            }))
        } else if topic0 == sol_events::Burned::SIGNATURE_HASH {
            let e: sol_events::Burned = decode_as(topics, data)?;
            Ok(Self::Burned(TransferToPegZone {
                event_nonce: to_u64("Burned eventNonce", e.eventNonce)?,
                token: e.token.into(),
                sender: e.sender.into(),
                receiver: PegAccount(e.receiver),
                amount: e.amount,
            }))
        } else if topic0 == sol_events::TokenDeployed::SIGNATURE_HASH {
            let e: sol_events::TokenDeployed = decode_as(topics, data)?;
            Ok(Self::TokenDeployed(TokenDeployed {
                event_nonce: to_u64("TokenDeployed eventNonce", e.eventNonce)?,
                token: e.token.into(),
                denom: e.denom,
                name: e.name,
                symbol: e.symbol,
                decimals: e.decimals,
            }))
        } else if topic0 == sol_events::ValsetUpdated::SIGNATURE_HASH {
            let e: sol_events::ValsetUpdated = decode_as(topics, data)?;
            let members = e.members.iter().map(unpack_member).collect::<Result<Vec<_>, _>>()?;
            Ok(Self::ValsetUpdated(ValsetUpdated {
                event_nonce: to_u64("ValsetUpdated eventNonce", e.eventNonce)?,
                valset: Valset {
                    nonce: to_u64("ValsetUpdated valsetNonce", e.valsetNonce)?,
                    members,
                },
            }))
        } else if topic0 == sol_events::BatchExecuted::SIGNATURE_HASH {
            let e: sol_events::BatchExecuted = decode_as(topics, data)?;
            Ok(Self::BatchExecuted(BatchExecuted {
                event_nonce: to_u64("BatchExecuted eventNonce", e.eventNonce)?,
                token: e.token.into(),
                batch_nonce: to_u64("BatchExecuted batchNonce", e.batchNonce)?,
            }))
        } else {
            Err(PegTypesError::UnknownEvent { topic0 })
        }
    }

    /// Decodes a log emitted by the bridge at `bridge`, refusing logs of any other contract.
    pub fn decode_bridge_log(bridge: &EthAddress, log: &Log) -> Result<Self, PegTypesError> {
        if log.address != bridge.as_address() {
            return Err(PegTypesError::WrongEmitter { got: log.address.into(), expected: *bridge });
        }
        Self::decode_raw_log(log.data.topics(), &log.data.data)
    }

    /// The log the contract emits for this event: `(topics, data)`. Inverse of
    /// [`PegEvent::decode_raw_log`]; used by tests, vectors and the devnet.
    pub fn encode_log(&self) -> (Vec<B256>, Vec<u8>) {
        let log = match self {
            Self::Locked(e) => sol_events::Locked {
                eventNonce: U256::from(e.event_nonce),
                token: e.token.as_address(),
                sender: e.sender.as_address(),
                receiver: e.receiver.0,
                amount: e.amount,
            }
            .encode_log_data(),
            Self::Burned(e) => sol_events::Burned {
                eventNonce: U256::from(e.event_nonce),
                token: e.token.as_address(),
                sender: e.sender.as_address(),
                receiver: e.receiver.0,
                amount: e.amount,
            }
            .encode_log_data(),
            Self::TokenDeployed(e) => sol_events::TokenDeployed {
                eventNonce: U256::from(e.event_nonce),
                token: e.token.as_address(),
                denom: e.denom.clone(),
                name: e.name.clone(),
                symbol: e.symbol.clone(),
                decimals: e.decimals,
            }
            .encode_log_data(),
            Self::ValsetUpdated(e) => sol_events::ValsetUpdated {
                eventNonce: U256::from(e.event_nonce),
                valsetNonce: U256::from(e.valset.nonce),
                members: e.valset.members.iter().map(pack_member).collect(),
            }
            .encode_log_data(),
            Self::BatchExecuted(e) => sol_events::BatchExecuted {
                eventNonce: U256::from(e.event_nonce),
                token: e.token.as_address(),
                batchNonce: U256::from(e.batch_nonce),
            }
            .encode_log_data(),
        };
        (log.topics().to_vec(), log.data.to_vec())
    }

    /// `Locked` or `Burned` as a transfer to the peg zone, or [`PegTypesError::WrongEventKind`].
    pub fn into_transfer(self) -> Result<TransferToPegZone, PegTypesError> {
        match self {
            Self::Locked(e) | Self::Burned(e) => Ok(e),
            other => Err(PegTypesError::WrongEventKind {
                got: other.name(),
                expected: "Locked or Burned",
            }),
        }
    }

    /// `ValsetUpdated`, or [`PegTypesError::WrongEventKind`].
    pub fn into_valset_updated(self) -> Result<ValsetUpdated, PegTypesError> {
        match self {
            Self::ValsetUpdated(e) => Ok(e),
            other => {
                Err(PegTypesError::WrongEventKind { got: other.name(), expected: "ValsetUpdated" })
            }
        }
    }

    /// `BatchExecuted`, or [`PegTypesError::WrongEventKind`].
    pub fn into_batch_executed(self) -> Result<BatchExecuted, PegTypesError> {
        match self {
            Self::BatchExecuted(e) => Ok(e),
            other => {
                Err(PegTypesError::WrongEventKind { got: other.name(), expected: "BatchExecuted" })
            }
        }
    }

    /// `TokenDeployed`, or [`PegTypesError::WrongEventKind`].
    pub fn into_token_deployed(self) -> Result<TokenDeployed, PegTypesError> {
        match self {
            Self::TokenDeployed(e) => Ok(e),
            other => {
                Err(PegTypesError::WrongEventKind { got: other.name(), expected: "TokenDeployed" })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ValsetMember;
    use alloy_primitives::{keccak256, Address, LogData};

    fn samples() -> Vec<PegEvent> {
        let transfer = TransferToPegZone {
            event_nonce: 1,
            token: EthAddress::new([0x11; 20]),
            sender: EthAddress::new([0x22; 20]),
            receiver: PegAccount::new([0x33; 20]),
            amount: U256::from(1_000_000u64),
        };
        vec![
            PegEvent::Locked(transfer.clone()),
            PegEvent::Burned(TransferToPegZone { event_nonce: 2, ..transfer }),
            PegEvent::TokenDeployed(TokenDeployed {
                event_nonce: 3,
                token: EthAddress::new([0x44; 20]),
                denom: "upeg".into(),
                name: "Peg".into(),
                symbol: "PEG".into(),
                decimals: 6,
            }),
            PegEvent::ValsetUpdated(ValsetUpdated {
                event_nonce: 4,
                valset: Valset {
                    nonce: 9,
                    members: vec![
                        ValsetMember {
                            eth_address: EthAddress::new([0x55; 20]),
                            power: 3_000_000_000,
                        },
                        ValsetMember {
                            eth_address: EthAddress::new([0x66; 20]),
                            power: 1_000_000_000,
                        },
                    ],
                },
            }),
            PegEvent::BatchExecuted(BatchExecuted {
                event_nonce: 5,
                token: EthAddress::ZERO,
                batch_nonce: 7,
            }),
        ]
    }

    #[test]
    fn topic0s_are_keccak_of_the_spec_signatures() {
        let expected = [
            "Locked(uint256,address,address,bytes20,uint256)",
            "Burned(uint256,address,address,bytes20,uint256)",
            "TokenDeployed(uint256,address,string,string,string,uint8)",
            "ValsetUpdated(uint256,uint256,bytes32[])",
            "BatchExecuted(uint256,address,uint256)",
        ];
        for ((name, topic0), signature) in PegEvent::topic0s().iter().zip(expected) {
            assert_eq!(*topic0, keccak256(signature), "{name}");
            assert_eq!(event_name(signature), *name);
        }
    }

    #[test]
    fn round_trip_every_event() -> Result<(), PegTypesError> {
        for event in samples() {
            let (topics, data) = event.encode_log();
            let decoded = PegEvent::decode_raw_log(&topics, &data)?;
            assert_eq!(decoded.event_nonce(), event.event_nonce());
            assert_eq!(decoded, event);
        }
        Ok(())
    }

    #[test]
    fn locked_layout_is_pinned() -> Result<(), PegTypesError> {
        let (topics, data) =
            samples().into_iter().next().map(|e| e.encode_log()).unwrap_or_default();
        assert_eq!(topics.len(), 4);
        assert_eq!(topics[1], B256::from(U256::from(1u64).to_be_bytes::<32>()));
        assert_eq!(&topics[2].0[12..], &[0x11; 20]);
        assert_eq!(&topics[3].0[12..], &[0x22; 20]);
        // data = bytes20 receiver (left-aligned) ‖ uint256 amount.
        assert_eq!(data.len(), 64);
        assert_eq!(&data[..20], &[0x33; 20]);
        assert_eq!(&data[20..32], &[0u8; 12]);
        assert_eq!(U256::from_be_slice(&data[32..]), U256::from(1_000_000u64));
        Ok(())
    }

    #[test]
    fn unknown_and_missing_topic0() {
        assert_eq!(PegEvent::decode_raw_log(&[], &[]), Err(PegTypesError::MissingTopic0));
        // ERC-20 Transfer: someone else's event.
        let transfer = keccak256("Transfer(address,address,uint256)");
        assert_eq!(
            PegEvent::decode_raw_log(&[transfer], &[]),
            Err(PegTypesError::UnknownEvent { topic0: transfer })
        );
    }

    #[test]
    fn malformed_logs() {
        let (topics, data) =
            samples().into_iter().next().map(|e| e.encode_log()).unwrap_or_default();
        // Missing a topic.
        assert!(matches!(
            PegEvent::decode_raw_log(&topics[..3], &data),
            Err(PegTypesError::MalformedLog { event: "Locked", .. })
        ));
        // An extra topic.
        let mut extra = topics.clone();
        extra.push(B256::ZERO);
        assert!(matches!(
            PegEvent::decode_raw_log(&extra, &data),
            Err(PegTypesError::MalformedLog { event: "Locked", .. })
        ));
        // Truncated data.
        assert!(matches!(
            PegEvent::decode_raw_log(&topics, &data[..40]),
            Err(PegTypesError::MalformedLog { event: "Locked", .. })
        ));
        // Dirty bytes20 padding.
        let mut dirty = data.clone();
        dirty[31] = 1;
        assert!(matches!(
            PegEvent::decode_raw_log(&topics, &dirty),
            Err(PegTypesError::MalformedLog { event: "Locked", .. })
        ));
        // Trailing bytes after the canonical body.
        let mut trailing = data.clone();
        trailing.extend_from_slice(&[0u8; 32]);
        assert_eq!(
            PegEvent::decode_raw_log(&topics, &trailing),
            Err(PegTypesError::MalformedLog {
                event: "Locked",
                reason: "not the canonical ABI encoding".to_owned()
            })
        );
        // Dirty address topic.
        let mut dirty_topic = topics.clone();
        dirty_topic[2].0[0] = 1;
        assert!(matches!(
            PegEvent::decode_raw_log(&dirty_topic, &data),
            Err(PegTypesError::MalformedLog { event: "Locked", .. })
        ));
    }

    #[test]
    fn nonce_out_of_range() {
        let (mut topics, data) =
            samples().into_iter().next().map(|e| e.encode_log()).unwrap_or_default();
        topics[1] = B256::repeat_byte(0xff);
        assert_eq!(
            PegEvent::decode_raw_log(&topics, &data),
            Err(PegTypesError::ValueOutOfRange { what: "Locked eventNonce", got: U256::MAX })
        );
    }

    #[test]
    fn valset_updated_member_power_out_of_range() {
        let mut member = [0x11u8; 32];
        member[20..].copy_from_slice(&[0xff; 12]);
        let log = sol_events::ValsetUpdated {
            eventNonce: U256::from(1),
            valsetNonce: U256::from(2),
            members: vec![B256::from(member)],
        }
        .encode_log_data();
        assert!(matches!(
            PegEvent::decode_raw_log(log.topics(), &log.data),
            Err(PegTypesError::ValueOutOfRange { what: "packed member power", .. })
        ));
    }

    #[test]
    fn non_canonical_offset_is_refused() {
        // TokenDeployed with the first string's offset moved past an extra zero word: the strings
        // still decode, but this is not what the contract emits.
        let event = samples().into_iter().nth(2).expect("a TokenDeployed sample");
        let (topics, data) = event.encode_log();
        assert_eq!(PegEvent::decode_raw_log(&topics, &data), Ok(event));
        let first_offset = U256::from_be_slice(&data[..32]);
        let mut moved = data.clone();
        for head in 0..3 {
            let at = head * 32;
            let offset = U256::from_be_slice(&moved[at..at + 32]) + U256::from(32u64);
            moved[at..at + 32].copy_from_slice(&offset.to_be_bytes::<32>());
        }
        let body = first_offset.to::<usize>();
        moved.splice(body..body, [0u8; 32]);
        assert!(matches!(
            PegEvent::decode_raw_log(&topics, &moved),
            Err(PegTypesError::MalformedLog { event: "TokenDeployed", .. })
        ));
    }

    #[test]
    fn valset_updated_layout_is_packed_members() {
        let event = samples().into_iter().nth(3).expect("a ValsetUpdated sample");
        let (topics, data) = event.encode_log();
        assert_eq!(topics.len(), 3);
        assert_eq!(topics[2], B256::from(U256::from(9u64).to_be_bytes::<32>()));
        // data = offset 0x20 ‖ length 2 ‖ member words.
        assert_eq!(data.len(), 4 * 32);
        assert_eq!(U256::from_be_slice(&data[..32]), U256::from(32u64));
        assert_eq!(U256::from_be_slice(&data[32..64]), U256::from(2u64));
        assert_eq!(&data[64..84], &[0x55; 20]);
        assert_eq!(U256::from_be_slice(&data[84..96]), U256::from(3_000_000_000u64));
    }

    #[test]
    fn emitter_and_kind_checks() -> Result<(), PegTypesError> {
        let bridge = EthAddress::new([0xbb; 20]);
        let event = samples().into_iter().nth(4).ok_or(PegTypesError::MissingTopic0)?;
        let (topics, data) = event.encode_log();
        let log_data = LogData::new(topics, data.into()).ok_or(PegTypesError::MissingTopic0)?;
        let log = Log { address: bridge.as_address(), data: log_data.clone() };
        assert_eq!(PegEvent::decode_bridge_log(&bridge, &log)?, event);
        let foreign = Log { address: Address::repeat_byte(0xcc), data: log_data };
        assert_eq!(
            PegEvent::decode_bridge_log(&bridge, &foreign),
            Err(PegTypesError::WrongEmitter { got: EthAddress::new([0xcc; 20]), expected: bridge })
        );
        assert_eq!(
            event.clone().into_transfer(),
            Err(PegTypesError::WrongEventKind {
                got: "BatchExecuted",
                expected: "Locked or Burned"
            })
        );
        assert!(event.clone().into_batch_executed().is_ok());
        assert!(matches!(
            event.clone().into_valset_updated(),
            Err(PegTypesError::WrongEventKind { .. })
        ));
        assert!(matches!(event.into_token_deployed(), Err(PegTypesError::WrongEventKind { .. })));
        let samples = samples();
        for e in &samples {
            assert_eq!(
                e.clone().into_transfer().is_ok(),
                matches!(e, PegEvent::Locked(_) | PegEvent::Burned(_))
            );
            assert_eq!(
                e.clone().into_valset_updated().is_ok(),
                matches!(e, PegEvent::ValsetUpdated(_))
            );
            assert_eq!(
                e.clone().into_token_deployed().is_ok(),
                matches!(e, PegEvent::TokenDeployed(_))
            );
        }
        Ok(())
    }
}
