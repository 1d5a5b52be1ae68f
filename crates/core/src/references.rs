//! Reference rules: a record may only point at records that exist and are not in the trash
//! (a contact's customer, a deal's pipeline and its stage...). Checked before every create and
//! update, reported like any other broken rule: the field and the rule.

use crm_model::{
    Activity, Actor, Attachment, Communication, Contact, CustomerNote, Deal, Entity, Lead,
    Pipeline, RecordId, RecordKind, Rule, SalesDocument, ValidationErrors,
};
use rusqlite::OptionalExtension;

use crate::error::CoreError;
use crate::store::{StagedWrite, Store};

/// An entity whose references the core checks.
pub trait References: Entity {
    /// (field, kind it must refer to, id) for every reference that is set.
    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        Vec::new()
    }

    /// Further checks needing the store (a deal's stage must belong to its pipeline).
    fn check_with(&self, _store: &Store, _errors: &mut ValidationErrors) -> Result<(), CoreError> {
        Ok(())
    }

    /// Fills in fields derived from other records before a write (a lead's score).
    fn derive(&mut self, _store: &Store) -> Result<(), CoreError> {
        Ok(())
    }

    /// Writes of other records this one's write implies, staged for the same transaction (the
    /// lead of a new communication or activity is rescored).
    fn dependents(&self, _store: &Store, _actor: &Actor) -> Result<Vec<StagedWrite>, CoreError> {
        Ok(Vec::new())
    }
}

fn set<T: Into<RecordId>>(
    field: &'static str,
    kind: RecordKind,
    id: Option<T>,
) -> Option<(&'static str, RecordKind, RecordId)> {
    id.map(|id| (field, kind, id.into()))
}

impl References for crm_model::Customer {}
impl References for crm_model::Tag {}
impl References for crm_model::User {}
impl References for crm_model::Settings {}
impl References for Pipeline {}

impl References for Contact {
    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        set("customerId", RecordKind::Customer, self.customer_id)
            .into_iter()
            .collect()
    }
}

impl References for Lead {
    fn derive(&mut self, store: &Store) -> Result<(), CoreError> {
        store.score_lead(self)
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        [
            set("customerId", RecordKind::Customer, self.customer_id),
            set("contactId", RecordKind::Contact, self.contact_id),
            set("dealId", RecordKind::Deal, self.deal_id),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl References for Deal {
    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        [
            set("customerId", RecordKind::Customer, self.customer_id),
            set("pipelineId", RecordKind::Pipeline, self.pipeline_id),
            set("leadId", RecordKind::Lead, self.lead_id),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn check_with(&self, store: &Store, errors: &mut ValidationErrors) -> Result<(), CoreError> {
        let (Some(pipeline), Some(stage)) = (self.pipeline_id, self.stage_id) else {
            return Ok(());
        };
        let in_pipeline: Option<i64> = store
            .conn
            .prepare_cached(
                "SELECT 1 FROM pipeline_stages WHERE pipeline_id = ?1 AND stage_id = ?2",
            )?
            .query_row([pipeline.to_string(), stage.to_string()], |row| row.get(0))
            .optional()?;
        if in_pipeline.is_none() {
            errors.push(
                "stageId",
                Rule::Reference {
                    kind: "stage of the deal's pipeline".into(),
                },
            );
        }
        Ok(())
    }
}

impl References for Communication {
    fn dependents(&self, store: &Store, actor: &Actor) -> Result<Vec<StagedWrite>, CoreError> {
        store.rescore_staged(actor, self.lead_id)
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        [
            set("customerId", RecordKind::Customer, self.customer_id),
            set("contactId", RecordKind::Contact, self.contact_id),
            set("leadId", RecordKind::Lead, self.lead_id),
            set("dealId", RecordKind::Deal, self.deal_id),
            set("activityId", RecordKind::Activity, self.activity_id),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl References for Activity {
    fn dependents(&self, store: &Store, actor: &Actor) -> Result<Vec<StagedWrite>, CoreError> {
        store.rescore_staged(actor, self.lead_id)
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        [
            set("customerId", RecordKind::Customer, self.customer_id),
            set("contactId", RecordKind::Contact, self.contact_id),
            set("leadId", RecordKind::Lead, self.lead_id),
            set("dealId", RecordKind::Deal, self.deal_id),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl References for CustomerNote {
    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        set("customerId", RecordKind::Customer, self.customer_id)
            .into_iter()
            .collect()
    }
}

impl References for Attachment {
    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        [
            set("customerId", RecordKind::Customer, self.customer_id),
            set("dealId", RecordKind::Deal, self.deal_id),
            set(
                "communicationId",
                RecordKind::Communication,
                self.communication_id,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl References for SalesDocument {
    fn dependents(&self, store: &Store, actor: &Actor) -> Result<Vec<StagedWrite>, CoreError> {
        store.deal_automation(actor, self)
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, RecordId)> {
        [
            set("customerId", RecordKind::Customer, self.customer_id),
            set("dealId", RecordKind::Deal, self.deal_id),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn check_with(&self, store: &Store, errors: &mut ValidationErrors) -> Result<(), CoreError> {
        let taken: Option<String> = store
            .conn
            .prepare_cached("SELECT id FROM sales_documents WHERE type = ?1 AND number = ?2 AND id != ?3 AND deleted_at IS NULL")?
            .query_row([self.document_type.as_str(), self.number.as_str(), &self.id.to_string()], |row| row.get(0))
            .optional()?;
        if taken.is_some() {
            errors.push("number", Rule::Unique);
        }
        Ok(())
    }
}

impl Store {
    /// Whether a live (not trashed) record of `kind` with `id` exists.
    pub(crate) fn exists(&self, kind: RecordKind, id: RecordId) -> Result<bool, CoreError> {
        let table = crate::materialize::table_of(kind);
        let found: Option<i64> = self
            .conn
            .prepare_cached(&format!(
                "SELECT 1 FROM {table} WHERE id = ?1 AND deleted_at IS NULL"
            ))?
            .query_row([id.to_string()], |row| row.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// Every broken reference of `entity`, as validation errors.
    pub(crate) fn check_references<E: References>(&self, entity: &E) -> Result<(), CoreError> {
        self.check_references_besides(entity, &[])
    }

    /// Like [`Store::check_references`], counting `pending` (records created in the same
    /// transaction) as existing.
    pub(crate) fn check_references_besides<E: References>(
        &self,
        entity: &E,
        pending: &[RecordId],
    ) -> Result<(), CoreError> {
        let mut errors = ValidationErrors::default();
        for (field, kind, id) in entity.references() {
            if !pending.contains(&id) && !self.exists(kind, id)? {
                errors.push(
                    field,
                    Rule::Reference {
                        kind: kind.label().to_lowercase(),
                    },
                );
            }
        }
        entity.check_with(self, &mut errors)?;
        errors.into_result().map_err(CoreError::Validation)
    }
}
