//! Settings → Pipelines (spec §3.5's configuration): pick a pipeline or make a new one; add,
//! rename, reorder and remove stages, set their probability, colour and won/lost flags. The
//! draft is edited here and saved at once; the store's rules (unique names, 0–100, a stage with
//! deals cannot go) answer with the field that is wrong.

use crm_model::{FieldMap, Pipeline, PipelineId, Stage, StageId};
use crm_protocol::ipc::{CreatePipeline, IpcError, ListPipelines, UpdatePipeline, UpdateRecord};
use serde_json::json;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::SelectField;
use crate::hooks::{Load, use_app, use_command};
use crate::ipc;
use crate::state::AppAction;

/// A stage as the editor holds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StageDraft {
    pub(crate) id: StageId,
    pub(crate) name: String,
    pub(crate) probability: i64,
    pub(crate) color: String,
    pub(crate) won: bool,
    pub(crate) lost: bool,
    pub(crate) days_in_stage: Option<i64>,
}

/// A pipeline being edited: its stages in display order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PipelineDraft {
    /// `None` for a pipeline not saved yet.
    pub(crate) id: Option<PipelineId>,
    pub(crate) name: String,
    pub(crate) stages: Vec<StageDraft>,
}

const DEFAULT_COLOR: &str = "#64748b";

impl PipelineDraft {
    pub(crate) fn of(pipeline: &Pipeline) -> PipelineDraft {
        PipelineDraft {
            id: Some(pipeline.id),
            name: pipeline.name.clone(),
            stages: pipeline
                .ordered_stages()
                .into_iter()
                .map(|(id, stage)| StageDraft {
                    id,
                    name: stage.name.clone(),
                    probability: stage.probability,
                    color: stage
                        .color
                        .clone()
                        .unwrap_or_else(|| DEFAULT_COLOR.to_owned()),
                    won: stage.is_closed_won,
                    lost: stage.is_closed_lost,
                    days_in_stage: stage.days_in_stage,
                })
                .collect(),
        }
    }

    /// A new pipeline with a first stage, a won and a lost stage.
    pub(crate) fn new(ids: [StageId; 3]) -> PipelineDraft {
        let stage = |id, name: &str, probability, won, lost| StageDraft {
            id,
            name: name.to_owned(),
            probability,
            color: DEFAULT_COLOR.to_owned(),
            won,
            lost,
            days_in_stage: None,
        };
        PipelineDraft {
            id: None,
            name: "New pipeline".to_owned(),
            stages: vec![
                stage(ids[0], "First contact", 10, false, false),
                stage(ids[1], "Won", 100, true, false),
                stage(ids[2], "Lost", 0, false, true),
            ],
        }
    }

    /// Adds an open stage before the closed ones.
    pub(crate) fn add_stage(&mut self, id: StageId) {
        let at = self
            .stages
            .iter()
            .position(|stage| stage.won || stage.lost)
            .unwrap_or(self.stages.len());
        self.stages.insert(
            at,
            StageDraft {
                id,
                name: format!("Stage {}", self.stages.len() + 1),
                probability: 50,
                color: DEFAULT_COLOR.to_owned(),
                won: false,
                lost: false,
                days_in_stage: None,
            },
        );
    }

    /// Moves stage `index` one place left (`-1`) or right (`1`).
    pub(crate) fn shift(&mut self, index: usize, by: isize) {
        let Some(target) = index.checked_add_signed(by) else {
            return;
        };
        if index < self.stages.len() && target < self.stages.len() {
            self.stages.swap(index, target);
        }
    }

