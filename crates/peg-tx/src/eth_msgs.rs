//! The Ethereum light-client messages of the `peg.eth.v1` package (`specs/eth-module.md` §2):
//! their checked forms, stateless bounds, and the deterministic gas schedule (§3).
//!
//! Every bound here is checked by [`crate::decode_tx`] before the state machine sees the
//! message, and gas is a function of the message's shape only, so a transaction carrying a bad
//! proof pays exactly what a good one of the same shape pays.

use prost::Message as _;
use sha2::{Digest, Sha256};

use crate::proto;
use crate::wire;
use crate::{AccAddress, TxError};

/// `/peg.eth.v1.MsgUpdateEthClient`.
pub const MSG_UPDATE_ETH_CLIENT_TYPE_URL: &str = "/peg.eth.v1.MsgUpdateEthClient";
/// `/peg.eth.v1.MsgSubmitEthEvents`.
pub const MSG_SUBMIT_ETH_EVENTS_TYPE_URL: &str = "/peg.eth.v1.MsgSubmitEthEvents";
/// `/peg.eth.v1.MsgEthGovernance`.
pub const MSG_ETH_GOVERNANCE_TYPE_URL: &str = "/peg.eth.v1.MsgEthGovernance";
/// `/peg.eth.v1.MsgTrustEthAncestor`.
pub const MSG_TRUST_ETH_ANCESTOR_TYPE_URL: &str = "/peg.eth.v1.MsgTrustEthAncestor";
/// `/peg.eth.v1.MsgProveEthState`.
pub const MSG_PROVE_ETH_STATE_TYPE_URL: &str = "/peg.eth.v1.MsgProveEthState";

/// The consensus forks that carry light-client data, lowercase as the beacon API names them.
pub const LIGHT_CLIENT_FORKS: [&str; 7] =
    ["altair", "bellatrix", "capella", "deneb", "electra", "fulu", "gloas"];
/// Every consensus fork name a fork schedule may list (phase0 first).
pub const ALL_FORKS: [&str; 8] =
    ["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu", "gloas"];

/// Largest SSZ light-client update or bootstrap accepted: a mainnet-preset Electra update is
/// about 27 KiB (512 committee keys of 48 bytes); Gloas adds branch nodes.
pub const MAX_ETH_UPDATE_BYTES: usize = 64 * 1024;
/// Most execution headers in one `MsgSubmitEthEvents` (the light client's own chain bound; the
/// transaction size limit is usually the tighter one).
pub const MAX_EVENT_HEADERS: usize = 8192;
/// Largest RLP execution header (the light client's `MAX_HEADER_BYTES`).
pub const MAX_EVENT_HEADER_BYTES: usize = 4096;
/// Most execution headers in one `MsgTrustEthAncestor` (the light client's chain bound, as for
/// events; the transaction size limit is usually the tighter one).
pub const MAX_ANCESTOR_HEADERS: usize = MAX_EVENT_HEADERS;
/// Fewest headers in one `MsgTrustEthAncestor`: the trusted block and at least one ancestor
/// (one header alone would name a block that is already trusted).
pub const MIN_ANCESTOR_HEADERS: usize = 2;
/// Most receipt proofs in one `MsgSubmitEthEvents`.
pub const MAX_EVENT_RECEIPTS: usize = 256;
/// Most nodes in one receipt proof (the light client's `MAX_PROOF_NODES`).
pub const MAX_PROOF_NODES: usize = 66;
/// Largest trie node: branch nodes are at most 532 bytes; a leaf holds a whole receipt.
pub const MAX_PROOF_NODE_BYTES: usize = 64 * 1024;
/// Most bridge events (logs) in one `MsgSubmitEthEvents`.
pub const MAX_EVENTS_PER_MSG: usize = 256;
/// Largest state- or storage-trie node of `MsgProveEthState`: a branch node is at most 532 bytes
/// (16 hashes of 33 bytes, an empty value, a 3-byte list header); leaves are far smaller.
pub const MAX_STATE_PROOF_NODE_BYTES: usize = 1024;
/// Most forks in a `SetForkSchedule` (one per fork name).
pub const MAX_FORK_ENTRIES: usize = ALL_FORKS.len();

// ----- gas schedule (specs/eth-module.md §3). One gas is about one nanosecond of work on the
// reference machine; every figure covers the worst case of the shape it prices. -----

