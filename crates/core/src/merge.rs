//! Merging two customers (spec §2.1 `POST /customers/:id/merge`), two contacts or two leads
//! (the pairs a duplicate scan finds), and undoing it.
//!
//! Everything of the loser moves to the survivor (a customer's contacts, deals, communications,
//! activities, notes, sales documents, attachments and leads; a contact's or a lead's
//! communications and activities, and a lead's deals); survivor fields that are empty take the
//! loser's values; the loser goes to the trash. The loser's document remembers what moved and
//! which fields were filled (`mergedInto`, `mergedRecords`, `mergedFields`), so the merge can be
//! undone: what still points at the survivor moves back, the filled fields are cleared, and
//! the loser is restored. Each direction is one transaction.

use chrono::Utc;
use crm_model::{
    Actor, Contact, ContactId, Customer, CustomerId, Lead, LeadId, Operation, RecordId, RecordKind,
};
use serde_json::{Map, Value as Json};

use crate::document::{DELETED_AT_FIELD, DELETED_WITH_FIELD, RecordDocument};
use crate::error::CoreError;
use crate::materialize::fields_of;
use crate::permissions::check;
use crate::references::References;
use crate::store::{StagedWrite, Store, time_text};

const MERGED_INTO: &str = "mergedInto";
const MERGED_RECORDS: &str = "mergedRecords";
const MERGED_FIELDS: &str = "mergedFields";

/// How the records of other kinds point at a record of the kind being merged.
struct Links {
    kind: RecordKind,
    /// The pointing field in the other records' documents (`customerId`).
    field: &'static str,
    /// The same in their materialized rows (`customer_id`).
    column: &'static str,
    /// The kinds (and tables) whose records point here.
    tables: &'static [(RecordKind, &'static str)],
    /// Fields a merge never copies from the loser.
    kept: &'static [&'static str],
}

const CUSTOMER_LINKS: Links = Links {
    kind: RecordKind::Customer,
    field: "customerId",
    column: "customer_id",
    tables: &[
        (RecordKind::Contact, "contacts"),
        (RecordKind::Deal, "deals"),
        (RecordKind::Communication, "communications"),
        (RecordKind::Activity, "activities"),
        (RecordKind::Note, "notes"),
        (RecordKind::SalesDocument, "sales_documents"),
        (RecordKind::Attachment, "attachments"),
        (RecordKind::Lead, "leads"),
    ],
    kept: &["primaryContactId"],
};

const CONTACT_LINKS: Links = Links {
    kind: RecordKind::Contact,
    field: "contactId",
    column: "contact_id",
    tables: &[
        (RecordKind::Communication, "communications"),
        (RecordKind::Activity, "activities"),
    ],
    kept: &["customerId", "isPrimary"],
};

const LEAD_LINKS: Links = Links {
    kind: RecordKind::Lead,
    field: "leadId",
    column: "lead_id",
    tables: &[
        (RecordKind::Communication, "communications"),
        (RecordKind::Activity, "activities"),
        (RecordKind::Deal, "deals"),
    ],
    kept: &[
        "status",
        "convertedAt",
        "convertedCustomerId",
        "convertedContactId",
        "convertedDealId",
        "leadScore",
        "rating",
        "scoreBreakdown",
    ],
};

/// What a merge of two customers did.
pub type MergeOutcome = Merged<Customer>;

