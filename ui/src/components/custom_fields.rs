//! A record's custom fields, as the tenant defined them in Settings: each shown with an input of
//! its type, saved together. Values the record has without a definition (an older definition,
//! an import) are listed as they are.

use std::collections::BTreeMap;

use crm_model::{CustomFieldDefinition, CustomFieldType, FieldMap, RecordKind};
use crm_protocol::ipc::{Command, GetSettings, UpdateRecord};
use serde_json::Value;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::{AppContext, Load, use_app, use_command};
use crate::ipc;

/// The card's `on_save` for record `id`: stores the values as the record's `customFields`
/// with update command `C`, says so, then calls `saved` (the page reloads the record).
pub(crate) fn save_custom_fields<C, Id>(
    app: &AppContext,
    id: Id,
    saved: Callback<()>,
) -> Callback<BTreeMap<String, Value>>
where
    C: Command<Request = UpdateRecord<Id>> + 'static,
    Id: Copy + 'static,
{
    let app = app.clone();
    Callback::from(move |values: BTreeMap<String, Value>| {
        let app = app.clone();
        let saved = saved.clone();
        let mut patch = FieldMap::new();
        patch.insert("customFields".into(), serde_json::json!(values));
        spawn_local(async move {
            match ipc::call::<C>(&UpdateRecord { id, patch }).await {
                Ok(_) => {
                    app.success("Custom fields saved");
                    saved.emit(());
                }
                Err(error) => app.error(error.message),
            }
        });
    })
}

/// A stored value as its input shows it.
pub(crate) fn as_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(yes)) => yes.to_string(),
        Some(other) => other.to_string(),
    }
}

/// The values to store from the inputs' texts; the error names the field's label.
pub(crate) fn values_of(
    definitions: &[&CustomFieldDefinition],
    texts: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, String> {
    let mut values = BTreeMap::new();
    for definition in definitions {
        let text = texts.get(&definition.key).map_or("", |text| text.trim());
        let value = if text.is_empty() {
            Value::Null
        } else {
            match definition.field_type {
                CustomFieldType::Text => Value::String(text.to_owned()),
                CustomFieldType::Number => text
                    .replace(',', "")
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| format!("{} must be a number", definition.label))?,
                CustomFieldType::Date => text
                    .parse::<chrono::NaiveDate>()
                    .map(|day| Value::String(day.to_string()))
                    .map_err(|_| format!("{} must be a date", definition.label))?,
                CustomFieldType::YesNo => Value::Bool(text == "true"),
            }
        };
        values.insert(definition.key.clone(), value);
    }
    Ok(values)
}

#[derive(Properties, PartialEq)]
pub(crate) struct CustomFieldsCardProps {
    pub(crate) kind: RecordKind,
    pub(crate) values: BTreeMap<String, Value>,
    /// Called with the values to store; the page saves them on its record.
    pub(crate) on_save: Callback<BTreeMap<String, Value>>,
}

