//! Field CRM's desktop shell: opens the local store of the signed-in profile and serves the UI's
//! IPC commands. All logic lives in `crm-core`; this binary only wires it to Tauri.

// Release builds on Windows would otherwise open a console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod credentials;
mod data_dir;
mod demo;
mod files;
mod reminders;
mod sync;
mod webview;

use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use crm_protocol::ipc::{Event as _, RecordsChanged, SyncStatusChanged};
use tauri::{Emitter as _, Manager as _};

use crate::credentials::Credentials;
use crate::sync::{SyncEvent, SyncService};

/// Registers every command of `commands` with Tauri and lists their names, so a test can check
/// that each `crm_protocol::ipc::Command` has its handler.
macro_rules! commands {
    ($($name:ident),* $(,)?) => {
        #[cfg(test)]
        const REGISTERED_COMMANDS: &[&str] = &[$(stringify!($name)),*];

        fn register_commands(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
            builder.invoke_handler(tauri::generate_handler![$(commands::$name),*])
        }
    };
}

commands![
    create_customer,
    update_customer,
    list_customers,
    get_customer,
    get_customer_360,
    get_customer_timeline,
    list_contacts,
    get_contact,
    create_contact,
    update_contact,
    set_primary_contact,
    list_leads,
    get_lead,
    create_lead,
    update_lead,
    get_conversion_duplicates,
    convert_lead,
    disqualify_lead,
    list_deals,
    get_pipeline_board,
    get_deal,
    get_deal_view,
    create_deal,
    update_deal,
    move_deal_stage,
    win_deal,
    lose_deal,
    list_pipelines,
    create_pipeline,
    update_pipeline,
    list_communications,
    create_communication,
    list_activities,
    get_activity,
    create_activity,
    update_activity,
    get_activity_groups,
    complete_activity,
    reschedule_activity,
    create_note,
    delete_record,
    restore_record,
    list_trash,
    get_record_history,
    search,
    get_dashboard_stats,
    get_sales_funnel,
    get_deal_forecast,
    get_top_customers,
    get_hot_leads,
    get_won_lost,
    get_lead_sources,
    get_activity_summary,
    get_revenue_by_segment,
    attach_file,
    open_attachment,
    pick_import_file,
    import_csv,
    revert_import,
    export_records,
    save_csv,
    list_users,
    list_tags,
    create_tag,
    save_settings,
    get_settings,
    load_demo_data,
    get_sync_state,
    sign_in,
    sign_out,
    sync_now,
    download_attachments,
    list_refusals,
    dismiss_refusal,
    list_conflicts,
    resolve_conflict,
];

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let data_dir_argument = data_dir::from_arguments(std::env::args_os())?;
    let demo = demo::requested(std::env::var(demo::ENVIRONMENT_VARIABLE).ok().as_deref())?;

    register_commands(tauri::Builder::default())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let compositing = webview::compositing()?;
            if let Some(window) = app.get_webview_window("main") {
                webview::apply(&window, compositing)?;
            }
            tracing::info!(?compositing, "webview compositing");
            let store = match open_store(app, data_dir_argument.as_deref(), demo.as_ref()) {
                Ok(store) => store,
                Err(error) => {
                    explain_and_exit(app, &error);
                    return Ok(());
                }
            };
            // A std Mutex: every command is a short synchronous call into the store, and the
            // store is `Send` but not `Sync`. Shared with the sync engine, which locks it only
            // for the store steps of a round, never across the network.
            let store = Arc::new(Mutex::new(store));
            let sync_service = SyncService::new(
                store.clone(),
                Credentials::os(),
                tauri::async_runtime::handle().inner().clone(),
                webview_notifier(app.handle().clone()),
            );
            match sync_service.resume() {
                Ok(true) => tracing::info!("syncing with the signed-in server"),
                Ok(false) => tracing::info!("not signed in to a sync server"),
                Err(error) => tracing::warn!(%error, "sync could not start"),
            }
            reminders::spawn(app.handle().clone(), store.clone());
            app.manage(store);
            app.manage(sync_service);
            Ok(())
        })
        .run(tauri::generate_context!())
        .context("running the desktop app")
}

/// Opens (or creates) the store of the data directory chosen by `--data-dir`, the environment,
/// or the platform's app data directory; fills it with demo data when asked.
fn open_store(
    app: &tauri::App,
    data_dir_argument: Option<&std::path::Path>,
    demo: Option<&crm_core::demo::DemoSize>,
) -> anyhow::Result<crm_core::Store> {
    let data_dir = data_dir::choose(
        data_dir_argument.map(std::path::Path::to_path_buf),
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
    let mut store = crm_core::Store::open(&store_path)
        .with_context(|| format!("opening the store {}", store_path.display()))?;
    tracing::info!(store = %store_path.display(), "store opened");
    if let Some(size) = demo {
        demo::load_if_empty(&mut store, size)?;
    }
    Ok(store)
}

/// The title of the dialog shown when the app cannot start (the e2e tests find it by it).
const CANNOT_START_TITLE: &str = "Field CRM cannot open its data";

/// Without its store the app can do nothing: instead of an empty window (or a crash with the
/// reason only on a terminal), the window stays hidden and a dialog says why, with the store's
/// path; the app exits with status 1 when it is closed.
fn explain_and_exit(app: &tauri::App, error: &anyhow::Error) {
    use tauri_plugin_dialog::{DialogExt as _, MessageDialogButtons, MessageDialogKind};

    tracing::error!(error = format!("{error:#}"), "the app cannot start");
    if let Some(window) = app.get_webview_window("main")
        && let Err(hide) = window.hide()
    {
        tracing::warn!(error = %hide, "could not hide the main window");
    }
    let reason = format!("{error:#}");
    let mut letters = reason.chars();
    let reason: String = letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default();
    let handle = app.handle().clone();
    app.dialog()
        .message(format!("{reason}.\n\nField CRM will close."))
        .title(CANNOT_START_TITLE)
        .kind(MessageDialogKind::Error)
        .buttons(MessageDialogButtons::OkCustom("Close".to_owned()))
        .show(move |_| handle.exit(1));
}

/// Sends the sync engine's news to the webview as the protocol's events.
fn webview_notifier(app: tauri::AppHandle) -> sync::Notify {
    Arc::new(move |event| {
        let sent = match event {
            SyncEvent::Status(state) => app.emit(SyncStatusChanged::NAME, state),
            SyncEvent::RecordsChanged(ids) => app.emit(RecordsChanged::NAME, ids),
        };
        if let Err(error) = sent {
            tracing::warn!(%error, "could not send a sync event to the window");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::REGISTERED_COMMANDS;

    /// The UI calls commands by `Command::NAME`; one without a handler would fail only at run
    /// time, with "command not found".
    #[test]
    fn every_ipc_command_has_a_handler_and_every_handler_a_command() {
        for name in crm_protocol::ipc::ALL_COMMANDS {
            assert!(
                REGISTERED_COMMANDS.contains(name),
                "{name} is not registered in the invoke handler"
            );
        }
        for name in REGISTERED_COMMANDS {
            assert!(
                crm_protocol::ipc::ALL_COMMANDS.contains(name),
                "{name} is registered but is not a crm_protocol::ipc command"
            );
        }
    }
}
