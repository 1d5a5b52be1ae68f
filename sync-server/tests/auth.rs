//! Sign-in, bearer auth and revocation over real HTTP: a real server on port 0 without
//! development mode, users added with the admin API on the same data directory.

mod common;

use common::*;
use crm_model::{DeviceId, Role};
use crm_protocol::sync::UserDirectory;

#[tokio::test]
async fn sign_in_returns_a_working_token_and_the_user_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let admin = admin(dir.path()).await;
    let anna = add_user(&admin, "acme", "Anna@Acme.example", Role::SalesRep).await;
    let boss = add_user(&admin, "acme", "boss@acme.example", Role::Admin).await;
    add_user(&admin, "other", "anna@acme.example", Role::Admin).await;

    // Email case does not matter.
    let (api, signed_in) = sign_in(&server, "acme", "ANNA@acme.example").await;
    assert_eq!((signed_in.user_id, signed_in.role), (anna, Role::SalesRep));
    assert!(signed_in.token.starts_with("crm_"));
    assert_eq!(api.pull(0, None).await.cursor, 0);

    let directory: UserDirectory = api
        .request(reqwest::Method::GET, "/v1/users")
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("a directory");
    let users: Vec<_> = directory
        .users
        .iter()
        .map(|user| (user.id, user.email.as_str(), user.role, user.active))
        .collect();
    assert_eq!(
        users,
        [
            (anna, "anna@acme.example", Role::SalesRep, true),
            (boss, "boss@acme.example", Role::Admin, true),
        ],
        "the caller's tenant only"
    );
    let devices = admin.list_devices("acme").await.expect("devices");
    assert_eq!(
        devices.iter().map(|device| device.id).collect::<Vec<_>>(),
        [signed_in.device_id]
    );
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn wrong_credentials_are_refused_alike() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let admin = admin(dir.path()).await;
    add_user(&admin, "acme", "anna@acme.example", Role::User).await;
    add_user(&admin, "closed", "anna@acme.example", Role::User).await;
    admin
        .set_tenant_disabled("closed", true)
        .await
        .expect("disabled");

    for (tenant, email, password) in [
        ("acme", "anna@acme.example", "wrong password"),
        ("acme", "nobody@acme.example", PASSWORD),
        ("nowhere", "anna@acme.example", PASSWORD),
        ("closed", "anna@acme.example", PASSWORD),
    ] {
        let response = try_sign_in(&server.url(), &sign_in_request(tenant, email, password)).await;
        assert_eq!(
            failure(response).await,
            (401, "invalid_credentials".to_owned()),
            "{tenant} {email} {password}"
        );
    }
    let mut empty_name = sign_in_request("acme", "anna@acme.example", PASSWORD);
    empty_name.device_name = " ".into();
    let response = try_sign_in(&server.url(), &empty_name).await;
    assert_eq!(failure(response).await, (400, "bad_request".to_owned()));
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_account_and_per_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let admin = admin(dir.path()).await;
    add_user(&admin, "acme", "anna@acme.example", Role::User).await;
    let wrong = sign_in_request("acme", "anna@acme.example", "wrong password");
    for _ in 0..5 {
        let response = try_sign_in(&server.url(), &wrong).await;
        assert_eq!(response.status(), 401);
    }
    // Past the limit even the right password waits, and the answer says how long.
    let right = sign_in_request("acme", "anna@acme.example", PASSWORD);
    let response = try_sign_in(&server.url(), &right).await;
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        failure(response).await,
        (429, "too_many_attempts".to_owned())
    );

    // The address is limited too: 20 failures over different accounts.
    for number in 0..15 {
        let request = sign_in_request("acme", &format!("guess{number}@acme.example"), "x");
        assert_eq!(try_sign_in(&server.url(), &request).await.status(), 401);
    }
    let request = sign_in_request("acme", "guess-more@acme.example", "x");
    assert_eq!(try_sign_in(&server.url(), &request).await.status(), 429);
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn revoked_devices_and_disabled_users_stop_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_production(dir.path()).await;
    let admin = admin(dir.path()).await;
    add_user(&admin, "acme", "anna@acme.example", Role::SalesRep).await;
    let (laptop, laptop_device) = sign_in(&server, "acme", "anna@acme.example").await;
    let (phone, _) = sign_in(&server, "acme", "anna@acme.example").await;
    assert_eq!(laptop.status("/v1/pull?since=0").await, 200);

    admin
        .revoke_device("acme", laptop_device.device_id)
        .await
        .expect("revoked");
    assert_eq!(laptop.status("/v1/pull?since=0").await, 401);
    assert_eq!(
        phone.status("/v1/pull?since=0").await,
        200,
        "only that device"
    );

    admin
        .set_user_disabled("acme", "anna@acme.example", true)
        .await
        .expect("disabled");
    assert_eq!(phone.status("/v1/pull?since=0").await, 401);
    let response = try_sign_in(
        &server.url(),
        &sign_in_request("acme", "anna@acme.example", PASSWORD),
    )
    .await;
    assert_eq!(response.status(), 401, "a disabled user cannot sign in");

    admin
        .set_user_disabled("acme", "anna@acme.example", false)
        .await
        .expect("enabled");
    assert_eq!(phone.status("/v1/pull?since=0").await, 200);
    let unknown = admin
        .revoke_device("acme", DeviceId(uuid::Uuid::from_u128(9)))
        .await;
    assert!(unknown.is_err());
    server.stop().await.expect("stops");
}

#[tokio::test]
async fn the_development_token_is_opt_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path()).await;
    assert_eq!(Api::new(&server).status("/v1/pull?since=0").await, 200);
    server.stop().await.expect("stops");

    // Started again without development mode, the same token no longer works.
    let server = start_production(dir.path()).await;
    assert_eq!(Api::new(&server).status("/v1/pull?since=0").await, 401);
    server.stop().await.expect("stops");
}
