//! The local store's benchmark (data-model issue budgets): generates a demo tenant of
//! `--records` records through the real write path, reopens it cold, then measures warm p50/p95
//! of every list with each filter, deep cursor paging, global search, Customer 360, the
//! timeline, a durable edit and a rebuild, next to the same queries as bare SQL on plain tables.
//! Prints a markdown report (and writes it to `--out`).
//!
//! `cargo run --release -p crm-bench -- --records 100000 [--out FILE]`
//!
//! `crm-bench sync` measures the sync client against the real sync server instead
//! (`sync/`).

mod cases;
mod measure;
mod raw;
mod report;
mod sync;
mod workflows;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use crm_core::Store;
use crm_core::demo::{DemoOptions, DemoSize};
use crm_model::Customer;
use crm_protocol::query::{ActivityQuery, CommunicationQuery, ContactQuery, CustomerQuery, Paging};
use crm_protocol::views::Include;

use crate::measure::{measure, memory};
use crate::report::Report;

#[derive(Parser)]
#[command(
    about = "Benchmark the local store against the data-model issue's budgets",
    args_conflicts_with_subcommands = true
)]
struct Arguments {
    #[command(subcommand)]
    benchmark: Option<Benchmark>,
    #[command(flatten)]
    store: StoreArguments,
}

#[derive(clap::Subcommand)]
enum Benchmark {
    /// The sync client against the real sync server over loopback (issue 6's budgets).
    Sync(sync::SyncArguments),
    /// Only the rebuild of every materialized row, repeated, on a store kept in `--dir` (made
    /// once with the demo tenant): the quick loop for profiling the apply path.
    Rebuild(RebuildArguments),
}

