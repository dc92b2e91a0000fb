//! The outbound bridge messages of the `peg.bridge.v1` package (`specs/bridge-module.md` §2):
//! protobuf forms (field numbers fixed), strict wire schemas, checked forms and gas.
//!
//! - `MsgSendToEthereum`: move `amount + bridge_fee` of a voucher or of an adopted native denom
//!   into the outbound pool, for `eth_receiver` on Ethereum.
//! - `MsgCancelSendToEthereum`: take a transfer back while it is still in the pool.
//! - `MsgRequestBatch`: build a batch of one denom's pool (highest fee first).
//! - `MsgRegisterDenom`: register a native denom's ERC-20 metadata, so that its CosmosERC20 can
//!   be deployed on Ethereum and adopted.
//!
//! Every bound here is stateless; the state machine checks balances, ownership and adoption.

use peg_types::EthAddress;
use prost::Message as _;

use crate::coin::{validate_denom, Coin};
use crate::wire::{self, Content, Field, Schema, LEN, VARINT};
use crate::{AccAddress, TxError};

/// `/peg.bridge.v1.MsgSendToEthereum`.
pub const MSG_SEND_TO_ETHEREUM_TYPE_URL: &str = "/peg.bridge.v1.MsgSendToEthereum";
/// `/peg.bridge.v1.MsgCancelSendToEthereum`.
pub const MSG_CANCEL_SEND_TO_ETHEREUM_TYPE_URL: &str = "/peg.bridge.v1.MsgCancelSendToEthereum";
/// `/peg.bridge.v1.MsgRequestBatch`.
pub const MSG_REQUEST_BATCH_TYPE_URL: &str = "/peg.bridge.v1.MsgRequestBatch";
/// `/peg.bridge.v1.MsgRegisterDenom`.
pub const MSG_REGISTER_DENOM_TYPE_URL: &str = "/peg.bridge.v1.MsgRegisterDenom";

/// `MsgSendToEthereum` gas: two balance moves and one pool entry.
pub const SEND_TO_ETHEREUM_GAS: u64 = 40_000;
/// `MsgCancelSendToEthereum` gas: one pool lookup and one balance move.
pub const CANCEL_SEND_TO_ETHEREUM_GAS: u64 = 20_000;
/// `MsgRequestBatch` gas: a scan of the pool and a batch write.
pub const REQUEST_BATCH_GAS: u64 = 60_000;
/// `MsgRegisterDenom` gas: a few lookups and one write.
pub const REGISTER_DENOM_GAS: u64 = 30_000;

/// Longest ERC-20 name a registered denom may carry.
pub const MAX_TOKEN_NAME_LEN: usize = 64;
/// Longest ERC-20 symbol a registered denom may carry.
pub const MAX_TOKEN_SYMBOL_LEN: usize = 16;
/// Largest ERC-20 `decimals` a registered denom may declare.
pub const MAX_TOKEN_DECIMALS: u32 = 36;

const fn scalar(number: u32, wire_type: u8) -> Field {
    Field { number, wire_type, repeated: false, content: Content::Scalar }
}

const fn coin(number: u32) -> Field {
    Field { number, wire_type: LEN, repeated: false, content: Content::Message(&wire::COIN) }
}

static MSG_SEND_TO_ETHEREUM: Schema = Schema {
    name: "peg.bridge.v1.MsgSendToEthereum",
    fields: &[scalar(1, LEN), scalar(2, LEN), coin(3), coin(4)],
};

static MSG_CANCEL_SEND_TO_ETHEREUM: Schema = Schema {
    name: "peg.bridge.v1.MsgCancelSendToEthereum",
    fields: &[scalar(1, LEN), scalar(2, VARINT)],
};

static MSG_REQUEST_BATCH: Schema =
    Schema { name: "peg.bridge.v1.MsgRequestBatch", fields: &[scalar(1, LEN), scalar(2, LEN)] };

