//! Materialization: deriving the typed, indexed rows that queries read from a record's
//! document fields. Rows are a cache of the documents; they can be rebuilt from them at any time.

use chrono::{DateTime, Utc};
use crm_model::{Customer, RecordId, RecordKind};
use rusqlite::{Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::document::{DELETED_AT_FIELD, KIND_FIELD, SCHEMA_VERSION_FIELD};
use crate::error::CoreError;
use crate::store::time_text;

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

/// An entity read back from its document fields, with the derived fields filled in.
pub(crate) fn entity_from<T: DeserializeOwned>(
    id: RecordId,
    fields: &Map<String, Json>,
    updated_at: DateTime<Utc>,
) -> Result<T, CoreError> {
    let mut fields = fields.clone();
    for meta in [KIND_FIELD, SCHEMA_VERSION_FIELD, DELETED_AT_FIELD] {
        fields.remove(meta);
    }
    fields.insert("id".into(), Json::String(id.to_string()));
    fields.insert("updatedAt".into(), Json::String(time_text(updated_at)));
    serde_json::from_value(Json::Object(fields)).map_err(|source| CoreError::Fields { id, source })
}

/// A list row's payload (the entity as JSON) read back.
pub(crate) fn from_data<T: DeserializeOwned>(data: &str) -> Result<T, CoreError> {
    serde_json::from_str(data).map_err(|source| CoreError::Fields {
        id: RecordId(uuid::Uuid::nil()),
        source,
    })
}

/// Writes the materialized row of one record from its document fields: typed columns for
/// filters, sorting and indexes, plus the whole entity as JSON (`data`) for the lists to return.
pub(crate) fn record(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    fields: &Map<String, Json>,
    updated_at: DateTime<Utc>,
) -> Result<(), CoreError> {
    let deleted_at = fields.get(DELETED_AT_FIELD).and_then(Json::as_str);
    match kind {
        RecordKind::Customer => {
            let customer: Customer = entity_from(id, fields, updated_at)?;
            let data = serde_json::to_string(&customer)
                .map_err(|source| CoreError::Fields { id, source })?;
            transaction
                .prepare_cached(
                    "INSERT INTO customers (id, name, primary_email, primary_phone, industry, status,
                                            owner_id, created_at, updated_at, deleted_at, data)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (id) DO UPDATE SET
                        name = excluded.name, primary_email = excluded.primary_email,
                        primary_phone = excluded.primary_phone, industry = excluded.industry,
                        status = excluded.status, owner_id = excluded.owner_id,
                        created_at = excluded.created_at, updated_at = excluded.updated_at,
                        deleted_at = excluded.deleted_at, data = excluded.data",
                )?
                .execute(params![
                    id.to_string(),
                    customer.name,
                    customer.primary_email,
                    customer.primary_phone,
                    customer.industry,
                    customer.status.as_str(),
                    customer.owner_id.map(|owner| owner.to_string()),
                    time_text(customer.created_at),
                    time_text(updated_at),
                    deleted_at,
                    data,
                ])?;
        }
        // Materialized by the data-model work in progress; their documents are kept meanwhile.
        _ => {}
    }
    Ok(())
}
