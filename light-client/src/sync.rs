//! The sync protocol: bootstrap, validate, apply and process updates.
//!
//! Spec: <https://github.com/ethereum/consensus-specs/blob/dev/specs/altair/light-client/sync-protocol.md>,
//! as modified by capella, deneb, electra and gloas `light-client/sync-protocol.md`. Function
//! names follow the spec. `validate_*` borrows the store, `apply_*`/`process_*` take it mutably;
//! every `process_*` is atomic: on error the store is unchanged.
//!
//! Peg-zone policy (safety over liveness): only supermajority-signed finalized updates move the
//! finalized header. [`process_light_client_store_force_update`] exists for conformance tests
//! and for an explicit governance decision; nothing here calls it.

use alloy_primitives::B256;
use sha2::{Digest, Sha256};
use tree_hash::TreeHash;

use crate::bls::BlsBackend;
use crate::config::{ChainConfig, ForkName, Version};
use crate::error::ConsensusError;
use crate::preset::{compute_epoch_at_slot, compute_sync_committee_period_at_slot, Preset};
use crate::proof::{
    compute_merkle_branch_root, current_sync_committee_gindex, finalized_root_gindex, floorlog2,
    get_subtree_index, is_valid_normalized_merkle_branch, next_sync_committee_gindex,
    EXECUTION_BLOCK_HASH_GINDEX, EXECUTION_BLOCK_HASH_GINDEX_DENEB,
    EXECUTION_BLOCK_HASH_GINDEX_GLOAS, EXECUTION_PAYLOAD_GINDEX,
};
use crate::store::{LightClientStore, PreparedSyncCommittee};
use crate::types::{
    ExecutionPayloadHeaderCapella, ExecutionPayloadHeaderDeneb, LightClientBootstrap,
    LightClientExecution, LightClientFinalityUpdate, LightClientHeader,
    LightClientOptimisticUpdate, LightClientUpdate, SyncCommittee,
};

/// `DOMAIN_SYNC_COMMITTEE`.
pub const DOMAIN_SYNC_COMMITTEE: [u8; 4] = [7, 0, 0, 0];
/// `GENESIS_SLOT`.
pub const GENESIS_SLOT: u64 = 0;

fn sha256_pair(a: &[u8], b: &[u8]) -> B256 {
    let mut hasher = Sha256::new();
    hasher.update(a);
    hasher.update(b);
    B256::from_slice(&hasher.finalize())
}

/// `compute_fork_data_root(current_version, genesis_validators_root)`: `hash_tree_root(ForkData)`.
pub fn compute_fork_data_root(current_version: Version, genesis_validators_root: B256) -> B256 {
    let mut version = [0u8; 32];
    version[..4].copy_from_slice(current_version.as_slice());
    sha256_pair(&version, genesis_validators_root.as_slice())
}

/// `compute_domain(domain_type, fork_version, genesis_validators_root)`.
pub fn compute_domain(
    domain_type: [u8; 4],
    fork_version: Version,
    genesis_validators_root: B256,
) -> B256 {
    let fork_data_root = compute_fork_data_root(fork_version, genesis_validators_root);
    let mut domain = [0u8; 32];
    domain[..4].copy_from_slice(&domain_type);
    domain[4..].copy_from_slice(&fork_data_root[..28]);
    B256::from(domain)
}

/// `compute_signing_root(ssz_object, domain)` given `hash_tree_root(ssz_object)`.
pub fn compute_signing_root(object_root: B256, domain: B256) -> B256 {
    sha256_pair(object_root.as_slice(), domain.as_slice())
}

/// The sync-committee signing domain for an update signed at `signature_slot`: the fork
/// version at `max(signature_slot, 1) - 1`.
pub fn sync_committee_domain<P: Preset>(config: &ChainConfig, signature_slot: u64) -> B256 {
    let fork_version_slot = signature_slot.max(1) - 1;
    let fork_version = config.fork_version_at_epoch(compute_epoch_at_slot::<P>(fork_version_slot));
    compute_domain(DOMAIN_SYNC_COMMITTEE, fork_version, config.genesis_validators_root)
}

