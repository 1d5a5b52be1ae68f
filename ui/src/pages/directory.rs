//! Settings → lead scoring rules, custom fields, tags, and the users directory. The scoring form edits the
//! tenant's rules (thresholds, points, job titles and sources as "word = points" lines); saving
//! rescores every lead. Tags are listed by category and created here; the users directory is
//! the tenant's people (it fills from the sync server).

use std::collections::BTreeMap;

use crm_model::{
    CustomFieldDefinition, CustomFieldType, RecordKind, ScoringRules, Settings, TagCategory,
};
use crm_protocol::ipc::{CreateTag, GetSettings, ListTags, ListUsers, SaveSettings};
use serde_json::json;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::{SelectField, TextField};
use crate::hooks::{Load, loading, use_app, use_command};
use crate::ipc;
use crate::state::AppAction;

/// The numbers of the scoring form, by field name, in display order with their labels.
const NUMBERS: [(&str, &str); 13] = [
    ("hotThreshold", "Hot at score"),
    ("warmThreshold", "Warm at score"),
    ("pointsPerCommunication", "Points per communication"),
    ("pointsPerActivity", "Points per activity"),
    ("recentTouchPoints", "Points for a touch this week"),
    ("maxEngagement", "Most engagement points"),
    ("budgetPoints", "Points for a budget"),
    ("budgetThreshold", "Budget of at least"),
    ("authorityPoints", "Points for a decision maker"),
    ("explicitNeedPoints", "Points for an explicit need"),
    ("impliedNeedPoints", "Points for an implied need"),
    ("defaultSourcePoints", "Points for other sources"),
    ("maxDemographics", "Most job title and size points"),
];

