//! Transaction messages (`specs/transactions.md` §6): type URLs, the typed [`Msg`] the state
//! machine executes, and their stateless checks.
//!
//! Every message has exactly one signer, named by its first field (`from_address` or
//! `operator_address`), a `peg1…` account address; the transaction's signer must be that
//! account ([`crate::DecodedTx`] checks it).

use peg_types::EthAddress;
use prost::Message as _;

use crate::bridge_msgs::{
    self, MsgCancelSendToEthereum, MsgRegisterDenom, MsgRequestBatch, MsgSendToEthereum,
    MSG_CANCEL_SEND_TO_ETHEREUM_TYPE_URL, MSG_REGISTER_DENOM_TYPE_URL, MSG_REQUEST_BATCH_TYPE_URL,
    MSG_SEND_TO_ETHEREUM_TYPE_URL,
};
use crate::coin::{Coin, Coins};
use crate::eth_msgs::{
    self, MsgEthGovernance, MsgProveEthState, MsgSubmitEthEvents, MsgTrustEthAncestor,
    MsgUpdateEthClient, MSG_ETH_GOVERNANCE_TYPE_URL, MSG_PROVE_ETH_STATE_TYPE_URL,
    MSG_SUBMIT_ETH_EVENTS_TYPE_URL, MSG_TRUST_ETH_ANCESTOR_TYPE_URL,
    MSG_UPDATE_ETH_CLIENT_TYPE_URL,
};
use crate::proto;
use crate::wire::{self, Schema};
use crate::{AccAddress, TxError};

/// `/cosmos.bank.v1beta1.MsgSend`: the standard Cosmos SDK bank transfer.
pub const MSG_SEND_TYPE_URL: &str = "/cosmos.bank.v1beta1.MsgSend";
/// `/peg.staking.v1.MsgCreateValidator`.
pub const MSG_CREATE_VALIDATOR_TYPE_URL: &str = "/peg.staking.v1.MsgCreateValidator";
/// `/peg.staking.v1.MsgBond`.
pub const MSG_BOND_TYPE_URL: &str = "/peg.staking.v1.MsgBond";
/// `/peg.staking.v1.MsgUnbond`.
pub const MSG_UNBOND_TYPE_URL: &str = "/peg.staking.v1.MsgUnbond";
/// `/peg.eth.v1.MsgRegisterEthAddress`.
pub const MSG_REGISTER_ETH_ADDRESS_TYPE_URL: &str = "/peg.eth.v1.MsgRegisterEthAddress";

/// Type URLs under this prefix are reserved for transactions the block proposer injects (the
/// vote-extension signatures, `PrepareProposal`); a user transaction may never use one.
pub const RESERVED_TYPE_URL_PREFIX: &str = "/peg.internal.";

/// `true` if `type_url` names a message under the reserved `peg.internal.` package, whatever
/// host part precedes the last `/` (`type.googleapis.com/peg.internal.X` included).
pub fn is_reserved_type_url(type_url: &str) -> bool {
    let name = type_url.rsplit_once('/').map_or(type_url, |(_, name)| name);
    name.starts_with(&RESERVED_TYPE_URL_PREFIX[1..])
}

/// Longest moniker accepted (the Cosmos SDK's `MaxMonikerLength`).
pub const MAX_MONIKER_LEN: usize = 70;
/// Length of a CometBFT ed25519 public key.
pub const ED25519_PUBKEY_LEN: usize = 32;
/// Length of an Ethereum proof-of-possession signature `r ‖ s ‖ v`.
pub const ETH_SIGNATURE_LEN: usize = 65;

/// `cosmos.bank.v1beta1.MsgSend`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgSend {
    /// The sender and signer.
    pub from_address: AccAddress,
    /// The receiver.
    pub to_address: AccAddress,
    /// What is sent: non-empty.
    pub amount: Coins,
}

/// `peg.staking.v1.MsgCreateValidator`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgCreateValidator {
    /// The operator account and signer; the validator is `operator.to_valoper()`.
    pub operator_address: AccAddress,
    /// The CometBFT ed25519 consensus public key (length-checked only: a key that is not a
    /// curve point only makes the validator unable to sign).
    pub consensus_pubkey: [u8; ED25519_PUBKEY_LEN],
    /// The initial self-bond, positive (its denom is checked by the state machine).
    pub self_bond: Coin,
    /// A display name: 1 to 70 bytes, no control character.
    pub moniker: String,
}

