//! The trash: every deleted record, newest first, each with a restore button.

use crm_protocol::ipc::{ListTrash, RecordRef, RestoreRecord};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::PageHeader;
use crate::hooks::{Load, use_app, use_command};
use crate::ipc;

#[component]
pub(crate) fn TrashPage() -> Html {
    let app = use_app();
    let version = use_state(|| 0_u32);
    let items = use_command::<ListTrash, _>((), (*version, app.data_version));
    let body = match &*items {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(message) | Load::Gone { message, .. } => {
            html! { <p class="banner banner-error">{ format!("The trash could not be loaded: {message}") }</p> }
        }
        Load::Loaded(items) if items.is_empty() => html! {
            <div class="empty-state" data-testid="trash-empty"><p class="empty-title">{ "The trash is empty" }</p></div>
        },
        Load::Loaded(items) => html! {
            <table class="table" data-testid="trash-table">
                <thead><tr><th>{ "What" }</th><th>{ "Kind" }</th><th>{ "Deleted" }</th><th></th></tr></thead>
                <tbody>
                    { for items.iter().map(|item| {
                        let record = RecordRef { kind: item.kind, id: item.id };
                        let title = item.title.clone();
                        let app = app.clone();
                        let version = version.clone();
                        let restore = Callback::from(move |_: MouseEvent| {
                            let app = app.clone();
                            let version = version.clone();
                            let title = title.clone();
                            spawn_local(async move {
                                match ipc::call::<RestoreRecord>(&record).await {
                                    Ok(()) => {
                                        app.success(format!("{title} is restored."));
                                        version.set(*version + 1);
                                    }
                                    Err(error) => app.error(format!("{title} could not be restored: {}", error.message)),
                                }
                            });
                        });
                        html! {
                            <tr key={item.id.to_string()} data-testid="trash-row">
                                <td class="cell-name">{ item.title.clone() }</td>
                                <td>{ item.kind.label() }</td>
                                <td>{ item.deleted_at.get(..10).unwrap_or(&item.deleted_at).to_owned() }</td>
                                <td><button type="button" class="button small" onclick={restore} data-testid="restore">{ "Restore" }</button></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <>
            <PageHeader title="Trash" subtitle="Deleted records stay here until restored" />
            <div class="page-body"><section class="card">{ body }</section></div>
        </>
    }
}
