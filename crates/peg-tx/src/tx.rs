//! The transaction envelope: stateless decoding ([`decode_tx`]), signature verification
//! ([`DecodedTx::verify`]) and building ([`TxBuilder`]) (`specs/transactions.md` §3–§5, §7).
//!
//! CheckTx and FinalizeBlock run the same two steps:
//!
//! 1. [`decode_tx`] (no state): size limit, strict protobuf decoding, one signer, the public
//!    key, the sign mode, the fee shape, every message decoded and checked, every message's
//!    signer equal to the address of the transaction's public key, the signature's encoding.
//! 2. The state machine looks up the signer's account (its account number and sequence), then
//!    calls [`DecodedTx::verify`] with the chain id and the account number, which rebuilds the
//!    `SignDoc`, checks the signature and the Ethereum proofs of possession, and returns a
//!    [`VerifiedTx`]. Sequence, fee amount, balance and timeout height are then the state
//!    machine's checks.

use prost::Message as _;
use sha2::{Digest, Sha256};

use crate::coin::Coins;
use crate::keys::{sign_bytes, AccountSignature, PublicKey, SECP256K1_PUBKEY_TYPE_URL};
use crate::msgs::Msg;
use crate::pop::verify_eth_pop;
use crate::proto::{self, mode_info, SIGN_MODE_DIRECT};
use crate::wire;
use crate::{AccAddress, TxError};

/// Default largest transaction accepted, in bytes (§7).
pub const DEFAULT_MAX_TX_BYTES: usize = 32 * 1024;
/// Default largest number of messages in one transaction (§7).
pub const DEFAULT_MAX_MESSAGES: usize = 16;
/// Default longest memo, in bytes (the Cosmos SDK's `MaxMemoCharacters` default).
pub const DEFAULT_MAX_MEMO_BYTES: usize = 256;
/// The Cosmos SDK's `MaxGasWanted`: `2^63 - 1`.
pub const MAX_GAS_WANTED: u64 = (1 << 63) - 1;

/// Stateless limits applied by [`decode_tx`] (chain parameters; §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxLimits {
    /// Largest raw transaction, in bytes.
    pub max_tx_bytes: usize,
    /// Most messages per transaction.
    pub max_messages: usize,
    /// Longest memo, in bytes.
    pub max_memo_bytes: usize,
}

impl Default for TxLimits {
    fn default() -> Self {
        Self {
            max_tx_bytes: DEFAULT_MAX_TX_BYTES,
            max_messages: DEFAULT_MAX_MESSAGES,
            max_memo_bytes: DEFAULT_MAX_MEMO_BYTES,
        }
    }
}

/// The fee a transaction offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    /// The coins paid (possibly none; the state machine enforces the minimum).
    pub amount: Coins,
    /// The gas limit, at most [`MAX_GAS_WANTED`].
    pub gas_limit: u64,
}

/// The CometBFT hash of a transaction: `SHA-256(tx bytes)`.
pub fn tx_hash(tx_bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(tx_bytes).into()
}

/// The `SIGN_MODE_DIRECT` sign bytes: the prost encoding of
/// `SignDoc { body_bytes, auth_info_bytes, chain_id, account_number }`.
pub fn sign_doc_bytes(
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: u64,
) -> Vec<u8> {
    proto::SignDoc {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        chain_id: chain_id.to_owned(),
        account_number,
    }
    .encode_to_vec()
}

/// A transaction that passed every stateless check; its signature is not verified yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedTx {
    hash: [u8; 32],
    body_bytes: Vec<u8>,
    auth_info_bytes: Vec<u8>,
    public_key: PublicKey,
    signer: AccAddress,
    sequence: u64,
    fee: Fee,
    memo: String,
    timeout_height: u64,
    messages: Vec<Msg>,
    signature: AccountSignature,
}

/// A transaction whose signature verified for a chain id and an account number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTx {
    hash: [u8; 32],
    public_key: PublicKey,
    signer: AccAddress,
    account_number: u64,
    sequence: u64,
    fee: Fee,
    memo: String,
    timeout_height: u64,
    messages: Vec<Msg>,
}

/// Decodes `tx_bytes` and runs every stateless check (see the module documentation).
pub fn decode_tx(tx_bytes: &[u8], limits: &TxLimits) -> Result<DecodedTx, TxError> {
    let result = decode_tx_inner(tx_bytes, limits);
    if let Err(error) = &result {
        tracing::debug!(len = tx_bytes.len(), %error, "transaction refused");
    }
    result
}

