//! The pipeline kanban (spec §3.5): a pipeline switcher, filters (text, owner, close date,
//! value), the pipeline's value and weighted value, one column per open stage with its count and
//! total, and deal cards that move by drag and drop or, from the keyboard, with the card's
//! "Move to…" list. Win and lose from the card.
//!
//! The store answers the board in one command: each column's count and totals over every deal
//! that passes the filters, and its first cards; "Show more" reads a column's next cards.

use chrono::NaiveDate;
use crm_model::{Currency, Deal, DealId, LostReason, Pipeline, PipelineId, StageId};
use crm_protocol::ipc::{
    BoardQuery, GetPipelineBoard, ListDeals, ListPipelines, LoseDeal, LoseDealRequest,
    MoveDealStage, MoveDealStageRequest, WinDeal, WinDealRequest, WithId,
};
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::{Modal, PageHeader, SelectField, TextField};
use crate::format;
use crate::hooks::{AppContext, Load, use_app, use_command, use_user_names};
use crate::ipc;
use crate::route::Route;
use crate::state::{Board, BoardAction, card_markers};

/// Cards a column shows at first; "Show more" adds as many again. The column's count and
/// total always cover all its deals.
const CARDS_SHOWN: u32 = 50;
/// Drag data type: the deal's id as text.
const DRAG_TYPE: &str = "text/plain";

/// The board's filters as typed.
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    text: String,
    owner: String,
    minimum: String,
    closes_from: String,
    closes_to: String,
}

impl Filters {
    fn query(&self, pipeline: PipelineId) -> BoardQuery {
        let text = self.text.trim();
        let mut query = BoardQuery::new(pipeline);
        let deals = &mut query.deals;
        deals.owner_id = self.owner.parse().ok();
        deals.min_value = self.minimum.trim().replace(',', "").parse::<f64>().ok();
        deals.expected_close_date_from = self.closes_from.parse().ok();
        deals.expected_close_date_to = self.closes_to.parse().ok();
        deals.search = (!text.is_empty()).then(|| text.to_owned());
        query.cards_per_stage = CARDS_SHOWN;
        query
    }
}

/// Moves a deal on the board at once, then asks the store; a refusal puts the card back.
fn move_deal(board: UseReducerDispatcher<Board>, app: AppContext, deal: Deal, stage_id: StageId) {
    if deal.stage_id == Some(stage_id) {
        return;
    }
    board.dispatch(BoardAction::Move(deal.id, stage_id));
    spawn_local(async move {
        let request = WithId {
            id: deal.id,
            body: MoveDealStageRequest {
                stage_id,
                notes: None,
                update_probability: true,
            },
        };
        match ipc::call::<MoveDealStage>(&request).await {
            Ok(stored) => board.dispatch(BoardAction::Stored(Box::new(stored))),
            Err(error) => {
                app.error(format!(
                    "{} could not be moved: {}",
                    deal.name, error.message
                ));
                board.dispatch(BoardAction::Revert(Box::new(deal)));
            }
        }
    });
}

fn win_deal(board: UseReducerDispatcher<Board>, app: AppContext, deal: Deal) {
    spawn_local(async move {
        let request = WithId {
            id: deal.id,
            body: WinDealRequest {
                closed_date: Some(app.today),
                ..WinDealRequest::default()
            },
        };
        match ipc::call::<WinDeal>(&request).await {
            Ok(stored) => {
                app.success(format!("{} is won. Congratulations!", stored.name));
                board.dispatch(BoardAction::Stored(Box::new(stored)));
            }
            Err(error) => app.error(format!("{} could not be won: {}", deal.name, error.message)),
        }
    });
}

#[derive(Properties, PartialEq)]
struct CardProps {
    deal: Deal,
    /// (id, name) of every column, for "Move to…".
    stages: Vec<(StageId, String)>,
    today: NaiveDate,
    on_move: Callback<(Deal, StageId)>,
    on_win: Callback<Deal>,
    on_lose: Callback<Deal>,
    on_open: Callback<Deal>,
}

