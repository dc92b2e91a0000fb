// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title CosmosERC20
/// @notice The Ethereum representation of a peg zone denom. Deployed by {PegBridge-deployCosmosERC20};
/// only that bridge can mint (executing batches) and burn (when a holder calls {PegBridge-burn}).
contract CosmosERC20 is ERC20 {
    /// @notice The bridge that deployed this token; the only minter and burner.
    address public immutable bridge;

    /// @notice The peg zone denom this token represents (e.g. `"upeg"`).
    string public denom;

    uint8 private immutable _decimals;

    /// @notice A mint or burn from an account other than {bridge}.
    error CosmosERC20OnlyBridge(address caller, address bridge);

    /// @param denom_ The peg zone denom.
    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ ERC-20 decimals (the denom's display exponent on the peg zone).
    constructor(string memory denom_, string memory name_, string memory symbol_, uint8 decimals_)
        ERC20(name_, symbol_)
    {
        bridge = msg.sender;
        denom = denom_;
        _decimals = decimals_;
    }

    modifier onlyBridge() {
        if (msg.sender != bridge) revert CosmosERC20OnlyBridge(msg.sender, bridge);
        _;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints `amount` to `to`. Bridge only.
    /// @dev Reverts with OpenZeppelin's `ERC20InvalidReceiver` for `to == address(0)`.
    function mint(address to, uint256 amount) external onlyBridge {
        _mint(to, amount);
    }

    /// @notice Burns `amount` from `from`. Bridge only; the bridge burns only from its caller, so no
    /// allowance is involved.
    function burn(address from, uint256 amount) external onlyBridge {
        _burn(from, amount);
    }
}
