//! Building the UI and the desktop app, running the app, and running the sync server.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::context::{Context, HEADLESS_PREFIX, execute, has_display};
use crate::report::Steps;
use crate::setup;

/// Files of the UI that are committed as they are and copied next to the generated ones.
const STATIC_FILES: &[&str] = &["index.html", "style.css"];

pub(crate) fn build_ui_with_setup(context: &Context, steps: &mut Steps) -> anyhow::Result<()> {
    setup::run(context, steps)?;
    steps.run("build UI (wasm32 + wasm-bindgen)", || build_ui(context))
}

/// Builds the UI to wasm (release: the webview loads it on every start) and writes `ui/dist`.
/// Files whose content did not change are not rewritten, so the app (which embeds `ui/dist`)
/// is not rebuilt for nothing.
pub(crate) fn build_ui(context: &Context) -> anyhow::Result<()> {
    execute(&mut context.cargo(&[
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "crm-ui",
    ]))?;
    let wasm = context
        .target_dir
        .join("wasm32-unknown-unknown/release/crm-ui.wasm");
    let staging = context.target_dir.join("ui-dist-staging");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("clearing {}", staging.display()))?;
    }
    execute(
        context
            .command(context.tools_dir.join("bin").join("wasm-bindgen"))
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                "ui",
                "--out-dir",
            ])
            .arg(&staging)
            .arg(&wasm),
    )?;
    let ui = context.root.join("ui");
    for file in STATIC_FILES {
        std::fs::copy(ui.join(file), staging.join(file))
            .with_context(|| format!("copying ui/{file}"))?;
    }
    sync_directory(&staging, &ui.join("dist"))
}

/// Makes `destination` hold exactly the files of `source`, touching only what differs.
fn sync_directory(source: &Path, destination: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(destination)
        .with_context(|| format!("creating {}", destination.display()))?;
    let mut wanted = Vec::new();
    for entry in std::fs::read_dir(source)? {
        let entry = entry?;
        let name = entry.file_name();
        let content = std::fs::read(entry.path())?;
        let target = destination.join(&name);
        if std::fs::read(&target).ok().as_deref() != Some(content.as_slice()) {
            std::fs::write(&target, &content)
                .with_context(|| format!("writing {}", target.display()))?;
        }
        wanted.push(name);
    }
    for entry in std::fs::read_dir(destination)? {
        let entry = entry?;
        if !wanted.contains(&entry.file_name()) {
            let path = entry.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
    }
    println!("ui/dist is up to date ({} files)", wanted.len());
    Ok(())
}

/// The debug app; it embeds `ui/dist`, so the UI must be built first.
pub(crate) fn build_app(context: &Context) -> anyhow::Result<()> {
    execute(&mut context.cargo(&["build", "-p", "crm-desktop"]))
}

pub(crate) fn run(
    context: &Context,
    steps: &mut Steps,
    data_dir: Option<&Path>,
    demo: Option<&str>,
) -> anyhow::Result<()> {
    setup::run(context, steps)?;
    steps.run("build UI (wasm32 + wasm-bindgen)", || build_ui(context))?;
    steps.run("build desktop app (debug)", || build_app(context))?;
    let binary = context.app_binary();
    let mut command = if has_display() {
        context.command(&binary)
    } else {
        println!(
            "\nNo display found (DISPLAY and WAYLAND_DISPLAY are unset): starting Field CRM under \
             Xvfb, a virtual 1280x800 screen, inside its own D-Bus session.\n\
             To look at it: `ps -o args= -C Xvfb` shows the display (:N) and its -auth file; then \
             `DISPLAY=:N XAUTHORITY=<auth file> import -window root shot.png`.\n\
             Stop the app with Ctrl-C."
        );
        let mut command = context.command(HEADLESS_PREFIX[0]);
        command.args(&HEADLESS_PREFIX[1..]).arg(&binary);
        command
    };
    if let Some(data_dir) = data_dir {
        command
            .arg("--data-dir")
            .arg(from_invocation_directory(data_dir)?);
    }
    if let Some(size) = demo {
        // The app reads it at start and fills an empty store (src-tauri/src/demo.rs).
        command.env("CRM_DEMO", size);
    }
    steps.run("run desktop app", || execute(&mut command))
}

pub(crate) fn serve(
    context: &Context,
    steps: &mut Steps,
    data_dir: &Path,
    listen: &str,
) -> anyhow::Result<()> {
    let data_dir = from_invocation_directory(data_dir)?;
    let mut command = context.cargo(&["run", "-p", "crm-sync-server", "--", "serve", "--data-dir"]);
    // Development: a device token is generated on first start and printed once (real users are
    // added with `crm-sync-server user add`; see sync-server/README.md).
    command
        .arg(&data_dir)
        .args(["--listen", listen, "--dev-token"]);
    steps.run("run sync server", || execute(&mut command))
}

/// Child processes run from the repository root; paths given on the command line are meant
/// from where the user typed them.
fn from_invocation_directory(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))
}
