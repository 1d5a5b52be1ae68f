//! The application shell: the sidebar (navigation, sync indicator, theme), the top bar with the
//! search box, the current page, the command palette (Ctrl/Cmd+K) and the toasts.

use crm_protocol::ipc::GetSyncState;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{CommandPalette, Sidebar, Toasts};
use crate::hooks::{AppContext, today, use_document_keydown};
use crate::ipc;
use crate::route::switch;
use crate::state::{AppAction, AppState, Theme};

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
        use_document_keydown(Callback::from(move |event: KeyboardEvent| {
            let key = event.key();
            if (event.ctrl_key() || event.meta_key()) && key.eq_ignore_ascii_case("k") {
                event.prevent_default();
                dispatch.emit(AppAction::OpenPalette);
            } else if key == "Escape" {
                dispatch.emit(AppAction::ClosePalette);
            }
        }));
    }

    let on_navigate = dispatch.reform(AppAction::Navigate);
    let open_palette = dispatch.reform(|_: MouseEvent| AppAction::OpenPalette);
    let toggle_theme = dispatch.reform(|_: MouseEvent| AppAction::ToggleTheme);
    let on_dismiss = dispatch.reform(AppAction::Dismiss);
    let close_palette = dispatch.reform(|()| AppAction::ClosePalette);
    let shortcut = "Ctrl K";

    html! {
        <ContextProvider<AppContext> {context}>
            <div class="app-shell">
                <Sidebar
                    current={state.route.section()}
                    {on_navigate}
                    sync={state.sync.clone()}
                    theme={state.theme}
                    on_toggle_theme={toggle_theme}
                />
                <div class="main-column">
                    <div class="top-bar">
                        <button type="button" class="search-trigger" onclick={open_palette}
                            data-testid="open-search" aria-keyshortcuts="Control+K">
                            <span aria-hidden="true" class="search-icon">{ "⌕" }</span>
                            <span>{ "Search customers, leads, deals… or type a command" }</span>
                            <kbd>{ shortcut }</kbd>
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
            <Toasts toasts={state.toasts.clone()} {on_dismiss} />
        </ContextProvider<AppContext>>
    }
}
