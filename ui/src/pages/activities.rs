//! Activities and tasks (spec §3.7): mine, the team's or everyone's, grouped overdue, today, this
//! week, later and undated; completing one asks for its outcome.

use crm_model::Activity;
use crm_protocol::ipc::{
    ActivityGroupsRequest, ActivityScope, CompleteActivity, CompleteActivityRequest,
    GetActivityGroups, WithId,
};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{Modal, PageHeader, TextField};
use crate::format;
use crate::hooks::{Load, use_app, use_command};
use crate::ipc;
use crate::route::Route;

const SCOPES: [(ActivityScope, &str, &str); 3] = [
    (ActivityScope::Mine, "My tasks", "mine"),
    (ActivityScope::Team, "Team tasks", "team"),
    (ActivityScope::All, "All", "all"),
];

#[derive(Properties, PartialEq)]
struct CompleteDialogProps {
    activity: Activity,
    on_close: Callback<()>,
    on_done: Callback<()>,
}

#[component]
fn CompleteDialog(props: &CompleteDialogProps) -> Html {
    let app = use_app();
    let outcome = use_state(String::new);
    let onsubmit = {
        let outcome = outcome.clone();
        let activity = props.activity.clone();
        let on_done = props.on_done.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = WithId {
                id: activity.id,
                body: CompleteActivityRequest {
                    outcome: (!outcome.trim().is_empty()).then(|| outcome.trim().to_owned()),
                    ..CompleteActivityRequest::default()
                },
            };
            let app = app.clone();
            let on_done = on_done.clone();
            spawn_local(async move {
                match ipc::call::<CompleteActivity>(&request).await {
                    Ok(done) => {
                        app.success(format!("“{}” is done.", done.subject));
                        on_done.emit(());
                    }
                    Err(error) => app.error(error.message),
                }
            });
        })
    };
    let on_input = {
        let outcome = outcome.clone();
        Callback::from(move |value: String| outcome.set(value))
    };
    html! {
        <Modal title={format!("Complete “{}”", props.activity.subject)} on_close={props.on_close.clone()}>
            <form class="form" {onsubmit} data-testid="complete-form">
                <TextField id="activity-outcome" label="Outcome" value={AttrValue::from((*outcome).clone())}
                    placeholder="e.g. Customer agreed to the proposal" {on_input} />
                <div class="modal-actions">
                    <button type="button" class="button" onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    <button type="submit" class="button primary" data-testid="confirm-complete">{ "Mark complete" }</button>
                </div>
            </form>
        </Modal>
    }
}

/// The activities each group shows at first; its heading counts them all, and "Show more"
/// adds as many again to every group.
const GROUP_LIMIT: u32 = 25;

