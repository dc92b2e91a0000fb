// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PegTest} from "../utils/PegTest.sol";
import {Test} from "../utils/Test.sol";
import {PegBridge} from "../../src/PegBridge.sol";
import {CosmosERC20} from "../../src/CosmosERC20.sol";
import {IPegBridge} from "../../src/interfaces/IPegBridge.sol";
import {PegHashes} from "../../src/libraries/PegHashes.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {BlacklistToken} from "../mocks/AdversarialTokens.sol";

/// @title PegBridgeHandler
/// @notice Drives the bridge with random locks, burns, batches (signed by random subsets of the
/// current valset, sometimes replayed, sometimes forged by outsiders), valset rotations, blacklisting
/// and claims, and keeps ghost accounting measured on the recipients' side.
contract PegBridgeHandler is PegTest {
    uint256 internal constant RECEIVERS = 8;
    address internal constant USER = address(0xA11CE);
    address internal constant RELAYER = address(0x4E1A7E4);

    PegBridge public bridge;
    MockERC20 public plain;
    BlacklistToken public blk;
    CosmosERC20 public cosmos;

    Validator[] internal current;
    uint256 internal valsetSeed = 1;

    // Ghost state.
    mapping(address token => uint256) public locked;
    mapping(address token => uint256) public received; // by receivers, the relayer and claim targets
    uint256 public minted; // CosmosERC20 received by anyone from the bridge
    uint256 public burned;
    bool public doubleExecution;
    bool public underpoweredSuccess;
    mapping(bytes32 => bool) internal executed;
    uint256 public batches;
    uint256 public valsetUpdates;
    uint256 public refusedForgeries;

    constructor() {
        Validator[] memory set = _equalValset(valsetSeed, 7);
        for (uint256 i; i < set.length; ++i) {
            current.push(set[i]);
        }
        bridge = _deployBridge(address(this), 1, set);
        plain = new MockERC20("Plain", "PLN");
        blk = new BlacklistToken();
        cosmos = CosmosERC20(bridge.deployCosmosERC20("upeg", "Peg", "PEG", 6));
        plain.mint(USER, type(uint128).max);
        blk.mint(USER, type(uint128).max);
        vm.deal(USER, type(uint128).max);
        vm.startPrank(USER);
        plain.approve(address(bridge), type(uint256).max);
        blk.approve(address(bridge), type(uint256).max);
        vm.stopPrank();
    }

    function tokens() external view returns (address[3] memory) {
        return [address(0), address(plain), address(blk)];
    }

    function receiver(uint256 i) public pure returns (address) {
        return address(uint160(0x1000 + i));
    }

    function _current() internal view returns (Validator[] memory out) {
        out = new Validator[](current.length);
        for (uint256 i; i < current.length; ++i) {
            out[i] = current[i];
        }
    }

    function _balance(address token, address account) internal view returns (uint256) {
        return token == address(0) ? account.balance : MockERC20(token).balanceOf(account);
    }

    /// @dev Sum of the balances of every account the bridge pays.
    function _recipients(address token) internal view returns (uint256 total) {
        for (uint256 i; i < RECEIVERS; ++i) {
            total += _balance(token, receiver(i));
        }
        total += _balance(token, RELAYER);
    }

    // ---------------------------------------------------------------------------------------------
    // actions
    // ---------------------------------------------------------------------------------------------

    function lockEth(uint256 amount) external {
        amount = bound(amount, 1, 1000 ether);
        vm.prank(USER);
        bridge.lockEth{value: amount}(bytes20(uint160(amount)));
        locked[address(0)] += amount;
    }

    function lockToken(uint256 amount, bool useBlacklist) external {
        amount = bound(amount, 1, 1e30);
        address token = useBlacklist ? address(blk) : address(plain);
        uint256 before = MockERC20(token).balanceOf(address(bridge));
        vm.prank(USER);
        bridge.lock(token, amount, bytes20(uint160(amount)));
        locked[token] += MockERC20(token).balanceOf(address(bridge)) - before;
    }

    function burnCosmos(uint256 who, uint256 amount) external {
        address holder = receiver(who % RECEIVERS);
        uint256 balance = cosmos.balanceOf(holder);
        if (balance == 0) return;
        amount = bound(amount, 1, balance);
        vm.prank(holder);
        bridge.burn(address(cosmos), amount, bytes20(0));
        burned += amount;
    }

    function setBlacklisted(uint256 who, bool value) external {
        blk.setBlacklisted(receiver(who % RECEIVERS), value);
    }

    /// @dev A batch of up to 5 transfers to the receiver pool, signed by a random subset of the valset.
    function submitBatch(uint256 tokenSeed, uint256 n, uint256 signerSeed, uint256 amountSeed, bool replay) external {
        address token = [address(0), address(plain), address(blk), address(cosmos)][tokenSeed % 4];
        n = bound(n, 1, 5);
        uint256 last = bridge.lastBatchNonce(token);
        uint256 nonce = replay && last > 0 ? last : last + 1 + (amountSeed % 3);
        IPegBridge.Batch memory batch = _makeBatch(token, nonce, n, 0, 0, 0);
        uint256 escrow = token == address(cosmos) ? type(uint128).max : _balance(token, address(bridge));
        for (uint256 i; i < n; ++i) {
            batch.receivers[i] = receiver(uint256(keccak256(abi.encode(amountSeed, i))) % RECEIVERS);
            batch.amounts[i] = uint256(keccak256(abi.encode(amountSeed, "a", i))) % (escrow / (2 * n) + 1);
            batch.fees[i] = batch.amounts[i] / 100;
        }
        Validator[] memory set = _current();
        uint256 bitmap = signerSeed % 3 == 0 ? _fewestSigners(set) : signerSeed & _allSigners(set);
        IPegBridge.ValsetSignatures memory sigs = _signed(set, bitmap, _batchDigest(bridge, batch));

        uint256 recipientsBefore = token == address(cosmos) ? cosmos.totalSupply() : _recipients(token);
        vm.prank(RELAYER);
        try bridge.submitBatch(batch, sigs) {
            bytes32 id = keccak256(abi.encode("batch", token, nonce));
            if (executed[id]) doubleExecution = true;
            executed[id] = true;
            if (_powerOf(set, bitmap) < PegHashes.POWER_THRESHOLD) underpoweredSuccess = true;
            ++batches;
            if (token == address(cosmos)) {
                minted += cosmos.totalSupply() - recipientsBefore;
            } else {
                received[token] += _recipients(token) - recipientsBefore;
            }
        } catch {}
    }

    /// @dev Outsiders (keys that are not in the valset) sign a batch: it must never pass.
    function forgeBatch(uint256 keySeed, uint256 amount) external {
        Validator[] memory outsiders = _equalValset(uint256(keccak256(abi.encode("outsider", keySeed))), current.length);
        IPegBridge.Batch memory batch = _makeBatch(address(0), bridge.lastBatchNonce(address(0)) + 1, 1, 0, 0, 0);
        batch.receivers[0] = receiver(0);
        batch.amounts[0] = bound(amount, 1, 1 ether);
        // Their own member list (mismatching the stored hash) ...
        IPegBridge.ValsetSignatures memory sigs =
            _signed(outsiders, _allSigners(outsiders), _batchDigest(bridge, batch));
        try bridge.submitBatch(batch, sigs) {
            underpoweredSuccess = true;
        } catch {
            ++refusedForgeries;
        }
        // ... or the real member list with their signatures.
        sigs.members = _members(_current());
        try bridge.submitBatch(batch, sigs) {
            underpoweredSuccess = true;
        } catch {
            ++refusedForgeries;
        }
    }

    /// @dev Rotates to a fresh valset of 1..12 validators, signed by a random subset of the current one.
    function updateValset(uint256 size, uint256 signerSeed, bool replay) external {
        Validator[] memory set = _current();
        uint256 nextSeed = valsetSeed + 1;
        Validator[] memory next = _equalValset(nextSeed, bound(size, 1, 12));
        uint256 nonce = replay ? bridge.valsetNonce() : bridge.valsetNonce() + 1 + (signerSeed % 2);
        uint256 bitmap = signerSeed % 2 == 0 ? _fewestSigners(set) : signerSeed & _allSigners(set);
        IPegBridge.ValsetSignatures memory sigs = _signed(set, bitmap, _valsetDigest(bridge, nonce, next));
        try bridge.updateValset(nonce, _entries(set, next), sigs) {
            bytes32 id = keccak256(abi.encode("valset", nonce));
            if (executed[id]) doubleExecution = true;
            executed[id] = true;
            if (_powerOf(set, bitmap) < PegHashes.POWER_THRESHOLD) underpoweredSuccess = true;
            ++valsetUpdates;
            valsetSeed = nextSeed;
            delete current;
            for (uint256 i; i < next.length; ++i) {
                current.push(next[i]);
            }
        } catch {}
    }

    /// @dev New powers for the current validators (`updateValsetPowers`), signed by a random subset.
    function repowerValset(uint256 powerSeed, uint256 signerSeed) external {
        Validator[] memory set = _current();
        Validator[] memory next = _current();
        // Random raw powers, sorted descending, normalized: the order of the current validators holds
        // (ties keep their address order only by luck: such updates are refused, which is fine).
        uint256[] memory raw = new uint256[](next.length);
        for (uint256 i; i < raw.length; ++i) {
            raw[i] = uint256(keccak256(abi.encode(powerSeed, i))) % 1000 + 1;
            for (uint256 j = i; j > 0 && raw[j] > raw[j - 1]; --j) {
                (raw[j], raw[j - 1]) = (raw[j - 1], raw[j]);
            }
        }
        uint256[] memory normalized = _normalize(raw);
        for (uint256 i; i < next.length; ++i) {
            next[i].power = normalized[i];
        }
        uint256 nonce = bridge.valsetNonce() + 1;
        uint256 bitmap = signerSeed % 2 == 0 ? _fewestSigners(set) : signerSeed & _allSigners(set);
        IPegBridge.ValsetSignatures memory sigs = _signed(set, bitmap, _valsetDigest(bridge, nonce, next));
        try bridge.updateValsetPowers(nonce, _powersBytes(next), sigs) {
            bytes32 id = keccak256(abi.encode("valset", nonce));
            if (executed[id]) doubleExecution = true;
            executed[id] = true;
            if (_powerOf(set, bitmap) < PegHashes.POWER_THRESHOLD) underpoweredSuccess = true;
            ++valsetUpdates;
            delete current;
            for (uint256 i; i < next.length; ++i) {
                current.push(next[i]);
            }
        } catch {}
    }

    function claim(uint256 who, uint256 tokenSeed) external {
        address account = receiver(who % RECEIVERS);
        address token = [address(0), address(plain), address(blk), address(cosmos)][tokenSeed % 4];
        uint256 amount = bridge.claimable(token, account);
        if (amount == 0) return;
        // Claim to a pool address that is not blacklisted (the pool is what the ghost measures).
        address to = account;
        for (uint256 i; i < RECEIVERS && token == address(blk) && blk.blacklisted(to); ++i) {
            to = receiver(i);
        }
        if (token == address(blk) && blk.blacklisted(to)) return;
        uint256 before = token == address(cosmos) ? cosmos.totalSupply() : _recipients(token);
        vm.prank(account);
        bridge.claimTo(token, to);
        if (token == address(cosmos)) {
            minted += cosmos.totalSupply() - before;
        } else {
            received[token] += _recipients(token) - before;
        }
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 2 days));
    }
}

