//! Customers: the companies and people a rep sells to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, UserId};
use crate::validation::ValidationErrors;

const NAME_MAX: usize = 200;
const SHORT_TEXT_MAX: usize = 100;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CustomerStatus {
    #[default]
    Active,
    Inactive,
}

impl CustomerStatus {
    pub const ALL: &'static [CustomerStatus] = &[CustomerStatus::Active, CustomerStatus::Inactive];

    /// The stored and wire spelling, also used in the materialized column.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Active => "ACTIVE",
            CustomerStatus::Inactive => "INACTIVE",
        }
    }

    pub fn parse(text: &str) -> Option<CustomerStatus> {
        Self::ALL
            .iter()
            .copied()
            .find(|status| status.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            CustomerStatus::Active => "Active",
            CustomerStatus::Inactive => "Inactive",
        }
    }
}

/// A customer as stored: the fields of its record document, plus its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    #[serde(default)]
    pub primary_email: Option<String>,
    #[serde(default)]
    pub primary_phone: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub status: CustomerStatus,
    /// The user responsible for the customer.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The input of "create customer", as a form or an import gives it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomer {
    pub name: String,
    #[serde(default)]
    pub primary_email: Option<String>,
    #[serde(default)]
    pub primary_phone: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub status: Option<CustomerStatus>,
    /// Defaults to the user who creates the customer.
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

impl NewCustomer {
    /// Trims every text and turns blank optional texts into `None`, then checks the rules.
    /// The core stores exactly what this returns.
    pub fn validated(mut self) -> Result<NewCustomer, ValidationErrors> {
        self.name = self.name.trim().to_owned();
        self.primary_email = normalize_optional(self.primary_email);
        self.primary_phone = normalize_optional(self.primary_phone);
        self.industry = normalize_optional(self.industry);

        let mut errors = ValidationErrors::default();
        errors.required_text("name", &self.name, NAME_MAX);
        errors.optional_email("primaryEmail", self.primary_email.as_deref());
        errors.optional_phone("primaryPhone", self.primary_phone.as_deref());
        if let Some(industry) = &self.industry {
            errors.max_length("industry", industry, SHORT_TEXT_MAX);
        }
        errors.into_result().map(|()| self)
    }
}

/// A partial update: only the fields that are `Some` change. For an optional field, an empty
/// text clears it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CustomerStatus>,
}

impl CustomerPatch {
    /// Applies the patch to `customer` and checks the result; on error `customer` is untouched.
    pub fn apply_to(&self, customer: &Customer) -> Result<Customer, ValidationErrors> {
        let mut next = customer.clone();
        if let Some(name) = &self.name {
            next.name = name.trim().to_owned();
        }
        if let Some(email) = &self.primary_email {
            next.primary_email = normalize_optional(Some(email.clone()));
        }
        if let Some(phone) = &self.primary_phone {
            next.primary_phone = normalize_optional(Some(phone.clone()));
        }
        if let Some(industry) = &self.industry {
            next.industry = normalize_optional(Some(industry.clone()));
        }
        if let Some(status) = self.status {
            next.status = status;
        }
        let as_input = NewCustomer {
            name: next.name.clone(),
            primary_email: next.primary_email.clone(),
            primary_phone: next.primary_phone.clone(),
            industry: next.industry.clone(),
            status: Some(next.status),
            owner_id: next.owner_id,
        };
        as_input.validated().map(|_| next)
    }
}

fn normalize_optional(value: Option<String>) -> Option<String> {
    value
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::{FieldError, Rule};

    fn check(input: NewCustomer, expected: &[(&str, Rule)]) {
        let expected: Vec<FieldError> = expected
            .iter()
            .map(|(field, rule)| FieldError {
                field: (*field).to_owned(),
                rule: rule.clone(),
            })
            .collect();
        let actual = match input.validated() {
            Ok(_) => Vec::new(),
            Err(errors) => errors.0,
        };
        assert_eq!(actual, expected);
    }

    fn named(name: &str) -> NewCustomer {
        NewCustomer {
            name: name.to_owned(),
            ..NewCustomer::default()
        }
    }

    #[test]
    fn validation_rules() {
        check(named("Acme Corp"), &[]);
        check(named(""), &[("name", Rule::Required)]);
        check(named("   "), &[("name", Rule::Required)]);
        check(
            named(&"x".repeat(201)),
            &[("name", Rule::MaxLength { max: 200 })],
        );
        check(
            NewCustomer {
                primary_email: Some("info@acme".into()),
                ..named("Acme")
            },
            &[("primaryEmail", Rule::Email)],
        );
        check(
            NewCustomer {
                primary_email: Some("  ".into()),
                ..named("Acme")
            },
            &[],
        );
        check(
            NewCustomer {
                primary_email: Some("nope".into()),
                primary_phone: Some("call me".into()),
                ..named("")
            },
            &[
                ("name", Rule::Required),
                ("primaryEmail", Rule::Email),
                ("primaryPhone", Rule::Phone),
            ],
        );
    }

    #[test]
    fn validated_input_is_trimmed() {
        let input = NewCustomer {
            name: "  Acme Corp ".into(),
            primary_email: Some(" info@acme.com ".into()),
            industry: Some("".into()),
            ..NewCustomer::default()
        };
        let output = input.validated().expect("valid");
        assert_eq!(output.name, "Acme Corp");
        assert_eq!(output.primary_email.as_deref(), Some("info@acme.com"));
        assert_eq!(output.industry, None);
    }

    #[test]
    fn wire_names_are_camel_case_and_statuses_upper_case() {
        let json = serde_json::to_value(NewCustomer {
            status: Some(CustomerStatus::Inactive),
            ..named("Acme")
        })
        .expect("serializes");
        assert_eq!(json["status"], "INACTIVE");
        assert!(json.get("primaryEmail").is_some());
    }
}
