//! What operators rely on: attachment blobs, `/readyz`, `/metrics`, and the admin commands of
//! the binary (tenants, users, devices, backup and restore, purge, GDPR erase) against a data
//! directory a server is using.

mod common;

use std::process::{Command, Output};

use common::*;
use crm_model::Role;
use sha2::{Digest as _, Sha256};

const BINARY: &str = env!("CARGO_BIN_EXE_crm-sync-server");

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn blobs_are_checked_sized_and_kept_per_tenant() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let admin_commands = admin(dir.path()).await;
    add_user(&admin_commands, "acme", "a@acme.example", Role::SalesRep).await;
    add_user(&admin_commands, "acme", "u@acme.example", Role::User).await;
    add_user(&admin_commands, "globex", "g@globex.example", Role::Admin).await;
    let (acme, _) = sign_in(&server, "acme", "a@acme.example").await;
    let (acme_user, _) = sign_in(&server, "acme", "u@acme.example").await;
    let (globex, _) = sign_in(&server, "globex", "g@globex.example").await;
    let put = |api: &Api, name: String, body: Vec<u8>| {
        api.request(reqwest::Method::PUT, &format!("/v1/blobs/{name}"))
            .body(body)
            .send()
    };

    let bytes = b"%PDF-1.7 a quote".to_vec();
    let name = hex(&bytes);
    let response = put(&acme, name.clone(), bytes.clone()).await.expect("sent");
    assert_eq!(response.status(), 204);
    let fetched = acme
        .request(reqwest::Method::GET, &format!("/v1/blobs/{name}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.expect("body").to_vec(), bytes);

    for (api, name, body, expected) in [
        (&globex, name.clone(), vec![], (404, "not_found")),
        (&acme, hex(b"other"), bytes.clone(), (400, "bad_request")),
        (
            &acme,
            "not-a-hash".to_owned(),
            bytes.clone(),
            (400, "bad_request"),
        ),
        (&acme, hex(&[7; 2048]), vec![7; 2048], (413, "too_large")),
        (&acme_user, name.clone(), bytes.clone(), (403, "forbidden")),
    ] {
        let response = if body.is_empty() {
            api.request(reqwest::Method::GET, &format!("/v1/blobs/{name}"))
                .send()
                .await
        } else {
            put(api, name.clone(), body).await
        };
        let response = response.expect("sent");
        assert_eq!(
            failure(response).await,
            (expected.0, expected.1.to_owned()),
            "{name}"
        );
    }
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn readyz_and_metrics_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    let (_, created) = Device::new(1).create_customer("Acme");
    api.push(vec![changes_of(record(1), vec![created])]).await;
    let (_, broken) = create_record(1, crm_model::RecordKind::Customer, &[]);
    let mut corrupt = broken.clone();
    corrupt.0.truncate(3);
    api.push(vec![changes_of(record(2), vec![corrupt])]).await;

    let ready = reqwest::get(format!("{}/readyz", server.url()))
        .await
        .expect("sent");
    assert_eq!(ready.status(), 200);
    let metrics = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    for line in [
        "crm_sync_pushes_total 2",
        "crm_sync_changes_accepted_total 1",
        "crm_sync_records_refused_total 1",
        "crm_sync_feed_entries 1",
        "crm_sync_live_devices 0",
        "# TYPE crm_sync_http_requests_total counter",
    ] {
        assert!(
            metrics.lines().any(|candidate| candidate == line),
            "{line} in\n{metrics}"
        );
    }
    server.stop().await.expect("stops");
}

fn run(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(BINARY);
    command
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("CRM_DATA_DIR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("runs");
    {
        use std::io::Write as _;
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.unwrap_or_default().as_bytes())
            .expect("writes stdin");
    }
    child.wait_with_output().expect("exits")
}

/// Runs an admin command that must succeed; its stdout.
fn ok(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let output = run(dir, args, stdin);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[tokio::test]
async fn admin_commands_manage_tenants_users_devices_and_backups() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).expect("writes");
    let password_file = password_file.to_str().expect("utf-8");

    ok(
        &data,
        &["tenant", "create", "acme", "--name", "Acme Ltd"],
        None,
    );
    let user_add = [
        "user",
        "add",
        "--tenant",
        "acme",
        "--email",
        "anna@acme.example",
        "--name",
        "Anna",
        "--role",
        "sales-rep",
        "--password-file",
        password_file,
    ];
    ok(&data, &user_add, None);
    // The password may come on stdin as well; short ones are refused.
    let bob = [
        "user",
        "add",
        "--tenant",
        "acme",
        "--email",
        "bob@acme.example",
        "--name",
        "Bob",
        "--role",
        "USER",
    ];
    assert!(!run(&data, &bob, Some("short\n")).status.success());
    ok(&data, &bob, Some(&format!("{PASSWORD}\n")));
    let users = ok(&data, &["user", "list", "--tenant", "acme"], None);
    assert!(
        users.contains("anna@acme.example") && users.contains("SALES_REP"),
        "{users}"
    );
    ok(
        &data,
        &[
            "user",
            "set-role",
            "--tenant",
            "acme",
            "--email",
            "bob@acme.example",
            "manager",
        ],
        None,
    );

    let server = start_production(&data).await;
    let (anna, signed_in) = sign_in(&server, "acme", "anna@acme.example").await;
    assert_eq!(signed_in.role, Role::SalesRep);
    let (bob_api, bob_signed_in) = sign_in(&server, "acme", "bob@acme.example").await;
    assert_eq!(bob_signed_in.role, Role::Manager);
    let (_, created) = Device::new(1).create_customer("Acme");
    let customer = record(1);
    anna.push(vec![changes_of(customer, vec![created])]).await;

    let devices = ok(&data, &["device", "list", "--tenant", "acme"], None);
    let anna_device = signed_in.device_id.0.to_string();
    assert!(devices.contains(&anna_device), "{devices}");
    ok(
        &data,
        &["device", "revoke", "--tenant", "acme", &anna_device],
        None,
    );
    assert_eq!(anna.status("/v1/pull?since=0").await, 401);
    ok(
        &data,
        &[
            "user",
            "reset-password",
            "--tenant",
            "acme",
            "--email",
            "anna@acme.example",
        ],
        Some("a brand new password\n"),
    );
    let response = try_sign_in(
        &server.url(),
        &sign_in_request("acme", "anna@acme.example", "a brand new password"),
    )
    .await;
    assert_eq!(response.status(), 200);

    // Backup, purge, restore: the data and the sign-ins come back; the purged tenant's blobs
    // are deleted and another tenant's stay.
    add_user(
        &admin(&data).await,
        "globex",
        "g@globex.example",
        Role::Admin,
    )
    .await;
    let (globex, globex_signed_in) = sign_in(&server, "globex", "g@globex.example").await;
    let globex_blob = upload_blob(&globex, b"globex's quote").await;
    upload_blob(&bob_api, b"acme's quote").await;
    let acme_blobs = data.join("blobs").join(bob_signed_in.tenant_id.to_string());
    let globex_blob = data
        .join("blobs")
        .join(globex_signed_in.tenant_id.to_string())
        .join(globex_blob);
    assert!(acme_blobs.is_dir() && globex_blob.is_file());
    let backup = dir.path().join("acme.json");
    let backup_path = backup.to_str().expect("utf-8");
    ok(
        &data,
        &["tenant", "export", "acme", "--output", backup_path],
        None,
    );
    assert!(
        !run(&data, &["tenant", "purge", "acme"], None)
            .status
            .success(),
        "needs --yes"
    );
    ok(&data, &["tenant", "purge", "acme", "--yes"], None);
    assert_eq!(bob_api.status("/v1/pull?since=0").await, 401);
    assert!(
        !acme_blobs.exists(),
        "the purged tenant's blobs are deleted"
    );
    assert!(globex_blob.is_file(), "another tenant's blobs stay");
    assert!(
        ok(&data, &["tenant", "list"], None)
            .lines()
            .all(|line| !line.contains("acme"))
    );
    ok(&data, &["tenant", "import", backup_path], None);
    assert_eq!(
        bob_api.status("/v1/pull?since=0").await,
        200,
        "devices restored"
    );
    assert_eq!(bob_api.pull_all(0, None).await.len(), 1);
    assert!(
        !run(&data, &["tenant", "import", backup_path], None)
            .status
            .success()
    );

    // GDPR erase: the record's document and feed entries are gone, an erasure takes their
    // place in the feed, and the record cannot be pushed back.
    let erase = [
        "record",
        "erase",
        "--tenant",
        "acme",
        &customer.0.to_string(),
    ];
    let said = ok(&data, &erase, None);
    assert!(said.contains("devices purge it"), "{said}");
    assert!(bob_api.pull_all(0, None).await.is_empty());
    let pulled = bob_api.pull(0, None).await;
    assert_eq!(
        pulled
            .erased
            .iter()
            .map(|erasure| erasure.record_id)
            .collect::<Vec<_>>(),
        [customer]
    );
    assert_eq!(pulled.cursor, pulled.erased[0].seq);
    assert!(bob_api.bootstrap(None, 10).await.documents.is_empty());
    let (_, again) = Device::new(2).create_customer("Acme");
    let pushed = bob_api.push(vec![changes_of(customer, vec![again])]).await;
    assert_eq!(outcomes(&pushed), [(customer, "erased".to_owned())]);
    assert!(
        bob_api.pull_all(0, None).await.is_empty(),
        "nothing came back"
    );
    let twice = run(&data, &erase, None);
    assert!(!twice.status.success(), "erased already");

    ok(&data, &["tenant", "disable", "acme"], None);
    assert_eq!(bob_api.status("/v1/pull?since=0").await, 401);
    let tenants = ok(&data, &["tenant", "list"], None);
    assert!(tenants.contains("disabled"), "{tenants}");
    server.stop().await.expect("stops");
}

#[test]
fn help_explains_every_admin_command() {
    for (args, expected) in [
        (
            vec!["--help"],
            vec!["serve", "tenant", "user", "device", "record", "--data-dir"],
        ),
        (
            vec!["tenant", "--help"],
            vec![
                "create", "list", "disable", "enable", "export", "import", "purge",
            ],
        ),
        (
            vec!["user", "--help"],
            vec![
                "add",
                "list",
                "set-role",
                "disable",
                "enable",
                "reset-password",
            ],
        ),
        (vec!["device", "--help"], vec!["list", "revoke"]),
        (
            vec!["user", "add", "--help"],
            vec!["--password-file", "stdin", "SALES_REP"],
        ),
    ] {
        let output = Command::new(BINARY).args(&args).output().expect("runs");
        let help = String::from_utf8(output.stdout).expect("utf-8");
        for word in expected {
            assert!(
                help.contains(word),
                "{args:?} help mentions {word}:\n{help}"
            );
        }
    }
}