/// "word = points" lines of a map, sorted.
pub(crate) fn lines(map: &BTreeMap<String, i64>) -> String {
    map.iter()
        .map(|(word, points)| format!("{word} = {points}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads "word = points" lines (blank lines skipped); the error names the line.
pub(crate) fn parse_lines(text: &str) -> Result<BTreeMap<String, i64>, String> {
    let mut map = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line.rsplit_once('=').and_then(|(word, points)| {
            let word = word.trim().to_lowercase();
            let points = points.trim().parse::<i64>().ok()?;
            (!word.is_empty()).then_some((word, points))
        });
        match parsed {
            Some((word, points)) => {
                map.insert(word, points);
            }
            None => {
                return Err(format!(
                    "line {} must read “word = points”, like “ceo = 15”",
                    index + 1
                ));
            }
        }
    }
    Ok(map)
}

/// The scoring form: every number as typed, and the two word lists.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ScoringForm {
    pub(crate) numbers: BTreeMap<&'static str, String>,
    pub(crate) job_titles: String,
    pub(crate) sources: String,
}

impl ScoringForm {
    pub(crate) fn of(rules: &ScoringRules) -> ScoringForm {
        let json = serde_json::to_value(rules).unwrap_or_default();
        let numbers = NUMBERS
            .iter()
            .map(|(field, _)| (*field, json[*field].to_string()))
            .collect();
        ScoringForm {
            numbers,
            job_titles: lines(&rules.job_title_points),
            sources: lines(&rules.source_points),
        }
    }

    /// The rules the form describes, on top of `base` (the fields it does not show); or the
    /// field that is wrong and why.
    pub(crate) fn rules(&self, base: &ScoringRules) -> Result<ScoringRules, (String, String)> {
        let mut json =
            serde_json::to_value(base).map_err(|error| ("rules".into(), error.to_string()))?;
        for (field, text) in &self.numbers {
            let number: f64 = text
                .trim()
                .parse()
                .map_err(|_| ((*field).to_owned(), "must be a number".to_owned()))?;
            json[*field] = if *field == "budgetThreshold" {
                json!(number)
            } else {
                json!(number.round() as i64)
            };
        }
        json["jobTitlePoints"] = json!(
            parse_lines(&self.job_titles).map_err(|error| ("jobTitlePoints".to_owned(), error))?
        );
        json["sourcePoints"] =
            json!(parse_lines(&self.sources).map_err(|error| ("sourcePoints".to_owned(), error))?);
        serde_json::from_value(json).map_err(|error| ("rules".into(), error.to_string()))
    }
}

#[component]
pub(crate) fn ScoringSection() -> Html {
    let app = use_app();
    let settings = use_command::<GetSettings, _>((), app.data_version);
    let form = use_state(|| None::<ScoringForm>);
    let error = use_state(|| None::<(String, String)>);
    {
        let form = form.clone();
        use_effect_with((*settings).clone(), move |settings| {
            if let Load::Loaded(settings) = settings {
                form.set(Some(ScoringForm::of(&settings.lead_scoring)));
            }
        });
    }
    let body = loading(&settings, "settings", |current: &Settings| {
        let Some(values) = (*form).clone() else {
            return html! {};
        };
        let numbers = NUMBERS.iter().map(|(field, label)| {
            let on_input = {
                let form = form.clone();
                let values = values.clone();
                Callback::from(move |text: String| {
                    let mut next = values.clone();
                    next.numbers.insert(field, text);
                    form.set(Some(next));
                })
            };
            let field_error = error
                .as_ref()
                .filter(|(name, _)| name == field)
                .map(|(_, message)| message.clone());
            html! {
                <TextField id={format!("scoring-{field}")} label={*label} input_type="number"
                    value={values.numbers.get(field).cloned().unwrap_or_default()} {on_input} error={field_error} />
            }
        });
        let textarea = |id: &'static str,
                        label: &'static str,
                        text: &str,
                        set: fn(&mut ScoringForm, String)| {
            let form = form.clone();
            let values = values.clone();
            let oninput = Callback::from(move |event: InputEvent| {
                let mut next = values.clone();
                set(
                    &mut next,
                    event.target_unchecked_into::<HtmlTextAreaElement>().value(),
                );
                form.set(Some(next));
            });
            let field_error = error
                .as_ref()
                .filter(|(name, _)| name == id)
                .map(|(_, message)| message.clone());
            html! {
                <div class="field">
                    <label for={format!("scoring-{id}")}>{ label }</label>
                    <textarea id={format!("scoring-{id}")} data-testid={format!("scoring-{id}")} rows="6" value={text.to_owned()} {oninput} />
                    if let Some(message) = field_error { <p class="field-error" role="alert">{ message }</p> }
                </div>
            }
        };
        let save = {
            let app = app.clone();
            let values = values.clone();
            let error = error.clone();
            let current = current.clone();
            Callback::from(move |_: MouseEvent| {
                let rules = match values.rules(&current.lead_scoring) {
                    Ok(rules) => rules,
                    Err(wrong) => {
                        error.set(Some(wrong));
                        return;
                    }
                };
                error.set(None);
                let settings = Settings {
                    lead_scoring: rules,
                    ..current.clone()
                };
                let app = app.clone();
                let error = error.clone();
                spawn_local(async move {
                    match ipc::call::<SaveSettings>(&settings).await {
                        Ok(_) => {
                            app.success("Scoring rules saved; every lead is rescored.");
                            app.dispatch.emit(AppAction::DataChanged);
                        }
                        Err(failure) => {
                            let field = failure
                                .fields
                                .first()
                                .map(|field| {
                                    field.field.trim_start_matches("leadScoring.").to_owned()
                                })
                                .unwrap_or_default();
                            error.set(Some((field, failure.message)));
                        }
                    }
                });
            })
        };
        html! {
            <>
                <div class="form-grid">{ for numbers }</div>
                <div class="grid-2">
                    { textarea("jobTitlePoints", "Job title words", &values.job_titles, |form, text| form.job_titles = text) }
                    { textarea("sourcePoints", "Lead sources", &values.sources, |form, text| form.sources = text) }
                </div>
                if let Some((field, message)) = error.as_ref().filter(|(field, _)| !NUMBERS.iter().any(|(name, _)| name == field) && field != "jobTitlePoints" && field != "sourcePoints") {
                    <p class="field-error" role="alert">{ format!("{field}: {message}") }</p>
                }
                <div class="actions">
                    <button type="button" class="button primary" onclick={save} data-testid="scoring-save">{ "Save and rescore leads" }</button>
                </div>
            </>
        }
    });
    html! {
        <section class="card wide" data-testid="scoring-settings">
            <h2 class="card-title">{ "Lead scoring" }</h2>
            <p class="muted">{ "A lead's score adds up its job title and company size, its engagement, BANT and source; leads at or above the thresholds are hot or warm." }</p>
            { body }
        </section>
    }
}

#[component]
pub(crate) fn CustomFieldsSection() -> Html {
    let app = use_app();
    let settings = use_command::<GetSettings, _>((), app.data_version);
    let kind = use_state(|| RecordKind::Customer);
    let field_type = use_state(CustomFieldType::default);
    let label = use_state(String::new);
    let error = use_state(|| None::<String>);
    let save = {
        let app = app.clone();
        let error = error.clone();
        Callback::from(move |settings: Settings| {
            let app = app.clone();
            let error = error.clone();
            spawn_local(async move {
                match ipc::call::<SaveSettings>(&settings).await {
                    Ok(_) => {
                        error.set(None);
                        app.success("Custom fields saved");
                        app.dispatch.emit(AppAction::DataChanged);
                    }
                    Err(failure) => error.set(Some(failure.message)),
                }
            });
        })
    };
    let body = loading(&settings, "settings", |current: &Settings| {
        let rows = current.custom_fields.iter().enumerate().map(|(index, field)| {
            let remove = {
                let save = save.clone();
                let current = current.clone();
                Callback::from(move |_: MouseEvent| {
                    let mut next = current.clone();
                    next.custom_fields.remove(index);
                    save.emit(next);
                })
            };
            html! {
                <tr>
                    <td>{ field.kind.label() }</td>
                    <td>{ field.label.clone() }</td>
                    <td class="muted">{ field.key.clone() }</td>
                    <td>{ field.field_type.label() }</td>
                    <td><button type="button" class="button small danger" onclick={remove}
                        aria-label={format!("Remove {}", field.label)}>{ "Remove" }</button></td>
                </tr>
            }
        });
        let add = {
            let save = save.clone();
            let current = current.clone();
            let label = label.clone();
            let kind = *kind;
            let field_type = *field_type;
            Callback::from(move |event: SubmitEvent| {
                event.prevent_default();
                let mut next = current.clone();
                next.custom_fields.push(CustomFieldDefinition {
                    kind,
                    key: CustomFieldDefinition::key_of(&label),
                    label: label.trim().to_owned(),
                    field_type,
                });
                save.emit(next);
                label.set(String::new());
            })
        };
        let on_label = {
            let label = label.clone();
            Callback::from(move |text: String| label.set(text))
        };
        let on_kind = {
            let kind = kind.clone();
            Callback::from(move |value: String| {
                if let Some(parsed) = RecordKind::parse(&value) {
                    kind.set(parsed);
                }
            })
        };
        let on_type = {
            let field_type = field_type.clone();
            Callback::from(move |value: String| {
                if let Some(parsed) = CustomFieldType::parse(&value) {
                    field_type.set(parsed);
                }
            })
        };
        let kinds: Vec<(AttrValue, AttrValue)> = CustomFieldDefinition::KINDS
            .iter()
            .map(|kind| {
                (
                    AttrValue::from(kind.as_str()),
                    AttrValue::from(kind.label()),
                )
            })
            .collect();
        let types: Vec<(AttrValue, AttrValue)> = CustomFieldType::ALL
            .iter()
            .map(|kind| {
                (
                    AttrValue::from(kind.as_str()),
                    AttrValue::from(kind.label()),
                )
            })
            .collect();
        html! {
            <>
                if current.custom_fields.is_empty() {
                    <p class="muted">{ "No custom fields yet." }</p>
                } else {
                    <table class="table compact" data-testid="custom-field-list">
                        <thead><tr><th>{ "On" }</th><th>{ "Label" }</th><th>{ "Key" }</th><th>{ "Type" }</th><th></th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                }
                <form class="filters" onsubmit={add}>
                    <SelectField id="custom-field-kind" label="On" options={kinds} value={AttrValue::from(kind.as_str())} on_change={on_kind} />
                    <TextField id="custom-field-label" label="Label" value={(*label).clone()} on_input={on_label} />
                    <SelectField id="custom-field-type" label="Type" options={types} value={AttrValue::from(field_type.as_str())} on_change={on_type} />
                    <button type="submit" class="button" data-testid="custom-field-add" disabled={label.trim().is_empty()}>{ "Add field" }</button>
                </form>
            </>
        }
    });
    html! {
        <section class="card" data-testid="custom-fields-settings">
            <h2 class="card-title">{ "Custom fields" }</h2>
            <p class="muted">{ "Fields of your own on customers, contacts, leads and deals; they sync with the record." }</p>
            { body }
            if let Some(message) = &*error {
                <p class="field-error" role="alert">{ message.clone() }</p>
            }
        </section>
    }
}

#[component]
pub(crate) fn TagsSection() -> Html {
    let app = use_app();
    let reloads = use_state(|| 0_u32);
    let tags = use_command::<ListTags, _>((), (app.data_version, *reloads));
    let name = use_state(String::new);
    let category = use_state(|| TagCategory::General);
    let color = use_state(|| "#2563eb".to_owned());
    let error = use_state(|| None::<String>);
    let on_name = {
        let name = name.clone();
        Callback::from(move |text: String| name.set(text))
    };
    let on_category = {
        let category = category.clone();
        Callback::from(move |value: String| {
            if let Some(parsed) = TagCategory::parse(&value) {
                category.set(parsed);
            }
        })
    };
    let on_color = {
        let color = color.clone();
        Callback::from(move |event: Event| {
            color.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let add = {
        let app = app.clone();
        let name = name.clone();
        let error = error.clone();
        let reloads = reloads.clone();
        let body = json!({"name": name.trim(), "category": category.as_str(), "color": *color});
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let serde_json::Value::Object(body) = body.clone() else {
                return;
            };
            let app = app.clone();
            let name = name.clone();
            let error = error.clone();
            let reloads = reloads.clone();
            spawn_local(async move {
                match ipc::call::<CreateTag>(&body).await {
                    Ok(tag) => {
                        app.success(format!("Tag “{}” added", tag.name));
                        name.set(String::new());
                        error.set(None);
                        reloads.set(*reloads + 1);
                    }
                    Err(failure) => error.set(Some(failure.message)),
                }
            });
        })
    };
    let categories: Vec<(AttrValue, AttrValue)> = TagCategory::ALL
        .iter()
        .map(|category| {
            (
                AttrValue::from(category.as_str()),
                AttrValue::from(category.label()),
            )
        })
        .collect();
    html! {
        <section class="card" data-testid="tags-settings">
            <h2 class="card-title">{ "Tags" }</h2>
            { loading(&tags, "tags", |tags| html! {
                if tags.is_empty() {
                    <p class="muted">{ "No tags yet." }</p>
                } else {
                    <ul class="tag-list" data-testid="tag-list">
                        { for tags.iter().map(|tag| html! {
                            <li class="tag-chip">
                                <svg width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" r="5" fill={tag.color.clone().unwrap_or_else(|| "#64748b".into())} /></svg>
                                { tag.name.clone() }
                                <span class="muted">{ format!(" · {}", tag.category.label()) }</span>
                            </li>
                        }) }
                    </ul>
                }
            }) }
            <form class="filters" onsubmit={add}>
                <TextField id="tag-name" label="New tag" value={(*name).clone()} on_input={on_name} error={(*error).clone()} />
                <SelectField id="tag-category" label="For" options={categories} value={AttrValue::from(category.as_str())} on_change={on_category} />
                <div class="field">
                    <label for="tag-color">{ "Colour" }</label>
                    <input id="tag-color" type="color" value={(*color).clone()} onchange={on_color} />
                </div>
                <button type="submit" class="button" data-testid="tag-add" disabled={name.trim().is_empty()}>{ "Add tag" }</button>
            </form>
        </section>
    }
}

#[component]
pub(crate) fn UsersSection() -> Html {
    let app = use_app();
    let users = use_command::<ListUsers, _>((), app.data_version);
    html! {
        <section class="card" data-testid="users-settings">
            <h2 class="card-title">{ "Users" }</h2>
            { loading(&users, "users", |users| html! {
                if users.is_empty() {
                    <p class="muted">{ "Only you, for now: sign in to your company's sync server and your colleagues appear here, for owners and assignees." }</p>
                } else {
                    <table class="table compact" data-testid="users-list">
                        <thead><tr><th>{ "Name" }</th><th>{ "Email" }</th><th>{ "Role" }</th><th>{ "Status" }</th></tr></thead>
                        <tbody>
                            { for users.iter().map(|user| html! {
                                <tr>
                                    <td>{ user.name.clone() }</td>
                                    <td>{ user.email.clone() }</td>
                                    <td>{ user.role.label() }</td>
                                    <td>{ if user.active { "Active" } else { "Disabled" } }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_read_back_what_they_show() {
        let rules = ScoringRules::default();
        let text = lines(&rules.source_points);
        assert!(text.contains("referral = 10"));
        assert_eq!(parse_lines(&text), Ok(rules.source_points.clone()));
        assert_eq!(
            parse_lines("CEO = 15\n\n  founder=12 "),
            Ok([("ceo".to_owned(), 15), ("founder".to_owned(), 12)]
                .into_iter()
                .collect())
        );
        assert_eq!(
            parse_lines("ceo = 15\nchief"),
            Err("line 2 must read “word = points”, like “ceo = 15”".to_owned())
        );
    }

    #[test]
    fn the_form_round_trips_and_names_a_bad_number() {
        let rules = ScoringRules::default();
        let mut form = ScoringForm::of(&rules);
        assert_eq!(form.rules(&rules), Ok(rules.clone()));
        form.numbers.insert("hotThreshold", "80".into());
        assert_eq!(form.rules(&rules).map(|rules| rules.hot_threshold), Ok(80));
        form.numbers.insert("warmThreshold", "forty".into());
        assert_eq!(
            form.rules(&rules),
            Err(("warmThreshold".to_owned(), "must be a number".to_owned()))
        );
    }
}
