//! Property: rebuilding every materialized row from the documents gives exactly the rows that
//! incremental materialization wrote, whatever sequence of writes came before.

mod common;

use common::TestStore;
use crm_model::{Contact, Customer, RecordKind};
use proptest::prelude::*;
use serde_json::json;

#[derive(Clone, Debug)]
enum Step {
    CreateCustomer(String, Option<String>),
    CreateContact(usize, String),
    Rename(usize, String),
    Tag(usize, Vec<String>),
    Delete(usize),
    Restore(usize),
}

fn step() -> impl Strategy<Value = Step> {
    let name = "[A-Z][a-z]{1,8}( [A-Z][a-z]{1,6})?";
    prop_oneof![
        (name, proptest::option::of("[a-z]{2,6}")).prop_map(|(n, i)| Step::CreateCustomer(n, i)),
        (0..8usize, name).prop_map(|(c, n)| Step::CreateContact(c, n)),
        (0..8usize, name).prop_map(|(c, n)| Step::Rename(c, n)),
        (0..8usize, proptest::collection::vec("[a-z]{2,5}", 0..3))
            .prop_map(|(c, t)| Step::Tag(c, t)),
        (0..8usize).prop_map(Step::Delete),
        (0..8usize).prop_map(Step::Restore),
    ]
}

/// Every materialized table and the search index, as sorted text rows.
fn snapshot(t: &TestStore) -> Vec<String> {
    let connection =
        rusqlite::Connection::open(t.dir.path().join(crm_core::STORE_FILE_NAME)).expect("opens");
    let mut rows = Vec::new();
    for table in [
        "customers",
        "contacts",
        "leads",
        "deals",
        "pipelines",
        "pipeline_stages",
        "deal_stage_visits",
        "communications",
        "activities",
        "notes",
        "attachments",
        "tags",
        "sales_documents",
        "users",
        "settings",
    ] {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM {table}"))
            .expect("prepares");
        let columns = statement.column_count();
        let mut query = statement.query([]).expect("queries");
        while let Some(row) = query.next().expect("row") {
            let values: Vec<String> = (0..columns)
                .map(|index| {
                    format!(
                        "{:?}",
                        row.get::<_, rusqlite::types::Value>(index).expect("value")
                    )
                })
                .collect();
            rows.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    let mut search = connection
        .prepare("SELECT record_id, kind, title, detail FROM search_keys")
        .expect("prepares");
    let mut query = search.query([]).expect("queries");
    while let Some(row) = query.next().expect("row") {
        let values: Vec<String> = (0..4)
            .map(|index| row.get::<_, String>(index).expect("text"))
            .collect();
        rows.push(format!("search: {}", values.join(" | ")));
    }
    rows.sort();
    rows
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rebuild_equals_incremental(steps in proptest::collection::vec(step(), 1..25)) {
        let mut t = TestStore::new();
        let admin = t.admin;
        let mut customers: Vec<Customer> = Vec::new();
        for step in steps {
            let pick = |index: usize| customers.get(index % customers.len().max(1)).map(|c| c.id);
            match step {
                Step::CreateCustomer(name, industry) => customers.push(t.create(json!({"name": name, "industry": industry}))),
                Step::CreateContact(index, name) => {
                    if let Some(id) = pick(index) {
                        let _ = t.store.create::<Contact>(&admin, &common::fields(json!({"customerId": id, "name": name})));
                    }
                }
                Step::Rename(index, name) => {
                    if let Some(id) = pick(index) {
                        let _ = t.store.update_with::<Customer>(&admin, id, json!({"name": name}));
                    }
                }
                Step::Tag(index, tags) => {
                    if let Some(id) = pick(index) {
                        let _ = t.store.update_with::<Customer>(&admin, id, json!({"tags": tags}));
                    }
                }
                Step::Delete(index) => {
                    if let Some(id) = pick(index) {
                        let _ = t.store.delete_record(&admin, RecordKind::Customer, id.into());
                    }
                }
                Step::Restore(index) => {
                    if let Some(id) = pick(index) {
                        let _ = t.store.restore_record(&admin, RecordKind::Customer, id.into());
                    }
                }
            }
        }
        let incremental = snapshot(&t);
        t.store.rebuild().expect("rebuilds");
        prop_assert_eq!(snapshot(&t), incremental);
    }
}
