//! The application shell: the sidebar (navigation, sync indicator, theme), the top bar with the
//! search box, the current page, the command palette (Ctrl/Cmd+K), the keyboard shortcuts (`?`
//! lists them) and the toasts.

use std::cell::RefCell;
use std::rc::Rc;

use crm_model::RecordId;
use crm_protocol::ipc::{
    GetSyncState, OpenActivity, RecordsChanged, ReminderDue, SyncNow, SyncStatusChanged,
};
use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{CommandPalette, Modal, RefusalsNotice, Sidebar, Toasts};
use crate::hooks::{AppContext, SyncContext, today, use_document_keydown};
use crate::ipc;
use crate::route::{Route, switch};
use crate::state::{AppAction, AppState, Theme, ToastKind, offline_banner};

const THEME_KEY: &str = "field-crm-theme";

fn stored_theme() -> Theme {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .and_then(|storage| storage.get_item(THEME_KEY).ok().flatten())
        .and_then(|text| Theme::parse(&text))
        .unwrap_or_default()
}

/// Sets `data-theme` on the document (the stylesheet's variables follow it) and remembers it.
fn apply_theme(theme: Theme) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window
        .document()
        .and_then(|document| document.document_element())
        && let Err(error) = root.set_attribute("data-theme", theme.as_str())
    {
        web_sys::console::error_1(&error);
    }
    if let Ok(Some(storage)) = window.local_storage()
        && let Err(error) = storage.set_item(THEME_KEY, theme.as_str())
    {
        web_sys::console::error_1(&error);
    }
}

/// A reminder toast's text: "Reminder: Call Acme (due 2026-03-02 14:30)".
fn reminder_text(activity: &crm_model::Activity) -> String {
    match (activity.due_date, activity.due_time) {
        (Some(day), Some(time)) => format!(
            "Reminder: {} (due {} {})",
            activity.subject,
            crate::format::date(day),
            time.format("%H:%M")
        ),
        (Some(day), None) => format!(
            "Reminder: {} (due {})",
            activity.subject,
            crate::format::date(day)
        ),
        _ => format!("Reminder: {}", activity.subject),
    }
}

/// Whether the key went to a text input, where letters and `?` are typing, not shortcuts.
fn typing(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(
                element.tag_name().to_ascii_uppercase().as_str(),
                "INPUT" | "TEXTAREA" | "SELECT"
            )
        })
}

/// The app-wide keyboard shortcuts (listed by [`ShortcutsHelp`]).
fn shortcut(event: &KeyboardEvent) -> Option<AppAction> {
    let key = event.key();
    if (event.ctrl_key() || event.meta_key()) && key.eq_ignore_ascii_case("k") {
        return Some(AppAction::OpenPalette);
    }
    if (event.ctrl_key() || event.meta_key()) && key == "," {
        return Some(AppAction::Navigate(Route::Settings));
    }
    if key == "Escape" {
        return Some(AppAction::CloseOverlays);
    }
    if event.alt_key() && !event.ctrl_key() && !event.meta_key() {
        // Alt+1 is the first page, …, Alt+9 the ninth, Alt+0 the tenth.
        let index = (key.parse::<usize>().ok()? + 9) % 10;
        return Route::SECTIONS
            .get(index)
            .map(|route| AppAction::Navigate(*route));
    }
    (key == "?" && !typing(event)).then_some(AppAction::ToggleHelp)
}

#[derive(Properties, PartialEq)]
struct ShortcutsHelpProps {
    on_close: Callback<()>,
}

#[component]
fn ShortcutsHelp(props: &ShortcutsHelpProps) -> Html {
    let pages = Route::SECTIONS.iter().take(10).enumerate().map(|(index, route)| {
        html! { <tr><td><kbd>{ format!("Alt {}", (index + 1) % 10) }</kbd></td><td>{ format!("Go to {}", route.label()) }</td></tr> }
    });
    html! {
        <Modal title="Keyboard shortcuts" on_close={props.on_close.clone()}>
            <table class="table compact shortcuts" data-testid="shortcuts-help">
                <tbody>
                    <tr><td><kbd>{ "Ctrl K" }</kbd>{ " / " }<kbd>{ "⌘ K" }</kbd></td><td>{ "Search records and run commands" }</td></tr>
                    <tr><td><kbd>{ "↑ ↓ Enter" }</kbd></td><td>{ "Move through results and open one" }</td></tr>
                    <tr><td><kbd>{ "Esc" }</kbd></td><td>{ "Close a dialog or the palette" }</td></tr>
                    <tr><td><kbd>{ "Tab" }</kbd>{ " / " }<kbd>{ "Shift Tab" }</kbd></td><td>{ "Move between controls" }</td></tr>
                    <tr><td><kbd>{ "?" }</kbd></td><td>{ "Show or hide this list" }</td></tr>
                    { for pages }
                    <tr><td><kbd>{ "Ctrl ," }</kbd>{ " / " }<kbd>{ "⌘ ," }</kbd></td><td>{ "Go to Settings" }</td></tr>
                    <tr><td>{ "Deal card" }</td><td>{ "Drag to a stage, or pick one in its “Move to…” list" }</td></tr>
                </tbody>
            </table>
        </Modal>
    }
}