static MSG_REGISTER_DENOM: Schema = Schema {
    name: "peg.bridge.v1.MsgRegisterDenom",
    fields: &[scalar(1, LEN), scalar(2, LEN), scalar(3, LEN), scalar(4, LEN), scalar(5, VARINT)],
};

/// Protobuf forms of the `peg.bridge.v1` messages.
pub mod raw {
    use crate::proto::Coin;

    /// `peg.bridge.v1.MsgSendToEthereum`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct MsgSendToEthereum {
        /// Field 1: `peg1…`, the sender and signer.
        #[prost(string, tag = "1")]
        pub sender: String,
        /// Field 2: `0x` + 40 hex digits, not zero.
        #[prost(string, tag = "2")]
        pub eth_receiver: String,
        /// Field 3: what the receiver gets on Ethereum.
        #[prost(message, optional, tag = "3")]
        pub amount: Option<Coin>,
        /// Field 4: what the relayer gets, same denom.
        #[prost(message, optional, tag = "4")]
        pub bridge_fee: Option<Coin>,
    }

    /// `peg.bridge.v1.MsgCancelSendToEthereum`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct MsgCancelSendToEthereum {
        /// Field 1: `peg1…`, the transfer's sender.
        #[prost(string, tag = "1")]
        pub sender: String,
        /// Field 2: the pool transfer id.
        #[prost(uint64, tag = "2")]
        pub transfer_id: u64,
    }

    /// `peg.bridge.v1.MsgRequestBatch`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct MsgRequestBatch {
        /// Field 1: `peg1…`, anyone.
        #[prost(string, tag = "1")]
        pub sender: String,
        /// Field 2: the denom whose pool is batched.
        #[prost(string, tag = "2")]
        pub denom: String,
    }

    /// `peg.bridge.v1.MsgRegisterDenom`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct MsgRegisterDenom {
        /// Field 1: `peg1…`, anyone.
        #[prost(string, tag = "1")]
        pub sender: String,
        /// Field 2: the native denom.
        #[prost(string, tag = "2")]
        pub denom: String,
        /// Field 3: ERC-20 name.
        #[prost(string, tag = "3")]
        pub name: String,
        /// Field 4: ERC-20 symbol.
        #[prost(string, tag = "4")]
        pub symbol: String,
        /// Field 5: ERC-20 decimals.
        #[prost(uint32, tag = "5")]
        pub decimals: u32,
    }
}

/// `peg.bridge.v1.MsgSendToEthereum`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgSendToEthereum {
    /// The sender and signer: pays `amount + bridge_fee`.
    pub sender: AccAddress,
    /// The Ethereum receiver (not zero).
    pub eth_receiver: EthAddress,
    /// Positive; the receiver gets it on Ethereum.
    pub amount: Coin,
    /// Same denom as `amount`, may be zero; the relayer that executes the batch gets it.
    pub bridge_fee: Coin,
}

/// `peg.bridge.v1.MsgCancelSendToEthereum`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgCancelSendToEthereum {
    /// The transfer's sender and signer.
    pub sender: AccAddress,
    /// The pool transfer id (positive).
    pub transfer_id: u64,
}

/// `peg.bridge.v1.MsgRequestBatch`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgRequestBatch {
    /// Any account; it signs and pays.
    pub sender: AccAddress,
    /// A valid denom: a voucher or an adopted native denom.
    pub denom: String,
}

/// `peg.bridge.v1.MsgRegisterDenom`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgRegisterDenom {
    /// Any account; it signs and pays.
    pub sender: AccAddress,
    /// A valid denom, not a voucher (`eth/…`).
    pub denom: String,
    /// 1 to [`MAX_TOKEN_NAME_LEN`] printable ASCII characters.
    pub name: String,
    /// 1 to [`MAX_TOKEN_SYMBOL_LEN`] printable ASCII characters.
    pub symbol: String,
    /// At most [`MAX_TOKEN_DECIMALS`].
    pub decimals: u32,
}

