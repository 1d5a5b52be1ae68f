//! Merging two customers (spec §2.1 `POST /customers/:id/merge`), and undoing it.
//!
//! Everything of the loser (contacts, deals, communications, activities, notes, sales
//! documents, attachments, leads) moves to the survivor; survivor fields that are empty take the
//! loser's values; the loser goes to the trash. The loser's document remembers what moved and
//! which fields were filled (`mergedInto`, `mergedRecords`, `mergedFields`), so the merge can be
//! undone: what still points at the survivor moves back, the filled fields are cleared, and
//! the loser is restored. Each direction is one transaction.

use chrono::Utc;
use crm_model::{Actor, Customer, CustomerId, Operation, RecordId, RecordKind};
use serde_json::{Map, Value as Json};

use crate::document::{DELETED_AT_FIELD, DELETED_WITH_FIELD, RecordDocument};
use crate::error::CoreError;
use crate::materialize::fields_of;
use crate::permissions::check;
use crate::store::{StagedWrite, Store, time_text};

const MERGED_INTO: &str = "mergedInto";
const MERGED_RECORDS: &str = "mergedRecords";
const MERGED_FIELDS: &str = "mergedFields";

/// Tables whose rows point at a customer through `customer_id`, with their kind.
const CUSTOMER_LINKS: &[(RecordKind, &str)] = &[
    (RecordKind::Contact, "contacts"),
    (RecordKind::Deal, "deals"),
    (RecordKind::Communication, "communications"),
    (RecordKind::Activity, "activities"),
    (RecordKind::Note, "notes"),
    (RecordKind::SalesDocument, "sales_documents"),
    (RecordKind::Attachment, "attachments"),
];

/// What a merge did.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeOutcome {
    pub survivor: Customer,
    /// Records moved from the loser to the survivor.
    pub moved: usize,
    /// Survivor fields filled from the loser.
    pub filled_fields: Vec<String>,
}

fn set_fields(
    document: &mut RecordDocument,
    id: RecordId,
    values: Map<String, Json>,
) -> Result<(), CoreError> {
    document
        .write_fields(&values)
        .map_err(|source| CoreError::Document {
            id,
            source: Box::new(source),
        })
}

impl Store {
    /// Merges `loser` into `survivor` (admins only).
    pub fn merge_customers(
        &mut self,
        actor: &Actor,
        survivor: CustomerId,
        loser: CustomerId,
    ) -> Result<MergeOutcome, CoreError> {
        check(actor, Operation::Merge, RecordKind::Customer, None)?;
        if survivor == loser {
            return Err(CoreError::NotAllowed(
                "a customer cannot be merged with itself".into(),
            ));
        }
        let mut kept: Customer = self.get(survivor)?;
        let gone: Customer = self.get(loser)?;
        let mut writes: Vec<StagedWrite> = Vec::new();
        let mut moved: Vec<Json> = Vec::new();
        for (kind, table) in CUSTOMER_LINKS {
            for id in self.ids_linked(table, "customer_id", loser.into())? {
                writes.push(self.relink(actor, *kind, id, survivor.into())?);
                moved.push(Json::String(id.to_string()));
            }
        }
        for id in self.ids_linked("leads", "customer_id", loser.into())? {
            writes.push(self.relink(actor, RecordKind::Lead, id, survivor.into())?);
            moved.push(Json::String(id.to_string()));
        }

        // Fill the survivor's empty fields from the loser.
        let mut filled = Vec::new();
        let kept_fields = fields_of(survivor.into(), &kept)?;
        let gone_fields = fields_of(loser.into(), &gone)?;
        let mut merged = kept_fields.clone();
        for (key, value) in &gone_fields {
            let empty = |value: Option<&Json>| match value {
                None | Some(Json::Null) => true,
                Some(Json::String(text)) => text.is_empty(),
                Some(Json::Array(items)) => items.is_empty(),
                Some(Json::Object(map)) => map.is_empty(),
                _ => false,
            };
            if empty(kept_fields.get(key)) && !empty(Some(value)) && key != "primaryContactId" {
                merged.insert(key.clone(), value.clone());
                filled.push(key.clone());
            }
        }
        if !filled.is_empty() {
            kept = serde_json::from_value(Json::Object({
                let mut full = merged;
                full.insert("id".into(), Json::String(survivor.to_string()));
                full.insert("updatedAt".into(), Json::String(time_text(kept.updated_at)));
                full
            }))
            .map_err(|source| CoreError::Fields {
                id: survivor.into(),
                source,
            })?;
            writes.push(self.stage_replace(actor, &mut kept)?);
        }

        let loser_document = self
            .load_document(loser.into())?
            .ok_or(CoreError::NotFound {
                kind: RecordKind::Customer,
                id: loser.into(),
            })?;
        let mut marks = Map::new();
        marks.insert(DELETED_AT_FIELD.into(), Json::String(time_text(Utc::now())));
        marks.insert(DELETED_WITH_FIELD.into(), Json::Null);
        marks.insert(MERGED_INTO.into(), Json::String(survivor.to_string()));
        marks.insert(MERGED_RECORDS.into(), Json::Array(moved.clone()));
        marks.insert(
            MERGED_FIELDS.into(),
            Json::Array(filled.iter().cloned().map(Json::String).collect()),
        );
        writes.push(self.stage(
            actor,
            RecordKind::Customer,
            loser.into(),
            Some(loser_document),
            |document| set_fields(document, loser.into(), marks),
        )?);
        self.persist(writes)?;
        Ok(MergeOutcome {
            survivor: self.get(survivor)?,
            moved: moved.len(),
            filled_fields: filled,
        })
    }

