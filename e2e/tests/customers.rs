//! The walking skeleton, end to end through the real app: the customers page, inline validation,
//! a create that reaches the store, and the customer still there after a restart.

use anyhow::{Context as _, ensure};
use crm_e2e::{
    Driver, Screenshots, app_binary, check_contrast, click, type_into, wait_for, wait_for_text,
};
use fantoccini::{Client, Locator};

const NAME: &str = "[data-testid=customer-name]";
const EMAIL: &str = "[data-testid=customer-email]";
const PHONE: &str = "[data-testid=customer-phone]";
const INDUSTRY: &str = "[data-testid=customer-industry]";
const SUBMIT: &str = "[data-testid=customer-submit]";
const NAME_ERROR: &str = "[data-testid=customer-name-error]";
const EMAIL_ERROR: &str = "[data-testid=customer-email-error]";
const ROW_NAMES: &str = "[data-testid=customer-row-name]";

async fn customer_names(client: &Client) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for cell in client.find_all(Locator::Css(ROW_NAMES)).await? {
        names.push(cell.text().await?);
    }
    Ok(names)
}

#[tokio::test]
async fn a_customer_created_through_the_form_survives_a_restart() -> anyhow::Result<()> {
    let app = app_binary()?;
    let data_dir = tempfile::tempdir()?;
    let mut screenshots = Screenshots::new("customers")?;
    let driver = Driver::start()?;

    let client = driver.open_app(&app, data_dir.path()).await?;
    click(&client, "[data-testid=nav-customers]").await?;
    wait_for_text(&client, "[data-testid=page-title]", "Customers").await?;
    wait_for(&client, "[data-testid=customers-empty]").await?;
    screenshots.take(&client, "empty-customers-page").await?;

    click(&client, SUBMIT).await?;
    wait_for_text(&client, NAME_ERROR, "Name is required").await?;
    screenshots.take(&client, "empty-name-rejected").await?;

    type_into(&client, NAME, "Acme Corp").await?;
    type_into(&client, EMAIL, "info@acme").await?;
    click(&client, SUBMIT).await?;
    wait_for_text(&client, EMAIL_ERROR, "must be an email address").await?;
    ensure!(
        client.find(Locator::Css(NAME_ERROR)).await.is_err(),
        "the name error should be gone once a name is typed"
    );
    screenshots
        .take(&client, "malformed-email-rejected")
        .await?;

    type_into(&client, EMAIL, "info@acme.com").await?;
    type_into(&client, PHONE, "+1 555 0100").await?;
    type_into(&client, INDUSTRY, "Manufacturing").await?;
    click(&client, SUBMIT).await?;
    wait_for_text(&client, ROW_NAMES, "Acme Corp").await?;
    wait_for_text(
        &client,
        "[data-testid=form-success]",
        "Acme Corp was created",
    )
    .await?;
    let name_input = wait_for(&client, NAME).await?;
    ensure!(
        name_input
            .prop("value")
            .await?
            .unwrap_or_default()
            .is_empty(),
        "the form should be cleared after a create"
    );
    screenshots.take(&client, "customer-created").await?;
    client
        .close()
        .await
        .context("ending the first session (the app exits)")?;

    let client = driver.open_app(&app, data_dir.path()).await?;
    click(&client, "[data-testid=nav-customers]").await?;
    wait_for_text(&client, ROW_NAMES, "Acme Corp").await?;
    let text = wait_for_text(&client, "[data-testid=customers-table]", "info@acme.com").await?;
    ensure!(
        text.contains("Manufacturing"),
        "the industry should be listed: {text}"
    );
    ensure!(
        customer_names(&client).await? == ["Acme Corp"],
        "exactly one customer after restart"
    );
    screenshots
        .take(&client, "customer-still-there-after-restart")
        .await?;

    // The contrast check that every screenshot runs does see bad contrast: grey on grey.
    client
        .execute(
            "const p = document.createElement('p'); p.id = 'low-contrast';
             p.textContent = 'Hard to read'; p.style.color = '#999999'; p.style.background = '#aaaaaa';
             document.querySelector('[data-route=customers]').prepend(p);",
            Vec::new(),
        )
        .await?;
    let verdict = check_contrast(&client).await;
    ensure!(
        verdict
            .as_ref()
            .is_err_and(|error| error.to_string().contains("Hard to read")),
        "grey on grey is reported: {verdict:?}"
    );
    client
        .execute(
            "document.getElementById('low-contrast').remove();",
            Vec::new(),
        )
        .await?;
    check_contrast(&client).await?;
    client.close().await.context("ending the second session")?;
    Ok(())
}
