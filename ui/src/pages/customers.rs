//! The customers page: the list of customers and the form that creates one.

use crm_model::{Customer, CustomerStatus};
use crm_protocol::ipc::{CreateCustomer, ListCustomers};
use crm_protocol::query::SortOrder;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{PageHeader, SelectField, TextField, VirtualTable, block_loader};
use crate::format;
use crate::hooks::use_app;
use crate::ipc;
use crate::route::Route;
use crate::state::{CustomerForm, CustomersAction, CustomersState, FormField, ListState};

#[component]
pub(crate) fn CustomersPage() -> Html {
    let state = use_reducer(CustomersState::new);
    let app = use_app();

    {
        let dispatcher = state.dispatcher();
        let query = state.query.clone();
        use_effect_with((state.list_version, app.data_version), move |_| {
            spawn_local(async move {
                match ipc::call::<ListCustomers>(&query).await {
                    Ok(page) => dispatcher.dispatch(CustomersAction::ListLoaded(page)),
                    Err(error) => dispatcher.dispatch(CustomersAction::ListFailed(error.message)),
                }
            });
        });
    }

    let on_submit = {
        let state = state.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if state.form.submitting {
                return;
            }
            match state.form.validated() {
                Err(errors) => state.dispatch(CustomersAction::Invalid(errors)),
                Ok(new_customer) => {
                    state.dispatch(CustomersAction::Submitted);
                    let dispatcher = state.dispatcher();
                    spawn_local(async move {
                        match ipc::call::<CreateCustomer>(&new_customer).await {
                            Ok(customer) => {
                                dispatcher.dispatch(CustomersAction::Created(Box::new(customer)))
                            }
                            Err(error) => dispatcher.dispatch(CustomersAction::Failed(error)),
                        }
                    });
                }
            }
        })
    };

    let subtitle = match &state.list {
        ListState::Loaded(page) if page.pagination.total == 1 => "1 customer".to_owned(),
        ListState::Loaded(page) if state.query.search.is_some() || state.query.status.is_some() => {
            format!(
                "{} customers match",
                format::thousands(page.pagination.total as i64)
            )
        }
        ListState::Loaded(page) => format::count(page.pagination.total, "customer", "customers"),
        ListState::Loading | ListState::Failed(_) => "Everyone you sell to".to_owned(),
    };

    html! {
        <>
            <PageHeader title="Customers" subtitle={AttrValue::from(subtitle)} />
            <div class="page-body customers-layout">
                <section class="card list-card" aria-labelledby="customers-list-title">
                    <h2 id="customers-list-title" class="card-title">{ "All customers" }</h2>
                    { list_filters(&state) }
                    { customer_list(&state, &app) }
                </section>
                <section class="card form-card" aria-labelledby="customer-form-title">
                    <h2 id="customer-form-title" class="card-title">{ "New customer" }</h2>
                    { customer_form(&state, on_submit) }
                </section>
            </div>
        </>
    }
}

fn list_filters(state: &UseReducerHandle<CustomersState>) -> Html {
    let on_search = {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            let value = event
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            state.dispatch(CustomersAction::Search(value));
        })
    };
    let on_status = {
        let state = state.clone();
        Callback::from(move |value: String| {
            state.dispatch(CustomersAction::FilterStatus(CustomerStatus::parse(&value)));
        })
    };
    let mut options = vec![(AttrValue::from(""), AttrValue::from("Any status"))];
    options.extend(CustomerStatus::ALL.iter().map(|status| {
        (
            AttrValue::from(status.as_str()),
            AttrValue::from(status.label()),
        )
    }));
    html! {
        <div class="filters">
            <div class="field grow">
                <label for="customers-search">{ "Search" }</label>
                <input id="customers-search" type="search" data-testid="customers-search"
                    placeholder="Name, email, phone or industry"
                    oninput={on_search} />
            </div>
            <SelectField id="customers-status-filter" label="Status" {options}
                value={state.query.status.map_or("", |status| status.as_str())}
                on_change={on_status} />
        </div>
    }
}

fn sort_header(
    state: &UseReducerHandle<CustomersState>,
    column: &'static str,
    label: &str,
) -> Html {
    let (current, order) = state.sort();
    let sorted = current == column;
    let aria = match (sorted, order) {
        (false, _) => "none",
        (true, SortOrder::Asc) => "ascending",
        (true, SortOrder::Desc) => "descending",
    };
    let arrow = match (sorted, order) {
        (false, _) => "",
        (true, SortOrder::Asc) => " ▲",
        (true, SortOrder::Desc) => " ▼",
    };
    let onclick = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(CustomersAction::SortBy(column)))
    };
    html! {
        <th aria-sort={aria}>
            <button type="button" class="sort-button" {onclick} data-testid={format!("sort-{column}")}>
                { format!("{label}{arrow}") }
            </button>
        </th>
    }
}

