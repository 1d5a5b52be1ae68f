//! The trash: soft delete (a `deletedAt` field, so a delete syncs and merges like any edit),
//! restore, and hard purge; and [`discard`], which deletes a record from this device for good
//! (a purge, or a GDPR erasure the server announced).
//!
//! Cascades (spec §1): deleting a customer also trashes its contacts, notes and deals, marking
//! each with `deletedWith` = the customer, so restoring the customer brings exactly those back.
//! Its communications, activities, sales documents and attachments stay: they are history
//! that reports count, and they show the customer as deleted. Deleting a pipeline is refused
//! while deals use it (spec §2.4).

use chrono::Utc;
use crm_model::{Actor, Operation, RecordId, RecordKind};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::document::{DELETED_AT_FIELD, DELETED_WITH_FIELD, RecordDocument};
use crate::error::CoreError;
use crate::permissions::check;
use crate::store::{Store, time_text};

/// One record in the trash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrashItem {
    pub kind: RecordKind,
    pub id: RecordId,
    pub title: String,
    pub deleted_at: String,
}

/// Kinds a customer's deletion takes along, with the column that links them to it.
const CUSTOMER_CASCADE: &[(RecordKind, &str)] = &[
    (RecordKind::Contact, "contacts"),
    (RecordKind::Note, "notes"),
    (RecordKind::Deal, "deals"),
];

impl Store {
    fn owner_of(
        &self,
        kind: RecordKind,
        document: &RecordDocument,
        id: RecordId,
    ) -> Result<Option<crm_model::UserId>, CoreError> {
        let fields = document.fields().map_err(|source| CoreError::Document {
            id,
            source: Box::new(source),
        })?;
        Ok(kind
            .owner_field()
            .and_then(|field| fields.get(field))
            .and_then(Json::as_str)
            .and_then(|text| text.parse().ok()))
    }

    fn document_of(&self, kind: RecordKind, id: RecordId) -> Result<RecordDocument, CoreError> {
        let document = self
            .load_document(id)?
            .ok_or(CoreError::NotFound { kind, id })?;
        if document.kind().ok() != Some(kind) {
            return Err(CoreError::NotFound { kind, id });
        }
        Ok(document)
    }

