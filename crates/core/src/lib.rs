//! The app's native library: everything the desktop app does, testable without Tauri or HTTP.
//!
//! Layout:
//! - `store`: the SQLite file of one profile; open, migrate, the one write path.
//! - `document`: record documents (one Automerge document per record) and the field mapping.
//! - `materialize`: typed rows derived from documents, which queries read.
//! - `records`: generic create / update / get of any entity kind (methods on [`Store`]).
//! - `customers`: customer operations and queries.
//! - `permissions`: the role rules checked before every write.
//! - [`demo`]: a realistic demo tenant of any size, reproducible from a seed, via the write path.
//! - `attachments`: attachments' bytes, stored by content hash in the data directory.
//! - `conflicts`: the conflict inbox (fields set concurrently on two devices).
//! - `merge`, `dedupe`: merging customers (with undo) and the duplicate scan.
//! - `transfer`: CSV import (mapping, modes, dry run, revert) and export.
//! - `reports`: the dashboard stats and the reports of spec §3.8.
//! - `workflows`: lead conversion, deal stage moves / win / lose, activity completion...
//! - `engine`: the background sync engine (sync now, interval, backoff with jitter, status).
//! - [`sync`]: the sync client: push the outbox, pull and apply the server's feed.
//!
//! Invariants: one write = one SQLite transaction (document, rows, outbox); queries read the
//! materialized tables only; rows can always be rebuilt from the documents.

pub mod account;
mod attachments;
mod conflicts;
mod customers;
mod dedupe;
pub mod demo;
mod document;
mod engine;
mod error;
mod history;
mod materialize;
mod merge;
mod parallel;
mod permissions;
mod pipelines;
mod queries;
mod records;
mod references;
mod reports;
mod scoring;
mod store;
pub mod sync;
mod transfer;
mod trash;
mod workflows;

pub use dedupe::DuplicatePair;
pub use document::DocumentError;
pub use engine::{EngineTiming, SyncEngine, SyncHandle, SyncStatus};
pub use error::CoreError;
pub use merge::{MergeOutcome, Merged};
pub use pipelines::default_pipeline_id;
pub use queries::ActivityScope;
pub use references::References;
pub use reports::Segment;
pub use store::{Profile, STORE_FILE_NAME, StagedWrite, Store};
pub use sync::BootstrapProgress;
pub use transfer::{
    ExportQuery, ParsedCard, activities_to_icalendar, contacts_to_vcards, parse_vcards,
};
pub use trash::TrashItem;
pub use workflows::{AssignmentRules, BulkLeadAction, StuckDeal};
