//! The core's one error type, and its translation into what the UI shows.

use crm_model::{RecordId, RecordKind, ValidationErrors};
use crm_protocol::ipc::{ErrorKind, IpcError};

use crate::document::DocumentError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("invalid input: {0}")]
    Validation(#[from] ValidationErrors),
    #[error("{kind} {id} not found")]
    NotFound { kind: RecordKind, id: RecordId },
    /// The record was deleted for good on this device: purged from the trash, or erased on the
    /// server at an administrator's request (its id is in `purged_records`).
    #[error("{kind} {id} was purged")]
    Purged { kind: RecordKind, id: RecordId },
    /// The record exists but is in the trash, where it can be restored.
    #[error("{kind} {id} is in the trash")]
    InTrash { kind: RecordKind, id: RecordId },
    #[error("not allowed: {0}")]
    NotAllowed(String),
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("record document {id}: {source}")]
    Document {
        id: RecordId,
        source: Box<DocumentError>,
    },
    #[error("record {id} holds fields this build cannot read: {source}")]
    Fields {
        id: RecordId,
        source: serde_json::Error,
    },
    #[error(
        "the store was written by a newer version of the app (schema {found}, this build knows up to {known}); please update the app"
    )]
    StoreTooNew { found: i64, known: i64 },
    #[error("the store is damaged: {0}")]
    Corrupt(String),
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
}

impl From<CoreError> for IpcError {
    fn from(error: CoreError) -> IpcError {
        match error {
            CoreError::Validation(errors) => IpcError::from(errors),
            CoreError::NotFound { kind, .. } => IpcError::new(
                ErrorKind::NotFound,
                format!("This {} no longer exists.", words(kind)),
            ),
            CoreError::Purged { kind, .. } => IpcError::new(
                ErrorKind::NotFound,
                format!(
                    "This {} was deleted for good (emptied from the trash, or erased at an \
                     administrator's request) and is no longer on this laptop.",
                    words(kind)
                ),
            ),
            CoreError::InTrash { kind, .. } => IpcError::new(
                ErrorKind::InTrash,
                format!(
                    "This {} is in the trash. Restore it there to open it again.",
                    words(kind)
                ),
            ),
            CoreError::NotAllowed(reason) => {
                IpcError::new(ErrorKind::NotAllowed, format!("Not allowed: {reason}"))
            }
            CoreError::StoreTooNew { .. } | CoreError::DataDir { .. } => {
                IpcError::new(ErrorKind::Unavailable, error.to_string())
            }
            CoreError::Sqlite(_)
            | CoreError::Document { .. }
            | CoreError::Fields { .. }
            | CoreError::Corrupt(_) => {
                tracing::error!(error = %error, "internal store error");
                IpcError::new(
                    ErrorKind::Internal,
                    "Something went wrong in the local store; details are in the app's log.",
                )
            }
        }
    }
}

/// A kind as it reads inside a sentence: "customer", "sales document".
fn words(kind: RecordKind) -> String {
    kind.label().to_lowercase()
}
