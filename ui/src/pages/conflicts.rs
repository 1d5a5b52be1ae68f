//! The conflict inbox: fields two devices set at the same time. Every device shows the same
//! value; here the user keeps it or picks another, and the choice syncs like any edit.

use crm_protocol::ipc::{
    ConflictEntry, ConflictValue, ListConflicts, ResolveConflict, ResolveConflictRequest,
};
use serde_json::Value as Json;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::PageHeader;
use crate::hooks::{AppContext, Load, use_app, use_command};
use crate::ipc;

/// A field value as a rep reads it.
pub(crate) fn value_text(value: &Json) -> String {
    match value {
        Json::Null => "(empty)".to_owned(),
        Json::String(text) if text.is_empty() => "(empty)".to_owned(),
        Json::String(text) => text.clone(),
        Json::Array(items) if items.is_empty() => "(none)".to_owned(),
        Json::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// "contactEmail" → "Contact email".
pub(crate) fn field_label(field: &str) -> String {
    let mut label = String::with_capacity(field.len() + 4);
    for (index, character) in field.chars().enumerate() {
        if index == 0 {
            label.extend(character.to_uppercase());
        } else if character.is_uppercase() {
            label.push(' ');
            label.extend(character.to_lowercase());
        } else {
            label.push(character);
        }
    }
    label
}

fn who_and_when(value: &ConflictValue) -> String {
    match value.at {
        Some(at) => format!("set {}", at.format("%Y-%m-%d %H:%M UTC")),
        None => String::new(),
    }
}

fn resolve(
    app: AppContext,
    version: UseStateHandle<u32>,
    entry: &ConflictEntry,
    value: &ConflictValue,
) -> Callback<MouseEvent> {
    let request = ResolveConflictRequest {
        record_id: entry.record_id,
        field: entry.field.clone(),
        value: value.value.clone(),
    };
    let title = entry.title.clone();
    Callback::from(move |_: MouseEvent| {
        let app = app.clone();
        let version = version.clone();
        let request = request.clone();
        let title = title.clone();
        spawn_local(async move {
            match ipc::call::<ResolveConflict>(&request).await {
                Ok(()) => {
                    app.success(format!(
                        "{title}: {} is settled.",
                        field_label(&request.field)
                    ));
                    version.set(*version + 1);
                }
                Err(error) => app.error(format!("{title} could not be changed: {}", error.message)),
            }
        });
    })
}

#[component]
pub(crate) fn ConflictsPage() -> Html {
    let app = use_app();
    let version = use_state(|| 0_u32);
    let conflicts = use_command::<ListConflicts, _>((), (*version, app.data_version));
    let body = match &*conflicts {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(message) | Load::Gone { message, .. } => {
            html! { <p class="banner banner-error">{ format!("The conflicts could not be loaded: {message}") }</p> }
        }
        Load::Loaded(entries) if entries.is_empty() => html! {
            <div class="empty-state" data-testid="conflicts-empty">
                <p class="empty-title">{ "No conflicts" }</p>
                <p class="muted">{ "When two people change the same field at the same time, it shows up here." }</p>
            </div>
        },
        Load::Loaded(entries) => html! {
            <ul class="conflict-list" data-testid="conflicts">
                { for entries.iter().map(|entry| {
                    let choices = entry.values.iter().map(|value| {
                        let label = if value.shown { "Keep this" } else { "Use this instead" };
                        let onclick = resolve(app.clone(), version.clone(), entry, value);
                        html! {
                            <li class={classes!("conflict-value", value.shown.then_some("shown"))}>
                                <span class="conflict-text" data-testid="conflict-value">{ value_text(&value.value) }</span>
                                { for value.shown.then(|| html! { <span class="badge">{ "shown everywhere" }</span> }) }
                                <span class="muted small">{ who_and_when(value) }</span>
                                <button type="button" class={classes!("button", "small", value.shown.then_some("primary"))}
                                    {onclick} data-testid="conflict-choose">{ label }</button>
                            </li>
                        }
                    });
                    html! {
                        <li class="card conflict" key={format!("{}-{}", entry.record_id, entry.field)} data-testid="conflict">
                            <p class="conflict-title">
                                <strong>{ entry.title.clone() }</strong>
                                { format!(" · {} · {}", entry.kind.label(), field_label(&entry.field)) }
                            </p>
                            <ul class="conflict-values">{ for choices }</ul>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <>
            <PageHeader title="Conflicts" subtitle="Fields changed on two devices at once: keep the shown value or pick another" />
            <div class="page-body">{ body }</div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_and_fields_read_as_words() {
        assert_eq!(value_text(&json!("Acme")), "Acme");
        assert_eq!(value_text(&json!(null)), "(empty)");
        assert_eq!(value_text(&json!(["vip", "tech"])), "vip, tech");
        assert_eq!(value_text(&json!(12.5)), "12.5");
        assert_eq!(field_label("primaryEmail"), "Primary email");
        assert_eq!(field_label("name"), "Name");
    }
}
