//! Bulk operations on a selection of leads (assign, tag, status), lead assignment rules, and
//! deals stuck longer than their stage allows.

use chrono::{DateTime, Utc};
use crm_model::{Actor, Deal, Lead, LeadId, LeadStatus, Operation, RecordKind, UserId};
use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::materialize::from_data;
use crate::permissions::check;
use crate::store::Store;

/// One change applied to every lead of a selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum BulkLeadAction {
    Assign { owner_id: UserId },
    AddTag { tag: String },
    RemoveTag { tag: String },
    SetStatus { status: LeadStatus },
}

/// How new leads are spread among reps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRules {
    /// Leads of these sources (lower case) go to this rep.
    pub by_source: std::collections::BTreeMap<String, UserId>,
    /// Everything else goes round-robin among these reps, in order.
    pub round_robin: Vec<UserId>,
}

/// A deal that stayed in its stage longer than the stage's `daysInStage`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StuckDeal {
    pub deal: Deal,
    pub stage: String,
    pub days_in_stage: i64,
    pub allowed_days: i64,
}

impl Store {
    /// Applies `action` to every lead of `ids` in one transaction; the role rules hold for each.
    pub fn bulk_update_leads(
        &mut self,
        actor: &Actor,
        ids: &[LeadId],
        action: &BulkLeadAction,
    ) -> Result<usize, CoreError> {
        let mut writes = Vec::new();
        for id in ids {
            let mut lead: Lead = self.get(*id)?;
            check(actor, Operation::Update, RecordKind::Lead, lead.owner_id)?;
            match action {
                BulkLeadAction::Assign { owner_id } => {
                    check(actor, Operation::Update, RecordKind::Lead, Some(*owner_id))?;
                    lead.owner_id = Some(*owner_id);
                    lead.assigned_at = Some(Utc::now());
                }
                BulkLeadAction::AddTag { tag } => lead.tags.push(tag.clone()),
                BulkLeadAction::RemoveTag { tag } => lead
                    .tags
                    .retain(|existing| !existing.eq_ignore_ascii_case(tag)),
                BulkLeadAction::SetStatus { status } => lead.status = *status,
            }
            writes.push(self.stage_replace(actor, &mut lead)?);
        }
        let count = writes.len();
        self.persist(writes)?;
        Ok(count)
    }

    /// Assigns every unassigned open lead by `rules`: its source's rep, else the next rep of
    /// the round, continuing the round from the rep who got the last lead.
    pub fn assign_leads(
        &mut self,
        actor: &Actor,
        rules: &AssignmentRules,
    ) -> Result<usize, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, data FROM leads WHERE owner_id IS NULL AND deleted_at IS NULL AND status IN ('NEW', 'QUALIFIED')
             ORDER BY created_at, id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut leads: Vec<Lead> = Vec::new();
        for row in rows {
            let (id, data) = row?;
            leads.push(from_data(&id, &data)?);
        }
        drop(statement);
        let last_owner: Option<String> = self.conn.query_row(
            "SELECT owner_id FROM leads WHERE owner_id IS NOT NULL ORDER BY json_extract(data, '$.assignedAt') DESC LIMIT 1",
            [],
            |row| row.get(0),
        ).ok();
        let mut turn = last_owner
            .and_then(|owner| {
                rules
                    .round_robin
                    .iter()
                    .position(|rep| rep.to_string() == owner)
            })
            .map_or(0, |position| position + 1);
        let mut ids = Vec::new();
        let mut owners = Vec::new();
        for lead in &leads {
            let by_source = lead
                .source
                .as_deref()
                .and_then(|source| rules.by_source.get(&source.to_lowercase()));
            let owner = match by_source {
                Some(owner) => *owner,
                None if rules.round_robin.is_empty() => continue,
                None => {
                    let owner = rules.round_robin[turn % rules.round_robin.len()];
                    turn += 1;
                    owner
                }
            };
            ids.push(lead.id);
            owners.push(owner);
        }
        let mut writes = Vec::new();
        for (id, owner) in ids.iter().zip(owners) {
            let mut lead: Lead = self.get(*id)?;
            check(actor, Operation::Update, RecordKind::Lead, Some(owner))?;
            lead.owner_id = Some(owner);
            lead.assigned_at = Some(Utc::now());
            writes.push(self.stage_replace(actor, &mut lead)?);
        }
        let count = writes.len();
        self.persist(writes)?;
        Ok(count)
    }

    /// Open deals that stayed in their stage longer than its `daysInStage`, longest first.
    pub fn stuck_deals(&self, now: DateTime<Utc>) -> Result<Vec<StuckDeal>, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT d.id, d.data, s.name, s.days_in_stage, d.stage_entered_at FROM deals d
             JOIN pipeline_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
             WHERE d.status = 'OPEN' AND d.deleted_at IS NULL AND s.days_in_stage IS NOT NULL
             AND d.stage_entered_at IS NOT NULL",
        )?;
        let mut rows = statement.query([])?;
        let mut stuck = Vec::new();
        while let Some(row) = rows.next()? {
            let entered: String = row.get(4)?;
            let Ok(entered) = DateTime::parse_from_rfc3339(&entered) else {
                continue;
            };
            let days = (now - entered.to_utc()).num_days();
            let allowed: i64 = row.get(3)?;
            if days > allowed {
                let id: String = row.get(0)?;
                let data: String = row.get(1)?;
                stuck.push(StuckDeal {
                    deal: from_data(&id, &data)?,
                    stage: row.get(2)?,
                    days_in_stage: days,
                    allowed_days: allowed,
                });
            }
        }
        stuck.sort_by_key(|deal| std::cmp::Reverse(deal.days_in_stage - deal.allowed_days));
        Ok(stuck)
    }
}
