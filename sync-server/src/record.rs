//! Applying a device's changes to a record document and checking the result, without storage:
//! the pure half of a push. Anything wrong with what the device sent is a [`Refusal`] (the
//! record is rejected with its text), never a server error.

use automerge::{Automerge, Change, ReadDoc, ScalarValue, Value};
use crm_model::RecordKind;

use crate::storage::NewChange;

pub(crate) const KIND_FIELD: &str = "kind";
pub(crate) const SCHEMA_VERSION_FIELD: &str = "schemaVersion";

/// Why a record was rejected. The text is sent to the device, which shows it to its user.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("change {index} is not a valid Automerge change: {reason}")]
    CorruptChange { index: usize, reason: String },
    #[error("the changes cannot be applied to the record: {0}")]
    Inapplicable(String),
    #[error(
        "{count} change(s) depend on changes the server does not have; push the record's \
         earlier changes first"
    )]
    MissingDependencies { count: usize },
    #[error("the record has no `kind` text field")]
    MissingKind,
    #[error("the record's kind {0:?} is not one this server knows")]
    UnknownKind(String),
    #[error("the record's kind cannot change (from {} to {})", .from.as_str(), .to.as_str())]
    KindChanged { from: RecordKind, to: RecordKind },
    #[error("the record has no numeric `schemaVersion` field")]
    MissingSchemaVersion,
    #[error("the record would be {size} bytes, more than the {limit} the server keeps")]
    TooLarge { size: usize, limit: usize },
    #[error("unknown record: this record id cannot be used")]
    UnknownRecord,
    /// Answered as [`Outcome::Erased`](crm_protocol::sync::Outcome::Erased), so the device
    /// purges its copy.
    #[error("the record was erased for good; it cannot be changed or created again")]
    Erased,
    #[error("not allowed: {0}")]
    NotAllowed(String),
}

/// A record document whose shape was checked.
pub(crate) struct Record {
    pub(crate) kind: RecordKind,
    pub(crate) document: Automerge,
}

impl Record {
    /// Checks that `document` is a well-formed record document.
    pub(crate) fn check(document: Automerge) -> Result<Record, Refusal> {
        let kind = match scalar(&document, KIND_FIELD) {
            Some(ScalarValue::Str(text)) => text
                .parse::<RecordKind>()
                .map_err(|_| Refusal::UnknownKind(text.to_string()))?,
            _ => return Err(Refusal::MissingKind),
        };
        match scalar(&document, SCHEMA_VERSION_FIELD) {
            Some(ScalarValue::Int(_) | ScalarValue::Uint(_) | ScalarValue::F64(_)) => {}
            _ => return Err(Refusal::MissingSchemaVersion),
        }
        Ok(Record { kind, document })
    }
}

fn scalar(document: &Automerge, field: &str) -> Option<ScalarValue> {
    match document.get(automerge::ROOT, field) {
        Ok(Some((Value::Scalar(value), _))) => Some(value.into_owned()),
        _ => None,
    }
}

/// The outcome of applying a device's changes to a record.
pub(crate) enum Applied {
    /// The server already had every change: nothing to store (a replayed push).
    Unchanged,
    /// Boxed: a document is several kilobytes of bookkeeping.
    Changed(Box<Update>),
}

pub(crate) struct Update {
    pub(crate) before: Option<Record>,
    pub(crate) after: Record,
    /// The changes `before` did not have, in causal order.
    pub(crate) new_changes: Vec<Change>,
    /// `after`, saved.
    pub(crate) saved: Vec<u8>,
}

impl Update {
    pub(crate) fn new_changes(&self) -> Vec<NewChange> {
        self.new_changes
            .iter()
            .map(|change| NewChange {
                hash: change.hash().0,
                bytes: change.raw_bytes().to_vec(),
            })
            .collect()
    }
}

/// Applies `changes` (as pushed) to `stored` (the saved document, `None` for a new record).
///
/// Errors: `Ok(Err(refusal))` when the device sent something unacceptable; `Err` when the stored
/// document itself cannot be loaded, which is the server's problem.
pub(crate) fn apply(
    stored: Option<&[u8]>,
    changes: &[Vec<u8>],
    max_document_bytes: usize,
) -> Result<Result<Applied, Refusal>, automerge::AutomergeError> {
    let before = stored.map(Automerge::load).transpose()?;
    Ok(apply_to(before, changes, max_document_bytes))
}

