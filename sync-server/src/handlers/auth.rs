//! `POST /v1/sign-in` (password → device token) and `GET /v1/users` (the tenant's directory).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::Extensions;
use crm_protocol::sync::{DirectoryUser, SignInRequest, SignInResponse, UserDirectory};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::Json;
use crate::server::AppState;
use crate::sign_in;

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    extensions: Extensions,
    Json(request): Json<SignInRequest>,
) -> Result<Json<SignInResponse>, ApiError> {
    // Absent when the router is served without connection info (tests calling it directly).
    let client = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    sign_in::sign_in(&state, client, request).await.map(Json)
}

pub(crate) async fn list_users(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<UserDirectory>, ApiError> {
    let users = state.storage().list_users(principal.tenant).await?;
    let users = users
        .into_iter()
        .map(|user| DirectoryUser {
            id: user.id,
            name: user.display_name,
            email: user.email,
            role: user.role,
            active: user.disabled_at.is_none(),
        })
        .collect();
    Ok(Json(UserDirectory { users }))
}
