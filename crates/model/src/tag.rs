//! Tags (spec §1.2): the tenant's tag vocabulary with colours. Records carry tag names.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::clean_optional;
use crate::entity::Entity;
use crate::ids::TagId;
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors, is_color};

crate::closed_set! {
    #[derive(Default)]
    TagCategory {
        Customer = "CUSTOMER", "Customer";
        Lead = "LEAD", "Lead";
        Deal = "DEAL", "Deal";
        #[default]
        General = "GENERAL", "General";
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub category: TagCategory,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for Tag {
    const KIND: RecordKind = RecordKind::Tag;
    type Id = TagId;

    fn id(&self) -> TagId {
        self.id
    }

    fn draft(id: TagId, now: DateTime<Utc>, _actor: &Actor) -> Tag {
        Tag {
            id,
            name: String::new(),
            color: None,
            category: TagCategory::General,
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        clean_optional(&mut self.color);
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("name", &self.name, 50);
        if let Some(color) = &self.color
            && !is_color(color)
        {
            errors.push("color", Rule::Color);
        }
    }
}
