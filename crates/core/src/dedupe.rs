//! Duplicate detection (spec §2.8 `POST /dedupe/scan`) across customers, contacts and leads:
//! the same email, phone or web domain, or names that read alike, each pair with a score and the
//! reasons. Linear in the number of records: records are grouped by key, and names are only
//! compared within a block sharing their first letters.

use std::collections::{BTreeMap, HashMap};

use crm_model::{RecordId, RecordKind};
use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::store::Store;

/// Two records that look like the same customer, contact or lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicatePair {
    pub kind: RecordKind,
    pub first: RecordId,
    pub second: RecordId,
    pub first_title: String,
    pub second_title: String,
    /// 0–100: how sure the scan is.
    pub score: u8,
    pub reasons: Vec<String>,
}

struct Candidate {
    id: RecordId,
    title: String,
    name_key: String,
    email: Option<String>,
    phone: Option<String>,
    domain: Option<String>,
}

/// A company or person name reduced to what identifies it: lower case, letters and digits,
/// without legal suffixes ("Acme, Inc." → "acme").
pub(crate) fn name_key(name: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "inc",
        "corp",
        "corporation",
        "llc",
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "sa",
        "co",
        "plc",
        "bv",
        "srl",
    ];
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && !SUFFIXES.contains(word))
        .collect();
    words.join(" ")
}

fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    // The last 9 digits: the same number written with or without a country prefix.
    (digits.len() >= 7).then(|| digits[digits.len().saturating_sub(9)..].to_owned())
}

fn trigrams(text: &str) -> Vec<[char; 3]> {
    let padded: Vec<char> = format!("  {text} ").chars().collect();
    let mut grams: Vec<[char; 3]> = padded.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Jaccard similarity of two names' trigrams.
fn name_similarity(a: &[[char; 3]], b: &[[char; 3]]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    #[allow(clippy::cast_precision_loss)]
    let similarity = if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    };
    similarity
}

impl Store {
    /// Likely duplicates among the live customers, contacts and leads, best first.
    pub fn scan_duplicates(&self) -> Result<Vec<DuplicatePair>, CoreError> {
        let mut pairs = Vec::new();
        pairs.extend(scan(RecordKind::Customer, self.candidates(
            "SELECT id, name, primary_email, primary_phone, domain FROM customers WHERE deleted_at IS NULL",
        )?));
        pairs.extend(scan(
            RecordKind::Contact,
            self.candidates(
                "SELECT id, name, email, phone, NULL FROM contacts WHERE deleted_at IS NULL",
            )?,
        ));
        pairs.extend(scan(RecordKind::Lead, self.candidates(
            "SELECT id, name, email, phone, domain FROM leads WHERE deleted_at IS NULL AND status != 'CONVERTED'",
        )?));
        pairs.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.first_title.cmp(&b.first_title))
        });
        Ok(pairs)
    }

    fn candidates(&self, sql: &str) -> Result<Vec<Candidate>, CoreError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut rows = statement.query([])?;
        let mut candidates = Vec::new();
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let title: String = row.get(1)?;
            candidates.push(Candidate {
                id: id.parse().map_err(|error: uuid::Error| {
                    CoreError::Corrupt(format!("record id: {error}"))
                })?,
                name_key: name_key(&title),
                title,
                email: row
                    .get::<_, Option<String>>(2)?
                    .map(|email| email.to_lowercase()),
                phone: row
                    .get::<_, Option<String>>(3)?
                    .as_deref()
                    .and_then(phone_key),
                domain: row.get(4)?,
            });
        }
        Ok(candidates)
    }
}

fn scan(kind: RecordKind, candidates: Vec<Candidate>) -> Vec<DuplicatePair> {
    // (first index, second index) → (score, reasons)
    let mut found: BTreeMap<(usize, usize), (u8, Vec<String>)> = BTreeMap::new();
    let mut note = |a: usize, b: usize, score: u8, reason: String| {
        let key = (a.min(b), a.max(b));
        let entry = found.entry(key).or_insert((0, Vec::new()));
        entry.0 = entry
            .0
            .max(score)
            .saturating_add(if entry.1.is_empty() { 0 } else { 5 })
            .min(100);
        entry.1.push(reason);
    };
    let mut by_key = |key_of: &dyn Fn(&Candidate) -> Option<String>, score: u8, what: &str| {
        let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, candidate) in candidates.iter().enumerate() {
            if let Some(key) = key_of(candidate).filter(|key| !key.is_empty()) {
                groups.entry(key).or_default().push(index);
            }
        }
        for (key, members) in groups {
            // A key shared by very many records (a generic domain) says little.
            if members.len() > 20 {
                continue;
            }
            for (position, a) in members.iter().enumerate() {
                for b in &members[position + 1..] {
                    note(*a, *b, score, format!("same {what}: {key}"));
                }
            }
        }
    };
    by_key(&|c| c.email.clone(), 95, "email");
    by_key(&|c| c.phone.clone(), 85, "phone");
    by_key(&|c| c.domain.clone(), 75, "domain");
    by_key(
        &|c| Some(c.name_key.clone()).filter(|key| key.len() >= 3),
        80,
        "name",
    );

    // Names that read alike, within blocks of the same first two letters.
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        let block: String = candidate.name_key.chars().take(2).collect();
        if block.chars().count() == 2 {
            blocks.entry(block).or_default().push(index);
        }
    }
    let grams: Vec<Vec<[char; 3]>> = candidates
        .iter()
        .map(|candidate| trigrams(&candidate.name_key))
        .collect();
    for members in blocks.values().filter(|members| members.len() <= 400) {
        for (position, a) in members.iter().enumerate() {
            for b in &members[position + 1..] {
                if candidates[*a].name_key == candidates[*b].name_key {
                    continue;
                }
                let similarity = name_similarity(&grams[*a], &grams[*b]);
                if similarity >= 0.6 {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let score = (similarity * 80.0).round() as u8;
                    note(
                        *a,
                        *b,
                        score,
                        format!("similar names ({}%)", (similarity * 100.0).round()),
                    );
                }
            }
        }
    }
    found
        .into_iter()
        .map(|((a, b), (score, reasons))| DuplicatePair {
            kind,
            first: candidates[a].id,
            second: candidates[b].id,
            first_title: candidates[a].title.clone(),
            second_title: candidates[b].title.clone(),
            score,
            reasons,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_drop_punctuation_and_legal_suffixes() {
        assert_eq!(name_key("Acme, Inc."), "acme");
        assert_eq!(name_key("ACME Corporation"), "acme");
        assert_eq!(name_key("Müller GmbH"), "müller");
        assert_eq!(phone_key("+1 (555) 010-0100"), phone_key("555 010 0100"));
    }

    #[test]
    fn similar_names_score_high_and_different_ones_low() {
        let similarity =
            |a: &str, b: &str| name_similarity(&trigrams(&name_key(a)), &trigrams(&name_key(b)));
        assert!(similarity("Globex Corporation", "Globex Corp") > 0.99);
        assert!(similarity("Initech Systems", "Initech System") >= 0.6);
        assert!(similarity("Acme", "Umbrella") < 0.2);
    }
}
