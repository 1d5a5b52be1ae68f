//! Changes made elsewhere, as the app shows them.
//!
//! - A conflict made on two synced devices, shown in the app's inbox and resolved (spec §7.3,
//!   issue 7): Ben and Cara (two laptops, the core's real sync client in this process) rename
//!   the same customer while offline from each other; the app, signed in as Anna, shows the
//!   customer's name as a conflict with both values; Anna picks the other value, and the choice
//!   reaches Ben's laptop, whose conflict is gone too.
//! - A customer erased on the server (GDPR) while Anna has it open: after "Sync now" the page
//!   says it is gone, instead of an error, and the customer is in no list.
use std::sync::Mutex;

use anyhow::{Context as _, ensure};
use crm_core::account::FirstSync;
use crm_core::sync::{SyncClient, sign_in, sync_now};
use crm_core::{STORE_FILE_NAME, Store};
use crm_e2e::{
    Driver, Screenshots, app_binary, click, require_test_keyring, sign_in_from_settings, wait_for,
    wait_for_text,
};
use crm_model::{Customer, CustomerPatch, FieldMap, Role};
use crm_protocol::sync::SignInRequest;
use crm_sync_server::Config;
use fantoccini::Locator;

const PASSWORD: &str = "correct horse battery";
const INDICATOR: &str = "[data-testid=sync-indicator]";

/// The Acme tenant on a real sync server on port 0, with Anna, Ben and Cara.
struct Tenant {
    _dir: tempfile::TempDir,
    admin: crm_sync_server::Admin,
    server: crm_sync_server::RunningServer,
}

impl Tenant {
    async fn start() -> anyhow::Result<Tenant> {
        let dir = tempfile::tempdir()?;
        let config = Config::new(dir.path());
        let admin = crm_sync_server::Admin::open(&config).await?;
        admin.create_tenant("acme", "Acme").await?;
        for (email, role) in [
            ("anna@acme.example", Role::Admin),
            ("ben@acme.example", Role::Admin),
            ("cara@acme.example", Role::Manager),
        ] {
            admin.add_user("acme", email, email, role, PASSWORD).await?;
        }
        let server = crm_sync_server::start(&config, "127.0.0.1:0".parse()?).await?;
        Ok(Tenant {
            _dir: dir,
            admin,
            server,
        })
    }
}

/// A laptop of the tenant, synced by the core's client.
struct Laptop {
    _dir: tempfile::TempDir,
    store: Mutex<Store>,
    client: SyncClient,
}

impl Laptop {
    async fn signed_in(url: &str, email: &str) -> anyhow::Result<Laptop> {
        let dir = tempfile::tempdir()?;
        let mut store = Store::open(&dir.path().join(STORE_FILE_NAME))?;
        let account = sign_in(
            url,
            &SignInRequest {
                tenant: "acme".into(),
                email: email.into(),
                password: PASSWORD.into(),
                device_name: format!("{email}'s laptop"),
            },
        )
        .await?;
        store.join_server(url, &account, email, FirstSync::StartFromServer)?;
        let client = SyncClient::new(url, &account.token)?;
        Ok(Laptop {
            _dir: dir,
            store: Mutex::new(store),
            client,
        })
    }

