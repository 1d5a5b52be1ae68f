//! Materialization: deriving the typed, indexed rows that queries read from a record's
//! document fields. Rows are a cache of the documents: `rebuild` regenerates all of them, and a
//! test checks it gives the same rows as the incremental path.

mod rows;
mod search;

use chrono::{DateTime, Utc};
use crm_model::{RecordId, RecordKind};
use rusqlite::{Connection, Transaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::document::{
    DELETED_AT_FIELD, DELETED_WITH_FIELD, KIND_FIELD, RecordDocument, SCHEMA_VERSION_FIELD,
};
use crate::error::CoreError;
use crate::store::time_text;

pub(crate) use rows::table_of;
pub(crate) use search::{
    PENDING_TABLE as SEARCH_PENDING_TABLE, SearchHit, compact as compact_search,
    flush as flush_search, match_expression, search,
};

/// Fields of an entity that are not stored in its document but derived: the id is the
/// document's id, and "updated at" is the time of its newest change (storing it would make
/// every two concurrent edits conflict on it).
const DERIVED_FIELDS: &[&str] = &["id", "updatedAt"];

/// The document fields of an entity: its serde form without the derived fields.
pub(crate) fn fields_of<T: Serialize>(
    id: RecordId,
    entity: &T,
) -> Result<Map<String, Json>, CoreError> {
    match serde_json::to_value(entity) {
        Ok(Json::Object(mut fields)) => {
            for derived in DERIVED_FIELDS {
                fields.remove(*derived);
            }
            Ok(fields)
        }
        Ok(_) => Ok(Map::new()),
        Err(source) => Err(CoreError::Fields { id, source }),
    }
}

/// An entity read back from its document fields, with the derived fields filled in. Fields the
/// entity does not know (written by a newer app) are ignored here and kept in the document.
pub(crate) fn entity_from<T: DeserializeOwned>(
    id: RecordId,
    fields: &Map<String, Json>,
    updated_at: DateTime<Utc>,
) -> Result<T, CoreError> {
    let mut fields = fields.clone();
    for meta in [
        KIND_FIELD,
        SCHEMA_VERSION_FIELD,
        DELETED_AT_FIELD,
        DELETED_WITH_FIELD,
    ] {
        fields.remove(meta);
    }
    fields.insert("id".into(), Json::String(id.to_string()));
    fields.insert("updatedAt".into(), Json::String(time_text(updated_at)));
    serde_json::from_value(Json::Object(fields)).map_err(|source| CoreError::Fields { id, source })
}

/// A list row's payload (the entity as JSON) read back.
pub(crate) fn from_data<T: DeserializeOwned>(id: &str, data: &str) -> Result<T, CoreError> {
    serde_json::from_str(data).map_err(|source| CoreError::Fields {
        id: id.parse().unwrap_or(RecordId(uuid::Uuid::nil())),
        source,
    })
}

/// Writes the materialized row(s) of one record from its document fields.
pub(crate) fn record(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    fields: &Map<String, Json>,
    updated_at: DateTime<Utc>,
) -> Result<(), CoreError> {
    let deleted_at = fields
        .get(DELETED_AT_FIELD)
        .and_then(Json::as_str)
        .map(str::to_owned);
    let row = rows::Row {
        transaction,
        id,
        fields,
        updated_at,
        deleted_at: deleted_at.as_deref(),
    };
    let searchable = match kind {
        RecordKind::Customer => rows::customer(&row)?,
        RecordKind::Contact => rows::contact(&row)?,
        RecordKind::Lead => rows::lead(&row)?,
        RecordKind::Deal => rows::deal(&row)?,
        RecordKind::Pipeline => rows::pipeline(&row)?,
        RecordKind::Communication => rows::communication(&row)?,
        RecordKind::Activity => rows::activity(&row)?,
        RecordKind::Note => rows::note(&row)?,
        RecordKind::Attachment => rows::attachment(&row)?,
        RecordKind::Tag => rows::tag(&row)?,
        RecordKind::SalesDocument => rows::sales_document(&row)?,
        RecordKind::User => rows::user(&row)?,
        RecordKind::Settings => rows::settings(&row)?,
    };
    match searchable.filter(|_| row.deleted_at.is_none()) {
        Some(entry) => search::index(transaction, kind, id, &entry),
        None => search::remove(transaction, id),
    }
}

/// Removes every materialized row of a record (hard purge).
pub(crate) fn forget(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
) -> Result<(), CoreError> {
    let table = rows::table_of(kind);
    transaction.execute(
        &format!("DELETE FROM {table} WHERE id = ?1"),
        [id.to_string()],
    )?;
    if kind == RecordKind::Pipeline {
        transaction.execute(
            "DELETE FROM pipeline_stages WHERE pipeline_id = ?1",
            [id.to_string()],
        )?;
    }
    search::remove(transaction, id)
}

/// Regenerates every materialized row and the search index from the documents, in one
/// transaction. Returns the number of records materialized.
pub(crate) fn rebuild(
    conn: &mut Connection,
    device: crm_model::DeviceId,
) -> Result<u64, CoreError> {
    let transaction = conn.transaction()?;
    for kind in RecordKind::ALL {
        transaction.execute(&format!("DELETE FROM {}", rows::table_of(*kind)), [])?;
    }
    transaction.execute("DELETE FROM pipeline_stages", [])?;
    transaction.execute("DELETE FROM deal_stage_visits", [])?;
    search::clear(&transaction)?;
    let mut count = 0;
    {
        let mut statement = transaction.prepare("SELECT id, bytes, changed_at FROM documents")?;
        let mut documents = statement.query([])?;
        while let Some(row) = documents.next()? {
            let id: RecordId = row
                .get::<_, String>(0)?
                .parse()
                .map_err(|error: uuid::Error| {
                    CoreError::Corrupt(format!("document id: {error}"))
                })?;
            let bytes: Vec<u8> = row.get(1)?;
            let changed_at: Option<String> = row.get(2)?;
            let mut document =
                RecordDocument::load(&bytes, device).map_err(|source| CoreError::Document {
                    id,
                    source: Box::new(source),
                })?;
            let Ok(kind) = document.kind() else { continue };
            let fields = document.fields().map_err(|source| CoreError::Document {
                id,
                source: Box::new(source),
            })?;
            let changed_at = match changed_at
                .as_deref()
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            {
                Some(time) => time.with_timezone(&Utc),
                None => document.last_change_time(),
            };
            // The conflict inbox is not derived here: every write and every sync keeps it, in
            // the transaction that stores the document.
            record(&transaction, kind, id, &fields, changed_at)?;
            count += 1;
        }
    }
    search::flush(&transaction)?;
    transaction.execute("DELETE FROM sync_state WHERE key = 'rebuild_needed'", [])?;
    transaction.commit()?;
    Ok(count)
}
