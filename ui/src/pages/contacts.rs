//! The contacts list: everyone at every customer, searchable, by role, in one scrolling table;
//! a contact opens its own page.

use crm_model::{Contact, ContactRole};
use crm_protocol::ipc::{ContactQuery, ListContacts};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::{PageHeader, Paged, SelectField, VirtualTable, block_loader, choices};
use crate::format;
use crate::hooks::{Load, use_app, use_command};
use crate::route::Route;

#[component]
pub(crate) fn ContactsPage() -> Html {
    let app = use_app();
    let search = use_state(String::new);
    let role = use_state(|| None::<ContactRole>);
    let query = ContactQuery {
        role: *role,
        search: (!search.trim().is_empty()).then(|| search.trim().to_owned()),
        ..ContactQuery::default()
    }
    .first_block();
    let contacts = use_command::<ListContacts, _>(query.clone(), (query.clone(), app.data_version));
    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            search.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_role = {
        let role = role.clone();
        Callback::from(move |value: String| role.set(ContactRole::parse(&value)))
    };
    let row = {
        let app = app.clone();
        Callback::from(move |contact: Contact| {
            html! {
                <>
                    <td class="cell-name">
                        <button type="button" class="link" onclick={app.navigate_callback(Route::Contact(contact.id))}
                            data-testid="contact-row-name">{ contact.name.clone() }</button>
                        if contact.is_primary { <span class="badge badge-active">{ " Primary" }</span> }
                    </td>
                    <td>{ contact.job_title.clone().or(contact.title.clone()).unwrap_or_default() }</td>
                    <td>{ contact.role.map_or("", |role| role.label()) }</td>
                    <td>{ contact.email.clone().unwrap_or_default() }</td>
                    <td class="nowrap">{ contact.phone.clone().or(contact.mobile_phone.clone()).unwrap_or_default() }</td>
                </>
            }
        })
    };
    let (subtitle, body) = match &*contacts {
        Load::Loading => (String::new(), html! { <p class="muted">{ "Loading…" }</p> }),
        Load::Failed(message) | Load::Gone { message, .. } => (
            String::new(),
            html! { <p class="banner banner-error">{ format!("The contacts could not be loaded: {message}") }</p> },
        ),
        Load::Loaded(result) => (
            format::count(result.pagination.total, "contact", "contacts"),
            html! {
                <VirtualTable<Contact> key={format!("{query:?}")} first={result.clone()}
                    load={block_loader::<ListContacts, _>(query.clone())} {row} columns={5}
                    label="Contacts" testid="contacts-list"
                    head={html! { <><th>{ "Name" }</th><th>{ "Title" }</th><th>{ "Role" }</th><th>{ "Email" }</th><th>{ "Phone" }</th></> }} />
            },
        ),
    };
    html! {
        <>
            <PageHeader title="Contacts" subtitle={AttrValue::from(subtitle)} />
            <div class="page-body">
                <section class="card list-card">
                    <div class="filters">
                        <div class="field grow">
                            <label for="contacts-search">{ "Search" }</label>
                            <input id="contacts-search" type="search" placeholder="Name, email or phone" oninput={on_search} />
                        </div>
                        <SelectField id="contacts-role" label="Role"
                            options={choices(ContactRole::ALL, ContactRole::as_str, ContactRole::label, "Any role")}
                            value={role.map_or("", ContactRole::as_str)} on_change={on_role} />
                    </div>
                    { body }
                </section>
            </div>
        </>
    }
}
