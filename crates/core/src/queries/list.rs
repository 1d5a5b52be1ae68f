//! The list query builder: filters as SQL clauses over a materialized table, a whitelisted sort
//! column, and paging by page number or by keyset cursor (`(sort value, id) > cursor`), which
//! stays fast however deep the user scrolls.

use crm_model::{FieldError, Rule, ValidationErrors};
use crm_protocol::query::{Page, Pagination, Paging, SortOrder};
use rusqlite::Connection;
use rusqlite::types::Value;
use serde::de::DeserializeOwned;

use crate::error::CoreError;
use crate::materialize::from_data;

/// Most rows one page may hold.
pub(crate) const MAX_PAGE_SIZE: u32 = 500;

/// One list: its table, its sortable columns (wire name → SQL expression), and its default sort.
pub(crate) struct ListSpec {
    pub(crate) table: &'static str,
    pub(crate) kind_token: &'static str,
    pub(crate) sorts: &'static [(&'static str, &'static str)],
    pub(crate) default_sort: (&'static str, SortOrder),
}

/// The WHERE clauses of a query and their parameters, in order.
#[derive(Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    params: Vec<Value>,
    /// The full-text query of a search filter, when there is one.
    search: Option<String>,
}

impl Filter {
    /// `clause` with one `?` bound to `value`.
    pub(crate) fn push(&mut self, clause: &str, value: impl Into<Value>) {
        self.clauses.push(clause.to_owned());
        self.params.push(value.into());
    }

    pub(crate) fn push_bare(&mut self, clause: &str) {
        self.clauses.push(clause.to_owned());
    }

    /// `column = value` when the filter is set.
    pub(crate) fn equal<T: ToString>(&mut self, column: &str, value: Option<T>) {
        if let Some(value) = value {
            self.push(&format!("{column} = ?"), value.to_string());
        }
    }

    /// Records whose indexed words start with each word of `text` (global search's index).
    pub(crate) fn search(&mut self, kind_token: &str, text: Option<&str>) {
        let Some(query) = text.and_then(|text| match_query(kind_token, text)) else {
            return;
        };
        self.search = Some(query.clone());
        self.push(
            "id IN (SELECT k.record_id FROM search_words JOIN search_keys k ON k.rowid = search_words.rowid
                    WHERE search_words MATCH ?)",
            query,
        );
    }

    /// The WHERE clause of the rows not in the trash that pass, and its parameters in order.
    pub(crate) fn live_rows(mut self) -> (String, Vec<Value>) {
        self.push_bare("deleted_at IS NULL");
        (self.clauses.join(" AND "), self.params)
    }

    /// Every tag must be present.
    pub(crate) fn tags(&mut self, tags: &[String]) {
        for tag in tags
            .iter()
            .map(|tag| tag.trim().to_lowercase())
            .filter(|tag| !tag.is_empty())
        {
            self.push(
                "tags LIKE ?",
                format!("%|{}|%", tag.replace(['%', '_'], "")),
            );
        }
    }
}

/// An FTS query: the kind token and every word as a prefix.
pub(crate) fn match_query(kind_token: &str, text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{}\"*", word.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| format!("kind:{kind_token} AND ({})", words.join(" AND ")))
}

fn invalid(field: &str, expected: String) -> CoreError {
    CoreError::Validation(ValidationErrors(vec![FieldError {
        field: field.to_owned(),
        rule: Rule::Invalid { expected },
    }]))
}

