//! Customers: the quick-form create and edit, and the customers list.

use crm_model::{Actor, Customer, CustomerId, CustomerPatch, NewCustomer};
use crm_protocol::ipc::{CustomerQuery, Page, Pagination};
use rusqlite::params;

use crate::error::CoreError;
use crate::store::Store;

const MAX_PAGE_SIZE: u32 = 500;

impl Store {
    pub fn create_customer(
        &mut self,
        actor: &Actor,
        input: NewCustomer,
    ) -> Result<Customer, CoreError> {
        let input = input.validated()?;
        self.create(actor, &input.to_fields())
    }

    pub fn update_customer(
        &mut self,
        actor: &Actor,
        id: CustomerId,
        patch: CustomerPatch,
    ) -> Result<Customer, CoreError> {
        self.update(actor, id, &patch.to_fields())
    }

    pub fn get_customer(&self, id: CustomerId) -> Result<Customer, CoreError> {
        self.get(id)
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
            "SELECT data FROM customers WHERE {FILTER} ORDER BY name COLLATE NOCASE, id LIMIT ?2 OFFSET ?3"
        ))?;
        let rows = statement.query_map(params![pattern, limit, offset], |row| {
            row.get::<_, String>(0)
        })?;
        let mut data = Vec::new();
        for row in rows {
            data.push(crate::materialize::from_data(&row?)?);
        }
        Ok(Page {
            data,
            pagination: Pagination::new(page, limit, u64::try_from(total).unwrap_or(0)),
        })
    }
}
