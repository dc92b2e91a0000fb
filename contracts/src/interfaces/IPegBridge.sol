// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IPegBridge
/// @notice The Ethereum side of the peg: lock / burn towards the peg zone, and valset updates and
/// batches signed by more than 2/3 of the peg zone validators' power coming back.
/// @dev The normative description (encodings, digests, calldata formats, storage) is
/// `specs/contracts.md`; section numbers below refer to it.
interface IPegBridge {
    // ------------------------------------------------------------------------------------------
    // Calldata types
    // ------------------------------------------------------------------------------------------

    /// @notice The current valset and the signatures of some of its members over one digest
    /// (specs/contracts.md §8.2).
    /// @dev `members[i] = bytes32(uint256(uint160(validator_i)) << 96 | normalizedPower_i)`, in valset
    /// order. Bit `i` of `signers` (least significant bit = index 0) is set when validator `i` signed;
    /// `signatures` holds one 64-byte EIP-2098 compact signature (`r ‖ yParity<<255 | s`) per set bit,
    /// in increasing index order.
    struct ValsetSignatures {
        bytes32[] members;
        uint256 signers;
        bytes signatures;
    }

    /// @notice An outbound batch for one token (specs/contracts.md §4).
    struct Batch {
        address token;
        uint256 batchNonce;
        uint256 timeout;
        address[] receivers;
        uint256[] amounts;
        uint256[] fees;
    }

    // ------------------------------------------------------------------------------------------
    // Events the peg zone learns (one sequential eventNonce across all of them, §6)
    // ------------------------------------------------------------------------------------------

    /// @notice `amount` of `token` (ETH: `address(0)`) was locked by `sender` for the peg zone
    /// account `receiver`. `amount` is the bridge's balance change.
    event Locked(
        uint256 indexed eventNonce, address indexed token, address indexed sender, bytes20 receiver, uint256 amount
    );

    /// @notice `amount` of the CosmosERC20 `token` was burned by `sender` for the peg zone account
    /// `receiver`.
    event Burned(
        uint256 indexed eventNonce, address indexed token, address indexed sender, bytes20 receiver, uint256 amount
    );

    /// @notice A CosmosERC20 representing the peg zone denom `denom` was deployed at `token`.
    event TokenDeployed(
        uint256 indexed eventNonce, address indexed token, string denom, string name, string symbol, uint8 decimals
    );

    /// @notice The valset with nonce `valsetNonce` is now the bridge's current valset. The constructor
    /// emits it with `eventNonce` 0 (informational; the first learnable event has nonce 1).
    /// @dev `members` is the whole new valset in the packed form of §8.2
    /// (`uint256(uint160(validator)) << 96 | normalizedPower`, valset order): exactly what the next
    /// {updateValset} / {submitBatch} must pass as `current.members`. Deviation from the first spec
    /// draft (two ABI arrays): the packed words halve the log cost (see specs/contracts.md §6).
    event ValsetUpdated(uint256 indexed eventNonce, uint256 indexed valsetNonce, bytes32[] members);

    /// @notice The batch `batchNonce` of `token` was executed.
    event BatchExecuted(uint256 indexed eventNonce, address indexed token, uint256 indexed batchNonce);

    // ------------------------------------------------------------------------------------------
    // Informational events (no eventNonce; the peg zone does not need them)
    // ------------------------------------------------------------------------------------------

    /// @notice A batch transfer (or the relayer fee) to `receiver` failed and was credited to its
    /// claimable balance instead; `receiver` can {claim} it.
    event TransferCredited(address indexed token, address indexed receiver, uint256 amount);

    /// @notice `receiver` claimed its credited balance of `token`.
    event Claimed(address indexed token, address indexed receiver, uint256 amount);

    /// @notice The guardian paused the bridge.
    event Paused(address indexed guardian);

    /// @notice The guardian unpaused the bridge.
    event Unpaused(address indexed guardian);

    // ------------------------------------------------------------------------------------------
    // Errors (each carries the offending values)
    // ------------------------------------------------------------------------------------------

