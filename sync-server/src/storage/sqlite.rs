//! The embedded SQLite backend: one file `<data-dir>/sync.sqlite3` in WAL mode.
//!
//! One connection behind a `std::sync::Mutex`, used only inside `spawn_blocking`: SQLite has a
//! single writer anyway, the calls are short, and a blocking lock never waits inside async code.
//! (A pool of read connections for pulls can come when benchmarks ask for it.)

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use crm_model::{DeviceId, RecordId, RecordKind, Role, TenantId, UserId};
use crm_protocol::sync::Bytes;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    CommitOutcome, DeviceRow, DocumentRow, DumpedBlob, DumpedErasure, DumpedFeedRow, FeedEvent,
    FeedRow, NewDevice, NewUser, RecordWrite, Storage, StorageError, StorageFuture, Stored,
    StoredDocument, TenantDump, TenantRow, UserChange, UserRow,
};
use crate::auth::{Principal, TokenHash};

/// The schema, one file per version, applied in order at startup. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/server/sqlite/0001_initial.sql"),
    include_str!("../../../migrations/server/sqlite/0002_auth_and_erase.sql"),
    include_str!("../../../migrations/server/sqlite/0003_erasures.sql"),
];

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

fn record_of_other_tenant(
    connection: &Connection,
    tenant: &str,
    record: &str,
) -> Result<bool, StorageError> {
    let found = connection
        .query_row(
            "SELECT 1 FROM documents WHERE record_id = ?1 AND tenant_id <> ?2",
            params![record, tenant],
            |_| Ok(()),
        )
        .optional()?;
    Ok(found.is_some())
}

/// The tenant's last feed seq (in a write transaction: SQLite has one writer, so it stays
/// the last until [`set_feed_head`] in the same transaction).
fn feed_head_of(connection: &Connection, tenant: TenantId) -> Result<i64, StorageError> {
    connection
        .prepare_cached("SELECT feed_head FROM tenants WHERE id = ?1")?
        .query_row(params![tenant.to_string()], |row| row.get(0))
        .optional()?
        .ok_or(StorageError::NoSuchTenant(tenant))
}

fn set_feed_head(connection: &Connection, tenant: TenantId, head: i64) -> Result<(), StorageError> {
    connection
        .prepare_cached("UPDATE tenants SET feed_head = ?2 WHERE id = ?1")?
        .execute(params![tenant.to_string(), head])?;
    Ok(())
}

/// Why a record the tenant does not hold cannot be created: its id belongs to another tenant,
/// or the tenant erased it.
fn refused_creation(
    connection: &Connection,
    tenant: &str,
    record: &str,
) -> Result<Option<CommitOutcome>, StorageError> {
    let erased = connection
        .prepare_cached("SELECT 1 FROM erasures WHERE tenant_id = ?1 AND record_id = ?2")?
        .query_row(params![tenant, record], |_| Ok(()))
        .optional()?;
    if erased.is_some() {
        return Ok(Some(CommitOutcome::Erased));
    }
    Ok(record_of_other_tenant(connection, tenant, record)?.then_some(CommitOutcome::ForeignRecord))
}

const TENANT_COLUMNS: &str = "id, slug, name, feed_head, created_at, disabled_at";

fn tenant_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, i64, i64, Option<i64>)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn to_tenant(
    (id, slug, name, feed_head, created_at, disabled_at): (
        String,
        String,
        String,
        i64,
        i64,
        Option<i64>,
    ),
) -> Result<TenantRow, StorageError> {
    Ok(TenantRow {
        id: TenantId(parse_uuid(&id)?),
        slug,
        name,
        feed_head: to_seq(feed_head)?,
        created_at,
        disabled_at,
    })
}

const USER_COLUMNS: &str = "id, email, display_name, role, password_hash, created_at, disabled_at";

type RawUser = (
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
);

