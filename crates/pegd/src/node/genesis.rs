//! The genesis document: CometBFT v0.38's `genesis.json` with the peg zone's `app_state`.
//!
//! CometBFT fields we set (reference: <https://docs.cometbft.com/v0.38/core/genesis>):
//! `chain_id`, `validators` (ed25519 keys and powers), and
//! `consensus_params.abci.vote_extensions_enable_height`, an int64 written as a JSON *string*
//! (CometBFT's JSON encoding of 64-bit integers). Everything else CometBFT generated is kept.
//!
//! `app_state` is peg-app's [`Genesis`], handed by CometBFT to the application in `InitChain`
//! (`RequestInitChain.app_state_bytes`).

use peg_app::{Genesis, GenesisAccount, GenesisCoin, GenesisParams};
use peg_tx::AccAddress;
use serde_json::{json, Value};

use super::cometbft::{ValidatorKey, ED25519_PUBKEY_TYPE};
use super::NodeError;
use base64::Engine as _;

/// The native denom: fees and staking.
pub const NATIVE_DENOM: &str = "upeg";

/// Default largest transaction of `pegd init` / `pegd testnet`: 128 KiB.
pub const DEFAULT_MAX_TX_BYTES: u32 = 128 * 1024;
/// Default gas price of `pegd init` / `pegd testnet`: 1 upeg per 1000 gas.
pub const DEFAULT_FEE_PER_KGAS: u128 = 1;

/// The defaults of `pegd init` and `pegd testnet`.
pub fn default_params() -> GenesisParams {
    GenesisParams {
        denom: NATIVE_DENOM.to_owned(),
        min_fee: 1_000,
        power_reduction: 1_000_000,
        min_self_bond: 1_000_000,
        max_validators: 100,
        // Room for a mainnet-preset light-client update (~27 KiB) and event proofs.
        max_tx_bytes: DEFAULT_MAX_TX_BYTES,
        fee_per_kgas: DEFAULT_FEE_PER_KGAS,
    }
}

/// A genesis account holding `amount` of the native denom.
pub fn native_account(address: &AccAddress, amount: u128) -> GenesisAccount {
    GenesisAccount {
        address: address.to_bech32(),
        balances: vec![GenesisCoin { denom: NATIVE_DENOM.to_owned(), amount }],
    }
}

/// The CometBFT voting power of a validator bonding `bonded`: `bonded / power_reduction`, as
/// the application computes it.
pub fn voting_power(params: &GenesisParams, bonded: u128) -> Result<u64, NodeError> {
    bonded
        .checked_div(params.power_reduction)
        .and_then(|power| u64::try_from(power).ok())
        .filter(|power| *power > 0 && i64::try_from(*power).is_ok())
        .ok_or_else(|| NodeError::InvalidArgument {
            name: "bonded",
            reason: format!(
                "{bonded} bonded with power_reduction {} gives no valid CometBFT power",
                params.power_reduction
            ),
        })
}

/// A validator for CometBFT's `validators` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CometValidator {
    /// Its key.
    pub key: ValidatorKey,
    /// Its power.
    pub power: u64,
    /// Its name.
    pub name: String,
}

