//! `cargo xtask test`: every check and test of the project, in the order CI needs them, with a
//! summary of how many tests of each kind ran. Fails on the first failing step.

use anyhow::ensure;

use crate::app::{build_app, build_ui};
use crate::bundle;
use crate::context::{Context, XVFB_RUN, execute};
use crate::report::{Classify, Count, Steps, TestCounts, TestKind, run_tests};
use crate::setup;

pub(crate) fn run(context: &Context, steps: &mut Steps) -> anyhow::Result<()> {
    let mut counts = TestCounts::default();
    let result = run_all(context, steps, &mut counts);
    steps.print_timings();
    println!("\n{}", counts.summary());
    result
}

fn run_all(context: &Context, steps: &mut Steps, counts: &mut TestCounts) -> anyhow::Result<()> {
    setup::run(context, steps)?;
    // First: the app embeds ui/dist, and clippy compiles the app.
    steps.run("build UI (wasm32 + wasm-bindgen)", || build_ui(context))?;
    steps.run("cargo fmt --check", || {
        execute(&mut context.cargo(&["fmt", "--all", "--check"]))
    })?;
    steps.run("cargo clippy (workspace, all targets, -D warnings)", || {
        execute(&mut context.cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.run("wasm32 build of model, protocol and ui", || {
        execute(&mut context.cargo(&[
            "build",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "crm-model",
            "-p",
            "crm-protocol",
            "-p",
            "crm-ui",
        ]))
    })?;
    steps.run("unit, integration, sync and keyring tests", || {
        // Inside a session bus with gnome-keyring: the app's keyring tests use the real
        // Secret Service (without one they only check the "no keyring" path).
        let mut command = context.with_secret_service("cargo")?;
        command.args(["test", "--workspace", "--exclude", "crm-e2e"]);
        if std::env::var_os("CRM_TEST_DATABASE_URL").is_none() {
            command.env("CRM_TEST_DATABASE_URL", setup::postgres_url(context));
        }
        // The sync server's S3 tests run their object store from it.
        command.env("CRM_S3S_FS", context.tools_dir.join("bin").join("s3s-fs"));
        run_tests(&mut command, Classify::BySource, counts)?;
        ensure!(counts.get(TestKind::Unit).passed > 0, "no unit tests ran");
        Ok(())
    })?;
    steps.run("build desktop app (debug)", || build_app(context))?;
    steps.run("build end-to-end test", || {
        execute(&mut context.cargo(&["test", "-p", "crm-e2e", "--no-run"]))
    })?;
    steps.run(
        "end-to-end test (tauri-driver + WebKitWebDriver, Xvfb)",
        || {
            // A session bus with an unlocked Secret Service (the sync test keeps the app's
            // token in it across restarts; a locked one would open an unlock dialog), and a
            // virtual screen.
            let mut command = context.with_secret_service(XVFB_RUN[0])?;
            command
                .args(&XVFB_RUN[1..])
                .args([
                    "cargo",
                    "test",
                    "-p",
                    "crm-e2e",
                    "--tests",
                    "--",
                    "--test-threads=1",
                ])
                .env("CRM_APP_BINARY", context.app_binary())
                .env(
                    "TAURI_DRIVER",
                    context.tools_dir.join("bin").join("tauri-driver"),
                );
            run_tests(&mut command, Classify::All(TestKind::EndToEnd), counts)?;
            ensure!(
                counts.get(TestKind::EndToEnd).passed > 0,
                "no end-to-end test ran"
            );
            println!(
                "screenshots: {}",
                context.target_dir.join("e2e-screenshots").display()
            );
            Ok(())
        },
    )?;
    let checks = bundle::build_and_check(context, steps)?;
    counts.add(
        TestKind::Bundle,
        Count {
            passed: checks,
            failed: 0,
            ignored: 0,
        },
    );
    Ok(())
}
