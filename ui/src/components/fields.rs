//! Labelled form inputs with their error shown inline, under the input.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct TextFieldProps {
    /// Element id, also used as `data-testid`; the error gets `<id>-error`.
    pub(crate) id: AttrValue,
    pub(crate) label: AttrValue,
    pub(crate) value: AttrValue,
    #[prop_or(AttrValue::Static("text"))]
    pub(crate) input_type: AttrValue,
    #[prop_or_default]
    pub(crate) placeholder: AttrValue,
    #[prop_or_default]
    pub(crate) required: bool,
    #[prop_or_default]
    pub(crate) error: Option<String>,
    pub(crate) on_input: Callback<String>,
}

#[component]
pub(crate) fn TextField(props: &TextFieldProps) -> Html {
    let oninput = props
        .on_input
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlInputElement>().value());
    let error_id = format!("{}-error", props.id);
    let invalid = props.error.is_some();
    html! {
        <div class={classes!("field", invalid.then_some("invalid"))}>
            <label for={props.id.clone()}>
                { props.label.clone() }
                if props.required { <span class="required" aria-hidden="true">{ " *" }</span> }
            </label>
            <input
                id={props.id.clone()}
                data-testid={props.id.clone()}
                type={props.input_type.clone()}
                value={props.value.clone()}
                placeholder={props.placeholder.clone()}
                aria-invalid={invalid.to_string()}
                aria-describedby={invalid.then(|| error_id.clone())}
                {oninput}
            />
            if let Some(error) = &props.error {
                <p class="field-error" id={error_id.clone()} data-testid={error_id}>{ error.clone() }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct SelectFieldProps {
    pub(crate) id: AttrValue,
    pub(crate) label: AttrValue,
    /// `(value, label)` of each option.
    pub(crate) options: Vec<(AttrValue, AttrValue)>,
    pub(crate) value: AttrValue,
    pub(crate) on_change: Callback<String>,
}

#[component]
pub(crate) fn SelectField(props: &SelectFieldProps) -> Html {
    let onchange = props
        .on_change
        .reform(|event: Event| event.target_unchecked_into::<HtmlSelectElement>().value());
    let options = props.options.iter().map(|(value, label)| {
        html! {
            <option value={value.clone()} selected={*value == props.value}>{ label.clone() }</option>
        }
    });
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <select id={props.id.clone()} data-testid={props.id.clone()} {onchange}>
                { for options }
            </select>
        </div>
    }
}

/// Select options for a closed set, with an "any" choice first.
pub(crate) fn choices<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    any: &'static str,
) -> Vec<(AttrValue, AttrValue)> {
    std::iter::once((AttrValue::from(""), AttrValue::from(any)))
        .chain(
            all.iter()
                .map(|item| (AttrValue::from(value(*item)), AttrValue::from(label(*item)))),
        )
        .collect()
}