#[component]
pub(crate) fn App() -> Html {
    let state = use_reducer(|| AppState::with_theme(stored_theme()));
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action: AppAction| state.dispatch(action))
    };
    let context = AppContext {
        dispatch: dispatch.clone(),
        data_version: state.data_version,
        today: today(),
    };

    use_effect_with(state.theme, |theme| apply_theme(*theme));

    {
        let dispatch = dispatch.clone();
        use_effect_with((state.data_version, state.route), move |_| {
            spawn_local(async move {
                match ipc::call::<GetSyncState>(&()).await {
                    Ok(sync) => dispatch.emit(AppAction::SyncLoaded(sync)),
                    Err(error) => web_sys::console::warn_1(&error.message.into()),
                }
            });
        });
    }

    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listeners = Rc::new(RefCell::new(Vec::new()));
            {
                let listeners = listeners.clone();
                spawn_local(async move {
                    let on_status = dispatch.reform(AppAction::SyncLoaded);
                    // Pulled records: every open page reloads (and the indicator with them).
                    let on_records = dispatch.reform(|_: Vec<RecordId>| AppAction::DataChanged);
                    let on_reminder = dispatch.reform(|activity: crm_model::Activity| {
                        AppAction::Toast(ToastKind::Reminder, reminder_text(&activity))
                    });
                    let on_open = dispatch.reform(|_| AppAction::Navigate(Route::Activities));
                    let status =
                        ipc::listen::<SyncStatusChanged>(move |state| on_status.emit(state));
                    let records = ipc::listen::<RecordsChanged>(move |ids| on_records.emit(ids));
                    let reminders =
                        ipc::listen::<ReminderDue>(move |activity| on_reminder.emit(activity));
                    let opens = ipc::listen::<OpenActivity>(move |id| on_open.emit(id));
                    for listening in [status.await, records.await, reminders.await, opens.await] {
                        match listening {
                            Ok(listener) => listeners.borrow_mut().push(listener),
                            Err(error) => web_sys::console::warn_1(&error.message.into()),
                        }
                    }
                    // A round may have ended before the listener was in place.
                    match ipc::call::<GetSyncState>(&()).await {
                        Ok(sync) => dispatch.emit(AppAction::SyncLoaded(sync)),
                        Err(error) => web_sys::console::warn_1(&error.message.into()),
                    }
                });
            }
            move || listeners.borrow_mut().clear()
        });
    }

    {
        let dispatch = dispatch.clone();
        use_document_keydown(Callback::from(move |event: KeyboardEvent| {
            if let Some(action) = shortcut(&event) {
                event.prevent_default();
                dispatch.emit(action);
            }
        }));
    }

    let sync_now = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            let dispatch = dispatch.clone();
            spawn_local(async move {
                match ipc::call::<SyncNow>(&()).await {
                    Ok(sync) => dispatch.emit(AppAction::SyncLoaded(sync)),
                    Err(error) => dispatch.emit(AppAction::Toast(ToastKind::Error, error.message)),
                }
            });
        })
    };
    let on_navigate = dispatch.reform(AppAction::Navigate);
    let open_palette = dispatch.reform(|_: MouseEvent| AppAction::OpenPalette);
    let toggle_theme = dispatch.reform(|_: MouseEvent| AppAction::ToggleTheme);
    let on_dismiss = dispatch.reform(AppAction::Dismiss);
    let close_palette = dispatch.reform(|()| AppAction::CloseOverlays);
    let close_help = dispatch.reform(|()| AppAction::CloseOverlays);

    html! {
        <ContextProvider<AppContext> {context}>
        <ContextProvider<SyncContext> context={SyncContext(state.sync.clone())}>
            <div class="app-shell">
                <Sidebar
                    current={state.route.section()}
                    {on_navigate}
                    sync={state.sync.clone()}
                    theme={state.theme}
                    on_toggle_theme={toggle_theme}
                    on_sync_now={sync_now}
                />
                <div class="main-column">
                    if let Some(text) = state.sync.as_ref().and_then(offline_banner) {
                        <div class="offline-banner" role="status" data-testid="offline-banner">{ text }</div>
                    }
                    if let Some(sync) = state.sync.as_ref().filter(|sync| sync.refusals > 0) {
                        <RefusalsNotice count={sync.refusals} />
                    }
                    <div class="top-bar">
                        <button type="button" class="search-trigger" onclick={open_palette}
                            data-testid="open-search" aria-keyshortcuts="Control+K">
                            <span aria-hidden="true" class="search-icon">{ "⌕" }</span>
                            <span>{ "Search customers, leads, deals… or type a command" }</span>
                            <kbd>{ "Ctrl K" }</kbd>
                        </button>
                    </div>
                    <main class="page" data-testid="page" data-route={state.route.slug()}>
                        { switch(state.route) }
                    </main>
                </div>
            </div>
            if state.palette_open {
                <CommandPalette on_close={close_palette} theme={state.theme} />
            }
            if state.help_open {
                <ShortcutsHelp on_close={close_help} />
            }
            <Toasts toasts={state.toasts.clone()} {on_dismiss} />
        </ContextProvider<SyncContext>>
        </ContextProvider<AppContext>>
    }
}
