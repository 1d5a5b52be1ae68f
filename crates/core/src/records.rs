//! Generic record operations: create, update (partial), get, for every entity kind. Each runs
//! the model's rules ([`crm_model::apply_fields`]) and the role rules, then the one write path.

use crm_model::{Actor, FieldMap, RecordId};
use uuid::Uuid;

use crate::error::CoreError;
use crate::materialize::{entity_from, fields_of};
use crm_model::Operation;

use crate::permissions::check;
use crate::references::References;
use crate::store::{Store, now};

impl Store {
    /// Creates a record of kind `E` from a create body (camelCase field names, as the spec's
    /// POST bodies). Returns the stored record.
    pub fn create<E: References>(
        &mut self,
        actor: &Actor,
        fields: &FieldMap,
    ) -> Result<E, CoreError> {
        let id = E::Id::from(Uuid::now_v7());
        let entity: E = crm_model::create_from_fields(id, now(), actor, fields)?;
        check(actor, Operation::Create, E::KIND, entity.owner())?;
        self.check_references(&entity)?;
        self.insert(actor, &entity)
    }

    /// Stores many new records in one transaction (imports, the demo data generator): each
    /// passes the same rules as [`Store::create`].
    pub fn insert_many<E: References>(
        &mut self,
        actor: &Actor,
        entities: &[E],
    ) -> Result<(), CoreError> {
        let mut writes = Vec::with_capacity(entities.len());
        for entity in entities {
            let mut errors = crm_model::ValidationErrors::default();
            let mut normalized = entity.clone();
            normalized.normalize();
            normalized.validate(&mut errors);
            errors.into_result()?;
            check(actor, Operation::Create, E::KIND, normalized.owner())?;
            self.check_references(&normalized)?;
            let record_id: RecordId = normalized.id().into();
            let fields = fields_of(record_id, &normalized)?;
            writes.push(self.stage(actor, E::KIND, record_id, None, |document| {
                document
                    .write_fields(&fields)
                    .map_err(|source| CoreError::Document {
                        id: record_id,
                        source: Box::new(source),
                    })
            })?);
        }
        self.persist(writes)
    }

    /// Stores a new record built by the caller (after its own checks).
    pub(crate) fn insert<E: References>(
        &mut self,
        actor: &Actor,
        entity: &E,
    ) -> Result<E, CoreError> {
        self.write_entity(actor, entity.clone(), false, &[])
    }

    /// The write of one entity: its derived fields (a lead's score), the entity itself, and the
    /// records that depend on it (the lead of a new communication is rescored), in one
    /// transaction. `removed` are `(field, key)` entries of the entity's keyed maps (a
    /// pipeline's stages) to delete: writing a map only adds and changes its keys, so that
    /// fields of a newer app version survive.
    fn write_entity<E: References>(
        &mut self,
        actor: &Actor,
        mut entity: E,
        existing: bool,
        removed: &[(&str, String)],
    ) -> Result<E, CoreError> {
        // Every stored entity passes the model's rules, whichever path built it.
        entity.normalize();
        let mut errors = crm_model::ValidationErrors::default();
        entity.validate(&mut errors);
        errors.into_result()?;
        entity.derive(self)?;
        let record_id: RecordId = entity.id().into();
        let document = if existing {
            Some(self.load_document(record_id)?.ok_or(CoreError::NotFound {
                kind: E::KIND,
                id: record_id,
            })?)
        } else {
            None
        };
        let fields = fields_of(record_id, &entity)?;
        let staged = self.stage(actor, E::KIND, record_id, document, |document| {
            document
                .write_fields(&fields)
                .and_then(|()| {
                    removed
                        .iter()
                        .try_for_each(|(field, key)| document.delete_map_key(field, key))
                })
                .map_err(|source| CoreError::Document {
                    id: record_id,
                    source: Box::new(source),
                })
        })?;
        let stored = entity_from(record_id, &staged.fields, staged.updated_at)?;
        let mut writes = vec![staged];
        writes.extend(entity.dependents(self, actor)?);
        self.persist(writes)?;
        Ok(stored)
    }

    /// Changes the fields named in `patch`, and only those.
    pub fn update<E: References>(
        &mut self,
        actor: &Actor,
        id: E::Id,
        patch: &FieldMap,
    ) -> Result<E, CoreError> {
        let current: E = self.get(id)?;
        check(actor, Operation::Update, E::KIND, current.owner())?;
        let next = crm_model::apply_fields(&current, patch)?;
        if next.owner() != current.owner() {
            // Giving a record away is changing it as its new owner too.
            check(actor, Operation::Update, E::KIND, next.owner())?;
        }
        self.check_references(&next)?;
        self.replace(actor, &next)
    }

    /// Writes `next` over the stored record (only the fields that differ become a change).
    pub(crate) fn replace<E: References>(
        &mut self,
        actor: &Actor,
        next: &E,
    ) -> Result<E, CoreError> {
        self.write_entity(actor, next.clone(), true, &[])
    }

    /// [`Store::replace`], deleting the keys `removed` of the entity's keyed maps.
    pub(crate) fn replace_removing<E: References>(
        &mut self,
        actor: &Actor,
        next: &E,
        removed: &[(&str, String)],
    ) -> Result<E, CoreError> {
        self.write_entity(actor, next.clone(), true, removed)
    }

    /// The record as its document holds it now.
    pub fn get<E: References>(&self, id: E::Id) -> Result<E, CoreError> {
        let record_id: RecordId = id.into();
        let Some(mut document) = self.load_document(record_id)? else {
            return Err(self.missing(E::KIND, record_id));
        };
        if document.kind().ok() != Some(E::KIND) {
            return Err(CoreError::NotFound {
                kind: E::KIND,
                id: record_id,
            });
        }
        let fields = document.fields().map_err(|source| CoreError::Document {
            id: record_id,
            source: Box::new(source),
        })?;
        entity_from(record_id, &fields, document.last_change_time())
    }

    /// Convenience for a caller holding no patch map: `patch` as a JSON object literal.
    pub fn update_with<E: References>(
        &mut self,
        actor: &Actor,
        id: E::Id,
        patch: serde_json::Value,
    ) -> Result<E, CoreError> {
        let serde_json::Value::Object(patch) = patch else {
            return Err(CoreError::Validation(crm_model::ValidationErrors(vec![
                crm_model::FieldError {
                    field: "patch".into(),
                    rule: crm_model::Rule::Invalid {
                        expected: "an object of fields".into(),
                    },
                },
            ])));
        };
        self.update(actor, id, &patch)
    }
}
