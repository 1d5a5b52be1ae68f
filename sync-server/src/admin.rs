//! What the admin commands of the binary do, on the same storage (and, to purge a tenant, the
//! same blob store) the server uses: tenants, users, devices, backups, GDPR erase. Each method
//! is one command; the binary only parses arguments and prints.
//!
//! Tenants are named by slug and users by email, as admins know them. The commands may run
//! while the server runs (SQLite WAL and PostgreSQL both allow it); changes to users, devices
//! and tenants take effect on the server's next request, since every request checks its token
//! against the database.

use std::sync::Arc;

use crm_model::{DeviceId, RecordId, Role, TenantId, UserId};

use crate::auth::{PasswordError, hash_password, random_uuid};
use crate::blob_store::BlobStoreError;
use crate::server::{Config, ServerError, open_blob_store, open_storage};
use crate::storage::{NewUser, Storage, StorageError, UserChange};

pub use crate::storage::{DeviceRow, TenantDump, TenantRow, UserRow};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no tenant {0:?}")]
    NoSuchTenant(String),
    #[error("tenant {tenant:?} has no user {email:?}")]
    NoSuchUser { tenant: String, email: String },
    #[error("tenant {tenant:?} has no device {device}")]
    NoSuchDevice { tenant: String, device: DeviceId },
    #[error("tenant {tenant:?} has no record {record} (or it was erased already)")]
    NoSuchRecord { tenant: String, record: RecordId },
    #[error("{0}")]
    Exists(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    BlobStore(#[from] BlobStoreError),
    /// The purge deleted the tenant's rows but not all of its blobs; the tenant is gone, so
    /// the rest are to be deleted by hand.
    #[error(
        "tenant {tenant:?} is deleted, but some of its attachment blobs are left ({id}/ in the \
         blob store): {error}"
    )]
    BlobsRemain {
        tenant: String,
        id: TenantId,
        error: BlobStoreError,
    },
}

/// The admin commands, on the storage and the blob store `Config` selects.
pub struct Admin {
    storage: Arc<dyn Storage>,
    /// For the blob store, opened only by a purge: the other commands need not reach an S3
    /// bucket (locking a user out works while the bucket is down).
    config: Config,
}

/// The shortest password `user add` and `user reset-password` accept.
pub const MIN_PASSWORD_CHARS: usize = 10;

impl Admin {
    pub async fn open(config: &Config) -> Result<Admin, AdminError> {
        Ok(Admin {
            storage: open_storage(config).await?,
            config: config.clone(),
        })
    }

    pub async fn create_tenant(&self, slug: &str, name: &str) -> Result<TenantRow, AdminError> {
        let valid = !slug.is_empty()
            && slug.len() <= 63
            && slug
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if !valid {
            return Err(AdminError::Invalid(format!(
                "the tenant slug {slug:?} must be 1-63 lowercase letters, digits or dashes"
            )));
        }
        if self.storage.find_tenant(slug.to_owned()).await?.is_some() {
            return Err(AdminError::Exists(format!("tenant {slug:?} exists")));
        }
        let id = TenantId(random_uuid().map_err(random)?);
        self.storage
            .create_tenant(id, slug.to_owned(), name.to_owned())
            .await?;
        self.tenant(slug).await
    }

    pub async fn list_tenants(&self) -> Result<Vec<TenantRow>, AdminError> {
        Ok(self.storage.list_tenants().await?)
    }

    pub async fn tenant(&self, slug: &str) -> Result<TenantRow, AdminError> {
        self.storage
            .find_tenant(slug.to_owned())
            .await?
            .ok_or_else(|| AdminError::NoSuchTenant(slug.to_owned()))
    }

    /// Disables or re-enables a tenant; its devices stop (or resume) working at once.
    pub async fn set_tenant_disabled(&self, slug: &str, disabled: bool) -> Result<(), AdminError> {
        let tenant = self.tenant(slug).await?;
        self.storage
            .set_tenant_disabled(tenant.id, disabled)
            .await?;
        Ok(())
    }

    /// Deletes the tenant and all it has: its rows, then its attachment blobs in the blob store
    /// `Config` selects (`<data-dir>/blobs/<tenant id>/`, or the S3 bucket's `<tenant id>/`
    /// keys). The blob store is opened (an S3 bucket checked) before anything is deleted. Blobs
    /// go after the rows, when the tenant's devices can no longer upload; an upload already
    /// under way at that moment may still leave its blob.
    pub async fn purge_tenant(&self, slug: &str) -> Result<(), AdminError> {
        let tenant = self.tenant(slug).await?;
        let blob_store = open_blob_store(&self.config).await?;
        self.storage.purge_tenant(tenant.id).await?;
        blob_store
            .purge_tenant(tenant.id)
            .await
            .map_err(|error| AdminError::BlobsRemain {
                tenant: slug.to_owned(),
                id: tenant.id,
                error,
            })?;
        tracing::info!(
            tenant = slug,
            blobs = %blob_store.describe(),
            "deleted the tenant's attachment blobs"
        );
        Ok(())
    }

