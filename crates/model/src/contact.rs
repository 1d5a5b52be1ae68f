//! Contacts (spec §1.1): people at a customer.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{CustomFields, clean_optional, clean_tags};
use crate::customer::{Channel, LONG_TEXT_MAX, NAME_MAX, SHORT_TEXT_MAX};
use crate::entity::Entity;
use crate::ids::{ContactId, CustomerId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

crate::closed_set! {
    #[derive(Default)]
    ContactStatus {
        #[default]
        Active = "ACTIVE", "Active";
        Inactive = "INACTIVE", "Inactive";
    }
}

crate::closed_set! {
    ContactRole {
        DecisionMaker = "DECISION_MAKER", "Decision maker";
        Influencer = "INFLUENCER", "Influencer";
        User = "USER", "User";
        Gatekeeper = "GATEKEEPER", "Gatekeeper";
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: ContactId,
    /// The customer the contact works for; deleting the customer takes its contacts along.
    pub customer_id: Option<CustomerId>,
    /// Full name; filled from first and last name when left empty.
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub status: ContactStatus,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub role: Option<ContactRole>,
    #[serde(default)]
    pub mobile_phone: Option<String>,
    #[serde(default)]
    pub work_phone: Option<String>,
    #[serde(default)]
    pub linkedin_url: Option<String>,
    #[serde(default)]
    pub twitter_handle: Option<String>,
    #[serde(default)]
    pub is_primary: bool,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub preferred_channel: Option<Channel>,
    #[serde(default)]
    pub last_contact_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub birthday: Option<NaiveDate>,
    #[serde(default)]
    pub anniversary: Option<NaiveDate>,
    #[serde(default = "yes")]
    pub email_opt_in: bool,
    #[serde(default)]
    pub sms_opt_in: bool,
    #[serde(default)]
    pub do_not_call: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: CustomFields,
    #[serde(default)]
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn yes() -> bool {
    true
}

impl Entity for Contact {
    const KIND: RecordKind = RecordKind::Contact;
    type Id = ContactId;

    fn id(&self) -> ContactId {
        self.id
    }

    fn draft(id: ContactId, now: DateTime<Utc>, actor: &Actor) -> Contact {
        Contact {
            id,
            customer_id: None,
            name: String::new(),
            email: None,
            phone: None,
            title: None,
            status: ContactStatus::Active,
            first_name: None,
            last_name: None,
            job_title: None,
            department: None,
            role: None,
            mobile_phone: None,
            work_phone: None,
            linkedin_url: None,
            twitter_handle: None,
            is_primary: false,
            owner_id: Some(actor.user_id),
            preferred_channel: None,
            last_contact_date: None,
            birthday: None,
            anniversary: None,
            email_opt_in: true,
            sms_opt_in: false,
            do_not_call: false,
            tags: Vec::new(),
            custom_fields: CustomFields::new(),
            notes: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        for text in [
            &mut self.email,
            &mut self.phone,
            &mut self.title,
            &mut self.first_name,
            &mut self.last_name,
            &mut self.job_title,
            &mut self.department,
            &mut self.mobile_phone,
            &mut self.work_phone,
            &mut self.linkedin_url,
            &mut self.twitter_handle,
            &mut self.notes,
        ] {
            clean_optional(text);
        }
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            self.name = full_name(self.first_name.as_deref(), self.last_name.as_deref());
        }
        if let Some(email) = &mut self.email {
            *email = email.to_lowercase();
        }
        clean_tags(&mut self.tags);
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        if self.customer_id.is_none() {
            errors.push("customerId", Rule::Required);
        }
        errors.required_text("name", &self.name, NAME_MAX);
        errors.optional_email("email", self.email.as_deref());
        errors.date("birthday", self.birthday);
        errors.date("anniversary", self.anniversary);
        for (field, phone) in [
            ("phone", &self.phone),
            ("mobilePhone", &self.mobile_phone),
            ("workPhone", &self.work_phone),
        ] {
            errors.optional_phone(field, phone.as_deref());
        }
        errors.optional_url("linkedinUrl", self.linkedin_url.as_deref());
        for (field, text) in [
            ("title", &self.title),
            ("firstName", &self.first_name),
            ("lastName", &self.last_name),
            ("jobTitle", &self.job_title),
            ("department", &self.department),
            ("twitterHandle", &self.twitter_handle),
        ] {
            errors.optional_text(field, text.as_deref(), SHORT_TEXT_MAX);
        }
        errors.optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX);
        errors.tags("tags", &self.tags);
    }

    fn owner(&self) -> Option<UserId> {
        self.owner_id
    }
}

/// "First Last", either part optional.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, create_from_fields};
    use serde_json::json;

    fn create(fields: serde_json::Value) -> Result<Contact, ValidationErrors> {
        let serde_json::Value::Object(fields) = fields else {
            unreachable!("object")
        };
        let actor = Actor {
            user_id: UserId(uuid::Uuid::from_u128(1)),
            role: Role::Admin,
        };
        create_from_fields(
            ContactId(uuid::Uuid::from_u128(2)),
            Utc::now(),
            &actor,
            &fields,
        )
    }

    #[test]
    fn name_comes_from_first_and_last_name() {
        let customer = uuid::Uuid::from_u128(3).to_string();
        let contact = create(json!({"customerId": customer, "firstName": " John", "lastName": "Doe ", "email": "John@Acme.com"}))
            .expect("valid");
        assert_eq!(contact.name, "John Doe");
        assert_eq!(contact.email.as_deref(), Some("john@acme.com"));
        assert!(
            contact.email_opt_in,
            "opted in to email by default, as the spec says"
        );
    }

    #[test]
    fn a_contact_needs_a_customer_and_a_name() {
        let errors = create(json!({"linkedinUrl": "linkedin"})).expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["customerId", "name", "linkedinUrl"]);
    }
}