/// Charged once per transaction (envelope decoding, secp256k1 verification, account writes).
pub const TX_BASE_GAS: u64 = 20_000;
/// `MsgSend`: base, plus [`SEND_COIN_GAS`] per coin.
pub const SEND_BASE_GAS: u64 = 10_000;
/// `MsgSend`: per coin.
pub const SEND_COIN_GAS: u64 = 2_000;
/// `MsgCreateValidator`, `MsgBond`, `MsgUnbond` (validator-set scans).
pub const STAKING_GAS: u64 = 50_000;
/// `MsgRegisterEthAddress` (an ecrecover).
pub const REGISTER_ETH_ADDRESS_GAS: u64 = 60_000;
/// `MsgUpdateEthClient`: base, covering one aggregate BLS verification (1–3 ms) and the store
/// snapshot write.
pub const ETH_UPDATE_BASE_GAS: u64 = 3_000_000;
/// `MsgUpdateEthClient` (and `ResetCheckpoint`): per SSZ byte. Calibrated on the worst case, a
/// mainnet update carrying the next committee on a node whose store cache is cold (after a
/// restart): both 512-key committees are decompressed, checked and aggregated, and the snapshot
/// re-encoded: 91 ms for 25.2 KB (`cargo bench -p peg-app --bench eth_events`). The size of an
/// update reveals its committee size, so the charge follows the preset without knowing it.
pub const ETH_UPDATE_BYTE_GAS: u64 = 3_500;
/// `MsgSubmitEthEvents`: base.
pub const ETH_EVENTS_BASE_GAS: u64 = 50_000;
/// `MsgSubmitEthEvents`: per header (parse, links).
pub const ETH_HEADER_GAS: u64 = 2_000;
/// `MsgSubmitEthEvents`: per header or proof byte (keccak, RLP walk).
pub const ETH_PROOF_BYTE_GAS: u64 = 20;
/// `MsgSubmitEthEvents`: per receipt (trie walk, receipt decoding).
pub const ETH_RECEIPT_GAS: u64 = 20_000;
/// `MsgSubmitEthEvents`: per proof node.
pub const ETH_PROOF_NODE_GAS: u64 = 2_000;
/// `MsgSubmitEthEvents`: per event (ABI decoding, canonical check, state writes).
pub const ETH_EVENT_GAS: u64 = 100_000;
/// `MsgTrustEthAncestor`: base (two trusted-set lookups, one keccak of the oldest header before
/// anything else, and the ancestor store's writes including one eviction). Headers are priced
/// as in `MsgSubmitEthEvents`: [`ETH_HEADER_GAS`] each plus [`ETH_PROOF_BYTE_GAS`] per byte.
pub const ETH_ANCESTOR_BASE_GAS: u64 = 50_000;
/// `MsgProveEthState`: base (trusted-set lookup, one header hash, the observation writes).
pub const ETH_STATE_BASE_GAS: u64 = 30_000;
/// `MsgProveEthState`: per header or proof-node byte (keccak, RLP walk).
pub const ETH_STATE_BYTE_GAS: u64 = 10;
/// `MsgEthGovernance`: base (vote bookkeeping over the validator set).
pub const ETH_GOVERNANCE_BASE_GAS: u64 = 100_000;

/// The two update containers `MsgUpdateEthClient` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EthUpdateKind {
    /// 0: `LightClientUpdate` (may carry the next sync committee).
    Update,
    /// 1: `LightClientFinalityUpdate`.
    FinalityUpdate,
}

impl EthUpdateKind {
    /// The wire value.
    pub const fn as_u32(self) -> u32 {
        match self {
            Self::Update => 0,
            Self::FinalityUpdate => 1,
        }
    }

    /// The name (`"update"`, `"finality_update"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::FinalityUpdate => "finality_update",
        }
    }
}

/// `peg.eth.v1.MsgUpdateEthClient`, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgUpdateEthClient {
    /// Any account; it signs and pays.
    pub signer: AccAddress,
    /// One of [`LIGHT_CLIENT_FORKS`].
    pub fork: String,
    /// Which container `update` is.
    pub kind: EthUpdateKind,
    /// SSZ bytes, 1 to [`MAX_ETH_UPDATE_BYTES`].
    pub update: Vec<u8>,
}

/// One receipt proof of `MsgSubmitEthEvents`, checked for shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventReceipt {
    /// Index into the message's headers (bounds-checked).
    pub header_index: u32,
    /// Transaction index in that block.
    pub tx_index: u32,
    /// Trie nodes, root first: 1 to [`MAX_PROOF_NODES`], each 1 to [`MAX_PROOF_NODE_BYTES`].
    pub proof: Vec<Vec<u8>>,
    /// Logs of the receipt that are bridge events: non-empty, strictly increasing.
    pub log_indices: Vec<u32>,
}

/// `peg.eth.v1.MsgSubmitEthEvents`, checked for shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgSubmitEthEvents {
    /// Any account; it signs and pays.
    pub signer: AccAddress,
    /// The declared nonce of the first event (positive).
    pub first_event_nonce: u64,
    /// A trusted-ring block hash.
    pub trusted_block_hash: [u8; 32],
    /// RLP headers, newest first: 1 to [`MAX_EVENT_HEADERS`], each 1 to
    /// [`MAX_EVENT_HEADER_BYTES`].
    pub headers: Vec<Vec<u8>>,
    /// 1 to [`MAX_EVENT_RECEIPTS`] receipts, at most [`MAX_EVENTS_PER_MSG`] logs in all.
    pub receipts: Vec<EventReceipt>,
}

impl MsgSubmitEthEvents {
    /// The number of events (logs) the message claims.
    pub fn event_count(&self) -> usize {
        self.receipts.iter().map(|r| r.log_indices.len()).sum()
    }
}

/// `peg.eth.v1.MsgTrustEthAncestor`, checked for shape: extends trust from a trusted block
/// (ring or ancestor entry) down to one of its ancestors (`specs/eth-module.md` §2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgTrustEthAncestor {
    /// Any account; it signs and pays.
    pub signer: AccAddress,
    /// A trusted block hash: a ring entry or an ancestor entry.
    pub trusted_block_hash: [u8; 32],
    /// RLP headers, newest first, each the parent of the previous: [`MIN_ANCESTOR_HEADERS`] to
    /// [`MAX_ANCESTOR_HEADERS`], each 1 to [`MAX_EVENT_HEADER_BYTES`]. The last one becomes a
    /// trusted ancestor.
    pub headers: Vec<Vec<u8>>,
}

/// `peg.eth.v1.MsgProveEthState`, checked for shape: the bridge contract's storage slot 0 at a
/// trusted execution block, from which the zone learns the bridge's event nonce at that block
/// (`specs/eth-module.md` §2.5); batch timeouts are judged by it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgProveEthState {
    /// Any account; it signs and pays.
    pub sender: AccAddress,
    /// A trusted block hash: a ring entry or an ancestor entry.
    pub trusted_block_hash: [u8; 32],
    /// The RLP header of that block, 1 to [`MAX_EVENT_HEADER_BYTES`].
    pub header_rlp: Vec<u8>,
    /// State-trie nodes, root first: 1 to [`MAX_PROOF_NODES`], each 1 to
    /// [`MAX_STATE_PROOF_NODE_BYTES`].
    pub account_proof: Vec<Vec<u8>>,
    /// Storage-trie nodes of slot 0, root first: 0 (an empty storage trie) to
    /// [`MAX_PROOF_NODES`], each 1 to [`MAX_STATE_PROOF_NODE_BYTES`].
    pub storage_proof: Vec<Vec<u8>>,
}

