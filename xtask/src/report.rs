//! What ran and how long it took: named steps with their durations, and test counts by kind read
//! from cargo's test output.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::context::describe;

/// The named steps of one command, timed.
#[derive(Default)]
pub(crate) struct Steps {
    records: Vec<(String, Duration, bool)>,
}

impl Steps {
    /// Runs one step, printing its name before and its duration after.
    pub(crate) fn run<T>(
        &mut self,
        name: &str,
        step: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        println!("\n==> {name}");
        let started = Instant::now();
        let result = step();
        let duration = started.elapsed();
        let verdict = if result.is_ok() { "ok" } else { "FAILED" };
        println!("<== {name}: {verdict} in {}", Seconds(duration));
        self.records
            .push((name.to_owned(), duration, result.is_ok()));
        result.with_context(|| format!("step `{name}` failed"))
    }

    pub(crate) fn print_timings(&self) {
        if self.records.is_empty() {
            return;
        }
        println!("\nSteps");
        let mut total = Duration::ZERO;
        for (name, duration, ok) in &self.records {
            let verdict = if *ok { "ok" } else { "FAILED" };
            println!(
                "  {name:<44} {verdict:<7} {:>9}",
                Seconds(*duration).to_string()
            );
            total += *duration;
        }
        println!(
            "  {:<44} {:<7} {:>9}",
            "total",
            "",
            Seconds(total).to_string()
        );
    }
}

struct Seconds(Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.as_secs_f64();
        if seconds >= 60.0 {
            write!(f, "{}m{:04.1}s", (seconds / 60.0).floor(), seconds % 60.0)
        } else {
            write!(f, "{seconds:.1}s")
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TestKind {
    /// `#[test]`s inside a library or binary.
    Unit,
    Doc,
    /// A `tests/*.rs` target.
    Integration,
    /// A `tests/*.rs` target whose file name contains "sync": client stores against the server.
    Sync,
    EndToEnd,
    /// The checks of the built `.deb`.
    Bundle,
}

impl TestKind {
    fn label(self) -> &'static str {
        match self {
            TestKind::Unit => "unit",
            TestKind::Doc => "doc",
            TestKind::Integration => "integration",
            TestKind::Sync => "sync",
            TestKind::EndToEnd => "end-to-end",
            TestKind::Bundle => "bundle",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Count {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
}

#[derive(Debug, Default)]
pub(crate) struct TestCounts {
    by_kind: BTreeMap<TestKind, Count>,
}

impl TestCounts {
    pub(crate) fn add(&mut self, kind: TestKind, count: Count) {
        let entry = self.by_kind.entry(kind).or_default();
        entry.passed += count.passed;
        entry.failed += count.failed;
        entry.ignored += count.ignored;
    }

    pub(crate) fn get(&self, kind: TestKind) -> Count {
        self.by_kind.get(&kind).copied().unwrap_or_default()
    }

    fn total(&self) -> Count {
        let mut total = Count::default();
        for count in self.by_kind.values() {
            total.passed += count.passed;
            total.failed += count.failed;
            total.ignored += count.ignored;
        }
        total
    }

    /// The table of tests by kind, ending with the line `N passed, M failed`.
    pub(crate) fn summary(&self) -> String {
        let mut lines = vec![
            "Tests".to_owned(),
            format!(
                "  {:<14}{:>6}{:>8}{:>8}{:>9}",
                "kind", "ran", "passed", "failed", "ignored"
            ),
        ];
        for (kind, count) in &self.by_kind {
            lines.push(format!(
                "  {:<14}{:>6}{:>8}{:>8}{:>9}",
                kind.label(),
                count.passed + count.failed,
                count.passed,
                count.failed,
                count.ignored
            ));
        }
        let total = self.total();
        lines.push(format!("{} passed, {} failed", total.passed, total.failed));
        lines.join("\n")
    }
}

/// How the test binaries of one cargo run are counted: by cargo's `Running <source> (<binary>)`
/// line, as unit, doc, integration or sync, except the binaries known to be end-to-end tests.
#[derive(Debug, Default)]
pub(crate) struct Classify {
    end_to_end: BTreeSet<PathBuf>,
}

impl Classify {
    pub(crate) fn with_end_to_end(binaries: BTreeSet<PathBuf>) -> Classify {
        Classify {
            end_to_end: binaries,
        }
    }

    /// By the binary's file name (`tour-0123…`, unique by its hash): cargo prints the path
    /// relative to the current directory when the target dir is inside it.
    fn kind_of(&self, running: &str) -> TestKind {
        let binary = running
            .strip_suffix(')')
            .and_then(|rest| rest.rsplit_once(" ("))
            .and_then(|(_, binary)| Path::new(binary).file_name());
        let end_to_end = binary.is_some_and(|name| {
            self.end_to_end
                .iter()
                .any(|known| known.file_name() == Some(name))
        });
        if end_to_end {
            TestKind::EndToEnd
        } else {
            kind_of_source(running)
        }
    }
}

/// Reads cargo's test output line by line and attributes each `test result:` line.
pub(crate) struct TestOutput<'a> {
    classify: &'a Classify,
    current: Option<TestKind>,
}

impl TestOutput<'_> {
    pub(crate) fn new(classify: &Classify) -> TestOutput<'_> {
        TestOutput {
            classify,
            current: None,
        }
    }

    pub(crate) fn line(&mut self, line: &str, counts: &mut TestCounts) {
        let line = line.trim();
        if let Some(running) = line.strip_prefix("Running ") {
            self.current = Some(self.classify.kind_of(running));
        } else if line.starts_with("Doc-tests ") {
            self.current = Some(TestKind::Doc);
        } else if let Some(count) = parse_result(line) {
            counts.add(self.current.unwrap_or(TestKind::Unit), count);
        }
    }
}

/// `unittests src/lib.rs (…)` is a unit test binary; `tests/sync.rs (…)` an integration target.
fn kind_of_source(source: &str) -> TestKind {
    if source.starts_with("unittests ") {
        return TestKind::Unit;
    }
    let file = source.split_whitespace().next().unwrap_or(source);
    let name = file.rsplit('/').next().unwrap_or(file);
    if name.contains("sync") {
        TestKind::Sync
    } else {
        TestKind::Integration
    }
}

/// `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in …`
fn parse_result(line: &str) -> Option<Count> {
    let rest = line.strip_prefix("test result: ")?;
    let (_, numbers) = rest.split_once(". ")?;
    let mut count = Count::default();
    for part in numbers.split(';') {
        let mut words = part.split_whitespace();
        let (Some(number), Some(label)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(number) = number.parse::<u64>() else {
            continue;
        };
        match label {
            "passed" => count.passed = number,
            "failed" => count.failed = number,
            "ignored" => count.ignored = number,
            _ => {}
        }
    }
    Some(count)
}

/// Runs a `cargo test` command, echoing its output (stdout and stderr through one pipe, so the
/// `Running` lines stay in order with the results) and adding its results to `counts`.
pub(crate) fn run_tests(
    command: &mut Command,
    classify: &Classify,
    counts: &mut TestCounts,
) -> anyhow::Result<()> {
    println!("$ {}", describe(command));
    let (reader, writer) = std::io::pipe().context("creating a pipe")?;
    command
        .stdout(writer.try_clone().context("duplicating a pipe")?)
        .stderr(writer);
    let spawned = command.spawn();
    // The command holds the pipe's write end until its stdio is replaced; without this the
    // reader would never see the end of the output.
    command.stdout(Stdio::inherit()).stderr(Stdio::inherit());
    let mut child = spawned.with_context(|| format!("starting `{}`", describe(command)))?;
    let mut output = TestOutput::new(classify);
    let mut reader = BufReader::new(reader);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .context("reading test output")?;
        if read == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buffer);
        print!("{line}");
        output.line(&line, counts);
    }
    let status = child.wait().context("waiting for the tests")?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(command));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(classify: &Classify, output: &str, expected: &[(TestKind, u64, u64)]) {
        let mut counts = TestCounts::default();
        let mut parser = TestOutput::new(classify);
        for line in output.lines() {
            parser.line(line, &mut counts);
        }
        let actual: Vec<(TestKind, u64, u64)> = counts
            .by_kind
            .iter()
            .map(|(kind, count)| (*kind, count.passed, count.failed))
            .collect();
        assert_eq!(actual, expected);
    }

    const WORKSPACE_RUN: &str = "
     Running unittests src/lib.rs (/root/.cache/crm/target/debug/deps/crm_core-0123)
