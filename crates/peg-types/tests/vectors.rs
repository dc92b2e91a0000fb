//! The shared encoding vectors of `specs/contracts.md` §7.
//!
//! `REGENERATE_VECTORS=1 cargo test -p peg-types --test vectors` writes
//! `contracts/test/vectors/encodings.json` and one file per signed checkpoint case under
//! `contracts/test/vectors/checkpoints/`; a plain `cargo test` rebuilds the same JSON in memory and
//! fails on any difference from the committed files (or a stale case file), so the Rust and
//! Solidity sides (`contracts/test/Vectors.t.sol` replays the same files) cannot drift apart.
//!
//! Every private key used here is a PUBLIC TEST KEY, `keccak256("peg-types test validator <i>")`
//! (or `… deployer`): anyone can derive them. Never fund them on a real chain.

use std::collections::BTreeMap;
use std::path::PathBuf;

use alloy_primitives::{b256, keccak256, B256, U256};
use alloy_sol_types::{sol, SolError};
use peg_types::calls::sol_calls;
use peg_types::{
    batch_digest, expand_valset_entries, expand_valset_powers, lock_eth_calldata, pack_member,
    select_signatures, sign_digest, signer_address, signing_key_from_bytes, submit_batch_calldata,
    update_valset_calldata, update_valset_calldata_with, validate_valset_update,
    valset_update_digest, verify_checkpoint_signatures, Batch, BatchExecuted, BridgeDomain,
    EthAddress, EthSignature, NewValsetEncoding, PegAccount, PegEvent, PegTypesError, SigningKey,
    Transfer, TransferToPegZone, Valset, ValsetSignatures, ValsetUpdated, POWER_THRESHOLD,
    TOTAL_NORMALIZED_POWER,
};
use serde_json::{json, Value};

sol! {
    /// The contract's revert data for the failing cases (`IPegBridge` errors).
    error InsufficientPower(uint256 power, uint256 threshold);
    error SignerMismatch(uint256 index, address recovered, address expected);
}

const GENERATED_BY: &str = "GENERATED FILE, do not edit: written by `REGENERATE_VECTORS=1 cargo test -p peg-types --test vectors` (crates/peg-types/tests/vectors.rs) and checked by `cargo test -p peg-types` and contracts/test/Vectors.t.sol.";
const KEYS_NOTE: &str = "All private keys are PUBLIC TEST KEYS: validator i is keccak256(\"peg-types test validator <i>\"), the deployer keccak256(\"peg-types test deployer\"). Never fund them.";

const CHAIN_ID: u64 = 31337;
/// Validator keys 0..20 are written out (the Foundry test re-signs with them); the 256-member
/// valset's keys (100..356) are not, to keep the file small.
const VALIDATOR_KEYS_LISTED: usize = 20;
/// Far in the future (2100-01-01T00:00:00Z), so that the Foundry test need not warp.
const TIMEOUT: u64 = 4_102_444_800;

fn test_key(label: &str) -> SigningKey {
    signing_key_from_bytes(&keccak256(label)).expect("a keccak256 output is a valid secp256k1 key")
}

fn validator_key(i: usize) -> SigningKey {
    test_key(&format!("peg-types test validator {i}"))
}

fn deployer_key() -> SigningKey {
    test_key("peg-types test deployer")
}

fn bridge_id() -> B256 {
    keccak256("peg-types test bridge")
}

fn domain() -> BridgeDomain {
    BridgeDomain::for_deployment(CHAIN_ID, signer_address(&deployer_key()), 0, bridge_id())
}

fn hex_bytes(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Addresses lowercase: Foundry parses any case, and lowercase keeps the file diff-friendly.
fn address(a: &EthAddress) -> String {
    hex_bytes(a.as_bytes())
}

fn word(w: &B256) -> String {
    hex_bytes(w.as_slice())
}

/// A test account (batch receiver, lock sender) that is no validator: `keccak256(label)[12..]`.
fn account(label: &str) -> EthAddress {
    let hash = keccak256(label);
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&hash[12..]);
    EthAddress::new(bytes)
}

struct NamedValset {
    name: &'static str,
    /// Keys of the members, by address.
    keys: BTreeMap<EthAddress, SigningKey>,
    /// The raw (consensus) powers fed to `Valset::from_raw_powers`, in input order.
    raw: Vec<(EthAddress, u64)>,
    valset: Valset,
}

