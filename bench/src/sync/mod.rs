//! The sync client's benchmark (issue 6 budgets): the real sync server runs in this process on
//! a loopback port, devices sign in and join it as the app does (no development token), and
//! the three figures are measured: a new device's bootstrap of the whole tenant, an edit
//! on one online device seen on another, and catching up a day of a colleague's changes.
//!
//! `cargo run --release -p crm-bench -- sync --records 100000 [--out FILE]`

mod breakdown;
#[cfg(feature = "samod")]
mod samod;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use crm_core::account::FirstSync;
use crm_core::demo::{DemoOptions, DemoSize};
use crm_core::sync::{SyncClient, sign_in, sync_now, sync_round};
use crm_core::{BootstrapProgress, EngineTiming, STORE_FILE_NAME, Store, SyncEngine, SyncHandle};
use crm_model::{Customer, CustomerId, RecordId, Role};
use crm_protocol::sync::{MAX_BOOTSTRAP_LIMIT, SignInRequest};
use crm_sync_server::{Admin, Config, RunningServer};
use tokio::sync::broadcast::error::RecvError;

use crate::measure::{memory, millis, percentile, reset_peak_memory};
use crate::report::{thousands, verdict};
#[cfg(feature = "samod")]
use samod::side_by_side;

#[derive(clap::Args)]
pub(crate) struct SyncArguments {
    /// Records of the six main kinds in the tenant device A generates and pushes.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// New devices bootstrapped one after the other from the same server.
    #[arg(long, default_value_t = 3)]
    bootstraps: usize,
    /// Edits on device A timed until device B shows them (after 5 warm-up edits).
    #[arg(long, default_value_t = 200)]
    live_edits: usize,
    /// Changes device A makes while device B is offline, per catch-up.
    #[arg(long, default_value_t = 5_000)]
    offline_changes: usize,
    /// Catch-ups timed.
    #[arg(long, default_value_t = 3)]
    catch_ups: usize,
    /// After the bootstraps, time the server's pages, their JSON decoding and loading the
    /// documents apart from applying them, and a rebuild of the new device's rows.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    breakdown: bool,
    /// Then the same work through samod, with device A's documents (needs a build with
    /// `--features samod`).
    #[arg(long)]
    samod: bool,
    /// How long each part of the samod side may take before it is reported as not finished.
    #[arg(long, default_value_t = 30)]
    samod_minutes: u64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also write the markdown report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where the server's data and the devices' stores go (default: a temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

const TENANT: &str = "bench";
const PASSWORD: &str = "correct horse battery staple";
/// Device A's user: an admin may push every record of the demo tenant, whoever owns it.
const WRITER: &str = "anna@bench.test";
/// The new devices' user.
const READER: &str = "ben@bench.test";
const WARM_UP: usize = 5;

pub(crate) fn run(arguments: &SyncArguments) -> Result<()> {
    if arguments.samod && !cfg!(feature = "samod") {
        bail!("`--samod` needs crm-bench built with `--features samod`");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("start the async runtime")?;
    let text = runtime.block_on(measure_all(arguments))?;
    println!("{text}");
    if let Some(out) = &arguments.out {
        std::fs::write(out, &text).with_context(|| format!("write {}", out.display()))?;
    }
    Ok(())
}

/// One device: its store file in its own directory, signed in to the server.
struct Device {
    store: Arc<Mutex<Store>>,
    client: SyncClient,
    token: String,
    path: PathBuf,
    /// Removed (with the store file) when the device is dropped, after the store is closed.
    _directory: tempfile::TempDir,
}

impl Device {
    async fn join(server: &RunningServer, parent: &Path, email: &str) -> Result<Device> {
        let directory = tempfile::tempdir_in(parent).context("create a device directory")?;
        let path = directory.path().join(STORE_FILE_NAME);
        let mut store = Store::open(&path).context("open a device's store")?;
        let account = sign_in(
            &server.url(),
            &SignInRequest {
                tenant: TENANT.into(),
                email: email.into(),
                password: PASSWORD.into(),
                device_name: "benchmark".into(),
            },
        )
        .await
        .with_context(|| format!("sign in as {email}"))?;
        store
            .join_server(&server.url(), &account, email, FirstSync::StartFromServer)
            .context("join the server")?;
        let client = SyncClient::new(&server.url(), &account.token)?;
        Ok(Device {
            store: Arc::new(Mutex::new(store)),
            client,
            token: account.token,
            path,
            _directory: directory,
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Store>> {
        self.store
            .lock()
            .map_err(|_| anyhow!("a device's store lock is poisoned"))
    }
}

/// The report's summary lines: figure, budget, measured, result.
#[derive(Default)]
struct Summary {
    lines: Vec<[String; 4]>,
    notes: Vec<String>,
}

impl Summary {
    fn line(&mut self, figure: &str, budget: &str, measured: String, result: &str) {
        self.lines.push([
            figure.to_owned(),
            budget.to_owned(),
            measured,
            result.to_owned(),
        ]);
    }

    fn render(&self, records: usize) -> String {
        let mut text = format!(
            "### Sync client, {} records (server in the same process, loopback)\n\n\
             | Figure | Budget | Measured | Result |\n| --- | --- | --- | --- |\n",
            thousands(records as f64)
        );
        for [figure, budget, measured, result] in &self.lines {
            text.push_str(&format!(
                "| {figure} | {budget} | {measured} | {result} |\n"
            ));
        }
        for note in &self.notes {
            text.push_str(&format!("\n{note}\n"));
        }
        text
    }
}

async fn measure_all(arguments: &SyncArguments) -> Result<String> {
    let temporary = tempfile::tempdir().context("create a temporary directory")?;
    let root = arguments
        .dir
        .clone()
        .unwrap_or_else(|| temporary.path().to_owned());
    std::fs::create_dir_all(&root)?;
    let config = Config::new(root.join("server"));
    let server = crm_sync_server::start(&config, "127.0.0.1:0".parse()?)
        .await
        .context("start the sync server")?;
    let admin = Admin::open(&config)
        .await
        .context("open the server's admin")?;
    admin.create_tenant(TENANT, "Benchmark").await?;
    admin
        .add_user(TENANT, WRITER, "Anna", Role::Admin, PASSWORD)
        .await?;
    admin
        .add_user(TENANT, READER, "Ben", Role::Manager, PASSWORD)
        .await?;
    let mut summary = Summary::default();

    // Device A: the tenant, generated through the write path, then pushed.
    let writer = Device::join(&server, &root, WRITER).await?;
    let size = DemoSize::records(arguments.records);
    let started = Instant::now();
    let written = tokio::task::block_in_place(|| -> Result<usize> {
        let mut store = writer.lock()?;
        Ok(crm_core::demo::generate(
            &mut store,
            &size,
            &DemoOptions::new(arguments.seed),
        )?)
    })?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("  device A generated {written} records in {seconds:.1} s");
    summary.line(
        "device A generates the tenant (demo, write path, not synced)",
        "reported",
        format!("{written} records in {seconds:.1} s"),
        "",
    );
    let changes = writer.lock()?.pending_changes()?;
    let started = Instant::now();
    let pushed = sync_now(&writer.store, &writer.client)
        .await
        .context("device A pushes the tenant")?;
    let push_seconds = started.elapsed().as_secs_f64();
    let seconds = push_seconds;
    ensure!(
        pushed.rejected.is_empty(),
        "the server refused {} records, first {:?}",
        pushed.rejected.len(),
        pushed.rejected.first()
    );
    eprintln!(
        "  device A pushed {} records ({changes} changes) in {seconds:.1} s",
        pushed.pushed_records
    );
    summary.line(
        "device A pushes the whole tenant (200 records a request)",
        "reported",
        format!(
            "{} records/s, {} changes/s ({} records, {changes} changes in {seconds:.1} s)",
            thousands(pushed.pushed_records as f64 / seconds),
            thousands(changes as f64 / seconds),
            pushed.pushed_records
        ),
        "",
    );
    let documents = writer.lock()?.document_count()?;
    // The documents as they were bootstrapped, for samod to sync the same bytes.
    let document_bytes = if arguments.samod {
        document_bytes(&writer)?
    } else {
        Vec::new()
    };

    let (reader, bootstrap_seconds) =
        bootstraps(arguments, &server, &root, documents, &mut summary).await?;
    if arguments.breakdown {
        breakdown::bootstrap_breakdown(&server, &reader, &mut summary).await?;
    }

    let customers = customer_ids(&writer)?;
    let busiest = *customers.first().context("the tenant has customers")?;
    let live = live_edits(
        &writer,
        &reader,
        busiest,
        arguments.live_edits,
        &mut summary,
    )
    .await?;
    catch_ups(
        arguments,
        &server,
        &writer,
        &reader,
        &customers,
        &mut summary,
    )
    .await?;
    if arguments.samod {
        let ours = Ours {
            push_seconds,
            bootstrap_seconds: median(&bootstrap_seconds),
            live,
        };
        side_by_side(
            &document_bytes,
            &root,
            &ours,
            arguments.live_edits,
            Duration::from_secs(arguments.samod_minutes * 60),
            &mut summary,
        )
        .await?;
    }

    drop(reader);
    drop(writer);
    server.stop().await.context("stop the server")?;
    Ok(summary.render(arguments.records))
}

/// New devices bootstrap the tenant one after the other; returns the last (device B).
async fn bootstraps(
    arguments: &SyncArguments,
    server: &RunningServer,
    root: &Path,
    documents: u64,
    summary: &mut Summary,
) -> Result<(Device, Vec<f64>)> {
    let mut reader: Option<Device> = None;
    let mut seconds_of_runs = Vec::new();
    let mut peaks = Vec::new();
    for run in 1..=arguments.bootstraps.max(1) {
        // The previous device's store is closed and removed first.
        drop(reader.take());
        let device = Device::join(server, root, READER).await?;
        let peak_reset = reset_peak_memory();
        let (_, before) = memory();
        let progress = |progress: BootstrapProgress| {
            if progress.done % 25_000 < u64::from(MAX_BOOTSTRAP_LIMIT) && progress.done > 0 {
                eprintln!("    bootstrap {}/{}", progress.done, progress.total);
            }
        };
        let started = Instant::now();
        let report = sync_round(&device.store, &device.client, &progress)
            .await
            .context("a new device bootstraps")?;
        let seconds = started.elapsed().as_secs_f64();
        let (peak, _) = memory();
        let count = device.lock()?.document_count()?;
        ensure!(
            count == documents,
            "the new device holds {count} documents, device A {documents}"
        );
        eprintln!(
            "  bootstrap {run}: {count} records in {seconds:.1} s ({} rows changed)",
            report.changed_records.len()
        );
        summary.line(
            &format!("bootstrap of a new device, run {run}"),
            "≤ 20 s (goal 10 s)",
            format!(
                "{seconds:.1} s ({} records/s, {count} records)",
                thousands(count as f64 / seconds)
            ),
            verdict(seconds <= 20.0),
        );
        seconds_of_runs.push(seconds);
        if let (Some(peak), Some(before), true) = (peak, before, peak_reset) {
            peaks.push((peak, before));
        }
        reader = Some(device);
    }
    if let Some((peak, before)) = peaks
        .iter()
        .copied()
        .reduce(|worst, run| if run.0 > worst.0 { run } else { worst })
    {
        summary.line(
            "peak RSS of the process during a bootstrap (VmHWM reset before each)",
            "reported",
            format!(
                "{peak:.0} MiB, {before:.0} MiB just before it (the process also holds the \
                 server and device A's open store)"
            ),
            "",
        );
    }
    Ok((
        reader.context("at least one bootstrap ran")?,
        seconds_of_runs,
    ))
}

/// Every customer of device A's store, the busiest (most communications) first.
fn customer_ids(writer: &Device) -> Result<Vec<CustomerId>> {
    let connection = rusqlite::Connection::open(&writer.path)?;
    let mut statement = connection.prepare(
        "SELECT c.id FROM customers c WHERE c.deleted_at IS NULL
         ORDER BY (SELECT COUNT(*) FROM communications m WHERE m.customer_id = c.id) DESC, c.id",
    )?;
    let ids = statement
        .query_map([], |row| row.get::<_, String>(0))?
        .map(|id| Ok(id?.parse::<CustomerId>()?))
        .collect::<Result<Vec<_>>>()?;
    Ok(ids)
}

/// Both devices run the sync engine with its live channel; device A edits a customer and asks
/// its engine to sync; the time runs from the edit until device B's engine reports the record
/// changed (and B's store shows the new value).
async fn live_edits(
    writer: &Device,
    reader: &Device,
    customer: CustomerId,
    iterations: usize,
    summary: &mut Summary,
) -> Result<Vec<Duration>> {
    let timing = EngineTiming {
        interval: Duration::from_secs(3_600),
        first_retry: Duration::from_millis(50),
        max_retry: Duration::from_millis(500),
    };
    let (writer_engine, writer_handle) =
        SyncEngine::new(writer.store.clone(), writer.client.clone(), timing);
    let (reader_engine, reader_handle) =
        SyncEngine::new(reader.store.clone(), reader.client.clone(), timing);
    let (stop_writer, writer_stopped) = tokio::sync::oneshot::channel::<()>();
    let (stop_reader, reader_stopped) = tokio::sync::oneshot::channel::<()>();
    let writer_running = tokio::spawn(writer_engine.run(async move {
        writer_stopped.await.unwrap_or_default();
    }));
    let reader_running = tokio::spawn(reader_engine.run(async move {
        reader_stopped.await.unwrap_or_default();
    }));
    for handle in [&writer_handle, &reader_handle] {
        wait_until_live(handle).await?;
    }

    let record = RecordId::from(customer);
    let mut changed = reader_handle.records_changed();
    let actor = writer.lock()?.actor();
    let mut total = Vec::with_capacity(iterations);
    let mut local = Vec::with_capacity(iterations);
    for iteration in 0..WARM_UP + iterations {
        let notes = format!("Edited on device A, live run {iteration}");
        let started = Instant::now();
        writer.lock()?.update_with::<Customer>(
            &actor,
            customer,
            serde_json::json!({ "notes": notes }),
        )?;
        let edited = started.elapsed();
        writer_handle.sync_now();
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match changed.recv().await {
                    Ok(ids) if ids.contains(&record) => return Ok(()),
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => bail!("device B's engine stopped"),
                }
            }
        })
        .await
        .context("device B did not see the edit within 10 s")??;
        let elapsed = started.elapsed();
        let seen = reader.lock()?.get::<Customer>(customer)?.notes;
        ensure!(
            seen.as_deref() == Some(notes.as_str()),
            "device B shows {seen:?} after the change, not {notes:?}"
        );
        if iteration >= WARM_UP {
            total.push(elapsed);
            local.push(edited);
        }
        // A rep does not edit every millisecond: let both engines go idle between edits.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_writer.send(()).unwrap_or_default();
    stop_reader.send(()).unwrap_or_default();
    writer_running.await.context("device A's engine stops")?;
    reader_running.await.context("device B's engine stops")?;

    total.sort();
    local.sort();
    let p95 = percentile(&total, 95);
    summary.line(
        &format!("edit on online device A visible on online device B ({iterations} edits)"),
        "p95 ≤ 150 ms",
        format!(
            "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            millis(percentile(&total, 50)),
            millis(p95),
            millis(total.last().copied().unwrap_or_default())
        ),
        verdict(millis(p95) <= 150.0),
    );
    summary.line(
        "of which device A's durable local edit",
        "reported",
        format!(
            "p50 {:.1} ms, p95 {:.1} ms",
            millis(percentile(&local, 50)),
            millis(percentile(&local, 95))
        ),
        "",
    );
    Ok(total)
}

async fn wait_until_live(handle: &SyncHandle) -> Result<()> {
    let mut watcher = handle.clone();
    tokio::time::timeout(Duration::from_secs(30), async {
        while !(watcher.status().live && watcher.status().last_success.is_some()) {
            watcher.changed().await;
        }
    })
    .await
    .context("an engine did not go live within 30 s")
}

/// Device B stays offline while device A makes `offline_changes` edits over as many customers
/// and pushes them; then B syncs once.
async fn catch_ups(
    arguments: &SyncArguments,
    server: &RunningServer,
    writer: &Device,
    reader: &Device,
    customers: &[CustomerId],
    summary: &mut Summary,
) -> Result<()> {
    let changes = arguments.offline_changes;
    let actor = writer.lock()?.actor();
    for run in 0..arguments.catch_ups {
        let started = Instant::now();
        let last = tokio::task::block_in_place(|| -> Result<(CustomerId, String)> {
            let mut store = writer.lock()?;
            let mut last = None;
            for edit in 0..changes {
                let customer = customers[(run * changes + edit) % customers.len()];
                let notes = format!("Edited offline, day {run}, edit {edit}");
                store.update_with::<Customer>(
                    &actor,
                    customer,
                    serde_json::json!({ "notes": notes }),
                )?;
                last = Some((customer, notes));
            }
            last.context("at least one edit")
        })?;
        let edit_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let pushed = sync_now(&writer.store, &writer.client).await?;
        let push_seconds = started.elapsed().as_secs_f64();

        let since = reader.lock()?.sync_cursor()?;
        let started = Instant::now();
        let pulled = sync_now(&reader.store, &reader.client).await?;
        let seconds = started.elapsed().as_secs_f64();
        let pages = breakdown::pull_pages(server, reader, since).await?;
        ensure!(
            pulled.pulled_changes >= changes && pages.entries == pulled.pulled_changes,
            "device B pulled {} changes, expected {changes}; fetched again: {}",
            pulled.pulled_changes,
            pages.entries
        );
        let (customer, notes) = last;
        let seen = reader.lock()?.get::<Customer>(customer)?.notes;
        ensure!(
            seen.as_deref() == Some(notes.as_str()),
            "device B shows {seen:?}, not {notes:?}"
        );
        eprintln!(
            "  catch-up {}: {} changes of {} records in {seconds:.2} s",
            run + 1,
            pulled.pulled_changes,
            pulled.changed_records.len()
        );
        summary.line(
            &format!(
                "catch up {changes} changes after a day offline, run {}",
                run + 1
            ),
            "≤ 3 s",
            format!(
                "{seconds:.2} s ({} changes of {} records; {} changes/s); of which the server's \
                 pages over HTTP {:.2} s and their JSON decoding {:.2} s",
                pulled.pulled_changes,
                pulled.changed_records.len(),
                thousands(pulled.pulled_changes as f64 / seconds),
                pages.fetch.as_secs_f64(),
                pages.decode.as_secs_f64()
            ),
            verdict(seconds <= 3.0),
        );
        summary.notes.push(format!(
            "Catch-up run {}: device A made the {changes} edits in {edit_seconds:.1} s (one durable \
             transaction each) and pushed them ({} records) in {push_seconds:.2} s.",
            run + 1,
            pushed.pushed_records
        ));
    }
    Ok(())
}

/// Every document of device A's store, as stored.
fn document_bytes(writer: &Device) -> Result<Vec<Vec<u8>>> {
    let connection = rusqlite::Connection::open(&writer.path)?;
    let mut statement = connection.prepare("SELECT bytes FROM documents ORDER BY id")?;
    let documents = statement
        .query_map([], |row| row.get::<_, Vec<u8>>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(documents)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Our figures that the side by side compares with samod's.
#[cfg_attr(
    not(feature = "samod"),
    expect(dead_code, reason = "read only by the samod side by side")
)]
struct Ours {
    push_seconds: f64,
    /// The median of the bootstraps.
    bootstrap_seconds: f64,
    /// The live edits, sorted.
    live: Vec<Duration>,
}

#[cfg(not(feature = "samod"))]
async fn side_by_side(
    _documents: &[Vec<u8>],
    _root: &Path,
    _ours: &Ours,
    _live_edits: usize,
    _patience: Duration,
    _summary: &mut Summary,
) -> Result<()> {
    bail!("`--samod` needs crm-bench built with `--features samod`")
}
