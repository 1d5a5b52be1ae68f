//! Import and export (spec §2.8): CSV import of customers, contacts, leads and deals with
//! recognised or mapped columns, create / update / skip-duplicates modes, a dry run, progress,
//! one transaction per batch, and revert; CSV export of any list with its filters.

mod export;
mod icalendar;
mod vcard;

pub use export::ExportQuery;
pub use icalendar::activities_to_icalendar;
pub use vcard::{ParsedCard, contacts_to_vcards, parse_vcards};
mod headers;
mod text;

use chrono::Utc;
use crm_model::{Actor, Contact, Customer, Deal, FieldMap, Lead, RecordId, RecordKind};
use crm_protocol::transfer::{
    ImportKind, ImportMode, ImportOptions, ImportProgress, ImportReport, RowOutcome, RowReport,
};
use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value as Json};
use uuid::Uuid;

use crate::error::CoreError;
use crate::materialize::fields_of;
use crate::references::References;
use crate::store::{StagedWrite, Store, time_text};
use headers::{CUSTOMER_NAME, FieldType, STAGE_NAME};

/// Rows written per transaction.
const BATCH: usize = 500;

/// One column: its header, the field it fills, and how to read it.
struct Column {
    header: String,
    field: Option<(String, FieldType)>,
}

/// Stages a planned row's write, when its batch is written.
type StageRow = Box<dyn Fn(&Store, &Actor) -> Result<StagedWrite, CoreError>>;

/// A row turned into a create or an update, before anything is written.
enum Planned {
    Create(StageRow),
    Update {
        id: RecordId,
        old: Map<String, Json>,
        write: StageRow,
    },
}

/// Imports of at least this many rows tidy the search index and statistics afterwards.
const BULK_IMPORT_ROWS: usize = 1_000;

