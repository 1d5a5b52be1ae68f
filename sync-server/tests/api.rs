//! The sync server's HTTP API end to end: a real server on port 0 over a temp data dir, driven
//! with a real HTTP client.

mod common;

use common::*;
use crm_protocol::sync::{Bytes, PROTOCOL_HEADER, PushRequest};
use reqwest::Method;

#[tokio::test]
async fn healthz_answers_ok() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let response = reqwest::get(format!("{}/healthz", server.url()))
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "ok");
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn a_pushed_record_is_pulled_and_a_replay_appends_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    let (_, created) = Device::new(1).create_customer("Acme");
    let customer = record(1);

    let pushed = api
        .push(vec![changes_of(customer, vec![created.clone()])])
        .await;
    assert_eq!(outcomes(&pushed), [(customer, "accepted".to_owned())]);
    assert_eq!(pushed.cursor, 1);

    let pulled = api.pull(0, None).await;
    assert_eq!((pulled.cursor, pulled.more), (1, false));
    let entries: Vec<_> = pulled
        .entries
        .iter()
        .map(|entry| (entry.seq, entry.record_id))
        .collect();
    assert_eq!(entries, [(1, customer)]);
    let document = Device::new(2).load(&[pulled.entries[0].change.clone()]);
    assert_eq!(text(&document, "name").as_deref(), Some("Acme"));

    let replayed = api.push(vec![changes_of(customer, vec![created])]).await;
    assert_eq!(outcomes(&replayed), [(customer, "accepted".to_owned())]);
    assert_eq!(replayed.cursor, 1, "nothing appended");
    assert_eq!(api.pull_all(0, None).await.len(), 1);
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn concurrent_edits_of_two_devices_merge() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    let customer = record(7);
    let (mut on_laptop, created) = Device::new(1).create_customer("Acme");
    api.push(vec![changes_of(customer, vec![created.clone()])])
        .await;
    let mut on_desktop = Device::new(2).load(&[created]);

    // Both edit a different field without having seen the other's edit.
    let laptop_edit = edit(&mut on_laptop, "email", "info@acme.example");
    let desktop_edit = edit(&mut on_desktop, "phone", "+44 20 7946 0000");
    let pushed_laptop = api
        .push(vec![changes_of(customer, vec![laptop_edit])])
        .await;
    let pushed_desktop = api
        .push(vec![changes_of(customer, vec![desktop_edit])])
        .await;
    assert_eq!(
        outcomes(&pushed_laptop),
        [(customer, "accepted".to_owned())]
    );
    assert_eq!(
        outcomes(&pushed_desktop),
        [(customer, "accepted".to_owned())]
    );

    let changes: Vec<Bytes> = api
        .pull_all(0, None)
        .await
        .into_iter()
        .map(|entry| entry.change)
        .collect();
    assert_eq!(changes.len(), 3);
    let mut merged = Device::new(3).load(&changes);
    for field in [
        ("name", "Acme"),
        ("email", "info@acme.example"),
        ("phone", "+44 20 7946 0000"),
    ] {
        assert_eq!(
            text(&merged, field.0).as_deref(),
            Some(field.1),
            "{field:?}"
        );
    }
    // The laptop, pulling the feed, converges on the same document.
    apply(&mut on_laptop, &changes);
    assert_eq!(heads(&mut on_laptop), heads(&mut merged));
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn each_record_of_a_batch_is_accepted_or_rejected_on_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    let device = Device::new(1);
    let (_, good) = device.create_customer("Good");
    let (mut later, _) = device.create_customer("Later");
    let orphan = edit(&mut later, "name", "Later Ltd");
    let kindless = {
        use automerge::transaction::Transactable;
        let mut document = automerge::AutoCommit::new();
        document
            .put(automerge::ROOT, "name", "No kind")
            .expect("put");
        document.commit();
        Bytes(
            document
                .get_last_local_change()
                .expect("change")
                .raw_bytes()
                .to_vec(),
        )
    };

    let pushed = api
        .push(vec![
            changes_of(record(1), vec![Bytes(b"not automerge".to_vec())]),
            changes_of(record(2), vec![good]),
            changes_of(record(3), vec![orphan]),
            changes_of(record(4), vec![kindless]),
        ])
        .await;
    let expected = [
        (
            record(1),
            "rejected: change 0 is not a valid Automerge change",
        ),
        (record(2), "accepted"),
        (
            record(3),
            "rejected: 1 change(s) depend on changes the server does not have",
        ),
        (record(4), "rejected: the record has no `kind` text field"),
    ];
    let actual = outcomes(&pushed);
    assert_eq!(actual.len(), expected.len());
    for ((record_id, outcome), (expected_id, expected_outcome)) in actual.iter().zip(expected) {
        assert_eq!(*record_id, expected_id);
        assert!(
            outcome.starts_with(expected_outcome),
            "{outcome:?} should start with {expected_outcome:?}"
        );
    }
    let feed: Vec<_> = api
        .pull_all(0, None)
        .await
        .into_iter()
        .map(|entry| entry.record_id)
        .collect();
    assert_eq!(
        feed,
        [record(2)],
        "only the accepted record reached the feed"
    );
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn requests_without_a_valid_token_or_protocol_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let http = reqwest::Client::new();
    let pull = format!("{}/v1/pull?since=0", server.url());
    // (case, Authorization header, protocol header, status, code); "" leaves a header out.
    let cases = [
        ("no token", "", "2", 401, "unauthorized"),
        (
            "wrong token",
            "Bearer not-the-token",
            "2",
            401,
            "unauthorized",
        ),
        ("not a bearer", "Basic dGVzdA==", "2", 401, "unauthorized"),
        (
            "newer protocol",
            "Bearer test-token",
            "3",
            426,
            "upgrade_required",
        ),
        (
            "older protocol, which cannot purge erased records",
            "Bearer test-token",
            "1",
            426,
            "upgrade_required",
        ),
        (
            "unknown protocol",
            "Bearer test-token",
            "one",
            426,
            "upgrade_required",
        ),
        (
            "no protocol",
            "Bearer test-token",
            "",
            400,
            "protocol_required",
        ),
    ];
    for (case, authorization, protocol, status, code) in cases {
        let mut request = http.get(&pull);
        if !authorization.is_empty() {
            request = request.header("authorization", authorization);
        }
        if !protocol.is_empty() {
            request = request.header(PROTOCOL_HEADER, protocol);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(failure(response).await, (status, code.to_owned()), "{case}");
    }
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn oversized_and_malformed_requests_get_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    let huge = vec![changes_of(record(1), vec![Bytes(vec![0; MAX_BODY_BYTES])])];
    let too_many: Vec<_> = (0..101)
        .map(|number| changes_of(record(number), Vec::new()))
        .collect();
    let cases = [
        (
            "oversized body",
            api.request(Method::POST, "/v1/push")
                .json(&PushRequest { records: huge }),
            413,
            "too_large",
        ),
        (
            "too many records",
            api.request(Method::POST, "/v1/push")
                .json(&PushRequest { records: too_many }),
            400,
            "too_many_records",
        ),
        (
            "not json",
            api.request(Method::POST, "/v1/push")
                .header("content-type", "application/json")
                .body("{"),
            400,
            "bad_request",
        ),
        (
            "no cursor",
            api.request(Method::GET, "/v1/pull"),
            400,
            "bad_request",
        ),
    ];
    for (case, request, status, code) in cases {
        let response = request.send().await.expect("sent");
        assert_eq!(failure(response).await, (status, code.to_owned()), "{case}");
    }
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn pull_pages_through_the_feed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let api = Api::new(&server);
    let device = Device::new(1);
    let records: Vec<_> = (1..=5)
        .map(|number| {
            changes_of(
                record(number),
                vec![device.create_customer(&format!("Customer {number}")).1],
            )
        })
        .collect();
    assert_eq!(api.push(records).await.cursor, 5);

    let pages = [
        (0, Some(2), vec![1, 2], 2, true),
        (2, Some(2), vec![3, 4], 4, true),
        (4, Some(2), vec![5], 5, false),
        (5, Some(2), vec![], 5, false),
        (0, None, vec![1, 2, 3, 4, 5], 5, false),
        (3, Some(0), vec![4], 4, true),
    ];
    for (since, limit, seqs, cursor, more) in pages {
        let page = api.pull(since, limit).await;
        let actual: Vec<u64> = page.entries.iter().map(|entry| entry.seq).collect();
        assert_eq!(
            (actual, page.cursor, page.more),
            (seqs, cursor, more),
            "since {since}, limit {limit:?}"
        );
    }
    let ids: Vec<_> = api
        .pull_all(0, Some(2))
        .await
        .into_iter()
        .map(|entry| entry.record_id)
        .collect();
    assert_eq!(ids, (1..=5).map(record).collect::<Vec<_>>());
    server.stop().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_pushes_to_one_record_all_land_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    let customer = record(9);
    let (_, created) = Device::new(1).create_customer("Acme");
    let api = Api::new(&server);
    api.push(vec![changes_of(customer, vec![created.clone()])])
        .await;

    let pushes = (2..10u8).map(|number| {
        let api = Api::new(&server);
        let mut document = Device::new(number).load(std::slice::from_ref(&created));
        let change = edit(&mut document, &format!("field{number}"), "set");
        tokio::spawn(async move { api.push(vec![changes_of(customer, vec![change])]).await })
    });
    for push in pushes.collect::<Vec<_>>() {
        let pushed = push.await.expect("push task");
        assert_eq!(outcomes(&pushed), [(customer, "accepted".to_owned())]);
    }

    let changes: Vec<Bytes> = api
        .pull_all(0, None)
        .await
        .into_iter()
        .map(|entry| entry.change)
        .collect();
    assert_eq!(changes.len(), 9, "the creation and eight edits, each once");
    let merged = Device::new(10).load(&changes);
    for number in 2..10 {
        assert_eq!(
            text(&merged, &format!("field{number}")).as_deref(),
            Some("set")
        );
    }
    server.stop().await.expect("stops");
}
