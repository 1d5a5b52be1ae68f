//! The PostgreSQL backend (`serve --database-url postgres://…`): a pool of connections
//! (deadpool), the schema of `migrations/server/postgres/`, and LISTEN/NOTIFY so that several
//! server nodes on one database announce each other's pushes on their live channels.
//!
//! Ordering of the feed: a push locks its tenant's row (`SELECT feed_head … FOR NO KEY UPDATE`)
//! first and until it commits, so seqs are gap-free and commit in order whichever node appends: a reader never
//! sees seq N+1 before N. The `NOTIFY` is sent inside the same transaction, so PostgreSQL
//! delivers it only once the entries are visible.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crm_model::{DeviceId, RecordId, RecordKind, Role, TenantId, UserId};
use crm_protocol::sync::Bytes;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::{AsyncMessage, NoTls, Row};
use uuid::Uuid;

use super::{
    Announce, CommitOutcome, DeviceRow, DocumentRow, DumpedBlob, DumpedErasure, DumpedFeedRow,
    FeedEvent, FeedRow, NewDevice, NewUser, RecordWrite, Storage, StorageError, StorageFuture,
    Stored, StoredDocument, TenantDump, TenantRow, UserChange, UserRow,
};
use crate::auth::{Principal, TokenHash};

/// The schema, one file per version, applied in order at startup. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/server/postgres/0001_initial.sql"),
    include_str!("../../../migrations/server/postgres/0002_erasures.sql"),
];

/// The channel pushes notify on; the payload is `TENANT_ID:FEED_HEAD`.
const CHANNEL: &str = "crm_feed";

/// Connections per node: pushes are short, and PostgreSQL serves a few hundred in total.
const POOL_SIZE: usize = 16;

/// Taken while migrating, so that nodes starting together do not migrate twice.
const MIGRATION_LOCK: i64 = 0x00C0_FFEE_0005;

