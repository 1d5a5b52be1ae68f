//! The CRM's sync server: a per-tenant change feed of record documents (Automerge), over HTTP.
//!
//! Layout:
//! - `router`: every route in one table; `handlers`: one thin module per resource.
//! - `auth`: device tokens, password hashes and the caller ([`Principal`](auth::Principal)) a
//!   token stands for; `sign_in`: password sign-in and its rate limits; `extract`: JSON/query
//!   extractors and the protocol-version check; `error`: `ApiError`.
//! - `push` / `pull`: the sync operations (pull also serves bootstrap pages); `record`:
//!   applying and checking a record's changes (pure); `policy`: whether the caller's role allows
//!   a change (spec §6); `live`: the per-tenant "feed moved" WebSocket; `blobs`: attachments,
//!   whose bytes `blob_store` keeps in files under the data dir or in an S3 bucket.
//! - `storage`: one tenant-scoped trait, implemented on SQLite and on PostgreSQL (with
//!   LISTEN/NOTIFY for several nodes), both passing one conformance suite.
//! - `admin`: what the admin commands do ([`Admin`]); `metrics`: Prometheus text.
//! - `dev`: the development tenant and its static token, opt-in (`serve --dev-token`).
//! - `server`: configuration, state, [`serve`] and [`start`].
//!
//! ```no_run
//! # async fn run() -> Result<(), crm_sync_server::ServerError> {
//! let config = crm_sync_server::Config::new("./data");
//! let server = crm_sync_server::start(&config, "127.0.0.1:0".parse().expect("address")).await?;
//! println!("listening on {}", server.url());
//! server.stop().await
//! # }
//! ```

mod admin;
mod auth;
mod blob_store;
mod blobs;
mod dev;
mod error;
mod extract;
mod handlers;
mod live;
mod metrics;
mod policy;
mod pull;
mod push;
mod record;
mod router;
mod server;
mod sign_in;
mod storage;

pub use admin::{Admin, AdminError, DeviceRow, MIN_PASSWORD_CHARS, TenantDump, TenantRow, UserRow};
pub use auth::PasswordError;
pub use blob_store::{BlobStoreError, S3Config, Secret};
pub use dev::{DEV_DEVICE, DEV_TENANT, DEV_USER, DevToken};
pub use router::router;
pub use server::{AppState, Config, Limits, RunningServer, ServerError, Startup, serve, start};
pub use storage::StorageError;
