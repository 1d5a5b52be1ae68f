//! The server keeps its data and its development token (in development mode) across restarts
//! on the same data dir.

mod common;

use common::*;
use crm_sync_server::{Config, DevToken};

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let device = Device::new(1);
    let (mut document, created) = device.create_customer("Acme");
    let renamed = edit(&mut document, "name", "Acme Ltd");

    let server = start_server(dir.path()).await;
    Api::new(&server)
        .push(vec![changes_of(record(1), vec![created.clone()])])
        .await;
    server.stop().await.expect("stops");

    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    assert_eq!(api.pull(0, None).await.cursor, 1, "the feed survived");
    // The stored document survived too: a change depending on the first one applies.
    let pushed = api
        .push(vec![changes_of(record(1), vec![created, renamed])])
        .await;
    assert_eq!(outcomes(&pushed), [(record(1), "accepted".to_owned())]);
    assert_eq!(pushed.cursor, 2);
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn a_generated_dev_token_is_shown_once_and_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        dev_mode: true,
        ..Config::new(dir.path())
    };
    let address = "127.0.0.1:0".parse().expect("address");

    let server = crm_sync_server::start(&config, address)
        .await
        .expect("starts");
    let DevToken::Generated(token) = server.dev_token().clone() else {
        panic!(
            "a first start without a token generates one, got {:?}",
            server.dev_token()
        );
    };
    server.stop().await.expect("stops");

    let server = crm_sync_server::start(&config, address)
        .await
        .expect("starts again");
    assert_eq!(server.dev_token(), &DevToken::Existing);
    let api = Api {
        token: token.clone(),
        ..Api::new(&server)
    };
    assert_eq!(
        api.pull(0, None).await.cursor,
        0,
        "the generated token still works"
    );
    server.stop().await.expect("stops");

    // A configured token replaces it.
    let server = start_server(dir.path()).await;
    assert_eq!(server.dev_token(), &DevToken::Configured);
    let api = Api {
        token,
        ..Api::new(&server)
    };
    let response = api
        .request(reqwest::Method::GET, "/v1/pull?since=0")
        .send()
        .await
        .expect("sent");
    assert_eq!(failure(response).await, (401, "unauthorized".to_owned()));
    server.stop().await.expect("stops");
}
