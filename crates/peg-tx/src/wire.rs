//! A strict protobuf wire-format walker (`specs/transactions.md` §4).
//!
//! prost, like every protobuf library, skips unknown fields and lets a later occurrence of a
//! singular field win. Signed bytes that carry data nobody looks at, or that two parsers read
//! differently, are a classic source of bugs in signed-message systems, so before a message is
//! handed to prost it is walked once against a schema of its declared fields:
//!
//! - a field number the schema does not declare is refused ([`TxError::UnknownField`]); the
//!   Cosmos SDK's `unknownproto` does the same for critical fields, we do it for all fields;
//! - a declared field with another wire type is refused ([`TxError::WrongWireType`]);
//! - a singular field that occurs twice is refused ([`TxError::DuplicateField`]);
//! - groups (wire types 3, 4) and truncated or over-long varints are refused.
//!
//! Sub-messages are walked recursively where the schema names their schema; `Opaque` fields are
//! length-checked only (their content is refused or decoded later).

use crate::TxError;

/// Wire type 0.
pub(crate) const VARINT: u8 = 0;
/// Wire type 2.
pub(crate) const LEN: u8 = 2;

/// Maximum nesting of sub-messages walked (TxRaw → AuthInfo → SignerInfo → ModeInfo → Single
/// is 4 levels).
const MAX_DEPTH: usize = 8;

/// What a length-delimited field holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content {
    /// A scalar (varint) or raw bytes/string.
    Scalar,
    /// A sub-message walked with this schema.
    Message(&'static Schema),
    /// A sub-message not walked here (refused or walked later, e.g. an `Any` value).
    Opaque,
}

/// One declared field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) number: u32,
    pub(crate) wire_type: u8,
    pub(crate) repeated: bool,
    pub(crate) content: Content,
}

/// The declared fields of one message.
#[derive(Debug)]
pub(crate) struct Schema {
    pub(crate) name: &'static str,
    pub(crate) fields: &'static [Field],
}

const fn scalar(number: u32, wire_type: u8) -> Field {
    Field { number, wire_type, repeated: false, content: Content::Scalar }
}

const fn repeated_bytes(number: u32) -> Field {
    Field { number, wire_type: LEN, repeated: true, content: Content::Scalar }
}

const fn message(number: u32, schema: &'static Schema) -> Field {
    Field { number, wire_type: LEN, repeated: false, content: Content::Message(schema) }
}

const fn repeated_message(number: u32, schema: &'static Schema) -> Field {
    Field { number, wire_type: LEN, repeated: true, content: Content::Message(schema) }
}

const fn opaque(number: u32) -> Field {
    Field { number, wire_type: LEN, repeated: false, content: Content::Opaque }
}

pub(crate) static ANY: Schema =
    Schema { name: "google.protobuf.Any", fields: &[scalar(1, LEN), scalar(2, LEN)] };

pub(crate) static COIN: Schema =
    Schema { name: "cosmos.base.v1beta1.Coin", fields: &[scalar(1, LEN), scalar(2, LEN)] };

pub(crate) static TX_RAW: Schema = Schema {
    name: "cosmos.tx.v1beta1.TxRaw",
    fields: &[scalar(1, LEN), scalar(2, LEN), repeated_bytes(3)],
};

pub(crate) static TX_BODY: Schema = Schema {
    name: "cosmos.tx.v1beta1.TxBody",
    fields: &[
        repeated_message(1, &ANY),
        scalar(2, LEN),
        scalar(3, VARINT),
        repeated_message(1023, &ANY),
        repeated_message(2047, &ANY),
    ],
};

static MODE_INFO_SINGLE: Schema =
    Schema { name: "cosmos.tx.v1beta1.ModeInfo.Single", fields: &[scalar(1, VARINT)] };

static MODE_INFO: Schema = Schema {
    name: "cosmos.tx.v1beta1.ModeInfo",
    // `single` and `multi` are one oneof: at most one of them may occur, checked after decoding.
    fields: &[message(1, &MODE_INFO_SINGLE), opaque(2)],
};

