//! Global search over customers, contacts, leads and deals: an FTS5 index of words with prefix
//! indexes ("acm" finds "Acme Corp"). A word that starts no indexed word is taken for a typo
//! and replaced by the indexed words closest to it ("acne" → "acme", "nortwind" →
//! "northwind"), read from the index's vocabulary.

use crm_model::{RecordId, RecordKind};
pub(crate) use crm_protocol::views::SearchHit;
use rusqlite::{Connection, Transaction, params};

use crate::error::CoreError;

/// What the index holds for one record.
pub(crate) struct SearchEntry {
    pub(crate) title: String,
    pub(crate) detail: String,
}

/// The kind's token in the index's `kind` column.
fn kind_token(kind: RecordKind) -> String {
    format!("k{}", kind.as_str().to_lowercase())
}

/// The temporary table where a transaction's new index entries wait for [`flush`]: FTS5
/// flushes its pending terms into a new segment at every statement, so one `INSERT` per record
/// made a segment per record, and merging them dominated bulk writes past 200k records.
pub(crate) const PENDING_TABLE: &str = "CREATE TEMP TABLE IF NOT EXISTS search_pending (
    key INTEGER PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, detail TEXT NOT NULL
)";

pub(super) fn index(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    entry: &SearchEntry,
) -> Result<(), CoreError> {
    use rusqlite::OptionalExtension as _;
    let existing: Option<i64> = transaction
        .prepare_cached("SELECT rowid FROM search_keys WHERE record_id = ?1")?
        .query_row([id.to_string()], |row| row.get(0))
        .optional()?;
    let key: i64 = transaction
        .prepare_cached(
            "INSERT INTO search_keys (record_id, kind, title, detail) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (record_id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
                                                   detail = excluded.detail
             RETURNING rowid",
        )?
        .query_row(
            params![id.to_string(), kind.as_str(), entry.title, entry.detail],
            |row| row.get(0),
        )?;
    if existing.is_some() && !is_pending(transaction, key)? {
        // Its entry is in the index: take it out before the new one goes in.
        transaction
            .prepare_cached("DELETE FROM search_words WHERE rowid = ?1")?
            .execute([key])?;
    }
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO temp.search_pending (key, kind, title, detail)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![key, kind_token(kind), entry.title, entry.detail])?;
    Ok(())
}

fn is_pending(transaction: &Transaction<'_>, key: i64) -> Result<bool, CoreError> {
    Ok(transaction
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM temp.search_pending WHERE key = ?1)")?
        .query_row([key], |row| row.get(0))?)
}

/// Writes the transaction's waiting index entries with one statement; every transaction that
/// materializes records calls it before committing.
pub(crate) fn flush(transaction: &Transaction<'_>) -> Result<(), CoreError> {
    let waiting: bool = transaction
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM temp.search_pending)")?
        .query_row([], |row| row.get(0))?;
    if waiting {
        transaction.execute_batch(
            "INSERT INTO search_words (rowid, kind, title, detail)
                 SELECT key, kind, title, detail FROM temp.search_pending ORDER BY key;
             DELETE FROM temp.search_pending;",
        )?;
    }
    Ok(())
}

pub(super) fn remove(transaction: &Transaction<'_>, id: RecordId) -> Result<(), CoreError> {
    let key: Option<i64> = {
        use rusqlite::OptionalExtension as _;
        transaction
            .prepare_cached("DELETE FROM search_keys WHERE record_id = ?1 RETURNING rowid")?
            .query_row([id.to_string()], |row| row.get(0))
            .optional()?
    };
    if let Some(key) = key {
        if is_pending(transaction, key)? {
            // Not in the index yet (any older entry was taken out when it was queued).
            transaction
                .prepare_cached("DELETE FROM temp.search_pending WHERE key = ?1")?
                .execute([key])?;
        } else {
            transaction
                .prepare_cached("DELETE FROM search_words WHERE rowid = ?1")?
                .execute([key])?;
        }
    }
    Ok(())
}

pub(super) fn clear(transaction: &Transaction<'_>) -> Result<(), CoreError> {
    transaction.execute_batch("DELETE FROM search_keys; DELETE FROM search_words;")?;
    Ok(())
}

/// Merges the search index's segments into one: after many single-record writes (a bulk load,
/// a rebuild) queries read one segment instead of hundreds.
pub(crate) fn compact(conn: &Connection) -> Result<(), CoreError> {
    conn.execute(
        "INSERT INTO search_words (search_words) VALUES ('optimize')",
        [],
    )?;
    Ok(())
}

