//! `cargo xtask setup`: everything the builds and tests need, installed only when missing, so a
//! second run takes about a second.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};

use crate::context::{Context, execute, output};
use crate::report::Steps;

/// Tauri's Linux build dependencies (webkit2gtk 4.1 and friends), Xvfb and WebKitWebDriver for
/// headless runs and end-to-end tests, ImageMagick's `import` and `xwininfo` for screenshots and
/// window checks, `xdotool` to drive the native file dialogs (GTK, outside the webview
/// WebDriver reaches). `dbus-x11` and `gnome-keyring` give the app a session bus and a Secret
/// Service.
const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libxdo-dev",
    "libdbus-1-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus-x11",
    "gnome-keyring",
    "imagemagick",
    "x11-utils",
    "xdotool",
];

/// Only when `npm` is not on the PATH already (a machine may have a newer Node from elsewhere).
const NODE_PACKAGES: &[&str] = &["nodejs", "npm"];

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const TAURI_DRIVER_VERSION: &str = "2.1.0";
/// An S3-compatible server over a directory, for the sync server's object storage tests.
/// 0.14.1 is the newest that builds on Rust 1.92 to 1.95 (0.15 and later need 1.96).
const S3S_FS_VERSION: &str = "0.14.1";

pub(crate) fn run(context: &Context, steps: &mut Steps) -> anyhow::Result<()> {
    steps.run("setup: system packages", || system_packages(context))?;
    steps.run("setup: wasm32 target", || wasm_target(context))?;
    steps.run("setup: wasm-bindgen CLI", || wasm_bindgen_cli(context))?;
    steps.run("setup: tauri-driver", || {
        cargo_tool(context, "tauri-driver", TAURI_DRIVER_VERSION, &[])
    })?;
    steps.run("setup: s3s-fs for the server's S3 tests", || {
        // Its binary is behind the `binary` feature; the library alone has no `main`.
        cargo_tool(context, "s3s-fs", S3S_FS_VERSION, &["--features", "binary"])
    })?;
    steps.run("setup: npm Tauri CLI", || npm_tools(context))?;
    steps.run("setup: PostgreSQL for the server's tests", || {
        postgres(context)
    })?;
    Ok(())
}

/// The test database when the local server trusts local connections (as this machine's does).
const POSTGRES_TRUST_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// The test database of a server this set-up installed, which asks for a password on TCP.
const POSTGRES_PASSWORD_URL: &str = "postgres://postgres:crm-test@127.0.0.1:5432/postgres";

fn postgres_answers(context: &Context, url: &str) -> bool {
    context.find_program("psql").is_some()
        && crate::context::status(
            context
                .command("psql")
                .args([url, "-qtAc", "SELECT 1"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null()),
        )
        .is_ok_and(|status| status.success())
}

/// The URL the server's PostgreSQL tests use (`CRM_TEST_DATABASE_URL`).
pub(crate) fn postgres_url(context: &Context) -> &'static str {
    if postgres_answers(context, POSTGRES_TRUST_URL) {
        POSTGRES_TRUST_URL
    } else {
        POSTGRES_PASSWORD_URL
    }
}

/// A PostgreSQL server on 127.0.0.1:5432 for the sync server's conformance and scale-out
/// tests: the running one when it answers, else Debian's, installed and started here.
fn postgres(context: &Context) -> anyhow::Result<()> {
    if postgres_answers(context, POSTGRES_TRUST_URL)
        || postgres_answers(context, POSTGRES_PASSWORD_URL)
    {
        println!("PostgreSQL answers on 127.0.0.1:5432");
        return Ok(());
    }
    if context.find_program("pg_ctlcluster").is_none() {
        execute(
            context
                .privileged("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(["install", "-y", "postgresql"]),
        )?;
    }
    let versions = std::fs::read_dir("/etc/postgresql")
        .context("PostgreSQL is installed but has no cluster in /etc/postgresql")?;
    for version in versions.flatten() {
        let version = version.file_name().to_string_lossy().into_owned();
        // "Already running" is a failure exit too; whether it serves is checked below.
        if let Err(error) = crate::context::status(context.privileged("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            &version,
            "main",
            "start",
        ])) {
            println!("could not start the PostgreSQL {version} cluster: {error:#}");
        }
    }
    if postgres_answers(context, POSTGRES_TRUST_URL) {
        return Ok(());
    }
    execute(context.privileged("runuser").args([
        "-u",
        "postgres",
        "--",
        "psql",
        "-qc",
        "ALTER USER postgres PASSWORD 'crm-test'",
    ]))?;
    if !postgres_answers(context, POSTGRES_PASSWORD_URL) {
        bail!("PostgreSQL was started but does not accept connections on 127.0.0.1:5432");
    }
    Ok(())
}

