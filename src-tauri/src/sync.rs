//! Sync in the app: signing in to a sync server and out again, the background engine's life
//! (started at launch when the store has a server account and its token is at hand, stopped at
//! sign-out), and the state and events the UI shows. The commands call this; the engine itself
//! (rounds, backoff, bootstrap, live channel) is `crm_core`'s.
//!
//! Locks: the engine slot and the store are separate `std` mutexes, never held across an
//! `await`, so a round or a sign-in waiting on the network never blocks a command. A write
//! command wakes the engine while it holds the store (store, then engine slot); nothing takes
//! the store while holding the engine slot.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crm_core::account::{FirstSync, ServerAccount};
use crm_core::sync::SyncClient;
use crm_core::{CoreError, EngineTiming, Store, SyncEngine, SyncHandle, SyncStatus};
use crm_model::{FieldError, RecordId, Rule, ValidationErrors};
use crm_protocol::ipc::{
    AccountSummary, BootstrapProgress, ErrorKind, FirstSyncChoice, IpcError, SignInRequest,
    SyncState,
};
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

use crate::credentials::{CredentialError, Credentials, Persistence, TokenKey};

/// How long sign-out waits for a round in flight to finish before cutting it off (safe: the
/// engine never holds the store across the network, and each store step is a transaction).
const STOP_GRACE: Duration = Duration::from_secs(2);

/// How long sign-in waits for the keyring, an unlock dialog included.
const KEYRING_PATIENCE: Duration = Duration::from_secs(90);

/// What the shell tells the webview.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SyncEvent {
    Status(SyncState),
    RecordsChanged(Vec<RecordId>),
}

