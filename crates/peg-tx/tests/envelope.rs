//! The envelope end to end: a pinned transaction signed by a known key, and one test per
//! refusal of `decode_tx` / `DecodedTx::verify`, each with its CheckTx code.

use peg_tx::proto::{self, mode_info};
use peg_tx::{
    decode_tx, eth_pop_message, sign_bytes, sign_doc_bytes, sign_eth_pop, AccAddress, CheckTxCode,
    Coin, Coins, EthAddress, Msg, MsgBondUnbond, MsgCreateValidator, MsgRegisterEthAddress,
    MsgSend, PublicKey, SigningKey, TxBuilder, TxError, TxLimits, MSG_SEND_TYPE_URL,
    SECP256K1_PUBKEY_TYPE_URL,
};
use prost::Message as _;

const CHAIN_ID: &str = "peg-testnet-1";
const ACCOUNT_NUMBER: u64 = 1;

/// The pinned vector's key: secret `0x01…01` (32 bytes).
fn key() -> SigningKey {
    SigningKey::from_slice(&[0x01; 32]).expect("valid secret key")
}

fn other_key() -> SigningKey {
    SigningKey::from_slice(&[0x02; 32]).expect("valid secret key")
}

fn signer() -> AccAddress {
    PublicKey::from_signing_key(&key()).address()
}

fn upeg(amount: u128) -> Coin {
    Coin::new("upeg", amount).expect("valid denom")
}

fn send(from: AccAddress) -> Msg {
    Msg::Send(MsgSend {
        from_address: from,
        to_address: AccAddress::new([0x22; 20]),
        amount: Coins::new(vec![upeg(1_234_567)]).expect("valid coins"),
    })
}

fn builder() -> TxBuilder {
    TxBuilder::new(CHAIN_ID, ACCOUNT_NUMBER, 0)
        .message(send(signer()))
        .fee(Coins::new(vec![upeg(2_000)]).expect("valid coins"))
        .gas_limit(200_000)
        .memo("pinned vector")
}

fn decode(bytes: &[u8]) -> Result<peg_tx::DecodedTx, TxError> {
    decode_tx(bytes, &TxLimits::default())
}

/// A TxRaw signed by `key` over arbitrary body and auth info messages.
fn signed_raw(body: &proto::TxBody, auth: &proto::AuthInfo, key: &SigningKey) -> Vec<u8> {
    let body_bytes = body.encode_to_vec();
    let auth_info_bytes = auth.encode_to_vec();
    let sign_doc = sign_doc_bytes(&body_bytes, &auth_info_bytes, CHAIN_ID, ACCOUNT_NUMBER);
    let signature = sign_bytes(key, &sign_doc).to_bytes().to_vec();
    proto::TxRaw { body_bytes, auth_info_bytes, signatures: vec![signature] }.encode_to_vec()
}

fn pubkey_any(key: &SigningKey) -> proto::Any {
    proto::Any {
        type_url: SECP256K1_PUBKEY_TYPE_URL.to_owned(),
        value: proto::Secp256k1PubKey {
            key: PublicKey::from_signing_key(key).to_compressed().to_vec(),
        }
        .encode_to_vec(),
    }
}

fn direct() -> Option<proto::ModeInfo> {
    Some(proto::ModeInfo { sum: Some(mode_info::Sum::Single(mode_info::Single { mode: 1 })) })
}

fn good_body() -> proto::TxBody {
    proto::TxBody { messages: vec![send(signer()).to_any()], ..Default::default() }
}

fn good_auth() -> proto::AuthInfo {
    proto::AuthInfo {
        signer_infos: vec![proto::SignerInfo {
            public_key: Some(pubkey_any(&key())),
            mode_info: direct(),
            sequence: 5,
        }],
        fee: Some(proto::Fee {
            amount: vec![upeg(10).to_proto()],
            gas_limit: 100_000,
            ..Default::default()
        }),
    }
}

