//! Pipelines and their stages (spec §1.2). A pipeline's stages live inside its document, keyed
//! by stage id, so two people editing different stages offline both keep their edits.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::common::clean_optional;
use crate::customer::{LONG_TEXT_MAX, SHORT_TEXT_MAX};
use crate::entity::Entity;
use crate::ids::{PipelineId, StageId};
use crate::kind::RecordKind;
use crate::role::Actor;
use crate::validation::{Rule, ValidationErrors, is_color};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub name: String,
    /// Display order, left to right.
    pub order: i64,
    /// Default win probability, 0–100.
    #[serde(default)]
    pub probability: i64,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub is_closed_won: bool,
    #[serde(default)]
    pub is_closed_lost: bool,
    /// Alert when a deal stays longer than this many days.
    #[serde(default)]
    pub days_in_stage: Option<i64>,
}

impl Stage {
    pub fn is_closed(&self) -> bool {
        self.is_closed_won || self.is_closed_lost
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    pub id: PipelineId,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default = "active")]
    pub is_active: bool,
    #[serde(default)]
    pub stages: BTreeMap<StageId, Stage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn active() -> bool {
    true
}

impl Pipeline {
    /// Stages in display order.
    pub fn ordered_stages(&self) -> Vec<(StageId, &Stage)> {
        let mut stages: Vec<(StageId, &Stage)> =
            self.stages.iter().map(|(id, stage)| (*id, stage)).collect();
        stages.sort_by_key(|(id, stage)| (stage.order, *id));
        stages
    }

    pub fn stage(&self, id: StageId) -> Option<&Stage> {
        self.stages.get(&id)
    }

    pub fn first_open_stage(&self) -> Option<StageId> {
        self.ordered_stages()
            .into_iter()
            .find(|(_, stage)| !stage.is_closed())
            .map(|(id, _)| id)
    }

    pub fn won_stage(&self) -> Option<StageId> {
        self.ordered_stages()
            .into_iter()
            .find(|(_, stage)| stage.is_closed_won)
            .map(|(id, _)| id)
    }

    pub fn lost_stage(&self) -> Option<StageId> {
        self.ordered_stages()
            .into_iter()
            .find(|(_, stage)| stage.is_closed_lost)
            .map(|(id, _)| id)
    }

    /// A stage by name, ignoring case (`"PROSPECTING"` finds "Prospecting").
    pub fn stage_named(&self, name: &str) -> Option<StageId> {
        let wanted = name.trim().replace('_', " ").to_lowercase();
        self.stages
            .iter()
            .find(|(_, stage)| stage.name.to_lowercase() == wanted)
            .map(|(id, _)| *id)
    }
}

/// The stages a new tenant's default pipeline starts with: (name, probability, colour, won, lost).
pub const DEFAULT_STAGES: &[(&str, i64, &str, bool, bool)] = &[
    ("Prospecting", 10, "#64748b", false, false),
    ("Qualification", 25, "#0ea5e9", false, false),
    ("Proposal", 50, "#6366f1", false, false),
    ("Negotiation", 75, "#f59e0b", false, false),
    ("Closed Won", 100, "#16a34a", true, false),
    ("Closed Lost", 0, "#dc2626", false, true),
];

impl Entity for Pipeline {
    const KIND: RecordKind = RecordKind::Pipeline;
    type Id = PipelineId;

    fn id(&self) -> PipelineId {
        self.id
    }

    fn draft(id: PipelineId, now: DateTime<Utc>, _actor: &Actor) -> Pipeline {
        Pipeline {
            id,
            name: String::new(),
            description: None,
            is_default: false,
            is_active: true,
            stages: BTreeMap::new(),
            created_at: now,
            updated_at: now,
        }
    }

    fn normalize(&mut self) {
        self.name = self.name.trim().to_owned();
        clean_optional(&mut self.description);
        for stage in self.stages.values_mut() {
            stage.name = stage.name.trim().to_owned();
            clean_optional(&mut stage.color);
        }
    }

    fn validate(&self, errors: &mut ValidationErrors) {
        errors.required_text("name", &self.name, SHORT_TEXT_MAX);
        errors.optional_text("description", self.description.as_deref(), LONG_TEXT_MAX);
        let mut names = HashSet::new();
        let mut orders = HashSet::new();
        for (index, (_, stage)) in self.ordered_stages().into_iter().enumerate() {
            let at = |field: &str| format!("stages[{index}].{field}");
            errors.required_text(&at("name"), &stage.name, SHORT_TEXT_MAX);
            if !names.insert(stage.name.to_lowercase()) {
                errors.push(&at("name"), Rule::Unique);
            }
            if !orders.insert(stage.order) {
                errors.push(&at("order"), Rule::Unique);
            }
            errors.percent(&at("probability"), stage.probability);
            if let Some(color) = &stage.color
                && !is_color(color)
            {
                errors.push(&at("color"), Rule::Color);
            }
            if stage.is_closed_won && stage.is_closed_lost {
                errors.push(
                    &at("isClosedLost"),
                    Rule::Inconsistent {
                        detail: "a stage cannot be both won and lost".into(),
                    },
                );
            }
            if let Some(days) = stage.days_in_stage
                && days < 1
            {
                errors.push(&at("daysInStage"), Rule::Range { min: 1, max: 3650 });
            }
        }
        if !self.stages.is_empty() && !self.stages.values().any(|stage| !stage.is_closed()) {
            errors.push(
                "stages",
                Rule::Inconsistent {
                    detail: "need at least one open stage".into(),
                },
            );
        }
    }
}
