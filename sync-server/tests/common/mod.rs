//! What the sync server's integration tests share: a real server on port 0 over a temp data dir,
//! a small HTTP client for its API, and devices that make record changes with automerge.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT, ReadDoc, ScalarValue};
use crm_model::RecordId;
use crm_protocol::sync::{
    Bytes, ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse,
    RecordChanges, SignInRequest, SignInResponse,
};
use crm_sync_server::{Config, Limits, RunningServer};

pub const TOKEN: &str = "test-token";
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Starts a server on a free loopback port over `data_dir`, with [`TOKEN`] as its dev token.
pub async fn start_server(data_dir: &Path) -> RunningServer {
    let config = Config {
        dev_token: Some(TOKEN.to_owned()),
        limits: Limits {
            max_body_bytes: MAX_BODY_BYTES,
            max_push_records: 100,
            ..Limits::default()
        },
        ..Config::new(data_dir)
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

/// Uploads `bytes` as an attachment blob, which must be accepted; its name (the SHA-256).
pub async fn upload_blob(api: &Api, bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let name: String = sha2::Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let response = api
        .request(reqwest::Method::PUT, &format!("/v1/blobs/{name}"))
        .body(bytes.to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 204, "blob {name} uploaded");
    name
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

/// `(record, outcome)` of each result, `"accepted"`, `"rejected: REASON"` or `"erased"`, for
/// comparing.
pub fn outcomes(response: &PushResponse) -> Vec<(RecordId, String)> {
    response
        .results
        .iter()
        .map(|result| {
            let outcome = match &result.outcome {
                crm_protocol::sync::Outcome::Accepted => "accepted".to_owned(),
                crm_protocol::sync::Outcome::Rejected { reason } => format!("rejected: {reason}"),
                crm_protocol::sync::Outcome::Erased => "erased".to_owned(),
            };
            (result.record_id, outcome)
        })
        .collect()
}

/// A password long enough for the admin commands.
pub const PASSWORD: &str = "correct horse battery";

/// Starts a server over `data_dir` without development mode: only signed-in devices work.
pub async fn start_production(data_dir: &Path) -> RunningServer {
    let config = Config {
        limits: Limits {
            max_body_bytes: MAX_BODY_BYTES,
            max_push_records: 100,
            max_blob_bytes: 1024,
            ..Limits::default()
        },
        ..Config::new(data_dir)
    };
    crm_sync_server::start(&config, "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("server starts")
}

/// The admin commands on `data_dir` (usable while a server runs on it).
pub async fn admin(data_dir: &Path) -> crm_sync_server::Admin {
    crm_sync_server::Admin::open(&Config::new(data_dir))
        .await
        .expect("admin opens")
}

/// Adds a user with [`PASSWORD`] to `tenant` (created when missing) and returns the user's id.
pub async fn add_user(
    admin: &crm_sync_server::Admin,
    tenant: &str,
    email: &str,
    role: crm_model::Role,
) -> crm_model::UserId {
    if admin.tenant(tenant).await.is_err() {
        admin.create_tenant(tenant, tenant).await.expect("tenant");
    }
    admin
        .add_user(tenant, email, email, role, PASSWORD)
        .await
        .expect("user added")
        .id
}

pub fn sign_in_request(tenant: &str, email: &str, password: &str) -> SignInRequest {
    SignInRequest {
        tenant: tenant.to_owned(),
        email: email.to_owned(),
        password: password.to_owned(),
        device_name: "test laptop".to_owned(),
    }
}

/// `POST /v1/sign-in`, the raw answer.
pub async fn try_sign_in(url: &str, request: &SignInRequest) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/v1/sign-in"))
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .json(request)
        .send()
        .await
        .expect("sign-in sent")
}

/// Signs in with [`PASSWORD`] and returns the API as that device.
pub async fn sign_in(server: &RunningServer, tenant: &str, email: &str) -> (Api, SignInResponse) {
    let response = try_sign_in(&server.url(), &sign_in_request(tenant, email, PASSWORD)).await;
    assert_eq!(response.status(), 200, "signed in");
    let signed_in: SignInResponse = response.json().await.expect("sign-in response");
    let api = Api {
        url: server.url(),
        token: signed_in.token.clone(),
        http: reqwest::Client::new(),
    };
    (api, signed_in)
}

impl Api {
    /// `GET path` with the token; the status.
    pub async fn status(&self, path: &str) -> u16 {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16()
    }

    pub async fn bootstrap(
        &self,
        after: Option<RecordId>,
        limit: u32,
    ) -> crm_protocol::sync::BootstrapResponse {
        let mut path = format!("/v1/bootstrap?limit={limit}");
        if let Some(after) = after {
            path.push_str(&format!("&after={}", after.0));
        }
        let response = self
            .request(reqwest::Method::GET, &path)
            .send()
            .await
            .expect("bootstrap sent");
        assert_eq!(response.status(), 200, "bootstrap answered");
        response.json().await.expect("bootstrap response")
    }
}

/// A device's document of `kind`, well formed, with `fields` set, and the change that made it.
pub fn create_record(
    device: u8,
    kind: crm_model::RecordKind,
    fields: &[(&str, ScalarValue)],
) -> (AutoCommit, Bytes) {
    let mut document = AutoCommit::new().with_actor(ActorId::from(vec![device; 16]));
    document.put(ROOT, "kind", kind.as_str()).expect("put");
    document
        .put(ROOT, "schemaVersion", ScalarValue::Int(1))
        .expect("put");
    document
        .put(ROOT, "deletedAt", ScalarValue::Null)
        .expect("put");
    for (field, value) in fields {
        document.put(ROOT, *field, value.clone()).expect("put");
    }
    let change = last_change(&mut document);
    (document, change)
}

/// Sets `field` to any scalar and returns the change that did it.
pub fn set(document: &mut AutoCommit, field: &str, value: ScalarValue) -> Bytes {
    document.put(ROOT, field, value).expect("put");
    last_change(document)
}

/// The test database (`CRM_TEST_DATABASE_URL`, by default the local PostgreSQL with trust
/// authentication), with a new schema of its own so that tests run in parallel.
pub async fn fresh_postgres_url() -> String {
    let base = std::env::var("CRM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|error| {
            panic!(
                "PostgreSQL tests need a server at {base} (set CRM_TEST_DATABASE_URL; `cargo \
                 xtask test` starts one): {error}"
            )
        });
    let driver = tokio::spawn(connection);
    let schema = format!("test_{}", uuid::Uuid::from_u128(rand_u128()).simple());
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("creates a schema");
    drop(client);
    driver.await.expect("joins").expect("connection closes");
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-csearch_path%3D{schema}")
}

fn rand_u128() -> u128 {
    let mut bytes = [0; 16];
    getrandom::fill(&mut bytes).expect("random");
    u128::from_le_bytes(bytes)
}

/// A server node on the PostgreSQL database `url` (blobs under `data_dir`).
pub async fn start_postgres_node(data_dir: &Path, url: &str) -> RunningServer {
    let config = Config {
        database_url: Some(url.to_owned()),
        ..Config::new(data_dir)
    };
    crm_sync_server::start(&config, "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("server starts")
}

/// The admin commands on the PostgreSQL database `url` (blobs under `data_dir`, as the nodes of
/// [`start_postgres_node`]).
pub async fn postgres_admin(data_dir: &Path, url: &str) -> crm_sync_server::Admin {
    let config = Config {
        database_url: Some(url.to_owned()),
        ..Config::new(data_dir)
    };
    crm_sync_server::Admin::open(&config)
        .await
        .expect("admin opens")
}
