//! Deals (spec §1.1): opportunities moving through a pipeline's stages, with product lines.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{Amount, Currency, CustomFields, clean_optional, clean_tags};
use crate::customer::{LONG_TEXT_MAX, NAME_MAX, SHORT_TEXT_MAX};
use crate::entity::Entity;
use crate::ids::{CustomerId, DealId, LeadId, PipelineId, StageId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

crate::closed_set! {
    #[derive(Default)]
    DealStatus {
        #[default]
        Open = "OPEN", "Open";
        Won = "WON", "Won";
        Lost = "LOST", "Lost";
    }
}

crate::closed_set! {
    LostReason {
        Price = "PRICE", "Price";
        Competition = "COMPETITION", "Competition";
        NoBudget = "NO_BUDGET", "No budget";
        Timing = "TIMING", "Timing";
        ProductFit = "PRODUCT_FIT", "Product fit";
        Other = "OTHER", "Other";
    }
}

crate::closed_set! {
    DealSource {
        Inbound = "INBOUND", "Inbound";
        Outbound = "OUTBOUND", "Outbound";
        Referral = "REFERRAL", "Referral";
        Partner = "PARTNER", "Partner";
    }
}

/// A product or service on a deal or a sales document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    #[serde(default)]
    pub product_id: Option<String>,
    pub name: String,
    pub quantity: f64,
    /// Unit price.
    pub price: Amount,
    /// Percent off the line's gross (quantity × price).
    #[serde(default)]
    pub discount_percent: f64,
    /// Percent added on the discounted net.
    #[serde(default)]
    pub tax_percent: f64,
    /// Net + tax; computed when not given, and must agree when given.
    #[serde(default)]
    pub total: Option<Amount>,
}

impl LineItem {
    pub fn gross(&self) -> Amount {
        Amount::from_decimal(self.quantity * self.price.to_decimal())
    }

    pub fn discount(&self) -> Amount {
        self.gross().percent(self.discount_percent)
    }

    pub fn net(&self) -> Amount {
        self.gross().saturating_sub(self.discount())
    }

    pub fn tax(&self) -> Amount {
        self.net().percent(self.tax_percent)
    }

    pub fn computed_total(&self) -> Amount {
        self.net().saturating_add(self.tax())
    }
}

/// Totals of a list of lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineTotals {
    pub subtotal: Amount,
    pub discount: Amount,
    pub tax: Amount,
    pub total: Amount,
}

pub fn line_totals(lines: &[LineItem]) -> LineTotals {
    LineTotals {
        subtotal: lines.iter().map(LineItem::gross).sum(),
        discount: lines.iter().map(LineItem::discount).sum(),
        tax: lines.iter().map(LineItem::tax).sum(),
        total: lines.iter().map(LineItem::computed_total).sum(),
    }
}

/// Fills in missing line totals and checks the given ones: `field` is the list's name.
pub(crate) fn check_lines(field: &str, lines: &[LineItem], errors: &mut ValidationErrors) {
    for (index, line) in lines.iter().enumerate() {
        let at = |name: &str| format!("{field}[{index}].{name}");
        if line.name.trim().is_empty() {
            errors.push(&at("name"), Rule::Required);
        }
        if !(line.quantity.is_finite() && line.quantity > 0.0) {
            errors.push(
                &at("quantity"),
                Rule::Inconsistent {
                    detail: "must be more than 0".into(),
                },
            );
        }
        errors.not_negative(&at("price"), line.price.cents());
        for (name, percent) in [
            ("discountPercent", line.discount_percent),
            ("taxPercent", line.tax_percent),
        ] {
            if !(0.0..=100.0).contains(&percent) {
                errors.push(&at(name), Rule::Range { min: 0, max: 100 });
            }
        }
        if let Some(total) = line.total {
            let computed = line.computed_total();
            if total != computed {
                errors.push(
                    &at("total"),
                    Rule::Inconsistent {
                        detail: format!(
                            "must equal quantity × price − discount + tax ({computed})"
                        ),
                    },
                );
            }
        }
    }
}

pub(crate) fn fill_line_totals(lines: &mut [LineItem]) {
    for line in lines {
        line.name = line.name.trim().to_owned();
        if line.total.is_none() {
            line.total = Some(line.computed_total());
        }
    }
}