fn invalid(msg: &'static str, reason: String) -> TxError {
    TxError::InvalidMessage { msg, reason }
}

fn decode<M: prost::Message + Default>(
    bytes: &[u8],
    schema: &'static Schema,
) -> Result<M, TxError> {
    wire::check_message(bytes, schema)?;
    M::decode(bytes).map_err(|e| TxError::Decode { message: schema.name, reason: e.to_string() })
}

pub(crate) fn decode_send(bytes: &[u8]) -> Result<MsgSendToEthereum, TxError> {
    const URL: &str = MSG_SEND_TO_ETHEREUM_TYPE_URL;
    let raw: raw::MsgSendToEthereum = decode(bytes, &MSG_SEND_TO_ETHEREUM)?;
    let eth_receiver: EthAddress = raw
        .eth_receiver
        .parse()
        .map_err(|e: peg_types::PegTypesError| invalid(URL, format!("eth_receiver: {e}")))?;
    if eth_receiver.is_zero() {
        return Err(invalid(URL, "eth_receiver is the zero address".into()));
    }
    let amount = Coin::from_proto(
        raw.amount.as_ref().ok_or_else(|| invalid(URL, "amount is missing".into()))?,
    )?;
    if amount.amount == 0 {
        return Err(invalid(URL, "amount is zero".into()));
    }
    let bridge_fee = Coin::from_proto(
        raw.bridge_fee.as_ref().ok_or_else(|| invalid(URL, "bridge_fee is missing".into()))?,
    )?;
    if bridge_fee.denom != amount.denom {
        return Err(invalid(
            URL,
            format!(
                "bridge_fee denom {:?} differs from the amount's {:?}",
                bridge_fee.denom, amount.denom
            ),
        ));
    }
    if amount.amount.checked_add(bridge_fee.amount).is_none() {
        return Err(invalid(URL, "amount + bridge_fee overflows".into()));
    }
    Ok(MsgSendToEthereum { sender: raw.sender.parse()?, eth_receiver, amount, bridge_fee })
}

pub(crate) fn decode_cancel(bytes: &[u8]) -> Result<MsgCancelSendToEthereum, TxError> {
    let raw: raw::MsgCancelSendToEthereum = decode(bytes, &MSG_CANCEL_SEND_TO_ETHEREUM)?;
    if raw.transfer_id == 0 {
        return Err(invalid(
            MSG_CANCEL_SEND_TO_ETHEREUM_TYPE_URL,
            "transfer_id is 0 (ids start at 1)".into(),
        ));
    }
    Ok(MsgCancelSendToEthereum { sender: raw.sender.parse()?, transfer_id: raw.transfer_id })
}

pub(crate) fn decode_request_batch(bytes: &[u8]) -> Result<MsgRequestBatch, TxError> {
    let raw: raw::MsgRequestBatch = decode(bytes, &MSG_REQUEST_BATCH)?;
    validate_denom(&raw.denom)?;
    Ok(MsgRequestBatch { sender: raw.sender.parse()?, denom: raw.denom })
}

fn check_text(field: &str, text: &str, max: usize) -> Result<(), TxError> {
    if text.is_empty() || text.len() > max {
        return Err(invalid(
            MSG_REGISTER_DENOM_TYPE_URL,
            format!("{field} is {} characters, expected 1 to {max}", text.len()),
        ));
    }
    if !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(invalid(
            MSG_REGISTER_DENOM_TYPE_URL,
            format!("{field} {text:?} is not printable ASCII"),
        ));
    }
    Ok(())
}