fn named_valset(
    name: &'static str,
    nonce: u64,
    key_indices: &[usize],
    raw_powers: &[u64],
) -> NamedValset {
    let keys: BTreeMap<EthAddress, SigningKey> = key_indices
        .iter()
        .map(|&i| {
            let key = validator_key(i);
            (signer_address(&key), key)
        })
        .collect();
    let raw: Vec<(EthAddress, u64)> = key_indices
        .iter()
        .zip(raw_powers)
        .map(|(&i, &p)| (signer_address(&validator_key(i)), p))
        .collect();
    let valset = Valset::from_raw_powers(nonce, raw.clone()).expect("vector valsets are valid");
    NamedValset { name, keys, raw, valset }
}

fn valsets() -> Vec<NamedValset> {
    let mut four_by_address: Vec<usize> = vec![0, 1, 2, 3];
    four_by_address.sort_by_key(|&i| signer_address(&validator_key(i)));
    let odd: Vec<u64> = vec![7, 3, 11, 3, 5];
    let skewed: Vec<u64> = (0..10).map(|i| 1000 - 90 * i).collect();
    let max_size_keys: Vec<usize> = (100..356).collect();
    let max_size_powers: Vec<u64> = (0..256u64).map(|i| 1_000 + (i * 37) % 501).collect();
    vec![
        named_valset("single", 0, &[0], &[1]),
        named_valset("four-equal", 1, &[0, 1, 2, 3], &[100, 100, 100, 100]),
        named_valset("odd-powers", 2, &[1, 2, 3, 4, 5], &odd),
        // Raw powers near u64::MAX (normalization in 128-bit arithmetic); the last validator's
        // share floors to zero and is left out of the valset.
        named_valset(
            "max-raw-powers",
            3,
            &[6, 7, 8, 9],
            &[u64::MAX, u64::MAX - 1, 1 << 63, 12_345],
        ),
        named_valset("skewed-10", 10, &(10..20).collect::<Vec<_>>(), &skewed),
        named_valset("max-size-256", 11, &max_size_keys, &max_size_powers),
        named_valset("three-after-max-size", 12, &[0, 1, 2], &[50, 30, 20]),
        // four-equal's validators, same order, new powers: `updateValsetPowers` applies.
        named_valset("four-repowered", 2, &four_by_address, &[400, 300, 200, 100]),
    ]
}

fn batches() -> Vec<(&'static str, Batch)> {
    let ether = U256::from(10u64).pow(U256::from(18u64));
    let transfer =
        |label: &str, amount: U256, fee: U256| Transfer { receiver: account(label), amount, fee };
    vec![
        (
            "eth-one-transfer",
            Batch {
                token: EthAddress::ZERO,
                batch_nonce: 1,
                timeout: TIMEOUT,
                transfers: vec![transfer("receiver 0", ether, ether / U256::from(100u64))],
            },
        ),
        (
            "eth-five-transfers",
            Batch {
                token: EthAddress::ZERO,
                batch_nonce: 2,
                timeout: TIMEOUT,
                transfers: (1..=5u64)
                    .map(|i| {
                        transfer(
                            &format!("receiver {i}"),
                            ether * U256::from(i) / U256::from(3u64),
                            U256::from(1_000_000_000u64 * i),
                        )
                    })
                    .collect(),
            },
        ),
        (
            "erc20-extreme-values",
            Batch {
                token: account("some erc20"),
                batch_nonce: u64::MAX,
                timeout: u64::MAX,
                transfers: vec![
                    transfer("receiver 6", U256::MAX >> 1, U256::ZERO),
                    transfer("receiver 7", U256::from(1u64), U256::MAX >> 1),
                    transfer("receiver 6", U256::ZERO, U256::ZERO),
                ],
            },
        ),
    ]
}

fn valset_json(v: &NamedValset, domain: &BridgeDomain) -> Value {
    let valset = &v.valset;
    json!({
        "name": v.name,
        "nonce": valset.nonce,
        "rawValidators": v.raw.iter().map(|(a, _)| address(a)).collect::<Vec<_>>(),
        "rawPowers": v.raw.iter().map(|(_, p)| p.to_string()).collect::<Vec<_>>(),
        "validators": valset.validators().iter().map(address).collect::<Vec<_>>(),
        "powers": valset.powers().iter().map(u64::to_string).collect::<Vec<_>>(),
        "members": valset.members.iter().map(|m| word(&pack_member(m))).collect::<Vec<_>>(),
        "totalPower": valset.total_power().to_string(),
        "hash": word(&valset.valset_hash()),
        "membersHash": word(&valset.members_hash()),
        "updateDigest": word(&valset_update_digest(domain, valset)),
    })
}

