// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PegTest} from "../test/utils/PegTest.sol";
import {PegHashes} from "../src/libraries/PegHashes.sol";

/// @title WorkedExample
/// @notice Computes the worked example of specs/contracts.md §9 (pinned by test/WorkedExample.t.sol).
contract WorkedExample is PegTest {
    function example()
        public
        pure
        returns (
            bytes32 separator,
            bytes32[] memory currentMembers,
            bytes32 currentHash,
            bytes32 currentMembersHash,
            bytes32[] memory entries,
            bytes32 newHash,
            bytes32 digest,
            bytes memory signatures
        )
    {
        address verifyingContract = vm.computeCreateAddress(0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, 0);
        separator = PegHashes.domainSeparator(31337, verifyingContract, keccak256("peg-zone-1"));
        Validator[] memory current = new Validator[](3);
        current[0] = Validator(1, vm.addr(1), 2147483648);
        current[1] = Validator(2, vm.addr(2), 1288490188);
        current[2] = Validator(3, vm.addr(3), 858993459);
        currentMembers = _members(current);
        currentHash = PegHashes.valsetHash(1, _addresses(current), _powers(current));
        currentMembersHash = keccak256(abi.encodePacked(currentMembers));
        Validator[] memory next = new Validator[](3);
        next[0] = Validator(1, vm.addr(1), 1717986918);
        next[1] = Validator(2, vm.addr(2), 1288490188);
        next[2] = Validator(3, vm.addr(3), 1288490188);
        entries = _entries(current, next);
        newHash = PegHashes.valsetHash(2, _addresses(next), _powers(next));
        digest = PegHashes.typedDataDigest(separator, newHash);
        signatures = _signatures(current, 0x3, digest);
    }

    function run()
        external
        pure
        returns (bytes32, bytes32[] memory, bytes32, bytes32, bytes32[] memory, bytes32, bytes32, bytes memory)
    {
        return example();
    }
}
