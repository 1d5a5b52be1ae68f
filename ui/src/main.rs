//! Field CRM's user interface: a Yew app built to wasm32 and shown in the Tauri webview.
//!
//! Layout:
//! - [`app`]: the shell (sidebar, current route) every page renders inside.
//! - [`route`]: the closed set of pages and the `switch` that renders one.
//! - [`pages`]: one module per route; each owns its state.
//! - [`components`]: presentational pieces shared by pages (fields, header, sidebar).
//! - [`state`]: the pages' state as `Reducible` types with an `Action` enum, tested natively.
//! - [`ipc`]: the only module that talks to the shell.

mod app;
mod components;
mod ipc;
mod pages;
mod route;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
