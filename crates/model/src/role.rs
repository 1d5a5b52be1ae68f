//! Roles of spec §6, their rules, and the acting user every write names.
//!
//! - Admin: everything.
//! - Manager: everything but delete, merge and settings (pipelines, tags, users, settings).
//! - Sales rep: views all; creates records; changes and deletes only records they own.
//! - User: views customers and contacts; creates communications and activities (and changes
//!   the ones they own, e.g. to complete their task).

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::kind::RecordKind;

crate::closed_set! {
    Role {
        /// Everything.
        Admin = "ADMIN", "Admin";
        /// Everything but delete, merge and settings.
        Manager = "MANAGER", "Manager";
        /// Views all; creates; changes and deletes only records they own.
        SalesRep = "SALES_REP", "Sales rep";
        /// Views customers and contacts; creates communications and activities.
        User = "USER", "User";
    }
}

/// Who performs an operation. Every write of the core takes one; the role rules are checked
/// against it before anything is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
}

/// A write, as the role rules name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Merge,
}

impl Operation {
    pub fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "change",
            Operation::Delete => "delete",
            Operation::Merge => "merge",
        }
    }
}

impl Role {
    /// Whether this role may do `operation` on a record of `kind` owned by `owner`, acting as
    /// `user`. The core checks it before every write and the server again on every push.
    pub fn allows(
        self,
        user: UserId,
        operation: Operation,
        kind: RecordKind,
        owner: Option<UserId>,
    ) -> bool {
        let owns = owner == Some(user);
        match self {
            Role::Admin => true,
            Role::Manager => {
                !kind.is_settings() && matches!(operation, Operation::Create | Operation::Update)
            }
            Role::SalesRep => {
                !kind.is_settings()
                    && match operation {
                        Operation::Create => true,
                        Operation::Update | Operation::Delete => owns,
                        Operation::Merge => false,
                    }
            }
            Role::User => {
                matches!(kind, RecordKind::Communication | RecordKind::Activity)
                    && match operation {
                        Operation::Create => true,
                        Operation::Update => owns,
                        Operation::Delete | Operation::Merge => false,
                    }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    /// The whole matrix: for each role and operation, the kinds allowed on own / others' records.
    #[test]
    fn role_matrix() {
        use Operation::*;
        use RecordKind as K;
        let me = UserId(Uuid::from_u128(1));
        let other = UserId(Uuid::from_u128(2));
        let all: Vec<RecordKind> = K::ALL.to_vec();
        let business: Vec<RecordKind> = all
            .iter()
            .copied()
            .filter(|kind| !kind.is_settings())
            .collect();
        let cases: Vec<(Role, Operation, bool, Vec<RecordKind>)> = vec![
            (Role::Admin, Create, false, all.clone()),
            (Role::Admin, Delete, false, all.clone()),
            (Role::Admin, Merge, false, all.clone()),
            (Role::Manager, Create, false, business.clone()),
            (Role::Manager, Update, false, business.clone()),
            (Role::Manager, Delete, true, vec![]),
            (Role::Manager, Merge, true, vec![]),
            (Role::SalesRep, Create, false, business.clone()),
            (Role::SalesRep, Update, true, business.clone()),
            (Role::SalesRep, Update, false, vec![]),
            (Role::SalesRep, Delete, true, business.clone()),
            (Role::SalesRep, Delete, false, vec![]),
            (Role::SalesRep, Merge, true, vec![]),
            (
                Role::User,
                Create,
                false,
                vec![K::Communication, K::Activity],
            ),
            (
                Role::User,
                Update,
                true,
                vec![K::Communication, K::Activity],
            ),
            (Role::User, Update, false, vec![]),
            (Role::User, Delete, true, vec![]),
        ];
        for (role, operation, own, expected) in cases {
            let owner = Some(if own { me } else { other });
            let allowed: Vec<RecordKind> = all
                .iter()
                .copied()
                .filter(|kind| role.allows(me, operation, *kind, owner))
                .collect();
            assert_eq!(allowed, expected, "{role:?} {operation:?} own={own}");
        }
    }
}
