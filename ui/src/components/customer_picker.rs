//! A customer chooser for forms: type a few letters, pick one of the matching customers.

use crm_model::{Customer, CustomerId};
use crm_protocol::ipc::{CustomerQuery, ListCustomers};
use crm_protocol::query::Paging;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::ipc;

#[derive(Properties, PartialEq)]
pub(crate) struct CustomerPickerProps {
    pub(crate) id: AttrValue,
    pub(crate) label: AttrValue,
    /// The chosen customer's id and name.
    pub(crate) chosen: Option<(CustomerId, String)>,
    pub(crate) on_choose: Callback<Option<(CustomerId, String)>>,
    #[prop_or_default]
    pub(crate) error: Option<String>,
}

#[component]
pub(crate) fn CustomerPicker(props: &CustomerPickerProps) -> Html {
    let found = use_state(Vec::<Customer>::new);
    let searches = use_mut_ref(|| 0_u32);
    if let Some((_, name)) = &props.chosen {
        let clear = props.on_choose.reform(|_: MouseEvent| None);
        return html! {
            <div class="field">
                <span class="field-label">{ props.label.clone() }</span>
                <p class="chosen" data-testid={format!("{}-chosen", props.id)}>
                    { name.clone() }
                    <button type="button" class="link" onclick={clear}>{ " Change" }</button>
                </p>
            </div>
        };
    }
    let oninput = {
        let found = found.clone();
        let searches = searches.clone();
        Callback::from(move |event: InputEvent| {
            let text = event.target_unchecked_into::<HtmlInputElement>().value();
            *searches.borrow_mut() += 1;
            let search = *searches.borrow();
            if text.trim().is_empty() {
                found.set(Vec::new());
                return;
            }
            let found = found.clone();
            let searches = searches.clone();
            spawn_local(async move {
                let query = CustomerQuery {
                    search: Some(text.trim().to_owned()),
                    paging: Paging {
                        limit: 6,
                        with_total: false,
                        ..Paging::default()
                    },
                    ..CustomerQuery::default()
                };
                let answer = ipc::call::<ListCustomers>(&query).await;
                if *searches.borrow() == search
                    && let Ok(page) = answer
                {
                    found.set(page.data);
                }
            });
        })
    };
    let error_id = format!("{}-error", props.id);
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input id={props.id.clone()} data-testid={props.id.clone()} type="search" autocomplete="off"
                placeholder="Type a customer's name" {oninput}
                aria-invalid={props.error.is_some().to_string()}
                aria-describedby={props.error.is_some().then(|| error_id.clone())} />
            if !found.is_empty() {
                <ul class="suggestions" role="listbox" aria-label="Matching customers">
                    { for found.iter().map(|customer| {
                        let choice = (customer.id, customer.name.clone());
                        let onclick = props.on_choose.reform(move |_: MouseEvent| Some(choice.clone()));
                        html! {
                            <li role="option">
                                <button type="button" class="suggestion" {onclick} data-testid="customer-suggestion">
                                    { customer.name.clone() }
                                    <span class="muted">{ customer.industry.clone().map(|industry| format!(" · {industry}")).unwrap_or_default() }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
            if let Some(error) = &props.error {
                <p class="field-error" id={error_id}>{ error.clone() }</p>
            }
        </div>
    }
}