/// `peg.staking.v1.MsgBond` (self-bond more) or `MsgUnbond`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgBondUnbond {
    /// The operator account and signer.
    pub operator_address: AccAddress,
    /// A positive amount.
    pub amount: Coin,
}

/// `peg.eth.v1.MsgRegisterEthAddress`, checked for shape; the proof is verified with the chain
/// id by [`crate::DecodedTx::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgRegisterEthAddress {
    /// The validator operator and signer.
    pub operator_address: AccAddress,
    /// The Ethereum address the validator will sign checkpoints with (not zero).
    pub eth_address: EthAddress,
    /// The proof of possession, 65 bytes `r ‖ s ‖ v` (§6.5).
    pub signature: [u8; ETH_SIGNATURE_LEN],
}

/// A decoded, checked message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// `/cosmos.bank.v1beta1.MsgSend`.
    Send(MsgSend),
    /// `/peg.staking.v1.MsgCreateValidator`.
    CreateValidator(MsgCreateValidator),
    /// `/peg.staking.v1.MsgBond`.
    Bond(MsgBondUnbond),
    /// `/peg.staking.v1.MsgUnbond`.
    Unbond(MsgBondUnbond),
    /// `/peg.eth.v1.MsgRegisterEthAddress`.
    RegisterEthAddress(MsgRegisterEthAddress),
    /// `/peg.eth.v1.MsgUpdateEthClient`.
    UpdateEthClient(MsgUpdateEthClient),
    /// `/peg.eth.v1.MsgSubmitEthEvents`.
    SubmitEthEvents(MsgSubmitEthEvents),
    /// `/peg.eth.v1.MsgEthGovernance`.
    EthGovernance(MsgEthGovernance),
    /// `/peg.eth.v1.MsgTrustEthAncestor`.
    TrustEthAncestor(MsgTrustEthAncestor),
    /// `/peg.eth.v1.MsgProveEthState`.
    ProveEthState(MsgProveEthState),
    /// `/peg.bridge.v1.MsgSendToEthereum`.
    SendToEthereum(MsgSendToEthereum),
    /// `/peg.bridge.v1.MsgCancelSendToEthereum`.
    CancelSendToEthereum(MsgCancelSendToEthereum),
    /// `/peg.bridge.v1.MsgRequestBatch`.
    RequestBatch(MsgRequestBatch),
    /// `/peg.bridge.v1.MsgRegisterDenom`.
    RegisterDenom(MsgRegisterDenom),
}

/// The gas a transaction carrying `messages` must declare at least:
/// [`eth_msgs::TX_BASE_GAS`] plus every message's [`Msg::gas`] (`specs/eth-module.md` §3).
pub fn required_gas(messages: &[Msg]) -> u64 {
    messages.iter().fold(eth_msgs::TX_BASE_GAS, |gas, msg| gas.saturating_add(msg.gas()))
}

