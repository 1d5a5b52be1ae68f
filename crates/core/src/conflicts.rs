//! The conflict inbox: fields that two devices set concurrently. Automerge keeps both values and
//! shows the same winner everywhere; the store records each such field (record, field, every
//! value with who set it and when) so the user can keep the shown value or pick another. The
//! choice is an ordinary edit, so it syncs, and the conflict disappears on every device once
//! the edit supersedes both values.

use chrono::DateTime;
use crm_model::{Actor, Operation, RecordId, RecordKind};
use crm_protocol::ipc::{ConflictEntry, ConflictValue};
use rusqlite::{Transaction, params};
use serde_json::{Map, Value as Json};

use crate::document::{FieldConflict, RecordDocument};
use crate::error::CoreError;
use crate::permissions::check;
use crate::store::{Store, time_text};

/// Records the conflicts of a record's document as it is now (and forgets the resolved ones).
/// [`refresh`] after a change made on this device: such a change depends on every change the
/// document holds, so it can settle conflicts but never start one; only a record with
/// conflicts on file needs looking at.
pub(crate) fn refresh_after_local_edit(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    document: &mut RecordDocument,
) -> Result<(), CoreError> {
    let on_file: bool = transaction
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM conflicts WHERE record_id = ?1)")?
        .query_row([id.to_string()], |row| row.get(0))?;
    if on_file {
        refresh(transaction, kind, id, document)?;
    }
    Ok(())
}

pub(crate) fn refresh(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    document: &mut RecordDocument,
) -> Result<(), CoreError> {
    let conflicts = document.conflicts().map_err(|source| CoreError::Document {
        id,
        source: Box::new(source),
    })?;
    store(transaction, kind, id, conflicts)
}

/// Records `conflicts`, a record's document's conflicts as they are now (read off the writing
/// thread), and forgets the record's conflicts not among them.
pub(crate) fn store(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    conflicts: Vec<FieldConflict>,
) -> Result<(), CoreError> {
    let fields: Vec<String> = conflicts
        .iter()
        .map(|conflict| conflict.field.clone())
        .collect();
    let existing: Vec<String> = {
        let mut statement =
            transaction.prepare_cached("SELECT field FROM conflicts WHERE record_id = ?1")?;
        let rows = statement.query_map([id.to_string()], |row| row.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for field in existing.iter().filter(|field| !fields.contains(field)) {
        transaction
            .prepare_cached("DELETE FROM conflicts WHERE record_id = ?1 AND field = ?2")?
            .execute(params![id.to_string(), field])?;
    }
    for conflict in conflicts {
        let values: Vec<ConflictValue> = conflict
            .values
            .into_iter()
            .map(|value| ConflictValue {
                value: value.value,
                shown: value.winner,
                user_id: value.user.and_then(|text| text.parse().ok()),
                at: value.at_millis.and_then(DateTime::from_timestamp_millis),
            })
            .collect();
        let values =
            serde_json::to_string(&values).map_err(|source| CoreError::Fields { id, source })?;
        transaction
            .prepare_cached(
                "INSERT INTO conflicts (record_id, field, kind, record_values, detected_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (record_id, field) DO UPDATE SET record_values = excluded.record_values",
            )?
            .execute(params![id.to_string(), conflict.field, kind.as_str(), values, time_text(chrono::Utc::now())])?;
    }
    Ok(())
}

impl Store {
    /// Every open conflict, newest first.
    pub fn list_conflicts(&self) -> Result<Vec<ConflictEntry>, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT c.record_id, c.field, c.kind, c.record_values, c.detected_at, COALESCE(k.title, '')
             FROM conflicts c LEFT JOIN search_keys k ON k.record_id = c.record_id ORDER BY c.detected_at DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        let mut conflicts = Vec::new();
        for row in rows {
            let (id, field, kind, values, detected_at, title) = row?;
            let record_id: RecordId = id
                .parse()
                .map_err(|error: uuid::Error| CoreError::Corrupt(format!("conflict: {error}")))?;
            conflicts.push(ConflictEntry {
                kind: RecordKind::parse(&kind)
                    .ok_or_else(|| CoreError::Corrupt(format!("conflict kind {kind}")))?,
                record_id,
                title,
                field,
                values: serde_json::from_str(&values).map_err(|source| CoreError::Fields {
                    id: record_id,
                    source,
                })?,
                detected_at,
            });
        }
        Ok(conflicts)
    }

    pub fn open_conflicts(&self) -> Result<u64, CoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM conflicts", [], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Resolves a conflict with `value` (the shown one to keep it, or another): an edit that
    /// supersedes every concurrent value, synced like any other.
    pub fn resolve_conflict(
        &mut self,
        actor: &Actor,
        record_id: RecordId,
        field: &str,
        value: Json,
    ) -> Result<(), CoreError> {
        let document = self
            .load_document(record_id)?
            .ok_or(CoreError::Corrupt("conflict of a missing record".into()))?;
        let kind = document.kind().map_err(|source| CoreError::Document {
            id: record_id,
            source: Box::new(source),
        })?;
        let fields = document.fields().map_err(|source| CoreError::Document {
            id: record_id,
            source: Box::new(source),
        })?;
        let owner = kind
            .owner_field()
            .and_then(|name| fields.get(name))
            .and_then(Json::as_str)
            .and_then(|text| text.parse().ok());
        check(actor, Operation::Update, kind, owner)?;
        let mut change = Map::new();
        change.insert(field.to_owned(), value);
        let write = self.stage(actor, kind, record_id, Some(document), |document| {
            document
                .rewrite_fields(&change)
                .map_err(|source| CoreError::Document {
                    id: record_id,
                    source: Box::new(source),
                })
        })?;
        self.persist(vec![write])
    }
}
