//! The notice across the top when the sync server refused some of this laptop's changes: what
//! was refused and why. The record now shows what the server holds; each refusal stays until
//! the user dismisses it.

use crm_protocol::ipc::{DismissRefusal, GetSyncState, ListRefusals, RefusalEntry};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::hooks::{Load, use_app, use_command};
use crate::ipc;
use crate::state::AppAction;

/// One refusal in a sentence.
pub(crate) fn refusal_text(refusal: &RefusalEntry) -> String {
    let what = match (refusal.kind.as_str(), refusal.title.trim()) {
        ("", "") => "a record".to_owned(),
        (kind, "") => format!("a {kind}"),
        ("", title) => format!("“{title}”"),
        (kind, title) => format!("the {kind} “{title}”"),
    };
    format!(
        "Your changes to {what} were not accepted: {}. It now shows what the server holds.",
        refusal.reason.trim_end_matches('.')
    )
}

#[derive(Properties, PartialEq)]
pub(crate) struct RefusalsNoticeProps {
    /// How many the sync state counts; the list reloads when it changes.
    pub(crate) count: u64,
}

#[component]
pub(crate) fn RefusalsNotice(props: &RefusalsNoticeProps) -> Html {
    let app = use_app();
    let refusals = use_command::<ListRefusals, _>((), (props.count, app.data_version));
    let dismiss = {
        let app = app.clone();
        Callback::from(move |id: i64| {
            let app = app.clone();
            spawn_local(async move {
                if let Err(error) = ipc::call::<DismissRefusal>(&id).await {
                    app.error(error.message);
                    return;
                }
                match ipc::call::<GetSyncState>(&()).await {
                    Ok(sync) => app.dispatch.emit(AppAction::SyncLoaded(sync)),
                    Err(error) => app.error(error.message),
                }
            });
        })
    };
    let Load::Loaded(refusals) = &*refusals else {
        return html! {};
    };
    let items = refusals.iter().map(|refusal| {
        let id = refusal.id;
        let onclick = dismiss.reform(move |_: MouseEvent| id);
        html! {
            <li key={id} data-testid="refusal">
                <span>{ refusal_text(refusal) }</span>
                <button type="button" class="button small" {onclick} data-testid="dismiss-refusal">{ "Dismiss" }</button>
            </li>
        }
    });
    html! {
        <section class="refusals-notice" role="alert" data-testid="refusals-notice">
            <strong>{ "The sync server refused some changes" }</strong>
            <ul>{ for items }</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: &str, title: &str, expected: &str) {
        let refusal = RefusalEntry {
            id: 1,
            record_id: nil_record(),
            kind: kind.into(),
            title: title.into(),
            reason: "only the owner or a manager may change this deal.".into(),
            refused_at: "2026-11-24T09:00:00Z".into(),
        };
        assert_eq!(refusal_text(&refusal), expected);
    }

    fn nil_record() -> crm_model::RecordId {
        serde_json::from_str("\"00000000-0000-0000-0000-000000000000\"").expect("a uuid")
    }

    #[test]
    fn refusals_say_what_and_why() {
        check(
            "deal",
            "Acme renewal",
            "Your changes to the deal “Acme renewal” were not accepted: only the owner or a manager may change this deal. It now shows what the server holds.",
        );
        check(
            "",
            "",
            "Your changes to a record were not accepted: only the owner or a manager may change this deal. It now shows what the server holds.",
        );
    }
}
