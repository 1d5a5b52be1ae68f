//! What a record's page shows when the record is not there to show: in the trash, deleted for
//! good on this laptop, or erased on the server (a sync can take it away while it is open).

use yew::prelude::*;

use crate::hooks::{Load, use_app};
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub(crate) struct RecordGoneProps {
    /// The record's kind in words: "customer", "deal".
    pub(crate) what: &'static str,
    /// The store's explanation.
    pub(crate) message: AttrValue,
    /// In the trash, where it can be restored.
    pub(crate) in_trash: bool,
    /// The list to go back to.
    pub(crate) back: Route,
}

#[component]
pub(crate) fn RecordGone(props: &RecordGoneProps) -> Html {
    let app = use_app();
    let title = if props.in_trash {
        format!("This {} is in the trash", props.what)
    } else {
        format!("This {} is no longer here", props.what)
    };
    html! {
        <section class="card record-gone" role="status" data-testid="record-gone">
            <h2 class="card-title">{ title }</h2>
            <p data-testid="record-gone-message">{ props.message.clone() }</p>
            <div class="actions">
                <button type="button" class="button primary" data-testid="record-gone-back"
                    onclick={app.navigate_callback(props.back)}>
                    { format!("Back to {}", props.back.label().to_lowercase()) }
                </button>
                if props.in_trash {
                    <button type="button" class="button" data-testid="record-gone-trash"
                        onclick={app.navigate_callback(Route::Trash)}>{ "Open the trash" }</button>
                }
            </div>
        </section>
    }
}

/// The page to show instead of a record's own when `load` says the record is gone.
pub(crate) fn gone_page<T>(load: &Load<T>, what: &'static str, back: Route) -> Option<Html> {
    match load {
        Load::Gone { message, in_trash } => Some(html! {
            <RecordGone {what} message={message.clone()} in_trash={*in_trash} {back} />
        }),
        _ => None,
    }
}
