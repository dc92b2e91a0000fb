//! Public SIGN_MODE_DIRECT vectors made by other Cosmos implementations (see each
//! `tests/vectors/<origin>/SOURCE.txt`): our SignDoc bytes, signature verification and address
//! derivation must agree with theirs byte for byte.

use std::path::PathBuf;

use peg_tx::proto::{AuthInfo, TxRaw};
use peg_tx::{
    decode_tx, sign_doc_bytes, AccAddress, AccountSignature, PublicKey, TxError, TxLimits,
    SECP256K1_PUBKEY_TYPE_URL,
};
use prost::Message as _;
use serde_json::Value;

fn vector(path: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors").join(path);
    let text = std::fs::read_to_string(&path).expect("vector file is present");
    serde_json::from_str(&text).expect("vector file is JSON")
}

fn hex_field(value: &Value, key: &str) -> Vec<u8> {
    hex::decode(value[key].as_str().expect("hex string field")).expect("valid hex")
}

/// The public key carried in the transaction's single SignerInfo.
fn embedded_key(auth_info_bytes: &[u8]) -> PublicKey {
    let auth = AuthInfo::decode(auth_info_bytes).expect("AuthInfo decodes");
    let [info] = auth.signer_infos.as_slice() else { panic!("one signer info") };
    let any = info.public_key.as_ref().expect("public key present");
    assert_eq!(any.type_url, SECP256K1_PUBKEY_TYPE_URL);
    let key = peg_tx::proto::Secp256k1PubKey::decode(any.value.as_slice()).expect("PubKey decodes");
    PublicKey::from_compressed(&key.key).expect("valid compressed key")
}

#[test]
fn cosmjs_sign_doc_bytes_and_signatures() {
    let file = vector("cosmjs/sign_mode_direct.json");
    let chain_id = file["chain_id"].as_str().expect("chain id");
    let account_number = file["account_number"].as_u64().expect("account number");
    let key = PublicKey::from_compressed(&hex_field(&file, "pubkey_hex")).expect("faucet key");
    assert_eq!(
        key.address().to_bech32_with_hrp("cosmos").as_deref(),
        file["address"].as_str(),
        "address derivation"
    );

    let vectors = file["vectors"].as_array().expect("vector list");
    assert_eq!(vectors.len(), 3);
    for case in vectors {
        let tx_bytes = hex_field(case, "signedTxBytes");
        let raw = TxRaw::decode(tx_bytes.as_slice()).expect("TxRaw decodes");
        assert_eq!(raw.encode_to_vec(), tx_bytes, "upstream TxRaw is canonical");

        // Our SignDoc encoding equals the SDK's.
        let sign_bytes =
            sign_doc_bytes(&raw.body_bytes, &raw.auth_info_bytes, chain_id, account_number);
        assert_eq!(hex::encode(&sign_bytes), case["signBytes"].as_str().expect("signBytes"));

        // The embedded signature verifies; with another account number or chain id it does not.
        assert_eq!(embedded_key(&raw.auth_info_bytes), key);
        let [signature] = raw.signatures.as_slice() else { panic!("one signature") };
        let signature = AccountSignature::from_bytes(signature).expect("64-byte low-s signature");
        assert!(key.verify(&sign_bytes, &signature));
        let other =
            sign_doc_bytes(&raw.body_bytes, &raw.auth_info_bytes, chain_id, account_number + 1);
        assert!(!key.verify(&other, &signature));
        let other =
            sign_doc_bytes(&raw.body_bytes, &raw.auth_info_bytes, "simd-testing-2", account_number);
        assert!(!key.verify(&other, &signature));

        // The separate upstream `signature` field belongs to another encoding (SOURCE.txt).
        let stale = AccountSignature::from_bytes(&hex_field(case, "signature")).expect("parses");
        assert!(!key.verify(&sign_bytes, &stale));

        // Our decoder walks the whole envelope (explicit default fields included) and refuses
        // the transaction only at its cosmos1 sender, which is not a peg1 address.
        let err = decode_tx(&tx_bytes, &TxLimits::default()).expect_err("cosmos1 is not peg1");
        assert!(
            matches!(err, TxError::AddressWrongHrp { ref got, .. } if got == "cosmos"),
            "{err}"
        );
    }
}

