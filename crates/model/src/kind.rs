//! The closed set of record kinds. A record document stores its kind in its `kind` field.

crate::closed_set! {
    RecordKind {
        Customer = "customer", "Customer";
        Contact = "contact", "Contact";
        Lead = "lead", "Lead";
        Deal = "deal", "Deal";
        Pipeline = "pipeline", "Pipeline";
        Communication = "communication", "Communication";
        Activity = "activity", "Activity";
        Note = "note", "Note";
        Attachment = "attachment", "Attachment";
        Tag = "tag", "Tag";
        SalesDocument = "salesDocument", "Sales document";
        User = "user", "User";
        Settings = "settings", "Settings";
    }
}

impl RecordKind {
    /// The field naming the user a record belongs to, for the role rules ("a sales rep changes
    /// what they own"), or `None` for kinds nobody owns.
    pub fn owner_field(self) -> Option<&'static str> {
        match self {
            RecordKind::Customer
            | RecordKind::Contact
            | RecordKind::Lead
            | RecordKind::Deal
            | RecordKind::SalesDocument => Some("ownerId"),
            RecordKind::Communication | RecordKind::Note => Some("createdBy"),
            RecordKind::Activity => Some("assignedTo"),
            RecordKind::Attachment => Some("uploadedBy"),
            RecordKind::Pipeline | RecordKind::Tag | RecordKind::User | RecordKind::Settings => {
                None
            }
        }
    }

    /// Kinds that make up the tenant's configuration: only admins change them.
    pub fn is_settings(self) -> bool {
        matches!(
            self,
            RecordKind::Pipeline | RecordKind::Tag | RecordKind::Settings | RecordKind::User
        )
    }
}

/// The text is not one of the kinds this build knows.
#[derive(Debug, thiserror::Error)]
#[error("unknown record kind {0:?}")]
pub struct UnknownKind(pub String);

impl std::str::FromStr for RecordKind {
    type Err = UnknownKind;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        RecordKind::parse(text).ok_or_else(|| UnknownKind(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in RecordKind::ALL {
            assert_eq!(kind.as_str().parse::<RecordKind>().ok(), Some(*kind));
            let json = serde_json::to_value(kind).expect("serializes");
            assert_eq!(json, kind.as_str());
        }
        assert!("spaceship".parse::<RecordKind>().is_err());
    }
}
