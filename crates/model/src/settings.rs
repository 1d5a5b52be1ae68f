//! The tenant's settings: one record per tenant (lead scoring rules, defaults, custom field
//! definitions), synced like any other record, changed by admins only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::Currency;
use crate::entity::Entity;
use crate::ids::{SettingsId, TenantId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::scoring::ScoringRules;
use crate::validation::{Rule, ValidationErrors};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub id: SettingsId,
    #[serde(default)]
    pub lead_scoring: ScoringRules,
    #[serde(default)]
    pub default_currency: Currency,
    /// The custom fields the tenant's customers, contacts, leads and deals carry (their values
    /// live in each record's `customFields` map under the definition's `key`).
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldDefinition>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The settings record's id, derived from the tenant's, so every device of a tenant edits the
/// same record.
pub fn settings_id(tenant: TenantId) -> SettingsId {
    SettingsId(uuid::Uuid::from_u128(
        tenant.as_uuid().as_u128() ^ 0x5e77_0000_0000_0000_0000_0000_0000_0002,
    ))
}

impl Entity for Settings {
    const KIND: RecordKind = RecordKind::Settings;
    type Id = SettingsId;

    fn id(&self) -> SettingsId {
        self.id
    }

    fn draft(id: SettingsId, now: DateTime<Utc>, _actor: &Actor) -> Settings {
        Settings {
            id,
            lead_scoring: ScoringRules::default(),
            default_currency: Currency::usd(),
            custom_fields: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {}

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.currency("defaultCurrency", &self.default_currency);
        let mut seen = std::collections::HashSet::new();
        for (index, field) in self.custom_fields.iter().enumerate() {
            let at = |name: &str| format!("customFields[{index}].{name}");
            errors.required_text(&at("label"), &field.label, crate::customer::SHORT_TEXT_MAX);
            if field.key.is_empty()
                || !field
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                errors.push(
                    &at("key"),
                    Rule::Invalid {
                        expected: "lower-case letters, digits and _".into(),
                    },
                );
            }
            if !CustomFieldDefinition::KINDS.contains(&field.kind) {
                errors.push(
                    &at("kind"),
                    Rule::Invalid {
                        expected: "customer, contact, lead or deal".into(),
                    },
                );
            }
            if !seen.insert((field.kind, field.key.clone())) {
                errors.push(&at("key"), Rule::Unique);
            }
        }
        let rules = &self.lead_scoring;
        if !(0..=100).contains(&rules.warm_threshold) || !(0..=100).contains(&rules.hot_threshold) {
            errors.push("leadScoring.hotThreshold", Rule::Range { min: 0, max: 100 });
        }
        if rules.warm_threshold > rules.hot_threshold {
            errors.push(
                "leadScoring.warmThreshold",
                Rule::Inconsistent {
                    detail: "must not be above the hot threshold".into(),
                },
            );
        }
    }
}

crate::closed_set! {
    #[derive(Default)]
    CustomFieldType {
        #[default]
        Text = "TEXT", "Text";
        Number = "NUMBER", "Number";
        Date = "DATE", "Date";
        YesNo = "YES_NO", "Yes / no";
    }
}

/// One custom field of a kind of record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldDefinition {
    pub kind: RecordKind,
    /// The key of the value in the record's `customFields`, e.g. `fleet_size`.
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub field_type: CustomFieldType,
}

impl CustomFieldDefinition {
    /// The kinds that carry custom fields.
    pub const KINDS: [RecordKind; 4] = [
        RecordKind::Customer,
        RecordKind::Contact,
        RecordKind::Lead,
        RecordKind::Deal,
    ];

    /// The key a label makes: `Fleet size (trucks)` → `fleet_size_trucks`.
    pub fn key_of(label: &str) -> String {
        let mut key = String::new();
        for c in label.trim().chars() {
            if c.is_ascii_alphanumeric() {
                key.push(c.to_ascii_lowercase());
            } else if !key.ends_with('_') && !key.is_empty() {
                key.push('_');
            }
        }
        key.trim_end_matches('_').to_owned()
    }
}

#[cfg(test)]
mod custom_field_tests {
    use super::*;

    fn settings(fields: Vec<CustomFieldDefinition>) -> Settings {
        let now = Utc::now();
        Settings {
            custom_fields: fields,
            ..<Settings as Entity>::draft(
                settings_id(TenantId(uuid::Uuid::from_u128(1))),
                now,
                &crate::role::Actor {
                    user_id: crate::ids::UserId(uuid::Uuid::from_u128(2)),
                    role: crate::Role::Admin,
                },
            )
        }
    }

    fn field(kind: RecordKind, label: &str) -> CustomFieldDefinition {
        CustomFieldDefinition {
            kind,
            key: CustomFieldDefinition::key_of(label),
            label: label.into(),
            field_type: CustomFieldType::Number,
        }
    }

    #[test]
    fn keys_come_from_labels_and_must_be_unique_per_kind() {
        assert_eq!(
            CustomFieldDefinition::key_of(" Fleet size (trucks) "),
            "fleet_size_trucks"
        );
        let mut errors = ValidationErrors::default();
        settings(vec![
            field(RecordKind::Customer, "Fleet size"),
            field(RecordKind::Deal, "Fleet size"),
        ])
        .validate(&mut errors);
        assert!(errors.0.is_empty(), "{errors}");
        let mut errors = ValidationErrors::default();
        settings(vec![
            field(RecordKind::Customer, "Fleet size"),
            field(RecordKind::Customer, "Fleet-size"),
            field(RecordKind::Note, "Mood"),
            field(RecordKind::Deal, "  "),
        ])
        .validate(&mut errors);
        let fields: Vec<&str> = errors.0.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "customFields[1].key",
                "customFields[2].kind",
                "customFields[3].label",
                "customFields[3].key"
            ]
        );
    }
}
