//! The markdown report: a summary against the budgets, then every case in detail.

use std::time::Duration;

use crate::measure::{Timing, millis};

/// One measured query.
struct CaseLine {
    area: String,
    label: String,
    budget_ms: f64,
    ours: Timing,
    raw: Option<Timing>,
}

/// One summary figure.
pub(crate) struct Line {
    figure: String,
    budget: String,
    measured: String,
    result: &'static str,
}

/// The area of the workflow operations' cases (issue 4's budgets).
pub(crate) const WORKFLOW: &str = "workflow";

pub(crate) struct Report {
    records: usize,
    summary: Vec<Line>,
    cases: Vec<CaseLine>,
    facts: Vec<(String, String)>,
}

pub(crate) fn verdict(pass: bool) -> &'static str {
    if pass { "pass" } else { "**miss**" }
}

impl Report {
    pub(crate) fn new(records: usize) -> Report {
        Report {
            records,
            summary: Vec::new(),
            cases: Vec::new(),
            facts: Vec::new(),
        }
    }

    pub(crate) fn throughput(
        &mut self,
        figure: &str,
        budget: &str,
        records: usize,
        seconds: f64,
        at_least: f64,
    ) {
        let rate = records as f64 / seconds.max(f64::EPSILON);
        self.summary.push(Line {
            figure: figure.to_owned(),
            budget: budget.to_owned(),
            measured: format!(
                "{} records/s ({records} in {seconds:.1} s)",
                thousands(rate)
            ),
            result: verdict(rate >= at_least),
        });
    }

    pub(crate) fn single(&mut self, figure: &str, budget: &str, took: Duration, at_most_ms: f64) {
        self.summary.push(Line {
            figure: figure.to_owned(),
            budget: budget.to_owned(),
            measured: format!("{:.1} ms", millis(took)),
            result: verdict(millis(took) <= at_most_ms),
        });
    }

    pub(crate) fn fact(&mut self, name: &str, value: String) {
        self.facts.push((name.to_owned(), value));
    }

    pub(crate) fn case(
        &mut self,
        area: &str,
        label: &str,
        budget_ms: f64,
        ours: Timing,
        raw: Option<Timing>,
    ) {
        self.cases.push(CaseLine {
            area: area.to_owned(),
            label: label.to_owned(),
            budget_ms,
            ours,
            raw,
        });
    }

    /// The worst p95 of the cases of `areas`, as one summary line.
    fn worst(&self, figure: &str, budget: &str, areas: &[&str], budget_ms: f64) -> Option<Line> {
        let cases: Vec<&CaseLine> = self
            .cases
            .iter()
            .filter(|case| areas.contains(&case.area.as_str()))
            .collect();
        let worst = cases.iter().max_by(|a, b| a.ours.p95.cmp(&b.ours.p95))?;
        let missed = cases
            .iter()
            .filter(|case| millis(case.ours.p95) > budget_ms)
            .count();
        let median = {
            let mut p50s: Vec<Duration> = cases.iter().map(|case| case.ours.p50).collect();
            p50s.sort();
            p50s[p50s.len() / 2]
        };
        Some(Line {
            figure: format!("{figure} ({} cases)", cases.len()),
            budget: budget.to_owned(),
            measured: format!(
                "median p50 {:.2} ms; worst p95 {:.2} ms ({}: {}); {missed} over budget",
                millis(median),
                millis(worst.ours.p95),
                worst.area,
                worst.label
            ),
            result: verdict(missed == 0),
        })
    }

    fn named(&self, figure: &str, budget: &str, label_start: &str) -> Option<Line> {
        let case = self
            .cases
            .iter()
            .find(|case| case.label.starts_with(label_start))?;
        Some(Line {
            figure: figure.to_owned(),
            budget: budget.to_owned(),
            measured: format!(
                "p50 {:.2} ms, p95 {:.2} ms",
                millis(case.ours.p50),
                millis(case.ours.p95)
            ),
            result: verdict(millis(case.ours.p95) <= case.budget_ms),
        })
    }

