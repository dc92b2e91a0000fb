//! The EIP-712 domain and struct types of `specs/contracts.md` §2–§4.
//!
//! The struct hashes come from alloy's `sol!` expansion (`SolStruct::eip712_hash_struct`); the
//! type strings below are the spec's, and a unit test checks that `sol!` derives exactly them.

use alloy_primitives::{keccak256, B256};
use alloy_sol_types::{Eip712Domain, SolStruct};
use serde::{Deserialize, Serialize};

use crate::EthAddress;

/// `EIP712Domain` type string (§2).
pub const DOMAIN_TYPE: &str =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)";
/// `Valset` type string (§3).
pub const VALSET_TYPE: &str = "Valset(uint256 nonce,address[] validators,uint256[] powers)";
/// `Batch` type string (§4).
pub const BATCH_TYPE: &str = "Batch(address token,uint256 batchNonce,uint256 timeout,address[] receivers,uint256[] amounts,uint256[] fees)";
/// The domain's `name` (§2).
pub const DOMAIN_NAME: &str = "PegBridge";
/// The domain's `version` (§2).
pub const DOMAIN_VERSION: &str = "1";

/// The `sol!` mirrors of the spec's EIP-712 structs. Field names and order are the spec's.
pub mod sol_types {
    alloy_sol_types::sol! {
        /// §3 `Valset(uint256 nonce,address[] validators,uint256[] powers)`.
        #[derive(Debug, PartialEq, Eq)]
        struct Valset {
            uint256 nonce;
            address[] validators;
            uint256[] powers;
        }

        /// §4 `Batch(address token,uint256 batchNonce,uint256 timeout,address[] receivers,uint256[] amounts,uint256[] fees)`.
        #[derive(Debug, PartialEq, Eq)]
        struct Batch {
            address token;
            uint256 batchNonce;
            uint256 timeout;
            address[] receivers;
            uint256[] amounts;
            uint256[] fees;
        }
    }
}

/// `keccak256(DOMAIN_TYPE)`.
pub fn domain_typehash() -> B256 {
    keccak256(DOMAIN_TYPE)
}

/// `keccak256(VALSET_TYPE)`, the contract's `VALSET_TYPEHASH`.
pub fn valset_typehash() -> B256 {
    keccak256(VALSET_TYPE)
}

/// `keccak256(BATCH_TYPE)`, the contract's `BATCH_TYPEHASH`.
pub fn batch_typehash() -> B256 {
    keccak256(BATCH_TYPE)
}

/// The EIP-712 domain of one bridge deployment (§2): it binds the Ethereum chain, the bridge
/// contract and the peg zone's bridge id, so that a signature is valid for exactly one bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BridgeDomain {
    /// The Ethereum chain id (`block.chainid`).
    pub chain_id: u64,
    /// The bridge contract's address.
    pub verifying_contract: EthAddress,
    /// The peg zone's bridge id, the domain's `salt`.
    pub bridge_id: B256,
}

impl BridgeDomain {
    /// The domain of a bridge deployed by `deployer` with a `CREATE` at account nonce `nonce`.
    pub fn for_deployment(
        chain_id: u64,
        deployer: EthAddress,
        nonce: u64,
        bridge_id: B256,
    ) -> Self {
        Self { chain_id, verifying_contract: deployer.create_address(nonce), bridge_id }
    }

    /// The domain as alloy's [`Eip712Domain`], with all five fields present.
    pub fn eip712_domain(&self) -> Eip712Domain {
        Eip712Domain::new(
            Some(DOMAIN_NAME.into()),
            Some(DOMAIN_VERSION.into()),
            Some(alloy_primitives::U256::from(self.chain_id)),
            Some(self.verifying_contract.as_address()),
            Some(self.bridge_id),
        )
    }

    /// `domainSeparator` (§2): `keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("PegBridge"),
    /// keccak256("1"), chainId, verifyingContract, bridgeId))`.
    pub fn domain_separator(&self) -> B256 {
        self.eip712_domain().separator()
    }

