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
                format!("This {kind} no longer exists."),
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
