//! Sign-in from Settings against a real sync server on port 0: the form's inline errors, the
//! sidebar indicator going online, the token kept in the real Secret Service (gnome-keyring,
//! which `cargo xtask test` starts unlocked) so a restarted app syncs again without signing in;
//! then sign-out, after which a restart stays signed out. (The "no keyring" offer is covered by
//! the shell's and the UI's own tests: here a locked keyring would open an unlock dialog.)

use anyhow::{Context as _, ensure};
use crm_e2e::{
    Driver, Screenshots, app_binary, click, require_test_keyring, type_into, wait_for,
    wait_for_text,
};
use crm_model::Role;
use crm_sync_server::Config;
use fantoccini::Locator;

const PASSWORD: &str = "correct horse battery";
const INDICATOR: &str = "[data-testid=sync-indicator]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_from_settings_brings_the_indicator_online() -> anyhow::Result<()> {
    let app = app_binary()?;
    require_test_keyring()?;
    let server_dir = tempfile::tempdir()?;
    let config = Config::new(server_dir.path());
    let admin = crm_sync_server::Admin::open(&config).await?;
    admin.create_tenant("acme", "Acme").await?;
    admin
        .add_user(
            "acme",
            "anna@acme.example",
            "Anna",
            Role::SalesRep,
            PASSWORD,
        )
        .await?;
    let server = crm_sync_server::start(&config, "127.0.0.1:0".parse()?).await?;

    let data_dir = tempfile::tempdir()?;
    let mut screenshots = Screenshots::new("sync")?;
    let driver = Driver::start()?;
    let client = driver.open_app(&app, data_dir.path()).await?;
    wait_for_text(&client, INDICATOR, "Not signed in").await?;

    click(&client, "[data-testid=nav-settings]").await?;
    wait_for(&client, "[data-testid=sign-in-form]").await?;
    click(&client, "[data-testid=sign-in]").await?;
    wait_for_text(
        &client,
        "[data-testid=sign-in-serverUrl-error]",
        "Sync server address is required",
    )
    .await?;
    type_into(
        &client,
        "[data-testid=sign-in-serverUrl]",
        "sync.acme.example",
    )
    .await?;
    click(&client, "[data-testid=sign-in]").await?;
    wait_for_text(
        &client,
        "[data-testid=sign-in-serverUrl-error]",
        "Must start with http:// or https://",
    )
    .await?;
    screenshots.take(&client, "sign-in-errors").await?;

    type_into(&client, "[data-testid=sign-in-serverUrl]", &server.url()).await?;
    type_into(&client, "[data-testid=sign-in-tenant]", "acme").await?;
    type_into(&client, "[data-testid=sign-in-email]", "anna@acme.example").await?;
    type_into(&client, "[data-testid=sign-in-password]", PASSWORD).await?;
    if client
        .find(Locator::Css("[data-testid=first-sync]"))
        .await
        .is_ok()
    {
        click(&client, "[data-testid=first-sync-server]").await?;
    }
    click(&client, "[data-testid=sign-in]").await?;
    wait_for_text(&client, "[data-testid=account-email]", "anna@acme.example").await?;
    wait_for_text(&client, INDICATOR, "Online").await?;
    wait_for_text(&client, "[data-testid=account-last-sync]", "Last synced").await?;
    let server_shown = wait_for(&client, "[data-testid=account-server]")
        .await?
        .text()
        .await?;
    ensure!(server_shown == server.url(), "server shown: {server_shown}");
    screenshots
        .take_in_both_themes(&client, "signed-in-online")
        .await?;
    client.close().await.context("ending the first session")?;

    let client = driver.open_app(&app, data_dir.path()).await?;
    wait_for_text(&client, INDICATOR, "Online").await?;
    click(&client, "[data-testid=nav-settings]").await?;
    wait_for_text(&client, "[data-testid=account-email]", "anna@acme.example").await?;
    screenshots
        .take(&client, "still-signed-in-after-restart")
        .await?;

    click(&client, "[data-testid=sign-out]").await?;
    wait_for(&client, "[data-testid=sign-in-form]").await?;
    wait_for_text(&client, INDICATOR, "Not signed in").await?;
    screenshots.take(&client, "signed-out").await?;
    client.close().await.context("ending the second session")?;

    let client = driver.open_app(&app, data_dir.path()).await?;
    wait_for_text(&client, INDICATOR, "Not signed in").await?;
    client.close().await.context("ending the third session")?;
    server.stop().await?;
    Ok(())
}
