//! Behaviour every [`Storage`] backend must show, as one function per property taking the
//! backend under test. The SQLite tests call them today; PostgreSQL's will call the same ones.

use crm_model::{DeviceId, RecordId, RecordKind, Role, TenantId, UserId};
use uuid::Uuid;

use super::{
    CommitOutcome, FeedEvent, FeedRow, NewChange, NewDevice, NewUser, RecordWrite, Storage, Stored,
};
use crate::auth::{Principal, TokenHash};

fn id(number: u128) -> Uuid {
    Uuid::from_u128(number)
}

/// A tenant with one user of `role` and one device whose token is `token`.
pub(crate) async fn tenant_with_device(
    storage: &dyn Storage,
    number: u128,
    token: &str,
    role: Role,
) -> Principal {
    let principal = Principal {
        tenant: TenantId(id(number)),
        user: UserId(id(number + 1)),
        device: DeviceId(id(number + 2)),
        role,
    };
    assert!(
        storage
            .create_tenant(principal.tenant, format!("t{number}"), "T".into())
            .await
            .expect("tenant")
    );
    let user = NewUser {
        id: principal.user,
        email: "a@b.example".into(),
        display_name: "A".into(),
        role,
        password_hash: None,
    };
    assert!(
        storage
            .create_user(principal.tenant, user)
            .await
            .expect("user")
    );
    let device = NewDevice {
        id: principal.device,
        user: principal.user,
        name: "laptop".into(),
        token_hash: TokenHash::of(token),
    };
    storage
        .put_device(principal.tenant, device)
        .await
        .expect("device");
    principal
}

fn write(
    principal: &Principal,
    record: RecordId,
    revision: Option<u64>,
    changes: &[u8],
) -> RecordWrite {
    RecordWrite {
        record,
        kind: RecordKind::Customer,
        document: vec![revision.map_or(0, |revision| revision as u8 + 1)],
        expected_revision: revision,
        changes: changes
            .iter()
            .map(|&byte| NewChange {
                hash: [byte; 32],
                bytes: vec![byte],
            })
            .collect(),
        user: principal.user,
        device: principal.device,
    }
}

/// The feed as `(seq, change)`, an erasure's change shown as empty.
fn seqs(rows: &[FeedRow]) -> Vec<(u64, Vec<u8>)> {
    rows.iter()
        .map(|row| match &row.event {
            FeedEvent::Change(change) => (row.seq, change.clone()),
            FeedEvent::Erased => (row.seq, Vec::new()),
        })
        .collect()
}

pub(crate) async fn tokens_authenticate_their_principal(storage: &dyn Storage) {
    let principal = tenant_with_device(storage, 100, "token-a", Role::Admin).await;
    assert_eq!(
        storage
            .authenticate(TokenHash::of("token-a"))
            .await
            .expect("query"),
        Some(principal)
    );
    assert_eq!(
        storage
            .authenticate(TokenHash::of("token-b"))
            .await
            .expect("query"),
        None
    );

    // A new token for the device replaces the old one.
    let device = NewDevice {
        id: principal.device,
        user: principal.user,
        name: "laptop".into(),
        token_hash: TokenHash::of("token-c"),
    };
    storage
        .put_device(principal.tenant, device)
        .await
        .expect("device");
    assert_eq!(
        storage
            .authenticate(TokenHash::of("token-a"))
            .await
            .expect("query"),
        None
    );
    assert_eq!(
        storage
            .authenticate(TokenHash::of("token-c"))
            .await
            .expect("query"),
        Some(principal)
    );
}

pub(crate) async fn commits_are_conditional_and_feeds_idempotent(storage: &dyn Storage) {
    let principal = tenant_with_device(storage, 200, "token", Role::Admin).await;
    let tenant = principal.tenant;
    let record = RecordId(id(201));
    let committed = |feed_head| CommitOutcome::Committed { feed_head };

    assert_eq!(
        storage
            .commit_record(tenant, write(&principal, record, None, &[1, 2]))
            .await
            .expect("commit"),
        committed(2)
    );
    // A second creation, or a write from a stale revision, loses the race and stores nothing.
    assert_eq!(
        storage
            .commit_record(tenant, write(&principal, record, None, &[3]))
            .await
            .expect("commit"),
        CommitOutcome::Conflict
    );
    assert_eq!(
        storage
            .commit_record(tenant, write(&principal, record, Some(7), &[3]))
            .await
            .expect("commit"),
        CommitOutcome::Conflict
    );
    let stored = storage
        .load_document(tenant, record)
        .await
        .expect("load")
        .document()
        .expect("stored");
    assert_eq!((stored.bytes, stored.revision), (vec![0], 1));

    // Changes the feed already has are not appended again.
    assert_eq!(
        storage
            .commit_record(tenant, write(&principal, record, Some(1), &[2, 3]))
            .await
            .expect("commit"),
        committed(3)
    );
    let feed = storage.read_feed(tenant, 0, 10).await.expect("feed");
    assert_eq!(seqs(&feed), [(1, vec![1]), (2, vec![2]), (3, vec![3])]);
    assert_eq!(
        seqs(&storage.read_feed(tenant, 1, 1).await.expect("feed")),
        [(2, vec![2])]
    );
    assert_eq!(storage.feed_head(tenant).await.expect("head"), 3);
}

