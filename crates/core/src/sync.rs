//! The sync client: pushes the outbox to the server and applies what the server's feed holds.
//!
//! A round ([`sync_round`]) pushes every pending change, bootstraps the store from the server's
//! current documents if it has never synced (resumable: each page is one transaction that also
//! records how far the bootstrap got), then pulls the feed from its cursor until it is drained.
//!
//! A record an admin erased for good (GDPR) is purged from the store when a pull brings its
//! erasure, or when a push to it is answered "erased" ([`crate::trash::discard`]).
//!
//! The store side (what to push, acknowledging, applying pulled changes) is synchronous and
//! runs under the store's lock; the network side is async and runs with the lock released, so
//! the UI is never blocked on the network.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use automerge::{Change, ChangeHash};
use chrono::{DateTime, Utc};
use crm_model::{RecordId, RecordKind};
use crm_protocol::ipc::RefusalEntry;
use crm_protocol::sync::{
    BootstrapResponse, Bytes, ErrorBody, MAX_BOOTSTRAP_LIMIT, Outcome, PROTOCOL_HEADER,
    PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse, RecordChanges, SignInRequest,
    SignInResponse,
};
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::Digest as _;

use crate::document::{FieldConflict, RecordDocument};
use crate::error::CoreError;
use crate::materialize;
use crate::parallel;
use crate::store::{Store, save_document, save_document_bytes};

/// Records per push request.
const PUSH_BATCH_RECORDS: usize = 200;
/// Feed entries per pull request.
const PULL_LIMIT: u32 = 1_000;
const CURSOR_KEY: &str = "server_cursor";
/// Set once the store holds the server's documents (or synced by pulling the whole feed).
pub(crate) const BOOTSTRAPPED_KEY: &str = "bootstrapped";
/// A bootstrap under way: the last record applied, the first page's cursor, records done and
/// the total, so a restarted app resumes where it stopped.
const BOOTSTRAP_KEY: &str = "bootstrap";

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the sync server could not be reached: {0}")]
    Network(#[from] reqwest::Error),
    #[error("the sync server refused the request ({status}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the live channel failed: {0}")]
    Live(String),
    #[error(transparent)]
    Store(#[from] CoreError),
    #[error("the local store is unavailable: a previous operation panicked")]
    Poisoned,
}

/// A connection to one sync server as one device.
#[derive(Clone, Debug)]
pub struct SyncClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
    /// The wire format version this client speaks ([`PROTOCOL_VERSION`]).
    protocol: u32,
}

