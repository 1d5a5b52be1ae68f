//! List queries (spec §2): the filters of each list, sorting, and paging by page number or by
//! keyset cursor. All fields are optional, so `{}` lists everything, newest or by name.

use chrono::{DateTime, NaiveDate, Utc};
use crm_model::{
    ActivityStatus, ActivityType, Amount, CommunicationType, ContactRole, CustomerCategory,
    CustomerId, CustomerStatus, Deal, DealId, DealStatus, LeadId, LeadStatus, PipelineId, Priority,
    Rating, StageId, UserId,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// Sorting and paging, common to every list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    /// A column of the list (camelCase, e.g. `name`, `createdAt`); each list has a default.
    #[serde(default)]
    pub sort_by: Option<String>,
    #[serde(default)]
    pub sort_order: Option<SortOrder>,
    /// 1-based; ignored when `cursor` is given.
    #[serde(default = "first_page")]
    pub page: u32,
    #[serde(default = "default_limit")]
    pub limit: u32,
    /// The `nextCursor` of the previous page, for deep scrolling without offsets.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Also count the matching rows (`pagination.total`); off for infinite scrolling.
    #[serde(default = "yes")]
    pub with_total: bool,
}

impl Default for Paging {
    fn default() -> Paging {
        Paging {
            sort_by: None,
            sort_order: None,
            page: 1,
            limit: 50,
            cursor: None,
            with_total: true,
        }
    }
}

fn first_page() -> u32 {
    1
}

fn default_limit() -> u32 {
    50
}

fn yes() -> bool {
    true
}

/// Customers list (spec §2.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerQuery {
    #[serde(default)]
    pub status: Option<CustomerStatus>,
    #[serde(default)]
    pub category: Option<CustomerCategory>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Every tag listed must be on the customer.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Words that start the name, email, phone or industry.
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default, flatten)]
    pub paging: Paging,
}

/// Contacts list (spec §2.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactQuery {
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub role: Option<ContactRole>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default, flatten)]
    pub paging: Paging,
}

/// Leads list (spec §2.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadQuery {
    #[serde(default)]
    pub status: Option<LeadStatus>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub rating: Option<Rating>,
    #[serde(default)]
    pub min_score: Option<i64>,
    #[serde(default)]
    pub max_score: Option<i64>,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default, flatten)]
    pub paging: Paging,
}

/// Deals list (spec §2.4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealQuery {
    #[serde(default)]
    pub pipeline_id: Option<PipelineId>,
    #[serde(default)]
    pub stage_id: Option<StageId>,
    #[serde(default)]
    pub status: Option<DealStatus>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// In the currency's unit (e.g. dollars), inclusive.
    #[serde(default)]
    pub min_value: Option<f64>,
    #[serde(default)]
    pub max_value: Option<f64>,
    #[serde(default)]
    pub expected_close_date_from: Option<NaiveDate>,
    #[serde(default)]
    pub expected_close_date_to: Option<NaiveDate>,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default, flatten)]
    pub paging: Paging,
}

/// Communications list (spec §2.5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationQuery {
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub contact_id: Option<crm_model::ContactId>,
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    #[serde(default, rename = "type")]
    pub communication_type: Option<CommunicationType>,
    #[serde(default)]
    pub date_from: Option<DateTime<Utc>>,
    #[serde(default)]
    pub date_to: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_by: Option<UserId>,
    #[serde(default, flatten)]
    pub paging: Paging,
}

/// Activities list (spec §2.6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityQuery {
    #[serde(default)]
    pub assigned_to: Option<UserId>,
    #[serde(default)]
    pub status: Option<ActivityStatus>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default, rename = "type")]
    pub activity_type: Option<ActivityType>,
    /// Due on this day.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    /// Only open activities due before today.
    #[serde(default)]
    pub overdue: bool,
    #[serde(default, flatten)]
    pub paging: Paging,
}

/// The kanban board of a pipeline (spec §3.5): the deals list's filters, its `pipelineId`
/// required, grouped by open stage. The status, stage and paging of `deals` are the board's
/// own (open deals, most recently changed first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardQuery {
    #[serde(flatten)]
    pub deals: DealQuery,
    /// Cards each column holds at first; the rest come with [`BoardQuery::more_of_stage`].
    #[serde(default = "cards_per_stage")]
    pub cards_per_stage: u32,
}

fn cards_per_stage() -> u32 {
    50
}

