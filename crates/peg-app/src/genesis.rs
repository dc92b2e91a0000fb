//! Chain parameters and the genesis document (`specs/state-machine.md` §3).

use serde::{Deserialize, Serialize};

use peg_tx::{validate_denom, AccAddress, Coin, Coins, MAX_MONIKER_LEN};

use crate::bridge::BridgeParams;
use crate::error::AppError;
use crate::eth::genesis::{CheckedEth, EthGenesis, GenesisEthAddress};
use peg_types::EthAddress;

/// Chain parameters, stored under `params`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// The CometBFT chain id (signatures commit to it).
    pub chain_id: String,
    /// The native denom: fees and bonds.
    pub denom: String,
    /// The minimum fee of a transaction, in `denom`.
    pub min_fee: u128,
    /// Tokens per unit of CometBFT voting power.
    pub power_reduction: u128,
    /// Smallest self-bond a validator may hold (at least `power_reduction`).
    pub min_self_bond: u128,
    /// Largest validator set.
    pub max_validators: u32,
    /// Largest transaction, in bytes.
    pub max_tx_bytes: u32,
    /// First height whose precommits carry vote extensions (0: never), from CometBFT's
    /// `abci.vote_extensions_enable_height` consensus parameter at InitChain.
    pub vote_extensions_enable_height: u64,
    /// Gas price: the fee must be at least `ceil(gas_limit × fee_per_kgas / 1000)` in `denom`
    /// (and at least `min_fee`).
    pub fee_per_kgas: u128,
}

impl Params {
    /// Fixed layout: `len u8 ‖ chain_id ‖ len u8 ‖ denom ‖ min_fee u128 ‖ power_reduction u128 ‖
    /// min_self_bond u128 ‖ max_validators u32 ‖ max_tx_bytes u32 ‖ ve_height u64 ‖
    /// fee_per_kgas u128`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        for s in [&self.chain_id, &self.denom] {
            let len = u8::try_from(s.len()).unwrap_or(u8::MAX);
            out.push(len);
            out.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
        }
        out.extend_from_slice(&self.min_fee.to_be_bytes());
        out.extend_from_slice(&self.power_reduction.to_be_bytes());
        out.extend_from_slice(&self.min_self_bond.to_be_bytes());
        out.extend_from_slice(&self.max_validators.to_be_bytes());
        out.extend_from_slice(&self.max_tx_bytes.to_be_bytes());
        out.extend_from_slice(&self.vote_extensions_enable_height.to_be_bytes());
        out.extend_from_slice(&self.fee_per_kgas.to_be_bytes());
        out
    }

    /// The minimum fee of a transaction declaring `gas_limit`:
    /// `max(min_fee, ceil(gas_limit × fee_per_kgas / 1000))`.
    pub fn required_fee(&self, gas_limit: u64) -> u128 {
        let priced = u128::from(gas_limit).saturating_mul(self.fee_per_kgas).div_ceil(1000);
        self.min_fee.max(priced)
    }

    /// Decodes [`Params::encode`]'s layout.
    pub fn decode(bytes: &[u8]) -> Result<Self, AppError> {
        let bad = |reason| AppError::CorruptState { key: "params".into(), reason };
        let mut rest = bytes;
        let mut take = |n: usize| -> Result<&[u8], AppError> {
            if rest.len() < n {
                return Err(bad("params truncated"));
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };
        let len = usize::from(*take(1)?.first().ok_or(bad("params truncated"))?);
        let chain_id = String::from_utf8(take(len)?.to_vec()).map_err(|_| bad("chain id"))?;
        let len = usize::from(*take(1)?.first().ok_or(bad("params truncated"))?);
        let denom = String::from_utf8(take(len)?.to_vec()).map_err(|_| bad("denom"))?;
        let u128_of = |b: &[u8]| -> Result<u128, AppError> {
            Ok(u128::from_be_bytes(b.try_into().map_err(|_| bad("params truncated"))?))
        };
        let min_fee = u128_of(take(16)?)?;
        let power_reduction = u128_of(take(16)?)?;
        let min_self_bond = u128_of(take(16)?)?;
        let max_validators =
            u32::from_be_bytes(take(4)?.try_into().map_err(|_| bad("params truncated"))?);
        let max_tx_bytes =
            u32::from_be_bytes(take(4)?.try_into().map_err(|_| bad("params truncated"))?);
        let vote_extensions_enable_height =
            u64::from_be_bytes(take(8)?.try_into().map_err(|_| bad("params truncated"))?);
        let fee_per_kgas = u128_of(take(16)?)?;
        if !rest.is_empty() {
            return Err(bad("trailing bytes"));
        }
        Ok(Self {
            chain_id,
            denom,
            min_fee,
            power_reduction,
            min_self_bond,
            max_validators,
            max_tx_bytes,
            vote_extensions_enable_height,
            fee_per_kgas,
        })
    }

    /// `true` if blocks at `height` carry vote extensions: CometBFT's rule, extensions are
    /// required from `vote_extensions_enable_height` on, and 0 disables them.
    pub fn vote_extensions_enabled(&self, height: u64) -> bool {
        self.vote_extensions_enable_height != 0 && height >= self.vote_extensions_enable_height
    }
}

