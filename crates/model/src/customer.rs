//! Customers (spec §1.1): the companies and people a rep sells to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{Address, Amount, Currency, CustomFields, clean_optional, clean_tags};
use crate::entity::Entity;
use crate::ids::{ContactId, CustomerId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::ValidationErrors;

pub(crate) const NAME_MAX: usize = 200;
pub(crate) const SHORT_TEXT_MAX: usize = 100;
pub(crate) const LONG_TEXT_MAX: usize = 20_000;

crate::closed_set! {
    #[derive(Default)]
    CustomerStatus {
        #[default]
        Active = "ACTIVE", "Active";
        Inactive = "INACTIVE", "Inactive";
    }
}

crate::closed_set! {
    #[derive(Default)]
    CustomerType {
        #[default]
        Business = "BUSINESS", "Business";
        Individual = "INDIVIDUAL", "Individual";
    }
}

crate::closed_set! {
    CompanySize {
        Small = "SMALL", "Small";
        Medium = "MEDIUM", "Medium";
        Large = "LARGE", "Large";
        Enterprise = "ENTERPRISE", "Enterprise";
    }
}

crate::closed_set! {
    CustomerCategory {
        Customer = "CUSTOMER", "Customer";
        Partner = "PARTNER", "Partner";
        Prospect = "PROSPECT", "Prospect";
    }
}

crate::closed_set! {
    CustomerSource {
        Web = "WEB", "Web";
        Referral = "REFERRAL", "Referral";
        Event = "EVENT", "Event";
        Campaign = "CAMPAIGN", "Campaign";
        Other = "OTHER", "Other";
    }
}

crate::closed_set! {
    Channel {
        Email = "EMAIL", "Email";
        Phone = "PHONE", "Phone";
        Sms = "SMS", "SMS";
        InPerson = "IN_PERSON", "In person";
    }
}

/// A customer as stored: every field of spec §1.1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub status: CustomerStatus,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default, rename = "type")]
    pub customer_type: CustomerType,
    #[serde(default)]
    pub company_size: Option<CompanySize>,
    #[serde(default)]
    pub annual_revenue: Option<Amount>,
    #[serde(default)]
    pub currency_code: Currency,
    #[serde(default)]
    pub primary_email: Option<String>,
    #[serde(default)]
    pub primary_phone: Option<String>,
    #[serde(default)]
    pub billing_address: Option<Address>,
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// The user responsible for the customer.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub account_manager: Option<UserId>,
    #[serde(default)]
    pub category: Option<CustomerCategory>,
    #[serde(default)]
    pub source: Option<CustomerSource>,
    #[serde(default)]
    pub first_contact_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_contact_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub preferred_channel: Option<Channel>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// The contact marked primary (spec: `PUT /contacts/:id/set-primary`).
    #[serde(default)]
    pub primary_contact_id: Option<ContactId>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: CustomFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for Customer {
    const KIND: RecordKind = RecordKind::Customer;
    type Id = CustomerId;

    fn id(&self) -> CustomerId {
        self.id
    }

    fn draft(id: CustomerId, now: DateTime<Utc>, actor: &Actor) -> Customer {
        Customer {
            id,
            name: String::new(),
            industry: None,
            website: None,
            status: CustomerStatus::Active,
            notes: None,
            customer_type: CustomerType::Business,
            company_size: None,
            annual_revenue: None,
            currency_code: Currency::usd(),
            primary_email: None,
            primary_phone: None,
            billing_address: None,
            shipping_address: None,
            owner_id: Some(actor.user_id),
            account_manager: None,
            category: None,
            source: None,
            first_contact_date: None,
            last_contact_date: None,
            preferred_channel: None,
            timezone: None,
            primary_contact_id: None,
            tags: Vec::new(),
            custom_fields: CustomFields::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        for text in [
            &mut self.industry,
            &mut self.website,
            &mut self.notes,
            &mut self.primary_email,
            &mut self.primary_phone,
            &mut self.timezone,
        ] {
            clean_optional(text);
        }
        clean_tags(&mut self.tags);
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("name", &self.name, NAME_MAX);
        errors.optional_text("industry", self.industry.as_deref(), SHORT_TEXT_MAX);
        errors.optional_url("website", self.website.as_deref());
        errors.optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX);
        errors.optional_email("primaryEmail", self.primary_email.as_deref());
        errors.optional_phone("primaryPhone", self.primary_phone.as_deref());
        errors.optional_text("timezone", self.timezone.as_deref(), SHORT_TEXT_MAX);
        errors.currency("currencyCode", &self.currency_code);
        if let Some(revenue) = self.annual_revenue {
            errors.not_negative("annualRevenue", revenue.cents());
        }
        errors.tags("tags", &self.tags);
    }

    fn owner(&self) -> Option<UserId> {
        self.owner_id
    }
}

impl Customer {
    /// The customer's web domain (`acme.com`), from the website or else the email, for
    /// duplicate detection.
    pub fn domain(&self) -> Option<String> {
        crate::common::domain_of(self.website.as_deref(), self.primary_email.as_deref())
    }
}

/// The customers form's input (name, email, phone, industry, status), as the quick-create
/// form gives it.
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
        clean_optional(&mut self.primary_email);
        clean_optional(&mut self.primary_phone);
        clean_optional(&mut self.industry);
        let mut errors = ValidationErrors::default();
        errors.required_text("name", &self.name, NAME_MAX);
        errors.optional_email("primaryEmail", self.primary_email.as_deref());
        errors.optional_phone("primaryPhone", self.primary_phone.as_deref());
        errors.optional_text("industry", self.industry.as_deref(), SHORT_TEXT_MAX);
        errors.into_result().map(|()| self)
    }

    /// The same input as a create body for [`crate::apply_fields`].
    pub fn to_fields(&self) -> crate::FieldMap {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => {
                map.retain(|_, value| !value.is_null());
                map
            }
            _ => crate::FieldMap::new(),
        }
    }
}

