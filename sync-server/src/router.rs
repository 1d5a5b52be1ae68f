//! Every route of the server, in one table.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::extract::require_protocol;
use crate::handlers::{health, sync};
use crate::server::AppState;

pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/push", post(sync::push))
        .route("/pull", get(sync::pull))
        .route_layer(middleware::from_fn(require_protocol));
    Router::new()
        .route("/healthz", get(health::get))
        .nest("/v1", v1)
        .layer(DefaultBodyLimit::max(state.limits().max_body_bytes))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
