// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PegTest} from "./utils/PegTest.sol";
import {PegBridge} from "../src/PegBridge.sol";
import {IPegBridge} from "../src/interfaces/IPegBridge.sol";
import {PegHashes} from "../src/libraries/PegHashes.sol";
import {FeeOnTransferToken} from "./mocks/AdversarialTokens.sol";

/// @title PegBridgeFuzzTest
/// @notice Property tests over signer sets, powers, signatures and batches.
contract PegBridgeFuzzTest is PegTest {
    address internal constant RELAYER = address(0x4E1A7E4);

    /// @dev A valset of `n` validators with raw powers derived from `seed` (1 .. 1e6 each, some equal).
    function _randomValset(uint256 seed, uint256 n) internal pure returns (Validator[] memory) {
        uint256[] memory raw = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, "power", i)));
            raw[i] = r % 4 == 0 ? 1000 : (r % 1_000_000) + 1;
        }
        Validator[] memory set = _makeValset(seed, raw);
        // Normalization may floor a tiny power to zero; the peg zone leaves such members out.
        uint256 kept;
        for (uint256 i; i < n; ++i) {
            if (set[i].power != 0) set[kept++] = set[i];
        }
        assembly ("memory-safe") {
            mstore(set, kept)
        }
        return set;
    }

    /// @notice Any subset of signers passes exactly when its normalized power reaches the threshold.
    function testFuzzUpdateValsetSignerSubsets(uint256 seed, uint256 n, uint256 bitmap) public {
        n = bound(n, 1, 40);
        Validator[] memory current = _randomValset(seed, n);
        vm.assume(_powerOf(current, type(uint256).max) >= PegHashes.POWER_THRESHOLD);
        bitmap &= _allSigners(current);
        PegBridge bridge = _deployBridge(address(0), 1, current);
        Validator[] memory next = _randomValset(seed ^ 0xff, bound(seed, 1, 20));
        vm.assume(_powerOf(next, type(uint256).max) >= PegHashes.POWER_THRESHOLD);
        IPegBridge.ValsetSignatures memory sigs = _signed(current, bitmap, _valsetDigest(bridge, 2, next));
        uint256 power = _powerOf(current, bitmap);
        bytes32[] memory entries = _entries(current, next);
        if (power < PegHashes.POWER_THRESHOLD) {
            vm.expectRevert(
                abi.encodeWithSelector(IPegBridge.InsufficientPower.selector, power, PegHashes.POWER_THRESHOLD)
            );
            bridge.updateValset(2, entries, sigs);
            vm.assertEq(bridge.valsetNonce(), 1, "unchanged");
        } else {
            bridge.updateValset(2, entries, sigs);
            vm.assertEq(bridge.valsetHash(), PegHashes.valsetHash(2, _addresses(next), _powers(next)), "moved");
        }
    }

    /// @notice Flipping any bit of any signature, or of the signer bitmap, never lets a checkpoint pass.
    function testFuzzTamperedSignaturesAreRefused(uint256 seed, uint256 bit, bool inBitmap) public {
        seed = bound(seed, 0, type(uint128).max);
        Validator[] memory current = _equalValset(seed, 7);
        PegBridge bridge = _deployBridge(address(0), 1, current);
        Validator[] memory next = _equalValset(seed + 1, 5);
        uint256 fewest = _fewestSigners(current);
        IPegBridge.ValsetSignatures memory sigs = _signed(current, fewest, _valsetDigest(bridge, 2, next));
        if (inBitmap) {
            sigs.signers ^= 1 << bound(bit, 0, 6);
        } else {
            bit = bound(bit, 0, sigs.signatures.length * 8 - 1);
            sigs.signatures[bit / 8] ^= bytes1(uint8(1 << (bit % 8)));
        }
        bytes32[] memory members = _members(next);
        vm.expectRevert();
        bridge.updateValset(2, members, sigs);
    }

    /// @notice The constructor's reference validation and the calldata fast path of `updateValset`
    /// accept and refuse the same valsets, with the same error.
    function testFuzzValsetValidationMatchesReference(uint256[] memory words, uint256 mode) public {
        uint256 n = bound(words.length, 0, 12);
        address[] memory validators = new address[](n);
        uint256[] memory powers = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 w = words[i];
            // Mostly near-valid sets: small address space (duplicates, zero) and powers around 2^32 / n.
            validators[i] = mode % 2 == 0 ? address(uint160(w >> 96)) : address(uint160((w >> 96) % 8));
            powers[i] = mode % 3 == 0 ? w % (1 << 34) : (w % 5 == 0 ? 0 : (PegHashes.TOTAL_POWER / (n + 1)) + w % 3);
        }
        bytes memory expected;
        try this.construct(validators, powers) {}
        catch (bytes memory constructorError) {
            expected = constructorError;
        }

        Validator[] memory current = _equalValset(3, 4);
        PegBridge bridge = _deployBridge(address(0), 1, current);
        bytes32[] memory entries = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            entries[i] = PegHashes.packMember(validators[i], powers[i]);
        }
        bytes32 digest =
            PegHashes.typedDataDigest(bridge.domainSeparator(), PegHashes.valsetHash(2, validators, powers));
        IPegBridge.ValsetSignatures memory sigs = _signed(current, 0xf, digest);
        (bool ok, bytes memory reason) =
            address(bridge).call(abi.encodeCall(PegBridge.updateValset, (2, entries, sigs)));
        if (expected.length == 0) {
            vm.assertTrue(ok, "fast path refused a valid valset");
        } else {
            vm.assertFalse(ok, "fast path accepted an invalid valset");
            vm.assertEq(reason, expected, "same error");
        }
    }

    function construct(address[] memory validators, uint256[] memory powers) external returns (address) {
        return address(new PegBridge(BRIDGE_ID, address(0), 1, validators, powers));
    }

    /// @notice `updateValsetPowers` and `updateValset` (reference entries) accept and refuse the same
    /// new powers for the current validators, with the same error, and store the same valset.
    function testFuzzUpdateValsetPowersMatchesReferences(uint256 seed, uint256[6] memory raw) public {
        Validator[] memory current = _equalValset(seed % 1000, 6);
        Validator[] memory next = _equalValset(seed % 1000, 6);
        for (uint256 i; i < 6; ++i) {
            // Mostly ordered, sometimes not; sometimes zero or too large.
            next[i].power = seed % 7 == 0 ? raw[i] % (1 << 34) : (raw[i] % 1000) * (1 << 22) / (i + 1);
        }
        PegBridge viaPowers = _deployBridge(address(0), 1, current);
        PegBridge viaEntries = _deployBridge(address(0), 1, current);
        bytes32 digestPowers = PegHashes.typedDataDigest(
            viaPowers.domainSeparator(), PegHashes.valsetHash(2, _addresses(next), _powers(next))
        );
        bytes32 digestEntries = PegHashes.typedDataDigest(
            viaEntries.domainSeparator(), PegHashes.valsetHash(2, _addresses(next), _powers(next))
        );
        (bool okPowers, bytes memory errPowers) = address(viaPowers)
            .call(
                abi.encodeCall(
                    PegBridge.updateValsetPowers,
                    (2, _powersBytes(next), _signed(current, _allSigners(current), digestPowers))
                )
            );
        (bool okEntries, bytes memory errEntries) = address(viaEntries)
            .call(
                abi.encodeCall(
                    PegBridge.updateValset,
                    (2, _entries(current, next), _signed(current, _allSigners(current), digestEntries))
                )
            );
        vm.assertEq(okPowers, okEntries, "same outcome");
        vm.assertEq(errPowers, errEntries, "same error");
        vm.assertEq(viaPowers.valsetHash(), viaEntries.valsetHash(), "same valset");
    }

    /// @notice An ETH batch conserves value: what receivers, the relayer and the claimable balances get
    /// plus what stays in escrow equals what was locked.
    function testFuzzBatchConservesEth(uint256 n, uint256 seed, uint256 locked) public {
        n = bound(n, 1, 30);
        locked = bound(locked, 0, 1000 ether);
        Validator[] memory set = _equalValset(4, 10);
        PegBridge bridge = _deployBridge(address(0), 1, set);
        vm.deal(address(this), locked + 1);
        bridge.lockEth{value: locked + 1}(bytes20(0));
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, n, 0, 0, seed);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            batch.amounts[i] = uint256(keccak256(abi.encode(seed, "amount", i))) % 10 ether;
            batch.fees[i] = uint256(keccak256(abi.encode(seed, "fee", i))) % 0.1 ether;
            total += batch.amounts[i] + batch.fees[i];
        }
        vm.assume(total <= locked + 1);
        IPegBridge.ValsetSignatures memory sigs = _signed(set, _fewestSigners(set), _batchDigest(bridge, batch));
        vm.prank(RELAYER);
        bridge.submitBatch(batch, sigs);
        uint256 out = RELAYER.balance;
        for (uint256 i; i < n; ++i) {
            out += batch.receivers[i].balance + bridge.claimable(address(0), batch.receivers[i]);
        }
        vm.assertEq(out + address(bridge).balance, locked + 1, "conservation");
    }

    /// @notice A fee-on-transfer token is credited exactly what the bridge received.
    function testFuzzLockFeeOnTransfer(uint256 amount) public {
        amount = bound(amount, 1, 1e30);
        PegBridge bridge = _deployBridge(address(0), 1, _equalValset(5, 3));
        FeeOnTransferToken token = new FeeOnTransferToken();
        token.mint(address(this), amount);
        token.approve(address(bridge), amount);
        uint256 received = amount - amount / 100;
        if (received == 0) {
            vm.expectRevert(abi.encodeWithSelector(IPegBridge.ZeroAmount.selector, address(token)));
            bridge.lock(address(token), amount, bytes20(0));
            return;
        }
        vm.expectEmit(address(bridge));
        emit IPegBridge.Locked(1, address(token), address(this), bytes20(uint160(1)), received);
        bridge.lock(address(token), amount, bytes20(uint160(1)));
        vm.assertEq(token.balanceOf(address(bridge)), received, "escrow");
    }

    receive() external payable {}
}