    pub async fn export_tenant(&self, slug: &str) -> Result<TenantDump, AdminError> {
        let tenant = self.tenant(slug).await?;
        self.storage
            .export_tenant(tenant.id)
            .await?
            .ok_or_else(|| AdminError::NoSuchTenant(slug.to_owned()))
    }

    pub async fn import_tenant(&self, dump: TenantDump) -> Result<TenantRow, AdminError> {
        if !(TenantDump::OLDEST_FORMAT..=TenantDump::FORMAT).contains(&dump.format) {
            return Err(AdminError::Invalid(format!(
                "backup format {} is not one this server reads ({} to {})",
                dump.format,
                TenantDump::OLDEST_FORMAT,
                TenantDump::FORMAT
            )));
        }
        let slug = dump.tenant.slug.clone();
        self.storage.import_tenant(dump).await?;
        self.tenant(&slug).await
    }

    pub async fn add_user(
        &self,
        slug: &str,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<UserRow, AdminError> {
        let tenant = self.tenant(slug).await?;
        let email = email.trim().to_lowercase();
        if !email.contains('@') {
            return Err(AdminError::Invalid(format!(
                "{email:?} is not an email address"
            )));
        }
        if self
            .storage
            .find_user(tenant.id, email.clone())
            .await?
            .is_some()
        {
            return Err(AdminError::Exists(format!(
                "tenant {slug:?} already has a user {email:?}"
            )));
        }
        let password_hash = hash(password).await?;
        let user = NewUser {
            id: UserId(random_uuid().map_err(random)?),
            email: email.clone(),
            display_name: name.to_owned(),
            role,
            password_hash: Some(password_hash),
        };
        self.storage.create_user(tenant.id, user).await?;
        self.user(slug, &email).await
    }

    pub async fn list_users(&self, slug: &str) -> Result<Vec<UserRow>, AdminError> {
        let tenant = self.tenant(slug).await?;
        Ok(self.storage.list_users(tenant.id).await?)
    }

    pub async fn user(&self, slug: &str, email: &str) -> Result<UserRow, AdminError> {
        let tenant = self.tenant(slug).await?;
        self.storage
            .find_user(tenant.id, email.to_owned())
            .await?
            .ok_or_else(|| AdminError::NoSuchUser {
                tenant: slug.to_owned(),
                email: email.to_owned(),
            })
    }

    pub async fn set_role(&self, slug: &str, email: &str, role: Role) -> Result<(), AdminError> {
        self.update_user(slug, email, UserChange::Role(role)).await
    }

    /// Disables (or re-enables) the user: their devices' tokens stop working at once.
    pub async fn set_user_disabled(
        &self,
        slug: &str,
        email: &str,
        disabled: bool,
    ) -> Result<(), AdminError> {
        self.update_user(slug, email, UserChange::Disabled(disabled))
            .await
    }

    /// Sets a new password. Devices already signed in keep working (revoke them to sign out).
    pub async fn reset_password(
        &self,
        slug: &str,
        email: &str,
        password: &str,
    ) -> Result<(), AdminError> {
        let password_hash = hash(password).await?;
        self.update_user(slug, email, UserChange::PasswordHash(password_hash))
            .await
    }

    pub async fn list_devices(&self, slug: &str) -> Result<Vec<DeviceRow>, AdminError> {
        let tenant = self.tenant(slug).await?;
        Ok(self.storage.list_devices(tenant.id).await?)
    }

    pub async fn revoke_device(&self, slug: &str, device: DeviceId) -> Result<(), AdminError> {
        let tenant = self.tenant(slug).await?;
        if self.storage.revoke_device(tenant.id, device).await? {
            Ok(())
        } else {
            Err(AdminError::NoSuchDevice {
                tenant: slug.to_owned(),
                device,
            })
        }
    }

    /// GDPR erase: the record's document and feed entries are deleted from the server, and
    /// an erasure in the feed tells every device to purge its copy (at its next pull: at once
    /// on PostgreSQL, whose nodes hear of it; within the devices' sync interval on SQLite,
    /// whose server does not see this command's write). Pushes to the record are refused from
    /// now on. Returns the tenant's new feed head.
    pub async fn erase_record(&self, slug: &str, record: RecordId) -> Result<u64, AdminError> {
        let tenant = self.tenant(slug).await?;
        if let Some(feed_head) = self.storage.erase_record(tenant.id, record).await? {
            Ok(feed_head)
        } else {
            Err(AdminError::NoSuchRecord {
                tenant: slug.to_owned(),
                record,
            })
        }
    }

    async fn update_user(
        &self,
        slug: &str,
        email: &str,
        change: UserChange,
    ) -> Result<(), AdminError> {
        let user = self.user(slug, email).await?;
        let tenant = self.tenant(slug).await?;
        self.storage.update_user(tenant.id, user.id, change).await?;
        Ok(())
    }
}

async fn hash(password: &str) -> Result<String, AdminError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AdminError::Invalid(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let password = password.to_owned();
    let hash = crate::auth::on_password_thread(move || hash_password(&password)).await??;
    Ok(hash)
}

fn random(error: getrandom::Error) -> AdminError {
    AdminError::Server(ServerError::Random(error))
}