/// Asserts the refusal and its CheckTx code.
#[track_caller]
fn assert_refused(result: Result<peg_tx::DecodedTx, TxError>, code: CheckTxCode) -> TxError {
    let err = result.expect_err("must be refused");
    assert_eq!(err.check_tx_code(), code, "{err}");
    err
}

// ----- the pinned vector -----

/// `builder()` signed by `key()`: MsgSend of 1234567upeg from `peg10xcqpzrky6eff2g52qdye53xkk9jxkvr2l8vj9`
/// to `peg1yg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3z9l05g7`, fee 2000upeg, gas 200000, sequence 0,
/// account number 1, chain id `peg-testnet-1`. Checked independently when pinned: CosmJS 0.36.2
/// (`decodeTxRaw`, `makeSignDoc`, `Secp256k1.verifySignature`) decodes it to these values and
/// verifies the signature.
const PINNED_TX_HEX: &str = concat!(
    "0a9b010a89010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e6412690a2a70656731",
    "30786371707a726b793665666632673532716479653533786b6b396a786b7672326c38766a39122a70656731",
    "7967337a7967337a7967337a7967337a7967337a7967337a7967337a7967337a396c303567371a0f0a047570",
    "6567120731323334353637120d70696e6e656420766563746f7212640a4e0a460a1f2f636f736d6f732e6372",
    "7970746f2e736563703235366b312e5075624b657912230a21031b84c5567b126440995d3ed5aaba0565d71e",
    "1834604819ff9c17f5e9d5dd078f12040a02080112120a0c0a047570656712043230303010c09a0c1a40e831",
    "e152d946b86e864fd07ef2e756c8f8e881a17017c53e6bfd3b9a51f8205c4afc1b5b0b68ecb74928ab39810d",
    "ad64616f1e70d3583feab1976c4007ada057",
);

#[test]
fn pinned_transaction_bytes() {
    let signed = builder().sign(&key()).expect("signs");
    assert_eq!(hex::encode(&signed.bytes), PINNED_TX_HEX);
    assert_eq!(signed.hash, peg_tx::tx_hash(&signed.bytes));

    let verified =
        decode(&signed.bytes).expect("decodes").verify(CHAIN_ID, ACCOUNT_NUMBER).expect("verifies");
    assert_eq!(verified.signer(), &signer());
    assert_eq!(verified.sequence(), 0);
    assert_eq!(verified.account_number(), ACCOUNT_NUMBER);
    assert_eq!(verified.fee().gas_limit, 200_000);
    assert_eq!(verified.fee().amount.amount_of("upeg"), 2_000);
    assert_eq!(verified.memo(), "pinned vector");
    assert_eq!(verified.timeout_height(), 0);
    assert_eq!(verified.messages(), &[send(signer())]);
}

#[test]
fn every_message_type_verifies() {
    let operator = signer();
    let eth_key = other_key();
    let eth_address = peg_types::signer_address(&eth_key);
    let proof = sign_eth_pop(&eth_key, CHAIN_ID, &operator).expect("signs");
    let msgs = vec![
        send(operator),
        Msg::CreateValidator(MsgCreateValidator {
            operator_address: operator,
            consensus_pubkey: [7; 32],
            self_bond: upeg(1_000_000),
            moniker: "node-0".to_owned(),
        }),
        Msg::Bond(MsgBondUnbond { operator_address: operator, amount: upeg(10) }),
        Msg::Unbond(MsgBondUnbond { operator_address: operator, amount: upeg(5) }),
        Msg::RegisterEthAddress(MsgRegisterEthAddress {
            operator_address: operator,
            eth_address,
            signature: proof,
        }),
    ];
    let mut builder = TxBuilder::new(CHAIN_ID, ACCOUNT_NUMBER, 9).gas_limit(1).timeout_height(77);
    for msg in &msgs {
        builder = builder.message(msg.clone());
    }
    let signed = builder.sign(&key()).expect("signs");
    let verified =
        decode(&signed.bytes).expect("decodes").verify(CHAIN_ID, ACCOUNT_NUMBER).expect("verifies");
    assert_eq!(verified.messages(), msgs.as_slice());
    assert_eq!(verified.timeout_height(), 77);
    assert!(verified.fee().amount.is_empty());
    // The message the Ethereum key signed is exposed for `cast wallet sign`.
    assert_ne!(eth_pop_message(CHAIN_ID, &operator), eth_pop_message("peg-2", &operator));
}

