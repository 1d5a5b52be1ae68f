//! A tour of the real app with demo data: the dashboard (light and dark), a Customer 360 and its
//! tabs, the pipeline kanban with a deal dragged and dropped to another stage and another moved
//! from the keyboard, global search from the command palette, a lead with its conversion wizard,
//! the activities page with a task completed. Screenshots of each step.

use std::time::Duration;

use anyhow::{Context as _, ensure};
use crm_e2e::{
    Driver, Screenshots, app_binary, click, drag_and_drop, set_value, wait_for, wait_for_text,
    wait_until,
};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

/// Loading the demo tenant writes a few thousand records through the debug build's write path.
const DEMO_PATIENCE: Duration = Duration::from_secs(300);

/// Closes every toast, so a screenshot shows the page alone.
async fn dismiss_toasts(client: &Client) -> anyhow::Result<()> {
    client
        .execute(
            "document.querySelectorAll('[data-testid=toast] .toast-close').forEach(b => b.click());",
            Vec::new(),
        )
        .await
        .context("closing the toasts")?;
    wait_until(
        client,
        "!document.querySelector('[data-testid=toast]')",
        Duration::from_secs(5),
    )
    .await
}

/// Switches the theme with the sidebar's button and waits for the page to follow.
async fn switch_theme(client: &Client, theme: &str) -> anyhow::Result<()> {
    click(client, "[data-testid=theme-toggle]").await?;
    wait_until(
        client,
        &format!("document.documentElement.dataset.theme === '{theme}'"),
        Duration::from_secs(5),
    )
    .await
}

async fn attribute(client: &Client, css: &str, name: &str) -> anyhow::Result<String> {
    wait_for(client, css)
        .await?
        .attr(name)
        .await?
        .with_context(|| format!("{css} has no {name}"))
}

