//! Two devices syncing through a real sync server on port 0: records created on one appear on
//! the other, and offline edits of different fields on both survive.

use std::sync::Mutex;

use crm_core::sync::{SyncClient, SyncReport, sync_now};
use crm_core::{STORE_FILE_NAME, Store};
use crm_model::{Customer, CustomerPatch, NewCustomer};
use crm_protocol::ipc::CustomerQuery;
use crm_sync_server::{Config, RunningServer};
use serde_json::json;

const TOKEN: &str = "test-device-token";

struct Device {
    _dir: tempfile::TempDir,
    store: Mutex<Store>,
    client: SyncClient,
}

impl Device {
    fn new(server: &RunningServer) -> Device {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store opens");
        let client = SyncClient::new(&server.url(), TOKEN).expect("client");
        Device {
            _dir: dir,
            store: Mutex::new(store),
            client,
        }
    }

    async fn sync(&self) -> SyncReport {
        sync_now(&self.store, &self.client)
            .await
            .expect("sync succeeds")
    }

    fn customers(&self) -> Vec<Customer> {
        let store = self.store.lock().expect("store lock");
        store
            .list_customers(&CustomerQuery::default())
            .expect("lists")
            .data
    }

    fn create(&self, input: NewCustomer) -> Customer {
        let mut store = self.store.lock().expect("store lock");
        let actor = store.actor();
        store.create_customer(&actor, input).expect("creates")
    }

    fn update(&self, customer: &Customer, patch: CustomerPatch) -> Customer {
        let mut store = self.store.lock().expect("store lock");
        let actor = store.actor();
        store
            .update_customer(&actor, customer.id, patch)
            .expect("updates")
    }

    fn pending(&self) -> u64 {
        self.store
            .lock()
            .expect("store lock")
            .pending_changes()
            .expect("outbox")
    }
}

