//! A store joining a real sync server (port 0, signed-in users, no development token): the
//! first-sync choice, a new device's bootstrap in pages that resumes after the app is killed,
//! and the live channel that brings a colleague's edit without polling.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crm_core::account::FirstSync;
use crm_core::sync::{SyncClient, sign_in, sync_now, sync_round};
use crm_core::{BootstrapProgress, EngineTiming, STORE_FILE_NAME, Store, SyncEngine};
use crm_model::{Customer, Deal, FieldMap, Role};
use crm_protocol::query::{CustomerQuery, DealQuery, Paging};
use crm_protocol::sync::{SignInRequest, SignInResponse};
use crm_sync_server::{Config, RunningServer};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";
const TENANT: &str = "acme";

struct Laptop {
    dir: tempfile::TempDir,
    store: Arc<Mutex<Store>>,
}

impl Laptop {
    fn new() -> Laptop {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store opens");
        Laptop {
            dir,
            store: Arc::new(Mutex::new(store)),
        }
    }

    /// The app restarting: the store is opened again from its file.
    fn restart(&mut self) {
        let store = Store::open(&self.dir.path().join(STORE_FILE_NAME)).expect("store reopens");
        self.store = Arc::new(Mutex::new(store));
    }

    fn create<E: crm_core::References>(&self, fields: serde_json::Value) -> E {
        let mut store = self.store.lock().expect("lock");
        let actor = store.actor();
        let fields: FieldMap = serde_json::from_value(fields).expect("fields");
        store.create::<E>(&actor, &fields).expect("creates")
    }

    fn customers(&self) -> Vec<String> {
        let store = self.store.lock().expect("lock");
        let query = CustomerQuery {
            paging: Paging {
                limit: 100,
                ..Paging::default()
            },
            ..CustomerQuery::default()
        };
        let mut names: Vec<String> = store
            .list_customers(&query)
            .expect("lists")
            .data
            .into_iter()
            .map(|customer| customer.name)
            .collect();
        names.sort();
        names
    }

    async fn join(
        &self,
        server: &RunningServer,
        email: &str,
        choice: FirstSync,
    ) -> (SignInResponse, SyncClient) {
        let account = sign_in(
            &server.url(),
            &SignInRequest {
                tenant: TENANT.into(),
                email: email.into(),
                password: PASSWORD.into(),
                device_name: "laptop".into(),
            },
        )
        .await
        .expect("signs in");
        self.store
            .lock()
            .expect("lock")
            .join_server(&server.url(), &account, email, choice)
            .expect("joins");
        let client = SyncClient::new(&server.url(), &account.token).expect("client");
        (account, client)
    }
}

async fn start_server(dir: &tempfile::TempDir) -> RunningServer {
    crm_sync_server::start(
        &Config::new(dir.path()),
        "127.0.0.1:0".parse().expect("address"),
    )
    .await
    .expect("server starts")
}