pub(crate) struct PostgresStorage {
    pool: Pool,
    config: tokio_postgres::Config,
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(error: tokio_postgres::Error) -> StorageError {
        // The error's own text is often just "db error"; the detail is in its source.
        match std::error::Error::source(&error) {
            Some(source) => StorageError::Postgres(format!("{error}: {source}")),
            None => StorageError::Postgres(error.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(error: deadpool_postgres::PoolError) -> StorageError {
        StorageError::Postgres(error.to_string())
    }
}

impl PostgresStorage {
    /// Connects to `url` (e.g. `postgres://crm@db.internal/crm`) and brings its schema up to
    /// date. `options=-csearch_path%3DSCHEMA` in the URL puts the tables in another schema.
    pub(crate) async fn open(url: &str) -> Result<PostgresStorage, StorageError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|error| StorageError::Postgres(format!("database URL: {error}")))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|error| StorageError::Postgres(error.to_string()))?;
        let storage = PostgresStorage { pool, config };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn migrate(&self) -> Result<(), StorageError> {
        let mut client = self.pool.get().await?;
        let transaction = client.transaction().await?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        transaction
            .batch_execute("CREATE TABLE IF NOT EXISTS crm_schema_version (version INT NOT NULL)")
            .await?;
        let found: i32 = transaction
            .query_one(
                "SELECT coalesce(max(version), 0) FROM crm_schema_version",
                &[],
            )
            .await?
            .try_get(0)?;
        let known = MIGRATIONS.len() as u32;
        let found = u32::try_from(found).unwrap_or_default();
        if found > known {
            return Err(StorageError::SchemaTooNew { found, known });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            transaction.batch_execute(sql).await?;
            let version = index as i32 + 1;
            transaction
                .execute(
                    "INSERT INTO crm_schema_version (version) VALUES ($1)",
                    &[&version],
                )
                .await?;
            tracing::info!(version, "applied server database migration (PostgreSQL)");
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StorageError> {
        Ok(self.pool.get().await?)
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn to_seq(value: i64) -> Result<u64, StorageError> {
    u64::try_from(value).map_err(|_| StorageError::Invalid(format!("sequence number {value}")))
}

fn from_seq(value: u64) -> Result<i64, StorageError> {
    i64::try_from(value).map_err(|_| StorageError::Invalid(format!("sequence number {value}")))
}

fn parse_role(text: &str) -> Result<Role, StorageError> {
    Role::parse(text).ok_or_else(|| StorageError::Invalid(format!("role {text:?}")))
}

const TENANT_COLUMNS: &str = "id, slug, name, feed_head, created_at, disabled_at";

fn to_tenant(row: &Row) -> Result<TenantRow, StorageError> {
    Ok(TenantRow {
        id: TenantId(row.try_get(0)?),
        slug: row.try_get(1)?,
        name: row.try_get(2)?,
        feed_head: to_seq(row.try_get(3)?)?,
        created_at: row.try_get(4)?,
        disabled_at: row.try_get(5)?,
    })
}

const USER_COLUMNS: &str = "id, email, display_name, role, password_hash, created_at, disabled_at";

fn to_user(row: &Row) -> Result<UserRow, StorageError> {
    Ok(UserRow {
        id: UserId(row.try_get(0)?),
        email: row.try_get(1)?,
        display_name: row.try_get(2)?,
        role: parse_role(row.try_get(3)?)?,
        password_hash: row.try_get(4)?,
        created_at: row.try_get(5)?,
        disabled_at: row.try_get(6)?,
    })
}

async fn list_users(
    client: &impl GenericClient,
    tenant: &Uuid,
) -> Result<Vec<UserRow>, StorageError> {
    let rows = client
        .query(
            &format!(
                "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY display_name, email"
            ),
            &[tenant],
        )
        .await?;
    rows.iter().map(to_user).collect()
}

async fn list_devices(
    client: &impl GenericClient,
    tenant: &Uuid,
) -> Result<Vec<DeviceRow>, StorageError> {
    let rows = client
        .query(
            "SELECT id, user_id, name, token_hash, created_at, last_seen_at, revoked_at
             FROM devices WHERE tenant_id = $1 ORDER BY created_at DESC, id",
            &[tenant],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(DeviceRow {
                id: DeviceId(row.try_get(0)?),
                user: UserId(row.try_get(1)?),
                name: row.try_get(2)?,
                token_hash: Bytes(row.try_get(3)?),
                created_at: row.try_get(4)?,
                last_seen_at: row.try_get(5)?,
                revoked_at: row.try_get(6)?,
            })
        })
        .collect()
}

async fn list_documents(
    client: &impl GenericClient,
    tenant: &Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DocumentRow>, StorageError> {
    let rows = client
        .query(
            "SELECT record_id, kind, bytes, revision FROM documents
             WHERE tenant_id = $1 AND ($2::uuid IS NULL OR record_id > $2)
             ORDER BY record_id LIMIT $3",
            &[tenant, &after, &limit],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let kind: &str = row.try_get(1)?;
            Ok(DocumentRow {
                record: RecordId(row.try_get(0)?),
                kind: RecordKind::parse(kind)
                    .ok_or_else(|| StorageError::Invalid(format!("record kind {kind:?}")))?,
                bytes: Bytes(row.try_get(2)?),
                revision: to_seq(row.try_get(3)?)?,
            })
        })
        .collect()
}

async fn record_of_other_tenant(
    client: &impl GenericClient,
    tenant: &Uuid,
    record: &Uuid,
) -> Result<bool, StorageError> {
    let found = client
        .query_opt(
            "SELECT 1 FROM documents WHERE record_id = $1 AND tenant_id <> $2",
            &[record, tenant],
        )
        .await?;
    Ok(found.is_some())
}

/// Locks the tenant's row and answers its last feed seq. Every writer of the feed takes this
/// lock first: one lock order, so writers of a tenant queue instead of deadlocking. NO KEY
/// UPDATE, because the foreign keys of the rows written after take KEY SHARE on the same row,
/// which it does not conflict with.
async fn lock_feed_head(
    transaction: &deadpool_postgres::Transaction<'_>,
    tenant: TenantId,
) -> Result<i64, StorageError> {
    Ok(transaction
        .query_opt(
            "SELECT feed_head FROM tenants WHERE id = $1 FOR NO KEY UPDATE",
            &[&tenant.0],
        )
        .await?
        .ok_or(StorageError::NoSuchTenant(tenant))?
        .try_get(0)?)
}

/// Moves the tenant's feed head to `head` and tells every node (the NOTIFY is delivered once
/// the transaction commits, when the new entries are visible).
async fn move_feed_head(
    transaction: &deadpool_postgres::Transaction<'_>,
    tenant: TenantId,
    head: i64,
) -> Result<(), StorageError> {
    transaction
        .execute(
            "UPDATE tenants SET feed_head = $2 WHERE id = $1",
            &[&tenant.0, &head],
        )
        .await?;
    let notice = format!("{}:{head}", tenant.0);
    transaction
        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &notice])
        .await?;
    Ok(())
}

/// Why a record the tenant does not hold cannot be created: its id belongs to another tenant,
/// or the tenant erased it. One round trip.
async fn refused_creation(
    client: &impl GenericClient,
    tenant: &Uuid,
    record: &Uuid,
) -> Result<Option<CommitOutcome>, StorageError> {
    let found = client
        .query_opt(
            "SELECT true FROM erasures WHERE tenant_id = $2 AND record_id = $1
             UNION ALL
             SELECT false FROM documents WHERE record_id = $1 AND tenant_id <> $2
             LIMIT 1",
            &[record, tenant],
        )
        .await?;
    Ok(match found {
        None => None,
        Some(row) if row.try_get::<_, bool>(0)? => Some(CommitOutcome::Erased),
        Some(_) => Some(CommitOutcome::ForeignRecord),
    })
}

/// Listens on [`CHANNEL`] on a connection of its own (LISTEN needs one that stays open),
/// reconnecting after failures, and announces what other nodes (and this one) pushed.
async fn listen_loop(config: tokio_postgres::Config, announce: Announce) {
    let mut delay = Duration::from_millis(100);
    loop {
        match listen_once(&config, &announce).await {
            Ok(()) => tracing::warn!("the LISTEN connection closed; reconnecting"),
            Err(error) => tracing::warn!(%error, "the LISTEN connection failed; reconnecting"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(
    config: &tokio_postgres::Config,
    announce: &Announce,
) -> Result<(), StorageError> {
    use futures_util::StreamExt as _;
    let (client, mut connection) = config.connect(NoTls).await?;
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages =
            futures_util::stream::poll_fn(move |context| connection.poll_message(context));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(notification)) => {
                    if sender.send(notification.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "the LISTEN connection failed");
                    break;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    tracing::info!("listening for feed notices of other nodes");
    while let Some(payload) = receiver.recv().await {
        let parsed = payload.split_once(':').and_then(|(tenant, head)| {
            Some((Uuid::parse_str(tenant).ok()?, head.parse::<u64>().ok()?))
        });
        match parsed {
            Some((tenant, head)) => announce(TenantId(tenant), head),
            None => tracing::warn!(payload, "ignoring a malformed feed notice"),
        }
    }
    driver.abort();
    Ok(())
}

impl Storage for PostgresStorage {
    fn listen(&self, announce: Announce) {
        tokio::spawn(listen_loop(self.config.clone(), announce));
    }

    fn authenticate(&self, token_hash: TokenHash) -> StorageFuture<'_, Option<Principal>> {
        Box::pin(async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT d.tenant_id, d.user_id, d.id, u.role
                     FROM devices d
                     JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.user_id
                     JOIN tenants t ON t.id = d.tenant_id
                     WHERE d.token_hash = $1 AND d.revoked_at IS NULL
                       AND u.disabled_at IS NULL AND t.disabled_at IS NULL",
                    &[&token_hash.as_bytes().as_slice()],
                )
                .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            Ok(Some(Principal {
                tenant: TenantId(row.try_get(0)?),
                user: UserId(row.try_get(1)?),
                device: DeviceId(row.try_get(2)?),
                role: parse_role(row.try_get(3)?)?,
            }))
        })
    }

    fn create_tenant(
        &self,
        tenant: TenantId,
        slug: String,
        name: String,
    ) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let client = self.client().await?;
            let inserted = client
                .execute(
                    "INSERT INTO tenants (id, slug, name, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO NOTHING",
                    &[&tenant.0, &slug, &name, &now_millis()],
                )
                .await?;
            Ok(inserted == 1)
        })
    }

