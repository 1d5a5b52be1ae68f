//! Whether the caller may make a change to a record: the server's enforcement of the roles of
//! spec §6 (the core enforces them too, but a client can be modified). The rules themselves are
//! `crm_model::Role::allows`; this module only says which operation a change is and who owns
//! the record:
//!
//! - no document before: Create, owned by the new document's owner field;
//! - `deletedAt` going from null to a value, or back (restore): Delete;
//! - anything else: Update.
//!
//! The owner is read from the document *before* the change, so changing the owner field of
//! someone else's record is an Update of a record the caller does not own.

use automerge::{Automerge, ReadDoc, ScalarValue, Value};
use crm_model::{Operation, UserId};

use crate::auth::Principal;
use crate::record::{Record, Refusal};

pub(crate) const DELETED_AT_FIELD: &str = "deletedAt";

pub(crate) fn authorize(
    principal: &Principal,
    before: Option<&Record>,
    after: &Record,
) -> Result<(), Refusal> {
    let (operation, owner) = match before {
        None => (Operation::Create, owner(after)),
        Some(before) if is_deleted(&before.document) != is_deleted(&after.document) => {
            (Operation::Delete, owner(before))
        }
        Some(before) => (Operation::Update, owner(before)),
    };
    if principal
        .role
        .allows(principal.user, operation, after.kind, owner)
    {
        return Ok(());
    }
    let whose = match (operation, owner) {
        (Operation::Create, _) => "",
        (_, Some(owner)) if owner == principal.user => " you own",
        (_, None) if after.kind.owner_field().is_none() => "",
        _ => " owned by someone else",
    };
    Err(Refusal::NotAllowed(format!(
        "the {} role may not {} a {} record{whose}",
        principal.role.label(),
        operation.verb(),
        after.kind.label(),
    )))
}

/// The user the record belongs to (its kind's owner field), if it names one.
fn owner(record: &Record) -> Option<UserId> {
    let field = record.kind.owner_field()?;
    match record.document.get(automerge::ROOT, field) {
        Ok(Some((Value::Scalar(value), _))) => match value.as_ref() {
            ScalarValue::Str(text) => uuid::Uuid::parse_str(text).ok().map(UserId),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the record is in the trash: `deletedAt` holds anything but null.
fn is_deleted(document: &Automerge) -> bool {
    match document.get(automerge::ROOT, DELETED_AT_FIELD) {
        Ok(Some((Value::Scalar(value), _))) => !matches!(value.as_ref(), ScalarValue::Null),
        Ok(Some(_)) => true,
        _ => false,
    }
}
