//! A table that scrolls through every row of a list, 100,000 of them as easily as 10.
//!
//! Only the rows in view, and a few either side, are in the DOM; spacer rows above and below
//! give the scrollbar the height of the whole list. Rows are fetched from the store in blocks
//! of [`BLOCK`] as they come into view, at most two requests at a time, and the blocks far from
//! the view are dropped. The page fetches the first block itself, with the total, and hands it
//! over: a new first block (the data changed) keeps the rows on screen until their fresh copies
//! arrive, and a new query is a new table (the page keys it by the query), back at the top.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

use crm_protocol::ipc::{
    Command, CommunicationQuery, ContactQuery, CustomerQuery, DealQuery, LeadQuery,
};
use crm_protocol::query::{Page, Paging};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::ipc;

/// Rows per request.
pub(crate) const BLOCK: u32 = 50;
/// Height of a row in pixels; `.virtual-table` in the style sheet draws rows exactly this tall.
pub(crate) const ROW_HEIGHT: f64 = 40.0;
/// Rows drawn beyond each edge of the view, so a small scroll never shows an empty row.
const OVERSCAN: u64 = 10;
/// Blocks kept; beyond this, the ones farthest from the view are dropped.
const KEPT_BLOCKS: usize = 40;
/// Requests in flight at once; fast scrolling asks again for what is in view when one returns.
const IN_FLIGHT: usize = 2;

/// The rows to draw when the list is scrolled `scroll_top` pixels down a view `viewport`
/// pixels tall: those in view and [`OVERSCAN`] either side.
pub(crate) fn rows_in_view(scroll_top: f64, viewport: f64, total: u64) -> Range<u64> {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as u64;
    let shown = (viewport.max(0.0) / ROW_HEIGHT).ceil() as u64 + 1;
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = first.saturating_add(shown + OVERSCAN).min(total);
    start..end
}

/// The blocks that hold `rows`.
pub(crate) fn blocks_of(rows: &Range<u64>) -> Range<u64> {
    if rows.is_empty() {
        return 0..0;
    }
    let block = u64::from(BLOCK);
    rows.start / block..(rows.end - 1) / block + 1
}

/// A list query whose page the table sets to fetch a block.
pub(crate) trait Paged: Clone + 'static {
    fn paging_mut(&mut self) -> &mut Paging;

    /// The query for the first block, with the total the table needs for its height.
    fn first_block(mut self) -> Self {
        let paging = self.paging_mut();
        paging.page = 1;
        paging.limit = BLOCK;
        paging.cursor = None;
        paging.with_total = true;
        self
    }

    /// The query for block `block` (0-based), without a total.
    fn block(mut self, block: u64) -> Self {
        let paging = self.paging_mut();
        paging.page = u32::try_from(block + 1).unwrap_or(u32::MAX);
        paging.limit = BLOCK;
        paging.cursor = None;
        paging.with_total = false;
        self
    }
}

macro_rules! paged {
    ($($query:ty),*) => {
        $(impl Paged for $query {
            fn paging_mut(&mut self) -> &mut Paging {
                &mut self.paging
            }
        })*
    };
}
paged!(
    CustomerQuery,
    ContactQuery,
    LeadQuery,
    DealQuery,
    CommunicationQuery
);

/// Fetches block `n` and hands its rows, or the error in words, to the callback.
pub(crate) type LoadBlock<T> = Callback<(u64, Callback<Result<Vec<T>, String>>)>;

/// Fetches the blocks of `query` through command `C`.
pub(crate) fn block_loader<C, T>(query: C::Request) -> LoadBlock<T>
where
    C: Command<Response = Page<T>> + 'static,
    C::Request: Paged,
    T: 'static,
{
    Callback::from(
        move |(block, done): (u64, Callback<Result<Vec<T>, String>>)| {
            let request = query.clone().block(block);
            spawn_local(async move {
                let answer = ipc::call::<C>(&request).await;
                done.emit(answer.map(|page| page.data).map_err(|error| error.message));
            });
        },
    )
}

