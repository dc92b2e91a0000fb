// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PegTest} from "./utils/PegTest.sol";
import {PegBridge} from "../src/PegBridge.sol";

/// @title StorageLayoutTest
/// @notice Pins the layout of PegBridge's slot 0, which the peg zone reads through Ethereum state
/// proofs (`MsgProveEthState`, specs/eth-module.md §2.5): `_eventNonce` is the lowest 8 bytes
/// (bytes 24..32 of the big-endian word), `_valsetNonce` the next 8, `_paused` the byte above.
/// A change of the contract's storage order fails here before it silently breaks batch timeouts.
contract StorageLayoutTest is PegTest {
    address internal constant GUARDIAN = address(0x6A4D);
    bytes20 internal constant RECEIVER = bytes20(uint160(0xC05305));

    PegBridge internal bridge;

    function setUp() public {
        bridge = _deployBridge(GUARDIAN, 0x0102030405060708, _equalValset(1, 4));
        vm.deal(address(this), 10 ether);
    }

    function _slot0() internal view returns (uint256) {
        return uint256(vm.load(address(bridge), bytes32(0)));
    }

    function testSlot0PacksEventNonceValsetNonceAndPaused() public {
        vm.assertEq(_slot0(), uint256(0x0102030405060708) << 64, "fresh: valset nonce only");
        for (uint256 i; i < 3; ++i) {
            bridge.lockEth{value: 1 ether}(RECEIVER);
        }
        uint256 word = _slot0();
        vm.assertEq(bridge.eventNonce(), 3, "three locks");
        vm.assertEq(word & type(uint64).max, bridge.eventNonce(), "eventNonce: low 64 bits");
        vm.assertEq((word >> 64) & type(uint64).max, bridge.valsetNonce(), "valsetNonce: next 64 bits");
        vm.assertEq(word >> 128, 0, "not paused: nothing above");
        vm.prank(GUARDIAN);
        bridge.pause();
        word = _slot0();
        vm.assertEq(word >> 128, 1, "paused: the byte above the nonces");
        vm.assertEq(word & type(uint64).max, 3, "pausing keeps the event nonce");
    }

    function testFuzzEventNonceIsTheLowWord(uint8 locks) public {
        uint256 n = uint256(locks) % 20;
        for (uint256 i; i < n; ++i) {
            bridge.lockEth{value: 1}(RECEIVER);
        }
        vm.assertEq(_slot0() & type(uint64).max, n, "eventNonce in the low 64 bits");
        vm.assertEq(bridge.eventNonce(), n, "getter agrees");
    }
}
