// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice A minimal in-repo replacement for forge-std's `Test`: the cheatcode handle, `bound`, and
/// the invariant-target hooks forge queries (`targetContracts`, `targetSelectors`, `excludeSenders`).
/// Assertions are the `vm.assert*` cheatcodes, which revert with both values in the message.
abstract contract Test {
    /// @dev Foundry's cheatcode address.
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev Forge runs every contract that has `IS_TEST() == true`.
    bool public IS_TEST = true;

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;
    address[] private _excludeSenders;

    /// @dev Maps `x` into `[min, max]` uniformly enough for fuzzing (same contract as forge-std).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min + 1;
        if (size == 0) return x; // full range
        return min + (x % size);
    }

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetSelectors.push(selector);
    }

    function excludeSender(address sender) internal {
        _excludeSenders.push(sender);
    }

    /// @dev Queried by forge's invariant runner.
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    /// @dev Queried by forge's invariant runner.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    /// @dev Queried by forge's invariant runner.
    function excludeSenders() public view returns (address[] memory) {
        return _excludeSenders;
    }
}