/// A partial update of the quick form's fields: only the fields that are `Some` change. For an
/// optional field, an empty text clears it.
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
    /// The custom fields' values; keys not given keep their values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<crate::common::CustomFields>,
}

impl CustomerPatch {
    /// The patch as fields for [`crate::apply_fields`].
    pub fn to_fields(&self) -> crate::FieldMap {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => crate::FieldMap::new(),
        }
    }

    /// Applies the patch to `customer` and checks the result; on error `customer` is untouched.
    pub fn apply_to(&self, customer: &Customer) -> Result<Customer, ValidationErrors> {
        crate::apply_fields(customer, &self.to_fields())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::{FieldError, Rule};
    use crate::{FieldMap, Role, apply_fields, create_from_fields};
    use serde_json::json;

    fn actor() -> Actor {
        Actor {
            user_id: UserId(uuid::Uuid::from_u128(1)),
            role: Role::Admin,
        }
    }

    fn create(fields: serde_json::Value) -> Result<Customer, Vec<FieldError>> {
        let serde_json::Value::Object(fields) = fields else {
            unreachable!("object")
        };
        create_from_fields::<Customer>(
            CustomerId(uuid::Uuid::from_u128(9)),
            Utc::now(),
            &actor(),
            &fields,
        )
        .map_err(|errors| errors.0)
    }

    fn rules(errors: Result<Customer, Vec<FieldError>>) -> Vec<(String, Rule)> {
        errors
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|error| (error.field, error.rule))
            .collect()
    }

    #[test]
    fn the_specs_create_body_is_accepted() {
        let customer = create(json!({
            "name": "Acme Corp",
            "type": "BUSINESS",
            "industry": "Technology",
            "website": "https://acme.com",
            "primaryEmail": "info@acme.com",
            "primaryPhone": "+1234567890",
            "billingAddress": {"street": "1 Main St", "city": "Springfield", "country": "US"},
            "category": "CUSTOMER",
            "source": "WEB",
            "tags": ["enterprise", "tech"]
        }))
        .expect("valid");
        assert_eq!(customer.category, Some(CustomerCategory::Customer));
        assert_eq!(
            customer.owner_id,
            Some(actor().user_id),
            "the creator owns it by default"
        );
        assert_eq!(customer.domain().as_deref(), Some("acme.com"));
    }

    #[test]
    fn broken_rules_name_the_field() {
        let cases: Vec<(serde_json::Value, Vec<(&str, Rule)>)> = vec![
            (json!({"name": ""}), vec![("name", Rule::Required)]),
            (
                json!({"name": "A", "primaryEmail": "info@acme"}),
                vec![("primaryEmail", Rule::Email)],
            ),
            (
                json!({"name": "A", "website": "not a site"}),
                vec![("website", Rule::Url)],
            ),
            (
                json!({"name": "A", "annualRevenue": -5}),
                vec![("annualRevenue", Rule::NotNegative)],
            ),
            (
                json!({"name": "A", "currencyCode": "usd"}),
                vec![("currencyCode", Rule::Currency)],
            ),
            (
                json!({"name": "A", "shoeSize": 44}),
                vec![("shoeSize", Rule::UnknownField)],
            ),
            (
                json!({"name": "A", "id": "x"}),
                vec![("id", Rule::ReadOnly)],
            ),
        ];
        for (input, expected) in cases {
            let expected: Vec<(String, Rule)> = expected
                .into_iter()
                .map(|(field, rule)| (field.to_owned(), rule))
                .collect();
            assert_eq!(rules(create(input.clone())), expected, "{input}");
        }
        let wrong_type = rules(create(json!({"name": "A", "status": "SLEEPING"})));
        assert_eq!(wrong_type.len(), 1);
        assert_eq!(wrong_type[0].0, "status");
        assert!(
            matches!(&wrong_type[0].1, Rule::Invalid { expected } if expected.contains("ACTIVE"))
        );
    }

    #[test]
    fn a_patch_changes_only_its_fields_and_clears_blank_texts() {
        let customer =
            create(json!({"name": "Acme", "industry": "Tech", "primaryPhone": "+1 555 0100"}))
                .expect("valid");
        let mut patch = FieldMap::new();
        patch.insert("industry".into(), json!("Manufacturing"));
        patch.insert("primaryPhone".into(), json!(""));
        let next = apply_fields(&customer, &patch).expect("valid");
        assert_eq!(next.industry.as_deref(), Some("Manufacturing"));
        assert_eq!(next.primary_phone, None);
        assert_eq!(next.name, "Acme");
    }

    #[test]
    fn quick_form_validation() {
        let check = |input: NewCustomer, expected: &[(&str, Rule)]| {
            let actual: Vec<(String, Rule)> = match input.validated() {
                Ok(_) => Vec::new(),
                Err(errors) => errors
                    .0
                    .into_iter()
                    .map(|error| (error.field, error.rule))
                    .collect(),
            };
            let expected: Vec<(String, Rule)> = expected
                .iter()
                .map(|(field, rule)| ((*field).to_owned(), rule.clone()))
                .collect();
            assert_eq!(actual, expected);
        };
        let named = |name: &str| NewCustomer {
            name: name.to_owned(),
            ..NewCustomer::default()
        };
        check(named("Acme Corp"), &[]);
        check(named("   "), &[("name", Rule::Required)]);
        check(
            named(&"x".repeat(201)),
            &[("name", Rule::MaxLength { max: 200 })],
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
}
