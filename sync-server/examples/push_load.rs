//! Load generator: DEVICES concurrent devices each push BATCHES pushes of RECORDS new records
//! (one change each) to a server on port 0 over a temp data dir, and the accepted changes per
//! second are printed. `cargo run --release -p crm-sync-server --example push_load [-- DEVICES
//! BATCHES RECORDS [postgres://…]]`.

use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT, ScalarValue};
use crm_model::RecordId;
use crm_protocol::sync::{
    Bytes, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest, PushResponse, RecordChanges,
};

fn change(device: u32, number: u32) -> Bytes {
    let mut actor = [0; 16];
    actor[..4].copy_from_slice(&device.to_le_bytes());
    let mut document = AutoCommit::new().with_actor(ActorId::from(actor.to_vec()));
    let put = |document: &mut AutoCommit, field: &str, value: ScalarValue| {
        document.put(ROOT, field, value).expect("put");
    };
    put(&mut document, "kind", "customer".into());
    put(&mut document, "schemaVersion", ScalarValue::Int(1));
    put(
        &mut document,
        "name",
        format!("Customer {device}-{number}").into(),
    );
    document.commit();
    Bytes(
        document
            .get_last_local_change()
            .expect("a change")
            .raw_bytes()
            .to_vec(),
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: u32| {
        args.get(index)
            .and_then(|text| text.parse().ok())
            .unwrap_or(default)
    };
    let (devices, batches, records) = (number(0, 50), number(1, 20), number(2, 20));
    let dir = tempfile::tempdir()?;
    let config = crm_sync_server::Config {
        dev_token: Some("load-token".to_owned()),
        database_url: args.get(3).cloned(),
        ..crm_sync_server::Config::new(dir.path())
    };
    let server = crm_sync_server::start(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("{}/v1/push", server.url());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for device in 0..devices {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut accepted = 0usize;
            for batch in 0..batches {
                let records = (0..records)
                    .map(|index| {
                        let number = batch * 10_000 + index;
                        RecordChanges {
                            record_id: RecordId(uuid::Uuid::from_u128(
                                (u128::from(device) << 64) | u128::from(number) | 1 << 100,
                            )),
                            changes: vec![change(device, number)],
                        }
                    })
                    .collect();
                let response = http
                    .post(&url)
                    .bearer_auth("load-token")
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
                    .json(&PushRequest { records })
                    .send()
                    .await?;
                if !response.status().is_success() {
                    anyhow::bail!("push failed: {}", response.text().await?);
                }
                let response: PushResponse = response.json().await?;
                accepted += response.results.len();
            }
            anyhow::Ok(accepted)
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        accepted += task.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{devices} devices x {batches} pushes x {records} records: {accepted} changes in {elapsed:.2} s = {:.0} changes/s",
        accepted as f64 / elapsed
    );
    server.stop().await?;
    Ok(())
}
