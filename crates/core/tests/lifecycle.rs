//! Trash (with the customer cascade), restore, purge, record history, rebuild, and upgrading a
//! store created by the previous schema.

mod common;

use common::{TestStore, user};
use crm_core::{CoreError, STORE_FILE_NAME, Store};
use crm_model::{Contact, Customer, CustomerNote, Deal, RecordKind, Role};
use crm_protocol::ipc::{ErrorKind, IpcError};
use crm_protocol::query::{ContactQuery, CustomerQuery, DealQuery};
use serde_json::json;

fn customers(store: &Store) -> Vec<String> {
    store
        .list_customers(&CustomerQuery::default())
        .expect("lists")
        .data
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[test]
fn deleting_a_customer_trashes_its_contacts_notes_and_deals_and_restore_brings_them_back() {
    let mut t = TestStore::new();
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let stage = pipeline.ordered_stages()[0].0;
    let acme: Customer = t.create(json!({"name": "Acme"}));
    let other: Customer = t.create(json!({"name": "Other"}));
    let john: Contact = t.create(json!({"customerId": acme.id, "name": "John"}));
    let _: Contact = t.create(json!({"customerId": other.id, "name": "Olga"}));
    let _: CustomerNote = t.create(json!({"customerId": acme.id, "content": "Note"}));
    let deal: Deal = t.create(
        json!({"name": "D", "customerId": acme.id, "pipelineId": pipeline.id, "stageId": stage}),
    );
    // A contact trashed earlier on its own stays trashed when the customer comes back.
    let jane: Contact = t.create(json!({"customerId": acme.id, "name": "Jane"}));
    let admin = t.admin;
    t.store
        .delete_record(&admin, RecordKind::Contact, jane.id.into())
        .expect("deletes jane");

    t.store
        .delete_record(&admin, RecordKind::Customer, acme.id.into())
        .expect("deletes");
    assert_eq!(customers(&t.store), ["Other"]);
    let contacts = t
        .store
        .list_contacts(&ContactQuery::default())
        .expect("lists");
    assert_eq!(
        contacts
            .data
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Olga"]
    );
    assert_eq!(
        t.store
            .list_deals(&DealQuery::default())
            .expect("lists")
            .pagination
            .total,
        0
    );
    let trash: Vec<(RecordKind, String)> = t
        .store
        .list_trash()
        .expect("trash")
        .into_iter()
        .map(|item| (item.kind, item.title))
        .collect();
    assert_eq!(trash.len(), 5, "{trash:?}");
    assert!(
        t.store.search("acme", &[], 10).expect("search").is_empty(),
        "trashed records are not found"
    );

    t.store
        .restore_record(&admin, RecordKind::Customer, acme.id.into())
        .expect("restores");
    assert_eq!(customers(&t.store), ["Acme", "Other"]);
    let names: Vec<String> = t
        .store
        .list_contacts(&ContactQuery {
            customer_id: Some(acme.id),
            ..Default::default()
        })
        .expect("lists")
        .data
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        ["John"],
        "Jane was deleted on her own and stays in the trash"
    );
    assert_eq!(t.store.get::<Deal>(deal.id).expect("deal").name, "D");
    assert_eq!(
        t.store
            .customer_360(acme.id, crm_protocol::views::Include::ALL)
            .expect("360")
            .notes
            .len(),
        1
    );
    assert_eq!(t.store.list_trash().expect("trash").len(), 1);
    let _ = john;
}

