//! Attachments (spec §1.2): a file's metadata. The bytes are stored content-addressed (by
//! SHA-256) in the app-data directory and synced as blobs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::entity::Entity;
use crate::ids::{AttachmentId, CommunicationId, CustomerId, DealId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

/// Largest file the app takes, in bytes.
pub const MAX_ATTACHMENT_BYTES: i64 = 50 << 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: AttachmentId,
    pub file_name: String,
    pub file_size: i64,
    pub mime_type: String,
    /// Lower-case hex SHA-256 of the content: the file's address in the blob store.
    pub sha256: String,
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    #[serde(default)]
    pub communication_id: Option<CommunicationId>,
    pub uploaded_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for Attachment {
    const KIND: RecordKind = RecordKind::Attachment;
    type Id = AttachmentId;
    const READ_ONLY: &'static [&'static str] = &["id", "createdAt", "updatedAt", "uploadedBy"];

    fn id(&self) -> AttachmentId {
        self.id
    }

    fn draft(id: AttachmentId, now: DateTime<Utc>, actor: &Actor) -> Attachment {
        Attachment {
            id,
            file_name: String::new(),
            file_size: 0,
            mime_type: "application/octet-stream".into(),
            sha256: String::new(),
            customer_id: None,
            deal_id: None,
            communication_id: None,
            uploaded_by: actor.user_id,
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.file_name = self.file_name.trim().to_owned();
        self.sha256 = self.sha256.trim().to_lowercase();
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("fileName", &self.file_name, 255);
        if !(0..=MAX_ATTACHMENT_BYTES).contains(&self.file_size) {
            errors.push(
                "fileSize",
                Rule::Range {
                    min: 0,
                    max: MAX_ATTACHMENT_BYTES,
                },
            );
        }
        if self.sha256.len() != 64 || !self.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            errors.push(
                "sha256",
                Rule::Invalid {
                    expected: "64 hexadecimal digits".into(),
                },
            );
        }
        if self.customer_id.is_none() && self.deal_id.is_none() && self.communication_id.is_none() {
            errors.push(
                "customerId",
                Rule::Inconsistent {
                    detail: "an attachment belongs to a customer, deal or communication".into(),
                },
            );
        }
    }

    fn owner(&self) -> Option<UserId> {
        Some(self.uploaded_by)
    }
}