async fn add_users(dir: &tempfile::TempDir, users: &[(&str, Role)]) {
    let admin = crm_sync_server::Admin::open(&Config::new(dir.path()))
        .await
        .expect("admin opens");
    if admin.tenant(TENANT).await.is_err() {
        admin.create_tenant(TENANT, "Acme").await.expect("tenant");
    }
    for (email, role) in users {
        admin
            .add_user(TENANT, email, email, *role, PASSWORD)
            .await
            .expect("user added");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_data_is_uploaded_as_the_signed_in_user_or_replaced_by_the_servers() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    add_users(
        &server_dir,
        &[
            ("boss@acme.test", Role::Admin),
            ("anna@acme.test", Role::SalesRep),
            ("ben@acme.test", Role::Manager),
        ],
    )
    .await;
    // The admin's laptop seeds the tenant's default pipeline (a sales rep may not).
    let boss = Laptop::new();
    assert!(
        !boss
            .store
            .lock()
            .expect("lock")
            .has_local_data()
            .expect("reads")
    );
    let (_, boss_client) = boss
        .join(&server, "boss@acme.test", FirstSync::UploadLocalData)
        .await;
    sync_now(&boss.store, &boss_client).await.expect("syncs");

    // Anna tried the app offline first: a customer and a deal she owns, as the local user.
    let anna = Laptop::new();
    let customer: Customer = anna.create(json!({"name": "Made offline", "type": "BUSINESS"}));
    let pipeline = anna
        .store
        .lock()
        .expect("lock")
        .default_pipeline()
        .expect("seeded");
    let (stage, _) = pipeline.ordered_stages()[0];
    let deal: Deal = anna.create(json!({
        "name": "First deal", "customerId": customer.id, "pipelineId": pipeline.id,
        "stageId": stage, "amount": 5000, "currencyCode": "EUR"
    }));
    assert!(
        anna.store
            .lock()
            .expect("lock")
            .has_local_data()
            .expect("reads")
    );
    let (account, client) = anna
        .join(&server, "anna@acme.test", FirstSync::UploadLocalData)
        .await;
    let report = sync_now(&anna.store, &client).await.expect("syncs");
    assert!(
        report.rejected.is_empty(),
        "a sales rep may push deals she owns: {:?}",
        report.rejected
    );
    {
        let store = anna.store.lock().expect("lock");
        assert_eq!(store.pending_changes().expect("outbox"), 0);
        let uploaded: Deal = store.get(deal.id).expect("deal");
        assert_eq!(uploaded.owner_id, Some(account.user_id), "now Anna's own");
        let tenant_pipeline = crm_core::default_pipeline_id(account.tenant_id);
        assert_eq!(
            uploaded.pipeline_id,
            Some(tenant_pipeline),
            "on the tenant's pipeline"
        );
        let pipelines = store.list_pipelines().expect("lists");
        assert_eq!(
            pipelines
                .iter()
                .map(|pipeline| pipeline.id)
                .collect::<Vec<_>>(),
            [tenant_pipeline],
            "the local default pipeline is gone"
        );
        assert_eq!(store.profile().role, Role::SalesRep);
        let joined = store.server_account().expect("reads").expect("joined");
        assert_eq!(joined.email, "anna@acme.test");
    }

    // Ben had a local customer he does not want: he starts from the server's data.
    let ben = Laptop::new();
    let _: Customer = ben.create(json!({"name": "Ben's scratch", "type": "BUSINESS"}));
    let (_, ben_client) = ben
        .join(&server, "ben@acme.test", FirstSync::StartFromServer)
        .await;
    assert_eq!(
        ben.customers(),
        Vec::<String>::new(),
        "local records dropped"
    );
    sync_now(&ben.store, &ben_client).await.expect("syncs");
    assert_eq!(ben.customers(), vec!["Made offline".to_owned()]);
    let deals = ben
        .store
        .lock()
        .expect("lock")
        .list_deals(&DealQuery::default())
        .expect("lists")
        .data;
    assert_eq!(
        deals
            .iter()
            .map(|deal| deal.name.as_str())
            .collect::<Vec<_>>(),
        ["First deal"]
    );

    // Signing in again as the same user keeps what is pending.
    let _: Customer = ben.create(json!({"name": "Pending", "type": "BUSINESS"}));
    ben.join(&server, "ben@acme.test", FirstSync::StartFromServer)
        .await;
    assert_eq!(
        ben.store
            .lock()
            .expect("lock")
            .pending_changes()
            .expect("outbox"),
        1
    );
    assert!(ben.customers().contains(&"Pending".to_owned()));
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_device_bootstraps_in_pages_and_resumes_where_a_kill_stopped_it() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    add_users(&server_dir, &[("anna@acme.test", Role::Admin)]).await;

    let anna = Laptop::new();
    let (_, client) = anna
        .join(&server, "anna@acme.test", FirstSync::StartFromServer)
        .await;
    {
        let mut store = anna.store.lock().expect("lock");
        let size = crm_core::demo::DemoSize::records(2_400);
        crm_core::demo::generate(&mut store, &size, &crm_core::demo::DemoOptions::new(7))
            .expect("generates");
    }
    sync_now(&anna.store, &client).await.expect("uploads");
    let total = anna
        .store
        .lock()
        .expect("lock")
        .document_count()
        .expect("counts");
    assert!(total > 2_000, "{total}");

    let mut laptop = Laptop::new();
    let (_, client) = laptop
        .join(&server, "anna@acme.test", FirstSync::StartFromServer)
        .await;
    // The app dies after the first page (the progress callback runs between pages).
    let first_round = {
        let store = laptop.store.clone();
        let client = client.clone();
        tokio::spawn(async move {
            let die_after_first_page = |progress: BootstrapProgress| {
                assert!(progress.done < 2_000, "killed after the first page");
                if progress.done > 0 {
                    panic!("killed");
                }
            };
            sync_round(&store, &client, &die_after_first_page).await
        })
        .await
    };
    assert!(first_round.is_err(), "the round was killed");
    laptop.restart();
    let seen = Mutex::new(Vec::new());
    let record = |progress: BootstrapProgress| seen.lock().expect("lock").push(progress);
    sync_round(&laptop.store, &client, &record)
        .await
        .expect("resumes");
    let seen = seen.into_inner().expect("lock");
    assert!(seen[0].done > 0, "resumed after the first page: {seen:?}");
    assert_eq!(
        seen.last().map(|last| (last.done, last.total)),
        Some((total, total))
    );

    let query = CustomerQuery::default();
    let mine = {
        let store = laptop.store.lock().expect("lock");
        assert_eq!(store.document_count().expect("counts"), total);
        store.list_customers(&query).expect("lists")
    };
    let theirs = anna
        .store
        .lock()
        .expect("lock")
        .list_customers(&query)
        .expect("lists");
    assert_eq!(mine.pagination.total, theirs.pagination.total);
    assert_eq!(mine.data, theirs.data);
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_channel_brings_a_colleagues_edit_without_polling() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(&server_dir).await;
    add_users(
        &server_dir,
        &[
            ("anna@acme.test", Role::Admin),
            ("ben@acme.test", Role::Manager),
        ],
    )
    .await;
    let anna = Laptop::new();
    let (_, anna_client) = anna
        .join(&server, "anna@acme.test", FirstSync::StartFromServer)
        .await;
    let ben = Laptop::new();
    let (_, ben_client) = ben
        .join(&server, "ben@acme.test", FirstSync::StartFromServer)
        .await;
    let timing = EngineTiming {
        interval: Duration::from_secs(3600),
        first_retry: Duration::from_millis(50),
        max_retry: Duration::from_millis(500),
    };
    let (engine, handle) = SyncEngine::new(ben.store.clone(), ben_client, timing);
    let mut changed = handle.records_changed();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(engine.run(async move {
        stopped.await.unwrap_or_default();
    }));
    let mut watcher = handle.clone();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !(watcher.status().live && watcher.status().last_success.is_some()) {
            watcher.changed().await;
        }
    })
    .await
    .expect("the engine went live");

    let customer: Customer = anna.create(json!({"name": "Live Corp", "type": "BUSINESS"}));
    sync_now(&anna.store, &anna_client).await.expect("pushes");
    let ids = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let ids = changed.recv().await.expect("changes arrive");
            if ids.contains(&customer.id.into()) {
                return ids;
            }
        }
    })
    .await
    .expect("Ben's engine pulled on the live message, not the hourly interval");
    assert!(!ids.is_empty());
    assert_eq!(ben.customers(), vec!["Live Corp".to_owned()]);

    // An administrator erases the customer: Ben's next round purges it, and the screens
    // listening hear of it (one showing it must say it is gone).
    crm_sync_server::Admin::open(&Config::new(server_dir.path()))
        .await
        .expect("admin opens")
        .erase_record(TENANT, customer.id.into())
        .await
        .expect("erased");
    handle.sync_now();
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let ids = changed.recv().await.expect("changes arrive");
            if ids.contains(&customer.id.into()) {
                return;
            }
        }
    })
    .await
    .expect("the erasure was announced to listeners");
    assert!(ben.customers().is_empty());
    stop.send(()).unwrap_or_default();
    running.await.expect("engine stops");
    server.stop().await.expect("server stops");
}
