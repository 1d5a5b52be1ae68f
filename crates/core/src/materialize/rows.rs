//! One function per record kind: the typed columns of its materialized row, derived from the
//! record's fields alone (no connection), so the derivation can run on another thread than the
//! one writing to SQLite ([`RecordRows::write`]).

use chrono::{DateTime, Utc};
use crm_model::{
    Activity, Attachment, Communication, Contact, Customer, CustomerNote, Deal, Lead, Pipeline,
    Priority, RecordId, RecordKind, SalesDocument, Tag, User,
};
use rusqlite::Transaction;
use rusqlite::types::{ToSql, ToSqlOutput, Value};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::entity_from;
use super::search::SearchEntry;
use crate::error::CoreError;
use crate::store::time_text;

/// What every row writer gets: the record's fields and its derived metadata.
pub(super) struct Row<'a> {
    pub(super) id: RecordId,
    pub(super) fields: &'a Map<String, Json>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) deleted_at: Option<&'a str>,
}

/// The statements that write one record's rows, with their values, and its search entry
/// (`None`: the kind is not searched).
pub(crate) struct RecordRows {
    statements: Vec<(&'static str, Vec<Value>)>,
    pub(super) search: Option<SearchEntry>,
}

impl RecordRows {
    fn new() -> RecordRows {
        RecordRows {
            statements: Vec::with_capacity(1),
            search: None,
        }
    }

    fn push(&mut self, sql: &'static str, values: Vec<Value>) {
        self.statements.push((sql, values));
    }

    fn searched_as(mut self, entry: SearchEntry) -> RecordRows {
        self.search = Some(entry);
        self
    }

    /// Runs the statements (the search entry is the caller's).
    pub(super) fn write(&self, transaction: &Transaction<'_>) -> Result<(), CoreError> {
        for (sql, values) in &self.statements {
            transaction
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(values))?;
        }
        Ok(())
    }
}

/// A statement's value, owned so it can cross threads.
fn value<T: ToSql>(value: T) -> Result<Value, CoreError> {
    Ok(match value.to_sql()? {
        ToSqlOutput::Borrowed(borrowed) => Value::try_from(borrowed)
            .map_err(|error| CoreError::Corrupt(format!("a row value: {error}")))?,
        ToSqlOutput::Owned(owned) => owned,
        other => {
            return Err(CoreError::Corrupt(format!(
                "a row value of an unexpected form: {other:?}"
            )));
        }
    })
}

/// `params!` for [`RecordRows::push`]: each value owned.
macro_rules! values {
    ($($value:expr),* $(,)?) => {
        vec![$(value(&$value)?),*]
    };
}

impl Row<'_> {
    fn entity<T: serde::de::DeserializeOwned>(&self) -> Result<T, CoreError> {
        entity_from(self.id, self.fields, self.updated_at)
    }

    fn data<T: Serialize>(&self, entity: &T) -> Result<String, CoreError> {
        serde_json::to_string(entity).map_err(|source| CoreError::Fields {
            id: self.id,
            source,
        })
    }

    fn id(&self) -> String {
        self.id.to_string()
    }

    fn updated(&self) -> String {
        time_text(self.updated_at)
    }
}

pub(crate) fn table_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Customer => "customers",
        RecordKind::Contact => "contacts",
        RecordKind::Lead => "leads",
        RecordKind::Deal => "deals",
        RecordKind::Pipeline => "pipelines",
        RecordKind::Communication => "communications",
        RecordKind::Activity => "activities",
        RecordKind::Note => "notes",
        RecordKind::Attachment => "attachments",
        RecordKind::Tag => "tags",
        RecordKind::SalesDocument => "sales_documents",
        RecordKind::User => "users",
        RecordKind::Settings => "settings",
    }
}

/// Tags as `|a|b|`, lower-cased, so `tags LIKE '%|b|%'` filters by one tag.
pub(crate) fn tags_column(tags: &[String]) -> String {
    let mut column = String::from("|");
    for tag in tags {
        column.push_str(&tag.to_lowercase());
        column.push('|');
    }
    column
}

fn text<T: ToString>(value: Option<T>) -> Option<String> {
    value.map(|value| value.to_string())
}

fn time(value: Option<DateTime<Utc>>) -> Option<String> {
    value.map(time_text)
}

