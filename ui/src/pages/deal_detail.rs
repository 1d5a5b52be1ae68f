//! The deal page (spec §3.5's deal detail): a header with the stage mover, then tabs for the
//! overview (value, probability, dates, team, competitors), products, activities,
//! communications, sales documents and files. Files are attached with the system's file dialog
//! and open in the system's viewer.

use std::collections::HashMap;

use crm_model::{
    Attachment, Deal, DealId, DealStatus, Pipeline, RecordId, RecordKind, StageId, UserId,
};
use crm_protocol::ipc::{
    AttachFile, AttachFileRequest, DealView, GetDealView, MoveDealStage, MoveDealStageRequest,
    OpenAttachment, UpdateDeal, WithId,
};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{
    CustomFieldsCard, PageHeader, RecordHistory, gone_page, save_custom_fields,
};
use crate::format;
use crate::hooks::{AppContext, Load, loading, use_app, use_command, use_user_names};
use crate::ipc;
use crate::pages::customer_360::sales_rows;
use crate::route::Route;
use crate::state::AppAction;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Overview,
    Products,
    Activities,
    Communications,
    Sales,
    Files,
    History,
}

impl Tab {
    const ALL: [Tab; 7] = [
        Tab::Overview,
        Tab::Products,
        Tab::Activities,
        Tab::Communications,
        Tab::Sales,
        Tab::Files,
        Tab::History,
    ];

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Products => "Products",
            Tab::Activities => "Activities",
            Tab::Communications => "Communications",
            Tab::Sales => "Sales documents",
            Tab::Files => "Files",
            Tab::History => "History",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Products => "products",
            Tab::Activities => "activities",
            Tab::Communications => "communications",
            Tab::Sales => "sales",
            Tab::Files => "files",
            Tab::History => "history",
        }
    }

    fn count(self, view: &DealView) -> Option<usize> {
        match self {
            Tab::Overview | Tab::History => None,
            Tab::Products => Some(view.deal.products.len()),
            Tab::Activities => Some(view.activities.len()),
            Tab::Communications => Some(view.communications.len()),
            Tab::Sales => Some(view.sales_documents.len()),
            Tab::Files => Some(view.attachments.len()),
        }
    }
}

/// The deal's value weighted by its probability, in cents.
pub(crate) fn weighted(deal: &Deal) -> crm_model::Amount {
    deal.amount.percent(deal.probability as f64)
}

/// "2.4 MB", "512 KB", "900 B".
pub(crate) fn file_size(bytes: i64) -> String {
    const KB: i64 = 1024;
    if bytes >= KB * KB {
        format!("{:.1} MB", bytes as f64 / (KB * KB) as f64)
    } else if bytes >= KB {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} B")
    }
}

fn stage_name(pipeline: Option<&Pipeline>, stage: Option<StageId>) -> String {
    stage
        .and_then(|stage| pipeline.and_then(|pipeline| pipeline.stage(stage)))
        .map_or_else(|| "—".to_owned(), |stage| stage.name.clone())
}

fn row(label: &str, value: String) -> Html {
    html! { <><dt>{ label.to_owned() }</dt><dd>{ value }</dd></> }
}