fn system_packages(context: &Context) -> anyhow::Result<()> {
    if context.find_program("dpkg-query").is_none() {
        bail!("this set-up needs Debian or Ubuntu (dpkg and apt-get were not found)");
    }
    let mut wanted: Vec<&str> = APT_PACKAGES.to_vec();
    if context.find_program("npm").is_none() {
        wanted.extend_from_slice(NODE_PACKAGES);
    }
    let missing: Vec<&str> = wanted
        .into_iter()
        .filter(|package| !is_installed(context, package))
        .collect();
    if missing.is_empty() {
        println!("all {} system packages are installed", APT_PACKAGES.len());
        return Ok(());
    }
    println!("installing system packages: {}", missing.join(" "));
    execute(
        context
            .privileged("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .arg("update"),
    )?;
    execute(
        context
            .privileged("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing),
    )
}

fn is_installed(context: &Context, package: &str) -> bool {
    let mut query = context.command("dpkg-query");
    query.args(["-W", "-f=${Status}", package]);
    output(&mut query).is_ok_and(|status| status.trim() == "install ok installed")
}

fn wasm_target(context: &Context) -> anyhow::Result<()> {
    let installed = output(
        context
            .command("rustup")
            .args(["target", "list", "--installed"]),
    )
    .context("rustup is needed (https://rustup.rs) to add the wasm32 target")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("{WASM_TARGET} is installed");
        return Ok(());
    }
    execute(
        context
            .command("rustup")
            .args(["target", "add", WASM_TARGET]),
    )
}

/// The CLI must be exactly the version of the `wasm-bindgen` crate in Cargo.lock: the two
/// generate and read the same glue.
fn wasm_bindgen_cli(context: &Context) -> anyhow::Result<()> {
    let lock =
        std::fs::read_to_string(context.root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let version = locked_version(&lock, "wasm-bindgen")
        .context("Cargo.lock names no wasm-bindgen; is the ui crate in the workspace?")?;
    let binary = context.tools_dir.join("bin").join("wasm-bindgen");
    let current = output(context.command(&binary).arg("--version")).unwrap_or_default();
    if current.trim() == format!("wasm-bindgen {version}") {
        println!("wasm-bindgen {version} is installed");
        return Ok(());
    }
    // Without --locked: with it, the CLI's own lock file fails to resolve here.
    cargo_install(context, "wasm-bindgen-cli", &version, false, &[])
}

/// `cargo install --locked` of `krate` (whose binary has the same name) at `version`, unless
/// the tools dir has that version already.
fn cargo_tool(
    context: &Context,
    krate: &str,
    version: &str,
    extra_arguments: &[&str],
) -> anyhow::Result<()> {
    let binary = context.tools_dir.join("bin").join(krate);
    let installed = installed_crates(context)?;
    if binary.is_file() && installed.get(krate).map(String::as_str) == Some(version) {
        println!("{krate} {version} is installed");
        return Ok(());
    }
    cargo_install(context, krate, version, true, extra_arguments)
}

fn cargo_install(
    context: &Context,
    krate: &str,
    version: &str,
    locked: bool,
    extra_arguments: &[&str],
) -> anyhow::Result<()> {
    let mut command = context.cargo(&["install", krate, "--version", version, "--root"]);
    command.arg(&context.tools_dir).args(extra_arguments);
    if locked {
        command.arg("--locked");
    }
    // A separate target dir: installing must not invalidate the workspace's build cache.
    command.env("CARGO_TARGET_DIR", context.tools_dir.join("target"));
    execute(&mut command)
}

/// `cargo install --list` of the tools root: crate name to version.
fn installed_crates(context: &Context) -> anyhow::Result<BTreeMap<String, String>> {
    let mut command = context.cargo(&["install", "--list", "--root"]);
    command.arg(&context.tools_dir);
    let listing = output(&mut command)?;
    Ok(listing
        .lines()
        .filter(|line| !line.starts_with(char::is_whitespace))
        .filter_map(|line| {
            let (name, version) = line.trim_end_matches(':').split_once(' ')?;
            Some((name.to_owned(), version.trim_start_matches('v').to_owned()))
        })
        .collect())
}

/// `npm ci` when `node_modules` is missing or older than `package-lock.json`.
/// The Tauri CLI at the exact version `package.json` pins. No lock file: npm's lock records
/// the CLI's prebuilt binary for every platform, and this registry serves only some of them, so
/// `npm ci` refuses a lock made here; the pin in `package.json` is exact instead.
fn npm_tools(context: &Context) -> anyhow::Result<()> {
    let manifest = std::fs::read_to_string(context.root.join("package.json"))
        .context("reading package.json")?;
    let pinned = manifest
        .lines()
        .find_map(|line| line.trim().strip_prefix("\"@tauri-apps/cli\": \""))
        .and_then(|rest| rest.split('"').next())
        .context("package.json does not pin @tauri-apps/cli")?
        .to_owned();
    let cli = context.root.join("node_modules").join(".bin").join("tauri");
    if cli.is_file() {
        let version = output(context.command(&cli).arg("--version")).unwrap_or_default();
        if version.split_whitespace().last() == Some(pinned.as_str()) {
            println!("Tauri CLI {pinned} is installed");
            return Ok(());
        }
    }
    execute(context.command("npm").args([
        "install",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
    ]))
}

/// The version of `package` in a Cargo.lock (the first, if several are locked).
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    let name_line = format!("name = \"{package}\"");
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            let version = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_the_lock_file() {
        let lock = r#"
[[package]]
name = "wasm-bindgen-futures"
version = "0.4.80"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(lock, "wasm-bindgen-futures").as_deref(),
            Some("0.4.80")
        );
        assert_eq!(locked_version(lock, "yew"), None);
    }
}
