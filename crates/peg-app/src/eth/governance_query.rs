//! Open light-client governance proposals (`/eth/governance`, `specs/eth-module.md` §7).
//!
//! A [`Proposal`] is stored under `eth/gov/<id>` with its voters only, and the store cannot list
//! keys by prefix. So that validators can see what is being voted on (and vote for the very same
//! action, whose id is the hash of its encoding), every vote also maintains:
//!
//! - `eth/gov_open` → the ids of proposals with live votes, in order of first vote (32 bytes each);
//! - `eth/gov_action/<id>` → a JSON summary of the action ([`ActionSummary`]).
//!
//! Both are pruned at every vote: applied proposals and proposals whose votes expired (their
//! `eth/gov/<id>` record is deleted too, which is what the vote handler would do on the next vote
//! anyway: an expired proposal restarts empty). Both are in the app hash like the rest.

use light_client::Preset;
use peg_tx::EthGovernanceAction;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::client::PresetKind;
use super::genesis::EthConfig;
use super::{corrupt, fixed_list, hex0x, Proposal, QueryError, PREFIX_GOV};
use crate::error::AppError;
use crate::genesis::Params;
use crate::state::{Cache, KEY_PARAMS};

/// `eth/gov_open` → concatenated 32-byte ids of the open proposals.
pub const KEY_GOV_OPEN: &[u8] = b"eth/gov_open";
/// `eth/gov_action/` ‖ id 32 → [`ActionSummary`] JSON.
pub const PREFIX_GOV_ACTION: &[u8] = b"eth/gov_action/";
/// Most proposals one `/eth/governance` answer lists.
pub const MAX_PROPOSALS_PER_QUERY: usize = 100;

/// What an action does, enough to recognise it (the full bootstrap is in the vote transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionSummary {
    /// `ResetCheckpoint`.
    ResetCheckpoint {
        /// Fork of the bootstrap container.
        fork: String,
        /// The new trusted beacon block root, `0x…`.
        trusted_block_root: String,
        /// Beacon slot of the bootstrap header (`null` if it does not decode: it cannot apply).
        slot: Option<u64>,
        /// Size of the SSZ bootstrap.
        bootstrap_bytes: u64,
        /// `sha256` of the SSZ bootstrap, `0x…`.
        bootstrap_sha256: String,
    },
    /// `SetForkSchedule`.
    SetForkSchedule {
        /// The forks it replaces.
        forks: Vec<ForkSummary>,
    },
}

/// One fork of a `SetForkSchedule` summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkSummary {
    /// Fork name.
    pub name: String,
    /// Version, `0x` + 8 hex digits.
    pub version: String,
    /// Activation epoch, decimal (`18446744073709551615`: not scheduled).
    pub epoch: String,
}

/// An entry of `/eth/governance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    /// The action id (`sha256` of its protobuf encoding), `0x…`.
    pub id: String,
    /// What it does.
    pub action: ActionSummary,
    /// Operators who voted, `peg1…`, in vote order.
    pub voters: Vec<String>,
    /// Bonded power of the voters that are still bonded validators, decimal.
    pub power: String,
    /// Bonded power of the whole validator set, decimal.
    pub total_power: String,
    /// The smallest voted power that applies the action (`> 2/3` of `total_power`), decimal.
    pub threshold: String,
    /// Height of the first vote.
    pub start_height: u64,
    /// Last height at which a vote still counts; a vote in a later block starts over.
    pub expires_at_height: u64,
}

fn bootstrap_slot(preset: PresetKind, fork: &str, bytes: &[u8]) -> Option<u64> {
    use light_client::types::LightClientBootstrap;
    let fork = fork.parse().ok()?;
    fn slot<P: Preset>(bytes: &[u8], fork: light_client::config::ForkName) -> Option<u64> {
        LightClientBootstrap::<P>::from_ssz_bytes(bytes, fork).ok().map(|b| b.header.beacon.slot)
    }
    match preset {
        PresetKind::Mainnet => slot::<light_client::Mainnet>(bytes, fork),
        PresetKind::Minimal => slot::<light_client::Minimal>(bytes, fork),
    }
}

