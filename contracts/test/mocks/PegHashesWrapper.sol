// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PegHashes} from "../../src/libraries/PegHashes.sol";
import {IPegBridge} from "../../src/interfaces/IPegBridge.sol";

/// @notice Exposes {PegHashes} internals, so calldata variants can be compared with the reference.
contract PegHashesWrapper {
    function batchHashCalldata(IPegBridge.Batch calldata batch) external pure returns (bytes32) {
        return PegHashes.batchHashCalldata(batch);
    }

    function batchHash(IPegBridge.Batch calldata batch) external pure returns (bytes32) {
        return
            PegHashes.batchHash(
                batch.token, batch.batchNonce, batch.timeout, batch.receivers, batch.amounts, batch.fees
            );
    }
}