    /// Moves a record (and what cascades with it) to the trash.
    pub fn delete_record(
        &mut self,
        actor: &Actor,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<(), CoreError> {
        let document = self.document_of(kind, id)?;
        check(
            actor,
            Operation::Delete,
            kind,
            self.owner_of(kind, &document, id)?,
        )?;
        if kind == RecordKind::Pipeline {
            let deals: i64 = self.conn.query_row(
                "SELECT COUNT(*) FROM deals WHERE pipeline_id = ?1 AND deleted_at IS NULL",
                [id.to_string()],
                |row| row.get(0),
            )?;
            if deals > 0 {
                return Err(CoreError::NotAllowed(format!(
                    "this pipeline still has {deals} deal(s); move or delete them first"
                )));
            }
        }
        let when = Json::String(time_text(Utc::now()));
        let mut writes = vec![self.stage(actor, kind, id, Some(document), |document| {
            set_meta(
                document,
                id,
                &[
                    (DELETED_AT_FIELD, when.clone()),
                    (DELETED_WITH_FIELD, Json::Null),
                ],
            )
        })?];
        if kind == RecordKind::Customer {
            for (child_kind, table) in CUSTOMER_CASCADE {
                for child in self.ids_where(
                    &format!(
                        "SELECT id FROM {table} WHERE customer_id = ?1 AND deleted_at IS NULL"
                    ),
                    id,
                )? {
                    let child_document = self.document_of(*child_kind, child)?;
                    let root = Json::String(id.to_string());
                    writes.push(self.stage(
                        actor,
                        *child_kind,
                        child,
                        Some(child_document),
                        |document| {
                            set_meta(
                                document,
                                child,
                                &[(DELETED_AT_FIELD, when.clone()), (DELETED_WITH_FIELD, root)],
                            )
                        },
                    )?);
                }
            }
        }
        self.persist(writes)
    }

    /// Takes a record (and what its deletion took along) out of the trash.
    pub fn restore_record(
        &mut self,
        actor: &Actor,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<(), CoreError> {
        let document = self.document_of(kind, id)?;
        check(
            actor,
            Operation::Delete,
            kind,
            self.owner_of(kind, &document, id)?,
        )?;
        let clear = [
            (DELETED_AT_FIELD, Json::Null),
            (DELETED_WITH_FIELD, Json::Null),
        ];
        let mut writes = vec![self.stage(actor, kind, id, Some(document), |document| {
            set_meta(document, id, &clear)
        })?];
        for (child_kind, table) in CUSTOMER_CASCADE {
            for child in self.ids_where(
                &format!("SELECT id FROM {table} WHERE deleted_at IS NOT NULL AND json_extract(data, '$.customerId') = ?1"),
                id,
            )? {
                let child_document = self.document_of(*child_kind, child)?;
                let root = child_document
                    .fields()
                    .map_err(|source| CoreError::Document { id: child, source: Box::new(source) })?
                    .get(DELETED_WITH_FIELD)
                    .and_then(Json::as_str)
                    .map(str::to_owned);
                if root.as_deref() == Some(id.to_string().as_str()) {
                    writes.push(self.stage(actor, *child_kind, child, Some(child_document), |document| {
                        set_meta(document, child, &clear)
                    })?);
                }
            }
        }
        self.persist(writes)
    }

    /// Deletes a trashed record for good on this device: its document, rows and pending
    /// changes. Changes to it arriving later from the server are ignored.
    pub fn purge_record(
        &mut self,
        actor: &Actor,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<(), CoreError> {
        let document = self.document_of(kind, id)?;
        check(
            actor,
            Operation::Delete,
            kind,
            self.owner_of(kind, &document, id)?,
        )?;
        let in_trash = document
            .fields()
            .map_err(|source| CoreError::Document {
                id,
                source: Box::new(source),
            })?
            .get(DELETED_AT_FIELD)
            .is_some_and(|value| !value.is_null());
        if !in_trash {
            return Err(CoreError::NotAllowed(
                "only records in the trash can be purged; delete it first".into(),
            ));
        }
        let transaction = self.conn.transaction()?;
        let orphan = discard(&transaction, id)?;
        transaction.commit()?;
        self.remove_blobs(orphan);
        Ok(())
    }

    /// Deletes the files of attachments no record uses any more. A file that cannot be deleted
    /// is logged and left: no record points at it, and it is not shown anywhere.
    pub(crate) fn remove_blobs(&self, orphans: impl IntoIterator<Item = String>) {
        for sha256 in orphans {
            let path = self.blob_path(&sha256);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "cannot delete an attachment file no record uses");
                }
            }
        }
    }

    /// Everything in the trash, most recently deleted first.
    pub fn list_trash(&self) -> Result<Vec<TrashItem>, CoreError> {
        let mut items = Vec::new();
        for (kind, table, title) in [
            (RecordKind::Customer, "customers", "name"),
            (RecordKind::Contact, "contacts", "name"),
            (RecordKind::Lead, "leads", "name"),
            (RecordKind::Deal, "deals", "name"),
            (RecordKind::Pipeline, "pipelines", "name"),
            (
                RecordKind::Communication,
                "communications",
                "COALESCE(subject, type)",
            ),
            (RecordKind::Activity, "activities", "subject"),
            (
                RecordKind::Note,
                "notes",
                "COALESCE(json_extract(data, '$.title'), 'Note')",
            ),
            (RecordKind::Attachment, "attachments", "file_name"),
            (RecordKind::Tag, "tags", "name"),
            (RecordKind::SalesDocument, "sales_documents", "number"),
        ] {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT id, {title}, deleted_at FROM {table} WHERE deleted_at IS NOT NULL"
            ))?;
            let rows = statement.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (id, title, deleted_at) = row?;
                let id = id.parse().map_err(|error: uuid::Error| {
                    CoreError::Corrupt(format!("record id: {error}"))
                })?;
                items.push(TrashItem {
                    kind,
                    id,
                    title,
                    deleted_at,
                });
            }
        }
        items.sort_by(|a, b| b.deleted_at.cmp(&a.deleted_at));
        Ok(items)
    }

    /// Why the `kind` record `id` cannot be shown: deleted for good, in the trash, or unknown.
    /// Only the error path asks, so a missing record costs nothing more on the way in.
    pub(crate) fn missing(&self, kind: RecordKind, id: RecordId) -> CoreError {
        let why = || -> Result<CoreError, CoreError> {
            if self.is_purged(id)? {
                return Ok(CoreError::Purged { kind, id });
            }
            let in_trash = self
                .load_document(id)?
                .is_some_and(|document| document.kind().ok() == Some(kind));
            Ok(if in_trash {
                CoreError::InTrash { kind, id }
            } else {
                CoreError::NotFound { kind, id }
            })
        };
        why().unwrap_or_else(|error| error)
    }

    pub(crate) fn is_purged(&self, id: RecordId) -> Result<bool, CoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM purged_records WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn ids_where(&self, sql: &str, id: RecordId) -> Result<Vec<RecordId>, CoreError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement.query_map([id.to_string()], |row| row.get::<_, String>(0))?;
        let mut ids = Vec::new();
        for row in rows {
            ids.push(
                row?.parse().map_err(|error: uuid::Error| {
                    CoreError::Corrupt(format!("record id: {error}"))
                })?,
            );
        }
        Ok(ids)
    }
}

