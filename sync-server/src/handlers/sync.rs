//! `POST /v1/push` and `GET /v1/pull`: the sync API (wire types in `crm_protocol::sync`).

use axum::extract::State;
use crm_protocol::sync::{PullQuery, PullResponse, PushRequest, PushResponse};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::server::AppState;
use crate::{pull, push};

pub(crate) async fn push(
    State(state): State<AppState>,
    principal: Principal,
    Json(request): Json<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    push::push(&state, &principal, request).await.map(Json)
}

pub(crate) async fn pull(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    pull::pull(&state, &principal, query).await.map(Json)
}
