//! Reminders: twice a minute, the activities whose reminder came due since the last look are
//! raised as OS notifications with an "Open" action, and as a `reminder-due` event the window
//! shows as a toast (so a reminder is seen even where no notification service runs). "Open"
//! brings the window forward on the activities page.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use crm_core::Store;
use crm_model::Activity;
use crm_protocol::ipc::{Event as _, OpenActivity, ReminderDue};
use tauri::{AppHandle, Emitter as _, Manager as _};

/// How often the store is asked for due reminders.
const EVERY: Duration = Duration::from_secs(30);
/// The first look waits for the window to be listening.
const FIRST_LOOK_AFTER: Duration = Duration::from_secs(4);
/// Reminders that came due this shortly before the app started are still raised.
const CATCH_UP: chrono::Duration = chrono::Duration::minutes(15);
/// How long a notification stays up waiting for "Open".
const NOTIFICATION_TIMEOUT_MS: u32 = 10 * 60 * 1000;

pub(crate) fn spawn(app: AppHandle, store: Arc<Mutex<Store>>) {
    tauri::async_runtime::spawn(async move {
        let mut after = Utc::now() - CATCH_UP;
        tokio::time::sleep(FIRST_LOOK_AFTER).await;
        let mut interval = tokio::time::interval(EVERY);
        loop {
            interval.tick().await;
            let until = Utc::now();
            let due = match store.lock() {
                Ok(store) => {
                    let user = store.actor().user_id;
                    store.due_reminders(user, after, until)
                }
                Err(_) => {
                    tracing::error!("the store's lock is poisoned; reminders stop");
                    return;
                }
            };
            match due {
                Ok(activities) => {
                    for activity in activities {
                        raise(&app, activity);
                    }
                    after = until;
                }
                // The window is tried again at the next look.
                Err(error) => tracing::warn!(%error, "could not read the due reminders"),
            }
        }
    });
}

fn raise(app: &AppHandle, activity: Activity) {
    tracing::info!(activity = %activity.id, "reminder due");
    if let Err(error) = app.emit(ReminderDue::NAME, &activity) {
        tracing::warn!(%error, "could not send a reminder to the window");
    }
    let app = app.clone();
    // Waiting for the notification's action blocks: a thread of its own, ended by the
    // notification's timeout at the latest.
    let spawned = std::thread::Builder::new()
        .name("reminder".into())
        .spawn(move || notify(&app, &activity));
    if let Err(error) = spawned {
        tracing::warn!(%error, "could not start the reminder's notification");
    }
}

/// The notification's text: the due date and time, and what it is about.
pub(crate) fn body(activity: &Activity) -> String {
    let when = match (activity.due_date, activity.due_time) {
        (Some(day), Some(time)) => format!("Due {day} at {}", time.format("%H:%M")),
        (Some(day), None) => format!("Due {day}"),
        _ => String::new(),
    };
    let kind = activity.activity_type.label();
    if when.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} · {when}")
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn notify(app: &AppHandle, activity: &Activity) {
    let shown = notify_rust::Notification::new()
        .appname("Field CRM")
        .summary(&format!("Reminder: {}", activity.subject))
        .body(&body(activity))
        .action("default", "Open")
        .action("open", "Open")
        .timeout(notify_rust::Timeout::Milliseconds(NOTIFICATION_TIMEOUT_MS))
        .show();
    match shown {
        Ok(handle) => handle.wait_for_action(|action| {
            if action == "default" || action == "open" {
                open_activity(app, activity);
            }
        }),
        // No notification service (a bare X server, a locked-down desktop): the window's
        // toast remains.
        Err(error) => tracing::debug!(%error, "no OS notification for a reminder"),
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn notify(_app: &AppHandle, activity: &Activity) {
    let shown = notify_rust::Notification::new()
        .appname("Field CRM")
        .summary(&format!("Reminder: {}", activity.subject))
        .body(&body(activity))
        .timeout(notify_rust::Timeout::Milliseconds(NOTIFICATION_TIMEOUT_MS))
        .show();
    if let Err(error) = shown {
        tracing::debug!(%error, "no OS notification for a reminder");
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn open_activity(app: &AppHandle, activity: &Activity) {
    if let Some(window) = app.get_webview_window("main") {
        let shown = window
            .unminimize()
            .and_then(|()| window.show())
            .and_then(|()| window.set_focus());
        if let Err(error) = shown {
            tracing::warn!(%error, "could not bring the window forward");
        }
    }
    if let Err(error) = app.emit(OpenActivity::NAME, activity.id) {
        tracing::warn!(%error, "could not open the activity in the window");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_says_what_and_when() {
        let mut activity: Activity = serde_json::from_value(serde_json::json!({
            "id": "0190a6a4-0000-7000-8000-000000000001", "type": "CALL", "subject": "Call Acme",
            "createdBy": "0190a6a4-0000-7000-8000-000000000002",
            "createdAt": "2026-03-01T08:00:00Z", "updatedAt": "2026-03-01T08:00:00Z"
        }))
        .expect("an activity");
        assert_eq!(body(&activity), "Call");
        activity.due_date = "2026-03-02".parse().ok();
        assert_eq!(body(&activity), "Call · Due 2026-03-02");
        activity.due_time = "14:30:00".parse().ok();
        assert_eq!(body(&activity), "Call · Due 2026-03-02 at 14:30");
    }
}