    /// Undoes the merge that sent `loser` into another customer.
    pub fn undo_merge(&mut self, actor: &Actor, loser: CustomerId) -> Result<Customer, CoreError> {
        check(actor, Operation::Merge, RecordKind::Customer, None)?;
        let loser_id: RecordId = loser.into();
        let document = self.load_document(loser_id)?.ok_or(CoreError::NotFound {
            kind: RecordKind::Customer,
            id: loser_id,
        })?;
        let fields = document.fields().map_err(|source| CoreError::Document {
            id: loser_id,
            source: Box::new(source),
        })?;
        let Some(survivor) = fields
            .get(MERGED_INTO)
            .and_then(Json::as_str)
            .and_then(|text| text.parse::<CustomerId>().ok())
        else {
            return Err(CoreError::NotAllowed(
                "this customer was not merged into another".into(),
            ));
        };
        let mut writes = Vec::new();
        let moved: Vec<RecordId> = fields
            .get(MERGED_RECORDS)
            .and_then(Json::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Json::as_str)
                    .filter_map(|text| text.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        for id in moved {
            let Some(record) = self.load_document(id)? else {
                continue;
            };
            let Ok(kind) = record.kind() else { continue };
            let still_there = record
                .fields()
                .map_err(|source| CoreError::Document {
                    id,
                    source: Box::new(source),
                })?
                .get("customerId")
                .and_then(Json::as_str)
                == Some(survivor.to_string().as_str());
            if still_there {
                writes.push(self.relink(actor, kind, id, loser_id)?);
            }
        }
        let filled: Vec<String> = fields
            .get(MERGED_FIELDS)
            .and_then(Json::as_array)
            .map(|keys| {
                keys.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if !filled.is_empty() {
            let survivor_document =
                self.load_document(survivor.into())?
                    .ok_or(CoreError::NotFound {
                        kind: RecordKind::Customer,
                        id: survivor.into(),
                    })?;
            let mut clear = Map::new();
            for key in &filled {
                let empty = match key.as_str() {
                    "tags" => Json::Array(Vec::new()),
                    "customFields" => Json::Object(Map::new()),
                    _ => Json::Null,
                };
                clear.insert(key.clone(), empty);
            }
            writes.push(self.stage(
                actor,
                RecordKind::Customer,
                survivor.into(),
                Some(survivor_document),
                |document| set_fields(document, survivor.into(), clear),
            )?);
        }
        let mut restore = Map::new();
        for key in [
            DELETED_AT_FIELD,
            DELETED_WITH_FIELD,
            MERGED_INTO,
            MERGED_RECORDS,
            MERGED_FIELDS,
        ] {
            restore.insert(key.into(), Json::Null);
        }
        writes.push(self.stage(
            actor,
            RecordKind::Customer,
            loser_id,
            Some(document),
            |document| set_fields(document, loser_id, restore),
        )?);
        self.persist(writes)?;
        self.get(loser)
    }

    /// Points a record's `customerId` at `customer`.
    fn relink(
        &self,
        actor: &Actor,
        kind: RecordKind,
        id: RecordId,
        customer: RecordId,
    ) -> Result<StagedWrite, CoreError> {
        let document = self
            .load_document(id)?
            .ok_or(CoreError::NotFound { kind, id })?;
        let mut change = Map::new();
        change.insert("customerId".into(), Json::String(customer.to_string()));
        self.stage(actor, kind, id, Some(document), |document| {
            set_fields(document, id, change)
        })
    }

    /// Ids of the live rows of `table` whose `column` is `id`.
    pub(crate) fn ids_linked(
        &self,
        table: &str,
        column: &str,
        id: RecordId,
    ) -> Result<Vec<RecordId>, CoreError> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT id FROM {table} WHERE {column} = ?1 AND deleted_at IS NULL"
        ))?;
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
