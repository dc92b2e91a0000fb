//! Transaction execution (`specs/state-machine.md` §4, §5): the ante checks shared by CheckTx
//! and FinalizeBlock, and the messages.

use std::collections::BTreeMap;

use peg_tx::{
    decode_tx, required_gas, AccAddress, Msg, MsgBondUnbond, MsgCreateValidator,
    MsgRegisterEthAddress, MsgSend, TxLimits, VerifiedTx,
};
use tendermint_proto::v0_38::abci::{Event, EventAttribute};

use crate::bridge;
use crate::error::AppError;
use crate::eth::{self, BlockContext, EthCache};
use crate::genesis::Params;
use crate::state::{
    consensus_key_key, eth_by_address_key, eth_by_validator_key, fee_collector, Cache, Validator,
};

/// CometBFT's `MaxTotalVotingPower`: `i64::MAX / 8`.
pub const MAX_TOTAL_VOTING_POWER: i64 = i64::MAX / 8;

/// The stateless limits for the chain parameters.
pub fn tx_limits(params: &Params) -> TxLimits {
    TxLimits { max_tx_bytes: params.max_tx_bytes as usize, ..TxLimits::default() }
}

pub(crate) fn event(kind: &str, attributes: &[(&str, String)]) -> Event {
    Event {
        r#type: kind.to_owned(),
        attributes: attributes
            .iter()
            .map(|(key, value)| EventAttribute {
                key: (*key).to_owned(),
                value: value.clone(),
                index: true,
            })
            .collect(),
    }
}

/// The ante handler: decode, gas, account, signature, sequence, timeout, fee; on success the
/// fee is paid to the fee collector and the sequence bumped in `cache` (§4). Returns the
/// verified transaction, its deterministic gas cost, and the events.
///
/// `height` is the height of the block the transaction would be in.
pub fn ante(
    cache: &mut Cache<'_>,
    params: &Params,
    tx_bytes: &[u8],
    height: u64,
) -> Result<(VerifiedTx, u64, Vec<Event>), AppError> {
    let decoded = decode_tx(tx_bytes, &tx_limits(params))?;
    // Gas is a function of the messages' shape: checked before any signature or proof work.
    let gas = required_gas(decoded.messages());
    if decoded.fee().gas_limit < gas {
        return Err(AppError::OutOfGas { got: decoded.fee().gas_limit, required: gas });
    }
    let signer = *decoded.signer();
    let mut account = cache
        .account(&signer)?
        .ok_or_else(|| AppError::UnknownAccount { address: signer.to_bech32() })?;
    if decoded.sequence() != account.sequence {
        return Err(AppError::WrongSequence {
            got: decoded.sequence(),
            expected: account.sequence,
        });
    }
    let tx = decoded.verify(&params.chain_id, account.account_number)?;
    if tx.timeout_height() != 0 && height > tx.timeout_height() {
        return Err(AppError::TimedOut { got: height, expected: tx.timeout_height() });
    }
    let fee = tx.fee().amount.amount_of(&params.denom);
    let required_fee = params.required_fee(tx.fee().gas_limit);
    if fee < required_fee {
        return Err(AppError::InsufficientFee {
            got: format!("{fee}{}", params.denom),
            expected: format!("{required_fee}{}", params.denom),
        });
    }
    // Every coin of the fee is paid (other denoms too: the signer asked for it).
    for coin in tx.fee().amount.as_slice() {
        cache.sub_balance(&signer, &coin.denom, coin.amount)?;
    }
    let collector = fee_collector();
    cache.account_or_create(&collector)?;
    for coin in tx.fee().amount.as_slice() {
        cache.add_balance(&collector, &coin.denom, coin.amount)?;
    }
    account.sequence = account.sequence.checked_add(1).ok_or(AppError::Overflow("sequence"))?;
    account.pubkey = Some(tx.public_key().to_compressed());
    cache.set_account(&signer, &account);
    let fee_text = tx.fee().amount.as_slice().iter().map(ToString::to_string).collect::<Vec<_>>();
    let events = vec![
        event("tx", &[("fee", fee_text.join(",")), ("fee_payer", signer.to_bech32())]),
        event("tx", &[("acc_seq", format!("{}/{}", signer.to_bech32(), tx.sequence()))]),
    ];
    Ok((tx, gas, events))
}

