//! Customer 360, the deal page, the customer timeline, the activity groupings and reminders,
//! and the user and tag directories.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use crm_model::{
    Activity, Amount, Attachment, Communication, Contact, Customer, CustomerId, CustomerNote, Deal,
    DealId, DealStatus, Pipeline, RecordId, SalesDocument, SalesDocumentStatus, SalesDocumentType,
    UserId,
};
use crm_protocol::views::{
    ActivityGroups, Customer360, CustomerStats, DealView, Include, TimelineItem, TimelineKind,
};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::de::DeserializeOwned;

use crate::error::CoreError;
use crate::materialize::from_data;
use crate::store::Store;

/// Most communications and done activities a Customer 360 carries; the tabs page further.
const RECENT: i64 = 50;

/// Whose activities: the acting user's, their colleagues', or everyone's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivityScope {
    Mine,
    Team,
    All,
}

impl Store {
    fn rows<T: DeserializeOwned>(&self, sql: &str, params: &[&str]) -> Result<Vec<T>, CoreError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut rows = statement.query(params_from_iter(params))?;
        let mut items = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let data: String = row.get(1)?;
            items.push(from_data(&id, &data)?);
        }
        Ok(items)
    }

    /// A customer with the related records named in `include` (spec §2.1 and §3.3).
    pub fn customer_360(
        &self,
        id: CustomerId,
        include: &[Include],
    ) -> Result<Customer360, CoreError> {
        let key = id.to_string();
        let key = key.as_str();
        let mut customers: Vec<Customer> = self.rows(
            "SELECT id, data FROM customers WHERE id = ?1 AND deleted_at IS NULL",
            &[key],
        )?;
        let customer = customers
            .pop()
            .ok_or_else(|| self.missing(crm_model::RecordKind::Customer, id.into()))?;
        let wants = |part: Include| include.contains(&part);
        let contacts: Vec<Contact> = if wants(Include::Contacts) {
            self.rows(
                "SELECT id, data FROM contacts WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY is_primary DESC, name COLLATE NOCASE",
                &[key],
            )?
        } else {
            Vec::new()
        };
        let deals: Vec<Deal> = if wants(Include::Deals) {
            self.rows(
                "SELECT id, data FROM deals WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY status = 'OPEN' DESC, created_at DESC",
                &[key],
            )?
        } else {
            Vec::new()
        };
        let communications: Vec<Communication> = if wants(Include::Communications) {
            self.rows(
                &format!(
                    "SELECT id, data FROM communications WHERE customer_id = ?1 AND deleted_at IS NULL
                     ORDER BY occurred_at DESC LIMIT {RECENT}"
                ),
                &[key],
            )?
        } else {
            Vec::new()
        };
        let activities: Vec<Activity> = if wants(Include::Activities) {
            let mut open: Vec<Activity> = self.rows(
                "SELECT id, data FROM activities WHERE customer_id = ?1 AND is_open = 1 AND deleted_at IS NULL
                 ORDER BY COALESCE(due_at, '9999'), id",
                &[key],
            )?;
            let done: Vec<Activity> = self.rows(
                &format!(
                    "SELECT id, data FROM activities WHERE customer_id = ?1 AND is_open = 0 AND deleted_at IS NULL
                     ORDER BY COALESCE(completed_at, updated_at) DESC LIMIT {RECENT}"
                ),
                &[key],
            )?;
            open.extend(done);
            open
        } else {
            Vec::new()
        };
        let notes: Vec<CustomerNote> = if wants(Include::Notes) {
            self.rows(
                "SELECT id, data FROM notes WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY is_pinned DESC, created_at DESC",
                &[key],
            )?
        } else {
            Vec::new()
        };
        let sales: Vec<SalesDocument> = if wants(Include::Sales) {
            self.rows(
                "SELECT id, data FROM sales_documents WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY issue_date DESC",
                &[key],
            )?
        } else {
            Vec::new()
        };
        let attachments: Vec<Attachment> = if wants(Include::Attachments) {
            self.rows(
                "SELECT id, data FROM attachments WHERE customer_id = ?1 AND deleted_at IS NULL ORDER BY created_at DESC",
                &[key],
            )?
        } else {
            Vec::new()
        };
        let stats = self.customer_stats(key)?;
        let of_type = |wanted: SalesDocumentType| -> Vec<SalesDocument> {
            sales
                .iter()
                .filter(|document| document.document_type == wanted)
                .cloned()
                .collect()
        };
        Ok(Customer360 {
            sales_quotations: of_type(SalesDocumentType::Quotation),
            sales_orders: of_type(SalesDocumentType::Order),
            sales_invoices: of_type(SalesDocumentType::Invoice),
            customer,
            contacts,
            deals,
            communications,
            activities,
            notes,
            attachments,
            stats,
        })
    }

    /// A deal with its customer, contact, pipeline, activities, communications, sales
    /// documents and files: the deal page.
    pub fn deal_view(&self, id: DealId) -> Result<DealView, CoreError> {
        let key = id.to_string();
        let key = key.as_str();
        let deal: Deal = self
            .rows::<Deal>(
                "SELECT id, data FROM deals WHERE id = ?1 AND deleted_at IS NULL",
                &[key],
            )?
            .pop()
            .ok_or_else(|| self.missing(crm_model::RecordKind::Deal, id.into()))?;
        let customer: Option<Customer> = match deal.customer_id.map(|id| id.to_string()) {
            Some(id) => self
                .rows(
                    "SELECT id, data FROM customers WHERE id = ?1 AND deleted_at IS NULL",
                    &[&id],
                )?
                .pop(),
            None => None,
        };
        let pipeline: Option<Pipeline> = match deal.pipeline_id.map(|id| id.to_string()) {
            Some(id) => self
                .rows("SELECT id, data FROM pipelines WHERE id = ?1", &[&id])?
                .pop(),
            None => None,
        };
        let mut activities: Vec<Activity> = self.rows(
            "SELECT id, data FROM activities WHERE deal_id = ?1 AND is_open = 1 AND deleted_at IS NULL
             ORDER BY COALESCE(due_at, '9999'), id",
            &[key],
        )?;
        activities.extend(self.rows::<Activity>(
            &format!(
                "SELECT id, data FROM activities WHERE deal_id = ?1 AND is_open = 0 AND deleted_at IS NULL
                 ORDER BY COALESCE(completed_at, updated_at) DESC LIMIT {RECENT}"
            ),
            &[key],
        )?);
        let communications = self.rows(
            &format!(
                "SELECT id, data FROM communications WHERE deal_id = ?1 AND deleted_at IS NULL
                 ORDER BY occurred_at DESC LIMIT {RECENT}"
            ),
            &[key],
        )?;
        let sales_documents = self.rows(
            "SELECT id, data FROM sales_documents WHERE deal_id = ?1 AND deleted_at IS NULL
             ORDER BY issue_date DESC",
            &[key],
        )?;
        let attachments = self.rows(
            "SELECT id, data FROM attachments WHERE deal_id = ?1 AND deleted_at IS NULL
             ORDER BY created_at DESC",
            &[key],
        )?;
        Ok(DealView {
            deal,
            customer,
            pipeline,
            activities,
            communications,
            sales_documents,
            attachments,
        })
    }

    /// The tenant's user directory (owners and assignees), active users first, by name.
    pub fn list_users(&self) -> Result<Vec<crm_model::User>, CoreError> {
        self.rows(
            "SELECT id, data FROM users WHERE deleted_at IS NULL
             ORDER BY active DESC, name COLLATE NOCASE, id",
            &[],
        )
    }

    /// The tenant's tags, by category and name.
    pub fn list_tags(&self) -> Result<Vec<crm_model::Tag>, CoreError> {
        self.rows(
            "SELECT id, data FROM tags WHERE deleted_at IS NULL
             ORDER BY category, name COLLATE NOCASE, id",
            &[],
        )
    }

    /// Open activities whose reminder falls in `(after, until]`, assigned to `user` or to
    /// nobody, earliest first: the reminders to raise now.
    pub fn due_reminders(
        &self,
        user: UserId,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Activity>, CoreError> {
        let (after, until, user) = (
            crate::store::time_text(after),
            crate::store::time_text(until),
            user.to_string(),
        );
        self.rows(
            "SELECT id, data FROM activities
             WHERE reminder_at > ?1 AND reminder_at <= ?2 AND is_open = 1 AND deleted_at IS NULL
               AND (assigned_to = ?3 OR assigned_to IS NULL)
             ORDER BY reminder_at, id",
            &[&after, &until, &user],
        )
    }

    fn customer_stats(&self, key: &str) -> Result<CustomerStats, CoreError> {
        let count = |sql: &str| -> Result<i64, CoreError> {
            Ok(self
                .conn
                .prepare_cached(sql)?
                .query_row([key], |row| row.get::<_, Option<i64>>(0))?
                .unwrap_or(0))
        };
        let as_count = |value: i64| u64::try_from(value).unwrap_or(0);
        let last_contact: Option<String> = self.conn.prepare_cached(
            "SELECT MAX(occurred_at) FROM communications WHERE customer_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([key], |row| row.get(0))?;
        Ok(CustomerStats {
            contacts: as_count(count("SELECT COUNT(*) FROM contacts WHERE customer_id = ?1 AND deleted_at IS NULL")?),
            open_deals: as_count(count(
                "SELECT COUNT(*) FROM deals WHERE customer_id = ?1 AND status = 'OPEN' AND deleted_at IS NULL",
            )?),
            pipeline_value: Amount(count(
                "SELECT SUM(amount) FROM deals WHERE customer_id = ?1 AND status = 'OPEN' AND deleted_at IS NULL",
            )?),
            won_value: Amount(count(
                "SELECT SUM(amount) FROM deals WHERE customer_id = ?1 AND status = 'WON' AND deleted_at IS NULL",
            )?),
            orders: as_count(count(
                "SELECT COUNT(*) FROM sales_documents WHERE customer_id = ?1 AND type = 'ORDER' AND deleted_at IS NULL",
            )?),
            lifetime_value: Amount(count(&format!(
                "SELECT SUM(amount_paid) FROM sales_documents WHERE customer_id = ?1 AND type = 'INVOICE'
                 AND status IN ('{}', '{}') AND deleted_at IS NULL",
                SalesDocumentStatus::Paid.as_str(),
                SalesDocumentStatus::PartiallyPaid.as_str()
            ))?),
            open_activities: as_count(count(
                "SELECT COUNT(*) FROM activities WHERE customer_id = ?1 AND is_open = 1 AND deleted_at IS NULL",
            )?),
            last_contact: last_contact
                .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
                .map(|time| time.to_utc()),
        })
    }

    /// Everything that happened with a customer, newest first: communications, activities,
    /// deal events (created, stage moves, won, lost) and notes.
    pub fn customer_timeline(
        &self,
        id: CustomerId,
        limit: usize,
    ) -> Result<Vec<TimelineItem>, CoreError> {
        let key = id.to_string();
        let key = key.as_str();
        let window = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut items = Vec::new();
        let communications: Vec<Communication> = self.rows(
            &format!(
                "SELECT id, data FROM communications WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY occurred_at DESC LIMIT {window}"
            ),
            &[key],
        )?;
        for communication in communications {
            items.push(TimelineItem {
                at: communication.occurred_at,
                kind: TimelineKind::Communication,
                record_id: communication.id.into(),
                title: match &communication.subject {
                    Some(subject) => {
                        format!("{}: {subject}", communication.communication_type.label())
                    }
                    None => communication.communication_type.label().to_owned(),
                },
                detail: Some(communication.notes),
            });
        }
        let activities: Vec<Activity> = self.rows(
            &format!(
                "SELECT id, data FROM activities WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY COALESCE(completed_at, created_at) DESC LIMIT {window}"
            ),
            &[key],
        )?;
        for activity in activities {
            items.push(TimelineItem {
                at: activity.completed_at.unwrap_or(activity.created_at),
                kind: TimelineKind::Activity,
                record_id: activity.id.into(),
                title: format!(
                    "{} ({}): {}",
                    activity.activity_type.label(),
                    activity.status.label(),
                    activity.subject
                ),
                detail: activity.outcome.or(activity.description),
            });
        }
        let deals: Vec<Deal> = self.rows(
            &format!(
                "SELECT id, data FROM deals WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY updated_at DESC LIMIT {window}"
            ),
            &[key],
        )?;
        let stage_names = self.stage_names()?;
        for deal in deals {
            let record_id: RecordId = deal.id.into();
            items.push(TimelineItem {
                at: deal.created_at,
                kind: TimelineKind::DealCreated,
                record_id,
                title: format!("Deal created: {}", deal.name),
                detail: Some(format!("{} {}", deal.amount, deal.currency_code)),
            });
            for visit in deal.stage_history.values() {
                let stage = stage_names
                    .get(&visit.stage_id.to_string())
                    .cloned()
                    .unwrap_or_else(|| "a stage".into());
                items.push(TimelineItem {
                    at: visit.entered_at,
                    kind: TimelineKind::DealStageChanged,
                    record_id,
                    title: format!("{} moved to {stage}", deal.name),
                    detail: visit.notes.clone(),
                });
            }
            if let Some(closed) = deal
                .closed_date
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .map(|time| time.and_utc())
            {
                match deal.status {
                    DealStatus::Won => items.push(TimelineItem {
                        at: closed,
                        kind: TimelineKind::DealWon,
                        record_id,
                        title: format!("Deal won: {}", deal.name),
                        detail: deal.won_reason.clone(),
                    }),
                    DealStatus::Lost => items.push(TimelineItem {
                        at: closed,
                        kind: TimelineKind::DealLost,
                        record_id,
                        title: format!("Deal lost: {}", deal.name),
                        detail: deal.lost_reason.map(|reason| reason.label().to_owned()),
                    }),
                    DealStatus::Open => {}
                }
            }
        }
        let notes: Vec<CustomerNote> = self.rows(
            &format!(
                "SELECT id, data FROM notes WHERE customer_id = ?1 AND deleted_at IS NULL
                 ORDER BY created_at DESC LIMIT {window}"
            ),
            &[key],
        )?;
        for note in notes {
            items.push(TimelineItem {
                at: note.created_at,
                kind: TimelineKind::Note,
                record_id: note.id.into(),
                title: note.title.unwrap_or_else(|| "Note".into()),
                detail: Some(note.content),
            });
        }
        items.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.record_id.cmp(&b.record_id)));
        items.truncate(limit);
        Ok(items)
    }

    fn stage_names(&self) -> Result<std::collections::HashMap<String, String>, CoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT stage_id, name FROM pipeline_stages")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut names = std::collections::HashMap::new();
        for row in rows {
            let (id, name) = row?;
            names.insert(id, name);
        }
        Ok(names)
    }

    /// Open activities of `scope`, grouped: overdue, today, the rest of this week (to Sunday),
    /// later, and without a date. `today` is the user's local date.
    pub fn activity_groups(
        &self,
        scope: ActivityScope,
        user: UserId,
        today: NaiveDate,
    ) -> Result<ActivityGroups, CoreError> {
        self.activity_groups_limited(scope, user, today, None)
    }

    /// [`Store::activity_groups`] carrying at most `limit` activities per group, with every
    /// group's full count: the activities page of a large tenant.
    pub fn activity_groups_limited(
        &self,
        scope: ActivityScope,
        user: UserId,
        today: NaiveDate,
        limit: Option<usize>,
    ) -> Result<ActivityGroups, CoreError> {
        let clause = agenda_scope(scope);
        let user_key = (scope != ActivityScope::All).then(|| user.to_string());
        // Each group is a range [from, to) of the key `COALESCE(due_at, '')` (an index of
        // migration 0005): '' for no date, else `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, so a day's
        // activities sort at or after the day itself and before the next.
        let day = |date: NaiveDate| date.format("%Y-%m-%d").to_string();
        let days_to_sunday = i64::from(6 - today.weekday().num_days_from_monday());
        // The groups' edges, in order: each group runs from its edge to the next, so the groups
        // neither overlap nor leave a gap. Every date starts with a digit (the model refuses
        // years outside 1..=9999): '0' is after '' and before any date, '~' after all.
        let edges = [
            String::new(),
            "0".to_owned(),
            day(today),
            day(today + Duration::days(1)),
            day(today + Duration::days(days_to_sunday + 1)),
            "~".to_owned(),
        ];
        let mut groups = ActivityGroups::default();
        let counts = &mut groups.counts;
        let targets = [
            (&mut groups.no_date, &mut counts.no_date),
            (&mut groups.overdue, &mut counts.overdue),
            (&mut groups.today, &mut counts.today),
            (&mut groups.this_week, &mut counts.this_week),
            (&mut groups.later, &mut counts.later),
        ];
        let (count, page) = agenda_sql(clause);
        let mut count = self.conn.prepare_cached(&count)?;
        let mut page = self.conn.prepare_cached(&page)?;
        // SQLite reads a negative limit as none.
        let limit = limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
        for ((activities, total), range) in targets.into_iter().zip(edges.windows(2)) {
            // ?3, the user, is unused (but numbered) in the "all" scope.
            let params = [
                Value::Text(range[0].clone()),
                Value::Text(range[1].clone()),
                user_key.clone().map_or(Value::Null, Value::Text),
                Value::Integer(limit),
            ];
            let counted = &params[..count.parameter_count()];
            let counted: i64 = count.query_row(params_from_iter(counted), |row| row.get(0))?;
            // A count is never negative.
            *total = u64::try_from(counted).unwrap_or(0);
            let mut rows = page.query(params_from_iter(&params))?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let data: String = row.get(1)?;
                activities.push(from_data(&id, &data)?);
            }
        }
        Ok(groups)
    }
}