// ----- size and limits -----

#[test]
fn refuses_oversized() {
    let bytes = builder().sign(&key()).expect("signs").bytes;
    let limits = TxLimits { max_tx_bytes: bytes.len() - 1, ..TxLimits::default() };
    let err = assert_refused(decode_tx(&bytes, &limits), CheckTxCode::TxTooLarge);
    assert_eq!(err, TxError::TxTooLarge { got: bytes.len(), max: bytes.len() - 1 });
    assert!(
        decode_tx(&bytes, &TxLimits { max_tx_bytes: bytes.len(), ..TxLimits::default() }).is_ok()
    );
}

#[test]
fn refuses_too_many_messages_and_long_memo() {
    let mut builder = builder();
    for _ in 0..16 {
        builder = builder.message(send(signer()));
    }
    let bytes = builder.sign(&key()).expect("signs").bytes;
    let err = assert_refused(decode(&bytes), CheckTxCode::InvalidRequest);
    assert_eq!(err, TxError::TooManyMessages { got: 17, max: 16 });

    let bytes = self::builder().memo("m".repeat(257)).sign(&key()).expect("signs").bytes;
    let err = assert_refused(decode(&bytes), CheckTxCode::MemoTooLarge);
    assert_eq!(err, TxError::MemoTooLarge { got: 257, max: 256 });
}

#[test]
fn refuses_no_messages() {
    let body = proto::TxBody::default();
    assert_refused(decode(&signed_raw(&body, &good_auth(), &key())), CheckTxCode::InvalidRequest);
    assert_eq!(
        TxBuilder::new(CHAIN_ID, 1, 0).sign(&key()).expect_err("no message"),
        TxError::NoMessages
    );
}

#[test]
fn refuses_gas_limit_above_max() {
    let mut auth = good_auth();
    if let Some(fee) = auth.fee.as_mut() {
        fee.gas_limit = 1 << 63;
    }
    assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::InvalidGasLimit);
}

// ----- wire format -----

#[test]
fn refuses_garbage() {
    for garbage in [&[0xff, 0xff, 0xff][..], &[0x0a, 0x10, 0x01][..], b"hello world", &[0x0b][..]] {
        let err = decode(garbage).expect_err("garbage");
        assert!(
            matches!(
                err.check_tx_code(),
                CheckTxCode::TxDecode | CheckTxCode::NonCanonicalEncoding
            ),
            "{garbage:02x?}: {err}"
        );
    }
    // Empty bytes are an empty TxRaw: no signature.
    assert_refused(decode(&[]), CheckTxCode::NoSignatures);
}

#[test]
fn refuses_unknown_fields_everywhere() {
    // TxRaw field 4.
    let mut bytes = builder().sign(&key()).expect("signs").bytes;
    bytes.extend_from_slice(&[0x20, 0x01]);
    let err = assert_refused(decode(&bytes), CheckTxCode::NonCanonicalEncoding);
    assert!(matches!(err, TxError::UnknownField { field: 4, .. }), "{err}");

    // TxBody field 4 (`unordered` in cosmos-sdk v0.53) and 5, AuthInfo field 3 (`tip`).
    let body_bytes = {
        let mut b = good_body().encode_to_vec();
        b.extend_from_slice(&[0x20, 0x01]);
        b
    };
    let auth_info_bytes = good_auth().encode_to_vec();
    let sig = sign_bytes(&key(), &sign_doc_bytes(&body_bytes, &auth_info_bytes, CHAIN_ID, 1));
    let raw =
        proto::TxRaw { body_bytes, auth_info_bytes, signatures: vec![sig.to_bytes().to_vec()] };
    let err = assert_refused(decode(&raw.encode_to_vec()), CheckTxCode::NonCanonicalEncoding);
    assert!(
        matches!(err, TxError::UnknownField { message: "cosmos.tx.v1beta1.TxBody", field: 4, .. }),
        "{err}"
    );

    let mut auth_info_bytes = good_auth().encode_to_vec();
    auth_info_bytes.extend_from_slice(&[0x1a, 0x00]);
    let raw = proto::TxRaw {
        body_bytes: good_body().encode_to_vec(),
        auth_info_bytes,
        signatures: vec![vec![0; 64]],
    };
    let err = assert_refused(decode(&raw.encode_to_vec()), CheckTxCode::NonCanonicalEncoding);
    assert!(
        matches!(
            err,
            TxError::UnknownField { message: "cosmos.tx.v1beta1.AuthInfo", field: 3, .. }
        ),
        "{err}"
    );
}

