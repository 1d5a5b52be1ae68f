//! `SyncService` against a real sync server on port 0 (an admin-made company and user), with
//! a store in a temp dir and the token kept for the session (the keyring has its own tests).

use std::sync::Mutex as StdMutex;

use crm_model::{NewCustomer, Role};
use crm_protocol::ipc::ErrorKind;
use crm_sync_server::{Config, RunningServer};

use super::*;

const PASSWORD: &str = "correct horse battery";

struct Laptop {
    _dir: tempfile::TempDir,
    store: Arc<Mutex<Store>>,
    service: SyncService,
    events: Arc<StdMutex<Vec<SyncEvent>>>,
}

impl Laptop {
    fn new() -> Laptop {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join(crm_core::STORE_FILE_NAME)).expect("opens");
        let store = Arc::new(Mutex::new(store));
        let events = Arc::new(StdMutex::new(Vec::new()));
        let notify: Notify = {
            let events = events.clone();
            Arc::new(move |event| events.lock().expect("events").push(event))
        };
        let timing = EngineTiming {
            interval: Duration::from_millis(200),
            first_retry: Duration::from_millis(50),
            max_retry: Duration::from_millis(200),
        };
        let service = SyncService::new(
            store.clone(),
            Credentials::without_keyring(),
            tokio::runtime::Handle::current(),
            notify,
        )
        .with_timing(timing);
        Laptop {
            _dir: dir,
            store,
            service,
            events,
        }
    }

    fn create_customer(&self, name: &str) {
        let mut store = self.store.lock().expect("store");
        let actor = store.actor();
        store
            .create_customer(
                &actor,
                NewCustomer {
                    name: name.into(),
                    ..NewCustomer::default()
                },
            )
            .expect("creates");
        drop(store);
        self.service.local_change();
    }

    /// Waits (up to 10 s) until a status event satisfies `wanted`.
    async fn until(&self, what: &str, wanted: impl Fn(&SyncState) -> bool) -> SyncState {
        for _ in 0..200 {
            let found = self
                .events
                .lock()
                .expect("events")
                .iter()
                .rev()
                .find_map(|event| match event {
                    SyncEvent::Status(state) if wanted(state) => Some(state.clone()),
                    _ => None,
                });
            if let Some(state) = found {
                return state;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no status event showed {what}: {:?}",
            self.events.lock().expect("events")
        );
    }
}

async fn server_with_user(dir: &tempfile::TempDir) -> RunningServer {
    let config = Config::new(dir.path());
    let admin = crm_sync_server::Admin::open(&config).await.expect("admin");
    admin.create_tenant("acme", "Acme").await.expect("tenant");
    admin
        .add_user(
            "acme",
            "anna@acme.example",
            "Anna",
            Role::SalesRep,
            PASSWORD,
        )
        .await
        .expect("user");
    crm_sync_server::start(&config, "127.0.0.1:0".parse().expect("address"))
        .await
        .expect("server starts")
}

fn request(server_url: &str) -> SignInRequest {
    SignInRequest {
        server_url: server_url.to_owned(),
        tenant: "acme".into(),
        email: "Anna@acme.example".into(),
        password: PASSWORD.into(),
        device_name: "Anna's laptop".into(),
        first_sync: None,
        session_only: true,
    }
}

