//! Where the server keeps tenants, users, device tokens, record documents and the change feed:
//! one [`Storage`] trait, scoped by tenant, with one implementation per database.
//!
//! [`sqlite`] (the default) and [`postgres`] implement it and pass the same conformance tests
//! (`conformance`). The trait is object safe (`Arc<dyn Storage>`), so the
//! backend is picked at startup from the configuration without making the router generic.
//!
//! Writing a record is optimistic: a push loads the document with its `revision`, applies and
//! checks the changes outside any lock, then [`Storage::commit_record`] stores the document and
//! appends the feed entries in one transaction only if the revision is unchanged. On
//! [`CommitOutcome::Conflict`] the caller reloads and tries again. This keeps automerge work out
//! of database transactions and works the same on several server nodes sharing one PostgreSQL.

#[cfg(test)]
mod conformance;
pub(crate) mod postgres;
pub(crate) mod sqlite;

use std::future::Future;
use std::pin::Pin;

use crm_model::{DeviceId, RecordId, RecordKind, Role, TenantId, UserId};
use crm_protocol::sync::Bytes;
use serde::{Deserialize, Serialize};

use crate::auth::{Principal, TokenHash};

/// Called with `(tenant, feed head)` when a push (on any node) moved a tenant's feed.
pub(crate) type Announce = std::sync::Arc<dyn Fn(TenantId, u64) + Send + Sync>;

/// The future every storage method returns (what `async fn` in a `dyn` trait would be).
pub(crate) type StorageFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// The database failed. Never shown to clients: the HTTP layer logs it and answers 500.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(String),
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
    #[error("cannot import: {0}")]
    ImportConflict(String),
}

pub(crate) trait Storage: Send + Sync + 'static {
    /// Starts telling `announce` about pushes made by other server nodes on the same database.
    /// A database only one node uses (SQLite) has nothing to tell: the node announces its own.
    fn listen(&self, announce: Announce) {
        drop(announce);
    }

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

    /// Registers the device, or gives an existing one a new token (the old one stops working).
    fn put_device(&self, tenant: TenantId, device: NewDevice) -> StorageFuture<'_, ()>;

    /// What the tenant holds for the record id: its current document, nothing, or the
    /// erasure that refuses it from now on. One query.
    fn load_document(&self, tenant: TenantId, record: RecordId) -> StorageFuture<'_, Stored>;

    /// In ONE transaction, for each write in order: stores the document if it is still at
    /// `write.expected_revision`, and appends to the feed the changes the tenant's feed does
    /// not have yet (by hash). A write that conflicts, names another tenant's record or an
    /// erased one changes nothing and says so in its outcome; the others commit. One outcome
    /// per write.
    fn commit_records(
        &self,
        tenant: TenantId,
        writes: Vec<RecordWrite>,
    ) -> StorageFuture<'_, Vec<CommitOutcome>>;

    /// [`Storage::commit_records`] of one write.
    fn commit_record(
        &self,
        tenant: TenantId,
        write: RecordWrite,
    ) -> StorageFuture<'_, CommitOutcome> {
        Box::pin(async move {
            self.commit_records(tenant, vec![write])
                .await?
                .pop()
                .ok_or_else(|| StorageError::Invalid("a commit without an outcome".into()))
        })
    }

    /// Feed entries and erasures with `seq > since`, in order, at most `limit` of them.
    fn read_feed(
        &self,
        tenant: TenantId,
        since: u64,
        limit: u32,
    ) -> StorageFuture<'_, Vec<FeedRow>>;

    /// The tenant's last feed `seq` (0 when the feed is empty).
    fn feed_head(&self, tenant: TenantId) -> StorageFuture<'_, u64>;

    /// How many documents the tenant holds (a bootstrap's "total").
    fn count_documents(&self, tenant: TenantId) -> StorageFuture<'_, u64>;

    /// Current documents with record id after `after`, by record id, at most `limit` of them.
    fn list_documents(
        &self,
        tenant: TenantId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StorageFuture<'_, Vec<DocumentRow>>;

    /// GDPR erase, in one transaction: deletes the record's document and every feed entry of
    /// it, and appends an erasure to the feed, which tells devices to purge the record and
    /// refuses later pushes to it. Returns the new feed head, or `None` when the tenant has no
    /// such record (never had it, or it is erased already): then nothing changes.
    fn erase_record(&self, tenant: TenantId, record: RecordId) -> StorageFuture<'_, Option<u64>>;

    // Administration: tenants, users and devices. Not scoped by a caller's tenant because admins
    // of the server (not of a tenant) run them from the command line.

    /// The tenant with this slug, disabled or not.
    fn find_tenant(&self, slug: String) -> StorageFuture<'_, Option<TenantRow>>;

    fn list_tenants(&self) -> StorageFuture<'_, Vec<TenantRow>>;

    /// Disables (or enables) the tenant: its tokens stop working at once. Returns whether the
    /// tenant exists.
    fn set_tenant_disabled(&self, tenant: TenantId, disabled: bool) -> StorageFuture<'_, bool>;

    /// Deletes the tenant and everything it has. Returns whether it existed.
    fn purge_tenant(&self, tenant: TenantId) -> StorageFuture<'_, bool>;

    /// The user with this email (compared case-insensitively), disabled or not.
    fn find_user(&self, tenant: TenantId, email: String) -> StorageFuture<'_, Option<UserRow>>;

    /// Every user of the tenant, by display name.
    fn list_users(&self, tenant: TenantId) -> StorageFuture<'_, Vec<UserRow>>;

    /// Changes one thing about a user. Returns whether the user exists.
    fn update_user(
        &self,
        tenant: TenantId,
        user: UserId,
        change: UserChange,
    ) -> StorageFuture<'_, bool>;

    /// The tenant's devices, newest first, revoked ones included.
    fn list_devices(&self, tenant: TenantId) -> StorageFuture<'_, Vec<DeviceRow>>;

    /// Revokes the device: its token stops working at once. Returns whether it exists.
    fn revoke_device(&self, tenant: TenantId, device: DeviceId) -> StorageFuture<'_, bool>;

    /// Records that the tenant holds the blob (its bytes are stored by the caller).
    fn put_blob(&self, tenant: TenantId, sha256: String, size: u64) -> StorageFuture<'_, ()>;

    /// Whether the tenant holds the blob.
    fn has_blob(&self, tenant: TenantId, sha256: String) -> StorageFuture<'_, bool>;

    /// Everything the tenant has, for a backup.
    fn export_tenant(&self, tenant: TenantId) -> StorageFuture<'_, Option<TenantDump>>;

    /// Restores a backup into a server that does not have the tenant (nor its records).
    fn import_tenant(&self, dump: TenantDump) -> StorageFuture<'_, ()>;
}

