//! What every record kind has in common, and applying a set of fields to a record: the one way
//! a create body or an update patch changes an entity, used by the UI's forms and the core alike.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ids::{RecordId, UserId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors};

/// Field name → value, as a create body or an update patch gives it (camelCase names).
pub type FieldMap = serde_json::Map<String, serde_json::Value>;

/// A CRM record kind stored as a document.
pub trait Entity: Serialize + DeserializeOwned + Clone + PartialEq + std::fmt::Debug {
    const KIND: RecordKind;
    type Id: Copy + Into<RecordId> + From<uuid::Uuid> + std::fmt::Debug;

    /// Fields that input never sets: the id and the audit fields the core fills in.
    const READ_ONLY: &'static [&'static str] = &["id", "createdAt", "updatedAt"];

    fn id(&self) -> Self::Id;

    /// A new record as `actor` starts it at `now`, before the input's fields are applied:
    /// defaults of the spec, owner = the creator where the kind has an owner.
    fn draft(id: Self::Id, now: DateTime<Utc>, actor: &Actor) -> Self;

    /// Trims texts, drops blank optional texts, cleans lists. Runs before [`Entity::validate`].
    fn normalize(&mut self);

    /// Adds every broken rule to `errors`. References to other records are checked by the
    /// core, which can see them.
    fn validate(&self, errors: &mut ValidationErrors);

    /// The user who owns the record, for the role rules ("a sales rep changes what they own").
    fn owner(&self) -> Option<UserId> {
        None
    }
}

/// `current` with `fields` applied, normalized and validated. A field that does not exist, is
/// read-only, or has a value of the wrong type is reported with its name; nothing is applied
/// unless everything is valid.
pub fn apply_fields<E: Entity>(current: &E, fields: &FieldMap) -> Result<E, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut json = match serde_json::to_value(current) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => FieldMap::new(),
    };
    for (key, value) in fields {
        if E::READ_ONLY.contains(&key.as_str()) {
            errors.push(key, Rule::ReadOnly);
            continue;
        }
        if !json.contains_key(key) {
            errors.push(key, Rule::UnknownField);
            continue;
        }
        let previous = json.insert(key.clone(), value.clone());
        if let Err(error) = serde_json::from_value::<E>(serde_json::Value::Object(json.clone())) {
            errors.push(
                key,
                Rule::Invalid {
                    expected: describe(&error),
                },
            );
            if let Some(previous) = previous {
                json.insert(key.clone(), previous);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut next: E = serde_json::from_value(serde_json::Value::Object(json)).map_err(|error| {
        let mut errors = ValidationErrors::default();
        errors.push(
            "record",
            Rule::Invalid {
                expected: describe(&error),
            },
        );
        errors
    })?;
    next.normalize();
    next.validate(&mut errors);
    errors.into_result().map(|()| next)
}

/// A new record of kind `E` from a create body.
pub fn create_from_fields<E: Entity>(
    id: E::Id,
    now: DateTime<Utc>,
    actor: &Actor,
    fields: &FieldMap,
) -> Result<E, ValidationErrors> {
    apply_fields(&E::draft(id, now, actor), fields)
}

/// What serde expected, without its line/column noise (the input was a JSON value, not text).
fn describe(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    text.trim_start_matches("invalid type: ")
        .trim_start_matches("invalid value: ")
        .to_owned()
}
