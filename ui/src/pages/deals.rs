//! The deals list: every deal with its stage, value and close date; filter by status, search by
//! name, sort by value or close date, in one scrolling table. A deal opens its own page.

use std::collections::HashMap;
use std::rc::Rc;

use crm_model::{Deal, DealStatus, StageId};
use crm_protocol::ipc::{DealQuery, ListDeals, ListPipelines};
use crm_protocol::query::{Paging, SortOrder};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::{PageHeader, Paged, SelectField, VirtualTable, block_loader, choices};
use crate::format;
use crate::hooks::{Load, use_app, use_command};
use crate::route::Route;

/// (sort column, label) of the sort choices.
const SORTS: [(&str, &str); 3] = [
    ("createdAt", "Newest"),
    ("amount", "Highest value"),
    ("expectedCloseDate", "Closing soonest"),
];

#[component]
pub(crate) fn DealsPage() -> Html {
    let app = use_app();
    let search = use_state(String::new);
    let status = use_state(|| Some(DealStatus::Open));
    let sort = use_state(|| "amount".to_owned());
    let order = if *sort == "expectedCloseDate" {
        SortOrder::Asc
    } else {
        SortOrder::Desc
    };
    let query = DealQuery {
        status: *status,
        search: (!search.trim().is_empty()).then(|| search.trim().to_owned()),
        paging: Paging {
            sort_by: Some((*sort).clone()),
            sort_order: Some(order),
            ..Paging::default()
        },
        ..DealQuery::default()
    }
    .first_block();
    let deals = use_command::<ListDeals, _>(query.clone(), (query.clone(), app.data_version));
    let pipelines = use_command::<ListPipelines, _>((), app.data_version);
    let stage_names: Rc<HashMap<StageId, String>> = Rc::new(match &*pipelines {
        Load::Loaded(list) => list
            .iter()
            .flat_map(|pipeline| pipeline.stages.iter())
            .map(|(id, stage)| (*id, stage.name.clone()))
            .collect(),
        _ => HashMap::new(),
    });
    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            search.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_status = {
        let status = status.clone();
        Callback::from(move |value: String| {
            status.set(DealStatus::parse(&value));
        })
    };
    let on_sort = {
        let sort = sort.clone();
        Callback::from(move |value: String| {
            sort.set(value);
        })
    };
    let row = {
        let app = app.clone();
        Callback::from(move |deal: Deal| {
            let overdue = deal.status == DealStatus::Open
                && deal.expected_close_date.is_some_and(|day| day < app.today);
            html! {
                <>
                    <td class="cell-name">
                        <button type="button" class="link" onclick={app.navigate_callback(Route::Deal(deal.id))}>{ deal.name.clone() }</button>
                    </td>
                    <td>{ deal.stage_id.and_then(|stage| stage_names.get(&stage).cloned()).unwrap_or_default() }</td>
                    <td><span class="badge">{ deal.status.label() }</span></td>
                    <td class="number">{ format::money(deal.amount, &deal.currency_code) }</td>
                    <td class="number">{ format!("{}%", deal.probability) }</td>
                    <td class={classes!(overdue.then_some("overdue-text"))}>
                        { deal.closed_date.or(deal.expected_close_date).map_or_else(String::new, format::date) }
                    </td>
                </>
            }
        })
    };
    let sort_options: Vec<(AttrValue, AttrValue)> = SORTS
        .iter()
        .map(|(value, label)| (AttrValue::from(*value), AttrValue::from(*label)))
        .collect();
    let (subtitle, body) = match &*deals {
        Load::Loading => (String::new(), html! { <p class="muted">{ "Loading…" }</p> }),
        Load::Failed(message) | Load::Gone { message, .. } => (
            String::new(),
            html! { <p class="banner banner-error">{ format!("The deals could not be loaded: {message}") }</p> },
        ),
        Load::Loaded(result) => (
            format::count(result.pagination.total, "deal", "deals"),
            html! {
                <VirtualTable<Deal> key={format!("{query:?}")} first={result.clone()}
                    load={block_loader::<ListDeals, _>(query.clone())} {row} columns={6}
                    label="Deals" testid="deals-list"
                    head={html! { <><th>{ "Deal" }</th><th>{ "Stage" }</th><th>{ "Status" }</th><th class="number">{ "Value" }</th><th class="number">{ "Probability" }</th><th>{ "Close date" }</th></> }} />
            },
        ),
    };
    html! {
        <>
            <PageHeader title="Deals" subtitle={AttrValue::from(subtitle)} />
            <div class="page-body">
                <section class="card list-card">
                    <div class="filters">
                        <div class="field grow">
                            <label for="deals-search">{ "Search" }</label>
                            <input id="deals-search" type="search" placeholder="Deal name" oninput={on_search} />
                        </div>
                        <SelectField id="deals-status" label="Status"
                            options={choices(DealStatus::ALL, DealStatus::as_str, DealStatus::label, "Any status")}
                            value={status.map_or("", DealStatus::as_str)} on_change={on_status} />
                        <SelectField id="deals-sort" label="Sort" options={sort_options} value={AttrValue::from((*sort).clone())} on_change={on_sort} />
                    </div>
                    { body }
                </section>
            </div>
        </>
    }
}