/// Up to `limit` records of each of `kinds` matching `text`, best first. Every word of the text
/// must start a word of the record (name, email, phone, company...); a word that starts no
/// word in the index at all is replaced by the closest words that are there (a typo or two).
pub(crate) fn search(
    conn: &Connection,
    text: &str,
    kinds: &[RecordKind],
    limit: usize,
) -> Result<Vec<SearchHit>, CoreError> {
    let Some(all_words) = match_expression(conn, text)? else {
        return Ok(Vec::new());
    };
    if limit == 0 {
        return Ok(Vec::new());
    }
    let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut hits = Vec::new();
    for kind in kinds {
        let query = format!("kind:{} AND ({all_words})", kind_token(*kind));
        hits.extend(lookup(conn, &query, limit_sql, *kind)?);
    }
    Ok(hits)
}

/// The FTS expression a search for `text` runs (each word as a prefix, typos replaced by
/// their corrections), or `None` when no record can match.
pub(crate) fn match_expression(conn: &Connection, text: &str) -> Result<Option<String>, CoreError> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return Ok(None);
    }
    let mut terms = Vec::with_capacity(words.len());
    for word in &words {
        let alternatives = if starts_a_term(conn, word)? {
            vec![word.clone()]
        } else {
            let corrected = corrections(conn, word)?;
            if corrected.is_empty() {
                // Nothing like it: no record can match every word.
                return Ok(None);
            }
            corrected
        };
        let any = alternatives
            .iter()
            .map(|term| format!("\"{}\"*", term.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" OR ");
        terms.push(format!("({any})"));
    }
    Ok(Some(terms.join(" AND ")))
}

/// Whether some indexed word starts with `word`.
fn starts_a_term(conn: &Connection, word: &str) -> Result<bool, CoreError> {
    let found: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM search_vocabulary WHERE term >= ?1 AND term < ?2)",
        )?
        .query_row(params![word, format!("{word}{}", char::MAX)], |row| {
            row.get(0)
        })?;
    Ok(found)
}

/// Most alternatives one mistyped word expands to.
const MAX_CORRECTIONS: usize = 8;

/// The indexed words closest to a `word` that starts none: same first letter, and within one
/// edit (two for words longer than five letters) of the word or of a word's beginning, so
/// "nortw" still finds "northwind". The closest first, then the most used.
fn corrections(conn: &Connection, word: &str) -> Result<Vec<String>, CoreError> {
    let chars: Vec<char> = word.chars().collect();
    let Some(first) = chars.first().copied() else {
        return Ok(Vec::new());
    };
    if chars.len() < 3 {
        return Ok(Vec::new());
    }
    let allowed = if chars.len() <= 5 { 1 } else { 2 };
    let next = char::from_u32(u32::from(first) + 1).unwrap_or(char::MAX);
    let mut statement = conn
        .prepare_cached("SELECT term, doc FROM search_vocabulary WHERE term >= ?1 AND term < ?2")?;
    let rows = statement.query_map(params![first.to_string(), next.to_string()], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    let mut found: Vec<(usize, i64, String)> = Vec::new();
    for row in rows {
        let (term, documents) = row?;
        let term_chars: Vec<char> = term.chars().collect();
        let distance = (chars.len().saturating_sub(1)..=chars.len() + 1)
            .filter(|length| *length <= term_chars.len() && *length > 0)
            .map(|length| edit_distance(&chars, &term_chars[..length]))
            .min();
        if let Some(distance) = distance.filter(|distance| *distance <= allowed) {
            found.push((distance, documents, term));
        }
    }
    let Some(best) = found.iter().map(|(distance, _, _)| *distance).min() else {
        return Ok(Vec::new());
    };
    found.retain(|(distance, _, _)| *distance == best);
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.2.cmp(&b.2)));
    Ok(found
        .into_iter()
        .take(MAX_CORRECTIONS)
        .map(|(_, _, term)| term)
        .collect())
}

/// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = best;
        }
    }
    rows[a.len() * width + b.len()]
}

fn lookup(
    conn: &Connection,
    query: &str,
    limit: i64,
    kind: RecordKind,
) -> Result<Vec<SearchHit>, CoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT k.record_id, k.title, k.detail FROM search_words
         JOIN search_keys k ON k.rowid = search_words.rowid
         WHERE search_words MATCH ?1 ORDER BY rank LIMIT ?2",
    )?;
    let rows = statement.query_map(params![query, limit], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut hits = Vec::new();
    for row in rows {
        let (id, title, detail) = row?;
        let id = id
            .parse()
            .map_err(|error: uuid::Error| CoreError::Corrupt(format!("search key: {error}")))?;
        hits.push(SearchHit {
            kind,
            id,
            title,
            detail,
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        edit_distance(&a, &b)
    }

    #[test]
    fn edit_distance_counts_each_kind_of_typo_once() {
        assert_eq!(distance("acme", "acme"), 0);
        assert_eq!(distance("acne", "acme"), 1, "substitution");
        assert_eq!(distance("nortwind", "northwind"), 1, "missing letter");
        assert_eq!(distance("northwindd", "northwind"), 1, "extra letter");
        assert_eq!(distance("nrothwind", "northwind"), 1, "swapped neighbours");
        assert_eq!(distance("globex", "acme"), 5);
        assert_eq!(distance("", "abc"), 3);
    }
}
