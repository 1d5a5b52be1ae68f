//! The types that cross a process or network boundary, and nothing else.
//!
//! - [`ipc`]: the desktop app's commands. Each command is a type implementing [`ipc::Command`]
//!   that names the Tauri command and fixes its request and response types, so the UI's call and
//!   the shell's handler cannot drift apart.
//! - [`query`]: the list queries of spec §2 (filters, sorting, page and cursor paging).
//! - [`reports`]: dashboard stats and the reports of spec §3.8, with CSV export.
//! - [`transfer`]: CSV import options and report.
//! - [`views`]: composite read models: Customer 360, timeline, activity groups, search hits.
//! - [`workflows`]: requests of the sales workflows (convert, stage moves, win/lose...).
//! - [`sync`]: the sync server's HTTP API (`/v1/...`): push, pull and their records.
//!
//! Builds for `wasm32-unknown-unknown`.

pub mod ipc;
pub mod query;
pub mod reports;
pub mod sync;
pub mod transfer;
pub mod views;
pub mod workflows;
