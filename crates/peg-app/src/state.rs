//! State layout (`specs/state-machine.md` §2): key prefixes, deterministic value encodings, and
//! the read-through write cache transactions execute in.

use std::collections::BTreeMap;

use peg_store::{Store, WorkingSet};
use peg_tx::{AccAddress, Coin, Coins, ADDRESS_LEN};
use peg_types::EthAddress;

use crate::error::AppError;

/// `params` → [`Params`] (§2.1).
pub const KEY_PARAMS: &[u8] = b"params";
/// `auth/next_account_number` → u64 big-endian.
pub const KEY_NEXT_ACCOUNT_NUMBER: &[u8] = b"auth/next_account_number";
/// `auth/account/` ‖ address(20) → [`Account`].
pub const PREFIX_ACCOUNT: &[u8] = b"auth/account/";
/// `bank/balances/` ‖ address(20) → [`encode_coins`].
pub const PREFIX_BALANCES: &[u8] = b"bank/balances/";
/// `staking/validators` → the sorted operator addresses, 20 bytes each.
pub const KEY_VALIDATOR_SET: &[u8] = b"staking/validators";
/// `staking/validator/` ‖ operator(20) → [`Validator`].
pub const PREFIX_VALIDATOR: &[u8] = b"staking/validator/";
/// `staking/consensus_key/` ‖ ed25519 key(32) → operator(20).
pub const PREFIX_CONSENSUS_KEY: &[u8] = b"staking/consensus_key/";
/// `eth/by_validator/` ‖ operator(20) → Ethereum address(20).
pub const PREFIX_ETH_BY_VALIDATOR: &[u8] = b"eth/by_validator/";
/// `eth/by_address/` ‖ Ethereum address(20) → operator(20).
pub const PREFIX_ETH_BY_ADDRESS: &[u8] = b"eth/by_address/";

/// The fee collector: `sha256("peg/module/fee_collector")[..20]`, an account nobody holds a key
/// for (§4).
pub fn fee_collector() -> AccAddress {
    module_address("fee_collector")
}

/// The address of a module account: `sha256("peg/module/" ‖ name)[..20]`.
pub fn module_address(name: &str) -> AccAddress {
    use sha2::{Digest, Sha256};
    let digest =
        Sha256::new().chain_update(b"peg/module/").chain_update(name.as_bytes()).finalize();
    let mut bytes = [0u8; ADDRESS_LEN];
    bytes.copy_from_slice(&digest[..ADDRESS_LEN]);
    AccAddress::new(bytes)
}

/// The key of an account.
pub fn account_key(address: &AccAddress) -> Vec<u8> {
    [PREFIX_ACCOUNT, address.as_bytes()].concat()
}

/// The key of an account's balances.
pub fn balances_key(address: &AccAddress) -> Vec<u8> {
    [PREFIX_BALANCES, address.as_bytes()].concat()
}

/// The key of a validator.
pub fn validator_key(operator: &AccAddress) -> Vec<u8> {
    [PREFIX_VALIDATOR, operator.as_bytes()].concat()
}

/// The key of a consensus-key index entry.
pub fn consensus_key_key(pubkey: &[u8; 32]) -> Vec<u8> {
    [PREFIX_CONSENSUS_KEY, pubkey.as_slice()].concat()
}

/// The key of a validator's Ethereum address.
pub fn eth_by_validator_key(operator: &AccAddress) -> Vec<u8> {
    [PREFIX_ETH_BY_VALIDATOR, operator.as_bytes()].concat()
}

/// The key of the reverse Ethereum address index.
pub fn eth_by_address_key(eth: &EthAddress) -> Vec<u8> {
    [PREFIX_ETH_BY_ADDRESS, eth.as_bytes().as_slice()].concat()
}

fn corrupt(key: &[u8], reason: &'static str) -> AppError {
    AppError::CorruptState { key: hex::encode(key), reason }
}