fn user_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn to_user(
    (id, email, display_name, role, password_hash, created_at, disabled_at): RawUser,
) -> Result<UserRow, StorageError> {
    Ok(UserRow {
        id: UserId(parse_uuid(&id)?),
        email,
        display_name,
        role: parse_role(&role)?,
        password_hash,
        created_at,
        disabled_at,
    })
}

fn list_devices(connection: &Connection, tenant: &str) -> Result<Vec<DeviceRow>, StorageError> {
    let mut statement = connection.prepare(
        "SELECT id, user_id, name, token_hash, created_at, last_seen_at, revoked_at
         FROM devices WHERE tenant_id = ?1 ORDER BY created_at DESC, id",
    )?;
    let rows = statement.query_map(params![tenant], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Vec<u8>>(3)?,
            row.get::<_, i64>(4)?,
            row.get::<_, Option<i64>>(5)?,
            row.get::<_, Option<i64>>(6)?,
        ))
    })?;
    rows.map(|row| {
        let (id, user, name, token_hash, created_at, last_seen_at, revoked_at) = row?;
        Ok(DeviceRow {
            id: DeviceId(parse_uuid(&id)?),
            user: UserId(parse_uuid(&user)?),
            name,
            token_hash: Bytes(token_hash),
            created_at,
            last_seen_at,
            revoked_at,
        })
    })
    .collect()
}

fn list_users(connection: &Connection, tenant: &str) -> Result<Vec<UserRow>, StorageError> {
    let mut statement = connection.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ?1 ORDER BY display_name, email"
    ))?;
    let rows = statement.query_map(params![tenant], user_row)?;
    rows.map(|row| to_user(row?)).collect()
}