/// `get_lc_execution_root(header)`: the root the store reports as the header's execution root
/// (`hash_tree_root` of the execution payload header of the slot's fork; the block hash from
/// Gloas on; zero before Capella).
pub fn get_lc_execution_root<P: Preset>(config: &ChainConfig, header: &LightClientHeader) -> B256 {
    let fork = config.fork_at_slot::<P>(header.beacon.slot);
    match &header.execution {
        LightClientExecution::None => B256::ZERO,
        LightClientExecution::Capella(h) if fork >= ForkName::Capella => h.tree_hash_root(),
        LightClientExecution::Capella(_) => B256::ZERO,
        LightClientExecution::Deneb(h) if fork >= ForkName::Deneb => h.tree_hash_root(),
        LightClientExecution::Deneb(h) if fork >= ForkName::Capella => {
            h.to_capella().tree_hash_root()
        }
        LightClientExecution::Deneb(_) => B256::ZERO,
        LightClientExecution::BlockHash(hash) => {
            if fork >= ForkName::Gloas {
                return *hash;
            }
            // Gloas-shaped header of an older slot: rebuild the payload header root from the
            // block hash and the lower part of the branch.
            let (block_hash_gindex, empty_root) = if fork >= ForkName::Deneb {
                (44, ExecutionPayloadHeaderDeneb::default().tree_hash_root())
            } else if fork >= ForkName::Capella {
                (28, ExecutionPayloadHeaderCapella::default().tree_hash_root())
            } else {
                return B256::ZERO;
            };
            if header.beacon.slot == GENESIS_SLOT {
                return empty_root;
            }
            let depth = floorlog2(block_hash_gindex) as usize;
            let outer = floorlog2(EXECUTION_PAYLOAD_GINDEX) as usize;
            let inner_len = header.execution_branch.len().saturating_sub(outer);
            let inner = header.execution_branch.get(..inner_len).unwrap_or_default();
            let lower = inner.get(inner.len().saturating_sub(depth)..).unwrap_or_default();
            compute_merkle_branch_root(
                *hash,
                lower,
                depth as u32,
                get_subtree_index(block_hash_gindex),
            )
            .unwrap_or_default()
        }
    }
}

/// `is_valid_light_client_header(header)`, across forks: the execution data must be what the
/// fork at the header's slot allows, and its branch must lead to `beacon.body_root`.
///
/// Deviation: a container older than the slot's fork (e.g. an Altair header at a Capella slot)
/// is rejected, since its execution data could not be checked; the spec never produces one.
pub fn is_valid_light_client_header<P: Preset>(
    config: &ChainConfig,
    header: &LightClientHeader,
) -> Result<(), ConsensusError> {
    let slot = header.beacon.slot;
    let fork = config.fork_at_slot::<P>(slot);
    let invalid = |reason| ConsensusError::InvalidExecutionHeader { slot, reason };
    let zero_branch = header.execution_branch.iter().all(|n| n.is_zero());
    let (leaf, gindex) = match &header.execution {
        LightClientExecution::None => {
            return if fork >= ForkName::Capella {
                Err(invalid("no execution payload header at a Capella or later slot"))
            } else {
                Ok(())
            };
        }
        LightClientExecution::Capella(h) => {
            if fork < ForkName::Capella {
                return if *h == ExecutionPayloadHeaderCapella::default() && zero_branch {
                    Ok(())
                } else {
                    Err(invalid("execution data before Capella"))
                };
            }
            if fork >= ForkName::Deneb {
                return Err(invalid("Capella execution payload header at a Deneb or later slot"));
            }
            (h.tree_hash_root(), EXECUTION_PAYLOAD_GINDEX)
        }
        LightClientExecution::Deneb(h) => {
            if fork < ForkName::Deneb && (h.blob_gas_used != 0 || h.excess_blob_gas != 0) {
                return Err(invalid("blob gas fields before Deneb"));
            }
            if fork < ForkName::Capella {
                return if *h == ExecutionPayloadHeaderDeneb::default() && zero_branch {
                    Ok(())
                } else {
                    Err(invalid("execution data before Capella"))
                };
            }
            if fork >= ForkName::Gloas {
                return Err(invalid("execution payload header at a Gloas slot"));
            }
            (get_lc_execution_root::<P>(config, header), EXECUTION_PAYLOAD_GINDEX)
        }
        LightClientExecution::BlockHash(hash) => {
            let gindex = if fork >= ForkName::Gloas {
                EXECUTION_BLOCK_HASH_GINDEX_GLOAS
            } else if fork >= ForkName::Deneb {
                EXECUTION_BLOCK_HASH_GINDEX_DENEB
            } else if fork >= ForkName::Capella {
                EXECUTION_BLOCK_HASH_GINDEX
            } else {
                return if hash.is_zero() && zero_branch {
                    Ok(())
                } else {
                    Err(invalid("execution data before Capella"))
                };
            };
            (*hash, gindex)
        }
    };
    if is_valid_normalized_merkle_branch(
        leaf,
        &header.execution_branch,
        gindex,
        header.beacon.body_root,
    ) {
        Ok(())
    } else {
        Err(ConsensusError::InvalidExecutionBranch { slot })
    }
}