/// Staking changes of the block: the power each touched consensus key had at the start of the
/// block, to emit one update per key whose power changed, at the end (§5.2).
#[derive(Debug, Default)]
pub struct PowerChanges {
    /// consensus key → power before the block.
    pub before: BTreeMap<[u8; 32], i64>,
}

impl PowerChanges {
    fn touch(&mut self, key: [u8; 32], power_before: i64) {
        self.before.entry(key).or_insert(power_before);
    }

    fn touch_validator(&mut self, validator: &Validator, params: &Params) -> Result<(), AppError> {
        let power = validator.power(params.power_reduction)?;
        self.touch(validator.consensus_pubkey, power);
        Ok(())
    }
}

/// Executes the messages of a verified transaction against `cache`; the caller discards the
/// cache's writes if this fails (all messages or none).
pub fn execute_messages(
    cache: &mut Cache<'_>,
    params: &Params,
    tx: &VerifiedTx,
    changes: &mut PowerChanges,
    ctx: BlockContext,
    eth_cache: &mut EthCache,
) -> Result<Vec<Event>, AppError> {
    let mut events = Vec::new();
    for msg in tx.messages() {
        match msg {
            Msg::Send(msg) => events.push(send(cache, msg)?),
            Msg::CreateValidator(msg) => {
                events.push(create_validator(cache, params, msg, changes)?);
                bridge::check_continuity(cache, params)?;
            }
            Msg::Bond(msg) => {
                events.push(bond(cache, params, msg, changes)?);
                bridge::check_continuity(cache, params)?;
            }
            Msg::Unbond(msg) => {
                events.extend(unbond(cache, params, msg, changes)?);
                bridge::check_continuity(cache, params)?;
            }
            Msg::RegisterEthAddress(msg) => {
                events.push(register_eth_address(cache, msg)?);
                bridge::check_continuity(cache, params)?;
            }
            Msg::UpdateEthClient(msg) => {
                events.extend(eth::update_client(cache, eth_cache, ctx, msg)?)
            }
            Msg::SubmitEthEvents(msg) => events.extend(eth::submit_events(cache, msg)?),
            Msg::TrustEthAncestor(msg) => events.extend(eth::trust_ancestor(cache, msg)?),
            Msg::ProveEthState(msg) => events.extend(eth::observed::prove_state(cache, msg)?),
            Msg::EthGovernance(msg) => {
                events.extend(eth::governance(cache, eth_cache, params, ctx, msg)?)
            }
            Msg::SendToEthereum(msg) => events.extend(bridge::send_to_ethereum(cache, msg)?),
            Msg::CancelSendToEthereum(msg) => {
                events.extend(bridge::cancel_send_to_ethereum(cache, msg)?)
            }
            Msg::RequestBatch(msg) => events.extend(bridge::request_batch(cache, ctx, msg)?),
            Msg::RegisterDenom(msg) => events.extend(bridge::register_denom(cache, msg)?),
        }
    }
    Ok(events)
}

/// Bank send (§5.1).
fn send(cache: &mut Cache<'_>, msg: &MsgSend) -> Result<Event, AppError> {
    for coin in msg.amount.as_slice() {
        cache.transfer(&msg.from_address, &msg.to_address, &coin.denom, coin.amount)?;
    }
    let amount = msg.amount.as_slice().iter().map(ToString::to_string).collect::<Vec<_>>();
    Ok(event(
        "transfer",
        &[
            ("sender", msg.from_address.to_bech32()),
            ("recipient", msg.to_address.to_bech32()),
            ("amount", amount.join(",")),
        ],
    ))
}

fn check_denom(params: &Params, denom: &str) -> Result<(), AppError> {
    if denom != params.denom {
        return Err(AppError::StakingRule(format!(
            "bond denom is {denom:?}, expected {:?}",
            params.denom
        )));
    }
    Ok(())
}

