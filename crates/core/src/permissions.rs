//! Checking the role rules of spec §6 ([`crm_model::Role::allows`]) before every write, with
//! a refusal that says why.

use crm_model::{Actor, Operation, RecordKind, Role, UserId};

use crate::error::CoreError;

/// Allows `operation` on a record of `kind` owned by `owner`, or says why not.
pub(crate) fn check(
    actor: &Actor,
    operation: Operation,
    kind: RecordKind,
    owner: Option<UserId>,
) -> Result<(), CoreError> {
    if actor.role.allows(actor.user_id, operation, kind, owner) {
        return Ok(());
    }
    let whose = match (operation, actor.role) {
        (Operation::Update | Operation::Delete, Role::SalesRep | Role::User)
            if !kind.is_settings() =>
        {
            " owned by someone else"
        }
        _ => "",
    };
    Err(CoreError::NotAllowed(format!(
        "a {} may not {} a {}{whose}",
        role_name(actor.role),
        operation.verb(),
        kind.label().to_lowercase()
    )))
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Manager => "manager",
        Role::SalesRep => "sales rep",
        Role::User => "user",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn refusal_says_why() {
        let actor = Actor {
            user_id: UserId(Uuid::from_u128(1)),
            role: Role::SalesRep,
        };
        let error = check(
            &actor,
            Operation::Update,
            RecordKind::Customer,
            Some(UserId(Uuid::from_u128(2))),
        )
        .expect_err("refused");
        assert_eq!(
            error.to_string(),
            "not allowed: a sales rep may not change a customer owned by someone else"
        );
    }
}
