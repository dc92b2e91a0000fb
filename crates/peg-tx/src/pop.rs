//! Proof of possession of a validator's Ethereum key (`specs/transactions.md` §6.5).
//!
//! A validator registers the Ethereum address it will sign checkpoints with. To prove it holds
//! that key (so nobody can register somebody else's address, or an address whose key nobody
//! has), `MsgRegisterEthAddress` carries a signature by the Ethereum key over
//!
//! ```text
//! message = keccak256("peg-zone register eth address" ‖ chain_id ‖ operator)
//! digest  = keccak256("\x19Ethereum Signed Message:\n32" ‖ message)
//! ```
//!
//! where `chain_id` is the peg zone's chain id in UTF-8 (no length prefix) and `operator` the
//! 20 bytes of the operator's account address. The concatenation is unambiguous: the domain
//! string is fixed and the operator is the last 20 bytes. `digest` is the EIP-191 version `0x45`
//! ("personal_sign") digest of the 32 bytes `message`, so any Ethereum wallet or signer can make
//! the proof (`cast wallet sign <message hex>`, a hardware wallet's "sign message") without a
//! custom signing path; the domain string keeps it from doubling as any other signed statement.
//! Binding the chain id and the operator makes a proof useless on another chain or for another
//! validator. The signature is 65 bytes `r ‖ s ‖ v` with `v ∈ {27, 28}` and low `s`, checked by
//! `peg_types::recover_signer` exactly as the bridge contract checks checkpoint signatures.

use peg_types::{recover_signer, sign_digest, EthAddress, EthSignature, SigningKey, B256};
use sha3::{Digest, Keccak256};

use crate::{AccAddress, TxError};

/// The domain string that starts every proof-of-possession message.
pub const ETH_POP_DOMAIN: &[u8] = b"peg-zone register eth address";

/// The EIP-191 prefix for a 32-byte message.
const EIP191_PREFIX_32: &[u8] = b"\x19Ethereum Signed Message:\n32";

/// `keccak256("peg-zone register eth address" ‖ chain_id ‖ operator)`: the 32 bytes a
/// validator signs with `personal_sign`.
pub fn eth_pop_message(chain_id: &str, operator: &AccAddress) -> B256 {
    let mut hasher = Keccak256::new();
    hasher.update(ETH_POP_DOMAIN);
    hasher.update(chain_id.as_bytes());
    hasher.update(operator.as_bytes());
    B256::from_slice(&hasher.finalize())
}

/// The EIP-191 digest actually signed: `keccak256("\x19Ethereum Signed Message:\n32" ‖ message)`.
pub fn eth_pop_digest(chain_id: &str, operator: &AccAddress) -> B256 {
    let message = eth_pop_message(chain_id, operator);
    let mut hasher = Keccak256::new();
    hasher.update(EIP191_PREFIX_32);
    hasher.update(message.as_slice());
    B256::from_slice(&hasher.finalize())
}

/// Makes the 65-byte proof with the Ethereum key `key`.
pub fn sign_eth_pop(
    key: &SigningKey,
    chain_id: &str,
    operator: &AccAddress,
) -> Result<[u8; 65], TxError> {
    let signature = sign_digest(key, &eth_pop_digest(chain_id, operator))?;
    Ok(signature.to_bytes())
}

/// Checks that `signature` is a valid proof that the holder of `eth_address`'s key registers it
/// for `operator` on `chain_id`.
pub fn verify_eth_pop(
    eth_address: &EthAddress,
    signature: &[u8],
    chain_id: &str,
    operator: &AccAddress,
) -> Result<(), TxError> {
    let signature = EthSignature::from_bytes(signature)?;
    let recovered = recover_signer(&eth_pop_digest(chain_id, operator), &signature)?;
    if &recovered != eth_address {
        return Err(TxError::PopSignerMismatch {
            got: recovered.to_string(),
            expected: eth_address.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use peg_types::{signer_address, signing_key_from_bytes};

    fn eth_key() -> SigningKey {
        // Anvil's first well-known development key.
        let secret: B256 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
            .parse()
            .expect("hex literal");
        signing_key_from_bytes(&secret).expect("valid key")
    }

    #[test]
    fn sign_then_verify() -> Result<(), TxError> {
        let key = eth_key();
        let address = signer_address(&key);
        let operator = AccAddress::new([3; 20]);
        let proof = sign_eth_pop(&key, "peg-1", &operator)?;
        verify_eth_pop(&address, &proof, "peg-1", &operator)
    }

    #[test]
    fn proof_is_bound_to_chain_and_operator() -> Result<(), TxError> {
        let key = eth_key();
        let address = signer_address(&key);
        let operator = AccAddress::new([3; 20]);
        let proof = sign_eth_pop(&key, "peg-1", &operator)?;
        for (chain, op) in [("peg-2", operator), ("peg-1", AccAddress::new([4; 20]))] {
            assert!(matches!(
                verify_eth_pop(&address, &proof, chain, &op),
                Err(TxError::PopSignerMismatch { .. })
            ));
        }
        Ok(())
    }

    #[test]
    fn refuses_malformed_proofs() -> Result<(), TxError> {
        let key = eth_key();
        let address = signer_address(&key);
        let operator = AccAddress::new([3; 20]);
        let proof = sign_eth_pop(&key, "peg-1", &operator)?;
        assert!(matches!(
            verify_eth_pop(&address, &proof[..64], "peg-1", &operator),
            Err(TxError::PopInvalid(_))
        ));
        let mut bad_v = proof;
        bad_v[64] = 1;
        assert!(matches!(
            verify_eth_pop(&address, &bad_v, "peg-1", &operator),
            Err(TxError::PopInvalid(_))
        ));
        Ok(())
    }

    #[test]
    fn digest_is_personal_sign_of_message() {
        // Independent restatement of EIP-191: keccak256("\x19Ethereum Signed Message:\n" ‖
        // decimal length ‖ data) with data the 32-byte message.
        let operator = AccAddress::new([0xab; 20]);
        let message = eth_pop_message("peg-1", &operator);
        let mut data = format!("\x19Ethereum Signed Message:\n{}", message.len()).into_bytes();
        data.extend_from_slice(message.as_slice());
        let expected = B256::from_slice(&Keccak256::digest(&data));
        assert_eq!(eth_pop_digest("peg-1", &operator), expected);
    }
}
