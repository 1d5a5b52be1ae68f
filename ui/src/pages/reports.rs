//! Reports (spec §3.8): the sales funnel, the forecast, won and lost deals, lead sources,
//! activities, revenue by segment and top customers, each over a date range, drawn as a chart
//! with its table under it, and exported as CSV (the protocol's `ToTable`, so the file and
//! the screen hold the same rows).

use chrono::{Datelike, Duration, NaiveDate};
use crm_model::Currency;
use crm_protocol::ipc::{
    DateRange, GetActivitySummary, GetDealForecast, GetLeadSources, GetRevenueBySegment,
    GetSalesFunnel, GetSettings, GetTopCustomers, GetWonLost, ListPipelines, SalesFunnelRequest,
    SaveCsv, SaveCsvRequest, Segment, SegmentRequest, Table, TopCustomersRequest,
};
use crm_protocol::reports::ToTable as _;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{BarChart, BarGroup, FunnelChart, FunnelStep, PageHeader, SelectField};
use crate::format;
use crate::hooks::{AppContext, Load, loading, use_app, use_command};
use crate::ipc;
use crate::pages::dashboard::this_month;

/// The reports, in the order of their tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Report {
    Funnel,
    Forecast,
    WonLost,
    LeadSources,
    Activities,
    Segments,
    TopCustomers,
}

impl Report {
    pub(crate) const ALL: [Report; 7] = [
        Report::Funnel,
        Report::Forecast,
        Report::WonLost,
        Report::LeadSources,
        Report::Activities,
        Report::Segments,
        Report::TopCustomers,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Report::Funnel => "Sales funnel",
            Report::Forecast => "Forecast",
            Report::WonLost => "Won / lost",
            Report::LeadSources => "Lead sources",
            Report::Activities => "Activities",
            Report::Segments => "Revenue by segment",
            Report::TopCustomers => "Top customers",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Report::Funnel => "funnel",
            Report::Forecast => "forecast",
            Report::WonLost => "won-lost",
            Report::LeadSources => "lead-sources",
            Report::Activities => "activities",
            Report::Segments => "segments",
            Report::TopCustomers => "top-customers",
        }
    }
}

/// The date-range presets of the range picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Preset {
    ThisMonth,
    LastThreeMonths,
    ThisYear,
    LastTwelveMonths,
}

impl Preset {
    const ALL: [Preset; 4] = [
        Preset::ThisMonth,
        Preset::LastThreeMonths,
        Preset::ThisYear,
        Preset::LastTwelveMonths,
    ];

    fn label(self) -> &'static str {
        match self {
            Preset::ThisMonth => "This month",
            Preset::LastThreeMonths => "Last 3 months",
            Preset::ThisYear => "This year",
            Preset::LastTwelveMonths => "Last 12 months",
        }
    }

    pub(crate) fn range(self, today: NaiveDate) -> DateRange {
        match self {
            Preset::ThisMonth => this_month(today),
            Preset::LastThreeMonths => {
                let month = this_month(today);
                let mut from = month.from;
                for _ in 0..2 {
                    from = this_month(from - Duration::days(1)).from;
                }
                DateRange { from, to: month.to }
            }
            Preset::ThisYear => DateRange {
                from: NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                to: NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
            },
            Preset::LastTwelveMonths => DateRange {
                from: today - Duration::days(364),
                to: today,
            },
        }
    }
}

/// A CSV file name for a report over a range: `won-lost-2026-01-01-to-2026-03-31.csv`.
pub(crate) fn file_name(report: Report, range: DateRange) -> String {
    format!("{}-{}-to-{}.csv", report.slug(), range.from, range.to)
}

/// Whether a table column holds money (its cells are printed as amounts).
fn is_money_column(header: &str) -> bool {
    header.contains("value") || header.contains("invoices")
}

