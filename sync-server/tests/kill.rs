//! The server process SIGKILLed during a push storm and started again, three times: no change
//! it acknowledged is lost, none is in the feed twice, and every device that pulls the feed
//! builds the same documents, each with its device's last edit.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use crm_protocol::sync::{Bytes, PushRequest, PushResponse};

const DEVICES: u8 = 8;
const RECORDS_PER_DEVICE: u128 = 100;

struct ServerProcess {
    child: Child,
}

impl ServerProcess {
    fn start(data_dir: &std::path::Path, address: &str) -> ServerProcess {
        let child = Command::new(env!("CARGO_BIN_EXE_crm-sync-server"))
            .args([
                "serve",
                "--listen",
                address,
                "--dev-token",
                TOKEN,
                "--data-dir",
            ])
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("server process starts");
        ServerProcess { child }
    }

    /// SIGKILL: no graceful shutdown, no flush.
    fn kill(mut self) {
        self.child.kill().unwrap_or_default();
        self.child.wait().expect("reaped");
    }
}

async fn wait_until_ready(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = http.get(format!("{url}/readyz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server did not become ready");
}

/// Pushes until the server answers: a push is idempotent, so after a kill the device simply
/// sends it again. Returns the answer.
async fn push_until_answered(api: &Api, request: &PushRequest) -> PushResponse {
    loop {
        let answer = api
            .request(reqwest::Method::POST, "/v1/push")
            .json(request)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if let Ok(response) = answer
            && response.status().is_success()
            && let Ok(body) = response.json::<PushResponse>().await
        {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn hash_of(bytes: &Bytes) -> automerge::ChangeHash {
    automerge::Change::from_bytes(bytes.0.clone())
        .expect("a change")
        .hash()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_push_storm_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .to_string();
    let url = format!("http://{address}");
    let mut server = ServerProcess::start(dir.path(), &address);
    wait_until_ready(&url).await;

    // Each device creates its records and renames each twice, one push per record.
    let acknowledged = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let mut storm = Vec::new();
    for number in 1..=DEVICES {
        let url = url.clone();
        let acknowledged = acknowledged.clone();
        storm.push(tokio::spawn(async move {
            let api = Api {
                url,
                token: TOKEN.to_owned(),
                http: reqwest::Client::new(),
            };
            let device = Device::new(number);
            let mut last_names = BTreeMap::new();
            for index in 0..RECORDS_PER_DEVICE {
                let id = record(u128::from(number) * 1_000 + index);
                let (mut document, created) =
                    device.create_customer(&format!("D{number} R{index}"));
                let renamed = edit(&mut document, "name", &format!("D{number} R{index} v2"));
                let final_name = format!("D{number} R{index} v3");
                let again = edit(&mut document, "name", &final_name);
                let changes = vec![created, renamed, again];
                let request = PushRequest {
                    records: vec![changes_of(id, changes.clone())],
                };
                let answer = push_until_answered(&api, &request).await;
                assert_eq!(outcomes(&answer), [(id, "accepted".to_owned())]);
                acknowledged
                    .lock()
                    .expect("lock")
                    .extend(changes.iter().map(hash_of));
                last_names.insert(id, final_name);
            }
            last_names
        }));
    }

    // Meanwhile the server is killed and restarted three times: at a quarter, a half and three
    // quarters of the acknowledged changes, so every kill lands inside the storm whatever the
    // machine's speed.
    let total = usize::from(DEVICES) * RECORDS_PER_DEVICE as usize * 3;
    let mut killed_mid_storm = 0;
    for quarter in 1..=3 {
        let done = loop {
            let done = acknowledged.lock().expect("lock").len();
            if done >= total * quarter / 4 {
                break done;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        if done < total {
            killed_mid_storm += 1;
        }
        server.kill();
        tokio::time::sleep(Duration::from_millis(100)).await;
        server = ServerProcess::start(dir.path(), &address);
        wait_until_ready(&url).await;
    }
    assert_eq!(killed_mid_storm, 3, "every kill hit the storm");
    let mut expected_names = BTreeMap::new();
    for device in storm {
        expected_names.extend(device.await.expect("device finished"));
    }

    let api = Api {
        url: url.clone(),
        token: TOKEN.to_owned(),
        http: reqwest::Client::new(),
    };
    let feed = api.pull_all(0, Some(1_000)).await;
    let in_feed: Vec<automerge::ChangeHash> =
        feed.iter().map(|entry| hash_of(&entry.change)).collect();
    let unique: BTreeSet<automerge::ChangeHash> = in_feed.iter().copied().collect();
    assert_eq!(
        unique.len(),
        in_feed.len(),
        "no change is in the feed twice"
    );
    let acknowledged = acknowledged.lock().expect("lock").clone();
    let lost: Vec<_> = acknowledged.difference(&unique).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {}", lost.len());
    assert_eq!(acknowledged.len(), total);
    let seqs: Vec<u64> = feed.iter().map(|entry| entry.seq).collect();
    assert!(
        seqs.windows(2).all(|pair| pair[1] == pair[0] + 1),
        "the feed has no gaps"
    );

    // Every device builds the same documents from the feed, with each record's last edit.
    let mut by_record: BTreeMap<crm_model::RecordId, Vec<Bytes>> = BTreeMap::new();
    for entry in &feed {
        by_record
            .entry(entry.record_id)
            .or_default()
            .push(entry.change.clone());
    }
    for number in [1, DEVICES] {
        let device = Device::new(number + 100);
        for (id, changes) in &by_record {
            let document = device.load(changes);
            assert_eq!(
                text(&document, "name").as_deref(),
                expected_names.get(id).map(String::as_str),
                "record {id:?}"
            );
        }
    }
    server.kill();
}