/// `initialize_light_client_store(trusted_block_root, bootstrap)`.
pub fn initialize_light_client_store<P: Preset, B: BlsBackend>(
    config: &ChainConfig,
    trusted_block_root: B256,
    bootstrap: LightClientBootstrap<P>,
) -> Result<LightClientStore<P, B>, ConsensusError> {
    let slot = bootstrap.header.beacon.slot;
    let fork = config.fork_at_slot::<P>(slot);
    if fork < ForkName::Altair {
        return Err(ConsensusError::PreAltair { slot });
    }
    is_valid_light_client_header::<P>(config, &bootstrap.header)?;
    let root = bootstrap.header.beacon_root();
    if root != trusted_block_root {
        return Err(ConsensusError::TrustedRootMismatch {
            got: root,
            expected: trusted_block_root,
        });
    }
    let committee_root = bootstrap.current_sync_committee.tree_hash_root();
    if !is_valid_normalized_merkle_branch(
        committee_root,
        &bootstrap.current_sync_committee_branch,
        current_sync_committee_gindex(fork),
        bootstrap.header.beacon.state_root,
    ) {
        return Err(ConsensusError::InvalidCurrentSyncCommitteeBranch);
    }
    let current = PreparedSyncCommittee::new(bootstrap.current_sync_committee)?;
    tracing::debug!(slot, %root, "light-client store initialized");
    Ok(LightClientStore {
        finalized_header: bootstrap.header.clone(),
        current_sync_committee: current,
        next_sync_committee: None,
        best_valid_update: None,
        optimistic_header: bootstrap.header,
        previous_max_active_participants: 0,
        current_max_active_participants: 0,
    })
}

