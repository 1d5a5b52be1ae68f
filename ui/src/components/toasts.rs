//! Toasts: short messages in the corner, errors in words a rep understands. Each fades after a
//! few seconds or when closed; a reminder stays until closed or opened.

use yew::prelude::*;

use crate::hooks::{after, use_app};
use crate::route::Route;
use crate::state::{Toast, ToastKind};

#[derive(Properties, PartialEq)]
pub(crate) struct ToastsProps {
    pub(crate) toasts: Vec<Toast>,
    pub(crate) on_dismiss: Callback<u32>,
}

#[component]
pub(crate) fn Toasts(props: &ToastsProps) -> Html {
    html! {
        <div class="toasts" aria-live="polite" data-testid="toasts">
            { for props.toasts.iter().map(|toast| html! {
                <ToastView key={toast.id} toast={toast.clone()} on_dismiss={props.on_dismiss.clone()} />
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ToastViewProps {
    toast: Toast,
    on_dismiss: Callback<u32>,
}

#[component]
fn ToastView(props: &ToastViewProps) -> Html {
    let app = use_app();
    let id = props.toast.id;
    let kind = props.toast.kind;
    {
        let on_dismiss = props.on_dismiss.clone();
        use_effect_with(id, move |id| {
            let id = *id;
            if kind != ToastKind::Reminder {
                after(6_000, move || on_dismiss.emit(id));
            }
        });
    }
    let (class, role) = match kind {
        ToastKind::Success => ("toast toast-success", "status"),
        ToastKind::Error => ("toast toast-error", "alert"),
        ToastKind::Reminder => ("toast toast-reminder", "alert"),
    };
    let close = props.on_dismiss.reform(move |_: MouseEvent| id);
    let open = {
        let on_dismiss = props.on_dismiss.clone();
        Callback::from(move |_: MouseEvent| {
            app.navigate(Route::Activities);
            on_dismiss.emit(id);
        })
    };
    html! {
        <div {class} {role} data-testid="toast" data-kind={format!("{kind:?}").to_lowercase()}>
            <span>{ props.toast.message.clone() }</span>
            if kind == ToastKind::Reminder {
                <button type="button" class="button small" onclick={open} data-testid="reminder-open">{ "Open" }</button>
            }
            <button type="button" class="toast-close" onclick={close} aria-label="Dismiss">{ "×" }</button>
        </div>
    }
}
