//! Sales documents (spec §1.3): quotations, sales orders and invoices, linked to a customer and
//! optionally a deal. Their status changes drive the deal (spec §5.1).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{Amount, Currency, clean_optional};
use crate::customer::LONG_TEXT_MAX;
use crate::deal::{LineItem, check_lines, fill_line_totals, line_totals};
use crate::entity::Entity;
use crate::ids::{CustomerId, DealId, SalesDocumentId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

crate::closed_set! {
    SalesDocumentType {
        Quotation = "QUOTATION", "Quotation";
        Order = "ORDER", "Sales order";
        Invoice = "INVOICE", "Invoice";
    }
}

crate::closed_set! {
    /// One status set for all three types; `allowed_for` says which apply to which.
    #[derive(Default)]
    SalesDocumentStatus {
        #[default]
        Draft = "DRAFT", "Draft";
        Sent = "SENT", "Sent";
        Accepted = "ACCEPTED", "Accepted";
        Rejected = "REJECTED", "Rejected";
        Expired = "EXPIRED", "Expired";
        Confirmed = "CONFIRMED", "Confirmed";
        Fulfilled = "FULFILLED", "Fulfilled";
        PartiallyPaid = "PARTIALLY_PAID", "Partially paid";
        Paid = "PAID", "Paid";
        Cancelled = "CANCELLED", "Cancelled";
    }
}

impl SalesDocumentStatus {
    pub fn allowed_for(self, document_type: SalesDocumentType) -> bool {
        use SalesDocumentStatus as S;
        match document_type {
            SalesDocumentType::Quotation => matches!(
                self,
                S::Draft | S::Sent | S::Accepted | S::Rejected | S::Expired
            ),
            SalesDocumentType::Order => {
                matches!(self, S::Draft | S::Confirmed | S::Fulfilled | S::Cancelled)
            }
            SalesDocumentType::Invoice => matches!(
                self,
                S::Draft | S::Sent | S::PartiallyPaid | S::Paid | S::Cancelled
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesDocument {
    pub id: SalesDocumentId,
    #[serde(rename = "type")]
    pub document_type: SalesDocumentType,
    /// Human number like `Q-2026-0042`; unique per type in the tenant.
    pub number: String,
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    #[serde(default)]
    pub status: SalesDocumentStatus,
    #[serde(default)]
    pub lines: Vec<LineItem>,
    #[serde(default)]
    pub currency_code: Currency,
    /// Computed from the lines.
    #[serde(default)]
    pub subtotal: Amount,
    #[serde(default)]
    pub discount: Amount,
    #[serde(default)]
    pub tax: Amount,
    #[serde(default)]
    pub total: Amount,
    /// For invoices: what has been paid so far.
    #[serde(default)]
    pub amount_paid: Amount,
    pub issue_date: NaiveDate,
    /// Quotations: valid until; invoices: payment due.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for SalesDocument {
    const KIND: RecordKind = RecordKind::SalesDocument;
    type Id = SalesDocumentId;
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "createdAt",
        "updatedAt",
        "subtotal",
        "discount",
        "tax",
        "total",
    ];

    fn id(&self) -> SalesDocumentId {
        self.id
    }

    fn draft(id: SalesDocumentId, now: DateTime<Utc>, actor: &Actor) -> SalesDocument {
        SalesDocument {
            id,
            document_type: SalesDocumentType::Quotation,
            number: String::new(),
            customer_id: None,
            deal_id: None,
            status: SalesDocumentStatus::Draft,
            lines: Vec::new(),
            currency_code: Currency::usd(),
            subtotal: Amount::ZERO,
            discount: Amount::ZERO,
            tax: Amount::ZERO,
            total: Amount::ZERO,
            amount_paid: Amount::ZERO,
            issue_date: now.date_naive(),
            due_date: None,
            paid_at: None,
            notes: None,
            owner_id: Some(actor.user_id),
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.number = self.number.trim().to_owned();
        clean_optional(&mut self.notes);
        fill_line_totals(&mut self.lines);
        let totals = line_totals(&self.lines);
        self.subtotal = totals.subtotal;
        self.discount = totals.discount;
        self.tax = totals.tax;
        self.total = totals.total;
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("number", &self.number, 50);
        errors.date("issueDate", Some(self.issue_date));
        errors.date("dueDate", self.due_date);
        if self.customer_id.is_none() {
            errors.push("customerId", Rule::Required);
        }
        if !self.status.allowed_for(self.document_type) {
            errors.push(
                "status",
                Rule::Inconsistent {
                    detail: format!(
                        "{} is not a status of a {}",
                        self.status.label(),
                        self.document_type.label()
                    ),
                },
            );
        }
        check_lines("lines", &self.lines, errors);
        errors.currency("currencyCode", &self.currency_code);
        errors.not_negative("amountPaid", self.amount_paid.cents());
        if self.amount_paid > self.total {
            errors.push(
                "amountPaid",
                Rule::Inconsistent {
                    detail: "must not exceed the total".into(),
                },
            );
        }
        if let Some(due) = self.due_date
            && due < self.issue_date
        {
            errors.push(
                "dueDate",
                Rule::Inconsistent {
                    detail: "must not be before the issue date".into(),
                },
            );
        }
        errors.optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX);
    }

    fn owner(&self) -> Option<UserId> {
        self.owner_id
    }
}
