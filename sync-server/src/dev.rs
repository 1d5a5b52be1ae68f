//! The development tenant: until real sign-in exists, one tenant with one Admin user and one
//! device whose token is given on the command line (or generated once and printed).
//!
//! Its ids are fixed so that a data directory keeps the same tenant across restarts whatever
//! token is used, and the rows are ordinary tenants/users/devices rows, so the admin CLI of the
//! real-auth issue can list, disable or revoke them like any other.

use crm_model::{DeviceId, Role, TenantId, UserId};
use uuid::Uuid;

use crate::auth::{TokenHash, generate_token};
use crate::server::ServerError;
use crate::storage::{NewDevice, NewUser, Storage};

pub(crate) const DEV_TENANT: TenantId =
    TenantId(Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001));
pub(crate) const DEV_USER: UserId =
    UserId(Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0002));
pub(crate) const DEV_DEVICE: DeviceId =
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
}

/// Creates the development tenant, user and device as needed and sets their token.
pub(crate) async fn ensure_dev_principal(
    storage: &dyn Storage,
    configured: Option<&str>,
) -> Result<DevToken, ServerError> {
    storage
        .create_tenant(DEV_TENANT, "dev".to_owned(), "Development".to_owned())
        .await?;
    let user = NewUser {
        id: DEV_USER,
        email: "dev@localhost".to_owned(),
        display_name: "Developer".to_owned(),
        role: Role::Admin,
    };
    storage.create_user(DEV_TENANT, user).await?;
    let (token, outcome) = match configured {
        Some(token) => (token.to_owned(), DevToken::Configured),
        None if storage.device_exists(DEV_TENANT, DEV_DEVICE).await? => {
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