#[test]
fn bitgo_theta_testnet_transaction_verifies() {
    let file = vector("bitgo/theta_testnet_send.json");
    let tx_bytes = hex_field(&file, "signedTxHex");
    let chain_id = file["chainId"].as_str().expect("chain id");
    let account_number: u64 =
        file["accountId"].as_str().expect("account id").parse().expect("decimal");

    let raw = TxRaw::decode(tx_bytes.as_slice()).expect("TxRaw decodes");
    let key = embedded_key(&raw.auth_info_bytes);
    assert_eq!(key.address().to_bech32_with_hrp("cosmos").as_deref(), file["sender"].as_str());
    let sender =
        AccAddress::from_bech32_with_hrp(file["sender"].as_str().expect("sender"), "cosmos")
            .expect("valid cosmos1 address");
    assert_eq!(sender, key.address());

    let [signature] = raw.signatures.as_slice() else { panic!("one signature") };
    let signature = AccountSignature::from_bytes(signature).expect("64-byte low-s signature");
    let sign_bytes =
        sign_doc_bytes(&raw.body_bytes, &raw.auth_info_bytes, chain_id, account_number);
    assert!(key.verify(&sign_bytes, &signature));
    let wrong = sign_doc_bytes(&raw.body_bytes, &raw.auth_info_bytes, chain_id, account_number - 1);
    assert!(!key.verify(&wrong, &signature));

    let auth = AuthInfo::decode(raw.auth_info_bytes.as_slice()).expect("AuthInfo decodes");
    let sequence = auth.signer_infos.first().map(|info| info.sequence);
    assert_eq!(sequence.map(|s| s.to_string()).as_deref(), file["sequence"].as_str());

    let err = decode_tx(&tx_bytes, &TxLimits::default()).expect_err("cosmos1 is not peg1");
    assert!(matches!(err, TxError::AddressWrongHrp { ref got, .. } if got == "cosmos"), "{err}");
}

#[test]
fn cosmjs_signed_peg_transactions_are_accepted() {
    use peg_tx::{Coin, Msg, MsgBondUnbond, MsgSend};

    let file = vector("cosmjs-peg/cosmjs_signed.json");
    let chain_id = file["chainId"].as_str().expect("chain id");
    let account_number = file["accountNumber"].as_u64().expect("account number");
    let address: AccAddress = file["address"].as_str().expect("address").parse().expect("peg1");
    let to: AccAddress = file["to"].as_str().expect("to").parse().expect("peg1");
    let secret = hex_field(&file, "privateKeyHex");
    let key = peg_tx::SigningKey::from_slice(&secret).expect("valid secret key");
    assert_eq!(PublicKey::from_signing_key(&key).address(), address);
    assert_eq!(
        hex::encode(PublicKey::from_signing_key(&key).to_compressed()),
        file["pubkeyHex"].as_str().expect("pubkey")
    );

    let transactions = file["transactions"].as_array().expect("transaction list");
    assert_eq!(transactions.len(), 2);
    for case in transactions {
        let tx_bytes = hex_field(case, "txBytes");
        let decoded = decode_tx(&tx_bytes, &TxLimits::default()).expect("CosmJS output decodes");
        assert_eq!(decoded.signer(), &address);
        assert_eq!(
            hex::encode(decoded.sign_doc_bytes(chain_id, account_number)),
            case["signBytes"].as_str().expect("signBytes")
        );
        assert_eq!(Some(decoded.sequence()), case["sequence"].as_u64());
        let verified = decoded.verify(chain_id, account_number).expect("CosmJS signature verifies");
        assert_eq!(verified.memo(), case["memo"].as_str().expect("memo"));
        let expected = match case["kind"].as_str() {
            Some("MsgSend") => Msg::Send(MsgSend {
                from_address: address,
                to_address: to,
                amount: peg_tx::Coins::new(vec![Coin::new("upeg", 1_234_567).expect("denom")])
                    .expect("coins"),
            }),
            Some("MsgBond") => Msg::Bond(MsgBondUnbond {
                operator_address: address,
                amount: Coin::new("upeg", 500_000).expect("denom"),
            }),
            other => panic!("unexpected kind {other:?}"),
        };
        assert_eq!(verified.messages(), &[expected]);

        // Our builder, given the same content, produces the same bytes (RFC 6979 signatures
        // are deterministic, and both encoders are canonical).
        let fee_amount = verified.fee().amount.clone();
        let rebuilt = peg_tx::TxBuilder::new(chain_id, account_number, verified.sequence())
            .message(verified.messages().first().cloned().expect("one message"))
            .fee(fee_amount)
            .gas_limit(verified.fee().gas_limit)
            .memo(verified.memo())
            .sign(&key)
            .expect("signs");
        assert_eq!(hex::encode(&rebuilt.bytes), hex::encode(&tx_bytes));
    }
}