/// What a checkpoint case file needs of a valset: the `valsets[i]` entry of `encodings.json`
/// without the raw powers.
fn valset_brief_json(v: &NamedValset, domain: &BridgeDomain) -> Value {
    let mut full = valset_json(v, domain);
    if let Some(map) = full.as_object_mut() {
        map.remove("rawValidators");
        map.remove("rawPowers");
    }
    full
}

fn batch_json(name: &str, batch: &Batch, domain: &BridgeDomain) -> Value {
    json!({
        "name": name,
        "token": address(&batch.token),
        "batchNonce": batch.batch_nonce.to_string(),
        "timeout": batch.timeout.to_string(),
        "receivers": batch.transfers.iter().map(|t| address(&t.receiver)).collect::<Vec<_>>(),
        "amounts": batch.transfers.iter().map(|t| t.amount.to_string()).collect::<Vec<_>>(),
        "fees": batch.transfers.iter().map(|t| t.fee.to_string()).collect::<Vec<_>>(),
        "hash": word(&batch.batch_hash()),
        "digest": word(&batch_digest(domain, batch)),
    })
}

fn log_json(event: &PegEvent) -> Value {
    let (topics, data) = event.encode_log();
    json!({
        "topics": topics.iter().map(word).collect::<Vec<_>>(),
        "data": hex_bytes(&data),
    })
}

/// Which members sign a checkpoint case.
enum Signers {
    /// These valset positions sign the case's digest.
    Positions(Vec<usize>),
    /// These positions sign, but each position's signature is the next listed one's
    /// (the signers are right, their positions wrong).
    Rotated(Vec<usize>),
    /// These positions sign the digest of another domain (chain id 1).
    OtherDomain(Vec<usize>),
    /// The fewest that pass, chosen by `select_signatures` from every member's signature.
    Fewest,
}

enum Subject {
    ValsetUpdate(usize),
    Batch(usize),
}

struct Case {
    name: &'static str,
    genesis: usize,
    subject: Subject,
    signers: Signers,
}

fn cases() -> Vec<Case> {
    use Signers::*;
    use Subject::*;
    vec![
        Case {
            name: "update-single-to-four-equal",
            genesis: 0,
            subject: ValsetUpdate(1),
            signers: Positions(vec![0]),
        },
        Case {
            name: "update-four-equal-to-odd-powers-3-of-4",
            genesis: 1,
            subject: ValsetUpdate(2),
            signers: Positions(vec![0, 1, 2]),
        },
        Case {
            name: "update-four-equal-to-odd-powers-2-of-4-under-threshold",
            genesis: 1,
            subject: ValsetUpdate(2),
            signers: Positions(vec![0, 3]),
        },
        Case {
            name: "update-four-equal-to-skewed-skipping-nonces",
            genesis: 1,
            subject: ValsetUpdate(4),
            signers: Positions(vec![0, 1, 3]),
        },
        Case {
            name: "update-odd-powers-to-max-raw-powers-fewest",
            genesis: 2,
            subject: ValsetUpdate(3),
            signers: Fewest,
        },
        Case {
            name: "update-skewed-to-max-size-fewest",
            genesis: 4,
            subject: ValsetUpdate(5),
            signers: Fewest,
        },
        Case {
            name: "update-max-size-to-three-fewest",
            genesis: 5,
            subject: ValsetUpdate(6),
            signers: Fewest,
        },
        Case {
            name: "update-four-equal-repowered-3-of-4",
            genesis: 1,
            subject: ValsetUpdate(7),
            signers: Positions(vec![1, 2, 3]),
        },
        Case {
            name: "update-four-equal-repowered-2-of-4-under-threshold",
            genesis: 1,
            subject: ValsetUpdate(7),
            signers: Positions(vec![0, 1]),
        },
        Case {
            name: "batch-eth-five-transfers-3-of-4",
            genesis: 1,
            subject: Batch(1),
            signers: Positions(vec![1, 2, 3]),
        },
        Case {
            name: "batch-eth-one-transfer-all-4",
            genesis: 1,
            subject: Batch(0),
            signers: Positions(vec![0, 1, 2, 3]),
        },
        Case {
            name: "batch-eth-five-transfers-2-of-4-under-threshold",
            genesis: 1,
            subject: Batch(1),
            signers: Positions(vec![1, 2]),
        },
        Case {
            name: "batch-eth-one-transfer-signers-out-of-position",
            genesis: 1,
            subject: Batch(0),
            signers: Rotated(vec![0, 1, 2]),
        },
        Case {
            name: "batch-eth-one-transfer-signed-for-another-chain",
            genesis: 1,
            subject: Batch(0),
            signers: OtherDomain(vec![0, 1, 2]),
        },
        Case {
            name: "batch-eth-five-transfers-skewed-fewest",
            genesis: 4,
            subject: Batch(1),
            signers: Fewest,
        },
    ]
}

