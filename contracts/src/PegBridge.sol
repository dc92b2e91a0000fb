// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IPegBridge} from "./interfaces/IPegBridge.sol";
import {CosmosERC20} from "./CosmosERC20.sol";
import {PegHashes} from "./libraries/PegHashes.sol";

/// @title PegBridge
/// @notice The Ethereum end of the peg zone's two-way peg (specs/contracts.md).
///
/// Inbound (Ethereum → peg zone): {lockEth}, {lock}, {burn} and {deployCosmosERC20} emit events with
/// one sequential `eventNonce`; the peg zone proves them with its Ethereum light client.
///
/// Outbound (peg zone → Ethereum): {updateValset} and {submitBatch} are accepted under EIP-712
/// signatures of more than 2/3 of the normalized power of the current valset. Only hashes of the
/// valset are stored; callers pass the valset in calldata (§8.2).
///
/// IMPORTANT: the guardian can only pause and unpause; it cannot move funds or change the valset.
/// Valset updates stay open while paused so that Ethereum keeps tracking the peg zone's validators.
contract PegBridge is IPegBridge, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Largest valset: the signer bitmap is one 256-bit word.
    uint256 public constant MAX_VALIDATORS = 256;

    /// @notice `PegHashes.POWER_THRESHOLD`, exposed for relayers.
    uint256 public constant POWER_THRESHOLD = PegHashes.POWER_THRESHOLD;

    /// @notice Gas forwarded to each ETH transfer of a batch (enough for smart-contract wallets).
    uint256 public constant ETH_TRANSFER_GAS = 50_000;

    /// @notice Gas forwarded to each token call (transfer / mint) of a batch.
    uint256 public constant TOKEN_TRANSFER_GAS = 150_000;

    /// @dev Gas the caller itself may spend on one transfer's CALL (cold account, value transfer, new
    /// account), on top of what it forwards.
    uint256 private constant CALL_OVERHEAD_GAS = 40_000;

    /// @dev Bit 95 of a new-valset entry marks a reference to a current member (§8.3).
    uint256 private constant REFERENCE_FLAG = 1 << 95;

    /// @dev `secp256k1n / 2`: the largest accepted `s` (EIP-2).
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    // ---------------------------------------------------------------------------------------------
    // Storage (specs/contracts.md §8.4). Slot 0 packs the hot counters so that a lock touches one slot.
    // ---------------------------------------------------------------------------------------------

    /// @dev Slot 0: last emitted learnable event nonce.
    uint64 private _eventNonce;
    /// @dev Slot 0: nonce of the current valset.
    uint64 private _valsetNonce;
    /// @dev Slot 0: the pause flag.
    bool private _paused;

    /// @inheritdoc IPegBridge
    bytes32 public valsetHash;

    /// @inheritdoc IPegBridge
    bytes32 public valsetMembersHash;

    /// @inheritdoc IPegBridge
    mapping(address token => uint256) public lastBatchNonce;

    /// @inheritdoc IPegBridge
    mapping(address token => mapping(address receiver => uint256)) public claimable;

    /// @inheritdoc IPegBridge
    mapping(address token => bool) public isCosmosToken;

    /// @inheritdoc IPegBridge
    bytes32 public immutable bridgeId;

    /// @inheritdoc IPegBridge
    address public immutable guardian;

    uint256 private immutable _cachedChainId;
    bytes32 private immutable _cachedDomainSeparator;

    /// @param bridgeId_ The peg zone's bridge id (EIP-712 domain salt), fixed for the bridge's life.
    /// @param guardian_ The account that may pause and unpause; `address(0)` for none.
    /// @param valsetNonce_ Nonce of the first valset (the one the peg zone's genesis committed to).
    /// @param validators First valset's Ethereum addresses, in valset order.
    /// @param powers First valset's normalized powers (§1).
    constructor(
        bytes32 bridgeId_,
        address guardian_,
        uint256 valsetNonce_,
        address[] memory validators,
        uint256[] memory powers
    ) {
        if (validators.length != powers.length) {
            revert ValsetLengthMismatch(validators.length, powers.length);
        }
        if (valsetNonce_ > type(uint64).max) revert ValsetNonceTooLarge(valsetNonce_, type(uint64).max);
        _validateValset(validators, powers);
        bytes32[] memory members = _packValset(validators, powers);
        bytes32 hash = PegHashes.valsetHash(valsetNonce_, validators, powers);

        bridgeId = bridgeId_;
        guardian = guardian_;
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = PegHashes.domainSeparator(block.chainid, address(this), bridgeId_);

        valsetHash = hash;
        valsetMembersHash = keccak256(abi.encodePacked(members));
        // Checked above: valsetNonce_ <= type(uint64).max.
        // forge-lint: disable-next-line(unsafe-typecast)
        _valsetNonce = uint64(valsetNonce_);
        emit ValsetUpdated(0, valsetNonce_, members);
    }

    modifier whenNotPaused() {
        if (_paused) revert BridgePaused();
        _;
    }

    modifier onlyGuardian() {
        if (msg.sender != guardian) revert NotGuardian(msg.sender, guardian);
        _;
    }

    // ---------------------------------------------------------------------------------------------
    // Ethereum → peg zone
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IPegBridge
    /// @dev No external call, so no reentrancy guard is needed.
    function lockEth(bytes20 receiver) external payable whenNotPaused {
        if (msg.value == 0) revert ZeroAmount(address(0));
        emit Locked(_nextEventNonce(), address(0), msg.sender, receiver, msg.value);
    }

    /// @inheritdoc IPegBridge
    /// @dev The credited amount is the bridge's balance change, measured around `transferFrom` under
    /// the reentrancy guard, so a fee-on-transfer token is credited what arrived and a re-entrant
    /// token cannot double count.
    function lock(address token, uint256 amount, bytes20 receiver) external nonReentrant whenNotPaused {
        if (token == address(0) || isCosmosToken[token]) revert InvalidLockToken(token);
        if (amount == 0) revert ZeroAmount(token);
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 balanceAfter = IERC20(token).balanceOf(address(this));
        if (balanceAfter <= balanceBefore) revert ZeroAmount(token);
        unchecked {
            emit Locked(_nextEventNonce(), token, msg.sender, receiver, balanceAfter - balanceBefore);
        }
    }

    /// @inheritdoc IPegBridge
    /// @dev {CosmosERC20-burn} is this bridge's own code (no hooks), so no reentrancy guard is needed.
    function burn(address token, uint256 amount, bytes20 receiver) external whenNotPaused {
        if (!isCosmosToken[token]) revert NotCosmosToken(token);
        if (amount == 0) revert ZeroAmount(token);
        CosmosERC20(token).burn(msg.sender, amount);
        emit Burned(_nextEventNonce(), token, msg.sender, receiver, amount);
    }

    /// @inheritdoc IPegBridge
    function deployCosmosERC20(string calldata denom, string calldata name, string calldata symbol, uint8 decimals)
        external
        whenNotPaused
        returns (address token)
    {
        token = address(new CosmosERC20(denom, name, symbol, decimals));
        isCosmosToken[token] = true;
        emit TokenDeployed(_nextEventNonce(), token, denom, name, symbol, decimals);
    }

    // ---------------------------------------------------------------------------------------------
    // Peg zone → Ethereum
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IPegBridge
    /// @dev Checks, in order: nonce strictly increasing; the new valset well formed (§3); the current
    /// valset matches the stored members hash and signed the new valset's digest with more than 2/3
    /// of the power. `newEntries` may reference members of `current.members` (§8.3).
    function updateValset(uint256 newValsetNonce, bytes32[] calldata newEntries, ValsetSignatures calldata current)
        external
    {
        _checkValsetNonce(newValsetNonce);
        uint256 count = newEntries.length;
        if (count == 0) revert EmptyValset();
        if (count > MAX_VALIDATORS) revert ValsetTooLarge(count, MAX_VALIDATORS);
        (uint256 total, bool bad) = _expandEntries(newEntries, current.members);
        if (bad || total > PegHashes.TOTAL_POWER) _revertInvalidEntry(newEntries, current.members);
        if (total < PegHashes.POWER_THRESHOLD) revert ValsetPowerTooLow(total, PegHashes.POWER_THRESHOLD);
        _commitValset(newValsetNonce, count, current);
    }

    /// @inheritdoc IPegBridge
    /// @dev The same checks as {updateValset}; the new valset is `current.members` with the powers
    /// replaced (§8.3), so the order rule still applies to the new powers.
    function updateValsetPowers(uint256 newValsetNonce, bytes calldata newPowers, ValsetSignatures calldata current)
        external
    {
        _checkValsetNonce(newValsetNonce);
        bytes32[] calldata members = current.members;
        uint256 count = members.length;
        if (count == 0) revert EmptyValset();
        if (count > MAX_VALIDATORS) revert ValsetTooLarge(count, MAX_VALIDATORS);
        if (newPowers.length != count * 5) revert PowersLengthMismatch(newPowers.length, count * 5);
        (uint256 total, bool bad) = _repowerMembers(newPowers, members);
        if (bad || total > PegHashes.TOTAL_POWER) _revertInvalidPowers(newPowers, members);
        if (total < PegHashes.POWER_THRESHOLD) revert ValsetPowerTooLow(total, PegHashes.POWER_THRESHOLD);
        _commitValset(newValsetNonce, count, current);
    }

    /// @inheritdoc IPegBridge
    /// @dev State (batch nonce, event nonce) is updated before any transfer. Each transfer gets a fixed
    /// gas allowance and the call reverts if that allowance cannot be given in full, so a failing
    /// transfer is the receiver's or token's doing, never the relayer's.
    function submitBatch(Batch calldata batch, ValsetSignatures calldata current) external nonReentrant whenNotPaused {
        address token = batch.token;
        uint256 count = batch.receivers.length;
        if (batch.amounts.length != count || batch.fees.length != count) {
            revert BatchLengthMismatch(count, batch.amounts.length, batch.fees.length);
        }
        // The timeout is an Ethereum timestamp by design (§4); proposers can shift it by seconds only.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= batch.timeout) revert BatchTimedOut(batch.timeout, block.timestamp);
        uint256 batchNonce = batch.batchNonce;
        uint256 lastNonce = lastBatchNonce[token];
        if (batchNonce <= lastNonce) revert StaleBatchNonce(token, batchNonce, lastNonce);

        _verifyCheckpoint(PegHashes.typedDataDigest(domainSeparator(), PegHashes.batchHashCalldata(batch)), current);

        lastBatchNonce[token] = batchNonce;
        emit BatchExecuted(_nextEventNonce(), token, batchNonce);

        bool mint = isCosmosToken[token];
        bool hasCode = token == address(0) || token.code.length != 0;
        uint256 totalFees;
        for (uint256 i; i < count;) {
            totalFees += batch.fees[i];
            _payOrCredit(token, mint, hasCode, batch.receivers[i], batch.amounts[i]);
            unchecked {
                ++i;
            }
        }
        _payOrCredit(token, mint, hasCode, msg.sender, totalFees);
    }

    /// @inheritdoc IPegBridge
    function claim(address token) external {
        claimTo(token, msg.sender);
    }

    /// @inheritdoc IPegBridge
    function claimTo(address token, address to) public nonReentrant whenNotPaused {
        uint256 amount = claimable[token][msg.sender];
        if (amount == 0) revert NothingToClaim(token, msg.sender);
        claimable[token][msg.sender] = 0;
        if (token == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert EthTransferFailed(to, amount);
        } else if (isCosmosToken[token]) {
            CosmosERC20(token).mint(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
        emit Claimed(token, msg.sender, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Guardian
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IPegBridge
    function pause() external onlyGuardian {
        if (_paused) revert BridgePaused();
        _paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IPegBridge
    function unpause() external onlyGuardian {
        if (!_paused) revert BridgeNotPaused();
        _paused = false;
        emit Unpaused(msg.sender);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IPegBridge
    function domainSeparator() public view returns (bytes32) {
        if (block.chainid == _cachedChainId) return _cachedDomainSeparator;
        return PegHashes.domainSeparator(block.chainid, address(this), bridgeId);
    }

    /// @inheritdoc IPegBridge
    function valsetNonce() external view returns (uint256) {
        return _valsetNonce;
    }

    /// @inheritdoc IPegBridge
    function eventNonce() external view returns (uint256) {
        return _eventNonce;
    }

    /// @inheritdoc IPegBridge
    function paused() external view returns (bool) {
        return _paused;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev Increments and returns the event nonce (§6).
    function _nextEventNonce() private returns (uint256 nonce) {
        unchecked {
            nonce = uint256(_eventNonce) + 1;
        }
        // 2^64 events cannot be paid for.
        // forge-lint: disable-next-line(unsafe-typecast)
        _eventNonce = uint64(nonce);
    }

    /// @dev Packs the constructor's (already validated) arrays into member words (§8.2).
    function _packValset(address[] memory validators, uint256[] memory powers)
        private
        pure
        returns (bytes32[] memory members)
    {
        uint256 count = validators.length;
        members = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            members[i] = PegHashes.packMember(validators[i], powers[i]);
        }
    }

    /// @dev The reference check of a valset against §3, used by the constructor: non-empty, at most
    /// {MAX_VALIDATORS}, no zero address or power, power descending then address strictly ascending,
    /// total in `[POWER_THRESHOLD, 2^32]`. {_expandEntries} is the calldata fast path of the
    /// same rules; the tests check that both accept and reject the same valsets.
    function _validateValset(address[] memory validators, uint256[] memory powers) private pure {
        uint256 count = validators.length;
        if (count == 0) revert EmptyValset();
        if (count > MAX_VALIDATORS) revert ValsetTooLarge(count, MAX_VALIDATORS);
        uint256 total;
        uint256 previousPower = type(uint256).max;
        address previousValidator;
        for (uint256 i; i < count; ++i) {
            address validator = validators[i];
            uint256 power = powers[i];
            if (validator == address(0)) revert ZeroValidator(i);
            if (power == 0) revert ZeroPower(i);
            if (power > PegHashes.TOTAL_POWER) revert ValsetPowerOverflow(i, power);
            if (power > previousPower || (power == previousPower && validator <= previousValidator)) {
                revert ValsetNotOrdered(i);
            }
            // At most 256 powers of at most 2^32 each: no overflow.
            total += power;
            if (total > PegHashes.TOTAL_POWER) revert ValsetPowerOverflow(i, total);
            previousPower = power;
            previousValidator = validator;
        }
        if (total < PegHashes.POWER_THRESHOLD) revert ValsetPowerTooLow(total, PegHashes.POWER_THRESHOLD);
    }

    /// @dev Refuses a valset nonce that is not above the current one or does not fit 64 bits.
    function _checkValsetNonce(uint256 newValsetNonce) private view {
        uint256 currentNonce = _valsetNonce;
        if (newValsetNonce <= currentNonce) revert StaleValsetNonce(newValsetNonce, currentNonce);
        if (newValsetNonce > type(uint64).max) revert ValsetNonceTooLarge(newValsetNonce, type(uint64).max);
    }

    /// @dev Second half of both valset updates, once {_expandEntries} or {_repowerMembers} has written
    /// the new valset (`count` members, already checked against §3) at the free memory pointer as
    /// `[0x20][count][words][addresses][powers]`: hashes it (EIP-712 for the digest, `keccak256` of the
    /// words for {valsetMembersHash}), verifies the checkpoint signed by `current`, stores the hashes
    /// and the nonce, and emits {ValsetUpdated} with the words.
    /// IMPORTANT: the new valset was built from `current.members` before they were checked against
    /// {valsetMembersHash}; {_verifyCheckpoint} checks them here, before anything is stored.
    function _commitValset(uint256 newValsetNonce, uint256 count, ValsetSignatures calldata current) private {
        bytes32 newHash;
        bytes32 newMembersHash;
        uint256 eventData;
        bytes32 typehash = PegHashes.VALSET_TYPEHASH;
        assembly ("memory-safe") {
            eventData := mload(0x40)
            let size := shl(5, count)
            let words := add(eventData, 0x40)
            let addrs := add(words, size)
            let pows := add(addrs, size)
            mstore(0x40, addrs) // keep the event data allocated; the rest is scratch
            newMembersHash := keccak256(words, size)
            let ptr := add(pows, size)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), newValsetNonce)
            mstore(add(ptr, 0x40), keccak256(addrs, size))
            mstore(add(ptr, 0x60), keccak256(pows, size))
            newHash := keccak256(ptr, 0x80)
        }

        _verifyCheckpoint(PegHashes.typedDataDigest(domainSeparator(), newHash), current);

        valsetHash = newHash;
        valsetMembersHash = newMembersHash;
        // Checked by {_checkValsetNonce}: newValsetNonce <= type(uint64).max.
        // forge-lint: disable-next-line(unsafe-typecast)
        _valsetNonce = uint64(newValsetNonce);
        _emitValsetUpdated(eventData, _nextEventNonce(), newValsetNonce);
    }

    /// @dev The loop of {updateValset}: expands the entries (§8.3) and writes `[0x20][count][words][addresses][powers]` at the free
    /// memory pointer (without allocating) and returns the total power and whether any entry broke a
    /// per-member rule (a reference out of range, a zero address or power, or the order). Branch-free:
    /// {_revertInvalidEntry} names the first offender on the cold path. A total above 2^32 (which any
    /// power above 2^32 causes) is the caller's check.
    function _expandEntries(bytes32[] calldata entries, bytes32[] calldata currentMembers)
        private
        pure
        returns (uint256 total, bool bad)
    {
        assembly ("memory-safe") {
            let size := shl(5, entries.length)
            let p := mload(0x40)
            mstore(p, 0x20)
            mstore(add(p, 0x20), entries.length)
            p := add(p, 0x40)
            let end := add(p, size)
            let size2 := shl(1, size)
            let src := entries.offset
            let previousKey := not(0)
            for {} lt(p, end) { p := add(p, 0x20) } {
                let w := calldataload(src)
                src := add(src, 0x20)
                if and(w, 0x800000000000000000000000) {
                    // An out-of-range reference reads some other word (or zero); it is flagged here.
                    bad := or(bad, iszero(lt(shr(96, w), currentMembers.length)))
                    w := or(
                        and(
                            calldataload(add(currentMembers.offset, shl(5, shr(96, w)))),
                            0xffffffffffffffffffffffffffffffffffffffff000000000000000000000000
                        ),
                        and(w, 0x7fffffffffffffffffffffff)
                    )
                }
                let power := and(w, 0xffffffffffffffffffffffff)
                let key := or(shl(160, power), xor(shr(96, w), 0xffffffffffffffffffffffffffffffffffffffff))
                total := add(total, power)
                bad := or(bad, or(iszero(lt(key, previousKey)), or(lt(w, 0x1000000000000000000000000), iszero(power))))
                previousKey := key
                mstore(p, w)
                mstore(add(p, size), shr(96, w))
                mstore(add(p, size2), power)
            }
        }
    }

    /// @dev The loop of {updateValsetPowers}: member `i` is `current.members[i]` with power
    /// `newPowers[5i .. 5i+5]` (big-endian); same layout, checks and results as {_expandEntries}.
    function _repowerMembers(bytes calldata newPowers, bytes32[] calldata members)
        private
        pure
        returns (uint256 total, bool bad)
    {
        assembly ("memory-safe") {
            let size := shl(5, members.length)
            let p := mload(0x40)
            mstore(p, 0x20)
            mstore(add(p, 0x20), members.length)
            p := add(p, 0x40)
            let end := add(p, size)
            let size2 := shl(1, size)
            let src := members.offset
            let pw := newPowers.offset
            let previousKey := not(0)
            for {} lt(p, end) { p := add(p, 0x20) } {
                let power := shr(216, calldataload(pw))
                pw := add(pw, 5)
                let w :=
                    or(
                        and(calldataload(src), 0xffffffffffffffffffffffffffffffffffffffff000000000000000000000000),
                        power
                    )
                src := add(src, 0x20)
                let key := or(shl(160, power), xor(shr(96, w), 0xffffffffffffffffffffffffffffffffffffffff))
                total := add(total, power)
                bad := or(bad, or(iszero(lt(key, previousKey)), or(lt(w, 0x1000000000000000000000000), iszero(power))))
                previousKey := key
                mstore(p, w)
                mstore(add(p, size), shr(96, w))
                mstore(add(p, size2), power)
            }
        }
    }

    /// @dev The member word of new-valset entry `index` (§8.3).
    function _expandEntry(bytes32[] calldata entries, bytes32[] calldata currentMembers, uint256 index)
        private
        pure
        returns (uint256 word)
    {
        word = uint256(entries[index]);
        if (word & REFERENCE_FLAG != 0) {
            uint256 ref = word >> 96;
            if (ref >= currentMembers.length) revert InvalidMemberReference(index, ref);
            word = (uint256(currentMembers[ref]) & ~PegHashes.MEMBER_POWER_MASK) | (word & (REFERENCE_FLAG - 1));
        }
    }

    /// @dev Cold path of {updateValset}: reverts with the error of the first entry that broke a rule.
    function _revertInvalidEntry(bytes32[] calldata entries, bytes32[] calldata currentMembers) private pure {
        uint256[] memory words = new uint256[](entries.length);
        for (uint256 i; i < entries.length; ++i) {
            words[i] = _expandEntry(entries, currentMembers, i);
        }
        _revertInvalidWords(words);
    }

    /// @dev Cold path of {updateValsetPowers}: reverts with the error of the first member that broke a
    /// rule.
    function _revertInvalidPowers(bytes calldata newPowers, bytes32[] calldata members) private pure {
        uint256[] memory words = new uint256[](members.length);
        for (uint256 i; i < members.length; ++i) {
            uint256 power = uint40(bytes5(newPowers[i * 5:i * 5 + 5]));
            words[i] = (uint256(members[i]) & ~PegHashes.MEMBER_POWER_MASK) | power;
        }
        _revertInvalidWords(words);
    }

    /// @dev Reverts with the §3 error of the first member word in `words` that breaks a rule.
    function _revertInvalidWords(uint256[] memory words) private pure {
        uint256 total;
        uint256 previousPower = type(uint256).max;
        address previousValidator;
        for (uint256 index; index < words.length; ++index) {
            (address validator, uint256 power) = PegHashes.unpackMember(bytes32(words[index]));
            if (validator == address(0)) revert ZeroValidator(index);
            if (power == 0) revert ZeroPower(index);
            if (power > PegHashes.TOTAL_POWER) revert ValsetPowerOverflow(index, power);
            if (power > previousPower || (power == previousPower && validator <= previousValidator)) {
                revert ValsetNotOrdered(index);
            }
            total += power;
            if (total > PegHashes.TOTAL_POWER) revert ValsetPowerOverflow(index, total);
            previousPower = power;
            previousValidator = validator;
        }
        // Unreachable when called after a loop reported a violation.
        revert ValsetPowerOverflow(words.length, total);
    }

    /// @dev Emits {ValsetUpdated} from the event data prepared by {_commitValset}.
    function _emitValsetUpdated(uint256 eventData, uint256 eventNonce_, uint256 valsetNonce_) private {
        bytes32 topic = ValsetUpdated.selector;
        assembly ("memory-safe") {
            log3(eventData, add(0x40, shl(5, mload(add(eventData, 0x20)))), topic, eventNonce_, valsetNonce_)
        }
    }

    /// @dev Verifies that `current.members` is the stored valset ({valsetMembersHash}) and that its
    /// signatures over `digest` carry at least {POWER_THRESHOLD} of normalized power (§5, §8.2).
    function _verifyCheckpoint(bytes32 digest, ValsetSignatures calldata current) private view {
        bytes32[] calldata members = current.members;
        bytes32 got;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := shl(5, members.length)
            calldatacopy(ptr, members.offset, size)
            got := keccak256(ptr, size)
        }
        bytes32 expected = valsetMembersHash;
        if (got != expected) revert ValsetMembersMismatch(got, expected);

        uint256 count = members.length;
        uint256 signers = current.signers;
        // `count <= 256` holds for any valset that matched the stored hash.
        if (count < 256 && signers >> count != 0) revert SignerOutOfRange(signers, count);

        bytes calldata signatures = current.signatures;
        (uint256 power, uint256 consumed, bool ok) = _signedPower(digest, members, signers, signatures);
        if (consumed != signatures.length) revert SignaturesLengthMismatch(signatures.length, consumed);
        if (!ok) _revertInvalidSignature(digest, members, signers, signatures);
        if (power < PegHashes.POWER_THRESHOLD) revert InsufficientPower(power, PegHashes.POWER_THRESHOLD);
    }

    /// @dev The hot loop: for each set bit `i` of `signers`, recovers the 64-byte EIP-2098 signature
    /// (`r ‖ yParity << 255 | s`) over `digest` and adds member `i`'s power. Branch-free checks: `ok`
    /// ends false if any `s` is high or any recovered address differs from its member's. `consumed` is
    /// the signature bytes read (64 per set bit); the caller compares it with `signatures.length`
    /// before trusting `ok`.
    /// The precompile's input is built in the fixed scratch area `0x00..0x80` (digest, v, r, s), which
    /// saves the pointer arithmetic; the free memory pointer (0x40) and the zero slot (0x60) are
    /// restored afterwards. The output overwrites the digest word, so the digest is re-stored each
    /// time; a failed recovery returns no data and leaves the digest there, which cannot equal a
    /// member's 160-bit address.
    function _signedPower(bytes32 digest, bytes32[] calldata members, uint256 signers, bytes calldata signatures)
        private
        view
        returns (uint256 power, uint256 consumed, bool ok)
    {
        assembly {
            let freeMemoryPointer := mload(0x40)
            ok := 1
            let sig := signatures.offset
            for { let member := members.offset } signers {
                member := add(member, 0x20)
                signers := shr(1, signers)
            } {
                if and(signers, 1) {
                    let vs := calldataload(add(sig, 0x20))
                    let s := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
                    mstore(0x00, digest)
                    mstore(0x20, add(27, shr(255, vs)))
                    mstore(0x40, calldataload(sig))
                    mstore(0x60, s)
                    sig := add(sig, 0x40)
                    pop(staticcall(gas(), 0x01, 0x00, 0x80, 0x00, 0x20))
                    let word := calldataload(member)
                    ok := and(
                        ok,
                        and(
                            eq(mload(0x00), shr(96, word)),
                            lt(s, 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A1)
                        )
                    )
                    power := add(power, and(word, 0xffffffffffffffffffffffff))
                }
            }
            consumed := sub(sig, signatures.offset)
            mstore(0x40, freeMemoryPointer)
            mstore(0x60, 0)
        }
    }

    /// @dev Cold path of {_verifyCheckpoint}: finds the first bad signature and reverts with
    /// {InvalidSignature} (high `s`, or nothing recovered) or {SignerMismatch}.
    function _revertInvalidSignature(
        bytes32 digest,
        bytes32[] calldata members,
        uint256 signers,
        bytes calldata signatures
    ) private pure {
        uint256 offset;
        for (uint256 i; signers != 0; ++i) {
            if (signers & 1 == 1) {
                bytes32 r = bytes32(signatures[offset:offset + 32]);
                uint256 vs = uint256(bytes32(signatures[offset + 32:offset + 64]));
                offset += 64;
                uint256 s = vs & ((1 << 255) - 1);
                if (s > HALF_CURVE_ORDER) revert InvalidSignature(i);
                // forge-lint: disable-next-line(unsafe-typecast)
                address recovered = ecrecover(digest, uint8(27 + (vs >> 255)), r, bytes32(s));
                if (recovered == address(0)) revert InvalidSignature(i);
                (address expected,) = PegHashes.unpackMember(members[i]);
                if (recovered != expected) revert SignerMismatch(i, recovered, expected);
            }
            signers >>= 1;
        }
    }

    /// @dev Sends `amount` of `token` to `to` (ETH for `address(0)`, a mint for a CosmosERC20, a
    /// `transfer` otherwise) with a fixed gas allowance; on any failure credits it to `to`'s claimable
    /// balance instead. A token call succeeds when it does not revert and returns nothing (USDT style,
    /// the token having code) or a 32-byte `true`.
    function _payOrCredit(address token, bool mint, bool hasCode, address to, uint256 amount) private {
        if (amount == 0) return;
        uint256 allowance = token == address(0) ? ETH_TRANSFER_GAS : TOKEN_TRANSFER_GAS;
        uint256 needed = allowance + allowance / 63 + CALL_OVERHEAD_GAS;
        if (gasleft() < needed) revert InsufficientTransferGas(gasleft(), needed);
        bool ok;
        if (token == address(0)) {
            assembly ("memory-safe") {
                ok := call(allowance, to, amount, 0, 0, 0, 0)
            }
        } else if (hasCode) {
            bytes4 selector = mint ? CosmosERC20.mint.selector : IERC20.transfer.selector;
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                mstore(ptr, selector)
                mstore(add(ptr, 0x04), to)
                mstore(add(ptr, 0x24), amount)
                mstore(0x00, 0)
                ok := call(allowance, token, 0, ptr, 0x44, 0x00, 0x20)
                // Success: no revert, and either no return data or a word equal to 1.
                ok := and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 31), eq(mload(0x00), 1))))
            }
        }
        if (!ok) {
            claimable[token][to] += amount;
            emit TransferCredited(token, to, amount);
        }
    }
}
