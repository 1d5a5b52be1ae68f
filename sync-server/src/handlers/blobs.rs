//! `PUT /v1/blobs/{sha256}` and `GET /v1/blobs/{sha256}`: attachment bytes.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::auth::Principal;
use crate::blobs;
use crate::error::ApiError;
use crate::server::AppState;

pub(crate) async fn put(
    State(state): State<AppState>,
    principal: Principal,
    Path(sha256): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })?;
    blobs::put(&state, &principal, &sha256, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(sha256): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = blobs::get(&state, &principal, &sha256).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes))
}