/// The summary of `action` on a chain of `preset`.
pub fn summarize(preset: PresetKind, action: &EthGovernanceAction) -> ActionSummary {
    match action {
        EthGovernanceAction::ResetCheckpoint { fork, bootstrap_ssz, trusted_block_root } => {
            ActionSummary::ResetCheckpoint {
                fork: fork.clone(),
                trusted_block_root: hex0x(trusted_block_root),
                slot: bootstrap_slot(preset, fork, bootstrap_ssz),
                bootstrap_bytes: u64::try_from(bootstrap_ssz.len()).unwrap_or(u64::MAX),
                bootstrap_sha256: hex0x(&Sha256::digest(bootstrap_ssz)),
            }
        }
        EthGovernanceAction::SetForkSchedule { forks } => ActionSummary::SetForkSchedule {
            forks: forks
                .iter()
                .map(|f| ForkSummary {
                    name: f.name.clone(),
                    version: hex0x(&f.version),
                    epoch: f.epoch.to_string(),
                })
                .collect(),
        },
    }
}

fn open_ids(cache: &Cache<'_>) -> Result<Vec<[u8; 32]>, AppError> {
    fixed_list::<32>(cache, KEY_GOV_OPEN, "not a list of 32-byte ids")
}

fn proposal_key(id: &[u8; 32]) -> Vec<u8> {
    [PREFIX_GOV, &id[..]].concat()
}

fn action_key(id: &[u8; 32]) -> Vec<u8> {
    [PREFIX_GOV_ACTION, &id[..]].concat()
}

fn load_proposal(cache: &Cache<'_>, id: &[u8; 32]) -> Result<Option<Proposal>, AppError> {
    let key = proposal_key(id);
    cache
        .get(&key)?
        .map(|bytes| serde_json::from_slice(&bytes).map_err(|_| corrupt(&key, "proposal JSON")))
        .transpose()
}

/// Called at the end of every accepted `MsgEthGovernance` vote for `action` (id `id`) at
/// `height`: records the action's summary while its proposal is open, and prunes applied and
/// expired proposals from the open list.
pub fn track(
    cache: &mut Cache<'_>,
    id: &[u8; 32],
    action: &EthGovernanceAction,
    height: u64,
) -> Result<(), AppError> {
    let config = super::require_config(cache)?;
    let mut open = open_ids(cache)?;
    if !open.contains(id) {
        open.push(*id);
    }
    let mut kept = Vec::with_capacity(open.len());
    for other in open {
        let live = match load_proposal(cache, &other)? {
            Some(p) => height <= p.start_height.saturating_add(config.governance_voting_period),
            None => false,
        };
        if live {
            kept.push(other);
        } else {
            // Applied (record already gone) or expired (dropped: a later vote starts over).
            cache.delete(proposal_key(&other));
            cache.delete(action_key(&other));
        }
    }
    if kept.contains(id) && cache.get(&action_key(id))?.is_none() {
        let summary = serde_json::to_vec(&summarize(config.preset, action))
            .map_err(|_| corrupt(&action_key(id), "action summary JSON"))?;
        cache.set(action_key(id), summary);
    }
    if kept.is_empty() {
        cache.delete(KEY_GOV_OPEN.to_vec());
    } else {
        cache.set(KEY_GOV_OPEN.to_vec(), kept.concat());
    }
    Ok(())
}

