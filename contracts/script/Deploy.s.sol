// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Vm} from "../test/utils/Vm.sol";
import {PegBridge} from "../src/PegBridge.sol";

/// @title Deploy
/// @notice Deploys {PegBridge} with the peg zone's bridge id, a guardian and the first valset (the
/// valset the peg zone's genesis committed to), and returns its address (printed by `forge script`,
/// machine-readable with `--json`). See contracts/README.md.
///
/// Inputs (environment):
/// - `PEG_BRIDGE_ID` (bytes32, required): the peg zone's bridge id (EIP-712 salt).
/// - `PEG_GUARDIAN` (address, default none = `address(0)`): may pause and unpause.
/// - the first valset, either
///   - `PEG_VALSET_FILE`: a JSON file under the repository, `{"nonce": n, "validators": [...],
///     "powers": [...]}` (normalized powers, valset order), or
///   - `PEG_VALSET_NONCE` (default 0), `PEG_VALIDATORS` and `PEG_POWERS` (comma-separated).
/// The constructor validates the valset (specs/contracts.md §3) and reverts with a typed error.
contract Deploy {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice Deploys the bridge from the broadcasting account.
    function run() external returns (PegBridge bridge, bytes32 valsetHash, bytes32 domainSeparator) {
        bytes32 bridgeId = vm.envBytes32("PEG_BRIDGE_ID");
        address guardian = vm.envOr("PEG_GUARDIAN", address(0));
        (uint256 nonce, address[] memory validators, uint256[] memory powers) = _valset();
        vm.startBroadcast();
        bridge = new PegBridge(bridgeId, guardian, nonce, validators, powers);
        vm.stopBroadcast();
        valsetHash = bridge.valsetHash();
        domainSeparator = bridge.domainSeparator();
    }

    function _valset() internal view returns (uint256 nonce, address[] memory validators, uint256[] memory powers) {
        string memory file = vm.envOr("PEG_VALSET_FILE", string(""));
        if (bytes(file).length != 0) {
            string memory json = vm.readFile(file);
            nonce = vm.parseJsonUint(json, ".nonce");
            validators = vm.parseJsonAddressArray(json, ".validators");
            powers = vm.parseJsonUintArray(json, ".powers");
        } else {
            nonce = vm.envOr("PEG_VALSET_NONCE", uint256(0));
            validators = vm.envAddress("PEG_VALIDATORS", ",");
            powers = vm.envUint("PEG_POWERS", ",");
        }
    }
}