fn customer_list(state: &UseReducerHandle<CustomersState>, app: &crate::hooks::AppContext) -> Html {
    match &state.list {
        ListState::Loading => {
            html! { <p class="muted" data-testid="customers-loading">{ "Loading…" }</p> }
        }
        ListState::Failed(message) => html! {
            <p class="banner banner-error" data-testid="customers-error">
                { format!("The customers could not be loaded: {message}") }
            </p>
        },
        ListState::Loaded(page)
            if page.data.is_empty()
                && (state.query.search.is_some() || state.query.status.is_some()) =>
        {
            html! {
                <div class="empty-state" data-testid="customers-no-match">
                    <p class="empty-title">{ "No customer matches" }</p>
                    <p class="muted">{ "Try fewer words or another status." }</p>
                </div>
            }
        }
        ListState::Loaded(page) if page.data.is_empty() => html! {
            <div class="empty-state" data-testid="customers-empty">
                <p class="empty-title">{ "No customers yet" }</p>
                <p class="muted">{ "Create the first one with the form." }</p>
            </div>
        },
        ListState::Loaded(page) => {
            let row = {
                let app = app.clone();
                Callback::from(move |customer: Customer| customer_row(&customer, &app))
            };
            let query = &state.query;
            html! {
                <VirtualTable<Customer> key={format!("{query:?}")} first={page.clone()}
                    load={block_loader::<ListCustomers, _>(query.clone())} {row} columns={5}
                    label="Customers" testid="customers-table" row_testid="customer-row"
                    head={html! {
                        <>
                            { sort_header(state, "name", "Name") }
                            <th>{ "Email" }</th>
                            <th>{ "Phone" }</th>
                            { sort_header(state, "industry", "Industry") }
                            { sort_header(state, "status", "Status") }
                        </>
                    }} />
            }
        }
    }
}

fn customer_row(customer: &Customer, app: &crate::hooks::AppContext) -> Html {
    let id = customer.id;
    let open = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.navigate(Route::Customer(id)))
    };
    let optional = |value: &Option<String>| value.clone().unwrap_or_else(|| "—".to_owned());
    let status_class = match customer.status {
        CustomerStatus::Active => "badge badge-active",
        CustomerStatus::Inactive => "badge badge-inactive",
    };
    html! {
        <>
            <td class="cell-name">
                <button type="button" class="link" onclick={open} data-testid="customer-row-name">
                    { customer.name.clone() }
                </button>
            </td>
            <td>{ optional(&customer.primary_email) }</td>
            <td class="nowrap">{ optional(&customer.primary_phone) }</td>
            <td>{ optional(&customer.industry) }</td>
            <td><span class={status_class}>{ customer.status.label() }</span></td>
        </>
    }
}

fn customer_form(
    state: &UseReducerHandle<CustomersState>,
    on_submit: Callback<SubmitEvent>,
) -> Html {
    let form: &CustomerForm = &state.form;
    let text_field = |field: FormField| {
        let (input_type, placeholder) = match field {
            FormField::Name => ("text", "Acme Corp"),
            FormField::Email => ("email", "info@acme.com"),
            FormField::Phone => ("tel", "+1 555 0100"),
            FormField::Industry => ("text", "Manufacturing"),
        };
        let on_input = {
            let state = state.clone();
            Callback::from(move |value: String| state.dispatch(CustomersAction::Edit(field, value)))
        };
        html! {
            <TextField
                id={field.input_id()}
                label={field.label()}
                value={AttrValue::from(form.value(field).to_owned())}
                input_type={input_type}
                placeholder={placeholder}
                required={field == FormField::Name}
                error={form.error_for(field)}
                {on_input}
            />
        }
    };
    let on_status = {
        let state = state.clone();
        Callback::from(move |value: String| {
            if let Some(status) = CustomerStatus::parse(&value) {
                state.dispatch(CustomersAction::SetStatus(status));
            }
        })
    };
    let status_options = CustomerStatus::ALL
        .iter()
        .map(|status| {
            (
                AttrValue::from(status.as_str()),
                AttrValue::from(status.label()),
            )
        })
        .collect::<Vec<_>>();

    html! {
        <form class="form" novalidate={true} onsubmit={on_submit} data-testid="customer-form">
            { for FormField::ALL.iter().map(|field| text_field(*field)) }
            <SelectField
                id="customer-status"
                label="Status"
                options={status_options}
                value={form.status.as_str()}
                on_change={on_status}
            />
            if let Some(failure) = &form.failure {
                <p class="banner banner-error" data-testid="form-failure">{ failure.clone() }</p>
            }
            if let Some(name) = &state.created {
                <p class="banner banner-success" data-testid="form-success">
                    { format!("{name} was created.") }
                </p>
            }
            <button type="submit" class="button primary" disabled={form.submitting} data-testid="customer-submit">
                { if form.submitting { "Saving…" } else { "Create customer" } }
            </button>
        </form>
    }
}
