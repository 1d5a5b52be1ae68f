//! The server on PostgreSQL: the sync API end to end, and two nodes sharing one database (a
//! push on node A is pulled from, and announced on the live channel of, node B).
//! Needs a PostgreSQL server: `CRM_TEST_DATABASE_URL`, by default the local one.

mod common;

use std::time::Duration;

use common::*;
use crm_model::{RecordKind, Role};
use crm_protocol::sync::{LiveMessage, PROTOCOL_HEADER, PROTOCOL_VERSION};
use futures_util::StreamExt as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_cursor(socket: &mut Socket) -> u64 {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message in time")
            .expect("open")
            .expect("a message");
        if let Message::Text(text) = message {
            return serde_json::from_str::<LiveMessage>(&text)
                .expect("a live message")
                .cursor;
        }
    }
}

#[tokio::test]
async fn two_nodes_on_one_database_serve_the_same_tenant() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = fresh_postgres_url().await;
    let node_a = start_postgres_node(dir.path(), &url).await;
    let node_b = start_postgres_node(dir.path(), &url).await;
    let admin = postgres_admin(dir.path(), &url).await;
    add_user(&admin, "acme", "anna@acme.example", Role::Manager).await;
    add_user(&admin, "acme", "user@acme.example", Role::User).await;
    let (on_a, _) = sign_in(&node_a, "acme", "anna@acme.example").await;
    let (on_b, _) = sign_in(&node_b, "acme", "anna@acme.example").await;
    let (user_on_b, _) = sign_in(&node_b, "acme", "user@acme.example").await;

    // B's live channel hears a push made on A.
    let url_b = format!("{}/v1/live", on_b.url.replacen("http", "ws", 1));
    let mut request = url_b.into_client_request().expect("a request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", on_b.token).parse().expect("header"),
    );
    request.headers_mut().insert(
        PROTOCOL_HEADER,
        PROTOCOL_VERSION.to_string().parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connects");
    assert_eq!(next_cursor(&mut socket).await, 0);

    let (mut document, created) = Device::new(1).create_customer("Acme");
    let customer = record(1);
    on_a.push(vec![changes_of(customer, vec![created])]).await;
    assert_eq!(next_cursor(&mut socket).await, 1, "announced across nodes");
    let pulled = on_b.pull_all(0, None).await;
    assert_eq!(pulled.len(), 1);

    // Concurrent pushes through both nodes: gap-free seqs, nothing lost.
    let mut from_b = Device::new(2).load(&[pulled[0].change.clone()]);
    let edit_a = edit(&mut document, "email", "info@acme.example");
    let edit_b = edit(&mut from_b, "phone", "+44 20 7946 0000");
    let (pushed_a, pushed_b) = tokio::join!(
        on_a.push(vec![changes_of(customer, vec![edit_a])]),
        on_b.push(vec![changes_of(customer, vec![edit_b])]),
    );
    assert_eq!(outcomes(&pushed_a)[0].1, "accepted");
    assert_eq!(outcomes(&pushed_b)[0].1, "accepted");
    let seqs: Vec<u64> = on_a
        .pull_all(0, None)
        .await
        .iter()
        .map(|entry| entry.seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    let page = on_b.bootstrap(None, 10).await;
    let merged = automerge::AutoCommit::load(&page.documents[0].document.0).expect("loads");
    assert_eq!(text(&merged, "email").as_deref(), Some("info@acme.example"));
    assert_eq!(text(&merged, "phone").as_deref(), Some("+44 20 7946 0000"));

    // The roles hold on every node.
    let (_, deal) = create_record(3, RecordKind::Deal, &[]);
    let refused = user_on_b
        .push(vec![changes_of(record(2), vec![deal])])
        .await;
    assert!(outcomes(&refused)[0].1.starts_with("rejected: not allowed"));

    // A GDPR erase by an admin is announced on every node at once; devices pull the erasure,
    // and a push to the record through either node is answered "erased".
    assert_eq!(
        admin.erase_record("acme", customer).await.expect("erases"),
        4
    );
    // (The socket may still hold the notices of the concurrent pushes above.)
    let mut heard = next_cursor(&mut socket).await;
    while heard < 4 {
        heard = next_cursor(&mut socket).await;
    }
    assert_eq!(heard, 4, "the erasure is announced");
    let pulled = on_b.pull(3, None).await;
    assert_eq!(
        (
            pulled.entries.len(),
            pulled.erased[0].record_id,
            pulled.cursor
        ),
        (0, customer, 4)
    );
    let again = edit(&mut document, "email", "back@acme.example");
    for node in [&on_a, &on_b] {
        let pushed = node
            .push(vec![changes_of(customer, vec![again.clone()])])
            .await;
        assert_eq!(outcomes(&pushed)[0].1, "erased");
    }
    assert!(on_a.bootstrap(None, 10).await.documents.is_empty());

    node_a.stop().await.expect("stops");
    node_b.stop().await.expect("stops");
}

#[tokio::test]
async fn admin_commands_work_on_postgres() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = fresh_postgres_url().await;
    let node = start_postgres_node(dir.path(), &url).await;
    let admin = postgres_admin(dir.path(), &url).await;
    add_user(&admin, "acme", "anna@acme.example", Role::Admin).await;
    add_user(&admin, "globex", "g@globex.example", Role::Admin).await;
    let (api, signed_in) = sign_in(&node, "acme", "anna@acme.example").await;
    let (globex, globex_signed_in) = sign_in(&node, "globex", "g@globex.example").await;
    let (_, created) = Device::new(1).create_customer("Acme");
    api.push(vec![changes_of(record(1), vec![created])]).await;
    upload_blob(&api, b"acme's quote").await;
    let globex_blob = upload_blob(&globex, b"globex's quote").await;

    let backup = admin.export_tenant("acme").await.expect("exports");
    admin.purge_tenant("acme").await.expect("purges");
    assert_eq!(api.status("/v1/pull?since=0").await, 401);
    let blobs = dir.path().join("blobs");
    assert!(!blobs.join(signed_in.tenant_id.to_string()).exists());
    assert!(
        blobs
            .join(globex_signed_in.tenant_id.to_string())
            .join(&globex_blob)
            .is_file(),
        "another tenant's blobs stay"
    );
    admin.import_tenant(backup).await.expect("imports");
    assert_eq!(api.pull_all(0, None).await.len(), 1);

    admin
        .revoke_device("acme", signed_in.device_id)
        .await
        .expect("revokes");
    assert_eq!(api.status("/v1/pull?since=0").await, 401);
    let ready = reqwest::get(format!("{}/readyz", node.url()))
        .await
        .expect("sent");
    assert_eq!(ready.status(), 200);
    node.stop().await.expect("stops");
}