impl SyncClient {
    /// `base_url` like `http://127.0.0.1:8787` (no trailing path); `token` is the device token.
    pub fn new(base_url: &str, token: &str) -> Result<SyncClient, SyncError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(SyncClient {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            protocol: PROTOCOL_VERSION,
        })
    }

    /// This client, speaking protocol `version` instead of this build's: what an app of another
    /// release sends (for tests of version skew).
    pub fn speaking(mut self, version: u32) -> SyncClient {
        self.protocol = version;
        self
    }

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        let response = self
            .http
            .post(format!("{}/v1/push", self.base_url))
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, self.protocol.to_string())
            .json(request)
            .send()
            .await?;
        decode(response).await
    }

    async fn bootstrap(
        &self,
        after: Option<RecordId>,
        limit: u32,
    ) -> Result<BootstrapResponse, SyncError> {
        let mut url = format!("{}/v1/bootstrap?limit={limit}", self.base_url);
        if let Some(after) = after {
            url.push_str(&format!("&after={after}"));
        }
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, self.protocol.to_string())
            .send()
            .await?;
        decode(response).await
    }

    /// Opens the live channel: a WebSocket on which the server says where the feed ends now.
    pub(crate) async fn live(&self) -> Result<LiveSocket, SyncError> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
        use tokio_tungstenite::tungstenite::http::HeaderValue;

        let url = match self.base_url.split_once("://") {
            Some(("https", rest)) => format!("wss://{rest}/v1/live"),
            Some((_, rest)) => format!("ws://{rest}/v1/live"),
            None => format!("ws://{}/v1/live", self.base_url),
        };
        let mut request = url.into_client_request().map_err(live_error)?;
        let authorization = HeaderValue::from_str(&format!("Bearer {}", self.token))
            .map_err(|_| live_error("the device token is not a valid header value"))?;
        request.headers_mut().insert("authorization", authorization);
        request.headers_mut().insert(
            PROTOCOL_HEADER,
            HeaderValue::from_str(&self.protocol.to_string())
                .map_err(|_| live_error("protocol header"))?,
        );
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(socket),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response
                    .body()
                    .as_deref()
                    .and_then(|body| serde_json::from_slice::<ErrorBody>(body).ok());
                Err(SyncError::Server {
                    status,
                    code: body
                        .as_ref()
                        .map_or_else(|| "unknown".into(), |body| body.code.clone()),
                    message: body.map_or_else(
                        || format!("the live channel was refused ({status})"),
                        |body| body.message,
                    ),
                })
            }
            Err(error) => Err(live_error(error)),
        }
    }

    async fn put_blob(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), SyncError> {
        let response = self
            .http
            .put(format!("{}/v1/blobs/{sha256}", self.base_url))
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, self.protocol.to_string())
            .body(bytes)
            .send()
            .await?;
        if response.status().is_success() {
            return Ok(());
        }
        decode::<serde_json::Value>(response).await.map(|_| ())
    }

    async fn get_blob(&self, sha256: &str) -> Result<Vec<u8>, SyncError> {
        let response = self
            .http
            .get(format!("{}/v1/blobs/{sha256}", self.base_url))
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, self.protocol.to_string())
            .send()
            .await?;
        if response.status().is_success() {
            return Ok(response.bytes().await?.to_vec());
        }
        decode::<serde_json::Value>(response)
            .await
            .map(|_| Vec::new())
    }

    async fn pull(&self, since: u64) -> Result<PullResponse, SyncError> {
        let response = self
            .http
            .get(format!(
                "{}/v1/pull?since={since}&limit={PULL_LIMIT}",
                self.base_url
            ))
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, self.protocol.to_string())
            .send()
            .await?;
        decode(response).await
    }
}

/// The live channel's socket.
pub(crate) type LiveSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn live_error(error: impl std::fmt::Display) -> SyncError {
    SyncError::Live(error.to_string())
}

/// Signs in to the server at `base_url` as a new device; the answer holds the device token.
pub async fn sign_in(base_url: &str, request: &SignInRequest) -> Result<SignInResponse, SyncError> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()?;
    let response = http
        .post(format!("{}/v1/sign-in", base_url.trim_end_matches('/')))
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .json(request)
        .send()
        .await?;
    decode(response).await
}

async fn decode<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, SyncError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response.json().await?);
    }
    let body = response.json::<ErrorBody>().await.unwrap_or(ErrorBody {
        code: "unknown".into(),
        message: status.canonical_reason().unwrap_or("error").into(),
    });
    Err(SyncError::Server {
        status: status.as_u16(),
        code: body.code,
        message: body.message,
    })
}

/// What one sync round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Attachment files sent to the server before their records.
    pub uploaded_files: usize,
    pub pushed_records: usize,
    /// Records the server refused, with its reason.
    pub rejected: Vec<(RecordId, String)>,
    pub pulled_changes: usize,
    /// Records whose materialized rows changed because of pulled changes or erasures.
    pub changed_records: Vec<RecordId>,
    /// Records erased for good on the server, and so purged from this device.
    pub erased_records: Vec<RecordId>,
    pub cursor: u64,
}

/// How far a new device's bootstrap got: records applied of the tenant's total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapProgress {
    pub done: u64,
    pub total: u64,
}

/// A bootstrap under way, as the store remembers it between pages (and restarts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BootstrapState {
    after: Option<RecordId>,
    /// The first page's cursor: every change up to it is in the documents.
    cursor: Option<u64>,
    progress: BootstrapProgress,
}

/// Pushes every pending change, then pulls until the feed is drained.
pub async fn sync_now(store: &Mutex<Store>, client: &SyncClient) -> Result<SyncReport, SyncError> {
    sync_round(store, client, &|_| {}).await
}

