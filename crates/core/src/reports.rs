//! The dashboard and the reports (spec §2.7, §3.8), computed with aggregate queries over the
//! materialized tables. Dates compare as ISO text: `created_at` and the like are RFC 3339 UTC.

use chrono::NaiveDate;
use crm_model::{Amount, Customer, Lead, LostReason, PipelineId};
use crm_protocol::reports::{
    ActivityStats, ActivitySummary, CustomerStats, DashboardStats, DateRange, DealStats, Forecast,
    ForecastRow, FunnelStage, LeadStats, SegmentRow, SourceRow, TopCustomer, WonLost,
};
use rusqlite::{Row, params};

use crate::error::CoreError;
use crate::materialize::from_data;
use crate::store::Store;

pub use crm_protocol::reports::Segment;

fn count(row: &Row<'_>, index: usize) -> rusqlite::Result<u64> {
    Ok(u64::try_from(row.get::<_, Option<i64>>(index)?.unwrap_or(0)).unwrap_or(0))
}

fn amount(row: &Row<'_>, index: usize) -> rusqlite::Result<Amount> {
    Ok(Amount(row.get::<_, Option<i64>>(index)?.unwrap_or(0)))
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let share = part as f64 * 100.0 / whole as f64;
    (share * 10.0).round() / 10.0
}

/// `[from, to + 1 day)` as texts comparable with RFC 3339 timestamps and ISO dates.
fn bounds(range: DateRange) -> (String, String) {
    (
        range.from.to_string(),
        (range.to + chrono::Duration::days(1)).to_string(),
    )
}

impl Store {
    /// The dashboard's stats for `range`, with the previous period for trends.
    pub fn dashboard_stats(
        &self,
        range: DateRange,
        today: NaiveDate,
    ) -> Result<DashboardStats, CoreError> {
        let mut stats = self.period_stats(range, today)?;
        stats.previous = Some(Box::new(self.period_stats(range.previous(), today)?));
        Ok(stats)
    }

