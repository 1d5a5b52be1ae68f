//! The README's commands. Each does all the set-up it needs, idempotently, on a fresh Debian 12
//! or Ubuntu machine (as root, or with sudo):
//!
//! - `setup`: system packages, the wasm32 target, the pinned wasm-bindgen CLI, tauri-driver,
//!   s3s-fs (the S3 server of the sync server's tests) and the npm Tauri CLI.
//! - `build-ui`: the Yew UI to `ui/dist` (cargo + wasm-bindgen; no trunk).
//! - `run`: build and start the desktop app (under Xvfb when there is no display).
//! - `serve`: the sync server on an embedded SQLite data directory.
//! - `bundle`: `.deb` and `.rpm` with the Tauri CLI, then check and install the `.deb`.
//! - `test`: formatting, lints, wasm builds, unit/integration/sync tests, the end-to-end test
//!   under Xvfb and the bundle check, with a summary of what ran.

mod app;
mod bundle;
mod context;
mod report;
mod setup;
mod test;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::context::Context;
use crate::report::Steps;

#[derive(Parser)]
#[command(about = "Set up, build, run, test and bundle Field CRM")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install everything the other commands need (idempotent).
    Setup,
    /// Build the UI into ui/dist.
    BuildUi,
    /// Build and start the desktop app.
    Run {
        /// Keep the app's store in this directory instead of the OS app-data directory.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Fill an empty store with a generated demo tenant: `--demo` (about 2,000 records)
        /// or `--demo 100000`.
        #[arg(long, num_args = 0..=1, default_missing_value = "small", value_name = "RECORDS")]
        demo: Option<String>,
    },
    /// Run the sync server with embedded SQLite.
    Serve {
        #[arg(long, default_value = "./data")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
    },
    /// Build the .deb and .rpm bundles, then check and install the .deb.
    Bundle,
    /// Run every check and test; prints a summary and fails on any failure.
    Test,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let context = match Context::new() {
        Ok(context) => context,
        Err(error) => {
            eprintln!("error: {error:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut steps = Steps::default();
    // `test` prints the timings itself, before its summary, which must come last.
    let print_timings = !matches!(cli.command, Task::Test);
    let result = match cli.command {
        Task::Setup => setup::run(&context, &mut steps),
        Task::BuildUi => app::build_ui_with_setup(&context, &mut steps),
        Task::Run { data_dir, demo } => {
            app::run(&context, &mut steps, data_dir.as_deref(), demo.as_deref())
        }
        Task::Serve { data_dir, listen } => app::serve(&context, &mut steps, &data_dir, &listen),
        Task::Bundle => bundle::run(&context, &mut steps),
        Task::Test => test::run(&context, &mut steps),
    };
    if print_timings {
        steps.print_timings();
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
