//! The raw baseline: the same rows in plain tables of a separate SQLite file (`raw_customers`
//! ... with the same columns and indexes, and the same full-text tables), queried with bare SQL
//! and no decoding: the limit the store's queries could reach.

use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::Connection;
use rusqlite::types::Value;

/// Materialized tables copied into the raw file, each as `raw_<table>`.
const TABLES: &[&str] = &[
    "customers",
    "contacts",
    "leads",
    "deals",
    "communications",
    "activities",
    "search_keys",
];

/// Builds the raw file at `raw_path` from the store file at `store_path`.
pub(crate) fn build(store_path: &Path, raw_path: &Path) -> Result<Connection> {
    let raw = Connection::open(raw_path).context("open the raw file")?;
    raw.pragma_update(None, "journal_mode", "WAL")?;
    let source = store_path
        .to_str()
        .context("the store path is not valid UTF-8")?;
    raw.execute("ATTACH DATABASE ?1 AS source", [source])?;
    raw.execute_batch("BEGIN")?;
    for table in TABLES {
        let create: String = raw
            .query_row(
                "SELECT sql FROM source.sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |row| row.get(0),
            )
            .with_context(|| format!("the store has no table {table}"))?;
        raw.execute_batch(&renamed(&create, table))?;
        raw.execute(
            &format!("INSERT INTO raw_{table} SELECT * FROM source.{table}"),
            [],
        )?;
        let indexes: Vec<String> = raw
            .prepare(
                "SELECT sql FROM source.sqlite_master
                 WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
            )?
            .query_map([table], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for index in indexes {
            raw.execute_batch(&renamed(&index, table))?;
        }
    }
    let create: String = raw.query_row(
        "SELECT sql FROM source.sqlite_master WHERE name = 'search_words'",
        [],
        |row| row.get(0),
    )?;
    raw.execute_batch(&renamed(&create, "search_words"))?;
    raw.execute_batch(
        "INSERT INTO raw_search_words (rowid, kind, title, detail)
             SELECT rowid, 'k' || lower(kind), title, detail FROM raw_search_keys;
         INSERT INTO raw_search_words (raw_search_words) VALUES ('optimize');
         CREATE VIRTUAL TABLE raw_search_vocabulary USING fts5vocab (raw_search_words, 'row');
         COMMIT;",
    )?;
    raw.execute("DETACH DATABASE source", [])?;
    Ok(raw)
}

/// `CREATE ... customers_name ON customers (...)` → `... raw_customers_name ON raw_customers`.
fn renamed(sql: &str, table: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in sql.split(' ') {
        let starts_with_table = word.starts_with(table)
            && word[table.len()..]
                .chars()
                .next()
                .is_none_or(|next| next == '_' || next == '(' || next == '\n');
        if starts_with_table {
            words.push(format!("raw_{word}"));
        } else {
            words.push(word.to_owned());
        }
    }
    words.join(" ")
}

/// Runs `sql` and reads every column of every row; returns the number of rows.
pub(crate) fn run(raw: &Connection, sql: &str, params: &[Value]) -> Result<usize> {
    let mut statement = raw.prepare_cached(sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        for column in 0..columns {
            std::hint::black_box(row.get_ref(column)?);
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_tables_and_indexes() {
        let cases = [
            (
                "CREATE TABLE customers (\n id TEXT)",
                "customers",
                "CREATE TABLE raw_customers (\n id TEXT)",
            ),
            (
                "CREATE INDEX customers_name ON customers (name COLLATE NOCASE, id)",
                "customers",
                "CREATE INDEX raw_customers_name ON raw_customers (name COLLATE NOCASE, id)",
            ),
            (
                "CREATE INDEX contacts_customer ON contacts (customer_id)",
                "contacts",
                "CREATE INDEX raw_contacts_customer ON raw_contacts (customer_id)",
            ),
        ];
        for (sql, table, expected) in cases {
            assert_eq!(renamed(sql, table), expected);
        }
    }
}