pub(crate) type Notify = Arc<dyn Fn(SyncEvent) + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub(crate) enum SyncServiceError {
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Keyring(#[from] CredentialError),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("Not signed in: sign in to a sync server in Settings first.")]
    NotSignedIn,
    #[error(transparent)]
    Store(#[from] CoreError),
    #[error("the local store is unavailable: a previous operation panicked")]
    Poisoned,
}

impl From<SyncServiceError> for IpcError {
    fn from(error: SyncServiceError) -> IpcError {
        match error {
            SyncServiceError::Invalid(errors) => IpcError::from(errors),
            SyncServiceError::Keyring(CredentialError::Unavailable(reason)) => {
                tracing::warn!(%reason, "no keyring for the device token");
                IpcError::new(
                    ErrorKind::KeyringUnavailable,
                    "No keyring is available on this computer to keep your sign-in safely. \
                     You can keep it for this session only: you will sign in again after \
                     restarting the app.",
                )
            }
            SyncServiceError::Keyring(CredentialError::Failed(reason)) => {
                tracing::error!(%reason, "keyring failure");
                IpcError::new(
                    ErrorKind::Unavailable,
                    format!("The keyring could not keep your sign-in: {reason}"),
                )
            }
            SyncServiceError::Refused(message) => IpcError::new(ErrorKind::SignInRefused, message),
            SyncServiceError::Unreachable(message) => {
                IpcError::new(ErrorKind::Unavailable, message)
            }
            SyncServiceError::NotSignedIn => {
                IpcError::new(ErrorKind::Unavailable, error.to_string())
            }
            SyncServiceError::Store(error) => IpcError::from(error),
            SyncServiceError::Poisoned => IpcError::new(
                ErrorKind::Internal,
                "The local store failed earlier; please restart the app.",
            ),
        }
    }
}

/// A sign-in the core turned down, in the words the form shows.
fn sign_in_failure(server_url: &str, error: crm_core::sync::SyncError) -> SyncServiceError {
    use crm_core::sync::SyncError;
    match error {
        SyncError::Network(_) => SyncServiceError::Unreachable(format!(
            "The sync server at {server_url} cannot be reached. Check the address and your \
             network connection."
        )),
        SyncError::Server { code, message, .. } => match code.as_str() {
            "invalid_credentials" | "unauthorized" => {
                SyncServiceError::Refused("The company, email or password is not right.".to_owned())
            }
            "too_many_attempts" => {
                SyncServiceError::Refused(format!("Too many failed sign-ins: {message}."))
            }
            "upgrade_required" => SyncServiceError::Unreachable(message),
            _ => SyncServiceError::Refused(format!("The sync server answered: {message}")),
        },
        SyncError::Store(error) => SyncServiceError::Store(error),
        other => SyncServiceError::Unreachable(other.to_string()),
    }
}

/// A new account with records on this laptop: the user must say what happens to them.
fn first_sync_required() -> SyncServiceError {
    SyncServiceError::Invalid(ValidationErrors(vec![FieldError {
        field: "firstSync".into(),
        rule: Rule::Required,
    }]))
}

fn first_sync(choice: FirstSyncChoice) -> FirstSync {
    match choice {
        FirstSyncChoice::UploadLocalData => FirstSync::UploadLocalData,
        FirstSyncChoice::StartFromServer => FirstSync::StartFromServer,
    }
}

fn summary(account: &ServerAccount) -> AccountSummary {
    AccountSummary {
        server_url: account.server_url.clone(),
        email: account.email.clone(),
        role: account.role,
    }
}

/// The indicator's state while the engine runs.
fn running_state(
    status: &SyncStatus,
    account: &ServerAccount,
    persistence: Persistence,
) -> SyncState {
    SyncState {
        // Stamped by whoever hands it out.
        revision: 0,
        signed_in: true,
        account: Some(summary(account)),
        has_local_data: false,
        session_only: persistence == Persistence::SessionOnly,
        online: status.online,
        live: status.live,
        syncing: status.syncing,
        pending_changes: status.pending_changes,
        last_success: status.last_success,
        last_error: status.last_error.clone(),
        open_conflicts: status.open_conflicts,
        refusals: status.refusals,
        bootstrap: status.bootstrap.map(|progress| BootstrapProgress {
            done: progress.done,
            total: progress.total,
        }),
    }
}

/// Numbers `state` after every state made before it: a command's answer and an event can reach
/// the webview in either order, and the UI keeps the newest.
fn stamp(revision: &AtomicU64, mut state: SyncState) -> SyncState {
    state.revision = revision.fetch_add(1, Ordering::SeqCst) + 1;
    state
}

struct RunningEngine {
    handle: SyncHandle,
    /// The engine's connection, for downloads the user asks for.
    client: SyncClient,
    account: ServerAccount,
    persistence: Persistence,
    shutdown: oneshot::Sender<()>,
    engine: JoinHandle<()>,
    forwarders: [JoinHandle<()>; 2],
}

/// Managed by Tauri: the store shared with the engine, the tokens, and the engine when it runs.
pub(crate) struct SyncService {
    store: Arc<Mutex<Store>>,
    credentials: Arc<Credentials>,
    runtime: tokio::runtime::Handle,
    notify: Notify,
    timing: EngineTiming,
    running: Mutex<Option<RunningEngine>>,
    revision: Arc<AtomicU64>,
}

impl SyncService {
    pub(crate) fn new(
        store: Arc<Mutex<Store>>,
        credentials: Credentials,
        runtime: tokio::runtime::Handle,
        notify: Notify,
    ) -> SyncService {
        SyncService {
            store,
            credentials: Arc::new(credentials),
            runtime,
            notify,
            timing: EngineTiming::default(),
            running: Mutex::new(None),
            revision: Arc::new(AtomicU64::new(0)),
        }
    }

    #[cfg(test)]
    pub(crate) fn with_timing(mut self, timing: EngineTiming) -> SyncService {
        self.timing = timing;
        self
    }

    fn store(&self) -> Result<MutexGuard<'_, Store>, SyncServiceError> {
        self.store.lock().map_err(|_| SyncServiceError::Poisoned)
    }

    fn running(&self) -> Result<MutexGuard<'_, Option<RunningEngine>>, SyncServiceError> {
        self.running.lock().map_err(|_| SyncServiceError::Poisoned)
    }

    /// At launch: syncs again when the store has a server account and its token is in the
    /// keyring. Without a token (signed out, a session-only token of an earlier run, no
    /// keyring) the app starts signed out and Settings offers to sign in again.
    pub(crate) fn resume(&self) -> Result<bool, SyncServiceError> {
        let Some(account) = self.store()?.server_account()? else {
            return Ok(false);
        };
        let key = TokenKey::new(&account.server_url, &account.email);
        match self.credentials.load(&key) {
            Ok(Some((token, persistence))) => {
                self.start(account, &token, persistence)?;
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(error) => {
                tracing::warn!(%error, "the device token could not be read; starting signed out");
                Ok(false)
            }
        }
    }

    pub(crate) async fn sign_in(
        &self,
        request: SignInRequest,
    ) -> Result<SyncState, SyncServiceError> {
        request.validate().map_err(SyncServiceError::Invalid)?;
        let server_url = request.normalized_server_url();
        let persistence = if request.session_only {
            Persistence::SessionOnly
        } else {
            // Before the server creates a device whose token could not be kept.
            self.check_keyring().await?;
            Persistence::Keyring
        };
        // The server compares emails in lower case; the account shows it that way too.
        let email = request.email.trim().to_lowercase();
        let (existing, has_local_data) = {
            let store = self.store()?;
            (store.server_account()?, store.has_local_data()?)
        };
        let needs_choice =
            |same_account: bool| !same_account && has_local_data && request.first_sync.is_none();
        let typed_same_account = existing.as_ref().is_some_and(|account| {
            account.server_url == server_url && account.email.eq_ignore_ascii_case(&email)
        });
        if needs_choice(typed_same_account) {
            return Err(first_sync_required());
        }
        self.stop().await?;
        let wire = crm_protocol::sync::SignInRequest {
            tenant: request.tenant.trim().to_owned(),
            email: email.clone(),
            password: request.password,
            device_name: request.device_name.trim().to_owned(),
        };
        let response = crm_core::sync::sign_in(&server_url, &wire)
            .await
            .map_err(|error| sign_in_failure(&server_url, error))?;
        let same_account = existing.as_ref().is_some_and(|account| {
            account.tenant_id == response.tenant_id && account.user_id == response.user_id
        });
        if needs_choice(same_account) {
            // Same address and email, but another company on the server: a new account too.
            return Err(first_sync_required());
        }
        let key = TokenKey::new(&server_url, &email);
        self.credentials.save(&key, &response.token, persistence)?;
        // Signing in again as the same account keeps everything whatever the choice says; a
        // new account with nothing local has nothing to upload.
        let choice = request
            .first_sync
            .map_or(FirstSync::StartFromServer, first_sync);
        let joined = self
            .store()?
            .join_server(&server_url, &response, &email, choice);
        if let Err(error) = joined {
            if let Err(forget) = self.credentials.forget(&key) {
                tracing::warn!(%forget, "could not forget the token of a failed sign-in");
            }
            return Err(error.into());
        }
        if let Some(previous) = existing.filter(|_| !same_account) {
            let previous = TokenKey::new(&previous.server_url, &previous.email);
            if previous != key
                && let Err(error) = self.credentials.forget(&previous)
            {
                tracing::warn!(%error, "could not forget the previous account's token");
            }
        }
        let account = self
            .store()?
            .server_account()?
            .ok_or_else(|| CoreError::Corrupt("the server account was not kept".into()))?;
        self.start(account, &response.token, persistence)?;
        tracing::info!(server = %server_url, "signed in");
        self.state()
    }

    /// The keyring check may wait on an unlock dialog; off the async workers, and not for
    /// ever: with nobody to answer it (a headless session) the user gets the session-only
    /// offer instead of a sign-in that never ends.
    async fn check_keyring(&self) -> Result<(), SyncServiceError> {
        let credentials = self.credentials.clone();
        let check = tokio::task::spawn_blocking(move || credentials.check_keyring());
        match tokio::time::timeout(KEYRING_PATIENCE, check).await {
            Ok(Ok(checked)) => Ok(checked?),
            Ok(Err(failed)) => Err(CredentialError::Failed(failed.to_string()).into()),
            Err(_) => Err(CredentialError::Unavailable(
                "the keyring did not answer; it may be waiting to be unlocked".into(),
            )
            .into()),
        }
    }

    /// Stops syncing and forgets the token; the store keeps its records, its server account
    /// and its pending changes, which sync after the next sign-in.
    pub(crate) async fn sign_out(&self) -> Result<SyncState, SyncServiceError> {
        self.stop().await?;
        if let Some(account) = self.store()?.server_account()? {
            self.credentials
                .forget(&TokenKey::new(&account.server_url, &account.email))?;
        }
        tracing::info!("signed out");
        let state = self.state()?;
        (self.notify)(SyncEvent::Status(state.clone()));
        Ok(state)
    }

    pub(crate) fn sync_now(&self) -> Result<SyncState, SyncServiceError> {
        match self.running()?.as_ref() {
            Some(running) => running.handle.sync_now(),
            None => return Err(SyncServiceError::NotSignedIn),
        }
        self.state()
    }

    /// Downloads every attachment file the laptop lacks, ahead of a trip. Returns how many.
    pub(crate) async fn download_attachments(&self) -> Result<u64, SyncServiceError> {
        let client = match self.running()?.as_ref() {
            Some(running) => running.client.clone(),
            None => return Err(SyncServiceError::NotSignedIn),
        };
        let downloaded = crm_core::sync::download_missing_blobs(&self.store, &client)
            .await
            .map_err(|error| match error {
                crm_core::sync::SyncError::Store(error) => SyncServiceError::Store(error),
                other => SyncServiceError::Unreachable(other.to_string()),
            })?;
        Ok(downloaded as u64)
    }

    /// The content `sha256`: from this laptop's store, else downloaded from the server (and
    /// kept) when signed in.
    pub(crate) async fn blob(&self, sha256: &str) -> Result<Vec<u8>, SyncServiceError> {
        let client = self
            .running()?
            .as_ref()
            .map(|running| running.client.clone());
        let Some(client) = client else {
            let local = self
                .store
                .lock()
                .map_err(|_| SyncServiceError::Poisoned)?
                .read_blob(sha256)?;
            return local.ok_or(SyncServiceError::NotSignedIn);
        };
        crm_core::sync::open_blob(&self.store, &client, sha256)
            .await
            .map_err(|error| match error {
                crm_core::sync::SyncError::Store(error) => SyncServiceError::Store(error),
                other => SyncServiceError::Unreachable(other.to_string()),
            })
    }

    /// A local write: the engine pushes it soon instead of at its next interval.
    pub(crate) fn local_change(&self) {
        if let Ok(running) = self.running.lock()
            && let Some(running) = running.as_ref()
        {
            running.handle.sync_now();
        }
    }

    pub(crate) fn state(&self) -> Result<SyncState, SyncServiceError> {
        let running = self.running()?.as_ref().map(|running| {
            running_state(
                &running.handle.status(),
                &running.account,
                running.persistence,
            )
        });
        if let Some(state) = running {
            return Ok(stamp(&self.revision, state));
        }
        let store = self.store()?;
        let account = store.server_account()?;
        let state = SyncState {
            signed_in: false,
            has_local_data: store.has_local_data()?,
            account: account.as_ref().map(summary),
            pending_changes: store.pending_changes()?,
            open_conflicts: store.open_conflicts()?,
            refusals: store.list_refusals()?.len() as u64,
            ..SyncState::default()
        };
        Ok(stamp(&self.revision, state))
    }

    fn start(
        &self,
        account: ServerAccount,
        token: &str,
        persistence: Persistence,
    ) -> Result<(), SyncServiceError> {
        let client = SyncClient::new(&account.server_url, token)
            .map_err(|error| SyncServiceError::Unreachable(error.to_string()))?;
        let (engine, handle) = SyncEngine::new(self.store.clone(), client.clone(), self.timing);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let engine = self.runtime.spawn(engine.run(async move {
            // A sent signal and a dropped sender both mean: stop.
            stopped.await.unwrap_or(());
        }));
        let status_forwarder = {
            let mut handle = handle.clone();
            let notify = self.notify.clone();
            let account = account.clone();
            let revision = self.revision.clone();
            self.runtime.spawn(async move {
                while let Some(status) = handle.changed().await {
                    let state = running_state(&status, &account, persistence);
                    notify(SyncEvent::Status(stamp(&revision, state)));
                }
            })
        };
        let records_forwarder = {
            let mut records = handle.records_changed();
            let notify = self.notify.clone();
            self.runtime.spawn(async move {
                loop {
                    match records.recv().await {
                        Ok(ids) => notify(SyncEvent::RecordsChanged(ids)),
                        // Missed some: an empty list tells the pages to reload anyway.
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            notify(SyncEvent::RecordsChanged(Vec::new()));
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    }
                }
            })
        };
        let previous = self.running()?.replace(RunningEngine {
            handle,
            client,
            account,
            persistence,
            shutdown,
            engine,
            forwarders: [status_forwarder, records_forwarder],
        });
        if let Some(previous) = previous {
            previous.engine.abort();
            previous.forwarders.iter().for_each(JoinHandle::abort);
        }
        Ok(())
    }

    /// Stops the engine, if it runs: lets a round in flight finish for [`STOP_GRACE`].
    async fn stop(&self) -> Result<(), SyncServiceError> {
        let Some(running) = self.running()?.take() else {
            return Ok(());
        };
        if running.shutdown.send(()).is_err() {
            tracing::debug!("the sync engine had already stopped");
        }
        let mut engine = running.engine;
        if tokio::time::timeout(STOP_GRACE, &mut engine).await.is_err() {
            tracing::info!("a sync round was still running at sign-out; cut off");
            engine.abort();
        }
        running.forwarders.iter().for_each(JoinHandle::abort);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