/// A little cursor over a stored value; every read is bounds-checked.
struct Reader<'a> {
    key: &'a [u8],
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], AppError> {
        if self.bytes.len() < n {
            return Err(corrupt(self.key, "value truncated"));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], AppError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, AppError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, AppError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, AppError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn u128(&mut self) -> Result<u128, AppError> {
        Ok(u128::from_be_bytes(self.array()?))
    }
    fn string(&mut self, len: usize) -> Result<String, AppError> {
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| corrupt(self.key, "string is not UTF-8"))
    }
    fn finish(self) -> Result<(), AppError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(corrupt(self.key, "trailing bytes"))
        }
    }
}

/// An account (§2.2): `account_number u64 ‖ sequence u64 ‖ has_pubkey u8 ‖ [pubkey 33]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// Assigned at creation, in order, from `auth/next_account_number`.
    pub account_number: u64,
    /// Transactions this account has signed that paid their fee.
    pub sequence: u64,
    /// The compressed secp256k1 key, known once the account signed.
    pub pubkey: Option<[u8; 33]>,
}

impl Account {
    /// The fixed binary layout.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(50);
        out.extend_from_slice(&self.account_number.to_be_bytes());
        out.extend_from_slice(&self.sequence.to_be_bytes());
        match &self.pubkey {
            Some(key) => {
                out.push(1);
                out.extend_from_slice(key);
            }
            None => out.push(0),
        }
        out
    }

    /// Decodes [`Account::encode`]'s layout.
    pub fn decode(key: &[u8], bytes: &[u8]) -> Result<Self, AppError> {
        let mut r = Reader { key, bytes };
        let account_number = r.u64()?;
        let sequence = r.u64()?;
        let pubkey = match r.u8()? {
            0 => None,
            1 => Some(r.array::<33>()?),
            _ => return Err(corrupt(key, "bad pubkey flag")),
        };
        r.finish()?;
        Ok(Self { account_number, sequence, pubkey })
    }
}

/// Balances: `count u16 ‖ (denom_len u8 ‖ denom ‖ amount u128)*`, sorted by denom, no zero.
pub fn encode_coins(coins: &Coins) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + coins.as_slice().len() * 24);
    let count = u16::try_from(coins.as_slice().len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    for coin in coins.as_slice().iter().take(usize::from(count)) {
        let len = u8::try_from(coin.denom.len()).unwrap_or(u8::MAX);
        out.push(len);
        out.extend_from_slice(&coin.denom.as_bytes()[..usize::from(len)]);
        out.extend_from_slice(&coin.amount.to_be_bytes());
    }
    out
}

/// Decodes [`encode_coins`]'s layout.
pub fn decode_coins(key: &[u8], bytes: &[u8]) -> Result<Coins, AppError> {
    let mut r = Reader { key, bytes };
    let count = r.u16()?;
    let mut coins = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let len = usize::from(r.u8()?);
        let denom = r.string(len)?;
        let amount = r.u128()?;
        coins.push(Coin { denom, amount });
    }
    r.finish()?;
    Coins::new(coins).map_err(|_| corrupt(key, "balances not sorted, duplicated or zero"))
}

/// A validator (§2.3): `consensus_pubkey 32 ‖ bonded u128 ‖ moniker_len u8 ‖ moniker`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validator {
    /// The operator account (its valoper form names the validator).
    pub operator: AccAddress,
    /// The CometBFT ed25519 key.
    pub consensus_pubkey: [u8; 32],
    /// Tokens bonded, in the native denom.
    pub bonded: u128,
    /// Display name.
    pub moniker: String,
}

