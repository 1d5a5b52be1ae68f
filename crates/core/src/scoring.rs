//! Lead scoring in the store: the tenant's rules (its settings record), each lead's engagement
//! from its communications and activities, and rescoring whenever one of those inputs changes.

use chrono::{DateTime, Utc};
use crm_model::{
    Actor, Engagement, Entity, Lead, LeadId, Operation, RecordKind, Settings, settings_id,
};
use rusqlite::OptionalExtension;

use crate::error::CoreError;
use crate::permissions::check;
use crate::store::{StagedWrite, Store, now};

impl Store {
    /// The tenant's settings, or the defaults when none were saved yet.
    pub fn settings(&self) -> Result<Settings, CoreError> {
        let id = settings_id(self.profile().tenant_id);
        match self.get::<Settings>(id) {
            Ok(settings) => Ok(settings),
            Err(CoreError::NotFound { .. } | CoreError::Purged { .. }) => {
                Ok(Settings::draft(id, now(), &self.actor()))
            }
            Err(error) => Err(error),
        }
    }

    /// Saves the tenant's settings (admins only); leads are rescored with the new rules.
    pub fn save_settings(
        &mut self,
        actor: &Actor,
        settings: Settings,
    ) -> Result<Settings, CoreError> {
        check(actor, Operation::Update, RecordKind::Settings, None)?;
        let mut settings = Settings {
            id: settings_id(self.profile().tenant_id),
            ..settings
        };
        settings.normalize();
        let mut errors = crm_model::ValidationErrors::default();
        settings.validate(&mut errors);
        errors.into_result()?;
        let exists = self.load_document(settings.id.into())?.is_some();
        let saved = if exists {
            self.replace(actor, &settings)?
        } else {
            self.insert(actor, &settings)?
        };
        self.rescore_all_leads(actor)?;
        Ok(saved)
    }

    /// How engaged a lead is: its communications and activities, and the latest of them.
    fn engagement(&self, lead: LeadId) -> Result<Engagement, CoreError> {
        let key = lead.to_string();
        let (communications, last_communication): (i64, Option<String>) = self.conn.prepare_cached(
            "SELECT COUNT(*), MAX(occurred_at) FROM communications WHERE lead_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([&key], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let (activities, last_activity): (i64, Option<String>) = self.conn.prepare_cached(
            "SELECT COUNT(*), MAX(COALESCE(completed_at, created_at)) FROM activities WHERE lead_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([&key], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let last = [last_communication, last_activity]
            .into_iter()
            .flatten()
            .filter_map(|text| DateTime::parse_from_rfc3339(&text).ok())
            .max();
        Ok(Engagement {
            communications,
            activities,
            days_since_last_touch: last.map(|time| (Utc::now() - time.to_utc()).num_days().max(0)),
        })
    }

    /// Sets `lead`'s score, rating and breakdown from the tenant's rules.
    pub(crate) fn score_lead(&self, lead: &mut Lead) -> Result<(), CoreError> {
        let rules = self.settings()?.lead_scoring;
        let score = rules.score(lead, self.engagement(lead.id)?);
        lead.lead_score = score.score;
        lead.rating = Some(score.rating);
        lead.score_breakdown = score.breakdown;
        Ok(())
    }

    /// The rescoring of `lead` after one of its inputs changed, staged for the caller's
    /// transaction. The engagement counted is the stored one plus the write being made.
    pub(crate) fn rescore_staged(
        &self,
        actor: &Actor,
        lead: Option<LeadId>,
    ) -> Result<Vec<StagedWrite>, CoreError> {
        let Some(lead_id) = lead else {
            return Ok(Vec::new());
        };
        let exists: Option<i64> = self
            .conn
            .prepare_cached("SELECT 1 FROM leads WHERE id = ?1")?
            .query_row([lead_id.to_string()], |row| row.get(0))
            .optional()?;
        if exists.is_none() {
            return Ok(Vec::new());
        }
        let mut lead: Lead = self.get(lead_id)?;
        let rules = self.settings()?.lead_scoring;
        let mut engagement = self.engagement(lead_id)?;
        // The communication or activity being written is not in the tables yet.
        engagement.communications += 1;
        engagement.days_since_last_touch = Some(0);
        let score = rules.score(&lead, engagement);
        if score.score == lead.lead_score
            && Some(score.rating) == lead.rating
            && score.breakdown == lead.score_breakdown
        {
            return Ok(Vec::new());
        }
        lead.lead_score = score.score;
        lead.rating = Some(score.rating);
        lead.score_breakdown = score.breakdown;
        Ok(vec![self.stage_replace(actor, &mut lead)?])
    }

    /// Rescores every open lead (after the rules changed), in one transaction.
    pub fn rescore_all_leads(&mut self, actor: &Actor) -> Result<usize, CoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT id, data FROM leads WHERE deleted_at IS NULL AND status IN ('NEW', 'QUALIFIED')")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut leads: Vec<Lead> = Vec::new();
        for row in rows {
            let (id, data) = row?;
            leads.push(crate::materialize::from_data(&id, &data)?);
        }
        drop(statement);
        let mut writes = Vec::new();
        for mut lead in leads {
            let before = (lead.lead_score, lead.rating, lead.score_breakdown.clone());
            self.score_lead(&mut lead)?;
            if before != (lead.lead_score, lead.rating, lead.score_breakdown.clone()) {
                writes.push(self.stage_replace(actor, &mut lead)?);
            }
        }
        let changed = writes.len();
        self.persist(writes)?;
        Ok(changed)
    }

    /// Sets or clears a lead's manual score (spec `PUT /leads/:id/score`).
    pub fn set_lead_score(
        &mut self,
        actor: &Actor,
        id: LeadId,
        score: Option<i64>,
    ) -> Result<Lead, CoreError> {
        let mut lead: Lead = self.get(id)?;
        check(actor, Operation::Update, RecordKind::Lead, lead.owner_id)?;
        lead.score_override = score;
        self.replace(actor, &lead)
    }
}
