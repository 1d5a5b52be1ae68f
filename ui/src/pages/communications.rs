//! Communication history: calls, emails, meetings and notes, newest first, by type; and a form
//! that logs a new one.

use crm_model::{Communication, CommunicationType, CustomerId, FieldMap};
use crm_protocol::ipc::{CommunicationQuery, CreateCommunication, ListCommunications};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{
    CustomerPicker, PageHeader, Paged, SelectField, TextField, VirtualTable, block_loader, choices,
};
use crate::format;
use crate::hooks::{Load, use_app, use_command};
use crate::ipc;
use crate::route::Route;

#[component]
fn LogForm(props: &LogFormProps) -> Html {
    let app = use_app();
    let kind = use_state(|| CommunicationType::Call);
    let subject = use_state(String::new);
    let notes = use_state(String::new);
    let problem = use_state(|| None::<String>);
    let customer = use_state(|| None::<(CustomerId, String)>);
    let on_customer = {
        let customer = customer.clone();
        Callback::from(move |chosen: Option<(CustomerId, String)>| customer.set(chosen))
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |value: String| {
            if let Some(parsed) = CommunicationType::parse(&value) {
                kind.set(parsed);
            }
        })
    };
    let text = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    let onsubmit = {
        let kind = kind.clone();
        let subject = subject.clone();
        let notes = notes.clone();
        let problem = problem.clone();
        let customer = customer.clone();
        let on_logged = props.on_logged.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some((customer_id, _)) = &*customer else {
                problem.set(Some("Choose the customer this was with.".to_owned()));
                return;
            };
            let mut body = FieldMap::new();
            body.insert("customerId".into(), customer_id.to_string().into());
            body.insert("type".into(), kind.as_str().into());
            body.insert("notes".into(), notes.trim().into());
            if !subject.trim().is_empty() {
                body.insert("subject".into(), subject.trim().into());
            }
            let app = app.clone();
            let subject = subject.clone();
            let notes = notes.clone();
            let problem = problem.clone();
            let on_logged = on_logged.clone();
            spawn_local(async move {
                match ipc::call::<CreateCommunication>(&body).await {
                    Ok(logged) => {
                        app.success(format!(
                            "The {} is logged.",
                            logged.communication_type.label().to_lowercase()
                        ));
                        subject.set(String::new());
                        notes.set(String::new());
                        problem.set(None);
                        on_logged.emit(());
                    }
                    Err(error) => problem.set(Some(error.message)),
                }
            });
        })
    };
    let kinds: Vec<(AttrValue, AttrValue)> = CommunicationType::ALL
        .iter()
        .map(|kind| {
            (
                AttrValue::from(kind.as_str()),
                AttrValue::from(kind.label()),
            )
        })
        .collect();
    html! {
        <form class="form" {onsubmit} data-testid="log-form">
            <CustomerPicker id="log-customer" label="Customer" chosen={(*customer).clone()} on_choose={on_customer} />
            <SelectField id="log-type" label="Type" options={kinds} value={kind.as_str()} on_change={on_kind} />
            <TextField id="log-subject" label="Subject" value={AttrValue::from((*subject).clone())}
                placeholder="e.g. Follow-up call" on_input={text(&subject)} />
            <TextField id="log-notes" label="What happened" required=true value={AttrValue::from((*notes).clone())}
                placeholder="Discussed the implementation timeline" on_input={text(&notes)} />
            if let Some(problem) = &*problem {
                <p class="banner banner-error" role="alert">{ problem.clone() }</p>
            }
            <button type="submit" class="button primary" data-testid="log-submit">{ "Log it" }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct LogFormProps {
    on_logged: Callback<()>,
}

#[component]
pub(crate) fn CommunicationsPage() -> Html {
    let app = use_app();
    let kind = use_state(|| None::<CommunicationType>);
    let version = use_state(|| 0_u32);
    let query = CommunicationQuery {
        communication_type: *kind,
        ..CommunicationQuery::default()
    }
    .first_block();
    let list = use_command::<ListCommunications, _>(
        query.clone(),
        (query.clone(), *version, app.data_version),
    );
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |value: String| kind.set(CommunicationType::parse(&value)))
    };
    let on_logged = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    let row = {
        let app = app.clone();
        Callback::from(move |communication: Communication| {
            let open = communication
                .customer_id
                .map(|customer| app.navigate_callback(Route::Customer(customer)));
            html! {
                <>
                    <td><span class="badge">{ communication.communication_type.label() }</span></td>
                    <td title={communication.notes.clone()}>
                        <strong>{ communication.subject.clone().unwrap_or_default() }</strong>
                        { format!(" {}", communication.notes) }
                    </td>
                    <td>
                        if let Some(open) = open {
                            <button type="button" class="link" onclick={open}>{ "Customer" }</button>
                        }
                    </td>
                    <td class="nowrap muted">{ format::date(communication.occurred_at.date_naive()) }</td>
                </>
            }
        })
    };
    let body = match &*list {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(message) | Load::Gone { message, .. } => html! {
            <p class="banner banner-error">{ format!("The history could not be loaded: {message}") }</p>
        },
        Load::Loaded(result) => html! {
            <VirtualTable<Communication> key={format!("{query:?}")} first={result.clone()}
                load={block_loader::<ListCommunications, _>(query.clone())} {row} columns={4}
                label="Communications" testid="communications-history" row_testid="communication-row"
                head={html! { <><th class="col-narrow">{ "Type" }</th><th class="col-wide">{ "What" }</th><th class="col-narrow">{ "Customer" }</th><th class="col-narrow">{ "When" }</th></> }} />
        },
    };
    html! {
        <>
            <PageHeader title="Communications" subtitle="Every call, email, meeting and note, newest first" />
            <div class="page-body customers-layout">
                <section class="card list-card">
                    <div class="filters">
                        <SelectField id="communications-type" label="Type"
                            options={choices(CommunicationType::ALL, CommunicationType::as_str, CommunicationType::label, "Any type")}
                            value={kind.map_or("", CommunicationType::as_str)} on_change={on_kind} />
                    </div>
                    { body }
                </section>
                <section class="card form-card">
                    <h2 class="card-title">{ "Log a communication" }</h2>
                    <LogForm {on_logged} />
                </section>
            </div>
        </>
    }
}
