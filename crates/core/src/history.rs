//! A record's history, read from its Automerge document: who changed which fields, when, from
//! which device, with the old and new values.

use chrono::DateTime;
use crm_model::{DeviceId, RecordId, RecordKind, UserId};
use crm_protocol::views::{FieldChange, HistoryEntry};

use crate::document::{DELETED_AT_FIELD, KIND_FIELD, SCHEMA_VERSION_FIELD};
use crate::error::CoreError;
use crate::store::Store;

impl Store {
    /// The record's changes, oldest first.
    pub fn record_history(
        &self,
        kind: RecordKind,
        id: RecordId,
    ) -> Result<Vec<HistoryEntry>, CoreError> {
        let mut document = self
            .load_document(id)?
            .ok_or(CoreError::NotFound { kind, id })?;
        let steps = document.history().map_err(|source| CoreError::Document {
            id,
            source: Box::new(source),
        })?;
        let mut entries = Vec::with_capacity(steps.len());
        for step in steps {
            let mut keys: Vec<&String> = step.before.keys().chain(step.after.keys()).collect();
            keys.sort();
            keys.dedup();
            let changes: Vec<FieldChange> = keys
                .into_iter()
                .filter(|key| ![KIND_FIELD, SCHEMA_VERSION_FIELD].contains(&key.as_str()))
                .filter_map(|key| {
                    let old = step
                        .before
                        .get(key)
                        .cloned()
                        .unwrap_or(serde_json::Value::Null);
                    let new = step
                        .after
                        .get(key)
                        .cloned()
                        .unwrap_or(serde_json::Value::Null);
                    (old != new).then(|| FieldChange {
                        field: key.clone(),
                        old,
                        new,
                    })
                })
                .collect();
            let created = step.before.is_empty();
            let deleted = changes
                .iter()
                .any(|change| change.field == DELETED_AT_FIELD && !change.new.is_null());
            entries.push(HistoryEntry {
                at: DateTime::from_timestamp_millis(step.time).unwrap_or_default(),
                user_id: step
                    .message
                    .as_deref()
                    .and_then(|text| text.parse::<UserId>().ok()),
                device_id: uuid::Uuid::from_slice(&step.actor).ok().map(DeviceId),
                created,
                deleted,
                changes,
            });
        }
        Ok(entries)
    }
}