#[derive(clap::Args)]
struct RebuildArguments {
    /// Records of the demo tenant made when the store in `--dir` is new.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Where the store is kept between runs.
    #[arg(long)]
    dir: PathBuf,
    /// Rebuilds to time.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

/// The store benchmark's options (no subcommand).
#[derive(clap::Args)]
struct StoreArguments {
    /// Records of the six main kinds, in the mix.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Also write the markdown report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Measured runs of each query (after a few warm-up runs).
    #[arg(long, default_value_t = 200)]
    iterations: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Records per write transaction while generating.
    #[arg(long, default_value_t = 1_000)]
    batch: usize,
    /// Where to put the store (default: a temporary directory, removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
}

fn main() -> Result<()> {
    let arguments = Arguments::parse();
    match &arguments.benchmark {
        Some(Benchmark::Sync(sync_arguments)) => sync::run(sync_arguments),
        Some(Benchmark::Rebuild(rebuild_arguments)) => rebuild_benchmark(rebuild_arguments),
        None => store_benchmark(&arguments.store),
    }
}

fn rebuild_benchmark(arguments: &RebuildArguments) -> Result<()> {
    std::fs::create_dir_all(&arguments.dir)?;
    let path = arguments.dir.join(crm_core::STORE_FILE_NAME);
    let new = !path.exists();
    let mut store = Store::open(&path).context("open the store")?;
    if new {
        let started = Instant::now();
        let written = crm_core::demo::generate(
            &mut store,
            &DemoSize::records(arguments.records),
            &DemoOptions::new(42),
        )?;
        eprintln!(
            "generated {written} records in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    for run in 1..=arguments.runs {
        let started = Instant::now();
        let rebuilt = store.rebuild()?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "rebuild {run}: {rebuilt} records in {seconds:.2} s ({:.0} records/s)",
            rebuilt as f64 / seconds
        );
    }
    Ok(())
}

fn store_benchmark(arguments: &StoreArguments) -> Result<()> {
    let temporary = tempfile::tempdir().context("create a temporary directory")?;
    let directory = arguments
        .dir
        .clone()
        .unwrap_or_else(|| temporary.path().to_owned());
    std::fs::create_dir_all(&directory)?;
    let store_path = directory.join(crm_core::STORE_FILE_NAME);
    let mut report = Report::new(arguments.records);

    // Bulk insert through the write path.
    let size = DemoSize::records(arguments.records);
    let mut store = Store::open(&store_path).context("open the store")?;
    let options = DemoOptions {
        seed: arguments.seed,
        batch_size: arguments.batch,
        ..DemoOptions::new(arguments.seed)
    };
    let started = Instant::now();
    let mut next_report = 0;
    let total = size.total();
    let written =
        crm_core::demo::generate_with_progress(&mut store, &size, &options, &mut |kind, done| {
            if done >= next_report {
                eprintln!(
                    "  generated {done}/{total} ({kind:?}) after {:.0} s",
                    started.elapsed().as_secs_f64()
                );
                next_report = done + total / 10;
            }
        })?;
    let seconds = started.elapsed().as_secs_f64();
    report.throughput(
        "bulk insert through the write path",
        "≥ 5,000 records/s",
        written,
        seconds,
        5_000.0,
    );
    drop(store);

    // Cold open (a new process would also find the OS page cache warm: see the note).
    let started = Instant::now();
    let mut store = Store::open(&store_path).context("reopen the store")?;
    let open = started.elapsed();
    report.single("open the store cold", "≤ 300 ms", open, 300.0);
    let file_size = ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", store_path.display())).ok())
        .map(|metadata| metadata.len())
        .sum::<u64>();
    report.fact(
        "store file size",
        format!("{:.1} MiB", file_size as f64 / 1_048_576.0),
    );

    // Raw twin and fixture.
    let raw_path = directory.join("raw.sqlite3");
    let started = Instant::now();
    let raw = raw::build(&store_path, &raw_path)?;
    eprintln!(
        "  raw tables built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let fixture = {
        let conn = rusqlite::Connection::open(&store_path)?;
        cases::Fixture::pick(&conn)?
    };
    let iterations = arguments.iterations;

    // Lists and search, ours and raw.
    for case in cases::list_cases(&fixture)
        .into_iter()
        .chain(cases::search_cases())
    {
        let ours = measure(iterations, |_| (case.ours)(&store).map(drop))?;
        let raw_timing = if case.list == "search" {
            let term = cases::SEARCH_TERMS
                .iter()
                .find(|term| case.label.starts_with(&format!("\"{term}\"")))
                .context("a search term")?;
            let expression = store.search_expression(term)?;
            measure(iterations, |_| {
                cases::raw_search(&raw, term, expression.as_deref()).map(drop)
            })?
        } else {
            measure(iterations, |_| {
                for (sql, params) in &case.raw_sql {
                    raw::run(&raw, sql, params)?;
                }
                Ok(())
            })?
        };
        let budget = if case.list == "search" { 10.0 } else { 5.0 };
        report.case(case.list, &case.label, budget, ours, Some(raw_timing));
    }

    // Deep pages: walk 100 pages by cursor, then measure the step to page 101.
    for (list, walk) in deep_walks(&fixture) {
        let cursor = walk(&store, None, 100)?;
        let step = measure(iterations, |_| walk(&store, cursor.clone(), 1).map(drop))?;
        report.case(
            "deep page",
            &format!("{list}: page 101 by cursor"),
            5.0,
            step,
            None,
        );
    }

    // Customer 360 and timeline.
    let customer = fixture.customer;
    let view = measure(iterations, |_| {
        store
            .customer_360(customer, Include::ALL)
            .map(drop)
            .map_err(Into::into)
    })?;
    report.case(
        "customer",
        "Customer 360, all includes (busiest customer)",
        10.0,
        view,
        None,
    );
    let timeline = measure(iterations, |_| {
        store
            .customer_timeline(customer, 50)
            .map(drop)
            .map_err(Into::into)
    })?;
    report.case(
        "customer",
        "customer timeline, 50 items (busiest customer)",
        10.0,
        timeline,
        None,
    );
    let groups = measure(iterations, |_| {
        store
            .activity_groups(crm_core::ActivityScope::Mine, fixture.owner, fixture.today)
            .map(drop)
            .map_err(Into::into)
    })?;
    report.case(
        "customer",
        "activity groups of one rep (overdue/today/week/later)",
        10.0,
        groups,
        None,
    );

    // The activities page as it opens: everyone's, 25 per group, every group counted.
    let page = measure(iterations, |_| {
        store
            .activity_groups_limited(
                crm_core::ActivityScope::All,
                fixture.owner,
                fixture.today,
                Some(25),
            )
            .map(drop)
            .map_err(Into::into)
    })?;
    report.case(
        "customer",
        "activities page (everyone's): 25 per group, every group counted",
        10.0,
        page,
        None,
    );

    // One durable edit.
    let actor = store.actor();
    let edit = measure(iterations, |iteration| {
        let patch =
            serde_json::json!({ "notes": format!("Edited by the benchmark, run {iteration}") });
        store
            .update_with::<Customer>(&actor, customer, patch)
            .map(drop)
            .map_err(Into::into)
    })?;
    // The disk's floor for a durable write: append one page to a file and wait for it to be
    // on disk (what the store's commit does with its WAL), as the "raw" twin of the edit.
    let probe_path = directory.join("fsync-probe");
    let mut probe = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&probe_path)
        .context("open the fsync probe")?;
    let page = [0u8; 4096];
    let floor = measure(iterations, |_| {
        use std::io::Write as _;
        probe.write_all(&page)?;
        probe.sync_data()?;
        Ok(())
    })?;
    drop(probe);
    std::fs::remove_file(&probe_path).context("remove the fsync probe")?;
    report.case(
        "write",
        "one durable edit (document + rows + outbox); raw = 4 KiB append + fdatasync",
        2.0,
        edit,
        Some(floor),
    );

