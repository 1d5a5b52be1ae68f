//! Customers: create, edit and list.

use chrono::DateTime;
use crm_model::{
    Actor, Customer, CustomerId, CustomerPatch, CustomerStatus, NewCustomer, RecordId, RecordKind,
};
use crm_protocol::ipc::{CustomerQuery, Page, Pagination};
use rusqlite::params;
use uuid::Uuid;

use crate::error::CoreError;
use crate::materialize::{entity_from, fields_of};
use crate::permissions::{Operation, check};
use crate::store::{Store, now};

const MAX_PAGE_SIZE: u32 = 500;

impl Store {
    pub fn create_customer(
        &mut self,
        actor: &Actor,
        input: NewCustomer,
    ) -> Result<Customer, CoreError> {
        check(actor, Operation::Create, RecordKind::Customer, None)?;
        let input = input.validated()?;
        let now = now();
        let customer = Customer {
            id: CustomerId(Uuid::now_v7()),
            name: input.name,
            primary_email: input.primary_email,
            primary_phone: input.primary_phone,
            industry: input.industry,
            status: input.status.unwrap_or_default(),
            owner_id: Some(input.owner_id.unwrap_or(actor.user_id)),
            created_at: now,
            updated_at: now,
        };
        let id = RecordId::from(customer.id);
        let fields = fields_of(id, &customer)?;
        let (stored, updated_at) =
            self.write_record(actor, RecordKind::Customer, id, None, |document| {
                document
                    .write_fields(&fields)
                    .map_err(|source| CoreError::Document { id, source })
            })?;
        entity_from(id, &stored, updated_at)
    }

    pub fn update_customer(
        &mut self,
        actor: &Actor,
        id: CustomerId,
        patch: CustomerPatch,
    ) -> Result<Customer, CoreError> {
        let record_id = RecordId::from(id);
        let not_found = || CoreError::NotFound {
            kind: RecordKind::Customer,
            id: record_id,
        };
        let mut document = self.load_document(record_id)?.ok_or_else(not_found)?;
        let fields = document.fields().map_err(|source| CoreError::Document {
            id: record_id,
            source,
        })?;
        let updated_at = document.last_change_time();
        let current: Customer = entity_from(record_id, &fields, updated_at)?;
        check(
            actor,
            Operation::Update,
            RecordKind::Customer,
            current.owner_id,
        )?;
        let next = patch.apply_to(&current)?;
        let next_fields = fields_of(record_id, &next)?;
        let (stored, updated_at) = self.write_record(
            actor,
            RecordKind::Customer,
            record_id,
            Some(document),
            |document| {
                document
                    .write_fields(&next_fields)
                    .map_err(|source| CoreError::Document {
                        id: record_id,
                        source,
                    })
            },
        )?;
        entity_from(record_id, &stored, updated_at)
    }

    pub fn get_customer(&self, id: CustomerId) -> Result<Customer, CoreError> {
        let record_id = RecordId::from(id);
        let mut document = self.load_document(record_id)?.ok_or(CoreError::NotFound {
            kind: RecordKind::Customer,
            id: record_id,
        })?;
        let fields = document.fields().map_err(|source| CoreError::Document {
            id: record_id,
            source,
        })?;
        let updated_at = document.last_change_time();
        entity_from(record_id, &fields, updated_at)
    }

    /// One page of customers not in the trash, by name; `search` matches the start of the name,
    /// email or phone.
    pub fn list_customers(&self, query: &CustomerQuery) -> Result<Page<Customer>, CoreError> {
        let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
        let page = query.page.max(1);
        let offset = i64::from(page - 1) * i64::from(limit);
        let pattern = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(|text| format!("{}%", text.replace(['%', '_'], "")));
        const FILTER: &str = "deleted_at IS NULL AND (?1 IS NULL OR name LIKE ?1 OR primary_email LIKE ?1 OR primary_phone LIKE ?1)";
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM customers WHERE {FILTER}"),
            params![pattern],
            |row| row.get(0),
        )?;
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT id, name, primary_email, primary_phone, industry, status, owner_id, created_at, updated_at
             FROM customers WHERE {FILTER}
             ORDER BY name COLLATE NOCASE, id LIMIT ?2 OFFSET ?3"
        ))?;
        let rows = statement.query_map(params![pattern, limit, offset], |row| {
            Ok(CustomerRow {
                id: row.get(0)?,
                name: row.get(1)?,
                primary_email: row.get(2)?,
                primary_phone: row.get(3)?,
                industry: row.get(4)?,
                status: row.get(5)?,
                owner_id: row.get(6)?,
                created_at: row.get(7)?,
                updated_at: row.get(8)?,
            })
        })?;
        let mut data = Vec::new();
        for row in rows {
            data.push(row?.into_customer());
        }
        Ok(Page {
            data,
            pagination: Pagination::new(page, limit, u64::try_from(total).unwrap_or(0)),
        })
    }
}

struct CustomerRow {
    id: String,
    name: String,
    primary_email: Option<String>,
    primary_phone: Option<String>,
    industry: Option<String>,
    status: String,
    owner_id: Option<String>,
    created_at: String,
    updated_at: String,
}

impl CustomerRow {
    fn into_customer(self) -> Customer {
        let parse_time = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|time| time.to_utc())
                .unwrap_or_default()
        };
        Customer {
            id: CustomerId(Uuid::parse_str(&self.id).unwrap_or_default()),
            name: self.name,
            primary_email: self.primary_email,
            primary_phone: self.primary_phone,
            industry: self.industry,
            status: CustomerStatus::parse(&self.status).unwrap_or_default(),
            owner_id: self.owner_id.and_then(|owner| owner.parse().ok()),
            created_at: parse_time(&self.created_at),
            updated_at: parse_time(&self.updated_at),
        }
    }
}
