//! Queries: every list of spec §2 with its filters, global search, Customer 360, the customer
//! timeline and the activity groupings. They read the materialized tables only.

mod customer_view;
mod list;

use std::collections::HashMap;

use chrono::NaiveDate;
use crm_model::{
    Activity, Amount, Communication, Contact, Customer, Deal, FieldError, Lead, Pipeline,
    RecordKind, Rule, ValidationErrors,
};
use crm_protocol::query::{
    ActivityQuery, BoardColumn, BoardQuery, CommunicationQuery, ContactQuery, CustomerQuery,
    DealQuery, LeadQuery, Page, PipelineBoard, SortOrder,
};

pub use customer_view::ActivityScope;
pub(crate) use list::{Filter, ListSpec, run};

use crate::error::CoreError;
use crate::materialize::SearchHit;
use crate::store::Store;

const CUSTOMERS: ListSpec = ListSpec {
    table: "customers",
    kind_token: "kcustomer",
    sorts: &[
        ("name", "name COLLATE NOCASE"),
        ("status", "status"),
        ("category", "COALESCE(category, '')"),
        ("industry", "COALESCE(industry, '')"),
        ("createdAt", "created_at"),
        ("updatedAt", "updated_at"),
        ("annualRevenue", "COALESCE(annual_revenue, -1)"),
        ("lastContactDate", "COALESCE(last_contact_date, '')"),
    ],
    default_sort: ("name", SortOrder::Asc),
};

const CONTACTS: ListSpec = ListSpec {
    table: "contacts",
    kind_token: "kcontact",
    sorts: &[
        ("name", "name COLLATE NOCASE"),
        ("email", "COALESCE(email, '')"),
        ("jobTitle", "COALESCE(job_title, '')"),
        ("createdAt", "created_at"),
        ("updatedAt", "updated_at"),
    ],
    default_sort: ("name", SortOrder::Asc),
};

const LEADS: ListSpec = ListSpec {
    table: "leads",
    kind_token: "klead",
    sorts: &[
        ("createdAt", "created_at"),
        ("name", "name COLLATE NOCASE"),
        ("leadScore", "lead_score"),
        ("status", "status"),
        ("company", "COALESCE(company, '')"),
        ("updatedAt", "updated_at"),
    ],
    default_sort: ("createdAt", SortOrder::Desc),
};

const DEALS: ListSpec = ListSpec {
    table: "deals",
    kind_token: "kdeal",
    sorts: &[
        ("createdAt", "created_at"),
        ("name", "name COLLATE NOCASE"),
        ("amount", "amount"),
        ("value", "amount"),
        ("probability", "probability"),
        (
            "expectedCloseDate",
            "COALESCE(expected_close_date, '9999-12-31')",
        ),
        ("updatedAt", "updated_at"),
    ],
    default_sort: ("createdAt", SortOrder::Desc),
};

const COMMUNICATIONS: ListSpec = ListSpec {
    table: "communications",
    kind_token: "kcommunication",
    sorts: &[
        ("occurredAt", "occurred_at"),
        ("type", "type"),
        ("createdAt", "created_at"),
    ],
    default_sort: ("occurredAt", SortOrder::Desc),
};

const ACTIVITIES: ListSpec = ListSpec {
    table: "activities",
    kind_token: "kactivity",
    sorts: &[
        ("dueDate", "COALESCE(due_at, '9999-12-31')"),
        ("priority", "priority_rank"),
        ("status", "status"),
        ("createdAt", "created_at"),
        ("subject", "subject COLLATE NOCASE"),
    ],
    default_sort: ("dueDate", SortOrder::Asc),
};

impl Store {
    pub fn list_customers(&self, query: &CustomerQuery) -> Result<Page<Customer>, CoreError> {
        let mut filter = Filter::default();
        filter.equal("status", query.status.map(|status| status.as_str()));
        filter.equal("category", query.category.map(|category| category.as_str()));
        filter.equal("owner_id", query.owner_id);
        filter.tags(&query.tags);
        filter.search(CUSTOMERS.kind_token, query.search.as_deref());
        run(&self.conn, &CUSTOMERS, filter, &query.paging)
    }

