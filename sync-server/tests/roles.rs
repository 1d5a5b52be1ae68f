//! The role rules of spec §6 as the server enforces them on every push, over real HTTP: every
//! role × every record kind × every operation (on own and on others' records), plus the cases
//! the spec names and cross-tenant attempts.

mod common;

use automerge::{AutoCommit, ScalarValue};
use common::*;
use crm_model::{Operation, RecordKind, Role, UserId};
use crm_protocol::sync::Bytes;

/// A user of every role and a second sales rep ("someone else"), in tenant `acme`, signed in.
struct Team {
    admin: Api,
    by_role: Vec<(Role, Api, UserId)>,
    someone_else: UserId,
}

async fn team(server: &crm_sync_server::RunningServer, dir: &std::path::Path) -> Team {
    let admin_commands = admin(dir).await;
    let mut by_role = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@acme.example", role.as_str().to_lowercase());
        let user = add_user(&admin_commands, "acme", &email, *role).await;
        let (api, _) = sign_in(server, "acme", &email).await;
        by_role.push((*role, api, user));
    }
    let someone_else = add_user(&admin_commands, "acme", "rep2@acme.example", Role::SalesRep).await;
    let admin = by_role
        .iter()
        .find(|(role, ..)| *role == Role::Admin)
        .map(|(_, api, _)| Api {
            url: api.url.clone(),
            token: api.token.clone(),
            http: reqwest::Client::new(),
        })
        .expect("an admin");
    Team {
        admin,
        by_role,
        someone_else,
    }
}

fn owner_fields(kind: RecordKind, owner: UserId) -> Vec<(&'static str, ScalarValue)> {
    let mut fields = vec![("name", ScalarValue::from("Acme"))];
    if let Some(field) = kind.owner_field() {
        fields.push((field, ScalarValue::from(owner.0.to_string())));
    }
    fields
}

async fn push_one(api: &Api, record: crm_model::RecordId, change: Bytes) -> String {
    let response = api.push(vec![changes_of(record, vec![change])]).await;
    let outcome = outcomes(&response).remove(0).1;
    if outcome == "accepted" {
        outcome
    } else {
        "rejected".to_owned()
    }
}

/// A record of `kind` owned by `owner`, created by the admin (and deleted when `deleted`); the
/// document as a device of the actor would hold it.
async fn existing(
    team: &Team,
    number: &mut u128,
    kind: RecordKind,
    owner: UserId,
    deleted: bool,
) -> (crm_model::RecordId, AutoCommit) {
    *number += 1;
    let record_id = record(*number);
    let (mut document, created) = create_record(1, kind, &owner_fields(kind, owner));
    let mut changes = vec![created];
    if deleted {
        changes.push(set(
            &mut document,
            "deletedAt",
            "2026-01-01T00:00:00Z".into(),
        ));
    }
    let pushed = team
        .admin
        .push(vec![changes_of(record_id, changes.clone())])
        .await;
    assert_eq!(outcomes(&pushed)[0].1, "accepted", "setup of {kind:?}");
    (record_id, Device::new(2).load(&changes))
}

