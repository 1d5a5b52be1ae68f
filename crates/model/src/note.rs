//! Customer notes (spec §1.2); pinned ones are listed first.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::clean_optional;
use crate::customer::{LONG_TEXT_MAX, SHORT_TEXT_MAX};
use crate::entity::Entity;
use crate::ids::{CustomerId, NoteId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNote {
    pub id: NoteId,
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub title: Option<String>,
    pub content: String,
    #[serde(default)]
    pub is_pinned: bool,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for CustomerNote {
    const KIND: RecordKind = RecordKind::Note;
    type Id = NoteId;
    const READ_ONLY: &'static [&'static str] = &["id", "createdAt", "updatedAt", "createdBy"];

    fn id(&self) -> NoteId {
        self.id
    }

    fn draft(id: NoteId, now: DateTime<Utc>, actor: &Actor) -> CustomerNote {
        CustomerNote {
            id,
            customer_id: None,
            title: None,
            content: String::new(),
            is_pinned: false,
            created_by: actor.user_id,
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        clean_optional(&mut self.title);
        self.content = self.content.trim().to_owned();
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        if self.customer_id.is_none() {
            errors.push("customerId", Rule::Required);
        }
        errors.optional_text("title", self.title.as_deref(), SHORT_TEXT_MAX * 2);
        errors.required_text("content", &self.content, LONG_TEXT_MAX);
    }

    fn owner(&self) -> Option<UserId> {
        Some(self.created_by)
    }
}