impl Msg {
    /// The type URL the message is packed under.
    pub const fn type_url(&self) -> &'static str {
        match self {
            Self::Send(_) => MSG_SEND_TYPE_URL,
            Self::CreateValidator(_) => MSG_CREATE_VALIDATOR_TYPE_URL,
            Self::Bond(_) => MSG_BOND_TYPE_URL,
            Self::Unbond(_) => MSG_UNBOND_TYPE_URL,
            Self::RegisterEthAddress(_) => MSG_REGISTER_ETH_ADDRESS_TYPE_URL,
            Self::UpdateEthClient(_) => MSG_UPDATE_ETH_CLIENT_TYPE_URL,
            Self::SubmitEthEvents(_) => MSG_SUBMIT_ETH_EVENTS_TYPE_URL,
            Self::EthGovernance(_) => MSG_ETH_GOVERNANCE_TYPE_URL,
            Self::TrustEthAncestor(_) => MSG_TRUST_ETH_ANCESTOR_TYPE_URL,
            Self::ProveEthState(_) => MSG_PROVE_ETH_STATE_TYPE_URL,
            Self::SendToEthereum(_) => MSG_SEND_TO_ETHEREUM_TYPE_URL,
            Self::CancelSendToEthereum(_) => MSG_CANCEL_SEND_TO_ETHEREUM_TYPE_URL,
            Self::RequestBatch(_) => MSG_REQUEST_BATCH_TYPE_URL,
            Self::RegisterDenom(_) => MSG_REGISTER_DENOM_TYPE_URL,
        }
    }

    /// The one account that must sign the message.
    pub const fn signer(&self) -> &AccAddress {
        match self {
            Self::Send(msg) => &msg.from_address,
            Self::CreateValidator(msg) => &msg.operator_address,
            Self::Bond(msg) | Self::Unbond(msg) => &msg.operator_address,
            Self::RegisterEthAddress(msg) => &msg.operator_address,
            Self::UpdateEthClient(msg) => &msg.signer,
            Self::SubmitEthEvents(msg) => &msg.signer,
            Self::EthGovernance(msg) => &msg.operator,
            Self::TrustEthAncestor(msg) => &msg.signer,
            Self::ProveEthState(msg) => &msg.sender,
            Self::SendToEthereum(msg) => &msg.sender,
            Self::CancelSendToEthereum(msg) => &msg.sender,
            Self::RequestBatch(msg) => &msg.sender,
            Self::RegisterDenom(msg) => &msg.sender,
        }
    }

    /// The deterministic gas cost of the message, a function of its shape only
    /// (`specs/eth-module.md` §3), so that a bad proof pays what a good one of the same size
    /// pays. Relayers compute the same number to set `gas_limit`.
    pub fn gas(&self) -> u64 {
        use eth_msgs::*;
        match self {
            Self::Send(msg) => SEND_BASE_GAS
                .saturating_add(SEND_COIN_GAS.saturating_mul(
                    u64::try_from(msg.amount.as_slice().len()).unwrap_or(u64::MAX),
                )),
            Self::CreateValidator(_) | Self::Bond(_) | Self::Unbond(_) => STAKING_GAS,
            Self::RegisterEthAddress(_) => REGISTER_ETH_ADDRESS_GAS,
            Self::UpdateEthClient(msg) => update_gas(msg),
            Self::SubmitEthEvents(msg) => events_gas(msg),
            Self::EthGovernance(msg) => governance_gas(msg),
            Self::TrustEthAncestor(msg) => ancestor_gas(msg),
            Self::ProveEthState(msg) => state_gas(msg),
            Self::SendToEthereum(_) => bridge_msgs::SEND_TO_ETHEREUM_GAS,
            Self::CancelSendToEthereum(_) => bridge_msgs::CANCEL_SEND_TO_ETHEREUM_GAS,
            Self::RequestBatch(_) => bridge_msgs::REQUEST_BATCH_GAS,
            Self::RegisterDenom(_) => bridge_msgs::REGISTER_DENOM_GAS,
        }
    }

    /// Packs the message into an `Any` (deterministic prost encoding).
    pub fn to_any(&self) -> proto::Any {
        let value = match self {
            Self::Send(msg) => proto::MsgSend {
                from_address: msg.from_address.to_bech32(),
                to_address: msg.to_address.to_bech32(),
                amount: msg.amount.to_proto(),
            }
            .encode_to_vec(),
            Self::CreateValidator(msg) => proto::MsgCreateValidator {
                operator_address: msg.operator_address.to_bech32(),
                consensus_pubkey: msg.consensus_pubkey.to_vec(),
                self_bond: Some(msg.self_bond.to_proto()),
                moniker: msg.moniker.clone(),
            }
            .encode_to_vec(),
            Self::Bond(msg) | Self::Unbond(msg) => proto::MsgBondUnbond {
                operator_address: msg.operator_address.to_bech32(),
                amount: Some(msg.amount.to_proto()),
            }
            .encode_to_vec(),
            Self::RegisterEthAddress(msg) => proto::MsgRegisterEthAddress {
                operator_address: msg.operator_address.to_bech32(),
                eth_address: msg.eth_address.as_bytes().to_vec(),
                signature: msg.signature.to_vec(),
            }
            .encode_to_vec(),
            Self::UpdateEthClient(msg) => eth_msgs::encode_update(msg),
            Self::SubmitEthEvents(msg) => eth_msgs::encode_events(msg),
            Self::EthGovernance(msg) => eth_msgs::encode_governance(msg),
            Self::TrustEthAncestor(msg) => eth_msgs::encode_ancestor(msg),
            Self::ProveEthState(msg) => eth_msgs::encode_state(msg),
            Self::SendToEthereum(msg) => bridge_msgs::encode_send(msg),
            Self::CancelSendToEthereum(msg) => bridge_msgs::encode_cancel(msg),
            Self::RequestBatch(msg) => bridge_msgs::encode_request_batch(msg),
            Self::RegisterDenom(msg) => bridge_msgs::encode_register_denom(msg),
        };
        proto::Any { type_url: self.type_url().to_owned(), value }
    }

    /// Decodes and checks the message packed in `any`, the `index`-th of its transaction.
    pub fn from_any(any: &proto::Any, index: usize) -> Result<Self, TxError> {
        if is_reserved_type_url(&any.type_url) {
            return Err(TxError::ReservedTypeUrl {
                index,
                type_url: any.type_url.clone(),
                prefix: RESERVED_TYPE_URL_PREFIX,
            });
        }
        match any.type_url.as_str() {
            MSG_SEND_TYPE_URL => {
                let raw: proto::MsgSend = decode(&any.value, &wire::MSG_SEND)?;
                let amount = Coins::from_proto(&raw.amount)?;
                if amount.is_empty() {
                    return Err(invalid(MSG_SEND_TYPE_URL, "amount is empty".to_owned()));
                }
                Ok(Self::Send(MsgSend {
                    from_address: raw.from_address.parse()?,
                    to_address: raw.to_address.parse()?,
                    amount,
                }))
            }
            MSG_CREATE_VALIDATOR_TYPE_URL => {
                let raw: proto::MsgCreateValidator =
                    decode(&any.value, &wire::MSG_CREATE_VALIDATOR)?;
                let consensus_pubkey: [u8; ED25519_PUBKEY_LEN] =
                    raw.consensus_pubkey.as_slice().try_into().map_err(|_| {
                        invalid(
                            MSG_CREATE_VALIDATOR_TYPE_URL,
                            format!(
                                "consensus public key is {} bytes, expected {ED25519_PUBKEY_LEN}",
                                raw.consensus_pubkey.len()
                            ),
                        )
                    })?;
                let self_bond = positive_coin(
                    raw.self_bond.as_ref(),
                    MSG_CREATE_VALIDATOR_TYPE_URL,
                    "self_bond",
                )?;
                validate_moniker(&raw.moniker)?;
                Ok(Self::CreateValidator(MsgCreateValidator {
                    operator_address: raw.operator_address.parse()?,
                    consensus_pubkey,
                    self_bond,
                    moniker: raw.moniker,
                }))
            }
            MSG_BOND_TYPE_URL => {
                decode_bond_unbond(&any.value, &wire::MSG_BOND, MSG_BOND_TYPE_URL).map(Self::Bond)
            }
            MSG_UNBOND_TYPE_URL => {
                decode_bond_unbond(&any.value, &wire::MSG_UNBOND, MSG_UNBOND_TYPE_URL)
                    .map(Self::Unbond)
            }
            MSG_REGISTER_ETH_ADDRESS_TYPE_URL => {
                let raw: proto::MsgRegisterEthAddress =
                    decode(&any.value, &wire::MSG_REGISTER_ETH_ADDRESS)?;
                let eth_bytes: [u8; 20] = raw.eth_address.as_slice().try_into().map_err(|_| {
                    invalid(
                        MSG_REGISTER_ETH_ADDRESS_TYPE_URL,
                        format!("eth_address is {} bytes, expected 20", raw.eth_address.len()),
                    )
                })?;
                let eth_address = EthAddress::new(eth_bytes);
                if eth_address.is_zero() {
                    return Err(invalid(
                        MSG_REGISTER_ETH_ADDRESS_TYPE_URL,
                        "eth_address is the zero address".to_owned(),
                    ));
                }
                let signature: [u8; ETH_SIGNATURE_LEN] =
                    raw.signature.as_slice().try_into().map_err(|_| {
                        invalid(
                            MSG_REGISTER_ETH_ADDRESS_TYPE_URL,
                            format!(
                                "signature is {} bytes, expected {ETH_SIGNATURE_LEN}",
                                raw.signature.len()
                            ),
                        )
                    })?;
                Ok(Self::RegisterEthAddress(MsgRegisterEthAddress {
                    operator_address: raw.operator_address.parse()?,
                    eth_address,
                    signature,
                }))
            }
            MSG_UPDATE_ETH_CLIENT_TYPE_URL => {
                eth_msgs::decode_update(&any.value).map(Self::UpdateEthClient)
            }
            MSG_SUBMIT_ETH_EVENTS_TYPE_URL => {
                eth_msgs::decode_events(&any.value).map(Self::SubmitEthEvents)
            }
            MSG_ETH_GOVERNANCE_TYPE_URL => {
                eth_msgs::decode_governance(&any.value).map(Self::EthGovernance)
            }
            MSG_TRUST_ETH_ANCESTOR_TYPE_URL => {
                eth_msgs::decode_ancestor(&any.value).map(Self::TrustEthAncestor)
            }
            MSG_PROVE_ETH_STATE_TYPE_URL => {
                eth_msgs::decode_state(&any.value).map(Self::ProveEthState)
            }
            MSG_SEND_TO_ETHEREUM_TYPE_URL => {
                bridge_msgs::decode_send(&any.value).map(Self::SendToEthereum)
            }
            MSG_CANCEL_SEND_TO_ETHEREUM_TYPE_URL => {
                bridge_msgs::decode_cancel(&any.value).map(Self::CancelSendToEthereum)
            }
            MSG_REQUEST_BATCH_TYPE_URL => {
                bridge_msgs::decode_request_batch(&any.value).map(Self::RequestBatch)
            }
            MSG_REGISTER_DENOM_TYPE_URL => {
                bridge_msgs::decode_register_denom(&any.value).map(Self::RegisterDenom)
            }
            _ => Err(TxError::UnknownMessageType { index, type_url: any.type_url.clone() }),
        }
    }
}