/// A report's table as the screen shows it: amounts in the tenant's currency, numbers
/// right-aligned.
fn table_view(table: &Table, currency: &Currency) -> Html {
    let money: Vec<bool> = table
        .header
        .iter()
        .map(|header| is_money_column(header))
        .collect();
    let numeric = |cell: &str| !cell.is_empty() && cell.parse::<f64>().is_ok();
    html! {
        <table class="table compact" data-testid="report-table">
            <thead><tr>{ for table.header.iter().map(|header| html! { <th>{ header.clone() }</th> }) }</tr></thead>
            <tbody>
                { for table.rows.iter().map(|row| html! {
                    <tr>
                        { for row.iter().enumerate().map(|(index, cell)| {
                            let text = match cell.parse::<f64>() {
                                Ok(value) if money.get(index).copied().unwrap_or(false) => {
                                    format::money(crm_model::Amount::from_decimal(value), currency)
                                }
                                _ => cell.clone(),
                            };
                            html! { <td class={classes!(numeric(cell).then_some("number"))}>{ text }</td> }
                        }) }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// Saves `table` as CSV where the user picks, and says where it went.
fn export(app: &AppContext, file_name: String, table: Table) -> Callback<MouseEvent> {
    let app = app.clone();
    Callback::from(move |_: MouseEvent| {
        let app = app.clone();
        let request = SaveCsvRequest {
            file_name: file_name.clone(),
            table: table.clone(),
        };
        spawn_local(async move {
            match ipc::call::<SaveCsv>(&request).await {
                Ok(Some(path)) => app.success(format!("Saved {path}")),
                Ok(None) => {}
                Err(error) => {
                    app.error(format!("The report could not be saved: {}", error.message))
                }
            }
        });
    })
}

#[derive(Properties, PartialEq)]
struct ReportProps {
    range: DateRange,
    currency: Currency,
}

/// A report's toolbar (its own controls and the export button), chart and table.
fn report_view(
    app: &AppContext,
    report: Report,
    props: &ReportProps,
    table: Table,
    chart: Html,
    controls: Html,
) -> Html {
    let empty = table.rows.is_empty();
    html! {
        <>
            <div class="report-toolbar">
                { controls }
                <button type="button" class="button" data-testid="report-export"
                    onclick={export(app, file_name(report, props.range), table.clone())}>{ "Export CSV" }</button>
            </div>
            if empty {
                <p class="muted" data-testid="report-empty">{ "Nothing in this period." }</p>
            } else {
                { chart }
                { table_view(&table, &props.currency) }
            }
        </>
    }
}

fn series(names: &[&'static str]) -> Vec<AttrValue> {
    names.iter().map(|name| AttrValue::Static(name)).collect()
}

#[component]
fn FunnelReport(props: &ReportProps) -> Html {
    let app = use_app();
    let pipeline = use_state(|| None);
    let range = props.range;
    let funnel = use_command::<GetSalesFunnel, _>(
        SalesFunnelRequest {
            pipeline_id: *pipeline,
            range,
        },
        (range, *pipeline, app.data_version),
    );
    let pipelines = use_command::<ListPipelines, _>((), app.data_version);
    let options: Vec<(AttrValue, AttrValue)> = match &*pipelines {
        Load::Loaded(list) => list
            .iter()
            .map(|pipeline| {
                (
                    AttrValue::from(pipeline.id.to_string()),
                    AttrValue::from(pipeline.name.clone()),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let on_pipeline = {
        let pipeline = pipeline.clone();
        Callback::from(move |value: String| pipeline.set(value.parse().ok()))
    };
    let value = pipeline
        .map(|id| id.to_string())
        .or_else(|| options.first().map(|(id, _)| id.to_string()))
        .unwrap_or_default();
    let currency = &props.currency;
    loading(&funnel, "funnel", |stages| {
        let steps: Vec<FunnelStep> = stages
            .iter()
            .map(|stage| FunnelStep {
                label: stage.stage.clone(),
                value: stage.value.to_decimal().max(stage.deals as f64),
                caption: format!(
                    "{} · {}",
                    stage.deals,
                    format::money_compact(stage.value, currency)
                ),
            })
            .collect();
        report_view(
            &app,
            Report::Funnel,
            props,
            stages.to_table(),
            html! { <FunnelChart {steps} title="Open deals and their value by stage" /> },
            html! { <SelectField id="report-pipeline" label="Pipeline" {options} value={AttrValue::from(value)} on_change={on_pipeline} /> },
        )
    })
}

#[component]
fn ForecastReport(props: &ReportProps) -> Html {
    let app = use_app();
    let forecast = use_command::<GetDealForecast, _>(props.range, (props.range, app.data_version));
    loading(&forecast, "forecast", |forecast| {
        let groups: Vec<BarGroup> = forecast
            .by_month
            .iter()
            .map(|row| BarGroup {
                label: format::month_label(&row.label),
                values: vec![row.value.to_decimal(), row.weighted_value.to_decimal()],
                caption: format::money_compact(row.value, &props.currency),
            })
            .collect();
        report_view(
            &app,
            Report::Forecast,
            props,
            forecast.to_table(),
            html! { <BarChart natural=true {groups} series={series(&["Value", "Weighted"])} title="Open deals by expected close month" /> },
            html! {},
        )
    })
}

#[component]
fn WonLostReport(props: &ReportProps) -> Html {
    let app = use_app();
    let won_lost = use_command::<GetWonLost, _>(props.range, (props.range, app.data_version));
    loading(&won_lost, "won and lost deals", |won_lost| {
        let mut groups = vec![BarGroup {
            label: "All deals".into(),
            values: vec![won_lost.won as f64, won_lost.lost as f64],
            caption: format!("{:.0}% won", won_lost.win_rate),
        }];
        groups.extend(
            won_lost
                .lost_reasons
                .iter()
                .map(|(reason, deals, _)| BarGroup {
                    label: reason.clone(),
                    values: vec![0.0, *deals as f64],
                    caption: deals.to_string(),
                }),
        );
        report_view(
            &app,
            Report::WonLost,
            props,
            won_lost.to_table(),
            html! { <BarChart natural=true {groups} series={series(&["Won", "Lost"])} title="Won and lost deals, and why deals were lost" /> },
            html! {},
        )
    })
}

#[component]
fn LeadSourcesReport(props: &ReportProps) -> Html {
    let app = use_app();
    let sources = use_command::<GetLeadSources, _>(props.range, (props.range, app.data_version));
    loading(&sources, "lead sources", |sources| {
        let groups: Vec<BarGroup> = sources
            .iter()
            .map(|row| BarGroup {
                label: row.source.clone(),
                values: vec![row.leads as f64, row.converted as f64],
                caption: format!("{:.0}%", row.conversion_rate),
            })
            .collect();
        report_view(
            &app,
            Report::LeadSources,
            props,
            sources.to_table(),
            html! { <BarChart natural=true {groups} series={series(&["Leads", "Converted"])} title="Leads and conversions by source" /> },
            html! {},
        )
    })
}

#[component]
fn ActivitiesReport(props: &ReportProps) -> Html {
    let app = use_app();
    let summary =
        use_command::<GetActivitySummary, _>(props.range, (props.range, app.data_version));
    loading(&summary, "activities", |summary| {
        let groups: Vec<BarGroup> = summary
            .by_type
            .iter()
            .map(|(kind, total, done)| BarGroup {
                label: kind.clone(),
                values: vec![*total as f64, *done as f64],
                caption: total.to_string(),
            })
            .collect();
        report_view(
            &app,
            Report::Activities,
            props,
            summary.to_table(),
            html! { <BarChart natural=true {groups} series={series(&["Due", "Completed"])} title="Activities due and completed by type" /> },
            html! {},
        )
    })
}

#[component]
fn SegmentsReport(props: &ReportProps) -> Html {
    let app = use_app();
    let segment = use_state(|| Segment::Industry);
    let rows = use_command::<GetRevenueBySegment, _>(
        SegmentRequest {
            segment: *segment,
            range: props.range,
        },
        (props.range, *segment, app.data_version),
    );
    let on_segment = {
        let segment = segment.clone();
        Callback::from(move |value: String| {
            if let Some(parsed) = Segment::parse(&value) {
                segment.set(parsed);
            }
        })
    };
    let options: Vec<(AttrValue, AttrValue)> = Segment::ALL
        .iter()
        .map(|segment| {
            (
                AttrValue::from(segment.as_str()),
                AttrValue::from(segment.label()),
            )
        })
        .collect();
    loading(&rows, "revenue by segment", |rows| {
        let groups: Vec<BarGroup> = rows
            .iter()
            .map(|row| BarGroup {
                label: row.segment.clone(),
                values: vec![row.won_value.to_decimal()],
                caption: format::money_compact(row.won_value, &props.currency),
            })
            .collect();
        report_view(
            &app,
            Report::Segments,
            props,
            rows.to_table(),
            html! { <BarChart natural=true {groups} series={series(&["Won value"])} title="Won value by customer segment" /> },
            html! { <SelectField id="report-segment" label="Group by" {options} value={AttrValue::from(segment.as_str())} on_change={on_segment} /> },
        )
    })
}

#[component]
fn TopCustomersReport(props: &ReportProps) -> Html {
    let app = use_app();
    let top = use_command::<GetTopCustomers, _>(
        TopCustomersRequest {
            range: props.range,
            limit: 10,
        },
        (props.range, app.data_version),
    );
    loading(&top, "top customers", |rows| {
        let groups: Vec<BarGroup> = rows
            .iter()
            .map(|row| BarGroup {
                label: row.customer.name.clone(),
                values: vec![row.won_value.to_decimal(), row.paid_invoices.to_decimal()],
                caption: format::money_compact(row.won_value, &props.currency),
            })
            .collect();
        report_view(
            &app,
            Report::TopCustomers,
            props,
            rows.to_table(),
            html! { <BarChart natural=true {groups} series={series(&["Won value", "Paid invoices"])} title="Customers by won value" /> },
            html! {},
        )
    })
}

#[component]
pub(crate) fn ReportsPage() -> Html {
    let app = use_app();
    let report = use_state(|| Report::Funnel);
    let range = use_state(|| Preset::ThisYear.range(app.today));
    let settings = use_command::<GetSettings, _>((), app.data_version);
    let currency = match &*settings {
        Load::Loaded(settings) => settings.default_currency.clone(),
        _ => Currency::usd(),
    };
    let on_from = {
        let range = range.clone();
        Callback::from(move |event: Event| {
            let value = event
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            if let Ok(from) = value.parse::<NaiveDate>() {
                range.set(DateRange {
                    from,
                    to: range.to.max(from),
                });
            }
        })
    };
    let on_to = {
        let range = range.clone();
        Callback::from(move |event: Event| {
            let value = event
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            if let Ok(to) = value.parse::<NaiveDate>() {
                range.set(DateRange {
                    from: range.from.min(to),
                    to,
                });
            }
        })
    };
    let presets = Preset::ALL.iter().map(|preset| {
        let chosen = preset.range(app.today) == *range;
        let onclick = {
            let range = range.clone();
            let target = preset.range(app.today);
            Callback::from(move |_: MouseEvent| range.set(target))
        };
        html! {
            <button type="button" class={classes!("chip", chosen.then_some("active"))} aria-pressed={chosen.to_string()} {onclick}>
                { preset.label() }
            </button>
        }
    });
    let tabs = Report::ALL.iter().map(|tab| {
        let selected = *tab == *report;
        let onclick = {
            let report = report.clone();
            let tab = *tab;
            Callback::from(move |_: MouseEvent| report.set(tab))
        };
        html! {
            <button type="button" role="tab" class={classes!("tab", selected.then_some("active"))}
                aria-selected={selected.to_string()} data-testid={format!("report-tab-{}", tab.slug())} {onclick}>
                { tab.label() }
            </button>
        }
    });
    html! {
        <>
            <PageHeader title="Reports" subtitle={AttrValue::from(format!(
                "{} – {}", format::date(range.from), format::date(range.to)))} />
            <div class="page-body">
                <section class="card">
                    <div class="filters report-range">
                        <div class="field">
                            <label for="report-from">{ "From" }</label>
                            <input id="report-from" data-testid="report-from" type="date" value={range.from.to_string()} onchange={on_from} />
                        </div>
                        <div class="field">
                            <label for="report-to">{ "To" }</label>
                            <input id="report-to" data-testid="report-to" type="date" value={range.to.to_string()} onchange={on_to} />
                        </div>
                        <div class="chips" role="group" aria-label="Date range presets">{ for presets }</div>
                    </div>
                    <div class="tabs" role="tablist" aria-label="Reports">{ for tabs }</div>
                    <div role="tabpanel" class="report-body" data-testid="report-body" data-report={report.slug()}>
                        { match *report {
                            Report::Funnel => html! { <FunnelReport range={*range} {currency} /> },
                            Report::Forecast => html! { <ForecastReport range={*range} {currency} /> },
                            Report::WonLost => html! { <WonLostReport range={*range} {currency} /> },
                            Report::LeadSources => html! { <LeadSourcesReport range={*range} {currency} /> },
                            Report::Activities => html! { <ActivitiesReport range={*range} {currency} /> },
                            Report::Segments => html! { <SegmentsReport range={*range} {currency} /> },
                            Report::TopCustomers => html! { <TopCustomersReport range={*range} {currency} /> },
                        } }
                    </div>
                </section>
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
    fn presets_cover_whole_months_and_years() {
        let today = day("2026-11-24");
        let three = Preset::LastThreeMonths.range(today);
        assert_eq!(
            (three.from, three.to),
            (day("2026-09-01"), day("2026-11-30"))
        );
        let year = Preset::ThisYear.range(today);
        assert_eq!((year.from, year.to), (day("2026-01-01"), day("2026-12-31")));
        let january = Preset::LastThreeMonths.range(day("2026-01-15"));
        assert_eq!(january.from, day("2025-11-01"));
        assert_eq!(
            Preset::LastTwelveMonths.range(today).from,
            day("2025-11-25")
        );
    }

    #[test]
    fn export_names_say_report_and_range() {
        let range = DateRange {
            from: day("2026-01-01"),
            to: day("2026-03-31"),
        };
        assert_eq!(
            file_name(Report::WonLost, range),
            "won-lost-2026-01-01-to-2026-03-31.csv"
        );
        assert!(is_money_column("won value") && !is_money_column("deals"));
    }
}