fn apply_to(
    before: Option<Automerge>,
    changes: &[Vec<u8>],
    max_document_bytes: usize,
) -> Result<Applied, Refusal> {
    let decoded = changes
        .iter()
        .enumerate()
        .map(|(index, bytes)| {
            Change::from_bytes(bytes.clone()).map_err(|error| Refusal::CorruptChange {
                index,
                reason: error.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let hashes: Vec<_> = decoded.iter().map(Change::hash).collect();

    let mut document = before.as_ref().map(Automerge::fork).unwrap_or_default();
    let old_heads = document.get_heads();
    document
        .apply_changes(decoded)
        .map_err(|error| Refusal::Inapplicable(error.to_string()))?;

    // Changes whose dependencies are missing are queued by automerge, not applied; a saved
    // document would silently lose them.
    let missing = hashes
        .iter()
        .filter(|hash| document.get_change_by_hash(hash).is_none())
        .count();
    if missing > 0 {
        return Err(Refusal::MissingDependencies { count: missing });
    }
    if document.get_heads() == old_heads {
        return Ok(Applied::Unchanged);
    }

    // A stored document that fails today's checks (written before they existed) gives no kind to
    // compare with; the new state must pass them all the same.
    let before = before.map(Record::check).transpose().ok().flatten();
    let new_changes = document.get_changes(&old_heads);
    let after = Record::check(document)?;
    if let Some(before) = &before
        && before.kind != after.kind
    {
        return Err(Refusal::KindChanged {
            from: before.kind,
            to: after.kind,
        });
    }
    let saved = after.document.save();
    if saved.len() > max_document_bytes {
        return Err(Refusal::TooLarge {
            size: saved.len(),
            limit: max_document_bytes,
        });
    }
    Ok(Applied::Changed(Box::new(Update {
        before,
        after,
        new_changes,
        saved,
    })))
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    use super::*;

    const LIMIT: usize = 1 << 20;

    /// A device's document with the given root fields, and the changes that made it.
    fn device_changes(fields: &[(&str, ScalarValue)]) -> (AutoCommit, Vec<Vec<u8>>) {
        let mut document = AutoCommit::new();
        for (field, value) in fields {
            document.put(ROOT, *field, value.clone()).expect("put");
        }
        document.commit();
        let changes = document
            .get_changes(&[])
            .iter()
            .map(|change| change.raw_bytes().to_vec())
            .collect();
        (document, changes)
    }

    fn customer() -> Vec<(&'static str, ScalarValue)> {
        vec![
            ("kind", "customer".into()),
            ("schemaVersion", ScalarValue::Int(1)),
            ("name", "Acme".into()),
        ]
    }

    /// Applies `changes` to a new record and describes the outcome in one line.
    fn check(fields: &[(&str, ScalarValue)], expected: &str) {
        let (_, changes) = device_changes(fields);
        let outcome = match apply(None, &changes, LIMIT).expect("no stored document") {
            Ok(Applied::Unchanged) => "unchanged".to_owned(),
            Ok(Applied::Changed(update)) => {
                format!(
                    "changed: {} {} new",
                    update.after.kind.as_str(),
                    update.new_changes.len()
                )
            }
            Err(refusal) => format!("refused: {refusal}"),
        };
        assert_eq!(outcome, expected);
    }

    #[test]
    fn new_records_must_be_well_formed() {
        check(&customer(), "changed: customer 1 new");
        check(
            &[("schemaVersion", ScalarValue::Int(1))],
            "refused: the record has no `kind` text field",
        );
        check(
            &[
                ("kind", "spaceship".into()),
                ("schemaVersion", ScalarValue::Int(1)),
            ],
            "refused: the record's kind \"spaceship\" is not one this server knows",
        );
        check(
            &[("kind", "customer".into())],
            "refused: the record has no numeric `schemaVersion` field",
        );
        check(
            &[("kind", "customer".into()), ("schemaVersion", "one".into())],
            "refused: the record has no numeric `schemaVersion` field",
        );
    }

    #[test]
    fn replayed_changes_change_nothing() {
        let (_, changes) = device_changes(&customer());
        let Ok(Ok(Applied::Changed(update))) = apply(None, &changes, LIMIT) else {
            panic!("the first push changes the record");
        };
        let replay = apply(Some(&update.saved), &changes, LIMIT).expect("stored document loads");
        assert!(matches!(replay, Ok(Applied::Unchanged)));
    }

    #[test]
    fn corrupt_and_orphaned_changes_are_refused() {
        let outcome = apply(None, &[vec![1, 2, 3]], LIMIT).expect("no stored document");
        assert!(matches!(
            outcome,
            Err(Refusal::CorruptChange { index: 0, .. })
        ));

        let (mut document, _) = device_changes(&customer());
        let heads = document.get_heads();
        document.put(ROOT, "name", "Acme Ltd").expect("put");
        document.commit();
        let second: Vec<Vec<u8>> = document
            .get_changes(&heads)
            .iter()
            .map(|change| change.raw_bytes().to_vec())
            .collect();
        let outcome = apply(None, &second, LIMIT).expect("no stored document");
        assert!(matches!(
            outcome,
            Err(Refusal::MissingDependencies { count: 1 })
        ));
    }

    #[test]
    fn documents_over_the_limit_are_refused() {
        let (_, changes) = device_changes(&customer());
        let outcome = apply(None, &changes, 10).expect("no stored document");
        assert!(matches!(outcome, Err(Refusal::TooLarge { limit: 10, .. })));
    }
}
