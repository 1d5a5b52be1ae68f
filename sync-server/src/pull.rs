//! A pull: the tenant's feed entries after the device's cursor, one page at a time.

use crm_protocol::sync::{Bytes, FeedEntry, MAX_PULL_LIMIT, PullQuery, PullResponse};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::server::AppState;

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
    let entries = rows
        .into_iter()
        .map(|row| FeedEntry {
            seq: row.seq,
            record_id: row.record,
            change: Bytes(row.change),
        })
        .collect();
    Ok(PullResponse {
        entries,
        cursor,
        more,
    })
}
