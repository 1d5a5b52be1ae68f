//! The workflows issue's budgets on the generated tenant: dashboard stats, each report over a
//! year, lead conversion, a merge of two customers with 50 related records each, the duplicate
//! scan, and CSV import throughput. Every figure runs the real operation on the real store; the
//! records a measured operation consumes (leads to convert, pairs to merge) are made beforehand.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use crm_core::Segment;
use crm_core::Store;
use crm_model::{Actor, Customer, CustomerId, LeadStatus};
use crm_protocol::query::{LeadQuery, Paging};
use crm_protocol::reports::DateRange;
use crm_protocol::transfer::{ImportKind, ImportMode, ImportOptions};
use crm_protocol::workflows::ConvertLead;
use serde_json::{Map, Value as Json, json};

use crate::cases::Fixture;
use crate::measure::{Timing, measure};
use crate::report::{Report, WORKFLOW};

/// Rows of the CSV file imported for the throughput figure.
const IMPORT_ROWS: usize = 5_000;
/// Records each side of a measured merge carries.
const MERGE_RELATED: usize = 50;

pub(crate) fn run(
    store: &mut Store,
    fixture: &Fixture,
    iterations: usize,
    report: &mut Report,
) -> Result<()> {
    let actor = store.actor();
    let today = fixture.today;
    let month = DateRange {
        from: today - Duration::days(29),
        to: today,
    };
    let year = DateRange {
        from: today - Duration::days(364),
        to: today,
    };

    let timing = measure(iterations, |_| {
        store.dashboard_stats(month, today).map(drop)?;
        Ok(())
    })?;
    case(
        report,
        "dashboard stats, last 30 days, with the previous period",
        30.0,
        timing,
    );

    let pipeline = fixture.pipeline;
    let reports: Vec<(&str, ReportRun)> = vec![
        (
            "sales funnel",
            Box::new(move |s: &Store| Ok(s.sales_funnel(pipeline, year).map(drop)?)),
        ),
        (
            "forecast by stage and month",
            Box::new(move |s: &Store| Ok(s.deal_forecast(year).map(drop)?)),
        ),
        (
            "won / lost analysis",
            Box::new(move |s: &Store| Ok(s.won_lost(year).map(drop)?)),
        ),
        (
            "lead-source performance",
            Box::new(move |s: &Store| Ok(s.lead_sources(year).map(drop)?)),
        ),
        (
            "activity summary",
            Box::new(move |s: &Store| Ok(s.activity_summary(year).map(drop)?)),
        ),
        (
            "revenue by segment (industry)",
            Box::new(move |s: &Store| {
                Ok(s.revenue_by_segment(Segment::Industry, year).map(drop)?)
            }),
        ),
        (
            "top customers",
            Box::new(move |s: &Store| Ok(s.top_customers(year, 10).map(drop)?)),
        ),
        (
            "hot leads",
            Box::new(move |s: &Store| Ok(s.hot_leads(10).map(drop)?)),
        ),
    ];
    for (name, report_fn) in reports {
        let timing = measure(iterations, |_| report_fn(store))?;
        case(report, &format!("report over a year: {name}"), 50.0, timing);
    }

    // Lead conversion: a different open lead each run, customer + contact + deal created.
    let conversions = iterations.min(100);
    let leads = store.list_leads(&LeadQuery {
        status: Some(LeadStatus::Qualified),
        paging: Paging {
            limit: u32::try_from(conversions + 5)?,
            with_total: false,
            ..Paging::default()
        },
        ..LeadQuery::default()
    })?;
    anyhow::ensure!(
        leads.data.len() >= conversions + 5,
        "the tenant has too few qualified leads to convert"
    );
    let mut leads = leads.data.into_iter().map(|lead| lead.id);
    // As the wizard does: look for duplicates, link what exists, create the rest.
    let timing = measure(conversions, |_| {
        let lead = leads.next().context("a lead to convert")?;
        let duplicates = store.conversion_duplicates(lead)?;
        let customer_id = duplicates.customers.first().map(|customer| customer.id);
        let contact_id = duplicates.contacts.first().map(|contact| contact.id);
        let request = ConvertLead {
            create_customer: customer_id.is_none(),
            customer_id,
            create_contact: contact_id.is_none(),
            contact_id,
            create_deal: true,
            ..ConvertLead::default()
        };
        store.convert_lead(&actor, lead, &request).map(drop)?;
        Ok(())
    })?;
    case(
        report,
        "lead conversion (duplicate check, then customer, contact and deal)",
        5.0,
        timing,
    );

    // Merge: pairs of customers with 50 related records each, made beforehand.
    let merges = iterations.min(20);
    let mut pairs = Vec::with_capacity(merges + 5);
    for pair in 0..merges + 5 {
        let survivor = customer_with_related(store, &actor, &format!("Merge survivor {pair}"))?;
        let loser = customer_with_related(store, &actor, &format!("Merge duplicate {pair}"))?;
        pairs.push((survivor, loser));
    }
    let mut pairs = pairs.into_iter();
    let timing = measure(merges, |_| {
        let (survivor, loser) = pairs.next().context("a pair to merge")?;
        store.merge_customers(&actor, survivor, loser).map(drop)?;
        Ok(())
    })?;
    case(
        report,
        "merge of two customers with 50 related records each",
        20.0,
        timing,
    );

    // Duplicate scan over every customer, contact and lead.
    let timing = measure(iterations.min(5), |_| {
        store.scan_duplicates().map(drop)?;
        Ok(())
    })?;
    case(
        report,
        "duplicate scan of all customers, contacts and leads",
        2_000.0,
        timing,
    );

    // CSV import throughput: a Salesforce-shaped accounts export, created in batches.
    let csv = accounts_csv(IMPORT_ROWS);
    let options = ImportOptions {
        kind: Some(ImportKind::Customers),
        mode: ImportMode::Create,
        ..ImportOptions::default()
    };
    let started = Instant::now();
    let imported = store.import_csv(&actor, csv.as_bytes(), &options, &mut |_| {})?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        imported.rows.len() == IMPORT_ROWS,
        "the import reported {} rows of {IMPORT_ROWS}",
        imported.rows.len()
    );
    report.throughput(
        "CSV import (customers, Salesforce headers)",
        "≥ 5,000 rows/s",
        IMPORT_ROWS,
        seconds,
        5_000.0,
    );
    Ok(())
}