/// Decimal string amounts in JSON (u128 does not fit a JSON number safely).
mod amount {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty()
            || !s.bytes().all(|b| b.is_ascii_digit())
            || (s.len() > 1 && s.starts_with('0'))
        {
            return Err(serde::de::Error::custom(format!(
                "{s:?} is not a canonical decimal amount"
            )));
        }
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The chain parameters of the genesis document (the chain id comes from InitChain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisParams {
    /// Native denom.
    pub denom: String,
    /// Minimum fee.
    #[serde(with = "amount")]
    pub min_fee: u128,
    /// Tokens per unit of voting power.
    #[serde(with = "amount")]
    pub power_reduction: u128,
    /// Minimum self-bond.
    #[serde(with = "amount")]
    pub min_self_bond: u128,
    /// Largest validator set.
    pub max_validators: u32,
    /// Largest transaction in bytes.
    pub max_tx_bytes: u32,
    /// Gas price in `denom` per 1000 gas (absent: 0, only `min_fee` applies).
    #[serde(default, with = "amount", skip_serializing_if = "is_zero")]
    pub fee_per_kgas: u128,
}

fn is_zero(value: &u128) -> bool {
    *value == 0
}

/// A balance in the genesis document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisCoin {
    /// Denom.
    pub denom: String,
    /// Amount.
    #[serde(with = "amount")]
    pub amount: u128,
}

/// A genesis account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// `peg1…`.
    pub address: String,
    /// Its balances.
    pub balances: Vec<GenesisCoin>,
}

/// A genesis validator: its bond is created at genesis (not taken from a balance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisValidator {
    /// The operator account, `peg1…`.
    pub operator: String,
    /// The CometBFT ed25519 public key, hex (64 digits).
    pub consensus_pubkey: String,
    /// Tokens bonded, in the native denom.
    #[serde(with = "amount")]
    pub bonded: u128,
    /// Display name.
    pub moniker: String,
}

/// The `app_state` of the CometBFT genesis file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Chain parameters.
    pub params: GenesisParams,
    /// Accounts, in the order their account numbers are assigned.
    pub accounts: Vec<GenesisAccount>,
    /// The initial validator set.
    pub validators: Vec<GenesisValidator>,
    /// The Ethereum module (absent: disabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eth: Option<EthGenesis>,
    /// Genesis Ethereum key registrations of validators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub eth_addresses: Vec<GenesisEthAddress>,
    /// The outbound bridge's parameters (`specs/bridge-module.md` §1; absent: defaults). The
    /// module runs only with `eth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<BridgeParams>,
}

/// A validated genesis validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedValidator {
    /// Operator.
    pub operator: AccAddress,
    /// Consensus key.
    pub consensus_pubkey: [u8; 32],
    /// Bond.
    pub bonded: u128,
    /// Moniker.
    pub moniker: String,
}

