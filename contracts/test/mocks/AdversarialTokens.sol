// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Takes a 1% fee (burned) on every transfer: the recipient gets 99%.
contract FeeOnTransferToken is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @notice A token whose owner can blacklist accounts: transfers from or to them revert (USDC style).
contract BlacklistToken is ERC20 {
    mapping(address => bool) public blacklisted;

    error Blacklisted(address account);

    constructor() ERC20("Blacklist", "BLK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlacklisted(address account, bool value) external {
        blacklisted[account] = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert Blacklisted(from);
        if (blacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}

/// @notice USDT style: `transfer`, `transferFrom` and `approve` return nothing.
contract NoReturnToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        totalSupply += amount;
    }

    function transfer(address to, uint256 amount) external {
        require(balanceOf[msg.sender] >= amount, "balance");
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
    }

    function transferFrom(address from, address to, uint256 amount) external {
        require(allowance[from][msg.sender] >= amount, "allowance");
        require(balanceOf[from] >= amount, "balance");
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }
}

/// @notice Returns `false` instead of reverting when a transfer cannot happen (insufficient balance
/// or allowance, or a receiver flagged by `setRefusing`), and moves nothing in that case.
contract ReturnsFalseToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public refusing;
    uint256 public totalSupply;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        totalSupply += amount;
    }

    function setRefusing(address account, bool value) external {
        refusing[account] = value;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        if (refusing[to] || balanceOf[msg.sender] < amount) return false;
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        if (refusing[to] || allowance[from][msg.sender] < amount || balanceOf[from] < amount) return false;
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }
}

/// @notice Calls back into an attacker contract on every transfer (ERC-777-like hooks), letting it
/// try to re-enter the bridge in the middle of `lock`, a batch, or `claim`.
contract ReentrantToken is ERC20 {
    address public hook;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setHook(address hook_) external {
        hook = hook_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (hook != address(0) && from != address(0) && to != address(0)) {
            ReentrancyHook(hook).onTokenTransfer(from, to, value);
        }
    }
}

/// @notice The hook interface of {ReentrantToken}.
interface ReentrancyHook {
    function onTokenTransfer(address from, address to, uint256 value) external;
}

/// @notice Burns all the gas it is given when receiving ETH or a hook call.
contract GasGuzzler {
    receive() external payable {
        while (true) {}
    }
}

/// @notice Refuses ETH.
contract EthRefuser {
    receive() external payable {
        revert("no ETH");
    }
}
