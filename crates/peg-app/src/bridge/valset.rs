//! Ethereum valsets (`specs/bridge-module.md` §3, §4): built from the bonded validators with a
//! registered Ethereum address, a new one when the power moved by more than 5% or the
//! membership changed, confirmed by the proven `ValsetUpdated`, and the continuity rule that
//! keeps the confirmed valset able to sign.

use std::collections::BTreeMap;

use peg_types::{
    canonical_order, is_above_threshold, valset_update_digest, BridgeDomain, EthAddress, Valset,
    ValsetMember, B256, MAX_VALIDATORS, TOTAL_NORMALIZED_POWER,
};
use serde::{Deserialize, Serialize};
use tendermint_proto::v0_38::abci::Event;

use super::signatures::delete_signatures;
use super::{
    corrupt, get_json, get_u64, nonce_key, set_json, set_u64, CheckpointKind, KEY_CONFIRMED_VALSET,
    KEY_LATEST_VALSET, PREFIX_VALSET,
};
use crate::error::AppError;
use crate::eth;
use crate::exec::event;
use crate::genesis::Params;
use crate::state::Cache;

/// One member of a stored valset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMember {
    /// `0x…` (EIP-55).
    pub eth_address: String,
    /// Normalized power (the members add up to at most 2^32).
    pub power: u64,
}

/// A valset (`bridge/valset/<nonce>`), members in the contract's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredValset {
    /// The valset nonce.
    pub nonce: u64,
    /// Power descending, then address ascending.
    pub members: Vec<StoredMember>,
    /// The height it was created at (InitChain's valset 0: the initial height).
    pub created_height: u64,
}