impl Validator {
    /// The fixed binary layout (the operator is in the key).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(49 + self.moniker.len());
        out.extend_from_slice(&self.consensus_pubkey);
        out.extend_from_slice(&self.bonded.to_be_bytes());
        let len = u8::try_from(self.moniker.len()).unwrap_or(u8::MAX);
        out.push(len);
        out.extend_from_slice(&self.moniker.as_bytes()[..usize::from(len)]);
        out
    }

    /// Decodes [`Validator::encode`]'s layout.
    pub fn decode(operator: AccAddress, key: &[u8], bytes: &[u8]) -> Result<Self, AppError> {
        let mut r = Reader { key, bytes };
        let consensus_pubkey = r.array::<32>()?;
        let bonded = r.u128()?;
        let len = usize::from(r.u8()?);
        let moniker = r.string(len)?;
        r.finish()?;
        Ok(Self { operator, consensus_pubkey, bonded, moniker })
    }

    /// CometBFT voting power: `bonded / power_reduction`.
    pub fn power(&self, power_reduction: u128) -> Result<i64, AppError> {
        let power = self.bonded.checked_div(power_reduction).ok_or(AppError::Overflow("power"))?;
        i64::try_from(power).map_err(|_| AppError::Overflow("voting power beyond i64"))
    }
}

/// Decodes a list of 20-byte addresses.
pub fn decode_address_list(key: &[u8], bytes: &[u8]) -> Result<Vec<AccAddress>, AppError> {
    if bytes.len() % ADDRESS_LEN != 0 {
        return Err(corrupt(key, "address list length is not a multiple of 20"));
    }
    Ok(bytes
        .chunks_exact(ADDRESS_LEN)
        .map(|chunk| {
            let mut a = [0u8; ADDRESS_LEN];
            a.copy_from_slice(chunk);
            AccAddress::new(a)
        })
        .collect())
}

/// Decodes a 20-byte address value.
pub fn decode_address(key: &[u8], bytes: &[u8]) -> Result<[u8; 20], AppError> {
    let mut r = Reader { key, bytes };
    let a = r.array::<20>()?;
    r.finish()?;
    Ok(a)
}

/// Decodes a u64 big-endian value.
pub fn decode_u64(key: &[u8], bytes: &[u8]) -> Result<u64, AppError> {
    let mut r = Reader { key, bytes };
    let v = r.u64()?;
    r.finish()?;
    Ok(v)
}

