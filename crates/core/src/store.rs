//! The local store: one SQLite file per profile (WAL), holding record documents, their
//! materialized rows, the outbox and the sync cursor.
//!
//! Invariant: one write = one SQLite transaction. A write changes the record's document, writes
//! its materialized row and appends the change to the outbox, or does none of it.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use crm_model::{Actor, DeviceId, RecordId, RecordKind, Role, TenantId, UserId};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value as Json};
use uuid::Uuid;

use crate::document::{Author, RecordDocument, heads_text};
use crate::error::CoreError;
use crate::materialize;

/// The file name of the store inside a profile's data directory.
pub const STORE_FILE_NAME: &str = "crm.sqlite3";

/// Migrations of the store's schema, in order; `PRAGMA user_version` counts those applied.
/// Append only: a landed migration is never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/client/0001_init.sql"),
    include_str!("../../../migrations/client/0002_full_model.sql"),
    include_str!("../../../migrations/client/0003_list_indexes.sql"),
    include_str!("../../../migrations/client/0004_board_index.sql"),
    include_str!("../../../migrations/client/0005_activity_agenda.sql"),
];

/// The page cache of the store's connection, in KiB.
const CACHE_KIB: i64 = 64 * 1024;
/// How much of the store file is memory-mapped for reads.
const MMAP_BYTES: i64 = 512 * 1024 * 1024;

/// Who this store belongs to: its device, tenant, and signed-in (or local) user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    pub device_id: DeviceId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
}

/// An edit committed to a record's document but not yet written to the store; only the core
/// makes and persists them.
pub struct StagedWrite {
    pub(crate) kind: RecordKind,
    pub(crate) id: RecordId,
    document: RecordDocument,
    change: Option<automerge::Change>,
    pub(crate) fields: Map<String, Json>,
    pub(crate) updated_at: DateTime<Utc>,
}

pub struct Store {
    pub(crate) conn: Connection,
    profile: Profile,
    /// The directory holding the store file; attachments' bytes live under `blobs/` in it.
    pub(crate) data_dir: std::path::PathBuf,
}

impl Store {
    /// Opens the store at `path`, creating the file, its schema and a local profile (the user
    /// is the admin of a local, unsynced tenant) on first use.
    pub fn open(path: &Path) -> Result<Store, CoreError> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| CoreError::DataDir {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a write the user saw succeed survives a power cut, not just an app crash.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Rows carry their record as JSON: a page cache and a memory map large enough for the
        // indexes and the pages a screen reads keep warm queries off the read() path.
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Every materialized table has its own statements; keep them all prepared.
        conn.set_prepared_statement_cache_capacity(256);
        migrate(&mut conn)?;
        conn.execute_batch(materialize::SEARCH_PENDING_TABLE)?;
        let (profile, created) = load_or_create_profile(&conn)?;
        let data_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut store = Store {
            conn,
            profile,
            data_dir,
        };
        if store.rebuild_needed()? {
            let count = store.rebuild()?;
            tracing::info!(
                records = count,
                "materialized rows rebuilt from the documents"
            );
        }
        if created {
            store.seed_default_pipeline()?;
        }
        store.optimize()?;
        Ok(store)
    }

