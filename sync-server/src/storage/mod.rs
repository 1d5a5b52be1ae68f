//! Where the server keeps tenants, users, device tokens, record documents and the change feed:
//! one [`Storage`] trait, scoped by tenant, with one implementation per database.
//!
//! Only [`sqlite`] exists today; PostgreSQL will be a second implementation of the same trait
//! (and pass the same conformance tests). The trait is object safe (`Arc<dyn Storage>`), so the
//! backend is picked at startup from the configuration without making the router generic.
//!
//! Writing a record is optimistic: a push loads the document with its `revision`, applies and
//! checks the changes outside any lock, then [`Storage::commit_record`] stores the document and
//! appends the feed entries in one transaction only if the revision is unchanged. On
//! [`CommitOutcome::Conflict`] the caller reloads and tries again. This keeps automerge work out
//! of database transactions and works the same on several server nodes sharing one PostgreSQL.

#[cfg(test)]
mod conformance;
pub(crate) mod sqlite;

use std::future::Future;
use std::pin::Pin;

use crm_model::{DeviceId, RecordId, RecordKind, Role, TenantId, UserId};

use crate::auth::{Principal, TokenHash};

/// The future every storage method returns (what `async fn` in a `dyn` trait would be).
pub(crate) type StorageFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// The database failed. Never shown to clients: the HTTP layer logs it and answers 500.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error(
        "the database schema is at version {found}, newer than this server knows ({known}); upgrade the server"
    )]
    SchemaTooNew { found: u32, known: u32 },
    #[error("tenant {0} does not exist")]
    NoSuchTenant(TenantId),
    #[error("stored value is invalid: {0}")]
    Invalid(String),
}

pub(crate) trait Storage: Send + Sync + 'static {
    /// The principal a device token belongs to, if the token is live (not revoked, user and
    /// tenant not disabled). The one method not scoped by tenant: the token is what names it.
    fn authenticate(&self, token_hash: TokenHash) -> StorageFuture<'_, Option<Principal>>;

    /// Creates the tenant unless one with this id exists. Returns whether it was created.
    fn create_tenant(
        &self,
        tenant: TenantId,
        slug: String,
        name: String,
    ) -> StorageFuture<'_, bool>;

    /// Adds the user unless one with this id exists in the tenant. Returns whether it was added.
    fn create_user(&self, tenant: TenantId, user: NewUser) -> StorageFuture<'_, bool>;

    /// Whether the device exists in the tenant (revoked or not).
    fn device_exists(&self, tenant: TenantId, device: DeviceId) -> StorageFuture<'_, bool>;

    /// Registers the device, or gives an existing one a new token (the old one stops working).
    fn put_device(&self, tenant: TenantId, device: NewDevice) -> StorageFuture<'_, ()>;

    /// The record's current document, if the tenant has that record.
    fn load_document(
        &self,
        tenant: TenantId,
        record: RecordId,
    ) -> StorageFuture<'_, Option<StoredDocument>>;

    /// In one transaction: stores the document if it is still at `write.expected_revision`, and
    /// appends to the feed the changes the tenant's feed does not have yet (by hash).
    fn commit_record(
        &self,
        tenant: TenantId,
        write: RecordWrite,
    ) -> StorageFuture<'_, CommitOutcome>;

    /// Feed entries with `seq > since`, in order, at most `limit` of them.
    fn read_feed(
        &self,
        tenant: TenantId,
        since: u64,
        limit: u32,
    ) -> StorageFuture<'_, Vec<FeedRow>>;

    /// The tenant's last feed `seq` (0 when the feed is empty).
    fn feed_head(&self, tenant: TenantId) -> StorageFuture<'_, u64>;
}

#[derive(Clone, Debug)]
pub(crate) struct NewUser {
    pub(crate) id: UserId,
    pub(crate) email: String,
    pub(crate) display_name: String,
    pub(crate) role: Role,
}

#[derive(Clone, Debug)]
pub(crate) struct NewDevice {
    pub(crate) id: DeviceId,
    pub(crate) user: UserId,
    pub(crate) name: String,
    pub(crate) token_hash: TokenHash,
}

#[derive(Clone, Debug)]
pub(crate) struct StoredDocument {
    pub(crate) bytes: Vec<u8>,
    pub(crate) revision: u64,
}

/// A checked new state of one record, ready to be stored.
#[derive(Clone, Debug)]
pub(crate) struct RecordWrite {
    pub(crate) record: RecordId,
    pub(crate) kind: RecordKind,
    /// The whole document, saved.
    pub(crate) document: Vec<u8>,
    /// The revision the document was loaded at; `None` when the record did not exist.
    pub(crate) expected_revision: Option<u64>,
    /// The changes the stored document did not have, in causal order.
    pub(crate) changes: Vec<NewChange>,
    pub(crate) user: UserId,
    pub(crate) device: DeviceId,
}

#[derive(Clone, Debug)]
pub(crate) struct NewChange {
    pub(crate) hash: [u8; 32],
    pub(crate) bytes: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommitOutcome {
    /// Stored; the tenant's feed now ends at `feed_head`.
    Committed { feed_head: u64 },
    /// Someone else wrote the record since it was loaded: nothing was stored.
    Conflict,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FeedRow {
    pub(crate) seq: u64,
    pub(crate) record: RecordId,
    pub(crate) change: Vec<u8>,
}
