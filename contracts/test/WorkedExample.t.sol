// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {PegBridge} from "../src/PegBridge.sol";
import {IPegBridge} from "../src/interfaces/IPegBridge.sol";
import {WorkedExample} from "../script/WorkedExample.s.sol";

/// @title WorkedExampleTest
/// @notice Pins the worked example of specs/contracts.md §9 to its literal values and replays it
/// against the real contract.
contract WorkedExampleTest is Test {
    address internal constant DEPLOYER = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266;

    function testWorkedExample() public {
        (
            bytes32 separator,
            bytes32[] memory currentMembers,
            bytes32 currentHash,
            bytes32 currentMembersHash,
            bytes32[] memory entries,
            bytes32 newHash,
            bytes32 digest,
            bytes memory signatures
        ) = new WorkedExample().example();

        vm.assertEq(separator, 0x7309c62cc3ef950d3740c6e019496745e24a24c402573d8a0a2e2927250807c1, "separator");
        vm.assertEq(currentMembers[0], 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf000000000000000080000000, "m0");
        vm.assertEq(currentMembers[1], 0x2b5ad5c4795c026514f8317c7a215e218dccd6cf00000000000000004ccccccc, "m1");
        vm.assertEq(currentMembers[2], 0x6813eb9362372eef6200f3b1dbc3f819671cba69000000000000000033333333, "m2");
        vm.assertEq(currentHash, 0x169452f1d2e31a78e8661bd5e31c82b44feec50d88877dcc5ed0213422e4c78f, "valsetHash");
        vm.assertEq(
            currentMembersHash, 0x687ea0bfa5d27b0daf465d832173ce9b4fa27e77980f5911a802f3ebc1676a4e, "membersHash"
        );
        vm.assertEq(entries[0], 0x0000000000000000000000000000000000000000800000000000000066666666, "e0");
        vm.assertEq(entries[1], 0x000000000000000000000000000000000000000180000000000000004ccccccc, "e1");
        vm.assertEq(entries[2], 0x000000000000000000000000000000000000000280000000000000004ccccccc, "e2");
        vm.assertEq(newHash, 0xb6e9f0a09d1e5866f21fd6b5b86f2ed330646ba561b82fffa16557d62c384853, "new valsetHash");
        vm.assertEq(digest, 0x1768aa554b9650d1732496f35c189e8eeff7c7b1bd16d8ae873a335a0121a17a, "digest");
        vm.assertEq(
            signatures,
            hex"e4a82d147beb49add1e8cedbf976f3c05dea4cfa7c8e350268d6199f82218e9e1363b9c870ab0737c3745adba3b542342abb5a3645faffab85c83c7438773de11adc37913a575fc9e3482fdde4790fdea7c2b7d8ac11940af7f4b591db6d8afe120d67e784b969c0d724967033c922f85bb8e81bac40e6995d2a7f3d2b3a4415",
            "signatures"
        );

        address[] memory validators = new address[](3);
        uint256[] memory powers = new uint256[](3);
        for (uint256 i; i < 3; ++i) {
            validators[i] = address(uint160(uint256(currentMembers[i]) >> 96));
            powers[i] = uint256(currentMembers[i]) & ((1 << 96) - 1);
        }
        vm.setNonce(DEPLOYER, 0);
        vm.prank(DEPLOYER);
        PegBridge bridge = new PegBridge(keccak256("peg-zone-1"), address(0), 1, validators, powers);
        vm.assertEq(address(bridge), 0x5FbDB2315678afecb367f032d93F642f64180aa3, "bridge address");
        vm.assertEq(bridge.domainSeparator(), separator, "deployed separator");
        vm.assertEq(bridge.valsetHash(), currentHash, "deployed valset hash");
        vm.assertEq(bridge.valsetMembersHash(), currentMembersHash, "deployed members hash");
        bridge.updateValset(
            2, entries, IPegBridge.ValsetSignatures({members: currentMembers, signers: 3, signatures: signatures})
        );
        vm.assertEq(bridge.valsetHash(), newHash, "updated");
        vm.assertEq(bridge.eventNonce(), 1, "event nonce");
    }

    /// @notice The same update through `updateValsetPowers` with the powers of §9.
    function testWorkedExampleByPowers() public {
        WorkedExample example = new WorkedExample();
        (,,,,, bytes32 newHash,, bytes memory signatures) = example.example();
        (, bytes32[] memory currentMembers,,,,,,) = example.example();
        address[] memory validators = new address[](3);
        uint256[] memory powers = new uint256[](3);
        for (uint256 i; i < 3; ++i) {
            validators[i] = address(uint160(uint256(currentMembers[i]) >> 96));
            powers[i] = uint256(currentMembers[i]) & ((1 << 96) - 1);
        }
        vm.setNonce(DEPLOYER, 0);
        vm.prank(DEPLOYER);
        PegBridge bridge = new PegBridge(keccak256("peg-zone-1"), address(0), 1, validators, powers);
        bridge.updateValsetPowers(
            2,
            hex"0066666666004ccccccc004ccccccc",
            IPegBridge.ValsetSignatures({members: currentMembers, signers: 3, signatures: signatures})
        );
        vm.assertEq(bridge.valsetHash(), newHash, "same update by powers");
    }
}