/// One fork of a fork schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForkEpoch {
    /// One of [`ALL_FORKS`].
    pub name: String,
    /// The fork version.
    pub version: [u8; 4],
    /// Activation epoch (`u64::MAX`: not scheduled).
    pub epoch: u64,
}

/// What validators vote for in `MsgEthGovernance`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EthGovernanceAction {
    /// Re-initialize the light client from a new trusted checkpoint.
    ResetCheckpoint {
        /// One of [`LIGHT_CLIENT_FORKS`]: the fork of the bootstrap container.
        fork: String,
        /// SSZ `LightClientBootstrap`, 1 to [`MAX_ETH_UPDATE_BYTES`].
        bootstrap_ssz: Vec<u8>,
        /// `hash_tree_root` of the bootstrap's beacon header.
        trusted_block_root: [u8; 32],
    },
    /// Replace the listed forks of the stored network configuration.
    SetForkSchedule {
        /// 1 to [`MAX_FORK_ENTRIES`] forks, distinct names.
        forks: Vec<ForkEpoch>,
    },
}

impl EthGovernanceAction {
    /// The protobuf form.
    pub fn to_proto(&self) -> proto::EthGovernanceAction {
        use proto::eth_governance_action::Action;
        let action = match self {
            Self::ResetCheckpoint { fork, bootstrap_ssz, trusted_block_root } => {
                Action::ResetCheckpoint(proto::ResetCheckpoint {
                    fork: fork.clone(),
                    bootstrap_ssz: bootstrap_ssz.clone(),
                    trusted_block_root: trusted_block_root.to_vec(),
                })
            }
            Self::SetForkSchedule { forks } => Action::SetForkSchedule(proto::SetForkSchedule {
                forks: forks
                    .iter()
                    .map(|f| proto::ForkEpoch {
                        name: f.name.clone(),
                        version: f.version.to_vec(),
                        epoch: f.epoch,
                    })
                    .collect(),
            }),
        };
        proto::EthGovernanceAction { action: Some(action) }
    }

    /// The vote key: `sha256` of the action's deterministic protobuf encoding.
    pub fn id(&self) -> [u8; 32] {
        Sha256::digest(self.to_proto().encode_to_vec()).into()
    }

    /// `"reset_checkpoint"` or `"set_fork_schedule"`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::ResetCheckpoint { .. } => "reset_checkpoint",
            Self::SetForkSchedule { .. } => "set_fork_schedule",
        }
    }
}

/// `peg.eth.v1.MsgEthGovernance`, checked for shape (the state machine checks that the
/// operator runs a bonded validator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgEthGovernance {
    /// The validator operator and signer.
    pub operator: AccAddress,
    /// The action voted for.
    pub action: EthGovernanceAction,
}

fn invalid(msg: &'static str, reason: String) -> TxError {
    TxError::InvalidMessage { msg, reason }
}

fn decode<M: prost::Message + Default>(
    bytes: &[u8],
    schema: &'static wire::Schema,
) -> Result<M, TxError> {
    wire::check_message(bytes, schema)?;
    M::decode(bytes).map_err(|e| TxError::Decode { message: schema.name, reason: e.to_string() })
}

fn check_fork(msg: &'static str, fork: &str, allowed: &[&str]) -> Result<(), TxError> {
    if allowed.contains(&fork) {
        Ok(())
    } else {
        Err(invalid(msg, format!("unknown fork {fork:?}, expected one of {}", allowed.join(", "))))
    }
}

fn hash32(msg: &'static str, field: &str, bytes: &[u8]) -> Result<[u8; 32], TxError> {
    bytes
        .try_into()
        .map_err(|_| invalid(msg, format!("{field} is {} bytes, expected 32", bytes.len())))
}

fn check_ssz_len(msg: &'static str, field: &str, len: usize) -> Result<(), TxError> {
    if len == 0 || len > MAX_ETH_UPDATE_BYTES {
        return Err(invalid(
            msg,
            format!("{field} is {len} bytes, expected 1 to {MAX_ETH_UPDATE_BYTES}"),
        ));
    }
    Ok(())
}

pub(crate) fn decode_update(bytes: &[u8]) -> Result<MsgUpdateEthClient, TxError> {
    const URL: &str = MSG_UPDATE_ETH_CLIENT_TYPE_URL;
    let raw: proto::MsgUpdateEthClient = decode(bytes, &wire::MSG_UPDATE_ETH_CLIENT)?;
    check_fork(URL, &raw.fork, &LIGHT_CLIENT_FORKS)?;
    let kind = match raw.kind {
        0 => EthUpdateKind::Update,
        1 => EthUpdateKind::FinalityUpdate,
        other => return Err(invalid(URL, format!("kind {other} is neither 0 nor 1"))),
    };
    check_ssz_len(URL, "update", raw.update.len())?;
    Ok(MsgUpdateEthClient { signer: raw.signer.parse()?, fork: raw.fork, kind, update: raw.update })
}

/// Checks a header list: `min` to `max` headers, each 1 to [`MAX_EVENT_HEADER_BYTES`].
fn check_headers(
    msg: &'static str,
    headers: &[Vec<u8>],
    min: usize,
    max: usize,
) -> Result<(), TxError> {
    if headers.len() < min || headers.len() > max {
        return Err(invalid(msg, format!("{} headers, expected {min} to {max}", headers.len())));
    }
    for (index, header) in headers.iter().enumerate() {
        if header.is_empty() || header.len() > MAX_EVENT_HEADER_BYTES {
            return Err(invalid(
                msg,
                format!(
                    "header {index} is {} bytes, expected 1 to {MAX_EVENT_HEADER_BYTES}",
                    header.len()
                ),
            ));
        }
    }
    Ok(())
}

