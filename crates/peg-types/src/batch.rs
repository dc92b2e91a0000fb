//! Outbound batches (`specs/contracts.md` §4).

use alloy_primitives::{B256, U256};
use alloy_sol_types::SolStruct;
use serde::{Deserialize, Serialize};

use crate::eip712::sol_types;
use crate::{EthAddress, PegTypesError};

/// One unlock or mint of a batch: `amount` to `receiver`, `fee` to the relayer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    /// The Ethereum receiver.
    pub receiver: EthAddress,
    /// Amount unlocked or minted to `receiver`, in the token's base unit.
    pub amount: U256,
    /// Fee paid to the relayer (`msg.sender`) in the same token.
    pub fee: U256,
}

/// A batch of transfers of one token (§4), executed under one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    /// The Ethereum token: `address(0)` for ETH, an ERC-20, or a CosmosERC20 of the bridge.
    pub token: EthAddress,
    /// Strictly increasing per token.
    pub batch_nonce: u64,
    /// Ethereum block timestamp (seconds) from which the batch is refused: valid while
    /// `block.timestamp < timeout`.
    pub timeout: u64,
    /// The transfers, in order.
    pub transfers: Vec<Transfer>,
}

impl Batch {
    /// The `sol!` struct hashed for EIP-712: the transfers split into the parallel arrays
    /// `receivers`, `amounts`, `fees`.
    pub fn to_sol(&self) -> sol_types::Batch {
        sol_types::Batch {
            token: self.token.as_address(),
            batchNonce: U256::from(self.batch_nonce),
            timeout: U256::from(self.timeout),
            receivers: self.transfers.iter().map(|t| t.receiver.0).collect(),
            amounts: self.transfers.iter().map(|t| t.amount).collect(),
            fees: self.transfers.iter().map(|t| t.fee).collect(),
        }
    }

    /// `batchHash` (§4): `keccak256(abi.encode(BATCH_TYPEHASH, token, batchNonce, timeout,
    /// keccak256(abi.encodePacked(receivers)), keccak256(abi.encodePacked(amounts)),
    /// keccak256(abi.encodePacked(fees))))`, the EIP-712 struct hash of `Batch`.
    pub fn batch_hash(&self) -> B256 {
        self.to_sol().eip712_hash_struct()
    }

    /// Rebuilds a batch from the parallel arrays the contract takes.
    pub fn from_arrays(
        token: EthAddress,
        batch_nonce: u64,
        timeout: u64,
        receivers: &[EthAddress],
        amounts: &[U256],
        fees: &[U256],
    ) -> Result<Self, PegTypesError> {
        if amounts.len() != receivers.len() {
            return Err(PegTypesError::LengthMismatch {
                what: "batch amounts vs receivers",
                got: amounts.len(),
                expected: receivers.len(),
            });
        }
        if fees.len() != receivers.len() {
            return Err(PegTypesError::LengthMismatch {
                what: "batch fees vs receivers",
                got: fees.len(),
                expected: receivers.len(),
            });
        }
        Ok(Self {
            token,
            batch_nonce,
            timeout,
            transfers: receivers
                .iter()
                .zip(amounts)
                .zip(fees)
                .map(|((&receiver, &amount), &fee)| Transfer { receiver, amount, fee })
                .collect(),
        })
    }

    /// Sum of the transfer amounts, or [`PegTypesError::AmountOverflow`] where the contract's
    /// checked arithmetic would revert.
    pub fn total_amount(&self) -> Result<U256, PegTypesError> {
        self.transfers
            .iter()
            .try_fold(U256::ZERO, |acc, t| acc.checked_add(t.amount))
            .ok_or(PegTypesError::AmountOverflow { what: "amounts" })
    }

    /// Sum of the relayer fees (paid to `msg.sender`), checked like [`Batch::total_amount`].
    pub fn total_fees(&self) -> Result<U256, PegTypesError> {
        self.transfers
            .iter()
            .try_fold(U256::ZERO, |acc, t| acc.checked_add(t.fee))
            .ok_or(PegTypesError::AmountOverflow { what: "fees" })
    }

    /// Everything the batch moves out of the bridge: amounts plus fees, checked.
    pub fn total_outflow(&self) -> Result<U256, PegTypesError> {
        self.total_amount()?
            .checked_add(self.total_fees()?)
            .ok_or(PegTypesError::AmountOverflow { what: "amounts and fees" })
    }

    /// `true` when the batch can no longer execute at Ethereum time `block_timestamp` (§4:
    /// refused when `block.timestamp >= timeout`).
    pub fn is_timed_out(&self, block_timestamp: u64) -> bool {
        block_timestamp >= self.timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, keccak256};
    use alloy_sol_types::SolValue;

    fn addr(byte: u8) -> EthAddress {
        EthAddress::new([byte; 20])
    }

    fn batch() -> Batch {
        Batch {
            token: addr(0xaa),
            batch_nonce: 3,
            timeout: 1_700_000_000,
            transfers: vec![
                Transfer {
                    receiver: addr(1),
                    amount: U256::from(1_000u64),
                    fee: U256::from(10u64),
                },
                Transfer {
                    receiver: addr(2),
                    amount: U256::from(2_000u64),
                    fee: U256::from(20u64),
                },
            ],
        }
    }