/// One round: pushes every pending change; on a store that never synced, bootstraps it from
/// the server's documents (telling `progress` after each page); then pulls until the feed is
/// drained.
pub async fn sync_round(
    store: &Mutex<Store>,
    client: &SyncClient,
    progress: &(dyn Fn(BootstrapProgress) + Sync),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    // Files first: a device that receives an attachment's record can then always fetch it.
    let blobs = lock(store)?.blobs_to_upload()?;
    for sha256 in blobs {
        let Some(bytes) = lock(store)?.read_blob(&sha256)? else {
            // Metadata edited here of a file this device never downloaded: the server has it.
            continue;
        };
        client.put_blob(&sha256, bytes).await?;
        report.uploaded_files += 1;
    }
    loop {
        let Some(batch) = lock(store)?.next_push_batch(PUSH_BATCH_RECORDS)? else {
            break;
        };
        let response = client.push(&batch.request).await?;
        report.pushed_records += batch.request.records.len();
        let acknowledged = lock(store)?.acknowledge_push(&batch, &response)?;
        report.rejected.extend(acknowledged.rejected);
        report.changed_records.extend(&acknowledged.erased);
        report.erased_records.extend(acknowledged.erased);
    }
    let pending_bootstrap = lock(store)?.bootstrap_state()?;
    if let Some(mut state) = pending_bootstrap {
        progress(state.progress);
        loop {
            let page = client.bootstrap(state.after, MAX_BOOTSTRAP_LIMIT).await?;
            let changed = lock(store)?.apply_bootstrap_page(&mut state, &page)?;
            report.changed_records.extend(changed);
            progress(state.progress);
            if !page.more {
                break;
            }
        }
    }
    loop {
        let since = lock(store)?.sync_cursor()?;
        let response = client.pull(since).await?;
        report.pulled_changes += response.entries.len();
        report
            .changed_records
            .extend(lock(store)?.apply_pull(&response)?);
        report
            .erased_records
            .extend(response.erased.iter().map(|erasure| erasure.record_id));
        report.cursor = response.cursor;
        if !response.more {
            break;
        }
    }
    Ok(report)
}

/// An attachment's bytes: from this device when it has them, else downloaded from the server
/// (checked against their SHA-256) and kept for next time.
pub async fn open_blob(
    store: &Mutex<Store>,
    client: &SyncClient,
    sha256: &str,
) -> Result<Vec<u8>, SyncError> {
    if let Some(bytes) = lock(store)?.read_blob(sha256)? {
        return Ok(bytes);
    }
    let bytes = client.get_blob(sha256).await?;
    let digest = crate::attachments::hex(&sha2::Sha256::digest(&bytes));
    if digest != sha256 {
        return Err(SyncError::Server {
            status: 502,
            code: "corrupt_blob".into(),
            message: format!("the server sent a file that does not match its hash {sha256}"),
        });
    }
    lock(store)?.write_blob(sha256, &bytes)?;
    Ok(bytes)
}

/// Downloads every attachment file this device lacks (before a trip). Returns how many.
pub async fn download_missing_blobs(
    store: &Mutex<Store>,
    client: &SyncClient,
) -> Result<usize, SyncError> {
    let missing = lock(store)?.missing_blobs()?;
    for sha256 in &missing {
        open_blob(store, client, sha256).await?;
    }
    Ok(missing.len())
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>, SyncError> {
    store.lock().map_err(|_| SyncError::Poisoned)
}

/// What the server's answer to a push did to the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acknowledged {
    /// Records the server refused, with its reason: they are again what the server holds.
    pub rejected: Vec<(RecordId, String)>,
    /// Records the server had erased for good: purged from the store.
    pub erased: Vec<RecordId>,
}

/// A push request and, per record, the last outbox entry it carries.
#[derive(Debug)]
pub struct PushBatch {
    pub request: PushRequest,
    last_seq: HashMap<RecordId, i64>,
}