/// Sets the peg zone's fields on a CometBFT-generated genesis document.
pub fn patch_genesis(
    mut genesis: Value,
    chain_id: &str,
    vote_extensions_enable_height: u64,
    validators: &[CometValidator],
    app_state: &Genesis,
) -> Result<Value, NodeError> {
    // The application's own rules: a genesis it would refuse at InitChain is refused here.
    let checked = app_state
        .check(chain_id, vote_extensions_enable_height)
        .map_err(|e| NodeError::InvalidArgument { name: "genesis", reason: e.to_string() })?;
    if checked.validators.len() != validators.len() {
        return Err(NodeError::InvalidArgument {
            name: "genesis.validators",
            reason: format!(
                "got {} CometBFT validators, expected {} (one per app_state validator)",
                validators.len(),
                checked.validators.len()
            ),
        });
    }
    for (comet, app) in validators.iter().zip(&checked.validators) {
        let key = base64::engine::general_purpose::STANDARD
            .decode(&comet.key.pub_key_base64)
            .map_err(|e| NodeError::InvalidArgument { name: "pub_key", reason: e.to_string() })?;
        let power = voting_power(&app_state.params, app.bonded)?;
        if key.as_slice() != app.consensus_pubkey || power != comet.power {
            return Err(NodeError::InvalidArgument {
                name: "genesis.validators",
                reason: format!(
                    "{}: CometBFT entry (key {}, power {}) does not match app_state (key {}, power {power})",
                    comet.name,
                    comet.key.pub_key_base64,
                    comet.power,
                    hex::encode(app.consensus_pubkey)
                ),
            });
        }
    }
    let Some(doc) = genesis.as_object_mut() else {
        return Err(NodeError::InvalidArgument {
            name: "genesis",
            reason: "not a JSON object".to_owned(),
        });
    };
    doc.insert("chain_id".to_owned(), json!(chain_id));
    let params = doc.entry("consensus_params").or_insert_with(|| json!({}));
    let Some(params) = params.as_object_mut() else {
        return Err(NodeError::InvalidArgument {
            name: "genesis.consensus_params",
            reason: "not a JSON object".to_owned(),
        });
    };
    params.insert(
        "abci".to_owned(),
        json!({ "vote_extensions_enable_height": vote_extensions_enable_height.to_string() }),
    );
    let validators: Vec<Value> = validators
        .iter()
        .map(|v| {
            json!({
                "address": v.key.address,
                "pub_key": { "type": ED25519_PUBKEY_TYPE, "value": v.key.pub_key_base64 },
                "power": v.power.to_string(),
                "name": v.name,
            })
        })
        .collect();
    doc.insert("validators".to_owned(), Value::Array(validators));
    let app_state = serde_json::to_value(app_state)
        .map_err(|e| NodeError::InvalidArgument { name: "app_state", reason: e.to_string() })?;
    doc.insert("app_state".to_owned(), app_state);
    Ok(genesis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use peg_app::GenesisValidator;

    const KEY_B64: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

    fn operator() -> AccAddress {
        peg_tx::PublicKey::from_signing_key(
            &peg_tx::SigningKey::from_slice(&[7u8; 32]).expect("constant scalar is valid"),
        )
        .address()
    }

    fn sample_state() -> Genesis {
        Genesis {
            params: default_params(),
            accounts: vec![native_account(&operator(), 5)],
            validators: vec![GenesisValidator {
                operator: operator().to_bech32(),
                consensus_pubkey: hex::encode([1u8; 32]),
                bonded: 10_000_000,
                moniker: "v0".to_owned(),
            }],
            eth: None,
            eth_addresses: Vec::new(),
            bridge: None,
        }
    }

    fn comet(power: u64) -> CometValidator {
        CometValidator {
            key: ValidatorKey { address: "A".repeat(40), pub_key_base64: KEY_B64.to_owned() },
            power,
            name: "v0".to_owned(),
        }
    }

    fn base() -> Value {
        json!({
            "genesis_time": "2026-01-01T00:00:00Z",
            "chain_id": "test-chain-x",
            "consensus_params": { "block": { "max_bytes": "22020096" } },
            "validators": [],
            "app_hash": ""
        })
    }

    #[test]
    fn patch_sets_chain_id_vote_extensions_validators_and_app_state() -> Result<(), NodeError> {
        let out = patch_genesis(base(), "peg-1", 1, &[comet(10)], &sample_state())?;
        assert_eq!(out["chain_id"], "peg-1");
        assert_eq!(out["consensus_params"]["abci"]["vote_extensions_enable_height"], "1");
        assert_eq!(out["consensus_params"]["block"]["max_bytes"], "22020096");
        assert_eq!(out["validators"][0]["power"], "10");
        assert_eq!(out["validators"][0]["pub_key"]["type"], ED25519_PUBKEY_TYPE);
        let bytes = serde_json::to_vec(&out["app_state"])
            .map_err(|e| NodeError::InvalidArgument { name: "app_state", reason: e.to_string() })?;
        let back = Genesis::from_json(&bytes)
            .map_err(|e| NodeError::InvalidArgument { name: "app_state", reason: e.to_string() })?;
        assert_eq!(back, sample_state());
        Ok(())
    }

    #[test]
    fn patch_refuses_inconsistent_validators_and_bad_app_state() {
        // Power differs from bonded / power_reduction.
        assert!(patch_genesis(base(), "peg-1", 1, &[comet(9)], &sample_state()).is_err());
        // Missing CometBFT entry.
        assert!(patch_genesis(base(), "peg-1", 1, &[], &sample_state()).is_err());
        // Bad chain id, and an app_state the application refuses.
        assert!(patch_genesis(base(), "", 1, &[comet(10)], &sample_state()).is_err());
        let mut state = sample_state();
        state.accounts.push(native_account(&operator(), 1));
        assert!(patch_genesis(base(), "peg-1", 1, &[comet(10)], &state).is_err());
    }

    #[test]
    fn voting_power_is_bonded_over_reduction() -> Result<(), NodeError> {
        let params = default_params();
        assert_eq!(voting_power(&params, 10_000_000)?, 10);
        assert!(voting_power(&params, 999_999).is_err());
        assert!(voting_power(&params, u128::MAX).is_err());
        Ok(())
    }
}
