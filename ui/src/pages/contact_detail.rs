//! A contact's page (spec §3.1 contact detail): who they are and how to reach them, their
//! customer, making them the primary contact, and every communication with them.

use crm_model::{Contact, ContactId, CustomerId, RecordId, RecordKind};
use crm_protocol::ipc::{
    CommunicationQuery, GetContact, GetCustomer, ListCommunications, SetPrimaryContact,
    UpdateContact,
};
use crm_protocol::query::{Paging, SortOrder};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{
    CustomFieldsCard, PageHeader, RecordHistory, gone_page, save_custom_fields,
};
use crate::format;
use crate::hooks::{Load, loading, use_app, use_command};
use crate::ipc;
use crate::route::Route;
use crate::state::AppAction;

/// The ways to reach a contact, as (label, value), the ones it has.
pub(crate) fn reach(contact: &Contact) -> Vec<(&'static str, String)> {
    [
        ("Email", contact.email.clone()),
        ("Phone", contact.phone.clone()),
        ("Mobile", contact.mobile_phone.clone()),
        ("Work phone", contact.work_phone.clone()),
        ("LinkedIn", contact.linkedin_url.clone()),
        ("Twitter", contact.twitter_handle.clone()),
    ]
    .into_iter()
    .filter_map(|(label, value)| {
        value
            .filter(|value| !value.trim().is_empty())
            .map(|value| (label, value))
    })
    .collect()
}

#[derive(Properties, PartialEq)]
struct CustomerLinkProps {
    id: CustomerId,
}

/// The customer's name, opening its Customer 360.
#[component]
fn CustomerLink(props: &CustomerLinkProps) -> Html {
    let app = use_app();
    let customer = use_command::<GetCustomer, _>(props.id, (props.id, app.data_version));
    match &*customer {
        Load::Loaded(customer) => html! {
            <button type="button" class="link" onclick={app.navigate_callback(Route::Customer(customer.id))}
                data-testid="contact-customer">{ customer.name.clone() }</button>
        },
        Load::Loading => html! { { "…" } },
        Load::Failed(message) | Load::Gone { message, .. } => {
            html! { <span class="muted">{ message.clone() }</span> }
        }
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct ContactDetailProps {
    pub(crate) id: ContactId,
}

#[component]
pub(crate) fn ContactDetailPage(props: &ContactDetailProps) -> Html {
    let app = use_app();
    let id = props.id;
    let reloads = use_state(|| 0_u32);
    let contact = use_command::<GetContact, _>(id, (id, app.data_version, *reloads));
    let communications = use_command::<ListCommunications, _>(
        CommunicationQuery {
            contact_id: Some(id),
            paging: Paging {
                sort_by: Some("occurredAt".into()),
                sort_order: Some(SortOrder::Desc),
                limit: 50,
                ..Paging::default()
            },
            ..CommunicationQuery::default()
        },
        (id, app.data_version),
    );
    let title = match &*contact {
        Load::Loaded(contact) => contact.name.clone(),
        _ => "Contact".to_owned(),
    };
    let make_primary = {
        let app = app.clone();
        let reloads = reloads.clone();
        Callback::from(move |_: MouseEvent| {
            let app = app.clone();
            let reloads = reloads.clone();
            spawn_local(async move {
                match ipc::call::<SetPrimaryContact>(&id).await {
                    Ok(contact) => {
                        app.success(format!("{} is the primary contact", contact.name));
                        app.dispatch.emit(AppAction::DataChanged);
                        reloads.set(*reloads + 1);
                    }
                    Err(error) => app.error(error.message),
                }
            });
        })
    };
    let save_fields = save_custom_fields::<UpdateContact, _>(&app, id, {
        let reloads = reloads.clone();
        Callback::from(move |()| reloads.set(*reloads + 1))
    });
    let body = loading(&contact, "contact", |contact| {
        let company = match contact.customer_id {
            Some(id) => html! { <CustomerLink {id} /> },
            None => html! { { "No customer" } },
        };
        html! {
            <div class="grid-2">
                <section class="card" data-testid="contact-card">
                    <h2 class="card-title">{ "Contact" }</h2>
                    <dl class="details">
                        <dt>{ "Customer" }</dt><dd>{ company }</dd>
                        <dt>{ "Job title" }</dt><dd>{ contact.job_title.clone().or(contact.title.clone()).unwrap_or_else(|| "—".into()) }</dd>
                        <dt>{ "Department" }</dt><dd>{ contact.department.clone().unwrap_or_else(|| "—".into()) }</dd>
                        <dt>{ "Role" }</dt><dd>{ contact.role.map_or("—", |role| role.label()) }</dd>
                        <dt>{ "Status" }</dt><dd>{ contact.status.label() }</dd>
                        <dt>{ "Last contact" }</dt><dd>{ contact.last_contact_date.map_or_else(|| "—".to_owned(), |at| format::date(at.date_naive())) }</dd>
                        { for reach(contact).into_iter().map(|(label, value)| html! { <><dt>{ label }</dt><dd>{ value }</dd></> }) }
                    </dl>
                    <div class="actions">
                        if contact.is_primary {
                            <span class="badge badge-active">{ "Primary contact" }</span>
                        } else if contact.customer_id.is_some() {
                            <button type="button" class="button" onclick={make_primary.clone()} data-testid="make-primary">{ "Make primary contact" }</button>
                        }
                    </div>
                </section>
                <CustomFieldsCard kind={RecordKind::Contact} values={contact.custom_fields.clone()}
                    on_save={save_fields.clone()} key={format!("{}-{}", contact.id, contact.updated_at)} />
                <section class="card">
                    <h2 class="card-title">{ "Changes to this contact" }</h2>
                    <RecordHistory kind={RecordKind::Contact} id={RecordId::from(id)} />
                </section>
                <section class="card">
                    <h2 class="card-title">{ "Communications" }</h2>
                    { loading(&communications, "communications", |page| html! {
                        <ul class="feed" data-testid="contact-communications">
                            { for page.data.iter().map(|communication| html! {
                                <li class="feed-item">
                                    <span class="badge">{ communication.communication_type.label() }</span>
                                    <span class="feed-title">{ communication.subject.clone().unwrap_or_else(|| communication.notes.chars().take(80).collect()) }</span>
                                    <span class="muted feed-time">{ format::date(communication.occurred_at.date_naive()) }</span>
                                </li>
                            }) }
                            if page.data.is_empty() { <li class="muted">{ "Nothing logged with this contact yet." }</li> }
                        </ul>
                    }) }
                </section>
            </div>
        }
    });
    let body = gone_page(&contact, "contact", Route::Contacts).unwrap_or(body);
    html! {
        <>
            <PageHeader title={AttrValue::from(title)} subtitle="Contact" />
            <div class="page-body" data-testid="contact-page">{ body }</div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_ways_a_contact_has_are_listed() {
        let mut contact: Contact = serde_json::from_value(serde_json::json!({
            "id": "0190a6a4-0000-7000-8000-000000000001", "name": "Jane Roe",
            "createdAt": "2026-03-01T08:00:00Z", "updatedAt": "2026-03-01T08:00:00Z"
        }))
        .expect("a contact");
        assert!(reach(&contact).is_empty());
        contact.email = Some("jane@example.com".into());
        contact.mobile_phone = Some("  ".into());
        assert_eq!(reach(&contact), [("Email", "jane@example.com".to_owned())]);
    }
}
