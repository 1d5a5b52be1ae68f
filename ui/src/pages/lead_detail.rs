//! Lead detail (spec §3.4): the header with rating, score and its breakdown per category, BANT,
//! next steps (the lead's activities), and the actions: the conversion wizard (customer, contact
//! and deal in one go, with likely duplicates offered for linking) and disqualify; its custom
//! fields and its history.

use crm_model::{
    ActivityStatus, CustomerId, Lead, LeadId, LeadStatus, Pipeline, PipelineId, RecordId,
    RecordKind, ScoreCategory, StageId,
};
use crm_protocol::ipc::{
    ActivityQuery, ConvertLead, ConvertLeadRequest, DisqualifyLead, DisqualifyLeadRequest,
    GetConversionDuplicates, GetLead, GetSettings, ListActivities, ListActivitiesRequest,
    ListPipelines, UpdateLead, WithId,
};
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::{
    CustomFieldsCard, Meter, Modal, RecordGone, RecordHistory, SelectField, TextField,
    save_custom_fields,
};
use crate::format;
use crate::hooks::{Load, use_app, use_command};
use crate::ipc;
use crate::route::Route;

/// The conversion wizard's choices, as the form holds them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Conversion {
    pub(crate) create_customer: bool,
    pub(crate) link_customer: Option<CustomerId>,
    pub(crate) create_contact: bool,
    pub(crate) create_deal: bool,
    pub(crate) deal_name: String,
    pub(crate) pipeline: Option<PipelineId>,
    pub(crate) stage: Option<StageId>,
    pub(crate) value: String,
    /// The wizard showed likely duplicates and the user chose to create new records anyway.
    pub(crate) ignore_duplicates: bool,
}

impl Conversion {
    pub(crate) fn for_lead(lead: &Lead, pipeline: Option<&Pipeline>) -> Conversion {
        let company = lead.company.clone().unwrap_or_else(|| lead.name.clone());
        Conversion {
            create_customer: true,
            link_customer: None,
            create_contact: true,
            create_deal: true,
            deal_name: format!("{company} - New business"),
            pipeline: pipeline.map(|pipeline| pipeline.id),
            stage: pipeline.and_then(Pipeline::first_open_stage),
            value: lead
                .budget
                .map(|budget| (budget.cents() / 100).to_string())
                .unwrap_or_default(),
            ignore_duplicates: false,
        }
    }

    /// The request the store runs; `Err` says in words what to fix first.
    pub(crate) fn request(&self) -> Result<ConvertLeadRequest, String> {
        let deal_value = if self.create_deal && !self.value.trim().is_empty() {
            Some(
                self.value
                    .trim()
                    .replace(',', "")
                    .parse::<f64>()
                    .map_err(|_| "The deal value must be a number, like 75000.".to_owned())?,
            )
        } else {
            None
        };
        if self.create_deal && self.deal_name.trim().is_empty() {
            return Err("Give the deal a name.".to_owned());
        }
        Ok(ConvertLeadRequest {
            create_customer: self.create_customer && self.link_customer.is_none(),
            customer_id: self.link_customer,
            create_contact: self.create_contact,
            create_deal: self.create_deal,
            deal_name: self.create_deal.then(|| self.deal_name.trim().to_owned()),
            deal_value,
            pipeline_id: self.pipeline.filter(|_| self.create_deal),
            stage_id: self.stage.filter(|_| self.create_deal),
            ignore_duplicates: self.ignore_duplicates,
            ..ConvertLeadRequest::default()
        })
    }
}

#[derive(Properties, PartialEq)]
struct WizardProps {
    lead: Lead,
    pipelines: Vec<Pipeline>,
    on_close: Callback<()>,
}