pub(crate) fn decode_events(bytes: &[u8]) -> Result<MsgSubmitEthEvents, TxError> {
    const URL: &str = MSG_SUBMIT_ETH_EVENTS_TYPE_URL;
    let raw: proto::MsgSubmitEthEvents = decode(bytes, &wire::MSG_SUBMIT_ETH_EVENTS)?;
    if raw.first_event_nonce == 0 {
        return Err(invalid(URL, "first_event_nonce is 0 (bridge event nonces start at 1)".into()));
    }
    let trusted_block_hash = hash32(URL, "trusted_block_hash", &raw.trusted_block_hash)?;
    check_headers(URL, &raw.headers, 1, MAX_EVENT_HEADERS)?;
    if raw.receipts.is_empty() || raw.receipts.len() > MAX_EVENT_RECEIPTS {
        return Err(invalid(
            URL,
            format!("{} receipts, expected 1 to {MAX_EVENT_RECEIPTS}", raw.receipts.len()),
        ));
    }
    let mut events = 0usize;
    let mut receipts = Vec::with_capacity(raw.receipts.len());
    for (index, receipt) in raw.receipts.into_iter().enumerate() {
        if receipt.header_index as usize >= raw.headers.len() {
            return Err(invalid(
                URL,
                format!(
                    "receipt {index} names header {} of {}",
                    receipt.header_index,
                    raw.headers.len()
                ),
            ));
        }
        if receipt.proof.is_empty() || receipt.proof.len() > MAX_PROOF_NODES {
            return Err(invalid(
                URL,
                format!(
                    "receipt {index} has {} proof nodes, expected 1 to {MAX_PROOF_NODES}",
                    receipt.proof.len()
                ),
            ));
        }
        if let Some(node) = receipt
            .proof
            .iter()
            .position(|node| node.is_empty() || node.len() > MAX_PROOF_NODE_BYTES)
        {
            return Err(invalid(
                URL,
                format!(
                    "receipt {index} proof node {node} is empty or above {MAX_PROOF_NODE_BYTES} bytes"
                ),
            ));
        }
        if receipt.log_indices.is_empty() {
            return Err(invalid(URL, format!("receipt {index} names no log")));
        }
        if receipt.log_indices.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(invalid(
                URL,
                format!("receipt {index} log indices are not strictly increasing"),
            ));
        }
        events = events.saturating_add(receipt.log_indices.len());
        if events > MAX_EVENTS_PER_MSG {
            return Err(invalid(URL, format!("more than {MAX_EVENTS_PER_MSG} events")));
        }
        receipts.push(EventReceipt {
            header_index: receipt.header_index,
            tx_index: receipt.tx_index,
            proof: receipt.proof,
            log_indices: receipt.log_indices,
        });
    }
    Ok(MsgSubmitEthEvents {
        signer: raw.signer.parse()?,
        first_event_nonce: raw.first_event_nonce,
        trusted_block_hash,
        headers: raw.headers,
        receipts,
    })
}

pub(crate) fn decode_ancestor(bytes: &[u8]) -> Result<MsgTrustEthAncestor, TxError> {
    const URL: &str = MSG_TRUST_ETH_ANCESTOR_TYPE_URL;
    let raw: proto::MsgTrustEthAncestor = decode(bytes, &wire::MSG_TRUST_ETH_ANCESTOR)?;
    let trusted_block_hash = hash32(URL, "trusted_block_hash", &raw.trusted_block_hash)?;
    check_headers(URL, &raw.headers, MIN_ANCESTOR_HEADERS, MAX_ANCESTOR_HEADERS)?;
    Ok(MsgTrustEthAncestor {
        signer: raw.signer.parse()?,
        trusted_block_hash,
        headers: raw.headers,
    })
}

/// Checks a list of state-trie nodes: `min` to [`MAX_PROOF_NODES`] nodes, each 1 to
/// [`MAX_STATE_PROOF_NODE_BYTES`].
fn check_state_nodes(
    msg: &'static str,
    field: &str,
    nodes: &[Vec<u8>],
    min: usize,
) -> Result<(), TxError> {
    if nodes.len() < min || nodes.len() > MAX_PROOF_NODES {
        return Err(invalid(
            msg,
            format!("{field} has {} nodes, expected {min} to {MAX_PROOF_NODES}", nodes.len()),
        ));
    }
    if let Some(index) =
        nodes.iter().position(|n| n.is_empty() || n.len() > MAX_STATE_PROOF_NODE_BYTES)
    {
        return Err(invalid(
            msg,
            format!("{field} node {index} is empty or above {MAX_STATE_PROOF_NODE_BYTES} bytes"),
        ));
    }
    Ok(())
}

pub(crate) fn decode_state(bytes: &[u8]) -> Result<MsgProveEthState, TxError> {
    const URL: &str = MSG_PROVE_ETH_STATE_TYPE_URL;
    let raw: proto::MsgProveEthState = decode(bytes, &wire::MSG_PROVE_ETH_STATE)?;
    let trusted_block_hash = hash32(URL, "trusted_block_hash", &raw.trusted_block_hash)?;
    if raw.header_rlp.is_empty() || raw.header_rlp.len() > MAX_EVENT_HEADER_BYTES {
        return Err(invalid(
            URL,
            format!(
                "header_rlp is {} bytes, expected 1 to {MAX_EVENT_HEADER_BYTES}",
                raw.header_rlp.len()
            ),
        ));
    }
    check_state_nodes(URL, "account_proof", &raw.account_proof, 1)?;
    check_state_nodes(URL, "storage_proof", &raw.storage_proof, 0)?;
    Ok(MsgProveEthState {
        sender: raw.sender.parse()?,
        trusted_block_hash,
        header_rlp: raw.header_rlp,
        account_proof: raw.account_proof,
        storage_proof: raw.storage_proof,
    })
}