impl BoardQuery {
    pub fn new(pipeline_id: PipelineId) -> BoardQuery {
        BoardQuery {
            deals: DealQuery {
                pipeline_id: Some(pipeline_id),
                ..DealQuery::default()
            },
            cards_per_stage: cards_per_stage(),
        }
    }

    /// The open deals of one stage that pass the board's filters, most recently changed first:
    /// the query of a column's cards, from `cursor` (a column's [`BoardColumn::next_cursor`]).
    pub fn more_of_stage(&self, stage_id: StageId, cursor: Option<String>) -> DealQuery {
        let mut query = self.open_deals();
        query.stage_id = Some(stage_id);
        query.paging.cursor = cursor;
        query
    }

    /// The open deals of the pipeline that pass the board's filters, in the cards' order.
    pub fn open_deals(&self) -> DealQuery {
        DealQuery {
            stage_id: None,
            status: Some(DealStatus::Open),
            paging: Paging {
                sort_by: Some("updatedAt".into()),
                sort_order: Some(SortOrder::Desc),
                page: 1,
                limit: self.cards_per_stage,
                cursor: None,
                with_total: false,
            },
            ..self.deals.clone()
        }
    }
}

/// A pipeline's open stages, in order, each with the count and totals of every deal that
/// passes the filters and the first cards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineBoard {
    pub columns: Vec<BoardColumn>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardColumn {
    pub stage_id: StageId,
    pub count: u64,
    /// Sum of the deals' amounts, whatever their currency (as the dashboard sums them).
    pub amount: Amount,
    /// Sum of each deal's amount times its probability.
    pub weighted: Amount,
    /// The first cards, most recently changed first.
    pub deals: Vec<Deal>,
    /// Where the next cards start; `None` when `deals` holds them all.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A page of a list, in the spec's `{data, pagination}` shape, plus the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
    /// Pass as `cursor` to get the rows after this page; `None` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    /// Matching rows in all; 0 when the query asked for no total.
    pub total: u64,
    pub pages: u64,
}

impl Pagination {
    pub fn new(page: u32, limit: u32, total: u64) -> Pagination {
        let pages = if limit == 0 {
            0
        } else {
            total.div_ceil(u64::from(limit))
        };
        Pagination {
            page,
            limit,
            total,
            pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_counts_pages() {
        assert_eq!(Pagination::new(1, 20, 150).pages, 8);
        assert_eq!(Pagination::new(1, 20, 0).pages, 0);
        assert_eq!(Pagination::new(1, 20, 20).pages, 1);
    }

    #[test]
    fn the_specs_query_parameters_parse() {
        let query: DealQuery = serde_json::from_value(serde_json::json!({
            "status": "OPEN", "minValue": 1000, "expectedCloseDateTo": "2026-06-30",
            "sortBy": "amount", "sortOrder": "desc", "page": 2, "limit": 20
        }))
        .expect("parses");
        assert_eq!(query.status, Some(DealStatus::Open));
        assert_eq!(query.paging.sort_order, Some(SortOrder::Desc));
        assert_eq!(query.paging.page, 2);
        assert!(query.paging.with_total);
        let empty: CustomerQuery = serde_json::from_value(serde_json::json!({})).expect("parses");
        assert_eq!(empty.paging, Paging::default());
    }

    #[test]
    fn a_board_query_is_the_deals_filters_and_a_card_count() {
        let pipeline = "0190a6a4-0000-7000-8000-0000000000a0";
        let board: BoardQuery = serde_json::from_value(serde_json::json!({
            "pipelineId": pipeline, "minValue": 1000, "search": "acme", "limit": 3
        }))
        .expect("parses");
        assert_eq!(board.cards_per_stage, 50);
        let stage: StageId = "0190a6a4-0000-7000-8000-0000000000b1".parse().expect("id");
        let cards = board.more_of_stage(stage, Some("cursor".into()));
        assert_eq!(
            cards.pipeline_id.map(|id| id.to_string()).as_deref(),
            Some(pipeline)
        );
        assert_eq!(
            (
                cards.stage_id,
                cards.status,
                cards.min_value,
                cards.search.as_deref()
            ),
            (
                Some(stage),
                Some(DealStatus::Open),
                Some(1000.0),
                Some("acme")
            )
        );
        assert_eq!(
            (
                cards.paging.limit,
                cards.paging.cursor.as_deref(),
                cards.paging.with_total
            ),
            (50, Some("cursor"), false),
            "the board's own paging, not the request's"
        );
    }
}