#[test]
fn refuses_duplicate_fee() {
    let mut auth_info_bytes = good_auth().encode_to_vec();
    let fee = proto::AuthInfo { signer_infos: vec![], fee: good_auth().fee }.encode_to_vec();
    auth_info_bytes.extend_from_slice(&fee);
    let raw = proto::TxRaw {
        body_bytes: good_body().encode_to_vec(),
        auth_info_bytes,
        signatures: vec![vec![0; 64]],
    };
    let err = assert_refused(decode(&raw.encode_to_vec()), CheckTxCode::NonCanonicalEncoding);
    assert!(matches!(err, TxError::DuplicateField { field: 2, .. }), "{err}");
}

#[test]
fn refuses_non_canonical_tx_raw() {
    let raw = proto::TxRaw::decode(builder().sign(&key()).expect("signs").bytes.as_slice())
        .expect("decodes");
    // The same fields with auth_info_bytes first.
    let mut reordered =
        proto::TxRaw { auth_info_bytes: raw.auth_info_bytes.clone(), ..Default::default() }
            .encode_to_vec();
    reordered.extend_from_slice(
        &proto::TxRaw {
            body_bytes: raw.body_bytes.clone(),
            signatures: raw.signatures.clone(),
            ..Default::default()
        }
        .encode_to_vec(),
    );
    let err = assert_refused(decode(&reordered), CheckTxCode::NonCanonicalEncoding);
    assert_eq!(err, TxError::NonCanonicalTxRaw);
}

#[test]
fn refuses_extension_options() {
    let option = proto::Any { type_url: "/x.Ext".to_owned(), value: vec![] };
    let body = proto::TxBody { extension_options: vec![option.clone()], ..good_body() };
    let err = assert_refused(
        decode(&signed_raw(&body, &good_auth(), &key())),
        CheckTxCode::UnknownExtensionOptions,
    );
    assert_eq!(err, TxError::ExtensionOptionsUnsupported { kind: "critical", count: 1 });
    let body = proto::TxBody { non_critical_extension_options: vec![option], ..good_body() };
    let err = assert_refused(
        decode(&signed_raw(&body, &good_auth(), &key())),
        CheckTxCode::UnknownExtensionOptions,
    );
    assert_eq!(err, TxError::ExtensionOptionsUnsupported { kind: "non-critical", count: 1 });
}

// ----- signers -----

#[test]
fn refuses_signer_info_counts() {
    let mut auth = good_auth();
    auth.signer_infos.clear();
    assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::NoSignatures);
    let mut auth = good_auth();
    auth.signer_infos.push(auth.signer_infos[0].clone());
    assert_refused(
        decode(&signed_raw(&good_body(), &auth, &key())),
        CheckTxCode::TooManySignatures,
    );
}

#[test]
fn refuses_signature_counts() {
    let raw = proto::TxRaw::decode(builder().sign(&key()).expect("signs").bytes.as_slice())
        .expect("decodes");
    let two = proto::TxRaw { signatures: vec![raw.signatures[0].clone(); 2], ..raw.clone() };
    assert_eq!(
        assert_refused(decode(&two.encode_to_vec()), CheckTxCode::TooManySignatures),
        TxError::SignatureCount { got: 2, expected: 1 }
    );
    let none = proto::TxRaw { signatures: vec![], ..raw };
    assert_refused(decode(&none.encode_to_vec()), CheckTxCode::NoSignatures);
}