    // Rebuild.
    let started = Instant::now();
    let rebuilt = store.rebuild()?;
    let seconds = started.elapsed().as_secs_f64();
    report.throughput(
        "rebuild of every materialized row",
        "≥ 20,000 records/s",
        usize::try_from(rebuilt)?,
        seconds,
        20_000.0,
    );

    // The workflows' budgets (issue 4), on the same tenant.
    workflows::run(&mut store, &fixture, iterations, &mut report)?;

    let (peak, current) = memory();
    report.fact(
        "peak RSS (VmHWM, whole run)",
        peak.map_or("n/a".into(), |mib| format!("{mib:.0} MiB")),
    );
    report.fact(
        "RSS at the end",
        current.map_or("n/a".into(), |mib| format!("{mib:.0} MiB")),
    );

    let text = report.render();
    println!("{text}");
    if let Some(out) = &arguments.out {
        std::fs::write(out, &text).with_context(|| format!("write {}", out.display()))?;
    }
    Ok(())
}

type Walk = Box<dyn Fn(&Store, Option<String>, usize) -> Result<Option<String>>>;

/// Lists walked by cursor: from `cursor`, `pages` pages of 50 without totals (infinite
/// scrolling); returns the cursor after the last one.
fn deep_walks(fixture: &cases::Fixture) -> Vec<(&'static str, Walk)> {
    let today = fixture.today;
    let paging = |cursor: Option<String>| Paging {
        cursor,
        with_total: false,
        ..Paging::default()
    };
    vec![
        (
            "customers by name",
            Box::new(move |store: &Store, mut cursor, pages| {
                for _ in 0..pages {
                    cursor = store
                        .list_customers(&CustomerQuery {
                            paging: paging(cursor),
                            ..Default::default()
                        })?
                        .next_cursor;
                }
                Ok(cursor)
            }),
        ),
        (
            "contacts by name",
            Box::new(move |store: &Store, mut cursor, pages| {
                for _ in 0..pages {
                    cursor = store
                        .list_contacts(&ContactQuery {
                            paging: paging(cursor),
                            ..Default::default()
                        })?
                        .next_cursor;
                }
                Ok(cursor)
            }),
        ),
        (
            "communications by occurredAt desc",
            Box::new(move |store: &Store, mut cursor, pages| {
                for _ in 0..pages {
                    cursor = store
                        .list_communications(&CommunicationQuery {
                            paging: paging(cursor),
                            ..Default::default()
                        })?
                        .next_cursor;
                }
                Ok(cursor)
            }),
        ),
        (
            "activities by dueDate",
            Box::new(move |store: &Store, mut cursor, pages| {
                for _ in 0..pages {
                    cursor = store
                        .list_activities(
                            &ActivityQuery {
                                paging: paging(cursor),
                                ..Default::default()
                            },
                            today,
                        )?
                        .next_cursor;
                }
                Ok(cursor)
            }),
        ),
    ]
}
