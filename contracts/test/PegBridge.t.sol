// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {PegTest} from "./utils/PegTest.sol";
import {Vm} from "./utils/Vm.sol";
import {PegBridge} from "../src/PegBridge.sol";
import {CosmosERC20} from "../src/CosmosERC20.sol";
import {IPegBridge} from "../src/interfaces/IPegBridge.sol";
import {PegHashes} from "../src/libraries/PegHashes.sol";
import {MockERC20} from "./mocks/MockERC20.sol";
import {
    FeeOnTransferToken,
    BlacklistToken,
    NoReturnToken,
    ReturnsFalseToken,
    ReentrantToken,
    ReentrancyHook,
    GasGuzzler,
    EthRefuser
} from "./mocks/AdversarialTokens.sol";

/// @title PegBridgeTest
/// @notice Unit tests of every function and revert path of {PegBridge}, with real secp256k1
/// signatures (`vm.sign`). Fuzz tests are in `PegBridge.fuzz.t.sol`, invariants in `invariant/`.
contract PegBridgeTest is PegTest, ReentrancyHook {
    address internal constant GUARDIAN = address(0x6A4D);
    address internal constant USER = address(0xA11CE);
    address internal constant RELAYER = address(0x4E1A7E4);
    bytes20 internal constant RECEIVER = bytes20(uint160(0xC05305));

    PegBridge internal bridge;
    Validator[] internal set;
    MockERC20 internal token;

    // Reentrancy probe (see onTokenTransfer).
    bytes internal reentryCall;
    bool internal reentrySucceeded;
    bytes internal reentryError;
    bool internal reentryRethrow;

    function setUp() public {
        Validator[] memory initial = _equalValset(1, 4);
        for (uint256 i; i < initial.length; ++i) {
            set.push(initial[i]);
        }
        bridge = _deployBridge(GUARDIAN, 1, initial);
        token = new MockERC20("Token", "TKN");
        vm.deal(USER, 100 ether);
        token.mint(USER, 100 ether);
    }

    // ---------------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------------

    function _set() internal view returns (Validator[] memory out) {
        out = new Validator[](set.length);
        for (uint256 i; i < set.length; ++i) {
            out[i] = set[i];
        }
    }

    /// @dev Three of four equal validators: above 2/3.
    uint256 internal constant THREE_OF_FOUR = 0x7;

    function _update(uint256 nonce, Validator[] memory next, uint256 bitmap) internal {
        Validator[] memory current = _set();
        bridge.updateValset(nonce, _members(next), _signed(current, bitmap, _valsetDigest(bridge, nonce, next)));
    }

    function _submit(IPegBridge.Batch memory batch, uint256 bitmap) internal {
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, bitmap, _batchDigest(bridge, batch));
        vm.prank(RELAYER);
        bridge.submitBatch(batch, sigs);
    }

    function _oneTransfer(address token_, uint256 nonce, address receiver, uint256 amount, uint256 fee)
        internal
        view
        returns (IPegBridge.Batch memory batch)
    {
        batch = _makeBatch(token_, nonce, 1, amount, fee, 0);
        batch.receivers[0] = receiver;
    }

    function _lockToken(address token_, uint256 amount) internal {
        vm.startPrank(USER);
        MockERC20(token_).approve(address(bridge), amount);
        bridge.lock(token_, amount, RECEIVER);
        vm.stopPrank();
    }

    function _cosmos() internal returns (CosmosERC20) {
        return CosmosERC20(bridge.deployCosmosERC20("upeg", "Peg", "PEG", 6));
    }

    function _err(bytes4 selector) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector);
    }

    /// @inheritdoc ReentrancyHook
    function onTokenTransfer(address, address, uint256) external {
        if (reentryCall.length == 0) return;
        bytes memory data = reentryCall;
        reentryCall = "";
        (bool ok, bytes memory err) = address(bridge).call(data);
        reentrySucceeded = ok;
        reentryError = err;
        if (!ok && reentryRethrow) {
            assembly ("memory-safe") {
                revert(add(err, 0x20), mload(err))
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // constructor
    // ---------------------------------------------------------------------------------------------

    function testConstructorSetsState() public view {
        Validator[] memory initial = _set();
        assertState(initial);
    }

    function assertState(Validator[] memory initial) internal view {
        vm.assertEq(bridge.bridgeId(), BRIDGE_ID, "bridge id");
        vm.assertEq(bridge.guardian(), GUARDIAN, "guardian");
        vm.assertEq(bridge.valsetNonce(), 1, "valset nonce");
        vm.assertEq(bridge.eventNonce(), 0, "event nonce");
        vm.assertFalse(bridge.paused(), "not paused");
        vm.assertEq(bridge.valsetHash(), PegHashes.valsetHash(1, _addresses(initial), _powers(initial)), "valset hash");
        vm.assertEq(bridge.valsetMembersHash(), keccak256(abi.encodePacked(_members(initial))), "members hash");
        vm.assertEq(
            bridge.domainSeparator(),
            PegHashes.domainSeparator(block.chainid, address(bridge), BRIDGE_ID),
            "domain separator"
        );
        vm.assertEq(bridge.MAX_VALIDATORS(), 256, "max validators");
        vm.assertEq(bridge.POWER_THRESHOLD(), PegHashes.POWER_THRESHOLD, "threshold");
    }

    function testConstructorEmitsValsetUpdated() public {
        Validator[] memory initial = _equalValset(7, 5);
        vm.recordLogs();
        PegBridge b = _deployBridge(GUARDIAN, 9, initial);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1, "one log");
        vm.assertEq(logs[0].emitter, address(b), "emitter");
        vm.assertEq(logs[0].topics[0], IPegBridge.ValsetUpdated.selector, "topic0");
        vm.assertEq(logs[0].topics[1], bytes32(0), "event nonce 0");
        vm.assertEq(logs[0].topics[2], bytes32(uint256(9)), "valset nonce");
        vm.assertEq(logs[0].data, abi.encode(_members(initial)), "members");
    }

    function testConstructorAcceptsMaxSize() public {
        PegBridge b = _deployBridge(GUARDIAN, 1, _equalValset(3, 256));
        vm.assertEq(b.valsetNonce(), 1, "deployed");
    }

    function _construct(address[] memory validators, uint256[] memory powers, bytes memory expected) internal {
        vm.expectRevert(expected);
        new PegBridge(BRIDGE_ID, GUARDIAN, 1, validators, powers);
    }

    function testConstructorFailLengthMismatch() public {
        _construct(
            new address[](2), new uint256[](3), abi.encodeWithSelector(IPegBridge.ValsetLengthMismatch.selector, 2, 3)
        );
    }

    function testConstructorFailEmpty() public {
        _construct(new address[](0), new uint256[](0), _err(IPegBridge.EmptyValset.selector));
    }

    function testConstructorFailTooLarge() public {
        Validator[] memory big = _equalValset(3, 257);
        _construct(_addresses(big), _powers(big), abi.encodeWithSelector(IPegBridge.ValsetTooLarge.selector, 257, 256));
    }

    function testConstructorFailZeroValidator() public {
        Validator[] memory s = _set();
        address[] memory validators = _addresses(s);
        validators[0] = address(0);
        _construct(validators, _powers(s), abi.encodeWithSelector(IPegBridge.ZeroValidator.selector, 0));
    }

    function testConstructorFailZeroPower() public {
        Validator[] memory s = _set();
        uint256[] memory powers = _powers(s);
        powers[3] = 0;
        _construct(_addresses(s), powers, abi.encodeWithSelector(IPegBridge.ZeroPower.selector, 3));
    }

    function testConstructorFailNotOrderedByPower() public {
        Validator[] memory s = _set();
        uint256[] memory powers = _powers(s);
        powers[2] += 1; // now above its predecessor
        _construct(_addresses(s), powers, abi.encodeWithSelector(IPegBridge.ValsetNotOrdered.selector, 2));
    }

    function testConstructorFailNotOrderedByAddress() public {
        Validator[] memory s = _set();
        address[] memory validators = _addresses(s);
        (validators[1], validators[2]) = (validators[2], validators[1]);
        _construct(validators, _powers(s), abi.encodeWithSelector(IPegBridge.ValsetNotOrdered.selector, 2));
    }

    function testConstructorFailDuplicateValidator() public {
        Validator[] memory s = _set();
        address[] memory validators = _addresses(s);
        validators[1] = validators[0];
        _construct(validators, _powers(s), abi.encodeWithSelector(IPegBridge.ValsetNotOrdered.selector, 1));
    }

    function testConstructorFailPowerAboveTotal() public {
        address[] memory validators = new address[](1);
        validators[0] = address(0x1234);
        uint256[] memory powers = new uint256[](1);
        powers[0] = (1 << 32) + 1;
        _construct(
            validators, powers, abi.encodeWithSelector(IPegBridge.ValsetPowerOverflow.selector, 0, (1 << 32) + 1)
        );
    }

    function testConstructorFailTotalAboveTotalPower() public {
        Validator[] memory s = _set();
        uint256[] memory powers = _powers(s);
        powers[0] += 1;
        // (1 << 30) + 1 at index 0 keeps the order; the sum reaches 2^32 + 1 at the last member.
        _construct(
            _addresses(s), powers, abi.encodeWithSelector(IPegBridge.ValsetPowerOverflow.selector, 3, (1 << 32) + 1)
        );
    }

    function testConstructorFailPowerTooLow() public {
        Validator[] memory s = _set();
        uint256[] memory powers = _powers(s);
        powers[3] = 1; // total = 3 * 2^30 + 1, still above the threshold
        powers[2] = 1;
        powers[1] = 1; // 2^30 + 3: below
        _construct(
            _addresses(s),
            powers,
            abi.encodeWithSelector(IPegBridge.ValsetPowerTooLow.selector, (1 << 30) + 3, PegHashes.POWER_THRESHOLD)
        );
    }

    function testConstructorFailNonceTooLarge() public {
        Validator[] memory s = _set();
        vm.expectRevert(
            abi.encodeWithSelector(IPegBridge.ValsetNonceTooLarge.selector, uint256(1) << 64, type(uint64).max)
        );
        new PegBridge(BRIDGE_ID, GUARDIAN, uint256(1) << 64, _addresses(s), _powers(s));
    }

    function testDomainSeparatorFollowsChainId() public {
        bytes32 before = bridge.domainSeparator();
        vm.chainId(5);
        bytes32 forked = bridge.domainSeparator();
        vm.assertTrue(forked != before, "separator changes with the chain id");
        vm.assertEq(forked, PegHashes.domainSeparator(5, address(bridge), BRIDGE_ID), "recomputed");
    }

    // ---------------------------------------------------------------------------------------------
    // lockEth / lock
    // ---------------------------------------------------------------------------------------------

    function testLockEth() public {
        vm.expectEmit(address(bridge));
        emit IPegBridge.Locked(1, address(0), USER, RECEIVER, 1 ether);
        vm.prank(USER);
        bridge.lockEth{value: 1 ether}(RECEIVER);
        vm.assertEq(address(bridge).balance, 1 ether, "bridge holds the ETH");
        vm.assertEq(bridge.eventNonce(), 1, "event nonce");
    }

    function testLockEthFailZeroAmount() public {
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.ZeroAmount.selector, address(0)));
        vm.prank(USER);
        bridge.lockEth(RECEIVER);
    }

    function testLockEthFailPaused() public {
        vm.prank(GUARDIAN);
        bridge.pause();
        vm.expectRevert(_err(IPegBridge.BridgePaused.selector));
        vm.prank(USER);
        bridge.lockEth{value: 1}(RECEIVER);
    }

    function testLockErc20() public {
        vm.startPrank(USER);
        token.approve(address(bridge), 5 ether);
        vm.expectEmit(address(bridge));
        emit IPegBridge.Locked(1, address(token), USER, RECEIVER, 5 ether);
        bridge.lock(address(token), 5 ether, RECEIVER);
        vm.stopPrank();
        vm.assertEq(token.balanceOf(address(bridge)), 5 ether, "escrowed");
        vm.assertEq(token.balanceOf(USER), 95 ether, "debited");
    }

    function testLockEventNoncesAreSequential() public {
        vm.startPrank(USER);
        bridge.lockEth{value: 1}(RECEIVER);
        token.approve(address(bridge), 1);
        bridge.lock(address(token), 1, RECEIVER);
        vm.stopPrank();
        bridge.deployCosmosERC20("uatom", "Atom", "ATOM", 6);
        vm.assertEq(bridge.eventNonce(), 3, "three events");
    }

    function testLockFailEthAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.InvalidLockToken.selector, address(0)));
        bridge.lock(address(0), 1, RECEIVER);
    }

    function testLockFailCosmosToken() public {
        CosmosERC20 cosmos = _cosmos();
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.InvalidLockToken.selector, address(cosmos)));
        bridge.lock(address(cosmos), 1, RECEIVER);
    }

    function testLockFailZeroAmount() public {
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.ZeroAmount.selector, address(token)));
        vm.prank(USER);
        bridge.lock(address(token), 0, RECEIVER);
    }

    function testLockFailPaused() public {
        vm.prank(GUARDIAN);
        bridge.pause();
        vm.expectRevert(_err(IPegBridge.BridgePaused.selector));
        vm.prank(USER);
        bridge.lock(address(token), 1, RECEIVER);
    }

    function testLockFailNoAllowance() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(bridge), 0, 1 ether)
        );
        vm.prank(USER);
        bridge.lock(address(token), 1 ether, RECEIVER);
    }

    function testLockFailTokenWithoutCode() public {
        address eoa = address(0xE0A);
        vm.expectRevert();
        vm.prank(USER);
        bridge.lock(eoa, 1, RECEIVER);
    }

    function testLockFeeOnTransferCreditsReceived() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(USER, 100 ether);
        vm.startPrank(USER);
        fee.approve(address(bridge), 10 ether);
        vm.expectEmit(address(bridge));
        emit IPegBridge.Locked(1, address(fee), USER, RECEIVER, 9.9 ether);
        bridge.lock(address(fee), 10 ether, RECEIVER);
        vm.stopPrank();
        vm.assertEq(fee.balanceOf(address(bridge)), 9.9 ether, "bridge got 99%");
    }

    function testLockNoReturnToken() public {
        NoReturnToken usdt = new NoReturnToken();
        usdt.mint(USER, 100);
        vm.startPrank(USER);
        usdt.approve(address(bridge), 40);
        bridge.lock(address(usdt), 40, RECEIVER);
        vm.stopPrank();
        vm.assertEq(usdt.balanceOf(address(bridge)), 40, "escrowed");
    }

    function testLockFailReturnsFalseToken() public {
        ReturnsFalseToken falsy = new ReturnsFalseToken();
        falsy.mint(USER, 100);
        // No allowance: the token returns false instead of reverting; SafeERC20 turns it into a revert.
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falsy)));
        vm.prank(USER);
        bridge.lock(address(falsy), 40, RECEIVER);
    }

    function testLockFailReentrantToken() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(USER, 100);
        re.mint(address(this), 100);
        re.approve(address(bridge), 100);
        re.setHook(address(this));
        // During USER's lock, the hook tries to lock again: the guard refuses, the whole lock reverts.
        reentryCall = abi.encodeCall(PegBridge.lock, (address(re), 10, RECEIVER));
        reentryRethrow = true;
        vm.startPrank(USER);
        re.approve(address(bridge), 10);
        vm.expectRevert(_err(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        bridge.lock(address(re), 10, RECEIVER);
        vm.stopPrank();
        vm.assertEq(bridge.eventNonce(), 0, "nothing locked");
    }

    // ---------------------------------------------------------------------------------------------
    // burn / deployCosmosERC20
    // ---------------------------------------------------------------------------------------------

    function testDeployCosmosERC20() public {
        address expected = vm.computeCreateAddress(address(bridge), vm.getNonce(address(bridge)));
        vm.expectEmit(address(bridge));
        emit IPegBridge.TokenDeployed(1, expected, "uatom", "Cosmos Atom", "ATOM", 6);
        CosmosERC20 cosmos = CosmosERC20(bridge.deployCosmosERC20("uatom", "Cosmos Atom", "ATOM", 6));
        vm.assertEq(address(cosmos), expected, "address");
        vm.assertTrue(bridge.isCosmosToken(address(cosmos)), "registered");
        vm.assertEq(cosmos.denom(), "uatom", "denom");
        vm.assertEq(cosmos.name(), "Cosmos Atom", "name");
        vm.assertEq(cosmos.symbol(), "ATOM", "symbol");
        vm.assertEq(cosmos.decimals(), 6, "decimals");
        vm.assertEq(cosmos.bridge(), address(bridge), "bridge");
        vm.assertEq(cosmos.totalSupply(), 0, "no supply");
    }

    function testDeployCosmosERC20FailPaused() public {
        vm.prank(GUARDIAN);
        bridge.pause();
        vm.expectRevert(_err(IPegBridge.BridgePaused.selector));
        bridge.deployCosmosERC20("uatom", "Atom", "ATOM", 6);
    }

    function _mintCosmos(CosmosERC20 cosmos, address to, uint256 amount) internal {
        vm.prank(address(bridge));
        cosmos.mint(to, amount);
    }

    function testBurn() public {
        CosmosERC20 cosmos = _cosmos();
        _mintCosmos(cosmos, USER, 10e6);
        vm.expectEmit(address(bridge));
        emit IPegBridge.Burned(2, address(cosmos), USER, RECEIVER, 4e6);
        vm.prank(USER);
        bridge.burn(address(cosmos), 4e6, RECEIVER);
        vm.assertEq(cosmos.balanceOf(USER), 6e6, "burned from the caller");
        vm.assertEq(cosmos.totalSupply(), 6e6, "supply");
    }

    function testBurnFailNotCosmosToken() public {
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.NotCosmosToken.selector, address(token)));
        vm.prank(USER);
        bridge.burn(address(token), 1, RECEIVER);
    }

    function testBurnFailZeroAmount() public {
        CosmosERC20 cosmos = _cosmos();
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.ZeroAmount.selector, address(cosmos)));
        vm.prank(USER);
        bridge.burn(address(cosmos), 0, RECEIVER);
    }

    function testBurnFailPaused() public {
        CosmosERC20 cosmos = _cosmos();
        vm.prank(GUARDIAN);
        bridge.pause();
        vm.expectRevert(_err(IPegBridge.BridgePaused.selector));
        vm.prank(USER);
        bridge.burn(address(cosmos), 1, RECEIVER);
    }

    function testBurnFailInsufficientBalance() public {
        CosmosERC20 cosmos = _cosmos();
        _mintCosmos(cosmos, USER, 1);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, USER, 1, 2));
        vm.prank(USER);
        bridge.burn(address(cosmos), 2, RECEIVER);
    }

    // ---------------------------------------------------------------------------------------------
    // updateValset
    // ---------------------------------------------------------------------------------------------

    function testUpdateValset() public {
        Validator[] memory next = _equalValset(2, 5);
        vm.recordLogs();
        _update(2, next, THREE_OF_FOUR);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1, "one log");
        vm.assertEq(logs[0].topics[0], IPegBridge.ValsetUpdated.selector, "topic0");
        vm.assertEq(logs[0].topics[1], bytes32(uint256(1)), "event nonce");
        vm.assertEq(logs[0].topics[2], bytes32(uint256(2)), "valset nonce");
        vm.assertEq(logs[0].data, abi.encode(_members(next)), "members");
        vm.assertEq(bridge.valsetNonce(), 2, "nonce");
        vm.assertEq(bridge.valsetHash(), PegHashes.valsetHash(2, _addresses(next), _powers(next)), "hash");
        vm.assertEq(bridge.valsetMembersHash(), keccak256(abi.encodePacked(_members(next))), "members hash");
        vm.assertEq(bridge.eventNonce(), 1, "event nonce");
    }

    function testUpdateValsetWithReferences() public {
        Validator[] memory current = _set();
        // Keep three validators (new powers), replace one.
        uint256[] memory raw = new uint256[](4);
        raw[0] = 40;
        raw[1] = 30;
        raw[2] = 20;
        raw[3] = 10;
        Validator[] memory next = _makeValset(1, raw);
        next[3] = Validator({key: _key(99, 0), addr: vm.addr(_key(99, 0)), power: next[3].power});
        _sortValset(next);
        bytes32[] memory entries = _entries(current, next);
        uint256 references;
        for (uint256 i; i < entries.length; ++i) {
            if (uint256(entries[i]) & (1 << 95) != 0) ++references;
        }
        vm.assertEq(references, 3, "three references");
        vm.recordLogs();
        bridge.updateValset(2, entries, _signed(current, THREE_OF_FOUR, _valsetDigest(bridge, 2, next)));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs[0].data, abi.encode(_members(next)), "event carries the expanded members");
        vm.assertEq(bridge.valsetHash(), PegHashes.valsetHash(2, _addresses(next), _powers(next)), "hash");
    }

    function testUpdateValsetSkipsNonces() public {
        _update(10, _equalValset(2, 3), THREE_OF_FOUR);
        vm.assertEq(bridge.valsetNonce(), 10, "nonce jumped");
    }

    function testUpdateValsetChained() public {
        Validator[] memory next = _equalValset(2, 3);
        _update(2, next, THREE_OF_FOUR);
        delete set;
        for (uint256 i; i < next.length; ++i) {
            set.push(next[i]);
        }
        // The new set (3 equal validators: 3 of 3 needed) signs the following update.
        _update(3, _equalValset(3, 6), 0x7);
        vm.assertEq(bridge.valsetNonce(), 3, "second update");
        vm.assertEq(bridge.eventNonce(), 2, "two events");
    }

    function testUpdateValsetMaxSizeUsesBit255() public {
        Validator[] memory big = _equalValset(8, 256);
        PegBridge b = _deployBridge(GUARDIAN, 1, big);
        Validator[] memory next = _equalValset(9, 3);
        // The last 171 validators (bits 85..255): just above 2/3 of 256 equal powers.
        uint256 bitmap = type(uint256).max << 85;
        vm.assertGe(_powerOf(big, bitmap), PegHashes.POWER_THRESHOLD, "enough power");
        b.updateValset(2, _members(next), _signed(big, bitmap, _valsetDigest(b, 2, next)));
        vm.assertEq(b.valsetNonce(), 2, "updated");
    }

    function testUpdateValsetWorksWhilePaused() public {
        vm.prank(GUARDIAN);
        bridge.pause();
        _update(2, _equalValset(2, 4), THREE_OF_FOUR);
        vm.assertEq(bridge.valsetNonce(), 2, "updated while paused");
    }

    function testUpdateValsetFailStaleNonce() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, _valsetDigest(bridge, 1, next));
        bytes32[] memory members = _members(next);
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.StaleValsetNonce.selector, 1, 1));
        bridge.updateValset(1, members, sigs);
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.StaleValsetNonce.selector, 0, 1));
        bridge.updateValset(0, members, sigs);
    }

    function testUpdateValsetFailReplay() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, _valsetDigest(bridge, 2, next));
        bytes32[] memory members = _members(next);
        bridge.updateValset(2, members, sigs);
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.StaleValsetNonce.selector, 2, 2));
        bridge.updateValset(2, members, sigs);
    }

    function testUpdateValsetFailNonceTooLarge() public {
        uint256 nonce = uint256(1) << 64;
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.ValsetNonceTooLarge.selector, nonce, type(uint64).max));
        bridge.updateValset(nonce, _members(current), sigs);
    }

    /// @dev Submits `entries` as the new valset (signatures are irrelevant: validation comes first).
    function _updateEntries(bytes32[] memory entries, bytes memory expected) internal {
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, bytes32(0));
        vm.expectRevert(expected);
        bridge.updateValset(2, entries, sigs);
    }

    function testUpdateValsetFailEmpty() public {
        _updateEntries(new bytes32[](0), _err(IPegBridge.EmptyValset.selector));
    }

    function testUpdateValsetFailTooLarge() public {
        _updateEntries(
            _members(_equalValset(5, 257)), abi.encodeWithSelector(IPegBridge.ValsetTooLarge.selector, 257, 256)
        );
    }

    function testUpdateValsetFailZeroValidator() public {
        bytes32[] memory entries = _members(_set());
        entries[2] = bytes32(uint256(1 << 30));
        _updateEntries(entries, abi.encodeWithSelector(IPegBridge.ZeroValidator.selector, 2));
    }

    function testUpdateValsetFailZeroPower() public {
        bytes32[] memory entries = _members(_set());
        entries[3] = PegHashes.packMember(set[3].addr, 0);
        _updateEntries(entries, abi.encodeWithSelector(IPegBridge.ZeroPower.selector, 3));
    }

    function testUpdateValsetFailNotOrdered() public {
        bytes32[] memory entries = _members(_set());
        (entries[0], entries[1]) = (entries[1], entries[0]);
        _updateEntries(entries, abi.encodeWithSelector(IPegBridge.ValsetNotOrdered.selector, 1));
    }

    function testUpdateValsetFailDuplicate() public {
        bytes32[] memory entries = _members(_set());
        entries[3] = entries[2];
        _updateEntries(entries, abi.encodeWithSelector(IPegBridge.ValsetNotOrdered.selector, 3));
    }

    function testUpdateValsetFailPowerAboveTotal() public {
        bytes32[] memory entries = new bytes32[](1);
        entries[0] = PegHashes.packMember(address(0x1234), (1 << 32) + 1);
        _updateEntries(entries, abi.encodeWithSelector(IPegBridge.ValsetPowerOverflow.selector, 0, (1 << 32) + 1));
    }

    function testUpdateValsetFailTotalAboveTotalPower() public {
        Validator[] memory s = _set();
        s[0].power += 1;
        _updateEntries(_members(s), abi.encodeWithSelector(IPegBridge.ValsetPowerOverflow.selector, 3, (1 << 32) + 1));
    }

    function testUpdateValsetFailPowerTooLow() public {
        Validator[] memory s = _set();
        s[3].power = 1;
        s[2].power = 1;
        s[1].power = 1;
        _updateEntries(
            _members(s),
            abi.encodeWithSelector(IPegBridge.ValsetPowerTooLow.selector, (1 << 30) + 3, PegHashes.POWER_THRESHOLD)
        );
    }

    function testUpdateValsetFailInvalidMemberReference() public {
        bytes32[] memory entries = _members(_set());
        entries[1] = bytes32((uint256(4) << 96) | (1 << 95) | (1 << 30));
        _updateEntries(entries, abi.encodeWithSelector(IPegBridge.InvalidMemberReference.selector, 1, 4));
    }

    function testUpdateValsetFailReferenceBreaksOrder() public {
        // Entry 1 references member 0 again: a duplicate address.
        bytes32[] memory entries = _entries(_set(), _set());
        entries[1] = bytes32((uint256(0) << 96) | (1 << 95) | (1 << 30));
        _updateEntries(entries, abi.encodeWithSelector(IPegBridge.ValsetNotOrdered.selector, 1));
    }

    function testUpdateValsetFailMembersMismatch() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory impostors = _equalValset(66, 4);
        IPegBridge.ValsetSignatures memory sigs = _signed(impostors, 0xf, _valsetDigest(bridge, 2, next));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPegBridge.ValsetMembersMismatch.selector,
                keccak256(abi.encodePacked(_members(impostors))),
                bridge.valsetMembersHash()
            )
        );
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailOldValsetAfterRotation() public {
        Validator[] memory old = _set();
        _update(2, _equalValset(2, 4), THREE_OF_FOUR);
        Validator[] memory next = _equalValset(3, 4);
        IPegBridge.ValsetSignatures memory sigs = _signed(old, 0xf, _valsetDigest(bridge, 3, next));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPegBridge.ValsetMembersMismatch.selector,
                keccak256(abi.encodePacked(_members(old))),
                bridge.valsetMembersHash()
            )
        );
        bridge.updateValset(3, _members(next), sigs);
    }

    function testUpdateValsetFailSignerOutOfRange() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, _valsetDigest(bridge, 2, next));
        sigs.signers = THREE_OF_FOUR | (1 << 4);
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.SignerOutOfRange.selector, sigs.signers, 4));
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailSignaturesTooShort() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, 0x3, _valsetDigest(bridge, 2, next));
        sigs.signers = THREE_OF_FOUR; // claims three signers, carries two signatures
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.SignaturesLengthMismatch.selector, 128, 192));
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailSignaturesTooLong() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, 0xf, _valsetDigest(bridge, 2, next));
        sigs.signers = THREE_OF_FOUR; // four signatures for three bits
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.SignaturesLengthMismatch.selector, 256, 192));
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailInsufficientPower() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, 0x5, _valsetDigest(bridge, 2, next));
        vm.expectRevert(
            abi.encodeWithSelector(IPegBridge.InsufficientPower.selector, 1 << 31, PegHashes.POWER_THRESHOLD)
        );
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailNoSigners() public {
        Validator[] memory next = _equalValset(2, 4);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), 0, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.InsufficientPower.selector, 0, PegHashes.POWER_THRESHOLD));
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailHighS() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        bytes32 digest = _valsetDigest(bridge, 2, next);
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, digest);
        // Signature 1 gets s = n/2 + 1, the smallest high s (its malleable twin is rarely encodable in
        // the compact form, whose top bit is the parity).
        (, bytes32 r,) = vm.sign(current[1].key, digest);
        bytes32 vs = bytes32(uint256(0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A1));
        bytes memory sig = sigs.signatures;
        assembly ("memory-safe") {
            mstore(add(sig, 0x60), r)
            mstore(add(sig, 0x80), vs)
        }
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.InvalidSignature.selector, 1));
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailUnrecoverableSignature() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, _valsetDigest(bridge, 2, next));
        bytes memory sig = sigs.signatures;
        assembly ("memory-safe") {
            mstore(add(sig, 0xa0), 0) // r of signature 2 = 0: ecrecover fails
        }
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.InvalidSignature.selector, 2));
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailSignerMismatch() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        bytes32 digest = _valsetDigest(bridge, 2, next);
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, digest);
        // Signature 0 by validator 3 instead of validator 0.
        bytes memory other = _signCompact(current[3].key, digest);
        bytes memory sig = sigs.signatures;
        for (uint256 i; i < 64; ++i) {
            sig[i] = other[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.SignerMismatch.selector, 0, current[3].addr, current[0].addr));
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailWrongDigest() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        // Signed for nonce 3, submitted as nonce 2: every signature recovers to some other address.
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, _valsetDigest(bridge, 3, next));
        vm.expectRevert();
        bridge.updateValset(2, _members(next), sigs);
        vm.assertEq(bridge.valsetNonce(), 1, "unchanged");
    }

    function testUpdateValsetFailSignedForAnotherChain() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        bytes32 otherDomain = PegHashes.domainSeparator(1, address(bridge), BRIDGE_ID);
        bytes32 digest =
            PegHashes.typedDataDigest(otherDomain, PegHashes.valsetHash(2, _addresses(next), _powers(next)));
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, digest);
        vm.expectRevert();
        bridge.updateValset(2, _members(next), sigs);
    }

    function testUpdateValsetFailSignedForAnotherBridgeId() public {
        Validator[] memory next = _equalValset(2, 4);
        Validator[] memory current = _set();
        bytes32 otherDomain = PegHashes.domainSeparator(block.chainid, address(bridge), keccak256("other zone"));
        bytes32 digest =
            PegHashes.typedDataDigest(otherDomain, PegHashes.valsetHash(2, _addresses(next), _powers(next)));
        IPegBridge.ValsetSignatures memory sigs = _signed(current, THREE_OF_FOUR, digest);
        vm.expectRevert();
        bridge.updateValset(2, _members(next), sigs);
    }

    // ---------------------------------------------------------------------------------------------
    // updateValsetPowers
    // ---------------------------------------------------------------------------------------------

    /// @dev The current validators with powers `p0..p3` (raw, normalized to 2^32 by the caller).
    function _repowered(uint256 p0, uint256 p1, uint256 p2, uint256 p3)
        internal
        view
        returns (Validator[] memory next)
    {
        next = _set();
        next[0].power = p0;
        next[1].power = p1;
        next[2].power = p2;
        next[3].power = p3;
    }

    function _updatePowers(uint256 nonce, Validator[] memory next, uint256 bitmap) internal {
        Validator[] memory current = _set();
        bridge.updateValsetPowers(
            nonce, _powersBytes(next), _signed(current, bitmap, _valsetDigest(bridge, nonce, next))
        );
    }

    function testUpdateValsetPowers() public {
        Validator[] memory next = _repowered(1 << 31, 1 << 30, 1 << 29, 1 << 29);
        vm.recordLogs();
        _updatePowers(2, next, THREE_OF_FOUR);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1, "one log");
        vm.assertEq(logs[0].topics[0], IPegBridge.ValsetUpdated.selector, "topic0");
        vm.assertEq(logs[0].data, abi.encode(_members(next)), "members");
        vm.assertEq(bridge.valsetHash(), PegHashes.valsetHash(2, _addresses(next), _powers(next)), "hash");
        vm.assertEq(bridge.valsetMembersHash(), keccak256(abi.encodePacked(_members(next))), "members hash");
        vm.assertEq(bridge.valsetNonce(), 2, "nonce");
        vm.assertEq(bridge.eventNonce(), 1, "event nonce");
        // The new powers sign the next update: validator 0 alone (2^31) is not enough, with 1 it is.
        delete set;
        for (uint256 i; i < next.length; ++i) {
            set.push(next[i]);
        }
        Validator[] memory after_ = _repowered(1 << 30, 1 << 30, 1 << 30, 1 << 30);
        Validator[] memory current = _set();
        IPegBridge.ValsetSignatures memory sigs = _signed(current, 0x1, _valsetDigest(bridge, 3, after_));
        vm.expectRevert(
            abi.encodeWithSelector(IPegBridge.InsufficientPower.selector, 1 << 31, PegHashes.POWER_THRESHOLD)
        );
        bridge.updateValsetPowers(3, _powersBytes(after_), sigs);
        _updatePowers(3, after_, 0x3);
        vm.assertEq(bridge.valsetNonce(), 3, "second update");
    }

    function testUpdateValsetPowersSameValsetNewNonce() public {
        _updatePowers(2, _set(), THREE_OF_FOUR);
        vm.assertEq(bridge.valsetNonce(), 2, "re-checkpointed");
    }

    function _updatePowersFails(bytes memory powers, bytes memory expected) internal {
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, bytes32(0));
        vm.expectRevert(expected);
        bridge.updateValsetPowers(2, powers, sigs);
    }

    function testUpdateValsetPowersFailLengthMismatch() public {
        _updatePowersFails(new bytes(19), abi.encodeWithSelector(IPegBridge.PowersLengthMismatch.selector, 19, 20));
    }

    function testUpdateValsetPowersFailNotOrdered() public {
        _updatePowersFails(
            _powersBytes(_repowered(1 << 29, 1 << 31, 1 << 30, 1 << 29)),
            abi.encodeWithSelector(IPegBridge.ValsetNotOrdered.selector, 1)
        );
    }

    function testUpdateValsetPowersFailZeroPower() public {
        _updatePowersFails(
            _powersBytes(_repowered(1 << 31, 1 << 31, 0, 0)), abi.encodeWithSelector(IPegBridge.ZeroPower.selector, 2)
        );
    }

    function testUpdateValsetPowersFailPowerAboveTotal() public {
        _updatePowersFails(
            _powersBytes(_repowered((1 << 32) + 1, 1, 1, 1)),
            abi.encodeWithSelector(IPegBridge.ValsetPowerOverflow.selector, 0, (1 << 32) + 1)
        );
    }

    function testUpdateValsetPowersFailTotalAboveTotalPower() public {
        _updatePowersFails(
            _powersBytes(_repowered(1 << 31, 1 << 31, 1, 1)),
            abi.encodeWithSelector(IPegBridge.ValsetPowerOverflow.selector, 2, (1 << 32) + 1)
        );
    }

    function testUpdateValsetPowersFailPowerTooLow() public {
        _updatePowersFails(
            _powersBytes(_repowered(4, 3, 2, 1)),
            abi.encodeWithSelector(IPegBridge.ValsetPowerTooLow.selector, 10, PegHashes.POWER_THRESHOLD)
        );
    }

    function testUpdateValsetPowersFailEmpty() public {
        IPegBridge.ValsetSignatures memory sigs;
        vm.expectRevert(_err(IPegBridge.EmptyValset.selector));
        bridge.updateValsetPowers(2, "", sigs);
    }

    function testUpdateValsetPowersFailStaleNonce() public {
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.StaleValsetNonce.selector, 1, 1));
        bridge.updateValsetPowers(1, _powersBytes(_set()), sigs);
    }

    function testUpdateValsetPowersFailMembersMismatch() public {
        Validator[] memory impostors = _equalValset(66, 4);
        IPegBridge.ValsetSignatures memory sigs = _signed(impostors, 0xf, _valsetDigest(bridge, 2, impostors));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPegBridge.ValsetMembersMismatch.selector,
                keccak256(abi.encodePacked(_members(impostors))),
                bridge.valsetMembersHash()
            )
        );
        bridge.updateValsetPowers(2, _powersBytes(impostors), sigs);
    }

    function testUpdateValsetPowersFailInsufficientPower() public {
        Validator[] memory next = _repowered(1 << 31, 1 << 30, 1 << 29, 1 << 29);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), 0x3, _valsetDigest(bridge, 2, next));
        vm.expectRevert(
            abi.encodeWithSelector(IPegBridge.InsufficientPower.selector, 1 << 31, PegHashes.POWER_THRESHOLD)
        );
        bridge.updateValsetPowers(2, _powersBytes(next), sigs);
    }

    // ---------------------------------------------------------------------------------------------
    // submitBatch
    // ---------------------------------------------------------------------------------------------

    function testSubmitBatchUnlocksEth() public {
        vm.prank(USER);
        bridge.lockEth{value: 10 ether}(RECEIVER);
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 3, 1 ether, 0.1 ether, 7);
        vm.expectEmit(address(bridge));
        emit IPegBridge.BatchExecuted(2, address(0), 1);
        _submit(batch, THREE_OF_FOUR);
        for (uint256 i; i < 3; ++i) {
            vm.assertEq(batch.receivers[i].balance, 1 ether, "receiver paid");
        }
        vm.assertEq(RELAYER.balance, 0.3 ether, "fees to the relayer");
        vm.assertEq(address(bridge).balance, 6.7 ether, "escrow reduced");
        vm.assertEq(bridge.lastBatchNonce(address(0)), 1, "batch nonce");
    }

    function testSubmitBatchUnlocksErc20() public {
        _lockToken(address(token), 50 ether);
        IPegBridge.Batch memory batch = _makeBatch(address(token), 5, 4, 2 ether, 0.5 ether, 1);
        _submit(batch, 0xe); // validators 1, 2, 3
        for (uint256 i; i < 4; ++i) {
            vm.assertEq(token.balanceOf(batch.receivers[i]), 2 ether, "receiver paid");
        }
        vm.assertEq(token.balanceOf(RELAYER), 2 ether, "fees");
        vm.assertEq(token.balanceOf(address(bridge)), 40 ether, "escrow");
        vm.assertEq(bridge.lastBatchNonce(address(token)), 5, "batch nonce");
        vm.assertEq(bridge.eventNonce(), 2, "event nonce");
    }

    function testSubmitBatchMintsCosmosToken() public {
        CosmosERC20 cosmos = _cosmos();
        IPegBridge.Batch memory batch = _makeBatch(address(cosmos), 1, 2, 3e6, 1e5, 2);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(cosmos.balanceOf(batch.receivers[0]), 3e6, "minted");
        vm.assertEq(cosmos.balanceOf(RELAYER), 2e5, "fees minted");
        vm.assertEq(cosmos.totalSupply(), 6.2e6, "supply");
    }

    function testSubmitBatchNoncesArePerToken() public {
        vm.prank(USER);
        bridge.lockEth{value: 1 ether}(RECEIVER);
        _lockToken(address(token), 1 ether);
        _submit(_makeBatch(address(0), 7, 1, 1, 0, 0), THREE_OF_FOUR);
        _submit(_makeBatch(address(token), 1, 1, 1, 0, 0), THREE_OF_FOUR);
        vm.assertEq(bridge.lastBatchNonce(address(0)), 7, "eth nonce");
        vm.assertEq(bridge.lastBatchNonce(address(token)), 1, "token nonce");
    }

    function testSubmitBatchSkipsZeroAmounts() public {
        _lockToken(address(token), 1 ether);
        IPegBridge.Batch memory batch = _makeBatch(address(token), 1, 2, 0, 0, 3);
        vm.recordLogs();
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(vm.getRecordedLogs().length, 1, "only BatchExecuted: no transfer, no credit");
    }

    function testSubmitBatchFailPaused() public {
        vm.prank(GUARDIAN);
        bridge.pause();
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 1, 1, 0, 0);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, batch));
        vm.expectRevert(_err(IPegBridge.BridgePaused.selector));
        bridge.submitBatch(batch, sigs);
    }

    function testSubmitBatchFailLengthMismatch() public {
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 2, 1, 0, 0);
        batch.fees = new uint256[](1);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, batch));
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.BatchLengthMismatch.selector, 2, 2, 1));
        bridge.submitBatch(batch, sigs);
    }

    function testSubmitBatchFailTimedOut() public {
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 1, 1, 0, 0);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, batch));
        vm.warp(batch.timeout);
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.BatchTimedOut.selector, batch.timeout, batch.timeout));
        bridge.submitBatch(batch, sigs);
    }

    function testSubmitBatchFailStaleNonce() public {
        vm.prank(USER);
        bridge.lockEth{value: 1 ether}(RECEIVER);
        IPegBridge.Batch memory batch = _makeBatch(address(0), 3, 1, 1, 0, 0);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, batch));
        bridge.submitBatch(batch, sigs);
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.StaleBatchNonce.selector, address(0), 3, 3));
        bridge.submitBatch(batch, sigs);
        IPegBridge.Batch memory older = _makeBatch(address(0), 2, 1, 1, 0, 0);
        IPegBridge.ValsetSignatures memory olderSigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, older));
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.StaleBatchNonce.selector, address(0), 2, 3));
        bridge.submitBatch(older, olderSigs);
    }

    function testSubmitBatchFailInsufficientPower() public {
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 1, 1, 0, 0);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), 0x9, _batchDigest(bridge, batch));
        vm.expectRevert(
            abi.encodeWithSelector(IPegBridge.InsufficientPower.selector, 1 << 31, PegHashes.POWER_THRESHOLD)
        );
        bridge.submitBatch(batch, sigs);
    }

    function testSubmitBatchFailTamperedAmount() public {
        vm.prank(USER);
        bridge.lockEth{value: 10 ether}(RECEIVER);
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 1, 1 ether, 0, 0);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, batch));
        batch.amounts[0] = 9 ether;
        vm.expectRevert();
        bridge.submitBatch(batch, sigs);
    }

    function testSubmitBatchFailInsufficientTransferGas() public {
        vm.prank(USER);
        bridge.lockEth{value: 1 ether}(RECEIVER);
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 1, 1, 0, 0);
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, batch));
        vm.expectPartialRevert(IPegBridge.InsufficientTransferGas.selector);
        bridge.submitBatch{gas: 60_000}(batch, sigs);
    }

    function testSubmitBatchBlacklistedReceiverIsCredited() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(USER, 100);
        _lockToken(address(blk), 100);
        IPegBridge.Batch memory batch = _makeBatch(address(blk), 1, 3, 10, 1, 4);
        blk.setBlacklisted(batch.receivers[1], true);
        vm.expectEmit(address(bridge));
        emit IPegBridge.TransferCredited(address(blk), batch.receivers[1], 10);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(blk.balanceOf(batch.receivers[0]), 10, "first paid");
        vm.assertEq(blk.balanceOf(batch.receivers[2]), 10, "third paid");
        vm.assertEq(bridge.claimable(address(blk), batch.receivers[1]), 10, "second credited");
        vm.assertEq(blk.balanceOf(address(bridge)), 100 - 20 - 3, "credited amount stays in escrow");
        // The blacklisted receiver claims to another address.
        address other = address(0x0123);
        vm.prank(batch.receivers[1]);
        bridge.claimTo(address(blk), other);
        vm.assertEq(blk.balanceOf(other), 10, "claimed elsewhere");
        vm.assertEq(bridge.claimable(address(blk), batch.receivers[1]), 0, "cleared");
    }

    function testSubmitBatchReturnsFalseIsCredited() public {
        ReturnsFalseToken falsy = new ReturnsFalseToken();
        falsy.mint(address(bridge), 100);
        IPegBridge.Batch memory batch = _makeBatch(address(falsy), 1, 2, 10, 0, 5);
        falsy.setRefusing(batch.receivers[0], true);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(falsy.balanceOf(batch.receivers[1]), 10, "second paid");
        vm.assertEq(bridge.claimable(address(falsy), batch.receivers[0]), 10, "first credited");
        vm.assertEq(falsy.balanceOf(address(bridge)), 90, "escrow");
    }

    function testSubmitBatchNoReturnTokenPays() public {
        NoReturnToken usdt = new NoReturnToken();
        usdt.mint(address(bridge), 100);
        IPegBridge.Batch memory batch = _makeBatch(address(usdt), 1, 2, 10, 1, 6);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(usdt.balanceOf(batch.receivers[0]), 10, "paid");
        vm.assertEq(usdt.balanceOf(RELAYER), 2, "fees");
        vm.assertEq(bridge.claimable(address(usdt), batch.receivers[0]), 0, "nothing credited");
    }

    function testSubmitBatchInsufficientEscrowIsCredited() public {
        NoReturnToken usdt = new NoReturnToken();
        usdt.mint(address(bridge), 5);
        IPegBridge.Batch memory batch = _makeBatch(address(usdt), 1, 1, 10, 0, 8);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(bridge.claimable(address(usdt), batch.receivers[0]), 10, "credited");
    }

    function testSubmitBatchTokenWithoutCodeIsCredited() public {
        address ghost = address(0x60057);
        IPegBridge.Batch memory batch = _makeBatch(ghost, 1, 1, 10, 0, 9);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(bridge.claimable(ghost, batch.receivers[0]), 10, "credited, not silently lost");
    }

    function testSubmitBatchEthRefuserAndGasGuzzlerAreCredited() public {
        vm.prank(USER);
        bridge.lockEth{value: 10 ether}(RECEIVER);
        IPegBridge.Batch memory batch = _makeBatch(address(0), 1, 3, 1 ether, 0, 10);
        batch.receivers[0] = address(new EthRefuser());
        batch.receivers[1] = address(new GasGuzzler());
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(bridge.claimable(address(0), batch.receivers[0]), 1 ether, "refuser credited");
        vm.assertEq(bridge.claimable(address(0), batch.receivers[1]), 1 ether, "guzzler credited");
        vm.assertEq(batch.receivers[2].balance, 1 ether, "third paid");
    }

    function testSubmitBatchFailedFeeIsCreditedToRelayer() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(address(bridge), 100);
        blk.setBlacklisted(RELAYER, true);
        IPegBridge.Batch memory batch = _makeBatch(address(blk), 1, 1, 10, 3, 11);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(bridge.claimable(address(blk), RELAYER), 3, "fee credited");
    }

    function testSubmitBatchReentrantTokenCannotReenter() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(address(bridge), 100);
        re.setHook(address(this));
        IPegBridge.Batch memory batch = _makeBatch(address(re), 1, 1, 10, 0, 12);
        // The hook tries to submit the same batch again from inside the transfer: the guard refuses.
        IPegBridge.ValsetSignatures memory sigs = _signed(_set(), THREE_OF_FOUR, _batchDigest(bridge, batch));
        reentryCall = abi.encodeCall(PegBridge.submitBatch, (batch, sigs));
        vm.prank(RELAYER);
        bridge.submitBatch(batch, sigs);
        vm.assertFalse(reentrySucceeded, "re-entry refused");
        vm.assertEq(reentryError, _err(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector), "guard error");
        vm.assertEq(re.balanceOf(batch.receivers[0]), 10, "paid once");
        vm.assertEq(bridge.lastBatchNonce(address(re)), 1, "executed once");
        vm.assertEq(bridge.eventNonce(), 1, "one BatchExecuted");
    }

    function testSubmitBatchReentrantTokenFailureIsCredited() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(address(bridge), 100);
        re.setHook(address(this));
        IPegBridge.Batch memory batch = _makeBatch(address(re), 1, 1, 10, 0, 12);
        // The hook re-enters (claim) and, refused, makes the token transfer revert: credited.
        reentryCall = abi.encodeCall(PegBridge.claim, (address(re)));
        reentryRethrow = true;
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(bridge.claimable(address(re), batch.receivers[0]), 10, "credited");
        vm.assertEq(re.balanceOf(address(bridge)), 100, "escrow intact");
    }

    // ---------------------------------------------------------------------------------------------
    // claim
    // ---------------------------------------------------------------------------------------------

    function _creditEthTo(address receiver) internal {
        vm.prank(USER);
        bridge.lockEth{value: 1 ether}(RECEIVER);
        IPegBridge.Batch memory batch =
            _oneTransfer(address(0), bridge.lastBatchNonce(address(0)) + 1, receiver, 1 ether, 0);
        _submit(batch, THREE_OF_FOUR);
    }

    function testClaimEth() public {
        EthRefuser refuser = new EthRefuser();
        _creditEthTo(address(refuser));
        vm.assertEq(bridge.claimable(address(0), address(refuser)), 1 ether, "credited");
        address to = address(0xBEEF5);
        vm.expectEmit(address(bridge));
        emit IPegBridge.Claimed(address(0), address(refuser), 1 ether);
        vm.prank(address(refuser));
        bridge.claimTo(address(0), to);
        vm.assertEq(to.balance, 1 ether, "claimed");
        vm.assertEq(bridge.claimable(address(0), address(refuser)), 0, "cleared");
    }

    function testClaimFailEthRefused() public {
        EthRefuser refuser = new EthRefuser();
        _creditEthTo(address(refuser));
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.EthTransferFailed.selector, address(refuser), 1 ether));
        vm.prank(address(refuser));
        bridge.claim(address(0));
    }

    function testSubmitBatchMintToZeroAddressIsCredited() public {
        CosmosERC20 cosmos = _cosmos();
        // ERC20._mint refuses the zero address: the batch goes through and the amount is credited.
        IPegBridge.Batch memory batch = _oneTransfer(address(cosmos), 1, address(0), 5, 0);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(bridge.claimable(address(cosmos), address(0)), 5, "credited to the zero address");
        vm.assertEq(cosmos.totalSupply(), 0, "nothing minted");
    }

    function testClaimErc20() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(address(bridge), 100);
        address receiver = address(0xCAFE);
        blk.setBlacklisted(receiver, true);
        _submit(_oneTransfer(address(blk), 1, receiver, 7, 0), THREE_OF_FOUR);
        blk.setBlacklisted(receiver, false);
        vm.prank(receiver);
        bridge.claim(address(blk));
        vm.assertEq(blk.balanceOf(receiver), 7, "claimed");
    }

    function testClaimCosmosTokenMints() public {
        CosmosERC20 cosmos = _cosmos();
        // Make a receiver's mint fail: the total supply would exceed 2^256 - 1.
        _submit(_oneTransfer(address(cosmos), 1, address(0xAAAA), type(uint256).max, 0), THREE_OF_FOUR);
        IPegBridge.Batch memory batch = _oneTransfer(address(cosmos), 2, address(0xBBBB), 10, 0);
        _submit(batch, THREE_OF_FOUR);
        vm.assertEq(bridge.claimable(address(cosmos), address(0xBBBB)), 10, "overflowing mint credited");
        // Burn the huge balance, then the claim can mint.
        vm.prank(address(0xAAAA));
        bridge.burn(address(cosmos), type(uint256).max, RECEIVER);
        vm.prank(address(0xBBBB));
        bridge.claim(address(cosmos));
        vm.assertEq(cosmos.balanceOf(address(0xBBBB)), 10, "claimed by minting");
    }

    function testClaimFailNothingToClaim() public {
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.NothingToClaim.selector, address(token), USER));
        vm.prank(USER);
        bridge.claim(address(token));
    }

    function testClaimFailPaused() public {
        vm.prank(GUARDIAN);
        bridge.pause();
        vm.expectRevert(_err(IPegBridge.BridgePaused.selector));
        vm.prank(USER);
        bridge.claim(address(token));
    }

    // ---------------------------------------------------------------------------------------------
    // guardian
    // ---------------------------------------------------------------------------------------------

    function testPauseAndUnpause() public {
        vm.expectEmit(address(bridge));
        emit IPegBridge.Paused(GUARDIAN);
        vm.prank(GUARDIAN);
        bridge.pause();
        vm.assertTrue(bridge.paused(), "paused");
        vm.expectEmit(address(bridge));
        emit IPegBridge.Unpaused(GUARDIAN);
        vm.prank(GUARDIAN);
        bridge.unpause();
        vm.assertFalse(bridge.paused(), "unpaused");
        vm.prank(USER);
        bridge.lockEth{value: 1}(RECEIVER);
    }

    function testPauseFailNotGuardian() public {
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.NotGuardian.selector, USER, GUARDIAN));
        vm.prank(USER);
        bridge.pause();
    }

    function testUnpauseFailNotGuardian() public {
        vm.prank(GUARDIAN);
        bridge.pause();
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.NotGuardian.selector, USER, GUARDIAN));
        vm.prank(USER);
        bridge.unpause();
    }

    function testPauseFailAlreadyPaused() public {
        vm.startPrank(GUARDIAN);
        bridge.pause();
        vm.expectRevert(_err(IPegBridge.BridgePaused.selector));
        bridge.pause();
        vm.stopPrank();
    }

    function testUnpauseFailNotPaused() public {
        vm.expectRevert(_err(IPegBridge.BridgeNotPaused.selector));
        vm.prank(GUARDIAN);
        bridge.unpause();
    }

    function testPauseFailWithoutGuardian() public {
        PegBridge unguarded = _deployBridge(address(0), 1, _set());
        vm.expectRevert(abi.encodeWithSelector(IPegBridge.NotGuardian.selector, USER, address(0)));
        vm.prank(USER);
        unguarded.pause();
    }
}