    /// The stored fields: name, and every stage keyed by id with its order (10, 20, …).
    pub(crate) fn fields(&self) -> FieldMap {
        let stages: serde_json::Map<String, serde_json::Value> = self
            .stages
            .iter()
            .enumerate()
            .map(|(index, stage)| {
                let stored = Stage {
                    name: stage.name.trim().to_owned(),
                    order: (index as i64 + 1) * 10,
                    probability: stage.probability,
                    color: Some(stage.color.clone()),
                    is_closed_won: stage.won,
                    is_closed_lost: stage.lost,
                    days_in_stage: stage.days_in_stage,
                };
                (
                    stage.id.to_string(),
                    serde_json::to_value(stored).unwrap_or_default(),
                )
            })
            .collect();
        let mut fields = FieldMap::new();
        fields.insert("name".into(), json!(self.name.trim()));
        fields.insert("stages".into(), serde_json::Value::Object(stages));
        fields
    }
}

/// A change to one stage from its input.
type StageEdit = Box<dyn Fn(&mut StageDraft, &HtmlInputElement)>;

/// A fresh stage id from the webview's random UUIDs.
fn new_stage_id() -> Option<StageId> {
    web_sys::window()?.crypto().ok()?.random_uuid().parse().ok()
}

/// The message of a refused save, field by field.
fn refusal(error: &IpcError) -> String {
    error.message.clone()
}