#[derive(Properties, PartialEq)]
pub(crate) struct VirtualTableProps<T: PartialEq + 'static> {
    /// The first block with the total (see [`Paged::first_block`]).
    pub(crate) first: Rc<Page<T>>,
    pub(crate) load: LoadBlock<T>,
    /// The header row's cells.
    pub(crate) head: Html,
    /// The cells of one row, matching the header.
    pub(crate) row: Callback<T, Html>,
    /// The test id of every row.
    #[prop_or_default]
    pub(crate) row_testid: Option<AttrValue>,
    pub(crate) columns: u32,
    pub(crate) label: AttrValue,
    #[prop_or_default]
    pub(crate) testid: AttrValue,
}

/// The blocks loaded so far, and which are on their way.
struct Blocks<T> {
    /// Bumped when the page hands over a new first block: every block loaded before is stale.
    generation: u64,
    first: Option<Rc<Page<T>>>,
    /// Rows of each block, with the generation they were loaded in.
    loaded: HashMap<u64, (u64, Rc<Vec<T>>)>,
    in_flight: HashSet<u64>,
    /// A block that could not be loaded in this generation, and why; not asked for again.
    failed: Option<(u64, String)>,
    /// Bumped when a request returns, so the table looks again for blocks it still needs.
    settled: u64,
}

impl<T> Default for Blocks<T> {
    fn default() -> Blocks<T> {
        Blocks {
            generation: 0,
            first: None,
            loaded: HashMap::new(),
            in_flight: HashSet::new(),
            failed: None,
            settled: 0,
        }
    }
}

impl<T> Blocks<T> {
    fn adopt(&mut self, first: &Rc<Page<T>>) {
        if self
            .first
            .as_ref()
            .is_some_and(|known| Rc::ptr_eq(known, first))
        {
            return;
        }
        self.generation += 1;
        self.failed = None;
        self.first = Some(first.clone());
    }

    fn wanted(&self, blocks: Range<u64>) -> Vec<u64> {
        let fresh = |block: &u64| {
            *block == 0
                || self
                    .loaded
                    .get(block)
                    .is_some_and(|(generation, _)| *generation == self.generation)
        };
        let failed = |block: &u64| {
            self.failed
                .as_ref()
                .is_some_and(|(failed, _)| failed == block)
        };
        blocks
            .filter(|block| !fresh(block) && !failed(block) && !self.in_flight.contains(block))
            .take(IN_FLIGHT.saturating_sub(self.in_flight.len()))
            .collect()
    }

    /// Drops the blocks farthest from `near` while more than [`KEPT_BLOCKS`] are kept.
    fn evict(&mut self, near: u64) {
        while self.loaded.len() > KEPT_BLOCKS {
            let farthest = self
                .loaded
                .keys()
                .copied()
                .max_by_key(|block| block.abs_diff(near));
            match farthest {
                Some(block) => self.loaded.remove(&block),
                None => break,
            };
        }
    }
}