pub(crate) async fn a_batch_commits_in_one_transaction_with_an_outcome_per_write(
    storage: &dyn Storage,
) {
    let principal = tenant_with_device(storage, 500, "batch", Role::Admin).await;
    let other = tenant_with_device(storage, 600, "batch-other", Role::Admin).await;
    let tenant = principal.tenant;
    let theirs = RecordId(id(601));
    storage
        .commit_record(other.tenant, write(&other, theirs, None, &[60]))
        .await
        .expect("commit");
    let (first, second) = (RecordId(id(501)), RecordId(id(502)));
    storage
        .commit_record(tenant, write(&principal, second, None, &[50]))
        .await
        .expect("commit");

    let outcomes = storage
        .commit_records(
            tenant,
            vec![
                write(&principal, first, None, &[51, 52]),
                // Stale: `second` is at revision 1, not 2.
                write(&principal, second, Some(2), &[53]),
                write(&principal, theirs, None, &[54]),
                write(&principal, second, Some(1), &[55, 50]),
            ],
        )
        .await
        .expect("commit");
    assert_eq!(
        outcomes,
        vec![
            CommitOutcome::Committed { feed_head: 3 },
            CommitOutcome::Conflict,
            CommitOutcome::ForeignRecord,
            // 50 is in the feed already: only 55 is appended.
            CommitOutcome::Committed { feed_head: 4 },
        ]
    );
    let feed = storage.read_feed(tenant, 0, 10).await.expect("feed");
    assert_eq!(
        seqs(&feed),
        [(1, vec![50]), (2, vec![51]), (3, vec![52]), (4, vec![55])]
    );
    assert_eq!(storage.feed_head(tenant).await.expect("head"), 4);
    assert_eq!(storage.feed_head(other.tenant).await.expect("head"), 1);
}

pub(crate) async fn tenants_do_not_see_each_other(storage: &dyn Storage) {
    let first = tenant_with_device(storage, 300, "first", Role::Admin).await;
    let second = tenant_with_device(storage, 400, "second", Role::Admin).await;
    let record = RecordId(id(301));
    storage
        .commit_record(first.tenant, write(&first, record, None, &[30]))
        .await
        .expect("commit");

    assert!(matches!(
        storage
            .load_document(second.tenant, record)
            .await
            .expect("load"),
        Stored::Nothing
    ));
    assert!(
        storage
            .read_feed(second.tenant, 0, 10)
            .await
            .expect("feed")
            .is_empty()
    );
    assert_eq!(storage.feed_head(second.tenant).await.expect("head"), 0);
    assert_eq!(
        storage.count_documents(first.tenant).await.expect("count"),
        1
    );
    assert_eq!(
        storage.count_documents(second.tenant).await.expect("count"),
        0
    );
    // A record id belongs to one tenant: the second cannot create a record under it.
    let outcome = storage
        .commit_record(second.tenant, write(&second, record, None, &[30]))
        .await
        .expect("commit");
    assert_eq!(outcome, CommitOutcome::ForeignRecord);
    assert_eq!(storage.feed_head(second.tenant).await.expect("head"), 0);
    assert_eq!(storage.feed_head(first.tenant).await.expect("head"), 1);
    // Both may hold the same change bytes in records of their own.
    let outcome = storage
        .commit_record(
            second.tenant,
            write(&second, RecordId(id(401)), None, &[30]),
        )
        .await
        .expect("commit");
    assert_eq!(outcome, CommitOutcome::Committed { feed_head: 1 });
}