    /// The digest validators sign (§2): `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash)`.
    pub fn digest(&self, struct_hash: B256) -> B256 {
        typed_data_digest(self.domain_separator(), struct_hash)
    }

    /// The digest of a `sol!` struct under this domain.
    pub fn digest_of<S: SolStruct>(&self, value: &S) -> B256 {
        value.eip712_signing_hash(&self.eip712_domain())
    }
}

/// `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash)`, the contract's
/// `PegHashes.typedDataDigest` (§2).
pub fn typed_data_digest(domain_separator: B256, struct_hash: B256) -> B256 {
    let mut preimage = [0u8; 66];
    preimage[0] = 0x19;
    preimage[1] = 0x01;
    preimage[2..34].copy_from_slice(domain_separator.as_slice());
    preimage[34..66].copy_from_slice(struct_hash.as_slice());
    keccak256(preimage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, U256};
    use alloy_sol_types::SolValue;

    fn domain() -> BridgeDomain {
        BridgeDomain {
            chain_id: 31337,
            verifying_contract: EthAddress::new([0x11; 20]),
            bridge_id: B256::repeat_byte(0x22),
        }
    }

    #[test]
    fn sol_types_derive_the_spec_type_strings() {
        assert_eq!(sol_types::Valset::eip712_encode_type(), VALSET_TYPE);
        assert_eq!(sol_types::Batch::eip712_encode_type(), BATCH_TYPE);
        assert_eq!(domain().eip712_domain().encode_type(), DOMAIN_TYPE);
        assert_eq!(domain().eip712_domain().type_hash(), domain_typehash());
    }

    #[test]
    fn typehashes_are_pinned() {
        // keccak256 of the type strings, pinned so that an edit of a string is caught here.
        assert_eq!(
            domain_typehash(),
            keccak256(
                "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)"
            )
        );
        assert_eq!(
            domain_typehash(),
            b256!("d87cd6ef79d4e2b95e15ce8abf732db51ec771f1ca2edccf22a46c729ac56472")
        );
        assert_ne!(valset_typehash(), batch_typehash());
    }

    #[test]
    fn domain_separator_is_the_spec_abi_encoding() {
        let d = domain();
        let by_hand = keccak256(
            (
                domain_typehash(),
                keccak256("PegBridge"),
                keccak256("1"),
                U256::from(31337u64),
                d.verifying_contract.as_address(),
                d.bridge_id,
            )
                .abi_encode(),
        );
        assert_eq!(d.domain_separator(), by_hand);
    }

    #[test]
    fn domain_separator_binds_every_field() {
        let base = domain();
        let mut other_chain = base;
        other_chain.chain_id = 1;
        let mut other_contract = base;
        other_contract.verifying_contract = EthAddress::new([0x12; 20]);
        let mut other_bridge = base;
        other_bridge.bridge_id = B256::repeat_byte(0x23);
        for changed in [other_chain, other_contract, other_bridge] {
            assert_ne!(changed.domain_separator(), base.domain_separator());
        }
    }

    #[test]
    fn digest_is_eip191_version_1() {
        let d = domain();
        let struct_hash = B256::repeat_byte(0x33);
        let mut preimage = vec![0x19, 0x01];
        preimage.extend_from_slice(d.domain_separator().as_slice());
        preimage.extend_from_slice(struct_hash.as_slice());
        assert_eq!(d.digest(struct_hash), keccak256(&preimage));
        // alloy's signing hash agrees with the hand-written one.
        let valset = sol_types::Valset {
            nonce: U256::from(1),
            validators: vec![d.verifying_contract.as_address()],
            powers: vec![U256::from(1u64 << 32)],
        };
        assert_eq!(d.digest_of(&valset), d.digest(valset.eip712_hash_struct()));
    }

    #[test]
    fn for_deployment_uses_create_address() {
        let deployer = EthAddress::new([0x44; 20]);
        let d = BridgeDomain::for_deployment(5, deployer, 7, B256::ZERO);
        assert_eq!(d.verifying_contract, deployer.create_address(7));
        assert_eq!(d.chain_id, 5);
    }
}