#[component]
fn DealCard(props: &CardProps) -> Html {
    let deal = &props.deal;
    let id = deal.id.to_string();
    let ondragstart = {
        let id = id.clone();
        Callback::from(move |event: DragEvent| {
            if let Some(transfer) = event.data_transfer() {
                transfer.set_effect_allowed("move");
                if let Err(error) = transfer.set_data(DRAG_TYPE, &id) {
                    web_sys::console::error_1(&error);
                }
            }
        })
    };
    let on_move_to = {
        let deal = deal.clone();
        let on_move = props.on_move.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(stage) = value.parse::<StageId>() {
                on_move.emit((deal.clone(), stage));
            }
        })
    };
    let win = {
        let deal = deal.clone();
        props.on_win.reform(move |_: MouseEvent| deal.clone())
    };
    let lose = {
        let deal = deal.clone();
        props.on_lose.reform(move |_: MouseEvent| deal.clone())
    };
    let open = {
        let deal = deal.clone();
        props.on_open.reform(move |_: MouseEvent| deal.clone())
    };
    let markers = card_markers(deal, props.today);
    let select_id = format!("move-{id}");
    html! {
        <article class="deal-card" draggable="true" {ondragstart} data-testid="deal-card"
            data-deal-id={id.clone()} aria-label={deal.name.clone()}>
            <button type="button" class="link deal-name" onclick={open} data-testid="deal-card-name">{ deal.name.clone() }</button>
            <p class="deal-amount">{ format::money(deal.amount, &deal.currency_code) }</p>
            <p class="muted deal-meta">
                { deal.expected_close_date.map_or_else(|| "No close date".to_owned(),
                    |day| format!("Closes {}", format::date(day))) }
                { format!(" · {}%", deal.probability) }
            </p>
            if !markers.is_empty() {
                <p class="markers">
                    { for markers.iter().map(|marker| html! {
                        <span class={classes!("marker", format!("marker-{}", marker.to_lowercase().replace(' ', "-")))}>{ *marker }</span>
                    }) }
                </p>
            }
            <div class="card-actions">
                <label for={select_id.clone()} class="visually-hidden">{ format!("Move {} to", deal.name) }</label>
                <select id={select_id} class="move-select" onchange={on_move_to} data-testid="move-to">
                    <option value="" selected=true>{ "Move to…" }</option>
                    { for props.stages.iter().filter(|(stage, _)| Some(*stage) != deal.stage_id).map(|(stage, name)| html! {
                        <option value={stage.to_string()}>{ name.clone() }</option>
                    }) }
                </select>
                <button type="button" class="button small success" onclick={win} data-testid="win-deal">{ "Won" }</button>
                <button type="button" class="button small danger" onclick={lose} data-testid="lose-deal">{ "Lost" }</button>
            </div>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct LoseDialogProps {
    deal: Deal,
    on_close: Callback<()>,
    on_lost: Callback<Deal>,
}

#[component]
fn LoseDialog(props: &LoseDialogProps) -> Html {
    let app = use_app();
    let reason = use_state(|| LostReason::Price);
    let competitor = use_state(String::new);
    let options: Vec<(AttrValue, AttrValue)> = LostReason::ALL
        .iter()
        .map(|reason| {
            (
                AttrValue::from(reason.as_str()),
                AttrValue::from(reason.label()),
            )
        })
        .collect();
    let on_reason = {
        let reason = reason.clone();
        Callback::from(move |value: String| {
            if let Some(parsed) = LostReason::parse(&value) {
                reason.set(parsed);
            }
        })
    };
    let on_competitor = {
        let competitor = competitor.clone();
        Callback::from(move |value: String| competitor.set(value))
    };
    let onsubmit = {
        let deal = props.deal.clone();
        let reason = *reason;
        let competitor = (*competitor).clone();
        let on_lost = props.on_lost.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = WithId {
                id: deal.id,
                body: LoseDealRequest {
                    closed_date: Some(app.today),
                    lost_reason: reason,
                    lost_to_competitor: (!competitor.trim().is_empty())
                        .then(|| competitor.trim().to_owned()),
                    notes: None,
                },
            };
            let app = app.clone();
            let on_lost = on_lost.clone();
            let on_close = on_close.clone();
            let name = deal.name.clone();
            spawn_local(async move {
                match ipc::call::<LoseDeal>(&request).await {
                    Ok(stored) => {
                        app.success(format!("{name} is marked lost."));
                        on_lost.emit(stored);
                        on_close.emit(());
                    }
                    Err(error) => app.error(format!(
                        "{name} could not be marked lost: {}",
                        error.message
                    )),
                }
            });
        })
    };
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <Modal title={format!("Mark {} as lost", props.deal.name)} on_close={props.on_close.clone()}>
            <form class="form" {onsubmit} data-testid="lose-form">
                <SelectField id="lost-reason" label="Reason" {options} value={reason.as_str()} on_change={on_reason} />
                <TextField id="lost-competitor" label="Lost to competitor" value={AttrValue::from((*competitor).clone())}
                    placeholder="Optional" on_input={on_competitor} />
                <div class="modal-actions">
                    <button type="button" class="button" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="button danger" data-testid="confirm-lost">{ "Mark as lost" }</button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