/// One report, run on the store.
type ReportRun = Box<dyn Fn(&Store) -> Result<()>>;

fn case(report: &mut Report, label: &str, budget_ms: f64, timing: Timing) {
    report.case(WORKFLOW, label, budget_ms, timing, None);
}

/// A customer with `MERGE_RELATED` related records: contacts, communications and activities.
fn customer_with_related(store: &mut Store, actor: &Actor, name: &str) -> Result<CustomerId> {
    let customer: Customer = store.create(actor, &fields(json!({ "name": name })))?;
    let id = customer.id;
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).context("a date")?;
    for index in 0..MERGE_RELATED {
        match index % 3 {
            0 => {
                let _: crm_model::Contact = store.create(
                    actor,
                    &fields(json!({ "name": format!("{name} contact {index}"), "customerId": id })),
                )?;
            }
            1 => {
                let _: crm_model::Communication = store.create(
                    actor,
                    &fields(json!({ "type": "CALL", "notes": "Call", "customerId": id,
                                    "occurredAt": "2026-06-01T10:00:00Z" })),
                )?;
            }
            _ => {
                let _: crm_model::Activity = store.create(
                    actor,
                    &fields(json!({ "type": "TASK", "subject": format!("Task {index}"),
                                    "dueDate": day, "customerId": id })),
                )?;
            }
        }
    }
    Ok(id)
}

fn fields(value: Json) -> Map<String, Json> {
    match value {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}

/// `rows` accounts as Salesforce exports them, with distinct names and websites.
fn accounts_csv(rows: usize) -> String {
    let mut csv = String::from("Account Name,Website,Phone,Industry,Billing City,Type\n");
    for row in 0..rows {
        let _ = writeln!(
            csv,
            "Imported Account {row},https://imported-{row}.example.com,+1 555 {:04},Technology,Springfield,Customer",
            row % 10_000
        );
    }
    csv
}
