//! Who is calling: device tokens (generated, hashed for storage), the [`Principal`] a token
//! stands for, and the axum extractor that turns `Authorization: Bearer TOKEN` into one.
//!
//! Tenant and user always come from the token, never from the request body.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine as _;
use crm_model::{DeviceId, Role, TenantId, UserId};
use sha2::{Digest as _, Sha256};

use crate::error::ApiError;
use crate::server::AppState;

/// The authenticated caller of a `/v1` route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    pub(crate) tenant: TenantId,
    pub(crate) user: UserId,
    pub(crate) device: DeviceId,
    pub(crate) role: Role,
}

/// SHA-256 of a device token: what the database keeps. A fast hash is enough (unlike for
/// passwords) because tokens are 256 random bits, so there is nothing to guess.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenHash([u8; 32]);

impl TokenHash {
    pub(crate) fn of(token: &str) -> TokenHash {
        let digest = Sha256::digest(token.as_bytes());
        let mut bytes = [0; 32];
        bytes.copy_from_slice(&digest);
        TokenHash(bytes)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

/// A new random id (UUID v4) for a device, user or tenant.
pub(crate) fn random_uuid() -> Result<uuid::Uuid, getrandom::Error> {
    let mut bytes = [0; 16];
    getrandom::fill(&mut bytes)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

type PasswordJob = Box<dyn FnOnce() + Send>;

/// Runs `work` (an argon2 hash or check) on the server's one password thread and waits for it.
///
/// One thread rather than the blocking pool: each argon2 run allocates its 19 MiB work area,
/// and the allocator keeps that memory in the arena of the thread that used it. Spread over the
/// blocking pool's threads, a burst of sign-ins left a few hundred MiB resident; on one thread
/// it is one work area, reused. One hash at a time (tens of milliseconds) is ample for sign-ins.
pub(crate) async fn on_password_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::storage::StorageError> {
    static WORKER: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<PasswordJob>>> =
        std::sync::OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (sender, jobs) = std::sync::mpsc::channel::<PasswordJob>();
        let spawned = std::thread::Builder::new()
            .name("passwords".into())
            .spawn(move || {
                for job in jobs {
                    job();
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the password thread");
        }
        std::sync::Mutex::new(sender)
    });
    let (done, result) = tokio::sync::oneshot::channel();
    let job: PasswordJob = Box::new(move || {
        let _ = done.send(work());
    });
    worker
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .send(job)
        .map_err(|_| crate::storage::StorageError::Invalid("the password thread stopped".into()))?;
    result
        .await
        .map_err(|_| crate::storage::StorageError::Invalid("the password thread stopped".into()))
}

/// The argon2id hash (PHC string, with its parameters and salt) of a password. Slow on
/// purpose (tens of milliseconds): call it through [`on_password_thread`].
pub(crate) fn hash_password(password: &str) -> Result<String, PasswordError> {
    use argon2::PasswordHasher as _;
    let mut salt = [0; 16];
    getrandom::fill(&mut salt).map_err(|error| PasswordError(error.to_string()))?;
    let salt = argon2::password_hash::SaltString::encode_b64(&salt)
        .map_err(|error| PasswordError(error.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError(error.to_string()))
}

/// Whether `password` matches `hash` (a PHC string). A malformed hash matches nothing.
pub(crate) fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::PasswordVerifier as _;
    argon2::password_hash::PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct PasswordError(String);

/// A new random device token: `crm_` and 32 random bytes in URL-safe base64.
pub(crate) fn generate_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!(
        "crm_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        state
            .storage()
            .authenticate(TokenHash::of(token))
            .await?
            .ok_or(ApiError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_to_fixed_values() {
        let first = generate_token().expect("random");
        let second = generate_token().expect("random");
        assert_ne!(first, second);
        assert!(
            first.starts_with("crm_") && first.len() == 4 + 43,
            "{first}"
        );
        assert_eq!(TokenHash::of("abc"), TokenHash::of("abc"));
        assert_ne!(TokenHash::of("abc"), TokenHash::of("abd"));
    }

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse").expect("hashes");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "correct horse "));
        assert!(!verify_password("not a hash", "correct horse"));
        assert_ne!(
            hash,
            hash_password("correct horse").expect("hashes"),
            "salted"
        );
    }
}
