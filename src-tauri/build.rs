//! Reads `tauri.conf.json` (a link to the one at the repository root), checks the capabilities
//! and generates the context the app embeds, including the built UI from `ui/dist`.

fn main() {
    tauri_build::build();
}
