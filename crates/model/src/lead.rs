//! Leads (spec §1.1): prospects before they become customers, with scoring and qualification.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{Amount, Currency, CustomFields, clean_optional, clean_tags};
use crate::contact::full_name;
use crate::customer::{CompanySize, LONG_TEXT_MAX, NAME_MAX, SHORT_TEXT_MAX};
use crate::entity::Entity;
use crate::ids::{ContactId, CustomerId, DealId, LeadId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

crate::closed_set! {
    #[derive(Default)]
    LeadStatus {
        #[default]
        New = "NEW", "New";
        Qualified = "QUALIFIED", "Qualified";
        Converted = "CONVERTED", "Converted";
        Lost = "LOST", "Lost";
        Disqualified = "DISQUALIFIED", "Disqualified";
    }
}

crate::closed_set! {
    Rating {
        Hot = "HOT", "Hot";
        Warm = "WARM", "Warm";
        Cold = "COLD", "Cold";
    }
}

crate::closed_set! {
    #[derive(Default)]
    LeadPriority {
        Low = "LOW", "Low";
        #[default]
        Medium = "MEDIUM", "Medium";
        High = "HIGH", "High";
    }
}

crate::closed_set! {
    Medium {
        Organic = "ORGANIC", "Organic";
        Paid = "PAID", "Paid";
        Social = "SOCIAL", "Social";
        Referral = "REFERRAL", "Referral";
        Direct = "DIRECT", "Direct";
    }
}

crate::closed_set! {
    Timeline {
        Immediate = "IMMEDIATE", "Immediate";
        OneToThreeMonths = "1_3_MONTHS", "1–3 months";
        ThreeToSixMonths = "3_6_MONTHS", "3–6 months";
        SixToTwelveMonths = "6_12_MONTHS", "6–12 months";
        TwelvePlusMonths = "12_PLUS_MONTHS", "12+ months";
    }
}

crate::closed_set! {
    Authority {
        Yes = "YES", "Yes";
        No = "NO", "No";
        Unknown = "UNKNOWN", "Unknown";
    }
}

crate::closed_set! {
    Need {
        Explicit = "EXPLICIT", "Explicit";
        Implied = "IMPLIED", "Implied";
    }
}

crate::closed_set! {
    ConversionSource {
        Manual = "MANUAL", "Manual";
        Automated = "AUTOMATED", "Automated";
    }
}

crate::closed_set! {
    /// The categories a lead's score is made of (the lead detail shows one bar each).
    ScoreCategory {
        Demographics = "DEMOGRAPHICS", "Demographics";
        Engagement = "ENGAGEMENT", "Engagement";
        Qualification = "QUALIFICATION", "Budget & qualification";
        Source = "SOURCE", "Source";
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: LeadId,
    /// Full name; filled from first and last name when left empty.
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    /// Where the lead came from, as the tenant names it ("Website Form", "Trade show").
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub status: LeadStatus,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub company_size: Option<CompanySize>,
    /// 0–100: the override when set, else the computed score.
    #[serde(default)]
    pub lead_score: i64,
    /// Points per category of the computed score.
    #[serde(default)]
    pub score_breakdown: BTreeMap<String, i64>,
    /// A score set by hand; scoring leaves the lead alone while it is set.
    #[serde(default)]
    pub score_override: Option<i64>,
    #[serde(default)]
    pub rating: Option<Rating>,
    #[serde(default)]
    pub priority: LeadPriority,
    #[serde(default)]
    pub campaign: Option<String>,
    #[serde(default)]
    pub medium: Option<Medium>,
    #[serde(default)]
    pub referrer: Option<String>,
    #[serde(default)]
    pub budget: Option<Amount>,
    #[serde(default)]
    pub currency_code: Currency,
    #[serde(default)]
    pub timeline: Option<Timeline>,
    #[serde(default)]
    pub authority: Option<Authority>,
    #[serde(default)]
    pub need: Option<Need>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub assigned_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub converted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub conversion_source: Option<ConversionSource>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    #[serde(default)]
    pub first_contact_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_contact_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_activity_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub disqualified_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub disqualified_by: Option<UserId>,
    #[serde(default)]
    pub disqualified_reason: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: CustomFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for Lead {
    const KIND: RecordKind = RecordKind::Lead;
    type Id = LeadId;
    /// The score, rating and breakdown are computed by the scoring rules; a person sets
    /// `scoreOverride` instead.
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "createdAt",
        "updatedAt",
        "leadScore",
        "rating",
        "scoreBreakdown",
        "convertedAt",
    ];

    fn id(&self) -> LeadId {
        self.id
    }

    fn draft(id: LeadId, now: DateTime<Utc>, actor: &Actor) -> Lead {
        Lead {
            id,
            name: String::new(),
            email: None,
            phone: None,
            company: None,
            source: None,
            status: LeadStatus::New,
            notes: None,
            customer_id: None,
            contact_id: None,
            first_name: None,
            last_name: None,
            job_title: None,
            company_size: None,
            lead_score: 0,
            score_breakdown: BTreeMap::new(),
            score_override: None,
            rating: None,
            priority: LeadPriority::Medium,
            campaign: None,
            medium: None,
            referrer: None,
            budget: None,
            currency_code: Currency::usd(),
            timeline: None,
            authority: None,
            need: None,
            owner_id: Some(actor.user_id),
            assigned_at: Some(now),
            converted_at: None,
            conversion_source: None,
            deal_id: None,
            first_contact_date: None,
            last_contact_date: None,
            last_activity_date: None,
            disqualified_at: None,
            disqualified_by: None,
            disqualified_reason: None,
            tags: Vec::new(),
            custom_fields: CustomFields::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        for text in [
            &mut self.email,
            &mut self.phone,
            &mut self.company,
            &mut self.source,
            &mut self.notes,
            &mut self.first_name,
            &mut self.last_name,
            &mut self.job_title,
            &mut self.campaign,
            &mut self.referrer,
            &mut self.disqualified_reason,
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
        errors.required_text("name", &self.name, NAME_MAX);
        errors.optional_email("email", self.email.as_deref());
        errors.optional_phone("phone", self.phone.as_deref());
        for (field, text) in [
            ("company", &self.company),
            ("source", &self.source),
            ("firstName", &self.first_name),
            ("lastName", &self.last_name),
            ("jobTitle", &self.job_title),
            ("campaign", &self.campaign),
            ("referrer", &self.referrer),
        ] {
            errors.optional_text(field, text.as_deref(), SHORT_TEXT_MAX);
        }
        errors.optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX);
        errors.percent("leadScore", self.lead_score);
        if let Some(score) = self.score_override {
            errors.percent("scoreOverride", score);
        }
        if let Some(budget) = self.budget {
            errors.not_negative("budget", budget.cents());
        }
        errors.currency("currencyCode", &self.currency_code);
        if self.status == LeadStatus::Disqualified && self.disqualified_reason.is_none() {
            errors.push("disqualifiedReason", Rule::Required);
        }
        errors.tags("tags", &self.tags);
    }

    fn owner(&self) -> Option<UserId> {
        self.owner_id
    }
}

impl Lead {
    /// The lead's email domain, for duplicate detection; free-mail domains give `None`.
    pub fn domain(&self) -> Option<String> {
        crate::common::domain_of(None, self.email.as_deref())
    }
}
