//! [`ApiError`]: every way a request fails, and how each becomes an HTTP answer with an
//! [`ErrorBody`]. Internal failures are logged here with their cause and answered with a bare
//! "internal error": details of the server never reach a client.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use crm_protocol::sync::{ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION};

use crate::blob_store::BlobStoreError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("missing or invalid bearer token")]
    Unauthorized,
    #[error("unknown tenant, email or password")]
    InvalidCredentials,
    #[error("too many failed sign-ins; try again in {retry_after} seconds")]
    TooManyAttempts { retry_after: u64 },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("no randomness: {0}")]
    Random(String),
    #[error("server not ready: {0}")]
    NotReady(String),
    #[error("the request has no {PROTOCOL_HEADER} header")]
    MissingProtocol,
    #[error("the app speaks sync protocol {client:?}, the server speaks {PROTOCOL_VERSION}")]
    UpgradeRequired { client: String },
    #[error("the request body is larger than the server accepts")]
    TooLarge,
    #[error("a push may carry at most {limit} records, this one has {count}")]
    TooManyRecords { count: usize, limit: usize },
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The record kept changing under the push; the client should retry later.
    #[error("the server is busy, try again")]
    Busy,
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("blob store: {0}")]
    BlobStore(#[from] BlobStoreError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
            }
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Random(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            ApiError::MissingProtocol => (StatusCode::BAD_REQUEST, "protocol_required"),
            ApiError::UpgradeRequired { .. } => (StatusCode::UPGRADE_REQUIRED, "upgrade_required"),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::TooManyRecords { .. } => (StatusCode::BAD_REQUEST, "too_many_records"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::Storage(_) | ApiError::BlobStore(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::UpgradeRequired { client } => format!(
                "This app speaks sync protocol {client}, the server speaks {PROTOCOL_VERSION}. \
                 Please update the app."
            ),
            ApiError::Storage(_) | ApiError::BlobStore(_) | ApiError::Random(_) => {
                "internal error; the server log has the details".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody {
            code: code.to_owned(),
            message: self.message(),
        };
        let mut response = (status, Json(body)).into_response();
        match self {
            ApiError::TooManyAttempts { retry_after } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            }
            ApiError::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::UpgradeRequired { .. } => {
                // RFC 9110 asks a 426 to name the protocol to switch to.
                let upgrade = format!("{PROTOCOL_HEADER}/{PROTOCOL_VERSION}");
                if let Ok(value) = HeaderValue::from_str(&upgrade) {
                    response.headers_mut().insert(header::UPGRADE, value);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::BadRequest(rejection.body_text())
    }
}