/// A tenant as admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantRow {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub feed_head: u64,
    /// Unix milliseconds.
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// argon2 PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

impl std::fmt::Display for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}  {:<30} {:<24} {:<9} {}",
            self.id,
            self.email,
            self.display_name,
            self.role.as_str(),
            if self.disabled_at.is_some() {
                "disabled"
            } else {
                "active"
            }
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRow {
    pub id: DeviceId,
    pub user: UserId,
    pub name: String,
    /// SHA-256 of the token.
    pub token_hash: Bytes,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// One change to a user, as admins make them.
#[derive(Clone, Debug)]
pub(crate) enum UserChange {
    Role(Role),
    Disabled(bool),
    PasswordHash(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRow {
    pub record: RecordId,
    pub kind: RecordKind,
    pub bytes: Bytes,
    pub revision: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpedFeedRow {
    pub seq: u64,
    pub record: RecordId,
    pub change_hash: Bytes,
    pub change: Bytes,
    pub user: UserId,
    pub device: DeviceId,
    pub received_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpedBlob {
    pub sha256: String,
    pub size: u64,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpedErasure {
    pub record: RecordId,
    pub seq: u64,
    pub erased_at: i64,
}

/// A whole tenant, as `tenant export` writes it (JSON) and `tenant import` reads it. Blob bytes
/// are not in it: they are files under the data dir, backed up with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantDump {
    /// [`TenantDump::FORMAT`] when written.
    pub format: u32,
    pub tenant: TenantRow,
    pub users: Vec<UserRow>,
    pub devices: Vec<DeviceRow>,
    pub documents: Vec<DocumentRow>,
    pub feed: Vec<DumpedFeedRow>,
    pub blobs: Vec<DumpedBlob>,
    /// Absent from backups written before erasures existed.
    #[serde(default)]
    pub erasures: Vec<DumpedErasure>,
}

impl TenantDump {
    /// 2 added `erasures`: a server that does not know them must refuse the backup rather than
    /// restore records that were erased. Format 1 backups (no erasures) still import.
    pub const FORMAT: u32 = 2;
    pub const OLDEST_FORMAT: u32 = 1;
}

#[derive(Clone, Debug)]
pub(crate) struct NewUser {
    pub(crate) id: UserId,
    pub(crate) email: String,
    pub(crate) display_name: String,
    pub(crate) role: Role,
    /// argon2 PHC string, if the user gets a password right away.
    pub(crate) password_hash: Option<String>,
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

/// What a tenant holds for a record id.
#[derive(Clone, Debug)]
pub(crate) enum Stored {
    Document(StoredDocument),
    /// No such record (yet): a push may create it.
    Nothing,
    /// Erased for good: pushes to it are refused.
    Erased,
}

impl Stored {
    pub(crate) fn document(self) -> Option<StoredDocument> {
        match self {
            Stored::Document(document) => Some(document),
            Stored::Nothing | Stored::Erased => None,
        }
    }
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
    /// The record id belongs to another tenant: nothing was stored.
    ForeignRecord,
    /// The record was erased: nothing was stored.
    Erased,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FeedRow {
    pub(crate) seq: u64,
    pub(crate) record: RecordId,
    pub(crate) event: FeedEvent,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FeedEvent {
    /// An Automerge change to the record.
    Change(Vec<u8>),
    /// The record was erased (GDPR); its changes are gone from the feed.
    Erased,
}
