//! The CRM's sync server: a per-tenant change feed of record documents (Automerge), over HTTP.
//!
//! Layout:
//! - `router`: every route in one table; `handlers`: one thin module per resource.
//! - `auth`: device tokens and the caller ([`Principal`](auth::Principal)) they stand for;
//!   `extract`: JSON/query extractors and the protocol-version check; `error`: `ApiError`.
//! - `push` / `pull`: the sync operations; `record`: applying and checking a record's
//!   changes (pure); `policy`: whether the caller's role allows a change.
//! - `storage`: one tenant-scoped trait, implemented on SQLite (PostgreSQL later).
//! - `dev`: the development tenant and its static token (until real sign-in exists).
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

mod auth;
mod dev;
mod error;
mod extract;
mod handlers;
mod policy;
mod pull;
mod push;
mod record;
mod router;
mod server;
mod storage;

pub use dev::DevToken;
pub use router::router;
pub use server::{AppState, Config, Limits, RunningServer, ServerError, Startup, serve, start};
pub use storage::StorageError;
