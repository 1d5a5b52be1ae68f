//! A record document: one Automerge document per CRM record, holding the record's fields as a
//! map plus `kind`, `schemaVersion` and `deletedAt`.
//!
//! Fields move between the model's types and the document through serde's JSON data model, so a
//! field list lives once (in the model) and every kind is mapped by the same code:
//! - writing puts only the fields whose value differs, so concurrent edits of different fields
//!   on two devices merge field by field, and fields this build does not know are left as they
//!   are;
//! - reading gives every field of the root map, known or not, as a JSON object.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, Change, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value,
};
use chrono::{DateTime, Utc};
use crm_model::{DeviceId, RecordKind, SCHEMA_VERSION, UserId};
use serde_json::{Map, Number, Value as Json};

pub(crate) const KIND_FIELD: &str = "kind";
pub(crate) const SCHEMA_VERSION_FIELD: &str = "schemaVersion";
pub(crate) const DELETED_AT_FIELD: &str = "deletedAt";
/// Set on records trashed along with another (a customer's contacts): the other's id.
pub(crate) const DELETED_WITH_FIELD: &str = "deletedWith";

/// The document could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the record document has no valid `kind` field")]
    MissingKind,
    #[error("a change could not be decoded: {0}")]
    Change(#[from] automerge::LoadChangeError),
}

pub(crate) struct RecordDocument {
    doc: AutoCommit,
    /// For a document created here and only written with [`RecordDocument::write_fields`]
    /// since: its fields, kept as they were written, so a new record (an import, the demo
    /// generator) neither looks up each key before putting it nor reads every field back.
    /// `None` once the document holds anything else (loaded, merged, rewritten).
    fresh: Option<Map<String, Json>>,
    /// The fresh fields are not in `doc` yet: the first commit writes them all in one batch
    /// (two splices of Automerge's op set instead of one per field).
    unwritten: bool,
}

/// Who made a change; stored in the change's message so the record's history can name them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Author {
    pub(crate) user_id: UserId,
    pub(crate) at_millis: i64,
}

impl RecordDocument {
    /// A new, empty document of `kind`, edited as `device`.
    pub(crate) fn create(
        kind: RecordKind,
        device: DeviceId,
    ) -> Result<RecordDocument, DocumentError> {
        let doc = AutoCommit::new().with_actor(actor_of(device));
        let mut fields = Map::new();
        fields.insert(KIND_FIELD.into(), Json::from(kind.as_str()));
        fields.insert(SCHEMA_VERSION_FIELD.into(), Json::from(SCHEMA_VERSION));
        fields.insert(DELETED_AT_FIELD.into(), Json::Null);
        Ok(RecordDocument {
            doc,
            fresh: Some(fields),
            unwritten: true,
        })
    }

    /// A document with no changes at all, to apply a remote record's changes to.
    pub(crate) fn empty(device: DeviceId) -> RecordDocument {
        RecordDocument {
            doc: AutoCommit::new().with_actor(actor_of(device)),
            fresh: None,
            unwritten: false,
        }
    }

    pub(crate) fn load(bytes: &[u8], device: DeviceId) -> Result<RecordDocument, DocumentError> {
        let doc = AutoCommit::load(bytes)?.with_actor(actor_of(device));
        Ok(RecordDocument {
            doc,
            fresh: None,
            unwritten: false,
        })
    }

    /// Takes every change of `other` this document lacks (a server's copy of the record, when a
    /// device bootstraps over records it already has).
    pub(crate) fn merge(&mut self, other: &mut RecordDocument) -> Result<(), DocumentError> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    /// Every change of the document, oldest first, as bytes to push.
    pub(crate) fn all_changes(&mut self) -> Vec<Vec<u8>> {
        self.doc
            .get_changes(&[])
            .into_iter()
            .map(|change| change.raw_bytes().to_vec())
            .collect()
    }

