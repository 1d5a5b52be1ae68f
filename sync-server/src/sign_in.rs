//! Password sign-in: checks the tenant, user and password, registers a new device and hands
//! back its token. Failed attempts are counted per account and per client address; past the
//! limit within a minute, sign-in answers 429 until the window ends (even with the right
//! password, so guessing gains nothing).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crm_model::DeviceId;
use crm_protocol::sync::{SignInRequest, SignInResponse};

use crate::auth::{TokenHash, generate_token, hash_password, random_uuid, verify_password};
use crate::error::ApiError;
use crate::server::AppState;
use crate::storage::NewDevice;

const WINDOW: Duration = Duration::from_secs(60);
/// Entries kept before expired ones are swept, so that a flood of made-up emails cannot grow
/// the table without bound.
const SWEEP_ABOVE: usize = 10_000;
const MAX_FIELD_CHARS: usize = 320;

/// Failed sign-ins per key (an account or an address) in the current one-minute window.
#[derive(Default)]
pub(crate) struct SignInLimiter {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl SignInLimiter {
    /// `Err(seconds to wait)` when `key` used up its `limit` of failures in this window.
    fn check(&self, key: &str, limit: u32) -> Result<(), u64> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        match failures.get(key) {
            Some((started, count)) if *count >= limit && started.elapsed() < WINDOW => {
                Err((WINDOW - started.elapsed()).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    fn fail(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, (started, _)| started.elapsed() < WINDOW);
        }
        let entry = failures
            .entry(key.to_owned())
            .or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }

    fn succeed(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.remove(key);
    }
}

/// A hash to verify against when the account does not exist, so that an unknown email takes as
/// long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("no such user").unwrap_or_default())
}

pub(crate) async fn sign_in(
    state: &AppState,
    client: Option<IpAddr>,
    request: SignInRequest,
) -> Result<SignInResponse, ApiError> {
    let device_name = request.device_name.trim().to_owned();
    if device_name.is_empty()
        || [
            &request.tenant,
            &request.email,
            &request.password,
            &device_name,
        ]
        .iter()
        .any(|field| field.chars().count() > MAX_FIELD_CHARS)
    {
        return Err(ApiError::BadRequest(format!(
            "tenant, email, password and deviceName must be given, each at most \
             {MAX_FIELD_CHARS} characters"
        )));
    }
    let limits = state.limits();
    let limiter = state.sign_in_limiter();
    let account_key = format!(
        "account:{}\n{}",
        request.tenant.trim().to_lowercase(),
        request.email.trim().to_lowercase()
    );
    let address_key = client.map(|address| format!("address:{address}"));
    limiter
        .check(&account_key, limits.sign_in_failures_per_account)
        .and_then(|()| match &address_key {
            Some(key) => limiter.check(key, limits.sign_in_failures_per_address),
            None => Ok(()),
        })
        .map_err(|retry_after| {
            state
                .metrics()
                .sign_in_failures
                .fetch_add(1, Ordering::Relaxed);
            ApiError::TooManyAttempts { retry_after }
        })?;

    let storage = state.storage();
    let tenant = storage
        .find_tenant(request.tenant.trim().to_owned())
        .await?
        .filter(|tenant| tenant.disabled_at.is_none());
    let user = match &tenant {
        Some(tenant) => storage
            .find_user(tenant.id, request.email.clone())
            .await?
            .filter(|user| user.disabled_at.is_none()),
        None => None,
    };
    let hash = user
        .as_ref()
        .and_then(|user| user.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let password = request.password;
    let matches =
        crate::auth::on_password_thread(move || verify_password(&hash, &password)).await?;
    let (Some(tenant), Some(user), true) = (tenant, user, matches) else {
        limiter.fail(&account_key);
        state
            .metrics()
            .sign_in_failures
            .fetch_add(1, Ordering::Relaxed);
        if let Some(key) = &address_key {
            limiter.fail(key);
        }
        tracing::info!(
            tenant = request.tenant,
            email = request.email,
            ?client,
            "sign-in refused"
        );
        return Err(ApiError::InvalidCredentials);
    };
    limiter.succeed(&account_key);

    let token = generate_token().map_err(|error| ApiError::Random(error.to_string()))?;
    let device = DeviceId(random_uuid().map_err(|error| ApiError::Random(error.to_string()))?);
    storage
        .put_device(
            tenant.id,
            NewDevice {
                id: device,
                user: user.id,
                name: device_name,
                token_hash: TokenHash::of(&token),
            },
        )
        .await?;
    tracing::info!(tenant = %tenant.id, user = %user.id, %device, "signed in");
    Ok(SignInResponse {
        token,
        tenant_id: tenant.id,
        user_id: user.id,
        role: user.role,
        device_id: device,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_limit_wait_for_the_window() {
        let limiter = SignInLimiter::default();
        for _ in 0..3 {
            assert_eq!(limiter.check("a", 3), Ok(()));
            limiter.fail("a");
        }
        let wait = limiter.check("a", 3).expect_err("limited");
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(limiter.check("b", 3), Ok(()), "other keys are not limited");
        limiter.succeed("a");
        assert_eq!(limiter.check("a", 3), Ok(()));
    }
}
