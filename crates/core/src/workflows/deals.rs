//! Deals through their pipeline (spec §2.4): stage moves with history, win, lose.

use chrono::Utc;
use crm_model::{
    Actor, Deal, DealId, DealStatus, Operation, Pipeline, RecordKind, Rule, StageVisit,
    ValidationErrors,
};
use crm_protocol::workflows::{LoseDeal, MoveDealStage, WinDeal};
use uuid::Uuid;

use crate::error::CoreError;
use crate::permissions::check;
use crate::store::Store;

fn invalid(field: &str, detail: &str) -> CoreError {
    CoreError::Validation(ValidationErrors(vec![crm_model::FieldError {
        field: field.to_owned(),
        rule: Rule::Inconsistent {
            detail: detail.to_owned(),
        },
    }]))
}

/// Closes the open visit and opens one for `stage_id`.
pub(super) fn enter_stage(
    deal: &mut Deal,
    stage_id: crm_model::StageId,
    actor: &Actor,
    notes: Option<String>,
) {
    let now = Utc::now();
    for visit in deal.stage_history.values_mut() {
        if visit.left_at.is_none() {
            visit.left_at = Some(now);
        }
    }
    deal.stage_history.insert(
        Uuid::now_v7().to_string(),
        StageVisit {
            stage_id,
            entered_at: now,
            left_at: None,
            moved_by: Some(actor.user_id),
            notes,
        },
    );
    deal.stage_id = Some(stage_id);
    deal.stage_entered_at = Some(now);
}

impl Store {
    fn deal_and_pipeline(&self, actor: &Actor, id: DealId) -> Result<(Deal, Pipeline), CoreError> {
        let deal: Deal = self.get(id)?;
        check(actor, Operation::Update, RecordKind::Deal, deal.owner_id)?;
        let pipeline_id = deal
            .pipeline_id
            .ok_or_else(|| invalid("pipelineId", "the deal has no pipeline"))?;
        Ok((deal, self.get(pipeline_id)?))
    }

    /// Moves a deal to another stage of its pipeline (the kanban's drag and drop). Moving onto a
    /// closed-won stage wins the deal; a closed-lost stage needs [`Store::lose_deal`] (a reason).
    pub fn move_deal_stage(
        &mut self,
        actor: &Actor,
        id: DealId,
        request: &MoveDealStage,
    ) -> Result<Deal, CoreError> {
        let (mut deal, pipeline) = self.deal_and_pipeline(actor, id)?;
        let stage = pipeline
            .stage(request.stage_id)
            .ok_or_else(|| invalid("stageId", "must be a stage of the deal's pipeline"))?;
        if stage.is_closed_lost {
            return Err(invalid("stageId", "losing a deal needs a reason: use Lose"));
        }
        if deal.stage_id == Some(request.stage_id) {
            return Ok(deal);
        }
        enter_stage(&mut deal, request.stage_id, actor, request.notes.clone());
        if request.update_probability {
            deal.probability = stage.probability;
        }
        if stage.is_closed_won {
            deal.status = DealStatus::Won;
            deal.closed_date = Some(Utc::now().date_naive());
            deal.probability = 100;
        } else if deal.status != DealStatus::Open {
            // Dragged back from a closed stage: the deal is open again.
            deal.status = DealStatus::Open;
            deal.closed_date = None;
            deal.lost_reason = None;
        }
        let write = self.stage_replace(actor, &mut deal)?;
        self.persist(vec![write])?;
        Ok(deal)
    }

    /// Wins a deal (spec §2.4): status, closed date, the pipeline's won stage, probability 100.
    pub fn win_deal(
        &mut self,
        actor: &Actor,
        id: DealId,
        request: &WinDeal,
    ) -> Result<Deal, CoreError> {
        let (mut deal, pipeline) = self.deal_and_pipeline(actor, id)?;
        if let Some(won) = pipeline.won_stage()
            && deal.stage_id != Some(won)
        {
            enter_stage(&mut deal, won, actor, request.won_reason.clone());
        }
        deal.status = DealStatus::Won;
        deal.closed_date = Some(
            request
                .closed_date
                .unwrap_or_else(|| Utc::now().date_naive()),
        );
        deal.won_reason = request.won_reason.clone();
        deal.probability = 100;
        let write = self.stage_replace(actor, &mut deal)?;
        self.persist(vec![write])?;
        if request.create_sales_order {
            self.document_from_deal(actor, id, crm_model::SalesDocumentType::Order)?;
        }
        Ok(deal)
    }

    /// Loses a deal (spec §2.4) with a reason from the spec's list.
    pub fn lose_deal(
        &mut self,
        actor: &Actor,
        id: DealId,
        request: &LoseDeal,
    ) -> Result<Deal, CoreError> {
        let (mut deal, pipeline) = self.deal_and_pipeline(actor, id)?;
        if let Some(lost) = pipeline.lost_stage()
            && deal.stage_id != Some(lost)
        {
            enter_stage(&mut deal, lost, actor, request.notes.clone());
        }
        deal.status = DealStatus::Lost;
        deal.closed_date = Some(
            request
                .closed_date
                .unwrap_or_else(|| Utc::now().date_naive()),
        );
        deal.lost_reason = Some(request.lost_reason);
        deal.lost_to_competitor = request.lost_to_competitor.clone();
        if let Some(competitor) = &request.lost_to_competitor
            && !deal.competitors.contains(competitor)
        {
            deal.competitors.push(competitor.clone());
        }
        if let Some(notes) = &request.notes {
            deal.notes = Some(match &deal.notes {
                Some(existing) => format!("{existing}\n{notes}"),
                None => notes.clone(),
            });
        }
        deal.probability = 0;
        let write = self.stage_replace(actor, &mut deal)?;
        self.persist(vec![write])?;
        Ok(deal)
    }
}
