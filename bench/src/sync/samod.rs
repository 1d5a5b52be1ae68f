//! The side by side: the same work done by samod (automerge-repo in Rust) with a samod
//! repo as the server, over samod's TCP transport on loopback. Peer A holds the very Automerge
//! documents device A's store holds, uploads them to the server, a fresh peer B fetches every
//! one by id (automerge-repo has no "all documents": an app keeps the ids in an index document),
//! and an edit on A is timed until B's copy shows it. Every repo stores on disk
//! (`TokioFilesystemStorage`), as our devices and server do, though samod writes its files
//! without fsync where our stores and server commit durably.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, ensure};
use automerge::transaction::Transactable as _;
use automerge::{Automerge, AutomergeError, ROOT, ReadDoc as _};
use futures_util::StreamExt as _;
use futures_util::future::join_all;
use samod::storage::TokioFilesystemStorage;
use samod::tokio_io::TcpDialer;
use samod::{BackoffConfig, ConnectionId, DocHandle, PeerId, Repo, Url};

use super::{Ours, Summary};
use crate::measure::{memory, millis, percentile, reset_peak_memory};
use crate::report::verdict;

/// What samod took for each part of the work.
struct SamodFigures {
    documents: usize,
    /// Peer A creates the documents in its repo (stored), not connected.
    create: Duration,
    /// Peer A connects and the server has every document.
    upload: Duration,
    /// The fresh peer B connects and holds every document, as the server has it.
    fetch: Duration,
    /// The process's peak resident memory while B fetched (A and the server are in it too).
    fetch_peak_mib: Option<f64>,
    /// An edit on A until B's copy shows it; sorted.
    edits: Vec<Duration>,
}

const WARM_UP: usize = 5;

async fn compare(
    documents: &[Vec<u8>],
    root: &Path,
    edits: usize,
    patience: Duration,
) -> Result<SamodFigures> {
    let minutes = patience.as_secs() / 60;
    let server = repo(&root.join("samod-server"), "server").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let acceptor = server
        .make_acceptor(Url::parse(&format!("tcp://127.0.0.1:{port}"))?)
        .map_err(stopped)?;
    let accepting = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            if acceptor.accept_tokio_io(socket).is_err() {
                break;
            }
        }
    });

    // Peer A: the documents are created offline, then uploaded.
    let writer = repo(&root.join("samod-a"), "device-a").await;
    let started = Instant::now();
    let mut originals = Vec::with_capacity(documents.len());
    for bytes in documents {
        let document = Automerge::load(bytes).context("load a record document")?;
        originals.push(writer.create(document).await.map_err(stopped)?);
    }
    let create = started.elapsed();
    let started = Instant::now();
    let connection = connect(&writer, port).await?;
    tokio::time::timeout(
        patience,
        join_all(
            originals
                .iter()
                .map(|document| document.they_have_our_changes(connection)),
        ),
    )
    .await
    .with_context(|| {
        format!("the samod server did not have peer A's documents within {minutes} min")
    })?;
    let upload = started.elapsed();

    // Peer B: a fresh repo that knows the ids.
    let reader = repo(&root.join("samod-b"), "device-b").await;
    let reader_connection = connect(&reader, port).await?;
    let peak_reset = reset_peak_memory();
    let started = Instant::now();
    let found = tokio::time::timeout(
        patience,
        join_all(
            originals
                .iter()
                .map(|document| reader.find(document.document_id().clone())),
        ),
    )
    .await
    .with_context(|| format!("peer B did not find the documents within {minutes} min"))?;
    let copies = found
        .into_iter()
        .map(|found| found.map_err(stopped)?.context("peer B found no document"))
        .collect::<Result<Vec<DocHandle>>>()?;
    tokio::time::timeout(
        patience,
        join_all(
            copies
                .iter()
                .map(|copy| copy.we_have_their_changes(reader_connection)),
        ),
    )
    .await
    .with_context(|| format!("peer B did not get every change within {minutes} min"))?;
    let fetch = started.elapsed();
    let fetch_peak_mib = memory().0.filter(|_| peak_reset);
    for (original, copy) in originals.iter().zip(&copies) {
        ensure!(
            original.with_document(|document| document.get_heads())
                == copy.with_document(|document| document.get_heads()),
            "peer B's copy of {} differs from peer A's",
            original.document_id()
        );
    }

    let edits = edit_latencies(
        originals.first().context("documents to edit")?,
        copies.first().context("documents to edit")?,
        edits,
    )
    .await?;

    accepting.abort();
    reader.stop().await;
    writer.stop().await;
    server.stop().await;
    Ok(SamodFigures {
        documents: documents.len(),
        create,
        upload,
        fetch,
        fetch_peak_mib,
        edits,
    })
}

