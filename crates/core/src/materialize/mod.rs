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
use crate::parallel;
use crate::store::time_text;

pub(crate) use rows::{RecordRows, table_of};
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
    write(
        transaction,
        kind,
        id,
        &derive(kind, id, fields, updated_at)?,
    )
}

/// The rows of one record from its document fields, without writing them: pure, so it can run
/// on another thread than the one that [`write`]s.
pub(crate) fn derive(
    kind: RecordKind,
    id: RecordId,
    fields: &Map<String, Json>,
    updated_at: DateTime<Utc>,
) -> Result<RecordRows, CoreError> {
    let deleted_at = fields.get(DELETED_AT_FIELD).and_then(Json::as_str);
    let row = rows::Row {
        id,
        fields,
        updated_at,
        deleted_at,
    };
    let mut rows = match kind {
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
    if deleted_at.is_some() {
        // Trash is not searched.
        rows.search = None;
    }
    Ok(rows)
}

/// Writes rows [`derive`]d from a record's fields, and its search entry.
pub(crate) fn write(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    rows: &RecordRows,
) -> Result<(), CoreError> {
    rows.write(transaction)?;
    match &rows.search {
        Some(entry) => search::index(transaction, kind, id, entry),
        None => search::remove(transaction, id),
    }
}

/// Removes every materialized row of a record (hard purge, GDPR erasure), its stage visits
/// and stages included.
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
    match kind {
        RecordKind::Pipeline => {
            transaction.execute(
                "DELETE FROM pipeline_stages WHERE pipeline_id = ?1",
                [id.to_string()],
            )?;
        }
        RecordKind::Deal => {
            transaction.execute(
                "DELETE FROM deal_stage_visits WHERE deal_id = ?1",
                [id.to_string()],
            )?;
        }
        _ => {}
    }
    search::remove(transaction, id)
}

/// Documents a rebuild reads at a time: read here, decoded and derived on worker threads
/// ([`parallel::prepare_aside`]), written here.
const REBUILD_CHUNK: u32 = 10_000;

/// Regenerates every materialized row and the search index from the documents, in one
/// transaction. Returns the number of records materialized.
///
/// The row tables' secondary indexes are dropped first and made again at the end, from their
/// own definitions in the schema: building an index from all its rows at once (a sort) costs
/// far less than inserting into it row by row.
pub(crate) fn rebuild(
    conn: &mut Connection,
    device: crm_model::DeviceId,
) -> Result<u64, CoreError> {
    let transaction = conn.transaction()?;
    let indexes = drop_row_indexes(&transaction)?;
    for table in row_tables() {
        transaction.execute(&format!("DELETE FROM {table}"), [])?;
    }
    search::clear(&transaction)?;
    let mut count = 0;
    let mut after = String::new();
    loop {
        let chunk: Vec<(String, Vec<u8>, Option<String>)> = {
            let mut statement = transaction.prepare_cached(
                "SELECT id, bytes, changed_at FROM documents WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = statement.query_map(rusqlite::params![after, REBUILD_CHUNK], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let Some((last, _, _)) = chunk.last() else {
            break;
        };
        after = last.clone();
        parallel::prepare_aside::<_, _, CoreError>(
            chunk,
            |(id, bytes, changed_at)| prepare_stored(device, &id, &bytes, changed_at.as_deref()),
            |prepared| {
                if let Some((kind, id, rows)) = prepared {
                    // The conflict inbox is not derived here: every write and every sync keeps
                    // it, in the transaction that stores the document.
                    write(&transaction, kind, id, &rows)?;
                    count += 1;
                }
                Ok(())
            },
        )?;
    }
    search::flush(&transaction)?;
    for sql in indexes {
        transaction.execute(&sql, [])?;
    }
    transaction.execute("DELETE FROM sync_state WHERE key = 'rebuild_needed'", [])?;
    transaction.commit()?;
    Ok(count)
}

/// The tables that hold materialized rows.
fn row_tables() -> impl Iterator<Item = &'static str> {
    RecordKind::ALL
        .iter()
        .map(|kind| rows::table_of(*kind))
        .chain(["pipeline_stages", "deal_stage_visits"])
}

/// Drops the secondary, non-unique indexes of the row tables and returns the statements that
/// make them again. Unique indexes stay: rows are written against them.
fn drop_row_indexes(transaction: &Transaction<'_>) -> Result<Vec<String>, CoreError> {
    let tables: Vec<&str> = row_tables().collect();
    let indexes: Vec<(String, String, String)> = transaction
        .prepare(
            "SELECT name, tbl_name, sql FROM sqlite_master
             WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut statements = Vec::with_capacity(indexes.len());
    for (name, table, sql) in indexes {
        if tables.contains(&table.as_str()) {
            transaction.execute(&format!("DROP INDEX \"{name}\""), [])?;
            statements.push(sql);
        }
    }
    Ok(statements)
}

/// A stored document decoded and its rows derived (on a rebuild's worker thread). `None`:
/// a document of a kind this build does not know, kept but not materialized.
fn prepare_stored(
    device: crm_model::DeviceId,
    id: &str,
    bytes: &[u8],
    changed_at: Option<&str>,
) -> Result<Option<(RecordKind, RecordId, RecordRows)>, CoreError> {
    let id: RecordId = id
        .parse()
        .map_err(|error: uuid::Error| CoreError::Corrupt(format!("document id: {error}")))?;
    let document_error = |source| CoreError::Document {
        id,
        source: Box::new(source),
    };
    let mut document = RecordDocument::load(bytes, device).map_err(document_error)?;
    let Ok(kind) = document.kind() else {
        return Ok(None);
    };
    let fields = document.fields().map_err(document_error)?;
    let changed_at = match changed_at.and_then(|text| DateTime::parse_from_rfc3339(text).ok()) {
        Some(time) => time.with_timezone(&Utc),
        None => document.last_change_time(),
    };
    Ok(Some((kind, id, derive(kind, id, &fields, changed_at)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_definitions(conn: &Connection) -> Vec<String> {
        let mut statement = conn
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .expect("prepares");
        statement
            .query_map([], |row| row.get(0))
            .expect("queries")
            .collect::<Result<_, _>>()
            .expect("reads")
    }

    #[test]
    fn a_rebuild_makes_every_index_it_dropped_again() {
        let mut conn = Connection::open_in_memory().expect("opens");
        crate::store::migrate(&mut conn).expect("migrates");
        conn.execute_batch(SEARCH_PENDING_TABLE)
            .expect("search table");
        let migrated = index_definitions(&conn);
        assert!(migrated.len() > 50, "the schema has its list indexes");
        rebuild(&mut conn, crm_model::DeviceId(uuid::Uuid::nil())).expect("rebuilds");
        assert_eq!(index_definitions(&conn), migrated);
    }
}