async fn start_server(dir: &tempfile::TempDir) -> RunningServer {
    let config = Config {
        dev_token: Some(TOKEN.to_owned()),
        ..Config::new(dir.path())
    };
    crm_sync_server::start(&config, "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("server starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_created_on_one_device_appears_on_the_other() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let (a, b) = (Device::new(&server), Device::new(&server));

    let created = a.create(NewCustomer {
        name: "Acme Corp".into(),
        ..NewCustomer::default()
    });
    let pushed = a.sync().await;
    assert_eq!(
        pushed.pushed_records, 2,
        "the customer and the seeded default pipeline"
    );
    assert!(pushed.rejected.is_empty());
    assert_eq!(a.pending(), 0, "acknowledged changes leave the outbox");

    let pulled = b.sync().await;
    assert!(pulled.changed_records.contains(&created.id.into()));
    assert_eq!(b.customers(), vec![created.clone()]);

    let again = b.sync().await;
    assert_eq!(
        (again.pulled_changes, again.cursor),
        (0, pulled.cursor),
        "nothing is applied twice"
    );
    assert_eq!(b.customers(), vec![created]);
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_of_different_fields_on_two_devices_both_survive() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let (a, b) = (Device::new(&server), Device::new(&server));
    let created = a.create(NewCustomer {
        name: "Acme".into(),
        primary_phone: Some("+1 555 0100".into()),
        ..NewCustomer::default()
    });
    a.sync().await;
    b.sync().await;

    // Both devices go offline and edit different fields of the same customer.
    a.update(
        &created,
        CustomerPatch {
            industry: Some("Technology".into()),
            ..CustomerPatch::default()
        },
    );
    b.update(
        &created,
        CustomerPatch {
            primary_phone: Some("+49 30 1234567".into()),
            ..CustomerPatch::default()
        },
    );
    b.update(
        &created,
        CustomerPatch {
            primary_email: Some("info@acme.com".into()),
            ..CustomerPatch::default()
        },
    );
    assert_eq!((a.pending(), b.pending()), (1, 2));

    // Back online, in any order.
    b.sync().await;
    a.sync().await;
    b.sync().await;

    let on_a = a.customers();
    assert_eq!(
        on_a,
        b.customers(),
        "both devices show the same merged record"
    );
    let merged = &on_a[0];
    assert_eq!(merged.name, "Acme");
    assert_eq!(merged.industry.as_deref(), Some("Technology"));
    assert_eq!(merged.primary_phone.as_deref(), Some("+49 30 1234567"));
    assert_eq!(merged.primary_email.as_deref(), Some("info@acme.com"));
    assert_eq!((a.pending(), b.pending()), (0, 0));
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_that_was_offline_catches_up_after_a_server_restart() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let a = Device::new(&server);
    let names: Vec<String> = (0..30)
        .map(|index| format!("Customer {index:02}"))
        .collect();
    for name in &names {
        a.create(NewCustomer {
            name: name.clone(),
            ..NewCustomer::default()
        });
    }
    a.sync().await;
    server.stop().await.expect("server stops");

    let server = start_server(&server_dir).await;
    let b = Device::new(&server);
    let report = b.sync().await;
    assert_eq!(
        report.changed_records.len(),
        names.len() + 1,
        "the customers and a's default pipeline"
    );
    let seen: Vec<String> = b
        .customers()
        .into_iter()
        .map(|customer| customer.name)
        .collect();
    assert_eq!(seen, names);
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_field_set_on_two_devices_is_a_conflict_that_either_can_resolve() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let (a, b) = (Device::new(&server), Device::new(&server));
    let created = a.create(NewCustomer {
        name: "Acme".into(),
        ..NewCustomer::default()
    });
    a.sync().await;
    b.sync().await;

    a.update(
        &created,
        CustomerPatch {
            industry: Some("Technology".into()),
            ..CustomerPatch::default()
        },
    );
    b.update(
        &created,
        CustomerPatch {
            industry: Some("Manufacturing".into()),
            ..CustomerPatch::default()
        },
    );
    a.sync().await;
    b.sync().await;
    a.sync().await;

    assert_eq!(a.customers(), b.customers(), "the same value shows on both");
    let shown = a.customers()[0].industry.clone().expect("an industry");
    for device in [&a, &b] {
        let conflicts = device
            .store
            .lock()
            .expect("lock")
            .list_conflicts()
            .expect("conflicts");
        assert_eq!(conflicts.len(), 1);
        let conflict = &conflicts[0];
        assert_eq!(
            (conflict.field.as_str(), conflict.title.as_str()),
            ("industry", "Acme")
        );
        let values: Vec<serde_json::Value> =
            conflict.values.iter().map(|v| v.value.clone()).collect();
        assert_eq!(values.len(), 2);
        assert!(values.contains(&json!("Technology")) && values.contains(&json!("Manufacturing")));
        assert_eq!(
            conflict.values[0].value,
            json!(shown),
            "the shown value first"
        );
        assert!(
            conflict
                .values
                .iter()
                .all(|v| v.user_id.is_some() && v.at.is_some())
        );
    }

    // B picks the value that is not shown; the choice syncs and the conflict is gone everywhere.
    let other = if shown == "Technology" {
        "Manufacturing"
    } else {
        "Technology"
    };
    {
        let mut store = b.store.lock().expect("lock");
        let actor = store.actor();
        store
            .resolve_conflict(&actor, created.id.into(), "industry", json!(other))
            .expect("resolves");
        assert_eq!(store.open_conflicts().expect("count"), 0);
    }
    b.sync().await;
    a.sync().await;
    assert_eq!(a.customers()[0].industry.as_deref(), Some(other));
    assert_eq!(
        a.store
            .lock()
            .expect("lock")
            .open_conflicts()
            .expect("count"),
        0
    );
    // Edits of different fields are no conflict.
    a.update(
        &created,
        CustomerPatch {
            primary_phone: Some("+1 555 0100".into()),
            ..CustomerPatch::default()
        },
    );
    b.update(
        &created,
        CustomerPatch {
            primary_email: Some("info@acme.com".into()),
            ..CustomerPatch::default()
        },
    );
    a.sync().await;
    b.sync().await;
    a.sync().await;
    assert_eq!(
        a.store
            .lock()
            .expect("lock")
            .open_conflicts()
            .expect("count"),
        0
    );
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_syncs_on_demand_reports_status_and_rides_out_a_server_outage() {
    use crm_core::{EngineTiming, SyncEngine};
    use std::sync::Arc;
    use std::time::Duration;

    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let address = server.address();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(std::sync::Mutex::new(
        Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store"),
    ));
    let client = SyncClient::new(&server.url(), TOKEN).expect("client");
    let timing = EngineTiming {
        interval: Duration::from_secs(3600),
        first_retry: Duration::from_millis(50),
        max_retry: Duration::from_millis(200),
    };
    let (engine, mut handle) = SyncEngine::new(store.clone(), client, timing);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(engine.run(async move {
        stopped.await.unwrap_or_default();
    }));
    let wait_for = |handle: &mut crm_core::SyncHandle,
                    wanted: fn(&crm_core::SyncStatus) -> bool| {
        let mut handle = handle.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(10), async {
                loop {
                    let status = handle.status();
                    if wanted(&status) {
                        return status;
                    }
                    handle.changed().await;
                }
            })
            .await
            .expect("status reached in time")
        }
    };
    let status = wait_for(&mut handle, |s| {
        s.online && s.last_success.is_some() && !s.syncing
    })
    .await;
    assert_eq!(status.pending_changes, 0);

    // The server goes away first, so no round (the live channel's first message may wake one)
    // can push the edit before the outage.
    server.stop().await.expect("server stops");
    {
        let mut store = store.lock().expect("lock");
        let actor = store.actor();
        store
            .create_customer(
                &actor,
                NewCustomer {
                    name: "Made offline".into(),
                    ..NewCustomer::default()
                },
            )
            .expect("creates");
    }
    handle.sync_now();
    // A round that failed before the edit (woken by the live channel dropping) may report
    // offline with nothing pending; the round `sync_now` asked for counts the edit.
    let status = wait_for(&mut handle, |s| {
        !s.online && s.last_error.is_some() && s.pending_changes == 1
    })
    .await;
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap_or("")
            .starts_with("Offline"),
        "{status:?}"
    );

    // The server comes back on the same address; the engine's backoff retries find it.
    let config = Config {
        dev_token: Some(TOKEN.to_owned()),
        ..Config::new(server_dir.path())
    };
    let server = crm_sync_server::start(&config, address)
        .await
        .expect("server restarts");
    let status = wait_for(&mut handle, |s| {
        s.online && s.pending_changes == 0 && s.last_error.is_none()
    })
    .await;
    assert!(status.last_success.is_some());
    stop.send(()).unwrap_or_default();
    running.await.expect("engine stops");
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_speaking_an_older_protocol_is_asked_to_update() {
    use crm_core::sync::SyncError;
    use crm_core::{EngineTiming, SyncEngine};
    use std::sync::Arc;
    use std::time::Duration;

    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let old = Device::new(&server);
    let client = old.client.clone().speaking(0);
    match sync_now(&old.store, &client).await {
        Err(SyncError::Server {
            status: 426,
            message,
            ..
        }) => assert!(message.contains("Please update the app"), "{message}"),
        other => panic!("expected 426 Upgrade Required, got {other:?}"),
    }

    // The engine says so in the status, in words, and keeps the edits.
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Mutex::new(
        Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store"),
    ));
    let timing = EngineTiming {
        interval: Duration::from_secs(3600),
        first_retry: Duration::from_secs(60),
        max_retry: Duration::from_secs(60),
    };
    let (engine, mut handle) = SyncEngine::new(store, client, timing);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(engine.run(async move {
        stopped.await.unwrap_or_default();
    }));
    let status = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let status = handle.status();
            if status.last_error.is_some() {
                return status;
            }
            handle.changed().await;
        }
    })
    .await
    .expect("a status in time");
    let error = status.last_error.unwrap_or_default();
    assert!(error.contains("Please update the app"), "{error}");
    assert!(
        status.online,
        "the server was reached: this is not 'offline'"
    );
    assert_eq!(
        status.pending_changes, 1,
        "the seeded pipeline waits to sync"
    );
    stop.send(()).unwrap_or_default();
    running.await.expect("engine stops");
    server.stop().await.expect("server stops");
}

