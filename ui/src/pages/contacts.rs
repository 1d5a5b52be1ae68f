//! The contacts list: everyone at every customer, searchable, by role, paged; a contact opens
//! its customer's page.

use crm_model::ContactRole;
use crm_protocol::ipc::{ContactQuery, ListContacts};
use crm_protocol::query::Paging;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::{PageHeader, Pager, SelectField, choices};
use crate::format;
use crate::hooks::{Load, use_app, use_command};
use crate::route::Route;

const PAGE_SIZE: u32 = 25;

#[component]
pub(crate) fn ContactsPage() -> Html {
    let app = use_app();
    let search = use_state(String::new);
    let role = use_state(|| None::<ContactRole>);
    let page = use_state(|| 1_u32);
    let query = ContactQuery {
        role: *role,
        search: (!search.trim().is_empty()).then(|| search.trim().to_owned()),
        paging: Paging {
            page: *page,
            limit: PAGE_SIZE,
            ..Paging::default()
        },
        ..ContactQuery::default()
    };
    let contacts = use_command::<ListContacts, _>(query.clone(), (query, app.data_version));
    let on_search = {
        let search = search.clone();
        let page = page.clone();
        Callback::from(move |event: InputEvent| {
            search.set(event.target_unchecked_into::<HtmlInputElement>().value());
            page.set(1);
        })
    };
    let on_role = {
        let role = role.clone();
        let page = page.clone();
        Callback::from(move |value: String| {
            role.set(ContactRole::parse(&value));
            page.set(1);
        })
    };
    let on_page = {
        let page = page.clone();
        Callback::from(move |target: u32| page.set(target))
    };
    let (subtitle, body, pages) = match &*contacts {
        Load::Loading => (
            String::new(),
            html! { <p class="muted">{ "Loading…" }</p> },
            1,
        ),
        Load::Failed(message) => (
            String::new(),
            html! { <p class="banner banner-error">{ format!("The contacts could not be loaded: {message}") }</p> },
            1,
        ),
        Load::Loaded(result) => (
            format::count(result.pagination.total, "contact", "contacts"),
            html! {
                <table class="table" data-testid="contacts-list">
                    <thead><tr><th>{ "Name" }</th><th>{ "Title" }</th><th>{ "Role" }</th><th>{ "Email" }</th><th>{ "Phone" }</th></tr></thead>
                    <tbody>
                        { for result.data.iter().map(|contact| {
                            let name = html! {
                                <button type="button" class="link" onclick={app.navigate_callback(Route::Contact(contact.id))}
                                    data-testid="contact-row-name">{ contact.name.clone() }</button>
                            };
                            html! {
                                <tr key={contact.id.to_string()}>
                                    <td class="cell-name">{ name }
                                        if contact.is_primary { <span class="badge badge-active">{ " Primary" }</span> }</td>
                                    <td>{ contact.job_title.clone().or(contact.title.clone()).unwrap_or_default() }</td>
                                    <td>{ contact.role.map_or("", |role| role.label()) }</td>
                                    <td>{ contact.email.clone().unwrap_or_default() }</td>
                                    <td class="nowrap">{ contact.phone.clone().or(contact.mobile_phone.clone()).unwrap_or_default() }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            },
            result.pagination.pages,
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
                    <Pager page={*page} {pages} {on_page} name="contacts" />
                </section>
            </div>
        </>
    }
}
