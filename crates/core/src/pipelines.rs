//! Pipelines: the default pipeline every new tenant starts with, reading pipelines, and
//! changing their stages.

use std::collections::BTreeMap;

use crm_model::{
    Actor, DEFAULT_STAGES, Entity, FieldMap, Operation, Pipeline, PipelineId, RecordKind, Rule,
    Stage, StageId, TenantId, ValidationErrors,
};
use uuid::Uuid;

use crate::error::CoreError;
use crate::permissions::check;
use crate::store::{Store, now};

/// The default pipeline's id is derived from the tenant's, and its stages' ids from it, so two
/// devices of a tenant that each seed it offline create the same record, which merges into one.
pub fn default_pipeline_id(tenant: TenantId) -> PipelineId {
    PipelineId(Uuid::from_u128(
        tenant.as_uuid().as_u128() ^ 0x5eed_0000_0000_0000_0000_0000_0000_0001,
    ))
}

pub(crate) fn default_stage_id(pipeline: PipelineId, index: usize) -> StageId {
    StageId(Uuid::from_u128(
        pipeline.as_uuid().as_u128() ^ (0x57a6e_u128 << 64) ^ index as u128,
    ))
}

impl Store {
    /// Creates the tenant's default "Sales Pipeline" (spec §1.2 seed data) unless it exists.
    pub(crate) fn seed_default_pipeline(&mut self) -> Result<(), CoreError> {
        let id = default_pipeline_id(self.profile().tenant_id);
        if self.load_document(id.into())?.is_some() {
            return Ok(());
        }
        let actor = self.actor();
        let mut pipeline = Pipeline::draft(id, now(), &actor);
        pipeline.name = "Sales Pipeline".into();
        pipeline.is_default = true;
        pipeline.stages = DEFAULT_STAGES
            .iter()
            .enumerate()
            .map(|(index, (name, probability, color, won, lost))| {
                let stage = Stage {
                    name: (*name).to_owned(),
                    order: i64::try_from(index).unwrap_or(0),
                    probability: *probability,
                    color: Some((*color).to_owned()),
                    is_closed_won: *won,
                    is_closed_lost: *lost,
                    days_in_stage: (!won && !lost).then_some(30),
                };
                (default_stage_id(id, index), stage)
            })
            .collect::<BTreeMap<_, _>>();
        self.insert(&actor, &pipeline)?;
        Ok(())
    }

    /// Every pipeline not in the trash, the default first.
    pub fn list_pipelines(&self) -> Result<Vec<Pipeline>, CoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT id, data FROM pipelines WHERE deleted_at IS NULL ORDER BY is_default DESC, name")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut pipelines = Vec::new();
        for row in rows {
            let (id, data) = row?;
            pipelines.push(crate::materialize::from_data(&id, &data)?);
        }
        Ok(pipelines)
    }

    /// The tenant's default pipeline.
    pub fn default_pipeline(&self) -> Result<Pipeline, CoreError> {
        let pipelines = self.list_pipelines()?;
        pipelines
            .iter()
            .find(|pipeline| pipeline.is_default)
            .or_else(|| pipelines.first())
            .cloned()
            .ok_or(CoreError::NotFound {
                kind: crm_model::RecordKind::Pipeline,
                id: default_pipeline_id(self.profile().tenant_id).into(),
            })
    }

    /// Changes a pipeline (spec §3.5's configuration): like [`Store::update`], and a stage that
    /// still holds deals (in the trash or not) cannot be removed: its deals would point at
    /// nothing.
    pub fn update_pipeline(
        &mut self,
        actor: &Actor,
        id: PipelineId,
        patch: &FieldMap,
    ) -> Result<Pipeline, CoreError> {
        let current: Pipeline = self.get(id)?;
        let mut removed = Vec::new();
        if let Some(serde_json::Value::Object(stages)) = patch.get("stages") {
            let mut errors = ValidationErrors::default();
            for (stage_id, stage) in current.ordered_stages() {
                if stages.contains_key(&stage_id.to_string()) {
                    continue;
                }
                removed.push(("stages", stage_id.to_string()));
                let deals: i64 = self.conn.query_row(
                    "SELECT count(*) FROM deals WHERE pipeline_id = ?1 AND stage_id = ?2",
                    rusqlite::params![id.to_string(), stage_id.to_string()],
                    |row| row.get(0),
                )?;
                if deals > 0 {
                    errors.push(
                        "stages",
                        Rule::Inconsistent {
                            detail: format!(
                                "the stage “{}” holds {deals} deal{}; move them to another stage before removing it",
                                stage.name,
                                if deals == 1 { "" } else { "s" }
                            ),
                        },
                    );
                }
            }
            errors.into_result()?;
        }
        check(
            actor,
            Operation::Update,
            RecordKind::Pipeline,
            current.owner(),
        )?;
        let next = crm_model::apply_fields(&current, patch)?;
        self.check_references(&next)?;
        self.replace_removing(actor, &next, &removed)
    }
}
