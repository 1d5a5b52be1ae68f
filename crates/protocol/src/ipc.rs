//! The desktop app's IPC: one [`Command`] per operation, and the error every command returns.
//!
//! A command is invoked from the UI as `invoke(Command::NAME, { request })`; the shell's handler
//! takes one argument named `request` of type [`Command::Request`].

use std::fmt;

use crm_model::{Customer, CustomerId, CustomerPatch, FieldError, NewCustomer, ValidationErrors};

pub use crate::query::{CustomerQuery, Page, Pagination};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCustomerRequest {
    pub id: CustomerId,
    pub patch: CustomerPatch,
}

/// What went wrong, as the UI needs to react to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The input broke a rule; `fields` says which.
    Validation,
    NotFound,
    /// The acting user's role does not allow this.
    NotAllowed,
    /// The app could not reach the store or the server; the message says what to do.
    Unavailable,
    /// A bug or a broken store; details are in the log, not here.
    Internal,
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
