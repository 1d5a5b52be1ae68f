//! Bootstrap pages and the live WebSocket, over real HTTP and a real WebSocket client.

mod common;

use std::time::Duration;

use common::*;
use crm_model::Role;
use crm_protocol::sync::{LiveMessage, PROTOCOL_HEADER, PROTOCOL_VERSION};
use futures_util::StreamExt as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(api: &Api) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = format!("{}/v1/live", api.url.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("a request");
    let headers = request.headers_mut();
    headers.insert(
        "authorization",
        format!("Bearer {}", api.token).parse().expect("header"),
    );
    headers.insert(
        PROTOCOL_HEADER,
        PROTOCOL_VERSION.to_string().parse().expect("header"),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(socket)
}

/// The next cursor the server announces, or `None` if none comes within `wait`.
async fn next_cursor(socket: &mut Socket, wait: Duration) -> Option<u64> {
    loop {
        let message = tokio::time::timeout(wait, socket.next()).await.ok()??;
        if let Message::Text(text) = message.expect("a message") {
            let live: LiveMessage = serde_json::from_str(&text).expect("a live message");
            return Some(live.cursor);
        }
    }
}

#[tokio::test]
async fn bootstrap_pages_current_documents_with_the_cursor_they_include() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    for number in 1..=5 {
        let (mut document, created) = Device::new(1).create_customer(&format!("Customer {number}"));
        let renamed = edit(&mut document, "name", &format!("Renamed {number}"));
        api.push(vec![changes_of(record(number), vec![created, renamed])])
            .await;
    }

    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = api.bootstrap(after, 2).await;
        after = page.documents.last().map(|document| document.record_id);
        let more = page.more;
        pages.push(page);
        if !more {
            break;
        }
    }
    let sizes: Vec<_> = pages.iter().map(|page| page.documents.len()).collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert!(
        pages.iter().all(|page| page.cursor == 10),
        "feed of 10 changes"
    );
    let names: Vec<_> = pages
        .iter()
        .flat_map(|page| &page.documents)
        .map(|document| {
            let loaded = automerge::AutoCommit::load(&document.document.0).expect("a document");
            (document.record_id, document.kind, text(&loaded, "name"))
        })
        .collect();
    let expected: Vec<_> = (1..=5)
        .map(|number| {
            (
                record(number),
                crm_model::RecordKind::Customer,
                Some(format!("Renamed {number}")),
            )
        })
        .collect();
    assert_eq!(names, expected);

    // A change after the bootstrap is pulled from its cursor.
    let (_, created) = Device::new(1).create_customer("Later");
    api.push(vec![changes_of(record(6), vec![created])]).await;
    let later = api.pull_all(pages[0].cursor, None).await;
    assert_eq!(
        later
            .iter()
            .map(|entry| entry.record_id)
            .collect::<Vec<_>>(),
        [record(6)]
    );
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn live_sockets_hear_their_own_tenant_move_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let admin_commands = admin(dir.path()).await;
    add_user(&admin_commands, "acme", "a@acme.example", Role::Admin).await;
    add_user(&admin_commands, "globex", "g@globex.example", Role::Admin).await;
    let (acme, _) = sign_in(&server, "acme", "a@acme.example").await;
    let (globex, _) = sign_in(&server, "globex", "g@globex.example").await;

    let mut listening = connect(&acme).await.expect("connects");
    let mut other_tenant = connect(&globex).await.expect("connects");
    let wait = Duration::from_secs(5);
    assert_eq!(next_cursor(&mut listening, wait).await, Some(0), "on open");
    assert_eq!(next_cursor(&mut other_tenant, wait).await, Some(0));

    let (mut document, created) = Device::new(1).create_customer("Acme");
    acme.push(vec![changes_of(record(1), vec![created])]).await;
    assert_eq!(next_cursor(&mut listening, wait).await, Some(1));
    let renamed = edit(&mut document, "name", "Acme Ltd");
    acme.push(vec![changes_of(record(1), vec![renamed])]).await;
    assert_eq!(next_cursor(&mut listening, wait).await, Some(2));
    assert_eq!(
        next_cursor(&mut other_tenant, Duration::from_millis(300)).await,
        None,
        "another tenant hears nothing"
    );

    let metrics = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("crm_sync_live_devices 2"), "{metrics}");

    // No token, no socket.
    let anonymous = Api {
        token: "nope".into(),
        ..acme
    };
    assert!(connect(&anonymous).await.is_err());
    server.stop().await.expect("stops");
}