    /// @notice The caller is not the guardian.
    error NotGuardian(address caller, address guardian);
    /// @notice The operation is refused while the bridge is paused.
    error BridgePaused();
    /// @notice `unpause` while not paused.
    error BridgeNotPaused();

    /// @notice Nothing was sent or received (zero `msg.value`, zero amount, or no balance change).
    error ZeroAmount(address token);
    /// @notice `lock` of `address(0)` (use {lockEth}) or of a CosmosERC20 (use {burn}).
    error InvalidLockToken(address token);
    /// @notice `burn` of a token this bridge did not deploy.
    error NotCosmosToken(address token);

    /// @notice Two arrays that must have one entry per validator differ in length.
    error ValsetLengthMismatch(uint256 validators, uint256 powers);
    /// @notice The valset has no member.
    error EmptyValset();
    /// @notice The valset has more than {MAX_VALIDATORS} members.
    error ValsetTooLarge(uint256 size, uint256 max);
    /// @notice Member `index` has the zero address.
    error ZeroValidator(uint256 index);
    /// @notice Member `index` has zero power.
    error ZeroPower(uint256 index);
    /// @notice Member `index` breaks the order (power descending, then address strictly ascending).
    error ValsetNotOrdered(uint256 index);
    /// @notice A power of member `index` exceeds 2^32, or the powers sum above 2^32.
    error ValsetPowerOverflow(uint256 index, uint256 total);
    /// @notice The valset's total power cannot reach the threshold.
    error ValsetPowerTooLow(uint256 total, uint256 threshold);
    /// @notice The new valset nonce is not above the current one.
    error StaleValsetNonce(uint256 got, uint256 current);
    /// @notice The valset nonce does not fit the 64-bit storage field.
    error ValsetNonceTooLarge(uint256 got, uint256 max);

    /// @notice The current valset passed in calldata does not hash to {valsetMembersHash}.
    error ValsetMembersMismatch(bytes32 got, bytes32 expected);
    /// @notice `updateValsetPowers` got `got` bytes of powers instead of 5 per current member.
    error PowersLengthMismatch(uint256 got, uint256 expected);
    /// @notice New-valset entry `index` references member `ref`, beyond the current valset.
    error InvalidMemberReference(uint256 index, uint256 ref);
    /// @notice `signers` has a bit set at or above the valset size.
    error SignerOutOfRange(uint256 signers, uint256 size);
    /// @notice `signatures` is not 64 bytes per set bit of `signers`.
    error SignaturesLengthMismatch(uint256 got, uint256 expected);
    /// @notice The signature of member `index` is malformed, has a high `s`, or recovers no address.
    error InvalidSignature(uint256 index);
    /// @notice The signature of member `index` recovers another address than the member's.
    error SignerMismatch(uint256 index, address recovered, address expected);
    /// @notice The valid signatures carry `power`, not more than 2/3 (`threshold`).
    error InsufficientPower(uint256 power, uint256 threshold);

    /// @notice The batch nonce is not above the token's last executed batch nonce.
    error StaleBatchNonce(address token, uint256 got, uint256 current);
    /// @notice The batch expired: `block.timestamp >= timeout`.
    error BatchTimedOut(uint256 timeout, uint256 timestamp);
    /// @notice `receivers`, `amounts` and `fees` have different lengths.
    error BatchLengthMismatch(uint256 receivers, uint256 amounts, uint256 fees);
    /// @notice Not enough gas left to give a batch transfer its full gas allowance (so that a relayer
    /// cannot make transfers fail on purpose by starving them).
    error InsufficientTransferGas(uint256 left, uint256 needed);

    /// @notice `claim` with nothing credited.
    error NothingToClaim(address token, address receiver);
    /// @notice Sending ETH to `to` failed in {claim}.
    error EthTransferFailed(address to, uint256 amount);

    // ------------------------------------------------------------------------------------------
    // Functions
    // ------------------------------------------------------------------------------------------

    /// @notice Locks `msg.value` ETH for the peg zone account `receiver`; emits {Locked} with token 0.
    function lockEth(bytes20 receiver) external payable;