/// `validate_light_client_update(store, update, current_slot, genesis_validators_root)`.
pub fn validate_light_client_update<P: Preset, B: BlsBackend>(
    store: &LightClientStore<P, B>,
    config: &ChainConfig,
    update: &LightClientUpdate<P>,
    current_slot: u64,
) -> Result<(), ConsensusError> {
    // Verify sync committee has sufficient participants.
    let participants = update.sync_aggregate.num_participants();
    if participants < P::MIN_SYNC_COMMITTEE_PARTICIPANTS {
        return Err(ConsensusError::InsufficientParticipants {
            got: participants,
            expected: P::MIN_SYNC_COMMITTEE_PARTICIPANTS,
        });
    }

    // Verify update does not skip a sync committee period.
    let attested_slot = update.attested_header.beacon.slot;
    if config.fork_at_slot::<P>(attested_slot) < ForkName::Altair {
        return Err(ConsensusError::PreAltair { slot: attested_slot });
    }
    is_valid_light_client_header::<P>(config, &update.attested_header)?;
    let finalized_slot = update.finalized_header.beacon.slot;
    if update.signature_slot > current_slot {
        return Err(ConsensusError::SignatureSlotInFuture {
            signature_slot: update.signature_slot,
            current_slot,
        });
    }
    if update.signature_slot <= attested_slot {
        return Err(ConsensusError::SignatureSlotNotAfterAttested {
            signature_slot: update.signature_slot,
            attested_slot,
        });
    }
    if attested_slot < finalized_slot {
        return Err(ConsensusError::AttestedBeforeFinalized { attested_slot, finalized_slot });
    }
    let store_period = store.sync_committee_period();
    let signature_period = compute_sync_committee_period_at_slot::<P>(update.signature_slot);
    if signature_period < store_period {
        return Err(ConsensusError::SyncCommitteePeriodInPast {
            got: signature_period,
            expected: store_period,
        });
    }
    if store.is_next_sync_committee_known() {
        if signature_period != store_period && signature_period != store_period + 1 {
            return Err(ConsensusError::SkippedSyncCommitteePeriod {
                got: signature_period,
                expected: format!("{store_period} or {}", store_period + 1),
            });
        }
    } else if signature_period != store_period {
        return Err(ConsensusError::SkippedSyncCommitteePeriod {
            got: signature_period,
            expected: store_period.to_string(),
        });
    }

    // Verify update is relevant.
    let attested_period = compute_sync_committee_period_at_slot::<P>(attested_slot);
    let update_has_next_sync_committee = !store.is_next_sync_committee_known()
        && update.is_sync_committee_update()
        && attested_period == store_period;
    if !(attested_slot > store.finalized_slot() || update_has_next_sync_committee) {
        return Err(ConsensusError::IrrelevantUpdate {
            attested_slot,
            finalized_slot: store.finalized_slot(),
        });
    }

    // Verify that the `finality_branch`, if present, confirms `finalized_header` to match the
    // finalized checkpoint root saved in the state of `attested_header`.
    let attested_fork = config.fork_at_slot::<P>(attested_slot);
    if !update.is_finality_update() {
        if !update.finalized_header.is_empty() {
            return Err(ConsensusError::UnexpectedFinalizedHeader);
        }
    } else {
        let finalized_root = if finalized_slot == GENESIS_SLOT {
            if !update.finalized_header.is_empty() {
                return Err(ConsensusError::NonEmptyGenesisFinalizedHeader);
            }
            B256::ZERO
        } else {
            is_valid_light_client_header::<P>(config, &update.finalized_header)?;
            update.finalized_header.beacon_root()
        };
        if !is_valid_normalized_merkle_branch(
            finalized_root,
            &update.finality_branch,
            finalized_root_gindex(attested_fork),
            update.attested_header.beacon.state_root,
        ) {
            return Err(ConsensusError::InvalidFinalityBranch);
        }
    }

    // Verify that the `next_sync_committee`, if present, actually is the next sync committee
    // saved in the state of the `attested_header`.
    if !update.is_sync_committee_update() {
        if update.next_sync_committee != SyncCommittee::default() {
            return Err(ConsensusError::UnexpectedNextSyncCommittee);
        }
    } else {
        let next_root = update.next_sync_committee.tree_hash_root();
        if attested_period == store_period {
            if let Some(known) = &store.next_sync_committee {
                if known.root != next_root {
                    return Err(ConsensusError::NextSyncCommitteeMismatch {
                        got: next_root,
                        expected: known.root,
                    });
                }
            }
        }
        if !is_valid_normalized_merkle_branch(
            next_root,
            &update.next_sync_committee_branch,
            next_sync_committee_gindex(attested_fork),
            update.attested_header.beacon.state_root,
        ) {
            return Err(ConsensusError::InvalidNextSyncCommitteeBranch);
        }
    }

    // Verify sync committee aggregate signature.
    let committee = if signature_period == store_period {
        &store.current_sync_committee
    } else {
        // Checked above: a signature in the next period is only accepted when it is known.
        store.next_sync_committee.as_ref().ok_or_else(|| {
            ConsensusError::SkippedSyncCommitteePeriod {
                got: signature_period,
                expected: store_period.to_string(),
            }
        })?
    };
    let domain = sync_committee_domain::<P>(config, update.signature_slot);
    let signing_root = compute_signing_root(update.attested_header.beacon_root(), domain);
    B::fast_aggregate_verify(
        &committee.prepared,
        &update.sync_aggregate.participation(),
        &signing_root,
        &update.sync_aggregate.sync_committee_signature,
    )?;
    Ok(())
}