fn sign_positions(
    named: &NamedValset,
    digest: &B256,
    positions: &[usize],
) -> Vec<Option<EthSignature>> {
    let mut out = vec![None; named.valset.members.len()];
    for &p in positions {
        let member = named.valset.members[p].eth_address;
        let key = &named.keys[&member];
        out[p] = Some(sign_digest(key, digest).expect("signing a digest works"));
    }
    out
}

fn case_json(
    case: &Case,
    valsets: &[NamedValset],
    batches: &[(&str, Batch)],
    domain: &BridgeDomain,
) -> Value {
    let genesis = &valsets[case.genesis];
    if let Subject::ValsetUpdate(i) = case.subject {
        // Every update case is a valid update (new nonce above the genesis nonce): only the
        // signatures decide whether it passes.
        validate_valset_update(&genesis.valset, &valsets[i].valset)
            .unwrap_or_else(|e| panic!("case {}: {e}", case.name));
    }
    let (kind, subject_index, digest) = match case.subject {
        Subject::ValsetUpdate(i) => {
            ("valsetUpdate", i, valset_update_digest(domain, &valsets[i].valset))
        }
        Subject::Batch(i) => ("batch", i, batch_digest(domain, &batches[i].1)),
    };
    let signatures = match &case.signers {
        Signers::Positions(p) => sign_positions(genesis, &digest, p),
        Signers::Rotated(p) => {
            let correct = sign_positions(genesis, &digest, p);
            let mut rotated = correct.clone();
            for (k, &pos) in p.iter().enumerate() {
                rotated[pos] = correct[p[(k + 1) % p.len()]];
            }
            rotated
        }
        Signers::OtherDomain(p) => {
            let other = BridgeDomain { chain_id: 1, ..*domain };
            let other_digest = match case.subject {
                Subject::ValsetUpdate(i) => valset_update_digest(&other, &valsets[i].valset),
                Subject::Batch(i) => batch_digest(&other, &batches[i].1),
            };
            sign_positions(genesis, &other_digest, p)
        }
        Signers::Fewest => {
            let all: Vec<usize> = (0..genesis.valset.members.len()).collect();
            let collected: BTreeMap<EthAddress, EthSignature> =
                sign_positions(genesis, &digest, &all)
                    .into_iter()
                    .zip(&genesis.valset.members)
                    .filter_map(|(s, m)| s.map(|s| (m.eth_address, s)))
                    .collect();
            select_signatures(&genesis.valset, &digest, &collected)
                .expect("every member signed: the fewest exist")
        }
    };
    let calldata =
        ValsetSignatures::new(&genesis.valset, &signatures).expect("encodable signatures");
    let call = match case.subject {
        Subject::ValsetUpdate(i) => update_valset_calldata(&valsets[i].valset, &calldata),
        Subject::Batch(i) => submit_batch_calldata(&batches[i].1, &calldata),
    };
    // Every form of a valset update ("0x" when a form does not apply, and for batches).
    let form = |encoding: NewValsetEncoding| match case.subject {
        Subject::ValsetUpdate(i) => {
            update_valset_calldata_with(&valsets[i].valset, &calldata, encoding)
                .map_or_else(|_| "0x".to_owned(), |c| hex_bytes(&c))
        }
        Subject::Batch(_) => "0x".to_owned(),
    };
    let result = verify_checkpoint_signatures(&genesis.valset, &digest, &signatures);
    let signed_power: u128 = genesis
        .valset
        .members
        .iter()
        .zip(&signatures)
        .filter(|(_, s)| s.is_some())
        .map(|(m, _)| u128::from(m.power))
        .sum();
    let (passes, error_name, revert_data, expected_log) = match &result {
        Ok(_) => {
            let event = match case.subject {
                Subject::ValsetUpdate(i) => PegEvent::ValsetUpdated(ValsetUpdated {
                    event_nonce: 1,
                    valset: valsets[i].valset.clone(),
                }),
                Subject::Batch(i) => PegEvent::BatchExecuted(BatchExecuted {
                    event_nonce: 1,
                    token: batches[i].1.token,
                    batch_nonce: batches[i].1.batch_nonce,
                }),
            };
            (true, "", String::from("0x"), log_json(&event))
        }
        Err(PegTypesError::InsufficientPower { got, expected }) => (
            false,
            "InsufficientPower",
            hex_bytes(
                &InsufficientPower { power: U256::from(*got), threshold: U256::from(*expected) }
                    .abi_encode(),
            ),
            Value::Null,
        ),
        Err(PegTypesError::SignerMismatch { index, got, expected }) => (
            false,
            "SignerMismatch",
            hex_bytes(
                &SignerMismatch {
                    index: U256::from(*index),
                    recovered: got.as_address(),
                    expected: expected.as_address(),
                }
                .abi_encode(),
            ),
            Value::Null,
        ),
        Err(other) => panic!("case {}: unexpected error kind {other}", case.name),
    };
    let (subject_key, subject_json) = match case.subject {
        Subject::ValsetUpdate(i) => ("valset", valset_brief_json(&valsets[i], domain)),
        Subject::Batch(i) => ("batch", batch_json(batches[i].0, &batches[i].1, domain)),
    };
    let mut out = json!({
        "_generated": GENERATED_BY,
        "name": case.name,
        "kind": kind,
        "genesis": case.genesis,
        "genesisValset": valset_brief_json(genesis, domain),
        "subject": subject_index,
        "digest": word(&digest),
        "members": calldata.members.iter().map(word).collect::<Vec<_>>(),
        "signers": calldata.signers.to_string(),
        "signerCount": calldata.signers.count_ones(),
        "signatures": hex_bytes(&calldata.signatures),
        "calldata": hex_bytes(&call),
        "calldataMemberWords": form(NewValsetEncoding::MemberWords),
        "calldataReferences": form(NewValsetEncoding::References),
        "calldataPowers": form(NewValsetEncoding::Powers),
        "signaturesRsv": signatures
            .iter()
            .map(|s| s.map_or_else(|| "0x".to_owned(), |s| hex_bytes(&s.to_bytes())))
            .collect::<Vec<_>>(),
        "signedPower": signed_power.to_string(),
        "passes": passes,
        "error": error_name,
        "revertData": revert_data,
        "expectedLog": expected_log,
    });
    out[subject_key] = subject_json;
    out
}

