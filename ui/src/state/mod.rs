//! Page state as `Reducible` values: every change is an `Action`, so the reducers are plain
//! functions tested natively, without a browser.

mod account;
mod app;
mod customers;
mod pipeline;

pub(crate) use account::{
    SignInAction, SignInField, SignInForm, bootstrap_progress, last_sync, needs_first_sync,
    offline_banner,
};
pub(crate) use app::{AppAction, AppState, Theme, Toast, ToastKind};
pub(crate) use customers::{CustomerForm, CustomersAction, CustomersState, FormField, ListState};
pub(crate) use pipeline::{Board, BoardAction, card_markers};