fn decode_tx_inner(tx_bytes: &[u8], limits: &TxLimits) -> Result<DecodedTx, TxError> {
    if tx_bytes.len() > limits.max_tx_bytes {
        return Err(TxError::TxTooLarge { got: tx_bytes.len(), max: limits.max_tx_bytes });
    }

    // TxRaw: strict and canonical, so that one signed transaction has one hash.
    let raw: proto::TxRaw = decode_checked(tx_bytes, &wire::TX_RAW)?;
    if raw.encode_to_vec() != tx_bytes {
        return Err(TxError::NonCanonicalTxRaw);
    }
    if raw.signatures.len() != 1 {
        return Err(TxError::SignatureCount { got: raw.signatures.len(), expected: 1 });
    }

    // TxBody.
    let body: proto::TxBody = decode_checked(&raw.body_bytes, &wire::TX_BODY)?;
    if !body.extension_options.is_empty() {
        return Err(TxError::ExtensionOptionsUnsupported {
            kind: "critical",
            count: body.extension_options.len(),
        });
    }
    if !body.non_critical_extension_options.is_empty() {
        return Err(TxError::ExtensionOptionsUnsupported {
            kind: "non-critical",
            count: body.non_critical_extension_options.len(),
        });
    }
    if body.messages.is_empty() {
        return Err(TxError::NoMessages);
    }
    if body.messages.len() > limits.max_messages {
        return Err(TxError::TooManyMessages {
            got: body.messages.len(),
            max: limits.max_messages,
        });
    }
    if body.memo.len() > limits.max_memo_bytes {
        return Err(TxError::MemoTooLarge { got: body.memo.len(), max: limits.max_memo_bytes });
    }

    // AuthInfo: exactly one signer, SIGN_MODE_DIRECT, a secp256k1 key, a fee without payer or
    // granter.
    let auth_info: proto::AuthInfo = decode_checked(&raw.auth_info_bytes, &wire::AUTH_INFO)?;
    let [signer_info] = auth_info.signer_infos.as_slice() else {
        return Err(TxError::SignerInfoCount { got: auth_info.signer_infos.len(), expected: 1 });
    };
    let mode = signer_info.mode_info.as_ref().and_then(|info| info.sum.as_ref()).ok_or(
        TxError::MissingField { message: "cosmos.tx.v1beta1.SignerInfo", field: "mode_info" },
    )?;
    match mode {
        mode_info::Sum::Single(single) if single.mode == SIGN_MODE_DIRECT => {}
        mode_info::Sum::Single(single) => {
            return Err(TxError::UnsupportedSignMode {
                got: single.mode,
                expected: SIGN_MODE_DIRECT,
            })
        }
        mode_info::Sum::Multi(_) => {
            return Err(TxError::UnsupportedSignMode { got: -1, expected: SIGN_MODE_DIRECT })
        }
    }
    let public_key = decode_public_key(signer_info.public_key.as_ref())?;
    let signer = public_key.address();

    let fee = auth_info
        .fee
        .as_ref()
        .ok_or(TxError::MissingField { message: "cosmos.tx.v1beta1.AuthInfo", field: "fee" })?;
    if !fee.payer.is_empty() {
        return Err(TxError::FeePayerUnsupported { field: "payer", value: fee.payer.clone() });
    }
    if !fee.granter.is_empty() {
        return Err(TxError::FeePayerUnsupported { field: "granter", value: fee.granter.clone() });
    }
    if fee.gas_limit > MAX_GAS_WANTED {
        return Err(TxError::GasLimitTooLarge { got: fee.gas_limit, max: MAX_GAS_WANTED });
    }
    let fee = Fee { amount: Coins::from_proto(&fee.amount)?, gas_limit: fee.gas_limit };

    // Messages, each signed by the transaction's one signer.
    let messages = body
        .messages
        .iter()
        .enumerate()
        .map(|(index, any)| {
            let msg = Msg::from_any(any, index)?;
            if msg.signer() != &signer {
                return Err(TxError::SignerMismatch {
                    index,
                    got: msg.signer().to_string(),
                    expected: signer.to_string(),
                });
            }
            Ok(msg)
        })
        .collect::<Result<Vec<_>, _>>()?;

    let signature = raw
        .signatures
        .first()
        .ok_or(TxError::SignatureCount { got: 0, expected: 1 })
        .and_then(|bytes| AccountSignature::from_bytes(bytes))?;

    Ok(DecodedTx {
        hash: tx_hash(tx_bytes),
        body_bytes: raw.body_bytes,
        auth_info_bytes: raw.auth_info_bytes,
        public_key,
        signer,
        sequence: signer_info.sequence,
        fee,
        memo: body.memo,
        timeout_height: body.timeout_height,
        messages,
        signature,
    })
}