pub(crate) fn decode_register_denom(bytes: &[u8]) -> Result<MsgRegisterDenom, TxError> {
    const URL: &str = MSG_REGISTER_DENOM_TYPE_URL;
    let raw: raw::MsgRegisterDenom = decode(bytes, &MSG_REGISTER_DENOM)?;
    validate_denom(&raw.denom)?;
    if raw.denom.starts_with("eth/") {
        return Err(invalid(URL, format!("{:?} is a voucher denom, not a native one", raw.denom)));
    }
    check_text("name", &raw.name, MAX_TOKEN_NAME_LEN)?;
    check_text("symbol", &raw.symbol, MAX_TOKEN_SYMBOL_LEN)?;
    if raw.decimals > MAX_TOKEN_DECIMALS {
        return Err(invalid(
            URL,
            format!("decimals {} is above {MAX_TOKEN_DECIMALS}", raw.decimals),
        ));
    }
    Ok(MsgRegisterDenom {
        sender: raw.sender.parse()?,
        denom: raw.denom,
        name: raw.name,
        symbol: raw.symbol,
        decimals: raw.decimals,
    })
}

pub(crate) fn encode_send(msg: &MsgSendToEthereum) -> Vec<u8> {
    raw::MsgSendToEthereum {
        sender: msg.sender.to_bech32(),
        eth_receiver: msg.eth_receiver.to_string(),
        amount: Some(msg.amount.to_proto()),
        bridge_fee: Some(msg.bridge_fee.to_proto()),
    }
    .encode_to_vec()
}

pub(crate) fn encode_cancel(msg: &MsgCancelSendToEthereum) -> Vec<u8> {
    raw::MsgCancelSendToEthereum { sender: msg.sender.to_bech32(), transfer_id: msg.transfer_id }
        .encode_to_vec()
}

pub(crate) fn encode_request_batch(msg: &MsgRequestBatch) -> Vec<u8> {
    raw::MsgRequestBatch { sender: msg.sender.to_bech32(), denom: msg.denom.clone() }
        .encode_to_vec()
}