fn list_documents(
    connection: &Connection,
    tenant: &str,
    after: &str,
    limit: i64,
) -> Result<Vec<DocumentRow>, StorageError> {
    let mut statement = connection.prepare_cached(
        "SELECT record_id, kind, bytes, revision FROM documents
         WHERE tenant_id = ?1 AND record_id > ?2 ORDER BY record_id LIMIT ?3",
    )?;
    let rows = statement.query_map(params![tenant, after, limit], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Vec<u8>>(2)?,
            row.get::<_, i64>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (record, kind, bytes, revision) = row?;
        Ok(DocumentRow {
            record: RecordId(parse_uuid(&record)?),
            kind: RecordKind::parse(&kind)
                .ok_or_else(|| StorageError::Invalid(format!("record kind {kind:?}")))?,
            bytes: Bytes(bytes),
            revision: to_seq(revision)?,
        })
    })
    .collect()
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
    Role::parse(text).ok_or_else(|| StorageError::Invalid(format!("role {text:?}")))
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
                "INSERT INTO users
                     (tenant_id, id, email, display_name, role, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (tenant_id, id) DO NOTHING",
                params![
                    tenant.to_string(),
                    user.id.to_string(),
                    user.email.trim().to_lowercase(),
                    user.display_name,
                    user.role.as_str(),
                    user.password_hash,
                    now_millis()
                ],
            )?;
            Ok(inserted == 1)
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

    fn load_document(&self, tenant: TenantId, record: RecordId) -> StorageFuture<'_, Stored> {
        self.run(move |connection| {
            // A document and an erasure of one record never exist together.
            let row = connection
                .prepare_cached(
                    "SELECT bytes, revision FROM documents WHERE tenant_id = ?1 AND record_id = ?2
                     UNION ALL
                     SELECT NULL, NULL FROM erasures WHERE tenant_id = ?1 AND record_id = ?2",
                )?
                .query_row(params![tenant.to_string(), record.to_string()], |row| {
                    Ok((
                        row.get::<_, Option<Vec<u8>>>(0)?,
                        row.get::<_, Option<i64>>(1)?,
                    ))
                })
                .optional()?;
            Ok(match row {
                None => Stored::Nothing,
                Some((Some(bytes), Some(revision))) => Stored::Document(StoredDocument {
                    bytes,
                    revision: to_seq(revision)?,
                }),
                Some(_) => Stored::Erased,
            })
        })
    }

    fn commit_records(
        &self,
        tenant: TenantId,
        writes: Vec<RecordWrite>,
    ) -> StorageFuture<'_, Vec<CommitOutcome>> {
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let tenant_text = tenant.to_string();
            let now = now_millis();
            let mut head = feed_head_of(&transaction, tenant)?;
            let mut outcomes = Vec::with_capacity(writes.len());
            for write in &writes {
                let record_text = write.record.to_string();
                let refused = match write.expected_revision {
                    None => refused_creation(&transaction, &tenant_text, &record_text)?,
                    Some(_) => None,
                };
                if let Some(refused) = refused {
                    outcomes.push(refused);
                    continue;
                }
                let stored = match write.expected_revision {
                    None => transaction
                        .prepare_cached(
                            "INSERT INTO documents (tenant_id, record_id, kind, bytes, revision, updated_at)
                             VALUES (?1, ?2, ?3, ?4, 1, ?5)
                             ON CONFLICT (tenant_id, record_id) DO NOTHING",
                        )?
                        .execute(params![tenant_text, record_text, write.kind.as_str(), write.document, now])?,
                    Some(revision) => transaction
                        .prepare_cached(
                            "UPDATE documents SET kind = ?3, bytes = ?4, revision = revision + 1, updated_at = ?5
                             WHERE tenant_id = ?1 AND record_id = ?2 AND revision = ?6",
                        )?
                        .execute(params![
                            tenant_text,
                            record_text,
                            write.kind.as_str(),
                            write.document,
                            now,
                            from_seq(revision)?
                        ])?,
                };
                if stored == 0 {
                    outcomes.push(CommitOutcome::Conflict);
                    continue;
                }
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
                outcomes.push(CommitOutcome::Committed { feed_head: to_seq(head)? });
            }
            set_feed_head(&transaction, tenant, head)?;
            transaction.commit()?;
            Ok(outcomes)
        })
    }

    fn read_feed(
        &self,
        tenant: TenantId,
        since: u64,
        limit: u32,
    ) -> StorageFuture<'_, Vec<FeedRow>> {
        self.run(move |connection| {
            // Both sides are read in seq order from their primary keys and merged (SQLite runs
            // a compound SELECT with ORDER BY as a merge), so LIMIT stops both early.
            let mut statement = connection.prepare_cached(
                "SELECT seq, record_id, change FROM feed WHERE tenant_id = ?1 AND seq > ?2
                 UNION ALL
                 SELECT seq, record_id, NULL FROM erasures WHERE tenant_id = ?1 AND seq > ?2
                 ORDER BY seq LIMIT ?3",
            )?;
            let rows = statement.query_map(
                params![tenant.to_string(), from_seq(since)?, limit],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<Vec<u8>>>(2)?,
                    ))
                },
            )?;
            rows.map(|row| {
                let (seq, record, change) = row?;
                Ok(FeedRow {
                    seq: to_seq(seq)?,
                    record: RecordId(parse_uuid(&record)?),
                    event: change.map_or(FeedEvent::Erased, FeedEvent::Change),
                })
            })
            .collect()
        })
    }

    fn feed_head(&self, tenant: TenantId) -> StorageFuture<'_, u64> {
        self.run(move |connection| to_seq(feed_head_of(connection, tenant)?))
    }

    fn count_documents(&self, tenant: TenantId) -> StorageFuture<'_, u64> {
        self.run(move |connection| {
            let count: i64 = connection.query_row(
                "SELECT COUNT(*) FROM documents WHERE tenant_id = ?1",
                params![tenant.to_string()],
                |row| row.get(0),
            )?;
            to_seq(count)
        })
    }

    fn list_documents(
        &self,
        tenant: TenantId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StorageFuture<'_, Vec<DocumentRow>> {
        self.run(move |connection| {
            // Hyphenated lowercase UUID text sorts like the UUIDs themselves.
            let after = after.map(|record| record.to_string()).unwrap_or_default();
            list_documents(connection, &tenant.to_string(), &after, i64::from(limit))
        })
    }

    fn erase_record(&self, tenant: TenantId, record: RecordId) -> StorageFuture<'_, Option<u64>> {
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let keys = params![tenant.to_string(), record.to_string()];
            let head = feed_head_of(&transaction, tenant)?;
            let documents = transaction.execute(
                "DELETE FROM documents WHERE tenant_id = ?1 AND record_id = ?2",
                keys,
            )?;
            let entries = transaction.execute(
                "DELETE FROM feed WHERE tenant_id = ?1 AND record_id = ?2",
                keys,
            )?;
            if documents + entries == 0 {
                // Never had it, or erased already: the transaction rolls back unchanged.
                return Ok(None);
            }
            let head = head + 1;
            transaction.execute(
                "INSERT INTO erasures (tenant_id, record_id, seq, erased_at) VALUES (?1, ?2, ?3, ?4)",
                params![tenant.to_string(), record.to_string(), head, now_millis()],
            )?;
            set_feed_head(&transaction, tenant, head)?;
            transaction.commit()?;
            Ok(Some(to_seq(head)?))
        })
    }

    fn find_tenant(&self, slug: String) -> StorageFuture<'_, Option<TenantRow>> {
        self.run(move |connection| {
            let row = connection
                .query_row(
                    &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE slug = ?1"),
                    params![slug],
                    tenant_row,
                )
                .optional()?;
            row.map(to_tenant).transpose()
        })
    }

    fn list_tenants(&self) -> StorageFuture<'_, Vec<TenantRow>> {
        self.run(move |connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {TENANT_COLUMNS} FROM tenants ORDER BY slug"
            ))?;
            let rows = statement.query_map([], tenant_row)?;
            rows.map(|row| to_tenant(row?)).collect()
        })
    }

    fn set_tenant_disabled(&self, tenant: TenantId, disabled: bool) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let changed = connection.execute(
                "UPDATE tenants SET disabled_at = CASE WHEN ?2 THEN coalesce(disabled_at, ?3) END
                 WHERE id = ?1",
                params![tenant.to_string(), disabled, now_millis()],
            )?;
            Ok(changed == 1)
        })
    }

    fn purge_tenant(&self, tenant: TenantId) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = tenant.to_string();
            for table in ["feed", "erasures", "documents", "blobs", "devices", "users"] {
                transaction.execute(
                    &format!("DELETE FROM {table} WHERE tenant_id = ?1"),
                    params![id],
                )?;
            }
            let deleted = transaction.execute("DELETE FROM tenants WHERE id = ?1", params![id])?;
            transaction.commit()?;
            Ok(deleted == 1)
        })
    }

    fn find_user(&self, tenant: TenantId, email: String) -> StorageFuture<'_, Option<UserRow>> {
        self.run(move |connection| {
            let row = connection
                .query_row(
                    &format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ?1 AND email = ?2"
                    ),
                    params![tenant.to_string(), email.trim().to_lowercase()],
                    user_row,
                )
                .optional()?;
            row.map(to_user).transpose()
        })
    }

    fn list_users(&self, tenant: TenantId) -> StorageFuture<'_, Vec<UserRow>> {
        self.run(move |connection| list_users(connection, &tenant.to_string()))
    }

    fn update_user(
        &self,
        tenant: TenantId,
        user: UserId,
        change: UserChange,
    ) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let keys = (tenant.to_string(), user.to_string());
            let changed = match change {
                UserChange::Role(role) => connection.execute(
                    "UPDATE users SET role = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![keys.0, keys.1, role.as_str()],
                )?,
                UserChange::Disabled(disabled) => connection.execute(
                    "UPDATE users SET disabled_at = CASE WHEN ?3 THEN coalesce(disabled_at, ?4) END
                     WHERE tenant_id = ?1 AND id = ?2",
                    params![keys.0, keys.1, disabled, now_millis()],
                )?,
                UserChange::PasswordHash(hash) => connection.execute(
                    "UPDATE users SET password_hash = ?3 WHERE tenant_id = ?1 AND id = ?2",
                    params![keys.0, keys.1, hash],
                )?,
            };
            Ok(changed == 1)
        })
    }

    fn list_devices(&self, tenant: TenantId) -> StorageFuture<'_, Vec<DeviceRow>> {
        self.run(move |connection| list_devices(connection, &tenant.to_string()))
    }

    fn revoke_device(&self, tenant: TenantId, device: DeviceId) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let changed = connection.execute(
                "UPDATE devices SET revoked_at = coalesce(revoked_at, ?3)
                 WHERE tenant_id = ?1 AND id = ?2",
                params![tenant.to_string(), device.to_string(), now_millis()],
            )?;
            Ok(changed == 1)
        })
    }

    fn put_blob(&self, tenant: TenantId, sha256: String, size: u64) -> StorageFuture<'_, ()> {
        self.run(move |connection| {
            connection.execute(
                "INSERT INTO blobs (tenant_id, sha256, size, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (tenant_id, sha256) DO NOTHING",
                params![tenant.to_string(), sha256, from_seq(size)?, now_millis()],
            )?;
            Ok(())
        })
    }

    fn has_blob(&self, tenant: TenantId, sha256: String) -> StorageFuture<'_, bool> {
        self.run(move |connection| {
            let found = connection
                .query_row(
                    "SELECT 1 FROM blobs WHERE tenant_id = ?1 AND sha256 = ?2",
                    params![tenant.to_string(), sha256],
                    |_| Ok(()),
                )
                .optional()?;
            Ok(found.is_some())
        })
    }

    fn export_tenant(&self, tenant: TenantId) -> StorageFuture<'_, Option<TenantDump>> {
        self.run(move |connection| {
            // One read transaction: a consistent snapshot even while the server serves pushes.
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let id = tenant.to_string();
            let row = transaction
                .query_row(
                    &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = ?1"),
                    params![id],
                    tenant_row,
                )
                .optional()?;
            let Some(row) = row else {
                return Ok(None);
            };
            let tenant_row = to_tenant(row)?;
            let users = list_users(&transaction, &id)?;
            let devices = list_devices(&transaction, &id)?;
            let documents = list_documents(&transaction, &id, "", i64::MAX)?;
            let feed = {
                let mut statement = transaction.prepare(
                    "SELECT seq, record_id, change_hash, change, user_id, device_id, received_at
                     FROM feed WHERE tenant_id = ?1 ORDER BY seq",
                )?;
                let rows = statement.query_map(params![id], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                        row.get::<_, Vec<u8>>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, i64>(6)?,
                    ))
                })?;
                rows.map(|row| {
                    let (seq, record, change_hash, change, user, device, received_at) = row?;
                    Ok(DumpedFeedRow {
                        seq: to_seq(seq)?,
                        record: RecordId(parse_uuid(&record)?),
                        change_hash: Bytes(change_hash),
                        change: Bytes(change),
                        user: UserId(parse_uuid(&user)?),
                        device: DeviceId(parse_uuid(&device)?),
                        received_at,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?
            };
            let blobs = {
                let mut statement = transaction.prepare(
                    "SELECT sha256, size, created_at FROM blobs WHERE tenant_id = ?1 ORDER BY sha256",
                )?;
                let rows = statement.query_map(params![id], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
                })?;
                rows.map(|row| {
                    let (sha256, size, created_at) = row?;
                    Ok(DumpedBlob { sha256, size: to_seq(size)?, created_at })
                })
                .collect::<Result<Vec<_>, StorageError>>()?
            };
            let erasures = {
                let mut statement = transaction.prepare(
                    "SELECT record_id, seq, erased_at FROM erasures WHERE tenant_id = ?1 ORDER BY seq",
                )?;
                let rows = statement.query_map(params![id], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
                })?;
                rows.map(|row| {
                    let (record, seq, erased_at) = row?;
                    Ok(DumpedErasure {
                        record: RecordId(parse_uuid(&record)?),
                        seq: to_seq(seq)?,
                        erased_at,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?
            };
            Ok(Some(TenantDump {
                format: TenantDump::FORMAT,
                tenant: tenant_row,
                users,
                devices,
                documents,
                feed,
                blobs,
                erasures,
            }))
        })
    }

    fn import_tenant(&self, dump: TenantDump) -> StorageFuture<'_, ()> {
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let tenant = &dump.tenant;
            let id = tenant.id.to_string();
            let exists = transaction
                .query_row(
                    "SELECT 1 FROM tenants WHERE id = ?1 OR slug = ?2",
                    params![id, tenant.slug],
                    |_| Ok(()),
                )
                .optional()?;
            if exists.is_some() {
                return Err(StorageError::ImportConflict(format!(
                    "a tenant with id {} or slug {:?} exists; purge it first",
                    tenant.id, tenant.slug
                )));
            }
            transaction.execute(
                "INSERT INTO tenants (id, slug, name, feed_head, created_at, disabled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    tenant.slug,
                    tenant.name,
                    from_seq(tenant.feed_head)?,
                    tenant.created_at,
                    tenant.disabled_at
                ],
            )?;
            for user in &dump.users {
                transaction.execute(
                    "INSERT INTO users
                         (tenant_id, id, email, display_name, role, password_hash, created_at, disabled_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        id,
                        user.id.to_string(),
                        user.email,
                        user.display_name,
                        user.role.as_str(),
                        user.password_hash,
                        user.created_at,
                        user.disabled_at
                    ],
                )?;
            }
            for device in &dump.devices {
                transaction.execute(
                    "INSERT INTO devices
                         (tenant_id, id, user_id, name, token_hash, created_at, last_seen_at, revoked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        id,
                        device.id.to_string(),
                        device.user.to_string(),
                        device.name,
                        device.token_hash.0,
                        device.created_at,
                        device.last_seen_at,
                        device.revoked_at
                    ],
                )?;
            }
            let now = now_millis();
            for document in &dump.documents {
                let record = document.record.to_string();
                if record_of_other_tenant(&transaction, &id, &record)? {
                    return Err(StorageError::ImportConflict(format!(
                        "record {record} belongs to another tenant of this server"
                    )));
                }
                transaction.execute(
                    "INSERT INTO documents (tenant_id, record_id, kind, bytes, revision, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        id,
                        record,
                        document.kind.as_str(),
                        document.bytes.0,
                        from_seq(document.revision)?,
                        now
                    ],
                )?;
            }
            for entry in &dump.feed {
                transaction.execute(
                    "INSERT INTO feed
                         (tenant_id, seq, record_id, change_hash, change, user_id, device_id, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        id,
                        from_seq(entry.seq)?,
                        entry.record.to_string(),
                        entry.change_hash.0,
                        entry.change.0,
                        entry.user.to_string(),
                        entry.device.to_string(),
                        entry.received_at
                    ],
                )?;
            }
            for blob in &dump.blobs {
                transaction.execute(
                    "INSERT INTO blobs (tenant_id, sha256, size, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![id, blob.sha256, from_seq(blob.size)?, blob.created_at],
                )?;
            }
            for erasure in &dump.erasures {
                transaction.execute(
                    "INSERT INTO erasures (tenant_id, record_id, seq, erased_at) VALUES (?1, ?2, ?3, ?4)",
                    params![id, erasure.record.to_string(), from_seq(erasure.seq)?, erasure.erased_at],
                )?;
            }
            transaction.commit()?;
            Ok(())
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
        conformance::a_batch_commits_in_one_transaction_with_an_outcome_per_write(&storage).await;
        conformance::an_erased_record_leaves_an_erasure_in_the_feed_and_refuses_writes(&storage)
            .await;
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
