//! Activities (spec §2.6): complete with an outcome, reschedule; and the primary contact.

use chrono::Utc;
use crm_model::{
    Activity, ActivityId, ActivityStatus, Actor, Contact, ContactId, Customer, Operation,
    RecordKind,
};
use crm_protocol::workflows::{CompleteActivity, RescheduleActivity};

use crate::error::CoreError;
use crate::permissions::check;
use crate::store::Store;

impl Store {
    pub fn complete_activity(
        &mut self,
        actor: &Actor,
        id: ActivityId,
        request: &CompleteActivity,
    ) -> Result<Activity, CoreError> {
        let mut activity: Activity = self.get(id)?;
        check(
            actor,
            Operation::Update,
            RecordKind::Activity,
            crm_model::Entity::owner(&activity),
        )?;
        activity.status = ActivityStatus::Completed;
        activity.completed_at = Some(request.completed_at.unwrap_or_else(Utc::now));
        activity.completed_by = Some(actor.user_id);
        if request.outcome.is_some() {
            activity.outcome = request.outcome.clone();
        }
        if request.notes.is_some() {
            activity.notes = request.notes.clone();
        }
        let write = self.stage_replace(actor, &mut activity)?;
        self.persist(vec![write])?;
        Ok(activity)
    }

    pub fn reschedule_activity(
        &mut self,
        actor: &Actor,
        id: ActivityId,
        request: &RescheduleActivity,
    ) -> Result<Activity, CoreError> {
        let mut activity: Activity = self.get(id)?;
        check(
            actor,
            Operation::Update,
            RecordKind::Activity,
            crm_model::Entity::owner(&activity),
        )?;
        activity.due_date = Some(request.due_date);
        activity.due_time = request.due_time;
        activity.reminder_at = request.reminder_at;
        let write = self.stage_replace(actor, &mut activity)?;
        self.persist(vec![write])?;
        Ok(activity)
    }

    /// Makes a contact its customer's primary contact (spec `PUT /contacts/:id/set-primary`):
    /// the others lose the flag and the customer points at it, in one transaction.
    pub fn set_primary_contact(
        &mut self,
        actor: &Actor,
        id: ContactId,
    ) -> Result<Contact, CoreError> {
        let mut contact: Contact = self.get(id)?;
        let customer_id = contact.customer_id.ok_or(CoreError::NotFound {
            kind: RecordKind::Customer,
            id: id.into(),
        })?;
        let mut customer: Customer = self.get(customer_id)?;
        check(
            actor,
            Operation::Update,
            RecordKind::Customer,
            customer.owner_id,
        )?;
        let mut writes = Vec::new();
        let siblings = self.list_contacts(&crm_protocol::query::ContactQuery {
            customer_id: Some(customer_id),
            paging: crm_protocol::query::Paging {
                limit: 500,
                with_total: false,
                ..Default::default()
            },
            ..Default::default()
        })?;
        for mut sibling in siblings
            .data
            .into_iter()
            .filter(|sibling| sibling.is_primary && sibling.id != id)
        {
            sibling.is_primary = false;
            writes.push(self.stage_replace(actor, &mut sibling)?);
        }
        contact.is_primary = true;
        writes.push(self.stage_replace(actor, &mut contact)?);
        customer.primary_contact_id = Some(id);
        writes.push(self.stage_replace(actor, &mut customer)?);
        self.persist(writes)?;
        Ok(contact)
    }
}
