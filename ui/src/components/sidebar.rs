//! The left navigation: the app's name, one entry per page, the sync indicator and the theme
//! switch.

use crm_protocol::ipc::SyncState;
use yew::prelude::*;

use crate::route::Route;
use crate::state::{Theme, bootstrap_progress};

#[derive(Properties, PartialEq)]
pub(crate) struct SidebarProps {
    pub(crate) current: Route,
    pub(crate) on_navigate: Callback<Route>,
    pub(crate) sync: Option<SyncState>,
    pub(crate) theme: Theme,
    pub(crate) on_toggle_theme: Callback<MouseEvent>,
    /// "Sync now" in the indicator (shown when signed in).
    pub(crate) on_sync_now: Callback<MouseEvent>,
}

/// The indicator's words: what a rep needs to know about their changes.
pub(crate) fn sync_summary(sync: &SyncState) -> (&'static str, String) {
    let pending = match sync.pending_changes {
        0 => "all changes saved on this laptop".to_owned(),
        1 => "1 change waiting to sync".to_owned(),
        count => format!("{count} changes waiting to sync"),
    };
    if let Some(error) = &sync.last_error {
        ("sync-offline", error.clone())
    } else if let Some(progress) = bootstrap_progress(sync).filter(|_| sync.signed_in) {
        ("sync-busy", progress)
    } else if !sync.signed_in {
        ("sync-local", format!("Not signed in · {pending}"))
    } else if sync.syncing {
        ("sync-busy", "Syncing…".to_owned())
    } else if sync.online {
        ("sync-online", format!("Online · {pending}"))
    } else {
        ("sync-offline", format!("Offline · {pending}"))
    }
}

#[component]
pub(crate) fn Sidebar(props: &SidebarProps) -> Html {
    let entries = Route::SECTIONS.iter().map(|route| {
        let route = *route;
        let onclick = props.on_navigate.reform(move |_: MouseEvent| route);
        let active = route == props.current;
        let class = classes!("nav-item", active.then_some("active"));
        html! {
            <li>
                <button type="button" {class} {onclick}
                    aria-current={active.then_some("page")}
                    data-testid={format!("nav-{}", route.slug())}>
                    { route.label() }
                </button>
            </li>
        }
    });
    let sync = props.sync.as_ref().map(|sync| {
        let (class, text) = sync_summary(sync);
        let conflicts = (sync.open_conflicts > 0).then(|| {
            let onclick = props.on_navigate.reform(|_: MouseEvent| Route::Conflicts);
            let label = match sync.open_conflicts {
                1 => "1 conflict".to_owned(),
                count => format!("{count} conflicts"),
            };
            html! {
                <button type="button" class="sync-conflicts" {onclick} data-testid="open-conflicts"
                    title="Open the conflict inbox">{ label }</button>
            }
        });
        let sync_now = sync.signed_in.then(|| {
            html! {
                <button type="button" class="sync-conflicts sync-now" onclick={props.on_sync_now.clone()}
                    disabled={sync.syncing} data-testid="indicator-sync-now"
                    title="Send and fetch changes now">{ "Sync now" }</button>
            }
        });
        html! {
            <div class={classes!("sync-indicator", class)} data-testid="sync-indicator" role="status">
                <span class="sync-dot" aria-hidden="true"></span>
                <span>{ text }</span>
                { for conflicts }
                { for sync_now }
            </div>
        }
    });
    let theme_label = match props.theme {
        Theme::Light => "Dark theme",
        Theme::Dark => "Light theme",
    };
    html! {
        <nav class="sidebar" aria-label="Main">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">{ "F" }</span>
                <span class="brand-name" data-testid="app-name">{ "Field CRM" }</span>
            </div>
            <ul class="nav">{ for entries }</ul>
            <div class="sidebar-footer">
                { for sync }
                <p class="shortcut-hint">{ "Press ? for keyboard shortcuts" }</p>
                <button type="button" class="theme-toggle" onclick={props.on_toggle_theme.clone()}
                    data-testid="theme-toggle">
                    { theme_label }
                </button>
            </div>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indicator_says_what_waits() {
        let local = SyncState {
            pending_changes: 3,
            ..SyncState::default()
        };
        assert_eq!(
            sync_summary(&local),
            (
                "sync-local",
                "Not signed in · 3 changes waiting to sync".to_owned()
            )
        );
        let online = SyncState {
            signed_in: true,
            online: true,
            ..SyncState::default()
        };
        assert_eq!(
            sync_summary(&online).1,
            "Online · all changes saved on this laptop"
        );
        let failing = SyncState {
            signed_in: true,
            last_error: Some("Offline: the sync server cannot be reached.".into()),
            ..SyncState::default()
        };
        assert_eq!(sync_summary(&failing).0, "sync-offline");
        let bootstrapping = SyncState {
            signed_in: true,
            syncing: true,
            bootstrap: Some(crm_protocol::ipc::BootstrapProgress {
                done: 2_000,
                total: 100_000,
            }),
            ..SyncState::default()
        };
        assert_eq!(
            sync_summary(&bootstrapping),
            (
                "sync-busy",
                "Downloading records: 2,000 of 100,000".to_owned()
            )
        );
    }
}