fn joined(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .copied()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn customer(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let customer: Customer = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO customers (id, name, status, category, customer_type, company_size, industry,
                source, owner_id, primary_email, primary_phone, domain, tags, annual_revenue, currency,
                last_contact_date, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        values![
            row.id(),
            customer.name,
            customer.status.as_str(),
            customer.category.map(|category| category.as_str()),
            customer.customer_type.as_str(),
            customer.company_size.map(|size| size.as_str()),
            customer.industry,
            customer.source.map(|source| source.as_str()),
            text(customer.owner_id),
            customer.primary_email,
            customer.primary_phone,
            customer.domain(),
            tags_column(&customer.tags),
            customer.annual_revenue.map(|amount| amount.cents()),
            customer.currency_code.0,
            time(customer.last_contact_date),
            time_text(customer.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&customer)?,
        ],
    );
    Ok(rows.searched_as(SearchEntry {
        title: customer.name.clone(),
        detail: joined(&[
            customer.primary_email.as_deref(),
            customer.primary_phone.as_deref(),
            customer.industry.as_deref(),
            customer.domain().as_deref(),
        ]),
    }))
}

pub(super) fn contact(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let contact: Contact = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO contacts (id, customer_id, name, email, phone, job_title, role, status,
                is_primary, owner_id, tags, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        values![
            row.id(),
            text(contact.customer_id),
            contact.name,
            contact.email,
            contact.phone.as_ref().or(contact.mobile_phone.as_ref()).or(contact.work_phone.as_ref()),
            contact.job_title.as_ref().or(contact.title.as_ref()),
            contact.role.map(|role| role.as_str()),
            contact.status.as_str(),
            contact.is_primary,
            text(contact.owner_id),
            tags_column(&contact.tags),
            time_text(contact.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&contact)?,
        ],
    );
    Ok(rows.searched_as(SearchEntry {
        title: contact.name.clone(),
        detail: joined(&[
            contact.email.as_deref(),
            contact.phone.as_deref(),
            contact.mobile_phone.as_deref(),
            contact.job_title.as_deref(),
        ]),
    }))
}

pub(super) fn lead(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let lead: Lead = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO leads (id, name, email, phone, company, source, status, rating, priority,
                lead_score, owner_id, customer_id, domain, tags, converted_at, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        values![
            row.id(),
            lead.name,
            lead.email,
            lead.phone,
            lead.company,
            lead.source,
            lead.status.as_str(),
            lead.rating.map(|rating| rating.as_str()),
            lead.priority.as_str(),
            lead.lead_score,
            text(lead.owner_id),
            text(lead.customer_id),
            lead.domain(),
            tags_column(&lead.tags),
            time(lead.converted_at),
            time_text(lead.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&lead)?,
        ],
    );
    Ok(rows.searched_as(SearchEntry {
        title: lead.name.clone(),
        detail: joined(&[
            lead.company.as_deref(),
            lead.email.as_deref(),
            lead.phone.as_deref(),
        ]),
    }))
}

pub(super) fn deal(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let deal: Deal = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO deals (id, customer_id, name, pipeline_id, stage_id, status, owner_id, amount,
                weighted_amount, currency, probability, expected_close_date, closed_date, stage_entered_at,
                lead_id, lost_reason, source, tags, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                     ?21, ?22)",
        values![
            row.id(),
            text(deal.customer_id),
            deal.name,
            text(deal.pipeline_id),
            text(deal.stage_id),
            deal.status.as_str(),
            text(deal.owner_id),
            deal.amount.cents(),
            deal.weighted_amount().cents(),
            deal.currency_code.0,
            deal.probability,
            text(deal.expected_close_date),
            text(deal.closed_date),
            time(deal.stage_entered_at),
            text(deal.lead_id),
            deal.lost_reason.map(|reason| reason.as_str()),
            deal.source.map(|source| source.as_str()),
            tags_column(&deal.tags),
            time_text(deal.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&deal)?,
        ],
    );
    rows.push(
        "DELETE FROM deal_stage_visits WHERE deal_id = ?1",
        values![row.id()],
    );
    for (visit_id, visit) in &deal.stage_history {
        rows.push(
            "INSERT INTO deal_stage_visits (deal_id, visit_id, stage_id, entered_at, left_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            values![
                row.id(),
                visit_id,
                visit.stage_id.to_string(),
                time_text(visit.entered_at),
                time(visit.left_at),
            ],
        );
    }
    Ok(rows.searched_as(SearchEntry {
        title: deal.name.clone(),
        detail: joined(&[deal.deal_number.as_deref(), Some(deal.status.label())]),
    }))
}

pub(super) fn pipeline(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let pipeline: Pipeline = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
        "INSERT OR REPLACE INTO pipelines (id, name, is_default, is_active, created_at, updated_at,
                deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        values![
            row.id(),
            pipeline.name,
            pipeline.is_default,
            pipeline.is_active,
            time_text(pipeline.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&pipeline)?,
        ],
    );
    rows.push(
        "DELETE FROM pipeline_stages WHERE pipeline_id = ?1",
        values![row.id()],
    );
    for (stage_id, stage) in &pipeline.stages {
        rows.push(
            "INSERT INTO pipeline_stages (pipeline_id, stage_id, name, position, probability, is_closed_won,
                is_closed_lost, days_in_stage)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            values![
                row.id(),
                stage_id.to_string(),
                stage.name,
                stage.order,
                stage.probability,
                stage.is_closed_won,
                stage.is_closed_lost,
                stage.days_in_stage,
            ],
        );
    }
    Ok(rows)
}

