//! Field CRM's desktop shell: opens the local store of the signed-in profile and serves the UI's
//! IPC commands. All logic lives in `crm-core`; this binary only wires it to Tauri.

// Release builds on Windows would otherwise open a console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod data_dir;

use std::sync::Mutex;

use anyhow::Context as _;
use tauri::Manager as _;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let data_dir_argument = data_dir::from_arguments(std::env::args_os())?;

    tauri::Builder::default()
        .setup(move |app| {
            let data_dir = data_dir::choose(
                data_dir_argument,
                std::env::var_os(data_dir::ENVIRONMENT_VARIABLE),
                || {
                    app.path()
                        .app_data_dir()
                        .context("finding the app's data directory")
                },
            )?;
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
            let store_path = data_dir.join(crm_core::STORE_FILE_NAME);
            let store = crm_core::Store::open(&store_path)
                .with_context(|| format!("opening the store {}", store_path.display()))?;
            tracing::info!(store = %store_path.display(), "store opened");
            // A std Mutex: every command is a short synchronous call into the store, and the
            // store is `Send` but not `Sync`.
            app.manage(Mutex::new(store));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::create_customer,
            commands::update_customer,
            commands::list_customers,
        ])
        .run(tauri::generate_context!())
        .context("running the desktop app")
}