/// One stay of a deal in a stage. Kept in a map keyed by visit id, so two devices moving the
/// same deal offline both keep their entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageVisit {
    pub stage_id: StageId,
    pub entered_at: DateTime<Utc>,
    #[serde(default)]
    pub left_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub moved_by: Option<UserId>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
    pub id: DealId,
    pub customer_id: Option<CustomerId>,
    pub name: String,
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    #[serde(default)]
    pub status: DealStatus,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub deal_number: Option<String>,
    /// 0–100.
    #[serde(default)]
    pub probability: i64,
    /// The deal's value: the sum of its products when it has any.
    #[serde(default)]
    pub amount: Amount,
    #[serde(default)]
    pub currency_code: Currency,
    #[serde(default)]
    pub discount: Amount,
    #[serde(default)]
    pub tax: Amount,
    /// amount − discount + tax (computed).
    #[serde(default)]
    pub total: Amount,
    #[serde(default)]
    pub products: Vec<LineItem>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub team_members: Vec<UserId>,
    #[serde(default)]
    pub expected_close_date: Option<NaiveDate>,
    #[serde(default)]
    pub closed_date: Option<NaiveDate>,
    #[serde(default)]
    pub first_contact_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_activity_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub competitors: Vec<String>,
    #[serde(default)]
    pub won_reason: Option<String>,
    #[serde(default)]
    pub lost_reason: Option<LostReason>,
    #[serde(default)]
    pub lost_to_competitor: Option<String>,
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    #[serde(default)]
    pub source: Option<DealSource>,
    /// When the deal entered its current stage.
    #[serde(default)]
    pub stage_entered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub stage_history: BTreeMap<String, StageVisit>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: CustomFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Deal {
    /// amount × probability.
    pub fn weighted_amount(&self) -> Amount {
        self.amount.percent(self.probability as f64)
    }
}