#[test]
fn refuses_sign_modes_other_than_direct() {
    for (mode_info, got) in [
        (
            proto::ModeInfo { sum: Some(mode_info::Sum::Single(mode_info::Single { mode: 127 })) },
            127,
        ),
        (proto::ModeInfo { sum: Some(mode_info::Sum::Single(mode_info::Single { mode: 0 })) }, 0),
        (proto::ModeInfo { sum: Some(mode_info::Sum::Multi(mode_info::Multi {})) }, -1),
    ] {
        let mut auth = good_auth();
        auth.signer_infos[0].mode_info = Some(mode_info);
        let err = assert_refused(
            decode(&signed_raw(&good_body(), &auth, &key())),
            CheckTxCode::NotSupported,
        );
        assert_eq!(err, TxError::UnsupportedSignMode { got, expected: 1 });
    }
    let mut auth = good_auth();
    auth.signer_infos[0].mode_info = None;
    assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::TxDecode);
}

#[test]
fn refuses_bad_public_keys() {
    let mut auth = good_auth();
    auth.signer_infos[0].public_key = None;
    assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::TxDecode);

    let mut auth = good_auth();
    if let Some(any) = auth.signer_infos[0].public_key.as_mut() {
        any.type_url = "/cosmos.crypto.ed25519.PubKey".to_owned();
    }
    assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::InvalidPubKey);

    let uncompressed = key().verifying_key().to_encoded_point(false).as_bytes().to_vec();
    let mut not_on_curve = PublicKey::from_signing_key(&key()).to_compressed().to_vec();
    not_on_curve[1..].fill(0xff);
    for bytes in [uncompressed, not_on_curve, vec![], vec![0x04; 33]] {
        let mut auth = good_auth();
        auth.signer_infos[0].public_key = Some(proto::Any {
            type_url: SECP256K1_PUBKEY_TYPE_URL.to_owned(),
            value: proto::Secp256k1PubKey { key: bytes.clone() }.encode_to_vec(),
        });
        let err = assert_refused(
            decode(&signed_raw(&good_body(), &auth, &key())),
            CheckTxCode::InvalidPubKey,
        );
        assert!(matches!(err, TxError::InvalidPubKey { .. }), "{bytes:02x?}: {err}");
    }
}

#[test]
fn refuses_message_signed_by_someone_else() {
    let body = proto::TxBody {
        messages: vec![send(signer()).to_any(), send(AccAddress::new([5; 20])).to_any()],
        ..Default::default()
    };
    let err = assert_refused(
        decode(&signed_raw(&body, &good_auth(), &key())),
        CheckTxCode::InvalidSigner,
    );
    assert!(matches!(err, TxError::SignerMismatch { index: 1, .. }), "{err}");
    let other = PublicKey::from_signing_key(&other_key()).address();
    assert!(matches!(
        TxBuilder::new(CHAIN_ID, 1, 0).message(send(other)).sign(&key()),
        Err(TxError::SignerMismatch { index: 0, .. })
    ));
}

// ----- fee -----

#[test]
fn refuses_fee_problems() {
    let mut auth = good_auth();
    auth.fee = None;
    assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::TxDecode);

    for (payer, granter) in [("peg1payer", ""), ("", "peg1granter")] {
        let mut auth = good_auth();
        if let Some(fee) = auth.fee.as_mut() {
            fee.payer = payer.to_owned();
            fee.granter = granter.to_owned();
        }
        assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::NotSupported);
    }

    let mut auth = good_auth();
    if let Some(fee) = auth.fee.as_mut() {
        fee.amount = vec![proto::Coin { denom: "upeg".to_owned(), amount: "0".to_owned() }];
    }
    assert_refused(decode(&signed_raw(&good_body(), &auth, &key())), CheckTxCode::InvalidCoins);
}