/// What a merge did.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Merged<E> {
    pub survivor: E,
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
    /// Merges customer `loser` into `survivor` (admins only).
    pub fn merge_customers(
        &mut self,
        actor: &Actor,
        survivor: CustomerId,
        loser: CustomerId,
    ) -> Result<MergeOutcome, CoreError> {
        self.merge(actor, &CUSTOMER_LINKS, survivor, loser)
    }

    /// Merges contact `loser` into `survivor` (admins only): its communications and
    /// activities move over, and where it was its customer's primary contact the survivor
    /// becomes it.
    pub fn merge_contacts(
        &mut self,
        actor: &Actor,
        survivor: ContactId,
        loser: ContactId,
    ) -> Result<Merged<Contact>, CoreError> {
        self.merge(actor, &CONTACT_LINKS, survivor, loser)
    }

    /// Merges lead `loser` into `survivor` (admins only): its communications, activities and
    /// deals move over; the survivor keeps its own status and score.
    pub fn merge_leads(
        &mut self,
        actor: &Actor,
        survivor: LeadId,
        loser: LeadId,
    ) -> Result<Merged<Lead>, CoreError> {
        self.merge(actor, &LEAD_LINKS, survivor, loser)
    }

    fn merge<E: References>(
        &mut self,
        actor: &Actor,
        links: &Links,
        survivor: E::Id,
        loser: E::Id,
    ) -> Result<Merged<E>, CoreError> {
        check(actor, Operation::Merge, links.kind, None)?;
        let (survivor_id, loser_id): (RecordId, RecordId) = (survivor.into(), loser.into());
        if survivor_id == loser_id {
            return Err(CoreError::NotAllowed(format!(
                "a {} cannot be merged with itself",
                links.kind.label().to_lowercase()
            )));
        }
        let mut kept: E = self.get(survivor)?;
        let gone: E = self.get(loser)?;
        let mut writes: Vec<StagedWrite> = Vec::new();
        let mut moved: Vec<Json> = Vec::new();
        for (kind, table) in links.tables {
            for id in self.ids_linked(table, links.column, loser_id)? {
                writes.push(self.relink(actor, *kind, id, links.field, survivor_id)?);
                moved.push(Json::String(id.to_string()));
            }
        }
        if links.kind == RecordKind::Contact {
            writes.extend(self.move_primary_contact(actor, loser_id, survivor_id)?);
        }

        // Fill the survivor's empty fields from the loser.
        let mut filled = Vec::new();
        let kept_fields = fields_of(survivor_id, &kept)?;
        let gone_fields = fields_of(loser_id, &gone)?;
        let mut merged = kept_fields.clone();
        for (key, value) in &gone_fields {
            let empty = |value: Option<&Json>| match value {
                None | Some(Json::Null) => true,
                Some(Json::String(text)) => text.is_empty(),
                Some(Json::Array(items)) => items.is_empty(),
                Some(Json::Object(map)) => map.is_empty(),
                _ => false,
            };
            if empty(kept_fields.get(key))
                && !empty(Some(value))
                && !links.kept.contains(&key.as_str())
            {
                merged.insert(key.clone(), value.clone());
                filled.push(key.clone());
            }
        }
        if !filled.is_empty() {
            let updated_at = {
                let mut document = self
                    .load_document(survivor_id)?
                    .ok_or(CoreError::NotFound {
                        kind: links.kind,
                        id: survivor_id,
                    })?;
                time_text(document.last_change_time())
            };
            kept = serde_json::from_value(Json::Object({
                let mut full = merged;
                full.insert("id".into(), Json::String(survivor_id.to_string()));
                full.insert("updatedAt".into(), Json::String(updated_at));
                full
            }))
            .map_err(|source| CoreError::Fields {
                id: survivor_id,
                source,
            })?;
            writes.push(self.stage_replace(actor, &mut kept)?);
        }

        let loser_document = self.load_document(loser_id)?.ok_or(CoreError::NotFound {
            kind: links.kind,
            id: loser_id,
        })?;
        let mut marks = Map::new();
        marks.insert(DELETED_AT_FIELD.into(), Json::String(time_text(Utc::now())));
        marks.insert(DELETED_WITH_FIELD.into(), Json::Null);
        marks.insert(MERGED_INTO.into(), Json::String(survivor_id.to_string()));
        marks.insert(MERGED_RECORDS.into(), Json::Array(moved.clone()));
        marks.insert(
            MERGED_FIELDS.into(),
            Json::Array(filled.iter().cloned().map(Json::String).collect()),
        );
        writes.push(self.stage(
            actor,
            links.kind,
            loser_id,
            Some(loser_document),
            |document| set_fields(document, loser_id, marks),
        )?);
        self.persist(writes)?;
        Ok(Merged {
            survivor: self.get(survivor)?,
            moved: moved.len(),
            filled_fields: filled,
        })
    }

    /// When the merged-away contact was its customer's primary one, the survivor becomes it.
    fn move_primary_contact(
        &self,
        actor: &Actor,
        loser: RecordId,
        survivor: RecordId,
    ) -> Result<Option<StagedWrite>, CoreError> {
        let contact: Contact = self.get(ContactId(loser.0))?;
        let Some(customer_id) = contact.customer_id else {
            return Ok(None);
        };
        let Ok(customer) = self.get::<Customer>(customer_id) else {
            return Ok(None);
        };
        if customer.primary_contact_id.map(|id| id.0) != Some(loser.0) {
            return Ok(None);
        }
        Ok(Some(self.relink(
            actor,
            RecordKind::Customer,
            customer_id.into(),
            "primaryContactId",
            survivor,
        )?))
    }

    /// Undoes the merge that sent customer `loser` into another customer.
    pub fn undo_merge(&mut self, actor: &Actor, loser: CustomerId) -> Result<Customer, CoreError> {
        self.undo(actor, &CUSTOMER_LINKS, loser.into())?;
        self.get(loser)
    }

    /// Undoes the merge that sent contact `loser` into another contact.
    pub fn undo_contact_merge(
        &mut self,
        actor: &Actor,
        loser: ContactId,
    ) -> Result<Contact, CoreError> {
        self.undo(actor, &CONTACT_LINKS, loser.into())?;
        self.get(loser)
    }

    /// Undoes the merge that sent lead `loser` into another lead.
    pub fn undo_lead_merge(&mut self, actor: &Actor, loser: LeadId) -> Result<Lead, CoreError> {
        self.undo(actor, &LEAD_LINKS, loser.into())?;
        self.get(loser)
    }

    fn undo(&mut self, actor: &Actor, links: &Links, loser_id: RecordId) -> Result<(), CoreError> {
        check(actor, Operation::Merge, links.kind, None)?;
        let document = self.load_document(loser_id)?.ok_or(CoreError::NotFound {
            kind: links.kind,
            id: loser_id,
        })?;
        if document.kind().ok() != Some(links.kind) {
            return Err(CoreError::NotFound {
                kind: links.kind,
                id: loser_id,
            });
        }
        let fields = document.fields().map_err(|source| CoreError::Document {
            id: loser_id,
            source: Box::new(source),
        })?;
        let Some(survivor) = fields
            .get(MERGED_INTO)
            .and_then(Json::as_str)
            .and_then(|text| text.parse::<RecordId>().ok())
        else {
            return Err(CoreError::NotAllowed(format!(
                "this {} was not merged into another",
                links.kind.label().to_lowercase()
            )));
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
                .get(links.field)
                .and_then(Json::as_str)
                == Some(survivor.to_string().as_str());
            if still_there {
                writes.push(self.relink(actor, kind, id, links.field, loser_id)?);
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
            let survivor_document = self.load_document(survivor)?.ok_or(CoreError::NotFound {
                kind: links.kind,
                id: survivor,
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
                links.kind,
                survivor,
                Some(survivor_document),
                |document| set_fields(document, survivor, clear),
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
        writes.push(
            self.stage(actor, links.kind, loser_id, Some(document), |document| {
                set_fields(document, loser_id, restore)
            })?,
        );
        self.persist(writes)
    }

    /// Points a record's `field` (`customerId`, `contactId`...) at `target`.
    fn relink(
        &self,
        actor: &Actor,
        kind: RecordKind,
        id: RecordId,
        field: &str,
        target: RecordId,
    ) -> Result<StagedWrite, CoreError> {
        let document = self
            .load_document(id)?
            .ok_or(CoreError::NotFound { kind, id })?;
        let mut change = Map::new();
        change.insert(field.into(), Json::String(target.to_string()));
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
