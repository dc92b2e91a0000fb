//! `pegd tx bridge …` / `pegd query bridge …`: argument parsing, the messages built (checked like
//! the chain checks their form, and carried unchanged through a signed transaction and peg-tx's
//! decoder), the query paths, and the wiring into the `pegd` binary.

use std::process::Command;

use clap::Parser;
use peg_tx::{decode_tx, Coin, Coins, EthAddress, Msg, PublicKey, SigningKey, TxBuilder, TxLimits};
use pegd::cmd::bridge::{BridgeQueryCommand, BridgeTxCommand};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

#[derive(Debug, Parser)]
struct TxCli {
    #[command(subcommand)]
    command: BridgeTxCommand,
}

#[derive(Debug, Parser)]
struct QueryCli {
    #[command(subcommand)]
    command: QueryWrap,
}

#[derive(Debug, clap::Subcommand)]
enum QueryWrap {
    #[command(flatten)]
    Bridge(BridgeQueryCommand),
}

fn tx(args: &[&str]) -> Result<BridgeTxCommand, clap::Error> {
    TxCli::try_parse_from(std::iter::once("bridge").chain(args.iter().copied())).map(|c| c.command)
}

fn query_path(args: &[&str]) -> TestResult<String> {
    let QueryWrap::Bridge(command) =
        QueryCli::try_parse_from(std::iter::once("bridge").chain(args.iter().copied()))?.command;
    Ok(command.path()?)
}

const RECEIVER: &str = "0x1111111111111111111111111111111111111111";

#[test]
fn send_to_eth_parses_and_builds() -> TestResult {
    let key = SigningKey::from_slice(&[7u8; 32])?;
    let sender = PublicKey::from_signing_key(&key).address();
    let command =
        tx(&["send-to-eth", RECEIVER, "1000upeg", "--bridge-fee", "25upeg", "--from", "alice"])?;
    assert_eq!(command.from(), "alice");
    let msg = command.build_msg(sender)?;
    let Msg::SendToEthereum(m) = &msg else {
        return Err(format!("wrong message {msg:?}").into());
    };
    assert_eq!(m.sender, sender);
    assert_eq!(m.eth_receiver, RECEIVER.parse::<EthAddress>()?);
    assert_eq!((m.amount.denom.as_str(), m.amount.amount), ("upeg", 1000));
    assert_eq!((m.bridge_fee.denom.as_str(), m.bridge_fee.amount), ("upeg", 25));
    // A voucher denom and a zero fee.
    let voucher = format!("5eth/{RECEIVER}");
    let zero_fee = format!("0eth/{RECEIVER}");
    let command =
        tx(&["send-to-eth", RECEIVER, &voucher, "--bridge-fee", &zero_fee, "--from", "a"])?;
    assert!(
        matches!(command.build_msg(sender)?, Msg::SendToEthereum(m) if m.bridge_fee.amount == 0)
    );

    // The message survives a signed transaction and the chain's decoder unchanged.
    let signed = TxBuilder::new("peg-test", 3, 0)
        .message(msg.clone())
        .fee(Coins::from_unsorted(vec![Coin::new("upeg", 1000)?])?)
        .gas_limit(peg_tx::required_gas(std::slice::from_ref(&msg)))
        .sign(&key)?;
    let decoded = decode_tx(&signed.bytes, &TxLimits::default())?;
    assert_eq!(decoded.messages(), std::slice::from_ref(&msg));

    // Refused before anything is signed.
    for (args, needle) in [
        (
            vec!["send-to-eth", "0x12", "1upeg", "--bridge-fee", "0upeg", "--from", "a"],
            "eth_receiver",
        ),
        (
            vec![
                "send-to-eth",
                "0x0000000000000000000000000000000000000000",
                "1upeg",
                "--bridge-fee",
                "0upeg",
                "--from",
                "a",
            ],
            "zero address",
        ),
        (
            vec!["send-to-eth", RECEIVER, "0upeg", "--bridge-fee", "0upeg", "--from", "a"],
            "positive",
        ),
        (
            vec!["send-to-eth", RECEIVER, "5upeg", "--bridge-fee", "1uatom", "--from", "a"],
            "differs",
        ),
        (vec!["send-to-eth", RECEIVER, "upeg", "--bridge-fee", "1upeg", "--from", "a"], "coin"),
    ] {
        let err = tx(&args)?.build_msg(sender).expect_err("refused");
        assert!(err.to_string().contains(needle), "{args:?}: {err}");
    }
    // Missing flags are clap errors.
    assert!(tx(&["send-to-eth", RECEIVER, "1upeg", "--from", "a"]).is_err(), "no --bridge-fee");
    assert!(tx(&["send-to-eth", RECEIVER, "1upeg", "--bridge-fee", "1upeg"]).is_err(), "no --from");
    Ok(())
}

