//! Request plumbing shared by the `/v1` routes: JSON and query extractors whose failures are
//! [`ApiError`]s (so a bad or oversized body answers an [`ErrorBody`] like everything else), and
//! the middleware that checks the protocol version header.
//!
//! [`ErrorBody`]: crm_protocol::sync::ErrorBody

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use crm_protocol::sync::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json`, rejecting with [`ApiError`].
pub(crate) struct Json<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        Ok(Json(value))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query`, rejecting with [`ApiError`].
pub(crate) struct Query<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// Refuses requests that do not speak [`PROTOCOL_VERSION`]: any other version, older or newer,
/// answers 426 so the app can tell its user to update. Runs before authentication, so even an
/// app whose token format changed learns that it is outdated.
pub(crate) async fn require_protocol(request: Request, next: Next) -> Result<Response, ApiError> {
    let version = request
        .headers()
        .get(PROTOCOL_HEADER)
        .ok_or(ApiError::MissingProtocol)?;
    let version = version.to_str().unwrap_or_default().trim();
    if version.parse::<u32>().ok() != Some(PROTOCOL_VERSION) {
        return Err(ApiError::UpgradeRequired {
            client: version.chars().take(16).collect(),
        });
    }
    Ok(next.run(request).await)
}
