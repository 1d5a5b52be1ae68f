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