async fn sign_in_error(laptop: &Laptop, request: SignInRequest) -> IpcError {
    IpcError::from(
        laptop
            .service
            .sign_in(request)
            .await
            .expect_err("sign-in fails"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_syncs_and_signing_out_keeps_the_records() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = server_with_user(&server_dir).await;
    let laptop = Laptop::new();
    laptop.create_customer("Made offline first");
    let before = laptop.service.state().expect("state");
    assert!(!before.signed_in && before.has_local_data && before.pending_changes > 0);

    let error = sign_in_error(&laptop, request(&server.url())).await;
    assert_eq!(error.kind, ErrorKind::Validation);
    assert_eq!(
        error.fields[0].field, "firstSync",
        "local data needs a choice"
    );

    let upload = SignInRequest {
        first_sync: Some(FirstSyncChoice::UploadLocalData),
        ..request(&format!("{}/", server.url()))
    };
    let state = laptop.service.sign_in(upload).await.expect("signs in");
    assert!(state.signed_in && state.session_only);
    let account = state.account.expect("an account");
    assert_eq!(account.server_url, server.url());
    assert_eq!(account.email, "anna@acme.example");
    assert_eq!(account.role, Role::SalesRep);

    laptop
        .until("online with nothing pending", |state| {
            state.online && state.pending_changes == 0 && state.last_success.is_some()
        })
        .await;
    laptop.create_customer("Made while online");
    laptop
        .until("the new customer pushed", |state| {
            state.online && !state.syncing && state.pending_changes == 0
        })
        .await;
    assert!(laptop.service.sync_now().expect("syncs").signed_in);

    let state = laptop.service.sign_out().await.expect("signs out");
    assert!(!state.signed_in);
    assert_eq!(
        state.account.map(|account| account.email).as_deref(),
        Some("anna@acme.example"),
        "the store keeps its server account"
    );
    assert!(matches!(
        laptop.service.sync_now(),
        Err(SyncServiceError::NotSignedIn)
    ));
    assert!(
        !laptop.service.resume().expect("resumes"),
        "the session token was forgotten"
    );
    laptop.create_customer("Made after signing out");
    assert!(laptop.service.state().expect("state").pending_changes > 0);

    let again = laptop
        .service
        .sign_in(request(&server.url()))
        .await
        .expect("signs in again without a first-sync choice");
    assert!(again.signed_in);
    laptop
        .until("the change made while signed out pushed", |state| {
            state.online && !state.syncing && state.pending_changes == 0
        })
        .await;
    laptop.service.sign_out().await.expect("signs out");
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_laptop_downloads_the_company_records_and_hears_of_them() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = server_with_user(&server_dir).await;
    let empty = Laptop::new();
    empty
        .service
        .sign_in(request(&server.url()))
        .await
        .expect("signs in to an empty company");
    let state = empty
        .until("online with the empty company", |state| {
            state.online && state.last_success.is_some()
        })
        .await;
    assert_eq!((state.bootstrap, state.last_error), (None, None));
    empty.service.sign_out().await.expect("signs out");

    let first = Laptop::new();
    first.create_customer("Uploaded by the first laptop");
    let upload = SignInRequest {
        first_sync: Some(FirstSyncChoice::UploadLocalData),
        ..request(&server.url())
    };
    first.service.sign_in(upload).await.expect("first signs in");
    first
        .until("uploaded", |state| {
            state.last_success.is_some() && state.pending_changes == 0
        })
        .await;

    let second = Laptop::new();
    assert!(!second.service.state().expect("state").has_local_data);
    second
        .service
        .sign_in(request(&server.url()))
        .await
        .expect("second signs in");
    let state = second
        .until("bootstrapped and online", |state| {
            state.online && state.last_success.is_some()
        })
        .await;
    assert_eq!(state.bootstrap, None, "{state:?}");
    assert_eq!(state.last_error, None);
    let names: Vec<String> = second
        .store
        .lock()
        .expect("store")
        .list_customers(&crm_protocol::ipc::CustomerQuery::default())
        .expect("lists")
        .data
        .into_iter()
        .map(|customer| customer.name)
        .collect();
    assert_eq!(names, ["Uploaded by the first laptop"]);
    assert!(
        second
            .events
            .lock()
            .expect("events")
            .iter()
            .any(|event| matches!(event, SyncEvent::RecordsChanged(ids) if !ids.is_empty())),
        "the pages heard of the downloaded records"
    );
    first.service.sign_out().await.expect("signs out");
    second.service.sign_out().await.expect("signs out");
    server.stop().await.expect("server stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failures_say_what_to_do() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = server_with_user(&server_dir).await;
    let laptop = Laptop::new();

    let wrong_password = SignInRequest {
        password: "not the password".into(),
        ..request(&server.url())
    };
    let error = sign_in_error(&laptop, wrong_password).await;
    assert_eq!(error.kind, ErrorKind::SignInRefused);
    assert_eq!(
        error.message,
        "The company, email or password is not right."
    );
    assert!(!error.message.contains("not the password"));

    let error = sign_in_error(&laptop, request("sync.acme.example")).await;
    assert_eq!(error.kind, ErrorKind::Validation);
    assert_eq!(error.fields[0].field, "serverUrl");

    let keyring = SignInRequest {
        session_only: false,
        ..request(&server.url())
    };
    let error = sign_in_error(&laptop, keyring).await;
    assert_eq!(error.kind, ErrorKind::KeyringUnavailable);

    let unreachable = format!("http://{}", server.address());
    server.stop().await.expect("server stops");
    let error = sign_in_error(&laptop, request(&unreachable)).await;
    assert_eq!(error.kind, ErrorKind::Unavailable);
    assert!(
        error.message.contains("cannot be reached"),
        "{}",
        error.message
    );
    assert!(!laptop.service.state().expect("state").signed_in);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_attached_on_one_laptop_download_on_another_before_a_trip() {
    let server_dir = tempfile::tempdir().expect("temp dir");
    let server = server_with_user(&server_dir).await;
    let not_yet = Laptop::new();
    assert!(matches!(
        not_yet.service.download_attachments().await,
        Err(SyncServiceError::NotSignedIn)
    ));

    let first = Laptop::new();
    first.create_customer("Acme");
    let bytes = b"%PDF- a signed contract".to_vec();
    let sha256 = {
        let mut store = first.store.lock().expect("store");
        let actor = store.actor();
        let customer = store
            .list_customers(&crm_protocol::ipc::CustomerQuery::default())
            .expect("lists")
            .data
            .remove(0);
        let links =
            serde_json::from_value(serde_json::json!({"customerId": customer.id})).expect("links");
        store
            .attach_file(&actor, "contract.pdf", "application/pdf", &bytes, &links)
            .expect("attaches")
            .sha256
    };
    let upload = SignInRequest {
        first_sync: Some(FirstSyncChoice::UploadLocalData),
        ..request(&server.url())
    };
    first.service.sign_in(upload).await.expect("signs in");
    first
        .until("uploaded", |state| {
            state.last_success.is_some() && state.pending_changes == 0
        })
        .await;

    let second = Laptop::new();
    second
        .service
        .sign_in(request(&server.url()))
        .await
        .expect("signs in");
    second
        .until("bootstrapped", |state| {
            state.online && state.last_success.is_some() && state.bootstrap.is_none()
        })
        .await;
    assert!(!second.store.lock().expect("store").has_blob(&sha256));
    assert_eq!(
        second
            .service
            .download_attachments()
            .await
            .expect("downloads"),
        1
    );
    let kept = second
        .store
        .lock()
        .expect("store")
        .read_blob(&sha256)
        .expect("reads");
    assert_eq!(kept, Some(bytes));
    assert_eq!(
        second.service.download_attachments().await.expect("again"),
        0,
        "nothing left to download"
    );
    first.service.sign_out().await.expect("signs out");
    second.service.sign_out().await.expect("signs out");
    server.stop().await.expect("server stops");
}