pub(crate) fn decode_governance(bytes: &[u8]) -> Result<MsgEthGovernance, TxError> {
    const URL: &str = MSG_ETH_GOVERNANCE_TYPE_URL;
    let raw: proto::MsgEthGovernance = decode(bytes, &wire::MSG_ETH_GOVERNANCE)?;
    // prost lets the last member of a oneof win; two members are refused instead.
    for (number, value) in wire::top_level_fields(bytes, wire::MSG_ETH_GOVERNANCE.name)? {
        if number == 2 {
            let members = wire::top_level_fields(value, wire::ETH_GOVERNANCE_ACTION.name)?;
            if members.len() > 1 {
                return Err(invalid(URL, "action sets more than one member of its oneof".into()));
            }
        }
    }
    use proto::eth_governance_action::Action;
    let action = match raw.action.and_then(|a| a.action) {
        None => return Err(invalid(URL, "action is missing".into())),
        Some(Action::ResetCheckpoint(reset)) => {
            check_fork(URL, &reset.fork, &LIGHT_CLIENT_FORKS)?;
            check_ssz_len(URL, "bootstrap_ssz", reset.bootstrap_ssz.len())?;
            let trusted_block_root = hash32(URL, "trusted_block_root", &reset.trusted_block_root)?;
            EthGovernanceAction::ResetCheckpoint {
                fork: reset.fork,
                bootstrap_ssz: reset.bootstrap_ssz,
                trusted_block_root,
            }
        }
        Some(Action::SetForkSchedule(schedule)) => {
            if schedule.forks.is_empty() || schedule.forks.len() > MAX_FORK_ENTRIES {
                return Err(invalid(
                    URL,
                    format!("{} forks, expected 1 to {MAX_FORK_ENTRIES}", schedule.forks.len()),
                ));
            }
            let mut forks = Vec::with_capacity(schedule.forks.len());
            for fork in schedule.forks {
                check_fork(URL, &fork.name, &ALL_FORKS)?;
                if forks.iter().any(|f: &ForkEpoch| f.name == fork.name) {
                    return Err(invalid(URL, format!("fork {:?} listed twice", fork.name)));
                }
                let version: [u8; 4] = fork.version.as_slice().try_into().map_err(|_| {
                    invalid(
                        URL,
                        format!(
                            "version of {:?} is {} bytes, expected 4",
                            fork.name,
                            fork.version.len()
                        ),
                    )
                })?;
                forks.push(ForkEpoch { name: fork.name, version, epoch: fork.epoch });
            }
            EthGovernanceAction::SetForkSchedule { forks }
        }
    };
    Ok(MsgEthGovernance { operator: raw.operator.parse()?, action })
}

pub(crate) fn encode_update(msg: &MsgUpdateEthClient) -> Vec<u8> {
    proto::MsgUpdateEthClient {
        signer: msg.signer.to_bech32(),
        fork: msg.fork.clone(),
        kind: msg.kind.as_u32(),
        update: msg.update.clone(),
    }
    .encode_to_vec()
}

pub(crate) fn encode_events(msg: &MsgSubmitEthEvents) -> Vec<u8> {
    proto::MsgSubmitEthEvents {
        signer: msg.signer.to_bech32(),
        first_event_nonce: msg.first_event_nonce,
        trusted_block_hash: msg.trusted_block_hash.to_vec(),
        headers: msg.headers.clone(),
        receipts: msg
            .receipts
            .iter()
            .map(|r| proto::EventReceipt {
                header_index: r.header_index,
                tx_index: r.tx_index,
                proof: r.proof.clone(),
                log_indices: r.log_indices.clone(),
            })
            .collect(),
    }
    .encode_to_vec()
}

pub(crate) fn encode_ancestor(msg: &MsgTrustEthAncestor) -> Vec<u8> {
    proto::MsgTrustEthAncestor {
        signer: msg.signer.to_bech32(),
        trusted_block_hash: msg.trusted_block_hash.to_vec(),
        headers: msg.headers.clone(),
    }
    .encode_to_vec()
}

pub(crate) fn encode_state(msg: &MsgProveEthState) -> Vec<u8> {
    proto::MsgProveEthState {
        sender: msg.sender.to_bech32(),
        trusted_block_hash: msg.trusted_block_hash.to_vec(),
        header_rlp: msg.header_rlp.clone(),
        account_proof: msg.account_proof.clone(),
        storage_proof: msg.storage_proof.clone(),
    }
    .encode_to_vec()
}

pub(crate) fn encode_governance(msg: &MsgEthGovernance) -> Vec<u8> {
    proto::MsgEthGovernance {
        operator: msg.operator.to_bech32(),
        action: Some(msg.action.to_proto()),
    }
    .encode_to_vec()
}

fn bytes_gas(len: usize, per_byte: u64) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX).saturating_mul(per_byte)
}

/// Gas of a `MsgUpdateEthClient` (shape only).
pub fn update_gas(msg: &MsgUpdateEthClient) -> u64 {
    ETH_UPDATE_BASE_GAS.saturating_add(bytes_gas(msg.update.len(), ETH_UPDATE_BYTE_GAS))
}

/// Gas of `headers`: [`ETH_HEADER_GAS`] each plus [`ETH_PROOF_BYTE_GAS`] per byte.
fn headers_gas(headers: &[Vec<u8>]) -> u64 {
    headers.iter().fold(0u64, |gas, header| {
        gas.saturating_add(ETH_HEADER_GAS)
            .saturating_add(bytes_gas(header.len(), ETH_PROOF_BYTE_GAS))
    })
}

/// Gas of a `MsgTrustEthAncestor` (shape only): the base plus its headers, priced as the
/// headers of a `MsgSubmitEthEvents`.
pub fn ancestor_gas(msg: &MsgTrustEthAncestor) -> u64 {
    ETH_ANCESTOR_BASE_GAS.saturating_add(headers_gas(&msg.headers))
}