    pub fn list_contacts(&self, query: &ContactQuery) -> Result<Page<Contact>, CoreError> {
        let mut filter = Filter::default();
        filter.equal("customer_id", query.customer_id);
        filter.equal("role", query.role.map(|role| role.as_str()));
        filter.equal("owner_id", query.owner_id);
        filter.search(CONTACTS.kind_token, query.search.as_deref());
        run(&self.conn, &CONTACTS, filter, &query.paging)
    }

    pub fn list_leads(&self, query: &LeadQuery) -> Result<Page<Lead>, CoreError> {
        let mut filter = Filter::default();
        filter.equal("status", query.status.map(|status| status.as_str()));
        filter.equal("owner_id", query.owner_id);
        filter.equal("source", query.source.as_deref());
        filter.equal("rating", query.rating.map(|rating| rating.as_str()));
        if let Some(min) = query.min_score {
            filter.push("lead_score >= ?", min);
        }
        if let Some(max) = query.max_score {
            filter.push("lead_score <= ?", max);
        }
        filter.search(LEADS.kind_token, query.search.as_deref());
        run(&self.conn, &LEADS, filter, &query.paging)
    }

    pub fn list_deals(&self, query: &DealQuery) -> Result<Page<Deal>, CoreError> {
        run(&self.conn, &DEALS, deal_filter(query), &query.paging)
    }

