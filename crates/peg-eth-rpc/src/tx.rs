//! EIP-1559 transactions: signing payload, signature, and the EIP-2718 envelope.
//!
//! Spec: <https://eips.ethereum.org/EIPS/eip-1559>. The signed payload is
//! `keccak256(0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas, gas_limit,
//! to, value, data, access_list]))`, the envelope `0x02 || rlp([... , y_parity, r, s])`. The access
//! list is always empty here. Written out (about forty lines) rather than pulling in
//! `alloy-consensus`, whose 1.x line needs a newer compiler than the workspace's `rust-version`.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_rlp::{Encodable, Header};
use k256::ecdsa::SigningKey;

use crate::error::EthRpcError;

/// The EIP-2718 type byte of EIP-1559 transactions.
const EIP1559_TYPE: u8 = 0x02;

/// An unsigned EIP-1559 transaction with an empty access list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eip1559Tx {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// Tip per gas, wei.
    pub max_priority_fee_per_gas: u128,
    /// Fee cap per gas, wei.
    pub max_fee_per_gas: u128,
    /// Gas limit.
    pub gas_limit: u64,
    /// Recipient; `None` creates a contract.
    pub to: Option<Address>,
    /// Wei sent.
    pub value: U256,
    /// Calldata or init code.
    pub input: Bytes,
}

/// A signed transaction, ready for `eth_sendRawTransaction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    /// The EIP-2718 envelope.
    pub raw: Bytes,
    /// Its hash (the transaction hash).
    pub hash: B256,
    /// The signer.
    pub from: Address,
}

impl Eip1559Tx {
    fn encode_fields(&self, out: &mut Vec<u8>) {
        self.chain_id.encode(out);
        self.nonce.encode(out);
        self.max_priority_fee_per_gas.encode(out);
        self.max_fee_per_gas.encode(out);
        self.gas_limit.encode(out);
        match &self.to {
            Some(to) => to.encode(out),
            // Contract creation: the empty string.
            None => out.push(alloy_rlp::EMPTY_STRING_CODE),
        }
        self.value.encode(out);
        self.input.encode(out);
        // Empty access list.
        out.push(alloy_rlp::EMPTY_LIST_CODE);
    }

    fn envelope(&self, signature: Option<(bool, U256, U256)>) -> Vec<u8> {
        let mut payload = Vec::new();
        self.encode_fields(&mut payload);
        if let Some((y_parity, r, s)) = signature {
            y_parity.encode(&mut payload);
            r.encode(&mut payload);
            s.encode(&mut payload);
        }
        let mut out = Vec::with_capacity(payload.len() + 10);
        out.push(EIP1559_TYPE);
        Header { list: true, payload_length: payload.len() }.encode(&mut out);
        out.extend_from_slice(&payload);
        out
    }

    /// The hash the sender signs.
    pub fn signing_hash(&self) -> B256 {
        keccak256(self.envelope(None))
    }

    /// Signs with `key` (RFC 6979 deterministic nonce, low-s as EIP-2 requires).
    pub fn sign(&self, key: &SigningKey) -> Result<SignedTx, EthRpcError> {
        let hash = self.signing_hash();
        let (signature, recovery_id) = key
            .sign_prehash_recoverable(hash.as_slice())
            .map_err(|e| EthRpcError::Signing(e.to_string()))?;
        // k256 signs low-s already; normalize anyway so a future change cannot produce a
        // transaction every node refuses.
        let (signature, recovery_id) = match signature.normalize_s() {
            Some(normalized) => (
                normalized,
                k256::ecdsa::RecoveryId::new(!recovery_id.is_y_odd(), recovery_id.is_x_reduced()),
            ),
            None => (signature, recovery_id),
        };
        let bytes = signature.to_bytes();
        let r = U256::from_be_slice(&bytes[..32]);
        let s = U256::from_be_slice(&bytes[32..]);
        let raw = self.envelope(Some((recovery_id.is_y_odd(), r, s)));
        Ok(SignedTx { hash: keccak256(&raw), raw: raw.into(), from: address_of(key) })
    }
}

/// The Ethereum address of a secret key: the last 20 bytes of keccak256 of the uncompressed
/// public key without its `0x04` prefix.
pub(crate) fn address_of(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    let hash = keccak256(&point.as_bytes()[1..]);
    Address::from_slice(&hash[12..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anvil_key0() -> SigningKey {
        let bytes = hex::decode("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
            .expect("hex");
        SigningKey::from_slice(&bytes).expect("valid key")
    }

    #[test]
    fn address_of_anvil_dev_key() {
        assert_eq!(
            address_of(&anvil_key0()),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().expect("address")
        );
    }

    #[test]
    fn signature_recovers_the_sender_and_envelope_is_canonical() {
        let tx = Eip1559Tx {
            chain_id: 31337,
            nonce: 7,
            max_priority_fee_per_gas: 1_000_000_000,
            max_fee_per_gas: 3_000_000_000,
            gas_limit: 21_000,
            to: Some(Address::repeat_byte(0x42)),
            value: U256::from(10u64).pow(U256::from(18)),
            input: Bytes::new(),
        };
        let key = anvil_key0();
        let signed = tx.sign(&key).expect("sign");
        assert_eq!(signed.raw[0], 0x02);
        // Decode the envelope back: a list of 12 items whose last three are the signature.
        let mut body = &signed.raw[1..];
        let header = Header::decode(&mut body).expect("list header");
        assert!(header.list);
        assert_eq!(header.payload_length, body.len());
        let mut fields = body;
        let mut items = Vec::new();
        while !fields.is_empty() {
            let h = Header::decode(&mut fields).expect("item header");
            let (item, rest) = fields.split_at(h.payload_length);
            items.push(item.to_vec());
            fields = rest;
        }
        assert_eq!(items.len(), 12);
        let y_parity = items[9].first().copied().unwrap_or(0);
        let mut sig = [0u8; 64];
        sig[32 - items[10].len()..32].copy_from_slice(&items[10]);
        sig[64 - items[11].len()..].copy_from_slice(&items[11]);
        let signature = k256::ecdsa::Signature::from_slice(&sig).expect("signature");
        assert!(signature.normalize_s().is_none(), "s must be low");
        let recovered = k256::ecdsa::VerifyingKey::recover_from_prehash(
            tx.signing_hash().as_slice(),
            &signature,
            k256::ecdsa::RecoveryId::from_byte(y_parity).expect("parity"),
        )
        .expect("recover");
        assert_eq!(&recovered, key.verifying_key());
        assert_eq!(signed.from, address_of(&key));
        assert_eq!(signed.hash, keccak256(&signed.raw));
        // Deterministic (RFC 6979).
        assert_eq!(tx.sign(&key).expect("sign").raw, signed.raw);
    }

    #[test]
    fn creation_encodes_an_empty_recipient() {
        let tx = Eip1559Tx {
            chain_id: 1,
            nonce: 0,
            max_priority_fee_per_gas: 0,
            max_fee_per_gas: 0,
            gas_limit: 0,
            to: None,
            value: U256::ZERO,
            input: Bytes::new(),
        };
        let mut fields = Vec::new();
        tx.encode_fields(&mut fields);
        // chain_id 1, then eight zero-ish items, each one byte: 0x01 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0xc0
        assert_eq!(fields, vec![0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xc0]);
    }
}