    async fn sync(&self) -> anyhow::Result<()> {
        sync_now(&self.store, &self.client).await?;
        Ok(())
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn create_customer(&self, name: &str) -> anyhow::Result<Customer> {
        let mut store = self.store();
        let actor = store.actor();
        let fields: FieldMap =
            serde_json::from_value(serde_json::json!({"name": name, "type": "BUSINESS"}))?;
        Ok(store.create(&actor, &fields)?)
    }

    fn rename(&self, customer: &Customer, name: &str) -> anyhow::Result<()> {
        let mut store = self.store();
        let actor = store.actor();
        let patch = CustomerPatch {
            name: Some(name.into()),
            ..CustomerPatch::default()
        };
        store.update_customer(&actor, customer.id, patch)?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_from_two_laptops_is_shown_in_the_inbox_and_resolved() -> anyhow::Result<()> {
    let app = app_binary()?;
    require_test_keyring()?;
    let tenant = Tenant::start().await?;
    let url = tenant.server.url();

    // Ben creates the customer; Cara receives it; then each renames it without the other's
    // change: concurrent edits of one field.
    let ben = Laptop::signed_in(&url, "ben@acme.example").await?;
    let cara = Laptop::signed_in(&url, "cara@acme.example").await?;
    let customer = ben.create_customer("Northwind")?;
    ben.sync().await?;
    cara.sync().await?;
    ben.rename(&customer, "Northwind Traders")?;
    cara.rename(&customer, "Northwind Ltd")?;
    ben.sync().await?;
    cara.sync().await?;

    let data_dir = tempfile::tempdir()?;
    let mut screenshots = Screenshots::new("conflicts")?;
    let driver = Driver::start()?;
    let client = driver.open_app(&app, data_dir.path()).await?;
    sign_in_from_settings(&client, &url, "acme", "anna@acme.example", PASSWORD).await?;
    wait_for_text(&client, INDICATOR, "1 conflict").await?;
    screenshots
        .take(&client, "indicator-shows-a-conflict")
        .await?;

    click(&client, "[data-testid=open-conflicts]").await?;
    wait_for_text(&client, "[data-testid=page-title]", "Conflicts").await?;
    let conflict = wait_for_text(&client, "[data-testid=conflict]", "Northwind").await?;
    ensure!(
        conflict.contains("Northwind Traders") && conflict.contains("Northwind Ltd"),
        "both values are listed: {conflict}"
    );
    screenshots
        .take_in_both_themes(&client, "conflict-inbox")
        .await?;

    // Anna picks the value every device does not show.
    let other = client
        .find(Locator::Css(
            "[data-testid=conflict] .conflict-value:not(.shown)",
        ))
        .await
        .context("the value not shown")?;
    let chosen = other
        .find(Locator::Css("[data-testid=conflict-value]"))
        .await?
        .text()
        .await?;
    other
        .find(Locator::Css("[data-testid=conflict-choose]"))
        .await?
        .click()
        .await?;
    wait_for(&client, "[data-testid=conflicts-empty]").await?;
    screenshots.take(&client, "conflict-resolved").await?;

    // The choice syncs: Ben's laptop shows it, with no conflict left.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        ben.sync().await?;
        let (name, conflicts) = {
            let store = ben.store();
            let name = store.get::<Customer>(customer.id)?.name;
            (name, store.open_conflicts()?)
        };
        if name == chosen && conflicts == 0 {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "Ben's laptop shows {name:?} with {conflicts} conflicts, expected {chosen:?} and none"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    client.close().await.context("ending the session")?;
    tenant.server.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_erased_while_open_says_it_is_gone() -> anyhow::Result<()> {
    let app = app_binary()?;
    require_test_keyring()?;
    let tenant = Tenant::start().await?;
    let url = tenant.server.url();
    let ben = Laptop::signed_in(&url, "ben@acme.example").await?;
    let erased = ben.create_customer("Fabrikam")?;
    let kept = ben.create_customer("Contoso")?;
    ben.sync().await?;

    let data_dir = tempfile::tempdir()?;
    let mut screenshots = Screenshots::new("erasure")?;
    let driver = Driver::start()?;
    let client = driver.open_app(&app, data_dir.path()).await?;
    sign_in_from_settings(&client, &url, "acme", "anna@acme.example", PASSWORD).await?;
    wait_for_text(&client, INDICATOR, "Online").await?;
    click(&client, "[data-testid=nav-customers]").await?;
    wait_for_text(&client, "[data-testid=customer-row-name]", "Contoso").await?;
    let row = client
        .find(Locator::XPath(
            "//*[@data-testid='customer-row-name'][normalize-space()='Fabrikam']",
        ))
        .await
        .context("Fabrikam's row")?;
    row.click().await?;
    wait_for_text(&client, "[data-testid=customer-header]", "Fabrikam").await?;

    // The data subject asked to be forgotten; the administrator erases the record on the server.
    tenant.admin.erase_record("acme", erased.id.into()).await?;
    click(&client, "[data-testid=indicator-sync-now]").await?;
    let gone = wait_for_text(
        &client,
        "[data-testid=record-gone]",
        "This customer is no longer here",
    )
    .await?;
    ensure!(
        gone.contains("deleted for good") && !gone.contains("could not"),
        "the page explains, it does not fail: {gone}"
    );
    screenshots
        .take_in_both_themes(&client, "customer-erased-while-open")
        .await?;

    click(&client, "[data-testid=record-gone-back]").await?;
    wait_for_text(&client, "[data-testid=page-title]", "Customers").await?;
    wait_for_text(&client, "[data-testid=customer-row-name]", &kept.name).await?;
    let mut names = Vec::new();
    for cell in client
        .find_all(Locator::Css("[data-testid=customer-row-name]"))
        .await?
    {
        names.push(cell.text().await?);
    }
    ensure!(
        names == ["Contoso"],
        "customers listed after the erasure: {names:?}"
    );
    screenshots.take(&client, "customers-after-erasure").await?;
    client.close().await.context("ending the session")?;
    tenant.server.stop().await?;
    Ok(())
}
