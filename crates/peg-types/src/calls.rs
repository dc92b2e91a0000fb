//! The bridge's calls a relayer or user sends (`specs/contracts.md` §8 / `IPegBridge`): the exact
//! calldata of `updateValset`, `submitBatch`, `lockEth`, `lock` and `burn`.

use alloy_primitives::U256;
use alloy_sol_types::SolCall;

use crate::checkpoint::pack_member;
use crate::{Batch, EthAddress, PegAccount, Valset, ValsetSignatures};

/// The `sol!` mirror of the contract's `IPegBridge` calls used off-chain.
pub mod sol_calls {
    alloy_sol_types::sol! {
        /// `IPegBridge.ValsetSignatures` (§8.2).
        #[derive(Debug, PartialEq, Eq)]
        struct ValsetSignatures {
            bytes32[] members;
            uint256 signers;
            bytes signatures;
        }

        /// `IPegBridge.Batch` (§4).
        #[derive(Debug, PartialEq, Eq)]
        struct Batch {
            address token;
            uint256 batchNonce;
            uint256 timeout;
            address[] receivers;
            uint256[] amounts;
            uint256[] fees;
        }

        /// `IPegBridge.updateValset`.
        #[derive(Debug, PartialEq, Eq)]
        function updateValset(uint256 newValsetNonce, bytes32[] newMembers, ValsetSignatures current) external;

        /// `IPegBridge.submitBatch`.
        #[derive(Debug, PartialEq, Eq)]
        function submitBatch(Batch batch, ValsetSignatures current) external;

        /// `IPegBridge.lockEth`.
        #[derive(Debug, PartialEq, Eq)]
        function lockEth(bytes20 receiver) external payable;

        /// `IPegBridge.lock`.
        #[derive(Debug, PartialEq, Eq)]
        function lock(address token, uint256 amount, bytes20 receiver) external;

        /// `IPegBridge.burn`.
        #[derive(Debug, PartialEq, Eq)]
        function burn(address token, uint256 amount, bytes20 receiver) external;
    }
}

fn sol_signatures(current: &ValsetSignatures) -> sol_calls::ValsetSignatures {
    sol_calls::ValsetSignatures {
        members: current.members.clone(),
        signers: current.signers,
        signatures: current.signatures.clone().into(),
    }
}

/// Calldata of `updateValset(new.nonce, packed new members, current)`: moves the bridge to `new`
/// under the current valset's signatures over [`crate::valset_update_digest`].
pub fn update_valset_calldata(new: &Valset, current: &ValsetSignatures) -> Vec<u8> {
    sol_calls::updateValsetCall {
        newValsetNonce: U256::from(new.nonce),
        newMembers: new.members.iter().map(pack_member).collect(),
        current: sol_signatures(current),
    }
    .abi_encode()
}

/// Calldata of `submitBatch(batch, current)`: executes `batch` under the current valset's
/// signatures over [`crate::batch_digest`].
pub fn submit_batch_calldata(batch: &Batch, current: &ValsetSignatures) -> Vec<u8> {
    let sol = batch.to_sol();
    sol_calls::submitBatchCall {
        batch: sol_calls::Batch {
            token: sol.token,
            batchNonce: sol.batchNonce,
            timeout: sol.timeout,
            receivers: sol.receivers,
            amounts: sol.amounts,
            fees: sol.fees,
        },
        current: sol_signatures(current),
    }
    .abi_encode()
}

/// Calldata of `lockEth(receiver)` (send the amount as the transaction's value).
pub fn lock_eth_calldata(receiver: &PegAccount) -> Vec<u8> {
    sol_calls::lockEthCall { receiver: receiver.0 }.abi_encode()
}

/// Calldata of `lock(token, amount, receiver)` (approve the bridge first).
pub fn lock_calldata(token: &EthAddress, amount: U256, receiver: &PegAccount) -> Vec<u8> {
    sol_calls::lockCall { token: token.as_address(), amount, receiver: receiver.0 }.abi_encode()
}

/// Calldata of `burn(token, amount, receiver)` for a CosmosERC20 of the bridge.
pub fn burn_calldata(token: &EthAddress, amount: U256, receiver: &PegAccount) -> Vec<u8> {
    sol_calls::burnCall { token: token.as_address(), amount, receiver: receiver.0 }.abi_encode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Transfer, ValsetMember};
    use alloy_primitives::keccak256;

    fn selector(signature: &str) -> [u8; 4] {
        let hash = keccak256(signature);
        [hash[0], hash[1], hash[2], hash[3]]
    }

    #[test]
    fn selectors_are_the_contract_signatures() {
        assert_eq!(
            sol_calls::updateValsetCall::SELECTOR,
            selector("updateValset(uint256,bytes32[],(bytes32[],uint256,bytes))")
        );
        assert_eq!(
            sol_calls::submitBatchCall::SELECTOR,
            selector(
                "submitBatch((address,uint256,uint256,address[],uint256[],uint256[]),(bytes32[],uint256,bytes))"
            )
        );
        assert_eq!(sol_calls::lockEthCall::SELECTOR, selector("lockEth(bytes20)"));
        assert_eq!(sol_calls::lockCall::SELECTOR, selector("lock(address,uint256,bytes20)"));
        assert_eq!(sol_calls::burnCall::SELECTOR, selector("burn(address,uint256,bytes20)"));
    }

    #[test]
    fn calldata_round_trips() -> Result<(), alloy_sol_types::Error> {
        let valset = Valset {
            nonce: 4,
            members: vec![ValsetMember { eth_address: EthAddress::new([1; 20]), power: 1 << 32 }],
        };
        let current = ValsetSignatures {
            members: valset.members.iter().map(pack_member).collect(),
            signers: U256::from(1),
            signatures: vec![7; 64],
        };
        let data = update_valset_calldata(&valset, &current);
        let call = sol_calls::updateValsetCall::abi_decode(&data)?;
        assert_eq!(call.newValsetNonce, U256::from(4));
        assert_eq!(call.newMembers, current.members);
        assert_eq!(call.current.signatures.as_ref(), &[7; 64][..]);

        let batch = Batch {
            token: EthAddress::new([2; 20]),
            batch_nonce: 9,
            timeout: 100,
            transfers: vec![Transfer {
                receiver: EthAddress::new([3; 20]),
                amount: U256::from(5),
                fee: U256::from(1),
            }],
        };
        let data = submit_batch_calldata(&batch, &current);
        let call = sol_calls::submitBatchCall::abi_decode(&data)?;
        assert_eq!(call.batch.batchNonce, U256::from(9));
        assert_eq!(call.batch.receivers, vec![batch.transfers[0].receiver.as_address()]);
        assert_eq!(call.current.signers, U256::from(1));

        let receiver = PegAccount::new([4; 20]);
        let data = lock_eth_calldata(&receiver);
        assert_eq!(data.len(), 4 + 32);
        assert_eq!(&data[4..24], &[4; 20]);
        let data = lock_calldata(&batch.token, U256::from(6), &receiver);
        assert_eq!(sol_calls::lockCall::abi_decode(&data)?.amount, U256::from(6));
        let data = burn_calldata(&batch.token, U256::from(7), &receiver);
        assert_eq!(sol_calls::burnCall::abi_decode(&data)?.receiver, receiver.0);
        Ok(())
    }
}
