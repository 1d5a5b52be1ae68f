//! The measured queries: every list with each single filter and a sort, and global search,
//! each paired with the same query as bare SQL on the raw tables.

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate, Utc};
use crm_core::Store;
use crm_model::{
    ActivityStatus, ActivityType, CommunicationType, ContactId, ContactRole, CustomerCategory,
    CustomerId, CustomerStatus, DealId, DealStatus, LeadId, LeadStatus, PipelineId, Priority,
    Rating, RecordKind, StageId, UserId,
};
use crm_protocol::query::{
    ActivityQuery, CommunicationQuery, ContactQuery, CustomerQuery, DealQuery, LeadQuery, Paging,
    SortOrder,
};
use rusqlite::Connection;
use rusqlite::types::Value;

/// Records the filters point at, picked from the generated tenant.
pub(crate) struct Fixture {
    pub(crate) customer: CustomerId,
    pub(crate) contact: ContactId,
    pub(crate) lead: LeadId,
    pub(crate) deal: DealId,
    pub(crate) owner: UserId,
    pub(crate) pipeline: PipelineId,
    pub(crate) stage: StageId,
    pub(crate) today: NaiveDate,
}

impl Fixture {
    /// The busiest records (most related rows): the filters' worst cases.
    pub(crate) fn pick(conn: &Connection) -> Result<Fixture> {
        let text = |sql: &str| -> Result<String> {
            conn.query_row(sql, [], |row| row.get::<_, String>(0))
                .with_context(|| format!("fixture: {sql}"))
        };
        let uuid = |sql: &str| -> Result<uuid::Uuid> { Ok(text(sql)?.parse()?) };
        Ok(Fixture {
            customer: CustomerId(uuid(
                "SELECT customer_id FROM deals GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 1",
            )?),
            contact: ContactId(uuid(
                "SELECT contact_id FROM communications WHERE contact_id IS NOT NULL
                 GROUP BY contact_id ORDER BY COUNT(*) DESC, contact_id LIMIT 1",
            )?),
            lead: LeadId(uuid(
                "SELECT lead_id FROM communications WHERE lead_id IS NOT NULL
                 GROUP BY lead_id ORDER BY COUNT(*) DESC, lead_id LIMIT 1",
            )?),
            deal: DealId(uuid(
                "SELECT deal_id FROM activities WHERE deal_id IS NOT NULL
                 GROUP BY deal_id ORDER BY COUNT(*) DESC, deal_id LIMIT 1",
            )?),
            owner: UserId(uuid(
                "SELECT owner_id FROM customers GROUP BY owner_id ORDER BY COUNT(*) DESC, owner_id LIMIT 1",
            )?),
            pipeline: PipelineId(uuid(
                "SELECT id FROM pipelines WHERE is_default = 0 LIMIT 1",
            )?),
            stage: StageId(uuid(
                "SELECT stage_id FROM deals GROUP BY stage_id ORDER BY COUNT(*) DESC, stage_id LIMIT 1",
            )?),
            today: Utc::now().date_naive(),
        })
    }
}

type Ours = Box<dyn Fn(&Store) -> Result<usize>>;

/// One measured query: through the store, and as bare SQL on the raw tables.
pub(crate) struct Case {
    pub(crate) list: &'static str,
    pub(crate) label: String,
    pub(crate) ours: Ours,
    pub(crate) raw_sql: Vec<(String, Vec<Value>)>,
}

fn paging(sort: &str, order: SortOrder) -> Paging {
    Paging {
        sort_by: Some(sort.to_owned()),
        sort_order: Some(order),
        ..Paging::default()
    }
}

/// The raw twin of a list page: the same WHERE, ORDER BY and LIMIT, every column read.
fn raw_page(
    table: &str,
    filter: &str,
    order: &str,
    params: Vec<Value>,
) -> Vec<(String, Vec<Value>)> {
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!("{filter} AND ")
    };
    // The store counts the matching rows for the page's total, then reads the page.
    vec![
        (
            format!("SELECT COUNT(*) FROM raw_{table} WHERE {filter}deleted_at IS NULL"),
            params.clone(),
        ),
        (
            format!(
                "SELECT * FROM raw_{table} WHERE {filter}deleted_at IS NULL ORDER BY {order} LIMIT 50"
            ),
            params,
        ),
    ]
}

fn text(value: impl ToString) -> Value {
    Value::Text(value.to_string())
}

