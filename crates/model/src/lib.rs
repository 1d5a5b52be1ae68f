//! The CRM's domain model: record kinds, typed ids, entities and the validation rules that the UI
//! and the core both apply.
//!
//! This crate is pure (no I/O) and builds for `wasm32-unknown-unknown`, so the UI validates a form
//! with exactly the rules the store enforces on write.
//!
//! Layout:
//! - `ids`: UUID newtypes, one per record kind; `kind`: the closed set of record kinds.
//! - `entity`: the [`Entity`] trait every record kind implements, and [`apply_fields`], the one
//!   way a create body or an update patch changes a record.
//! - One module per entity of spec §1: `customer`, `contact`, `lead`, `deal` (with product
//!   lines), `pipeline` (with its stages), `communication`, `activity`, `note`, `attachment`,
//!   `tag`, `sales_document`, `user`.
//! - `scoring`: lead scoring rules and the score with its breakdown; `settings`: the tenant's
//!   settings record that holds them.
//! - `common`: money ([`Amount`] in hundredths, [`Currency`]), addresses, custom fields, tags.
//! - `role`: roles of spec §6 and the acting user of each write.
//! - `validation`: field-level errors (`field` + `rule`) and the shared format checks.
//! - `closed_set`: the macro behind every closed set of values (statuses, types...).

mod activity;
mod attachment;
mod closed_set;
mod common;
mod communication;
mod contact;
mod customer;
mod deal;
mod entity;
mod ids;
mod kind;
mod lead;
mod note;
mod pipeline;
mod role;
mod sales_document;
mod scoring;
mod settings;
mod tag;
mod user;
mod validation;

pub use activity::{Activity, ActivityStatus, ActivityType, Priority};
pub use attachment::{Attachment, MAX_ATTACHMENT_BYTES};
pub use common::{
    Address, Amount, Currency, CustomFields, Money, clean_optional, clean_tags, domain_of,
};
pub use communication::{Communication, CommunicationOutcome, CommunicationType, Direction};
pub use contact::{Contact, ContactRole, ContactStatus, full_name};
pub use customer::{
    Channel, CompanySize, Customer, CustomerCategory, CustomerPatch, CustomerSource,
    CustomerStatus, CustomerType, NewCustomer,
};
pub use deal::{
    Deal, DealSource, DealStatus, LineItem, LineTotals, LostReason, StageVisit, line_totals,
};
pub use entity::{Entity, FieldMap, apply_fields, create_from_fields};
pub use ids::{
    ActivityId, AttachmentId, CommunicationId, ContactId, CustomerId, DealId, DeviceId, LeadId,
    NoteId, PipelineId, RecordId, SalesDocumentId, SettingsId, StageId, TagId, TenantId, UserId,
};
pub use kind::{RecordKind, UnknownKind};
pub use lead::{
    Authority, ConversionSource, Lead, LeadPriority, LeadStatus, Medium, Need, Rating,
    ScoreCategory, Timeline,
};
pub use note::CustomerNote;
pub use pipeline::{DEFAULT_STAGES, Pipeline, Stage};
pub use role::{Actor, Operation, Role};
pub use sales_document::{SalesDocument, SalesDocumentStatus, SalesDocumentType};
pub use scoring::{Engagement, Score, ScoringRules};
pub use settings::{CustomFieldDefinition, CustomFieldType, Settings, settings_id};
pub use tag::{Tag, TagCategory};
pub use user::User;
pub use validation::{FieldError, Rule, ValidationErrors, is_color, is_email, is_phone, is_url};

/// Version of the record document layout written by this build. A document written by a newer
/// build keeps its unknown fields when this build edits it.
pub const SCHEMA_VERSION: u32 = 1;
