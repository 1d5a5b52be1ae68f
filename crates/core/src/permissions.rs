//! The role rules of spec §6, checked before every write.
//!
//! Admin: everything. Manager: everything but delete, merge and settings. Sales rep: views all,
//! creates, and changes or deletes only records they own. User: views customers and contacts,
//! creates communications and activities.

use crm_model::{Actor, RecordKind, Role, UserId};

use crate::error::CoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Create,
    Update,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "change",
        }
    }
}

/// Allows `operation` on a record of `kind` owned by `owner`, or says why not.
pub(crate) fn check(
    actor: &Actor,
    operation: Operation,
    kind: RecordKind,
    owner: Option<UserId>,
) -> Result<(), CoreError> {
    let allowed = match actor.role {
        Role::Admin | Role::Manager => true,
        Role::SalesRep => match operation {
            Operation::Create => true,
            Operation::Update => owner == Some(actor.user_id),
        },
        Role::User => false,
    };
    if allowed {
        return Ok(());
    }
    let whose = match (operation, actor.role) {
        (Operation::Update, Role::SalesRep) => format!(" owned by someone else"),
        _ => String::new(),
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
    fn customer_rules_by_role() {
        let me = UserId(Uuid::from_u128(1));
        let someone_else = Some(UserId(Uuid::from_u128(2)));
        let cases = [
            (Role::Admin, Operation::Update, someone_else, true),
            (Role::Manager, Operation::Update, someone_else, true),
            (Role::SalesRep, Operation::Create, None, true),
            (Role::SalesRep, Operation::Update, Some(me), true),
            (Role::SalesRep, Operation::Update, someone_else, false),
            (Role::User, Operation::Create, None, false),
            (Role::User, Operation::Update, Some(me), false),
        ];
        for (role, operation, owner, expected) in cases {
            let actor = Actor { user_id: me, role };
            let result = check(&actor, operation, RecordKind::Customer, owner);
            assert_eq!(result.is_ok(), expected, "{role:?} {operation:?} {owner:?}");
        }
    }

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
