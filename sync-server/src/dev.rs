//! The development tenant, opt-in (`serve --dev-token`): one tenant with one Admin user and one
//! device whose token is given on the command line (or generated once and printed). Without
//! development mode the development device is revoked at startup, so an old token stops working.
//!
//! Its ids are fixed so that a data directory keeps the same tenant across restarts whatever
//! token is used, and the rows are ordinary tenants/users/devices rows, so the admin CLI of the
//! real-auth issue can list, disable or revoke them like any other.

use crm_model::{DeviceId, Role, TenantId, UserId};
use uuid::Uuid;

use crate::auth::{TokenHash, generate_token};
use crate::server::{Config, ServerError};
use crate::storage::{NewDevice, NewUser, Storage};

pub const DEV_TENANT: TenantId =
    TenantId(Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001));
pub const DEV_USER: UserId = UserId(Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0002));
pub const DEV_DEVICE: DeviceId =
    DeviceId(Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0003));

/// What startup did about the development token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DevToken {
    /// The configured token is the development device's token (replacing any earlier one).
    Configured,
    /// No token was configured and none existed: this one was generated and stored (hashed).
    /// It is shown once; the server cannot show it again.
    Generated(String),
    /// No token was configured; the one generated on an earlier start still works.
    Existing,
    /// Development mode is off: no development token works.
    Disabled,
}

/// Creates the development tenant, user and device as needed and sets their token.
pub(crate) async fn ensure_dev_principal(
    storage: &dyn Storage,
    config: &Config,
) -> Result<DevToken, ServerError> {
    if config.dev_token.is_none() && !config.dev_mode {
        if storage.revoke_device(DEV_TENANT, DEV_DEVICE).await? {
            tracing::info!("development mode is off: the development token no longer works");
        }
        return Ok(DevToken::Disabled);
    }
    let configured = config.dev_token.as_deref();
    storage
        .create_tenant(DEV_TENANT, "dev".to_owned(), "Development".to_owned())
        .await?;
    let user = NewUser {
        id: DEV_USER,
        email: "dev@localhost".to_owned(),
        display_name: "Developer".to_owned(),
        role: Role::Admin,
        password_hash: None,
    };
    storage.create_user(DEV_TENANT, user).await?;
    let (token, outcome) = match configured {
        Some(token) => (token.to_owned(), DevToken::Configured),
        None if dev_device_live(storage).await? => {
            return Ok(DevToken::Existing);
        }
        None => {
            let token = generate_token().map_err(ServerError::Random)?;
            (token.clone(), DevToken::Generated(token))
        }
    };
    let device = NewDevice {
        id: DEV_DEVICE,
        user: DEV_USER,
        name: "development token".to_owned(),
        token_hash: TokenHash::of(&token),
    };
    storage.put_device(DEV_TENANT, device).await?;
    Ok(outcome)
}

/// Whether the development device exists and is not revoked (it is while development mode was
/// off).
async fn dev_device_live(storage: &dyn Storage) -> Result<bool, ServerError> {
    let devices = storage.list_devices(DEV_TENANT).await?;
    Ok(devices
        .iter()
        .any(|device| device.id == DEV_DEVICE && device.revoked_at.is_none()))
}
