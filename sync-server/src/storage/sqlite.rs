//! The embedded SQLite backend: one file `<data-dir>/sync.sqlite3` in WAL mode.
//!
//! One connection behind a `std::sync::Mutex`, used only inside `spawn_blocking`: SQLite has a
//! single writer anyway, the calls are short, and a blocking lock never waits inside async code.
//! (A pool of read connections for pulls can come when benchmarks ask for it.)

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use crm_model::{DeviceId, RecordId, Role, TenantId, UserId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    CommitOutcome, FeedRow, NewDevice, NewUser, RecordWrite, Storage, StorageError, StorageFuture,
    StoredDocument,
};
use crate::auth::{Principal, TokenHash};

/// The schema, one file per version, applied in order at startup. Append only.
const MIGRATIONS: &[&str] = &[include_str!(
    "../../../migrations/server/sqlite/0001_initial.sql"
)];

pub(crate) const DATABASE_FILE: &str = "sync.sqlite3";

pub(crate) struct SqliteStorage {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStorage {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub(crate) async fn open(data_dir: &Path) -> Result<SqliteStorage, StorageError> {
        let path = data_dir.join(DATABASE_FILE);
        let connection =
            tokio::task::spawn_blocking(move || -> Result<Connection, StorageError> {
                let mut connection = Connection::open(path)?;
                connection.pragma_update(None, "journal_mode", "WAL")?;
                connection.pragma_update(None, "synchronous", "NORMAL")?;
                connection.pragma_update(None, "foreign_keys", true)?;
                connection.busy_timeout(std::time::Duration::from_secs(5))?;
                migrate(&mut connection)?;
                Ok(connection)
            })
            .await??;
        Ok(SqliteStorage {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    fn run<T, F>(&self, work: F) -> StorageFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                // A panic while holding the lock leaves the connection usable: an open
                // transaction was rolled back when its guard dropped.
                let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
                work(&mut connection)
            })
            .await?
        })
    }
}