pub(crate) fn PipelinePage() -> Html {
    let app = use_app();
    let pipelines = use_command::<ListPipelines, _>((), app.data_version);
    let users = use_user_names();
    let chosen = use_state(|| None::<PipelineId>);
    let board = use_reducer(Board::default);
    let board_state = use_state(|| Load::<()>::Loading);
    let filters = use_state(Filters::default);
    let over = use_state(|| None::<StageId>);
    let losing = use_state(|| None::<Deal>);
    // Every load is numbered: while the filters change faster than the store answers (typing),
    // only the newest answer is shown.
    let latest = use_mut_ref(|| 0_u64);

    let pipeline: Option<Pipeline> = match &*pipelines {
        Load::Loaded(list) => chosen
            .and_then(|id| list.iter().find(|pipeline| pipeline.id == id))
            .or_else(|| list.iter().find(|pipeline| pipeline.is_default))
            .or_else(|| list.first())
            .cloned(),
        _ => None,
    };
    let query = pipeline.as_ref().map(|pipeline| filters.query(pipeline.id));

    {
        let dispatcher = board.dispatcher();
        let board_state = board_state.clone();
        let pipeline = pipeline.clone();
        use_effect_with((query.clone(), app.data_version), move |(query, _)| {
            if let (Some(pipeline), Some(query)) = (pipeline, query.clone()) {
                *latest.borrow_mut() += 1;
                let run = *latest.borrow();
                spawn_local(async move {
                    let answer = ipc::call::<GetPipelineBoard>(&query).await;
                    if *latest.borrow() != run {
                        return;
                    }
                    match answer {
                        Ok(answer) => {
                            dispatcher.dispatch(BoardAction::Loaded(Board::new(&pipeline, answer)));
                            board_state.set(Load::Loaded(std::rc::Rc::new(())));
                        }
                        Err(error) => board_state.set(Load::Failed(error.message)),
                    }
                });
            }
        });
    }

    let on_pipeline = {
        let chosen = chosen.clone();
        Callback::from(move |value: String| chosen.set(value.parse().ok()))
    };
    let filter = |set: fn(&mut Filters, String)| {
        let filters = filters.clone();
        Callback::from(move |value: String| {
            let mut next = (*filters).clone();
            set(&mut next, value);
            filters.set(next);
        })
    };
    let on_move = {
        let dispatcher = board.dispatcher();
        let app = app.clone();
        Callback::from(move |(deal, stage): (Deal, StageId)| {
            move_deal(dispatcher.clone(), app.clone(), deal, stage)
        })
    };
    let on_win = {
        let dispatcher = board.dispatcher();
        let app = app.clone();
        Callback::from(move |deal: Deal| win_deal(dispatcher.clone(), app.clone(), deal))
    };
    let on_lose = {
        let losing = losing.clone();
        Callback::from(move |deal: Deal| losing.set(Some(deal)))
    };
    let on_lost = {
        let dispatcher = board.dispatcher();
        Callback::from(move |deal: Deal| dispatcher.dispatch(BoardAction::Stored(Box::new(deal))))
    };
    let close_lose = {
        let losing = losing.clone();
        Callback::from(move |()| losing.set(None))
    };
    let on_open = {
        let app = app.clone();
        Callback::from(move |deal: Deal| app.navigate(Route::Deal(deal.id)))
    };

    let pipeline_options: Vec<(AttrValue, AttrValue)> = match &*pipelines {
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
    let mut owners: Vec<(AttrValue, AttrValue)> = users
        .iter()
        .map(|(id, name)| {
            (
                AttrValue::from(id.to_string()),
                AttrValue::from(name.clone()),
            )
        })
        .collect();
    owners.sort_by(|a, b| a.1.cmp(&b.1));
    owners.insert(0, (AttrValue::from(""), AttrValue::from("Anyone")));
    let usd = Currency::usd();
    let stages: Vec<(StageId, String)> = board
        .columns
        .iter()
        .map(|column| (column.stage_id, column.name.clone()))
        .collect();

    let columns = board.columns.iter().map(|column| {
        let stage_id = column.stage_id;
        let ondragover = {
            let over = over.clone();
            Callback::from(move |event: DragEvent| {
                event.prevent_default();
                if *over != Some(stage_id) {
                    over.set(Some(stage_id));
                }
            })
        };
        let ondragleave = {
            let over = over.clone();
            Callback::from(move |_: DragEvent| over.set(None))
        };
        let ondrop = {
            let over = over.clone();
            let board = board.clone();
            let on_move = on_move.clone();
            Callback::from(move |event: DragEvent| {
                event.prevent_default();
                over.set(None);
                let id = event
                    .data_transfer()
                    .and_then(|transfer| transfer.get_data(DRAG_TYPE).ok())
                    .and_then(|text| text.parse::<DealId>().ok());
                if let Some(deal) = id.and_then(|id| board.deal(id).cloned()) {
                    on_move.emit((deal, stage_id));
                }
            })
        };
        let show_more = {
            let dispatcher = board.dispatcher();
            let app = app.clone();
            let more = query
                .as_ref()
                .map(|query| query.more_of_stage(stage_id, column.next_cursor.clone()));
            Callback::from(move |_: MouseEvent| {
                let Some(more) = more.clone() else {
                    return;
                };
                let dispatcher = dispatcher.clone();
                let app = app.clone();
                spawn_local(async move {
                    match ipc::call::<ListDeals>(&more).await {
                        Ok(page) => dispatcher.dispatch(BoardAction::More(
                            stage_id,
                            page.data,
                            page.next_cursor,
                        )),
                        Err(error) => {
                            app.error(format!("More deals could not be loaded: {}", error.message))
                        }
                    }
                });
            })
        };
        let hidden = column.hidden();
        html! {
            <section class={classes!("kanban-column", (*over == Some(stage_id)).then_some("drop-target"))}
                {ondragover} {ondragleave} {ondrop}
                data-testid="kanban-column" data-stage-id={stage_id.to_string()} data-stage-name={column.name.clone()}
                aria-label={format!("{} stage", column.name)}>
                <header class="kanban-header">
                    <h2>{ column.name.clone() }<span class="muted">{ format!(" {}%", column.probability) }</span></h2>
                    <p class="kanban-totals" data-testid="column-totals">
                        <span data-testid="column-count">{ column.count }</span>
                        { format!(" deals · {}", format::money_compact(column.amount, &usd)) }
                    </p>
                </header>
                <div class="kanban-cards">
                    { for column.deals.iter().map(|deal| html! {
                        <DealCard key={deal.id.to_string()} deal={deal.clone()} stages={stages.clone()} today={app.today}
                            on_move={on_move.clone()} on_win={on_win.clone()} on_lose={on_lose.clone()} on_open={on_open.clone()} />
                    }) }
                    if hidden > 0 && column.next_cursor.is_some() {
                        <button type="button" class="button small show-more" onclick={show_more} data-testid="column-show-more">
                            { format!("Show {} more of {}", hidden.min(u64::from(CARDS_SHOWN)), format::thousands(hidden as i64)) }
                        </button>
                    }
                </div>
            </section>
        }
    });

    html! {
        <>
            <PageHeader title={AttrValue::from(pipeline.as_ref().map_or("Pipeline".to_owned(), |pipeline| pipeline.name.clone()))}
                subtitle="Drag a deal to another stage, or use its “Move to…” list" />
            <div class="page-body pipeline-page">
                <div class="filters card">
                    if pipeline_options.len() > 1 {
                        <SelectField id="pipeline-switcher" label="Pipeline" options={pipeline_options}
                            value={AttrValue::from(pipeline.as_ref().map(|pipeline| pipeline.id.to_string()).unwrap_or_default())}
                            on_change={on_pipeline} />
                    }
                    <TextField id="pipeline-search" label="Find a deal" value={AttrValue::from(filters.text.clone())}
                        placeholder="Deal name" on_input={filter(|filters, value| filters.text = value)} />
                    <SelectField id="pipeline-owner" label="Owner" options={owners}
                        value={AttrValue::from(filters.owner.clone())}
                        on_change={filter(|filters, value| filters.owner = value)} />
                    <TextField id="pipeline-closes-from" label="Closes from" input_type="date"
                        value={AttrValue::from(filters.closes_from.clone())}
                        on_input={filter(|filters, value| filters.closes_from = value)} />
                    <TextField id="pipeline-closes-to" label="Closes by" input_type="date"
                        value={AttrValue::from(filters.closes_to.clone())}
                        on_input={filter(|filters, value| filters.closes_to = value)} />
                    <TextField id="pipeline-minimum" label="Minimum value" value={AttrValue::from(filters.minimum.clone())}
                        placeholder="e.g. 10000" input_type="number"
                        on_input={filter(|filters, value| filters.minimum = value)} />
                    <div class="pipeline-summary" data-testid="pipeline-summary">
                        <span><strong>{ format::money_compact(board.value(), &usd) }</strong>{ " pipeline" }</span>
                        <span><strong>{ format::money_compact(board.weighted(), &usd) }</strong>{ " weighted" }</span>
                        <span><strong>{ format::thousands(board.count() as i64) }</strong>{ " open deals" }</span>
                    </div>
                </div>
                { match (&*pipelines, &*board_state) {
                    (Load::Failed(message) | Load::Gone { message, .. }, _)
                    | (_, Load::Failed(message) | Load::Gone { message, .. }) => html! {
                        <p class="banner banner-error">{ format!("The pipeline could not be loaded: {message}") }</p>
                    },
                    (Load::Loading, _) | (_, Load::Loading) => html! { <p class="muted">{ "Loading the pipeline…" }</p> },
                    _ => html! { <div class="kanban" data-testid="kanban">{ for columns }</div> },
                } }
            </div>
            if let Some(deal) = (*losing).clone() {
                <LoseDialog {deal} on_close={close_lose} {on_lost} />
            }
        </>
    }
}