/// A newer release of the app, as the server sees it: Automerge documents with a field this
/// release does not know, written through the sync API.
struct NewerApp {
    http: reqwest::Client,
    url: String,
}

impl NewerApp {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(TOKEN)
            .header(
                crm_protocol::sync::PROTOCOL_HEADER,
                crm_protocol::sync::PROTOCOL_VERSION.to_string(),
            )
    }

    async fn document(&self, id: crm_model::RecordId) -> automerge::AutoCommit {
        let page: crm_protocol::sync::BootstrapResponse = self
            .request(reqwest::Method::GET, "/v1/bootstrap?limit=1000")
            .send()
            .await
            .expect("bootstrap")
            .json()
            .await
            .expect("page");
        let entry = page
            .documents
            .into_iter()
            .find(|entry| entry.record_id == id)
            .expect("the record is on the server");
        automerge::AutoCommit::load(&entry.document.0).expect("loads")
    }

    async fn push(&self, id: crm_model::RecordId, change: Vec<u8>) {
        let request = crm_protocol::sync::PushRequest {
            records: vec![crm_protocol::sync::RecordChanges {
                record_id: id,
                changes: vec![crm_protocol::sync::Bytes(change)],
            }],
        };
        let response: crm_protocol::sync::PushResponse = self
            .request(reqwest::Method::POST, "/v1/push")
            .json(&request)
            .send()
            .await
            .expect("push")
            .json()
            .await
            .expect("push response");
        assert_eq!(
            response.results[0].outcome,
            crm_protocol::sync::Outcome::Accepted
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_a_newer_app_added_survives_an_edit_by_this_one() {
    use automerge::{ReadDoc as _, transaction::Transactable as _};

    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let this = Device::new(&server);
    let customer = this.create(NewCustomer {
        name: "Acme Corp".into(),
        ..NewCustomer::default()
    });
    this.sync().await;

    let newer = NewerApp {
        http: reqwest::Client::new(),
        url: server.url(),
    };
    let id: crm_model::RecordId = customer.id.into();
    let mut document = newer.document(id).await;
    document
        .put(automerge::ROOT, "loyaltyTier", "gold")
        .expect("puts");
    document.commit();
    let change = document
        .get_last_local_change()
        .expect("a change")
        .raw_bytes()
        .to_vec();
    newer.push(id, change).await;

    // This release pulls the unknown field, edits the record, and pushes its edit.
    this.sync().await;
    let renamed = this.update(
        &customer,
        CustomerPatch {
            name: Some("Acme Corporation".into()),
            ..CustomerPatch::default()
        },
    );
    assert_eq!(renamed.name, "Acme Corporation");
    this.sync().await;

    let merged = newer.document(id).await;
    let text = |field: &str| match merged.get(automerge::ROOT, field).expect("reads") {
        Some((automerge::Value::Scalar(scalar), _)) => match scalar.as_ref() {
            automerge::ScalarValue::Str(text) => text.to_string(),
            other => panic!("{field} is {other:?}"),
        },
        other => panic!("{field} is {other:?}"),
    };
    assert_eq!(
        text("loyaltyTier"),
        "gold",
        "the newer app's field survived"
    );
    assert_eq!(
        text("name"),
        "Acme Corporation",
        "and this app's edit arrived"
    );
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_attached_offline_uploads_later_and_downloads_on_first_open() {
    use crm_core::sync::{download_missing_blobs, open_blob};

    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let address = server.address();
    let (a, b) = (Device::new(&server), Device::new(&server));
    let customer = a.create(NewCustomer {
        name: "Acme Corp".into(),
        ..NewCustomer::default()
    });
    a.sync().await;
    server.stop().await.expect("server stops");

    // Offline: the file is attached, and the sync attempt fails without losing it.
    let bytes: Vec<u8> = (0..40_000u32).map(|index| (index % 251) as u8).collect();
    let attachment = {
        let mut store = a.store.lock().expect("lock");
        let actor = store.actor();
        let links = serde_json::from_value(json!({"customerId": customer.id})).expect("links");
        store
            .attach_file(&actor, "contract.pdf", "application/pdf", &bytes, &links)
            .expect("attaches")
    };
    assert!(sync_now(&a.store, &a.client).await.is_err(), "offline");

    let config = Config {
        dev_token: Some(TOKEN.to_owned()),
        ..Config::new(server_dir.path())
    };
    let server = crm_sync_server::start(&config, address)
        .await
        .expect("server restarts");
    let report = a.sync().await;
    assert_eq!(report.uploaded_files, 1, "the file goes before its record");
    assert_eq!(a.sync().await.uploaded_files, 0, "and only once");

    b.sync().await;
    let missing = b
        .store
        .lock()
        .expect("lock")
        .missing_blobs()
        .expect("reads");
    assert_eq!(
        missing,
        vec![attachment.sha256.clone()],
        "metadata came, the file did not"
    );
    let opened = open_blob(&b.store, &b.client, &attachment.sha256)
        .await
        .expect("downloads on first open");
    assert_eq!(opened, bytes);
    assert!(b.store.lock().expect("lock").has_blob(&attachment.sha256));
    assert_eq!(
        download_missing_blobs(&b.store, &b.client)
            .await
            .expect("nothing left"),
        0
    );
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_erased_on_the_server_is_purged_from_every_device_and_cannot_come_back() {
    use crm_core::sync::open_blob;
    use crm_model::{Attachment, RecordId};

    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    let (a, b) = (Device::new(&server), Device::new(&server));
    let erased = a.create(NewCustomer {
        name: "Erika Mustermann".into(),
        primary_email: Some("erika@example.com".into()),
        ..NewCustomer::default()
    });
    let kept = a.create(NewCustomer {
        name: "Kept Corp".into(),
        ..NewCustomer::default()
    });
    let bytes = b"Erika's signed contract".to_vec();
    let attachment: Attachment = {
        let mut store = a.store.lock().expect("lock");
        let actor = store.actor();
        let links = serde_json::from_value(json!({"customerId": erased.id})).expect("links");
        store
            .attach_file(&actor, "contract.pdf", "application/pdf", &bytes, &links)
            .expect("attaches")
    };
    a.sync().await;
    b.sync().await;
    open_blob(&b.store, &b.client, &attachment.sha256)
        .await
        .expect("downloads");

    // B edits the record offline; meanwhile an admin erases it and its attachment.
    b.update(
        &erased,
        CustomerPatch {
            industry: Some("Retail".into()),
            ..CustomerPatch::default()
        },
    );
    let admin = crm_sync_server::Admin::open(&Config::new(server_dir.path()))
        .await
        .expect("admin opens the server's data dir");
    let erased_id: RecordId = erased.id.into();
    let attachment_id: RecordId = attachment.id.into();
    for record in [erased_id, attachment_id] {
        admin.erase_record("dev", record).await.expect("erases");
    }
    assert!(
        admin.erase_record("dev", erased_id).await.is_err(),
        "erased already"
    );

    // A pulls the erasures and purges the record, its rows, search entry and file.
    let report = a.sync().await;
    assert_eq!(report.erased_records, [erased_id, attachment_id]);
    assert!(report.changed_records.contains(&erased_id));
    assert_eq!(a.customers(), vec![kept.clone()]);
    let gone = |device: &Device| {
        let store = device.store.lock().expect("lock");
        assert!(store.get::<Customer>(erased.id).is_err());
        assert!(store.get::<Attachment>(attachment.id).is_err());
        assert!(
            store
                .search("Mustermann", &[], 10)
                .expect("searches")
                .is_empty(),
            "the search index forgot the name"
        );
        assert!(!store.has_blob(&attachment.sha256), "the file is deleted");
        assert_eq!(store.pending_changes().expect("outbox"), 0);
    };
    gone(&a);

    // B's push of its edit is answered "erased": the edit and the record go.
    let report = b.sync().await;
    assert!(report.erased_records.contains(&erased_id), "{report:?}");
    assert!(report.rejected.is_empty(), "{report:?}");
    assert_eq!(b.customers(), vec![kept.clone()]);
    gone(&b);

    // Nothing brings it back: a further round, or a new device's bootstrap.
    assert_eq!(a.sync().await.pulled_changes, 0);
    assert_eq!(a.customers(), vec![kept.clone()]);
    let c = Device::new(&server);
    c.sync().await;
    assert_eq!(c.customers(), vec![kept]);
    server.stop().await.expect("server stops");
}
