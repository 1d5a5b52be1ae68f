//! Customer 360 (spec §3.3): the header with the customer's essentials and actions, and tabs for
//! the overview, contacts, deals, communications, activities, sales documents, notes and the
//! history (timeline plus the record's field changes).

use std::collections::HashMap;

use crm_model::{
    CommunicationType, Customer, CustomerId, FieldMap, RecordId, RecordKind, SalesDocument, StageId,
};
use crm_protocol::ipc::{
    CreateActivity, CreateCommunication, CreateNote, Customer360, Customer360Request, DeleteRecord,
    GetCustomer360, GetCustomerTimeline, ListPipelines, RecordRef, SetPrimaryContact,
    TimelineRequest, UpdateCustomer, UpdateCustomerRequest,
};
use serde_json::json;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{CustomFieldsCard, Modal, RecordGone, RecordHistory, TextField};
use crate::format;
use crate::hooks::{AppContext, Load, use_app, use_command};
use crate::ipc;
use crate::route::Route;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Overview,
    Contacts,
    Deals,
    Communications,
    Activities,
    Sales,
    Notes,
    History,
}

impl Tab {
    const ALL: [Tab; 8] = [
        Tab::Overview,
        Tab::Contacts,
        Tab::Deals,
        Tab::Communications,
        Tab::Activities,
        Tab::Sales,
        Tab::Notes,
        Tab::History,
    ];

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Contacts => "Contacts",
            Tab::Deals => "Deals",
            Tab::Communications => "Communications",
            Tab::Activities => "Activities",
            Tab::Sales => "Sales documents",
            Tab::Notes => "Notes",
            Tab::History => "History",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Contacts => "contacts",
            Tab::Deals => "deals",
            Tab::Communications => "communications",
            Tab::Activities => "activities",
            Tab::Sales => "sales",
            Tab::Notes => "notes",
            Tab::History => "history",
        }
    }
}

fn or_dash(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "—".to_owned())
}

/// Sends a create body and reloads the page on success.
fn create<C>(app: AppContext, body: FieldMap, done: String, reload: Callback<()>)
where
    C: crm_protocol::ipc::Command<Request = FieldMap> + 'static,
{
    spawn_local(async move {
        match ipc::call::<C>(&body).await {
            Ok(_) => {
                app.success(done);
                reload.emit(());
            }
            Err(error) => app.error(error.message),
        }
    });
}

fn fields(value: serde_json::Value) -> FieldMap {
    match value {
        serde_json::Value::Object(map) => map,
        _ => FieldMap::new(),
    }
}

#[derive(Properties, PartialEq)]
struct QuickAddProps {
    id: AttrValue,
    label: AttrValue,
    placeholder: AttrValue,
    button: AttrValue,
    on_add: Callback<String>,
}

/// One text box and a button: add a note, log a call, schedule a task.
#[component]
fn QuickAdd(props: &QuickAddProps) -> Html {
    let text = use_state(String::new);
    let on_input = {
        let text = text.clone();
        Callback::from(move |value: String| text.set(value))
    };
    let onsubmit = {
        let text = text.clone();
        let on_add = props.on_add.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !text.trim().is_empty() {
                on_add.emit(text.trim().to_owned());
                text.set(String::new());
            }
        })
    };
    html! {
        <form class="quick-add" {onsubmit}>
            <TextField id={props.id.clone()} label={props.label.clone()} value={AttrValue::from((*text).clone())}
                placeholder={props.placeholder.clone()} {on_input} />
            <button type="submit" class="button primary" data-testid={format!("{}-submit", props.id)}>{ props.button.clone() }</button>
        </form>
    }
}

