//! Sales documents and deal automation (spec §5.1): quotes and orders made from a deal,
//! numbered per type; a sent quote moves its deal to Proposal, an accepted one to Negotiation,
//! and a fulfilled order or a paid invoice wins the deal.

use chrono::Utc;
use crm_model::{
    Actor, Deal, DealId, DealStatus, Entity as _, Operation, RecordKind, SalesDocument,
    SalesDocumentId, SalesDocumentStatus, SalesDocumentType,
};
use uuid::Uuid;

use super::deals::enter_stage;
use crate::error::CoreError;
use crate::permissions::check;
use crate::store::{StagedWrite, Store, now};

fn prefix(document_type: SalesDocumentType) -> &'static str {
    match document_type {
        SalesDocumentType::Quotation => "Q",
        SalesDocumentType::Order => "SO",
        SalesDocumentType::Invoice => "INV",
    }
}

impl Store {
    /// The next free number of a type this year: `Q-2026-0001`, `SO-2026-0001`, ...
    pub fn next_document_number(
        &self,
        document_type: SalesDocumentType,
    ) -> Result<String, CoreError> {
        let stem = format!("{}-{}-", prefix(document_type), Utc::now().format("%Y"));
        let highest: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT MAX(number) FROM sales_documents WHERE type = ?1 AND number LIKE ?2 || '%'",
            )?
            .query_row([document_type.as_str(), stem.as_str()], |row| row.get(0))?;
        let next = highest
            .and_then(|number| {
                number
                    .strip_prefix(&stem)
                    .and_then(|digits| digits.parse::<u32>().ok())
            })
            .unwrap_or(0)
            + 1;
        Ok(format!("{stem}{next:04}"))
    }

    /// A draft quotation, order or invoice for a deal, pre-filled with its customer, products
    /// and currency.
    pub fn document_from_deal(
        &mut self,
        actor: &Actor,
        deal_id: DealId,
        document_type: SalesDocumentType,
    ) -> Result<SalesDocument, CoreError> {
        let deal: Deal = self.get(deal_id)?;
        check(
            actor,
            Operation::Create,
            RecordKind::SalesDocument,
            Some(actor.user_id),
        )?;
        let mut document = SalesDocument::draft(SalesDocumentId(Uuid::now_v7()), now(), actor);
        document.document_type = document_type;
        document.number = self.next_document_number(document_type)?;
        document.customer_id = deal.customer_id;
        document.deal_id = Some(deal.id);
        document.currency_code = deal.currency_code.clone();
        document.lines = if deal.products.is_empty() {
            vec![crm_model::LineItem {
                product_id: None,
                name: deal.name.clone(),
                quantity: 1.0,
                price: deal.amount,
                discount_percent: 0.0,
                tax_percent: 0.0,
                total: None,
            }]
        } else {
            deal.products
                .iter()
                .cloned()
                .map(|line| crm_model::LineItem {
                    total: None,
                    ..line
                })
                .collect()
        };
        self.insert(actor, &document)
    }

    /// What a sales document's status means for its deal, staged for the same transaction.
    pub(crate) fn deal_automation(
        &self,
        actor: &Actor,
        document: &SalesDocument,
    ) -> Result<Vec<StagedWrite>, CoreError> {
        let Some(deal_id) = document.deal_id else {
            return Ok(Vec::new());
        };
        let Ok(mut deal) = self.get::<Deal>(deal_id) else {
            return Ok(Vec::new());
        };
        if deal.status != DealStatus::Open {
            return Ok(Vec::new());
        }
        use SalesDocumentStatus as S;
        use SalesDocumentType as T;
        let target = match (document.document_type, document.status) {
            (T::Quotation, S::Sent) => Some("Proposal"),
            (T::Quotation, S::Accepted) | (T::Order, S::Confirmed) => Some("Negotiation"),
            (T::Order, S::Fulfilled) | (T::Invoice, S::Paid) => None,
            _ => return Ok(Vec::new()),
        };
        let Some(pipeline_id) = deal.pipeline_id else {
            return Ok(Vec::new());
        };
        let pipeline: crm_model::Pipeline = self.get(pipeline_id)?;
        match target {
            Some(stage_name) => {
                let Some(stage_id) = pipeline.stage_named(stage_name) else {
                    return Ok(Vec::new());
                };
                let order_of = |id| pipeline.stage(id).map(|stage| stage.order);
                // Only forward: a quote sent late does not pull a deal back from Negotiation.
                if deal.stage_id.and_then(order_of) >= order_of(stage_id) {
                    return Ok(Vec::new());
                }
                enter_stage(
                    &mut deal,
                    stage_id,
                    actor,
                    Some(format!(
                        "{} {}",
                        document.document_type.label(),
                        document.status.label().to_lowercase()
                    )),
                );
                if let Some(stage) = pipeline.stage(stage_id) {
                    deal.probability = stage.probability;
                }
            }
            None => {
                if let Some(won) = pipeline.won_stage() {
                    enter_stage(
                        &mut deal,
                        won,
                        actor,
                        Some(format!(
                            "{} {}",
                            document.document_type.label(),
                            document.status.label().to_lowercase()
                        )),
                    );
                }
                deal.status = DealStatus::Won;
                deal.closed_date = Some(Utc::now().date_naive());
                deal.probability = 100;
            }
        }
        Ok(vec![self.stage_replace(actor, &mut deal)?])
    }
}