    /// The kanban board (spec §3.5): every open stage of the pipeline, in order, with the
    /// count and sums of its open deals that pass the filters (one grouped query over the
    /// board index) and its first cards (one indexed query per stage).
    pub fn pipeline_board(&self, query: &BoardQuery) -> Result<PipelineBoard, CoreError> {
        let invalid = |rule| {
            CoreError::Validation(ValidationErrors(vec![FieldError {
                field: "pipelineId".into(),
                rule,
            }]))
        };
        let pipeline_id = query
            .deals
            .pipeline_id
            .ok_or_else(|| invalid(Rule::Required))?;
        let pipeline: Pipeline = self.get(pipeline_id).map_err(|error| match error {
            CoreError::NotFound { .. } | CoreError::Purged { .. } => invalid(Rule::Reference {
                kind: "pipeline".into(),
            }),
            other => other,
        })?;
        let (clause, params) = deal_filter(&query.open_deals()).live_rows();
        let mut sums: HashMap<String, (u64, i64, i64)> = HashMap::new();
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT stage_id, COUNT(*), TOTAL(amount), TOTAL(weighted_amount) FROM deals
             WHERE {clause} GROUP BY stage_id"
        ))?;
        let mut rows = statement.query(rusqlite::params_from_iter(&params))?;
        while let Some(row) = rows.next()? {
            let stage: Option<String> = row.get(0)?;
            let count: i64 = row.get(1)?;
            // TOTAL is a float, and never overflows the way SUM would.
            let amount: f64 = row.get(2)?;
            let weighted: f64 = row.get(3)?;
            if let Some(stage) = stage {
                sums.insert(
                    stage,
                    (
                        u64::try_from(count).unwrap_or(0),
                        amount.round() as i64,
                        weighted.round() as i64,
                    ),
                );
            }
        }
        let mut columns = Vec::new();
        for (stage_id, stage) in pipeline.ordered_stages() {
            if stage.is_closed() {
                continue;
            }
            let (count, amount, weighted) =
                sums.get(&stage_id.to_string()).copied().unwrap_or_default();
            let (deals, next_cursor) = if count == 0 {
                (Vec::new(), None)
            } else {
                let cards = self.list_deals(&query.more_of_stage(stage_id, None))?;
                (cards.data, cards.next_cursor)
            };
            columns.push(BoardColumn {
                stage_id,
                count,
                amount: Amount(amount),
                weighted: Amount(weighted),
                deals,
                next_cursor,
            });
        }
        Ok(PipelineBoard { columns })
    }

    pub fn list_communications(
        &self,
        query: &CommunicationQuery,
    ) -> Result<Page<Communication>, CoreError> {
        let mut filter = Filter::default();
        filter.equal("customer_id", query.customer_id);
        filter.equal("contact_id", query.contact_id);
        filter.equal("lead_id", query.lead_id);
        filter.equal("deal_id", query.deal_id);
        filter.equal("type", query.communication_type.map(|kind| kind.as_str()));
        filter.equal("created_by", query.created_by);
        if let Some(from) = query.date_from {
            filter.push("occurred_at >= ?", crate::store::time_text(from));
        }
        if let Some(to) = query.date_to {
            filter.push("occurred_at <= ?", crate::store::time_text(to));
        }
        run(&self.conn, &COMMUNICATIONS, filter, &query.paging)
    }

    /// Activities; `today` decides what is overdue (the user's local date).
    pub fn list_activities(
        &self,
        query: &ActivityQuery,
        today: NaiveDate,
    ) -> Result<Page<Activity>, CoreError> {
        let mut filter = Filter::default();
        filter.equal("assigned_to", query.assigned_to);
        filter.equal("status", query.status.map(|status| status.as_str()));
        filter.equal("priority", query.priority.map(|priority| priority.as_str()));
        filter.equal("type", query.activity_type.map(|kind| kind.as_str()));
        filter.equal("due_date", query.due_date);
        filter.equal("customer_id", query.customer_id);
        filter.equal("deal_id", query.deal_id);
        filter.equal("lead_id", query.lead_id);
        if query.overdue {
            // The sort key's form, so the `activities_open` index serves it: a due time on an
            // earlier day sorts before the day's date; no due date sorts after every day.
            filter.push(
                "is_open = 1 AND COALESCE(due_at, '9999-12-31') < ?",
                today.to_string(),
            );
        }
        run(&self.conn, &ACTIVITIES, filter, &query.paging)
    }

    /// The full-text expression [`Store::search`] runs for `text` (typos corrected), for the
    /// benchmark's bare-SQL twin and for diagnostics; `None` when nothing can match.
    pub fn search_expression(&self, text: &str) -> Result<Option<String>, CoreError> {
        crate::materialize::match_expression(&self.conn, text)
    }

    /// Global search (spec §2.8): up to `limit` hits of each kind, best first.
    pub fn search(
        &self,
        text: &str,
        kinds: &[RecordKind],
        limit: usize,
    ) -> Result<Vec<SearchHit>, CoreError> {
        let kinds = if kinds.is_empty() {
            &[
                RecordKind::Customer,
                RecordKind::Contact,
                RecordKind::Lead,
                RecordKind::Deal,
            ][..]
        } else {
            kinds
        };
        crate::materialize::search(&self.conn, text, kinds, limit.min(100))
    }
}

/// The deals list's filters (spec §2.4) as SQL.
fn deal_filter(query: &DealQuery) -> Filter {
    let mut filter = Filter::default();
    filter.equal("pipeline_id", query.pipeline_id);
    filter.equal("stage_id", query.stage_id);
    filter.equal("status", query.status.map(|status| status.as_str()));
    filter.equal("customer_id", query.customer_id);
    filter.equal("owner_id", query.owner_id);
    if let Some(min) = query.min_value {
        filter.push("amount >= ?", Amount::from_decimal(min).cents());
    }
    if let Some(max) = query.max_value {
        filter.push("amount <= ?", Amount::from_decimal(max).cents());
    }
    if let Some(from) = query.expected_close_date_from {
        filter.push("expected_close_date >= ?", from.to_string());
    }
    if let Some(to) = query.expected_close_date_to {
        filter.push("expected_close_date <= ?", to.to_string());
    }
    filter.search(DEALS.kind_token, query.search.as_deref());
    filter
}
