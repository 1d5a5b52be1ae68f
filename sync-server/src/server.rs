//! Starting and stopping the server: its configuration, the shared [`AppState`], [`serve`] on a
//! listener until a shutdown future completes, and [`start`] for tests and embedders.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::blob_store::{BlobStore, BlobStoreError, S3Config};
use crate::dev::{DevToken, ensure_dev_principal};
use crate::live::Live;
use crate::metrics::Metrics;
use crate::router::router;
use crate::sign_in::SignInLimiter;
use crate::storage::postgres::PostgresStorage;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Storage, StorageError};

/// Opens the configured storage (creating the data directory) and migrates its schema.
pub(crate) async fn open_storage(config: &Config) -> Result<Arc<dyn Storage>, ServerError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServerError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    Ok(match &config.database_url {
        Some(url) => Arc::new(PostgresStorage::open(url).await?),
        None => Arc::new(SqliteStorage::open(&config.data_dir).await?),
    })
}

/// Opens the configured blob store: the S3 bucket (checked by writing to it) or files under
/// `<data_dir>/blobs`.
pub(crate) async fn open_blob_store(config: &Config) -> Result<BlobStore, BlobStoreError> {
    Ok(match &config.s3 {
        Some(s3) => BlobStore::s3(s3).await?,
        None => BlobStore::files(config.data_dir.join("blobs")),
    })
}

/// Limits that keep one request from taking the server down.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body, in bytes; larger ones answer 413 `too_large`.
    pub max_body_bytes: usize,
    /// Most records one push may carry; more answer 400 `too_many_records`.
    pub max_push_records: usize,
    /// Largest saved record document; a push making one larger is rejected for that record.
    pub max_document_bytes: usize,
    /// Largest attachment blob, in bytes; larger uploads answer 413.
    pub max_blob_bytes: usize,
    /// Failed sign-ins per account (tenant + email) per minute before sign-in answers 429.
    pub sign_in_failures_per_account: u32,
    /// Failed sign-ins per client address per minute before sign-in answers 429 (higher than per
    /// account: a whole office may share one address).
    pub sign_in_failures_per_address: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 16 << 20,
            max_push_records: 1_000,
            max_document_bytes: 8 << 20,
            max_blob_bytes: 64 << 20,
            sign_in_failures_per_account: 5,
            sign_in_failures_per_address: 20,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Holds the SQLite database (`sync.sqlite3`) and the attachment blobs (unless
    /// [`s3`](Config::s3) is set); created if missing.
    pub data_dir: PathBuf,
    /// Development mode with this token for the development tenant's Admin device (replacing
    /// the stored one). `None` with `dev_mode` off: no development token works.
    pub dev_token: Option<String>,
    /// Development mode without a configured token: keep the stored one, or generate one.
    pub dev_mode: bool,
    /// `postgres://…`: keep the data in PostgreSQL instead of `<data_dir>/sync.sqlite3`
    /// (blobs stay under `data_dir` or in S3). Several nodes may share one database.
    pub database_url: Option<String>,
    /// Keep attachment blobs in this S3-compatible bucket instead of `<data_dir>/blobs`.
    pub s3: Option<S3Config>,
    pub limits: Limits,
}

impl Config {
    /// Default limits, no configured development token.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            dev_token: None,
            dev_mode: false,
            database_url: None,
            s3: None,
            limits: Limits::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    BlobStore(#[from] BlobStoreError),
    #[error("no randomness for a token: {0}")]
    Random(getrandom::Error),
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("the server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What every handler shares: the storage, the blob store, the limits, the live channel and the
/// counters. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    storage: Arc<dyn Storage>,
    limits: Arc<Limits>,
    sign_in_limiter: Arc<SignInLimiter>,
    live: Arc<Live>,
    metrics: Arc<Metrics>,
    blob_store: Arc<BlobStore>,
}

/// An opened [`AppState`], and what startup did about the development token (a generated
/// token must be shown to the operator, once).
pub struct Startup {
    pub state: AppState,
    pub dev_token: DevToken,
}

impl AppState {
    /// Opens the storage under `config.data_dir` (creating it, migrating the schema) and the
    /// blob store (checking an S3 bucket by writing to it), and makes sure the development
    /// tenant and its token exist.
    pub async fn open(config: &Config) -> Result<Startup, ServerError> {
        let storage = open_storage(config).await?;
        let blob_store = open_blob_store(config).await?;
        tracing::info!(blobs = %blob_store.describe(), "attachment blobs");
        let dev_token = ensure_dev_principal(storage.as_ref(), config).await?;
        let live = Arc::new(Live::default());
        let listener = Arc::clone(&live);
        storage.listen(Arc::new(move |tenant, head| {
            listener.announce(tenant, head)
        }));
        let state = AppState {
            storage,
            limits: Arc::new(config.limits.clone()),
            sign_in_limiter: Arc::default(),
            live,
            metrics: Arc::default(),
            blob_store: Arc::new(blob_store),
        };
        Ok(Startup { state, dev_token })
    }

    pub(crate) fn sign_in_limiter(&self) -> &SignInLimiter {
        &self.sign_in_limiter
    }

    pub(crate) fn live(&self) -> &Live {
        &self.live
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Where attachment bytes are kept.
    pub(crate) fn blob_store(&self) -> &BlobStore {
        &self.blob_store
    }

    pub(crate) fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// Serves [`router`] on `listener` until `shutdown` completes, then lets requests in flight
/// finish (a push is never cut off between its checks and its commit).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A server running on a background task, as tests and other crates' integration tests use it.
pub struct RunningServer {
    address: SocketAddr,
    dev_token: DevToken,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

/// Opens the state for `config`, binds `listen` (port 0 picks a free port) and serves on a
/// background task until [`RunningServer::stop`].
pub async fn start(config: &Config, listen: SocketAddr) -> Result<RunningServer, ServerError> {
    let Startup { state, dev_token } = AppState::open(config).await?;
    let listener = TcpListener::bind(listen).await?;
    let address = listener.local_addr()?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async move {
        // A dropped sender stops the server too.
        stopped.await.unwrap_or_default();
    }));
    Ok(RunningServer {
        address,
        dev_token,
        shutdown,
        task,
    })
}

impl RunningServer {
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://ADDRESS`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn dev_token(&self) -> &DevToken {
        &self.dev_token
    }

    /// Stops accepting connections, waits for requests in flight, and closes the storage.
    pub async fn stop(self) -> Result<(), ServerError> {
        // The receiver is gone only if the server already stopped, which the join reports.
        self.shutdown.send(()).unwrap_or_default();
        self.task.await??;
        Ok(())
    }
}