/// A validated genesis.
#[derive(Debug, Clone)]
pub struct CheckedGenesis {
    /// Parameters, chain id included.
    pub params: Params,
    /// Accounts and balances.
    pub accounts: Vec<(AccAddress, Coins)>,
    /// Validators.
    pub validators: Vec<CheckedValidator>,
    /// The Ethereum module, bootstrapped.
    pub eth: Option<CheckedEth>,
    /// Genesis Ethereum key registrations.
    pub eth_addresses: Vec<(AccAddress, EthAddress)>,
    /// The bridge parameters: `Some` (defaults filled) exactly when `eth` is.
    pub bridge: Option<BridgeParams>,
}

impl Genesis {
    /// Parses the JSON `app_state_bytes`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, AppError> {
        serde_json::from_slice(bytes).map_err(|e| AppError::Genesis(e.to_string()))
    }

    /// The canonical JSON.
    pub fn to_json(&self) -> Result<Vec<u8>, AppError> {
        serde_json::to_vec_pretty(self).map_err(|e| AppError::Genesis(e.to_string()))
    }

    /// Checks every rule of §3 and returns the typed genesis.
    pub fn check(
        &self,
        chain_id: &str,
        vote_extensions_enable_height: u64,
    ) -> Result<CheckedGenesis, AppError> {
        let g = |m: String| AppError::Genesis(m);
        let p = &self.params;
        if chain_id.is_empty() || chain_id.len() > 50 {
            return Err(g(format!("chain id {chain_id:?} must be 1 to 50 bytes")));
        }
        validate_denom(&p.denom).map_err(|e| g(e.to_string()))?;
        if p.power_reduction == 0 {
            return Err(g("power_reduction must be positive".into()));
        }
        if p.min_self_bond < p.power_reduction {
            return Err(g(format!(
                "min_self_bond {} is below power_reduction {}: a validator could have no power",
                p.min_self_bond, p.power_reduction
            )));
        }
        if p.max_validators == 0 {
            return Err(g("max_validators must be positive".into()));
        }
        if p.max_tx_bytes < 1024 {
            return Err(g(format!("max_tx_bytes {} is below 1024", p.max_tx_bytes)));
        }
        let params = Params {
            chain_id: chain_id.to_owned(),
            denom: p.denom.clone(),
            min_fee: p.min_fee,
            power_reduction: p.power_reduction,
            min_self_bond: p.min_self_bond,
            max_validators: p.max_validators,
            max_tx_bytes: p.max_tx_bytes,
            vote_extensions_enable_height,
            fee_per_kgas: p.fee_per_kgas,
        };
        let mut accounts = Vec::with_capacity(self.accounts.len());
        let mut seen = std::collections::BTreeSet::new();
        for account in &self.accounts {
            let address: AccAddress =
                account.address.parse().map_err(|e: peg_tx::TxError| g(e.to_string()))?;
            if !seen.insert(address) {
                return Err(g(format!("account {} listed twice", account.address)));
            }
            let coins = account
                .balances
                .iter()
                .map(|c| Coin::new(c.denom.clone(), c.amount))
                .collect::<Result<Vec<_>, _>>()
                .and_then(Coins::from_unsorted)
                .map_err(|e| g(format!("balances of {}: {e}", account.address)))?;
            accounts.push((address, coins));
        }
        if self.validators.is_empty() {
            return Err(g("at least one validator is needed".into()));
        }
        if self.validators.len() > p.max_validators as usize {
            return Err(g(format!(
                "{} validators, max_validators is {}",
                self.validators.len(),
                p.max_validators
            )));
        }
        let mut validators = Vec::with_capacity(self.validators.len());
        let mut operators = std::collections::BTreeSet::new();
        let mut keys = std::collections::BTreeSet::new();
        for v in &self.validators {
            let operator: AccAddress =
                v.operator.parse().map_err(|e: peg_tx::TxError| g(e.to_string()))?;
            let key_bytes = hex::decode(&v.consensus_pubkey)
                .map_err(|e| g(format!("consensus_pubkey of {}: {e}", v.operator)))?;
            let consensus_pubkey: [u8; 32] = key_bytes.as_slice().try_into().map_err(|_| {
                g(format!(
                    "consensus_pubkey of {} is {} bytes, expected 32",
                    v.operator,
                    key_bytes.len()
                ))
            })?;
            if v.bonded < p.min_self_bond {
                return Err(g(format!(
                    "validator {} bonds {}, below min_self_bond {}",
                    v.operator, v.bonded, p.min_self_bond
                )));
            }
            if v.moniker.is_empty()
                || v.moniker.len() > MAX_MONIKER_LEN
                || v.moniker.chars().any(char::is_control)
            {
                return Err(g(format!(
                    "moniker of {} is empty, too long or has control characters",
                    v.operator
                )));
            }
            if !operators.insert(operator) || !keys.insert(consensus_pubkey) {
                return Err(g(format!(
                    "validator {} or its consensus key is listed twice",
                    v.operator
                )));
            }
            validators.push(CheckedValidator {
                operator,
                consensus_pubkey,
                bonded: v.bonded,
                moniker: v.moniker.clone(),
            });
        }
        let mut eth_addresses = Vec::with_capacity(self.eth_addresses.len());
        for entry in &self.eth_addresses {
            let (operator, eth) = entry.check()?;
            if !operators.contains(&operator) {
                return Err(g(format!(
                    "eth_addresses: {} is not a genesis validator",
                    entry.operator
                )));
            }
            if eth_addresses.iter().any(|(o, e)| *o == operator || *e == eth) {
                return Err(g(format!(
                    "eth_addresses: {} or {} registered twice",
                    entry.operator, entry.eth_address
                )));
            }
            eth_addresses.push((operator, eth));
        }
        let eth = self.eth.as_ref().map(EthGenesis::check).transpose()?;
        let bridge = match (&eth, self.bridge) {
            // Kept for a later `pegd genesis set-eth`; the module runs only with `eth`.
            (None, bridge) => {
                bridge.map(|b| b.validate()).transpose()?;
                None
            }
            (Some(_), bridge) => {
                let bridge = bridge.unwrap_or_default();
                bridge.validate()?;
                Some(bridge)
            }
        };
        Ok(CheckedGenesis { params, accounts, validators, eth, eth_addresses, bridge })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            chain_id: "peg-test-1".into(),
            denom: "upeg".into(),
            min_fee: 1000,
            power_reduction: 1_000_000,
            min_self_bond: 1_000_000,
            max_validators: 100,
            max_tx_bytes: 32 * 1024,
            vote_extensions_enable_height: 5,
            fee_per_kgas: 7,
        }
    }

    #[test]
    fn params_round_trip_and_refuse_truncation() -> Result<(), AppError> {
        let p = params();
        let bytes = p.encode();
        assert_eq!(Params::decode(&bytes)?, p);
        for cut in 0..bytes.len() {
            assert!(Params::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = bytes;
        long.push(1);
        assert!(Params::decode(&long).is_err());
        Ok(())
    }

    #[test]
    fn vote_extensions_enabled_follows_cometbft_rule() {
        let mut p = params();
        assert!(!p.vote_extensions_enabled(4));
        assert!(p.vote_extensions_enabled(5));
        assert!(p.vote_extensions_enabled(6));
        p.vote_extensions_enable_height = 0;
        assert!(!p.vote_extensions_enabled(1));
        assert!(!p.vote_extensions_enabled(u64::MAX));
    }

    #[test]
    fn non_canonical_amounts_are_refused() {
        let json = |amount: &str| {
            format!(
                r#"{{"params":{{"denom":"upeg","min_fee":"{amount}","power_reduction":"1","min_self_bond":"1","max_validators":1,"max_tx_bytes":2048}},"accounts":[],"validators":[]}}"#
            )
        };
        assert!(Genesis::from_json(json("10").as_bytes()).is_ok());
        for bad in ["", "010", "-1", "1e3", "340282366920938463463374607431768211456"] {
            assert!(Genesis::from_json(json(bad).as_bytes()).is_err(), "{bad}");
        }
    }
}
