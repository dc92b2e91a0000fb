//! Property tests: round trips through build → bytes → decode → verify, address round trips,
//! and tamper resistance (every single-byte change of a signed transaction is refused).

use peg_tx::{
    decode_tx, AccAddress, Coin, Coins, Msg, MsgBondUnbond, MsgSend, PublicKey, SigningKey,
    TxBuilder, TxLimits, ValoperAddress,
};
use proptest::prelude::*;

const CHAIN_ID: &str = "peg-prop-1";

fn key_from(seed: [u8; 32]) -> Option<SigningKey> {
    SigningKey::from_slice(&seed).ok()
}

fn denom() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9/:._-]{2,20}"
}

fn coins() -> impl Strategy<Value = Coins> {
    prop::collection::btree_map(denom(), 1u128.., 0..4).prop_map(|map| {
        Coins::new(map.into_iter().map(|(denom, amount)| Coin { denom, amount }).collect())
            .expect("a sorted map of positive coins is valid")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn build_decode_verify_round_trip(
        seed in any::<[u8; 32]>(),
        to in any::<[u8; 20]>(),
        amount in coins().prop_filter("non-empty", |c| !c.is_empty()),
        fee in coins(),
        bond in 1u128..,
        gas_limit in 0u64..=peg_tx::MAX_GAS_WANTED,
        memo in "\\PC{0,40}",
        sequence in any::<u64>(),
        account_number in any::<u64>(),
        timeout_height in any::<u64>(),
    ) {
        let Some(key) = key_from(seed) else { return Ok(()) };
        let signer = PublicKey::from_signing_key(&key).address();
        let msgs = vec![
            Msg::Send(MsgSend { from_address: signer, to_address: AccAddress::new(to), amount }),
            Msg::Bond(MsgBondUnbond { operator_address: signer, amount: Coin { denom: "upeg".into(), amount: bond } }),
        ];
        let mut builder = TxBuilder::new(CHAIN_ID, account_number, sequence)
            .fee(fee.clone())
            .gas_limit(gas_limit)
            .memo(memo.clone())
            .timeout_height(timeout_height);
        for msg in &msgs {
            builder = builder.message(msg.clone());
        }
        let signed = builder.sign(&key).expect("signer matches");
        let decoded = decode_tx(&signed.bytes, &TxLimits::default()).expect("decodes");
        prop_assert_eq!(decoded.hash(), &signed.hash);
        let verified = decoded.verify(CHAIN_ID, account_number).expect("verifies");
        prop_assert_eq!(verified.signer(), &signer);
        prop_assert_eq!(verified.sequence(), sequence);
        prop_assert_eq!(verified.account_number(), account_number);
        prop_assert_eq!(&verified.fee().amount, &fee);
        prop_assert_eq!(verified.fee().gas_limit, gas_limit);
        prop_assert_eq!(verified.memo(), memo.as_str());
        prop_assert_eq!(verified.timeout_height(), timeout_height);
        prop_assert_eq!(verified.messages(), msgs.as_slice());
    }

    #[test]
    fn any_single_byte_change_is_refused(
        seed in any::<[u8; 32]>(),
        position in any::<prop::sample::Index>(),
        xor in 1u8..,
    ) {
        let Some(key) = key_from(seed) else { return Ok(()) };
        let signer = PublicKey::from_signing_key(&key).address();
        let signed = TxBuilder::new(CHAIN_ID, 3, 4)
            .message(Msg::Send(MsgSend {
                from_address: signer,
                to_address: AccAddress::new([1; 20]),
                amount: Coins::new(vec![Coin { denom: "upeg".into(), amount: 99 }]).expect("valid"),
            }))
            .gas_limit(100)
            .sign(&key)
            .expect("signs");
        let mut bytes = signed.bytes;
        let index = position.index(bytes.len());
        bytes[index] ^= xor;
        let accepted = decode_tx(&bytes, &TxLimits::default())
            .and_then(|decoded| decoded.verify(CHAIN_ID, 3));
        prop_assert!(accepted.is_err(), "byte {} ^ {:#04x} was accepted", index, xor);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(decoded) = decode_tx(&bytes, &TxLimits::default()) {
            let _ = decoded.verify(CHAIN_ID, 0);
        }
    }

    #[test]
    fn address_round_trip(bytes in any::<[u8; 20]>()) {
        let address = AccAddress::new(bytes);
        let text = address.to_string();
        prop_assert_eq!(text.parse::<AccAddress>().expect("parses"), address);
        prop_assert_eq!(text.to_uppercase().parse::<AccAddress>().expect("parses"), address);
        let valoper = address.to_valoper().to_string();
        prop_assert_eq!(valoper.parse::<ValoperAddress>().expect("parses").to_account(), address);
    }

    #[test]
    fn address_single_character_change_is_refused(
        bytes in any::<[u8; 20]>(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(b"qpzry9x8gf2tvdw0s3jn54khce6mua7l".to_vec()),
    ) {
        let text = AccAddress::new(bytes).to_string();
        // Change one data character (after "peg1") to another bech32 character.
        let index = 4 + position.index(text.len() - 4);
        let mut changed = text.clone().into_bytes();
        if changed[index] == replacement {
            return Ok(());
        }
        changed[index] = replacement;
        let changed = String::from_utf8(changed).expect("ascii");
        prop_assert!(changed.parse::<AccAddress>().is_err(), "{} accepted", changed);
    }
}
