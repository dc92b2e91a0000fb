// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./Test.sol";
import {PegBridge} from "../../src/PegBridge.sol";
import {IPegBridge} from "../../src/interfaces/IPegBridge.sol";
import {PegHashes} from "../../src/libraries/PegHashes.sol";

/// @title PegTest
/// @notice Valset, signing and calldata helpers shared by the bridge tests, the invariant handler and
/// the gas benchmarks. Keys are real secp256k1 keys; signatures come from `vm.sign`.
abstract contract PegTest is Test {
    /// @dev secp256k1 group order.
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    bytes32 internal constant BRIDGE_ID = keccak256("peg-zone-test-1");

    /// @notice A validator: its private key, address and normalized power.
    struct Validator {
        uint256 key;
        address addr;
        uint256 power;
    }

    /// @notice Private key number `i` of a key family `seed` (never 0, always below the group order).
    function _key(uint256 seed, uint256 i) internal pure returns (uint256) {
        return (uint256(keccak256(abi.encode(seed, i))) % (SECP256K1_N - 1)) + 1;
    }

    /// @notice Normalizes raw powers to 2^32 (specs/contracts.md §1): `floor(p * 2^32 / total)`.
    function _normalize(uint256[] memory raw) internal pure returns (uint256[] memory normalized) {
        uint256 total;
        for (uint256 i; i < raw.length; ++i) {
            total += raw[i];
        }
        normalized = new uint256[](raw.length);
        for (uint256 i; i < raw.length; ++i) {
            normalized[i] = raw[i] * PegHashes.TOTAL_POWER / total;
        }
    }

    /// @notice A valset of `raw.length` fresh keys from family `seed`, with the normalized `raw` powers,
    /// sorted in valset order (power descending, address ascending).
    function _makeValset(uint256 seed, uint256[] memory raw) internal pure returns (Validator[] memory set) {
        uint256[] memory powers = _normalize(raw);
        set = new Validator[](raw.length);
        for (uint256 i; i < raw.length; ++i) {
            uint256 key = _key(seed, i);
            set[i] = Validator({key: key, addr: vm.addr(key), power: powers[i]});
        }
        _sortValset(set);
    }

    /// @notice A valset of `n` equal powers.
    function _equalValset(uint256 seed, uint256 n) internal pure returns (Validator[] memory) {
        uint256[] memory raw = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            raw[i] = 1;
        }
        return _makeValset(seed, raw);
    }

    /// @notice Insertion sort into valset order.
    function _sortValset(Validator[] memory set) internal pure {
        for (uint256 i = 1; i < set.length; ++i) {
            Validator memory item = set[i];
            uint256 j = i;
            while (j > 0 && _before(item, set[j - 1])) {
                set[j] = set[j - 1];
                --j;
            }
            set[j] = item;
        }
    }

    function _before(Validator memory a, Validator memory b) private pure returns (bool) {
        return a.power > b.power || (a.power == b.power && a.addr < b.addr);
    }

    function _addresses(Validator[] memory set) internal pure returns (address[] memory out) {
        out = new address[](set.length);
        for (uint256 i; i < set.length; ++i) {
            out[i] = set[i].addr;
        }
    }

    function _powers(Validator[] memory set) internal pure returns (uint256[] memory out) {
        out = new uint256[](set.length);
        for (uint256 i; i < set.length; ++i) {
            out[i] = set[i].power;
        }
    }

    /// @notice The packed member words of a valset (specs/contracts.md §8.2).
    function _members(Validator[] memory set) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](set.length);
        for (uint256 i; i < set.length; ++i) {
            out[i] = PegHashes.packMember(set[i].addr, set[i].power);
        }
    }

    /// @notice The `updateValset` entries for moving from `current` to `next` (specs/contracts.md
    /// §8.3): a reference `ref << 96 | 1 << 95 | power` for every validator already in `current`, the
    /// full member word otherwise.
    function _entries(Validator[] memory current, Validator[] memory next)
        internal
        pure
        returns (bytes32[] memory out)
    {
        out = new bytes32[](next.length);
        for (uint256 i; i < next.length; ++i) {
            out[i] = PegHashes.packMember(next[i].addr, next[i].power);
            for (uint256 j; j < current.length; ++j) {
                if (current[j].addr == next[i].addr) {
                    out[i] = bytes32((j << 96) | (1 << 95) | next[i].power);
                    break;
                }
            }
        }
    }

    /// @notice The `updateValsetPowers` argument (specs/contracts.md §8.3): 5 big-endian bytes per
    /// member of `next`, which must list the current validators in the current order.
    function _powersBytes(Validator[] memory next) internal pure returns (bytes memory out) {
        for (uint256 i; i < next.length; ++i) {
            out = bytes.concat(out, bytes5(uint40(next[i].power)));
        }
    }

    /// @notice The bitmap of the fewest leading validators whose power reaches the threshold.
    function _fewestSigners(Validator[] memory set) internal pure returns (uint256 bitmap) {
        uint256 power;
        for (uint256 i; i < set.length && power < PegHashes.POWER_THRESHOLD; ++i) {
            bitmap |= 1 << i;
            power += set[i].power;
        }
    }

    /// @notice The bitmap of every validator.
    function _allSigners(Validator[] memory set) internal pure returns (uint256) {
        return set.length == 256 ? type(uint256).max : (1 << set.length) - 1;
    }

    /// @notice Sum of the powers selected by `bitmap`.
    function _powerOf(Validator[] memory set, uint256 bitmap) internal pure returns (uint256 power) {
        for (uint256 i; i < set.length; ++i) {
            if ((bitmap >> i) & 1 == 1) power += set[i].power;
        }
    }

    /// @notice 64-byte EIP-2098 signature `r ‖ (yParity << 255 | s)` of `digest` by `key`.
    function _signCompact(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, bytes32((uint256(v - 27) << 255) | uint256(s)));
    }

    /// @notice Signatures of the validators selected by `bitmap`, in valset order.
    function _signatures(Validator[] memory set, uint256 bitmap, bytes32 digest)
        internal
        pure
        returns (bytes memory sigs)
    {
        uint256 count;
        for (uint256 i; i < set.length; ++i) {
            if ((bitmap >> i) & 1 == 1) ++count;
        }
        sigs = new bytes(count * 64);
        uint256 offset;
        for (uint256 i; i < set.length; ++i) {
            if ((bitmap >> i) & 1 == 0) continue;
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(set[i].key, digest);
            bytes32 vs = bytes32((uint256(v - 27) << 255) | uint256(s));
            assembly ("memory-safe") {
                mstore(add(add(sigs, 0x20), offset), r)
                mstore(add(add(sigs, 0x40), offset), vs)
            }
            offset += 64;
        }
    }

    /// @notice The calldata struct proving `digest` with the validators in `bitmap`.
    function _signed(Validator[] memory set, uint256 bitmap, bytes32 digest)
        internal
        pure
        returns (IPegBridge.ValsetSignatures memory)
    {
        return IPegBridge.ValsetSignatures({
            members: _members(set), signers: bitmap, signatures: _signatures(set, bitmap, digest)
        });
    }

    /// @notice Deploys a bridge with `set` as its first valset (nonce `nonce`).
    function _deployBridge(address guardian, uint256 nonce, Validator[] memory set) internal returns (PegBridge) {
        return new PegBridge(BRIDGE_ID, guardian, nonce, _addresses(set), _powers(set));
    }

    /// @notice The digest validators sign to move `bridge` to the valset `(nonce, set)`.
    function _valsetDigest(PegBridge bridge, uint256 nonce, Validator[] memory set) internal view returns (bytes32) {
        return
            PegHashes.typedDataDigest(
                bridge.domainSeparator(), PegHashes.valsetHash(nonce, _addresses(set), _powers(set))
            );
    }

    /// @notice The digest validators sign to execute `batch` on `bridge`.
    function _batchDigest(PegBridge bridge, IPegBridge.Batch memory batch) internal view returns (bytes32) {
        return PegHashes.typedDataDigest(
            bridge.domainSeparator(),
            PegHashes.batchHash(
                batch.token, batch.batchNonce, batch.timeout, batch.receivers, batch.amounts, batch.fees
            )
        );
    }

    /// @notice A batch of `n` transfers of `amount` to distinct fresh receivers with `fee` each.
    function _makeBatch(address token, uint256 batchNonce, uint256 n, uint256 amount, uint256 fee, uint256 seed)
        internal
        view
        returns (IPegBridge.Batch memory batch)
    {
        batch.token = token;
        batch.batchNonce = batchNonce;
        batch.timeout = block.timestamp + 1 days;
        batch.receivers = new address[](n);
        batch.amounts = new uint256[](n);
        batch.fees = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            batch.receivers[i] = address(uint160(uint256(keccak256(abi.encode("receiver", seed, i)))));
            batch.amounts[i] = amount;
            batch.fees[i] = fee;
        }
    }
}