#[test]
fn purge_needs_the_trash_and_removes_everything() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let acme: Customer = t.create(json!({"name": "Acme"}));
    assert!(matches!(
        t.store
            .purge_record(&admin, RecordKind::Customer, acme.id.into()),
        Err(CoreError::NotAllowed(_))
    ));
    t.store
        .delete_record(&admin, RecordKind::Customer, acme.id.into())
        .expect("deletes");
    // An open Customer 360 says where the customer went, in words a rep understands.
    let open_360 = |store: &Store| {
        store
            .customer_360(acme.id, crm_protocol::views::Include::ALL)
            .map(|_| ())
            .map_err(IpcError::from)
    };
    assert_eq!(
        open_360(&t.store),
        Err(IpcError::new(
            ErrorKind::InTrash,
            "This customer is in the trash. Restore it there to open it again."
        ))
    );
    t.store
        .purge_record(&admin, RecordKind::Customer, acme.id.into())
        .expect("purges");
    assert!(matches!(
        t.store.get::<Customer>(acme.id),
        Err(CoreError::Purged { .. })
    ));
    let purged = open_360(&t.store);
    assert!(
        matches!(&purged, Err(error) if error.kind == ErrorKind::NotFound
            && error.message.starts_with("This customer was deleted for good")),
        "{purged:?}"
    );
    assert!(t.store.list_trash().expect("trash").is_empty());
    let rep = user(9, Role::SalesRep);
    let mine: Customer = t.create_as(&rep, json!({"name": "Rep's"}));
    let other_rep = user(10, Role::SalesRep);
    assert!(matches!(
        t.store
            .delete_record(&other_rep, RecordKind::Customer, mine.id.into()),
        Err(CoreError::NotAllowed(_))
    ));
    t.store
        .delete_record(&rep, RecordKind::Customer, mine.id.into())
        .expect("a rep deletes what they own");
}

#[test]
fn a_pipeline_with_deals_cannot_be_deleted() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let pipeline = t.store.default_pipeline().expect("pipeline");
    let acme: Customer = t.create(json!({"name": "Acme"}));
    let stage = pipeline.ordered_stages()[0].0;
    let _: Deal = t.create(
        json!({"name": "D", "customerId": acme.id, "pipelineId": pipeline.id, "stageId": stage}),
    );
    let refused = t
        .store
        .delete_record(&admin, RecordKind::Pipeline, pipeline.id.into());
    assert!(matches!(refused, Err(CoreError::NotAllowed(reason)) if reason.contains("1 deal")));
}

#[test]
fn history_names_who_changed_which_field_from_what_to_what() {
    let mut t = TestStore::new();
    let admin = t.admin;
    let rep = user(77, Role::SalesRep);
    let acme: Customer = t.create_as(&rep, json!({"name": "Acme", "industry": "Tech"}));
    t.store
        .update_with::<Customer>(
            &rep,
            acme.id,
            json!({"industry": "Manufacturing", "primaryEmail": "a@acme.com"}),
        )
        .expect("edit");
    t.store
        .delete_record(&admin, RecordKind::Customer, acme.id.into())
        .expect("delete");
    let history = t
        .store
        .record_history(RecordKind::Customer, acme.id.into())
        .expect("history");
    assert_eq!(history.len(), 3);
    assert!(history[0].created);
    assert_eq!(history[0].user_id, Some(rep.user_id));
    assert_eq!(history[0].device_id, Some(t.store.profile().device_id));
    let edit: Vec<(String, serde_json::Value, serde_json::Value)> = history[1]
        .changes
        .iter()
        .map(|c| (c.field.clone(), c.old.clone(), c.new.clone()))
        .collect();
    assert_eq!(
        edit,
        vec![
            ("industry".to_owned(), json!("Tech"), json!("Manufacturing")),
            ("primaryEmail".to_owned(), json!(null), json!("a@acme.com")),
        ]
    );
    assert!(history[2].deleted);
    assert_eq!(history[2].user_id, Some(admin.user_id));
    assert!(history.windows(2).all(|pair| pair[0].at <= pair[1].at));
}

/// The client migrations, in order, as the store applies them.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/client/0001_init.sql"),
    include_str!("../../../migrations/client/0002_full_model.sql"),
    include_str!("../../../migrations/client/0003_list_indexes.sql"),
    include_str!("../../../migrations/client/0004_board_index.sql"),
    include_str!("../../../migrations/client/0005_activity_agenda.sql"),
];

