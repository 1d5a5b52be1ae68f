//! The tenant's settings: one record per tenant (lead scoring rules, defaults), synced like any
//! other record, changed by admins only.

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
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {}

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.currency("defaultCurrency", &self.default_currency);
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