/// Deletes a record from this device for good, inside `transaction`: its document, rows,
/// search entry, pending changes, conflicts, refusals and the old values an import kept of it;
/// and remembers it, so changes to it arriving later are ignored. Works on a record this device
/// never had too (then it is only remembered). Returns the attachment file that no record uses
/// any more, for the caller to delete once the transaction commits.
pub(crate) fn discard(
    transaction: &Transaction<'_>,
    id: RecordId,
) -> Result<Option<String>, CoreError> {
    let key = id.to_string();
    let kind = transaction
        .prepare_cached("SELECT kind FROM documents WHERE id = ?1")?
        .query_row([&key], |row| row.get::<_, String>(0))
        .optional()?
        .and_then(|kind| RecordKind::parse(&kind));
    let mut orphan = None;
    if let Some(kind) = kind {
        let blob = match kind {
            RecordKind::Attachment => transaction
                .prepare_cached("SELECT sha256 FROM attachments WHERE id = ?1")?
                .query_row([&key], |row| row.get::<_, String>(0))
                .optional()?,
            _ => None,
        };
        crate::materialize::forget(transaction, kind, id)?;
        if let Some(sha256) = blob {
            let used = transaction
                .prepare_cached("SELECT 1 FROM attachments WHERE sha256 = ?1 LIMIT 1")?
                .query_row([&sha256], |_| Ok(()))
                .optional()?;
            orphan = used.is_none().then_some(sha256);
        }
    }
    for sql in [
        "DELETE FROM documents WHERE id = ?1",
        "DELETE FROM outbox WHERE record_id = ?1",
        "DELETE FROM conflicts WHERE record_id = ?1",
        "DELETE FROM sync_refusals WHERE record_id = ?1",
        // An import's undo list keeps the ids it created and the old values of those it
        // updated: the record leaves both.
        "UPDATE imports SET
             created = (SELECT json_group_array(value) FROM json_each(imports.created)
                        WHERE value <> ?1),
             updated = (SELECT json_group_array(json(value)) FROM json_each(imports.updated)
                        WHERE json_extract(value, '$.id') <> ?1)
         WHERE instr(created, ?1) > 0 OR instr(updated, ?1) > 0",
    ] {
        transaction.prepare_cached(sql)?.execute([&key])?;
    }
    transaction
        .prepare_cached("INSERT OR IGNORE INTO purged_records (id, purged_at) VALUES (?1, ?2)")?
        .execute(params![key, time_text(Utc::now())])?;
    Ok(orphan)
}

fn set_meta(
    document: &mut RecordDocument,
    id: RecordId,
    values: &[(&str, Json)],
) -> Result<(), CoreError> {
    let mut fields = serde_json::Map::new();
    for (key, value) in values {
        fields.insert((*key).to_owned(), value.clone());
    }
    document
        .write_fields(&fields)
        .map_err(|source| CoreError::Document {
            id,
            source: Box::new(source),
        })
}