fn total_power_with(
    cache: &Cache<'_>,
    params: &Params,
    replaced: &Validator,
) -> Result<i64, AppError> {
    let mut total: i64 = 0;
    let mut seen = false;
    for operator in cache.validator_set()? {
        let power = if operator == replaced.operator {
            seen = true;
            replaced.power(params.power_reduction)?
        } else {
            match cache.validator(&operator)? {
                Some(v) => v.power(params.power_reduction)?,
                None => 0,
            }
        };
        total = total.checked_add(power).ok_or(AppError::Overflow("total power"))?;
    }
    if !seen {
        total = total
            .checked_add(replaced.power(params.power_reduction)?)
            .ok_or(AppError::Overflow("total power"))?;
    }
    Ok(total)
}

/// Create a validator with a self-bond taken from the operator's balance (§5.2).
fn create_validator(
    cache: &mut Cache<'_>,
    params: &Params,
    msg: &MsgCreateValidator,
    changes: &mut PowerChanges,
) -> Result<Event, AppError> {
    let operator = msg.operator_address;
    check_denom(params, &msg.self_bond.denom)?;
    if cache.validator(&operator)?.is_some() {
        return Err(AppError::ValidatorExists(format!("{operator} already runs a validator")));
    }
    if let Some(owner) = cache.consensus_key_owner(&msg.consensus_pubkey)? {
        return Err(AppError::ValidatorExists(format!(
            "consensus key {} is used by {owner}",
            hex::encode(msg.consensus_pubkey)
        )));
    }
    if msg.self_bond.amount < params.min_self_bond {
        return Err(AppError::StakingRule(format!(
            "self-bond {} is below the minimum {}{}",
            msg.self_bond, params.min_self_bond, params.denom
        )));
    }
    let mut set = cache.validator_set()?;
    if set.len() >= params.max_validators as usize {
        return Err(AppError::StakingRule(format!(
            "the validator set is full: {} validators, max {}",
            set.len(),
            params.max_validators
        )));
    }
    let validator = Validator {
        operator,
        consensus_pubkey: msg.consensus_pubkey,
        bonded: msg.self_bond.amount,
        moniker: msg.moniker.clone(),
    };
    if total_power_with(cache, params, &validator)? > MAX_TOTAL_VOTING_POWER {
        return Err(AppError::StakingRule(
            "total voting power would exceed CometBFT's maximum".into(),
        ));
    }
    cache.sub_balance(&operator, &params.denom, msg.self_bond.amount)?;
    changes.touch(msg.consensus_pubkey, 0);
    cache.set_validator(&validator);
    cache.set(consensus_key_key(&msg.consensus_pubkey), operator.as_bytes().to_vec());
    set.push(operator);
    cache.set_validator_set(set);
    Ok(event(
        "create_validator",
        &[
            ("validator", operator.to_valoper().to_bech32()),
            ("operator", operator.to_bech32()),
            ("amount", msg.self_bond.to_string()),
            ("consensus_pubkey", hex::encode(msg.consensus_pubkey)),
        ],
    ))
}

fn existing_validator(cache: &Cache<'_>, operator: &AccAddress) -> Result<Validator, AppError> {
    cache
        .validator(operator)?
        .ok_or_else(|| AppError::UnknownValidator { operator: operator.to_bech32() })
}

/// Bond more (§5.2).
fn bond(
    cache: &mut Cache<'_>,
    params: &Params,
    msg: &MsgBondUnbond,
    changes: &mut PowerChanges,
) -> Result<Event, AppError> {
    check_denom(params, &msg.amount.denom)?;
    let mut validator = existing_validator(cache, &msg.operator_address)?;
    changes.touch_validator(&validator, params)?;
    validator.bonded =
        validator.bonded.checked_add(msg.amount.amount).ok_or(AppError::Overflow("bond"))?;
    if total_power_with(cache, params, &validator)? > MAX_TOTAL_VOTING_POWER {
        return Err(AppError::StakingRule(
            "total voting power would exceed CometBFT's maximum".into(),
        ));
    }
    cache.sub_balance(&msg.operator_address, &params.denom, msg.amount.amount)?;
    cache.set_validator(&validator);
    Ok(event(
        "bond",
        &[
            ("validator", validator.operator.to_valoper().to_bech32()),
            ("amount", msg.amount.to_string()),
        ],
    ))
}