    pub(crate) fn kind(&self) -> Result<RecordKind, DocumentError> {
        if let Some(fields) = &self.fresh {
            return fields
                .get(KIND_FIELD)
                .and_then(Json::as_str)
                .and_then(|text| text.parse().ok())
                .ok_or(DocumentError::MissingKind);
        }
        match self.doc.get(automerge::ROOT, KIND_FIELD)? {
            Some((Value::Scalar(scalar), _)) => match scalar.as_ref() {
                ScalarValue::Str(text) => text.parse().map_err(|_| DocumentError::MissingKind),
                _ => Err(DocumentError::MissingKind),
            },
            _ => Err(DocumentError::MissingKind),
        }
    }

    /// Every field of the root map as JSON, unknown ones included.
    pub(crate) fn fields(&self) -> Result<Map<String, Json>, DocumentError> {
        match &self.fresh {
            Some(fields) => Ok(fields.clone()),
            None => read_map(&self.doc, &automerge::ROOT),
        }
    }

    /// Puts each of `fields` even where the shown value already equals it: resolving a conflict
    /// must supersede every concurrent value, which only a new write does.
    pub(crate) fn rewrite_fields(
        &mut self,
        fields: &Map<String, Json>,
    ) -> Result<(), DocumentError> {
        self.write_unwritten()?;
        self.fresh = None;
        for (key, value) in fields {
            match json_to_scalar(value) {
                Some(scalar) => {
                    self.doc.put(automerge::ROOT, key.as_str(), scalar)?;
                }
                None => {
                    self.doc.delete(automerge::ROOT, key.as_str())?;
                    write_value(&mut self.doc, &automerge::ROOT, key, value)?;
                }
            }
        }
        Ok(())
    }

    /// The document without `dropped` changes and every change that builds on them: what the
    /// server holds when it refused those changes. `None` when nothing would be left.
    pub(crate) fn without_changes(
        &mut self,
        dropped: &[ChangeHash],
        device: DeviceId,
    ) -> Result<Option<RecordDocument>, DocumentError> {
        let mut excluded: std::collections::HashSet<ChangeHash> = dropped.iter().copied().collect();
        let mut kept = Vec::new();
        // `get_changes` is in causal order, so a change's dependencies come before it.
        for change in self.doc.get_changes(&[]) {
            if excluded.contains(&change.hash())
                || change.deps().iter().any(|dep| excluded.contains(dep))
            {
                excluded.insert(change.hash());
            } else {
                kept.push(change);
            }
        }
        if kept.is_empty() {
            return Ok(None);
        }
        let mut rebuilt = RecordDocument::empty(device);
        rebuilt.apply_changes(kept)?;
        Ok(Some(rebuilt))
    }

    /// Root fields that hold several values because devices set them concurrently: each with
    /// every value, the winner (the one shown everywhere) first.
    pub(crate) fn conflicts(&mut self) -> Result<Vec<FieldConflict>, DocumentError> {
        if self.fresh.is_some() {
            // Only this device has written it: nothing can be concurrent.
            return Ok(Vec::new());
        }
        let keys: Vec<String> = self.doc.keys(automerge::ROOT).collect();
        let mut conflicts = Vec::new();
        for key in keys {
            if NOT_CONFLICTS.contains(&key.as_str()) {
                continue;
            }
            let all = self.doc.get_all(automerge::ROOT, key.as_str())?;
            if all.len() < 2 {
                continue;
            }
            let winner = self
                .doc
                .get(automerge::ROOT, key.as_str())?
                .map(|(_, id)| id);
            let mut values = Vec::with_capacity(all.len());
            for (value, id) in all {
                let json = read_value(&self.doc, value, &id)?;
                let change = self
                    .doc
                    .hash_for_opid(&id)
                    .and_then(|hash| self.doc.get_change_by_hash(&hash));
                values.push(ConflictValue {
                    value: json,
                    winner: winner.as_ref() == Some(&id),
                    user: change
                        .as_ref()
                        .and_then(|change| change.message().map(str::to_owned)),
                    at_millis: change.as_ref().map(|change| change.timestamp()),
                });
            }
            // Concurrent writes of the same value are no conflict for a person.
            if values.windows(2).all(|pair| pair[0].value == pair[1].value) {
                continue;
            }
            values.sort_by_key(|value| !value.winner);
            conflicts.push(FieldConflict { field: key, values });
        }
        Ok(conflicts)
    }