pub(crate) async fn an_erased_record_leaves_an_erasure_in_the_feed_and_refuses_writes(
    storage: &dyn Storage,
) {
    let principal = tenant_with_device(storage, 700, "erase", Role::Admin).await;
    let other = tenant_with_device(storage, 800, "erase-other", Role::Admin).await;
    let tenant = principal.tenant;
    let (erased, kept) = (RecordId(id(701)), RecordId(id(702)));
    let theirs = RecordId(id(801));
    storage
        .commit_record(tenant, write(&principal, erased, None, &[71, 72]))
        .await
        .expect("commit");
    storage
        .commit_record(tenant, write(&principal, kept, None, &[73]))
        .await
        .expect("commit");
    storage
        .commit_record(other.tenant, write(&other, theirs, None, &[81]))
        .await
        .expect("commit");

    // Another tenant's record, or one never written, is not erased: nothing changes.
    assert_eq!(
        storage.erase_record(tenant, theirs).await.expect("erase"),
        None
    );
    assert_eq!(
        storage
            .erase_record(tenant, RecordId(id(799)))
            .await
            .expect("erase"),
        None
    );
    assert_eq!(storage.feed_head(tenant).await.expect("head"), 3);
    assert_eq!(storage.feed_head(other.tenant).await.expect("head"), 1);

    // The erasure takes the next seq; the record's own entries are gone.
    assert_eq!(
        storage.erase_record(tenant, erased).await.expect("erase"),
        Some(4)
    );
    assert_eq!(
        storage.erase_record(tenant, erased).await.expect("erase"),
        None,
        "erased already"
    );
    let feed = storage.read_feed(tenant, 0, 10).await.expect("feed");
    assert_eq!(seqs(&feed), [(3, vec![73]), (4, vec![])]);
    assert_eq!(
        (feed[1].record, &feed[1].event),
        (erased, &FeedEvent::Erased)
    );
    // Paging sees the erasure at its place.
    assert_eq!(
        seqs(&storage.read_feed(tenant, 0, 1).await.expect("feed")),
        [(3, vec![73])]
    );
    assert_eq!(
        seqs(&storage.read_feed(tenant, 3, 1).await.expect("feed")),
        [(4, vec![])]
    );
    assert!(matches!(
        storage.load_document(tenant, erased).await.expect("load"),
        Stored::Erased
    ));
    assert_eq!(storage.count_documents(tenant).await.expect("count"), 1);
    assert_eq!(
        storage
            .list_documents(tenant, None, 10)
            .await
            .expect("list")
            .iter()
            .map(|row| row.record)
            .collect::<Vec<_>>(),
        [kept]
    );

    // The record cannot come back, even with changes the feed no longer has.
    assert_eq!(
        storage
            .commit_records(
                tenant,
                vec![
                    write(&principal, erased, None, &[71, 72]),
                    write(&principal, kept, Some(1), &[74]),
                ],
            )
            .await
            .expect("commit"),
        [
            CommitOutcome::Erased,
            CommitOutcome::Committed { feed_head: 5 }
        ]
    );
    // The other tenant's records are untouched.
    assert!(matches!(
        storage
            .load_document(other.tenant, theirs)
            .await
            .expect("load"),
        Stored::Document(_)
    ));

    // A backup keeps the erasure, and a restore refuses the record again.
    let dump = storage
        .export_tenant(tenant)
        .await
        .expect("export")
        .expect("tenant");
    assert_eq!(dump.erasures.len(), 1);
    assert!(storage.purge_tenant(tenant).await.expect("purge"));
    storage.import_tenant(dump).await.expect("import");
    assert_eq!(
        seqs(&storage.read_feed(tenant, 3, 10).await.expect("feed")),
        [(4, vec![]), (5, vec![74])]
    );
    assert_eq!(
        storage
            .commit_record(tenant, write(&principal, erased, None, &[75]))
            .await
            .expect("commit"),
        CommitOutcome::Erased
    );
}

/// Where the PostgreSQL tests connect: `CRM_TEST_DATABASE_URL`, by default the local server's
/// `postgres` database with trust authentication (what `cargo xtask test` sets up).
pub(crate) const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A URL of the test database whose tables go into a new schema of their own, so tests run in
/// parallel without seeing each other.
pub(crate) async fn fresh_postgres_url() -> String {
    let base = std::env::var("CRM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned());
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|error| {
            panic!(
                "PostgreSQL tests need a server at {base} (set CRM_TEST_DATABASE_URL; `cargo \
                 xtask test` starts one): {error}"
            )
        });
    let driver = tokio::spawn(connection);
    let schema = format!(
        "test_{}",
        crate::auth::random_uuid().expect("random").simple()
    );
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("creates a schema");
    drop(client);
    driver.await.expect("joins").expect("connection closes");
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-csearch_path%3D{schema}")
}
