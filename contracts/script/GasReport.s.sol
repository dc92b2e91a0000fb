// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PegTest} from "../test/utils/PegTest.sol";
import {PegBridge} from "../src/PegBridge.sol";
import {CosmosERC20} from "../src/CosmosERC20.sol";
import {IPegBridge} from "../src/interfaces/IPegBridge.sol";
import {MockERC20} from "../test/mocks/MockERC20.sol";

/// @title GasReport
/// @notice Sends the benchmark transactions to a node (scripts/gas-report runs it against a private
/// anvil with Prague rules) so that their receipts give the real `gasUsed`: base cost, calldata and
/// execution. Every broadcast transaction is named, in order, in `cache/gas-report-names.txt`
/// (`-` for setup transactions); scripts/gas-report joins the names with the broadcast receipts.
/// The scenarios are the same as test/Gas.t.sol.
contract GasReport is PegTest {
    bytes20 internal constant RECEIVER = bytes20(uint160(0xC05305));

    string internal names;

    function _name(string memory name) internal {
        names = string.concat(names, name, "\n");
    }

    function run() external {
        uint256 key = vm.envUint("GAS_REPORT_PRIVATE_KEY");
        address sender = vm.addr(key);

        // Checkpoints: equal powers, same-size new valset, fewest signers.
        uint256[4] memory sizes = [uint256(10), 50, 100, 150];
        for (uint256 k; k < sizes.length; ++k) {
            uint256 n = sizes[k];
            Validator[] memory current = _equalValset(1, n);
            vm.broadcast(key);
            PegBridge bridge = _deployBridge(address(0), 1, current);
            _name("-");
            // The periodic checkpoint: the same validators under a new nonce (`updateValsetPowers`, §8.3).
            IPegBridge.ValsetSignatures memory sigs =
                _signed(current, _fewestSigners(current), _valsetDigest(bridge, 2, current));
            vm.broadcast(key);
            bridge.updateValsetPowers(2, _powersBytes(current), sigs);
            _name(string.concat("checkpoint_", vm.toString(n), "_validators"));
            // The same through `updateValset` with reference entries.
            sigs = _signed(current, _fewestSigners(current), _valsetDigest(bridge, 3, current));
            vm.broadcast(key);
            bridge.updateValset(3, _entries(current, current), sigs);
            _name(string.concat("checkpoint_", vm.toString(n), "_validators_references"));
            // Full rotation: n fresh keys (full member words).
            Validator[] memory next = _equalValset(2, n);
            sigs = _signed(current, _fewestSigners(current), _valsetDigest(bridge, 4, next));
            vm.broadcast(key);
            bridge.updateValset(4, _entries(current, next), sigs);
            _name(string.concat("checkpoint_", vm.toString(n), "_validators_rotated"));
        }

        // Gravity Bridge's anchor: 125 validators, skewed so that 23 signatures are the fewest that pass.
        {
            uint256[] memory raw = new uint256[](125);
            for (uint256 i; i < 125; ++i) {
                raw[i] = i < 23 ? 100 : 10;
            }
            Validator[] memory skewed = _makeValset(7, raw);
            vm.broadcast(key);
            PegBridge gravity = _deployBridge(address(0), 1, skewed);
            _name("-");
            IPegBridge.ValsetSignatures memory sigs =
                _signed(skewed, _fewestSigners(skewed), _valsetDigest(gravity, 2, skewed));
            require(_fewestSigners(skewed) == (1 << 23) - 1, "23 signers");
            vm.broadcast(key);
            gravity.updateValset(2, _entries(skewed, skewed), sigs);
            _name("gravity_anchor_125_validators_23_signers");
        }

        // Batches: a 100-validator valset, ERC-20 unlocks to fresh receivers.
        Validator[] memory set = _equalValset(1, 100);
        vm.broadcast(key);
        PegBridge main = _deployBridge(address(0), 1, set);
        _name("-");
        vm.broadcast(key);
        MockERC20 token = new MockERC20("Token", "TKN");
        _name("-");
        vm.broadcast(key);
        token.mint(address(main), 1_000_000 ether);
        _name("-");
        vm.broadcast(key);
        token.mint(sender, 100 ether); // the relayer already holds the token
        _name("-");
        uint256[3] memory counts = [uint256(1), 10, 100];
        for (uint256 k; k < counts.length; ++k) {
            uint256 n = counts[k];
            IPegBridge.Batch memory batch = _makeBatch(address(token), k + 1, n, 1 ether, 0.001 ether, n);
            IPegBridge.ValsetSignatures memory sigs = _signed(set, _fewestSigners(set), _batchDigest(main, batch));
            vm.broadcast(key);
            main.submitBatch(batch, sigs);
            _name(string.concat("batch_", vm.toString(n), "_transfers"));
        }

        // Lock ETH, steady state (event nonce already non-zero).
        vm.broadcast(key);
        main.lockEth{value: 1 ether}(RECEIVER);
        _name("lock_eth");

        // Lock ERC-20, steady state (the bridge already holds the token), exact approval.
        vm.broadcast(key);
        token.approve(address(main), 1 ether);
        _name("-");
        vm.broadcast(key);
        main.lock(address(token), 1 ether, RECEIVER);
        _name("lock_erc20");

        // Burn: deploy a CosmosERC20, mint to the sender through a batch, burn part of it.
        vm.broadcast(key);
        address cosmos = main.deployCosmosERC20("upeg", "Peg", "PEG", 6);
        _name("-");
        IPegBridge.Batch memory mintBatch = _makeBatch(cosmos, 1, 1, 10e6, 0, 0);
        mintBatch.receivers[0] = sender;
        IPegBridge.ValsetSignatures memory mintSigs = _signed(set, _fewestSigners(set), _batchDigest(main, mintBatch));
        vm.broadcast(key);
        main.submitBatch(mintBatch, mintSigs);
        _name("-");
        vm.broadcast(key);
        main.burn(cosmos, 1e6, RECEIVER);
        _name("burn");

        vm.writeFile("cache/gas-report-names.txt", names);
        require(CosmosERC20(cosmos).balanceOf(sender) == 9e6, "burn did not happen");
    }
}
