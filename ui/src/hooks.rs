//! Hooks shared by pages: loading a command's answer, the app's context, today's date, and a
//! keyboard listener on the whole document.

use std::rc::Rc;

use chrono::NaiveDate;
use crm_protocol::ipc::{Command, ErrorKind, IpcError, SyncState};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::ipc;
use crate::state::{AppAction, ToastKind};

/// A command's answer as a page shows it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Load<T> {
    Loading,
    Loaded(Rc<T>),
    Failed(String),
    /// The record is not on this device any more (deleted for good or erased), or is in the
    /// trash: the page says so and offers a way on instead of an error.
    Gone {
        message: String,
        in_trash: bool,
    },
}

impl<T> Load<T> {
    /// What a command's error becomes on a page.
    pub(crate) fn failed(error: IpcError) -> Load<T> {
        match error.kind {
            ErrorKind::NotFound => Load::Gone {
                message: error.message,
                in_trash: false,
            },
            ErrorKind::InTrash => Load::Gone {
                message: error.message,
                in_trash: true,
            },
            _ => Load::Failed(error.message),
        }
    }
}

/// What every page may use from the shell: dispatch app actions, the data version to reload on,
/// and today's date in the user's time zone.
#[derive(Clone, PartialEq)]
pub(crate) struct AppContext {
    pub(crate) dispatch: Callback<AppAction>,
    pub(crate) data_version: u32,
    pub(crate) today: NaiveDate,
}

impl AppContext {
    pub(crate) fn navigate(&self, route: crate::route::Route) {
        self.dispatch.emit(AppAction::Navigate(route));
    }

    pub(crate) fn navigate_callback(&self, route: crate::route::Route) -> Callback<MouseEvent> {
        self.dispatch
            .reform(move |_: MouseEvent| AppAction::Navigate(route))
    }

    pub(crate) fn error(&self, message: impl Into<String>) {
        self.dispatch
            .emit(AppAction::Toast(ToastKind::Error, message.into()));
    }

    pub(crate) fn success(&self, message: impl Into<String>) {
        self.dispatch
            .emit(AppAction::Toast(ToastKind::Success, message.into()));
    }
}

impl Default for AppContext {
    fn default() -> AppContext {
        AppContext {
            dispatch: Callback::noop(),
            data_version: 0,
            today: today(),
        }
    }
}

#[hook]
pub(crate) fn use_app() -> AppContext {
    use_context::<AppContext>().unwrap_or_default()
}

/// The latest sync state, in a context of its own so that only what shows it re-renders when
/// it changes (several times per sync round).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SyncContext(pub(crate) Option<SyncState>);

#[hook]
pub(crate) fn use_sync() -> Option<SyncState> {
    use_context::<SyncContext>().unwrap_or_default().0
}

/// A loaded answer through `view`; "Loading…" or the error in words otherwise.
pub(crate) fn loading<T>(load: &Load<T>, what: &str, view: impl FnOnce(&T) -> Html) -> Html {
    match load {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(message) => html! {
            <p class="banner banner-error">{ format!("The {what} could not be loaded: {message}") }</p>
        },
        Load::Gone { message, .. } => html! { <p class="banner">{ message.clone() }</p> },
        Load::Loaded(value) => view(value),
    }
}

/// Runs command `C` with `request` whenever `deps` change; the page re-renders with the answer.
#[hook]
pub(crate) fn use_command<C, D>(request: C::Request, deps: D) -> UseStateHandle<Load<C::Response>>
where
    C: Command + 'static,
    C::Request: 'static,
    C::Response: 'static,
    D: PartialEq + 'static,
{
    let state = use_state(|| Load::Loading);
    // Every run is numbered: when the deps change faster than the store answers (typing in a
    // search box), only the answer to the newest request is shown.
    let latest = use_mut_ref(|| 0_u64);
    {
        let state = state.clone();
        use_effect_with(deps, move |_| {
            *latest.borrow_mut() += 1;
            let run = *latest.borrow();
            spawn_local(async move {
                let answer = ipc::call::<C>(&request).await;
                if *latest.borrow() != run {
                    return;
                }
                match answer {
                    Ok(response) => state.set(Load::Loaded(Rc::new(response))),
                    Err(error) => state.set(Load::failed(error)),
                }
            });
        });
    }
    state
}

/// The tenant's users by id, for naming owners, team members and authors of changes (empty
/// until loaded, and when the directory has not synced yet).
#[hook]
pub(crate) fn use_user_names() -> std::collections::HashMap<crm_model::UserId, String> {
    let app = use_app();
    let users = use_command::<crm_protocol::ipc::ListUsers, _>((), app.data_version);
    match &*users {
        Load::Loaded(users) => users
            .iter()
            .map(|user| (user.id, user.name.clone()))
            .collect(),
        _ => std::collections::HashMap::new(),
    }
}

/// Today in the user's time zone, from the webview's clock.
pub(crate) fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

/// Calls `on_key` for every key pressed anywhere in the window (Ctrl+K must work with the focus
/// on the page's body, which no component owns).
#[hook]
pub(crate) fn use_document_keydown(on_key: Callback<KeyboardEvent>) {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |event| {
            on_key.emit(event);
        });
        let document = web_sys::window().and_then(|window| window.document());
        if let Some(document) = &document {
            let added = document
                .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            if let Err(error) = added {
                web_sys::console::error_1(&error);
            }
        }
        move || {
            if let Some(document) = &document {
                let removed = document.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
                if let Err(error) = removed {
                    web_sys::console::error_1(&error);
                }
            }
            drop(listener);
        }
    });
}

/// Runs `then` after `milliseconds` (toasts fade away by themselves).
pub(crate) fn after(milliseconds: i32, then: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(then);
    if let Err(error) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        callback.unchecked_ref(),
        milliseconds,
    ) {
        web_sys::console::error_1(&error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_record_is_gone_and_other_errors_fail() {
        let gone = Load::<()>::failed(IpcError::new(ErrorKind::NotFound, "deleted for good"));
        assert_eq!(
            gone,
            Load::Gone {
                message: "deleted for good".into(),
                in_trash: false
            }
        );
        let trashed = Load::<()>::failed(IpcError::new(ErrorKind::InTrash, "in the trash"));
        assert_eq!(
            trashed,
            Load::Gone {
                message: "in the trash".into(),
                in_trash: true
            }
        );
        let broken = Load::<()>::failed(IpcError::new(ErrorKind::Internal, "store"));
        assert_eq!(broken, Load::Failed("store".into()));
    }
}
