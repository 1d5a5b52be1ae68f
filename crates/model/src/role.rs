//! Roles of spec §6 and the acting user every write names.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Everything.
    Admin,
    /// Everything but delete, merge and settings.
    Manager,
    /// Views all; creates; changes and deletes only records they own; activities and
    /// communications.
    SalesRep,
    /// Views customers and contacts; creates communications and activities.
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Manager => "MANAGER",
            Role::SalesRep => "SALES_REP",
            Role::User => "USER",
        }
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