static SIGNER_INFO: Schema = Schema {
    name: "cosmos.tx.v1beta1.SignerInfo",
    fields: &[message(1, &ANY), message(2, &MODE_INFO), scalar(3, VARINT)],
};

static FEE: Schema = Schema {
    name: "cosmos.tx.v1beta1.Fee",
    fields: &[repeated_message(1, &COIN), scalar(2, VARINT), scalar(3, LEN), scalar(4, LEN)],
};

pub(crate) static AUTH_INFO: Schema = Schema {
    name: "cosmos.tx.v1beta1.AuthInfo",
    fields: &[repeated_message(1, &SIGNER_INFO), message(2, &FEE)],
};

pub(crate) static SECP256K1_PUBKEY: Schema =
    Schema { name: "cosmos.crypto.secp256k1.PubKey", fields: &[scalar(1, LEN)] };

pub(crate) static MSG_SEND: Schema = Schema {
    name: "cosmos.bank.v1beta1.MsgSend",
    fields: &[scalar(1, LEN), scalar(2, LEN), repeated_message(3, &COIN)],
};

pub(crate) static MSG_CREATE_VALIDATOR: Schema = Schema {
    name: "peg.staking.v1.MsgCreateValidator",
    fields: &[scalar(1, LEN), scalar(2, LEN), message(3, &COIN), scalar(4, LEN)],
};

pub(crate) static MSG_BOND: Schema =
    Schema { name: "peg.staking.v1.MsgBond", fields: &[scalar(1, LEN), message(2, &COIN)] };

pub(crate) static MSG_UNBOND: Schema =
    Schema { name: "peg.staking.v1.MsgUnbond", fields: &[scalar(1, LEN), message(2, &COIN)] };

pub(crate) static MSG_REGISTER_ETH_ADDRESS: Schema = Schema {
    name: "peg.eth.v1.MsgRegisterEthAddress",
    fields: &[scalar(1, LEN), scalar(2, LEN), scalar(3, LEN)],
};

pub(crate) static MSG_UPDATE_ETH_CLIENT: Schema = Schema {
    name: "peg.eth.v1.MsgUpdateEthClient",
    fields: &[scalar(1, LEN), scalar(2, LEN), scalar(3, VARINT), scalar(4, LEN)],
};

/// `log_indices` is a packed `repeated uint32` (one length-delimited field; proto3's canonical
/// encoding). The unpacked form (varints) is refused as a wrong wire type: one encoding only.
static EVENT_RECEIPT: Schema = Schema {
    name: "peg.eth.v1.MsgSubmitEthEvents.EventReceipt",
    fields: &[scalar(1, VARINT), scalar(2, VARINT), repeated_bytes(3), repeated_bytes(4)],
};

pub(crate) static MSG_SUBMIT_ETH_EVENTS: Schema = Schema {
    name: "peg.eth.v1.MsgSubmitEthEvents",
    fields: &[
        scalar(1, LEN),
        scalar(2, VARINT),
        scalar(3, LEN),
        repeated_bytes(4),
        repeated_message(5, &EVENT_RECEIPT),
    ],
};

pub(crate) static MSG_PROVE_ETH_STATE: Schema = Schema {
    name: "peg.eth.v1.MsgProveEthState",
    fields: &[scalar(1, LEN), scalar(2, LEN), scalar(3, LEN), repeated_bytes(4), repeated_bytes(5)],
};

pub(crate) static MSG_TRUST_ETH_ANCESTOR: Schema = Schema {
    name: "peg.eth.v1.MsgTrustEthAncestor",
    fields: &[scalar(1, LEN), scalar(2, LEN), repeated_bytes(3)],
};

static FORK_EPOCH: Schema = Schema {
    name: "peg.eth.v1.ForkEpoch",
    fields: &[scalar(1, LEN), scalar(2, LEN), scalar(3, VARINT)],
};

