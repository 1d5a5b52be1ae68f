//! Settings in the real app: a CSV chosen in the system's file dialog and imported through the
//! wizard (a dry run that finds the bad row, a column mapped by hand, the import, the records in the list, the same file found to be
//! duplicates),
//! and a pipeline reconfigured (a stage added, renamed and saved) that the kanban then shows.
//! Screenshots of each step, light and dark.

use std::fmt::Write as _;

use anyhow::{Context as _, ensure};
use crm_e2e::{
    Driver, PATIENCE, Screenshots, app_binary, choose_in_file_dialog, click, set_value, type_into,
    wait_for, wait_for_text, wait_until,
};

/// A HubSpot-like export: 40 companies, one row without a name, and a "Sector" column the app
/// does not recognise by itself.
fn companies_csv() -> String {
    let mut csv = String::from("Company name,Company Domain Name,Sector,City\n");
    for n in 1..=40 {
        let _ = writeln!(
            csv,
            "Imported Company {n:02},imported{n}.example.com,Logistics,Lyon"
        );
    }
    csv.push_str(",nameless.example.com,Retail,Paris\n");
    csv
}

#[tokio::test]
async fn importing_a_csv_and_configuring_a_pipeline() -> anyhow::Result<()> {
    let app = app_binary()?;
    let data_dir = tempfile::tempdir()?;
    let file = data_dir.path().join("companies.csv");
    std::fs::write(&file, companies_csv())?;
    let mut screenshots = Screenshots::new("settings")?;
    let driver = Driver::start()?;
    let client = driver.open_app(&app, data_dir.path()).await?;

    click(&client, "[data-testid=nav-settings]").await?;
    wait_for(&client, "[data-testid=import-wizard]").await?;

    // A file that does not exist: the error names the field and says why.
    type_into(&client, "[data-testid=import-path]", "/nowhere/file.csv").await?;
    click(&client, "[data-testid=import-check-button]").await?;
    wait_for_text(&client, "[data-testid=import-error]", "path").await?;

    // The file chosen in the system's file dialog; the dry run: 40 rows to create, the
    // nameless one refused with its row number.
    click(&client, "[data-testid=import-browse]").await?;
    choose_in_file_dialog("Import a CSV file", &file, Some(&mut screenshots)).await?;
    wait_until(
        &client,
        &format!(
            "document.querySelector('[data-testid=import-path]').value === {}",
            serde_json::Value::from(file.display().to_string())
        ),
        PATIENCE,
    )
    .await?;
    click(&client, "[data-testid=import-check-button]").await?;
    wait_for_text(
        &client,
        "[data-testid=import-summary]",
        "40 to create, 1 with errors",
    )
    .await?;
    wait_for_text(&client, "[data-testid=import-problems]", "Row 42").await?;
    wait_until(
        &client,
        "document.querySelector('[data-testid=import-run]').disabled",
        PATIENCE,
    )
    .await?;
    // "Sector" is mapped by hand to the industry; the other columns were recognised.
    set_value(
        &client,
        "[data-testid=import-map-sector]",
        "industry",
        "change",
    )
    .await?;
    click(&client, "[data-testid=import-skip-invalid]").await?;
    click(&client, "[data-testid=import-check-button]").await?;
    wait_for_text(
        &client,
        "[data-testid=import-summary]",
        "40 to create, 1 with errors",
    )
    .await?;
    wait_until(
        &client,
        "document.querySelector('[data-testid=import-map-sector]').value === 'industry'",
        PATIENCE,
    )
    .await?;
    screenshots
        .take_in_both_themes(&client, "import-dry-run")
        .await?;

    click(&client, "[data-testid=import-run]").await?;
    wait_for_text(&client, "[data-testid=import-done]", "40 created").await?;
    screenshots.take(&client, "import-done").await?;

    click(&client, "[data-testid=nav-customers]").await?;
    wait_for_text(&client, "[data-testid=page]", "40 customers").await?;
    wait_for_text(&client, "[data-testid=page]", "Imported Company 01").await?;
    wait_for_text(&client, "[data-testid=page]", "Logistics").await?;
    screenshots.take(&client, "imported-customers").await?;

    // The same file again, skipping rows that match a customer: every row matches by domain.
    click(&client, "[data-testid=nav-settings]").await?;
    wait_for(&client, "[data-testid=import-wizard]").await?;
    type_into(
        &client,
        "[data-testid=import-path]",
        &file.display().to_string(),
    )
    .await?;
    set_value(
        &client,
        "[data-testid=import-mode]",
        "skipDuplicates",
        "change",
    )
    .await?;
    click(&client, "[data-testid=import-skip-invalid]").await?;
    click(&client, "[data-testid=import-check-button]").await?;
    wait_for_text(&client, "[data-testid=import-summary]", "40 to skip").await?;

    // Pipelines: a stage is added before Won, renamed, and saved.
    let editor = "[data-testid=pipeline-settings]";
    wait_for(&client, &format!("{editor} [data-testid=stage-row]")).await?;
    let before: usize = client
        .execute(
            "return document.querySelectorAll('[data-testid=stage-row]').length;",
            Vec::new(),
        )
        .await?
        .as_u64()
        .context("a count")? as usize;
    click(&client, "[data-testid=stage-add]").await?;
    wait_until(
        &client,
        &format!(
            "document.querySelectorAll('[data-testid=stage-row]').length === {}",
            before + 1
        ),
        PATIENCE,
    )
    .await?;
    // The new stage sits before the won and lost stages.
    let new_index = before - 2;
    let name_input = format!("[data-testid=stage-name-{new_index}]");
    type_into(&client, &name_input, "Security review").await?;
    client
        .execute(
            "document.querySelector(arguments[0]).dispatchEvent(new Event('change', { bubbles: true }));",
            vec![name_input.clone().into()],
        )
        .await?;
    click(&client, "[data-testid=pipeline-save]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "saved").await?;
    screenshots.take(&client, "pipeline-settings").await?;

    click(&client, "[data-testid=theme-toggle]").await?;
    wait_until(
        &client,
        "document.documentElement.dataset.theme === 'dark'",
        PATIENCE,
    )
    .await?;
    screenshots.take(&client, "pipeline-settings-dark").await?;
    click(&client, "[data-testid=theme-toggle]").await?;

    click(&client, "[data-testid=nav-pipeline]").await?;
    wait_for_text(&client, "[data-testid=page]", "Security review").await?;
    screenshots.take(&client, "kanban-with-new-stage").await?;

    // Lead scoring: a word the rules cannot read is named; a good change is saved.
    click(&client, "[data-testid=nav-settings]").await?;
    wait_for(
        &client,
        "[data-testid=scoring-settings] [data-testid=scoring-hotThreshold]",
    )
    .await?;
    set_value(
        &client,
        "[data-testid=scoring-sourcePoints]",
        "referral = 10\ntrade show",
        "input",
    )
    .await?;
    click(&client, "[data-testid=scoring-save]").await?;
    wait_for_text(
        &client,
        "[data-testid=scoring-settings]",
        "line 2 must read",
    )
    .await?;
    set_value(
        &client,
        "[data-testid=scoring-sourcePoints]",
        "referral = 10\ntrade show = 6",
        "input",
    )
    .await?;
    type_into(&client, "[data-testid=scoring-hotThreshold]", "80").await?;
    click(&client, "[data-testid=scoring-save]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "every lead is rescored").await?;

    // Tags: one added shows in the list.
    type_into(&client, "[data-testid=tag-name]", "Key account").await?;
    click(&client, "[data-testid=tag-add]").await?;
    wait_for_text(&client, "[data-testid=tag-list]", "Key account").await?;
    wait_for_text(&client, "[data-testid=users-settings]", "Only you").await?;

    // A custom field on customers, then a value for it on a customer's page.
    type_into(&client, "[data-testid=custom-field-label]", "Fleet size").await?;
    set_value(
        &client,
        "[data-testid=custom-field-type]",
        "NUMBER",
        "change",
    )
    .await?;
    click(&client, "[data-testid=custom-field-add]").await?;
    wait_for_text(&client, "[data-testid=custom-field-list]", "fleet_size").await?;
    client
        .execute(
            "document.querySelector('[data-testid=scoring-settings]').scrollIntoView();",
            Vec::new(),
        )
        .await?;
    screenshots
        .take_in_both_themes(&client, "scoring-tags-users")
        .await?;

    click(&client, "[data-testid=nav-customers]").await?;
    click(&client, "[data-testid=customer-row-name]").await?;
    wait_for(
        &client,
        "[data-testid=custom-fields] [data-testid=custom-fleet_size]",
    )
    .await?;
    type_into(&client, "[data-testid=custom-fleet_size]", "120").await?;
    client
        .execute(
            "document.querySelector('[data-testid=custom-fleet_size]').dispatchEvent(new Event('change', { bubbles: true }));",
            Vec::new(),
        )
        .await?;
    let typed = wait_for(&client, "[data-testid=custom-fleet_size]")
        .await?
        .prop("value")
        .await?;
    ensure!(
        typed.as_deref() == Some("120"),
        "the field holds {typed:?} before saving"
    );
    click(&client, "[data-testid=custom-fields-save]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "Custom fields saved").await?;
    click(&client, "[data-testid=nav-dashboard]").await?;
    click(&client, "[data-testid=nav-customers]").await?;
    click(&client, "[data-testid=customer-row-name]").await?;
    if let Err(error) = wait_until(
        &client,
        "document.querySelector('[data-testid=custom-fleet_size]') && \
         document.querySelector('[data-testid=custom-fleet_size]').value === '120'",
        PATIENCE,
    )
    .await
    {
        let shown = client
            .execute(
                "const input = document.querySelector('[data-testid=custom-fleet_size]'); \
                 return [document.querySelector('[data-testid=page]')?.dataset.route ?? null, \
                         input ? input.value : null];",
                Vec::new(),
            )
            .await?;
        screenshots.take(&client, "custom-field-not-shown").await?;
        return Err(error.context(format!("(route, value) shown: {shown}")));
    }
    screenshots
        .take_in_both_themes(&client, "customer-custom-fields")
        .await?;

    // Reports open on the funnel; an empty period says so, and every tab renders.
    click(&client, "[data-testid=nav-reports]").await?;
    wait_for(&client, "[data-testid=report-body]").await?;
    for tab in [
        "forecast",
        "won-lost",
        "lead-sources",
        "activities",
        "segments",
        "top-customers",
        "funnel",
    ] {
        click(&client, &format!("[data-testid=report-tab-{tab}]")).await?;
        wait_until(
            &client,
            &format!(
                "document.querySelector('[data-testid=report-body]').dataset.report === '{tab}' && \
                 document.querySelector('[data-testid=report-export]')"
            ),
            PATIENCE,
        )
        .await?;
    }
    screenshots
        .take_in_both_themes(&client, "reports-funnel")
        .await?;

    client.close().await.context("ending the session")?;
    Ok(())
}