/// The committee changes `apply_light_client_update` will make, computed (and the new
/// committee's keys prepared) before anything is mutated.
enum CommitteeChange<P: Preset, B: BlsBackend> {
    None,
    SetNext(Option<PreparedSyncCommittee<P, B>>),
    Rotate(Option<PreparedSyncCommittee<P, B>>),
}

fn plan_committee_change<P: Preset, B: BlsBackend>(
    store: &LightClientStore<P, B>,
    update: &LightClientUpdate<P>,
) -> Result<CommitteeChange<P, B>, ConsensusError> {
    let store_period = store.sync_committee_period();
    let finalized_period =
        compute_sync_committee_period_at_slot::<P>(update.finalized_header.beacon.slot);
    let prepare_next = || -> Result<Option<PreparedSyncCommittee<P, B>>, ConsensusError> {
        if update.is_sync_committee_update() {
            Ok(Some(PreparedSyncCommittee::new(update.next_sync_committee.clone())?))
        } else {
            Ok(None)
        }
    };
    if !store.is_next_sync_committee_known() {
        if finalized_period != store_period {
            return Err(ConsensusError::FinalizedPeriodMismatch {
                got: finalized_period,
                expected: store_period,
            });
        }
        Ok(CommitteeChange::SetNext(prepare_next()?))
    } else if finalized_period == store_period + 1 {
        Ok(CommitteeChange::Rotate(prepare_next()?))
    } else {
        Ok(CommitteeChange::None)
    }
}

/// `apply_light_client_update(store, update)`: committee bookkeeping and finalized header.
/// Called by [`process_light_client_update`] after validation; atomic.
pub fn apply_light_client_update<P: Preset, B: BlsBackend>(
    store: &mut LightClientStore<P, B>,
    update: &LightClientUpdate<P>,
) -> Result<(), ConsensusError> {
    let change = plan_committee_change(store, update)?;
    commit_light_client_update(store, update, change);
    Ok(())
}

/// The infallible half of `apply_light_client_update`, once the committee change is planned.
fn commit_light_client_update<P: Preset, B: BlsBackend>(
    store: &mut LightClientStore<P, B>,
    update: &LightClientUpdate<P>,
    change: CommitteeChange<P, B>,
) {
    match change {
        CommitteeChange::None => {}
        CommitteeChange::SetNext(next) => store.next_sync_committee = next,
        CommitteeChange::Rotate(next) => {
            if let Some(current) = store.next_sync_committee.take() {
                store.current_sync_committee = current;
            }
            store.next_sync_committee = next;
            store.previous_max_active_participants = store.current_max_active_participants;
            store.current_max_active_participants = 0;
        }
    }
    if update.finalized_header.beacon.slot > store.finalized_header.beacon.slot {
        store.finalized_header = update.finalized_header.clone();
        if store.finalized_header.beacon.slot > store.optimistic_header.beacon.slot {
            store.optimistic_header = store.finalized_header.clone();
        }
        tracing::debug!(slot = store.finalized_header.beacon.slot, "finalized header advanced");
    }
}

/// What [`process_light_client_update`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessOutcome {
    /// The update was applied (supermajority and new finality or a finalized next committee).
    pub applied: bool,
    /// The finalized header moved forward.
    pub finalized_advanced: bool,
    /// The optimistic header moved forward.
    pub optimistic_advanced: bool,
    /// The update became the best valid update.
    pub best_valid_update_changed: bool,
}

