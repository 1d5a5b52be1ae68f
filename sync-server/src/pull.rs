//! A pull: the tenant's feed entries after the device's cursor, one page at a time; and a
//! bootstrap: the tenant's current documents, one page at a time.

use crm_protocol::sync::{
    BootstrapDocument, BootstrapQuery, BootstrapResponse, Bytes, Erasure, FeedEntry,
    MAX_BOOTSTRAP_LIMIT, MAX_PULL_LIMIT, PullQuery, PullResponse,
};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::server::AppState;
use crate::storage::FeedEvent;

/// Entries a pull answers with when it does not ask for a number.
pub(crate) const DEFAULT_PULL_LIMIT: u32 = 1_000;

pub(crate) async fn pull(
    state: &AppState,
    principal: &Principal,
    query: PullQuery,
) -> Result<PullResponse, ApiError> {
    let limit = query
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    // One more than asked tells whether more are waiting without a second query.
    let mut rows = state
        .storage()
        .read_feed(principal.tenant, query.since, limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let cursor = rows.last().map_or(query.since, |row| row.seq);
    let mut entries = Vec::with_capacity(rows.len());
    let mut erased = Vec::new();
    for row in rows {
        match row.event {
            FeedEvent::Change(change) => entries.push(FeedEntry {
                seq: row.seq,
                record_id: row.record,
                change: Bytes(change),
            }),
            FeedEvent::Erased => erased.push(Erasure {
                seq: row.seq,
                record_id: row.record,
            }),
        }
    }
    Ok(PullResponse {
        entries,
        erased,
        cursor,
        more,
    })
}

/// Documents a bootstrap page answers with when it does not ask for a number.
pub(crate) const DEFAULT_BOOTSTRAP_LIMIT: u32 = 200;

/// A page stops growing past this many document bytes (it holds at least one document), so
/// that large documents do not make one answer huge.
const BOOTSTRAP_PAGE_BYTES: usize = 8 << 20;

/// A page of the tenant's current documents, with the feed position read *before* them: a
/// change committed while the page is read is in the feed after that position, so the device
/// pulls it afterwards (and applying it to a document that already has it changes nothing).
pub(crate) async fn bootstrap(
    state: &AppState,
    principal: &Principal,
    query: BootstrapQuery,
) -> Result<BootstrapResponse, ApiError> {
    let limit = query
        .limit
        .unwrap_or(DEFAULT_BOOTSTRAP_LIMIT)
        .clamp(1, MAX_BOOTSTRAP_LIMIT);
    let cursor = state.storage().feed_head(principal.tenant).await?;
    let rows = state
        .storage()
        .list_documents(principal.tenant, query.after, limit + 1)
        .await?;
    // The total is counted once, on the first page: it is only for a progress bar.
    let total = match query.after {
        None => Some(state.storage().count_documents(principal.tenant).await?),
        Some(_) => None,
    };
    let mut more = rows.len() > limit as usize;
    let mut documents = Vec::with_capacity(rows.len().min(limit as usize));
    let mut bytes = 0;
    for row in rows.into_iter().take(limit as usize) {
        if !documents.is_empty() && bytes + row.bytes.0.len() > BOOTSTRAP_PAGE_BYTES {
            more = true;
            break;
        }
        bytes += row.bytes.0.len();
        documents.push(BootstrapDocument {
            record_id: row.record,
            kind: row.kind,
            document: row.bytes,
        });
    }
    Ok(BootstrapResponse {
        documents,
        cursor,
        more,
        total,
    })
}
