//! Typed ids. Every record id is a UUID (v7 when created by the core, so ids sort by creation
//! time); the newtypes keep a customer id from being passed where a user id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for RecordId {
            fn from(id: $name) -> RecordId {
                RecordId(id.0)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> $name {
                $name(id)
            }
        }
    };
}

/// The id of any record document, whatever its kind. Typed ids convert into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(pub Uuid);

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for RecordId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

uuid_id!(
    /// A customer record.
    CustomerId
);
uuid_id!(
    /// A person at a customer.
    ContactId
);
uuid_id!(
    /// A prospective customer, before conversion.
    LeadId
);
uuid_id!(
    /// An opportunity on a pipeline.
    DealId
);
uuid_id!(
    /// A sales pipeline (its stages live inside its document).
    PipelineId
);
uuid_id!(
    /// A stage of a pipeline. Not a record of its own: it names an entry of its pipeline.
    StageId
);
uuid_id!(
    /// A logged call, email, meeting, note, SMS or chat.
    CommunicationId
);
uuid_id!(
    /// A task, call, email, meeting or to-do, with a due date.
    ActivityId
);
uuid_id!(
    /// A note on a customer.
    NoteId
);
uuid_id!(
    /// A file's metadata; the file itself is stored by content hash.
    AttachmentId
);
uuid_id!(
    /// A tag of the tenant's vocabulary.
    TagId
);
uuid_id!(
    /// A quotation, sales order or invoice.
    SalesDocumentId
);
uuid_id!(
    /// The tenant's settings (lead scoring rules and the like): one record per tenant.
    SettingsId
);
uuid_id!(
    /// A user of the tenant (owner, assignee, author of a change).
    UserId
);
uuid_id!(
    /// A company using the CRM; every record and every server query is scoped by it.
    TenantId
);
uuid_id!(
    /// One installation of the app for one profile; also the Automerge actor of its edits.
    DeviceId
);