impl StoredValset {
    /// The valset as the contract sees it.
    pub fn to_valset(&self) -> Result<Valset, AppError> {
        let key = nonce_key(PREFIX_VALSET, self.nonce);
        let members = self
            .members
            .iter()
            .map(|m| {
                Ok(ValsetMember {
                    eth_address: m.eth_address.parse().map_err(|_| corrupt(&key, "member"))?,
                    power: m.power,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Valset { nonce: self.nonce, members })
    }

    /// The EIP-712 digest the current valset signs to move Ethereum to this one.
    pub fn digest(&self, domain: &BridgeDomain) -> Result<B256, AppError> {
        Ok(valset_update_digest(domain, &self.to_valset()?))
    }
}

/// The nonce of the newest valset (`None`: no valset yet).
pub fn latest_nonce(cache: &Cache<'_>) -> Result<Option<u64>, AppError> {
    get_u64(cache, KEY_LATEST_VALSET)
}

/// The nonce of the valset known to be on Ethereum (`None`: none yet).
pub fn confirmed_nonce(cache: &Cache<'_>) -> Result<Option<u64>, AppError> {
    get_u64(cache, KEY_CONFIRMED_VALSET)
}

/// The valset with this nonce.
pub fn load_valset(cache: &Cache<'_>, nonce: u64) -> Result<Option<StoredValset>, AppError> {
    get_json(cache, &nonce_key(PREFIX_VALSET, nonce))
}

fn require_valset(cache: &Cache<'_>, nonce: u64) -> Result<StoredValset, AppError> {
    let key = nonce_key(PREFIX_VALSET, nonce);
    load_valset(cache, nonce)?.ok_or_else(|| corrupt(&key, "valset missing"))
}

/// The valsets newer than the confirmed one, newest first.
pub fn unconfirmed_valsets(cache: &Cache<'_>) -> Result<Vec<StoredValset>, AppError> {
    let Some(latest) = latest_nonce(cache)? else { return Ok(Vec::new()) };
    let first = match confirmed_nonce(cache)? {
        Some(confirmed) => confirmed.saturating_add(1),
        None => 0,
    };
    let mut out = Vec::new();
    let mut nonce = latest;
    while nonce >= first {
        out.push(require_valset(cache, nonce)?);
        if nonce == 0 {
            break;
        }
        nonce -= 1;
    }
    Ok(out)
}

/// Stores `valset` as the newest.
pub(crate) fn store_valset(
    cache: &mut Cache<'_>,
    valset: &Valset,
    height: u64,
) -> Result<StoredValset, AppError> {
    let stored = StoredValset {
        nonce: valset.nonce,
        members: valset
            .members
            .iter()
            .map(|m| StoredMember { eth_address: m.eth_address.to_string(), power: m.power })
            .collect(),
        created_height: height,
    };
    set_json(cache, nonce_key(PREFIX_VALSET, valset.nonce), &stored)?;
    set_u64(cache, KEY_LATEST_VALSET, valset.nonce);
    Ok(stored)
}

/// The valset the bonded validators make now, numbered `nonce`: every validator with power > 0
/// and a registered Ethereum address, CometBFT power normalized (the `MAX_VALIDATORS` strongest
/// when there are more). `None` when no validator qualifies.
pub(crate) fn current_valset(
    cache: &Cache<'_>,
    params: &Params,
    nonce: u64,
) -> Result<Option<Valset>, AppError> {
    let mut raw: Vec<ValsetMember> = Vec::new();
    for operator in cache.validator_set()? {
        let Some(validator) = cache.validator(&operator)? else { continue };
        let power = validator.power(params.power_reduction)?;
        let Some(eth_address) = cache.eth_address_of(&operator)? else { continue };
        let power = u64::try_from(power).unwrap_or(0);
        if power > 0 {
            raw.push(ValsetMember { eth_address, power });
        }
    }
    if raw.is_empty() {
        return Ok(None);
    }
    raw.sort_by(canonical_order);
    raw.truncate(MAX_VALIDATORS);
    let valset = Valset::from_raw_powers(nonce, raw.iter().map(|m| (m.eth_address, m.power)))
        .map_err(|e| AppError::BridgeValset(e.to_string()))?;
    Ok(Some(valset))
}

/// Whether `new` differs enough from `old` to need a new valset: another address set, or more
/// than 5% of the normalized power moved (`Σ|p_new − p_old| / 2 > 2^32 / 20`).
pub fn significant_change(old: &Valset, new: &Valset) -> bool {
    let old_powers: BTreeMap<EthAddress, u64> =
        old.members.iter().map(|m| (m.eth_address, m.power)).collect();
    let new_powers: BTreeMap<EthAddress, u64> =
        new.members.iter().map(|m| (m.eth_address, m.power)).collect();
    if !old_powers.keys().eq(new_powers.keys()) {
        return true;
    }
    let moved: u128 = old_powers
        .iter()
        .map(|(address, old)| {
            let new = new_powers.get(address).copied().unwrap_or(0);
            u128::from(old.abs_diff(new))
        })
        .sum();
    // moved / 2 > 5% of 2^32  ⇔  moved × 10 > 2^32
    moved * 10 > u128::from(TOTAL_NORMALIZED_POWER)
}

/// End block: a new valset (latest + 1) when the bonded power changed significantly.
pub(crate) fn maybe_create_valset(
    cache: &mut Cache<'_>,
    params: &Params,
    height: u64,
) -> Result<Vec<Event>, AppError> {
    let latest = latest_nonce(cache)?;
    let nonce = match latest {
        Some(n) => n.checked_add(1).ok_or(AppError::Overflow("valset nonce"))?,
        None => 1,
    };
    let Some(candidate) = current_valset(cache, params, nonce)? else { return Ok(Vec::new()) };
    if let Some(latest) = latest {
        let previous = require_valset(cache, latest)?.to_valset()?;
        if !significant_change(&previous, &candidate) {
            return Ok(Vec::new());
        }
    }
    let stored = store_valset(cache, &candidate, height)?;
    tracing::info!(nonce, members = stored.members.len(), "valset created");
    let members = serde_json::to_string(&stored.members)
        .map_err(|_| corrupt(KEY_LATEST_VALSET, "members JSON"))?;
    Ok(vec![event("valset_created", &[("nonce", nonce.to_string()), ("members", members)])])
}

/// The continuity rule, run after a bonding change (create validator, bond, unbond, register
/// an Ethereum address): the members of the confirmed valset that are still bonded validators
/// with the same Ethereum address must hold more than 2/3 of its normalized power, or Ethereum
/// could never be moved to a newer valset.
pub fn check_continuity(cache: &Cache<'_>, params: &Params) -> Result<(), AppError> {
    if eth::load_config(cache)?.is_none() {
        return Ok(());
    }
    let Some(confirmed) = confirmed_nonce(cache)? else { return Ok(()) };
    let valset = require_valset(cache, confirmed)?.to_valset()?;
    let mut kept: u128 = 0;
    for member in &valset.members {
        let Some(operator) = cache.eth_address_owner(&member.eth_address)? else { continue };
        let Some(validator) = cache.validator(&operator)? else { continue };
        if validator.power(params.power_reduction)? > 0
            && cache.eth_address_of(&operator)? == Some(member.eth_address)
        {
            kept += u128::from(member.power);
        }
    }
    if is_above_threshold(kept) {
        return Ok(());
    }
    let latest = latest_nonce(cache)?.unwrap_or(confirmed);
    Err(AppError::ValsetContinuity { confirmed, latest })
}

/// Hook of the proven `ValsetUpdated(valset_nonce)`: that valset is now on Ethereum; the
/// signatures of it and of every older unconfirmed valset are no longer needed.
pub fn on_valset_updated(cache: &mut Cache<'_>, valset_nonce: u64) -> Result<Vec<Event>, AppError> {
    let previous = confirmed_nonce(cache)?;
    if previous.is_some_and(|p| valset_nonce <= p) {
        return Ok(Vec::new());
    }
    if load_valset(cache, valset_nonce)?.is_none() {
        tracing::error!(valset_nonce, "ValsetUpdated for a valset the zone never made");
        return Ok(vec![event("valset_updated_unknown", &[("nonce", valset_nonce.to_string())])]);
    }
    let first = previous.map_or(0, |p| p.saturating_add(1));
    for nonce in first..=valset_nonce {
        delete_signatures(cache, CheckpointKind::Valset, nonce)?;
    }
    set_u64(cache, KEY_CONFIRMED_VALSET, valset_nonce);
    tracing::info!(valset_nonce, "valset confirmed on Ethereum");
    Ok(vec![event("valset_confirmed", &[("nonce", valset_nonce.to_string())])])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valset(powers: &[(u8, u64)]) -> Valset {
        let mut members: Vec<ValsetMember> = powers
            .iter()
            .map(|(byte, power)| ValsetMember {
                eth_address: EthAddress::new([*byte; 20]),
                power: *power,
            })
            .collect();
        members.sort_by(canonical_order);
        Valset { nonce: 0, members }
    }

    #[test]
    fn five_percent_of_moved_power_is_the_boundary() {
        let quarter = TOTAL_NORMALIZED_POWER / 4;
        let old = valset(&[(1, quarter), (2, quarter), (3, quarter), (4, quarter)]);
        // 5% of 2^32 is 214748364.8: moving 214748364 is not enough, 214748365 is.
        let at = 214_748_364;
        let same = valset(&[(1, quarter + at), (2, quarter - at), (3, quarter), (4, quarter)]);
        assert!(!significant_change(&old, &same));
        let over =
            valset(&[(1, quarter + at + 1), (2, quarter - at - 1), (3, quarter), (4, quarter)]);
        assert!(significant_change(&old, &over));
        assert!(!significant_change(&old, &old));
        // Membership: one address replaced, even with equal powers.
        let swapped = valset(&[(1, quarter), (2, quarter), (3, quarter), (5, quarter)]);
        assert!(significant_change(&old, &swapped));
        let fewer = valset(&[(1, quarter), (2, quarter), (3, quarter)]);
        assert!(significant_change(&old, &fewer));
    }
}