impl Entity for Deal {
    const KIND: RecordKind = RecordKind::Deal;
    type Id = DealId;
    const READ_ONLY: &'static [&'static str] =
        &["id", "createdAt", "updatedAt", "total", "stageHistory"];

    fn id(&self) -> DealId {
        self.id
    }

    fn draft(id: DealId, now: DateTime<Utc>, actor: &Actor) -> Deal {
        Deal {
            id,
            customer_id: None,
            name: String::new(),
            pipeline_id: None,
            stage_id: None,
            status: DealStatus::Open,
            notes: None,
            deal_number: None,
            probability: 0,
            amount: Amount::ZERO,
            currency_code: Currency::usd(),
            discount: Amount::ZERO,
            tax: Amount::ZERO,
            total: Amount::ZERO,
            products: Vec::new(),
            owner_id: Some(actor.user_id),
            team_members: Vec::new(),
            expected_close_date: None,
            closed_date: None,
            first_contact_date: None,
            last_activity_date: None,
            competitors: Vec::new(),
            won_reason: None,
            lost_reason: None,
            lost_to_competitor: None,
            lead_id: None,
            source: None,
            stage_entered_at: Some(now),
            stage_history: BTreeMap::new(),
            tags: Vec::new(),
            custom_fields: CustomFields::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        for text in [
            &mut self.notes,
            &mut self.deal_number,
            &mut self.won_reason,
            &mut self.lost_to_competitor,
        ] {
            clean_optional(text);
        }
        fill_line_totals(&mut self.products);
        if !self.products.is_empty() && self.amount == Amount::ZERO {
            self.amount = line_totals(&self.products).total;
        }
        self.total = self
            .amount
            .saturating_sub(self.discount)
            .saturating_add(self.tax);
        clean_tags(&mut self.tags);
        clean_tags(&mut self.competitors);
        self.team_members.dedup();
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("name", &self.name, NAME_MAX);
        if self.customer_id.is_none() {
            errors.push("customerId", Rule::Required);
        }
        if self.pipeline_id.is_none() {
            errors.push("pipelineId", Rule::Required);
        }
        if self.stage_id.is_none() {
            errors.push("stageId", Rule::Required);
        }
        errors.percent("probability", self.probability);
        errors.not_negative("amount", self.amount.cents());
        errors.date("expectedCloseDate", self.expected_close_date);
        errors.date("closedDate", self.closed_date);
        errors.not_negative("discount", self.discount.cents());
        errors.not_negative("tax", self.tax.cents());
        errors.currency("currencyCode", &self.currency_code);
        errors.optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX);
        errors.optional_text("dealNumber", self.deal_number.as_deref(), SHORT_TEXT_MAX);
        check_lines("products", &self.products, errors);
        if !self.products.is_empty() {
            let sum = line_totals(&self.products).total;
            if self.amount != sum {
                errors.push(
                    "amount",
                    Rule::Inconsistent {
                        detail: format!("must equal the sum of the products ({sum})"),
                    },
                );
            }
        }
        if self.discount > self.amount {
            errors.push(
                "discount",
                Rule::Inconsistent {
                    detail: "must not exceed the amount".into(),
                },
            );
        }
        match self.status {
            DealStatus::Lost if self.lost_reason.is_none() => {
                errors.push("lostReason", Rule::Required)
            }
            DealStatus::Won | DealStatus::Lost if self.closed_date.is_none() => {
                errors.push("closedDate", Rule::Required)
            }
            _ => {}
        }
        errors.tags("tags", &self.tags);
    }

    fn owner(&self) -> Option<UserId> {
        self.owner_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, create_from_fields};
    use serde_json::json;

    fn create(fields: serde_json::Value) -> Result<Deal, ValidationErrors> {
        let serde_json::Value::Object(fields) = fields else {
            unreachable!("object")
        };
        let actor = Actor {
            user_id: UserId(uuid::Uuid::from_u128(1)),
            role: Role::Admin,
        };
        create_from_fields(
            DealId(uuid::Uuid::from_u128(2)),
            Utc::now(),
            &actor,
            &fields,
        )
    }

    fn base() -> serde_json::Value {
        json!({
            "name": "Acme Corp - Enterprise License",
            "customerId": uuid::Uuid::from_u128(3).to_string(),
            "pipelineId": uuid::Uuid::from_u128(4).to_string(),
            "stageId": uuid::Uuid::from_u128(5).to_string(),
            "currencyCode": "USD",
            "expectedCloseDate": "2026-06-30",
            "probability": 25,
        })
    }

    fn with(mut body: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
        if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        body
    }

    #[test]
    fn the_specs_deal_with_products_totals_up() {
        let deal = create(with(base(), json!({
            "amount": 100000,
            "products": [{"productId": "prod-1", "name": "Enterprise License", "quantity": 10, "price": 10000, "total": 100000}]
        })))
        .expect("valid");
        assert_eq!(deal.amount, Amount::from_decimal(100_000.0));
        assert_eq!(deal.total, deal.amount);
        assert_eq!(deal.weighted_amount(), Amount::from_decimal(25_000.0));
    }

    #[test]
    fn amount_defaults_to_the_products_sum_with_discount_and_tax() {
        let deal = create(with(base(), json!({
            "products": [
                {"name": "License", "quantity": 2, "price": 1000, "discountPercent": 10, "taxPercent": 20},
                {"name": "Support", "quantity": 1, "price": 500}
            ],
            "discount": 100
        })))
        .expect("valid");
        // 2 × 1000 = 2000, −10 % = 1800, +20 % tax = 2160; plus 500.
        assert_eq!(deal.products[0].total, Some(Amount::from_decimal(2160.0)));
        assert_eq!(deal.amount, Amount::from_decimal(2660.0));
        assert_eq!(deal.total, Amount::from_decimal(2560.0));
    }

    #[test]
    fn inconsistent_totals_and_ranges_are_refused() {
        let cases = [
            (
                json!({"amount": 5, "products": [{"name": "A", "quantity": 1, "price": 10}]}),
                "amount",
            ),
            (
                json!({"products": [{"name": "A", "quantity": 1, "price": 10, "total": 11}]}),
                "products[0].total",
            ),
            (
                json!({"products": [{"name": "A", "quantity": 0, "price": 10}]}),
                "products[0].quantity",
            ),
            (json!({"probability": 101}), "probability"),
            (
                json!({"status": "LOST", "closedDate": "2026-02-08"}),
                "lostReason",
            ),
            (json!({"status": "WON"}), "closedDate"),
            (json!({"total": 5}), "total"),
        ];
        for (extra, field) in cases {
            let errors = create(with(base(), extra.clone())).expect_err("invalid");
            assert_eq!(
                errors.0.first().map(|error| error.field.as_str()),
                Some(field),
                "{extra}"
            );
        }
    }
}