/// A store as schema `version` left it, holding one customer (its document written by the
/// current code, its row in that schema's table), opened by this version: it must be upgraded
/// to the latest schema and its rows rebuilt from the documents.
fn upgrade_from(version: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(STORE_FILE_NAME);
    let (acme, bytes) = {
        let mut t = TestStore::new();
        let acme: Customer =
            t.create(json!({"name": "Acme Corp", "primaryEmail": "info@acme.com"}));
        let connection =
            rusqlite::Connection::open(t.dir.path().join(STORE_FILE_NAME)).expect("opens");
        let bytes: Vec<u8> = connection
            .query_row(
                "SELECT bytes FROM documents WHERE id = ?1",
                [acme.id.to_string()],
                |row| row.get(0),
            )
            .expect("document");
        (acme, bytes)
    };
    {
        let connection = rusqlite::Connection::open(&path).expect("creates");
        for sql in &MIGRATIONS[..version] {
            connection.execute_batch(sql).expect("older schema");
        }
        // That schema's own rebuild would have run on its first open.
        connection
            .execute("DELETE FROM sync_state WHERE key = 'rebuild_needed'", [])
            .expect("rebuilt then");
        connection
            .execute(
                "INSERT INTO profile (id, device_id, tenant_id, user_id, role, created_at)
                 VALUES (1, ?1, ?2, ?3, 'ADMIN', '2026-01-01T00:00:00.000Z')",
                [
                    uuid::Uuid::now_v7().to_string(),
                    uuid::Uuid::now_v7().to_string(),
                    uuid::Uuid::now_v7().to_string(),
                ],
            )
            .expect("profile");
        connection
            .execute(
                "INSERT INTO documents (id, kind, bytes, heads) VALUES (?1, 'customer', ?2, '')",
                rusqlite::params![acme.id.to_string(), bytes],
            )
            .expect("document");
        let row = if version == 1 {
            "INSERT INTO customers (id, name, status, created_at, updated_at, data)
             VALUES (?1, 'Acme Corp', 'ACTIVE', '2026-01-01', '2026-01-01', '{}')"
        } else {
            "INSERT INTO customers (id, name, status, customer_type, tags, currency, created_at,
                                    updated_at, data)
             VALUES (?1, 'Acme Corp', 'ACTIVE', 'COMPANY', '||', 'USD', '2026-01-01',
                     '2026-01-01', '{}')"
        };
        connection.execute(row, [acme.id.to_string()]).expect("row");
        connection
            .pragma_update(None, "user_version", i64::try_from(version).expect("small"))
            .expect("version");
    }
    let store = Store::open(&path).expect("upgrades");
    let latest: i64 = rusqlite::Connection::open(&path)
        .expect("opens")
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("version");
    assert_eq!(latest, i64::try_from(MIGRATIONS.len()).expect("small"));
    let listed = store
        .list_customers(&CustomerQuery::default())
        .expect("lists")
        .data;
    assert_eq!(listed, vec![acme], "row rebuilt from the document");
    assert_eq!(
        store
            .search("acme", &[RecordKind::Customer], 5)
            .expect("search")
            .len(),
        1,
        "search index rebuilt"
    );
}

/// Schemas whose upgrade recreates the rows' tables (0003 does), so the rows are rebuilt from
/// the documents. Later migrations only add indexes (see the next test).
const REBUILT_SCHEMAS: std::ops::RangeInclusive<usize> = 1..=2;

#[test]
fn a_store_of_every_earlier_schema_is_upgraded_and_rebuilt() {
    for version in REBUILT_SCHEMAS {
        upgrade_from(version);
    }
}

/// The migrations after 0003 only add an index each: (schema, the index it adds).
const INDEX_MIGRATIONS: &[(i64, &str)] = &[(4, "deals_board"), (5, "activities_agenda")];

/// A store of each schema from 3 on (what the current code writes, without the indexes of the
/// later migrations) is upgraded in place: the indexes appear and every row is kept.
#[test]
fn a_store_of_each_schema_before_an_index_migration_gains_the_later_indexes() {
    assert_eq!(
        INDEX_MIGRATIONS.last().map(|(schema, _)| *schema),
        Some(i64::try_from(MIGRATIONS.len()).expect("small")),
        "a newer migration needs its own upgrade test"
    );
    for (first_missing, _) in INDEX_MIGRATIONS {
        let mut t = TestStore::new();
        let acme: Customer = t.create(json!({"name": "Acme Corp"}));
        let path = t.dir.path().join(STORE_FILE_NAME);
        let dir = t.dir;
        drop(t.store);
        let older = first_missing - 1;
        {
            let connection = rusqlite::Connection::open(&path).expect("opens");
            for (schema, index) in INDEX_MIGRATIONS {
                if schema > &older {
                    connection
                        .execute_batch(&format!("DROP INDEX {index}"))
                        .expect("drops");
                }
            }
            connection
                .pragma_update(None, "user_version", older)
                .expect("older schema");
        }
        let store = Store::open(&path).expect("upgrades");
        let connection = rusqlite::Connection::open(&path).expect("opens");
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .expect("version");
        assert_eq!(version, i64::try_from(MIGRATIONS.len()).expect("small"));
        for (_, index) in INDEX_MIGRATIONS {
            let found: i64 = connection
                .query_row(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                    [index],
                    |row| row.get(0),
                )
                .expect("index");
            assert_eq!(found, 1, "{index} after upgrading schema {older}");
        }
        let listed = store
            .list_customers(&CustomerQuery::default())
            .expect("lists")
            .data;
        assert_eq!(listed, vec![acme]);
        drop(dir);
    }
}

