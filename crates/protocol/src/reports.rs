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