    fn period_stats(
        &self,
        range: DateRange,
        today: NaiveDate,
    ) -> Result<DashboardStats, CoreError> {
        let (from, to) = bounds(range);
        let customers = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*), SUM(status = 'ACTIVE'), SUM(created_at >= ?1 AND created_at < ?2)
             FROM customers WHERE deleted_at IS NULL",
            )?
            .query_row(params![from, to], |row| {
                Ok(CustomerStats {
                    total: count(row, 0)?,
                    active: count(row, 1)?,
                    new_this_month: count(row, 2)?,
                })
            })?;
        let (leads, created, converted_created) = self.conn.prepare_cached(
            "SELECT COUNT(*), SUM(status = 'NEW'), SUM(status = 'QUALIFIED'), SUM(status = 'CONVERTED'),
                    SUM(created_at >= ?1 AND created_at < ?2),
                    SUM(created_at >= ?1 AND created_at < ?2 AND status = 'CONVERTED')
             FROM leads WHERE deleted_at IS NULL",
        )?
        .query_row(params![from, to], |row| {
            Ok((
                LeadStats { total: count(row, 0)?, new: count(row, 1)?, qualified: count(row, 2)?, converted: count(row, 3)? },
                count(row, 4)?,
                count(row, 5)?,
            ))
        })?;
        let deals = self.conn.prepare_cached(
            "SELECT COUNT(*), SUM(status = 'OPEN'), SUM(CASE WHEN status = 'OPEN' THEN amount END),
                    SUM(CASE WHEN status = 'OPEN' THEN weighted_amount END),
                    SUM(status = 'WON' AND closed_date >= ?1 AND closed_date < ?2),
                    SUM(CASE WHEN status = 'WON' AND closed_date >= ?1 AND closed_date < ?2 THEN amount END)
             FROM deals WHERE deleted_at IS NULL",
        )?
        .query_row(params![from, to], |row| {
            Ok(DealStats {
                total: count(row, 0)?,
                open: count(row, 1)?,
                value: amount(row, 2)?,
                weighted_value: amount(row, 3)?,
                won_this_month: count(row, 4)?,
                won_value: amount(row, 5)?,
            })
        })?;
        let today_text = today.to_string();
        let activities = self.conn.prepare_cached(
            "SELECT SUM(is_open), SUM(is_open = 1 AND due_date < ?1), SUM(substr(completed_at, 1, 10) = ?1)
             FROM activities WHERE deleted_at IS NULL",
        )?
        .query_row([&today_text], |row| {
            Ok(ActivityStats { pending: count(row, 0)?, overdue: count(row, 1)?, completed_today: count(row, 2)? })
        })?;
        Ok(DashboardStats {
            customers,
            leads,
            deals,
            activities,
            conversion_rate: percent(converted_created, created),
            previous: None,
        })
    }

    /// The sales funnel of a pipeline: open deals per stage now, and how many deals entered each
    /// stage in `range` and went on to a later one.
    pub fn sales_funnel(
        &self,
        pipeline: PipelineId,
        range: DateRange,
    ) -> Result<Vec<FunnelStage>, CoreError> {
        let (from, to) = bounds(range);
        let mut statement = self.conn.prepare_cached(
            "SELECT s.stage_id, s.name, s.probability, s.position,
                    (SELECT COUNT(*) FROM deals d WHERE d.stage_id = s.stage_id AND d.status = 'OPEN' AND d.deleted_at IS NULL),
                    (SELECT SUM(amount) FROM deals d WHERE d.stage_id = s.stage_id AND d.status = 'OPEN' AND d.deleted_at IS NULL),
                    (SELECT SUM(weighted_amount) FROM deals d WHERE d.stage_id = s.stage_id AND d.status = 'OPEN' AND d.deleted_at IS NULL),
                    (SELECT COUNT(DISTINCT v.deal_id) FROM deal_stage_visits v
                       WHERE v.stage_id = s.stage_id AND v.entered_at >= ?2 AND v.entered_at < ?3),
                    (SELECT COUNT(DISTINCT v.deal_id) FROM deal_stage_visits v
                       WHERE v.stage_id = s.stage_id AND v.entered_at >= ?2 AND v.entered_at < ?3
                       AND EXISTS (SELECT 1 FROM deal_stage_visits later JOIN pipeline_stages ls
                                     ON ls.pipeline_id = s.pipeline_id AND ls.stage_id = later.stage_id
                                   WHERE later.deal_id = v.deal_id AND ls.position > s.position
                                   AND later.entered_at >= v.entered_at))
             FROM pipeline_stages s WHERE s.pipeline_id = ?1 ORDER BY s.position",
        )?;
        let rows = statement.query_map(params![pipeline.to_string(), from, to], |row| {
            let entered = count(row, 7)?;
            Ok(FunnelStage {
                stage: row.get(1)?,
                probability: row.get(2)?,
                deals: count(row, 4)?,
                value: amount(row, 5)?,
                weighted_value: amount(row, 6)?,
                entered,
                conversion_to_next: percent(count(row, 8)?, entered),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Weighted forecast of the open deals: by stage, and by month of expected close in `range`.
    pub fn deal_forecast(&self, range: DateRange) -> Result<Forecast, CoreError> {
        let (from, to) = bounds(range);
        let mut by_stage = self.conn.prepare_cached(
            "SELECT COALESCE(s.name, '(no stage)'), COUNT(*), SUM(d.amount), SUM(d.weighted_amount)
             FROM deals d LEFT JOIN pipeline_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
             WHERE d.status = 'OPEN' AND d.deleted_at IS NULL
             GROUP BY COALESCE(s.name, '(no stage)') ORDER BY MIN(COALESCE(s.position, 999))",
        )?;
        let row = |row: &Row<'_>| {
            Ok(ForecastRow {
                label: row.get(0)?,
                deals: count(row, 1)?,
                value: amount(row, 2)?,
                weighted_value: amount(row, 3)?,
            })
        };
        let by_stage = by_stage
            .query_map([], row)?
            .collect::<Result<Vec<_>, _>>()?;
        let mut by_month = self.conn.prepare_cached(
            "SELECT substr(expected_close_date, 1, 7), COUNT(*), SUM(amount), SUM(weighted_amount)
             FROM deals WHERE status = 'OPEN' AND deleted_at IS NULL
             AND expected_close_date >= ?1 AND expected_close_date < ?2
             GROUP BY 1 ORDER BY 1",
        )?;
        let by_month = by_month
            .query_map(params![from, to], row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Forecast { by_stage, by_month })
    }

    /// Deals won and lost with a closed date in `range`, why they were lost, and to whom.
    pub fn won_lost(&self, range: DateRange) -> Result<WonLost, CoreError> {
        let (from, to) = bounds(range);
        let mut report = self
            .conn
            .prepare_cached(
                "SELECT SUM(status = 'WON'), SUM(CASE WHEN status = 'WON' THEN amount END),
                    SUM(status = 'LOST'), SUM(CASE WHEN status = 'LOST' THEN amount END)
             FROM deals WHERE deleted_at IS NULL AND closed_date >= ?1 AND closed_date < ?2",
            )?
            .query_row(params![from, to], |row| {
                Ok(WonLost {
                    won: count(row, 0)?,
                    won_value: amount(row, 1)?,
                    lost: count(row, 2)?,
                    lost_value: amount(row, 3)?,
                    ..WonLost::default()
                })
            })?;
        report.win_rate = percent(report.won, report.won + report.lost);
        let mut reasons = self.conn.prepare_cached(
            "SELECT COALESCE(lost_reason, 'OTHER'), COUNT(*), SUM(amount) FROM deals
             WHERE deleted_at IS NULL AND status = 'LOST' AND closed_date >= ?1 AND closed_date < ?2
             GROUP BY 1 ORDER BY 2 DESC",
        )?;
        report.lost_reasons = reasons
            .query_map(params![from, to], |row| {
                let code: String = row.get(0)?;
                let label =
                    LostReason::parse(&code).map_or(code, |reason| reason.label().to_owned());
                Ok((label, count(row, 1)?, amount(row, 2)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut competitors = self.conn.prepare_cached(
            "SELECT json_extract(data, '$.lostToCompetitor'), COUNT(*) FROM deals
             WHERE deleted_at IS NULL AND status = 'LOST' AND closed_date >= ?1 AND closed_date < ?2
             AND json_extract(data, '$.lostToCompetitor') IS NOT NULL GROUP BY 1 ORDER BY 2 DESC",
        )?;
        report.competitors = competitors
            .query_map(params![from, to], |row| Ok((row.get(0)?, count(row, 1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(report)
    }

    /// Leads created in `range` per source: how many, how many converted, average score.
    pub fn lead_sources(&self, range: DateRange) -> Result<Vec<SourceRow>, CoreError> {
        let (from, to) = bounds(range);
        let mut statement = self.conn.prepare_cached(
            "SELECT COALESCE(source, '(none)'), COUNT(*), SUM(status = 'CONVERTED'), AVG(lead_score) FROM leads
             WHERE deleted_at IS NULL AND created_at >= ?1 AND created_at < ?2 GROUP BY 1 ORDER BY 2 DESC",
        )?;
        let rows = statement.query_map(params![from, to], |row| {
            let leads = count(row, 1)?;
            let converted = count(row, 2)?;
            let average: f64 = row.get::<_, Option<f64>>(3)?.unwrap_or(0.0);
            Ok(SourceRow {
                source: row.get(0)?,
                leads,
                converted,
                conversion_rate: percent(converted, leads),
                average_score: (average * 10.0).round() / 10.0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Activities due (or, undated, created) in `range`, by user, type and day.
    pub fn activity_summary(&self, range: DateRange) -> Result<ActivitySummary, CoreError> {
        let (from, to) = bounds(range);
        const IN_RANGE: &str =
            "deleted_at IS NULL AND COALESCE(due_date, substr(created_at, 1, 10)) >= ?1
                                AND COALESCE(due_date, substr(created_at, 1, 10)) < ?2";
        let grouped = |column: &str| -> Result<Vec<(String, u64, u64)>, CoreError> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT {column}, COUNT(*), SUM(status = 'COMPLETED') FROM activities WHERE {IN_RANGE}
                 GROUP BY 1 ORDER BY 2 DESC, 1"
            ))?;
            let rows = statement.query_map(params![from, to], |row| {
                Ok((row.get(0)?, count(row, 1)?, count(row, 2)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let by_user = grouped("COALESCE(assigned_to, 'unassigned')")?;
        let by_type = grouped("type")?;
        let by_date = grouped("COALESCE(due_date, substr(created_at, 1, 10))")?
            .into_iter()
            .filter_map(|(day, total, done)| {
                day.parse().ok().map(|day: NaiveDate| (day, total, done))
            })
            .collect::<Vec<_>>();
        let total = by_type.iter().map(|(_, total, _)| total).sum();
        let completed = by_type.iter().map(|(_, _, done)| done).sum();
        let mut by_date = by_date;
        by_date.sort_by_key(|(day, _, _)| *day);
        Ok(ActivitySummary {
            by_user,
            by_type,
            by_date,
            total,
            completed,
            completion_rate: percent(completed, total),
        })
    }

    /// Won deal value closed in `range`, by a segment of their customers.
    pub fn revenue_by_segment(
        &self,
        segment: Segment,
        range: DateRange,
    ) -> Result<Vec<SegmentRow>, CoreError> {
        let (from, to) = bounds(range);
        let column = match segment {
            Segment::CompanySize => "c.company_size",
            Segment::Industry => "c.industry",
            Segment::Category => "c.category",
        };
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT COALESCE({column}, '(none)'), COUNT(DISTINCT c.id), SUM(d.amount)
             FROM deals d JOIN customers c ON c.id = d.customer_id
             WHERE d.deleted_at IS NULL AND d.status = 'WON' AND d.closed_date >= ?1 AND d.closed_date < ?2
             GROUP BY 1 ORDER BY 3 DESC"
        ))?;
        let rows = statement.query_map(params![from, to], |row| {
            Ok(SegmentRow {
                segment: row.get(0)?,
                customers: count(row, 1)?,
                won_value: amount(row, 2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The customers with the most won deal value closed in `range`, with their paid invoices.
    pub fn top_customers(
        &self,
        range: DateRange,
        limit: usize,
    ) -> Result<Vec<TopCustomer>, CoreError> {
        let (from, to) = bounds(range);
        let mut statement = self.conn.prepare_cached(
            "SELECT c.id, c.data, SUM(d.amount),
                    (SELECT SUM(amount_paid) FROM sales_documents s WHERE s.customer_id = c.id AND s.type = 'INVOICE'
                     AND s.deleted_at IS NULL)
             FROM deals d JOIN customers c ON c.id = d.customer_id
             WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND d.status = 'WON'
             AND d.closed_date >= ?1 AND d.closed_date < ?2
             GROUP BY c.id ORDER BY 3 DESC LIMIT ?3",
        )?;
        let mut rows =
            statement.query(params![from, to, i64::try_from(limit).unwrap_or(i64::MAX)])?;
        let mut top = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let data: String = row.get(1)?;
            let customer: Customer = from_data(&id, &data)?;
            top.push(TopCustomer {
                customer,
                won_value: amount(row, 2)?,
                paid_invoices: amount(row, 3)?,
            });
        }
        Ok(top)
    }

    /// Open leads that need action: rated hot or scoring 70+, best first.
    pub fn hot_leads(&self, limit: usize) -> Result<Vec<Lead>, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, data FROM leads WHERE deleted_at IS NULL AND status IN ('NEW', 'QUALIFIED')
             AND (rating = 'HOT' OR lead_score >= 70) ORDER BY lead_score DESC, created_at DESC LIMIT ?1",
        )?;
        let mut rows = statement.query([i64::try_from(limit).unwrap_or(i64::MAX)])?;
        let mut leads = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let data: String = row.get(1)?;
            leads.push(from_data(&id, &data)?);
        }
        Ok(leads)
    }
}
