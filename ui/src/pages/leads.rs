//! The leads list: search, status and rating filters, sorted by score, paged.

use crm_model::{LeadStatus, Rating};
use crm_protocol::ipc::{LeadQuery, ListLeads};
use crm_protocol::query::{Paging, SortOrder};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::{PageHeader, Pager, SelectField, choices};
use crate::hooks::{Load, use_app, use_command};
use crate::route::Route;

const PAGE_SIZE: u32 = 25;

#[component]
pub(crate) fn LeadsPage() -> Html {
    let app = use_app();
    let search = use_state(String::new);
    let status = use_state(|| None::<LeadStatus>);
    let rating = use_state(|| None::<Rating>);
    let page = use_state(|| 1_u32);
    let query = LeadQuery {
        status: *status,
        rating: *rating,
        search: (!search.trim().is_empty()).then(|| search.trim().to_owned()),
        paging: Paging {
            sort_by: Some("leadScore".into()),
            sort_order: Some(SortOrder::Desc),
            page: *page,
            limit: PAGE_SIZE,
            ..Paging::default()
        },
        ..LeadQuery::default()
    };
    let leads = use_command::<ListLeads, _>(query.clone(), (query, app.data_version));

    let on_search = {
        let search = search.clone();
        let page = page.clone();
        Callback::from(move |event: InputEvent| {
            search.set(event.target_unchecked_into::<HtmlInputElement>().value());
            page.set(1);
        })
    };
    let on_status = {
        let status = status.clone();
        let page = page.clone();
        Callback::from(move |value: String| {
            status.set(LeadStatus::parse(&value));
            page.set(1);
        })
    };
    let on_rating = {
        let rating = rating.clone();
        let page = page.clone();
        Callback::from(move |value: String| {
            rating.set(Rating::parse(&value));
            page.set(1);
        })
    };
    let on_page = {
        let page = page.clone();
        Callback::from(move |target: u32| page.set(target))
    };

    let (subtitle, body, pages) = match &*leads {
        Load::Loading => (
            "Loading…".to_owned(),
            html! { <p class="muted">{ "Loading…" }</p> },
            1,
        ),
        Load::Failed(message) => (
            "People who might buy".to_owned(),
            html! { <p class="banner banner-error">{ format!("The leads could not be loaded: {message}") }</p> },
            1,
        ),
        Load::Loaded(result) => (
            format!(
                "{} leads",
                crate::format::thousands(result.pagination.total as i64)
            ),
            if result.data.is_empty() {
                html! { <div class="empty-state"><p class="empty-title">{ "No lead matches" }</p></div> }
            } else {
                html! {
                    <table class="table" data-testid="leads-table">
                        <thead><tr><th>{ "Name" }</th><th>{ "Company" }</th><th>{ "Source" }</th><th>{ "Status" }</th><th>{ "Rating" }</th><th class="number">{ "Score" }</th></tr></thead>
                        <tbody>
                            { for result.data.iter().map(|lead| {
                                let id = lead.id;
                                let app = app.clone();
                                let open = Callback::from(move |_: MouseEvent| app.navigate(Route::Lead(id)));
                                html! {
                                    <tr key={lead.id.to_string()}>
                                        <td class="cell-name"><button type="button" class="link" onclick={open} data-testid="lead-row-name">{ lead.name.clone() }</button></td>
                                        <td>{ lead.company.clone().unwrap_or_default() }</td>
                                        <td>{ lead.source.clone().unwrap_or_default() }</td>
                                        <td><span class="badge">{ lead.status.label() }</span></td>
                                        <td>{ lead.rating.map_or("", |rating| rating.label()) }</td>
                                        <td class="number"><span class="score-pill">{ lead.lead_score }</span></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                }
            },
            result.pagination.pages.max(1),
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
                    <Pager page={*page} {pages} {on_page} name="leads" />
                </section>
            </div>
        </>
    }
}