    #[test]
    fn batch_hash_is_the_spec_encoding() {
        let b = batch();
        let mut receivers = Vec::new();
        let mut amounts = Vec::new();
        let mut fees = Vec::new();
        for t in &b.transfers {
            receivers.extend_from_slice(&[0u8; 12]);
            receivers.extend_from_slice(t.receiver.as_bytes());
            amounts.extend_from_slice(&t.amount.to_be_bytes::<32>());
            fees.extend_from_slice(&t.fee.to_be_bytes::<32>());
        }
        let by_hand = keccak256(
            (
                keccak256("Batch(address token,uint256 batchNonce,uint256 timeout,address[] receivers,uint256[] amounts,uint256[] fees)"),
                b.token.as_address(),
                U256::from(b.batch_nonce),
                U256::from(b.timeout),
                keccak256(&receivers),
                keccak256(&amounts),
                keccak256(&fees),
            )
                .abi_encode(),
        );
        assert_eq!(b.batch_hash(), by_hand);
    }

    #[test]
    fn batch_hash_pinned() {
        assert_eq!(
            batch().batch_hash(),
            b256!("62f92567fa22e0360d9c49e9ba9aadb7b2f0be0c2b4cafb1f24f1b08383d06dd")
        );
    }

    #[test]
    fn batch_hash_changes_with_every_field() {
        let base = batch();
        let mut changed = Vec::new();
        let mut b = base.clone();
        b.token = addr(0xab);
        changed.push(b);
        let mut b = base.clone();
        b.batch_nonce += 1;
        changed.push(b);
        let mut b = base.clone();
        b.timeout += 1;
        changed.push(b);
        let mut b = base.clone();
        b.transfers[0].receiver = addr(3);
        changed.push(b);
        let mut b = base.clone();
        b.transfers[0].amount += U256::from(1);
        changed.push(b);
        let mut b = base.clone();
        b.transfers[0].fee += U256::from(1);
        changed.push(b);
        let mut b = base.clone();
        b.transfers.swap(0, 1);
        changed.push(b);
        let mut b = base.clone();
        b.transfers.pop();
        changed.push(b);
        for b in changed {
            assert_ne!(b.batch_hash(), base.batch_hash(), "{b:?}");
        }
    }

    #[test]
    fn from_arrays_round_trips_and_checks_lengths() -> Result<(), PegTypesError> {
        let b = batch();
        let receivers: Vec<_> = b.transfers.iter().map(|t| t.receiver).collect();
        let amounts: Vec<_> = b.transfers.iter().map(|t| t.amount).collect();
        let fees: Vec<_> = b.transfers.iter().map(|t| t.fee).collect();
        let rebuilt =
            Batch::from_arrays(b.token, b.batch_nonce, b.timeout, &receivers, &amounts, &fees)?;
        assert_eq!(rebuilt, b);
        assert_eq!(
            Batch::from_arrays(b.token, 1, 1, &receivers, &amounts[..1], &fees),
            Err(PegTypesError::LengthMismatch {
                what: "batch amounts vs receivers",
                got: 1,
                expected: 2
            })
        );
        assert_eq!(
            Batch::from_arrays(b.token, 1, 1, &receivers, &amounts, &fees[..1]),
            Err(PegTypesError::LengthMismatch {
                what: "batch fees vs receivers",
                got: 1,
                expected: 2
            })
        );
        Ok(())
    }

    #[test]
    fn totals_are_checked() -> Result<(), PegTypesError> {
        let b = batch();
        assert_eq!(b.total_amount()?, U256::from(3_000u64));
        assert_eq!(b.total_fees()?, U256::from(30u64));
        assert_eq!(b.total_outflow()?, U256::from(3_030u64));

        let mut overflow = batch();
        overflow.transfers[0].amount = U256::MAX;
        assert_eq!(overflow.total_amount(), Err(PegTypesError::AmountOverflow { what: "amounts" }));
        let mut overflow = batch();
        overflow.transfers[0].fee = U256::MAX;
        assert_eq!(overflow.total_fees(), Err(PegTypesError::AmountOverflow { what: "fees" }));
        let mut overflow = batch();
        overflow.transfers[0].amount = U256::MAX - U256::from(2_000u64);
        assert_eq!(
            overflow.total_outflow(),
            Err(PegTypesError::AmountOverflow { what: "amounts and fees" })
        );
        Ok(())
    }

    #[test]
    fn timeout_boundary() {
        let b = batch();
        assert!(!b.is_timed_out(b.timeout - 1));
        assert!(b.is_timed_out(b.timeout));
    }

    #[test]
    fn empty_batch_hashes_empty_arrays() {
        let empty =
            Batch { token: EthAddress::ZERO, batch_nonce: 1, timeout: 2, transfers: vec![] };
        let by_hand = keccak256(
            (
                crate::eip712::batch_typehash(),
                alloy_primitives::Address::ZERO,
                U256::from(1u64),
                U256::from(2u64),
                keccak256([]),
                keccak256([]),
                keccak256([]),
            )
                .abi_encode(),
        );
        assert_eq!(empty.batch_hash(), by_hand);
    }
}