    fn create_user(&self, tenant: TenantId, user: NewUser) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let client = self.client().await?;
            let inserted = client
                .execute(
                    "INSERT INTO users
                         (tenant_id, id, email, display_name, role, password_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (tenant_id, id) DO NOTHING",
                    &[
                        &tenant.0,
                        &user.id.0,
                        &user.email.trim().to_lowercase(),
                        &user.display_name,
                        &user.role.as_str(),
                        &user.password_hash,
                        &now_millis(),
                    ],
                )
                .await?;
            Ok(inserted == 1)
        })
    }

    fn put_device(&self, tenant: TenantId, device: NewDevice) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO devices (tenant_id, id, user_id, name, token_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (tenant_id, id) DO UPDATE
                     SET token_hash = excluded.token_hash, name = excluded.name,
                         revoked_at = NULL",
                    &[
                        &tenant.0,
                        &device.id.0,
                        &device.user.0,
                        &device.name,
                        &device.token_hash.as_bytes().as_slice(),
                        &now_millis(),
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn load_document(&self, tenant: TenantId, record: RecordId) -> StorageFuture<'_, Stored> {
        Box::pin(async move {
            let client = self.client().await?;
            // A document and an erasure of one record never exist together.
            let row = client
                .query_opt(
                    "SELECT bytes, revision FROM documents WHERE tenant_id = $1 AND record_id = $2
                     UNION ALL
                     SELECT NULL::bytea, NULL::bigint FROM erasures
                     WHERE tenant_id = $1 AND record_id = $2",
                    &[&tenant.0, &record.0],
                )
                .await?;
            let Some(row) = row else {
                return Ok(Stored::Nothing);
            };
            let bytes: Option<Vec<u8>> = row.try_get(0)?;
            let revision: Option<i64> = row.try_get(1)?;
            Ok(match (bytes, revision) {
                (Some(bytes), Some(revision)) => Stored::Document(StoredDocument {
                    bytes,
                    revision: to_seq(revision)?,
                }),
                _ => Stored::Erased,
            })
        })
    }

    fn commit_records(
        &self,
        tenant: TenantId,
        writes: Vec<RecordWrite>,
    ) -> StorageFuture<'_, Vec<CommitOutcome>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let transaction = client.transaction().await?;
            let mut head = lock_feed_head(&transaction, tenant).await?;
            let now = now_millis();
            let insert = transaction
                .prepare(
                    "INSERT INTO documents (tenant_id, record_id, kind, bytes, revision, updated_at)
                     VALUES ($1, $2, $3, $4, 1, $5)
                     ON CONFLICT (tenant_id, record_id) DO NOTHING",
                )
                .await?;
            let update = transaction
                .prepare(
                    "UPDATE documents
                     SET kind = $3, bytes = $4, revision = revision + 1, updated_at = $5
                     WHERE tenant_id = $1 AND record_id = $2 AND revision = $6",
                )
                .await?;
            let append = transaction
                .prepare(
                    "INSERT INTO feed
                         (tenant_id, seq, record_id, change_hash, change, user_id, device_id,
                          received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (tenant_id, change_hash) DO NOTHING",
                )
                .await?;
            let mut outcomes = Vec::with_capacity(writes.len());
            for write in &writes {
                let kind = write.kind.as_str();
                let refused = match write.expected_revision {
                    None => refused_creation(&transaction, &tenant.0, &write.record.0).await?,
                    Some(_) => None,
                };
                if let Some(refused) = refused {
                    outcomes.push(refused);
                    continue;
                }
                let stored = match write.expected_revision {
                    None => {
                        transaction
                            .execute(
                                &insert,
                                &[&tenant.0, &write.record.0, &kind, &write.document, &now],
                            )
                            .await?
                    }
                    Some(revision) => {
                        transaction
                            .execute(
                                &update,
                                &[
                                    &tenant.0,
                                    &write.record.0,
                                    &kind,
                                    &write.document,
                                    &now,
                                    &from_seq(revision)?,
                                ],
                            )
                            .await?
                    }
                };
                if stored == 0 {
                    outcomes.push(CommitOutcome::Conflict);
                    continue;
                }
                for change in &write.changes {
                    let appended = transaction
                        .execute(
                            &append,
                            &[
                                &tenant.0,
                                &(head + 1),
                                &write.record.0,
                                &change.hash.as_slice(),
                                &change.bytes,
                                &write.user.0,
                                &write.device.0,
                                &now,
                            ],
                        )
                        .await?;
                    head += appended as i64;
                }
                outcomes.push(CommitOutcome::Committed {
                    feed_head: to_seq(head)?,
                });
            }
            move_feed_head(&transaction, tenant, head).await?;
            transaction.commit().await?;
            Ok(outcomes)
        })
    }

    fn read_feed(
        &self,
        tenant: TenantId,
        since: u64,
        limit: u32,
    ) -> StorageFuture<'_, Vec<FeedRow>> {
        Box::pin(async move {
            let client = self.client().await?;
            // Each side is limited on its own (an index range scan each) before the merge.
            let rows = client
                .query(
                    "(SELECT seq, record_id, change FROM feed
                      WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3)
                     UNION ALL
                     (SELECT seq, record_id, NULL::bytea FROM erasures
                      WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3)
                     ORDER BY seq LIMIT $3",
                    &[&tenant.0, &from_seq(since)?, &i64::from(limit)],
                )
                .await?;
            rows.iter()
                .map(|row| {
                    let change: Option<Vec<u8>> = row.try_get(2)?;
                    Ok(FeedRow {
                        seq: to_seq(row.try_get(0)?)?,
                        record: RecordId(row.try_get(1)?),
                        event: change.map_or(FeedEvent::Erased, FeedEvent::Change),
                    })
                })
                .collect()
        })
    }

    fn feed_head(&self, tenant: TenantId) -> StorageFuture<'_, u64> {
        Box::pin(async move {
            let client = self.client().await?;
            let row = client
                .query_opt("SELECT feed_head FROM tenants WHERE id = $1", &[&tenant.0])
                .await?
                .ok_or(StorageError::NoSuchTenant(tenant))?;
            to_seq(row.try_get(0)?)
        })
    }

    fn count_documents(&self, tenant: TenantId) -> StorageFuture<'_, u64> {
        Box::pin(async move {
            let client = self.client().await?;
            let row = client
                .query_one(
                    "SELECT COUNT(*) FROM documents WHERE tenant_id = $1",
                    &[&tenant.0],
                )
                .await?;
            to_seq(row.try_get(0)?)
        })
    }

    fn list_documents(
        &self,
        tenant: TenantId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StorageFuture<'_, Vec<DocumentRow>> {
        Box::pin(async move {
            let client = self.client().await?;
            let after = after.map(|record| record.0);
            list_documents(&client, &tenant.0, after, i64::from(limit)).await
        })
    }

    fn erase_record(&self, tenant: TenantId, record: RecordId) -> StorageFuture<'_, Option<u64>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let transaction = client.transaction().await?;
            // The erasure's seq is the next one, as for a push.
            let head = lock_feed_head(&transaction, tenant).await?;
            let documents = transaction
                .execute(
                    "DELETE FROM documents WHERE tenant_id = $1 AND record_id = $2",
                    &[&tenant.0, &record.0],
                )
                .await?;
            let entries = transaction
                .execute(
                    "DELETE FROM feed WHERE tenant_id = $1 AND record_id = $2",
                    &[&tenant.0, &record.0],
                )
                .await?;
            if documents + entries == 0 {
                // Never had it, or erased already: the transaction rolls back unchanged.
                return Ok(None);
            }
            let head = head + 1;
            transaction
                .execute(
                    "INSERT INTO erasures (tenant_id, record_id, seq, erased_at)
                     VALUES ($1, $2, $3, $4)",
                    &[&tenant.0, &record.0, &head, &now_millis()],
                )
                .await?;
            // Every node's live channel tells its devices, which pull the erasure.
            move_feed_head(&transaction, tenant, head).await?;
            transaction.commit().await?;
            Ok(Some(to_seq(head)?))
        })
    }

    fn find_tenant(&self, slug: String) -> StorageFuture<'_, Option<TenantRow>> {
        Box::pin(async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE slug = $1"),
                    &[&slug],
                )
                .await?;
            row.as_ref().map(to_tenant).transpose()
        })
    }

    fn list_tenants(&self) -> StorageFuture<'_, Vec<TenantRow>> {
        Box::pin(async move {
            let client = self.client().await?;
            let rows = client
                .query(
                    &format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY slug"),
                    &[],
                )
                .await?;
            rows.iter().map(to_tenant).collect()
        })
    }

    fn set_tenant_disabled(&self, tenant: TenantId, disabled: bool) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let client = self.client().await?;
            let changed = client
                .execute(
                    "UPDATE tenants
                     SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, $3) END
                     WHERE id = $1",
                    &[&tenant.0, &disabled, &now_millis()],
                )
                .await?;
            Ok(changed == 1)
        })
    }

    fn purge_tenant(&self, tenant: TenantId) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let transaction = client.transaction().await?;
            for table in ["feed", "erasures", "documents", "blobs", "devices", "users"] {
                transaction
                    .execute(
                        &format!("DELETE FROM {table} WHERE tenant_id = $1"),
                        &[&tenant.0],
                    )
                    .await?;
            }
            let deleted = transaction
                .execute("DELETE FROM tenants WHERE id = $1", &[&tenant.0])
                .await?;
            transaction.commit().await?;
            Ok(deleted == 1)
        })
    }

    fn find_user(&self, tenant: TenantId, email: String) -> StorageFuture<'_, Option<UserRow>> {
        Box::pin(async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    &format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND email = $2"
                    ),
                    &[&tenant.0, &email.trim().to_lowercase()],
                )
                .await?;
            row.as_ref().map(to_user).transpose()
        })
    }

    fn list_users(&self, tenant: TenantId) -> StorageFuture<'_, Vec<UserRow>> {
        Box::pin(async move {
            let client = self.client().await?;
            list_users(&client, &tenant.0).await
        })
    }

    fn update_user(
        &self,
        tenant: TenantId,
        user: UserId,
        change: UserChange,
    ) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let client = self.client().await?;
            let changed =
                match change {
                    UserChange::Role(role) => {
                        client
                            .execute(
                                "UPDATE users SET role = $3 WHERE tenant_id = $1 AND id = $2",
                                &[&tenant.0, &user.0, &role.as_str()],
                            )
                            .await?
                    }
                    UserChange::Disabled(disabled) => {
                        client
                            .execute(
                                "UPDATE users
                             SET disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, $4) END
                             WHERE tenant_id = $1 AND id = $2",
                                &[&tenant.0, &user.0, &disabled, &now_millis()],
                            )
                            .await?
                    }
                    UserChange::PasswordHash(hash) => client
                        .execute(
                            "UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2",
                            &[&tenant.0, &user.0, &hash],
                        )
                        .await?,
                };
            Ok(changed == 1)
        })
    }

    fn list_devices(&self, tenant: TenantId) -> StorageFuture<'_, Vec<DeviceRow>> {
        Box::pin(async move {
            let client = self.client().await?;
            list_devices(&client, &tenant.0).await
        })
    }

    fn revoke_device(&self, tenant: TenantId, device: DeviceId) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let client = self.client().await?;
            let changed = client
                .execute(
                    "UPDATE devices SET revoked_at = coalesce(revoked_at, $3)
                     WHERE tenant_id = $1 AND id = $2",
                    &[&tenant.0, &device.0, &now_millis()],
                )
                .await?;
            Ok(changed == 1)
        })
    }

    fn put_blob(&self, tenant: TenantId, sha256: String, size: u64) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO blobs (tenant_id, sha256, size, created_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, sha256) DO NOTHING",
                    &[&tenant.0, &sha256, &from_seq(size)?, &now_millis()],
                )
                .await?;
            Ok(())
        })
    }

    fn has_blob(&self, tenant: TenantId, sha256: String) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let client = self.client().await?;
            let found = client
                .query_opt(
                    "SELECT 1 FROM blobs WHERE tenant_id = $1 AND sha256 = $2",
                    &[&tenant.0, &sha256],
                )
                .await?;
            Ok(found.is_some())
        })
    }

    fn export_tenant(&self, tenant: TenantId) -> StorageFuture<'_, Option<TenantDump>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            // One repeatable-read snapshot, consistent while pushes go on.
            let transaction = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let id = tenant.0;
            let Some(row) = transaction
                .query_opt(
                    &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"),
                    &[&id],
                )
                .await?
            else {
                return Ok(None);
            };
            let tenant_row = to_tenant(&row)?;
            let users = list_users(&transaction, &id).await?;
            let devices = list_devices(&transaction, &id).await?;
            let documents = list_documents(&transaction, &id, None, i64::MAX).await?;
            let feed = transaction
                .query(
                    "SELECT seq, record_id, change_hash, change, user_id, device_id, received_at
                     FROM feed WHERE tenant_id = $1 ORDER BY seq",
                    &[&id],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(DumpedFeedRow {
                        seq: to_seq(row.try_get(0)?)?,
                        record: RecordId(row.try_get(1)?),
                        change_hash: Bytes(row.try_get(2)?),
                        change: Bytes(row.try_get(3)?),
                        user: UserId(row.try_get(4)?),
                        device: DeviceId(row.try_get(5)?),
                        received_at: row.try_get(6)?,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            let blobs = transaction
                .query(
                    "SELECT sha256, size, created_at FROM blobs WHERE tenant_id = $1
                     ORDER BY sha256",
                    &[&id],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(DumpedBlob {
                        sha256: row.try_get(0)?,
                        size: to_seq(row.try_get(1)?)?,
                        created_at: row.try_get(2)?,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            let erasures = transaction
                .query(
                    "SELECT record_id, seq, erased_at FROM erasures WHERE tenant_id = $1
                     ORDER BY seq",
                    &[&id],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(DumpedErasure {
                        record: RecordId(row.try_get(0)?),
                        seq: to_seq(row.try_get(1)?)?,
                        erased_at: row.try_get(2)?,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            transaction.commit().await?;
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
        Box::pin(async move {
            let mut client = self.client().await?;
            let transaction = client.transaction().await?;
            let tenant = &dump.tenant;
            let id = tenant.id.0;
            let exists = transaction
                .query_opt(
                    "SELECT 1 FROM tenants WHERE id = $1 OR slug = $2",
                    &[&id, &tenant.slug],
                )
                .await?;
            if exists.is_some() {
                return Err(StorageError::ImportConflict(format!(
                    "a tenant with id {} or slug {:?} exists; purge it first",
                    tenant.id, tenant.slug
                )));
            }
            transaction
                .execute(
                    "INSERT INTO tenants (id, slug, name, feed_head, created_at, disabled_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &id,
                        &tenant.slug,
                        &tenant.name,
                        &from_seq(tenant.feed_head)?,
                        &tenant.created_at,
                        &tenant.disabled_at,
                    ],
                )
                .await?;
            for user in &dump.users {
                transaction
                    .execute(
                        "INSERT INTO users (tenant_id, id, email, display_name, role,
                                            password_hash, created_at, disabled_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        &[
                            &id,
                            &user.id.0,
                            &user.email,
                            &user.display_name,
                            &user.role.as_str(),
                            &user.password_hash,
                            &user.created_at,
                            &user.disabled_at,
                        ],
                    )
                    .await?;
            }
            for device in &dump.devices {
                transaction
                    .execute(
                        "INSERT INTO devices (tenant_id, id, user_id, name, token_hash,
                                              created_at, last_seen_at, revoked_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        &[
                            &id,
                            &device.id.0,
                            &device.user.0,
                            &device.name,
                            &device.token_hash.0,
                            &device.created_at,
                            &device.last_seen_at,
                            &device.revoked_at,
                        ],
                    )
                    .await?;
            }
            let now = now_millis();
            for document in &dump.documents {
                if record_of_other_tenant(&transaction, &id, &document.record.0).await? {
                    return Err(StorageError::ImportConflict(format!(
                        "record {} belongs to another tenant of this server",
                        document.record
                    )));
                }
                transaction
                    .execute(
                        "INSERT INTO documents (tenant_id, record_id, kind, bytes, revision,
                                                updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[
                            &id,
                            &document.record.0,
                            &document.kind.as_str(),
                            &document.bytes.0,
                            &from_seq(document.revision)?,
                            &now,
                        ],
                    )
                    .await?;
            }
            for entry in &dump.feed {
                transaction
                    .execute(
                        "INSERT INTO feed (tenant_id, seq, record_id, change_hash, change,
                                           user_id, device_id, received_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        &[
                            &id,
                            &from_seq(entry.seq)?,
                            &entry.record.0,
                            &entry.change_hash.0,
                            &entry.change.0,
                            &entry.user.0,
                            &entry.device.0,
                            &entry.received_at,
                        ],
                    )
                    .await?;
            }
            for blob in &dump.blobs {
                transaction
                    .execute(
                        "INSERT INTO blobs (tenant_id, sha256, size, created_at)
                         VALUES ($1, $2, $3, $4)",
                        &[&id, &blob.sha256, &from_seq(blob.size)?, &blob.created_at],
                    )
                    .await?;
            }
            for erasure in &dump.erasures {
                transaction
                    .execute(
                        "INSERT INTO erasures (tenant_id, record_id, seq, erased_at)
                         VALUES ($1, $2, $3, $4)",
                        &[
                            &id,
                            &erasure.record.0,
                            &from_seq(erasure.seq)?,
                            &erasure.erased_at,
                        ],
                    )
                    .await?;
            }
            transaction.commit().await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::conformance;

    #[tokio::test]
    async fn conforms() {
        let storage = PostgresStorage::open(&conformance::fresh_postgres_url().await)
            .await
            .expect("opens");
        conformance::tokens_authenticate_their_principal(&storage).await;
        conformance::commits_are_conditional_and_feeds_idempotent(&storage).await;
        conformance::tenants_do_not_see_each_other(&storage).await;
        conformance::a_batch_commits_in_one_transaction_with_an_outcome_per_write(&storage).await;
        conformance::an_erased_record_leaves_an_erasure_in_the_feed_and_refuses_writes(&storage)
            .await;
    }

    #[tokio::test]
    async fn migrating_twice_changes_nothing_and_newer_schemas_are_refused() {
        let url = conformance::fresh_postgres_url().await;
        let storage = PostgresStorage::open(&url).await.expect("opens");
        drop(PostgresStorage::open(&url).await.expect("opens again"));
        let client = storage.client().await.expect("a connection");
        client
            .execute("INSERT INTO crm_schema_version (version) VALUES (99)", &[])
            .await
            .expect("inserts");
        let error = PostgresStorage::open(&url).await.err().expect("refused");
        assert!(
            matches!(error, StorageError::SchemaTooNew { found: 99, .. }),
            "{error}"
        );
    }
}
