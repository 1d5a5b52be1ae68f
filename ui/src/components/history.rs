//! A record's changes, newest first: when, who, and each field's old → new value (read from
//! the record's Automerge history by the store).

use crm_model::{RecordId, RecordKind};
use crm_protocol::ipc::{GetRecordHistory, HistoryEntry, RecordRef};
use yew::prelude::*;

use crate::format;
use crate::hooks::{loading, use_app, use_command, use_user_names};

/// A value as a change shows it: text without quotes, nothing as "—", long values cut.
pub(crate) fn shown(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(text) if text.is_empty() => "—".to_owned(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(59).collect::<String>())
    } else {
        text
    }
}

/// What one history entry says: "Created", "Moved to the trash", or "name: Acme → Acme Corp".
pub(crate) fn summary(entry: &HistoryEntry) -> Vec<String> {
    if entry.created {
        return vec!["Created".to_owned()];
    }
    if entry.deleted {
        return vec!["Moved to the trash".to_owned()];
    }
    entry
        .changes
        .iter()
        .map(|change| {
            // Bookkeeping maps and lists (a deal's stage history) read as noise in full.
            if change.old.is_object() || change.new.is_object() || change.new.is_array() {
                format!("{} changed", change.field)
            } else {
                format!(
                    "{}: {} → {}",
                    change.field,
                    shown(&change.old),
                    shown(&change.new)
                )
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub(crate) struct RecordHistoryProps {
    pub(crate) kind: RecordKind,
    pub(crate) id: RecordId,
}

#[component]
pub(crate) fn RecordHistory(props: &RecordHistoryProps) -> Html {
    let app = use_app();
    let record = RecordRef {
        kind: props.kind,
        id: props.id,
    };
    let history = use_command::<GetRecordHistory, _>(record, (record, app.data_version));
    let names = use_user_names();
    loading(&history, "history", |entries| {
        html! {
            <ol class="timeline" data-testid="record-history">
                { for entries.iter().rev().map(|entry| {
                    let who = entry
                        .user_id
                        .and_then(|user| names.get(&user))
                        .map(|name| format!(" · {name}"))
                        .unwrap_or_default();
                    html! {
                        <li class="timeline-item">
                            <span class="muted timeline-date">{ format!("{}{who}", format::date(entry.at.date_naive())) }</span>
                            <ul class="history-changes">
                                { for summary(entry).into_iter().map(|line| html! { <li>{ line }</li> }) }
                            </ul>
                        </li>
                    }
                }) }
            </ol>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_protocol::views::FieldChange;

    #[test]
    fn changes_read_old_to_new() {
        let entry = HistoryEntry {
            at: chrono::Utc::now(),
            user_id: None,
            device_id: None,
            created: false,
            deleted: false,
            changes: vec![
                FieldChange {
                    field: "name".into(),
                    old: serde_json::json!("Acme"),
                    new: serde_json::json!("Acme Corp"),
                },
                FieldChange {
                    field: "probability".into(),
                    old: serde_json::Value::Null,
                    new: serde_json::json!(25),
                },
            ],
        };
        assert_eq!(
            summary(&entry),
            ["name: Acme → Acme Corp", "probability: — → 25"]
        );
        assert_eq!(
            shown(&serde_json::json!("x".repeat(80))).chars().count(),
            60
        );
    }
}
