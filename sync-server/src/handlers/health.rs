//! `GET /healthz` (the process answers), `GET /readyz` (and its database does: for load
//! balancers taking a node out while its database is unreachable) and `GET /metrics`.

use axum::extract::State;

use crate::error::ApiError;
use crate::server::AppState;

pub(crate) async fn get() -> &'static str {
    "ok"
}

pub(crate) async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state
        .storage()
        .list_tenants()
        .await
        .map_err(|error| ApiError::NotReady(error.to_string()))?;
    Ok("ready")
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Result<String, ApiError> {
    crate::metrics::render(&state).await
}