/// Names of `users` from the directory; an unknown one is "a colleague".
pub(crate) fn names_of(users: &[UserId], directory: &HashMap<UserId, String>) -> String {
    if users.is_empty() {
        return "—".to_owned();
    }
    users
        .iter()
        .map(|user| {
            directory
                .get(user)
                .cloned()
                .unwrap_or_else(|| "a colleague".to_owned())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn overview(view: &DealView, directory: &HashMap<UserId, String>) -> Html {
    let deal = &view.deal;
    let currency = &deal.currency_code;
    let list = |items: &[String]| {
        if items.is_empty() {
            "—".to_owned()
        } else {
            items.join(", ")
        }
    };
    html! {
        <div class="grid-2">
            <section class="card">
                <h2 class="card-title">{ "Deal" }</h2>
                <dl class="details">
                    { row("Value", format::money(deal.amount, currency)) }
                    { row("Weighted value", format::money(weighted(deal), currency)) }
                    { row("Probability", format!("{}%", deal.probability)) }
                    { row("Discount", format::money(deal.discount, currency)) }
                    { row("Tax", format::money(deal.tax, currency)) }
                    { row("Total", format::money(deal.total, currency)) }
                    { row("Expected close", deal.expected_close_date.map_or_else(|| "—".to_owned(), format::date)) }
                    { row("Closed", deal.closed_date.map_or_else(|| "—".to_owned(), format::date)) }
                </dl>
            </section>
            <section class="card">
                <h2 class="card-title">{ "People and competition" }</h2>
                <dl class="details">
                    { row("Owner", deal.owner_id.map_or_else(|| "—".to_owned(), |owner| names_of(&[owner], directory))) }
                    { row("Team", names_of(&deal.team_members, directory)) }
                    { row("Competitors", list(&deal.competitors)) }
                    { row("Won because", deal.won_reason.clone().unwrap_or_else(|| "—".to_owned())) }
                    { row("Number", deal.deal_number.clone().unwrap_or_else(|| "—".to_owned())) }
                </dl>
                if let Some(notes) = &deal.notes {
                    <p class="deal-notes">{ notes.clone() }</p>
                }
            </section>
        </div>
    }
}

fn products(deal: &Deal) -> Html {
    if deal.products.is_empty() {
        return html! { <p class="muted">{ "No products on this deal." }</p> };
    }
    let currency = &deal.currency_code;
    html! {
        <table class="table" data-testid="deal-products">
            <thead><tr>
                <th>{ "Product" }</th><th class="number">{ "Quantity" }</th><th class="number">{ "Unit price" }</th>
                <th class="number">{ "Discount %" }</th><th class="number">{ "Tax %" }</th><th class="number">{ "Total" }</th>
            </tr></thead>
            <tbody>
                { for deal.products.iter().map(|line| html! {
                    <tr>
                        <td>{ line.name.clone() }</td>
                        <td class="number">{ line.quantity.to_string() }</td>
                        <td class="number">{ format::money(line.price, currency) }</td>
                        <td class="number">{ line.discount_percent.to_string() }</td>
                        <td class="number">{ line.tax_percent.to_string() }</td>
                        <td class="number">{ format::money(line.total.unwrap_or_else(|| line.computed_total()), currency) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn files(app: &AppContext, deal: DealId, attachments: &[Attachment], reload: Callback<()>) -> Html {
    let attach = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let app = app.clone();
            let reload = reload.clone();
            spawn_local(async move {
                let request = AttachFileRequest {
                    deal_id: Some(deal),
                    ..AttachFileRequest::default()
                };
                match ipc::call::<AttachFile>(&request).await {
                    Ok(Some(attachment)) => {
                        app.success(format!("{} is attached", attachment.file_name));
                        reload.emit(());
                    }
                    Ok(None) => {}
                    Err(error) => {
                        app.error(format!("The file could not be attached: {}", error.message))
                    }
                }
            });
        })
    };
    let rows = attachments.iter().map(|attachment| {
        let open = {
            let app = app.clone();
            let id = attachment.id;
            let name = attachment.file_name.clone();
            Callback::from(move |_: MouseEvent| {
                let app = app.clone();
                let name = name.clone();
                spawn_local(async move {
                    if let Err(error) = ipc::call::<OpenAttachment>(&id).await {
                        app.error(format!("{name} could not be opened: {}", error.message));
                    }
                });
            })
        };
        html! {
            <tr key={attachment.id.to_string()}>
                <td><button type="button" class="link" onclick={open}>{ attachment.file_name.clone() }</button></td>
                <td class="muted">{ attachment.mime_type.clone() }</td>
                <td class="number">{ file_size(attachment.file_size) }</td>
                <td>{ format::date(attachment.created_at.date_naive()) }</td>
            </tr>
        }
    });
    html! {
        <>
            <div class="actions">
                <button type="button" class="button primary" onclick={attach} data-testid="attach-file">{ "Attach file…" }</button>
            </div>
            if attachments.is_empty() {
                <p class="muted">{ "No files yet. Proposals, contracts and photos attached here travel with the deal to every laptop." }</p>
            } else {
                <table class="table" data-testid="deal-files">
                    <thead><tr><th>{ "File" }</th><th>{ "Type" }</th><th class="number">{ "Size" }</th><th>{ "Added" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct DealDetailProps {
    pub(crate) id: DealId,
}

#[component]
pub(crate) fn DealDetailPage(props: &DealDetailProps) -> Html {
    let app = use_app();
    let id = props.id;
    let tab = use_state(|| Tab::Overview);
    let reloads = use_state(|| 0_u32);
    let view = use_command::<GetDealView, _>(id, (id, app.data_version, *reloads));
    let directory = use_user_names();
    let reload = {
        let reloads = reloads.clone();
        Callback::from(move |()| reloads.set(*reloads + 1))
    };
    let title = match &*view {
        Load::Loaded(view) => view.deal.name.clone(),
        _ => "Deal".to_owned(),
    };
    let body = loading(&view, "deal", |view| {
        let deal = &view.deal;
        let on_stage = {
            let app = app.clone();
            let reload = reload.clone();
            Callback::from(move |event: Event| {
                let value = event
                    .target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .value();
                let Ok(stage_id) = value.parse() else {
                    return;
                };
                let app = app.clone();
                let reload = reload.clone();
                spawn_local(async move {
                    let request = WithId {
                        id,
                        body: MoveDealStageRequest {
                            stage_id,
                            notes: None,
                            update_probability: true,
                        },
                    };
                    match ipc::call::<MoveDealStage>(&request).await {
                        Ok(moved) => {
                            app.success(format!("{} moved", moved.name));
                            app.dispatch.emit(AppAction::DataChanged);
                            reload.emit(());
                        }
                        Err(error) => app.error(error.message),
                    }
                });
            })
        };
        let stages = view
            .pipeline
            .as_ref()
            .map(|pipeline| pipeline.ordered_stages())
            .unwrap_or_default();
        let tabs = Tab::ALL.iter().map(|candidate| {
            let selected = *candidate == *tab;
            let onclick = {
                let tab = tab.clone();
                let candidate = *candidate;
                Callback::from(move |_: MouseEvent| tab.set(candidate))
            };
            html! {
                <button type="button" role="tab" class={classes!("tab", selected.then_some("active"))}
                    aria-selected={selected.to_string()} data-testid={format!("deal-tab-{}", candidate.slug())} {onclick}>
                    { candidate.label() }
                    if let Some(count) = candidate.count(view) { <span class="tab-count">{ count }</span> }
                </button>
            }
        });
        let panel = match *tab {
            Tab::Overview => {
                let on_save = save_custom_fields::<UpdateDeal, _>(&app, id, reload.clone());
                html! {
                    <>
                        { overview(view, &directory) }
                        <CustomFieldsCard kind={RecordKind::Deal} values={deal.custom_fields.clone()} {on_save} key={format!("{}-{}", deal.id, deal.updated_at)} />
                    </>
                }
            }
            Tab::Products => products(deal),
            Tab::Activities => html! {
                <ul class="task-list" data-testid="deal-activities">
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
                    if view.activities.is_empty() { <li class="muted">{ "No activities for this deal." }</li> }
                </ul>
            },
            Tab::Communications => html! {
                <ul class="feed" data-testid="deal-communications">
                    { for view.communications.iter().map(|communication| html! {
                        <li class="feed-item">
                            <span class="badge">{ communication.communication_type.label() }</span>
                            <span class="feed-title">{ communication.subject.clone().unwrap_or_else(|| communication.notes.chars().take(80).collect()) }</span>
                            <span class="muted feed-time">{ format::date(communication.occurred_at.date_naive()) }</span>
                        </li>
                    }) }
                    if view.communications.is_empty() { <li class="muted">{ "Nothing logged for this deal yet." }</li> }
                </ul>
            },
            Tab::Sales => html! {
                <table class="table" data-testid="deal-sales">
                    <thead><tr><th>{ "Type" }</th><th>{ "Number" }</th><th>{ "Status" }</th><th>{ "Issued" }</th><th class="number">{ "Total" }</th><th class="number">{ "Paid" }</th></tr></thead>
                    <tbody>{ sales_rows(&view.sales_documents) }</tbody>
                </table>
            },
            Tab::Files => files(&app, id, &view.attachments, reload.clone()),
            Tab::History => html! {
                <section class="card"><RecordHistory kind={RecordKind::Deal} id={RecordId::from(id)} /></section>
            },
        };
        let open_customer = view.customer.as_ref().map(|customer| {
            (
                customer.name.clone(),
                app.navigate_callback(Route::Customer(customer.id)),
            )
        });
        let status_class = match deal.status {
            DealStatus::Won => "badge badge-active",
            DealStatus::Lost => "badge badge-inactive",
            _ => "badge",
        };
        html! {
            <>
                <section class="card deal-header" data-testid="deal-header" data-deal-id={deal.id.to_string()}>
                    <div class="deal-summary">
                        <p class="deal-value">{ format::money(deal.amount, &deal.currency_code) }</p>
                        <p class="muted">
                            <span class={status_class}>{ deal.status.label() }</span>
                            { format!(" · {} · {}%", stage_name(view.pipeline.as_ref(), deal.stage_id), deal.probability) }
                        </p>
                        if let Some((name, onclick)) = open_customer {
                            <p><button type="button" class="link" {onclick} data-testid="deal-customer">{ name }</button></p>
                        }
                    </div>
                    if deal.status == DealStatus::Open && !stages.is_empty() {
                        <div class="field">
                            <label for="deal-stage">{ "Stage" }</label>
                            <select id="deal-stage" data-testid="deal-stage" onchange={on_stage}>
                                { for stages.iter().map(|(stage_id, stage)| html! {
                                    <option value={stage_id.to_string()} selected={deal.stage_id == Some(*stage_id)}>{ stage.name.clone() }</option>
                                }) }
                            </select>
                        </div>
                    }
                </section>
                <div class="tabs" role="tablist" aria-label="Deal">{ for tabs }</div>
                <div role="tabpanel" class="tab-panel" data-testid="deal-panel">{ panel }</div>
            </>
        }
    });
    let body = gone_page(&view, "deal", Route::Deals).unwrap_or(body);
    html! {
        <>
            <PageHeader title={AttrValue::from(title)} subtitle="Deal" />
            <div class="page-body">{ body }</div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_members_are_named_from_the_directory() {
        let known: UserId = "0190a6a4-0000-7000-8000-000000000001"
            .parse()
            .expect("an id");
        let unknown: UserId = "0190a6a4-0000-7000-8000-000000000002"
            .parse()
            .expect("an id");
        let directory: HashMap<UserId, String> = [(known, "Ana Diaz".to_owned())].into();
        assert_eq!(
            names_of(&[known, unknown], &directory),
            "Ana Diaz, a colleague"
        );
        assert_eq!(names_of(&[], &directory), "—");
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(file_size(900), "900 B");
        assert_eq!(file_size(512 * 1024), "512 KB");
        assert_eq!(file_size(2_516_582), "2.4 MB");
    }
}
