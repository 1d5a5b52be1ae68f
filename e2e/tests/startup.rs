//! When the app cannot open its data it says so in a dialog, instead of vanishing: here, a
//! store written by a newer version of the app (a schema this build does not know).

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use crm_e2e::{PATIENCE, Screenshots, app_binary, press_key, wait_for_window, wait_until_closed};

/// `CANNOT_START_TITLE` in `src-tauri/src/main.rs`.
const TITLE: &str = "Field CRM cannot open its data";

#[tokio::test]
async fn a_store_from_a_newer_version_is_explained_and_left_as_it_is() -> anyhow::Result<()> {
    let app = app_binary()?;
    let data_dir = tempfile::tempdir()?;
    let store_path = data_dir.path().join(crm_core::STORE_FILE_NAME);
    drop(crm_core::Store::open(&store_path)?);
    let newer = 1_000;
    let connection = rusqlite::Connection::open(&store_path)?;
    connection.pragma_update(None, "user_version", newer)?;
    drop(connection);
    let before = std::fs::read(&store_path)?;

    let mut child = Command::new(&app)
        .arg("--data-dir")
        .arg(data_dir.path())
        .spawn()
        .with_context(|| format!("starting {}", app.display()))?;
    let outcome = async {
        let mut screenshots = Screenshots::new("startup")?;
        let window = wait_for_window(TITLE).await?;
        screenshots.take_screen("a store from a newer version")?;
        press_key("Return")?;
        wait_until_closed(TITLE, &window).await?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait()? {
                break Ok(status);
            }
            if Instant::now() > deadline {
                bail!("the app did not exit after its dialog was closed");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    .await;
    if outcome.is_err() {
        child.kill().ok();
        child.wait().ok();
    }
    let status = outcome?;
    ensure!(status.code() == Some(1), "the app exited with {status}");

    let connection = rusqlite::Connection::open(&store_path)?;
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    ensure!(version == newer, "the store's schema became {version}");
    drop(connection);
    ensure!(
        std::fs::read(&store_path)? == before,
        "the store file was changed"
    );
    Ok(())
}
