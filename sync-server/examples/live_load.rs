//! Live-channel load: TENANTS tenants with DEVICES live WebSocket devices each, connected to a
//! real server process (the release binary, started here over a temp data dir on SQLite); then
//! PUSHES pushes, each by a device of a random tenant, and the time until every other device
//! of that tenant hears "the feed moved" over its socket. Prints the server's RSS with every
//! socket open and the announcement latency (p50, p95, max).
//!
//! `cargo build --release -p crm-sync-server && cargo run --release -p crm-sync-server
//! --example live_load [-- TENANTS DEVICES PUSHES]` (defaults 100 10 200).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ScalarValue};
use crm_model::RecordId;
use crm_protocol::sync::{
    Bytes, LiveMessage, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest, RecordChanges,
    SignInRequest, SignInResponse,
};
use futures_util::StreamExt as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

const PASSWORD: &str = "load test password";

fn change(number: u64) -> Bytes {
    let mut document = AutoCommit::new();
    document.put(ROOT, "kind", "customer").expect("put");
    document
        .put(ROOT, "schemaVersion", ScalarValue::Int(1))
        .expect("put");
    document
        .put(ROOT, "name", format!("Customer {number}"))
        .expect("put");
    document.commit();
    Bytes(
        document
            .get_last_local_change()
            .expect("a change")
            .raw_bytes()
            .to_vec(),
    )
}

fn server_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: usize| {
        args.get(index)
            .and_then(|text| text.parse().ok())
            .unwrap_or(default)
    };
    let (tenants, devices, pushes) = (number(0, 100), number(1, 10), number(2, 200));
    let dir = tempfile::tempdir()?;
    {
        let admin = crm_sync_server::Admin::open(&crm_sync_server::Config::new(dir.path())).await?;
        for tenant in 0..tenants {
            let slug = format!("tenant-{tenant}");
            admin.create_tenant(&slug, &slug).await?;
            admin
                .add_user(
                    &slug,
                    "rep@example.test",
                    "Rep",
                    crm_model::Role::Admin,
                    PASSWORD,
                )
                .await?;
        }
    }
    let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let binary = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|release| release.join("crm-sync-server"))
        .context("the server binary beside the examples")?;
    let mut server = Command::new(&binary)
        .args(["serve", "--listen", &address.to_string(), "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| {
            format!(
                "starting {} (build it with --release first)",
                binary.display()
            )
        })?;
    let url = format!("http://{address}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("{url}/readyz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let rss_idle = server_rss_kib(server.id())?;

    // One sign-in per tenant; its devices share the token (one socket each).
    let mut tokens = Vec::with_capacity(tenants);
    for tenant in 0..tenants {
        let signed_in: SignInResponse = http
            .post(format!("{url}/v1/sign-in"))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(&SignInRequest {
                tenant: format!("tenant-{tenant}"),
                email: "rep@example.test".into(),
                password: PASSWORD.into(),
                device_name: "load".into(),
            })
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tokens.push(signed_in.token);
    }

    let rss_signed_in = server_rss_kib(server.id())?;

    // Every device's socket: a task that reports (tenant, cursor, when) for each message.
    let (heard, mut hearing) = tokio::sync::mpsc::unbounded_channel::<(usize, u64, Instant)>();
    let connecting = Instant::now();
    for (tenant, token) in tokens.iter().enumerate() {
        for _ in 0..devices {
            let mut request = format!("ws://{address}/v1/live").into_client_request()?;
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {token}").parse()?);
            request
                .headers_mut()
                .insert(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string().parse()?);
            let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
            let heard = heard.clone();
            tokio::spawn(async move {
                while let Some(Ok(message)) = socket.next().await {
                    if let Message::Text(text) = message
                        && let Ok(LiveMessage { cursor }) = serde_json::from_str(text.as_str())
                    {
                        let _ = heard.send((tenant, cursor, Instant::now()));
                    }
                }
            });
        }
    }
    // Each socket says where its feed is when it opens.
    let sockets = tenants * devices;
    for _ in 0..sockets {
        hearing.recv().await.context("a socket's first message")?;
    }
    let connected_in = connecting.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = server_rss_kib(server.id())?;

    let mut latencies = Vec::with_capacity(pushes * (devices - 1).max(1));
    let mut heads = vec![0u64; tenants];
    for push in 0..pushes {
        let tenant = fastrand::usize(0..tenants);
        let record = RecordId(uuid::Uuid::from_u128(1 << 100 | push as u128));
        let sent = Instant::now();
        let response = http
            .post(format!("{url}/v1/push"))
            .bearer_auth(&tokens[tenant])
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(&PushRequest {
                records: vec![RecordChanges {
                    record_id: record,
                    changes: vec![change(push as u64)],
                }],
            })
            .send()
            .await?
            .error_for_status()?;
        drop(response);
        heads[tenant] += 1;
        // Every device of the tenant hears of it (the pusher's own socket too: a server does
        // not know which socket is the pushing device's).
        let mut waiting = devices;
        while waiting > 0 {
            let (from, cursor, at) = tokio::time::timeout(Duration::from_secs(5), hearing.recv())
                .await
                .context("an announcement within 5 s")?
                .context("sockets open")?;
            if from == tenant && cursor >= heads[tenant] {
                latencies.push(at.duration_since(sent));
                waiting -= 1;
            }
        }
    }
    latencies.sort();
    let at = |fraction: f64| {
        let index = ((latencies.len() as f64 - 1.0) * fraction).round() as usize;
        latencies[index].as_secs_f64() * 1_000.0
    };
    println!(
        "{tenants} tenants x {devices} devices = {sockets} live sockets (connected in {:.1} s)",
        connected_in.as_secs_f64()
    );
    println!(
        "server RSS: {:.1} MiB idle, {:.1} MiB after {tenants} sign-ins, {:.1} MiB with every socket open",
        rss_idle as f64 / 1024.0,
        rss_signed_in as f64 / 1024.0,
        rss_connected as f64 / 1024.0
    );
    println!(
        "{pushes} pushes, {} announcements: push sent -> socket heard p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        latencies.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    server.kill()?;
    server.wait()?;
    Ok(())
}
