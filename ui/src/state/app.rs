//! The app-wide state: the current page and the way back, toasts, the theme, the command
//! palette, and a version that pages reload on when data changed behind their back.

use std::rc::Rc;

use crm_protocol::ipc::SyncState;
use yew::Reducible;

use crate::route::Route;

/// Light or dark: a `data-theme` attribute on the document that the stylesheet's variables
/// follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Theme> {
        match text {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    pub(crate) fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ToastKind {
    Success,
    Error,
    /// An activity's reminder: stays until closed, with a way to the activities.
    Reminder,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Toast {
    pub(crate) id: u32,
    pub(crate) kind: ToastKind,
    pub(crate) message: String,
}

/// At most this many toasts at once; older ones make room.
const MAX_TOASTS: usize = 4;

#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct AppState {
    pub(crate) route: Route,
    /// Where "Back" goes, most recent last.
    pub(crate) history: Vec<Route>,
    pub(crate) toasts: Vec<Toast>,
    next_toast: u32,
    pub(crate) theme: Theme,
    pub(crate) palette_open: bool,
    /// The keyboard shortcuts overlay.
    pub(crate) help_open: bool,
    /// Bumped when data changed everywhere (demo data loaded, records pulled from the sync
    /// server); every open page reloads.
    pub(crate) data_version: u32,
    pub(crate) sync: Option<SyncState>,
}

impl AppState {
    pub(crate) fn with_theme(theme: Theme) -> AppState {
        AppState {
            theme,
            ..AppState::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AppAction {
    Navigate(Route),
    Back,
    Toast(ToastKind, String),
    Dismiss(u32),
    ToggleTheme,
    OpenPalette,
    /// Escape: closes the palette and the help overlay.
    CloseOverlays,
    ToggleHelp,
    DataChanged,
    SyncLoaded(SyncState),
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            AppAction::Navigate(route) => {
                if route != next.route {
                    let previous = std::mem::replace(&mut next.route, route);
                    next.history.push(previous);
                }
                next.palette_open = false;
                next.help_open = false;
            }
            AppAction::Back => {
                if let Some(previous) = next.history.pop() {
                    next.route = previous;
                }
            }
            AppAction::Toast(kind, message) => {
                next.next_toast += 1;
                next.toasts.push(Toast {
                    id: next.next_toast,
                    kind,
                    message,
                });
                let excess = next.toasts.len().saturating_sub(MAX_TOASTS);
                next.toasts.drain(..excess);
            }
            AppAction::Dismiss(id) => next.toasts.retain(|toast| toast.id != id),
            AppAction::ToggleTheme => next.theme = next.theme.other(),
            AppAction::OpenPalette => {
                next.palette_open = true;
                next.help_open = false;
            }
            AppAction::CloseOverlays => {
                next.palette_open = false;
                next.help_open = false;
            }
            AppAction::ToggleHelp => next.help_open = !next.help_open,
            AppAction::DataChanged => next.data_version += 1,
            AppAction::SyncLoaded(sync) => {
                // An older state can arrive after a newer one (an answer and an event race).
                if next
                    .sync
                    .as_ref()
                    .is_none_or(|current| sync.revision >= current.revision)
                {
                    next.sync = Some(sync);
                }
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(actions: Vec<AppAction>) -> AppState {
        actions
            .into_iter()
            .fold(Rc::new(AppState::default()), |state, action| {
                state.reduce(action)
            })
            .as_ref()
            .clone()
    }

    #[test]
    fn navigation_remembers_the_way_back() {
        let state = run(vec![
            AppAction::Navigate(Route::Customers),
            AppAction::Navigate(Route::Pipeline),
            AppAction::Navigate(Route::Pipeline),
            AppAction::Back,
        ]);
        assert_eq!(state.route, Route::Customers);
        assert_eq!(state.history, vec![Route::Dashboard]);
        let state = run(vec![AppAction::Back]);
        assert_eq!(state.route, Route::Dashboard, "back with no history stays");
    }

    #[test]
    fn navigating_closes_the_palette() {
        let state = run(vec![
            AppAction::OpenPalette,
            AppAction::Navigate(Route::Leads),
        ]);
        assert!(!state.palette_open);
        assert_eq!(state.route, Route::Leads);
    }

    #[test]
    fn escape_closes_the_overlays_and_the_palette_replaces_help() {
        let state = run(vec![AppAction::ToggleHelp]);
        assert!(state.help_open);
        let state = run(vec![AppAction::ToggleHelp, AppAction::OpenPalette]);
        assert!(state.palette_open && !state.help_open);
        let state = run(vec![AppAction::OpenPalette, AppAction::CloseOverlays]);
        assert!(!state.palette_open && !state.help_open);
    }

    #[test]
    fn toasts_get_ids_keep_the_newest_and_dismiss_by_id() {
        let mut actions: Vec<AppAction> = (1..=6)
            .map(|n| AppAction::Toast(ToastKind::Error, format!("failure {n}")))
            .collect();
        actions.push(AppAction::Dismiss(5));
        let state = run(actions);
        let messages: Vec<&str> = state.toasts.iter().map(|t| t.message.as_str()).collect();
        assert_eq!(messages, ["failure 3", "failure 4", "failure 6"]);
        assert_eq!(state.toasts[2].id, 6);
    }

    #[test]
    fn theme_toggles_and_data_changes_bump_the_version() {
        let state = run(vec![
            AppAction::ToggleTheme,
            AppAction::DataChanged,
            AppAction::DataChanged,
        ]);
        assert_eq!(state.theme, Theme::Dark);
        assert_eq!(state.data_version, 2);
        assert_eq!(Theme::parse(Theme::Dark.as_str()), Some(Theme::Dark));
        assert_eq!(Theme::parse("sepia"), None);
    }

    #[test]
    fn the_newest_sync_state_wins_whatever_order_they_arrive_in() {
        let bootstrapping = SyncState {
            revision: 3,
            signed_in: true,
            syncing: true,
            ..SyncState::default()
        };
        let online = SyncState {
            revision: 4,
            syncing: false,
            online: true,
            ..bootstrapping.clone()
        };
        let state = run(vec![
            AppAction::SyncLoaded(online.clone()),
            AppAction::SyncLoaded(bootstrapping.clone()),
        ]);
        assert_eq!(
            state.sync,
            Some(online.clone()),
            "the late older answer is ignored"
        );
        let state = run(vec![
            AppAction::SyncLoaded(bootstrapping),
            AppAction::SyncLoaded(online.clone()),
        ]);
        assert_eq!(state.sync, Some(online));
    }
}