/// The checkpoint case files, relative to the vectors directory: `checkpoints/NN-<name>.json`.
fn case_file(index: usize, case: &Case) -> String {
    format!("checkpoints/{index:02}-{}.json", case.name)
}

/// Every vectors file: `encodings.json` (domain, valsets, batches, events, and an index of the
/// checkpoint cases) and one self-contained file per checkpoint case, so that the Foundry test
/// reads small files (its JSON cheatcodes copy the whole text into EVM memory on every call).
fn build_vectors() -> Vec<(String, Value)> {
    let domain = domain();
    let deployer = signer_address(&deployer_key());
    let valsets = valsets();
    let batches = batches();
    let cases = cases();

    let genesis_logs: Vec<Value> = valsets
        .iter()
        .map(|v| {
            log_json(&PegEvent::ValsetUpdated(ValsetUpdated {
                event_nonce: 0,
                valset: v.valset.clone(),
            }))
        })
        .collect();

    let lock_sender = account("lock sender");
    let lock_receiver = PegAccount::new([0x5e; 20]);
    let lock_amount = U256::from(123_456_789_000_000_000u64);
    let lock_log = log_json(&PegEvent::Locked(TransferToPegZone {
        event_nonce: 1,
        token: EthAddress::ZERO,
        sender: lock_sender,
        receiver: lock_receiver,
        amount: lock_amount,
    }));

    let main = json!({
        "_generated": GENERATED_BY,
        "_keys": KEYS_NOTE,
        "powerThreshold": POWER_THRESHOLD.to_string(),
        "totalPower": TOTAL_NORMALIZED_POWER.to_string(),
        "typehashes": {
            "domain": word(&peg_types::eip712::domain_typehash()),
            "valset": word(&peg_types::eip712::valset_typehash()),
            "batch": word(&peg_types::eip712::batch_typehash()),
        },
        "domain": {
            "name": peg_types::eip712::DOMAIN_NAME,
            "version": peg_types::eip712::DOMAIN_VERSION,
            "chainId": domain.chain_id,
            "deployer": address(&deployer),
            "deployerNonce": 0,
            "verifyingContract": address(&domain.verifying_contract),
            "bridgeId": word(&domain.bridge_id),
            "separator": word(&domain.domain_separator()),
        },
        "validatorKeyCount": VALIDATOR_KEYS_LISTED,
        "validatorKeys": (0..VALIDATOR_KEYS_LISTED)
            .map(|i| {
                let key = validator_key(i);
                json!({
                    "index": i,
                    "privateKey": hex_bytes(&key.to_bytes()),
                    "address": address(&signer_address(&key)),
                })
            })
            .collect::<Vec<_>>(),
        "valsetCount": valsets.len(),
        "valsets": valsets.iter().map(|v| valset_json(v, &domain)).collect::<Vec<_>>(),
        "genesisLogs": genesis_logs,
        "batchCount": batches.len(),
        "batches": batches.iter().map(|(n, b)| batch_json(n, b, &domain)).collect::<Vec<_>>(),
        "checkpointCount": cases.len(),
        "checkpoints": cases
            .iter()
            .enumerate()
            .map(|(i, c)| json!({ "name": c.name, "file": case_file(i, c) }))
            .collect::<Vec<_>>(),
        "events": {
            "topic0": PegEvent::topic0s()
                .iter()
                .map(|(name, topic)| ((*name).to_owned(), Value::String(word(topic))))
                .collect::<serde_json::Map<_, _>>(),
            "lockEth": {
                "sender": address(&lock_sender),
                "receiver": hex_bytes(lock_receiver.as_bytes()),
                "amount": lock_amount.to_string(),
                "calldata": hex_bytes(&lock_eth_calldata(&lock_receiver)),
                "log": lock_log,
            },
        },
    });
    let mut files = vec![("encodings.json".to_owned(), main)];
    for (i, case) in cases.iter().enumerate() {
        files.push((case_file(i, case), case_json(case, &valsets, &batches, &domain)));
    }
    files
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/test/vectors")
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    text.push('\n');
    text
}