static RESET_CHECKPOINT: Schema = Schema {
    name: "peg.eth.v1.ResetCheckpoint",
    fields: &[scalar(1, LEN), scalar(2, LEN), scalar(3, LEN)],
};

static SET_FORK_SCHEDULE: Schema =
    Schema { name: "peg.eth.v1.SetForkSchedule", fields: &[repeated_message(1, &FORK_EPOCH)] };

/// A oneof: fields 1 and 2 may not both occur; [`top_level_fields`] checks it after the walk.
pub(crate) static ETH_GOVERNANCE_ACTION: Schema = Schema {
    name: "peg.eth.v1.EthGovernanceAction",
    fields: &[message(1, &RESET_CHECKPOINT), message(2, &SET_FORK_SCHEDULE)],
};

pub(crate) static MSG_ETH_GOVERNANCE: Schema = Schema {
    name: "peg.eth.v1.MsgEthGovernance",
    fields: &[scalar(1, LEN), message(2, &ETH_GOVERNANCE_ACTION)],
};

/// The fields present at the top level of `bytes`, in order, with the content of
/// length-delimited ones (empty for varints). Used to refuse two members of one oneof.
pub(crate) fn top_level_fields<'a>(
    bytes: &'a [u8],
    message: &'static str,
) -> Result<Vec<(u32, &'a [u8])>, TxError> {
    let mut numbers = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let tag = read_varint(&mut rest, message)?;
        let number =
            u32::try_from(tag >> 3).map_err(|_| decode_error(message, "field number overflows"))?;
        match (tag & 7) as u8 {
            VARINT => {
                read_varint(&mut rest, message)?;
                numbers.push((number, &[][..]));
            }
            LEN => {
                let len = read_varint(&mut rest, message)?;
                let len = usize::try_from(len)
                    .ok()
                    .filter(|len| *len <= rest.len())
                    .ok_or_else(|| decode_error(message, "length-delimited field overruns"))?;
                let (value, tail) = rest.split_at(len);
                numbers.push((number, value));
                rest = tail;
            }
            _ => return Err(decode_error(message, "unsupported wire type")),
        }
    }
    Ok(numbers)
}

/// Walks `bytes` against `schema` (and the schemas of its sub-messages).
pub(crate) fn check_message(bytes: &[u8], schema: &'static Schema) -> Result<(), TxError> {
    check_at_depth(bytes, schema, 0)
}

fn check_at_depth(bytes: &[u8], schema: &'static Schema, depth: usize) -> Result<(), TxError> {
    if depth > MAX_DEPTH {
        return Err(TxError::NestingTooDeep { message: schema.name, max: MAX_DEPTH });
    }
    // Schemas have at most 64 fields, so one bit per declared field tracks singular fields.
    let mut seen: u64 = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        let tag = read_varint(&mut rest, schema.name)?;
        let wire_type = (tag & 7) as u8;
        let number = u32::try_from(tag >> 3)
            .map_err(|_| decode_error(schema.name, "field number overflows"))?;
        if number == 0 {
            return Err(decode_error(schema.name, "field number 0"));
        }
        let Some((index, field)) =
            schema.fields.iter().enumerate().find(|(_, field)| field.number == number)
        else {
            return Err(TxError::UnknownField { message: schema.name, field: number, wire_type });
        };
        if wire_type != field.wire_type {
            return Err(TxError::WrongWireType {
                message: schema.name,
                field: number,
                got: wire_type,
                expected: field.wire_type,
            });
        }
        if !field.repeated {
            let bit = 1u64 << (index % 64);
            if seen & bit != 0 {
                return Err(TxError::DuplicateField { message: schema.name, field: number });
            }
            seen |= bit;
        }
        match wire_type {
            VARINT => {
                read_varint(&mut rest, schema.name)?;
            }
            LEN => {
                let len = read_varint(&mut rest, schema.name)?;
                let len = usize::try_from(len).ok().filter(|len| *len <= rest.len()).ok_or_else(
                    || decode_error(schema.name, "length-delimited field overruns its message"),
                )?;
                let (value, tail) = rest.split_at(len);
                rest = tail;
                if let Content::Message(sub) = field.content {
                    check_at_depth(value, sub, depth + 1)?;
                }
            }
            // Only varint and length-delimited fields are declared in our schemas; the wire-type
            // check above already refused everything else.
            _ => return Err(decode_error(schema.name, "unsupported wire type")),
        }
    }
    Ok(())
}