#[component]
pub(crate) fn ActivitiesPage() -> Html {
    let app = use_app();
    let scope = use_state(|| ActivityScope::All);
    let version = use_state(|| 0_u32);
    let completing = use_state(|| None::<Activity>);
    let limit = use_state(|| GROUP_LIMIT);
    let groups = use_command::<GetActivityGroups, _>(
        ActivityGroupsRequest {
            scope: *scope,
            today: app.today,
            limit: Some(*limit),
        },
        (*scope, *version, *limit, app.data_version),
    );
    let show_more = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(*limit + GROUP_LIMIT))
    };

    let tabs = SCOPES.iter().map(|(candidate, label, slug)| {
        let candidate = *candidate;
        let selected = *scope == candidate;
        let scope = scope.clone();
        html! {
            <button type="button" role="tab" aria-selected={selected.to_string()}
                class={classes!("tab", selected.then_some("active"))}
                onclick={Callback::from(move |_: MouseEvent| scope.set(candidate))}
                data-testid={format!("scope-{slug}")}>{ *label }</button>
        }
    });
    let today = app.today;
    let item = |activity: &Activity, overdue: bool| {
        let start = {
            let completing = completing.clone();
            let activity = activity.clone();
            Callback::from(move |_: MouseEvent| completing.set(Some(activity.clone())))
        };
        let open = activity
            .customer_id
            .map(|customer| app.navigate_callback(Route::Customer(customer)));
        let due = activity
            .due_date
            .map_or_else(|| "No date".to_owned(), |day| format::due(day, today));
        // The hour of a day long past is noise: "Overdue 3 days", not "Overdue 3 days 09:30".
        let time = activity
            .due_time
            .filter(|_| !overdue)
            .map(|time| time.format(" %H:%M").to_string())
            .unwrap_or_default();
        html! {
            <li key={activity.id.to_string()} class={classes!("activity-item", overdue.then_some("overdue"))} data-testid="activity-item">
                <span class={classes!("badge", format!("priority-{}", activity.priority.as_str().to_lowercase()))}>{ activity.priority.label() }</span>
                <div class="activity-main">
                    <p class="activity-subject">{ activity.subject.clone() }</p>
                    <p class="muted">
                        { activity.activity_type.label() }
                        if let Some(open) = open {
                            { " · " }<button type="button" class="link" onclick={open}>{ "Open customer" }</button>
                        }
                    </p>
                </div>
                <span class={classes!("task-due", overdue.then_some("overdue-text"))}>{ format!("{due}{time}") }</span>
                <button type="button" class="button small" onclick={start} data-testid="complete-activity">{ "Complete" }</button>
            </li>
        }
    };
    let group = |title: &str, slug: &str, activities: &[Activity], count: u64, overdue: bool| {
        if activities.is_empty() {
            return Html::default();
        }
        let more = count.saturating_sub(activities.len() as u64);
        html! {
            <section class="card activity-group" data-testid={format!("group-{slug}")}>
                <h2 class="card-title">{ format!("{title} ({})", format::thousands(count as i64)) }</h2>
                <ul class="activity-list">{ for activities.iter().map(|activity| item(activity, overdue)) }</ul>
                if more > 0 {
                    <p class="group-more">
                        <span class="muted">{ format!("{} of {} shown", activities.len(), format::thousands(count as i64)) }</span>
                        <button type="button" class="button small" onclick={show_more.clone()} data-testid={format!("group-{slug}-more")}>
                            { format!("Show {} more", more.min(u64::from(GROUP_LIMIT))) }
                        </button>
                    </p>
                }
            </section>
        }
    };
    let body = match &*groups {
        Load::Loading => html! { <p class="muted">{ "Loading…" }</p> },
        Load::Failed(message) | Load::Gone { message, .. } => {
            html! { <p class="banner banner-error">{ format!("The activities could not be loaded: {message}") }</p> }
        }
        Load::Loaded(groups) => {
            let counts = groups.counts;
            let total =
                counts.overdue + counts.today + counts.this_week + counts.later + counts.no_date;
            if total == 0 {
                html! { <div class="card empty-state"><p class="empty-title">{ "Nothing to do" }</p><p class="muted">{ "No open activity here." }</p></div> }
            } else {
                html! {
                    <>
                        { group("Overdue", "overdue", &groups.overdue, counts.overdue, true) }
                        { group("Today", "today", &groups.today, counts.today, false) }
                        { group("This week", "this-week", &groups.this_week, counts.this_week, false) }
                        { group("Later", "later", &groups.later, counts.later, false) }
                        { group("No date", "no-date", &groups.no_date, counts.no_date, false) }
                    </>
                }
            }
        }
    };
    let close = {
        let completing = completing.clone();
        Callback::from(move |()| completing.set(None))
    };
    let done = {
        let completing = completing.clone();
        let version = version.clone();
        Callback::from(move |()| {
            completing.set(None);
            version.set(*version + 1);
        })
    };
    html! {
        <>
            <PageHeader title="Activities & tasks" subtitle="What needs doing, soonest first" />
            <div class="page-body">
                <div class="tabs" role="tablist" aria-label="Whose activities">{ for tabs }</div>
                { body }
            </div>
            if let Some(activity) = (*completing).clone() {
                <CompleteDialog {activity} on_close={close} on_done={done} />
            }
        </>
    }
}