// ----- messages -----

#[test]
fn refuses_reserved_and_unknown_types() {
    let body = proto::TxBody {
        messages: vec![proto::Any {
            type_url: "/peg.internal.MsgInjectedSignatures".to_owned(),
            value: vec![],
        }],
        ..Default::default()
    };
    let err = assert_refused(
        decode(&signed_raw(&body, &good_auth(), &key())),
        CheckTxCode::ReservedTypeUrl,
    );
    assert!(matches!(err, TxError::ReservedTypeUrl { index: 0, .. }), "{err}");

    let body = proto::TxBody {
        messages: vec![proto::Any { type_url: "/cosmos.gov.v1.MsgVote".to_owned(), value: vec![] }],
        ..Default::default()
    };
    assert_refused(decode(&signed_raw(&body, &good_auth(), &key())), CheckTxCode::UnknownRequest);
}

#[test]
fn refuses_bad_addresses_in_messages() {
    let bad = proto::MsgSend {
        from_address: signer().to_string(),
        to_address: signer().to_string().to_uppercase().replacen('P', "p", 1),
        amount: vec![upeg(1).to_proto()],
    };
    let body = proto::TxBody {
        messages: vec![proto::Any {
            type_url: MSG_SEND_TYPE_URL.to_owned(),
            value: bad.encode_to_vec(),
        }],
        ..Default::default()
    };
    let err = assert_refused(
        decode(&signed_raw(&body, &good_auth(), &key())),
        CheckTxCode::InvalidAddress,
    );
    assert!(matches!(err, TxError::AddressMixedCase { .. }), "{err}");
}

// ----- signatures -----

#[test]
fn refuses_malformed_signatures() {
    let raw = proto::TxRaw::decode(builder().sign(&key()).expect("signs").bytes.as_slice())
        .expect("decodes");
    let with_signature = |signature: Vec<u8>| {
        proto::TxRaw { signatures: vec![signature], ..raw.clone() }.encode_to_vec()
    };

    let mut long = raw.signatures[0].clone();
    long.push(1);
    let err = assert_refused(decode(&with_signature(long)), CheckTxCode::Unauthorized);
    assert_eq!(err, TxError::SignatureLength { got: 65, expected: 64 });

    let mut zero_r = raw.signatures[0].clone();
    zero_r[..32].fill(0);
    assert_eq!(
        assert_refused(decode(&with_signature(zero_r)), CheckTxCode::Unauthorized),
        TxError::SignatureOutOfRange
    );

    // s' = n - s: the same signature in its high-s form, which the SDK refuses too.
    let order = hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        .expect("hex literal");
    let mut high = raw.signatures[0].clone();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let diff = i16::from(order[i]) - i16::from(raw.signatures[0][32 + i]) - borrow;
        high[32 + i] = diff.rem_euclid(256) as u8;
        borrow = i16::from(diff < 0);
    }
    assert_eq!(
        assert_refused(decode(&with_signature(high)), CheckTxCode::Unauthorized),
        TxError::SignatureHighS
    );
}

#[test]
fn refuses_wrong_chain_account_or_key() {
    let bytes = builder().sign(&key()).expect("signs").bytes;
    for (chain_id, account_number) in [("peg-testnet-2", ACCOUNT_NUMBER), (CHAIN_ID, 2)] {
        let err =
            decode(&bytes).expect("decodes").verify(chain_id, account_number).expect_err("wrong");
        assert_eq!(err.check_tx_code(), CheckTxCode::Unauthorized);
        assert!(matches!(err, TxError::SignatureInvalid { .. }), "{err}");
    }

    // Signed by another key but claiming `key()`'s public key.
    let body = good_body();
    let auth = good_auth();
    let bytes = signed_raw(&body, &auth, &other_key());
    let err =
        decode(&bytes).expect("decodes").verify(CHAIN_ID, ACCOUNT_NUMBER).expect_err("forged");
    assert!(matches!(err, TxError::SignatureInvalid { .. }), "{err}");
}

