//! Composite read models the UI shows: Customer 360, the deal page, the customer timeline,
//! activity groups and global search hits.

use chrono::{DateTime, Utc};
use crm_model::{
    Activity, Amount, Attachment, Communication, Contact, Customer, CustomerNote, Deal, Pipeline,
    RecordId, RecordKind, SalesDocument,
};
use serde::{Deserialize, Serialize};

/// What a Customer 360 request includes (spec §2.1 `include`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Include {
    Contacts,
    Deals,
    Communications,
    Activities,
    Notes,
    /// Quotations, orders and invoices.
    Sales,
    Attachments,
}

impl Include {
    pub const ALL: &'static [Include] = &[
        Include::Contacts,
        Include::Deals,
        Include::Communications,
        Include::Activities,
        Include::Notes,
        Include::Sales,
        Include::Attachments,
    ];
}

/// A customer with its related records (spec Appendix A, "Customer 360 Response").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer360 {
    #[serde(flatten)]
    pub customer: Customer,
    pub contacts: Vec<Contact>,
    pub deals: Vec<Deal>,
    /// The newest first.
    pub communications: Vec<Communication>,
    /// Open ones first by due date, then the latest done.
    pub activities: Vec<Activity>,
    /// Pinned first, then newest.
    pub notes: Vec<CustomerNote>,
    pub sales_quotations: Vec<SalesDocument>,
    pub sales_orders: Vec<SalesDocument>,
    pub sales_invoices: Vec<SalesDocument>,
    pub attachments: Vec<Attachment>,
    pub stats: CustomerStats,
}

/// A deal with what hangs off it, for the deal page (spec §3.5's deal detail).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealView {
    pub deal: Deal,
    pub customer: Option<Customer>,
    /// The deal's pipeline, for its stage names and the "move to" choices.
    pub pipeline: Option<Pipeline>,
    /// Open ones first by due date, then the latest done.
    pub activities: Vec<Activity>,
    /// The newest first.
    pub communications: Vec<Communication>,
    /// Quotations, orders and invoices raised for the deal, newest first.
    pub sales_documents: Vec<SalesDocument>,
    pub attachments: Vec<Attachment>,
}

/// The overview tab's quick stats and key metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerStats {
    pub contacts: u64,
    pub open_deals: u64,
    pub pipeline_value: Amount,
    pub won_value: Amount,
    pub orders: u64,
    /// Sum of paid invoices: the customer's lifetime value.
    pub lifetime_value: Amount,
    pub open_activities: u64,
    pub last_contact: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TimelineKind {
    Communication,
    Activity,
    DealCreated,
    DealStageChanged,
    DealWon,
    DealLost,
    Note,
}

/// One entry of a customer's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineItem {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub record_id: RecordId,
    pub title: String,
    #[serde(default)]
    pub detail: Option<String>,
}

/// Open activities grouped as the activities page shows them (spec §3.7).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityGroups {
    pub overdue: Vec<Activity>,
    pub today: Vec<Activity>,
    pub this_week: Vec<Activity>,
    pub later: Vec<Activity>,
    /// Open activities with no due date.
    pub no_date: Vec<Activity>,
    /// How many each group holds, beyond the ones carried when a limit was asked for.
    #[serde(default)]
    pub counts: ActivityGroupCounts,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityGroupCounts {
    pub overdue: u64,
    pub today: u64,
    pub this_week: u64,
    pub later: u64,
    pub no_date: u64,
}

/// One global search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub kind: RecordKind,
    pub id: RecordId,
    pub title: String,
    pub detail: String,
}

/// One change of a record's history (its audit trail).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// Who made the change, when the change names them.
    #[serde(default)]
    pub user_id: Option<crm_model::UserId>,
    #[serde(default)]
    pub device_id: Option<crm_model::DeviceId>,
    /// The change that created the record.
    pub created: bool,
    /// The change moved the record to the trash.
    pub deleted: bool,
    pub changes: Vec<FieldChange>,
}

/// One field's old and new value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}
