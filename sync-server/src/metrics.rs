//! Prometheus `/metrics`: a few counters kept in atomics and written in the text exposition
//! format by hand (the `metrics` crates would add more to the build than this whole module).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ApiError;
use crate::server::AppState;

#[derive(Default)]
pub(crate) struct Metrics {
    pub(crate) requests: AtomicU64,
    pub(crate) pushes: AtomicU64,
    pub(crate) changes_accepted: AtomicU64,
    pub(crate) records_refused: AtomicU64,
    pub(crate) sign_in_failures: AtomicU64,
}

/// The exposition text: counters from memory, gauges read now.
pub(crate) async fn render(state: &AppState) -> Result<String, ApiError> {
    let metrics = state.metrics();
    let tenants = state.storage().list_tenants().await?;
    let feed_length: u64 = tenants.iter().map(|tenant| tenant.feed_head).sum();
    let mut text = String::new();
    let mut put = |name: &str, kind: &str, help: &str, value: u64| {
        // Writing to a String cannot fail.
        writeln!(
            text,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        )
        .unwrap_or_default();
    };
    let counter = |value: &AtomicU64| value.load(Ordering::Relaxed);
    put(
        "crm_sync_http_requests_total",
        "counter",
        "HTTP requests answered.",
        counter(&metrics.requests),
    );
    put(
        "crm_sync_pushes_total",
        "counter",
        "Push requests handled.",
        counter(&metrics.pushes),
    );
    put(
        "crm_sync_changes_accepted_total",
        "counter",
        "Changes appended to a feed.",
        counter(&metrics.changes_accepted),
    );
    put(
        "crm_sync_records_refused_total",
        "counter",
        "Pushed records refused (role, shape, size, unknown record).",
        counter(&metrics.records_refused),
    );
    put(
        "crm_sync_sign_in_failures_total",
        "counter",
        "Failed or rate-limited sign-ins.",
        counter(&metrics.sign_in_failures),
    );
    put(
        "crm_sync_feed_entries",
        "gauge",
        "Feed length summed over all tenants (highest seq).",
        feed_length,
    );
    put(
        "crm_sync_tenants",
        "gauge",
        "Tenants on this server.",
        tenants.len() as u64,
    );
    put(
        "crm_sync_live_devices",
        "gauge",
        "Devices connected to this node's live channel.",
        state.live().connected(),
    );
    Ok(text)
}
