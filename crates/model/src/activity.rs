//! Activities and tasks (spec §1.2), with due dates, reminders and completion.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::clean_optional;
use crate::customer::{LONG_TEXT_MAX, SHORT_TEXT_MAX};
use crate::entity::Entity;
use crate::ids::{ActivityId, ContactId, CustomerId, DealId, LeadId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

crate::closed_set! {
    ActivityType {
        Task = "TASK", "Task";
        Call = "CALL", "Call";
        Email = "EMAIL", "Email";
        Meeting = "MEETING", "Meeting";
        Todo = "TODO", "To-do";
    }
}

crate::closed_set! {
    #[derive(Default)]
    ActivityStatus {
        #[default]
        Pending = "PENDING", "Pending";
        InProgress = "IN_PROGRESS", "In progress";
        Completed = "COMPLETED", "Completed";
        Cancelled = "CANCELLED", "Cancelled";
    }
}

crate::closed_set! {
    #[derive(Default)]
    Priority {
        Low = "LOW", "Low";
        #[default]
        Medium = "MEDIUM", "Medium";
        High = "HIGH", "High";
        Urgent = "URGENT", "Urgent";
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub id: ActivityId,
    #[serde(rename = "type")]
    pub activity_type: ActivityType,
    pub subject: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: ActivityStatus,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default, with = "hh_mm")]
    pub due_time: Option<NaiveTime>,
    #[serde(default)]
    pub reminder_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_by: Option<UserId>,
    #[serde(default)]
    pub assigned_to: Option<UserId>,
    pub created_by: UserId,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub contact_id: Option<ContactId>,
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Activity {
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            ActivityStatus::Pending | ActivityStatus::InProgress
        )
    }
}

impl Entity for Activity {
    const KIND: RecordKind = RecordKind::Activity;
    type Id = ActivityId;
    const READ_ONLY: &'static [&'static str] = &["id", "createdAt", "updatedAt", "createdBy"];

    fn id(&self) -> ActivityId {
        self.id
    }

    fn draft(id: ActivityId, now: DateTime<Utc>, actor: &Actor) -> Activity {
        Activity {
            id,
            activity_type: ActivityType::Task,
            subject: String::new(),
            description: None,
            status: ActivityStatus::Pending,
            priority: Priority::Medium,
            due_date: None,
            due_time: None,
            reminder_at: None,
            completed_at: None,
            completed_by: None,
            assigned_to: Some(actor.user_id),
            created_by: actor.user_id,
            customer_id: None,
            contact_id: None,
            lead_id: None,
            deal_id: None,
            outcome: None,
            notes: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.subject = self.subject.trim().to_owned();
        for text in [&mut self.description, &mut self.outcome, &mut self.notes] {
            clean_optional(text);
        }
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("subject", &self.subject, SHORT_TEXT_MAX * 2);
        errors.optional_text("description", self.description.as_deref(), LONG_TEXT_MAX);
        errors.optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX);
        errors.date("dueDate", self.due_date);
        if self.due_time.is_some() && self.due_date.is_none() {
            errors.push(
                "dueDate",
                Rule::Inconsistent {
                    detail: "is needed when a due time is set".into(),
                },
            );
        }
        if self.status == ActivityStatus::Completed && self.completed_at.is_none() {
            errors.push("completedAt", Rule::Required);
        }
    }

    /// Activities belong to their assignee (else their creator) for the role rules.
    fn owner(&self) -> Option<UserId> {
        self.assigned_to.or(Some(self.created_by))
    }
}

/// `"14:00"` on the wire, as the spec writes due times.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        time: &Option<NaiveTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => serializer.serialize_str(&time.format("%H:%M").to_string()),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveTime>, D::Error> {
        let text: Option<String> = Option::deserialize(deserializer)?;
        text.filter(|text| !text.trim().is_empty())
            .map(|text| {
                NaiveTime::parse_from_str(text.trim(), "%H:%M")
                    .map_err(|_| serde::de::Error::custom("a time like 14:00"))
            })
            .transpose()
    }
}
