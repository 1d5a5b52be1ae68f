//! `cargo xtask test`: every check and test of the project, in the order CI needs them, with a
//! summary of how many tests of each kind ran. Fails on the first failing step.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context as _, ensure};

use crate::app::build_ui;
use crate::bundle;
use crate::context::{Context, XVFB_RUN, describe, execute};
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
    // One build of everything, then one `cargo test`: cargo resolves the features of shared
    // dependencies per selection of packages, so `-p crm-desktop` or `-p crm-e2e` alone would
    // each rebuild about 150 crates already built for the workspace.
    let end_to_end = steps.run("build workspace (bins, tests, examples; debug)", || {
        build_workspace(context)
    })?;
    ensure!(
        !end_to_end.is_empty(),
        "the build named no end-to-end test binary (e2e/tests/*.rs)"
    );
    steps.run(
        "tests: unit, doc, integration, sync, keyring, end-to-end (Xvfb)",
        || {
            // A session bus with an unlocked Secret Service (the app's keyring tests use the
            // real one, and the sync end-to-end test keeps the app's token in it across
            // restarts; a locked one would open an unlock dialog), and a virtual screen.
            let mut command = context.with_secret_service(XVFB_RUN[0])?;
            command
                .args(&XVFB_RUN[1..])
                .args(["cargo", "test", "--workspace"])
                .env("CRM_APP_BINARY", context.app_binary())
                .env(
                    "TAURI_DRIVER",
                    context.tools_dir.join("bin").join("tauri-driver"),
                )
                // The sync server's S3 tests run their object store from it.
                .env("CRM_S3S_FS", context.tools_dir.join("bin").join("s3s-fs"));
            if std::env::var_os("CRM_TEST_DATABASE_URL").is_none() {
                command.env("CRM_TEST_DATABASE_URL", setup::postgres_url(context));
            }
            run_tests(&mut command, &Classify::with_end_to_end(end_to_end), counts)?;
            ensure!(counts.get(TestKind::Unit).passed > 0, "no unit tests ran");
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

/// Builds every binary, test and example of the workspace (the debug app among them) and
/// returns the paths of the end-to-end test binaries, read from cargo's JSON messages.
fn build_workspace(context: &Context) -> anyhow::Result<BTreeSet<PathBuf>> {
    let mut command = context.cargo(&[
        "build",
        "--workspace",
        "--bins",
        "--tests",
        "--examples",
        "--message-format=json-render-diagnostics",
    ]);
    println!("$ {}", describe(&command));
    // Diagnostics are rendered on stderr, which stays the terminal's; stdout is JSON.
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("starting `{}`", describe(&command)))?;
    ensure!(
        output.status.success(),
        "`{}` failed ({})",
        describe(&command),
        output.status
    );
    let tests_dir = context.root.join("e2e").join("tests");
    let mut binaries = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if let Some(binary) = end_to_end_binary(line, &tests_dir) {
            binaries.insert(binary);
        }
    }
    Ok(binaries)
}

/// The executable of a `compiler-artifact` message whose target is a test under `tests_dir`.
fn end_to_end_binary(message: &str, tests_dir: &Path) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(message).ok()?;
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    let source = Path::new(message.get("target")?.get("src_path")?.as_str()?);
    let executable = message.get("executable")?.as_str()?;
    source
        .starts_with(tests_dir)
        .then(|| PathBuf::from(executable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_to_end_binaries_are_the_executables_of_e2e_tests() {
        let tests_dir = Path::new("/repo/e2e/tests");
        let tour = r#"{"reason":"compiler-artifact","package_id":"path+file:///repo/e2e#crm-e2e@0.1.0","target":{"kind":["test"],"name":"tour","src_path":"/repo/e2e/tests/tour.rs"},"profile":{"test":true},"executable":"/t/debug/deps/tour-0123","fresh":true}"#;
        assert_eq!(
            end_to_end_binary(tour, tests_dir),
            Some(PathBuf::from("/t/debug/deps/tour-0123"))
        );
        let library = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"crm_e2e","src_path":"/repo/e2e/src/lib.rs"},"executable":null}"#;
        assert_eq!(end_to_end_binary(library, tests_dir), None);
        let store = r#"{"reason":"compiler-artifact","target":{"kind":["test"],"name":"store","src_path":"/repo/crates/core/tests/store.rs"},"executable":"/t/debug/deps/store-4567"}"#;
        assert_eq!(end_to_end_binary(store, tests_dir), None);
        let finished = r#"{"reason":"build-finished","success":true}"#;
        assert_eq!(end_to_end_binary(finished, tests_dir), None);
        assert_eq!(end_to_end_binary("not json", tests_dir), None);
    }
}
