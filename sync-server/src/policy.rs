//! Whether the caller may make a change to a record: the server's enforcement of the roles of
//! spec §6 (the core enforces them too, but a client can be modified).
//!
//! Today the only principal is the development token's Admin, so only the Admin rule exists.
//! The role matrix of the real-auth issue goes here, with everything it needs at hand: the
//! caller, the record before (`None` when it is being created) and after, and the changes
//! themselves (e.g. to check that each change's actor is the caller's device).

use automerge::Change;
use crm_model::Role;

use crate::auth::Principal;
use crate::record::{Record, Refusal};

pub(crate) fn authorize(
    principal: &Principal,
    _before: Option<&Record>,
    _after: &Record,
    _changes: &[Change],
) -> Result<(), Refusal> {
    match principal.role {
        Role::Admin => Ok(()),
        // Refused until the role matrix exists: failing closed keeps a non-admin token, should
        // one be created early, from writing what its role may not.
        Role::Manager | Role::SalesRep | Role::User => Err(Refusal::NotAllowed(format!(
            "the server does not yet accept changes from the {} role",
            principal.role.as_str()
        ))),
    }
}