#[component]
fn ConversionWizard(props: &WizardProps) -> Html {
    let app = use_app();
    let default_pipeline = props
        .pipelines
        .iter()
        .find(|pipeline| pipeline.is_default)
        .or(props.pipelines.first());
    let form = use_state(|| Conversion::for_lead(&props.lead, default_pipeline));
    let problem = use_state(|| None::<String>);
    let duplicates = use_command::<GetConversionDuplicates, _>(props.lead.id, props.lead.id);
    let busy = use_state(|| false);

    let update = |change: fn(&mut Conversion, String)| {
        let form = form.clone();
        Callback::from(move |value: String| {
            let mut next = (*form).clone();
            change(&mut next, value);
            form.set(next);
        })
    };
    let toggle = |change: fn(&mut Conversion, bool)| {
        let form = form.clone();
        Callback::from(move |event: Event| {
            let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
            let mut next = (*form).clone();
            change(&mut next, checked);
            form.set(next);
        })
    };
    let pipeline = props
        .pipelines
        .iter()
        .find(|pipeline| Some(pipeline.id) == form.pipeline);
    let stage_options: Vec<(AttrValue, AttrValue)> = pipeline
        .map(|pipeline| {
            pipeline
                .ordered_stages()
                .into_iter()
                .filter(|(_, stage)| !stage.is_closed())
                .map(|(id, stage)| {
                    (
                        AttrValue::from(id.to_string()),
                        AttrValue::from(stage.name.clone()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let pipeline_options: Vec<(AttrValue, AttrValue)> = props
        .pipelines
        .iter()
        .map(|pipeline| {
            (
                AttrValue::from(pipeline.id.to_string()),
                AttrValue::from(pipeline.name.clone()),
            )
        })
        .collect();
    let on_pipeline = {
        let form = form.clone();
        let pipelines = props.pipelines.clone();
        Callback::from(move |value: String| {
            let mut next = (*form).clone();
            next.pipeline = value.parse().ok();
            next.stage = pipelines
                .iter()
                .find(|pipeline| Some(pipeline.id) == next.pipeline)
                .and_then(Pipeline::first_open_stage);
            form.set(next);
        })
    };

    let duplicates_shown = matches!(&*duplicates,
        Load::Loaded(found) if !found.customers.is_empty() || !found.contacts.is_empty());
    let onsubmit = {
        let form = form.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let lead = props.lead.clone();
        let app = app.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let mut conversion = (*form).clone();
            conversion.ignore_duplicates = duplicates_shown;
            let body = match conversion.request() {
                Ok(body) => body,
                Err(message) => {
                    problem.set(Some(message));
                    return;
                }
            };
            busy.set(true);
            let request = WithId { id: lead.id, body };
            let app = app.clone();
            let problem = problem.clone();
            let busy = busy.clone();
            spawn_local(async move {
                match ipc::call::<ConvertLead>(&request).await {
                    Ok(converted) => {
                        app.success(format!("{} is converted.", converted.lead.name));
                        match converted
                            .customer
                            .map(|customer| customer.id)
                            .or(converted.lead.customer_id)
                        {
                            Some(customer) => app.navigate(Route::Customer(customer)),
                            None => app.navigate(Route::Leads),
                        }
                    }
                    Err(error) => {
                        busy.set(false);
                        problem.set(Some(error.message));
                    }
                }
            });
        })
    };

    let duplicate_choice = match &*duplicates {
        Load::Loaded(found) if !found.customers.is_empty() || !found.contacts.is_empty() => {
            let choices = found.customers.iter().map(|customer| {
                let id = customer.id;
                let checked = form.link_customer == Some(id);
                let form = form.clone();
                let onchange = Callback::from(move |_: Event| {
                    let mut next = (*form).clone();
                    next.link_customer = Some(id);
                    form.set(next);
                });
                html! {
                    <label class="check">
                        <input type="radio" name="customer-choice" {checked} {onchange} />
                        { format!("Link to the existing customer {}", customer.name) }
                    </label>
                }
            });
            let new_customer = {
                let form = form.clone();
                Callback::from(move |_: Event| {
                    let mut next = (*form).clone();
                    next.link_customer = None;
                    form.set(next);
                })
            };
            let contacts = found.contacts.iter().map(|contact| html! {
                <p class="muted">{ format!("A contact with this email exists: {}", contact.name) }</p>
            });
            html! {
                <fieldset class="duplicates" data-testid="conversion-duplicates">
                    <legend>{ "This lead may already be in the CRM" }</legend>
                    { for contacts }
                    { for choices }
                    if !found.customers.is_empty() {
                        <label class="check">
                            <input type="radio" name="customer-choice" checked={form.link_customer.is_none()} onchange={new_customer} />
                            { "Create a new customer anyway" }
                        </label>
                    }
                </fieldset>
            }
        }
        _ => Html::default(),
    };
    let company = props
        .lead
        .company
        .clone()
        .unwrap_or_else(|| props.lead.name.clone());

    html! {
        <Modal title="Convert lead to customer" on_close={props.on_close.clone()}>
            <form class="form" {onsubmit} data-testid="conversion-form">
                { duplicate_choice }
                <label class="check">
                    <input type="checkbox" checked={form.create_customer} disabled={form.link_customer.is_some()}
                        onchange={toggle(|form, on| form.create_customer = on)} data-testid="convert-create-customer" />
                    { format!("Create customer: {company}") }
                </label>
                <label class="check">
                    <input type="checkbox" checked={form.create_contact} onchange={toggle(|form, on| form.create_contact = on)} />
                    { format!("Create contact: {}", props.lead.name) }
                </label>
                <label class="check">
                    <input type="checkbox" checked={form.create_deal} onchange={toggle(|form, on| form.create_deal = on)} />
                    { "Create deal" }
                </label>
                if form.create_deal {
                    <div class="indented form">
                        <TextField id="convert-deal-name" label="Deal name" value={AttrValue::from(form.deal_name.clone())}
                            on_input={update(|form, value| form.deal_name = value)} />
                        <SelectField id="convert-pipeline" label="Pipeline" options={pipeline_options}
                            value={AttrValue::from(form.pipeline.map(|id| id.to_string()).unwrap_or_default())} on_change={on_pipeline} />
                        <SelectField id="convert-stage" label="Stage" options={stage_options}
                            value={AttrValue::from(form.stage.map(|id| id.to_string()).unwrap_or_default())}
                            on_change={update(|form, value| form.stage = value.parse().ok())} />
                        <TextField id="convert-value" label="Value" input_type="number" value={AttrValue::from(form.value.clone())}
                            placeholder="75000" on_input={update(|form, value| form.value = value)} />
                    </div>
                }
                if let Some(problem) = &*problem {
                    <p class="banner banner-error" role="alert" data-testid="conversion-problem">{ problem.clone() }</p>
                }
                <div class="modal-actions">
                    <button type="button" class="button" onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    <button type="submit" class="button primary" disabled={*busy} data-testid="convert-submit">{ "Convert lead" }</button>
                </div>
            </form>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct LeadDetailProps {
    pub(crate) id: LeadId,
}

#[component]
pub(crate) fn LeadDetailPage(props: &LeadDetailProps) -> Html {
    let app = use_app();
    let id = props.id;
    let version = use_state(|| 0_u32);
    let lead = use_command::<GetLead, _>(id, (id, *version, app.data_version));
    let settings = use_command::<GetSettings, _>((), app.data_version);
    let pipelines = use_command::<ListPipelines, _>((), app.data_version);
    let steps = use_command::<ListActivities, _>(
        ListActivitiesRequest {
            query: ActivityQuery {
                lead_id: Some(id),
                ..ActivityQuery::default()
            },
            today: app.today,
        },
        (id, *version),
    );
    let converting = use_state(|| false);
    let disqualifying = use_state(|| false);
    let reason = use_state(String::new);
    let back = app.navigate_callback(Route::Leads);
    let save_fields = save_custom_fields::<UpdateLead, _>(&app, id, {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    });

    let Load::Loaded(lead) = &*lead else {
        return html! {
            <div class="page-body">
                <button type="button" class="link" onclick={back}>{ "← Back to leads" }</button>
                { match &*lead {
                    Load::Failed(message) => html! { <p class="banner banner-error">{ format!("This lead could not be opened: {message}") }</p> },
                    Load::Gone { message, in_trash } => html! {
                        <RecordGone what="lead" message={message.clone()} in_trash={*in_trash} back={Route::Leads} />
                    },
                    _ => html! { <p class="muted">{ "Loading the lead…" }</p> },
                } }
            </div>
        };
    };
    let lead: Lead = (**lead).clone();
    let open = matches!(lead.status, LeadStatus::New | LeadStatus::Qualified);
    let open_wizard = {
        let converting = converting.clone();
        Callback::from(move |_: MouseEvent| converting.set(true))
    };
    let close_wizard = {
        let converting = converting.clone();
        Callback::from(move |()| converting.set(false))
    };
    let open_disqualify = {
        let disqualifying = disqualifying.clone();
        Callback::from(move |_: MouseEvent| disqualifying.set(true))
    };
    let close_disqualify = {
        let disqualifying = disqualifying.clone();
        Callback::from(move |()| disqualifying.set(false))
    };
    let disqualify = {
        let reason = reason.clone();
        let app = app.clone();
        let version = version.clone();
        let close = close_disqualify.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = DisqualifyLeadRequest {
                id,
                reason: reason.trim().to_owned(),
            };
            let app = app.clone();
            let version = version.clone();
            let close = close.clone();
            spawn_local(async move {
                match ipc::call::<DisqualifyLead>(&request).await {
                    Ok(lead) => {
                        app.success(format!("{} is disqualified.", lead.name));
                        close.emit(());
                        version.set(*version + 1);
                    }
                    Err(error) => app.error(error.message),
                }
            });
        })
    };

    let meters = match &*settings {
        Load::Loaded(settings) => html! {
            <div class="meters" data-testid="score-breakdown">
                { for ScoreCategory::ALL.iter().map(|category| {
                    let points = lead.score_breakdown.get(category.as_str()).copied().unwrap_or(0);
                    html! { <Meter label={category.label()} value={points} max={settings.lead_scoring.maximum(*category)} /> }
                }) }
            </div>
        },
        Load::Failed(message) | Load::Gone { message, .. } => {
            html! { <p class="banner banner-error">{ message.clone() }</p> }
        }
        Load::Loading => Html::default(),
    };
    let rating = lead.rating.map_or("Unrated", |rating| rating.label());
    let contact: Vec<String> = [lead.email.clone(), lead.phone.clone()]
        .into_iter()
        .flatten()
        .collect();
    let role = match (&lead.job_title, &lead.company) {
        (Some(title), Some(company)) => format!("{title} @ {company}"),
        (None, Some(company)) => company.clone(),
        (Some(title), None) => title.clone(),
        (None, None) => String::new(),
    };
    let dash = |value: Option<&'static str>| value.unwrap_or("—");

    html! {
        <div class="page-body lead-detail" data-testid="lead-detail">
            <button type="button" class="link back-link" onclick={back}>{ "← Back to leads" }</button>
            <section class="card lead-header">
                <div>
                    <p class={classes!("rating", format!("rating-{}", rating.to_lowercase()))}>{ format!("{rating} lead") }</p>
                    <h1 data-testid="page-title">{ lead.name.clone() }</h1>
                    <p class="muted">{ role }</p>
                    <p class="muted">{ contact.join(" · ") }</p>
                </div>
                <div class="lead-score">
                    <p class="score-big" data-testid="lead-score">{ lead.lead_score }<span class="muted">{ "/100" }</span></p>
                    <p><span class="badge">{ lead.status.label() }</span></p>
                </div>
                <div class="lead-breakdown">
                    <h2 class="card-title">{ "Score breakdown" }</h2>
                    { meters }
                </div>
                <div class="header-actions">
                    if open {
                        <button type="button" class="button primary" onclick={open_wizard} data-testid="convert-lead">{ "Convert" }</button>
                        <button type="button" class="button danger" onclick={open_disqualify} data-testid="disqualify-lead">{ "Disqualify" }</button>
                    }
                    if let Some(customer) = lead.customer_id {
                        <button type="button" class="button" onclick={app.navigate_callback(Route::Customer(customer))}>{ "Open customer" }</button>
                    }
                </div>
            </section>
            <div class="grid-2">
                <section class="card">
                    <h2 class="card-title">{ "Overview" }</h2>
                    <dl class="details">
                        <dt>{ "Source" }</dt><dd>{ [lead.source.clone(), lead.campaign.clone()].into_iter().flatten().collect::<Vec<_>>().join(" → ") }</dd>
                        <dt>{ "Timeline" }</dt><dd>{ dash(lead.timeline.map(|value| value.label())) }</dd>
                        <dt>{ "Budget" }</dt><dd>{ lead.budget.map_or_else(|| "—".to_owned(), |budget| format::money(budget, &lead.currency_code)) }</dd>
                        <dt>{ "Authority" }</dt><dd>{ dash(lead.authority.map(|value| value.label())) }</dd>
                        <dt>{ "Need" }</dt><dd>{ dash(lead.need.map(|value| value.label())) }</dd>
                        <dt>{ "Tags" }</dt><dd>{ for lead.tags.iter().map(|tag| html! { <span class="tag">{ tag.clone() }</span> }) }</dd>
                        if let Some(reason) = &lead.disqualified_reason {
                            <dt>{ "Disqualified" }</dt><dd>{ reason.clone() }</dd>
                        }
                    </dl>
                </section>
                <section class="card">
                    <h2 class="card-title">{ "Next steps" }</h2>
                    { match &*steps {
                        Load::Loaded(page) if page.data.is_empty() => html! { <p class="muted">{ "No activity planned with this lead." }</p> },
                        Load::Loaded(page) => html! {
                            <ul class="checklist">
                                { for page.data.iter().map(|activity| {
                                    let done = activity.status == ActivityStatus::Completed;
                                    html! {
                                        <li class={classes!(done.then_some("done"))}>
                                            <span aria-hidden="true">{ if done { "☑ " } else { "☐ " } }</span>
                                            { activity.subject.clone() }
                                            if let Some(due) = activity.due_date {
                                                <span class="muted">{ format!(" · due {}", format::date(due)) }</span>
                                            }
                                        </li>
                                    }
                                }) }
                            </ul>
                        },
                        Load::Failed(message) | Load::Gone { message, .. } => html! { <p class="banner banner-error">{ message.clone() }</p> },
                        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
                    } }
                </section>
            </div>
            <div class="grid-2">
                <CustomFieldsCard kind={RecordKind::Lead} values={lead.custom_fields.clone()} on_save={save_fields}
                    key={format!("{}-{}", lead.id, lead.updated_at)} />
                <section class="card">
                    <h2 class="card-title">{ "Changes to this lead" }</h2>
                    <RecordHistory kind={RecordKind::Lead} id={RecordId::from(id)} />
                </section>
            </div>
            if *converting {
                if let Load::Loaded(pipelines) = &*pipelines {
                    <ConversionWizard lead={lead.clone()} pipelines={(**pipelines).clone()} on_close={close_wizard} />
                }
            }
            if *disqualifying {
                <Modal title={format!("Disqualify {}", lead.name)} on_close={close_disqualify.clone()}>
                    <form class="form" onsubmit={disqualify}>
                        <TextField id="disqualify-reason" label="Reason" value={AttrValue::from((*reason).clone())}
                            placeholder="e.g. No budget this year" on_input={{
                                let reason = reason.clone();
                                Callback::from(move |value: String| reason.set(value))
                            }} />
                        <div class="modal-actions">
                            <button type="button" class="button" onclick={close_disqualify.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                            <button type="submit" class="button danger">{ "Disqualify" }</button>
                        </div>
                    </form>
                </Modal>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> Lead {
        serde_json::from_value(serde_json::json!({
            "id": "0190a6a4-0000-7000-8000-000000000001", "name": "John Doe",
            "company": "Example Inc", "budget": 75000,
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
        }))
        .expect("a lead")
    }

    #[test]
    fn the_wizard_starts_from_the_lead_and_checks_the_value() {
        let mut form = Conversion::for_lead(&lead(), None);
        assert_eq!(form.deal_name, "Example Inc - New business");
        assert_eq!(form.value, "75000");
        let request = form.request().expect("valid");
        assert!(request.create_customer && request.create_contact && request.create_deal);
        assert_eq!(request.deal_value, Some(75_000.0));

        form.value = "lots".into();
        assert_eq!(
            form.request(),
            Err("The deal value must be a number, like 75000.".to_owned())
        );

        form.create_deal = false;
        let request = form.request().expect("no deal, no value needed");
        assert_eq!((request.deal_name, request.deal_value), (None, None));

        let existing: CustomerId = "0190a6a4-0000-7000-8000-0000000000c1".parse().expect("id");
        form.link_customer = Some(existing);
        let request = form.request().expect("valid");
        assert!(!request.create_customer, "linking replaces creating");
        assert_eq!(request.customer_id, Some(existing));
    }
}
