//! The CRM's domain model: record kinds, typed ids, entities and the validation rules that the UI
//! and the core both apply.
//!
//! This crate is pure (no I/O) and builds for `wasm32-unknown-unknown`, so the UI validates a form
//! with exactly the rules the store enforces on write.
//!
//! Layout:
//! - [`ids`]: UUID newtypes, one per record kind.
//! - [`customer`]: the customer entity and its input types.
//! - [`role`]: roles of spec §6 and the acting user of each write.
//! - [`validation`]: field-level errors (`field` + `rule`) and the shared format checks.

mod customer;
mod ids;
mod kind;
mod role;
mod validation;

pub use customer::{Customer, CustomerPatch, CustomerStatus, NewCustomer};
pub use ids::{CustomerId, DeviceId, RecordId, TenantId, UserId};
pub use kind::RecordKind;
pub use role::{Actor, Role};
pub use validation::{FieldError, Rule, ValidationErrors, is_email, is_phone};

/// Version of the record document layout written by this build. A document written by a newer
/// build keeps its unknown fields when this build edits it.
pub const SCHEMA_VERSION: u32 = 1;
