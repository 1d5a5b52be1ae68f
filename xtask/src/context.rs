//! Where things are (repository, target dir, tools dir) and how child processes are started:
//! every child gets `CARGO_TARGET_DIR` and a `PATH` that finds the tools installed by `setup`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use anyhow::{Context as _, bail};

pub(crate) struct Context {
    /// The repository (workspace) root.
    pub(crate) root: PathBuf,
    /// Shared by every build; outside the clone so CI runs are incremental.
    pub(crate) target_dir: PathBuf,
    /// `cargo install --root` of wasm-bindgen-cli, tauri-driver and s3s-fs; binaries in `bin/`.
    pub(crate) tools_dir: PathBuf,
    path: OsString,
    is_root: bool,
}

impl Context {
    pub(crate) fn new() -> anyhow::Result<Context> {
        // `cargo run` says where the manifest is at run time. The path compiled in is only a
        // fallback: the shared target dir keeps one xtask binary for every clone, and its
        // compiled-in path is the clone that built it first.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .context("xtask lives one level below the workspace root")?
            .to_path_buf();
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .context("HOME is not set")?;
        let cache = home.join(".cache").join("crm");
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => absolute(&root, PathBuf::from(dir)),
            _ => cache.join("target"),
        };
        let tools_dir = cache.join("tools");
        let mut path_entries = vec![
            tools_dir.join("bin"),
            home.join(".cargo").join("bin"),
            root.join("node_modules").join(".bin"),
        ];
        if let Some(path) = std::env::var_os("PATH") {
            path_entries.extend(std::env::split_paths(&path));
        }
        let path = std::env::join_paths(path_entries).context("building PATH")?;
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0");
        Ok(Context {
            root,
            target_dir,
            tools_dir,
            path,
            is_root,
        })
    }

    /// A command run from the repository root with the shared environment.
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("PATH", &self.path);
        command
    }

    pub(crate) fn cargo(&self, arguments: &[&str]) -> Command {
        let mut command = self.command("cargo");
        command.args(arguments);
        command
    }

    /// A command that needs root: as is when we are root, else through sudo.
    pub(crate) fn privileged(&self, program: &str) -> Command {
        if self.is_root {
            self.command(program)
        } else {
            let mut command = self.command("sudo");
            command.args(["--preserve-env=DEBIAN_FRONTEND", program]);
            command
        }
    }

    /// Finds `program` on the shared `PATH`.
    pub(crate) fn find_program(&self, program: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.path)
            .map(|directory| directory.join(program))
            .find(|candidate| candidate.is_file())
    }

    /// `program arguments...` inside a session bus of its own with an unlocked gnome-keyring, a
    /// real Secret Service: the desktop app's keyring tests run against it (`CRM_TEST_KEYRING`
    /// tells them one is there). Its keyring files go to a fresh directory under the target
    /// dir, never to the user's own keyring.
    pub(crate) fn with_secret_service(&self, program: &str) -> anyhow::Result<Command> {
        let keyring_home = self.target_dir.join("test-keyring");
        if keyring_home.exists() {
            std::fs::remove_dir_all(&keyring_home)
                .with_context(|| format!("clearing {}", keyring_home.display()))?;
        }
        std::fs::create_dir_all(&keyring_home)
            .with_context(|| format!("creating {}", keyring_home.display()))?;
        let mut command = self.command("dbus-run-session");
        command
            .args(["--", "sh", "-c", SECRET_SERVICE_SCRIPT, "sh", program])
            .env("CRM_KEYRING_HOME", &keyring_home)
            .env("CRM_TEST_KEYRING", "1");
        Ok(command)
    }

    /// The debug build of the desktop app.
    pub(crate) fn app_binary(&self) -> PathBuf {
        self.target_dir.join("debug").join("field-crm")
    }
}

fn absolute(root: &Path, path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        path
    } else {
        root.join(path)
    }
}

/// Runs `command` with inherited output and fails unless it exits with 0.
pub(crate) fn execute(command: &mut Command) -> anyhow::Result<()> {
    let status = status(command)?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(command));
    }
    Ok(())
}

pub(crate) fn status(command: &mut Command) -> anyhow::Result<ExitStatus> {
    println!("$ {}", describe(command));
    command
        .status()
        .with_context(|| format!("starting `{}`", describe(command)))
}

/// Runs `command` and returns its standard output, failing unless it exits with 0.
pub(crate) fn output(command: &mut Command) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("starting `{}`", describe(command)))?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            describe(command),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

pub(crate) fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| {
            let text = part.to_string_lossy();
            if text.contains(' ') {
                format!("'{text}'")
            } else {
                text.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a graphical session is available to show the app in.
pub(crate) fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

/// Starts gnome-keyring's Secret Service on the session bus with a new login keyring unlocked
/// by a throwaway password, then runs the command given after it. The daemon's output goes
/// away: it would otherwise hold the test output's pipe open.
const SECRET_SERVICE_SCRIPT: &str = "printf %s crm-test-keyring \
    | XDG_DATA_HOME=\"$CRM_KEYRING_HOME\" gnome-keyring-daemon --unlock --components=secrets \
    >/dev/null 2>&1 && exec \"$@\"";

/// The prefix that gives a command a session bus and a virtual screen. `dbus-run-session`
/// because without a session bus WebKit leaves dbus/at-spi processes behind.
pub(crate) const HEADLESS_PREFIX: &[&str] = &[
    "dbus-run-session",
    "--",
    "xvfb-run",
    "-a",
    "-s",
    "-screen 0 1280x800x24",
];

/// The virtual screen of [`HEADLESS_PREFIX`], for a command that already has a session bus.
pub(crate) const XVFB_RUN: &[&str] = &["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"];