#[test]
fn refuses_proof_of_possession_for_another_chain_or_address() {
    let operator = signer();
    let eth_key = other_key();
    let register = |eth_address: EthAddress, signature: [u8; 65]| {
        TxBuilder::new(CHAIN_ID, ACCOUNT_NUMBER, 0)
            .message(Msg::RegisterEthAddress(MsgRegisterEthAddress {
                operator_address: operator,
                eth_address,
                signature,
            }))
            .sign(&key())
            .expect("signs")
            .bytes
    };
    let eth_address = peg_types::signer_address(&eth_key);

    let other_chain = sign_eth_pop(&eth_key, "peg-other-1", &operator).expect("signs");
    let err = decode(&register(eth_address, other_chain))
        .expect("decodes")
        .verify(CHAIN_ID, ACCOUNT_NUMBER)
        .expect_err("proof for another chain");
    assert_eq!(err.check_tx_code(), CheckTxCode::InvalidEthProofOfPossession);
    assert!(matches!(err, TxError::PopSignerMismatch { .. }), "{err}");

    let good = sign_eth_pop(&eth_key, CHAIN_ID, &operator).expect("signs");
    let err = decode(&register(EthAddress::new([0x33; 20]), good))
        .expect("decodes")
        .verify(CHAIN_ID, ACCOUNT_NUMBER)
        .expect_err("somebody else's address");
    assert!(matches!(err, TxError::PopSignerMismatch { .. }), "{err}");

    let mut bad_v = good;
    bad_v[64] = 0;
    let err = decode(&register(eth_address, bad_v))
        .expect("decodes")
        .verify(CHAIN_ID, ACCOUNT_NUMBER)
        .expect_err("v must be 27 or 28");
    assert!(matches!(err, TxError::PopInvalid(_)), "{err}");

    assert!(decode(&register(eth_address, good))
        .expect("decodes")
        .verify(CHAIN_ID, ACCOUNT_NUMBER)
        .is_ok());
}

#[test]
fn check_tx_codes_are_stable() {
    // The table of specs/transactions.md §9: numbers and codespaces never change.
    let table = [
        (CheckTxCode::TxDecode, 2, "sdk"),
        (CheckTxCode::InvalidSequence, 3, "sdk"),
        (CheckTxCode::Unauthorized, 4, "sdk"),
        (CheckTxCode::InsufficientFunds, 5, "sdk"),
        (CheckTxCode::UnknownRequest, 6, "sdk"),
        (CheckTxCode::InvalidAddress, 7, "sdk"),
        (CheckTxCode::InvalidPubKey, 8, "sdk"),
        (CheckTxCode::UnknownAddress, 9, "sdk"),
        (CheckTxCode::InvalidCoins, 10, "sdk"),
        (CheckTxCode::MemoTooLarge, 12, "sdk"),
        (CheckTxCode::InsufficientFee, 13, "sdk"),
        (CheckTxCode::TooManySignatures, 14, "sdk"),
        (CheckTxCode::NoSignatures, 15, "sdk"),
        (CheckTxCode::InvalidRequest, 18, "sdk"),
        (CheckTxCode::TxTooLarge, 21, "sdk"),
        (CheckTxCode::InvalidSigner, 24, "sdk"),
        (CheckTxCode::TxTimeoutHeight, 30, "sdk"),
        (CheckTxCode::UnknownExtensionOptions, 31, "sdk"),
        (CheckTxCode::WrongSequence, 32, "sdk"),
        (CheckTxCode::NotSupported, 37, "sdk"),
        (CheckTxCode::InvalidGasLimit, 41, "sdk"),
        (CheckTxCode::NonCanonicalEncoding, 101, "peg"),
        (CheckTxCode::ReservedTypeUrl, 102, "peg"),
        (CheckTxCode::InvalidEthProofOfPossession, 103, "peg"),
    ];
    for (code, number, codespace) in table {
        assert_eq!((code.code(), code.codespace()), (number, codespace), "{code:?}");
    }
}
