// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPegBridge} from "../interfaces/IPegBridge.sol";

/// @title PegHashes
/// @notice The EIP-712 encodings of the peg (specs/contracts.md §2–§4), byte for byte equal to
/// `crates/peg-types`. The memory functions are the reference the shared vectors are checked against;
/// the calldata variants (`valsetHashPacked`, `batchHashCalldata`) are what {PegBridge} uses, and the
/// tests assert they agree with the reference on random input.
library PegHashes {
    /// @notice Normalized powers sum to at most 2^32 (§1).
    uint256 internal constant TOTAL_POWER = 1 << 32;

    /// @notice `floor(2^32 * 2 / 3) + 1`: a checkpoint passes with `>= POWER_THRESHOLD` signed power,
    /// i.e. strictly more than two thirds of 2^32 (§1).
    uint256 internal constant POWER_THRESHOLD = 2_863_311_531;

    /// @notice `keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)")`.
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)");

    /// @notice `keccak256("PegBridge")`, the domain name.
    bytes32 internal constant NAME_HASH = keccak256("PegBridge");

    /// @notice `keccak256("1")`, the domain version.
    bytes32 internal constant VERSION_HASH = keccak256("1");

    /// @notice `keccak256("Valset(uint256 nonce,address[] validators,uint256[] powers)")`.
    bytes32 internal constant VALSET_TYPEHASH =
        keccak256("Valset(uint256 nonce,address[] validators,uint256[] powers)");

    /// @notice `keccak256("Batch(address token,uint256 batchNonce,uint256 timeout,address[] receivers,uint256[] amounts,uint256[] fees)")`.
    bytes32 internal constant BATCH_TYPEHASH = keccak256(
        "Batch(address token,uint256 batchNonce,uint256 timeout,address[] receivers,uint256[] amounts,uint256[] fees)"
    );

    /// @dev Low 96 bits of a packed valset member word (§8.2).
    uint256 internal constant MEMBER_POWER_MASK = (1 << 96) - 1;

    /// @notice The EIP-712 domain separator (§2): the domain binds the chain id, the bridge address and
    /// the peg zone's bridge id (as `salt`).
    function domainSeparator(uint256 chainId, address verifyingContract, bytes32 bridgeId)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chainId, verifyingContract, bridgeId));
    }

    /// @notice The EIP-712 struct hash of a valset (§3).
    /// @dev `keccak256(abi.encodePacked(address[]))` pads every element to 32 bytes, which is exactly
    /// the memory layout of the array body, so the bodies are hashed in place.
    function valsetHash(uint256 nonce, address[] memory validators, uint256[] memory powers)
        internal
        pure
        returns (bytes32 hash)
    {
        bytes32 validatorsHash;
        bytes32 powersHash;
        assembly ("memory-safe") {
            validatorsHash := keccak256(add(validators, 0x20), shl(5, mload(validators)))
            powersHash := keccak256(add(powers, 0x20), shl(5, mload(powers)))
        }
        hash = keccak256(abi.encode(VALSET_TYPEHASH, nonce, validatorsHash, powersHash));
    }

    /// @notice The EIP-712 struct hash of a batch (§4).
    function batchHash(
        address token,
        uint256 batchNonce,
        uint256 timeout,
        address[] memory receivers,
        uint256[] memory amounts,
        uint256[] memory fees
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                BATCH_TYPEHASH,
                token,
                batchNonce,
                timeout,
                keccak256(abi.encodePacked(receivers)),
                keccak256(abi.encodePacked(amounts)),
                keccak256(abi.encodePacked(fees))
            )
        );
    }

    /// @notice The EIP-712 digest `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash)` (§2).
    function typedDataDigest(bytes32 domainSeparator_, bytes32 structHash) internal pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), domainSeparator_)
            mstore(add(ptr, 0x22), structHash)
            digest := keccak256(ptr, 0x42)
        }
    }

    /// @notice Packs a valset member into its calldata word (§8.2):
    /// `uint256(uint160(validator)) << 96 | power`.
    function packMember(address validator, uint256 power) internal pure returns (bytes32) {
        return bytes32((uint256(uint160(validator)) << 96) | (power & MEMBER_POWER_MASK));
    }

    /// @notice Unpacks a member word into its validator address and power (§8.2).
    function unpackMember(bytes32 member) internal pure returns (address validator, uint256 power) {
        validator = address(uint160(uint256(member) >> 96));
        power = uint256(member) & MEMBER_POWER_MASK;
    }

    /// @notice {valsetHash} of a valset given as packed member words in memory (§8.2).
    function valsetHashMembers(uint256 nonce, bytes32[] memory members) internal pure returns (bytes32 hash) {
        bytes32 typehash = VALSET_TYPEHASH;
        assembly ("memory-safe") {
            let n := mload(members)
            let size := shl(5, n)
            let src := add(members, 0x20)
            let addrs := mload(0x40)
            let pows := add(addrs, size)
            for { let i := 0 } lt(i, size) { i := add(i, 0x20) } {
                let w := mload(add(src, i))
                mstore(add(addrs, i), shr(96, w))
                mstore(add(pows, i), and(w, 0xffffffffffffffffffffffff))
            }
            let validatorsHash := keccak256(addrs, size)
            let powersHash := keccak256(pows, size)
            let ptr := add(pows, size)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), nonce)
            mstore(add(ptr, 0x40), validatorsHash)
            mstore(add(ptr, 0x60), powersHash)
            hash := keccak256(ptr, 0x80)
        }
    }

    /// @notice {batchHash} of a batch in calldata: each array body is copied once and hashed.
    function batchHashCalldata(IPegBridge.Batch calldata batch) internal pure returns (bytes32 hash) {
        address[] calldata receivers = batch.receivers;
        uint256[] calldata amounts = batch.amounts;
        uint256[] calldata fees = batch.fees;
        address token = batch.token;
        uint256 batchNonce = batch.batchNonce;
        uint256 timeout = batch.timeout;
        bytes32 typehash = BATCH_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := shl(5, receivers.length)
            calldatacopy(ptr, receivers.offset, size)
            let receiversHash := keccak256(ptr, size)
            size := shl(5, amounts.length)
            calldatacopy(ptr, amounts.offset, size)
            let amountsHash := keccak256(ptr, size)
            size := shl(5, fees.length)
            calldatacopy(ptr, fees.offset, size)
            let feesHash := keccak256(ptr, size)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), token)
            mstore(add(ptr, 0x40), batchNonce)
            mstore(add(ptr, 0x60), timeout)
            mstore(add(ptr, 0x80), receiversHash)
            mstore(add(ptr, 0xa0), amountsHash)
            mstore(add(ptr, 0xc0), feesHash)
            hash := keccak256(ptr, 0xe0)
        }
    }
}