/// Answers `/eth/governance`: the open proposals, oldest first (at most
/// [`MAX_PROPOSALS_PER_QUERY`]). Voter power is the current bonded power, as a vote counts it.
pub fn query(cache: &Cache<'_>, config: &EthConfig) -> Result<Vec<u8>, QueryError> {
    let internal = |e: AppError| (crate::error::CODE_INTERNAL, e.to_string());
    let params = cache
        .get(KEY_PARAMS)
        .map_err(internal)?
        .map(|bytes| Params::decode(&bytes))
        .transpose()
        .map_err(internal)?
        .ok_or_else(|| internal(corrupt(KEY_PARAMS, "params missing")))?;
    let mut powers = Vec::new();
    let mut total: u128 = 0;
    for operator in cache.validator_set().map_err(internal)? {
        let power = match cache.validator(&operator).map_err(internal)? {
            Some(v) => {
                u128::try_from(v.power(params.power_reduction).map_err(internal)?).unwrap_or(0)
            }
            None => 0,
        };
        total = total.saturating_add(power);
        powers.push((operator.to_bech32(), power));
    }
    let mut views = Vec::new();
    for id in open_ids(cache).map_err(internal)?.into_iter().take(MAX_PROPOSALS_PER_QUERY) {
        let Some(proposal) = load_proposal(cache, &id).map_err(internal)? else {
            continue;
        };
        let key = action_key(&id);
        let action: ActionSummary = match cache.get(&key).map_err(internal)? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map_err(|_| internal(corrupt(&key, "action summary JSON")))?,
            None => return Err(internal(corrupt(&key, "open proposal without summary"))),
        };
        let power = powers
            .iter()
            .filter(|(op, _)| proposal.voters.contains(op))
            .map(|(_, p)| *p)
            .fold(0u128, u128::saturating_add);
        views.push(ProposalView {
            id: hex0x(&id),
            action,
            voters: proposal.voters,
            power: power.to_string(),
            total_power: total.to_string(),
            threshold: threshold(total).to_string(),
            start_height: proposal.start_height,
            expires_at_height: proposal
                .start_height
                .saturating_add(config.governance_voting_period),
        });
    }
    serde_json::to_vec(&views).map_err(|e| (crate::error::CODE_INTERNAL, e.to_string()))
}

