//! The dashboard (spec §3.2): stat cards with trends against the previous period, the sales
//! funnel and the forecast by month as charts, recent communications, upcoming tasks with the
//! overdue ones highlighted, top customers and hot leads.

use chrono::{Datelike, Duration, NaiveDate};
use crm_model::{Activity, Currency};
use crm_protocol::ipc::{
    ActivityGroups, ActivityGroupsRequest, ActivityScope, CommunicationQuery, DashboardStats,
    DashboardStatsRequest, DateRange, GetActivityGroups, GetDashboardStats, GetDealForecast,
    GetHotLeads, GetSalesFunnel, GetTopCustomers, ListCommunications, ListPipelines,
    SalesFunnelRequest, TopCustomersRequest,
};
use crm_protocol::query::{Paging, SortOrder};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::palette::load_demo_data;
use crate::components::{BarChart, BarGroup, FunnelChart, FunnelStep, PageHeader};
use crate::format::{self, Trend};
use crate::hooks::{Load, loading, use_app, use_command};
use crate::route::Route;

/// The calendar month of `today`.
pub(crate) fn this_month(today: NaiveDate) -> DateRange {
    let from = today.with_day(1).unwrap_or(today);
    let next = if from.month() == 12 {
        NaiveDate::from_ymd_opt(from.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(from.year(), from.month() + 1, 1)
    };
    DateRange {
        from,
        to: next.map_or(today, |next| next - Duration::days(1)),
    }
}

/// This month and the five after it: the forecast's window.
fn next_six_months(today: NaiveDate) -> DateRange {
    let month = this_month(today);
    let mut to = month.to;
    for _ in 0..5 {
        to = this_month(to + Duration::days(1)).to;
    }
    DateRange {
        from: month.from,
        to,
    }
}

#[derive(Properties, PartialEq)]
struct StatCardProps {
    title: AttrValue,
    value: String,
    detail: String,
    /// (now, previous period) for the arrow.
    #[prop_or_default]
    trend: Option<(f64, f64)>,
    testid: AttrValue,
}

#[component]
fn StatCard(props: &StatCardProps) -> Html {
    let trend = props.trend.map(|(now, before)| {
        let direction = Trend::of(now, before);
        html! {
            <p class={classes!("stat-trend", direction.class())} data-testid="stat-trend">
                { format::change(now, before) }
            </p>
        }
    });
    html! {
        <section class="card stat-card" data-testid={props.testid.clone()}>
            <h2 class="stat-title">{ props.title.clone() }</h2>
            <p class="stat-value">{ props.value.clone() }</p>
            <p class="stat-detail muted">{ props.detail.clone() }</p>
            { for trend }
        </section>
    }
}

fn stat_cards(stats: &DashboardStats) -> Html {
    let usd = Currency::usd();
    let previous = stats.previous.as_deref().cloned().unwrap_or_default();
    let active_leads = stats.leads.new + stats.leads.qualified;
    html! {
        <div class="stat-grid">
            <StatCard title="Total customers" testid="stat-customers"
                value={format::thousands(stats.customers.total as i64)}
                detail={format!("{} active · {} new this month", stats.customers.active, stats.customers.new_this_month)}
                trend={Some((stats.customers.new_this_month as f64, previous.customers.new_this_month as f64))} />
            <StatCard title="Active leads" testid="stat-leads"
                value={format::thousands(active_leads as i64)}
                detail={format!("{} new · {} qualified", stats.leads.new, stats.leads.qualified)} />
            <StatCard title="Open deals" testid="stat-deals"
                value={format::thousands(stats.deals.open as i64)}
                detail={format!("of {} deals", stats.deals.total)} />
            <StatCard title="Pipeline value" testid="stat-pipeline"
                value={format::money_compact(stats.deals.value, &usd)}
                detail={format!("{} weighted", format::money_compact(stats.deals.weighted_value, &usd))} />
            <StatCard title="Won this month" testid="stat-won"
                value={format::money_compact(stats.deals.won_value, &usd)}
                detail={format!("{} deals won", stats.deals.won_this_month)}
                trend={Some((stats.deals.won_value.to_decimal(), previous.deals.won_value.to_decimal()))} />
            <StatCard title="Conversion" testid="stat-conversion"
                value={format!("{:.1}%", stats.conversion_rate)}
                detail={format!("{} pending tasks · {} overdue", stats.activities.pending, stats.activities.overdue)}
                trend={Some((stats.conversion_rate, previous.conversion_rate))} />
        </div>
    }
}

fn task_row(activity: &Activity, today: NaiveDate, on_open: Callback<Activity>) -> Html {
    let overdue = activity.due_date.is_some_and(|due| due < today);
    let due = activity
        .due_date
        .map_or_else(|| "No date".to_owned(), |day| format::due(day, today));
    let open = {
        let activity = activity.clone();
        on_open.reform(move |_: MouseEvent| activity.clone())
    };
    html! {
        <li class={classes!("task-row", overdue.then_some("overdue"))} data-testid="upcoming-task">
            <span class={classes!("badge", format!("priority-{}", activity.priority.as_str().to_lowercase()))}>
                { activity.priority.label() }
            </span>
            <button type="button" class="link task-subject" onclick={open}>{ activity.subject.clone() }</button>
            <span class={classes!("task-due", overdue.then_some("overdue-text"))}>{ due }</span>
        </li>
    }
}

fn upcoming(groups: &ActivityGroups, today: NaiveDate, on_open: Callback<Activity>) -> Html {
    let tasks: Vec<&Activity> = groups
        .overdue
        .iter()
        .chain(&groups.today)
        .chain(&groups.this_week)
        .chain(&groups.later)
        .take(8)
        .collect();
    if tasks.is_empty() {
        return html! { <p class="muted">{ "Nothing due. Enjoy the calm." }</p> };
    }
    html! {
        <>
            if !groups.overdue.is_empty() {
                <p class="banner banner-error compact" data-testid="overdue-count">
                    { format!("{} overdue", format::thousands(groups.counts.overdue as i64)) }
                </p>
            }
            <ul class="task-list">
                { for tasks.into_iter().map(|activity| task_row(activity, today, on_open.clone())) }
            </ul>
        </>
    }
}

#[component]
pub(crate) fn DashboardPage() -> Html {
    let app = use_app();
    let today = app.today;
    let month = this_month(today);
    let year = DateRange {
        from: today - Duration::days(364),
        to: today,
    };
    let version = app.data_version;
    let stats = use_command::<GetDashboardStats, _>(
        DashboardStatsRequest {
            range: month,
            today,
        },
        version,
    );
    let funnel = use_command::<GetSalesFunnel, _>(
        SalesFunnelRequest {
            pipeline_id: None,
            range: month,
        },
        version,
    );
    let forecast = use_command::<GetDealForecast, _>(next_six_months(today), version);
    let groups = use_command::<GetActivityGroups, _>(
        ActivityGroupsRequest {
            scope: ActivityScope::All,
            today,
            // The card shows eight; the overdue count comes from the counts.
            limit: Some(8),
        },
        version,
    );
    let recent = use_command::<ListCommunications, _>(
        CommunicationQuery {
            paging: Paging {
                sort_by: Some("occurredAt".into()),
                sort_order: Some(SortOrder::Desc),
                limit: 6,
                with_total: false,
                ..Paging::default()
            },
            ..CommunicationQuery::default()
        },
        version,
    );
    let top = use_command::<GetTopCustomers, _>(
        TopCustomersRequest {
            range: year,
            limit: 5,
        },
        version,
    );
    let hot = use_command::<GetHotLeads, _>(6, version);
    let pipelines = use_command::<ListPipelines, _>((), version);
    // The funnel shows open deals, so the won and lost stages (always empty there) are left out.
    let closed_stages: Vec<String> = match &*pipelines {
        Load::Loaded(list) => list
            .iter()
            .filter(|pipeline| pipeline.is_default)
            .flat_map(|pipeline| pipeline.stages.values())
            .filter(|stage| stage.is_closed())
            .map(|stage| stage.name.clone())
            .collect(),
        _ => Vec::new(),
    };
    let usd = Currency::usd();

    let empty = matches!(&*stats, Load::Loaded(stats) if stats.customers.total == 0 && stats.leads.total == 0);
    let load_demo = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| spawn_local(load_demo_data(app.clone())))
    };
    let open_activity = {
        let app = app.clone();
        Callback::from(move |activity: Activity| match activity.customer_id {
            Some(customer) => app.navigate(Route::Customer(customer)),
            None => app.navigate(Route::Activities),
        })
    };

    html! {
        <>
            <PageHeader title="Dashboard" subtitle={AttrValue::from(format!(
                "{} – {}", format::date(month.from), format::date(month.to)))} />
            <div class="page-body dashboard">
                if empty {
                    <section class="card empty-state" data-testid="dashboard-empty">
                        <p class="empty-title">{ "Your CRM is empty" }</p>
                        <p class="muted">{ "Add a customer, or load a realistic demo company to look around." }</p>
                        <button type="button" class="button primary" onclick={load_demo} data-testid="load-demo">
                            { "Load demo data" }
                        </button>
                    </section>
                }
                { loading(&stats, "stats", stat_cards) }
                <div class="grid-2">
                    <section class="card">
                        <h2 class="card-title">{ "Sales funnel" }</h2>
                        { loading(&funnel, "funnel", |stages| {
                            let steps: Vec<FunnelStep> = stages.iter().filter(|stage| !closed_stages.contains(&stage.stage)).map(|stage| FunnelStep {
                                label: stage.stage.clone(),
                                value: stage.value.to_decimal().max(stage.deals as f64),
                                caption: format!("{} · {}", stage.deals, format::money_compact(stage.value, &usd)),
                            }).collect();
                            html! { <FunnelChart {steps} title="Open deals by stage" /> }
                        }) }
                    </section>
                    <section class="card">
                        <h2 class="card-title">{ "Forecast by month" }</h2>
                        { loading(&forecast, "forecast", |forecast| {
                            let groups: Vec<BarGroup> = forecast.by_month.iter().map(|row| BarGroup {
                                label: format::month_label(&row.label),
                                values: vec![row.value.to_decimal(), row.weighted_value.to_decimal()],
                                caption: format::money_compact(row.value, &usd),
                            }).collect();
                            if groups.is_empty() {
                                html! { <p class="muted">{ "No open deals expected to close in the next six months." }</p> }
                            } else {
                                html! { <BarChart {groups} series={vec![AttrValue::from("Value"), AttrValue::from("Weighted")]}
                                    title="Expected value by close month" /> }
                            }
                        }) }
                    </section>
                </div>
                <div class="grid-2">
                    <section class="card">
                        <h2 class="card-title">{ "Recent activity" }</h2>
                        { loading(&recent, "recent activity", |page| html! {
                            <ul class="feed">
                                { for page.data.iter().map(|communication| html! {
                                    <li class="feed-item">
                                        <span class="badge">{ communication.communication_type.label() }</span>
                                        <span class="feed-title">{ communication.subject.clone().unwrap_or_else(|| communication.notes.chars().take(60).collect()) }</span>
                                        <span class="muted feed-time">{ format::date(communication.occurred_at.date_naive()) }</span>
                                    </li>
                                }) }
                            </ul>
                        }) }
                    </section>
                    <section class="card" data-testid="upcoming-tasks">
                        <h2 class="card-title">{ "Upcoming tasks" }</h2>
                        { loading(&groups, "tasks", |groups| upcoming(groups, today, open_activity.clone())) }
                    </section>
                </div>
                <div class="grid-2">
                    <section class="card" data-testid="top-customers">
                        <h2 class="card-title">{ "Top customers · last 12 months" }</h2>
                        { loading(&top, "top customers", |top| {
                            if top.is_empty() {
                                return html! { <p class="muted">{ "No deals won in the last 12 months yet." }</p> };
                            }
                            html! {
                                <table class="table compact">
                                    <thead><tr><th>{ "Customer" }</th><th class="number">{ "Won" }</th><th class="number">{ "Paid invoices" }</th></tr></thead>
                                    <tbody>
                                        { for top.iter().map(|row| {
                                            let id = row.customer.id;
                                            let app = app.clone();
                                            let open = Callback::from(move |_: MouseEvent| app.navigate(Route::Customer(id)));
                                            html! {
                                                <tr>
                                                    <td><button type="button" class="link" onclick={open}>{ row.customer.name.clone() }</button></td>
                                                    <td class="number">{ format::money(row.won_value, &row.customer.currency_code) }</td>
                                                    <td class="number">{ format::money(row.paid_invoices, &row.customer.currency_code) }</td>
                                                </tr>
                                            }
                                        }) }
                                    </tbody>
                                </table>
                            }
                        }) }
                    </section>
                    <section class="card" data-testid="hot-leads">
                        <h2 class="card-title">{ "Hot leads" }</h2>
                        { loading(&hot, "hot leads", |leads| {
                            if leads.is_empty() {
                                return html! { <p class="muted">{ "No hot leads right now." }</p> };
                            }
                            html! {
                                <ul class="feed">
                                    { for leads.iter().map(|lead| {
                                        let id = lead.id;
                                        let app = app.clone();
                                        let open = Callback::from(move |_: MouseEvent| app.navigate(Route::Lead(id)));
                                        html! {
                                            <li class="feed-item">
                                                <span class="score-pill">{ lead.lead_score }</span>
                                                <button type="button" class="link feed-title" onclick={open}>{ lead.name.clone() }</button>
                                                <span class="muted">{ lead.company.clone().unwrap_or_default() }</span>
                                            </li>
                                        }
                                    }) }
                                </ul>
                            }
                        }) }
                    </section>
                </div>
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn the_month_and_the_forecast_window() {
        let cases = [
            ("2026-02-10", "2026-02-01", "2026-02-28", "2026-07-31"),
            ("2026-12-31", "2026-12-01", "2026-12-31", "2027-05-31"),
            ("2028-02-29", "2028-02-01", "2028-02-29", "2028-07-31"),
        ];
        for (today, from, to, forecast_to) in cases {
            let month = this_month(day(today));
            assert_eq!((month.from, month.to), (day(from), day(to)), "{today}");
            assert_eq!(next_six_months(day(today)).to, day(forecast_to), "{today}");
        }
    }
}