#[test]
fn cancel_request_batch_register_denom() -> TestResult {
    let key = SigningKey::from_slice(&[9u8; 32])?;
    let sender = PublicKey::from_signing_key(&key).address();
    let msg = tx(&["cancel", "42", "--from", "bob"])?.build_msg(sender)?;
    assert!(
        matches!(msg, Msg::CancelSendToEthereum(m) if m.transfer_id == 42 && m.sender == sender)
    );
    assert!(tx(&["cancel", "0", "--from", "bob"])?.build_msg(sender).is_err());
    assert!(tx(&["cancel", "-1", "--from", "bob"]).is_err());

    let denom = format!("eth/{RECEIVER}");
    let msg = tx(&["request-batch", &denom, "--from", "bob"])?.build_msg(sender)?;
    assert!(matches!(&msg, Msg::RequestBatch(m) if m.denom == denom));
    assert!(tx(&["request-batch", "Bad Denom!", "--from", "bob"])?.build_msg(sender).is_err());

    let args = [
        "register-denom",
        "ustake",
        "--name",
        "Staked Peg",
        "--symbol",
        "STK",
        "--decimals",
        "6",
        "--from",
        "bob",
    ];
    let msg = tx(&args)?.build_msg(sender)?;
    let Msg::RegisterDenom(m) = &msg else {
        return Err(format!("wrong message {msg:?}").into());
    };
    assert_eq!(
        (m.denom.as_str(), m.name.as_str(), m.symbol.as_str(), m.decimals),
        ("ustake", "Staked Peg", "STK", 6)
    );
    let signed = TxBuilder::new("peg-test", 1, 2)
        .message(msg.clone())
        .fee(Coins::from_unsorted(vec![Coin::new("upeg", 1000)?])?)
        .gas_limit(peg_tx::required_gas(std::slice::from_ref(&msg)))
        .sign(&key)?;
    assert_eq!(decode_tx(&signed.bytes, &TxLimits::default())?.messages(), [msg]);

    let long_name = "n".repeat(65);
    let long_symbol = "S".repeat(17);
    for (field, value, needle) in [
        ("--decimals", "37", "decimals"),
        ("--name", long_name.as_str(), "name"),
        ("--name", "", "name"),
        ("--symbol", long_symbol.as_str(), "symbol"),
        ("--symbol", "S\u{e9}", "printable"),
    ] {
        let mut args = args.to_vec();
        let at = args.iter().position(|a| *a == field).ok_or("flag")? + 1;
        args[at] = value;
        let err = tx(&args)?.build_msg(sender).expect_err("refused");
        assert!(err.to_string().contains(needle), "{field}={value:?}: {err}");
    }
    let mut voucher = args.to_vec();
    voucher[1] = &denom;
    let err = tx(&voucher)?.build_msg(sender).expect_err("a voucher");
    assert!(err.to_string().contains("voucher"), "{err}");
    Ok(())
}

#[test]
fn query_paths() -> TestResult {
    assert_eq!(query_path(&["pool"])?, "/bridge/pool");
    assert_eq!(query_path(&["pool", "upeg"])?, "/bridge/pool/upeg");
    assert_eq!(query_path(&["batches"])?, "/bridge/batches");
    assert_eq!(query_path(&["batch", "7"])?, "/bridge/batch/7");
    assert_eq!(query_path(&["valsets"])?, "/bridge/valsets");
    assert_eq!(query_path(&["valset", "0"])?, "/bridge/valset/0");
    assert_eq!(query_path(&["signatures"])?, "/bridge/signatures");
    assert_eq!(query_path(&["denoms"])?, "/bridge/denoms");
    assert_eq!(query_path(&["params"])?, "/bridge/params");
    assert!(query_path(&["pool", "Bad Denom"]).is_err());
    assert!(query_path(&["batch", "x"]).is_err());
    Ok(())
}

#[test]
fn pegd_has_the_bridge_commands() -> TestResult {
    for args in [
        vec!["tx", "bridge", "--help"],
        vec!["tx", "bridge", "send-to-eth", "--help"],
        vec!["tx", "bridge", "register-denom", "--help"],
        vec!["query", "bridge", "--help"],
        vec!["query", "bridge", "valsets", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pegd")).args(&args).output()?;
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_pegd")).args(["tx", "bridge", "--help"]).output()?;
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["send-to-eth", "cancel", "request-batch", "register-denom"] {
        assert!(help.contains(sub), "{help}");
    }
    // An unreachable node fails cleanly (exit 1, a reason), nothing panics.
    let out = Command::new(env!("CARGO_BIN_EXE_pegd"))
        .args(["query", "bridge", "pool", "--node", "127.0.0.1:1"])
        .output()?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("error"));
    Ok(())
}