/// `is_better_update(new_update, old_update)`: the spec's ranking of updates.
pub fn is_better_update<P: Preset>(
    new_update: &LightClientUpdate<P>,
    old_update: &LightClientUpdate<P>,
) -> bool {
    let max_active = P::sync_committee_size() as u64;
    let new_active = new_update.sync_aggregate.num_participants();
    let old_active = old_update.sync_aggregate.num_participants();
    let new_super = new_active * 3 >= max_active * 2;
    let old_super = old_active * 3 >= max_active * 2;
    if new_super != old_super {
        return new_super;
    }
    if !new_super && new_active != old_active {
        return new_active > old_active;
    }

    let period = compute_sync_committee_period_at_slot::<P>;
    let relevant_committee = |u: &LightClientUpdate<P>| {
        u.is_sync_committee_update()
            && period(u.attested_header.beacon.slot) == period(u.signature_slot)
    };
    let (new_rel, old_rel) = (relevant_committee(new_update), relevant_committee(old_update));
    if new_rel != old_rel {
        return new_rel;
    }

    let (new_fin, old_fin) = (new_update.is_finality_update(), old_update.is_finality_update());
    if new_fin != old_fin {
        return new_fin;
    }

    if new_fin {
        let committee_finality = |u: &LightClientUpdate<P>| {
            period(u.finalized_header.beacon.slot) == period(u.attested_header.beacon.slot)
        };
        let (new_cf, old_cf) = (committee_finality(new_update), committee_finality(old_update));
        if new_cf != old_cf {
            return new_cf;
        }
    }

    // Tiebreaker 1: sync committee participation beyond supermajority.
    if new_active != old_active {
        return new_active > old_active;
    }
    // Tiebreaker 2: prefer older data (fewer changes to best).
    let (new_att, old_att) =
        (new_update.attested_header.beacon.slot, old_update.attested_header.beacon.slot);
    if new_att != old_att {
        return new_att < old_att;
    }
    // Tiebreaker 3: prefer updates with earlier signature slots.
    new_update.signature_slot < old_update.signature_slot
}

/// `process_light_client_update(store, update, current_slot, genesis_validators_root)`.
///
/// Only an update signed by a supermajority (`>= 2/3` of the committee) that finalizes a newer
/// header (or finalizes the next committee) changes the finalized header.
pub fn process_light_client_update<P: Preset, B: BlsBackend>(
    store: &mut LightClientStore<P, B>,
    config: &ChainConfig,
    update: &LightClientUpdate<P>,
    current_slot: u64,
) -> Result<ProcessOutcome, ConsensusError> {
    validate_light_client_update(store, config, update, current_slot)?;
    let participants = update.sync_aggregate.num_participants();
    let committee_size = P::sync_committee_size() as u64;

    let update_has_finalized_next_sync_committee = !store.is_next_sync_committee_known()
        && update.is_sync_committee_update()
        && update.is_finality_update()
        && compute_sync_committee_period_at_slot::<P>(update.finalized_header.beacon.slot)
            == compute_sync_committee_period_at_slot::<P>(update.attested_header.beacon.slot);
    let will_apply = participants * 3 >= committee_size * 2
        && (update.finalized_header.beacon.slot > store.finalized_slot()
            || update_has_finalized_next_sync_committee);
    // Everything fallible happens before the first mutation.
    let change = if will_apply { Some(plan_committee_change(store, update)?) } else { None };

    let mut outcome = ProcessOutcome::default();
    // Update the best update in case a governance force update is ever decided.
    if store.best_valid_update.as_ref().is_none_or(|best| is_better_update(update, best)) {
        store.best_valid_update = Some(update.clone());
        outcome.best_valid_update_changed = true;
    }
    // Track the maximum number of active participants in the committee signatures.
    store.current_max_active_participants = store.current_max_active_participants.max(participants);
    // Update the optimistic header.
    if participants > store.safety_threshold()
        && update.attested_header.beacon.slot > store.optimistic_header.beacon.slot
    {
        store.optimistic_header = update.attested_header.clone();
        outcome.optimistic_advanced = true;
    }
    // Update the finalized header (normal update through the 2/3 threshold).
    if let Some(change) = change {
        let before = (store.finalized_slot(), store.optimistic_header.beacon.slot);
        commit_light_client_update(store, update, change);
        outcome.optimistic_advanced |= store.optimistic_header.beacon.slot > before.1;
        outcome.finalized_advanced = store.finalized_slot() > before.0;
        store.best_valid_update = None;
        outcome.applied = true;
        tracing::debug!(
            finalized_slot = store.finalized_slot(),
            period = store.sync_committee_period(),
            "light-client update applied"
        );
    }
    Ok(outcome)
}

