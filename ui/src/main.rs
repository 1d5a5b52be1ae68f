//! Field CRM's user interface: a Yew app built to wasm32 and shown in the Tauri webview.
//!
//! Layout:
//! - [`app`]: the shell (sidebar, current route) every page renders inside.
//! - [`route`]: the closed set of pages and the `switch` that renders one.
//! - [`pages`]: one module per route; each owns its state.
//! - [`components`]: pieces shared by pages (fields, header, sidebar, palette, charts, modal).
//! - [`state`]: app and page state as `Reducible` types with an `Action` enum, tested natively.
//! - [`hooks`]: loading a command's answer, the app's context, document-wide keys.
//! - [`format`]: numbers, money and dates as a rep reads them.
//! - [`ipc`]: the only module that talks to the shell.

mod app;
mod components;
mod format;
mod hooks;
mod ipc;
mod pages;
mod route;
mod state;

fn main() {
    if let Some(language) = web_sys::window().and_then(|window| window.navigator().language()) {
        format::set_locale(format::Locale::from_tag(&language));
    }
    yew::Renderer::<app::App>::new().render();
}