fn decode_checked<M: prost::Message + Default>(
    bytes: &[u8],
    schema: &'static wire::Schema,
) -> Result<M, TxError> {
    wire::check_message(bytes, schema)?;
    M::decode(bytes).map_err(|e| TxError::Decode { message: schema.name, reason: e.to_string() })
}

fn decode_public_key(any: Option<&proto::Any>) -> Result<PublicKey, TxError> {
    let any = any.ok_or(TxError::MissingField {
        message: "cosmos.tx.v1beta1.SignerInfo",
        field: "public_key",
    })?;
    if any.type_url != SECP256K1_PUBKEY_TYPE_URL {
        return Err(TxError::UnsupportedPubKeyType {
            got: any.type_url.clone(),
            expected: SECP256K1_PUBKEY_TYPE_URL,
        });
    }
    let key: proto::Secp256k1PubKey = decode_checked(&any.value, &wire::SECP256K1_PUBKEY)?;
    PublicKey::from_compressed(&key.key)
}

impl DecodedTx {
    /// `SHA-256` of the raw bytes: the CometBFT transaction hash.
    pub const fn hash(&self) -> &[u8; 32] {
        &self.hash
    }

    /// The signer: the address of the transaction's public key, and of every message's signer.
    pub const fn signer(&self) -> &AccAddress {
        &self.signer
    }

    /// The signer's public key (the state machine stores it on first use).
    pub const fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The sequence the signer claims.
    pub const fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The fee offered.
    pub const fn fee(&self) -> &Fee {
        &self.fee
    }

    /// The messages, decoded and checked.
    pub fn messages(&self) -> &[Msg] {
        &self.messages
    }

    /// The memo.
    pub fn memo(&self) -> &str {
        &self.memo
    }

    /// The last block height at which the transaction may be included (0: no limit); cheap to
    /// check before [`DecodedTx::verify`].
    pub const fn timeout_height(&self) -> u64 {
        self.timeout_height
    }

    /// The `SIGN_MODE_DIRECT` bytes this transaction must have been signed over.
    pub fn sign_doc_bytes(&self, chain_id: &str, account_number: u64) -> Vec<u8> {
        sign_doc_bytes(&self.body_bytes, &self.auth_info_bytes, chain_id, account_number)
    }

    /// Verifies the signature over the `SignDoc` rebuilt with `chain_id` and the signer's
    /// `account_number`, then every `MsgRegisterEthAddress` proof of possession for `chain_id`.
    pub fn verify(self, chain_id: &str, account_number: u64) -> Result<VerifiedTx, TxError> {
        let sign_bytes = self.sign_doc_bytes(chain_id, account_number);
        if !self.public_key.verify(&sign_bytes, &self.signature) {
            tracing::debug!(signer = %self.signer, chain_id, account_number, "signature refused");
            return Err(TxError::SignatureInvalid {
                signer: self.signer.to_string(),
                chain_id: chain_id.to_owned(),
                account_number,
            });
        }
        for msg in &self.messages {
            if let Msg::RegisterEthAddress(register) = msg {
                verify_eth_pop(
                    &register.eth_address,
                    &register.signature,
                    chain_id,
                    &register.operator_address,
                )?;
            }
        }
        Ok(VerifiedTx {
            hash: self.hash,
            public_key: self.public_key,
            signer: self.signer,
            account_number,
            sequence: self.sequence,
            fee: self.fee,
            memo: self.memo,
            timeout_height: self.timeout_height,
            messages: self.messages,
        })
    }
}

impl VerifiedTx {
    /// `SHA-256` of the raw bytes: the CometBFT transaction hash.
    pub const fn hash(&self) -> &[u8; 32] {
        &self.hash
    }

    /// The signer's address.
    pub const fn signer(&self) -> &AccAddress {
        &self.signer
    }

    /// The signer's public key.
    pub const fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The account number the signature was verified with.
    pub const fn account_number(&self) -> u64 {
        self.account_number
    }

    /// The sequence signed (the state machine checks it equals the account's).
    pub const fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The fee offered.
    pub const fn fee(&self) -> &Fee {
        &self.fee
    }

    /// The memo.
    pub fn memo(&self) -> &str {
        &self.memo
    }

    /// The last block height at which the transaction may be included (0: no limit).
    pub const fn timeout_height(&self) -> u64 {
        self.timeout_height
    }

    /// The messages, in order.
    pub fn messages(&self) -> &[Msg] {
        &self.messages
    }