impl Store {
    /// The oldest pending changes, grouped by record, for at most `max_records` records.
    pub fn next_push_batch(&self, max_records: usize) -> Result<Option<PushBatch>, CoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT seq, record_id, change FROM outbox ORDER BY seq")?;
        let mut rows = statement.query([])?;
        let mut records: Vec<RecordChanges> = Vec::new();
        let mut index_of: HashMap<RecordId, usize> = HashMap::new();
        let mut last_seq = HashMap::new();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let record_id = parse_record_id(&row.get::<_, String>(1)?)?;
            let index = match index_of.get(&record_id) {
                Some(index) => *index,
                None if records.len() >= max_records => continue,
                None => {
                    records.push(RecordChanges {
                        record_id,
                        changes: Vec::new(),
                    });
                    index_of.insert(record_id, records.len() - 1);
                    records.len() - 1
                }
            };
            records[index].changes.push(Bytes(row.get(2)?));
            last_seq.insert(record_id, seq);
        }
        if records.is_empty() {
            return Ok(None);
        }
        Ok(Some(PushBatch {
            request: PushRequest { records },
            last_seq,
        }))
    }

    /// Drops acknowledged changes from the outbox. A refused record's pending changes are
    /// dropped too (the server's version wins on the next pull); a record the server erased is
    /// purged. Returns the refusals and the erasures.
    pub fn acknowledge_push(
        &mut self,
        batch: &PushBatch,
        response: &PushResponse,
    ) -> Result<Acknowledged, CoreError> {
        let mut rejected = Vec::new();
        let mut erased = Vec::new();
        let mut orphans = Vec::new();
        let transaction = self.conn.transaction()?;
        for result in &response.results {
            let Some(last_seq) = batch.last_seq.get(&result.record_id) else {
                continue;
            };
            transaction
                .prepare_cached("DELETE FROM outbox WHERE record_id = ?1 AND seq <= ?2")?
                .execute(params![result.record_id.to_string(), last_seq])?;
            match &result.outcome {
                Outcome::Accepted => {}
                Outcome::Rejected { reason } => {
                    tracing::warn!(record = %result.record_id, %reason, "server refused a record's changes");
                    rejected.push((result.record_id, reason.clone()));
                }
                Outcome::Erased => {
                    tracing::info!(record = %result.record_id, "the server erased this record; purging it");
                    orphans.extend(crate::trash::discard(&transaction, result.record_id)?);
                    erased.push(result.record_id);
                }
            }
        }
        transaction.commit()?;
        self.remove_blobs(orphans);
        for (id, reason) in &rejected {
            let refused: Vec<automerge::ChangeHash> = batch
                .request
                .records
                .iter()
                .filter(|record| record.record_id == *id)
                .flat_map(|record| record.changes.iter())
                .filter_map(|bytes| Change::from_bytes(bytes.0.clone()).ok())
                .map(|change| change.hash())
                .collect();
            self.take_server_version(*id, &refused, reason)?;
        }
        Ok(Acknowledged { rejected, erased })
    }

    /// After the server refused a record's changes: drops them, and the local changes still
    /// pending for it, so the record is again what the server holds; and remembers the refusal
    /// for the user. One transaction.
    fn take_server_version(
        &mut self,
        id: RecordId,
        refused: &[automerge::ChangeHash],
        reason: &str,
    ) -> Result<(), CoreError> {
        let Some(mut document) = self.load_document(id)? else {
            return Ok(());
        };
        let mut dropped: Vec<automerge::ChangeHash> = refused.to_vec();
        let pending: Vec<Vec<u8>> = {
            let mut statement = self
                .conn
                .prepare_cached("SELECT change FROM outbox WHERE record_id = ?1")?;
            let rows = statement.query_map([id.to_string()], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        dropped.extend(
            pending
                .into_iter()
                .filter_map(|bytes| Change::from_bytes(bytes).ok())
                .map(|change| change.hash()),
        );
        let kind = document.kind().ok();
        let title = document
            .fields()
            .ok()
            .and_then(|fields| {
                fields
                    .get("name")
                    .or_else(|| fields.get("subject"))
                    .and_then(|value| value.as_str().map(str::to_owned))
            })
            .unwrap_or_default();
        let device = self.profile().device_id;
        let rebuilt = document
            .without_changes(&dropped, device)
            .map_err(|source| CoreError::Document {
                id,
                source: Box::new(source),
            })?;
        let transaction = self.conn.transaction()?;
        transaction.execute("DELETE FROM outbox WHERE record_id = ?1", [id.to_string()])?;
        match (rebuilt, kind) {
            (Some(mut server_version), Some(kind)) => {
                let changed_at = server_version.last_change_time();
                save_document(&transaction, id, kind, &mut server_version, changed_at)?;
                let fields = server_version
                    .fields()
                    .map_err(|source| CoreError::Document {
                        id,
                        source: Box::new(source),
                    })?;
                materialize::record(&transaction, kind, id, &fields, changed_at)?;
                crate::conflicts::refresh(&transaction, kind, id, &mut server_version)?;
            }
            (None, Some(kind)) => {
                // The server never accepted the record at all: it goes.
                transaction.execute("DELETE FROM documents WHERE id = ?1", [id.to_string()])?;
                materialize::forget(&transaction, kind, id)?;
            }
            (_, None) => {}
        }
        transaction.execute(
            "INSERT INTO sync_refusals (record_id, kind, title, reason, refused_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), kind.map(|kind| kind.as_str()).unwrap_or(""), title, reason, crate::store::now_text()],
        )?;
        materialize::flush_search(&transaction)?;
        transaction.commit()?;
        Ok(())
    }

    /// Changes the server refused, newest first, until the user dismisses them.
    pub fn list_refusals(&self) -> Result<Vec<RefusalEntry>, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT rowid, record_id, kind, title, reason, refused_at FROM sync_refusals ORDER BY rowid DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(RefusalEntry {
                id: row.get(0)?,
                record_id: row
                    .get::<_, String>(1)?
                    .parse()
                    .unwrap_or(RecordId(uuid::Uuid::nil())),
                kind: row.get(2)?,
                title: row.get(3)?,
                reason: row.get(4)?,
                refused_at: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn dismiss_refusal(&mut self, id: i64) -> Result<(), CoreError> {
        self.conn
            .execute("DELETE FROM sync_refusals WHERE rowid = ?1", [id])?;
        Ok(())
    }

    /// The position in the server's feed up to which this store has applied changes.
    pub fn sync_cursor(&self) -> Result<u64, CoreError> {
        Ok(self
            .sync_state_value(CURSOR_KEY)?
            .and_then(|text| text.parse().ok())
            .unwrap_or(0))
    }

    /// The bootstrap this store still needs: `None` once it holds the server's documents (or
    /// has pulled from the server before bootstraps existed), else where to start or resume.
    pub(crate) fn bootstrap_state(&self) -> Result<Option<BootstrapState>, CoreError> {
        if self.sync_state_value(BOOTSTRAPPED_KEY)?.is_some() {
            return Ok(None);
        }
        if let Some(text) = self.sync_state_value(BOOTSTRAP_KEY)? {
            return serde_json::from_str(&text)
                .map(Some)
                .map_err(|error| CoreError::Corrupt(format!("bootstrap state: {error}")));
        }
        if self.sync_cursor()? > 0 {
            return Ok(None);
        }
        Ok(Some(BootstrapState::default()))
    }

    /// A value of the `sync_state` table (cursor, bootstrap progress, server account).
    pub(crate) fn sync_state_value(&self, key: &str) -> Result<Option<String>, CoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?)
    }

    /// Applies one page of a bootstrap in one transaction: each document is stored (merged
    /// into the local one when the store has the record already) and materialized, and the
    /// bootstrap's progress is saved with it. After the last page, the feed cursor becomes the
    /// first page's. Returns the records whose rows changed.
    ///
    /// The documents are decoded, merged and their rows derived on a second thread while this
    /// one writes ([`parallel::prepare_aside`]).
    pub(crate) fn apply_bootstrap_page(
        &mut self,
        state: &mut BootstrapState,
        page: &BootstrapResponse,
    ) -> Result<Vec<RecordId>, CoreError> {
        let device = self.profile().device_id;
        let mut received = Vec::with_capacity(page.documents.len());
        for (index, entry) in page.documents.iter().enumerate() {
            if !self.is_purged(entry.record_id)? {
                received.push((index, self.document_bytes(entry.record_id)?));
            }
        }
        let transaction = self.conn.transaction()?;
        let mut changed = Vec::with_capacity(received.len());
        parallel::prepare_aside::<_, _, CoreError>(
            received,
            |(index, local)| {
                let entry = &page.documents[index];
                let id = entry.record_id;
                let document_error = |source| CoreError::Document {
                    id,
                    source: Box::new(source),
                };
                let mut server =
                    RecordDocument::load(&entry.document.0, device).map_err(document_error)?;
                let local = local
                    .map(|bytes| RecordDocument::load(&bytes, device))
                    .transpose()
                    .map_err(document_error)?;
                Ok(match receive(local, &mut server).map_err(document_error)? {
                    Received::Known => None,
                    Received::AsSent => Some(Applied::of(id, entry.kind, server, Some(index))?),
                    Received::Merged(local) => Some(Applied::of(id, entry.kind, *local, None)?),
                })
            },
            |applied| {
                if let Some(applied) = applied {
                    let sent = match applied.saved {
                        Saved::AsSent(index) => Some(page.documents[index].document.0.as_slice()),
                        _ => None,
                    };
                    changed.push(applied.store(&transaction, sent)?);
                }
                Ok(())
            },
        )?;
        state.cursor = Some(state.cursor.unwrap_or(page.cursor));
        if let Some(total) = page.total {
            state.progress.total = total;
        }
        state.progress.done += page.documents.len() as u64;
        state.progress.total = state.progress.total.max(state.progress.done);
        state.after = page
            .documents
            .last()
            .map(|entry| entry.record_id)
            .or(state.after);
        let mut put = transaction.prepare_cached(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?;
        if page.more {
            let text = serde_json::to_string(state)
                .map_err(|error| CoreError::Corrupt(format!("bootstrap state: {error}")))?;
            put.execute(params![BOOTSTRAP_KEY, text])?;
        } else {
            let cursor = state.cursor.unwrap_or(page.cursor);
            put.execute(params![CURSOR_KEY, cursor.to_string()])?;
            put.execute(params![BOOTSTRAPPED_KEY, "1"])?;
            transaction.execute("DELETE FROM sync_state WHERE key = ?1", [BOOTSTRAP_KEY])?;
        }
        drop(put);
        materialize::flush_search(&transaction)?;
        transaction.commit()?;
        if !page.more && state.progress.done >= BULK_BOOTSTRAP {
            self.after_bulk_write()?;
        }
        Ok(changed)
    }

    /// Applies a page of the feed: each affected record's document takes the changes and its
    /// row is re-materialized, each erased record is purged, and the cursor moves, all in one
    /// transaction. Returns the records whose documents changed or went. As with a bootstrap
    /// page, the documents are worked on by a second thread while this one writes.
    pub fn apply_pull(&mut self, response: &PullResponse) -> Result<Vec<RecordId>, CoreError> {
        let erased: std::collections::BTreeSet<RecordId> = response
            .erased
            .iter()
            .map(|erasure| erasure.record_id)
            .collect();
        let mut by_record: BTreeMap<RecordId, Vec<Change>> = BTreeMap::new();
        for entry in &response.entries {
            if erased.contains(&entry.record_id) {
                // Erased later in this page: never materialized.
                continue;
            }
            match Change::from_bytes(entry.change.0.clone()) {
                Ok(change) => by_record.entry(entry.record_id).or_default().push(change),
                Err(error) => {
                    tracing::warn!(seq = entry.seq, record = %entry.record_id, %error, "skipping an undecodable change");
                }
            }
        }
        let device = self.profile().device_id;
        let mut received = Vec::with_capacity(by_record.len());
        for (id, changes) in by_record {
            if !self.is_purged(id)? {
                received.push((id, changes, self.document_bytes(id)?));
            }
        }
        let transaction = self.conn.transaction()?;
        let mut changed = Vec::with_capacity(received.len());
        parallel::prepare_aside::<_, _, CoreError>(
            received,
            |(id, changes, local)| {
                let document_error = |source| CoreError::Document {
                    id,
                    source: Box::new(source),
                };
                let mut document = match local {
                    Some(bytes) => RecordDocument::load(&bytes, device).map_err(document_error)?,
                    None => RecordDocument::empty(device),
                };
                let before = document.heads();
                document.apply_changes(changes).map_err(document_error)?;
                if document.heads() == before {
                    return Ok(None);
                }
                let Ok(kind) = document.kind() else {
                    tracing::debug!(record = %id, "record without a known kind; not materialized");
                    return Ok(None);
                };
                Applied::of(id, kind, document, None).map(Some)
            },
            |applied| {
                if let Some(applied) = applied {
                    changed.push(applied.store(&transaction, None)?);
                }
                Ok(())
            },
        )?;
        let mut orphans = Vec::new();
        for id in erased {
            orphans.extend(crate::trash::discard(&transaction, id)?);
            changed.push(id);
        }
        transaction
            .prepare_cached(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![CURSOR_KEY, response.cursor.to_string()])?;
        materialize::flush_search(&transaction)?;
        transaction.commit()?;
        self.remove_blobs(orphans);
        Ok(changed)
    }
}

/// A record's document after a sync step, worked out off the writing thread: what to store
/// and the rows and conflicts to write.
struct Applied {
    id: RecordId,
    kind: RecordKind,
    saved: Saved,
    heads: Vec<ChangeHash>,
    changed_at: DateTime<Utc>,
    rows: materialize::RecordRows,
    conflicts: Vec<FieldConflict>,
}

/// The bytes an [`Applied`] document is stored as.
enum Saved {
    /// The server's bytes as they came: document `.0` of the bootstrap page.
    AsSent(usize),
    /// Saved anew (merged with local changes, or changes applied).
    Bytes(Vec<u8>),
}

impl Applied {
    /// Everything `document` needs written. `kind` stands in for a document whose kind cannot
    /// be read (a kind from a newer app); `sent` is the index of the bootstrap page's document
    /// whose bytes are this document as the server sent it (else it is saved anew).
    fn of(
        id: RecordId,
        kind: RecordKind,
        mut document: RecordDocument,
        sent: Option<usize>,
    ) -> Result<Applied, CoreError> {
        let document_error = |source| CoreError::Document {
            id,
            source: Box::new(source),
        };
        let kind = document.kind().unwrap_or(kind);
        let changed_at = document.last_change_time();
        let fields = document.fields().map_err(document_error)?;
        let rows = materialize::derive(kind, id, &fields, changed_at)?;
        let conflicts = document.conflicts().map_err(document_error)?;
        let saved = match sent {
            Some(index) => Saved::AsSent(index),
            None => Saved::Bytes(document.save()),
        };
        Ok(Applied {
            id,
            kind,
            saved,
            heads: document.heads(),
            changed_at,
            rows,
            conflicts,
        })
    }

    /// Stores the document (`sent`: the server's bytes, for [`Saved::AsSent`]), writes its
    /// rows and conflicts. Returns the record's id.
    fn store(
        self,
        transaction: &Transaction<'_>,
        sent: Option<&[u8]>,
    ) -> Result<RecordId, CoreError> {
        let bytes = match (&self.saved, sent) {
            (Saved::Bytes(bytes), _) => bytes.as_slice(),
            (_, Some(sent)) => sent,
            (_, None) => {
                return Err(CoreError::Corrupt(format!(
                    "record {}: no bytes to store",
                    self.id
                )));
            }
        };
        save_document_bytes(
            transaction,
            self.id,
            self.kind,
            bytes,
            &self.heads,
            self.changed_at,
        )?;
        materialize::write(transaction, self.kind, self.id, &self.rows)?;
        crate::conflicts::store(transaction, self.kind, self.id, self.conflicts)?;
        Ok(self.id)
    }
}

/// Past this many records a finished bootstrap compacts the search index and refreshes the
/// planner's statistics.
const BULK_BOOTSTRAP: u64 = 1_000;

/// What to store when the server sends its copy of a record.
enum Received {
    /// The store has every change of it already.
    Known,
    /// The server's copy is the record (the store lacks it, or has nothing the server lacks).
    AsSent,
    /// The local document, which now also holds the server's changes.
    Merged(Box<RecordDocument>),
}

fn receive(
    local: Option<RecordDocument>,
    server: &mut RecordDocument,
) -> Result<Received, crate::document::DocumentError> {
    let Some(mut local) = local else {
        return Ok(Received::AsSent);
    };
    let before = local.heads();
    local.merge(server)?;
    let after = local.heads();
    Ok(if after == before {
        Received::Known
    } else if after == server.heads() {
        Received::AsSent
    } else {
        Received::Merged(Box::new(local))
    })
}

fn parse_record_id(text: &str) -> Result<RecordId, CoreError> {
    text.parse().map_err(|error: uuid::Error| {
        CoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(error),
        ))
    })
}
