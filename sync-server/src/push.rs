//! A push: each record's changes applied to a copy of its document and checked on their own,
//! so one bad record does not hold back the others of the batch; the accepted records are then
//! stored in one transaction.

use crm_protocol::sync::{Outcome, PushRequest, PushResponse, RecordChanges, RecordResult};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::policy;
use crate::record::{self, Applied};
use crate::server::AppState;
use crate::storage::{CommitOutcome, RecordWrite, StorageError, Stored};

/// How often a record is reloaded and re-applied when other pushes keep writing it in between.
/// Every conflict means another push committed, so a push loses at most once per concurrent
/// writer of the same record; past this many the device is told to retry (503).
const MAX_ATTEMPTS: usize = 16;

pub(crate) async fn push(
    state: &AppState,
    principal: &Principal,
    request: PushRequest,
) -> Result<PushResponse, ApiError> {
    let limit = state.limits().max_push_records;
    if request.records.len() > limit {
        return Err(ApiError::TooManyRecords {
            count: request.records.len(),
            limit,
        });
    }
    state
        .metrics()
        .pushes
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // Every record is checked against its stored document first; the accepted ones are then
    // committed together, in one transaction (one disk sync per push, not per record). A record
    // that another push changed in between is retried on its own.
    let mut outcomes: Vec<Option<Outcome>> = vec![None; request.records.len()];
    let mut writes = Vec::new();
    let mut waiting = Vec::new();
    for (index, record) in request.records.iter().enumerate() {
        match prepare(state, principal, record).await? {
            Prepared::Done(outcome) => outcomes[index] = Some(outcome),
            Prepared::Write(write, changes) => {
                writes.push(write);
                waiting.push((index, changes));
            }
        }
    }
    if !writes.is_empty() {
        let committed = state
            .storage()
            .commit_records(principal.tenant, writes)
            .await?;
        let mut announced = None;
        for ((index, changes), commit) in waiting.into_iter().zip(committed) {
            let record = &request.records[index];
            let outcome = match commit {
                CommitOutcome::Committed { feed_head } => {
                    accepted(state, principal, record, changes, feed_head);
                    announced = announced.max(Some(feed_head));
                    Outcome::Accepted
                }
                CommitOutcome::Conflict => push_record(state, principal, record).await?,
                CommitOutcome::ForeignRecord => foreign(state, principal, record),
                CommitOutcome::Erased => {
                    refuse(state, principal, record.record_id, record::Refusal::Erased)
                }
            };
            outcomes[index] = Some(outcome);
        }
        if let Some(feed_head) = announced {
            state.live().announce(principal.tenant, feed_head);
        }
    }
    let results = request
        .records
        .iter()
        .zip(outcomes)
        .map(|(record, outcome)| RecordResult {
            record_id: record.record_id,
            outcome: outcome.unwrap_or(Outcome::Accepted),
        })
        .collect();
    let cursor = state.storage().feed_head(principal.tenant).await?;
    Ok(PushResponse { results, cursor })
}

/// A record's changes, checked against its stored document.
enum Prepared {
    /// Nothing to store (the server had every change) or refused.
    Done(Outcome),
    /// To commit, with the number of new changes.
    Write(RecordWrite, usize),
}

async fn prepare(
    state: &AppState,
    principal: &Principal,
    record: &RecordChanges,
) -> Result<Prepared, ApiError> {
    let record_id = record.record_id;
    let stored = match state
        .storage()
        .load_document(principal.tenant, record_id)
        .await?
    {
        Stored::Erased => {
            let refused = refuse(state, principal, record_id, record::Refusal::Erased);
            return Ok(Prepared::Done(refused));
        }
        stored => stored.document(),
    };
    let changes: Vec<Vec<u8>> = record.changes.iter().map(|bytes| bytes.0.clone()).collect();
    // Automerge work runs on the async worker: record documents are small, and the body
    // limit bounds what one request can make the server do.
    let applied = record::apply(
        stored.as_ref().map(|stored| stored.bytes.as_slice()),
        &changes,
        state.limits().max_document_bytes,
    )
    .map_err(|error| {
        StorageError::Invalid(format!(
            "the stored document of record {record_id} does not load: {error}"
        ))
    })?;
    let update = match applied {
        Ok(Applied::Unchanged) => return Ok(Prepared::Done(Outcome::Accepted)),
        Ok(Applied::Changed(update)) => update,
        Err(refusal) => {
            return Ok(Prepared::Done(refuse(state, principal, record_id, refusal)));
        }
    };
    if let Err(refusal) = policy::authorize(principal, update.before.as_ref(), &update.after) {
        return Ok(Prepared::Done(refuse(state, principal, record_id, refusal)));
    }
    let count = update.new_changes.len();
    let write = RecordWrite {
        record: record_id,
        kind: update.after.kind,
        changes: update.new_changes(),
        document: update.saved,
        expected_revision: stored.map(|stored| stored.revision),
        user: principal.user,
        device: principal.device,
    };
    Ok(Prepared::Write(write, count))
}

/// One record on its own, reloaded and re-applied while other pushes keep writing it.
async fn push_record(
    state: &AppState,
    principal: &Principal,
    record: &RecordChanges,
) -> Result<Outcome, ApiError> {
    for _ in 0..MAX_ATTEMPTS {
        let (write, changes) = match prepare(state, principal, record).await? {
            Prepared::Done(outcome) => return Ok(outcome),
            Prepared::Write(write, changes) => (write, changes),
        };
        match state
            .storage()
            .commit_record(principal.tenant, write)
            .await?
        {
            CommitOutcome::Committed { feed_head } => {
                accepted(state, principal, record, changes, feed_head);
                state.live().announce(principal.tenant, feed_head);
                return Ok(Outcome::Accepted);
            }
            CommitOutcome::Conflict => continue,
            CommitOutcome::ForeignRecord => return Ok(foreign(state, principal, record)),
            CommitOutcome::Erased => {
                return Ok(refuse(
                    state,
                    principal,
                    record.record_id,
                    record::Refusal::Erased,
                ));
            }
        }
    }
    tracing::warn!(tenant = %principal.tenant, record = %record.record_id, "record kept changing during a push");
    Err(ApiError::Busy)
}

fn accepted(
    state: &AppState,
    principal: &Principal,
    record: &RecordChanges,
    changes: usize,
    feed_head: u64,
) {
    tracing::debug!(tenant = %principal.tenant, record = %record.record_id, feed_head, "record accepted");
    state
        .metrics()
        .changes_accepted
        .fetch_add(changes as u64, std::sync::atomic::Ordering::Relaxed);
}

fn foreign(state: &AppState, principal: &Principal, record: &RecordChanges) -> Outcome {
    tracing::warn!(
        tenant = %principal.tenant,
        user = %principal.user,
        device = %principal.device,
        record = %record.record_id,
        "push names a record of another tenant"
    );
    refuse(
        state,
        principal,
        record.record_id,
        record::Refusal::UnknownRecord,
    )
}

fn refuse(
    state: &AppState,
    principal: &Principal,
    record_id: crm_model::RecordId,
    refusal: record::Refusal,
) -> Outcome {
    state
        .metrics()
        .records_refused
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tracing::info!(
        tenant = %principal.tenant,
        user = %principal.user,
        device = %principal.device,
        record = %record_id,
        reason = %refusal,
        "record rejected"
    );
    match refusal {
        record::Refusal::Erased => Outcome::Erased,
        refusal => Outcome::Rejected {
            reason: refusal.to_string(),
        },
    }
}
