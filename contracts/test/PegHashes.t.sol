// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {PegHashes} from "../src/libraries/PegHashes.sol";
import {IPegBridge} from "../src/interfaces/IPegBridge.sol";
import {PegHashesWrapper} from "./mocks/PegHashesWrapper.sol";

/// @title PegHashesTest
/// @notice The encodings of specs/contracts.md §1–§4 pinned to literal values and to the plain
/// `abi.encode` definitions, and the optimized variants checked equal to the reference on random input.
contract PegHashesTest is Test {
    PegHashesWrapper internal wrapper;

    function setUp() public {
        wrapper = new PegHashesWrapper();
    }

    function testConstants() public pure {
        vm.assertEq(PegHashes.POWER_THRESHOLD, 2_863_311_531, "threshold");
        vm.assertEq(PegHashes.POWER_THRESHOLD, (uint256(1) << 33) / 3 + 1, "floor(2^32 * 2 / 3) + 1");
        vm.assertEq(PegHashes.TOTAL_POWER, 4_294_967_296, "2^32");
        vm.assertEq(
            PegHashes.DOMAIN_TYPEHASH,
            keccak256(
                "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)"
            ),
            "domain typehash"
        );
        // Literal values, computed independently (cast keccak).
        vm.assertEq(
            PegHashes.DOMAIN_TYPEHASH,
            0xd87cd6ef79d4e2b95e15ce8abf732db51ec771f1ca2edccf22a46c729ac56472,
            "domain typehash literal"
        );
    }

    function testDomainSeparatorMatchesDefinition() public pure {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)"
                ),
                keccak256("PegBridge"),
                keccak256("1"),
                uint256(31337),
                address(0xB41D6E),
                bytes32(uint256(7))
            )
        );
        vm.assertEq(PegHashes.domainSeparator(31337, address(0xB41D6E), bytes32(uint256(7))), expected, "separator");
    }

    function testTypedDataDigestMatchesDefinition() public pure {
        bytes32 d = bytes32(uint256(0xd5));
        bytes32 h = bytes32(uint256(0x5f));
        vm.assertEq(PegHashes.typedDataDigest(d, h), keccak256(abi.encodePacked("\x19\x01", d, h)), "digest");
    }

    function testFuzzValsetHashMatchesDefinition(uint256 nonce, address[] memory validators, uint96[] memory raw)
        public
        pure
    {
        uint256 n = validators.length < raw.length ? validators.length : raw.length;
        address[] memory v = new address[](n);
        uint256[] memory p = new uint256[](n);
        bytes32[] memory members = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            v[i] = validators[i];
            p[i] = raw[i];
            members[i] = PegHashes.packMember(v[i], p[i]);
            (address a, uint256 q) = PegHashes.unpackMember(members[i]);
            vm.assertEq(a, v[i], "unpacked address");
            vm.assertEq(q, p[i], "unpacked power");
        }
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("Valset(uint256 nonce,address[] validators,uint256[] powers)"),
                nonce,
                keccak256(abi.encodePacked(v)),
                keccak256(abi.encodePacked(p))
            )
        );
        vm.assertEq(PegHashes.valsetHash(nonce, v, p), expected, "valsetHash");
        vm.assertEq(PegHashes.valsetHashMembers(nonce, members), expected, "valsetHashMembers");
    }

    function testFuzzBatchHashCalldataMatchesReference(
        address token,
        uint256 batchNonce,
        uint256 timeout,
        address[] memory receivers,
        uint256[] memory amounts,
        uint256[] memory fees
    ) public view {
        IPegBridge.Batch memory batch = IPegBridge.Batch(token, batchNonce, timeout, receivers, amounts, fees);
        bytes32 expected = keccak256(
            abi.encode(
                keccak256(
                    "Batch(address token,uint256 batchNonce,uint256 timeout,address[] receivers,uint256[] amounts,uint256[] fees)"
                ),
                token,
                batchNonce,
                timeout,
                keccak256(abi.encodePacked(receivers)),
                keccak256(abi.encodePacked(amounts)),
                keccak256(abi.encodePacked(fees))
            )
        );
        vm.assertEq(wrapper.batchHash(batch), expected, "reference");
        vm.assertEq(wrapper.batchHashCalldata(batch), expected, "calldata variant");
    }
}
