//! `POST /v1/push`, `GET /v1/pull`, `GET /v1/bootstrap` and the `GET /v1/live` WebSocket: the
//! sync API (wire types in `crm_protocol::sync`).

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use crm_protocol::sync::{
    BootstrapQuery, BootstrapResponse, PullQuery, PullResponse, PushRequest, PushResponse,
};

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

pub(crate) async fn bootstrap(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<BootstrapQuery>,
) -> Result<Json<BootstrapResponse>, ApiError> {
    pull::bootstrap(&state, &principal, query).await.map(Json)
}

/// Read and write buffer of a live socket, and the largest message it accepts.
const LIVE_BUFFER_BYTES: usize = 4 * 1024;

pub(crate) async fn live(
    State(state): State<AppState>,
    principal: Principal,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let head = state.storage().feed_head(principal.tenant).await?;
    let receiver = state.live().subscribe(principal.tenant, head);
    // The channel carries a few bytes each way ("the feed moved to N"; a device sends nothing
    // but pings and close): small buffers keep a thousand open sockets cheap (the defaults,
    // 128 KiB each way, made each socket cost ~130 KiB of resident memory).
    let upgrade = upgrade
        .read_buffer_size(LIVE_BUFFER_BYTES)
        .write_buffer_size(LIVE_BUFFER_BYTES)
        .max_message_size(LIVE_BUFFER_BYTES)
        .max_frame_size(LIVE_BUFFER_BYTES);
    Ok(upgrade.on_upgrade(move |socket| async move {
        state.live().serve(principal, socket, receiver).await;
    }))
}
