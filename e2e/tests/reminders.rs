//! A reminder in the real app: an activity whose reminder came due a few minutes before the
//! app started is raised once as a reminder the rep can open, which leads to the activities.
//! (The OS notification beside it needs a notification service, which a bare Xvfb lacks; the
//! app then logs that and the window's reminder remains.)

use anyhow::Context as _;
use crm_core::{STORE_FILE_NAME, Store};
use crm_e2e::{Driver, Screenshots, app_binary, click, wait_for, wait_for_text};

#[tokio::test]
async fn a_due_reminder_shows_and_opens_the_activities() -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir()?;
    {
        let mut store = Store::open(&data_dir.path().join(STORE_FILE_NAME))?;
        let actor = store.actor();
        let now = chrono::Utc::now();
        for (subject, reminder) in [
            (
                "Call Acme about the renewal",
                now - chrono::Duration::minutes(3),
            ),
            // Long past: not raised again on every start.
            ("Old reminder", now - chrono::Duration::days(2)),
            ("Tomorrow's visit", now + chrono::Duration::days(1)),
        ] {
            let fields = serde_json::json!({
                "type": "CALL", "subject": subject, "dueDate": reminder.date_naive(),
                "reminderAt": reminder,
            });
            let serde_json::Value::Object(fields) = fields else {
                anyhow::bail!("an object");
            };
            store.create::<crm_model::Activity>(&actor, &fields)?;
        }
    }
    let app = app_binary()?;
    let mut screenshots = Screenshots::new("reminders")?;
    let driver = Driver::start()?;
    let client = driver.open_app(&app, data_dir.path()).await?;

    wait_for_text(
        &client,
        "[data-testid=toast][data-kind=reminder]",
        "Reminder: Call Acme about the renewal",
    )
    .await?;
    let reminders = client
        .find_all(fantoccini::Locator::Css(
            "[data-testid=toast][data-kind=reminder]",
        ))
        .await?;
    anyhow::ensure!(
        reminders.len() == 1,
        "one reminder is due, {} shown",
        reminders.len()
    );
    screenshots.take_in_both_themes(&client, "reminder").await?;
    click(&client, "[data-testid=reminder-open]").await?;
    wait_for(&client, "[data-route=activities]").await?;
    wait_for_text(&client, "[data-testid=page]", "Call Acme about the renewal").await?;
    screenshots.take(&client, "reminder-opened").await?;

    client.close().await.context("ending the session")?;
    Ok(())
}