fn decode<M: prost::Message + Default>(
    bytes: &[u8],
    schema: &'static Schema,
) -> Result<M, TxError> {
    wire::check_message(bytes, schema)?;
    M::decode(bytes).map_err(|e| TxError::Decode { message: schema.name, reason: e.to_string() })
}

fn decode_bond_unbond(
    bytes: &[u8],
    schema: &'static Schema,
    type_url: &'static str,
) -> Result<MsgBondUnbond, TxError> {
    let raw: proto::MsgBondUnbond = decode(bytes, schema)?;
    let amount = positive_coin(raw.amount.as_ref(), type_url, "amount")?;
    Ok(MsgBondUnbond { operator_address: raw.operator_address.parse()?, amount })
}

fn positive_coin(
    coin: Option<&proto::Coin>,
    type_url: &'static str,
    field: &str,
) -> Result<Coin, TxError> {
    let coin = coin.ok_or_else(|| invalid(type_url, format!("{field} is missing")))?;
    let coin = Coin::from_proto(coin)?;
    if coin.amount == 0 {
        return Err(invalid(type_url, format!("{field} is zero")));
    }
    Ok(coin)
}

fn validate_moniker(moniker: &str) -> Result<(), TxError> {
    if moniker.is_empty() || moniker.len() > MAX_MONIKER_LEN {
        return Err(invalid(
            MSG_CREATE_VALIDATOR_TYPE_URL,
            format!("moniker is {} bytes, expected 1 to {MAX_MONIKER_LEN}", moniker.len()),
        ));
    }
    if moniker.chars().any(char::is_control) {
        return Err(invalid(
            MSG_CREATE_VALIDATOR_TYPE_URL,
            "moniker contains a control character".to_owned(),
        ));
    }
    Ok(())
}

