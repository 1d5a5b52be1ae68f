//! Customers through the store's public API, on a real SQLite file.

use crm_core::{CoreError, STORE_FILE_NAME, Store};
use crm_model::{Actor, CustomerPatch, CustomerStatus, NewCustomer, Role, Rule, UserId};
use crm_protocol::query::{CustomerQuery, Paging};

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join(STORE_FILE_NAME)).expect("store opens")
}

/// Changes waiting in the outbox besides the default pipeline a new store seeds.
fn pending(store: &Store) -> u64 {
    store.pending_changes().expect("outbox") - 1
}

fn acme() -> NewCustomer {
    NewCustomer {
        name: "Acme Corp".into(),
        primary_email: Some("info@acme.com".into()),
        primary_phone: Some("+1 555 0100".into()),
        industry: Some("Technology".into()),
        ..NewCustomer::default()
    }
}

fn names(store: &Store, query: &CustomerQuery) -> Vec<String> {
    store
        .list_customers(query)
        .expect("lists")
        .data
        .into_iter()
        .map(|customer| customer.name)
        .collect()
}

#[test]
fn created_customer_is_listed_and_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = open(&dir);
    let actor = store.actor();
    let created = store.create_customer(&actor, acme()).expect("creates");
    assert_eq!(created.name, "Acme Corp");
    assert_eq!(created.status, CustomerStatus::Active);
    assert_eq!(created.owner_id, Some(actor.user_id));
    assert_eq!(pending(&store), 1);
    let profile = *store.profile();
    drop(store);

    let store = open(&dir);
    assert_eq!(
        *store.profile(),
        profile,
        "the profile is kept, not made anew"
    );
    let page = store
        .list_customers(&CustomerQuery::default())
        .expect("lists");
    assert_eq!(page.pagination.total, 1);
    assert_eq!(page.data, vec![created]);
}

#[test]
fn invalid_input_names_the_fields_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = open(&dir);
    let actor = store.actor();
    let input = NewCustomer {
        name: " ".into(),
        primary_email: Some("info@acme".into()),
        ..NewCustomer::default()
    };
    let Err(CoreError::Validation(errors)) = store.create_customer(&actor, input) else {
        panic!("expected a validation error");
    };
    assert_eq!(
        errors.for_field("name").map(|error| &error.rule),
        Some(&Rule::Required)
    );
    assert_eq!(
        errors.for_field("primaryEmail").map(|error| &error.rule),
        Some(&Rule::Email)
    );
    assert_eq!(
        store
            .list_customers(&CustomerQuery::default())
            .expect("lists")
            .pagination
            .total,
        0
    );
    assert_eq!(pending(&store), 0);
}

#[test]
fn update_changes_only_the_given_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = open(&dir);
    let actor = store.actor();
    let created = store.create_customer(&actor, acme()).expect("creates");
    let patch = CustomerPatch {
        industry: Some("Manufacturing".into()),
        primary_phone: Some("".into()),
        ..CustomerPatch::default()
    };
    let updated = store
        .update_customer(&actor, created.id, patch)
        .expect("updates");
    assert_eq!(updated.industry.as_deref(), Some("Manufacturing"));
    assert_eq!(
        updated.primary_phone, None,
        "an empty text clears the field"
    );
    assert_eq!(updated.name, "Acme Corp");
    assert_eq!(updated.primary_email.as_deref(), Some("info@acme.com"));
    assert_eq!(
        store.get_customer(created.id).expect("reads"),
        CustomerPatch::default().apply_to(&updated).expect("same")
    );
    assert_eq!(pending(&store), 2);

    let unchanged = store
        .update_customer(&actor, created.id, CustomerPatch::default())
        .expect("no-op update");
    assert_eq!(unchanged.industry.as_deref(), Some("Manufacturing"));
    assert_eq!(
        pending(&store),
        2,
        "an update that changes nothing makes no change"
    );
}

#[test]
fn roles_are_enforced_on_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = open(&dir);
    let admin = store.actor();
    let created = store.create_customer(&admin, acme()).expect("creates");
    let user = Actor {
        user_id: UserId(uuid::Uuid::from_u128(7)),
        role: Role::User,
    };
    let rep = Actor {
        user_id: UserId(uuid::Uuid::from_u128(8)),
        role: Role::SalesRep,
    };
    assert!(matches!(
        store.create_customer(&user, acme()),
        Err(CoreError::NotAllowed(_))
    ));
    let rename = CustomerPatch {
        name: Some("Mine now".into()),
        ..CustomerPatch::default()
    };
    assert!(matches!(
        store.update_customer(&rep, created.id, rename.clone()),
        Err(CoreError::NotAllowed(_))
    ));
    let own = store
        .create_customer(
            &rep,
            NewCustomer {
                name: "Rep's".into(),
                ..NewCustomer::default()
            },
        )
        .expect("rep creates");
    store
        .update_customer(&rep, own.id, rename)
        .expect("rep edits own");
    assert_eq!(
        names(&store, &CustomerQuery::default()),
        vec!["Acme Corp", "Mine now"]
    );
}

#[test]
fn list_searches_by_prefix_and_pages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = open(&dir);
    let actor = store.actor();
    for name in [
        "Beta GmbH",
        "acme corp",
        "Acme Industries",
        "Gamma Ltd",
        "Delta Inc",
    ] {
        store
            .create_customer(
                &actor,
                NewCustomer {
                    name: name.into(),
                    ..NewCustomer::default()
                },
            )
            .expect("creates");
    }
    let query = |search: Option<&str>, page, limit| CustomerQuery {
        search: search.map(str::to_owned),
        paging: Paging {
            page,
            limit,
            ..Paging::default()
        },
        ..CustomerQuery::default()
    };
    let cases: &[(CustomerQuery, &[&str])] = &[
        (
            query(None, 1, 50),
            &[
                "acme corp",
                "Acme Industries",
                "Beta GmbH",
                "Delta Inc",
                "Gamma Ltd",
            ],
        ),
        (query(Some("acm"), 1, 50), &["acme corp", "Acme Industries"]),
        (query(Some("  "), 1, 2), &["acme corp", "Acme Industries"]),
        (query(None, 2, 2), &["Beta GmbH", "Delta Inc"]),
        (query(None, 3, 2), &["Gamma Ltd"]),
        (query(Some("zzz"), 1, 50), &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(names(&store, query), *expected, "{query:?}");
    }
    assert_eq!(
        store
            .list_customers(&query(None, 1, 2))
            .expect("lists")
            .pagination
            .pages,
        3
    );
}