    /// @notice Locks `amount` of the ERC-20 `token` (pulled with `transferFrom`; approve first) for
    /// `receiver`. The event carries the balance change, so fee-on-transfer tokens are counted right.
    function lock(address token, uint256 amount, bytes20 receiver) external;

    /// @notice Burns `amount` of the CosmosERC20 `token` from the caller (no approval needed: the
    /// bridge is the token's minter) for the peg zone account `receiver`; emits {Burned}.
    function burn(address token, uint256 amount, bytes20 receiver) external;

    /// @notice Deploys a CosmosERC20 for the peg zone denom `denom`; permissionless. The peg zone
    /// adopts a token from its {TokenDeployed} event when the metadata matches its own record.
    function deployCosmosERC20(string calldata denom, string calldata name, string calldata symbol, uint8 decimals)
        external
        returns (address token);

    /// @notice Moves to the valset `(newValsetNonce, members)` under signatures of more than 2/3 of
    /// the current valset's power over its EIP-712 digest. Intermediate nonces may be skipped.
    /// @dev `newEntries[i]` is either member `i`'s packed word (§8.2) or, to save calldata, a reference
    /// `ref << 96 | 1 << 95 | power` meaning "the address of `current.members[ref]` with `power`"
    /// (§8.3). The event carries the expanded member words.
    function updateValset(uint256 newValsetNonce, bytes32[] calldata newEntries, ValsetSignatures calldata current)
        external;

    /// @notice Moves to the valset made of the current validators, in the same order, with new
    /// powers: the cheapest update when the ranking did not change (a periodic checkpoint, small power
    /// moves). Same checks and event as {updateValset}.
    /// @dev `newPowers` holds 5 bytes (big-endian) per member of `current.members`, in order (§8.3).
    function updateValsetPowers(uint256 newValsetNonce, bytes calldata newPowers, ValsetSignatures calldata current)
        external;

    /// @notice Executes `batch` under signatures of more than 2/3 of the current valset's power over
    /// its EIP-712 digest; fees go to `msg.sender`. A failing transfer is credited as claimable.
    function submitBatch(Batch calldata batch, ValsetSignatures calldata current) external;

    /// @notice Sends the caller its credited balance of `token`.
    function claim(address token) external;

    /// @notice Sends the caller's credited balance of `token` to `to` (e.g. when the caller itself is
    /// blacklisted by the token).
    function claimTo(address token, address to) external;

    /// @notice Guardian only: stops lock, lockEth, burn, deployCosmosERC20, submitBatch and claim.
    function pause() external;

    /// @notice Guardian only: resumes a paused bridge.
    function unpause() external;

    /// @notice The peg zone's bridge id (the EIP-712 domain salt).
    function bridgeId() external view returns (bytes32);
    /// @notice The guardian (may be `address(0)`: no one can pause).
    function guardian() external view returns (address);
    /// @notice The EIP-712 domain separator for the current chain id.
    function domainSeparator() external view returns (bytes32);
    /// @notice The EIP-712 struct hash of the current valset (§3).
    function valsetHash() external view returns (bytes32);
    /// @notice `keccak256` of the current valset's packed member words (§8.2), which callers' `members`
    /// must match.
    function valsetMembersHash() external view returns (bytes32);
    /// @notice The nonce of the current valset.
    function valsetNonce() external view returns (uint256);
    /// @notice The nonce of the last emitted learnable event (0 before any).
    function eventNonce() external view returns (uint256);
    /// @notice Whether the bridge is paused.
    function paused() external view returns (bool);
    /// @notice The nonce of the last batch executed for `token` (0 before any).
    function lastBatchNonce(address token) external view returns (uint256);
    /// @notice The balance of `token` credited to `receiver` by failed batch transfers.
    function claimable(address token, address receiver) external view returns (uint256);
    /// @notice Whether `token` is a CosmosERC20 deployed by this bridge.
    function isCosmosToken(address token) external view returns (bool);
}