/// Runs a list query: rows of `spec.table` not in the trash that pass `filter`, sorted and paged.
pub(crate) fn run<T: DeserializeOwned>(
    conn: &Connection,
    spec: &ListSpec,
    mut filter: Filter,
    paging: &Paging,
) -> Result<Page<T>, CoreError> {
    let limit = paging.limit.clamp(1, MAX_PAGE_SIZE);
    let page = paging.page.max(1);
    let (sort_name, default_order) = spec.default_sort;
    let sort_name = paging.sort_by.as_deref().unwrap_or(sort_name);
    let order = paging.sort_order.unwrap_or(if paging.sort_by.is_some() {
        SortOrder::Asc
    } else {
        default_order
    });
    let Some((_, sort_expr)) = spec.sorts.iter().find(|(name, _)| *name == sort_name) else {
        let names: Vec<&str> = spec.sorts.iter().map(|(name, _)| *name).collect();
        return Err(invalid("sortBy", format!("one of {}", names.join(", "))));
    };
    // The search index holds live records only, so a search that is the only filter is
    // counted there, without visiting the rows it matches.
    let search_only = match (&filter.search, filter.clauses.len()) {
        (Some(query), 1) => Some(query.clone()),
        _ => None,
    };
    filter.push_bare("deleted_at IS NULL");

    let total = if let (true, Some(query)) = (paging.with_total, &search_only) {
        let count: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM search_words WHERE search_words MATCH ?1")?
            .query_row([query], |row| row.get(0))?;
        u64::try_from(count).unwrap_or(0)
    } else if paging.with_total {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE {}",
            spec.table,
            filter.clauses.join(" AND ")
        );
        let count: i64 = conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(&filter.params), |row| row.get(0))?;
        u64::try_from(count).unwrap_or(0)
    } else {
        0
    };

    let (direction, comparison) = match order {
        SortOrder::Asc => ("ASC", ">"),
        SortOrder::Desc => ("DESC", "<"),
    };
    let mut offset = i64::from(page - 1) * i64::from(limit);
    if let Some(cursor) = &paging.cursor {
        let (value, id) = decode_cursor(cursor)?;
        // Written as a range on the sort key plus a tie-break, so the planner seeks the sort
        // index to the cursor; the row value `(sort, id) > (?, ?)` makes it scan from the start.
        filter.push_bare(&format!(
            "{sort_expr} {comparison}= ? AND ({sort_expr} {comparison} ? OR id {comparison} ?)"
        ));
        filter.params.push(value.clone());
        filter.params.push(value);
        filter.params.push(Value::Text(id));
        offset = 0;
    }
    // The page's rows are chosen from the indexes alone (filter, sort key, rowid) and only then
    // read whole: sorting or skipping never carries the rows' JSON.
    let table = spec.table;
    let sql = format!(
        "SELECT id, {sort_expr}, data FROM {table} WHERE rowid IN (
             SELECT rowid FROM {table} WHERE {} ORDER BY {sort_expr} {direction}, id {direction} LIMIT ? OFFSET ?)
         ORDER BY {sort_expr} {direction}, id {direction}",
        filter.clauses.join(" AND "),
    );
    filter.params.push(Value::Integer(i64::from(limit) + 1));
    filter.params.push(Value::Integer(offset));
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(&filter.params))?;
    let mut data = Vec::with_capacity(limit as usize);
    let mut last: Option<(Value, String)> = None;
    let mut more = false;
    while let Some(row) = rows.next()? {
        if data.len() == limit as usize {
            more = true;
            break;
        }
        let id: String = row.get(0)?;
        let sort_value: Value = row.get(1)?;
        let payload: String = row.get(2)?;
        data.push(from_data(&id, &payload)?);
        last = Some((sort_value, id));
    }
    let next_cursor = if more {
        last.map(|(value, id)| encode_cursor(&value, &id))
    } else {
        None
    };
    Ok(Page {
        data,
        pagination: Pagination::new(page, limit, total),
        next_cursor,
    })
}

/// A cursor is the JSON `[sort value, id]` of the last row of a page.
fn encode_cursor(value: &Value, id: &str) -> String {
    let value = match value {
        Value::Null => serde_json::Value::Null,
        Value::Integer(number) => serde_json::Value::from(*number),
        Value::Real(number) => serde_json::Value::from(*number),
        Value::Text(text) => serde_json::Value::from(text.as_str()),
        Value::Blob(_) => serde_json::Value::Null,
    };
    serde_json::json!([value, id]).to_string()
}

fn decode_cursor(cursor: &str) -> Result<(Value, String), CoreError> {
    let bad = || invalid("cursor", "the nextCursor of a previous page".into());
    let parsed: (serde_json::Value, String) = serde_json::from_str(cursor).map_err(|_| bad())?;
    let value = match parsed.0 {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Number(number) => match number.as_i64() {
            Some(integer) => Value::Integer(integer),
            None => Value::Real(number.as_f64().ok_or_else(bad)?),
        },
        serde_json::Value::String(text) => Value::Text(text),
        _ => return Err(bad()),
    };
    Ok((value, parsed.1))
}