fn header(customer: &Customer, on_delete: Callback<MouseEvent>, on_tab: Callback<Tab>) -> Html {
    let size = customer.company_size.map(|size| size.label().to_owned());
    let subtitle: Vec<String> = [customer.industry.clone(), size]
        .into_iter()
        .flatten()
        .collect();
    let contact: Vec<String> = [
        customer.primary_email.clone(),
        customer.primary_phone.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let go = |tab: Tab| on_tab.reform(move |_: MouseEvent| tab);
    let initial = customer
        .name
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    html! {
        <section class="card customer-header" data-testid="customer-header">
            <div class="avatar" aria-hidden="true">{ initial }</div>
            <div class="customer-heading">
                <h1 data-testid="page-title">{ customer.name.clone() }</h1>
                <p class="muted">{ if subtitle.is_empty() { customer.customer_type.label().to_owned() } else { subtitle.join(" · ") } }</p>
                <p class="muted">{ contact.join(" · ") }</p>
                <div class="header-actions">
                    <button type="button" class="button" onclick={go(Tab::Contacts)}>{ "Contacts" }</button>
                    <button type="button" class="button" onclick={go(Tab::Communications)}>{ "Log communication" }</button>
                    <button type="button" class="button" onclick={go(Tab::Activities)}>{ "Schedule activity" }</button>
                    <button type="button" class="button" onclick={go(Tab::Notes)}>{ "Add note" }</button>
                    <button type="button" class="button danger" onclick={on_delete} data-testid="delete-customer">{ "Delete" }</button>
                </div>
            </div>
            <div class="customer-status">
                <span class={classes!("badge", format!("badge-{}", customer.status.as_str().to_lowercase()))}>{ customer.status.label() }</span>
                if let Some(category) = customer.category {
                    <span class="badge">{ category.label() }</span>
                }
            </div>
        </section>
    }
}

fn overview(view: &Customer360, today: chrono::NaiveDate) -> Html {
    let customer = &view.customer;
    let stats = &view.stats;
    let currency = &customer.currency_code;
    let address = |address: &Option<crm_model::Address>| {
        address
            .as_ref()
            .map_or_else(|| "—".to_owned(), |address| address.one_line())
    };
    html! {
        <>
            <div class="grid-3">
                <section class="card">
                    <h2 class="card-title">{ "Quick stats" }</h2>
                    <ul class="plain-list">
                        <li>{ format::count(stats.contacts, "contact", "contacts") }</li>
                        <li>{ format::count(stats.open_deals, "open deal", "open deals") }</li>
                        <li>{ format!("{} in the pipeline", format::money(stats.pipeline_value, currency)) }</li>
                        <li>{ format::count(stats.open_activities, "open activity", "open activities") }</li>
                    </ul>
                </section>
                <section class="card">
                    <h2 class="card-title">{ "Recent activity" }</h2>
                    <ul class="plain-list">
                        { for view.communications.iter().take(4).map(|communication| html! {
                            <li>{ format!("{} · {} · {}", communication.communication_type.label(),
                                communication.subject.clone().unwrap_or_default(),
                                format::date(communication.occurred_at.date_naive())) }</li>
                        }) }
                        if view.communications.is_empty() { <li class="muted">{ "No communication logged yet." }</li> }
                    </ul>
                </section>
                <section class="card">
                    <h2 class="card-title">{ "Key metrics" }</h2>
                    <ul class="plain-list">
                        <li>{ format!("{} won", format::money(stats.won_value, currency)) }</li>
                        <li>{ format::count(stats.orders, "order", "orders") }</li>
                        <li>{ format!("{} lifetime value (paid invoices)", format::money(stats.lifetime_value, currency)) }</li>
                        <li>{ stats.last_contact.map_or_else(|| "Never contacted".to_owned(),
                            |at| format!("Last contact {}", format::ago(at.date_naive(), today))) }</li>
                    </ul>
                </section>
            </div>
            <section class="card">
                <h2 class="card-title">{ "Details" }</h2>
                <dl class="details">
                    <dt>{ "Industry" }</dt><dd>{ or_dash(&customer.industry) }</dd>
                    <dt>{ "Company size" }</dt><dd>{ customer.company_size.map_or("—", |size| size.label()) }</dd>
                    <dt>{ "Website" }</dt><dd>{ or_dash(&customer.website) }</dd>
                    <dt>{ "Annual revenue" }</dt><dd>{ customer.annual_revenue.map_or_else(|| "—".to_owned(), |revenue| format::money(revenue, currency)) }</dd>
                    <dt>{ "Billing address" }</dt><dd>{ address(&customer.billing_address) }</dd>
                    <dt>{ "Shipping address" }</dt><dd>{ address(&customer.shipping_address) }</dd>
                    <dt>{ "Source" }</dt><dd>{ customer.source.map_or("—", |source| source.label()) }</dd>
                    <dt>{ "Tags" }</dt>
                    <dd>
                        { for customer.tags.iter().map(|tag| html! { <span class="tag">{ tag.clone() }</span> }) }
                        if customer.tags.is_empty() { { "—" } }
                    </dd>
                </dl>
            </section>
        </>
    }
}

pub(crate) fn sales_rows(documents: &[SalesDocument]) -> Html {
    html! {
        { for documents.iter().map(|document| html! {
            <tr>
                <td>{ document.document_type.label() }</td>
                <td>{ document.number.clone() }</td>
                <td><span class="badge">{ document.status.label() }</span></td>
                <td>{ format::date(document.issue_date) }</td>
                <td class="number">{ format::money(document.total, &document.currency_code) }</td>
                <td class="number">{ format::money(document.amount_paid, &document.currency_code) }</td>
            </tr>
        }) }
    }
}

#[derive(Properties, PartialEq)]
struct HistoryTabProps {
    id: CustomerId,
}

#[component]
fn HistoryTab(props: &HistoryTabProps) -> Html {
    let timeline = use_command::<GetCustomerTimeline, _>(
        TimelineRequest {
            id: props.id,
            limit: 100,
        },
        props.id,
    );
    html! {
        <div class="grid-2">
            <section class="card">
                <h2 class="card-title">{ "Timeline" }</h2>
                { match &*timeline {
                    Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
                    Load::Failed(message) | Load::Gone { message, .. } => html! { <p class="banner banner-error">{ message.clone() }</p> },
                    Load::Loaded(items) if items.is_empty() => html! { <p class="muted">{ "Nothing happened yet." }</p> },
                    Load::Loaded(items) => html! {
                        <ol class="timeline" data-testid="timeline">
                            { for items.iter().map(|item| html! {
                                <li class="timeline-item">
                                    <span class="muted timeline-date">{ format::date(item.at.date_naive()) }</span>
                                    <span class="timeline-title">{ item.title.clone() }</span>
                                    if let Some(detail) = &item.detail { <span class="muted">{ detail.clone() }</span> }
                                </li>
                            }) }
                        </ol>
                    },
                } }
            </section>
            <section class="card">
                <h2 class="card-title">{ "Changes to this customer" }</h2>
                <RecordHistory kind={RecordKind::Customer} id={RecordId::from(props.id)} />
            </section>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct Customer360Props {
    pub(crate) id: CustomerId,
}

#[component]
pub(crate) fn Customer360Page(props: &Customer360Props) -> Html {
    let app = use_app();
    let id = props.id;
    let tab = use_state(|| Tab::Overview);
    let version = use_state(|| 0_u32);
    let confirming = use_state(|| false);
    let view = use_command::<GetCustomer360, _>(
        Customer360Request {
            id,
            include: Vec::new(),
        },
        (id, *version, app.data_version),
    );
    let pipelines = use_command::<ListPipelines, _>((), app.data_version);
    let stage_names: HashMap<StageId, String> = match &*pipelines {
        Load::Loaded(list) => list
            .iter()
            .flat_map(|pipeline| pipeline.stages.iter())
            .map(|(id, stage)| (*id, stage.name.clone()))
            .collect(),
        _ => HashMap::new(),
    };

    let reload = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    let on_tab = {
        let tab = tab.clone();
        Callback::from(move |next: Tab| tab.set(next))
    };
    let ask_delete = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(true))
    };
    let close_delete = {
        let confirming = confirming.clone();
        Callback::from(move |()| confirming.set(false))
    };
    let back = app
        .dispatch
        .reform(|_: MouseEvent| crate::state::AppAction::Back);

    let Load::Loaded(view) = &*view else {
        return html! {
            <div class="page-body">
                <button type="button" class="link" onclick={back}>{ "← Back" }</button>
                { match &*view {
                    Load::Failed(message) => html! { <p class="banner banner-error">{ format!("This customer could not be opened: {message}") }</p> },
                    Load::Gone { message, in_trash } => html! {
                        <RecordGone what="customer" message={message.clone()} in_trash={*in_trash} back={Route::Customers} />
                    },
                    _ => html! { <p class="muted">{ "Loading the customer…" }</p> },
                } }
            </div>
        };
    };
    let customer = &view.customer;
    let name = customer.name.clone();

    let confirm_delete = {
        let app = app.clone();
        let name = name.clone();
        Callback::from(move |_: MouseEvent| {
            let app = app.clone();
            let name = name.clone();
            spawn_local(async move {
                let request = RecordRef {
                    kind: RecordKind::Customer,
                    id: id.into(),
                };
                match ipc::call::<DeleteRecord>(&request).await {
                    Ok(()) => {
                        app.success(format!(
                            "{name} and its contacts, notes and deals are in the trash."
                        ));
                        app.navigate(Route::Customers);
                    }
                    Err(error) => {
                        app.error(format!("{name} could not be deleted: {}", error.message))
                    }
                }
            });
        })
    };

    let tabs = Tab::ALL.iter().map(|candidate| {
        let candidate = *candidate;
        let selected = *tab == candidate;
        let count = match candidate {
            Tab::Contacts => Some(view.contacts.len()),
            Tab::Deals => Some(view.deals.len()),
            Tab::Communications => Some(view.communications.len()),
            Tab::Activities => Some(view.activities.len()),
            Tab::Sales => Some(
                view.sales_quotations.len() + view.sales_orders.len() + view.sales_invoices.len(),
            ),
            Tab::Notes => Some(view.notes.len()),
            Tab::Overview | Tab::History => None,
        };
        html! {
            <button type="button" role="tab" aria-selected={selected.to_string()}
                class={classes!("tab", selected.then_some("active"))}
                onclick={on_tab.reform(move |_: MouseEvent| candidate)}
                data-testid={format!("tab-{}", candidate.slug())}>
                { candidate.label() }
                if let Some(count) = count { <span class="tab-count">{ count }</span> }
            </button>
        }
    });

    let content = match *tab {
        Tab::Overview => {
            let on_save = {
                let app = app.clone();
                let reload = reload.clone();
                Callback::from(
                    move |values: std::collections::BTreeMap<String, serde_json::Value>| {
                        let app = app.clone();
                        let reload = reload.clone();
                        let request = UpdateCustomerRequest {
                            id,
                            patch: crm_model::CustomerPatch {
                                custom_fields: Some(values),
                                ..crm_model::CustomerPatch::default()
                            },
                        };
                        spawn_local(async move {
                            match ipc::call::<UpdateCustomer>(&request).await {
                                Ok(_) => {
                                    app.success("Custom fields saved");
                                    reload.emit(());
                                }
                                Err(error) => app.error(error.message),
                            }
                        });
                    },
                )
            };
            html! {
                <>
                    { overview(view, app.today) }
                    <CustomFieldsCard kind={RecordKind::Customer} values={view.customer.custom_fields.clone()} {on_save}
                        key={format!("{}-{}", view.customer.id, view.customer.updated_at)} />
                </>
            }
        }
        Tab::Contacts => html! {
            <section class="card">
                <table class="table" data-testid="contacts-table">
                    <thead><tr><th>{ "Name" }</th><th>{ "Title" }</th><th>{ "Email" }</th><th>{ "Phone" }</th><th></th></tr></thead>
                    <tbody>
                        { for view.contacts.iter().map(|contact| {
                            let contact_id = contact.id;
                            let app = app.clone();
                            let reload = reload.clone();
                            let make_primary = Callback::from(move |_: MouseEvent| {
                                let app = app.clone();
                                let reload = reload.clone();
                                spawn_local(async move {
                                    match ipc::call::<SetPrimaryContact>(&contact_id).await {
                                        Ok(contact) => { app.success(format!("{} is now the primary contact.", contact.name)); reload.emit(()); }
                                        Err(error) => app.error(error.message),
                                    }
                                });
                            });
                            html! {
                                <tr>
                                    <td class="cell-name">{ contact.name.clone() }
                                        if contact.is_primary { <span class="badge badge-active">{ " Primary" }</span> }</td>
                                    <td>{ or_dash(&contact.job_title.clone().or(contact.title.clone())) }</td>
                                    <td>{ or_dash(&contact.email) }</td>
                                    <td>{ or_dash(&contact.phone) }</td>
                                    <td>
                                        if !contact.is_primary {
                                            <button type="button" class="button small" onclick={make_primary}>{ "Make primary" }</button>
                                        }
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
                if view.contacts.is_empty() { <p class="muted">{ "No contacts yet." }</p> }
            </section>
        },
        Tab::Deals => html! {
            <section class="card">
                <table class="table" data-testid="deals-table">
                    <thead><tr><th>{ "Deal" }</th><th>{ "Stage" }</th><th>{ "Status" }</th><th class="number">{ "Value" }</th><th>{ "Close date" }</th></tr></thead>
                    <tbody>
                        { for view.deals.iter().map(|deal| html! {
                            <tr>
                                <td class="cell-name">
                                    <button type="button" class="link" onclick={app.navigate_callback(Route::Deal(deal.id))}>{ deal.name.clone() }</button>
                                </td>
                                <td>{ deal.stage_id.and_then(|stage| stage_names.get(&stage).cloned()).unwrap_or_else(|| "—".to_owned()) }</td>
                                <td><span class="badge">{ deal.status.label() }</span></td>
                                <td class="number">{ format::money(deal.amount, &deal.currency_code) }</td>
                                <td>{ deal.expected_close_date.or(deal.closed_date).map_or_else(|| "—".to_owned(), format::date) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if view.deals.is_empty() { <p class="muted">{ "No deals yet." }</p> }
            </section>
        },
        Tab::Communications => {
            let on_add = {
                let app = app.clone();
                let reload = reload.clone();
                Callback::from(move |text: String| {
                    let body = fields(
                        json!({"type": CommunicationType::Call.as_str(), "subject": "Call", "notes": text, "customerId": id}),
                    );
                    create::<CreateCommunication>(
                        app.clone(),
                        body,
                        "The call is logged.".into(),
                        reload.clone(),
                    );
                })
            };
            html! {
                <section class="card">
                    <QuickAdd id="log-call" label="Log a call" placeholder="What was said?" button="Log call" {on_add} />
                    <ul class="feed" data-testid="communications-list">
                        { for view.communications.iter().map(|communication| html! {
                            <li class="feed-item">
                                <span class="badge">{ communication.communication_type.label() }</span>
                                <span class="feed-title">{ communication.subject.clone().unwrap_or_default() }</span>
                                <span class="muted">{ communication.notes.clone() }</span>
                                <span class="muted feed-time">{ format::date(communication.occurred_at.date_naive()) }</span>
                            </li>
                        }) }
                    </ul>
                </section>
            }
        }
        Tab::Activities => {
            let on_add = {
                let app = app.clone();
                let reload = reload.clone();
                let due = app.today + chrono::Duration::days(1);
                Callback::from(move |text: String| {
                    let body = fields(
                        json!({"type": "TASK", "subject": text, "dueDate": due, "customerId": id}),
                    );
                    create::<CreateActivity>(
                        app.clone(),
                        body,
                        "The task is scheduled for tomorrow.".into(),
                        reload.clone(),
                    );
                })
            };
            html! {
                <section class="card">
                    <QuickAdd id="schedule-task" label="Schedule a task for tomorrow" placeholder="e.g. Send the proposal" button="Schedule" {on_add} />
                    <ul class="task-list">
                        { for view.activities.iter().map(|activity| {
                            let overdue = activity.status.as_str() != "COMPLETED" && activity.due_date.is_some_and(|due| due < app.today);
                            html! {
                                <li class={classes!("task-row", overdue.then_some("overdue"))}>
                                    <span class="badge">{ activity.activity_type.label() }</span>
                                    <span class="task-subject">{ activity.subject.clone() }</span>
                                    <span class="muted">{ activity.status.label() }</span>
                                    <span class="task-due">{ activity.due_date.map_or_else(String::new, |day| format::due(day, app.today)) }</span>
                                </li>
                            }
                        }) }
                    </ul>
                </section>
            }
        }
        Tab::Sales => html! {
            <section class="card">
                <table class="table" data-testid="sales-table">
                    <thead><tr><th>{ "Type" }</th><th>{ "Number" }</th><th>{ "Status" }</th><th>{ "Issued" }</th><th class="number">{ "Total" }</th><th class="number">{ "Paid" }</th></tr></thead>
                    <tbody>
                        { sales_rows(&view.sales_quotations) }
                        { sales_rows(&view.sales_orders) }
                        { sales_rows(&view.sales_invoices) }
                    </tbody>
                </table>
            </section>
        },
        Tab::Notes => {
            let on_add = {
                let app = app.clone();
                let reload = reload.clone();
                Callback::from(move |text: String| {
                    let body = fields(json!({"customerId": id, "content": text}));
                    create::<CreateNote>(
                        app.clone(),
                        body,
                        "The note is saved.".into(),
                        reload.clone(),
                    );
                })
            };
            html! {
                <section class="card">
                    <QuickAdd id="add-note" label="Add a note" placeholder="Anything worth remembering" button="Add note" {on_add} />
                    <ul class="notes" data-testid="notes-list">
                        { for view.notes.iter().map(|note| html! {
                            <li class={classes!("note", note.is_pinned.then_some("pinned"))}>
                                if note.is_pinned { <span class="badge">{ "Pinned" }</span> }
                                if let Some(title) = &note.title { <strong>{ title.clone() }</strong> }
                                <p>{ note.content.clone() }</p>
                                <span class="muted">{ format::date(note.created_at.date_naive()) }</span>
                            </li>
                        }) }
                    </ul>
                </section>
            }
        }
        Tab::History => html! { <HistoryTab {id} /> },
    };

    html! {
        <div class="page-body customer-360" data-testid="customer-360">
            <button type="button" class="link back-link" onclick={back}>{ "← Back" }</button>
            { header(customer, ask_delete, on_tab.clone()) }
            <div class="tabs" role="tablist" aria-label="Customer sections">{ for tabs }</div>
            <div role="tabpanel" class="tab-panel" data-testid="tab-panel">{ content }</div>
            if *confirming {
                <Modal title={format!("Delete {name}?")} on_close={close_delete.clone()}>
                    <p>{ "The customer, its contacts, notes and deals go to the trash. You can restore them from there." }</p>
                    <div class="modal-actions">
                        <button type="button" class="button" onclick={close_delete.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                        <button type="button" class="button danger" onclick={confirm_delete} data-testid="confirm-delete">{ "Delete" }</button>
                    </div>
                </Modal>
            }
        </div>
    }
}