/// Unbond (§5.2): immediate, back to the operator's balance. Leaving less than the minimum
/// self-bond is refused unless everything is unbonded, which removes the validator (and frees
/// its consensus key and Ethereum address); the last validator cannot leave.
fn unbond(
    cache: &mut Cache<'_>,
    params: &Params,
    msg: &MsgBondUnbond,
    changes: &mut PowerChanges,
) -> Result<Vec<Event>, AppError> {
    check_denom(params, &msg.amount.denom)?;
    let mut validator = existing_validator(cache, &msg.operator_address)?;
    changes.touch_validator(&validator, params)?;
    let left = validator.bonded.checked_sub(msg.amount.amount).ok_or_else(|| {
        AppError::StakingRule(format!(
            "cannot unbond {} from a bond of {}{}",
            msg.amount, validator.bonded, params.denom
        ))
    })?;
    let mut events = Vec::new();
    if left == 0 {
        let set = cache.validator_set()?;
        let remaining: Vec<AccAddress> =
            set.into_iter().filter(|a| *a != validator.operator).collect();
        let mut remaining_power: i64 = 0;
        for operator in &remaining {
            if let Some(v) = cache.validator(operator)? {
                remaining_power = remaining_power
                    .checked_add(v.power(params.power_reduction)?)
                    .ok_or(AppError::Overflow("total power"))?;
            }
        }
        if remaining_power == 0 {
            return Err(AppError::StakingRule(
                "the last validator cannot unbond everything".into(),
            ));
        }
        cache.set_validator_set(remaining);
        cache.delete(crate::state::validator_key(&validator.operator));
        cache.delete(consensus_key_key(&validator.consensus_pubkey));
        if let Some(eth) = cache.eth_address_of(&validator.operator)? {
            cache.delete(eth_by_validator_key(&validator.operator));
            cache.delete(eth_by_address_key(&eth));
        }
        events.push(event(
            "remove_validator",
            &[("validator", validator.operator.to_valoper().to_bech32())],
        ));
    } else {
        if left < params.min_self_bond {
            return Err(AppError::StakingRule(format!(
                "unbonding {} leaves {left}{}, below the minimum self-bond {}{} (unbond everything to leave)",
                msg.amount, params.denom, params.min_self_bond, params.denom
            )));
        }
        validator.bonded = left;
        cache.set_validator(&validator);
    }
    cache.add_balance(&msg.operator_address, &params.denom, msg.amount.amount)?;
    events.push(event(
        "unbond",
        &[
            ("validator", validator.operator.to_valoper().to_bech32()),
            ("amount", msg.amount.to_string()),
        ],
    ));
    Ok(events)
}

/// Register the validator's Ethereum address (§5.3); the proof of possession was verified with
/// the signature ([`peg_tx::DecodedTx::verify`]).
fn register_eth_address(
    cache: &mut Cache<'_>,
    msg: &MsgRegisterEthAddress,
) -> Result<Event, AppError> {
    let operator = msg.operator_address;
    existing_validator(cache, &operator)?;
    if let Some(current) = cache.eth_address_of(&operator)? {
        return Err(AppError::EthAddressTaken(format!(
            "validator {operator} already registered {current}"
        )));
    }
    if let Some(owner) = cache.eth_address_owner(&msg.eth_address)? {
        return Err(AppError::EthAddressTaken(format!(
            "{} is registered by validator {owner}",
            msg.eth_address
        )));
    }
    cache.set(eth_by_validator_key(&operator), msg.eth_address.as_bytes().to_vec());
    cache.set(eth_by_address_key(&msg.eth_address), operator.as_bytes().to_vec());
    Ok(event(
        "register_eth_address",
        &[
            ("validator", operator.to_valoper().to_bech32()),
            ("eth_address", msg.eth_address.to_string()),
        ],
    ))
}