#[tokio::test]
async fn a_tour_of_the_app_with_demo_data() -> anyhow::Result<()> {
    let app = app_binary()?;
    let data_dir = tempfile::tempdir()?;
    let mut screenshots = Screenshots::new("tour")?;
    let driver = Driver::start()?;
    let client = driver.open_app(&app, data_dir.path()).await?;

    // An empty store opens on the dashboard, which offers the demo data.
    wait_for(
        &client,
        "[data-route=dashboard] [data-testid=dashboard-empty]",
    )
    .await?;
    wait_for_text(&client, "[data-testid=sync-indicator]", "Not signed in").await?;
    screenshots
        .take_in_both_themes(&client, "empty-dashboard")
        .await?;
    click(&client, "[data-testid=load-demo]").await?;
    wait_until(
        &client,
        "!document.querySelector('[data-testid=dashboard-empty]') && \
         document.querySelector('[data-testid=funnel-chart] rect')",
        DEMO_PATIENCE,
    )
    .await?;
    wait_for_text(&client, "[data-testid=toasts]", "Demo data loaded").await?;
    let customers = wait_for(&client, "[data-testid=stat-customers] .stat-value")
        .await?
        .text()
        .await?;
    ensure!(customers != "0", "the dashboard counts the demo customers");
    wait_for(&client, "[data-testid=bar-chart] rect.chart-bar").await?;
    wait_for(&client, "[data-testid=top-customers] tbody tr").await?;
    dismiss_toasts(&client).await?;
    screenshots.take(&client, "dashboard").await?;
    client
        .execute(
            "document.querySelector('[data-testid=hot-leads]').scrollIntoView({block: 'end'});",
            Vec::new(),
        )
        .await?;
    screenshots.take(&client, "dashboard-lower-half").await?;
    client.execute("window.scrollTo(0, 0);", Vec::new()).await?;

    click(&client, "[data-testid=theme-toggle]").await?;
    wait_until(
        &client,
        "document.documentElement.dataset.theme === 'dark'",
        Duration::from_secs(5),
    )
    .await?;
    screenshots.take(&client, "dashboard-dark").await?;
    click(&client, "[data-testid=theme-toggle]").await?;
    wait_until(
        &client,
        "document.documentElement.dataset.theme === 'light'",
        Duration::from_secs(5),
    )
    .await?;

    // Customers: one scrolling list, of which only the rows in view are in the page; scrolled
    // to the end, it shows the last customer. The first one opens as a Customer 360.
    click(&client, "[data-testid=nav-customers]").await?;
    wait_for(&client, "[data-testid=customer-row]").await?;
    screenshots
        .take_in_both_themes(&client, "customers")
        .await?;
    let total = client
        .execute(
            "return Number(document.querySelector('[data-testid=customers-table] table').getAttribute('aria-rowcount'));",
            Vec::new(),
        )
        .await?
        .as_u64()
        .unwrap_or(0);
    ensure!(
        total > 100,
        "the demo has more customers than a screen: {total}"
    );
    client
        .execute(
            "const view = document.querySelector('[data-testid=customers-table]'); view.scrollTop = view.scrollHeight;",
            Vec::new(),
        )
        .await?;
    let reached_the_end = wait_until(
        &client,
        &format!(
            "document.querySelector('[data-testid=customer-row][aria-rowindex=\"{}\"]') !== null",
            total + 1
        ),
        Duration::from_secs(10),
    )
    .await;
    if let Err(error) = reached_the_end {
        let state = client
            .execute(
                "const view = document.querySelector('[data-testid=customers-table]');
                 const rows = [...view.querySelectorAll('tbody tr')].map(r => r.getAttribute('aria-rowindex') || r.className);
                 const spacer = view.querySelector('.virtual-spacer');
                 return `scrollTop ${view.scrollTop} of ${view.scrollHeight}, view ${view.clientHeight}; rows ${rows[0]}..${rows[rows.length - 1]} (${rows.length}); first spacer ${spacer && spacer.outerHTML} ${spacer && spacer.getBoundingClientRect().height}`;",
                Vec::new(),
            )
            .await?;
        return Err(error.context(format!("the list scrolled to the end: {state}")));
    }
    let drawn = client
        .execute(
            "return document.querySelectorAll('[data-testid=customers-table] tbody tr:not(.virtual-spacer)').length;",
            Vec::new(),
        )
        .await?
        .as_u64()
        .unwrap_or(0);
    ensure!(
        drawn < 80,
        "only a window of the {total} customers is in the page, not {drawn} rows"
    );
    screenshots
        .take(&client, "customers-scrolled-to-the-end")
        .await?;
    client
        .execute(
            "document.querySelector('[data-testid=customers-table]').scrollTop = 0;",
            Vec::new(),
        )
        .await?;
    wait_for(&client, "[data-testid=customer-row][aria-rowindex=\"2\"]").await?;
    let first = wait_for(&client, "[data-testid=customer-row-name]").await?;
    let name = first.text().await?;
    first.click().await?;
    wait_for_text(&client, "[data-testid=customer-header]", &name).await?;
    dismiss_toasts(&client).await?;
    screenshots.take(&client, "customer-360").await?;
    switch_theme(&client, "dark").await?;
    screenshots.take(&client, "customer-360-dark").await?;
    switch_theme(&client, "light").await?;
    for tab in ["contacts", "deals", "communications", "notes", "history"] {
        click(&client, &format!("[data-testid=tab-{tab}]")).await?;
        wait_until(
            &client,
            &format!("document.querySelector('[data-testid=tab-{tab}]').getAttribute('aria-selected') === 'true'"),
            Duration::from_secs(10),
        )
        .await?;
    }
    wait_for(
        &client,
        "[data-testid=timeline], [data-testid=record-history]",
    )
    .await?;
    screenshots
        .take_in_both_themes(&client, "customer-360-history")
        .await?;

    // Pipeline: drag the first card of the first column to the second column.
    click(&client, "[data-testid=nav-pipeline]").await?;
    wait_for(
        &client,
        "[data-testid=kanban-column] [data-testid=deal-card]",
    )
    .await?;
    screenshots.take(&client, "pipeline").await?;
    switch_theme(&client, "dark").await?;
    screenshots.take(&client, "pipeline-dark").await?;
    switch_theme(&client, "light").await?;
    let source = "[data-testid=kanban-column]:nth-child(1)";
    let target = "[data-testid=kanban-column]:nth-child(2)";
    let deal = attribute(
        &client,
        &format!("{source} [data-testid=deal-card]"),
        "data-deal-id",
    )
    .await?;
    let card = format!("[data-deal-id='{deal}']");
    drag_and_drop(&client, &card, target).await?;
    wait_for(&client, &format!("{target} {card}")).await?;
    screenshots.take(&client, "pipeline-after-drag").await?;

    // Reload the page: the move reached the store.
    click(&client, "[data-testid=nav-dashboard]").await?;
    click(&client, "[data-testid=nav-pipeline]").await?;
    wait_for(&client, &format!("{target} {card}")).await?;

    // The filters narrow the counts and totals as well as the cards: no deal is worth a
    // trillion; cleared, the board is back.
    set_value(&client, "#pipeline-minimum", "1000000000000", "input").await?;
    wait_until(
        &client,
        "!document.querySelector('[data-testid=deal-card]') && \
         [...document.querySelectorAll('[data-testid=column-count]')].every(c => c.textContent === '0')",
        Duration::from_secs(10),
    )
    .await?;
    set_value(&client, "#pipeline-minimum", "", "input").await?;
    wait_for(&client, &format!("{target} {card}")).await?;

    // The keyboard alternative: the card's "Move to…" list.
    let moved = attribute(
        &client,
        &format!("{source} [data-testid=deal-card]"),
        "data-deal-id",
    )
    .await?;
    let third_stage = attribute(
        &client,
        "[data-testid=kanban-column]:nth-child(3)",
        "data-stage-id",
    )
    .await?;
    wait_for(
        &client,
        &format!("[data-deal-id='{moved}'] [data-testid=move-to]"),
    )
    .await?
    .select_by_value(&third_stage)
    .await?;
    wait_for(
        &client,
        &format!("[data-testid=kanban-column]:nth-child(3) [data-deal-id='{moved}']"),
    )
    .await?;

    // Ctrl+K opens the command palette from anywhere, Escape closes it.
    client
        .active_element()
        .await?
        .send_keys(&(Key::Control + "k"))
        .await
        .context("pressing Ctrl+K")?;
    wait_for(&client, "[data-testid=palette-input]")
        .await?
        .send_keys("activ")
        .await?;
    wait_for_text(&client, "[data-testid=palette-action]", "Go to Activities").await?;
    wait_for(&client, "[data-testid=palette-input]")
        .await?
        .send_keys(&Key::Escape)
        .await?;
    wait_until(
        &client,
        "!document.querySelector('[data-testid=palette]')",
        Duration::from_secs(5),
    )
    .await?;

    // `?` lists the keyboard shortcuts; Alt+1 goes to the dashboard.
    client.active_element().await?.send_keys("?").await?;
    wait_for_text(&client, "[data-testid=shortcuts-help]", "Search records").await?;
    screenshots
        .take_in_both_themes(&client, "shortcuts")
        .await?;
    client
        .active_element()
        .await?
        .send_keys(&Key::Escape)
        .await?;
    wait_until(
        &client,
        "!document.querySelector('[data-testid=shortcuts-help]')",
        Duration::from_secs(5),
    )
    .await?;
    client
        .active_element()
        .await?
        .send_keys(&(Key::Alt + "1"))
        .await?;
    wait_for(&client, "[data-route=dashboard]").await?;

    // Search from the command palette opens the customer.
    click(&client, "[data-testid=open-search]").await?;
    let query: String = name.split_whitespace().next().unwrap_or(&name).to_owned();
    wait_for(&client, "[data-testid=palette-input]")
        .await?
        .send_keys(&query)
        .await?;
    wait_for_text(&client, "[data-testid=palette]", &name).await?;
    screenshots.take_in_both_themes(&client, "search").await?;
    let hit = client
        .find_all(Locator::Css(
            "[data-testid=palette-hit][data-kind=customer]",
        ))
        .await?
        .into_iter()
        .next()
        .context("a customer among the search hits")?;
    hit.click().await?;
    wait_for(&client, "[data-testid=customer-360]").await?;

    // Leads: the best-scored qualified lead, its score breakdown and the conversion wizard.
    click(&client, "[data-testid=nav-leads]").await?;
    wait_for(&client, "[data-testid=lead-row-name]").await?;
    wait_for(&client, "#leads-status")
        .await?
        .select_by_value("QUALIFIED")
        .await?;
    wait_for_text(&client, "[data-testid=leads-table]", "Qualified").await?;
    wait_until(
        &client,
        "[...document.querySelectorAll('[data-testid=leads-table] tbody .badge')].every(b => b.textContent === 'Qualified')",
        Duration::from_secs(10),
    )
    .await?;
    click(&client, "[data-testid=lead-row-name]").await?;
    wait_for(&client, "[data-testid=score-breakdown] .meter").await?;
    wait_for_text(
        &client,
        "[data-route=lead] [data-testid=record-history]",
        "Created",
    )
    .await?;
    screenshots.take_in_both_themes(&client, "lead").await?;
    click(&client, "[data-testid=convert-lead]").await?;
    wait_for(&client, "[data-testid=conversion-form]").await?;
    screenshots
        .take_in_both_themes(&client, "conversion-wizard")
        .await?;
    click(&client, "[data-testid=convert-submit]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "is converted").await?;
    let converted = wait_for(&client, "[data-testid=customer-header] h1")
        .await?
        .text()
        .await?;
    screenshots
        .take_in_both_themes(&client, "converted-lead-customer")
        .await?;

    // Delete the new customer, then bring it back from the trash.
    click(&client, "[data-testid=delete-customer]").await?;
    click(&client, "[data-testid=confirm-delete]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "are in the trash").await?;
    click(&client, "[data-testid=nav-trash]").await?;
    wait_for_text(&client, "[data-testid=trash-table]", &converted).await?;
    screenshots.take_in_both_themes(&client, "trash").await?;
    let mut restored = false;
    for row in client
        .find_all(Locator::Css("[data-testid=trash-row]"))
        .await?
    {
        if row.text().await?.contains(&converted) && row.text().await?.contains("Customer") {
            row.find(Locator::Css("[data-testid=restore]"))
                .await?
                .click()
                .await?;
            restored = true;
            break;
        }
    }
    ensure!(
        restored,
        "{converted} is in the trash with a restore button"
    );
    wait_for_text(&client, "[data-testid=toasts]", "is restored").await?;

    // Activities: complete the first one with an outcome.
    click(&client, "[data-testid=nav-activities]").await?;
    wait_for(&client, "[data-testid=activity-item]").await?;
    screenshots
        .take_in_both_themes(&client, "activities")
        .await?;
    // Each group shows its first 25; "Show more" adds to every group.
    let shown = "document.querySelectorAll('[data-testid=activity-item]').length";
    let before = client
        .execute(&format!("return {shown};"), Vec::new())
        .await?
        .as_u64()
        .unwrap_or(0);
    click(&client, ".activity-group [data-testid$='-more']").await?;
    wait_until(
        &client,
        &format!("{shown} > {before}"),
        Duration::from_secs(10),
    )
    .await?;
    click(&client, "[data-testid=complete-activity]").await?;
    wait_for(&client, "[data-testid=activity-outcome]")
        .await?
        .send_keys("Agreed on next steps")
        .await?;
    click(&client, "[data-testid=confirm-complete]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "is done").await?;

    // The other lists: contacts, deals, and the communication history with its log form.
    click(&client, "[data-testid=nav-contacts]").await?;
    wait_for(
        &client,
        "[data-testid=contacts-list] tbody tr[aria-rowindex]",
    )
    .await?;
    screenshots.take_in_both_themes(&client, "contacts").await?;
    click(&client, "[data-testid=contact-row-name]").await?;
    wait_for(&client, "[data-route=contact] [data-testid=contact-card]").await?;
    wait_for(&client, "[data-testid=contact-customer]").await?;
    screenshots.take_in_both_themes(&client, "contact").await?;
    click(&client, "[data-testid=nav-deals]").await?;
    wait_for(&client, "[data-testid=deals-list] tbody tr[aria-rowindex]").await?;
    screenshots.take_in_both_themes(&client, "deals").await?;
    // A deal's own page: overview, products, files.
    click(&client, "[data-testid=deals-list] tbody tr button.link").await?;
    wait_for(&client, "[data-route=deal] [data-testid=deal-header]").await?;
    wait_for(&client, "[data-testid=deal-stage]").await?;
    dismiss_toasts(&client).await?;
    screenshots.take(&client, "deal").await?;
    click(&client, "[data-testid=deal-tab-products]").await?;
    wait_for(&client, "[data-testid=deal-panel]").await?;
    click(&client, "[data-testid=deal-tab-files]").await?;
    wait_for(&client, "[data-testid=attach-file]").await?;
    // A file attached by path (what the shell's command does with the path the system's
    // dialog returns; the dialog itself is native, out of WebDriver's reach) is stored and
    // listed with its size.
    let deal_id = attribute(&client, "[data-testid=deal-header]", "data-deal-id").await?;
    let file = data_dir.path().join("site-survey.txt");
    std::fs::write(&file, "Loading dock: 2 bays, 4.2 m clearance.\n")?;
    let attached = client
        .execute_async(
            "const [path, dealId] = arguments; const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('attach_file', { request: { path, dealId } })
                 .then((attachment) => done(attachment ? attachment.fileName : 'cancelled'),
                       (error) => done('failed: ' + JSON.stringify(error)));",
            vec![file.display().to_string().into(), deal_id.clone().into()],
        )
        .await?;
    ensure!(
        attached.as_str() == Some("site-survey.txt"),
        "the file is attached: {attached}"
    );
    // The page reads the deal when it opens: leave and come back.
    click(&client, "[data-testid=nav-deals]").await?;
    click(&client, "[data-testid=deals-list] tbody tr button.link").await?;
    wait_for(
        &client,
        &format!("[data-testid=deal-header][data-deal-id='{deal_id}']"),
    )
    .await?;
    click(&client, "[data-testid=deal-tab-files]").await?;
    wait_for_text(&client, "[data-testid=deal-files]", "site-survey.txt").await?;
    wait_for_text(&client, "[data-testid=deal-files]", "39 B").await?;
    screenshots.take(&client, "deal-files").await?;
    switch_theme(&client, "dark").await?;
    click(&client, "[data-testid=deal-tab-overview]").await?;
    screenshots.take(&client, "deal-dark").await?;
    switch_theme(&client, "light").await?;

    // Reports over the demo year: every report draws its chart and table.
    dismiss_toasts(&client).await?;
    click(&client, "[data-testid=nav-reports]").await?;
    click(&client, "[data-testid=report-tab-won-lost]").await?;
    click(&client, "button.chip:nth-child(4)").await?;
    wait_for(
        &client,
        "[data-report=won-lost] [data-testid=bar-chart] rect.chart-bar",
    )
    .await?;
    wait_for(
        &client,
        "[data-report=won-lost] [data-testid=report-table] tbody tr",
    )
    .await?;
    screenshots
        .take_in_both_themes(&client, "reports-won-lost")
        .await?;
    for tab in [
        "funnel",
        "forecast",
        "lead-sources",
        "activities",
        "segments",
        "top-customers",
    ] {
        click(&client, &format!("[data-testid=report-tab-{tab}]")).await?;
        wait_for(
            &client,
            &format!("[data-report={tab}] [data-testid=report-table] tbody tr"),
        )
        .await?;
    }
    screenshots
        .take_in_both_themes(&client, "reports-top-customers")
        .await?;
    switch_theme(&client, "dark").await?;
    click(&client, "[data-testid=report-tab-lead-sources]").await?;
    wait_for(
        &client,
        "[data-report=lead-sources] [data-testid=bar-chart]",
    )
    .await?;
    screenshots
        .take(&client, "reports-lead-sources-dark")
        .await?;
    switch_theme(&client, "light").await?;
    click(&client, "[data-testid=nav-communications]").await?;
    wait_for(&client, "[data-testid=communication-row]").await?;
    wait_for(&client, "[data-testid=log-customer]")
        .await?
        .send_keys(&query)
        .await?;
    click(&client, "[data-testid=customer-suggestion]").await?;
    wait_for(&client, "[data-testid=log-customer-chosen]").await?;
    wait_for(&client, "[data-testid=log-notes]")
        .await?
        .send_keys("Called to confirm the delivery date")
        .await?;
    click(&client, "[data-testid=log-submit]").await?;
    wait_for_text(&client, "[data-testid=toasts]", "The call is logged").await?;
    wait_for_text(
        &client,
        "[data-testid=communications-history]",
        "Called to confirm the delivery date",
    )
    .await?;
    screenshots
        .take_in_both_themes(&client, "communications")
        .await?;

    client.close().await.context("ending the session")?;
    Ok(())
}