#[component]
pub(crate) fn CustomFieldsCard(props: &CustomFieldsCardProps) -> Html {
    let app = use_app();
    let settings = use_command::<GetSettings, _>((), app.data_version);
    let initial = || {
        props
            .values
            .iter()
            .map(|(key, value)| (key.clone(), as_text(Some(value))))
            .collect::<BTreeMap<String, String>>()
    };
    let texts = use_state(initial);
    // What Save stores: updated by each change at once, so a click on Save that comes before
    // the re-render of the change (a fast hand, a busy machine) still saves what was typed.
    let typed = use_mut_ref(initial);
    let error = use_state(|| None::<String>);
    let Load::Loaded(settings) = &*settings else {
        return Html::default();
    };
    let definitions: Vec<&CustomFieldDefinition> = settings
        .custom_fields
        .iter()
        .filter(|definition| definition.kind == props.kind)
        .collect();
    let undefined: Vec<(&String, &Value)> = props
        .values
        .iter()
        .filter(|(key, value)| !value.is_null() && !definitions.iter().any(|d| &d.key == *key))
        .collect();
    if definitions.is_empty() && undefined.is_empty() {
        return Html::default();
    }
    let inputs = definitions.iter().map(|definition| {
        let key = definition.key.clone();
        let id = format!("custom-{}", definition.key);
        let value = texts.get(&key).cloned().unwrap_or_default();
        let onchange = {
            let texts = texts.clone();
            let typed = typed.clone();
            let key = key.clone();
            let yes_no = definition.field_type == CustomFieldType::YesNo;
            Callback::from(move |event: Event| {
                let input = event.target_unchecked_into::<HtmlInputElement>();
                let text = if yes_no { input.checked().to_string() } else { input.value() };
                typed.borrow_mut().insert(key.clone(), text);
                texts.set(typed.borrow().clone());
            })
        };
        let input = match definition.field_type {
            CustomFieldType::YesNo => html! {
                <input id={id.clone()} data-testid={id.clone()} type="checkbox" checked={value == "true"} {onchange} />
            },
            kind => html! {
                <input id={id.clone()} data-testid={id.clone()} value={value}
                    type={match kind { CustomFieldType::Number => "number", CustomFieldType::Date => "date", _ => "text" }} {onchange} />
            },
        };
        html! {
            <div class="field">
                <label for={id}>{ definition.label.clone() }</label>
                { input }
            </div>
        }
    });
    let save = {
        let typed = typed.clone();
        let error = error.clone();
        let on_save = props.on_save.clone();
        let definitions: Vec<CustomFieldDefinition> =
            definitions.iter().map(|d| (*d).clone()).collect();
        Callback::from(move |_: MouseEvent| {
            let references: Vec<&CustomFieldDefinition> = definitions.iter().collect();
            match values_of(&references, &typed.borrow()) {
                Ok(values) => {
                    error.set(None);
                    on_save.emit(values);
                }
                Err(message) => error.set(Some(message)),
            }
        })
    };
    html! {
        <section class="card" data-testid="custom-fields">
            <h2 class="card-title">{ "Custom fields" }</h2>
            <div class="form-grid">{ for inputs }</div>
            if !undefined.is_empty() {
                <dl class="details">
                    { for undefined.into_iter().map(|(key, value)| html! { <><dt>{ key.clone() }</dt><dd>{ as_text(Some(value)) }</dd></> }) }
                </dl>
            }
            if let Some(message) = &*error {
                <p class="field-error" role="alert">{ message.clone() }</p>
            }
            if !definitions.is_empty() {
                <div class="actions">
                    <button type="button" class="button" onclick={save} data-testid="custom-fields-save">{ "Save fields" }</button>
                </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(key: &str, field_type: CustomFieldType) -> CustomFieldDefinition {
        CustomFieldDefinition {
            kind: RecordKind::Customer,
            key: key.into(),
            label: key.replace('_', " "),
            field_type,
        }
    }

    #[test]
    fn texts_become_typed_values_or_name_the_field() {
        let fleet = definition("fleet_size", CustomFieldType::Number);
        let renewal = definition("renewal", CustomFieldType::Date);
        let vip = definition("vip", CustomFieldType::YesNo);
        let notes = definition("notes", CustomFieldType::Text);
        let all = [&fleet, &renewal, &vip, &notes];
        let texts: BTreeMap<String, String> = [
            ("fleet_size", "1,200"),
            ("renewal", "2026-12-01"),
            ("vip", "true"),
            ("notes", " "),
        ]
        .into_iter()
        .map(|(key, text)| (key.to_owned(), text.to_owned()))
        .collect();
        let values = values_of(&all, &texts).expect("valid");
        assert_eq!(values["fleet_size"], serde_json::json!(1200.0));
        assert_eq!(values["renewal"], "2026-12-01");
        assert_eq!(values["vip"], true);
        assert_eq!(values["notes"], Value::Null);
        let mut wrong = texts.clone();
        wrong.insert("fleet_size".into(), "many".into());
        assert_eq!(
            values_of(&all, &wrong),
            Err("fleet size must be a number".to_owned())
        );
        assert_eq!(as_text(Some(&serde_json::json!(12))), "12");
    }
}
