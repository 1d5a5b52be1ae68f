//! Dashboard and report results (spec §2.7, §3.2, §3.8). Amounts are summed across deals in
//! the tenant's currency (`currency`); a tenant selling in several currencies sees each
//! currency's deals summed as-is (conversion rates are not part of this app).

use chrono::NaiveDate;
use crm_model::{Amount, Customer, Lead};
use serde::{Deserialize, Serialize};

/// A closed range of days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// The range of the same length just before this one, for trends.
    pub fn previous(&self) -> DateRange {
        let days = (self.to - self.from).num_days() + 1;
        DateRange {
            from: self.from - chrono::Duration::days(days),
            to: self.from - chrono::Duration::days(1),
        }
    }
}

/// How customers are grouped for "revenue by segment".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Segment {
    CompanySize,
    Industry,
    Category,
}

impl Segment {
    pub const ALL: [Segment; 3] = [Segment::CompanySize, Segment::Industry, Segment::Category];

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::CompanySize => "companySize",
            Segment::Industry => "industry",
            Segment::Category => "category",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Segment::CompanySize => "Company size",
            Segment::Industry => "Industry",
            Segment::Category => "Category",
        }
    }

    pub fn parse(text: &str) -> Option<Segment> {
        Segment::ALL
            .into_iter()
            .find(|segment| segment.as_str() == text)
    }
}