/// The FTS query the store's search builds: the kind token and every word as a prefix.
fn match_query(kind: &str, words: &str) -> String {
    let words: Vec<String> = words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{}\"*", word.to_lowercase()))
        .collect();
    format!("kind:k{kind} AND ({})", words.join(" AND "))
}

const SEARCH_FILTER: &str = "id IN (SELECT k.record_id FROM raw_search_words JOIN raw_search_keys k
    ON k.rowid = raw_search_words.rowid WHERE raw_search_words MATCH ?)";

macro_rules! case {
    ($list:literal, $label:expr, $ours:expr, $raw:expr) => {
        Case {
            list: $list,
            label: $label.to_string(),
            ours: Box::new($ours),
            raw_sql: $raw,
        }
    };
}

/// Every list page case: each single filter with a sort, and the sortable columns unfiltered.
pub(crate) fn list_cases(fixture: &Fixture) -> Vec<Case> {
    let f = fixture;
    let (customer, contact, lead, deal, owner) = (f.customer, f.contact, f.lead, f.deal, f.owner);
    let (pipeline, stage, today) = (f.pipeline, f.stage, f.today);
    let by_name = "name COLLATE NOCASE ASC, id ASC";
    let newest = "created_at DESC, id DESC";
    vec![
        // Customers.
        case!(
            "customers",
            "no filter, sort name",
            |s: &Store| Ok(s.list_customers(&CustomerQuery::default())?.data.len()),
            raw_page("customers", "", by_name, vec![])
        ),
        case!(
            "customers",
            "status = ACTIVE, sort name",
            |s: &Store| Ok(s
                .list_customers(&CustomerQuery {
                    status: Some(CustomerStatus::Active),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("customers", "status = ?", by_name, vec![text("ACTIVE")])
        ),
        case!(
            "customers",
            "category = PARTNER, sort createdAt desc",
            |s: &Store| Ok(s
                .list_customers(&CustomerQuery {
                    category: Some(CustomerCategory::Partner),
                    paging: paging("createdAt", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("customers", "category = ?", newest, vec![text("PARTNER")])
        ),
        case!(
            "customers",
            "owner, sort name",
            move |s: &Store| Ok(s
                .list_customers(&CustomerQuery {
                    owner_id: Some(owner),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("customers", "owner_id = ?", by_name, vec![text(owner)])
        ),
        case!(
            "customers",
            "tag vip, sort name",
            |s: &Store| Ok(s
                .list_customers(&CustomerQuery {
                    tags: vec!["vip".into()],
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("customers", "tags LIKE ?", by_name, vec![text("%|vip|%")])
        ),
        case!(
            "customers",
            "search \"blue\", sort name",
            |s: &Store| Ok(s
                .list_customers(&CustomerQuery {
                    search: Some("blue".into()),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "customers",
                SEARCH_FILTER,
                by_name,
                vec![text(match_query("customer", "blue"))]
            )
        ),
        case!(
            "customers",
            "no filter, sort annualRevenue desc",
            |s: &Store| Ok(s
                .list_customers(&CustomerQuery {
                    paging: paging("annualRevenue", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "customers",
                "",
                "COALESCE(annual_revenue, -1) DESC, id DESC",
                vec![]
            )
        ),
        case!(
            "customers",
            "no filter, sort lastContactDate desc",
            |s: &Store| Ok(s
                .list_customers(&CustomerQuery {
                    paging: paging("lastContactDate", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "customers",
                "",
                "COALESCE(last_contact_date, '') DESC, id DESC",
                vec![]
            )
        ),
        // Contacts.
        case!(
            "contacts",
            "no filter, sort name",
            |s: &Store| Ok(s.list_contacts(&ContactQuery::default())?.data.len()),
            raw_page("contacts", "", by_name, vec![])
        ),
        case!(
            "contacts",
            "customer, sort name",
            move |s: &Store| Ok(s
                .list_contacts(&ContactQuery {
                    customer_id: Some(customer),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("contacts", "customer_id = ?", by_name, vec![text(customer)])
        ),
        case!(
            "contacts",
            "role = DECISION_MAKER, sort name",
            |s: &Store| Ok(s
                .list_contacts(&ContactQuery {
                    role: Some(ContactRole::DecisionMaker),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "contacts",
                "role = ?",
                by_name,
                vec![text("DECISION_MAKER")]
            )
        ),
        case!(
            "contacts",
            "owner, sort name",
            move |s: &Store| Ok(s
                .list_contacts(&ContactQuery {
                    owner_id: Some(owner),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("contacts", "owner_id = ?", by_name, vec![text(owner)])
        ),
        case!(
            "contacts",
            "search \"smith\", sort name",
            |s: &Store| Ok(s
                .list_contacts(&ContactQuery {
                    search: Some("smith".into()),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "contacts",
                SEARCH_FILTER,
                by_name,
                vec![text(match_query("contact", "smith"))]
            )
        ),
        case!(
            "contacts",
            "no filter, sort createdAt desc",
            |s: &Store| Ok(s
                .list_contacts(&ContactQuery {
                    paging: paging("createdAt", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("contacts", "", newest, vec![])
        ),
        // Leads.
        case!(
            "leads",
            "no filter, sort createdAt desc",
            |s: &Store| Ok(s.list_leads(&LeadQuery::default())?.data.len()),
            raw_page("leads", "", newest, vec![])
        ),
        case!(
            "leads",
            "status = QUALIFIED, sort createdAt desc",
            |s: &Store| Ok(s
                .list_leads(&LeadQuery {
                    status: Some(LeadStatus::Qualified),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("leads", "status = ?", newest, vec![text("QUALIFIED")])
        ),
        case!(
            "leads",
            "owner, sort createdAt desc",
            move |s: &Store| Ok(s
                .list_leads(&LeadQuery {
                    owner_id: Some(owner),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("leads", "owner_id = ?", newest, vec![text(owner)])
        ),
        case!(
            "leads",
            "source = Webinar, sort createdAt desc",
            |s: &Store| Ok(s
                .list_leads(&LeadQuery {
                    source: Some("Webinar".into()),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("leads", "source = ?", newest, vec![text("Webinar")])
        ),
        case!(
            "leads",
            "rating = HOT, sort leadScore desc",
            |s: &Store| Ok(s
                .list_leads(&LeadQuery {
                    rating: Some(Rating::Hot),
                    paging: paging("leadScore", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "leads",
                "rating = ?",
                "lead_score DESC, id DESC",
                vec![text("HOT")]
            )
        ),
        case!(
            "leads",
            "minScore 80, sort leadScore desc",
            |s: &Store| Ok(s
                .list_leads(&LeadQuery {
                    min_score: Some(80),
                    paging: paging("leadScore", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "leads",
                "lead_score >= ?",
                "lead_score DESC, id DESC",
                vec![Value::Integer(80)]
            )
        ),
        case!(
            "leads",
            "search \"acme\", sort createdAt desc",
            |s: &Store| Ok(s
                .list_leads(&LeadQuery {
                    search: Some("acme".into()),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "leads",
                SEARCH_FILTER,
                newest,
                vec![text(match_query("lead", "acme"))]
            )
        ),
        case!(
            "leads",
            "no filter, sort name",
            |s: &Store| Ok(s
                .list_leads(&LeadQuery {
                    paging: paging("name", SortOrder::Asc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("leads", "", by_name, vec![])
        ),
        // Deals.
        case!(
            "deals",
            "no filter, sort createdAt desc",
            |s: &Store| Ok(s.list_deals(&DealQuery::default())?.data.len()),
            raw_page("deals", "", newest, vec![])
        ),
        case!(
            "deals",
            "pipeline, sort amount desc",
            move |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    pipeline_id: Some(pipeline),
                    paging: paging("amount", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "deals",
                "pipeline_id = ?",
                "amount DESC, id DESC",
                vec![text(pipeline)]
            )
        ),
        case!(
            "deals",
            "stage, sort amount desc",
            move |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    stage_id: Some(stage),
                    paging: paging("amount", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "deals",
                "stage_id = ?",
                "amount DESC, id DESC",
                vec![text(stage)]
            )
        ),
        case!(
            "deals",
            "status = OPEN, sort expectedCloseDate",
            |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    status: Some(DealStatus::Open),
                    paging: paging("expectedCloseDate", SortOrder::Asc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "deals",
                "status = ?",
                "COALESCE(expected_close_date, '9999-12-31') ASC, id ASC",
                vec![text("OPEN")]
            )
        ),
        case!(
            "deals",
            "customer, sort createdAt desc",
            move |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    customer_id: Some(customer),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("deals", "customer_id = ?", newest, vec![text(customer)])
        ),
        case!(
            "deals",
            "owner, sort createdAt desc",
            move |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    owner_id: Some(owner),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page("deals", "owner_id = ?", newest, vec![text(owner)])
        ),
        case!(
            "deals",
            "minValue 50000, sort amount desc",
            |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    min_value: Some(50_000.0),
                    paging: paging("amount", SortOrder::Desc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "deals",
                "amount >= ?",
                "amount DESC, id DESC",
                vec![Value::Integer(5_000_000)]
            )
        ),
        case!(
            "deals",
            "closing in 30 days, sort expectedCloseDate",
            move |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    expected_close_date_from: Some(today),
                    expected_close_date_to: Some(today + Duration::days(30)),
                    paging: paging("expectedCloseDate", SortOrder::Asc),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "deals",
                "expected_close_date >= ? AND expected_close_date <= ?",
                "COALESCE(expected_close_date, '9999-12-31') ASC, id ASC",
                vec![text(today), text(today + Duration::days(30))]
            )
        ),
        case!(
            "deals",
            "search \"renewal\", sort createdAt desc",
            |s: &Store| Ok(s
                .list_deals(&DealQuery {
                    search: Some("renewal".into()),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "deals",
                SEARCH_FILTER,
                newest,
                vec![text(match_query("deal", "renewal"))]
            )
        ),
        // Communications.
        case!(
            "communications",
            "no filter, sort occurredAt desc",
            |s: &Store| Ok(s
                .list_communications(&CommunicationQuery::default())?
                .data
                .len()),
            raw_page("communications", "", "occurred_at DESC, id DESC", vec![])
        ),
        case!(
            "communications",
            "customer, sort occurredAt desc",
            move |s: &Store| Ok(s
                .list_communications(&CommunicationQuery {
                    customer_id: Some(customer),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "communications",
                "customer_id = ?",
                "occurred_at DESC, id DESC",
                vec![text(customer)]
            )
        ),
        case!(
            "communications",
            "contact, sort occurredAt desc",
            move |s: &Store| Ok(s
                .list_communications(&CommunicationQuery {
                    contact_id: Some(contact),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "communications",
                "contact_id = ?",
                "occurred_at DESC, id DESC",
                vec![text(contact)]
            )
        ),
        case!(
            "communications",
            "lead, sort occurredAt desc",
            move |s: &Store| Ok(s
                .list_communications(&CommunicationQuery {
                    lead_id: Some(lead),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "communications",
                "lead_id = ?",
                "occurred_at DESC, id DESC",
                vec![text(lead)]
            )
        ),
        case!(
            "communications",
            "deal, sort occurredAt desc",
            move |s: &Store| Ok(s
                .list_communications(&CommunicationQuery {
                    deal_id: Some(deal),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "communications",
                "deal_id = ?",
                "occurred_at DESC, id DESC",
                vec![text(deal)]
            )
        ),
        case!(
            "communications",
            "type = CALL, sort occurredAt desc",
            |s: &Store| Ok(s
                .list_communications(&CommunicationQuery {
                    communication_type: Some(CommunicationType::Call),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "communications",
                "type = ?",
                "occurred_at DESC, id DESC",
                vec![text("CALL")]
            )
        ),
        case!(
            "communications",
            "createdBy, sort occurredAt desc",
            move |s: &Store| Ok(s
                .list_communications(&CommunicationQuery {
                    created_by: Some(owner),
                    ..Default::default()
                })?
                .data
                .len()),
            raw_page(
                "communications",
                "created_by = ?",
                "occurred_at DESC, id DESC",
                vec![text(owner)]
            )
        ),
        case!(
            "communications",
            "last 7 days, sort occurredAt desc",
            |s: &Store| {
                let from = Utc::now() - Duration::days(7);
                Ok(s.list_communications(&CommunicationQuery {
                    date_from: Some(from),
                    ..Default::default()
                })?
                .data
                .len())
            },
            raw_page(
                "communications",
                "occurred_at >= ?",
                "occurred_at DESC, id DESC",
                vec![text(
                    (Utc::now() - Duration::days(7))
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                )]
            )
        ),
        // Activities.
        case!(
            "activities",
            "no filter, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(&ActivityQuery::default(), today)?
                .data
                .len()),
            raw_page(
                "activities",
                "",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![]
            )
        ),
        case!(
            "activities",
            "assignedTo, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        assigned_to: Some(owner),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "assigned_to = ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text(owner)]
            )
        ),
        case!(
            "activities",
            "status = PENDING, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        status: Some(ActivityStatus::Pending),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "status = ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text("PENDING")]
            )
        ),
        case!(
            "activities",
            "priority = URGENT, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        priority: Some(Priority::Urgent),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "priority = ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text("URGENT")]
            )
        ),
        case!(
            "activities",
            "type = MEETING, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        activity_type: Some(ActivityType::Meeting),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "type = ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text("MEETING")]
            )
        ),
        case!(
            "activities",
            "due today, sort priority desc",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        due_date: Some(today),
                        paging: paging("priority", SortOrder::Desc),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "due_date = ?",
                "priority_rank DESC, id DESC",
                vec![text(today)]
            )
        ),
        case!(
            "activities",
            "customer, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        customer_id: Some(customer),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "customer_id = ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text(customer)]
            )
        ),
        case!(
            "activities",
            "deal, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        deal_id: Some(deal),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "deal_id = ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text(deal)]
            )
        ),
        case!(
            "activities",
            "lead, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        lead_id: Some(lead),
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "lead_id = ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text(lead)]
            )
        ),
        case!(
            "activities",
            "overdue, sort dueDate",
            move |s: &Store| Ok(s
                .list_activities(
                    &ActivityQuery {
                        overdue: true,
                        ..Default::default()
                    },
                    today
                )?
                .data
                .len()),
            raw_page(
                "activities",
                "is_open = 1 AND due_date < ?",
                "COALESCE(due_at, '9999-12-31') ASC, id ASC",
                vec![text(today)]
            )
        ),
    ]
}

/// Search terms: a name, a three-letter prefix, two words, and typos.
pub(crate) const SEARCH_TERMS: &[&str] =
    &["acme", "acm", "blue", "john smith", "nortwind", "acne corp"];

const SEARCH_KINDS: &[(RecordKind, &str)] = &[
    (RecordKind::Customer, "customer"),
    (RecordKind::Contact, "contact"),
    (RecordKind::Lead, "lead"),
    (RecordKind::Deal, "deal"),
];

/// Global search, 10 per kind; the raw twin runs the same SQL statements (see `raw_search`).
pub(crate) fn search_cases() -> Vec<Case> {
    SEARCH_TERMS
        .iter()
        .map(|term| Case {
            list: "search",
            label: format!("\"{term}\", 10 per type"),
            ours: Box::new(move |s: &Store| Ok(s.search(term, &[], 10)?.len())),
            raw_sql: Vec::new(),
        })
        .collect()
}

/// The raw twin of a global search for `term`: the statements the store runs, without its
/// Rust work: each word's vocabulary check, the vocabulary scan of a word that starts no
/// indexed word (the store then ranks those terms by edit distance), and the `MATCH` of each
/// kind with the expression the store built (`expression`, computed once beforehand).
pub(crate) fn raw_search(raw: &Connection, term: &str, expression: Option<&str>) -> Result<usize> {
    let mut found = 0;
    for word in term
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
    {
        let upper = format!("{word}{}", char::MAX);
        let starts = crate::raw::run(
            raw,
            "SELECT 1 FROM raw_search_vocabulary WHERE term >= ?1 AND term < ?2 LIMIT 1",
            &[text(word.clone()), text(upper)],
        )?;
        if starts == 0 {
            let first = word.chars().next().unwrap_or('a');
            let next = char::from_u32(u32::from(first) + 1).unwrap_or(char::MAX);
            crate::raw::run(
                raw,
                "SELECT term, doc FROM raw_search_vocabulary WHERE term >= ?1 AND term < ?2",
                &[text(first.to_string()), text(next.to_string())],
            )?;
        }
    }
    let Some(expression) = expression else {
        return Ok(found);
    };
    for (_, kind) in SEARCH_KINDS {
        found += crate::raw::run(
            raw,
            "SELECT k.record_id, k.title, k.detail FROM raw_search_words
             JOIN raw_search_keys k ON k.rowid = raw_search_words.rowid
             WHERE raw_search_words MATCH ?1 ORDER BY rank LIMIT 10",
            &[text(format!("kind:k{kind} AND ({expression})"))],
        )?;
    }
    Ok(found)
}