    pub(crate) fn render(&self) -> String {
        let lists = &[
            "customers",
            "contacts",
            "leads",
            "deals",
            "communications",
            "activities",
        ];
        let mut lines: Vec<Line> = Vec::new();
        let mut summary = self.summary.iter();
        let mut take = |lines: &mut Vec<Line>| {
            if let Some(line) = summary.next() {
                lines.push(Line {
                    figure: line.figure.clone(),
                    budget: line.budget.clone(),
                    measured: line.measured.clone(),
                    result: line.result,
                });
            }
        };
        take(&mut lines); // bulk insert
        take(&mut lines); // open
        lines.extend(self.worst(
            "list page of 50, one filter + sort",
            "p95 ≤ 5 ms",
            lists,
            5.0,
        ));
        lines.extend(self.worst("deep page via cursor", "p95 ≤ 5 ms", &["deep page"], 5.0));
        lines.extend(self.worst(
            "global search, 10 per type",
            "p95 ≤ 10 ms",
            &["search"],
            10.0,
        ));
        lines.extend(self.named("Customer 360, all includes", "p95 ≤ 10 ms", "Customer 360"));
        lines.extend(self.named("customer timeline", "p95 ≤ 10 ms", "customer timeline"));
        lines.extend(self.named("one durable edit", "p95 ≤ 2 ms", "one durable edit"));
        take(&mut lines); // rebuild
        let ratios: Vec<f64> = self
            .cases
            .iter()
            .filter(|case| case.area == "search" || lists.contains(&case.area.as_str()))
            .filter_map(|case| {
                case.raw
                    .map(|raw| millis(case.ours.p50) / millis(raw.p50).max(0.001))
            })
            .collect();
        if !ratios.is_empty() {
            let mut sorted = ratios.clone();
            sorted.sort_by(f64::total_cmp);
            let within = sorted.iter().filter(|ratio| **ratio <= 1.5).count();
            lines.push(Line {
                figure: format!(
                    "ours / raw SQL, lists and search ({} cases, p50 over p50)",
                    sorted.len()
                ),
                budget: "aim ≤ 1.5×".into(),
                measured: format!(
                    "median {:.1}×, worst {:.1}×; {within} of {} within 1.5×",
                    sorted[sorted.len() / 2],
                    sorted[sorted.len() - 1],
                    sorted.len()
                ),
                result: verdict(within == sorted.len()),
            });
        }
        // The workflows' budgets (issue 4), one line each, then any other throughput.
        for case in self.cases.iter().filter(|case| case.area == WORKFLOW) {
            lines.push(Line {
                figure: case.label.clone(),
                budget: format!("p95 ≤ {} ms", case.budget_ms),
                measured: format!(
                    "p50 {:.2} ms, p95 {:.2} ms",
                    millis(case.ours.p50),
                    millis(case.ours.p95)
                ),
                result: verdict(millis(case.ours.p95) <= case.budget_ms),
            });
        }
        for _ in 0..self.summary.len() {
            take(&mut lines);
        }

        let mut text = format!("#### {} records\n\n", thousands(self.records as f64));
        text.push_str("| Figure | Budget | Measured | Result |\n| --- | --- | --- | --- |\n");
        for line in &lines {
            text.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                line.figure, line.budget, line.measured, line.result
            ));
        }
        for (name, value) in &self.facts {
            text.push_str(&format!("| {name} | reported | {value} | |\n"));
        }
        text.push_str("\nEvery case (warm; ms; ratio = our p50 / raw p50):\n\n");
        text.push_str(
            "| Area | Case | p50 | p95 | raw p50 | raw p95 | ours/raw | Budget (p95) | Result |\n",
        );
        text.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for case in &self.cases {
            let (raw50, raw95, ratio) = match case.raw {
                Some(raw) => (
                    format!("{:.2}", millis(raw.p50)),
                    format!("{:.2}", millis(raw.p95)),
                    format!("{:.1}×", millis(case.ours.p50) / millis(raw.p50).max(0.001)),
                ),
                None => ("".into(), "".into(), "".into()),
            };
            text.push_str(&format!(
                "| {} | {} | {:.2} | {:.2} | {raw50} | {raw95} | {ratio} | {} | {} |\n",
                case.area,
                case.label,
                millis(case.ours.p50),
                millis(case.ours.p95),
                case.budget_ms,
                verdict(millis(case.ours.p95) <= case.budget_ms)
            ));
        }
        text
    }
}

/// `12345.6` → `12,346`.
pub(crate) fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        for (value, expected) in [
            (0.0, "0"),
            (999.4, "999"),
            (1_000.0, "1,000"),
            (1_234_567.0, "1,234,567"),
        ] {
            assert_eq!(thousands(value), expected);
        }
    }
}
