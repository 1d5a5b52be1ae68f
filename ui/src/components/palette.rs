//! The command palette (Ctrl/Cmd+K): one box that finds any customer, contact, lead or deal
//! through the store's search, and any action (go to a page, switch theme, load demo data).
//! Arrow keys move, Enter opens, Escape closes.

use crm_model::{ContactId, CustomerId, DealId, LeadId, RecordKind};
use crm_protocol::ipc::{LoadDemoData, Search, SearchHit, SearchRequest};
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::{AppContext, use_app};
use crate::ipc;
use crate::route::Route;
use crate::state::{AppAction, Theme};

/// Something the palette can do without a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PaletteAction {
    Go(Route),
    ToggleTheme,
    LoadDemoData,
}

impl PaletteAction {
    fn all() -> Vec<PaletteAction> {
        let mut actions: Vec<PaletteAction> = Route::SECTIONS
            .iter()
            .map(|route| PaletteAction::Go(*route))
            .collect();
        actions.push(PaletteAction::ToggleTheme);
        actions.push(PaletteAction::LoadDemoData);
        actions
    }

    pub(crate) fn label(self, theme: Theme) -> String {
        match self {
            PaletteAction::Go(route) => format!("Go to {}", route.label()),
            PaletteAction::ToggleTheme => match theme {
                Theme::Light => "Switch to the dark theme".to_owned(),
                Theme::Dark => "Switch to the light theme".to_owned(),
            },
            PaletteAction::LoadDemoData => "Load demo data".to_owned(),
        }
    }
}