async fn repo(path: &Path, name: &str) -> Repo {
    Repo::build_tokio()
        .with_storage(TokioFilesystemStorage::new(path))
        .with_peer_id(PeerId::from(name))
        .load()
        .await
}

async fn connect(repo: &Repo, port: u16) -> Result<ConnectionId> {
    let dialer = repo
        .dial(
            BackoffConfig::default(),
            Arc::new(TcpDialer::new_host_port("127.0.0.1".into(), port)),
        )
        .map_err(stopped)?;
    tokio::time::timeout(Duration::from_secs(30), dialer.established())
        .await
        .context("a samod peer did not connect within 30 s")?
        .map_err(|_| anyhow!("a samod peer could not connect"))?;
    dialer.connection_id().context("a samod peer is connected")
}

/// `iterations` edits of one field on A, each timed until B's copy shows the new value.
async fn edit_latencies(
    original: &DocHandle,
    copy: &DocHandle,
    iterations: usize,
) -> Result<Vec<Duration>> {
    let mut changes = Box::pin(copy.changes());
    let mut samples = Vec::with_capacity(iterations);
    for iteration in 0..WARM_UP + iterations {
        let notes = format!("Edited on peer A, live run {iteration}");
        let started = Instant::now();
        original.with_document(|document| {
            document
                .transact::<_, _, AutomergeError>(|transaction| {
                    transaction.put(ROOT, "notes", notes.as_str())?;
                    Ok(())
                })
                .map(drop)
                .map_err(|failure| failure.error)
        })?;
        loop {
            tokio::time::timeout(Duration::from_secs(10), changes.next())
                .await
                .context("peer B did not see the edit within 10 s")?
                .context("peer B's change stream ended")?;
            let seen = copy.with_document(|document| {
                document
                    .get(ROOT, "notes")
                    .ok()
                    .flatten()
                    .and_then(|(value, _)| value.into_string().ok())
            });
            if seen.as_deref() == Some(notes.as_str()) {
                break;
            }
        }
        if iteration >= WARM_UP {
            samples.push(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    samples.sort();
    Ok(samples)
}

fn stopped(_: samod::Stopped) -> anyhow::Error {
    anyhow!("a samod repo stopped")
}

/// Runs the samod side and adds its lines, with our figures over samod's.
pub(super) async fn side_by_side(
    documents: &[Vec<u8>],
    root: &Path,
    ours: &Ours,
    live_edits: usize,
    patience: Duration,
    summary: &mut Summary,
) -> Result<()> {
    let samod = match compare(documents, root, live_edits, patience).await {
        Ok(samod) => samod,
        Err(error) => {
            eprintln!("  samod: {error:#}");
            summary.line(
                &format!("samod: the same work with {} documents", documents.len()),
                "ours / samod ≤ 0.2",
                format!("did not finish: {error:#}"),
                "—",
            );
            return Ok(());
        }
    };
    let count = samod.documents;
    eprintln!(
        "  samod: upload {:.1} s, fetch {:.1} s",
        samod.upload.as_secs_f64(),
        samod.fetch.as_secs_f64()
    );
    summary.line(
        &format!("samod: peer A creates {count} documents (stored, offline)"),
        "reported",
        format!("{:.1} s", samod.create.as_secs_f64()),
        "",
    );
    summary.line(
        &format!("samod: peer A uploads {count} documents to the samod server"),
        "reported",
        format!(
            "{:.1} s; ours (push) / samod = {:.2}",
            samod.upload.as_secs_f64(),
            ours.push_seconds / samod.upload.as_secs_f64()
        ),
        "",
    );
    let ratio = ours.bootstrap_seconds / samod.fetch.as_secs_f64();
    summary.line(
        &format!("samod: a fresh peer fetches the {count} documents"),
        "ours / samod ≤ 0.2",
        format!(
            "{:.1} s{}; ours (median bootstrap, {:.1} s) / samod = {ratio:.2}",
            samod.fetch.as_secs_f64(),
            samod
                .fetch_peak_mib
                .map_or(String::new(), |peak| format!(", peak RSS {peak:.0} MiB")),
            ours.bootstrap_seconds
        ),
        verdict(ratio <= 0.2),
    );
    let samod_p50 = percentile(&samod.edits, 50);
    summary.line(
        &format!(
            "samod: edit on peer A visible on peer B ({} edits)",
            samod.edits.len()
        ),
        "reported",
        format!(
            "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; ours / samod (p50) = {:.2}",
            millis(samod_p50),
            millis(percentile(&samod.edits, 95)),
            millis(samod.edits.last().copied().unwrap_or_default()),
            millis(percentile(&ours.live, 50)) / millis(samod_p50).max(f64::EPSILON)
        ),
        "",
    );
    Ok(())
}
