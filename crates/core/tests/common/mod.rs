//! Helpers shared by the core's integration tests: a store in a temp dir, users of each role,
//! and record builders from JSON bodies (the spec's request shapes).

#![allow(dead_code, unreachable_pub)]

use crm_core::{References, STORE_FILE_NAME, Store};
use crm_model::{Actor, FieldMap, Role, UserId};

pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub admin: Actor,
}

impl TestStore {
    pub fn new() -> TestStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store opens");
        let admin = store.actor();
        TestStore { dir, store, admin }
    }

    pub fn reopen(self) -> TestStore {
        let TestStore { dir, store, admin } = self;
        drop(store);
        let store = Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store reopens");
        TestStore { dir, store, admin }
    }

    /// Creates a record from a JSON body as the admin.
    pub fn create<E: References>(&mut self, body: serde_json::Value) -> E {
        let actor = self.admin;
        self.create_as(&actor, body)
    }

    pub fn create_as<E: References>(&mut self, actor: &Actor, body: serde_json::Value) -> E {
        self.store.create(actor, &fields(body)).expect("creates")
    }
}

pub fn fields(body: serde_json::Value) -> FieldMap {
    match body {
        serde_json::Value::Object(map) => map,
        other => panic!("a JSON object, not {other}"),
    }
}

pub fn user(n: u128, role: Role) -> Actor {
    Actor {
        user_id: UserId(uuid::Uuid::from_u128(n)),
        role,
    }
}

/// A sync server over `dir` listening on `address`, in development mode with `token`: its one
/// Admin device of the development tenant.
pub async fn start_dev_server(
    dir: &std::path::Path,
    address: &str,
    token: &str,
) -> crm_sync_server::RunningServer {
    let config = crm_sync_server::Config {
        dev_token: Some(token.to_owned()),
        ..crm_sync_server::Config::new(dir)
    };
    crm_sync_server::start(&config, address.parse().expect("address"))
        .await
        .expect("server starts")
}

/// What a sign-in as the development device answers: for `Store::join_server` in tests that
/// sync with [`start_dev_server`]'s `token`.
pub fn dev_account(token: &str) -> crm_protocol::sync::SignInResponse {
    crm_protocol::sync::SignInResponse {
        token: token.into(),
        tenant_id: crm_sync_server::DEV_TENANT,
        user_id: crm_sync_server::DEV_USER,
        role: Role::Admin,
        device_id: crm_sync_server::DEV_DEVICE,
    }
}