/// @title PegBridgeInvariantTest
/// @notice The invariants of issue 3: escrow covers locked minus unlocked for every token;
/// CosmosERC20 supply equals minted minus burned; no batch or valset executes twice; nothing moves
/// without more than 2/3 of the stored valset's power.
contract PegBridgeInvariantTest is Test {
    PegBridgeHandler internal handler;

    function setUp() public {
        handler = new PegBridgeHandler();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = PegBridgeHandler.lockEth.selector;
        selectors[1] = PegBridgeHandler.lockToken.selector;
        selectors[2] = PegBridgeHandler.burnCosmos.selector;
        selectors[3] = PegBridgeHandler.setBlacklisted.selector;
        selectors[4] = PegBridgeHandler.submitBatch.selector;
        selectors[5] = PegBridgeHandler.forgeBatch.selector;
        selectors[6] = PegBridgeHandler.updateValset.selector;
        selectors[7] = PegBridgeHandler.claim.selector;
        selectors[8] = PegBridgeHandler.warp.selector;
        selectors[9] = PegBridgeHandler.repowerValset.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function _balance(address token, address account) internal view returns (uint256) {
        return token == address(0) ? account.balance : MockERC20(token).balanceOf(account);
    }

    /// @notice For each token, the bridge holds exactly what was locked minus what its recipients
    /// received, and that covers every credited (claimable) balance.
    function invariant_escrowCoversLockedMinusUnlocked() public view {
        PegBridge bridge = handler.bridge();
        address[3] memory tokens = handler.tokens();
        for (uint256 t; t < tokens.length; ++t) {
            address token = tokens[t];
            uint256 escrow = _balance(token, address(bridge));
            vm.assertGe(handler.locked(token), handler.received(token), "never more out than in");
            vm.assertEq(escrow, handler.locked(token) - handler.received(token), "escrow = locked - unlocked");
            uint256 credited;
            for (uint256 i; i < 8; ++i) {
                credited += bridge.claimable(token, handler.receiver(i));
            }
            credited += bridge.claimable(token, address(0x4E1A7E4));
            vm.assertGe(escrow, credited, "credited balances are covered");
        }
    }

    /// @notice CosmosERC20 supply equals minted minus burned.
    function invariant_cosmosSupplyIsMintedMinusBurned() public view {
        vm.assertEq(handler.cosmos().totalSupply(), handler.minted() - handler.burned(), "supply");
    }

    /// @notice No batch or valset nonce executes twice.
    function invariant_noDoubleExecution() public view {
        vm.assertFalse(handler.doubleExecution(), "a batch or valset executed twice");
    }

    /// @notice Every accepted checkpoint carried at least the threshold of the stored valset's power;
    /// forgeries by outsiders are always refused.
    function invariant_nothingMovesWithoutSupermajority() public view {
        vm.assertFalse(handler.underpoweredSuccess(), "a checkpoint passed without > 2/3 of the power");
    }

    /// @notice The handler's actions do reach the bridge (the invariants are not vacuous): a signed
    /// batch and a valset rotation execute, a replay and a forgery are refused.
    function testHandlerExercisesEveryPath() public {
        handler.lockEth(5 ether);
        handler.lockToken(1e24, false);
        handler.submitBatch(0, 3, 0, 7, false); // ETH, fewest signers
        handler.submitBatch(1, 2, 0, 8, false); // plain token
        handler.submitBatch(3, 2, 0, 9, false); // CosmosERC20 mint
        vm.assertEq(handler.batches(), 3, "batches executed");
        handler.submitBatch(0, 1, 0, 7, true); // replay of the last ETH nonce
        vm.assertEq(handler.batches(), 3, "replay refused");
        handler.forgeBatch(1, 1 ether);
        vm.assertEq(handler.refusedForgeries(), 2, "forgeries refused");
        handler.updateValset(5, 0, false);
        vm.assertEq(handler.valsetUpdates(), 1, "valset rotated");
        handler.repowerValset(3, 0);
        vm.assertEq(handler.valsetUpdates(), 2, "valset repowered");
        handler.submitBatch(0, 1, 0, 11, false); // signed by the new valset
        vm.assertEq(handler.batches(), 4, "new valset signs");
        invariant_escrowCoversLockedMinusUnlocked();
        invariant_cosmosSupplyIsMintedMinusBurned();
    }

    /// @notice The event nonce counts every learnable event.
    function invariant_eventNonceIsSequential() public view {
        vm.assertGe(handler.bridge().eventNonce(), handler.batches() + handler.valsetUpdates() + 1, "event nonce");
    }
}
