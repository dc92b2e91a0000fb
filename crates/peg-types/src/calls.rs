//! The bridge's calls a relayer or user sends (`specs/contracts.md` §8 / `IPegBridge`): the exact
//! calldata of `updateValset`, `submitBatch`, `lockEth`, `lock` and `burn`.

use alloy_primitives::U256;
use alloy_sol_types::SolCall;

use crate::new_valset::{new_valset_entries, valset_powers_bytes, NewValsetEncoding};
use crate::{Batch, EthAddress, PegAccount, PegTypesError, Valset, ValsetSignatures};

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

        /// `IPegBridge.updateValset` (`newEntries`: member words or references, §8.3).
        #[derive(Debug, PartialEq, Eq)]
        function updateValset(uint256 newValsetNonce, bytes32[] newEntries, ValsetSignatures current) external;

        /// `IPegBridge.updateValsetPowers` (`newPowers`: 5 bytes per current member, §8.3).
        #[derive(Debug, PartialEq, Eq)]
        function updateValsetPowers(uint256 newValsetNonce, bytes newPowers, ValsetSignatures current) external;

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

/// The cheapest calldata that moves the bridge to `new` under the current valset's signatures over
/// [`crate::valset_update_digest`] (§8.3): `updateValsetPowers` when `new` keeps the current
/// addresses in order, else `updateValset` with references for the validators that stay.
pub fn update_valset_calldata(new: &Valset, current: &ValsetSignatures) -> Vec<u8> {
    update_valset_calldata_with(new, current, NewValsetEncoding::Powers).unwrap_or_else(|_| {
        let entries = new_valset_entries(&current.members, new);
        update_valset_entries_calldata(new.nonce, entries, current)
    })
}

/// The calldata of a valset update in the requested form (§8.3). Only
/// [`NewValsetEncoding::Powers`] can fail ([`PegTypesError::RepowerNotApplicable`]).
pub fn update_valset_calldata_with(
    new: &Valset,
    current: &ValsetSignatures,
    encoding: NewValsetEncoding,
) -> Result<Vec<u8>, PegTypesError> {
    Ok(match encoding {
        NewValsetEncoding::MemberWords => {
            update_valset_entries_calldata(new.nonce, new.member_words(), current)
        }
        NewValsetEncoding::References => update_valset_entries_calldata(
            new.nonce,
            new_valset_entries(&current.members, new),
            current,
        ),
        NewValsetEncoding::Powers => sol_calls::updateValsetPowersCall {
            newValsetNonce: U256::from(new.nonce),
            newPowers: valset_powers_bytes(&current.members, new)?.into(),
            current: sol_signatures(current),
        }
        .abi_encode(),
    })
}

fn update_valset_entries_calldata(
    nonce: u64,
    entries: Vec<alloy_primitives::B256>,
    current: &ValsetSignatures,
) -> Vec<u8> {
    sol_calls::updateValsetCall {
        newValsetNonce: U256::from(nonce),
        newEntries: entries,
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
    use crate::checkpoint::pack_member;
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
            sol_calls::updateValsetPowersCall::SELECTOR,
            selector("updateValsetPowers(uint256,bytes,(bytes32[],uint256,bytes))")
        );
        // Pinned by the spec's worked example (§9).
        assert_eq!(sol_calls::updateValsetCall::SELECTOR, [0xa9, 0x50, 0x66, 0xb0]);
        assert_eq!(sol_calls::updateValsetPowersCall::SELECTOR, [0xa2, 0x73, 0xe8, 0xa2]);
        assert_eq!(sol_calls::submitBatchCall::SELECTOR, [0xbd, 0x32, 0xdb, 0x73]);
        assert_eq!(sol_calls::lockEthCall::SELECTOR, [0xef, 0x0b, 0xa9, 0x70]);
        assert_eq!(sol_calls::lockCall::SELECTOR, [0x5e, 0xf2, 0x64, 0x00]);
        assert_eq!(sol_calls::burnCall::SELECTOR, [0x36, 0x17, 0xe6, 0x2f]);
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
        // Same addresses in order: the cheapest form is updateValsetPowers.
        let data = update_valset_calldata(&valset, &current);
        let call = sol_calls::updateValsetPowersCall::abi_decode(&data)?;
        assert_eq!(call.newValsetNonce, U256::from(4));
        assert_eq!(call.newPowers.as_ref(), &[1, 0, 0, 0, 0][..]);
        assert_eq!(call.current.signatures.as_ref(), &[7; 64][..]);
        // Member words and references: updateValset.
        let data = update_valset_calldata_with(&valset, &current, NewValsetEncoding::MemberWords)
            .map_err(|e| alloy_sol_types::Error::custom(e.to_string()))?;
        let call = sol_calls::updateValsetCall::abi_decode(&data)?;
        assert_eq!(call.newEntries, current.members);
        let data = update_valset_calldata_with(&valset, &current, NewValsetEncoding::References)
            .map_err(|e| alloy_sol_types::Error::custom(e.to_string()))?;
        let call = sol_calls::updateValsetCall::abi_decode(&data)?;
        assert_eq!(call.newEntries, vec![crate::new_valset::reference_entry(0, 1 << 32)]);
        // A new validator: no powers form; the default falls back to references.
        let other = Valset {
            nonce: 5,
            members: vec![ValsetMember { eth_address: EthAddress::new([9; 20]), power: 1 << 32 }],
        };
        assert_eq!(
            update_valset_calldata_with(&other, &current, NewValsetEncoding::Powers),
            Err(PegTypesError::RepowerNotApplicable { index: 0 })
        );
        let call =
            sol_calls::updateValsetCall::abi_decode(&update_valset_calldata(&other, &current))?;
        assert_eq!(call.newEntries, other.member_words());

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