/// The actions whose label contains every word typed, in their usual order.
pub(crate) fn matching_actions(text: &str, theme: Theme) -> Vec<PaletteAction> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    PaletteAction::all()
        .into_iter()
        .filter(|action| {
            let label = action.label(theme).to_lowercase();
            words.iter().all(|word| label.contains(word.as_str()))
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
enum Entry {
    Action(PaletteAction),
    Record(SearchHit),
}

/// What the palette lists: the entries for `query` (its matching actions, then its search
/// hits), and the one selected.
///
/// It changes once per keystroke, when the search for it answers: the typed text shows in the
/// input at once, and the list follows in one step (no intermediate list of actions without
/// hits, which would mean a second layout and paint of the dialog and the page under it).
#[derive(Clone, Debug, Default, PartialEq)]
struct Shown {
    query: String,
    hits: Vec<SearchHit>,
    selected: usize,
}

impl Shown {
    fn entries(&self, theme: Theme) -> Vec<Entry> {
        let mut entries: Vec<Entry> = matching_actions(&self.query, theme)
            .into_iter()
            .map(Entry::Action)
            .collect();
        if !self.query.trim().is_empty() {
            entries.truncate(4);
            entries.extend(self.hits.iter().cloned().map(Entry::Record));
        }
        entries
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct CommandPaletteProps {
    pub(crate) on_close: Callback<()>,
    pub(crate) theme: Theme,
}

/// The page a search hit opens: its record's.
pub(crate) fn route_of(hit: &SearchHit) -> Route {
    match hit.kind {
        RecordKind::Customer => Route::Customer(CustomerId::from(hit.id.0)),
        RecordKind::Lead => Route::Lead(LeadId::from(hit.id.0)),
        RecordKind::Contact => Route::Contact(ContactId::from(hit.id.0)),
        RecordKind::Deal => Route::Deal(DealId::from(hit.id.0)),
        _ => Route::Dashboard,
    }
}

pub(crate) async fn load_demo_data(app: AppContext) {
    app.success("Loading demo data… this takes a few seconds.");
    match ipc::call::<LoadDemoData>(&()).await {
        Ok(loaded) => {
            app.success(format!(
                "Demo data loaded: {} records.",
                crate::format::thousands(loaded.records as i64)
            ));
            app.dispatch.emit(AppAction::DataChanged);
        }
        Err(error) => app.error(format!(
            "The demo data could not be loaded: {}",
            error.message
        )),
    }
}

#[component]
pub(crate) fn CommandPalette(props: &CommandPaletteProps) -> Html {
    let app = use_app();
    let shown = use_state(Shown::default);
    let searches = use_mut_ref(|| 0_u32);
    let input = use_node_ref();

    {
        let input = input.clone();
        use_effect_with((), move |_| {
            if let Some(input) = input.cast::<HtmlInputElement>()
                && let Err(error) = input.focus()
            {
                web_sys::console::error_1(&error);
            }
        });
    }

    let entries = shown.entries(props.theme);
    let selected_index = shown.selected.min(entries.len().saturating_sub(1));

    let run_entry = {
        let app = app.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |entry: Entry| match entry {
            Entry::Action(PaletteAction::Go(route)) => app.navigate(route),
            Entry::Action(PaletteAction::ToggleTheme) => {
                app.dispatch.emit(AppAction::ToggleTheme);
                on_close.emit(());
            }
            Entry::Action(PaletteAction::LoadDemoData) => {
                on_close.emit(());
                spawn_local(load_demo_data(app.clone()));
            }
            Entry::Record(hit) => app.navigate(route_of(&hit)),
        })
    };

    let oninput = {
        let shown = shown.clone();
        let searches = searches.clone();
        let app = app.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            *searches.borrow_mut() += 1;
            let search = *searches.borrow();
            if value.trim().is_empty() {
                shown.set(Shown {
                    query: value,
                    ..Shown::default()
                });
                return;
            }
            let shown = shown.clone();
            let searches = searches.clone();
            let app = app.clone();
            spawn_local(async move {
                let request = SearchRequest {
                    text: value.clone(),
                    kinds: Vec::new(),
                    limit: 5,
                };
                let answer = ipc::call::<Search>(&request).await;
                // A slower answer to an earlier keystroke must not replace a newer one.
                if *searches.borrow() != search {
                    return;
                }
                let hits = answer.unwrap_or_else(|error| {
                    app.error(format!("Search failed: {}", error.message));
                    Vec::new()
                });
                shown.set(Shown {
                    query: value,
                    hits,
                    selected: 0,
                });
            });
        })
    };

    let onkeydown = {
        let shown = shown.clone();
        let entries = entries.clone();
        let run_entry = run_entry.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "ArrowDown" => {
                event.prevent_default();
                if !entries.is_empty() {
                    shown.set(Shown {
                        selected: (selected_index + 1) % entries.len(),
                        ..(*shown).clone()
                    });
                }
            }
            "ArrowUp" => {
                event.prevent_default();
                if !entries.is_empty() {
                    shown.set(Shown {
                        selected: (selected_index + entries.len() - 1) % entries.len(),
                        ..(*shown).clone()
                    });
                }
            }
            "Enter" => {
                event.prevent_default();
                if let Some(entry) = entries.get(selected_index) {
                    run_entry.emit(entry.clone());
                }
            }
            "Escape" => on_close.emit(()),
            _ => {}
        })
    };

    let rows = entries.iter().enumerate().map(|(index, entry)| {
        let (label, detail, kind, testid) = match entry {
            Entry::Action(action) => (
                action.label(props.theme),
                String::new(),
                "Action".to_owned(),
                "palette-action",
            ),
            Entry::Record(hit) => (
                hit.title.clone(),
                hit.detail.clone(),
                hit.kind.label().to_owned(),
                "palette-hit",
            ),
        };
        let onclick = {
            let run_entry = run_entry.clone();
            let entry = entry.clone();
            Callback::from(move |_: MouseEvent| run_entry.emit(entry.clone()))
        };
        let active = index == selected_index;
        let record_kind = match entry {
            Entry::Record(hit) => Some(hit.kind.as_str()),
            Entry::Action(_) => None,
        };
        html! {
            <li role="option" aria-selected={active.to_string()} id={format!("palette-option-{index}")}
                class={classes!("palette-entry", active.then_some("active"))}
                data-testid={testid} data-kind={record_kind} {onclick}>
                <span class="palette-kind">{ kind }</span>
                <span class="palette-label">{ label }</span>
                <span class="palette-detail">{ detail }</span>
            </li>
        }
    });

    let close = props.on_close.reform(|_: MouseEvent| ());
    let stop = Callback::from(|event: MouseEvent| event.stop_propagation());
    html! {
        <div class="modal-backdrop" onclick={close}>
            <div class="palette" role="dialog" aria-modal="true" aria-label="Search and commands"
                onclick={stop} data-testid="palette">
                <label for="palette-input" class="visually-hidden">{ "Search records or type a command" }</label>
                <input id="palette-input" ref={input} class="palette-input" type="search"
                    placeholder="Search customers, contacts, leads, deals… or type a command"
                    {oninput} {onkeydown}
                    role="combobox" aria-expanded="true" aria-controls="palette-list"
                    aria-activedescendant={format!("palette-option-{selected_index}")}
                    data-testid="palette-input" autocomplete="off" spellcheck="false" />
                <ul id="palette-list" class="palette-list" role="listbox">
                    { for rows }
                </ul>
                if entries.is_empty() {
                    <p class="muted palette-empty">{ "Nothing matches. Try another word." }</p>
                }
                <p class="palette-help muted">{ "↑ ↓ to move · Enter to open · Esc to close" }</p>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_match_every_word_typed() {
        let cases: &[(&str, Vec<PaletteAction>)] = &[
            ("pipe", vec![PaletteAction::Go(Route::Pipeline)]),
            ("go cust", vec![PaletteAction::Go(Route::Customers)]),
            ("DEMO", vec![PaletteAction::LoadDemoData]),
            ("dark", vec![PaletteAction::ToggleTheme]),
            ("spaceship", vec![]),
        ];
        for (text, expected) in cases {
            assert_eq!(&matching_actions(text, Theme::Light), expected, "{text}");
        }
        assert_eq!(
            matching_actions("", Theme::Light).len(),
            Route::SECTIONS.len() + 2
        );
    }

    #[test]
    fn a_query_lists_at_most_four_actions_then_its_hits() {
        let hit = SearchHit {
            kind: RecordKind::Customer,
            id: crm_model::RecordId(Default::default()),
            title: "Goldfields".into(),
            detail: "Mining".into(),
        };
        let nothing_typed = Shown {
            hits: vec![hit.clone()],
            ..Shown::default()
        };
        assert_eq!(
            nothing_typed.entries(Theme::Light).len(),
            Route::SECTIONS.len() + 2,
            "every action, and no hits left over from an earlier query"
        );
        let typed = Shown {
            query: "go".into(),
            hits: vec![hit.clone()],
            selected: 0,
        };
        let entries = typed.entries(Theme::Light);
        assert_eq!(entries.len(), 5);
        assert!(matches!(
            entries[..4],
            [
                Entry::Action(_),
                Entry::Action(_),
                Entry::Action(_),
                Entry::Action(_)
            ]
        ));
        assert_eq!(entries[4], Entry::Record(hit));
    }
}
