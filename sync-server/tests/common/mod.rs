//! What the sync server's integration tests share: a real server on port 0 over a temp data dir,
//! a small HTTP client for its API, and devices that make record changes with automerge.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT, ReadDoc, ScalarValue};
use crm_model::RecordId;
use crm_protocol::sync::{
    Bytes, ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse,
    RecordChanges,
};
use crm_sync_server::{Config, Limits, RunningServer};

pub const TOKEN: &str = "test-token";
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Starts a server on a free loopback port over `data_dir`, with [`TOKEN`] as its dev token.
pub async fn start_server(data_dir: &Path) -> RunningServer {
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        dev_token: Some(TOKEN.to_owned()),
        limits: Limits {
            max_body_bytes: MAX_BODY_BYTES,
            max_push_records: 100,
            ..Limits::default()
        },
    };
    crm_sync_server::start(&config, "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("server starts")
}

/// The sync API as a device sees it.
pub struct Api {
    pub url: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(server: &RunningServer) -> Api {
        Api {
            url: server.url(),
            token: TOKEN.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn push(&self, records: Vec<RecordChanges>) -> PushResponse {
        let response = self
            .request(reqwest::Method::POST, "/v1/push")
            .json(&PushRequest { records })
            .send()
            .await
            .expect("push sent");
        assert_eq!(response.status(), 200, "push answered");
        response.json().await.expect("push response")
    }

    pub async fn pull(&self, since: u64, limit: Option<u32>) -> PullResponse {
        let mut path = format!("/v1/pull?since={since}");
        if let Some(limit) = limit {
            path.push_str(&format!("&limit={limit}"));
        }
        let response = self
            .request(reqwest::Method::GET, &path)
            .send()
            .await
            .expect("pull sent");
        assert_eq!(response.status(), 200, "pull answered");
        response.json().await.expect("pull response")
    }

    /// Every entry from `since` on, following `more`, with pages of `limit`.
    pub async fn pull_all(
        &self,
        since: u64,
        limit: Option<u32>,
    ) -> Vec<crm_protocol::sync::FeedEntry> {
        let mut entries = Vec::new();
        let mut cursor = since;
        loop {
            let page = self.pull(cursor, limit).await;
            entries.extend(page.entries);
            cursor = page.cursor;
            if !page.more {
                return entries;
            }
        }
    }

    /// A request with the token and the protocol header set.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
    }
}

/// Status and error code of a failed answer.
pub async fn failure(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: ErrorBody = response.json().await.expect("an ErrorBody");
    assert!(!body.message.is_empty(), "error answers carry a message");
    (status, body.code)
}

/// A device editing record documents, as the app does: its own actor, one change per edit.
pub struct Device {
    actor: ActorId,
}

impl Device {
    pub fn new(number: u8) -> Device {
        Device {
            actor: ActorId::from(vec![number; 16]),
        }
    }

    /// A new customer document with `name`, and the change that created it.
    pub fn create_customer(&self, name: &str) -> (AutoCommit, Bytes) {
        let mut document = AutoCommit::new().with_actor(self.actor.clone());
        document.put(ROOT, "kind", "customer").expect("put");
        document
            .put(ROOT, "schemaVersion", ScalarValue::Int(1))
            .expect("put");
        document.put(ROOT, "name", name).expect("put");
        let change = last_change(&mut document);
        (document, change)
    }

    /// `document` loaded from pulled changes, edited by this device.
    pub fn load(&self, changes: &[Bytes]) -> AutoCommit {
        let mut document = AutoCommit::new().with_actor(self.actor.clone());
        apply(&mut document, changes);
        document
    }
}

/// Sets `field` and returns the change that did it.
pub fn edit(document: &mut AutoCommit, field: &str, value: &str) -> Bytes {
    document.put(ROOT, field, value).expect("put");
    last_change(document)
}

fn last_change(document: &mut AutoCommit) -> Bytes {
    document.commit().expect("something changed");
    Bytes(
        document
            .get_last_local_change()
            .expect("a change")
            .raw_bytes()
            .to_vec(),
    )
}

pub fn apply(document: &mut AutoCommit, changes: &[Bytes]) {
    let changes = changes
        .iter()
        .map(|bytes| automerge::Change::from_bytes(bytes.0.clone()).expect("a valid change"));
    document.apply_changes(changes).expect("changes apply");
}

pub fn text(document: &AutoCommit, field: &str) -> Option<String> {
    match document.get(ROOT, field).expect("get") {
        Some((automerge::Value::Scalar(value), _)) => value.as_str().map(str::to_owned),
        _ => None,
    }
}

pub fn heads(document: &mut AutoCommit) -> Vec<ChangeHash> {
    document.get_heads()
}

pub fn record(number: u128) -> RecordId {
    RecordId(uuid::Uuid::from_u128(number))
}

pub fn changes_of(record_id: RecordId, changes: Vec<Bytes>) -> RecordChanges {
    RecordChanges { record_id, changes }
}

/// `(record, outcome)` of each result, `"accepted"` or `"rejected: REASON"`, for comparing.
pub fn outcomes(response: &PushResponse) -> Vec<(RecordId, String)> {
    response
        .results
        .iter()
        .map(|result| {
            let outcome = match &result.outcome {
                crm_protocol::sync::Outcome::Accepted => "accepted".to_owned(),
                crm_protocol::sync::Outcome::Rejected { reason } => format!("rejected: {reason}"),
            };
            (result.record_id, outcome)
        })
        .collect()
}