/// `process_light_client_finality_update(store, finality_update, current_slot, genesis_validators_root)`.
/// `fork` is the fork of the container (it fixes the length of the empty committee branch).
pub fn process_light_client_finality_update<P: Preset, B: BlsBackend>(
    store: &mut LightClientStore<P, B>,
    config: &ChainConfig,
    finality_update: LightClientFinalityUpdate<P>,
    fork: ForkName,
    current_slot: u64,
) -> Result<ProcessOutcome, ConsensusError> {
    let update = finality_update.into_update(fork);
    process_light_client_update(store, config, &update, current_slot)
}

/// `process_light_client_optimistic_update(store, optimistic_update, current_slot, genesis_validators_root)`.
pub fn process_light_client_optimistic_update<P: Preset, B: BlsBackend>(
    store: &mut LightClientStore<P, B>,
    config: &ChainConfig,
    optimistic_update: LightClientOptimisticUpdate<P>,
    fork: ForkName,
    current_slot: u64,
) -> Result<ProcessOutcome, ConsensusError> {
    let update = optimistic_update.into_update(fork);
    process_light_client_update(store, config, &update, current_slot)
}

/// `process_light_client_store_force_update(store, current_slot)`.
///
/// IMPORTANT: never called automatically. The peg zone prefers stalling to trusting an update
/// without finality; this exists for the spec tests' `force_update` steps and for an explicit
/// governance decision. Returns `Ok(false)` when no force update is due (as the spec, a no-op).
pub fn process_light_client_store_force_update<P: Preset, B: BlsBackend>(
    store: &mut LightClientStore<P, B>,
    current_slot: u64,
) -> Result<bool, ConsensusError> {
    let due = current_slot > store.finalized_slot().saturating_add(P::update_timeout());
    let Some(best) = store.best_valid_update.clone().filter(|_| due) else {
        return Ok(false);
    };
    let mut best = best;
    // Because the apply logic waits for `finalized_header.beacon.slot` to indicate sync
    // committee finality, the `attested_header` may be treated as `finalized_header` in extended
    // periods of non-finality.
    if best.finalized_header.beacon.slot <= store.finalized_slot() {
        best.finalized_header = best.attested_header.clone();
    }
    apply_light_client_update(store, &best)?;
    store.best_valid_update = None;
    tracing::warn!(finalized_slot = store.finalized_slot(), "force update applied");
    Ok(true)
}