/// A read-through write cache over a working set over the store: reads see, in order, this
/// cache, the working set, then the committed base version. [`Cache::write`] moves the writes
/// into the working set; dropping the cache discards them (a failed message).
#[derive(Debug)]
pub struct Cache<'a> {
    store: &'a Store,
    ws: &'a mut WorkingSet,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> Cache<'a> {
    /// A cache over `ws`.
    pub fn new(store: &'a Store, ws: &'a mut WorkingSet) -> Self {
        Self { store, ws, writes: BTreeMap::new() }
    }

    /// Reads `key`.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, AppError> {
        if let Some(value) = self.writes.get(key) {
            return Ok(value.clone());
        }
        Ok(self.store.get_pending(self.ws, key)?)
    }

    /// Sets `key`.
    pub fn set(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    /// Deletes `key`.
    pub fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    /// Applies the writes to the working set.
    pub fn write(self) -> Result<(), AppError> {
        for (key, value) in self.writes {
            match value {
                Some(value) => self.ws.set(key, value)?,
                None => self.ws.delete(key)?,
            }
        }
        Ok(())
    }

    /// Discards the writes, keeping the cache usable.
    pub fn discard(&mut self) {
        self.writes.clear();
    }

    /// The account at `address`, if any.
    pub fn account(&self, address: &AccAddress) -> Result<Option<Account>, AppError> {
        let key = account_key(address);
        self.get(&key)?.map(|v| Account::decode(&key, &v)).transpose()
    }

    /// Stores an account.
    pub fn set_account(&mut self, address: &AccAddress, account: &Account) {
        self.set(account_key(address), account.encode());
    }

    /// The account at `address`, created with the next account number if missing.
    pub fn account_or_create(&mut self, address: &AccAddress) -> Result<Account, AppError> {
        if let Some(account) = self.account(address)? {
            return Ok(account);
        }
        let number = match self.get(KEY_NEXT_ACCOUNT_NUMBER)? {
            Some(v) => decode_u64(KEY_NEXT_ACCOUNT_NUMBER, &v)?,
            None => 0,
        };
        let next = number.checked_add(1).ok_or(AppError::Overflow("account number"))?;
        self.set(KEY_NEXT_ACCOUNT_NUMBER.to_vec(), next.to_be_bytes().to_vec());
        let account = Account { account_number: number, sequence: 0, pubkey: None };
        self.set_account(address, &account);
        Ok(account)
    }

    /// The balances of `address`.
    pub fn balances(&self, address: &AccAddress) -> Result<Coins, AppError> {
        let key = balances_key(address);
        match self.get(&key)? {
            Some(v) => decode_coins(&key, &v),
            None => Ok(Coins::empty()),
        }
    }

    /// The balance of one denom.
    pub fn balance(&self, address: &AccAddress, denom: &str) -> Result<u128, AppError> {
        Ok(self.balances(address)?.amount_of(denom))
    }

    /// Sets the balance of one denom (removing it at zero).
    pub fn set_balance(
        &mut self,
        address: &AccAddress,
        denom: &str,
        amount: u128,
    ) -> Result<(), AppError> {
        let mut coins: Vec<Coin> = self
            .balances(address)?
            .as_slice()
            .iter()
            .filter(|c| c.denom != denom)
            .cloned()
            .collect();
        if amount > 0 {
            coins.push(Coin { denom: denom.to_owned(), amount });
        }
        let key = balances_key(address);
        if coins.is_empty() {
            self.delete(key);
        } else {
            let coins = Coins::from_unsorted(coins)
                .map_err(|_| corrupt(&key, "balances not sorted, duplicated or zero"))?;
            self.set(key, encode_coins(&coins));
        }
        Ok(())
    }

    /// Moves `amount` of `denom` from `from` to `to` (creating `to`'s account if missing).
    pub fn transfer(
        &mut self,
        from: &AccAddress,
        to: &AccAddress,
        denom: &str,
        amount: u128,
    ) -> Result<(), AppError> {
        self.sub_balance(from, denom, amount)?;
        self.account_or_create(to)?;
        self.add_balance(to, denom, amount)
    }

    /// Subtracts, refusing to go below zero.
    pub fn sub_balance(
        &mut self,
        address: &AccAddress,
        denom: &str,
        amount: u128,
    ) -> Result<(), AppError> {
        let have = self.balance(address, denom)?;
        let left = have.checked_sub(amount).ok_or_else(|| AppError::InsufficientFunds {
            got: format!("{have}{denom}"),
            expected: format!("{amount}{denom}"),
        })?;
        self.set_balance(address, denom, left)
    }

    /// Adds.
    pub fn add_balance(
        &mut self,
        address: &AccAddress,
        denom: &str,
        amount: u128,
    ) -> Result<(), AppError> {
        let have = self.balance(address, denom)?;
        let total = have.checked_add(amount).ok_or(AppError::Overflow("balance"))?;
        self.set_balance(address, denom, total)
    }

    /// The operators of the validator set, sorted.
    pub fn validator_set(&self) -> Result<Vec<AccAddress>, AppError> {
        match self.get(KEY_VALIDATOR_SET)? {
            Some(v) => decode_address_list(KEY_VALIDATOR_SET, &v),
            None => Ok(Vec::new()),
        }
    }

    /// Stores the validator set (sorted, deduplicated here).
    pub fn set_validator_set(&mut self, mut operators: Vec<AccAddress>) {
        operators.sort();
        operators.dedup();
        if operators.is_empty() {
            self.delete(KEY_VALIDATOR_SET.to_vec());
        } else {
            let bytes: Vec<u8> = operators.iter().flat_map(|a| a.as_bytes().to_vec()).collect();
            self.set(KEY_VALIDATOR_SET.to_vec(), bytes);
        }
    }

    /// The validator run by `operator`.
    pub fn validator(&self, operator: &AccAddress) -> Result<Option<Validator>, AppError> {
        let key = validator_key(operator);
        self.get(&key)?.map(|v| Validator::decode(*operator, &key, &v)).transpose()
    }

    /// Stores a validator.
    pub fn set_validator(&mut self, validator: &Validator) {
        self.set(validator_key(&validator.operator), validator.encode());
    }

    /// The operator holding a consensus key.
    pub fn consensus_key_owner(&self, pubkey: &[u8; 32]) -> Result<Option<AccAddress>, AppError> {
        let key = consensus_key_key(pubkey);
        Ok(self.get(&key)?.map(|v| decode_address(&key, &v)).transpose()?.map(AccAddress::new))
    }

    /// The Ethereum address registered by a validator.
    pub fn eth_address_of(&self, operator: &AccAddress) -> Result<Option<EthAddress>, AppError> {
        let key = eth_by_validator_key(operator);
        Ok(self.get(&key)?.map(|v| decode_address(&key, &v)).transpose()?.map(EthAddress::new))
    }

    /// The validator that registered an Ethereum address.
    pub fn eth_address_owner(&self, eth: &EthAddress) -> Result<Option<AccAddress>, AppError> {
        let key = eth_by_address_key(eth);
        Ok(self.get(&key)?.map(|v| decode_address(&key, &v)).transpose()?.map(AccAddress::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_round_trips_and_refuses_garbage() -> Result<(), AppError> {
        let account = Account { account_number: 7, sequence: 9, pubkey: Some([2u8; 33]) };
        assert_eq!(Account::decode(b"k", &account.encode())?, account);
        let bare = Account { account_number: 1, sequence: 0, pubkey: None };
        assert_eq!(Account::decode(b"k", &bare.encode())?, bare);
        assert!(Account::decode(b"k", &[0u8; 5]).is_err());
        let mut long = bare.encode();
        long.push(0);
        assert!(Account::decode(b"k", &long).is_err());
        Ok(())
    }

    #[test]
    fn coins_round_trip_and_refuse_unsorted() -> Result<(), AppError> {
        let coins = Coins::new(vec![
            Coin::new("aaa", 5).map_err(AppError::Tx)?,
            Coin::new("upeg", u128::MAX).map_err(AppError::Tx)?,
        ])
        .map_err(AppError::Tx)?;
        assert_eq!(decode_coins(b"k", &encode_coins(&coins))?, coins);
        let reversed = Coins::from_unsorted(coins.as_slice().to_vec()).map_err(AppError::Tx)?;
        let mut bytes = encode_coins(&reversed);
        // Swap the two entries' order by re-encoding by hand: upeg first.
        bytes.truncate(2);
        for coin in coins.as_slice().iter().rev() {
            bytes.push(coin.denom.len() as u8);
            bytes.extend_from_slice(coin.denom.as_bytes());
            bytes.extend_from_slice(&coin.amount.to_be_bytes());
        }
        assert!(decode_coins(b"k", &bytes).is_err());
        Ok(())
    }

    #[test]
    fn validator_round_trips() -> Result<(), AppError> {
        let v = Validator {
            operator: AccAddress::new([3; 20]),
            consensus_pubkey: [4; 32],
            bonded: 5_000_000,
            moniker: "node-0".into(),
        };
        assert_eq!(Validator::decode(v.operator, b"k", &v.encode())?, v);
        assert_eq!(v.power(1_000_000)?, 5);
        assert!(Validator::decode(v.operator, b"k", &v.encode()[..40]).is_err());
        Ok(())
    }

    #[test]
    fn module_address_is_stable() {
        assert_ne!(fee_collector(), module_address("other"));
        assert_eq!(fee_collector(), module_address("fee_collector"));
    }
}