    /// Refreshes the query planner's statistics where tables grew or shrank a lot since they
    /// were last gathered (SQLite's `PRAGMA optimize`, analysis limited so it stays fast).
    /// Without them the planner may pick a low-selectivity index (a status) over the one a
    /// query needs (a customer). Runs on open and after bulk writes and rebuilds.
    pub fn optimize(&self) -> Result<(), CoreError> {
        self.conn.execute_batch("PRAGMA optimize = 0x10002;")?;
        Ok(())
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// After the profile row changed (joining a server): the profile edits act as.
    pub(crate) fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    /// The user acting through this app.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.profile.user_id,
            role: self.profile.role,
        }
    }

    /// Loads a record's document, or `None` when the store has no such record.
    pub(crate) fn load_document(&self, id: RecordId) -> Result<Option<RecordDocument>, CoreError> {
        self.document_bytes(id)?
            .map(|bytes| {
                RecordDocument::load(&bytes, self.profile.device_id).map_err(|source| {
                    CoreError::Document {
                        id,
                        source: Box::new(source),
                    }
                })
            })
            .transpose()
    }

    /// A stored document's bytes, not loaded (a sync apply loads them on a worker thread).
    pub(crate) fn document_bytes(&self, id: RecordId) -> Result<Option<Vec<u8>>, CoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT bytes FROM documents WHERE id = ?1")?
            .query_row([id.to_string()], |row| row.get(0))
            .optional()?)
    }

    /// The one write path of local edits, first half: applies `edit` to a record's document (a
    /// new one when `existing` is `None`) and commits it as a change, without writing anything
    /// yet. [`Store::persist`] then writes staged edits together: documents, materialized rows
    /// and outbox entries in one transaction.
    pub(crate) fn stage(
        &self,
        actor: &Actor,
        kind: RecordKind,
        id: RecordId,
        existing: Option<RecordDocument>,
        edit: impl FnOnce(&mut RecordDocument) -> Result<(), CoreError>,
    ) -> Result<StagedWrite, CoreError> {
        let mut document = match existing {
            Some(document) => document,
            None => RecordDocument::create(kind, self.profile.device_id).map_err(|source| {
                CoreError::Document {
                    id,
                    source: Box::new(source),
                }
            })?,
        };
        edit(&mut document)?;
        let author = Author {
            user_id: actor.user_id,
            at_millis: now().timestamp_millis(),
        };
        let change = document
            .commit(author)
            .map_err(|source| CoreError::Document {
                id,
                source: Box::new(source),
            })?;
        let fields = document.fields().map_err(|source| CoreError::Document {
            id,
            source: Box::new(source),
        })?;
        // A local change depends on every head, so it is the only head now and its time is
        // the record's "updated at".
        let updated_at = match &change {
            Some(_) => DateTime::from_timestamp_millis(author.at_millis).unwrap_or_default(),
            None => document.last_change_time(),
        };
        Ok(StagedWrite {
            kind,
            id,
            document,
            change,
            fields,
            updated_at,
        })
    }

    /// Writes staged edits in ONE transaction: each changed document, its materialized rows
    /// and its outbox entry. Edits that changed nothing write nothing.
    pub(crate) fn persist(&mut self, writes: Vec<StagedWrite>) -> Result<(), CoreError> {
        if writes.iter().all(|write| write.change.is_none()) {
            return Ok(());
        }
        let transaction = self.conn.transaction()?;
        let created_at = now_text();
        for write in writes {
            let StagedWrite {
                kind,
                id,
                mut document,
                change,
                fields,
                updated_at,
            } = write;
            // Changes go to the outbox uncompressed: they are small, and compressing each one
            // cost more than the bytes it saved.
            let Some(change) = change else { continue };
            save_document(&transaction, id, kind, &mut document, updated_at)?;
            materialize::record(&transaction, kind, id, &fields, updated_at)?;
            crate::conflicts::refresh_after_local_edit(&transaction, kind, id, &mut document)?;
            transaction
                .prepare_cached(
                    "INSERT INTO outbox (record_id, change, created_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![id.to_string(), change.raw_bytes(), created_at])?;
        }
        materialize::flush_search(&transaction)?;
        transaction.commit()?;
        Ok(())
    }

    /// Regenerates every materialized row and the search index from the documents. Returns the
    /// number of records materialized.
    pub fn rebuild(&mut self) -> Result<u64, CoreError> {
        let count = crate::materialize::rebuild(&mut self.conn, self.profile.device_id)?;
        self.after_bulk_write()?;
        Ok(count)
    }

    /// After many records were written at once (a rebuild, the demo generator, a large
    /// import): merge the search index's segments and refresh the planner's statistics.
    pub(crate) fn after_bulk_write(&self) -> Result<(), CoreError> {
        crate::materialize::compact_search(&self.conn)?;
        self.optimize()
    }

    fn rebuild_needed(&self) -> Result<bool, CoreError> {
        let flag: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM sync_state WHERE key = 'rebuild_needed'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        Ok(flag.is_some())
    }

    /// Number of record documents in the store (every kind, trash included).
    pub fn document_count(&self) -> Result<u64, CoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM documents", [], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Number of local changes not yet acknowledged by the server.
    pub fn pending_changes(&self) -> Result<u64, CoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox", [], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

/// Stores a record's document with its heads and the time of its newest change (`changed_at`,
/// the record's "updated at", kept so a rebuild need not search the history for it).
pub(crate) fn save_document(
    transaction: &Transaction<'_>,
    id: RecordId,
    kind: RecordKind,
    document: &mut RecordDocument,
    changed_at: DateTime<Utc>,
) -> Result<(), CoreError> {
    let heads = document.heads();
    save_document_bytes(transaction, id, kind, &document.save(), &heads, changed_at)
}

/// [`save_document`] for bytes already saved (a document as the server sent it).
pub(crate) fn save_document_bytes(
    transaction: &Transaction<'_>,
    id: RecordId,
    kind: RecordKind,
    bytes: &[u8],
    heads: &[automerge::ChangeHash],
    changed_at: DateTime<Utc>,
) -> Result<(), CoreError> {
    let heads = heads_text(heads);
    transaction
        .prepare_cached(
            "INSERT INTO documents (id, kind, bytes, heads, changed_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, bytes = excluded.bytes,
                                            heads = excluded.heads, changed_at = excluded.changed_at",
        )?
        .execute(params![
            id.to_string(),
            kind.as_str(),
            bytes,
            heads,
            time_text(changed_at)
        ])?;
    Ok(())
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<(), CoreError> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if applied > known {
        return Err(CoreError::StoreTooNew {
            found: applied,
            known,
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(applied).unwrap_or(0))
    {
        let transaction = conn.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )?;
        transaction.commit()?;
    }
    Ok(())
}

/// The store's profile, and whether it was just created (a new store).
fn load_or_create_profile(conn: &Connection) -> Result<(Profile, bool), CoreError> {
    let existing = conn
        .query_row(
            "SELECT device_id, tenant_id, user_id, role FROM profile WHERE id = 1",
            [],
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
    if let Some((device, tenant, user, role)) = existing {
        let profile = Profile {
            device_id: DeviceId(parse_uuid(&device)?),
            tenant_id: TenantId(parse_uuid(&tenant)?),
            user_id: UserId(parse_uuid(&user)?),
            role: parse_role(&role)?,
        };
        return Ok((profile, false));
    }
    let profile = Profile {
        device_id: DeviceId(Uuid::now_v7()),
        tenant_id: TenantId(Uuid::now_v7()),
        user_id: UserId(Uuid::now_v7()),
        role: Role::Admin,
    };
    conn.execute(
        "INSERT INTO profile (id, device_id, tenant_id, user_id, role, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        params![
            profile.device_id.to_string(),
            profile.tenant_id.to_string(),
            profile.user_id.to_string(),
            profile.role.as_str(),
            now_text()
        ],
    )?;
    Ok((profile, true))
}

fn parse_uuid(text: &str) -> Result<Uuid, CoreError> {
    Uuid::parse_str(text).map_err(|error| {
        CoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(error),
        ))
    })
}

fn parse_role(text: &str) -> Result<Role, CoreError> {
    serde_json::from_value(Json::String(text.to_owned())).map_err(|error| {
        CoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(error),
        ))
    })
}

/// RFC 3339 in UTC with milliseconds: sorts as text in time order.
pub(crate) fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn now_text() -> String {
    time_text(now())
}

/// The current time at the precision the store keeps (milliseconds), so a time survives a
/// round trip through the store unchanged.
pub(crate) fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap_or_default()
}
