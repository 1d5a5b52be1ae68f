//! Where the sync client's time goes: the server's pages fetched again over HTTP and decoded
//! apart from the client's apply, and the apply's own work (a rebuild of the rows) without the
//! network.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crm_model::RecordId;
use crm_protocol::sync::{
    BootstrapResponse, MAX_BOOTSTRAP_LIMIT, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse,
};
use crm_sync_server::RunningServer;

use super::{Device, Summary};
use crate::report::thousands;

/// Where a bootstrap's time goes: the server's pages over HTTP (server and transfer), their
/// JSON and base64 decoding, and loading each Automerge document, timed apart from the client's
/// apply; then rebuilding the new device's rows from its documents (the apply's own work without
/// the network).
pub(super) async fn bootstrap_breakdown(
    server: &RunningServer,
    reader: &Device,
    summary: &mut Summary,
) -> Result<()> {
    let http = reqwest::Client::new();
    let mut after: Option<RecordId> = None;
    let (mut fetch, mut decode, mut load) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut bytes, mut document_bytes, mut pages, mut documents) = (0usize, 0usize, 0usize, 0);
    loop {
        let mut url = format!("{}/v1/bootstrap?limit={MAX_BOOTSTRAP_LIMIT}", server.url());
        if let Some(after) = after {
            url.push_str(&format!("&after={after}"));
        }
        let started = Instant::now();
        let body = http
            .get(url)
            .bearer_auth(&reader.token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        fetch += started.elapsed();
        let started = Instant::now();
        let page: BootstrapResponse =
            serde_json::from_slice(&body).context("decode a bootstrap page")?;
        decode += started.elapsed();
        let started = Instant::now();
        for entry in &page.documents {
            automerge::Automerge::load(&entry.document.0)
                .with_context(|| format!("load document {}", entry.record_id))?;
            document_bytes += entry.document.0.len();
        }
        load += started.elapsed();
        bytes += body.len();
        pages += 1;
        documents += page.documents.len();
        after = page.documents.last().map(|entry| entry.record_id);
        if !page.more {
            break;
        }
    }
    let started = Instant::now();
    let rebuilt = tokio::task::block_in_place(|| -> Result<u64> { Ok(reader.lock()?.rebuild()?) })
        .context("rebuild the new device's rows")?;
    let rebuild = started.elapsed();
    summary.line(
        "bootstrap breakdown: the server's pages over HTTP (server + transfer)",
        "reported",
        format!(
            "{:.1} s for {pages} pages, {documents} documents, {:.0} MiB of JSON ({:.0} MiB of documents)",
            fetch.as_secs_f64(),
            bytes as f64 / 1_048_576.0,
            document_bytes as f64 / 1_048_576.0
        ),
        "",
    );
    summary.line(
        "bootstrap breakdown: JSON + base64 decoding of the pages",
        "reported",
        format!("{:.1} s", decode.as_secs_f64()),
        "",
    );
    summary.line(
        "bootstrap breakdown: loading each Automerge document",
        "reported",
        format!("{:.1} s", load.as_secs_f64()),
        "",
    );
    summary.line(
        "bootstrap breakdown: rebuild of the new device's rows from its documents (load, fields, rows, search index)",
        "reported",
        format!(
            "{:.1} s ({} records/s, {rebuilt} records)",
            rebuild.as_secs_f64(),
            thousands(rebuilt as f64 / rebuild.as_secs_f64())
        ),
        "",
    );
    Ok(())
}

/// Pull pages fetched again: the time of the server and transfer, of decoding, and the changes.
#[derive(Default)]
pub(super) struct PullPages {
    pub(super) fetch: Duration,
    pub(super) decode: Duration,
    pub(super) entries: usize,
}

/// The feed pages a catch-up from `since` pulled, fetched again over HTTP as the client asks for
/// them (1,000 entries a page): the time of the server and the transfer, and of decoding them.
pub(super) async fn pull_pages(
    server: &RunningServer,
    reader: &Device,
    mut since: u64,
) -> Result<PullPages> {
    let http = reqwest::Client::new();
    let mut pages = PullPages::default();
    loop {
        let started = Instant::now();
        let body = http
            .get(format!("{}/v1/pull?since={since}&limit=1000", server.url()))
            .bearer_auth(&reader.token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        pages.fetch += started.elapsed();
        let started = Instant::now();
        let page: PullResponse = serde_json::from_slice(&body).context("decode a pull page")?;
        pages.decode += started.elapsed();
        pages.entries += page.entries.len();
        since = page.cursor;
        if !page.more {
            return Ok(pages);
        }
    }
}
