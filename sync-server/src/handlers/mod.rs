//! The HTTP handlers, one module per resource. Each extracts, calls one function, and lets
//! [`ApiError`](crate::error::ApiError) map the failure.

pub(crate) mod auth;
pub(crate) mod blobs;
pub(crate) mod health;
pub(crate) mod sync;