    /// Puts each of `fields` whose value differs from the document's. Keys not in `fields` are
    /// left alone. Nothing is committed until [`RecordDocument::commit`].
    pub(crate) fn write_fields(&mut self, fields: &Map<String, Json>) -> Result<(), DocumentError> {
        match &mut self.fresh {
            Some(written) if self.unwritten => {
                written.extend(
                    fields
                        .iter()
                        .map(|(key, value)| (key.clone(), value.clone())),
                );
                Ok(())
            }
            Some(written) => {
                for (key, value) in fields {
                    if written.get(key) == Some(value) {
                        continue;
                    }
                    if written.contains_key(key) {
                        // Written twice before the first save: the general path compares.
                        write_value(&mut self.doc, &automerge::ROOT, key, value)?;
                    } else {
                        put_new(&mut self.doc, &automerge::ROOT, key, value)?;
                    }
                    written.insert(key.clone(), value.clone());
                }
                Ok(())
            }
            None => write_map(&mut self.doc, &automerge::ROOT, fields),
        }
    }

    /// Deletes `key` from the map under the root field `field` (a pipeline's removed stage).
    /// Nothing happens when either is absent.
    pub(crate) fn delete_map_key(&mut self, field: &str, key: &str) -> Result<(), DocumentError> {
        self.write_unwritten()?;
        if let Some(written) = &mut self.fresh
            && let Some(Json::Object(map)) = written.get_mut(field)
        {
            map.remove(key);
        }
        if let Some((Value::Object(ObjType::Map), map)) = self.doc.get(&automerge::ROOT, field)?
            && self.doc.get(&map, key)?.is_some()
        {
            self.doc.delete(&map, key)?;
        }
        Ok(())
    }

    /// Commits the pending edits as one change, or returns `None` when nothing changed.
    pub(crate) fn commit(&mut self, author: Author) -> Result<Option<Change>, DocumentError> {
        self.write_unwritten()?;
        let options = CommitOptions::default()
            .with_message(author.user_id.to_string())
            .with_time(author.at_millis);
        if self.doc.commit_with(options).is_none() {
            return Ok(None);
        }
        Ok(self.doc.get_last_local_change())
    }

    /// Writes a new document's fields into it, all in one batch.
    fn write_unwritten(&mut self) -> Result<(), DocumentError> {
        if let (true, Some(fields)) = (self.unwritten, &self.fresh) {
            self.doc.init_root_from_hydrate(&hydrate_map(fields))?;
            self.unwritten = false;
        }
        Ok(())
    }

    /// Applies changes received from elsewhere. Changes the document already has are skipped.
    pub(crate) fn apply_changes(&mut self, changes: Vec<Change>) -> Result<(), DocumentError> {
        self.write_unwritten()?;
        self.fresh = None;
        self.doc.apply_changes(changes)?;
        Ok(())
    }

    /// The document's changes in causal order, each with the fields before and after it: the
    /// record's audit trail. Replays the history, so it costs O(changes × fields).
    pub(crate) fn history(&mut self) -> Result<Vec<HistoryStep>, DocumentError> {
        let changes = self.doc.get_changes(&[]);
        let mut replay = AutoCommit::new();
        let mut before = Map::new();
        let mut steps = Vec::with_capacity(changes.len());
        for change in changes {
            let actor = change.actor_id().to_bytes().to_vec();
            let message = change.message().map(str::to_owned);
            let time = change.timestamp();
            replay.apply_changes([change])?;
            let after = read_map(&replay, &automerge::ROOT)?;
            steps.push(HistoryStep {
                actor,
                message,
                time,
                before: std::mem::replace(&mut before, after.clone()),
                after,
            });
        }
        Ok(steps)
    }

    pub(crate) fn heads(&mut self) -> Vec<ChangeHash> {
        debug_assert!(
            !self.unwritten,
            "a new document is read after its first commit"
        );
        self.doc.get_heads()
    }