#[component]
pub(crate) fn PipelineSettings() -> Html {
    let app = use_app();
    let pipelines = use_command::<ListPipelines, _>((), app.data_version);
    let selected = use_state(|| None::<PipelineId>);
    let draft = use_state(|| None::<PipelineDraft>);
    let error = use_state(|| None::<String>);
    let saving = use_state(|| false);

    // The first pipeline is open by default; a reload (a sync, a save) refreshes an unchanged
    // draft.
    {
        let draft = draft.clone();
        let selected = selected.clone();
        use_effect_with(
            ((*pipelines).clone(), *selected),
            move |(pipelines, chosen)| {
                if let Load::Loaded(list) = pipelines {
                    let pipeline = chosen
                        .and_then(|id| list.iter().find(|pipeline| pipeline.id == id))
                        .or_else(|| list.first());
                    if let Some(pipeline) = pipeline
                        && draft
                            .as_ref()
                            .is_none_or(|current| current.id == Some(pipeline.id))
                    {
                        draft.set(Some(PipelineDraft::of(pipeline)));
                    }
                }
            },
        );
    }

    let update = |change: Box<dyn Fn(&mut PipelineDraft)>| {
        let draft = draft.clone();
        Callback::from(move |()| {
            if let Some(current) = &*draft {
                let mut next = current.clone();
                change(&mut next);
                draft.set(Some(next));
            }
        })
    };
    let on_pipeline = {
        let selected = selected.clone();
        let draft = draft.clone();
        let pipelines = pipelines.clone();
        Callback::from(move |value: String| {
            let id: Option<PipelineId> = value.parse().ok();
            selected.set(id);
            if let (Load::Loaded(list), Some(id)) = (&*pipelines, id)
                && let Some(pipeline) = list.iter().find(|pipeline| pipeline.id == id)
            {
                draft.set(Some(PipelineDraft::of(pipeline)));
            }
        })
    };
    let new_pipeline = {
        let draft = draft.clone();
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            match (new_stage_id(), new_stage_id(), new_stage_id()) {
                (Some(a), Some(b), Some(c)) => draft.set(Some(PipelineDraft::new([a, b, c]))),
                _ => app.error("The webview gave no random ids; please restart the app."),
            }
        })
    };
    let save = {
        let draft = draft.clone();
        let error = error.clone();
        let saving = saving.clone();
        let selected = selected.clone();
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(current) = (*draft).clone() else {
                return;
            };
            let error = error.clone();
            let saving = saving.clone();
            let selected = selected.clone();
            let draft = draft.clone();
            let app = app.clone();
            saving.set(true);
            spawn_local(async move {
                let fields = current.fields();
                let saved = match current.id {
                    Some(id) => {
                        ipc::call::<UpdatePipeline>(&UpdateRecord { id, patch: fields }).await
                    }
                    None => ipc::call::<CreatePipeline>(&fields).await,
                };
                saving.set(false);
                match saved {
                    Ok(pipeline) => {
                        error.set(None);
                        selected.set(Some(pipeline.id));
                        draft.set(Some(PipelineDraft::of(&pipeline)));
                        app.success(format!("Pipeline “{}” saved", pipeline.name));
                        app.dispatch.emit(AppAction::DataChanged);
                    }
                    Err(failure) => error.set(Some(refusal(&failure))),
                }
            });
        })
    };

    let options: Vec<(AttrValue, AttrValue)> = match &*pipelines {
        Load::Loaded(list) => list
            .iter()
            .map(|pipeline| {
                (
                    AttrValue::from(pipeline.id.to_string()),
                    AttrValue::from(pipeline.name.clone()),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let editor = draft.as_ref().map(|current| {
        let count = current.stages.len();
        let rows = current.stages.iter().enumerate().map(|(index, stage)| {
            let edit = |change: StageEdit| {
                let draft = draft.clone();
                Callback::from(move |event: Event| {
                    let input = event.target_unchecked_into::<HtmlInputElement>();
                    if let Some(current) = &*draft {
                        let mut next = current.clone();
                        if let Some(stage) = next.stages.get_mut(index) {
                            change(stage, &input);
                        }
                        draft.set(Some(next));
                    }
                })
            };
            let on_name = edit(Box::new(|stage, input| stage.name = input.value()));
            let on_probability = edit(Box::new(|stage, input| {
                stage.probability = input.value().trim().parse().unwrap_or(stage.probability);
            }));
            let on_color = edit(Box::new(|stage, input| stage.color = input.value()));
            let on_won = edit(Box::new(|stage, input| {
                stage.won = input.checked();
                if stage.won {
                    stage.lost = false;
                    stage.probability = 100;
                }
            }));
            let on_lost = edit(Box::new(|stage, input| {
                stage.lost = input.checked();
                if stage.lost {
                    stage.won = false;
                    stage.probability = 0;
                }
            }));
            let on_days = edit(Box::new(|stage, input| {
                stage.days_in_stage = input.value().trim().parse().ok();
            }));
            let left = update(Box::new(move |draft| draft.shift(index, -1))).reform(|_: MouseEvent| ());
            let right = update(Box::new(move |draft| draft.shift(index, 1))).reform(|_: MouseEvent| ());
            let remove = update(Box::new(move |draft| {
                draft.stages.remove(index);
            }))
            .reform(|_: MouseEvent| ());
            let label = |what: &str| format!("{what} of stage {}", index + 1);
            html! {
                <tr key={stage.id.to_string()} data-testid="stage-row">
                    <td><input type="text" value={stage.name.clone()} onchange={on_name}
                        aria-label={label("Name")} data-testid={format!("stage-name-{index}")} /></td>
                    <td><input type="number" min="0" max="100" class="narrow" value={stage.probability.to_string()}
                        onchange={on_probability} aria-label={label("Probability")} /></td>
                    <td><input type="color" value={stage.color.clone()} onchange={on_color} aria-label={label("Colour")} /></td>
                    <td><input type="checkbox" checked={stage.won} onchange={on_won} aria-label={label("Won flag")} /></td>
                    <td><input type="checkbox" checked={stage.lost} onchange={on_lost} aria-label={label("Lost flag")} /></td>
                    <td><input type="number" min="1" class="narrow" value={stage.days_in_stage.map(|days| days.to_string()).unwrap_or_default()}
                        onchange={on_days} aria-label={label("Days before a stuck alert")} /></td>
                    <td class="row-actions">
                        <button type="button" class="button small" onclick={left} disabled={index == 0}
                            aria-label={format!("Move {} left", stage.name)}>{ "←" }</button>
                        <button type="button" class="button small" onclick={right} disabled={index + 1 == count}
                            aria-label={format!("Move {} right", stage.name)}>{ "→" }</button>
                        <button type="button" class="button small danger" onclick={remove}
                            aria-label={format!("Remove {}", stage.name)}>{ "Remove" }</button>
                    </td>
                </tr>
            }
        });
        let on_name = {
            let draft = draft.clone();
            Callback::from(move |event: InputEvent| {
                if let Some(current) = &*draft {
                    let mut next = current.clone();
                    next.name = event.target_unchecked_into::<HtmlInputElement>().value();
                    draft.set(Some(next));
                }
            })
        };
        let add = {
            let draft = draft.clone();
            Callback::from(move |_: MouseEvent| {
                if let (Some(current), Some(id)) = (&*draft, new_stage_id()) {
                    let mut next = current.clone();
                    next.add_stage(id);
                    draft.set(Some(next));
                }
            })
        };
        html! {
            <>
                <div class="field">
                    <label for="pipeline-name">{ "Pipeline name" }</label>
                    <input id="pipeline-name" data-testid="pipeline-name" type="text" value={current.name.clone()} oninput={on_name} />
                </div>
                <table class="table compact stage-editor" data-testid="stage-editor">
                    <thead><tr>
                        <th>{ "Stage" }</th><th>{ "Probability %" }</th><th>{ "Colour" }</th>
                        <th>{ "Won" }</th><th>{ "Lost" }</th><th>{ "Stuck after (days)" }</th><th>{ "Order" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                <div class="actions">
                    <button type="button" class="button" onclick={add} data-testid="stage-add">{ "Add stage" }</button>
                    <button type="button" class="button primary" onclick={save.clone()} disabled={*saving} data-testid="pipeline-save">
                        { if *saving { "Saving…" } else { "Save pipeline" } }
                    </button>
                </div>
            </>
        }
    });
    html! {
        <section class="card wide" data-testid="pipeline-settings">
            <h2 class="card-title">{ "Pipelines" }</h2>
            <div class="filters">
                <SelectField id="settings-pipeline" label="Pipeline" {options}
                    value={AttrValue::from(draft.as_ref().and_then(|draft| draft.id).map(|id| id.to_string()).unwrap_or_default())}
                    on_change={on_pipeline} />
                <button type="button" class="button" onclick={new_pipeline} data-testid="pipeline-new">{ "New pipeline" }</button>
            </div>
            if let Some(message) = &*error {
                <p class="field-error" role="alert" data-testid="pipeline-error">{ message.clone() }</p>
            }
            { editor.unwrap_or_default() }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> StageId {
        uuid_like(n).parse().expect("a stage id")
    }

    fn uuid_like(n: u128) -> String {
        format!("0190a6a4-0000-7000-8000-{n:012x}")
    }

    #[test]
    fn new_stages_go_before_the_closed_ones_and_reorder() {
        let mut draft = PipelineDraft::new([id(1), id(2), id(3)]);
        draft.add_stage(id(4));
        let names: Vec<&str> = draft
            .stages
            .iter()
            .map(|stage| stage.name.as_str())
            .collect();
        assert_eq!(names, ["First contact", "Stage 4", "Won", "Lost"]);
        draft.shift(1, -1);
        assert_eq!(draft.stages[0].id, id(4));
        draft.shift(0, -1);
        draft.shift(3, 1);
        assert_eq!(
            draft.stages[0].id,
            id(4),
            "moves past either end do nothing"
        );
    }

    #[test]
    fn fields_number_the_stages_in_display_order() {
        let mut draft = PipelineDraft::new([id(1), id(2), id(3)]);
        draft.shift(0, 1);
        let fields = draft.fields();
        assert_eq!(fields["name"], "New pipeline");
        let stages = fields["stages"].as_object().expect("a map");
        assert_eq!(stages[&uuid_like(2)]["order"], 10);
        assert_eq!(stages[&uuid_like(1)]["order"], 20);
        assert_eq!(stages[&uuid_like(2)]["isClosedWon"], true);
        assert_eq!(stages.len(), 3);
    }
}
