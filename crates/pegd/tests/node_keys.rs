//! `pegd keys add|list|show` through the binary (no CometBFT needed).

use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn pegd(args: &[&str]) -> Result<(bool, String, String), Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_pegd")).args(args).output()?;
    Ok((
        output.status.success(),
        String::from_utf8(output.stdout)?,
        String::from_utf8(output.stderr)?,
    ))
}

#[test]
fn keys_add_list_show_json() -> TestResult {
    let home = tempfile::tempdir()?;
    let home = home.path().to_str().ok_or("temp path is not UTF-8")?.to_owned();
    let (ok, added, stderr) = pegd(&["keys", "--home", &home, "add", "alice", "--output", "json"])?;
    assert!(ok, "{stderr}");
    let added: serde_json::Value = serde_json::from_str(&added)?;
    let address = added["address"].as_str().ok_or("no address")?;
    assert!(address.starts_with("peg1"), "{address}");
    assert_eq!(added["type"], "secp256k1");
    assert_eq!(added["pub_key"].as_str().map(str::len), Some(66));
    assert!(added.get("private_key").is_none(), "the private key must not be printed");

    let (ok, shown, _) = pegd(&["keys", "--home", &home, "show", "alice", "--output", "json"])?;
    assert!(ok);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&shown)?, added);

    assert!(pegd(&["keys", "--home", &home, "add", "bob"])?.0);
    let (ok, listed, _) = pegd(&["keys", "--home", &home, "list", "--output", "json"])?;
    assert!(ok);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed)?;
    let names: Vec<_> = listed.iter().filter_map(|k| k["name"].as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);

    let (ok, _, stderr) = pegd(&["keys", "--home", &home, "add", "alice"])?;
    assert!(!ok && stderr.contains("already exists"), "{stderr}");
    let (ok, _, stderr) = pegd(&["keys", "--home", &home, "show", "carol"])?;
    assert!(!ok && stderr.contains("no key named"), "{stderr}");
    let (ok, _, stderr) = pegd(&["keys", "--home", &home, "add", "../evil"])?;
    assert!(!ok && stderr.contains("invalid key name"), "{stderr}");
    Ok(())
}