#[component]
pub(crate) fn VirtualTable<T>(props: &VirtualTableProps<T>) -> Html
where
    T: Clone + PartialEq + 'static,
{
    let blocks = use_mut_ref(Blocks::<T>::default);
    let refresh = use_force_update();
    let viewport = use_node_ref();
    let view_height = || {
        web_sys::window()
            .and_then(|window| window.inner_height().ok())
            .and_then(|height| height.as_f64())
            .unwrap_or(1000.0)
    };
    let total = props.first.pagination.total;
    // Where the view is scrolled to and how tall it is; set only when that changes the rows.
    let scroll = use_state(|| (0.0, view_height()));
    blocks.borrow_mut().adopt(&props.first);
    let shown = rows_in_view(scroll.0, scroll.1, total);
    let (generation, settled) = {
        let blocks = blocks.borrow();
        (blocks.generation, blocks.settled)
    };

    {
        let blocks = blocks.clone();
        let load = props.load.clone();
        let needed = blocks_of(&shown);
        use_effect_with(
            (needed, generation, settled),
            move |(needed, generation, _)| {
                let wanted = blocks.borrow().wanted(needed.clone());
                for block in wanted {
                    blocks.borrow_mut().in_flight.insert(block);
                    let blocks = blocks.clone();
                    let refresh = refresh.clone();
                    let generation = *generation;
                    let near = needed.start;
                    load.emit((
                        block,
                        Callback::from(move |answer: Result<Vec<T>, String>| {
                            let mut blocks = blocks.borrow_mut();
                            blocks.in_flight.remove(&block);
                            blocks.settled += 1;
                            if blocks.generation == generation {
                                match answer {
                                    Ok(rows) => {
                                        blocks.loaded.insert(block, (generation, Rc::new(rows)));
                                        blocks.evict(near);
                                    }
                                    Err(message) => blocks.failed = Some((block, message)),
                                }
                            }
                            drop(blocks);
                            refresh.force_update();
                        }),
                    ));
                }
            },
        );
    }

    // Scroll events do not bubble, so the listener is the element's own, not Yew's delegated
    // one. It re-renders only when the scroll changes which rows are drawn.
    let drawn = use_mut_ref(|| (shown.clone(), total));
    *drawn.borrow_mut() = (shown.clone(), total);
    {
        let scroll = scroll.clone();
        let viewport = viewport.clone();
        use_effect_with((), move |()| {
            let element = viewport.cast::<web_sys::Element>();
            let listener = element.as_ref().map(|element| {
                let target = element.clone();
                let listener = Closure::<dyn Fn()>::new(move || {
                    let next = (
                        f64::from(target.scroll_top()),
                        f64::from(target.client_height()),
                    );
                    let (shown, total) = drawn.borrow().clone();
                    if rows_in_view(next.0, next.1, total) != shown {
                        scroll.set(next);
                    }
                });
                if let Err(error) = element
                    .add_event_listener_with_callback("scroll", listener.as_ref().unchecked_ref())
                {
                    web_sys::console::error_1(&error);
                }
                listener
            });
            move || {
                if let (Some(element), Some(listener)) = (element, listener) {
                    let removed = element.remove_event_listener_with_callback(
                        "scroll",
                        listener.as_ref().unchecked_ref(),
                    );
                    if let Err(error) = removed {
                        web_sys::console::error_1(&error);
                    }
                }
            }
        });
    }

    let cached = blocks.borrow();
    let row_at = |index: u64| -> Option<T> {
        let block = index / u64::from(BLOCK);
        let offset = usize::try_from(index % u64::from(BLOCK)).ok()?;
        if block == 0 {
            return props.first.data.get(offset).cloned();
        }
        cached
            .loaded
            .get(&block)
            .and_then(|(_, rows)| rows.get(offset).cloned())
    };
    // The spacers' heights are set through the CSSOM: the app's content security policy
    // (`style-src 'self'`) ignores style attributes.
    let above = use_node_ref();
    let below = use_node_ref();
    {
        let heights = (
            shown.start as f64 * ROW_HEIGHT,
            (total - shown.end) as f64 * ROW_HEIGHT,
        );
        let (above, below) = (above.clone(), below.clone());
        use_effect_with(heights, move |(top, bottom)| {
            for (cell, height) in [(above, *top), (below, *bottom)] {
                if let Some(cell) = cell.cast::<web_sys::HtmlElement>()
                    && let Err(error) = cell.style().set_property("height", &format!("{height}px"))
                {
                    web_sys::console::error_1(&error);
                }
            }
        });
    }
    let spacer = |cell: &NodeRef, key: &'static str| {
        html! {
            <tr {key} class="virtual-spacer" aria-hidden="true">
                <td ref={cell.clone()} colspan={props.columns.to_string()}></td>
            </tr>
        }
    };
    let body = shown.clone().map(|index| match row_at(index) {
        Some(row) => html! {
            <tr key={index.to_string()} aria-rowindex={(index + 2).to_string()}
                data-testid={props.row_testid.clone()}>
                { props.row.emit(row) }
            </tr>
        },
        None => html! {
            <tr key={index.to_string()} class="virtual-pending" aria-busy="true"
                aria-rowindex={(index + 2).to_string()}>
                <td colspan={props.columns.to_string()}>{ "…" }</td>
            </tr>
        },
    });
    html! {
        <>
            if let Some((_, message)) = &cached.failed {
                <p class="banner banner-error">{ format!("Some rows could not be loaded: {message}") }</p>
            }
            <div class="virtual-scroll" ref={viewport} tabindex="0"
                aria-label={props.label.clone()} data-testid={props.testid.clone()}>
                <table class="table virtual-table" aria-rowcount={total.to_string()}>
                    <thead><tr>{ props.head.clone() }</tr></thead>
                    <tbody>
                        { spacer(&above, "spacer-above") }
                        { for body }
                        { spacer(&below, "spacer-below") }
                    </tbody>
                </table>
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_in_view_and_the_overscan_are_drawn() {
        /// (scroll top, view height, total), then the rows drawn.
        type Case = ((f64, f64, u64), Range<u64>);
        let cases: &[Case] = &[
            ((0.0, 400.0, 100_000), 0..21),
            ((4_000.0, 400.0, 100_000), 90..121),
            ((4_010.0, 400.0, 100_000), 90..121),
            ((0.0, 400.0, 7), 0..7),
            ((0.0, 400.0, 0), 0..0),
            // Scrolled past the end (the list shrank under the view): nothing beyond the total.
            ((4_000_000.0, 400.0, 100), 100..100),
            ((3_999_960.0, 400.0, 100_000), 99_989..100_000),
        ];
        for ((top, height, total), expected) in cases {
            assert_eq!(
                rows_in_view(*top, *height, *total),
                *expected,
                "{top} {height} {total}"
            );
        }
    }

    #[test]
    fn the_blocks_of_the_rows_drawn_are_fetched() {
        assert_eq!(blocks_of(&(0..21)), 0..1);
        assert_eq!(blocks_of(&(40..61)), 0..2);
        assert_eq!(blocks_of(&(50..100)), 1..2);
        assert_eq!(blocks_of(&(99_989..100_000)), 1999..2000);
        assert_eq!(blocks_of(&(5..5)), 0..0);
    }

    #[test]
    fn only_missing_or_stale_blocks_are_asked_for_two_at_a_time() {
        let first = Rc::new(Page {
            data: vec![1_u32],
            pagination: crm_protocol::query::Pagination::new(1, BLOCK, 1_000),
            next_cursor: None,
        });
        let mut blocks = Blocks::<u32>::default();
        blocks.adopt(&first);
        assert_eq!(
            blocks.wanted(0..1),
            Vec::<u64>::new(),
            "the page gave block 0"
        );
        assert_eq!(blocks.wanted(3..7), vec![3, 4]);
        blocks.in_flight.insert(3);
        assert_eq!(blocks.wanted(3..7), vec![4]);
        blocks.in_flight.clear();
        blocks
            .loaded
            .insert(3, (blocks.generation, Rc::new(vec![3])));
        assert_eq!(blocks.wanted(3..5), vec![4]);

        // New data: what was loaded is shown until it is fetched again.
        let refreshed = Rc::new(Page {
            data: vec![2_u32],
            pagination: crm_protocol::query::Pagination::new(1, BLOCK, 1_000),
            next_cursor: None,
        });
        blocks.adopt(&refreshed);
        assert!(blocks.loaded.contains_key(&3));
        assert_eq!(blocks.wanted(3..5), vec![3, 4]);

        blocks.failed = Some((3, "store closed".into()));
        assert_eq!(
            blocks.wanted(3..5),
            vec![4],
            "a failed block is not retried"
        );
    }

    #[test]
    fn the_blocks_farthest_from_the_view_are_dropped() {
        let mut blocks = Blocks::<u32>::default();
        for block in 0..(KEPT_BLOCKS as u64 + 5) {
            blocks.loaded.insert(block, (0, Rc::new(vec![])));
        }
        blocks.evict(0);
        assert_eq!(blocks.loaded.len(), KEPT_BLOCKS);
        assert!(blocks.loaded.contains_key(&0));
        assert!(!blocks.loaded.contains_key(&(KEPT_BLOCKS as u64 + 4)));
    }
}
