// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PegTest} from "./utils/PegTest.sol";
import {PegBridge} from "../src/PegBridge.sol";
import {CosmosERC20} from "../src/CosmosERC20.sol";
import {IPegBridge} from "../src/interfaces/IPegBridge.sol";
import {MockERC20} from "./mocks/MockERC20.sol";

/// @title GasTest
/// @notice The gas benchmarks recorded in `contracts/.gas-snapshot` (checked by `forge snapshot
/// --check` in scripts/contracts-test). Preparation runs with gas metering paused, so each figure is
/// the benchmarked call alone (execution gas; `scripts/gas-report` measures the full transactions).
/// Checkpoints: equal powers, a new valset of the same size, the fewest signers that pass (see
/// `_checkpoint` for the three variants).
/// Batches: a 100-validator valset (fewest signers), ERC-20 unlocks to fresh receivers with a fee each.
contract GasTest is PegTest {
    address internal constant USER = address(0xA11CE);
    address internal constant RELAYER = address(0xBEEF);
    bytes20 internal constant RECEIVER = bytes20(uint160(0xC05305));

    /// @dev A valset update of `n` equal-power validators, the fewest signers that pass.
    /// `Mode.Powers`: the same validators under a new nonce with `updateValsetPowers` (the periodic
    /// checkpoint, specs/contracts.md §8.3). `Mode.References`: the same through `updateValset` with
    /// reference entries. `Mode.Rotated`: `n` fresh keys, every entry a full member word.
    enum Mode {
        Powers,
        References,
        Rotated
    }

    function _checkpoint(uint256 n, Mode mode) internal {
        vm.pauseGasMetering();
        Validator[] memory current = _equalValset(1, n);
        Validator[] memory next = _equalValset(mode == Mode.Rotated ? 2 : 1, n);
        PegBridge bridge = _deployBridge(address(this), 1, current);
        bytes32 digest = _valsetDigest(bridge, 2, next);
        IPegBridge.ValsetSignatures memory sigs = _signed(current, _fewestSigners(current), digest);
        bytes32[] memory entries = _entries(current, next);
        bytes memory powers = _powersBytes(next);
        vm.cool(address(bridge));
        vm.resumeGasMetering();
        if (mode == Mode.Powers) {
            bridge.updateValsetPowers(2, powers, sigs);
        } else {
            bridge.updateValset(2, entries, sigs);
        }
    }

    function test_gas_checkpoint_10_validators() external {
        _checkpoint(10, Mode.Powers);
    }

    function test_gas_checkpoint_10_validators_references() external {
        _checkpoint(10, Mode.References);
    }

    function test_gas_checkpoint_10_validators_rotated() external {
        _checkpoint(10, Mode.Rotated);
    }

    function test_gas_checkpoint_50_validators() external {
        _checkpoint(50, Mode.Powers);
    }

    function test_gas_checkpoint_50_validators_references() external {
        _checkpoint(50, Mode.References);
    }

    function test_gas_checkpoint_50_validators_rotated() external {
        _checkpoint(50, Mode.Rotated);
    }

    function test_gas_checkpoint_100_validators() external {
        _checkpoint(100, Mode.Powers);
    }

    function test_gas_checkpoint_100_validators_references() external {
        _checkpoint(100, Mode.References);
    }

    function test_gas_checkpoint_100_validators_rotated() external {
        _checkpoint(100, Mode.Rotated);
    }

    function test_gas_checkpoint_150_validators() external {
        _checkpoint(150, Mode.Powers);
    }

    function test_gas_checkpoint_150_validators_references() external {
        _checkpoint(150, Mode.References);
    }

    function test_gas_checkpoint_150_validators_rotated() external {
        _checkpoint(150, Mode.Rotated);
    }

    function _batch(uint256 n) internal {
        vm.pauseGasMetering();
        Validator[] memory set = _equalValset(1, 100);
        PegBridge bridge = _deployBridge(address(this), 1, set);
        MockERC20 token = new MockERC20("Token", "TKN");
        token.mint(address(bridge), 1_000_000 ether);
        token.mint(RELAYER, 1 ether); // the relayer already holds the token
        IPegBridge.Batch memory batch = _makeBatch(address(token), 1, n, 1 ether, 0.001 ether, n);
        IPegBridge.ValsetSignatures memory sigs = _signed(set, _fewestSigners(set), _batchDigest(bridge, batch));
        vm.cool(address(bridge));
        vm.cool(address(token));
        vm.prank(RELAYER);
        vm.resumeGasMetering();
        bridge.submitBatch(batch, sigs);
    }

    function test_gas_batch_1_transfers() external {
        _batch(1);
    }

    function test_gas_batch_10_transfers() external {
        _batch(10);
    }

    function test_gas_batch_100_transfers() external {
        _batch(100);
    }

    function test_gas_lock_eth() external {
        vm.pauseGasMetering();
        PegBridge bridge = _deployBridge(address(this), 1, _equalValset(1, 4));
        vm.deal(USER, 10 ether);
        vm.prank(USER);
        bridge.lockEth{value: 1 ether}(RECEIVER); // steady state: event nonce already non-zero
        vm.cool(address(bridge));
        vm.prank(USER);
        vm.resumeGasMetering();
        bridge.lockEth{value: 1 ether}(RECEIVER);
    }

    function test_gas_lock_erc20() external {
        vm.pauseGasMetering();
        PegBridge bridge = _deployBridge(address(this), 1, _equalValset(1, 4));
        MockERC20 token = new MockERC20("Token", "TKN");
        token.mint(USER, 10 ether);
        vm.startPrank(USER);
        token.approve(address(bridge), 2 ether);
        bridge.lock(address(token), 1 ether, RECEIVER); // steady state: bridge already holds the token
        vm.cool(address(bridge));
        vm.cool(address(token));
        vm.resumeGasMetering();
        bridge.lock(address(token), 1 ether, RECEIVER);
        vm.stopPrank();
    }

    function test_gas_burn() external {
        vm.pauseGasMetering();
        PegBridge bridge = _deployBridge(address(this), 1, _equalValset(1, 4));
        CosmosERC20 token = CosmosERC20(bridge.deployCosmosERC20("upeg", "Peg", "PEG", 6));
        vm.prank(address(bridge));
        token.mint(USER, 10e6);
        vm.cool(address(bridge));
        vm.cool(address(token));
        vm.prank(USER);
        vm.resumeGasMetering();
        bridge.burn(address(token), 1e6, RECEIVER);
    }
}