/// `(path relative to the vectors directory, text)` of every vectors file.
fn render() -> Vec<(String, String)> {
    build_vectors().iter().map(|(path, value)| (path.clone(), pretty(value))).collect()
}

/// The `*.json` files under `checkpoints/` now on disk, relative to the vectors directory.
fn case_files_on_disk() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(vectors_dir().join("checkpoints")) else {
        return Vec::new();
    };
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("checkpoints/{name}"))
        .collect();
    files.sort();
    files
}

/// Writes the vectors with `REGENERATE_VECTORS=1` (removing stale case files); otherwise fails on
/// any drift from the committed files, and on a case file the generator does not produce.
#[test]
fn vectors_file_matches_generator() {
    let dir = vectors_dir();
    let fresh = render();
    let expected_cases: Vec<String> =
        fresh.iter().map(|(p, _)| p.clone()).filter(|p| p.starts_with("checkpoints/")).collect();
    if std::env::var("REGENERATE_VECTORS").as_deref() == Ok("1") {
        std::fs::create_dir_all(dir.join("checkpoints")).expect("create contracts/test/vectors");
        for stale in case_files_on_disk().iter().filter(|f| !expected_cases.contains(f)) {
            std::fs::remove_file(dir.join(stale)).expect("remove a stale case file");
        }
        for (path, text) in &fresh {
            std::fs::write(dir.join(path), text).expect("write a vectors file");
        }
        return;
    }
    let regenerate = "if the change is intended, run `REGENERATE_VECTORS=1 cargo test -p peg-types --test vectors`";
    let stale: Vec<String> =
        case_files_on_disk().into_iter().filter(|f| !expected_cases.contains(f)).collect();
    assert!(stale.is_empty(), "case files the generator does not produce: {stale:?}; {regenerate}");
    for (path, text) in &fresh {
        let full = dir.join(path);
        let committed = std::fs::read_to_string(&full)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}; {regenerate}", full.display()));
        if &committed != text {
            let line = committed
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(text.lines().count()));
            panic!(
                "{} differs from the generator (first at line {}: committed {:?}, generated {:?}); {regenerate}",
                full.display(),
                line + 1,
                committed.lines().nth(line),
                text.lines().nth(line),
            );
        }
    }
}

