//! The tenant's user directory: who can own and be assigned records. Synced from the server
//! (read-only in the app, except in a local, unsynced profile).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::entity::Entity;
use crate::ids::UserId;
use crate::kind::RecordKind;
use crate::role::{Actor, Role};
use crate::validation::ValidationErrors;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(default = "active")]
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn active() -> bool {
    true
}

impl Entity for User {
    const KIND: RecordKind = RecordKind::User;
    type Id = UserId;

    fn id(&self) -> UserId {
        self.id
    }

    fn draft(id: UserId, now: DateTime<Utc>, _actor: &Actor) -> User {
        User {
            id,
            name: String::new(),
            email: String::new(),
            role: Role::SalesRep,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        self.email = self.email.trim().to_lowercase();
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("name", &self.name, 200);
        errors.required_text("email", &self.email, 254);
        if !self.email.is_empty() {
            errors.optional_email("email", Some(&self.email));
        }
    }
}
