//! Communications (spec §1.1): logged calls, emails, meetings, notes, SMS and chats.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::{CustomFields, clean_optional, clean_tags};
use crate::customer::{LONG_TEXT_MAX, SHORT_TEXT_MAX};
use crate::entity::Entity;
use crate::ids::{ActivityId, CommunicationId, ContactId, CustomerId, DealId, LeadId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

crate::closed_set! {
    CommunicationType {
        Call = "CALL", "Call";
        Email = "EMAIL", "Email";
        Meeting = "MEETING", "Meeting";
        Note = "NOTE", "Note";
        Sms = "SMS", "SMS";
        Chat = "CHAT", "Chat";
    }
}

crate::closed_set! {
    Direction {
        Inbound = "INBOUND", "Inbound";
        Outbound = "OUTBOUND", "Outbound";
    }
}

crate::closed_set! {
    CommunicationOutcome {
        Successful = "SUCCESSFUL", "Successful";
        NoAnswer = "NO_ANSWER", "No answer";
        LeftMessage = "LEFT_MESSAGE", "Left message";
        FollowUpRequired = "FOLLOW_UP_REQUIRED", "Follow-up required";
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Communication {
    pub id: CommunicationId,
    #[serde(rename = "type")]
    pub communication_type: CommunicationType,
    #[serde(default)]
    pub subject: Option<String>,
    pub notes: String,
    pub occurred_at: DateTime<Utc>,
    #[serde(default)]
    pub created_by: Option<UserId>,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    #[serde(default)]
    pub activity_id: Option<ActivityId>,
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Minutes, for calls and meetings.
    #[serde(default)]
    pub duration: Option<i64>,
    #[serde(default)]
    pub outcome: Option<CommunicationOutcome>,
    #[serde(default)]
    pub email_from: Option<String>,
    #[serde(default)]
    pub email_to: Option<String>,
    #[serde(default)]
    pub email_cc: Option<String>,
    #[serde(default)]
    pub meeting_location: Option<String>,
    #[serde(default)]
    pub meeting_attendees: Vec<String>,
    #[serde(default)]
    pub has_attachments: bool,
    #[serde(default)]
    pub attachment_count: i64,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: CustomFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for Communication {
    const KIND: RecordKind = RecordKind::Communication;
    type Id = CommunicationId;
    const READ_ONLY: &'static [&'static str] = &["id", "createdAt", "updatedAt", "createdBy"];

    fn id(&self) -> CommunicationId {
        self.id
    }

    fn draft(id: CommunicationId, now: DateTime<Utc>, actor: &Actor) -> Communication {
        Communication {
            id,
            communication_type: CommunicationType::Note,
            subject: None,
            notes: String::new(),
            occurred_at: now,
            created_by: Some(actor.user_id),
            customer_id: None,
            contact_id: None,
            lead_id: None,
            deal_id: None,
            activity_id: None,
            direction: None,
            duration: None,
            outcome: None,
            email_from: None,
            email_to: None,
            email_cc: None,
            meeting_location: None,
            meeting_attendees: Vec::new(),
            has_attachments: false,
            attachment_count: 0,
            tags: Vec::new(),
            custom_fields: CustomFields::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.notes = self.notes.trim().to_owned();
        for text in [
            &mut self.subject,
            &mut self.email_from,
            &mut self.email_to,
            &mut self.email_cc,
            &mut self.meeting_location,
        ] {
            clean_optional(text);
        }
        clean_tags(&mut self.meeting_attendees);
        clean_tags(&mut self.tags);
        self.has_attachments = self.attachment_count > 0;
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("notes", &self.notes, LONG_TEXT_MAX);
        errors.optional_text("subject", self.subject.as_deref(), SHORT_TEXT_MAX * 2);
        if let Some(minutes) = self.duration
            && !(0..=24 * 60).contains(&minutes)
        {
            errors.push(
                "duration",
                Rule::Range {
                    min: 0,
                    max: 24 * 60,
                },
            );
        }
        errors.optional_email("emailFrom", self.email_from.as_deref());
        errors.not_negative("attachmentCount", self.attachment_count);
        if self.customer_id.is_none()
            && self.contact_id.is_none()
            && self.lead_id.is_none()
            && self.deal_id.is_none()
        {
            errors.push(
                "customerId",
                Rule::Inconsistent {
                    detail: "a communication is about a customer, contact, lead or deal".into(),
                },
            );
        }
        errors.tags("tags", &self.tags);
    }

    fn owner(&self) -> Option<UserId> {
        self.created_by
    }
}