#[tokio::test]
async fn every_role_kind_and_operation_is_enforced_as_spec_6_says() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let team = team(&server, dir.path()).await;
    let mut number = 1_000;
    let mut mismatches = Vec::new();
    for (role, api, me) in &team.by_role {
        for kind in RecordKind::ALL.iter().copied() {
            for own in [true, false] {
                let owner = if own { *me } else { team.someone_else };
                let expect = |operation| {
                    if role.allows(*me, operation, kind, Some(owner)) {
                        "accepted"
                    } else {
                        "rejected"
                    }
                };
                let mut check = |what: &str, expected: &str, actual: String| {
                    if actual != expected {
                        mismatches.push(format!(
                            "{role:?} {what} {kind:?} own={own}: expected {expected}, got {actual}"
                        ));
                    }
                };

                number += 1;
                let (_, created) = create_record(3, kind, &owner_fields(kind, owner));
                check(
                    "create",
                    expect(Operation::Create),
                    push_one(api, record(number), created).await,
                );

                let (record_id, mut document) =
                    existing(&team, &mut number, kind, owner, false).await;
                let change = set(&mut document, "name", "Acme Ltd".into());
                check(
                    "update",
                    expect(Operation::Update),
                    push_one(api, record_id, change).await,
                );

                let (record_id, mut document) =
                    existing(&team, &mut number, kind, owner, false).await;
                let change = set(&mut document, "deletedAt", "2026-02-02T00:00:00Z".into());
                check(
                    "delete",
                    expect(Operation::Delete),
                    push_one(api, record_id, change).await,
                );

                let (record_id, mut document) =
                    existing(&team, &mut number, kind, owner, true).await;
                let change = set(&mut document, "deletedAt", ScalarValue::Null);
                check(
                    "restore",
                    expect(Operation::Delete),
                    push_one(api, record_id, change).await,
                );
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn the_cases_spec_6_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let team = team(&server, dir.path()).await;
    let api_of = |role: Role| {
        team.by_role
            .iter()
            .find(|(candidate, ..)| *candidate == role)
            .map(|(_, api, user)| (api, *user))
            .expect("a user of the role")
    };
    let (rep, rep_id) = api_of(Role::SalesRep);
    let (user, user_id) = api_of(Role::User);
    let (manager, _) = api_of(Role::Manager);
    let mut number = 5_000;

    // A rep may not change another rep's deal, nor take it over by changing its owner.
    let (deal, mut document) = existing(
        &team,
        &mut number,
        RecordKind::Deal,
        team.someone_else,
        false,
    )
    .await;
    let rename = set(&mut document, "name", "Mine now".into());
    let response = rep.push(vec![changes_of(deal, vec![rename])]).await;
    assert_eq!(
        outcomes(&response),
        [(
            deal,
            "rejected: not allowed: the Sales rep role may not change a Deal record owned by \
             someone else"
                .to_owned()
        )]
    );
    let (deal, mut document) = existing(
        &team,
        &mut number,
        RecordKind::Deal,
        team.someone_else,
        false,
    )
    .await;
    let take_over = set(&mut document, "ownerId", rep_id.0.to_string().into());
    assert_eq!(push_one(rep, deal, take_over).await, "rejected");
    // Their own deal they may hand over.
    let (deal, mut document) = existing(&team, &mut number, RecordKind::Deal, rep_id, false).await;
    let hand_over = set(
        &mut document,
        "ownerId",
        team.someone_else.0.to_string().into(),
    );
    assert_eq!(push_one(rep, deal, hand_over).await, "accepted");

    // A user may not create a deal, but may create an activity.
    let (_, deal) = create_record(
        3,
        RecordKind::Deal,
        &owner_fields(RecordKind::Deal, user_id),
    );
    assert_eq!(push_one(user, record(6_001), deal).await, "rejected");
    let (_, activity) = create_record(
        3,
        RecordKind::Activity,
        &owner_fields(RecordKind::Activity, user_id),
    );
    assert_eq!(push_one(user, record(6_002), activity).await, "accepted");

    // A manager changes anyone's customer but deletes nothing, and touches no settings.
    let (customer, mut document) = existing(
        &team,
        &mut number,
        RecordKind::Customer,
        team.someone_else,
        false,
    )
    .await;
    let rename = set(&mut document, "name", "Acme Group".into());
    assert_eq!(push_one(manager, customer, rename).await, "accepted");
    let delete = set(&mut document, "deletedAt", "2026-03-03T00:00:00Z".into());
    assert_eq!(push_one(manager, customer, delete).await, "rejected");
    let (_, pipeline) = create_record(3, RecordKind::Pipeline, &[]);
    assert_eq!(push_one(manager, record(6_003), pipeline).await, "rejected");

    // Nothing refused reached the feed: every accepted change is there, no other.
    let refused_names: Vec<String> = team
        .admin
        .pull_all(0, None)
        .await
        .iter()
        .map(|entry| {
            let document = Device::new(9).load(std::slice::from_ref(&entry.change));
            text(&document, "name").unwrap_or_default()
        })
        .filter(|name| name == "Mine now")
        .collect();
    assert!(refused_names.is_empty());
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn a_record_of_another_tenant_is_unknown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let admin_commands = admin(dir.path()).await;
    add_user(&admin_commands, "acme", "a@acme.example", Role::Admin).await;
    add_user(&admin_commands, "globex", "g@globex.example", Role::Admin).await;
    let (acme, _) = sign_in(&server, "acme", "a@acme.example").await;
    let (globex, _) = sign_in(&server, "globex", "g@globex.example").await;

    let customer = record(1);
    let (mut document, created) = Device::new(1).create_customer("Acme");
    acme.push(vec![changes_of(customer, vec![created.clone()])])
        .await;

    // Globex pushing the very same change under the same id creates nothing.
    let response = globex
        .push(vec![changes_of(customer, vec![created.clone()])])
        .await;
    assert_eq!(
        outcomes(&response),
        [(
            customer,
            "rejected: unknown record: this record id cannot be used".to_owned()
        )]
    );
    // Nor can it edit the record: it has none of its history.
    let edit = edit(&mut document, "name", "Hijacked");
    let response = globex.push(vec![changes_of(customer, vec![edit])]).await;
    assert!(outcomes(&response)[0].1.starts_with("rejected"));
    assert!(globex.pull_all(0, None).await.is_empty());
    assert!(globex.bootstrap(None, 10).await.documents.is_empty());

    let acme_entries = acme.pull_all(0, None).await;
    assert_eq!(acme_entries.len(), 1, "acme's record is untouched");
    server.stop().await.expect("stops");
}