#[test]
fn a_store_from_a_newer_app_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(STORE_FILE_NAME);
    drop(Store::open(&path).expect("creates"));
    rusqlite::Connection::open(&path)
        .expect("opens")
        .pragma_update(None, "user_version", 99)
        .expect("version");
    let Err(error) = Store::open(&path) else {
        panic!("a newer store must be refused")
    };
    assert!(
        error.to_string().contains("please update the app"),
        "{error}"
    );
}

#[test]
fn a_refused_change_is_dropped_and_the_record_goes_back_to_the_servers_version() {
    use crm_protocol::sync::{Outcome, PushResponse, RecordResult};
    let mut t = TestStore::new();
    let admin = t.admin;
    let acme: Customer = t.create(json!({"name": "Acme", "industry": "Tech"}));
    // The server accepted the creation...
    let batch = t
        .store
        .next_push_batch(100)
        .expect("batch")
        .expect("pending");
    let accepted: Vec<RecordResult> = batch
        .request
        .records
        .iter()
        .map(|r| RecordResult {
            record_id: r.record_id,
            outcome: Outcome::Accepted,
        })
        .collect();
    t.store
        .acknowledge_push(
            &batch,
            &PushResponse {
                results: accepted,
                cursor: 1,
            },
        )
        .expect("acknowledged");
    // ...but refuses the next edit.
    t.store
        .update_with::<Customer>(
            &admin,
            acme.id,
            json!({"industry": "Mining", "primaryEmail": "x@acme.com"}),
        )
        .expect("edit");
    let batch = t
        .store
        .next_push_batch(100)
        .expect("batch")
        .expect("pending");
    let refused = vec![RecordResult {
        record_id: acme.id.into(),
        outcome: Outcome::Rejected {
            reason: "a sales rep may not change a customer owned by someone else".into(),
        },
    }];
    let report = t
        .store
        .acknowledge_push(
            &batch,
            &PushResponse {
                results: refused,
                cursor: 1,
            },
        )
        .expect("acknowledged");
    assert_eq!(report.rejected.len(), 1);
    let back: Customer = t.store.get(acme.id).expect("customer");
    assert_eq!(
        (back.industry.as_deref(), back.primary_email),
        (Some("Tech"), None),
        "the server's version again"
    );
    assert_eq!(t.store.pending_changes().expect("outbox"), 0);
    let refusals = t.store.list_refusals().expect("refusals");
    assert_eq!(
        (
            refusals[0].title.as_str(),
            refusals[0].reason.contains("owned by someone else")
        ),
        ("Acme", true)
    );
    t.store.dismiss_refusal(refusals[0].id).expect("dismisses");
    assert!(t.store.list_refusals().expect("refusals").is_empty());

    // A record the server never accepted disappears.
    let refused_new: Customer = t.create(json!({"name": "Not allowed"}));
    let batch = t
        .store
        .next_push_batch(100)
        .expect("batch")
        .expect("pending");
    let results = vec![RecordResult {
        record_id: refused_new.id.into(),
        outcome: Outcome::Rejected {
            reason: "no".into(),
        },
    }];
    t.store
        .acknowledge_push(&batch, &PushResponse { results, cursor: 1 })
        .expect("acknowledged");
    assert!(t.store.get::<Customer>(refused_new.id).is_err());
    assert_eq!(customers(&t.store), ["Acme"]);
}