    /// The messages, by value.
    pub fn into_messages(self) -> Vec<Msg> {
        self.messages
    }
}

/// A signed transaction ready for `broadcast_tx_*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    /// The `TxRaw` bytes.
    pub bytes: Vec<u8>,
    /// Their CometBFT hash.
    pub hash: [u8; 32],
}

/// Builds and signs a `SIGN_MODE_DIRECT` transaction, as a standard Cosmos signer does.
#[derive(Debug, Clone)]
pub struct TxBuilder {
    chain_id: String,
    account_number: u64,
    sequence: u64,
    messages: Vec<Msg>,
    fee: Coins,
    gas_limit: u64,
    memo: String,
    timeout_height: u64,
}

impl TxBuilder {
    /// A builder for the account `account_number` at `sequence` on `chain_id`.
    pub fn new(chain_id: impl Into<String>, account_number: u64, sequence: u64) -> Self {
        Self {
            chain_id: chain_id.into(),
            account_number,
            sequence,
            messages: Vec::new(),
            fee: Coins::empty(),
            gas_limit: 0,
            memo: String::new(),
            timeout_height: 0,
        }
    }

    /// Appends a message.
    pub fn message(mut self, msg: Msg) -> Self {
        self.messages.push(msg);
        self
    }

    /// Sets the fee coins.
    pub fn fee(mut self, fee: Coins) -> Self {
        self.fee = fee;
        self
    }

    /// Sets the gas limit.
    pub const fn gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = gas_limit;
        self
    }

    /// Sets the memo.
    pub fn memo(mut self, memo: impl Into<String>) -> Self {
        self.memo = memo.into();
        self
    }

    /// Sets the timeout height (0: none).
    pub const fn timeout_height(mut self, timeout_height: u64) -> Self {
        self.timeout_height = timeout_height;
        self
    }

    /// The encoded `TxBody`.
    pub fn body_bytes(&self) -> Vec<u8> {
        proto::TxBody {
            messages: self.messages.iter().map(Msg::to_any).collect(),
            memo: self.memo.clone(),
            timeout_height: self.timeout_height,
            extension_options: Vec::new(),
            non_critical_extension_options: Vec::new(),
        }
        .encode_to_vec()
    }

    /// The encoded `AuthInfo` for the signer `public_key`.
    pub fn auth_info_bytes(&self, public_key: &PublicKey) -> Vec<u8> {
        let key = proto::Secp256k1PubKey { key: public_key.to_compressed().to_vec() };
        proto::AuthInfo {
            signer_infos: vec![proto::SignerInfo {
                public_key: Some(proto::Any {
                    type_url: SECP256K1_PUBKEY_TYPE_URL.to_owned(),
                    value: key.encode_to_vec(),
                }),
                mode_info: Some(proto::ModeInfo {
                    sum: Some(mode_info::Sum::Single(mode_info::Single { mode: SIGN_MODE_DIRECT })),
                }),
                sequence: self.sequence,
            }],
            fee: Some(proto::Fee {
                amount: self.fee.to_proto(),
                gas_limit: self.gas_limit,
                payer: String::new(),
                granter: String::new(),
            }),
        }
        .encode_to_vec()
    }

    /// Signs with `key`. Refuses an empty message list and messages whose signer is not `key`'s
    /// account, which [`decode_tx`] would refuse anyway.
    pub fn sign(&self, key: &k256::ecdsa::SigningKey) -> Result<SignedTx, TxError> {
        let public_key = PublicKey::from_signing_key(key);
        let signer = public_key.address();
        if self.messages.is_empty() {
            return Err(TxError::NoMessages);
        }
        for (index, msg) in self.messages.iter().enumerate() {
            if msg.signer() != &signer {
                return Err(TxError::SignerMismatch {
                    index,
                    got: msg.signer().to_string(),
                    expected: signer.to_string(),
                });
            }
        }
        let body_bytes = self.body_bytes();
        let auth_info_bytes = self.auth_info_bytes(&public_key);
        let sign_bytes =
            sign_doc_bytes(&body_bytes, &auth_info_bytes, &self.chain_id, self.account_number);
        let signature = sign_bytes_with(key, &sign_bytes);
        let bytes =
            proto::TxRaw { body_bytes, auth_info_bytes, signatures: vec![signature.to_vec()] }
                .encode_to_vec();
        Ok(SignedTx { hash: tx_hash(&bytes), bytes })
    }
}

fn sign_bytes_with(key: &k256::ecdsa::SigningKey, message: &[u8]) -> [u8; 64] {
    sign_bytes(key, message).to_bytes()
}
