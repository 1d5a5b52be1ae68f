//! The background sync engine: syncs when asked ("sync now"), after local edits, when the
//! server's live channel says the feed moved, and every interval; backs off with jitter while
//! the network or the server is down; and publishes a status the UI shows (online, pending
//! changes, last sync, last error in words, conflicts, bootstrap progress) and the records each
//! round changed, so open screens refresh.
//!
//! It holds the store's lock only for the store steps of a round (see [`crate::sync`]), never
//! across the network, so the app stays responsive while a round is waiting on the server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use crm_model::RecordId;
use crm_protocol::sync::LiveMessage;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::store::Store;
use crate::sync::{BootstrapProgress, SyncClient, SyncError, SyncReport, sync_round};

/// What the sync indicator shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// The last round reached the server.
    pub online: bool,
    pub syncing: bool,
    pub pending_changes: u64,
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure, in words a rep understands.
    pub last_error: Option<String>,
    pub open_conflicts: u64,
    /// Refused changes the user has not dismissed.
    pub refusals: u64,
    /// A new device's first download, while it runs.
    pub bootstrap: Option<BootstrapProgress>,
    /// The live channel is open: the server's changes arrive within moments.
    pub live: bool,
}

/// How often the engine syncs when nothing asks it to, and how it backs off.
#[derive(Clone, Copy, Debug)]
pub struct EngineTiming {
    pub interval: Duration,
    pub first_retry: Duration,
    pub max_retry: Duration,
}

impl Default for EngineTiming {
    fn default() -> EngineTiming {
        EngineTiming {
            interval: Duration::from_secs(60),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(300),
        }
    }
}

/// The app's side of the engine: ask for a sync, read or watch the status.
#[derive(Clone)]
pub struct SyncHandle {
    wake: Arc<Notify>,
    status: watch::Receiver<SyncStatus>,
    changed: broadcast::Sender<Vec<RecordId>>,
}

impl SyncHandle {
    /// Syncs as soon as possible (after a local edit, or the "sync now" button).
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Waits for the next status change.
    pub async fn changed(&mut self) -> Option<SyncStatus> {
        self.status.changed().await.ok()?;
        Some(self.status.borrow().clone())
    }

    /// The records each round changed (from the server's changes), as they are applied.
    pub fn records_changed(&self) -> broadcast::Receiver<Vec<RecordId>> {
        self.changed.subscribe()
    }
}

pub struct SyncEngine {
    store: Arc<Mutex<Store>>,
    client: SyncClient,
    timing: EngineTiming,
    wake: Arc<Notify>,
    status: watch::Sender<SyncStatus>,
    changed: broadcast::Sender<Vec<RecordId>>,
}

/// Rounds of changed records kept for a slow listener before it misses some (it then reloads).
const CHANGED_BACKLOG: usize = 64;

/// A failure as the status shows it.
fn in_words(error: &SyncError) -> String {
    match error {
        SyncError::Network(_) => {
            "Offline: the sync server cannot be reached. Your changes are kept and will sync later."
                .into()
        }
        SyncError::Server { status: 401, .. } => "Signed out: please sign in again to sync.".into(),
        SyncError::Server {
            status: 426,
            message,
            ..
        } => message.clone(),
        SyncError::Server { message, .. } => format!("The sync server answered: {message}"),
        SyncError::Live(_) => "The live connection to the sync server dropped; retrying.".into(),
        SyncError::Store(error) => format!("The local store failed: {error}"),
        SyncError::Poisoned => "The local store is unavailable; restart the app.".into(),
    }
}

impl SyncEngine {
    pub fn new(
        store: Arc<Mutex<Store>>,
        client: SyncClient,
        timing: EngineTiming,
    ) -> (SyncEngine, SyncHandle) {
        let wake = Arc::new(Notify::new());
        let (status, receiver) = watch::channel(SyncStatus::default());
        let (changed, _) = broadcast::channel(CHANGED_BACKLOG);
        let engine = SyncEngine {
            store,
            client,
            timing,
            wake: wake.clone(),
            status,
            changed: changed.clone(),
        };
        (
            engine,
            SyncHandle {
                wake,
                status: receiver,
                changed,
            },
        )
    }

