//! Requests of the sales workflows of spec §2 beyond plain CRUD: lead conversion, deal stage
//! moves, win and lose, completing and rescheduling activities. Field names follow the spec's
//! JSON bodies.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use crm_model::{
    Contact, ContactId, Customer, CustomerId, Deal, Lead, LostReason, PipelineId, StageId,
};
use serde::{Deserialize, Serialize};

/// `POST /leads/:id/convert` (spec §2.3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConvertLead {
    #[serde(default)]
    pub create_customer: bool,
    #[serde(default)]
    pub create_contact: bool,
    #[serde(default)]
    pub create_deal: bool,
    /// Link this existing customer instead of creating one (what the wizard offers when a
    /// duplicate is found).
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// Link this existing contact instead of creating one.
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[serde(default)]
    pub deal_name: Option<String>,
    #[serde(default)]
    pub deal_value: Option<f64>,
    /// A stage of the deal's pipeline, by id.
    #[serde(default)]
    pub stage_id: Option<StageId>,
    /// The spec's `dealStage` by name (`"QUALIFICATION"`), when no `stageId` is given.
    #[serde(default)]
    pub deal_stage: Option<String>,
    #[serde(default)]
    pub pipeline_id: Option<PipelineId>,
    /// Create the customer or contact even though a likely duplicate exists.
    #[serde(default)]
    pub ignore_duplicates: bool,
}

/// What a conversion made or linked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConvertedLead {
    pub lead: Lead,
    pub customer: Option<Customer>,
    pub contact: Option<Contact>,
    pub deal: Option<Deal>,
}

/// Existing records a lead's conversion would duplicate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversionDuplicates {
    /// Customers with the lead's company name or email domain.
    pub customers: Vec<Customer>,
    /// Contacts with the lead's email.
    pub contacts: Vec<Contact>,
}

/// `PUT /deals/:id/stage` (spec §2.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveDealStage {
    pub stage_id: StageId,
    #[serde(default)]
    pub notes: Option<String>,
    /// Take the stage's default probability.
    #[serde(default)]
    pub update_probability: bool,
}

/// `POST /deals/:id/win` (spec §2.4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WinDeal {
    #[serde(default)]
    pub closed_date: Option<NaiveDate>,
    #[serde(default)]
    pub won_reason: Option<String>,
    #[serde(default)]
    pub create_sales_order: bool,
}

/// `POST /deals/:id/lose` (spec §2.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoseDeal {
    #[serde(default)]
    pub closed_date: Option<NaiveDate>,
    pub lost_reason: LostReason,
    #[serde(default)]
    pub lost_to_competitor: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// `PUT /activities/:id/complete` (spec §2.6).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteActivity {
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
}

/// Move an activity to another day or time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleActivity {
    pub due_date: NaiveDate,
    #[serde(default)]
    pub due_time: Option<NaiveTime>,
    #[serde(default)]
    pub reminder_at: Option<DateTime<Utc>>,
}
