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