impl Store {
    /// Imports a CSV file. Nothing is written for a dry run, nor when a row is invalid unless
    /// `skip_invalid_rows`; otherwise the valid rows are written in batches of 500 rows, one
    /// transaction each, with `progress` called after each batch.
    pub fn import_csv(
        &mut self,
        actor: &Actor,
        bytes: &[u8],
        options: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport, CoreError> {
        let invalid_file = |message: String| {
            CoreError::Validation(crm_model::ValidationErrors(vec![crm_model::FieldError {
                field: "file".into(),
                rule: crm_model::Rule::Invalid { expected: message },
            }]))
        };
        let kind = options.kind.ok_or_else(|| {
            invalid_file("say what the file holds: customers, contacts, leads or deals".into())
        })?;
        let text = text::decode(bytes).map_err(invalid_file)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(text::sniff_delimiter(&text))
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|error| invalid_file(format!("the header line cannot be read: {error}")))?
            .clone();
        let columns: Vec<Column> = headers
            .iter()
            .map(|header| {
                let field = match options.mapping.get(header) {
                    Some(field) if field.is_empty() => None,
                    Some(field) => Some((field.clone(), headers::type_of(kind, field))),
                    None => headers::recognise(kind, header)
                        .map(|(field, field_type)| (field.to_owned(), field_type)),
                };
                Column {
                    header: header.to_owned(),
                    field,
                }
            })
            .collect();
        let mut report = ImportReport {
            dry_run: options.dry_run,
            fields: headers::fields(kind),
            columns: columns
                .iter()
                .map(|column| {
                    (
                        column.header.clone(),
                        column
                            .field
                            .as_ref()
                            .map(|(field, _)| field.clone())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            ..ImportReport::default()
        };
        let mut planned: Vec<(usize, Planned)> = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let row = index + 2;
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    report.rows.push(RowReport {
                        row,
                        outcome: RowOutcome::Invalid {
                            errors: vec![format!("unreadable row: {error}")],
                        },
                    });
                    continue;
                }
            };
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            match self.plan_row(actor, kind, options.mode, &columns, &record) {
                Ok(RowPlan::Skip(reason)) => report.rows.push(RowReport {
                    row,
                    outcome: RowOutcome::Skipped { reason },
                }),
                Ok(RowPlan::Write(plan)) => {
                    let outcome = match &plan {
                        Planned::Create(_) => RowOutcome::Created { id: String::new() },
                        Planned::Update { id, .. } => RowOutcome::Updated { id: id.to_string() },
                    };
                    report.rows.push(RowReport { row, outcome });
                    planned.push((report.rows.len() - 1, plan));
                }
                Err(errors) => report.rows.push(RowReport {
                    row,
                    outcome: RowOutcome::Invalid { errors },
                }),
            }
        }
        for row in &report.rows {
            match row.outcome {
                RowOutcome::Created { .. } => report.created += 1,
                RowOutcome::Updated { .. } => report.updated += 1,
                RowOutcome::Skipped { .. } => report.skipped += 1,
                RowOutcome::Invalid { .. } => report.invalid += 1,
            }
        }
        if options.dry_run
            || planned.is_empty()
            || (report.invalid > 0 && !options.skip_invalid_rows)
        {
            if !options.dry_run && report.invalid > 0 {
                report.created = 0;
                report.updated = 0;
            }
            return Ok(report);
        }

        let import_id = Uuid::now_v7().to_string();
        let total = planned.len();
        let mut created_ids = Vec::new();
        let mut updated = Vec::new();
        let mut done = 0;
        let mut planned = planned.into_iter().peekable();
        while planned.peek().is_some() {
            let batch: Vec<(usize, Planned)> = planned.by_ref().take(BATCH).collect();
            let mut writes = Vec::with_capacity(batch.len());
            for (position, plan) in &batch {
                match plan {
                    Planned::Create(make) => {
                        let write = make(self, actor)?;
                        report.rows[*position].outcome = RowOutcome::Created {
                            id: write.id.to_string(),
                        };
                        created_ids.push(Json::String(write.id.to_string()));
                        writes.push(write);
                    }
                    Planned::Update { id, old, write } => {
                        writes.push(write(self, actor)?);
                        updated.push(serde_json::json!({"id": id.to_string(), "old": old}));
                    }
                }
            }
            self.persist(writes)?;
            done += batch.len();
            progress(ImportProgress { done, total });
        }
        self.conn.execute(
            "INSERT INTO imports (id, kind, created, updated, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                import_id,
                format!("{kind:?}"),
                Json::Array(created_ids).to_string(),
                Json::Array(updated).to_string(),
                time_text(Utc::now())
            ],
        )?;
        report.import_id = Some(import_id);
        if total >= BULK_IMPORT_ROWS {
            self.after_bulk_write()?;
        }
        Ok(report)
    }

    /// Undoes an import: the records it created go to the trash, the records it updated get
    /// their previous values back; one transaction.
    pub fn revert_import(&mut self, actor: &Actor, import_id: &str) -> Result<usize, CoreError> {
        let found: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT created, updated FROM imports WHERE id = ?1 AND reverted_at IS NULL",
                [import_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((created, updated)) = found else {
            return Err(CoreError::NotAllowed(
                "no such import, or it was reverted already".into(),
            ));
        };
        let parse = |text: &str| {
            serde_json::from_str::<Vec<Json>>(text)
                .map_err(|error| CoreError::Corrupt(format!("import log: {error}")))
        };
        let mut writes = Vec::new();
        for id in parse(&created)?
            .iter()
            .filter_map(Json::as_str)
            .filter_map(|text| text.parse::<RecordId>().ok())
        {
            let Some(document) = self.load_document(id)? else {
                continue;
            };
            let Ok(kind) = document.kind() else { continue };
            let mut deleted = Map::new();
            deleted.insert("deletedAt".into(), Json::String(time_text(Utc::now())));
            writes.push(self.stage(actor, kind, id, Some(document), |document| {
                document
                    .write_fields(&deleted)
                    .map_err(|source| CoreError::Document {
                        id,
                        source: Box::new(source),
                    })
            })?);
        }
        for entry in parse(&updated)? {
            let Some(id) = entry
                .get("id")
                .and_then(Json::as_str)
                .and_then(|text| text.parse::<RecordId>().ok())
            else {
                continue;
            };
            let Some(Json::Object(old)) = entry.get("old").cloned() else {
                continue;
            };
            let Some(document) = self.load_document(id)? else {
                continue;
            };
            let Ok(kind) = document.kind() else { continue };
            writes.push(self.stage(actor, kind, id, Some(document), |document| {
                document
                    .write_fields(&old)
                    .map_err(|source| CoreError::Document {
                        id,
                        source: Box::new(source),
                    })
            })?);
        }
        let count = writes.len();
        self.persist(writes)?;
        self.conn.execute(
            "UPDATE imports SET reverted_at = ?2 WHERE id = ?1",
            params![import_id, time_text(Utc::now())],
        )?;
        Ok(count)
    }

    fn plan_row(
        &self,
        actor: &Actor,
        kind: ImportKind,
        mode: ImportMode,
        columns: &[Column],
        record: &csv::StringRecord,
    ) -> Result<RowPlan, Vec<String>> {
        let mut fields = FieldMap::new();
        let mut links: Map<String, Json> = Map::new();
        let mut errors = Vec::new();
        let mut header_of = std::collections::HashMap::new();
        for (column, cell) in columns.iter().zip(record.iter()) {
            let Some((field, field_type)) = &column.field else {
                continue;
            };
            if cell.trim().is_empty() {
                continue;
            }
            header_of.insert(
                field.split('.').next().unwrap_or(field).to_owned(),
                column.header.clone(),
            );
            match text::cell_value(cell, *field_type) {
                Ok(value) if field.starts_with('@') => {
                    links.insert(field.clone(), value);
                }
                Ok(value) => match field.split_once('.') {
                    Some((parent, child)) => {
                        let entry = fields
                            .entry(parent.to_owned())
                            .or_insert_with(|| Json::Object(Map::new()));
                        if let Json::Object(map) = entry {
                            map.insert(child.to_owned(), value);
                        }
                    }
                    None => {
                        fields.insert(field.clone(), value);
                    }
                },
                Err(message) => errors.push(format!("{}: {message}", column.header)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let explain = |errors: crm_model::ValidationErrors| -> Vec<String> {
            errors
                .0
                .into_iter()
                .map(|error| {
                    let root = error
                        .field
                        .split(['.', '['])
                        .next()
                        .unwrap_or(&error.field)
                        .to_owned();
                    let column = header_of.get(&root).cloned().unwrap_or(error.field.clone());
                    format!("{column}: {} {}", error.field, error.rule)
                })
                .collect()
        };
        let id_text = fields
            .remove("id")
            .and_then(|value| value.as_str().map(str::to_owned));
        match kind {
            ImportKind::Customers => {
                let existing = self
                    .match_existing(
                        "customers",
                        id_text.as_deref(),
                        &[
                            (
                                "domain",
                                crm_model::domain_of(
                                    fields.get("website").and_then(Json::as_str),
                                    fields.get("primaryEmail").and_then(Json::as_str),
                                ),
                            ),
                            (
                                "primary_email",
                                fields
                                    .get("primaryEmail")
                                    .and_then(Json::as_str)
                                    .map(str::to_lowercase),
                            ),
                        ],
                    )
                    .map_err(|error| vec![error.to_string()])?;
                self.plan::<Customer>(actor, mode, existing, fields)
                    .map_err(explain)
            }
            ImportKind::Contacts => {
                if let Some(name) = links.get(CUSTOMER_NAME).and_then(Json::as_str) {
                    let customer = self
                        .id_by_name("customers", name)
                        .map_err(|error| vec![error.to_string()])?;
                    let Some(customer) = customer else {
                        return Err(vec![format!(
                            "{}: no customer is named {name:?}",
                            header_of.get(CUSTOMER_NAME).cloned().unwrap_or_default()
                        )]);
                    };
                    fields.insert("customerId".into(), Json::String(customer.to_string()));
                }
                let email = fields
                    .get("email")
                    .and_then(Json::as_str)
                    .map(str::to_lowercase);
                let existing = self
                    .match_existing("contacts", id_text.as_deref(), &[("email", email)])
                    .map_err(|error| vec![error.to_string()])?;
                self.plan::<Contact>(actor, mode, existing, fields)
                    .map_err(explain)
            }
            ImportKind::Leads => {
                let email = fields
                    .get("email")
                    .and_then(Json::as_str)
                    .map(str::to_lowercase);
                let existing = self
                    .match_existing("leads", id_text.as_deref(), &[("email", email)])
                    .map_err(|error| vec![error.to_string()])?;
                self.plan::<Lead>(actor, mode, existing, fields)
                    .map_err(explain)
            }
            ImportKind::Deals => {
                let pipeline = self
                    .default_pipeline()
                    .map_err(|error| vec![error.to_string()])?;
                if let Some(name) = links.get(CUSTOMER_NAME).and_then(Json::as_str) {
                    match self
                        .id_by_name("customers", name)
                        .map_err(|error| vec![error.to_string()])?
                    {
                        Some(customer) => {
                            fields.insert("customerId".into(), Json::String(customer.to_string()));
                        }
                        None => return Err(vec![format!("no customer is named {name:?}")]),
                    }
                }
                let stage = match links.get(STAGE_NAME).and_then(Json::as_str) {
                    Some(name) => pipeline
                        .stage_named(name)
                        .ok_or_else(|| vec![format!("the pipeline has no stage named {name:?}")])?,
                    None => pipeline
                        .first_open_stage()
                        .ok_or_else(|| vec!["the pipeline has no open stage".to_owned()])?,
                };
                fields
                    .entry("pipelineId")
                    .or_insert_with(|| Json::String(pipeline.id.to_string()));
                fields
                    .entry("stageId")
                    .or_insert_with(|| Json::String(stage.to_string()));
                let existing = self
                    .match_existing("deals", id_text.as_deref(), &[])
                    .map_err(|error| vec![error.to_string()])?;
                self.plan::<Deal>(actor, mode, existing, fields)
                    .map_err(explain)
            }
        }
    }

    /// The create or update a row makes of a `E`, checked against the model's rules.
    fn plan<E: References + 'static>(
        &self,
        actor: &Actor,
        mode: ImportMode,
        existing: Option<RecordId>,
        fields: FieldMap,
    ) -> Result<RowPlan, crm_model::ValidationErrors> {
        let as_errors = |error: CoreError| match error {
            CoreError::Validation(errors) => errors,
            other => crm_model::ValidationErrors(vec![crm_model::FieldError {
                field: "row".into(),
                rule: crm_model::Rule::Invalid {
                    expected: other.to_string(),
                },
            }]),
        };
        match (mode, existing) {
            (ImportMode::SkipDuplicates, Some(id)) => {
                Ok(RowPlan::Skip(format!("matches existing record {id}")))
            }
            (ImportMode::Update, Some(id)) => {
                let current: E = self.get(E::Id::from(id.0)).map_err(as_errors)?;
                let next = crm_model::apply_fields(&current, &fields)?;
                self.check_references(&next).map_err(as_errors)?;
                let before = fields_of(id, &current).map_err(as_errors)?;
                let after = fields_of(id, &next).map_err(as_errors)?;
                let old: Map<String, Json> = after
                    .iter()
                    .filter(|(key, value)| before.get(*key) != Some(value))
                    .map(|(key, _)| (key.clone(), before.get(key).cloned().unwrap_or(Json::Null)))
                    .collect();
                Ok(RowPlan::Write(Planned::Update {
                    id,
                    old,
                    write: Box::new(move |store: &Store, actor: &Actor| {
                        let mut next = next.clone();
                        store.stage_replace(actor, &mut next)
                    }),
                }))
            }
            _ => {
                let draft_id = E::Id::from(Uuid::now_v7());
                let entity: E =
                    crm_model::create_from_fields(draft_id, crate::store::now(), actor, &fields)?;
                crate::permissions::check(
                    actor,
                    crm_model::Operation::Create,
                    E::KIND,
                    entity.owner(),
                )
                .map_err(as_errors)?;
                self.check_references(&entity).map_err(as_errors)?;
                Ok(RowPlan::Write(Planned::Create(Box::new(
                    move |store: &Store, actor: &Actor| {
                        let mut entity = entity.clone();
                        store.stage_new(actor, &mut entity, &[])
                    },
                ))))
            }
        }
    }

    /// An existing live record of `table` matching the row: by id, else by the first key given.
    fn match_existing(
        &self,
        table: &str,
        id: Option<&str>,
        keys: &[(&str, Option<String>)],
    ) -> Result<Option<RecordId>, CoreError> {
        if let Some(id) = id.and_then(|text| text.parse::<RecordId>().ok())
            && self.exists(kind_of(table), id)?
        {
            return Ok(Some(id));
        }
        for (column, value) in keys {
            let Some(value) = value.as_deref().filter(|value| !value.is_empty()) else {
                continue;
            };
            let found: Option<String> = self
                .conn
                .prepare_cached(&format!(
                    "SELECT id FROM {table} WHERE {column} = ?1 AND deleted_at IS NULL LIMIT 1"
                ))?
                .query_row([value], |row| row.get(0))
                .optional()?;
            if let Some(found) = found {
                return Ok(found.parse().ok());
            }
        }
        Ok(None)
    }

    fn id_by_name(&self, table: &str, name: &str) -> Result<Option<RecordId>, CoreError> {
        let found: Option<String> = self
            .conn
            .prepare_cached(&format!("SELECT id FROM {table} WHERE name = ?1 COLLATE NOCASE AND deleted_at IS NULL LIMIT 1"))?
            .query_row([name.trim()], |row| row.get(0))
            .optional()?;
        Ok(found.and_then(|id| id.parse().ok()))
    }
}

impl Store {
    /// The contacts of a query as vCards (`version` "3.0" or "4.0").
    pub fn export_vcards(
        &self,
        query: &crm_protocol::query::ContactQuery,
        version: &str,
    ) -> Result<String, CoreError> {
        let contacts = export::all_contacts(self, query)?;
        let mut named = Vec::with_capacity(contacts.len());
        for contact in contacts {
            let organization = match contact.customer_id {
                Some(id) => self.get::<Customer>(id).ok().map(|customer| customer.name),
                None => None,
            };
            named.push((contact, organization));
        }
        Ok(contacts_to_vcards(&named, version))
    }

    /// Imports the contacts of a vCard file. Each card's `ORG` names its customer, which is
    /// created when no customer has that name; a card without `ORG` is refused (a contact
    /// belongs to a customer). All or nothing, one transaction.
    pub fn import_vcards(
        &mut self,
        actor: &Actor,
        bytes: &[u8],
    ) -> Result<Vec<Contact>, CoreError> {
        let invalid = |message: String| {
            CoreError::Validation(crm_model::ValidationErrors(vec![crm_model::FieldError {
                field: "file".into(),
                rule: crm_model::Rule::Invalid { expected: message },
            }]))
        };
        let text = text::decode(bytes).map_err(invalid)?;
        let cards = parse_vcards(&text).map_err(invalid)?;
        let mut writes = Vec::new();
        let mut contacts = Vec::new();
        let mut new_customers: std::collections::HashMap<String, crm_model::CustomerId> =
            std::collections::HashMap::new();
        for (index, card) in cards.into_iter().enumerate() {
            let Some(organization) = card.organization.filter(|name| !name.trim().is_empty())
            else {
                return Err(invalid(format!(
                    "card {} has no ORG: a contact needs a customer",
                    index + 1
                )));
            };
            let customer_id = match self.id_by_name("customers", &organization)? {
                Some(id) => crm_model::CustomerId(id.0),
                None => match new_customers.get(&organization.to_lowercase()) {
                    Some(id) => *id,
                    None => {
                        let mut customer = <Customer as crm_model::Entity>::draft(
                            crm_model::CustomerId(Uuid::now_v7()),
                            crate::store::now(),
                            actor,
                        );
                        customer.name = organization.clone();
                        crate::permissions::check(
                            actor,
                            crm_model::Operation::Create,
                            RecordKind::Customer,
                            customer.owner_id,
                        )?;
                        writes.push(self.stage_new(actor, &mut customer, &[])?);
                        new_customers.insert(organization.to_lowercase(), customer.id);
                        customer.id
                    }
                },
            };
            let mut fields = card.fields;
            fields.insert("customerId".into(), Json::String(customer_id.to_string()));
            let contact: Contact = crm_model::create_from_fields(
                crm_model::ContactId(Uuid::now_v7()),
                crate::store::now(),
                actor,
                &fields,
            )
            .map_err(|errors| invalid(format!("card {}: {errors}", index + 1)))?;
            crate::permissions::check(
                actor,
                crm_model::Operation::Create,
                RecordKind::Contact,
                contact.owner_id,
            )?;
            let mut staged = contact.clone();
            let pending: Vec<RecordId> =
                writes.iter().map(|write: &StagedWrite| write.id).collect();
            writes.push(self.stage_new(actor, &mut staged, &pending)?);
            contacts.push(staged);
        }
        self.persist(writes)?;
        Ok(contacts)
    }

    /// The activities of a query as an iCalendar file (RFC 5545) with their reminders.
    pub fn export_icalendar(
        &self,
        query: &crm_protocol::query::ActivityQuery,
        today: chrono::NaiveDate,
    ) -> Result<String, CoreError> {
        let activities = export::all_activities(self, query, today)?;
        Ok(activities_to_icalendar(&activities, "Field CRM activities"))
    }
}

enum RowPlan {
    Skip(String),
    Write(Planned),
}

fn kind_of(table: &str) -> RecordKind {
    match table {
        "contacts" => RecordKind::Contact,
        "leads" => RecordKind::Lead,
        "deals" => RecordKind::Deal,
        _ => RecordKind::Customer,
    }
}