fn migrate(connection: &mut Connection) -> Result<(), StorageError> {
    let known = MIGRATIONS.len() as u32;
    let found: u32 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(StorageError::SchemaTooNew { found, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", index as u32 + 1)?;
        transaction.commit()?;
        tracing::info!(version = index + 1, "applied server database migration");
    }
    Ok(())
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn parse_uuid(text: &str) -> Result<uuid::Uuid, StorageError> {
    uuid::Uuid::parse_str(text)
        .map_err(|error| StorageError::Invalid(format!("id {text:?}: {error}")))
}

fn parse_role(text: &str) -> Result<Role, StorageError> {
    [Role::Admin, Role::Manager, Role::SalesRep, Role::User]
        .into_iter()
        .find(|role| role.as_str() == text)
        .ok_or_else(|| StorageError::Invalid(format!("role {text:?}")))
}

fn to_seq(value: i64) -> Result<u64, StorageError> {
    u64::try_from(value).map_err(|_| StorageError::Invalid(format!("sequence number {value}")))
}

fn from_seq(value: u64) -> Result<i64, StorageError> {
    i64::try_from(value).map_err(|_| StorageError::Invalid(format!("sequence number {value}")))
}

impl Storage for SqliteStorage {
    fn authenticate(&self, token_hash: TokenHash) -> StorageFuture<'_, Option<Principal>> {
        self.run(move |connection| {
            let row = connection
                .query_row(
                    "SELECT d.tenant_id, d.user_id, d.id, u.role
                     FROM devices d
                     JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.user_id
                     JOIN tenants t ON t.id = d.tenant_id
                     WHERE d.token_hash = ?1 AND d.revoked_at IS NULL
                       AND u.disabled_at IS NULL AND t.disabled_at IS NULL",
                    params![token_hash.as_bytes().as_slice()],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((tenant, user, device, role)) = row else {
                return Ok(None);
            };
            Ok(Some(Principal {
                tenant: TenantId(parse_uuid(&tenant)?),
                user: UserId(parse_uuid(&user)?),
                device: DeviceId(parse_uuid(&device)?),
                role: parse_role(&role)?,
            }))
        })
    }

    fn create_tenant(
        &self,
        tenant: TenantId,
        slug: String,
        name: String,
    ) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let inserted = connection.execute(
                "INSERT INTO tenants (id, slug, name, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO NOTHING",
                params![tenant.to_string(), slug, name, now_millis()],
            )?;
            Ok(inserted == 1)
        })
    }

    fn create_user(&self, tenant: TenantId, user: NewUser) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let inserted = connection.execute(
                "INSERT INTO users (tenant_id, id, email, display_name, role, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (tenant_id, id) DO NOTHING",
                params![
                    tenant.to_string(),
                    user.id.to_string(),
                    user.email,
                    user.display_name,
                    user.role.as_str(),
                    now_millis()
                ],
            )?;
            Ok(inserted == 1)
        })
    }

    fn device_exists(&self, tenant: TenantId, device: DeviceId) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let found = connection
                .query_row(
                    "SELECT 1 FROM devices WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant.to_string(), device.to_string()],
                    |_| Ok(()),
                )
                .optional()?;
            Ok(found.is_some())
        })
    }

    fn put_device(&self, tenant: TenantId, device: NewDevice) -> StorageFuture<'_, ()> {
        self.run(move |connection| {
            connection.execute(
                "INSERT INTO devices (tenant_id, id, user_id, name, token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (tenant_id, id) DO UPDATE
                 SET token_hash = excluded.token_hash, name = excluded.name, revoked_at = NULL",
                params![
                    tenant.to_string(),
                    device.id.to_string(),
                    device.user.to_string(),
                    device.name,
                    device.token_hash.as_bytes().as_slice(),
                    now_millis()
                ],
            )?;
            Ok(())
        })
    }

    fn load_document(
        &self,
        tenant: TenantId,
        record: RecordId,
    ) -> StorageFuture<'_, Option<StoredDocument>> {
        self.run(move |connection| {
            let row = connection
                .query_row(
                    "SELECT bytes, revision FROM documents WHERE tenant_id = ?1 AND record_id = ?2",
                    params![tenant.to_string(), record.to_string()],
                    |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?)),
                )
                .optional()?;
            row.map(|(bytes, revision)| {
                Ok(StoredDocument {
                    bytes,
                    revision: to_seq(revision)?,
                })
            })
            .transpose()
        })
    }

    fn commit_record(
        &self,
        tenant: TenantId,
        write: RecordWrite,
    ) -> StorageFuture<'_, CommitOutcome> {
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let tenant_text = tenant.to_string();
            let record_text = write.record.to_string();
            let now = now_millis();
            let stored = match write.expected_revision {
                None => transaction.execute(
                    "INSERT INTO documents (tenant_id, record_id, kind, bytes, revision, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 1, ?5)
                     ON CONFLICT (tenant_id, record_id) DO NOTHING",
                    params![tenant_text, record_text, write.kind.as_str(), write.document, now],
                )?,
                Some(revision) => transaction.execute(
                    "UPDATE documents SET kind = ?3, bytes = ?4, revision = revision + 1, updated_at = ?5
                     WHERE tenant_id = ?1 AND record_id = ?2 AND revision = ?6",
                    params![
                        tenant_text,
                        record_text,
                        write.kind.as_str(),
                        write.document,
                        now,
                        from_seq(revision)?
                    ],
                )?,
            };
            if stored == 0 {
                return Ok(CommitOutcome::Conflict);
            }

            let head: Option<i64> = transaction
                .query_row("SELECT feed_head FROM tenants WHERE id = ?1", params![tenant_text], |row| {
                    row.get(0)
                })
                .optional()?;
            let mut head = head.ok_or(StorageError::NoSuchTenant(tenant))?;
            {
                let mut append = transaction.prepare_cached(
                    "INSERT INTO feed
                         (tenant_id, seq, record_id, change_hash, change, user_id, device_id, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (tenant_id, change_hash) DO NOTHING",
                )?;
                let user = write.user.to_string();
                let device = write.device.to_string();
                for change in &write.changes {
                    let appended = append.execute(params![
                        tenant_text,
                        head + 1,
                        record_text,
                        change.hash.as_slice(),
                        change.bytes,
                        user,
                        device,
                        now
                    ])?;
                    head += appended as i64;
                }
            }
            transaction.execute(
                "UPDATE tenants SET feed_head = ?2 WHERE id = ?1",
                params![tenant_text, head],
            )?;
            transaction.commit()?;
            Ok(CommitOutcome::Committed { feed_head: to_seq(head)? })
        })
    }

    fn read_feed(
        &self,
        tenant: TenantId,
        since: u64,
        limit: u32,
    ) -> StorageFuture<'_, Vec<FeedRow>> {
        self.run(move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT seq, record_id, change FROM feed
                 WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = statement.query_map(
                params![tenant.to_string(), from_seq(since)?, limit],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                    ))
                },
            )?;
            rows.map(|row| {
                let (seq, record, change) = row?;
                Ok(FeedRow {
                    seq: to_seq(seq)?,
                    record: RecordId(parse_uuid(&record)?),
                    change,
                })
            })
            .collect()
        })
    }

    fn feed_head(&self, tenant: TenantId) -> StorageFuture<'_, u64> {
        self.run(move |connection| {
            let head: Option<i64> = connection
                .query_row(
                    "SELECT feed_head FROM tenants WHERE id = ?1",
                    params![tenant.to_string()],
                    |row| row.get(0),
                )
                .optional()?;
            to_seq(head.ok_or(StorageError::NoSuchTenant(tenant))?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::conformance;

    async fn open() -> (tempfile::TempDir, SqliteStorage) {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage = SqliteStorage::open(dir.path()).await.expect("opens");
        (dir, storage)
    }

    #[tokio::test]
    async fn conforms() {
        let (_dir, storage) = open().await;
        conformance::tokens_authenticate_their_principal(&storage).await;
        conformance::commits_are_conditional_and_feeds_idempotent(&storage).await;
        conformance::tenants_do_not_see_each_other(&storage).await;
    }

    #[tokio::test]
    async fn a_schema_newer_than_the_server_is_refused() {
        let (dir, storage) = open().await;
        drop(storage);
        let connection = Connection::open(dir.path().join(DATABASE_FILE)).expect("opens");
        connection
            .pragma_update(None, "user_version", 99)
            .expect("pragma");
        drop(connection);
        let error = SqliteStorage::open(dir.path())
            .await
            .err()
            .expect("refused");
        assert!(
            matches!(error, StorageError::SchemaTooNew { found: 99, .. }),
            "{error}"
        );
    }
}