    /// The time of the newest change among the heads: the record's "updated at". Changes made
    /// by this app carry milliseconds since the epoch.
    pub(crate) fn last_change_time(&mut self) -> DateTime<Utc> {
        let heads = self.doc.get_heads();
        heads
            .iter()
            .filter_map(|hash| self.doc.get_change_by_hash(hash))
            .map(|change| change.timestamp())
            .max()
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or_default()
    }

    /// The whole document, uncompressed: record documents are small, and DEFLATE of their
    /// columns cost more time on every write and load than it saved space.
    pub(crate) fn save(&mut self) -> Vec<u8> {
        debug_assert!(
            !self.unwritten,
            "a new document is saved after its first commit"
        );
        self.doc.save_nocompress()
    }
}

/// Fields a person never chooses, so concurrent values in them are no conflict to show: the
/// record's creation stamp, set by each device that created the same record (the tenant's
/// default pipeline, seeded by every admin's device under one id).
const NOT_CONFLICTS: &[&str] = &["createdAt", "createdBy"];

/// A root field with concurrent values.
pub(crate) struct FieldConflict {
    pub(crate) field: String,
    pub(crate) values: Vec<ConflictValue>,
}

pub(crate) struct ConflictValue {
    pub(crate) value: Json,
    pub(crate) winner: bool,
    /// The user id in the change's message.
    pub(crate) user: Option<String>,
    pub(crate) at_millis: Option<i64>,
}

/// One change of a record's history with the fields around it.
pub(crate) struct HistoryStep {
    pub(crate) actor: Vec<u8>,
    pub(crate) message: Option<String>,
    pub(crate) time: i64,
    pub(crate) before: Map<String, Json>,
    pub(crate) after: Map<String, Json>,
}

pub(crate) fn actor_of(device: DeviceId) -> ActorId {
    ActorId::from(device.as_uuid().as_bytes().as_slice())
}