/// The generator is deterministic: two builds give the same bytes (RFC 6979 signatures).
#[test]
fn generator_is_deterministic() {
    assert_eq!(render(), render());
}

/// Literal pins of the vector domain, so that a change of the domain or its encoding is caught
/// with a readable message even before the file comparison.
#[test]
fn domain_pins() {
    let domain = domain();
    assert_eq!(
        signer_address(&deployer_key()),
        "0x8f8Ca3f7dEe907954BB6f3FcBB43121cE3977E74".parse::<EthAddress>().expect("literal")
    );
    assert_eq!(
        domain.verifying_contract,
        "0x881669436b7e0ae980b9929d28b90904497861c8".parse::<EthAddress>().expect("literal")
    );
    assert_eq!(
        domain.domain_separator(),
        b256!("c1ce47793e8474f9be693bc8299b77c487e05ae4b6e1463a7a26907daa3403fd")
    );
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} is a string"))
}

fn parse_word(s: &str) -> B256 {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Reads the vectors back through the decoding side of the API (calldata decoding, signature
/// verification) and checks every case's outcome: the file is what the Solidity test replays, so
/// it must be self-consistent, not only equal to the generator's output. (It parses the rendered
/// text, which `vectors_file_matches_generator` proves equal to the committed file, so that this
/// test does not race with a regeneration running in parallel.)
#[test]
fn vectors_verify_through_the_decoders() {
    let files: BTreeMap<String, Value> = render()
        .into_iter()
        .map(|(path, text)| (path, serde_json::from_str(&text).expect("vectors are JSON")))
        .collect();
    let file = &files["encodings.json"];
    let valsets = file["valsets"].as_array().expect("valsets array");
    let batches = file["batches"].as_array().expect("batches array");
    let mut powers_forms = 0;
    let mut passing = 0;
    let mut failing = 0;
    for entry in file["checkpoints"].as_array().expect("checkpoints index") {
        let case = &files[str_at(entry, "file")];
        let name = str_at(case, "name");
        assert_eq!(name, str_at(entry, "name"));
        let genesis = case["genesis"].as_u64().expect("genesis") as usize;
        for key in ["nonce", "validators", "powers", "members", "hash", "membersHash"] {
            assert_eq!(case["genesisValset"][key], valsets[genesis][key], "{name}: genesis {key}");
        }
        let calldata = ValsetSignatures {
            members: case["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| parse_word(m.as_str().expect("word")))
                .collect(),
            signers: str_at(case, "signers").parse().expect("signers bitmap"),
            signatures: hex::decode(str_at(case, "signatures").trim_start_matches("0x"))
                .expect("signature hex"),
        };
        let digest = parse_word(str_at(case, "digest"));
        let subject = case["subject"].as_u64().expect("subject") as usize;
        let expected_digest = match str_at(case, "kind") {
            "valsetUpdate" => {
                for key in ["nonce", "members", "hash", "membersHash", "updateDigest"] {
                    assert_eq!(case["valset"][key], valsets[subject][key], "{name}: valset {key}");
                }
                str_at(&valsets[subject], "updateDigest")
            }
            _ => {
                assert_eq!(case["batch"], batches[subject], "{name}: embedded batch");
                str_at(&batches[subject], "digest")
            }
        };
        assert_eq!(digest, parse_word(expected_digest), "{name}: digest");
        if str_at(case, "kind") == "valsetUpdate" {
            powers_forms += check_update_forms(case, &valsets[subject], &calldata.members);
        }
        let stored_members_hash = parse_word(str_at(&valsets[genesis], "membersHash"));
        let result = calldata.verify(&stored_members_hash, &digest);
        let passes = case["passes"].as_bool().expect("passes");
        assert_eq!(result.is_ok(), passes, "{name}: {result:?}");
        match result {
            Ok(power) => {
                assert_eq!(power.to_string(), str_at(case, "signedPower"), "{name}");
                passing += 1;
            }
            Err(PegTypesError::InsufficientPower { .. }) => {
                assert_eq!(str_at(case, "error"), "InsufficientPower", "{name}");
                failing += 1;
            }
            Err(PegTypesError::SignerMismatch { .. }) => {
                assert_eq!(str_at(case, "error"), "SignerMismatch", "{name}");
                failing += 1;
            }
            Err(other) => panic!("{name}: unexpected {other}"),
        }
    }
    assert!(passing >= 5 && failing >= 3, "{passing} passing, {failing} failing");
    assert!(powers_forms >= 2, "updateValsetPowers cases: {powers_forms}");

    // Genesis logs decode back to the valsets, with event nonce 0.
    for (i, log) in file["genesisLogs"].as_array().expect("genesisLogs").iter().enumerate() {
        let topics: Vec<B256> = log["topics"]
            .as_array()
            .expect("topics")
            .iter()
            .map(|t| parse_word(t.as_str().expect("topic")))
            .collect();
        let data = hex::decode(str_at(log, "data").trim_start_matches("0x")).expect("data hex");
        let event = PegEvent::decode_raw_log(&topics, &data)
            .expect("genesis log decodes")
            .into_valset_updated()
            .expect("a ValsetUpdated");
        assert_eq!(event.event_nonce, 0);
        assert_eq!(
            word(&event.valset.valset_hash()),
            str_at(&valsets[i], "hash"),
            "genesis log {i}"
        );
        event.valset.validate().expect("emitted valsets are valid");
    }
}

/// Every calldata form of a valset-update case decodes (through the contract's expansion) to the
/// case's new valset, with its hash. Returns 1 when the `updateValsetPowers` form is present.
fn check_update_forms(case: &Value, new: &Value, current_members: &[B256]) -> usize {
    use alloy_sol_types::SolCall;
    let name = str_at(case, "name");
    let nonce = new["nonce"].as_u64().expect("nonce");
    let hash = str_at(new, "hash");
    let bytes = |key: &str| hex::decode(str_at(case, key).trim_start_matches("0x")).expect("hex");
    for key in ["calldata", "calldataMemberWords", "calldataReferences", "calldataPowers"] {
        let data = bytes(key);
        if data.is_empty() {
            continue;
        }
        let valset = if let Ok(call) = sol_calls::updateValsetCall::abi_decode(&data) {
            expand_valset_entries(nonce, &call.newEntries, current_members)
        } else {
            let call = sol_calls::updateValsetPowersCall::abi_decode(&data)
                .unwrap_or_else(|e| panic!("{name} {key}: neither update call: {e}"));
            expand_valset_powers(nonce, &call.newPowers, current_members)
        }
        .unwrap_or_else(|e| panic!("{name} {key}: {e}"));
        assert_eq!(word(&valset.valset_hash()), hash, "{name} {key}");
    }
    usize::from(!bytes("calldataPowers").is_empty())
}

/// The vector valsets show each rule at work: normalization floors, ties by address, dust dropped.
#[test]
fn vector_valsets_cover_the_normalization_rules() -> Result<(), PegTypesError> {
    let valsets = valsets();
    // single: all power to the one member.
    assert_eq!(valsets[0].valset.powers(), vec![TOTAL_NORMALIZED_POWER]);
    // four-equal: 2^30 each.
    assert_eq!(valsets[1].valset.powers(), vec![1 << 30; 4]);
    // odd-powers: the two raw 3s tie and are ordered by address.
    let odd = &valsets[2].valset;
    let tied: Vec<_> = odd.members.iter().filter(|m| m.power == odd.members[3].power).collect();
    assert_eq!(tied.len(), 2);
    assert!(tied[0].eth_address < tied[1].eth_address);
    // max-raw-powers: the 12_345 validator floors to zero and is dropped.
    assert_eq!(valsets[3].raw.len(), 4);
    assert_eq!(valsets[3].valset.members.len(), 3);
    // max-size: 256 members.
    assert_eq!(valsets[5].valset.members.len(), 256);
    for v in &valsets {
        v.valset.validate()?;
    }
    Ok(())
}