test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.20s
     Running tests/store.rs (/root/.cache/crm/target/debug/deps/store-4567)
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.01s
     Running tests/sync.rs (/root/.cache/crm/target/debug/deps/sync-89ab)
test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 2.00s
     Running unittests src/main.rs (/root/.cache/crm/target/debug/deps/field_crm-cdef)
test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s
   Doc-tests crm_model
test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.50s
";

    #[test]
    fn results_are_counted_by_the_kind_of_their_binary() {
        check(
            &Classify::default(),
            WORKSPACE_RUN,
            &[
                (TestKind::Unit, 9, 0),
                (TestKind::Doc, 1, 0),
                (TestKind::Integration, 3, 0),
                (TestKind::Sync, 1, 1),
            ],
        );
        // The end-to-end `tests/sync.rs` is told from the sync server's by its binary.
        let end_to_end = Classify::with_end_to_end(BTreeSet::from([PathBuf::from(
            "/root/.cache/crm/target/debug/deps/sync-89ab",
        )]));
        check(
            &end_to_end,
            WORKSPACE_RUN,
            &[
                (TestKind::Unit, 9, 0),
                (TestKind::Doc, 1, 0),
                (TestKind::Integration, 3, 0),
                (TestKind::EndToEnd, 1, 1),
            ],
        );
        // A target dir inside the current directory: cargo prints the binary's path relative.
        check(
            &end_to_end,
            "     Running tests/sync.rs (target/debug/deps/sync-89ab)
test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.00s",
            &[(TestKind::EndToEnd, 2, 0)],
        );
        check(
            &Classify::default(),
            "test result: ok. no numbers here",
            &[(TestKind::Unit, 0, 0)],
        );
        check(&Classify::default(), "running 3 tests\ntest a ... ok", &[]);
    }

    #[test]
    fn the_summary_ends_with_the_totals() {
        let mut counts = TestCounts::default();
        counts.add(
            TestKind::Unit,
            Count {
                passed: 5,
                failed: 0,
                ignored: 1,
            },
        );
        counts.add(
            TestKind::EndToEnd,
            Count {
                passed: 1,
                failed: 0,
                ignored: 0,
            },
        );
        let summary = counts.summary();
        assert_eq!(summary.lines().last(), Some("6 passed, 0 failed"));
        assert!(
            summary.contains("  unit               5       5       0        1"),
            "{summary}"
        );
    }
}