pub(crate) fn heads_text(heads: &[ChangeHash]) -> String {
    heads
        .iter()
        .map(ChangeHash::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Every key of a map with its shown value, in one pass over the map's ops (a `get` per key
/// would search the ops again for each).
fn read_map(doc: &AutoCommit, obj: &ObjId) -> Result<Map<String, Json>, DocumentError> {
    let mut fields = Map::new();
    for item in doc.map_range(obj, ..) {
        let json = match item.value.clone().into_value() {
            Value::Scalar(scalar) => scalar_to_json(&scalar),
            object => read_value(doc, object, &item.id())?,
        };
        fields.insert(item.key.into_owned(), json);
    }
    Ok(fields)
}

fn read_value(doc: &AutoCommit, value: Value<'_>, id: &ObjId) -> Result<Json, DocumentError> {
    Ok(match value {
        Value::Scalar(scalar) => scalar_to_json(&scalar),
        Value::Object(ObjType::Map | ObjType::Table) => Json::Object(read_map(doc, id)?),
        Value::Object(ObjType::List) => {
            let mut items = Vec::with_capacity(doc.length(id));
            for index in 0..doc.length(id) {
                if let Some((item, item_id)) = doc.get(id, index)? {
                    items.push(read_value(doc, item, &item_id)?);
                }
            }
            Json::Array(items)
        }
        Value::Object(ObjType::Text) => Json::String(doc.text(id)?),
    })
}

fn scalar_to_json(scalar: &ScalarValue) -> Json {
    match scalar {
        ScalarValue::Str(text) => Json::String(text.to_string()),
        ScalarValue::Int(number) => Json::from(*number),
        ScalarValue::Uint(number) => Json::from(*number),
        ScalarValue::F64(number) => Number::from_f64(*number).map_or(Json::Null, Json::Number),
        ScalarValue::Counter(counter) => Json::from(i64::from(counter)),
        ScalarValue::Timestamp(millis) => Json::from(*millis),
        ScalarValue::Boolean(flag) => Json::Bool(*flag),
        ScalarValue::Null | ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } => Json::Null,
    }
}

fn json_to_scalar(value: &Json) -> Option<ScalarValue> {
    Some(match value {
        Json::Null => ScalarValue::Null,
        Json::Bool(flag) => ScalarValue::Boolean(*flag),
        Json::Number(number) => match number.as_i64() {
            Some(integer) => ScalarValue::Int(integer),
            None => ScalarValue::F64(number.as_f64().unwrap_or(0.0)),
        },
        Json::String(text) => ScalarValue::Str(text.as_str().into()),
        Json::Array(_) | Json::Object(_) => return None,
    })
}

fn write_map(
    doc: &mut AutoCommit,
    obj: &ObjId,
    fields: &Map<String, Json>,
) -> Result<(), DocumentError> {
    for (key, value) in fields {
        write_value(doc, obj, key, value)?;
    }
    Ok(())
}

/// Puts `value` under `key` unless the document already holds exactly it. Nested objects are
/// diffed key by key; a list that differs is replaced whole (lists are small: tags, line items).
fn write_value(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: &Json,
) -> Result<(), DocumentError> {
    let current = doc.get(obj, key)?.map(|(value, id)| (value.to_owned(), id));
    match (value, current) {
        (Json::Object(fields), Some((Value::Object(ObjType::Map), id))) => {
            write_map(doc, &id, fields)
        }
        (Json::Object(fields), _) => {
            let id = doc.put_object(obj, key, ObjType::Map)?;
            write_map(doc, &id, fields)
        }
        (Json::Array(items), current) => {
            if let Some((current_value, id)) = current
                && read_value(doc, current_value, &id)? == *value
            {
                return Ok(());
            }
            let id = doc.put_object(obj, key, ObjType::List)?;
            for (index, item) in items.iter().enumerate() {
                insert_value(doc, &id, index, item)?;
            }
            Ok(())
        }
        (scalar, current) => {
            let Some(new) = json_to_scalar(scalar) else {
                return Ok(());
            };
            if let Some((Value::Scalar(old), _)) = &current
                && scalar_to_json(old) == *scalar
                && same_scalar_type(old, &new)
            {
                return Ok(());
            }
            doc.put(obj, key, new)?;
            Ok(())
        }
    }
}

/// A JSON object as Automerge's hydrated map, for a batch write.
fn hydrate_map(fields: &Map<String, Json>) -> automerge::hydrate::Map {
    fields
        .iter()
        .map(|(key, value)| (key.clone(), hydrate(value)))
        .collect::<std::collections::HashMap<String, automerge::hydrate::Value>>()
        .into()
}

fn hydrate(value: &Json) -> automerge::hydrate::Value {
    match value {
        Json::Object(fields) => automerge::hydrate::Value::Map(hydrate_map(fields)),
        Json::Array(items) => items.iter().map(hydrate).collect::<Vec<_>>().into(),
        scalar => {
            automerge::hydrate::Value::Scalar(json_to_scalar(scalar).unwrap_or(ScalarValue::Null))
        }
    }
}

/// Puts `value` under a `key` the map does not hold yet: no lookup, no comparison.
fn put_new(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: &Json,
) -> Result<(), DocumentError> {
    match value {
        Json::Object(fields) => {
            let id = doc.put_object(obj, key, ObjType::Map)?;
            for (inner, item) in fields {
                put_new(doc, &id, inner, item)?;
            }
        }
        Json::Array(items) => {
            let id = doc.put_object(obj, key, ObjType::List)?;
            for (index, item) in items.iter().enumerate() {
                insert_value(doc, &id, index, item)?;
            }
        }
        scalar => {
            if let Some(new) = json_to_scalar(scalar) {
                doc.put(obj, key, new)?;
            }
        }
    }
    Ok(())
}

fn insert_value(
    doc: &mut AutoCommit,
    list: &ObjId,
    index: usize,
    value: &Json,
) -> Result<(), DocumentError> {
    match value {
        Json::Object(fields) => {
            let id = doc.insert_object(list, index, ObjType::Map)?;
            write_map(doc, &id, fields)
        }
        Json::Array(items) => {
            let id = doc.insert_object(list, index, ObjType::List)?;
            for (inner, item) in items.iter().enumerate() {
                insert_value(doc, &id, inner, item)?;
            }
            Ok(())
        }
        scalar => {
            if let Some(new) = json_to_scalar(scalar) {
                doc.insert(list, index, new)?;
            }
            Ok(())
        }
    }
}

fn same_scalar_type(a: &ScalarValue, b: &ScalarValue) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn device(n: u8) -> DeviceId {
        DeviceId(uuid::Uuid::from_bytes([n; 16]))
    }

    fn author() -> Author {
        Author {
            user_id: UserId(uuid::Uuid::nil()),
            at_millis: 1_700_000_000_000,
        }
    }

    fn object(value: Json) -> Map<String, Json> {
        match value {
            Json::Object(map) => map,
            _ => unreachable!("test input is an object"),
        }
    }

    #[test]
    fn fields_round_trip_through_the_document() {
        let mut document = RecordDocument::create(RecordKind::Customer, device(1)).expect("create");
        let fields = object(json!({
            "name": "Acme Corp",
            "annualRevenue": 1.5e6,
            "employees": 120,
            "tags": ["enterprise", "tech"],
            "billingAddress": {"city": "Berlin", "zip": "10115"},
            "industry": null,
            "active": true,
        }));
        document.write_fields(&fields).expect("write");
        document
            .commit(author())
            .expect("commits")
            .expect("a change");
        let mut expected = fields.clone();
        expected.insert("kind".into(), json!("customer"));
        expected.insert("schemaVersion".into(), json!(1));
        expected.insert("deletedAt".into(), Json::Null);
        assert_eq!(document.fields().expect("read"), expected);
        assert_eq!(document.kind().expect("kind"), RecordKind::Customer);
    }

    #[test]
    fn writing_equal_values_makes_no_change() {
        let mut document = RecordDocument::create(RecordKind::Customer, device(1)).expect("create");
        let fields = object(json!({"name": "Acme", "tags": ["a"], "address": {"city": "Oslo"}}));
        document.write_fields(&fields).expect("write");
        document
            .commit(author())
            .expect("commits")
            .expect("first change");
        document.write_fields(&fields).expect("write again");
        assert!(document.commit(author()).expect("commits").is_none());
    }

    #[test]
    fn unknown_fields_survive_an_edit() {
        let mut newer = RecordDocument::create(RecordKind::Customer, device(1)).expect("create");
        newer
            .write_fields(&object(json!({"name": "Acme", "loyaltyTier": "gold"})))
            .expect("write");
        newer.commit(author()).expect("commits").expect("change");
        let mut older = RecordDocument::load(&newer.save(), device(2)).expect("load");
        older
            .write_fields(&object(json!({"name": "Acme Corp"})))
            .expect("edit");
        older.commit(author()).expect("commits").expect("change");
        let fields = older.fields().expect("read");
        assert_eq!(fields["name"], "Acme Corp");
        assert_eq!(fields["loyaltyTier"], "gold");
    }

    #[test]
    fn concurrent_edits_of_different_fields_merge() {
        let mut base = RecordDocument::create(RecordKind::Customer, device(1)).expect("create");
        base.write_fields(&object(json!({"name": "Acme", "industry": null})))
            .expect("write");
        base.commit(author()).expect("commits").expect("change");
        let bytes = base.save();
        let mut a = RecordDocument::load(&bytes, device(1)).expect("load a");
        let mut b = RecordDocument::load(&bytes, device(2)).expect("load b");
        a.write_fields(&object(json!({"name": "Acme Corp"})))
            .expect("edit a");
        let change_a = a.commit(author()).expect("commits").expect("change a");
        b.write_fields(&object(json!({"industry": "Technology"})))
            .expect("edit b");
        let change_b = b.commit(author()).expect("commits").expect("change b");
        a.apply_changes(vec![change_b]).expect("apply b");
        b.apply_changes(vec![change_a]).expect("apply a");
        assert_eq!(a.fields().expect("a"), b.fields().expect("b"));
        assert_eq!(a.fields().expect("a")["name"], "Acme Corp");
        assert_eq!(a.fields().expect("a")["industry"], "Technology");
    }
}