/// The condition on the assignee (`?3`, the acting user) of each scope.
fn agenda_scope(scope: ActivityScope) -> &'static str {
    match scope {
        ActivityScope::Mine => "AND assigned_to = ?3",
        ActivityScope::Team => "AND (assigned_to IS NULL OR assigned_to != ?3)",
        ActivityScope::All => "",
    }
}

/// The activity groups' two statements: a group's count, and its first activities in the
/// page's order (`?1..?2` the group's range of `COALESCE(due_at, '')`, `?3` the user, `?4` the
/// limit). Both read one range of the index `activities_agenda`.
fn agenda_sql(scope_clause: &str) -> (String, String) {
    let range = format!(
        "FROM activities WHERE is_open = 1 AND deleted_at IS NULL
         AND COALESCE(due_at, '') >= ?1 AND COALESCE(due_at, '') < ?2 {scope_clause}"
    );
    (
        format!("SELECT COUNT(*) {range}"),
        format!(
            "SELECT id, data {range} ORDER BY COALESCE(due_at, ''), priority_rank DESC, id LIMIT ?4"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The groups stay fast on a large tenant only while SQLite reads them from the index, in
    /// order: no sort of every open activity, no table read to count them.
    #[test]
    fn activity_groups_read_one_index_range_each_without_sorting() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(&directory.path().join("crm.sqlite3")).expect("opens");
        for scope in [ActivityScope::Mine, ActivityScope::Team, ActivityScope::All] {
            let (count, page) = agenda_sql(agenda_scope(scope));
            for sql in [count, page] {
                let mut explain = store
                    .conn
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .expect("explains");
                let unbound = std::iter::repeat_n(Value::Null, explain.parameter_count());
                let plan: Vec<String> = explain
                    .query_map(params_from_iter(unbound), |row| row.get::<_, String>(3))
                    .expect("plan")
                    .collect::<Result<_, _>>()
                    .expect("plan rows");
                let plan = plan.join("\n");
                assert!(plan.contains("activities_agenda"), "{sql}\n{plan}");
                assert!(!plan.contains("TEMP B-TREE"), "{sql}\n{plan}");
                if sql.starts_with("SELECT COUNT") {
                    assert!(plan.contains("COVERING INDEX"), "{sql}\n{plan}");
                }
            }
        }
    }
}
