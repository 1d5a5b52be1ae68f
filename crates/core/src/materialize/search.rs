//! Global search over customers, contacts, leads and deals: an FTS5 index of words with prefix
//! indexes ("acm" finds "Acme Corp"), and a trigram index that still finds a name with a typo.

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

pub(super) fn index(
    transaction: &Transaction<'_>,
    kind: RecordKind,
    id: RecordId,
    entry: &SearchEntry,
) -> Result<(), CoreError> {
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
    transaction
        .prepare_cached("DELETE FROM search_words WHERE rowid = ?1")?
        .execute([key])?;
    transaction
        .prepare_cached("DELETE FROM search_trigrams WHERE rowid = ?1")?
        .execute([key])?;
    let token = kind_token(kind);
    transaction
        .prepare_cached(
            "INSERT INTO search_words (rowid, kind, title, detail) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![key, token, entry.title, entry.detail])?;
    transaction
        .prepare_cached("INSERT INTO search_trigrams (rowid, kind, title) VALUES (?1, ?2, ?3)")?
        .execute(params![key, token, entry.title.to_lowercase()])?;
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
        transaction
            .prepare_cached("DELETE FROM search_words WHERE rowid = ?1")?
            .execute([key])?;
        transaction
            .prepare_cached("DELETE FROM search_trigrams WHERE rowid = ?1")?
            .execute([key])?;
    }
    Ok(())
}

pub(super) fn clear(transaction: &Transaction<'_>) -> Result<(), CoreError> {
    transaction.execute_batch(
        "DELETE FROM search_keys; DELETE FROM search_words; DELETE FROM search_trigrams;",
    )?;
    Ok(())
}

/// Up to `limit` records of each of `kinds` matching `text`, best first. Every word of the text
/// must start a word of the record (name, email, phone, company...); when that finds fewer than
/// `limit`, names that look like the text (a typo or two) fill up the rest.
pub(crate) fn search(
    conn: &Connection,
    text: &str,
    kinds: &[RecordKind],
    limit: usize,
) -> Result<Vec<SearchHit>, CoreError> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
    let prefix_query = words
        .iter()
        .map(|word| format!("\"{word}\"*"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let mut hits = Vec::new();
    for kind in kinds {
        let query = format!("kind:{} AND ({prefix_query})", kind_token(*kind));
        let mut found = lookup(
            conn,
            "SELECT k.record_id, k.title, k.detail FROM search_words
             JOIN search_keys k ON k.rowid = search_words.rowid
             WHERE search_words MATCH ?1 ORDER BY rank LIMIT ?2",
            &query,
            limit_sql,
            *kind,
        )?;
        let joined: String = words.join(" ");
        if found.len() < limit && joined.chars().count() >= 3 {
            let trigrams = trigrams(&joined);
            if !trigrams.is_empty() {
                let any = trigrams
                    .iter()
                    .map(|gram| format!("\"{gram}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                let query = format!("kind:{} AND ({any})", kind_token(*kind));
                let candidates = lookup(
                    conn,
                    "SELECT k.record_id, k.title, k.detail FROM search_trigrams
                     JOIN search_keys k ON k.rowid = search_trigrams.rowid
                     WHERE search_trigrams MATCH ?1 ORDER BY rank LIMIT ?2",
                    &query,
                    limit_sql.saturating_mul(4),
                    *kind,
                )?;
                let mut similar: Vec<(f64, SearchHit)> = candidates
                    .into_iter()
                    .filter(|hit| !found.iter().any(|seen| seen.id == hit.id))
                    .map(|hit| (similarity(&joined, &hit.title.to_lowercase()), hit))
                    .filter(|(score, _)| *score >= 0.3)
                    .collect();
                similar.sort_by(|a, b| b.0.total_cmp(&a.0));
                found.extend(
                    similar
                        .into_iter()
                        .map(|(_, hit)| hit)
                        .take(limit - found.len()),
                );
            }
        }
        hits.extend(found);
    }
    Ok(hits)
}

fn lookup(
    conn: &Connection,
    sql: &str,
    query: &str,
    limit: i64,
    kind: RecordKind,
) -> Result<Vec<SearchHit>, CoreError> {
    let mut statement = conn.prepare_cached(sql)?;
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

fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut grams: Vec<String> = chars
        .windows(3)
        .map(|window| window.iter().collect())
        .collect();
    grams.retain(|gram: &String| !gram.contains('"'));
    grams.sort();
    grams.dedup();
    grams
}

/// How alike two texts are: the share of the query's trigrams found in the candidate's
/// (the candidate may be longer: "acme" is in "acme corporation").
fn similarity(query: &str, candidate: &str) -> f64 {
    let wanted = trigrams(query);
    if wanted.is_empty() {
        return 0.0;
    }
    let have = trigrams(candidate);
    let shared = wanted
        .iter()
        .filter(|gram| have.binary_search(gram).is_ok())
        .count();
    #[allow(clippy::cast_precision_loss)]
    let score = shared as f64 / wanted.len() as f64;
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_tolerates_a_typo() {
        assert!(similarity("acne corp", "acme corp") >= 0.3);
        assert!(similarity("globex", "acme corp") < 0.3);
        assert!((similarity("acme", "acme corporation") - 1.0).abs() < f64::EPSILON);
    }
}