/// Checks that light-client data declared as `declared` (beacon-API `version`, or the fork
/// digest of a spec test) is the container of the fork at `slot` (its attested or bootstrap slot).
pub fn check_data_fork<P: Preset>(
    config: &ChainConfig,
    declared: ForkName,
    slot: u64,
) -> Result<(), ConsensusError> {
    let expected = config.fork_at_slot::<P>(slot);
    if expected == declared {
        Ok(())
    } else {
        Err(ConsensusError::ForkMismatch { got: declared, expected, slot })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Minimal;

    /// An update with `participants` signers, optional committee and finality proofs.
    fn update(
        participants: usize,
        committee: bool,
        finality: bool,
        attested_slot: u64,
        finalized_slot: u64,
    ) -> LightClientUpdate<Minimal> {
        let mut bits = ssz_types::BitVector::new();
        for i in 0..participants {
            bits.set(i, true).expect("in range");
        }
        let mut u = LightClientUpdate::<Minimal> {
            attested_header: LightClientHeader::default(),
            next_sync_committee: SyncCommittee::default(),
            next_sync_committee_branch: vec![B256::ZERO; 5],
            finalized_header: LightClientHeader::default(),
            finality_branch: vec![B256::ZERO; 6],
            sync_aggregate: crate::types::SyncAggregate {
                sync_committee_bits: bits,
                sync_committee_signature: Default::default(),
            },
            signature_slot: attested_slot + 1,
        };
        u.attested_header.beacon.slot = attested_slot;
        u.finalized_header.beacon.slot = finalized_slot;
        if committee {
            u.next_sync_committee_branch[0] = B256::repeat_byte(1);
        }
        if finality {
            u.finality_branch[0] = B256::repeat_byte(1);
        }
        u
    }

    #[test]
    fn is_better_update_follows_the_spec_ranking() {
        // Supermajority (>= 2/3 of 32 = 22) wins over participation.
        assert!(is_better_update(&update(22, false, false, 10, 0), &update(21, true, true, 10, 8)));
        assert!(!is_better_update(
            &update(21, true, true, 10, 8),
            &update(22, false, false, 10, 0)
        ));
        // Without supermajority, more participants win.
        assert!(is_better_update(&update(20, false, false, 10, 0), &update(19, true, true, 10, 8)));
        // Relevant sync committee (attested and signature in the same period) wins.
        assert!(is_better_update(&update(22, true, false, 10, 0), &update(32, false, true, 10, 8)));
        let irrelevant = update(32, true, true, 63, 60); // signature slot 64: next period
        assert!(is_better_update(&update(22, true, false, 10, 0), &irrelevant));
        // Finality wins next.
        assert!(is_better_update(&update(22, true, true, 10, 8), &update(32, true, false, 10, 0)));
        // Sync committee finality (finalized in the attested period) wins next.
        assert!(is_better_update(&update(22, true, true, 70, 66), &update(32, true, true, 70, 60)));
        // Tiebreakers: participation, older attested slot, earlier signature slot.
        assert!(is_better_update(&update(30, true, true, 12, 8), &update(29, true, true, 10, 8)));
        assert!(is_better_update(&update(30, true, true, 10, 8), &update(30, true, true, 12, 8)));
        let mut later_signature = update(30, true, true, 10, 8);
        later_signature.signature_slot = 20;
        assert!(is_better_update(&update(30, true, true, 10, 8), &later_signature));
        assert!(!is_better_update(&later_signature, &later_signature));
    }

    #[test]
    fn signing_domain_uses_the_fork_of_the_previous_slot() {
        let mut config = ChainConfig::mainnet();
        let gloas_epoch = config.fork(ForkName::Fulu).epoch + 10;
        config.forks[ForkName::Gloas as usize].epoch = gloas_epoch;
        config.validate().expect("ordered schedule");
        let first_gloas_slot = gloas_epoch * 32;
        let fulu = compute_domain(
            DOMAIN_SYNC_COMMITTEE,
            config.fork(ForkName::Fulu).version,
            config.genesis_validators_root,
        );
        let gloas = compute_domain(
            DOMAIN_SYNC_COMMITTEE,
            config.fork(ForkName::Gloas).version,
            config.genesis_validators_root,
        );
        assert_eq!(sync_committee_domain::<crate::Mainnet>(&config, first_gloas_slot), fulu);
        assert_eq!(sync_committee_domain::<crate::Mainnet>(&config, first_gloas_slot + 1), gloas);
        assert_eq!(&fulu[..4], &DOMAIN_SYNC_COMMITTEE);
        // Slot 0 is treated as slot 1 - 1 = 0.
        let genesis = sync_committee_domain::<crate::Mainnet>(&config, 0);
        assert_eq!(genesis, sync_committee_domain::<crate::Mainnet>(&config, 1));
    }
}