fn invalid(msg: &'static str, reason: String) -> TxError {
    TxError::InvalidMessage { msg, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(type_url: &str, value: Vec<u8>) -> proto::Any {
        proto::Any { type_url: type_url.to_owned(), value }
    }

    fn operator() -> AccAddress {
        AccAddress::new([1; 20])
    }

    fn upeg(amount: u128) -> Coin {
        Coin { denom: "upeg".to_owned(), amount }
    }

    #[test]
    fn reserved_prefix_is_refused_in_every_spelling() {
        for url in [
            "/peg.internal.MsgCheckpointSignatures",
            "type.googleapis.com/peg.internal.X",
            "peg.internal.X",
        ] {
            assert!(is_reserved_type_url(url), "{url}");
            assert!(matches!(
                Msg::from_any(&any(url, vec![]), 3),
                Err(TxError::ReservedTypeUrl { index: 3, .. })
            ));
        }
        assert!(!is_reserved_type_url(MSG_SEND_TYPE_URL));
        assert!(!is_reserved_type_url("/peg.internalx.Msg"));
    }

    #[test]
    fn unknown_type_is_refused() {
        assert!(matches!(
            Msg::from_any(&any("/cosmos.staking.v1beta1.MsgDelegate", vec![]), 0),
            Err(TxError::UnknownMessageType { index: 0, .. })
        ));
    }

    #[test]
    fn every_message_round_trips() -> Result<(), TxError> {
        let msgs = [
            Msg::Send(MsgSend {
                from_address: operator(),
                to_address: AccAddress::new([2; 20]),
                amount: Coins::new(vec![upeg(10)])?,
            }),
            Msg::CreateValidator(MsgCreateValidator {
                operator_address: operator(),
                consensus_pubkey: [9; 32],
                self_bond: upeg(1_000_000),
                moniker: "validator-0".to_owned(),
            }),
            Msg::Bond(MsgBondUnbond { operator_address: operator(), amount: upeg(5) }),
            Msg::Unbond(MsgBondUnbond { operator_address: operator(), amount: upeg(5) }),
            Msg::RegisterEthAddress(MsgRegisterEthAddress {
                operator_address: operator(),
                eth_address: EthAddress::new([0xee; 20]),
                signature: [0x11; 65],
            }),
        ];
        for msg in msgs {
            let packed = msg.to_any();
            assert_eq!(packed.type_url, msg.type_url());
            assert_eq!(Msg::from_any(&packed, 0)?, msg);
            assert_eq!(msg.signer(), &operator());
        }
        Ok(())
    }

    #[test]
    fn message_checks() -> Result<(), TxError> {
        let send_empty = proto::MsgSend {
            from_address: operator().to_bech32(),
            to_address: operator().to_bech32(),
            amount: vec![],
        };
        assert!(matches!(
            Msg::from_any(&any(MSG_SEND_TYPE_URL, send_empty.encode_to_vec()), 0),
            Err(TxError::InvalidMessage { msg: MSG_SEND_TYPE_URL, .. })
        ));
        let send_bad_address = proto::MsgSend {
            from_address: "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6".to_owned(),
            to_address: operator().to_bech32(),
            amount: vec![upeg(1).to_proto()],
        };
        assert!(matches!(
            Msg::from_any(&any(MSG_SEND_TYPE_URL, send_bad_address.encode_to_vec()), 0),
            Err(TxError::AddressWrongHrp { .. })
        ));

        let create = |pubkey: Vec<u8>, bond: Option<proto::Coin>, moniker: &str| {
            any(
                MSG_CREATE_VALIDATOR_TYPE_URL,
                proto::MsgCreateValidator {
                    operator_address: operator().to_bech32(),
                    consensus_pubkey: pubkey,
                    self_bond: bond,
                    moniker: moniker.to_owned(),
                }
                .encode_to_vec(),
            )
        };
        for bad in [
            create(vec![1; 31], Some(upeg(1).to_proto()), "v"),
            create(vec![1; 32], None, "v"),
            create(vec![1; 32], Some(upeg(0).to_proto()), "v"),
            create(vec![1; 32], Some(upeg(1).to_proto()), ""),
            create(vec![1; 32], Some(upeg(1).to_proto()), &"v".repeat(71)),
            create(vec![1; 32], Some(upeg(1).to_proto()), "a\nb"),
        ] {
            assert!(
                matches!(Msg::from_any(&bad, 0), Err(TxError::InvalidMessage { .. })),
                "{bad:?}"
            );
        }

        let bond = |amount: Option<proto::Coin>| {
            any(
                MSG_BOND_TYPE_URL,
                proto::MsgBondUnbond { operator_address: operator().to_bech32(), amount }
                    .encode_to_vec(),
            )
        };
        assert!(matches!(Msg::from_any(&bond(None), 0), Err(TxError::InvalidMessage { .. })));
        assert!(matches!(
            Msg::from_any(&bond(Some(upeg(0).to_proto())), 0),
            Err(TxError::InvalidMessage { .. })
        ));

        let register = |eth: Vec<u8>, sig: Vec<u8>| {
            any(
                MSG_REGISTER_ETH_ADDRESS_TYPE_URL,
                proto::MsgRegisterEthAddress {
                    operator_address: operator().to_bech32(),
                    eth_address: eth,
                    signature: sig,
                }
                .encode_to_vec(),
            )
        };
        for bad in [
            register(vec![1; 19], vec![0; 65]),
            register(vec![0; 20], vec![0; 65]),
            register(vec![1; 20], vec![0; 64]),
        ] {
            assert!(
                matches!(Msg::from_any(&bad, 0), Err(TxError::InvalidMessage { .. })),
                "{bad:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn unknown_field_inside_message_is_refused() {
        let mut value = proto::MsgBondUnbond {
            operator_address: operator().to_bech32(),
            amount: Some(upeg(1).to_proto()),
        }
        .encode_to_vec();
        value.extend_from_slice(&[0x18, 0x01]); // field 3, varint
        assert!(matches!(
            Msg::from_any(&any(MSG_UNBOND_TYPE_URL, value), 0),
            Err(TxError::UnknownField { field: 3, .. })
        ));
    }
}
