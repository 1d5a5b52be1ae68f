//! Spec §7.3's sales flow in the real app, one lead from start to finish: the lead is
//! converted (customer, contact and deal), the new deal is dragged across the kanban stage by
//! stage and won; a task for the customer is scheduled and completed with an outcome; the deal
//! page then shows the deal won, and a file is attached to it through the system's file
//! dialog and opened in the system's viewer. Screenshots of each step.

use anyhow::{Context as _, bail, ensure};
use crm_core::{STORE_FILE_NAME, Store};
use crm_e2e::{
    Driver, PATIENCE, Screenshots, SystemViewer, app_binary, choose_in_file_dialog, click,
    drag_and_drop, type_into, wait_for, wait_for_text, wait_until,
};
use fantoccini::{Client, Locator};

const COMPANY: &str = "Northwind Traders";
const DEAL: &str = "Northwind Traders - New business";

/// The index (1-based) of the kanban column that holds the deal card `card`.
async fn column_of(client: &Client, card: &str) -> anyhow::Result<u64> {
    client
        .execute(
            "const card = document.querySelector(arguments[0]);
             const column = card && card.closest('[data-testid=kanban-column]');
             return column ? [...column.parentElement.children].indexOf(column) + 1 : 0;",
            vec![card.into()],
        )
        .await?
        .as_u64()
        .filter(|index| *index > 0)
        .with_context(|| format!("{card} is on no column"))
}

#[tokio::test]
async fn a_lead_becomes_a_won_deal() -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir()?;
    {
        let mut store = Store::open(&data_dir.path().join(STORE_FILE_NAME))?;
        let actor = store.actor();
        let serde_json::Value::Object(lead) = serde_json::json!({
            "firstName": "Dana", "lastName": "Whitfield", "email": "dana@northwind.example",
            "company": COMPANY, "jobTitle": "Head of Operations", "source": "Referral",
            "status": "QUALIFIED", "budget": 48000
        }) else {
            bail!("an object");
        };
        store.create::<crm_model::Lead>(&actor, &lead)?;
    }
    let app = app_binary()?;
    let mut screenshots = Screenshots::new("sales-flow")?;
    let viewer = SystemViewer::install()?;
    let driver = Driver::start_with_env(&[("XDG_DATA_DIRS", &viewer.data_dirs())])?;
    let client = driver.open_app(&app, data_dir.path()).await?;

    // Lead → converted: customer, contact and deal in one go.
    click(&client, "[data-testid=nav-leads]").await?;
    click(&client, "[data-testid=lead-row-name]").await?;
    click(&client, "[data-testid=convert-lead]").await?;
    wait_for(&client, "[data-testid=conversion-form]").await?;
    screenshots.take(&client, "conversion").await?;
    click(&client, "[data-testid=convert-submit]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "is converted").await?;
    wait_for_text(&client, "[data-testid=customer-header]", COMPANY).await?;

    // A task for the customer, scheduled from its Customer 360.
    click(&client, "[data-testid=tab-activities]").await?;
    type_into(
        &client,
        "[data-testid=schedule-task]",
        "Send the signed order form",
    )
    .await?;
    click(&client, "[data-testid=schedule-task-submit]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "scheduled").await?;

    // The deal across the kanban, stage by stage, by drag and drop.
    click(&client, "[data-testid=nav-pipeline]").await?;
    let card = wait_for(&client, "[data-testid=deal-card]").await?;
    ensure!(
        card.text().await?.contains(DEAL),
        "the converted deal is on the board"
    );
    let deal_id = card.attr("data-deal-id").await?.context("a deal id")?;
    let card = format!("[data-deal-id='{deal_id}']");
    let first = column_of(&client, &card).await?;
    for step in 1..=2 {
        let target = format!("[data-testid=kanban-column]:nth-child({})", first + step);
        drag_and_drop(&client, &card, &target).await?;
        wait_for(&client, &format!("{target} {card}")).await?;
    }
    screenshots.take(&client, "deal-dragged").await?;
    click(&client, &format!("{card} [data-testid=win-deal]")).await?;
    wait_for_text(&client, "[data-testid=toasts]", "is won").await?;

    // The task, completed with an outcome.
    click(&client, "[data-testid=nav-activities]").await?;
    wait_for_text(
        &client,
        "[data-route=activities]",
        "Send the signed order form",
    )
    .await?;
    let item = client
        .find_all(Locator::Css("[data-testid=activity-item]"))
        .await?;
    let mut completed = false;
    for item in item {
        if item.text().await?.contains("Send the signed order form") {
            item.find(Locator::Css("[data-testid=complete-activity]"))
                .await?
                .click()
                .await?;
            completed = true;
            break;
        }
    }
    ensure!(
        completed,
        "the scheduled task is listed with a Complete button"
    );
    wait_for(&client, "[data-testid=activity-outcome]")
        .await?
        .send_keys("Order form received")
        .await?;
    click(&client, "[data-testid=confirm-complete]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "is done").await?;

    // The deal's page says it is won.
    click(&client, "[data-testid=nav-deals]").await?;
    client
        .execute(
            "const select = document.querySelector('#deals-status'); select.value = 'WON';
             select.dispatchEvent(new Event('change', { bubbles: true }));",
            Vec::new(),
        )
        .await?;
    wait_for_text(&client, "[data-testid=deals-list]", DEAL).await?;
    click(&client, "[data-testid=deals-list] tbody tr button.link").await?;
    wait_for_text(&client, "[data-testid=deal-header]", "Won").await?;
    wait_until(
        &client,
        "!document.querySelector('[data-testid=deal-stage]')",
        PATIENCE,
    )
    .await?;
    screenshots.take(&client, "deal-won").await?;
    // Its history: created by the conversion, moved, won.
    click(&client, "[data-testid=deal-tab-history]").await?;
    wait_for_text(&client, "[data-testid=record-history]", "Created").await?;
    wait_for_text(
        &client,
        "[data-testid=record-history]",
        "status: OPEN → WON",
    )
    .await?;
    screenshots.take(&client, "deal-history").await?;

    // The signed order form, attached through the system's file dialog, listed with the deal.
    let order_form = data_dir.path().join("northwind-order-form.pdf");
    std::fs::write(&order_form, b"%PDF-1.7 signed order form")?;
    click(&client, "[data-testid=deal-tab-files]").await?;
    click(&client, "[data-testid=attach-file]").await?;
    choose_in_file_dialog("Attach a file", &order_form, Some(&mut screenshots)).await?;
    wait_for_text(
        &client,
        "[data-testid=deal-files]",
        "northwind-order-form.pdf",
    )
    .await?;
    wait_for_text(&client, "[data-testid=toasts]", "is attached").await?;
    screenshots.take(&client, "deal-file-attached").await?;
    // Clicking it opens it in the system's viewer for PDFs.
    click(&client, "[data-testid=deal-files] tbody tr button.link").await?;
    ensure!(
        viewer.opened().await? == std::fs::read(&order_form)?,
        "the viewer was given another file"
    );

    client.close().await.context("ending the session")?;
    Ok(())
}