    fn local_counts(&self) -> (u64, u64, u64) {
        match self.store.lock() {
            Ok(store) => (
                store.pending_changes().unwrap_or(0),
                store.open_conflicts().unwrap_or(0),
                store
                    .list_refusals()
                    .map(|refusals| refusals.len() as u64)
                    .unwrap_or(0),
            ),
            Err(_) => (0, 0, 0),
        }
    }

    /// One round, with the status updated before and after.
    pub async fn round(&self) -> Result<SyncReport, SyncError> {
        self.status.send_modify(|status| status.syncing = true);
        let progress = |progress: BootstrapProgress| {
            self.status
                .send_modify(|status| status.bootstrap = Some(progress));
        };
        let result = sync_round(&self.store, &self.client, &progress).await;
        let (pending, conflicts, refusals) = self.local_counts();
        if let Ok(report) = &result {
            // Erased records are news too: a screen showing one must say it is gone.
            let changed: Vec<RecordId> = report
                .changed_records
                .iter()
                .chain(&report.erased_records)
                .copied()
                .collect();
            if !changed.is_empty() {
                // Nobody listening is fine: the screens reload when they open.
                let _ = self.changed.send(changed);
            }
        }
        self.status.send_modify(|status| {
            status.syncing = false;
            if result.is_ok() {
                status.bootstrap = None;
            }
            status.pending_changes = pending;
            status.open_conflicts = conflicts;
            status.refusals = refusals;
            match &result {
                Ok(_) => {
                    status.online = true;
                    status.last_success = Some(Utc::now());
                    status.last_error = None;
                }
                Err(error) => {
                    status.online = !matches!(error, SyncError::Network(_));
                    status.last_error = Some(in_words(error));
                }
            }
        });
        if let Err(error) = &result {
            tracing::warn!(%error, "sync round failed");
        }
        result
    }

    /// Runs until `shutdown` completes: a round now, then whenever woken (by the app or the
    /// live channel) or the interval passes; after a failure, again after a backoff that
    /// doubles up to `max_retry`, with ±25 % jitter so a fleet of laptops does not retry in
    /// step. The live channel runs beside the rounds and reconnects the same way.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::select! {
            () = shutdown => {}
            () = self.rounds() => {}
            () = self.listen() => {}
        }
    }

    async fn rounds(&self) {
        let mut retry = self.timing.first_retry;
        loop {
            let wait = match self.round().await {
                Ok(_) => {
                    retry = self.timing.first_retry;
                    self.timing.interval
                }
                Err(_) => {
                    let wait = jittered(retry);
                    retry = (retry * 2).min(self.timing.max_retry);
                    wait
                }
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Keeps the live channel open; each "the feed moved to N" beyond this store's cursor
    /// wakes a round.
    async fn listen(&self) {
        let mut retry = self.timing.first_retry;
        loop {
            match self.client.live().await {
                Ok(mut socket) => {
                    retry = self.timing.first_retry;
                    self.status.send_modify(|status| status.live = true);
                    while let Some(message) = socket.next().await {
                        let text = match message {
                            Ok(Message::Text(text)) => text,
                            Ok(Message::Close(_)) | Err(_) => break,
                            Ok(_) => continue,
                        };
                        let Ok(LiveMessage { cursor }) = serde_json::from_str(text.as_str()) else {
                            tracing::warn!("ignoring an unreadable live message");
                            continue;
                        };
                        if cursor > self.local_cursor() {
                            self.wake.notify_one();
                        }
                    }
                    self.status.send_modify(|status| status.live = false);
                    tracing::debug!("live channel closed");
                }
                Err(error) => tracing::debug!(%error, "live channel unavailable"),
            }
            tokio::time::sleep(jittered(retry)).await;
            retry = (retry * 2).min(self.timing.max_retry);
        }
    }

    fn local_cursor(&self) -> u64 {
        self.store
            .lock()
            .ok()
            .and_then(|store| store.sync_cursor().ok())
            .unwrap_or(0)
    }
}

/// `wait` ±25 %.
fn jittered(wait: Duration) -> Duration {
    wait.mul_f64(0.75 + fastrand::f64() * 0.5)
}