/// Gas of a `MsgSubmitEthEvents` (shape only).
pub fn events_gas(msg: &MsgSubmitEthEvents) -> u64 {
    let mut gas = ETH_EVENTS_BASE_GAS.saturating_add(headers_gas(&msg.headers));
    for receipt in &msg.receipts {
        gas = gas.saturating_add(ETH_RECEIPT_GAS);
        for node in &receipt.proof {
            gas = gas
                .saturating_add(ETH_PROOF_NODE_GAS)
                .saturating_add(bytes_gas(node.len(), ETH_PROOF_BYTE_GAS));
        }
        gas = gas.saturating_add(bytes_gas(receipt.log_indices.len(), ETH_EVENT_GAS));
    }
    gas
}

/// Gas of a `MsgProveEthState` (shape only): the base plus [`ETH_STATE_BYTE_GAS`] per byte of
/// the header and of every proof node.
pub fn state_gas(msg: &MsgProveEthState) -> u64 {
    let bytes = msg
        .account_proof
        .iter()
        .chain(&msg.storage_proof)
        .fold(msg.header_rlp.len(), |sum, node| sum.saturating_add(node.len()));
    ETH_STATE_BASE_GAS.saturating_add(bytes_gas(bytes, ETH_STATE_BYTE_GAS))
}

