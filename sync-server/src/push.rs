//! A push: each record's changes applied, checked and stored on their own, so one bad record
//! does not hold back the others of the batch.

use crm_protocol::sync::{Outcome, PushRequest, PushResponse, RecordChanges, RecordResult};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::policy;
use crate::record::{self, Applied};
use crate::server::AppState;
use crate::storage::{CommitOutcome, RecordWrite, StorageError};

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
    let mut results = Vec::with_capacity(request.records.len());
    for record in request.records {
        let record_id = record.record_id;
        let outcome = push_record(state, principal, record).await?;
        results.push(RecordResult { record_id, outcome });
    }
    let cursor = state.storage().feed_head(principal.tenant).await?;
    Ok(PushResponse { results, cursor })
}

async fn push_record(
    state: &AppState,
    principal: &Principal,
    record: RecordChanges,
) -> Result<Outcome, ApiError> {
    let storage = state.storage();
    let record_id = record.record_id;
    let changes: Vec<Vec<u8>> = record.changes.into_iter().map(|bytes| bytes.0).collect();
    for _ in 0..MAX_ATTEMPTS {
        let stored = storage.load_document(principal.tenant, record_id).await?;
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
            Ok(Applied::Unchanged) => return Ok(Outcome::Accepted),
            Ok(Applied::Changed(update)) => update,
            Err(refusal) => return Ok(refuse(state, principal, record_id, refusal)),
        };
        if let Err(refusal) = policy::authorize(principal, update.before.as_ref(), &update.after) {
            return Ok(refuse(state, principal, record_id, refusal));
        }
        let update_change_count = update.new_changes.len();
        let write = RecordWrite {
            record: record_id,
            kind: update.after.kind,
            changes: update.new_changes(),
            document: update.saved,
            expected_revision: stored.map(|stored| stored.revision),
            user: principal.user,
            device: principal.device,
        };
        match storage.commit_record(principal.tenant, write).await? {
            CommitOutcome::Committed { feed_head } => {
                tracing::debug!(tenant = %principal.tenant, record = %record_id, feed_head, "record accepted");
                state.live().announce(principal.tenant, feed_head);
                state.metrics().changes_accepted.fetch_add(
                    update_change_count as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                return Ok(Outcome::Accepted);
            }
            CommitOutcome::Conflict => continue,
            CommitOutcome::ForeignRecord => {
                tracing::warn!(
                    tenant = %principal.tenant,
                    user = %principal.user,
                    device = %principal.device,
                    record = %record_id,
                    "push names a record of another tenant"
                );
                return Ok(refuse(
                    state,
                    principal,
                    record_id,
                    record::Refusal::UnknownRecord,
                ));
            }
        }
    }
    tracing::warn!(tenant = %principal.tenant, record = %record_id, "record kept changing during a push");
    Err(ApiError::Busy)
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
    Outcome::Rejected {
        reason: refusal.to_string(),
    }
}