/// Reads one base-128 varint (at most 10 bytes, the 10th at most 1).
fn read_varint(bytes: &mut &[u8], message: &'static str) -> Result<u64, TxError> {
    let mut value: u64 = 0;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        let low = u64::from(byte & 0x7f);
        if index == 9 && *byte > 1 {
            return Err(decode_error(message, "varint overflows 64 bits"));
        }
        value |= low << (7 * index);
        if byte & 0x80 == 0 {
            *bytes = bytes.get(index + 1..).unwrap_or_default();
            return Ok(value);
        }
    }
    Err(decode_error(message, "truncated varint"))
}

fn decode_error(message: &'static str, reason: &str) -> TxError {
    TxError::Decode { message, reason: reason.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_fields_in_any_order() -> Result<(), TxError> {
        // Coin { amount: "5", denom: "abc" } with fields reversed: order is not a wire-level rule.
        check_message(&[0x12, 0x01, b'5', 0x0a, 0x03, b'a', b'b', b'c'], &COIN)
    }

    #[test]
    fn refuses_unknown_field() {
        let err = check_message(&[0x18, 0x01], &COIN).expect_err("field 3 is unknown");
        assert_eq!(err, TxError::UnknownField { message: COIN.name, field: 3, wire_type: 0 });
    }

    #[test]
    fn refuses_wrong_wire_type() {
        let err = check_message(&[0x08, 0x01], &COIN).expect_err("denom is a string");
        assert_eq!(
            err,
            TxError::WrongWireType { message: COIN.name, field: 1, got: 0, expected: 2 }
        );
    }

    #[test]
    fn refuses_duplicate_singular_field() {
        let err = check_message(&[0x0a, 0x00, 0x0a, 0x00], &COIN).expect_err("denom twice");
        assert_eq!(err, TxError::DuplicateField { message: COIN.name, field: 1 });
    }

    #[test]
    fn allows_repeated_field_twice() -> Result<(), TxError> {
        check_message(&[0x1a, 0x00, 0x1a, 0x00], &TX_RAW)
    }

    #[test]
    fn refuses_truncation_and_overflow() {
        for bad in [
            &[0x0a][..],             // tag, no length
            &[0x0a, 0x05, b'a'][..], // length overruns
            &[0x80][..],             // truncated tag varint
            &[0xff; 11][..],         // varint longer than 10 bytes
            &[0x08 | 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02][..], // > 64 bits
            &[0x00][..],             // field number 0
        ] {
            let err = check_message(bad, &TX_BODY).expect_err("must be refused");
            assert!(matches!(err, TxError::Decode { .. }), "{bad:02x?}: {err}");
        }
    }

    #[test]
    fn walks_into_sub_messages() {
        // AuthInfo { fee: Fee { field 9: varint } }
        let err = check_message(&[0x12, 0x02, 0x48, 0x01], &AUTH_INFO).expect_err("unknown in Fee");
        assert_eq!(err, TxError::UnknownField { message: FEE.name, field: 9, wire_type: 0 });
    }

    #[test]
    fn extension_field_numbers_are_known_to_body() -> Result<(), TxError> {
        // Field 1023, wire type 2: tag = 1023 << 3 | 2 = 8186 = varint fa 3f.
        check_message(&[0xfa, 0x3f, 0x00], &TX_BODY)
    }
}