/// Gas of a `MsgEthGovernance` (shape only): a reset also pays the bootstrap bytes at the
/// update rate (the committee is prepared when it applies).
pub fn governance_gas(msg: &MsgEthGovernance) -> u64 {
    match &msg.action {
        EthGovernanceAction::ResetCheckpoint { bootstrap_ssz, .. } => ETH_GOVERNANCE_BASE_GAS
            .saturating_add(ETH_UPDATE_BASE_GAS)
            .saturating_add(bytes_gas(bootstrap_ssz.len(), ETH_UPDATE_BYTE_GAS)),
        EthGovernanceAction::SetForkSchedule { .. } => ETH_GOVERNANCE_BASE_GAS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Msg;

    fn signer() -> AccAddress {
        AccAddress::new([7; 20])
    }

    fn any(type_url: &str, value: Vec<u8>) -> proto::Any {
        proto::Any { type_url: type_url.to_owned(), value }
    }

    fn events_msg() -> MsgSubmitEthEvents {
        MsgSubmitEthEvents {
            signer: signer(),
            first_event_nonce: 3,
            trusted_block_hash: [9; 32],
            headers: vec![vec![0xc0; 600], vec![0xc1; 610]],
            receipts: vec![EventReceipt {
                header_index: 1,
                tx_index: 4,
                proof: vec![vec![1; 532], vec![2; 300]],
                log_indices: vec![0, 2],
            }],
        }
    }

    #[test]
    fn messages_round_trip_through_any() -> Result<(), TxError> {
        let msgs = [
            Msg::UpdateEthClient(MsgUpdateEthClient {
                signer: signer(),
                fork: "deneb".into(),
                kind: EthUpdateKind::FinalityUpdate,
                update: vec![5; 1000],
            }),
            Msg::SubmitEthEvents(events_msg()),
            Msg::EthGovernance(MsgEthGovernance {
                operator: signer(),
                action: EthGovernanceAction::ResetCheckpoint {
                    fork: "electra".into(),
                    bootstrap_ssz: vec![1; 100],
                    trusted_block_root: [3; 32],
                },
            }),
            Msg::EthGovernance(MsgEthGovernance {
                operator: signer(),
                action: EthGovernanceAction::SetForkSchedule {
                    forks: vec![ForkEpoch { name: "fulu".into(), version: [6, 0, 0, 0], epoch: 9 }],
                },
            }),
        ];
        for msg in msgs {
            let packed = msg.to_any();
            assert_eq!(Msg::from_any(&packed, 0)?, msg);
            assert_eq!(msg.signer(), &signer());
        }
        Ok(())
    }

    #[test]
    fn gas_follows_shape_only() {
        let msg = events_msg();
        let expected = ETH_EVENTS_BASE_GAS
            + 2 * ETH_HEADER_GAS
            + (600 + 610) * ETH_PROOF_BYTE_GAS
            + ETH_RECEIPT_GAS
            + 2 * ETH_PROOF_NODE_GAS
            + (532 + 300) * ETH_PROOF_BYTE_GAS
            + 2 * ETH_EVENT_GAS;
        assert_eq!(events_gas(&msg), expected);
        // Same shape, other bytes: same gas.
        let mut other = msg.clone();
        other.headers[0] = vec![0xff; 600];
        assert_eq!(events_gas(&other), expected);
        let update = MsgUpdateEthClient {
            signer: signer(),
            fork: "deneb".into(),
            kind: EthUpdateKind::Update,
            update: vec![0; 2000],
        };
        assert_eq!(update_gas(&update), ETH_UPDATE_BASE_GAS + 2000 * ETH_UPDATE_BYTE_GAS);
        let all = [Msg::SubmitEthEvents(msg), Msg::UpdateEthClient(update)];
        assert_eq!(crate::required_gas(&all), TX_BASE_GAS + all.iter().map(Msg::gas).sum::<u64>());
    }

    #[test]
    fn bounds_are_enforced() {
        let refused = |msg: MsgSubmitEthEvents| {
            let packed = Msg::SubmitEthEvents(msg).to_any();
            matches!(Msg::from_any(&packed, 0), Err(TxError::InvalidMessage { .. }))
        };
        let mut m = events_msg();
        m.first_event_nonce = 0;
        assert!(refused(m));
        let mut m = events_msg();
        m.headers.clear();
        assert!(refused(m));
        let mut m = events_msg();
        m.headers[0] = vec![0; MAX_EVENT_HEADER_BYTES + 1];
        assert!(refused(m));
        let mut m = events_msg();
        m.receipts[0].header_index = 2;
        assert!(refused(m));
        let mut m = events_msg();
        m.receipts[0].log_indices = vec![2, 2];
        assert!(refused(m));
        let mut m = events_msg();
        m.receipts[0].log_indices.clear();
        assert!(refused(m));
        let mut m = events_msg();
        m.receipts[0].proof = vec![vec![1]; MAX_PROOF_NODES + 1];
        assert!(refused(m));
        let mut m = events_msg();
        m.receipts.clear();
        assert!(refused(m));
        let mut m = events_msg();
        m.receipts[0].log_indices = (0..=MAX_EVENTS_PER_MSG as u32).collect();
        assert!(refused(m));
        // A 31-byte trusted hash.
        let mut raw = proto::MsgSubmitEthEvents::decode(
            Msg::SubmitEthEvents(events_msg()).to_any().value.as_slice(),
        )
        .expect("own encoding decodes");
        raw.trusted_block_hash.pop();
        assert!(matches!(
            Msg::from_any(&any(MSG_SUBMIT_ETH_EVENTS_TYPE_URL, raw.encode_to_vec()), 0),
            Err(TxError::InvalidMessage { .. })
        ));

        let update = |fork: &str, kind: u32, len: usize| {
            any(
                MSG_UPDATE_ETH_CLIENT_TYPE_URL,
                proto::MsgUpdateEthClient {
                    signer: signer().to_bech32(),
                    fork: fork.into(),
                    kind,
                    update: vec![1; len],
                }
                .encode_to_vec(),
            )
        };
        assert!(Msg::from_any(&update("deneb", 0, 10), 0).is_ok());
        for bad in [
            update("phase0", 0, 10),
            update("Deneb2", 0, 10),
            update("deneb", 2, 10),
            update("deneb", 0, 0),
            update("deneb", 1, MAX_ETH_UPDATE_BYTES + 1),
        ] {
            assert!(matches!(Msg::from_any(&bad, 0), Err(TxError::InvalidMessage { .. })));
        }
    }

    #[test]
    fn unpacked_log_indices_and_double_oneof_are_refused() {
        // EventReceipt with log_indices as an unpacked varint (field 4, wire type 0).
        let mut receipt = proto::EventReceipt {
            header_index: 0,
            tx_index: 0,
            proof: vec![vec![1]],
            log_indices: vec![],
        }
        .encode_to_vec();
        receipt.extend_from_slice(&[0x20, 0x01]);
        let mut body = proto::MsgSubmitEthEvents {
            signer: signer().to_bech32(),
            first_event_nonce: 1,
            trusted_block_hash: vec![0; 32],
            headers: vec![vec![1]],
            receipts: vec![],
        }
        .encode_to_vec();
        body.push(0x2a);
        body.push(u8::try_from(receipt.len()).expect("short"));
        body.extend_from_slice(&receipt);
        assert!(matches!(
            Msg::from_any(&any(MSG_SUBMIT_ETH_EVENTS_TYPE_URL, body), 0),
            Err(TxError::WrongWireType { field: 4, .. })
        ));

        // An action with both oneof members.
        let reset = proto::ResetCheckpoint {
            fork: "deneb".into(),
            bootstrap_ssz: vec![1],
            trusted_block_root: vec![0; 32],
        }
        .encode_to_vec();
        let schedule = proto::SetForkSchedule { forks: vec![] }.encode_to_vec();
        let mut action = vec![0x0a, u8::try_from(reset.len()).expect("short")];
        action.extend_from_slice(&reset);
        action.push(0x12);
        action.push(u8::try_from(schedule.len()).expect("short"));
        action.extend_from_slice(&schedule);
        let mut msg = proto::MsgEthGovernance { operator: signer().to_bech32(), action: None }
            .encode_to_vec();
        msg.push(0x12);
        msg.push(u8::try_from(action.len()).expect("short"));
        msg.extend_from_slice(&action);
        assert!(matches!(
            Msg::from_any(&any(MSG_ETH_GOVERNANCE_TYPE_URL, msg), 0),
            Err(TxError::InvalidMessage { .. })
        ));
    }

    fn ancestor_msg() -> MsgTrustEthAncestor {
        MsgTrustEthAncestor {
            signer: signer(),
            trusted_block_hash: [4; 32],
            headers: vec![vec![0xc0; 600], vec![0xc1; 610], vec![0xc2; 590]],
        }
    }

    #[test]
    fn ancestor_message_round_trips_and_pays_for_its_headers() -> Result<(), TxError> {
        let msg = Msg::TrustEthAncestor(ancestor_msg());
        let packed = msg.to_any();
        assert_eq!(packed.type_url, MSG_TRUST_ETH_ANCESTOR_TYPE_URL);
        assert_eq!(Msg::from_any(&packed, 0)?, msg);
        assert_eq!(msg.signer(), &signer());
        let expected =
            ETH_ANCESTOR_BASE_GAS + 3 * ETH_HEADER_GAS + (600 + 610 + 590) * ETH_PROOF_BYTE_GAS;
        assert_eq!(msg.gas(), expected);
        // Same shape, other bytes: same gas.
        let mut other = ancestor_msg();
        other.headers[2] = vec![0xff; 590];
        other.trusted_block_hash = [0; 32];
        assert_eq!(Msg::TrustEthAncestor(other).gas(), expected);
        // The header part is priced exactly as in MsgSubmitEthEvents.
        let events = MsgSubmitEthEvents { headers: ancestor_msg().headers, ..events_msg() };
        let without_headers = MsgSubmitEthEvents { headers: vec![], ..events_msg() };
        assert_eq!(
            events_gas(&events) - events_gas(&without_headers),
            expected - ETH_ANCESTOR_BASE_GAS
        );
        Ok(())
    }

    #[test]
    fn ancestor_bounds_are_enforced() {
        let packed = |raw: proto::MsgTrustEthAncestor| {
            any(MSG_TRUST_ETH_ANCESTOR_TYPE_URL, raw.encode_to_vec())
        };
        let good = || proto::MsgTrustEthAncestor {
            signer: signer().to_bech32(),
            trusted_block_hash: vec![1; 32],
            headers: vec![vec![1; 500], vec![2; 500]],
        };
        assert!(Msg::from_any(&packed(good()), 0).is_ok());
        let refused = |raw: proto::MsgTrustEthAncestor| {
            matches!(Msg::from_any(&packed(raw), 0), Err(TxError::InvalidMessage { .. }))
        };
        // One header adds nothing: it is the trusted block itself.
        assert!(refused(proto::MsgTrustEthAncestor { headers: vec![vec![1; 500]], ..good() }));
        assert!(refused(proto::MsgTrustEthAncestor { headers: vec![], ..good() }));
        assert!(refused(proto::MsgTrustEthAncestor {
            headers: vec![vec![1; 500]; MAX_ANCESTOR_HEADERS + 1],
            ..good()
        }));
        assert!(refused(proto::MsgTrustEthAncestor {
            headers: vec![vec![1; 500], vec![]],
            ..good()
        }));
        assert!(refused(proto::MsgTrustEthAncestor {
            headers: vec![vec![1; 500], vec![1; MAX_EVENT_HEADER_BYTES + 1]],
            ..good()
        }));
        assert!(refused(proto::MsgTrustEthAncestor { trusted_block_hash: vec![1; 31], ..good() }));
        let bad_signer = proto::MsgTrustEthAncestor { signer: "x".into(), ..good() };
        assert!(Msg::from_any(&packed(bad_signer), 0).is_err());
        // Strict wire schema: an unknown field and a repeated singular field are refused.
        let mut unknown = good().encode_to_vec();
        unknown.extend_from_slice(&[0x20, 0x01]);
        assert!(matches!(
            Msg::from_any(&any(MSG_TRUST_ETH_ANCESTOR_TYPE_URL, unknown), 0),
            Err(TxError::UnknownField { .. })
        ));
        let mut twice = good().encode_to_vec();
        twice.push(0x12);
        twice.push(32);
        twice.extend_from_slice(&[2; 32]);
        assert!(matches!(
            Msg::from_any(&any(MSG_TRUST_ETH_ANCESTOR_TYPE_URL, twice), 0),
            Err(TxError::DuplicateField { .. })
        ));
    }

    fn state_msg() -> MsgProveEthState {
        MsgProveEthState {
            sender: signer(),
            trusted_block_hash: [5; 32],
            header_rlp: vec![0xc0; 600],
            account_proof: vec![vec![1; 532], vec![2; 110]],
            storage_proof: vec![vec![3; 70]],
        }
    }

    #[test]
    fn state_message_round_trips_and_pays_for_its_bytes() -> Result<(), TxError> {
        let msg = Msg::ProveEthState(state_msg());
        let packed = msg.to_any();
        assert_eq!(packed.type_url, MSG_PROVE_ETH_STATE_TYPE_URL);
        assert_eq!(Msg::from_any(&packed, 0)?, msg);
        assert_eq!(msg.signer(), &signer());
        assert_eq!(msg.gas(), ETH_STATE_BASE_GAS + (600 + 532 + 110 + 70) * ETH_STATE_BYTE_GAS);
        // An empty storage proof (an empty storage trie) is a valid shape.
        let empty = Msg::ProveEthState(MsgProveEthState { storage_proof: vec![], ..state_msg() });
        assert_eq!(Msg::from_any(&empty.to_any(), 0)?, empty);
        Ok(())
    }

    #[test]
    fn state_bounds_are_enforced() {
        let refused = |msg: MsgProveEthState| {
            matches!(
                Msg::from_any(&Msg::ProveEthState(msg).to_any(), 0),
                Err(TxError::InvalidMessage { .. })
            )
        };
        assert!(refused(MsgProveEthState { header_rlp: vec![], ..state_msg() }));
        assert!(refused(MsgProveEthState {
            header_rlp: vec![1; MAX_EVENT_HEADER_BYTES + 1],
            ..state_msg()
        }));
        assert!(refused(MsgProveEthState { account_proof: vec![], ..state_msg() }));
        assert!(refused(MsgProveEthState {
            account_proof: vec![vec![1]; MAX_PROOF_NODES + 1],
            ..state_msg()
        }));
        assert!(refused(MsgProveEthState {
            account_proof: vec![vec![1; MAX_STATE_PROOF_NODE_BYTES + 1]],
            ..state_msg()
        }));
        assert!(refused(MsgProveEthState { storage_proof: vec![vec![]], ..state_msg() }));
        assert!(refused(MsgProveEthState {
            storage_proof: vec![vec![1]; MAX_PROOF_NODES + 1],
            ..state_msg()
        }));
        let mut raw = proto::MsgProveEthState::decode(
            Msg::ProveEthState(state_msg()).to_any().value.as_slice(),
        )
        .expect("own encoding decodes");
        raw.trusted_block_hash.pop();
        assert!(matches!(
            Msg::from_any(&any(MSG_PROVE_ETH_STATE_TYPE_URL, raw.encode_to_vec()), 0),
            Err(TxError::InvalidMessage { .. })
        ));
        // Strict wire schema: an unknown field is refused.
        let mut unknown = Msg::ProveEthState(state_msg()).to_any().value;
        unknown.extend_from_slice(&[0x30, 0x01]);
        assert!(matches!(
            Msg::from_any(&any(MSG_PROVE_ETH_STATE_TYPE_URL, unknown), 0),
            Err(TxError::UnknownField { field: 6, .. })
        ));
    }

    #[test]
    fn governance_action_id_is_stable_and_distinct() {
        let a = EthGovernanceAction::SetForkSchedule {
            forks: vec![ForkEpoch { name: "gloas".into(), version: [7, 0, 0, 0], epoch: 5 }],
        };
        let b = EthGovernanceAction::SetForkSchedule {
            forks: vec![ForkEpoch { name: "gloas".into(), version: [7, 0, 0, 0], epoch: 6 }],
        };
        assert_eq!(a.id(), a.clone().id());
        assert_ne!(a.id(), b.id());
    }
}