pub(super) fn communication(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let communication: Communication = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO communications (id, type, subject, occurred_at, created_by, customer_id,
                contact_id, lead_id, deal_id, direction, outcome, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        values![
            row.id(),
            communication.communication_type.as_str(),
            communication.subject,
            time_text(communication.occurred_at),
            text(communication.created_by),
            text(communication.customer_id),
            text(communication.contact_id),
            text(communication.lead_id),
            text(communication.deal_id),
            communication.direction.map(|direction| direction.as_str()),
            communication.outcome.map(|outcome| outcome.as_str()),
            time_text(communication.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&communication)?,
        ],
    );
    Ok(rows)
}

pub(crate) fn priority_rank(priority: Priority) -> i64 {
    match priority {
        Priority::Low => 0,
        Priority::Medium => 1,
        Priority::High => 2,
        Priority::Urgent => 3,
    }
}

pub(super) fn activity(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let activity: Activity = row.entity()?;
    let due_at = activity.due_date.map(|date| match activity.due_time {
        Some(time) => format!("{date}T{}", time.format("%H:%M")),
        None => date.to_string(),
    });
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO activities (id, type, subject, status, is_open, priority, priority_rank, due_at,
                due_date, reminder_at, assigned_to, created_by, customer_id, contact_id, lead_id, deal_id,
                completed_at, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                     ?21)",
        values![
            row.id(),
            activity.activity_type.as_str(),
            activity.subject,
            activity.status.as_str(),
            activity.is_open(),
            activity.priority.as_str(),
            priority_rank(activity.priority),
            due_at,
            text(activity.due_date),
            time(activity.reminder_at),
            text(activity.assigned_to),
            activity.created_by.to_string(),
            text(activity.customer_id),
            text(activity.contact_id),
            text(activity.lead_id),
            text(activity.deal_id),
            time(activity.completed_at),
            time_text(activity.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&activity)?,
        ],
    );
    Ok(rows)
}

pub(super) fn note(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let note: CustomerNote = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO notes (id, customer_id, is_pinned, created_by, created_at, updated_at,
                deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        values![
            row.id(),
            text(note.customer_id),
            note.is_pinned,
            note.created_by.to_string(),
            time_text(note.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&note)?,
        ],
    );
    Ok(rows)
}

pub(super) fn attachment(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let attachment: Attachment = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO attachments (id, file_name, sha256, customer_id, deal_id, communication_id,
                created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        values![
            row.id(),
            attachment.file_name,
            attachment.sha256,
            text(attachment.customer_id),
            text(attachment.deal_id),
            text(attachment.communication_id),
            time_text(attachment.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&attachment)?,
        ],
    );
    Ok(rows)
}

pub(super) fn tag(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let tag: Tag = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
        "INSERT OR REPLACE INTO tags (id, name, category, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        values![
            row.id(),
            tag.name,
            tag.category.as_str(),
            time_text(tag.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&tag)?,
        ],
    );
    Ok(rows)
}

pub(super) fn sales_document(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let document: SalesDocument = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO sales_documents (id, type, number, customer_id, deal_id, status, total,
                amount_paid, currency, issue_date, due_date, paid_at, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        values![
            row.id(),
            document.document_type.as_str(),
            document.number,
            text(document.customer_id),
            text(document.deal_id),
            document.status.as_str(),
            document.total.cents(),
            document.amount_paid.cents(),
            document.currency_code.0,
            document.issue_date.to_string(),
            text(document.due_date),
            time(document.paid_at),
            time_text(document.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&document)?,
        ],
    );
    Ok(rows)
}

pub(super) fn user(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let user: User = row.entity()?;
    let mut rows = RecordRows::new();
    rows.push(
            "INSERT OR REPLACE INTO users (id, name, email, role, active, created_at, updated_at, deleted_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        values![
            row.id(),
            user.name,
            user.email,
            user.role.as_str(),
            user.active,
            time_text(user.created_at),
            row.updated(),
            row.deleted_at,
            row.data(&user)?,
        ],
    );
    Ok(rows)
}

/// Settings are read whole; the row keeps the document's fields as they are, so settings
/// written by a newer app are kept and shown as far as this build understands them.
pub(super) fn settings(row: &Row<'_>) -> Result<RecordRows, CoreError> {
    let data = serde_json::to_string(row.fields)
        .map_err(|source| CoreError::Fields { id: row.id, source })?;
    let mut rows = RecordRows::new();
    rows.push(
        "INSERT OR REPLACE INTO settings (id, updated_at, deleted_at, data) VALUES (?1, ?2, ?3, ?4)",
        values![row.id(), row.updated(), row.deleted_at, data],
    );
    Ok(rows)
}
