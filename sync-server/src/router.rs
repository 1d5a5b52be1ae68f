//! Every route of the server, in one table. `openapi.yaml` describes each of them (a test checks
//! that every path here is in it).

use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::extract::require_protocol;
use crate::handlers::{auth, blobs, health, sync};
use crate::server::AppState;

pub fn router(state: AppState) -> Router {
    let blob_limit = DefaultBodyLimit::max(state.limits().max_blob_bytes);
    let v1 = Router::new()
        .route("/sign-in", post(auth::sign_in))
        .route("/users", get(auth::list_users))
        .route("/push", post(sync::push))
        .route("/pull", get(sync::pull))
        .route("/bootstrap", get(sync::bootstrap))
        .route("/live", get(sync::live))
        .route(
            "/blobs/{sha256}",
            get(blobs::get).put(blobs::put).layer(blob_limit),
        )
        .route_layer(middleware::from_fn(require_protocol));
    Router::new()
        .route("/healthz", get(health::get))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(health::metrics))
        .nest("/v1", v1)
        .layer(DefaultBodyLimit::max(state.limits().max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        .with_state(state)
}

async fn log_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics().requests.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
