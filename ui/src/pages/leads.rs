//! The leads list: search, status and rating filters, sorted by score, in one scrolling table.

use crm_model::{Lead, LeadStatus, Rating};
use crm_protocol::ipc::{LeadQuery, ListLeads};
use crm_protocol::query::{Paging, SortOrder};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::{PageHeader, Paged, SelectField, VirtualTable, block_loader, choices};
use crate::hooks::{Load, use_app, use_command};
use crate::route::Route;

#[component]
pub(crate) fn LeadsPage() -> Html {
    let app = use_app();
    let search = use_state(String::new);
    let status = use_state(|| None::<LeadStatus>);
    let rating = use_state(|| None::<Rating>);
    let query = LeadQuery {
        status: *status,
        rating: *rating,
        search: (!search.trim().is_empty()).then(|| search.trim().to_owned()),
        paging: Paging {
            sort_by: Some("leadScore".into()),
            sort_order: Some(SortOrder::Desc),
            ..Paging::default()
        },
        ..LeadQuery::default()
    }
    .first_block();
    let leads = use_command::<ListLeads, _>(query.clone(), (query.clone(), app.data_version));

    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            search.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_status = {
        let status = status.clone();
        Callback::from(move |value: String| {
            status.set(LeadStatus::parse(&value));
        })
    };
    let on_rating = {
        let rating = rating.clone();
        Callback::from(move |value: String| {
            rating.set(Rating::parse(&value));
        })
    };
    let row = {
        let app = app.clone();
        Callback::from(move |lead: Lead| {
            html! {
                <>
                    <td class="cell-name">
                        <button type="button" class="link" onclick={app.navigate_callback(Route::Lead(lead.id))}
                            data-testid="lead-row-name">{ lead.name.clone() }</button>
                    </td>
                    <td>{ lead.company.clone().unwrap_or_default() }</td>
                    <td>{ lead.source.clone().unwrap_or_default() }</td>
                    <td><span class="badge">{ lead.status.label() }</span></td>
                    <td>{ lead.rating.map_or("", |rating| rating.label()) }</td>
                    <td class="number"><span class="score-pill">{ lead.lead_score }</span></td>
                </>
            }
        })
    };
    let (subtitle, body) = match &*leads {
        Load::Loading => (
            "Loading…".to_owned(),
            html! { <p class="muted">{ "Loading…" }</p> },
        ),
        Load::Failed(message) | Load::Gone { message, .. } => (
            "People who might buy".to_owned(),
            html! { <p class="banner banner-error">{ format!("The leads could not be loaded: {message}") }</p> },
        ),
        Load::Loaded(result) => (
            crate::format::count(result.pagination.total, "lead", "leads"),
            if result.data.is_empty() {
                html! { <div class="empty-state"><p class="empty-title">{ "No lead matches" }</p></div> }
            } else {
                html! {
                    <VirtualTable<Lead> key={format!("{query:?}")} first={result.clone()}
                        load={block_loader::<ListLeads, _>(query.clone())} {row} columns={6}
                        label="Leads" testid="leads-table"
                        head={html! { <><th>{ "Name" }</th><th>{ "Company" }</th><th>{ "Source" }</th><th>{ "Status" }</th><th>{ "Rating" }</th><th class="number">{ "Score" }</th></> }} />
                }
            },
        ),
    };

    html! {
        <>
            <PageHeader title="Leads" subtitle={AttrValue::from(subtitle)} />
            <div class="page-body">
                <section class="card">
                    <div class="filters">
                        <div class="field grow">
                            <label for="leads-search">{ "Search" }</label>
                            <input id="leads-search" type="search" placeholder="Name, company or email" oninput={on_search} />
                        </div>
                        <SelectField id="leads-status" label="Status"
                            options={choices(LeadStatus::ALL, LeadStatus::as_str, LeadStatus::label, "Any status")}
                            value={status.map_or("", LeadStatus::as_str)} on_change={on_status} />
                        <SelectField id="leads-rating" label="Rating"
                            options={choices(Rating::ALL, Rating::as_str, Rating::label, "Any rating")}
                            value={rating.map_or("", Rating::as_str)} on_change={on_rating} />
                    </div>
                    { body }
                </section>
            </div>
        </>
    }
}