pub(crate) fn encode_register_denom(msg: &MsgRegisterDenom) -> Vec<u8> {
    raw::MsgRegisterDenom {
        sender: msg.sender.to_bech32(),
        denom: msg.denom.clone(),
        name: msg.name.clone(),
        symbol: msg.symbol.clone(),
        decimals: msg.decimals,
    }
    .encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{proto, Msg};

    fn sender() -> AccAddress {
        AccAddress::new([7; 20])
    }

    fn any(type_url: &str, value: Vec<u8>) -> proto::Any {
        proto::Any { type_url: type_url.to_owned(), value }
    }

    fn coin(denom: &str, amount: u128) -> Coin {
        Coin { denom: denom.to_owned(), amount }
    }

    #[test]
    fn every_bridge_message_round_trips_with_its_gas() -> Result<(), TxError> {
        let voucher = "eth/0x0000000000000000000000000000000000000000";
        let msgs = [
            (
                Msg::SendToEthereum(MsgSendToEthereum {
                    sender: sender(),
                    eth_receiver: EthAddress::new([0x42; 20]),
                    amount: coin(voucher, 10),
                    bridge_fee: coin(voucher, 0),
                }),
                SEND_TO_ETHEREUM_GAS,
            ),
            (
                Msg::CancelSendToEthereum(MsgCancelSendToEthereum {
                    sender: sender(),
                    transfer_id: 3,
                }),
                CANCEL_SEND_TO_ETHEREUM_GAS,
            ),
            (
                Msg::RequestBatch(MsgRequestBatch { sender: sender(), denom: voucher.into() }),
                REQUEST_BATCH_GAS,
            ),
            (
                Msg::RegisterDenom(MsgRegisterDenom {
                    sender: sender(),
                    denom: "uatom".into(),
                    name: "Atom".into(),
                    symbol: "ATOM".into(),
                    decimals: 6,
                }),
                REGISTER_DENOM_GAS,
            ),
        ];
        for (msg, gas) in msgs {
            let packed = msg.to_any();
            assert_eq!(packed.type_url, msg.type_url());
            assert_eq!(Msg::from_any(&packed, 0)?, msg);
            assert_eq!(msg.signer(), &sender());
            assert_eq!(msg.gas(), gas);
        }
        Ok(())
    }

    fn send(receiver: &str, amount: Option<Coin>, fee: Option<Coin>) -> proto::Any {
        any(
            MSG_SEND_TO_ETHEREUM_TYPE_URL,
            raw::MsgSendToEthereum {
                sender: sender().to_bech32(),
                eth_receiver: receiver.into(),
                amount: amount.map(|c| c.to_proto()),
                bridge_fee: fee.map(|c| c.to_proto()),
            }
            .encode_to_vec(),
        )
    }

    #[test]
    fn send_to_ethereum_checks() {
        let good = "0x4242424242424242424242424242424242424242";
        assert!(Msg::from_any(&send(good, Some(coin("upeg", 1)), Some(coin("upeg", 0))), 0).is_ok());
        for bad in [
            send(
                "0x0000000000000000000000000000000000000000",
                Some(coin("upeg", 1)),
                Some(coin("upeg", 0)),
            ),
            send(
                "4242424242424242424242424242424242424242",
                Some(coin("upeg", 1)),
                Some(coin("upeg", 0)),
            ),
            send("0x42", Some(coin("upeg", 1)), Some(coin("upeg", 0))),
            send(good, Some(coin("upeg", 0)), Some(coin("upeg", 0))),
            send(good, None, Some(coin("upeg", 0))),
            send(good, Some(coin("upeg", 1)), None),
            send(good, Some(coin("upeg", 1)), Some(coin("uatom", 1))),
            send(good, Some(coin("upeg", u128::MAX)), Some(coin("upeg", 1))),
        ] {
            assert!(
                matches!(Msg::from_any(&bad, 0), Err(TxError::InvalidMessage { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn cancel_batch_and_register_checks() {
        let cancel = any(
            MSG_CANCEL_SEND_TO_ETHEREUM_TYPE_URL,
            raw::MsgCancelSendToEthereum { sender: sender().to_bech32(), transfer_id: 0 }
                .encode_to_vec(),
        );
        assert!(matches!(Msg::from_any(&cancel, 0), Err(TxError::InvalidMessage { .. })));
        let batch = any(
            MSG_REQUEST_BATCH_TYPE_URL,
            raw::MsgRequestBatch { sender: sender().to_bech32(), denom: "x".into() }
                .encode_to_vec(),
        );
        assert!(Msg::from_any(&batch, 0).is_err(), "invalid denom");
        let register = |denom: &str, name: &str, symbol: &str, decimals: u32| {
            any(
                MSG_REGISTER_DENOM_TYPE_URL,
                raw::MsgRegisterDenom {
                    sender: sender().to_bech32(),
                    denom: denom.into(),
                    name: name.into(),
                    symbol: symbol.into(),
                    decimals,
                }
                .encode_to_vec(),
            )
        };
        assert!(Msg::from_any(&register("uatom", "Atom", "ATOM", 36), 0).is_ok());
        for bad in [
            register("eth/0x0000000000000000000000000000000000000000", "A", "A", 6),
            register("uatom", "", "ATOM", 6),
            register("uatom", &"n".repeat(65), "ATOM", 6),
            register("uatom", "Atom", "", 6),
            register("uatom", "Atom", &"S".repeat(17), 6),
            register("uatom", "Atom\n", "ATOM", 6),
            register("uatom", "Atöm", "ATOM", 6),
            register("uatom", "Atom", "ATOM", 37),
        ] {
            assert!(Msg::from_any(&bad, 0).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unknown_field_is_refused() {
        let mut value = raw::MsgRequestBatch { sender: sender().to_bech32(), denom: "upeg".into() }
            .encode_to_vec();
        value.extend_from_slice(&[0x18, 0x01]);
        assert!(matches!(
            Msg::from_any(&any(MSG_REQUEST_BATCH_TYPE_URL, value), 0),
            Err(TxError::UnknownField { field: 3, .. })
        ));
    }
}