/// The smallest `voted` with `3 × voted > 2 × total`.
pub fn threshold(total: u128) -> u128 {
    total.saturating_mul(2) / 3 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Validator;
    use peg_store::Store;
    use peg_tx::AccAddress;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn eth_config() -> EthConfig {
        super::super::tests::config(8)
    }

    fn params() -> Params {
        Params {
            chain_id: "t".into(),
            denom: "upeg".into(),
            min_fee: 1,
            power_reduction: 1_000_000,
            min_self_bond: 1_000_000,
            max_validators: 10,
            max_tx_bytes: 1 << 17,
            vote_extensions_enable_height: 0,
            fee_per_kgas: 1,
        }
    }

    fn schedule(epoch: u64) -> EthGovernanceAction {
        EthGovernanceAction::SetForkSchedule {
            forks: vec![peg_tx::ForkEpoch { name: "electra".into(), version: [5, 0, 0, 1], epoch }],
        }
    }

    /// What the vote handler stores before calling [`track`].
    fn record_vote(cache: &mut Cache<'_>, id: &[u8; 32], start_height: u64, voters: &[AccAddress]) {
        let proposal =
            Proposal { start_height, voters: voters.iter().map(AccAddress::to_bech32).collect() };
        cache.set(proposal_key(id), serde_json::to_vec(&proposal).unwrap_or_default());
    }

    #[test]
    fn open_proposals_are_listed_with_power_and_pruned_when_applied_or_expired() -> TestResult {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path().join("state.redb"))?;
        let mut ws = store.working_set()?;
        let mut cache = Cache::new(&store, &mut ws);
        super::super::save_config(&mut cache, &eth_config())?;
        cache.set(KEY_PARAMS.to_vec(), params().encode());
        let operators: Vec<AccAddress> = (1..=4u8).map(|i| AccAddress::new([i; 20])).collect();
        for (i, operator) in operators.iter().enumerate() {
            cache.set_validator(&Validator {
                operator: *operator,
                consensus_pubkey: [u8::try_from(i).unwrap_or(0); 32],
                bonded: 10_000_000,
                moniker: format!("v{i}"),
            });
        }
        cache.set_validator_set(operators.clone());
        let config = eth_config();
        let list = |cache: &Cache<'_>| -> Result<Vec<ProposalView>, Box<dyn std::error::Error>> {
            let bytes = query(cache, &config).map_err(|(code, log)| format!("{code}: {log}"))?;
            Ok(serde_json::from_slice(&bytes)?)
        };
        assert!(list(&cache)?.is_empty());

        // Two proposals, two votes on the first.
        let (a, b) = (schedule(7), schedule(9));
        let (id_a, id_b) = (a.id(), b.id());
        record_vote(&mut cache, &id_a, 5, &operators[..1]);
        track(&mut cache, &id_a, &a, 5)?;
        record_vote(&mut cache, &id_b, 6, &operators[2..3]);
        track(&mut cache, &id_b, &b, 6)?;
        record_vote(&mut cache, &id_a, 5, &operators[..2]);
        track(&mut cache, &id_a, &a, 7)?;
        let open = list(&cache)?;
        assert_eq!(open.len(), 2);
        assert_eq!(open[0].id, hex0x(&id_a), "first-vote order");
        assert_eq!(open[0].voters.len(), 2);
        assert_eq!((open[0].power.as_str(), open[0].total_power.as_str()), ("20", "40"));
        assert_eq!(open[0].threshold, "27");
        assert_eq!(open[0].expires_at_height, 15);
        assert_eq!(open[0].action, summarize(PresetKind::Minimal, &a));
        assert_eq!(open[1].power, "10");

        // `a` applies (the handler deletes its record): gone from the list and its summary too.
        cache.delete(proposal_key(&id_a));
        track(&mut cache, &id_a, &a, 8)?;
        let open = list(&cache)?;
        assert_eq!(open.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), vec![hex0x(&id_b)]);
        assert_eq!(cache.get(&action_key(&id_a))?, None);

        // A vote at height 17 on a new action: `b` (opened at 6, open until 16) is pruned.
        let c = schedule(11);
        record_vote(&mut cache, &c.id(), 17, &operators[3..]);
        track(&mut cache, &c.id(), &c, 17)?;
        let open = list(&cache)?;
        assert_eq!(open.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), vec![hex0x(&c.id())]);
        assert_eq!(cache.get(&proposal_key(&id_b))?, None, "expired record dropped");
        assert_eq!(cache.get(&action_key(&id_b))?, None);
        Ok(())
    }

    #[test]
    fn threshold_is_strictly_more_than_two_thirds() {
        for total in 0u128..200 {
            let t = threshold(total);
            assert!(t * 3 > total * 2, "{total}: {t} is not enough");
            assert!((t - 1) * 3 <= total * 2, "{total}: {t} is not the smallest");
        }
        // 4 equal validators of power 10: 2 votes (20) do not apply, 3 (30) do.
        assert_eq!(threshold(40), 27);
    }

    #[test]
    fn summaries_name_what_is_voted() {
        let reset = EthGovernanceAction::ResetCheckpoint {
            fork: "deneb".into(),
            bootstrap_ssz: vec![1, 2, 3],
            trusted_block_root: [0xab; 32],
        };
        match summarize(PresetKind::Minimal, &reset) {
            ActionSummary::ResetCheckpoint {
                fork,
                trusted_block_root,
                slot,
                bootstrap_bytes,
                ..
            } => {
                assert_eq!(fork, "deneb");
                assert_eq!(trusted_block_root, format!("0x{}", "ab".repeat(32)));
                assert_eq!(slot, None, "three bytes are no bootstrap");
                assert_eq!(bootstrap_bytes, 3);
            }
            other => panic!("unexpected {other:?}"),
        }
        let schedule = EthGovernanceAction::SetForkSchedule {
            forks: vec![peg_tx::ForkEpoch {
                name: "electra".into(),
                version: [5, 0, 0, 1],
                epoch: u64::MAX,
            }],
        };
        let json =
            serde_json::to_value(summarize(PresetKind::Minimal, &schedule)).unwrap_or_default();
        assert_eq!(json["type"], "set_fork_schedule");
        assert_eq!(json["forks"][0]["version"], "0x05000001");
        assert_eq!(json["forks"][0]["epoch"], "18446744073709551615");
    }
}
