// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {CosmosERC20} from "../src/CosmosERC20.sol";

/// @title CosmosERC20Test
/// @notice Only the deploying bridge mints and burns; metadata is what the bridge was given.
contract CosmosERC20Test is Test {
    CosmosERC20 internal token;
    address internal constant HOLDER = address(0x401D);

    function setUp() public {
        token = new CosmosERC20("ibc/27394FB0", "Cosmos Hub Atom", "ATOM", 6);
    }

    function testMetadata() public view {
        vm.assertEq(token.bridge(), address(this), "bridge is the deployer");
        vm.assertEq(token.denom(), "ibc/27394FB0", "denom");
        vm.assertEq(token.name(), "Cosmos Hub Atom", "name");
        vm.assertEq(token.symbol(), "ATOM", "symbol");
        vm.assertEq(token.decimals(), 6, "decimals");
    }

    function testMintAndBurnByBridge() public {
        token.mint(HOLDER, 100);
        vm.assertEq(token.balanceOf(HOLDER), 100, "minted");
        token.burn(HOLDER, 40);
        vm.assertEq(token.balanceOf(HOLDER), 60, "burned without allowance");
        vm.assertEq(token.totalSupply(), 60, "supply");
    }

    function testMintFailNotBridge() public {
        vm.expectRevert(abi.encodeWithSelector(CosmosERC20.CosmosERC20OnlyBridge.selector, HOLDER, address(this)));
        vm.prank(HOLDER);
        token.mint(HOLDER, 1);
    }

    function testBurnFailNotBridge() public {
        token.mint(HOLDER, 1);
        vm.expectRevert(abi.encodeWithSelector(CosmosERC20.CosmosERC20OnlyBridge.selector, HOLDER, address(this)));
        vm.prank(HOLDER);
        token.burn(HOLDER, 1);
    }

    function testFuzzOnlyBridgeMints(address caller, uint256 amount) public {
        vm.assume(caller != address(this));
        vm.expectRevert(abi.encodeWithSelector(CosmosERC20.CosmosERC20OnlyBridge.selector, caller, address(this)));
        vm.prank(caller);
        token.mint(caller, amount);
    }
}