/// The dashboard's numbers in the spec's JSON shape, plus the same for the previous period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardStats {
    pub customers: CustomerStats,
    pub leads: LeadStats,
    pub deals: DealStats,
    pub activities: ActivityStats,
    /// Converted leads / leads created in the period, in percent.
    pub conversion_rate: f64,
    /// The same figures over the previous period of equal length, for the trend arrows.
    pub previous: Option<Box<DashboardStats>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerStats {
    pub total: u64,
    pub active: u64,
    /// Created within the period (the spec's `newThisMonth` for a month's range).
    pub new_this_month: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadStats {
    pub total: u64,
    pub new: u64,
    pub qualified: u64,
    pub converted: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealStats {
    pub total: u64,
    pub open: u64,
    /// Value of the open deals.
    pub value: Amount,
    pub weighted_value: Amount,
    pub won_this_month: u64,
    pub won_value: Amount,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityStats {
    pub pending: u64,
    pub overdue: u64,
    pub completed_today: u64,
}

/// One stage of the sales funnel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStage {
    pub stage: String,
    pub probability: i64,
    /// Open deals now in the stage.
    pub deals: u64,
    pub value: Amount,
    pub weighted_value: Amount,
    /// Deals that entered this stage in the period (from stage history).
    pub entered: u64,
    /// Of those, the share that reached a later stage, in percent.
    pub conversion_to_next: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForecastRow {
    /// A stage name or a month (`2026-03`).
    pub label: String,
    pub deals: u64,
    pub value: Amount,
    pub weighted_value: Amount,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    pub by_stage: Vec<ForecastRow>,
    pub by_month: Vec<ForecastRow>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WonLost {
    pub won: u64,
    pub won_value: Amount,
    pub lost: u64,
    pub lost_value: Amount,
    /// Won / (won + lost), in percent.
    pub win_rate: f64,
    /// (reason label, deals, value)
    pub lost_reasons: Vec<(String, u64, Amount)>,
    /// (competitor, deals lost to them)
    pub competitors: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRow {
    pub source: String,
    pub leads: u64,
    pub converted: u64,
    pub conversion_rate: f64,
    pub average_score: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivitySummary {
    /// (user id or "unassigned", total, completed)
    pub by_user: Vec<(String, u64, u64)>,
    /// (type, total, completed)
    pub by_type: Vec<(String, u64, u64)>,
    /// (day, total, completed)
    pub by_date: Vec<(NaiveDate, u64, u64)>,
    pub total: u64,
    pub completed: u64,
    pub completion_rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRow {
    /// e.g. "ENTERPRISE" or "Technology".
    pub segment: String,
    pub customers: u64,
    pub won_value: Amount,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopCustomer {
    pub customer: Customer,
    pub won_value: Amount,
    pub paid_invoices: Amount,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HotLeads {
    pub leads: Vec<Lead>,
}

/// A report as a table, for CSV export and plain display.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for line in std::iter::once(&self.header).chain(self.rows.iter()) {
            let cells: Vec<String> = line
                .iter()
                .map(|cell| {
                    if cell.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell.clone()
                    }
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// A report as a [`Table`], for its CSV export (every report of spec §3.8 has one).
pub trait ToTable {
    fn to_table(&self) -> Table;
}

fn cells<const N: usize>(values: [String; N]) -> Vec<String> {
    values.into()
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// A rate in percent with one decimal.
fn rate(value: f64) -> String {
    format!("{value:.1}")
}

impl ToTable for [FunnelStage] {
    fn to_table(&self) -> Table {
        Table {
            header: header(&[
                "stage",
                "probability",
                "open deals",
                "value",
                "weighted value",
                "entered",
                "conversion to next (%)",
            ]),
            rows: self
                .iter()
                .map(|stage| {
                    cells([
                        stage.stage.clone(),
                        stage.probability.to_string(),
                        stage.deals.to_string(),
                        stage.value.to_string(),
                        stage.weighted_value.to_string(),
                        stage.entered.to_string(),
                        rate(stage.conversion_to_next),
                    ])
                })
                .collect(),
        }
    }
}

impl ToTable for Forecast {
    fn to_table(&self) -> Table {
        let rows = |by: &str, rows: &[ForecastRow]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|row| {
                    cells([
                        by.to_owned(),
                        row.label.clone(),
                        row.deals.to_string(),
                        row.value.to_string(),
                        row.weighted_value.to_string(),
                    ])
                })
                .collect()
        };
        let mut all = rows("stage", &self.by_stage);
        all.extend(rows("month", &self.by_month));
        Table {
            header: header(&["by", "stage or month", "deals", "value", "weighted value"]),
            rows: all,
        }
    }
}

impl ToTable for WonLost {
    fn to_table(&self) -> Table {
        let mut rows = vec![
            cells([
                "won".into(),
                String::new(),
                self.won.to_string(),
                self.won_value.to_string(),
            ]),
            cells([
                "lost".into(),
                String::new(),
                self.lost.to_string(),
                self.lost_value.to_string(),
            ]),
        ];
        rows.extend(self.lost_reasons.iter().map(|(reason, deals, value)| {
            cells([
                "lost reason".into(),
                reason.clone(),
                deals.to_string(),
                value.to_string(),
            ])
        }));
        rows.extend(self.competitors.iter().map(|(competitor, deals)| {
            cells([
                "lost to competitor".into(),
                competitor.clone(),
                deals.to_string(),
                String::new(),
            ])
        }));
        rows.push(cells([
            "win rate (%)".into(),
            String::new(),
            rate(self.win_rate),
            String::new(),
        ]));
        Table {
            header: header(&["row", "name", "deals", "value"]),
            rows,
        }
    }
}

impl ToTable for [SourceRow] {
    fn to_table(&self) -> Table {
        Table {
            header: header(&[
                "source",
                "leads",
                "converted",
                "conversion rate (%)",
                "average score",
            ]),
            rows: self
                .iter()
                .map(|row| {
                    cells([
                        row.source.clone(),
                        row.leads.to_string(),
                        row.converted.to_string(),
                        rate(row.conversion_rate),
                        rate(row.average_score),
                    ])
                })
                .collect(),
        }
    }
}

impl ToTable for ActivitySummary {
    fn to_table(&self) -> Table {
        let group = |by: &str, key: String, total: u64, done: u64| {
            cells([by.to_owned(), key, total.to_string(), done.to_string()])
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        rows.extend(
            self.by_user
                .iter()
                .map(|(user, total, done)| group("user", user.clone(), *total, *done)),
        );
        rows.extend(
            self.by_type
                .iter()
                .map(|(kind, total, done)| group("type", kind.clone(), *total, *done)),
        );
        rows.extend(
            self.by_date
                .iter()
                .map(|(day, total, done)| group("date", day.to_string(), *total, *done)),
        );
        rows.push(group("all", String::new(), self.total, self.completed));
        Table {
            header: header(&["by", "user, type or date", "activities", "completed"]),
            rows,
        }
    }
}

impl ToTable for [SegmentRow] {
    fn to_table(&self) -> Table {
        Table {
            header: header(&["segment", "customers", "won value"]),
            rows: self
                .iter()
                .map(|row| {
                    cells([
                        row.segment.clone(),
                        row.customers.to_string(),
                        row.won_value.to_string(),
                    ])
                })
                .collect(),
        }
    }
}

impl ToTable for [TopCustomer] {
    fn to_table(&self) -> Table {
        Table {
            header: header(&["customer", "won value", "paid invoices"]),
            rows: self
                .iter()
                .map(|row| {
                    cells([
                        row.customer.name.clone(),
                        row.won_value.to_string(),
                        row.paid_invoices.to_string(),
                    ])
                })
                .collect(),
        }
    }
}

impl ToTable for [Lead] {
    fn to_table(&self) -> Table {
        Table {
            header: header(&["lead", "company", "score", "rating", "status"]),
            rows: self
                .iter()
                .map(|lead| {
                    cells([
                        lead.name.clone(),
                        lead.company.clone().unwrap_or_default(),
                        lead.lead_score.to_string(),
                        lead.rating
                            .map(|rating| rating.as_str().to_owned())
                            .unwrap_or_default(),
                        lead.status.as_str().to_owned(),
                    ])
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let table = Table {
            header: vec!["name".into(), "notes".into()],
            rows: vec![
                vec!["Acme, Inc".into(), "said \"hi\"\nthen left".into()],
                vec!["Plain".into(), "".into()],
            ],
        };
        assert_eq!(
            table.to_csv(),
            "name,notes\r\n\"Acme, Inc\",\"said \"\"hi\"\"\nthen left\"\r\nPlain,\r\n"
        );
    }

    #[test]
    fn each_report_becomes_a_table_with_one_row_per_line() {
        let funnel = [FunnelStage {
            stage: "Proposal".into(),
            probability: 50,
            deals: 3,
            value: Amount(1_000_000),
            weighted_value: Amount(500_000),
            entered: 7,
            conversion_to_next: 42.857,
        }];
        let table = funnel.to_table();
        assert_eq!(table.header.len(), table.rows[0].len());
        assert_eq!(
            table.rows[0],
            ["Proposal", "50", "3", "10000.00", "5000.00", "7", "42.9"]
        );
        let won_lost = WonLost {
            won: 2,
            won_value: Amount(300),
            lost: 1,
            lost_value: Amount(100),
            win_rate: 66.666,
            lost_reasons: vec![("PRICE".into(), 1, Amount(100))],
            competitors: vec![("Globex".into(), 1)],
        };
        let csv = won_lost.to_table().to_csv();
        assert!(csv.starts_with("row,name,deals,value\r\nwon,,2,3.00\r\n"));
        assert!(csv.contains("lost reason,PRICE,1,1.00\r\n"));
        assert!(csv.contains("lost to competitor,Globex,1,\r\n"));
        assert!(csv.ends_with("win rate (%),,66.7,\r\n"));
        let summary = ActivitySummary {
            by_user: vec![("ann".into(), 4, 3)],
            by_type: vec![("CALL".into(), 4, 3)],
            by_date: vec![("2026-02-10".parse().expect("date"), 4, 3)],
            total: 4,
            completed: 3,
            completion_rate: 75.0,
        };
        let rows = summary.to_table().rows;
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[2], ["date", "2026-02-10", "4", "3"]);
    }

    #[test]
    fn previous_period_has_the_same_length() {
        let range = DateRange {
            from: "2026-02-01".parse().expect("date"),
            to: "2026-02-28".parse().expect("date"),
        };
        let previous = range.previous();
        assert_eq!(previous.to.to_string(), "2026-01-31");
        assert_eq!(previous.from.to_string(), "2026-01-04");
    }
}
