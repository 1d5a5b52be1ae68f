//! The desktop app's IPC: one [`Command`] per operation, and the error every command returns.
//!
//! A command is invoked from the UI as `invoke(Command::NAME, { request })`; the shell's handler
//! takes one argument named `request` of type [`Command::Request`].

use std::fmt;

use chrono::NaiveDate;
use crm_model::{
    Activity, ActivityId, Attachment, AttachmentId, Communication, Contact, ContactId, Customer,
    CustomerId, CustomerNote, CustomerPatch, Deal, DealId, FieldError, FieldMap, Lead, LeadId,
    NewCustomer, Pipeline, PipelineId, RecordId, RecordKind, Settings, Tag, User, ValidationErrors,
};

pub use crate::query::{
    ActivityQuery, BoardColumn, BoardQuery, CommunicationQuery, ContactQuery, CustomerQuery,
    DealQuery, LeadQuery, Page, Pagination, PipelineBoard,
};
pub use crate::reports::{
    ActivitySummary, DashboardStats, DateRange, Forecast, FunnelStage, Segment, SegmentRow,
    SourceRow, Table, TopCustomer, WonLost,
};
pub use crate::transfer::{ExportQuery, ImportOptions, ImportProgress, ImportReport};
pub use crate::views::{
    ActivityGroups, Customer360, DealView, HistoryEntry, Include, SearchHit, TimelineItem,
};
pub use crate::workflows::{
    CompleteActivity as CompleteActivityRequest, ConversionDuplicates,
    ConvertLead as ConvertLeadRequest, ConvertedLead, LoseDeal as LoseDealRequest,
    MoveDealStage as MoveDealStageRequest, RescheduleActivity as RescheduleActivityRequest,
    WinDeal as WinDealRequest,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

mod sync;

pub use self::sync::{
    AccountSummary, BootstrapProgress, ConflictEntry, ConflictValue, Event, FirstSyncChoice,
    RecordsChanged, RefusalEntry, ResolveConflictRequest, SignInRequest, SyncState,
    SyncStatusChanged, is_server_url,
};

/// One IPC operation: its Tauri command name and the types it takes and gives.
pub trait Command {
    const NAME: &'static str;
    type Request: Serialize + DeserializeOwned;
    type Response: Serialize + DeserializeOwned;
}

/// The name of the argument that carries a command's request.
pub const REQUEST_ARGUMENT: &str = "request";

macro_rules! command {
    ($(#[$meta:meta])* $name:ident = $command:literal: $request:ty => $response:ty) => {
        $(#[$meta])*
        pub enum $name {}
        impl Command for $name {
            const NAME: &'static str = $command;
            type Request = $request;
            type Response = $response;
        }
    };
}

command!(
    /// Create a customer; the answer is the stored record.
    CreateCustomer = "create_customer": NewCustomer => Customer
);
command!(
    /// Change some fields of a customer.
    UpdateCustomer = "update_customer": UpdateCustomerRequest => Customer
);
command!(
    /// One page of the customers list.
    ListCustomers = "list_customers": CustomerQuery => Page<Customer>
);
command!(
    /// One customer as stored.
    GetCustomer = "get_customer": CustomerId => Customer
);
command!(
    /// A customer with its related records, for the Customer 360 page.
    GetCustomer360 = "get_customer_360": Customer360Request => Customer360
);
command!(
    /// Everything that happened with a customer, newest first.
    GetCustomerTimeline = "get_customer_timeline": TimelineRequest => Vec<TimelineItem>
);

command!(
    /// One page of the contacts list.
    ListContacts = "list_contacts": ContactQuery => Page<Contact>
);
command!(GetContact = "get_contact": ContactId => Contact);
command!(
    /// Create a contact from a create body (the model's camelCase field names).
    CreateContact = "create_contact": FieldMap => Contact
);
command!(UpdateContact = "update_contact": UpdateRecord<ContactId> => Contact);
command!(
    /// Make a contact its customer's primary contact.
    SetPrimaryContact = "set_primary_contact": ContactId => Contact
);

command!(
    /// One page of the leads list.
    ListLeads = "list_leads": LeadQuery => Page<Lead>
);
command!(GetLead = "get_lead": LeadId => Lead);
command!(CreateLead = "create_lead": FieldMap => Lead);
command!(UpdateLead = "update_lead": UpdateRecord<LeadId> => Lead);
command!(
    /// Customers and contacts a lead's conversion would duplicate, for the wizard.
    GetConversionDuplicates = "get_conversion_duplicates": LeadId => ConversionDuplicates
);
command!(
    /// Convert a lead into a customer, contact and deal (any of them), in one transaction.
    ConvertLead = "convert_lead": WithId<LeadId, ConvertLeadRequest> => ConvertedLead
);
command!(DisqualifyLead = "disqualify_lead": DisqualifyLeadRequest => Lead);

command!(
    /// One page of the deals list (a kanban column's further cards too).
    ListDeals = "list_deals": DealQuery => Page<Deal>
);
command!(
    /// The kanban board: every open stage's count, totals and first cards, filtered.
    GetPipelineBoard = "get_pipeline_board": BoardQuery => PipelineBoard
);
command!(GetDeal = "get_deal": DealId => Deal);
command!(
    /// A deal with its customer, pipeline, activities, communications, sales
    /// documents and files, for the deal page.
    GetDealView = "get_deal_view": DealId => DealView
);
command!(CreateDeal = "create_deal": FieldMap => Deal);
command!(UpdateDeal = "update_deal": UpdateRecord<DealId> => Deal);
command!(
    /// Move a deal to another stage of its pipeline (the kanban's drag and drop).
    MoveDealStage = "move_deal_stage": WithId<DealId, MoveDealStageRequest> => Deal
);
command!(WinDeal = "win_deal": WithId<DealId, WinDealRequest> => Deal);
command!(LoseDeal = "lose_deal": WithId<DealId, LoseDealRequest> => Deal);
command!(
    /// Every pipeline with its stages.
    ListPipelines = "list_pipelines": () => Vec<Pipeline>
);

command!(ListCommunications = "list_communications": CommunicationQuery => Page<Communication>);
command!(CreateCommunication = "create_communication": FieldMap => Communication);

command!(ListActivities = "list_activities": ListActivitiesRequest => Page<Activity>);
command!(GetActivity = "get_activity": ActivityId => Activity);
command!(CreateActivity = "create_activity": FieldMap => Activity);
command!(UpdateActivity = "update_activity": UpdateRecord<ActivityId> => Activity);
command!(
    /// Open activities grouped overdue / today / this week / later (spec §3.7).
    GetActivityGroups = "get_activity_groups": ActivityGroupsRequest => ActivityGroups
);
command!(
    CompleteActivity = "complete_activity": WithId<ActivityId, CompleteActivityRequest> => Activity
);
command!(
    RescheduleActivity =
        "reschedule_activity": WithId<ActivityId, RescheduleActivityRequest> => Activity
);

command!(CreateNote = "create_note": FieldMap => CustomerNote);

command!(
    /// Move any record to the trash (a customer takes its contacts, notes and deals along).
    DeleteRecord = "delete_record": RecordRef => ()
);
command!(
    /// Bring a record back from the trash.
    RestoreRecord = "restore_record": RecordRef => ()
);
command!(
    /// Everything in the trash, most recently deleted first.
    ListTrash = "list_trash": () => Vec<TrashEntry>
);
command!(
    /// A record's changes: who, when, which fields, old and new values.
    GetRecordHistory = "get_record_history": RecordRef => Vec<HistoryEntry>
);

command!(
    /// Global search over customers, contacts, leads and deals (spec §2.8).
    Search = "search": SearchRequest => Vec<SearchHit>
);

command!(
    /// The dashboard's stat cards, with the previous period for the trend arrows.
    GetDashboardStats = "get_dashboard_stats": DashboardStatsRequest => DashboardStats
);
command!(GetSalesFunnel = "get_sales_funnel": SalesFunnelRequest => Vec<FunnelStage>);
command!(GetDealForecast = "get_deal_forecast": DateRange => Forecast);
command!(GetTopCustomers = "get_top_customers": TopCustomersRequest => Vec<TopCustomer>);
command!(
    /// Open leads rated hot or scoring 70 and more, best first; the request is how many.
    GetHotLeads = "get_hot_leads": u32 => Vec<Lead>
);

command!(
    /// Won and lost deals closed in the range: counts, values, win rate, lost reasons.
    GetWonLost = "get_won_lost": DateRange => WonLost
);
command!(
    /// Leads created in the range by source: conversion rate and average score.
    GetLeadSources = "get_lead_sources": DateRange => Vec<SourceRow>
);
command!(
    /// Activities due in the range by user, type and day, with completion.
    GetActivitySummary = "get_activity_summary": DateRange => ActivitySummary
);
command!(
    /// Won value in the range by customer segment.
    GetRevenueBySegment = "get_revenue_by_segment": SegmentRequest => Vec<SegmentRow>
);

command!(
    /// Create a pipeline from a create body (name, stages keyed by new stage ids).
    CreatePipeline = "create_pipeline": FieldMap => Pipeline
);
command!(
    /// Change a pipeline: its name, or its stages (add, rename, reorder, probability, colour,
    /// won/lost flags). A stage that still holds deals cannot be removed.
    UpdatePipeline = "update_pipeline": UpdateRecord<PipelineId> => Pipeline
);

command!(
    /// Attach a file to a customer, deal or communication: the system's file dialog asks which
    /// (or `path` names it); `None` when the dialog was cancelled.
    AttachFile = "attach_file": AttachFileRequest => Option<Attachment>
);
command!(
    /// Open an attachment with the system's viewer, downloading its file first if this laptop
    /// does not have it yet.
    OpenAttachment = "open_attachment": AttachmentId => ()
);
command!(
    /// Ask for a CSV file to import with the system's file dialog; `None` when cancelled.
    PickImportFile = "pick_import_file": () => Option<String>
);
command!(
    /// Import the CSV file at `path` (a dry run changes nothing); progress comes as
    /// [`ImportProgressed`] events.
    ImportCsv = "import_csv": ImportCsvRequest => ImportReport
);
command!(
    /// Undo an import: its records go to the trash; the answer is how many.
    RevertImport = "revert_import": String => usize
);
command!(
    /// Export a list with its filters as CSV to a file the user picks; the answer is the path,
    /// `None` when the dialog was cancelled.
    ExportRecords = "export_records": ExportRequest => Option<String>
);
command!(
    /// Save a report's table as CSV to a file the user picks; `None` when cancelled.
    SaveCsv = "save_csv": SaveCsvRequest => Option<String>
);

command!(
    /// The tenant's users (owners and assignees), active first.
    ListUsers = "list_users": () => Vec<User>
);
command!(
    /// The tenant's tags by category and name.
    ListTags = "list_tags": () => Vec<Tag>
);
command!(
    /// Create a tag (name, colour, category).
    CreateTag = "create_tag": FieldMap => Tag
);
command!(
    /// Save the tenant's settings (admins only); every lead is rescored with the new rules.
    SaveSettings = "save_settings": Settings => Settings
);
command!(
    /// The tenant's settings (lead scoring rules, default currency).
    GetSettings = "get_settings": () => Settings
);
command!(
    /// Fill the store with a realistic demo tenant (customers, leads, deals, activities...).
    LoadDemoData = "load_demo_data": () => DemoLoaded
);
command!(
    /// What the sync indicator shows.
    GetSyncState = "get_sync_state": () => SyncState
);
command!(
    /// Sign this laptop in to a sync server and start syncing; the answer is the new state.
    SignIn = "sign_in": SignInRequest => SyncState
);
command!(
    /// Stop syncing and forget the device token; the records and pending changes stay.
    SignOut = "sign_out": () => SyncState
);
command!(
    /// Sync as soon as possible (the "Sync now" button).
    SyncNow = "sync_now": () => SyncState
);
command!(
    /// Download every attachment file this laptop lacks (before a trip); the answer is how
    /// many were downloaded.
    DownloadAttachments = "download_attachments": () => u64
);
command!(
    /// Changes the server refused, newest first, with its reasons.
    ListRefusals = "list_refusals": () => Vec<RefusalEntry>
);
command!(
    /// The user has read a refusal; the request is its id.
    DismissRefusal = "dismiss_refusal": i64 => ()
);
command!(
    /// Fields two devices set concurrently, newest first.
    ListConflicts = "list_conflicts": () => Vec<ConflictEntry>
);
command!(
    /// Settle a conflict with one of its values (the shown one keeps it); the choice syncs.
    ResolveConflict = "resolve_conflict": ResolveConflictRequest => ()
);

/// Every command's name: the shell's test checks that each one is registered.
pub const ALL_COMMANDS: &[&str] = &[
    CreateCustomer::NAME,
    UpdateCustomer::NAME,
    ListCustomers::NAME,
    GetCustomer::NAME,
    GetCustomer360::NAME,
    GetCustomerTimeline::NAME,
    ListContacts::NAME,
    GetContact::NAME,
    CreateContact::NAME,
    UpdateContact::NAME,
    SetPrimaryContact::NAME,
    ListLeads::NAME,
    GetLead::NAME,
    CreateLead::NAME,
    UpdateLead::NAME,
    GetConversionDuplicates::NAME,
    ConvertLead::NAME,
    DisqualifyLead::NAME,
    ListDeals::NAME,
    GetPipelineBoard::NAME,
    GetDeal::NAME,
    GetDealView::NAME,
    CreateDeal::NAME,
    UpdateDeal::NAME,
    MoveDealStage::NAME,
    WinDeal::NAME,
    LoseDeal::NAME,
    ListPipelines::NAME,
    ListCommunications::NAME,
    CreateCommunication::NAME,
    ListActivities::NAME,
    GetActivity::NAME,
    CreateActivity::NAME,
    UpdateActivity::NAME,
    GetActivityGroups::NAME,
    CompleteActivity::NAME,
    RescheduleActivity::NAME,
    CreateNote::NAME,
    DeleteRecord::NAME,
    RestoreRecord::NAME,
    ListTrash::NAME,
    GetRecordHistory::NAME,
    Search::NAME,
    GetDashboardStats::NAME,
    GetSalesFunnel::NAME,
    GetDealForecast::NAME,
    GetTopCustomers::NAME,
    GetHotLeads::NAME,
    GetWonLost::NAME,
    GetLeadSources::NAME,
    GetActivitySummary::NAME,
    GetRevenueBySegment::NAME,
    CreatePipeline::NAME,
    UpdatePipeline::NAME,
    AttachFile::NAME,
    OpenAttachment::NAME,
    PickImportFile::NAME,
    ImportCsv::NAME,
    RevertImport::NAME,
    ExportRecords::NAME,
    SaveCsv::NAME,
    ListUsers::NAME,
    ListTags::NAME,
    CreateTag::NAME,
    SaveSettings::NAME,
    GetSettings::NAME,
    LoadDemoData::NAME,
    GetSyncState::NAME,
    SignIn::NAME,
    SignOut::NAME,
    SyncNow::NAME,
    DownloadAttachments::NAME,
    ListRefusals::NAME,
    DismissRefusal::NAME,
    ListConflicts::NAME,
    ResolveConflict::NAME,
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCustomerRequest {
    pub id: CustomerId,
    pub patch: CustomerPatch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRequest {
    pub segment: Segment,
    pub range: DateRange,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachFileRequest {
    /// The file; `None` asks with the system's file dialog.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportCsvRequest {
    /// The file, as the file dialog gave it or the user typed it.
    pub path: String,
    pub options: ImportOptions,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub query: ExportQuery,
    /// Today in the user's time zone (activity filters like "overdue" read it).
    pub today: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveCsvRequest {
    /// The name the save dialog suggests, e.g. `won-lost-2026-11.csv`.
    pub file_name: String,
    pub table: Table,
}

/// An activity's reminder came due: the window shows it (the OS shows it too, where it can).
pub enum ReminderDue {}

impl Event for ReminderDue {
    const NAME: &'static str = "reminder-due";
    type Payload = Activity;
}

/// The user chose "Open" on a reminder's OS notification: the window shows the activity.
pub enum OpenActivity {}

impl Event for OpenActivity {
    const NAME: &'static str = "open-activity";
    type Payload = ActivityId;
}

/// An import wrote another batch of rows.
pub enum ImportProgressed {}

impl Event for ImportProgressed {
    const NAME: &'static str = "import-progress";
    type Payload = ImportProgress;
}

/// Change the fields named in `patch` (camelCase, as the model names them), and only those.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRecord<Id> {
    pub id: Id,
    pub patch: FieldMap,
}

/// A workflow's `body` applied to the record `id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WithId<Id, Body> {
    pub id: Id,
    pub body: Body,
}

/// Any record, by kind and id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordRef {
    pub kind: RecordKind,
    pub id: RecordId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer360Request {
    pub id: CustomerId,
    /// The related records to include; empty means all of them.
    #[serde(default)]
    pub include: Vec<Include>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineRequest {
    pub id: CustomerId,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisqualifyLeadRequest {
    pub id: LeadId,
    pub reason: String,
}

/// Activities as of `today`, the user's local date (it decides what is overdue).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListActivitiesRequest {
    pub query: ActivityQuery,
    pub today: NaiveDate,
}

/// Whose activities the activities page shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivityScope {
    /// Assigned to the signed-in user.
    #[default]
    Mine,
    /// Assigned to someone else or to nobody.
    Team,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityGroupsRequest {
    pub scope: ActivityScope,
    pub today: NaiveDate,
    /// At most this many activities in each group (the counts still count them all); all of
    /// them when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    pub text: String,
    /// Kinds to search; empty means customers, contacts, leads and deals.
    #[serde(default)]
    pub kinds: Vec<RecordKind>,
    /// Most hits of each kind.
    pub limit: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardStatsRequest {
    pub range: DateRange,
    /// The user's local date: what is overdue, what was completed today.
    pub today: NaiveDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesFunnelRequest {
    /// The default pipeline when absent.
    #[serde(default)]
    pub pipeline_id: Option<PipelineId>,
    pub range: DateRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopCustomersRequest {
    pub range: DateRange,
    pub limit: u32,
}

/// One record in the trash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrashEntry {
    pub kind: RecordKind,
    pub id: RecordId,
    pub title: String,
    /// RFC 3339.
    pub deleted_at: String,
}

/// What "load demo data" wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoLoaded {
    pub records: u64,
}

/// What went wrong, as the UI needs to react to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The input broke a rule; `fields` says which.
    Validation,
    NotFound,
    /// The record is in the trash: it opens again once restored there.
    InTrash,
    /// The acting user's role does not allow this.
    NotAllowed,
    /// The app could not reach the store or the server; the message says what to do.
    Unavailable,
    /// A bug or a broken store; details are in the log, not here.
    Internal,
    /// No OS keyring (Secret Service, Keychain, Credential Manager) could keep the device
    /// token; signing in again with `session_only` keeps it in memory until the app quits.
    KeyringUnavailable,
    /// The sync server turned the sign-in down (wrong password, unknown company, disabled
    /// account, too many attempts); the message says which.
    SignInRefused,
}

/// The error every command returns: a kind to branch on, a message in words a rep understands,
/// and for validation the broken rule of each field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl IpcError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> IpcError {
        IpcError {
            kind,
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl From<ValidationErrors> for IpcError {
    fn from(errors: ValidationErrors) -> IpcError {
        IpcError {
            kind: ErrorKind::Validation,
            message: format!("Please correct: {errors}"),
            fields: errors.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique_and_snake_case() {
        let mut names = ALL_COMMANDS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            ALL_COMMANDS.len(),
            "a command name is used twice"
        );
        for name in ALL_COMMANDS {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name} is not snake_case"
            );
        }
    }

    #[test]
    fn workflow_requests_carry_the_id_beside_the_body() {
        let request: WithId<DealId, MoveDealStageRequest> =
            serde_json::from_value(serde_json::json!({
                "id": "0190a6a4-0000-7000-8000-000000000001",
                "body": {"stageId": "0190a6a4-0000-7000-8000-000000000002"}
            }))
            .expect("parses");
        assert!(!request.body.update_probability);
        let () = serde_json::from_value::<<ListTrash as Command>::Request>(serde_json::Value::Null)
            .expect("null is the unit request");
    }

    #[test]
    fn validation_errors_keep_field_and_rule_on_the_wire() {
        let error = IpcError::from(ValidationErrors(vec![FieldError {
            field: "name".into(),
            rule: crm_model::Rule::Required,
        }]));
        let json = serde_json::to_value(&error).expect("serializes");
        assert_eq!(json["kind"], "validation");
        assert_eq!(json["fields"][0]["field"], "name");
        assert_eq!(json["fields"][0]["rule"], "required");
        assert_eq!(error.message, "Please correct: name is required");
    }
}
