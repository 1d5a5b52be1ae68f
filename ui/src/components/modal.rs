//! A modal dialog: a titled panel over a dimmed page, closed with Escape, the close button or a
//! click outside.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct ModalProps {
    pub(crate) title: AttrValue,
    pub(crate) on_close: Callback<()>,
    #[prop_or_default]
    pub(crate) children: Html,
}

#[component]
pub(crate) fn Modal(props: &ModalProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let close_button = props.on_close.reform(|_: MouseEvent| ());
    let stop = Callback::from(|event: MouseEvent| event.stop_propagation());
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    html! {
        <div class="modal-backdrop" onclick={close}>
            <div class="modal" role="dialog" aria-modal="true" aria-label={props.title.clone()}
                onclick={stop} {onkeydown} data-testid="modal">
                <header class="modal-header">
                    <h2>{ props.title.clone() }</h2>
                    <button type="button" class="toast-close" onclick={close_button} aria-label="Close">{ "×" }</button>
                </header>
                { props.children.clone() }
            </div>
        </div>
    }
}
