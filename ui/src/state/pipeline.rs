//! The kanban board: a pipeline's open stages as columns of open deals, with counts and totals,
//! and the moves a drag and drop (or the keyboard's "Move to…") makes before the store confirms.

use std::rc::Rc;

use chrono::NaiveDate;
use crm_model::{Amount, Deal, DealId, DealStatus, Pipeline, StageId};
use crm_protocol::ipc::PipelineBoard;
use yew::Reducible;

/// Deals worth this much (in the currency's unit) or more are marked "High value".
const HIGH_VALUE: i64 = 50_000;
/// Deals this likely to close are marked "Hot".
const HOT_PROBABILITY: i64 = 75;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Column {
    pub(crate) stage_id: StageId,
    pub(crate) name: String,
    pub(crate) probability: i64,
    /// Every open deal of the stage that passes the filters, loaded as a card or not.
    pub(crate) count: u64,
    pub(crate) amount: Amount,
    pub(crate) weighted: Amount,
    /// The cards loaded so far, most recently changed first.
    pub(crate) deals: Vec<Deal>,
    /// Where the next cards start; `None` when they are all loaded.
    pub(crate) next_cursor: Option<String>,
}

impl Column {
    /// Cards of the column not loaded yet.
    pub(crate) fn hidden(&self) -> u64 {
        self.count.saturating_sub(self.deals.len() as u64)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Board {
    pub(crate) columns: Vec<Column>,
}

impl Board {
    /// One column per open stage, in the pipeline's order, with the store's counts, sums and
    /// first cards; a stage the store did not answer for (just added) starts empty.
    pub(crate) fn new(pipeline: &Pipeline, board: PipelineBoard) -> Board {
        let mut answered = board.columns;
        let columns = pipeline
            .ordered_stages()
            .into_iter()
            .filter(|(_, stage)| !stage.is_closed())
            .map(|(stage_id, stage)| {
                let found = answered
                    .iter()
                    .position(|column| column.stage_id == stage_id)
                    .map(|index| answered.swap_remove(index));
                let (count, amount, weighted, deals, next_cursor) = match found {
                    Some(column) => (
                        column.count,
                        column.amount,
                        column.weighted,
                        column.deals,
                        column.next_cursor,
                    ),
                    None => (0, Amount::ZERO, Amount::ZERO, Vec::new(), None),
                };
                Column {
                    stage_id,
                    name: stage.name.clone(),
                    probability: stage.probability,
                    count,
                    amount,
                    weighted,
                    deals,
                    next_cursor,
                }
            })
            .collect();
        Board { columns }
    }

    pub(crate) fn deal(&self, id: DealId) -> Option<&Deal> {
        self.columns
            .iter()
            .flat_map(|column| &column.deals)
            .find(|deal| deal.id == id)
    }

    fn take(&mut self, id: DealId) -> Option<Deal> {
        for column in &mut self.columns {
            if let Some(index) = column.deals.iter().position(|deal| deal.id == id) {
                let deal = column.deals.remove(index);
                column.count = column.count.saturating_sub(1);
                column.amount = column.amount.saturating_sub(deal.amount);
                column.weighted = column.weighted.saturating_sub(deal.weighted_amount());
                return Some(deal);
            }
        }
        None
    }

    /// Puts `deal` where its stage says, at the top of the column, or off the board when it is
    /// closed.
    fn place(&mut self, deal: Deal) {
        if deal.status != DealStatus::Open {
            return;
        }
        if let Some(column) = self
            .columns
            .iter_mut()
            .find(|column| Some(column.stage_id) == deal.stage_id)
        {
            column.count += 1;
            column.amount = column.amount.saturating_add(deal.amount);
            column.weighted = column.weighted.saturating_add(deal.weighted_amount());
            column.deals.insert(0, deal);
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.columns.iter().map(|column| column.count).sum()
    }

    pub(crate) fn value(&self) -> Amount {
        self.columns.iter().map(|column| column.amount).sum()
    }

    /// Each deal's amount times its own probability.
    pub(crate) fn weighted(&self) -> Amount {
        self.columns.iter().map(|column| column.weighted).sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum BoardAction {
    Loaded(Board),
    /// Shown at once in the new column; the store's answer follows.
    Move(DealId, StageId),
    /// The store's version of a deal (after a move, win or lose).
    Stored(Box<Deal>),
    /// The store refused a move: the deal goes back where it was.
    Revert(Box<Deal>),
    /// A column's next cards, and where the ones after them start.
    More(StageId, Vec<Deal>, Option<String>),
}

impl Reducible for Board {
    type Action = BoardAction;

    fn reduce(self: Rc<Self>, action: BoardAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            BoardAction::Loaded(board) => return Rc::new(board),
            BoardAction::Move(id, stage_id) => {
                if let Some(mut deal) = next.take(id) {
                    deal.stage_id = Some(stage_id);
                    next.place(deal);
                }
            }
            BoardAction::Stored(deal) | BoardAction::Revert(deal) => {
                next.take(deal.id);
                next.place(*deal);
            }
            BoardAction::More(stage_id, deals, cursor) => {
                if let Some(column) = next
                    .columns
                    .iter_mut()
                    .find(|column| column.stage_id == stage_id)
                {
                    // A card moved here meanwhile is already shown.
                    let known: Vec<DealId> = column.deals.iter().map(|deal| deal.id).collect();
                    column
                        .deals
                        .extend(deals.into_iter().filter(|deal| !known.contains(&deal.id)));
                    column.next_cursor = cursor;
                }
            }
        }
        Rc::new(next)
    }
}

/// The markers on a deal's card: overdue (expected close date passed), high value, hot.
pub(crate) fn card_markers(deal: &Deal, today: NaiveDate) -> Vec<&'static str> {
    let mut markers = Vec::new();
    if deal.expected_close_date.is_some_and(|day| day < today) {
        markers.push("Overdue");
    }
    if deal.amount >= Amount(HIGH_VALUE * 100) {
        markers.push("High value");
    }
    if deal.probability >= HOT_PROBABILITY {
        markers.push("Hot");
    }
    markers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_protocol::ipc::BoardColumn;

    const PIPELINE: &str = "0190a6a4-0000-7000-8000-0000000000a0";
    const LEAD_IN: &str = "0190a6a4-0000-7000-8000-0000000000b1";
    const PROPOSAL: &str = "0190a6a4-0000-7000-8000-0000000000b2";
    const WON: &str = "0190a6a4-0000-7000-8000-0000000000b3";

    fn pipeline() -> Pipeline {
        serde_json::from_value(serde_json::json!({
            "id": PIPELINE, "name": "Sales", "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
            "stages": {
                PROPOSAL: {"name": "Proposal", "order": 2, "probability": 60},
                LEAD_IN: {"name": "Lead in", "order": 1, "probability": 10},
                WON: {"name": "Won", "order": 3, "probability": 100, "isClosedWon": true},
            }
        }))
        .expect("a pipeline")
    }

    fn deal(number: u8, stage: &str, amount: i64, status: &str) -> Deal {
        serde_json::from_value(serde_json::json!({
            "id": format!("0190a6a4-0000-7000-8000-0000000000{number:02}"),
            "name": format!("Deal {number}"), "pipelineId": PIPELINE, "stageId": stage,
            "status": status, "amount": amount, "probability": 50,
            "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
        }))
        .expect("a deal")
    }

    fn names(board: &Board) -> Vec<(String, Vec<String>)> {
        board
            .columns
            .iter()
            .map(|column| {
                (
                    column.name.clone(),
                    column.deals.iter().map(|deal| deal.name.clone()).collect(),
                )
            })
            .collect()
    }

    /// The board the store would answer for `deals`, with at most `cards` cards a column.
    fn board_of(deals: Vec<Deal>, cards: usize) -> Board {
        let pipeline = pipeline();
        let columns = pipeline
            .ordered_stages()
            .into_iter()
            .filter(|(_, stage)| !stage.is_closed())
            .map(|(stage_id, _)| {
                let open: Vec<Deal> = deals
                    .iter()
                    .filter(|deal| {
                        deal.status == DealStatus::Open && deal.stage_id == Some(stage_id)
                    })
                    .cloned()
                    .collect();
                BoardColumn {
                    stage_id,
                    count: open.len() as u64,
                    amount: open.iter().map(|deal| deal.amount).sum(),
                    weighted: open.iter().map(Deal::weighted_amount).sum(),
                    next_cursor: (open.len() > cards).then(|| "more".to_owned()),
                    deals: open.into_iter().take(cards).collect(),
                }
            })
            .collect();
        Board::new(&pipeline, PipelineBoard { columns })
    }

    fn board() -> Board {
        board_of(
            vec![
                deal(1, LEAD_IN, 1_000, "OPEN"),
                deal(2, PROPOSAL, 2_000, "OPEN"),
                deal(3, WON, 9_000, "WON"),
                deal(4, LEAD_IN, 500, "OPEN"),
            ],
            50,
        )
    }

    fn stage(text: &str) -> StageId {
        text.parse().expect("a stage id")
    }

    #[test]
    fn columns_are_the_open_stages_in_order_with_totals() {
        let board = board();
        assert_eq!(
            names(&board),
            [
                (
                    "Lead in".to_owned(),
                    vec!["Deal 1".to_owned(), "Deal 4".to_owned()]
                ),
                ("Proposal".to_owned(), vec!["Deal 2".to_owned()]),
            ]
        );
        assert_eq!(board.columns[0].amount, Amount(150_000));
        assert_eq!(board.count(), 3);
        assert_eq!(board.value(), Amount(350_000));
        assert_eq!(board.weighted(), Amount(175_000));
    }

    #[test]
    fn a_move_shows_at_once_and_a_refusal_puts_it_back() {
        let original = board();
        let deal_one = original.columns[0].deals[0].clone();
        let moved = Rc::new(original).reduce(BoardAction::Move(deal_one.id, stage(PROPOSAL)));
        assert_eq!(
            names(&moved)[1].1,
            ["Deal 1".to_owned(), "Deal 2".to_owned()]
        );
        assert_eq!(names(&moved)[0].1, ["Deal 4".to_owned()]);
        assert_eq!(
            (moved.columns[0].count, moved.columns[0].amount),
            (1, Amount(50_000)),
            "the counts and totals follow the card"
        );
        assert_eq!(
            (moved.columns[1].count, moved.columns[1].amount),
            (2, Amount(300_000))
        );
        assert_eq!(moved.value(), Amount(350_000));
        let reverted = moved.reduce(BoardAction::Revert(Box::new(deal_one)));
        assert_eq!(
            names(&reverted)[0].1,
            ["Deal 1".to_owned(), "Deal 4".to_owned()]
        );
        assert_eq!(names(&reverted)[1].1, ["Deal 2".to_owned()]);
    }

    #[test]
    fn a_won_deal_leaves_the_board() {
        let board = Rc::new(board());
        let mut won = board.columns[1].deals[0].clone();
        won.status = DealStatus::Won;
        won.stage_id = Some(stage(WON));
        let board = board.reduce(BoardAction::Stored(Box::new(won)));
        assert_eq!(board.count(), 2);
        assert!(board.columns[1].deals.is_empty());
    }

    #[test]
    fn counts_cover_the_cards_not_loaded_and_more_cards_are_appended() {
        let deals: Vec<Deal> = (10..15).map(|n| deal(n, LEAD_IN, 100, "OPEN")).collect();
        let board = Rc::new(board_of(deals.clone(), 2));
        let column = &board.columns[0];
        assert_eq!(
            (column.count, column.deals.len(), column.hidden()),
            (5, 2, 3)
        );
        assert_eq!(column.amount, Amount(50_000));
        assert_eq!(column.next_cursor.as_deref(), Some("more"));
        let stage_id = column.stage_id;
        // A card moved into the column meanwhile is not shown twice.
        let board = board.reduce(BoardAction::More(stage_id, deals[1..4].to_vec(), None));
        let column = &board.columns[0];
        assert_eq!(
            column
                .deals
                .iter()
                .map(|deal| deal.name.as_str())
                .collect::<Vec<_>>(),
            ["Deal 10", "Deal 11", "Deal 12", "Deal 13"]
        );
        assert_eq!(
            (column.count, column.hidden(), column.next_cursor.clone()),
            (5, 1, None)
        );
    }

    #[test]
    fn cards_are_marked_overdue_high_value_and_hot() {
        let today: NaiveDate = "2026-02-10".parse().expect("a date");
        let mut big = deal(5, LEAD_IN, 80_000, "OPEN");
        big.expected_close_date = Some("2026-02-01".parse().expect("a date"));
        big.probability = 90;
        assert_eq!(card_markers(&big, today), ["Overdue", "High value", "Hot"]);
        let small = deal(6, LEAD_IN, 100, "OPEN");
        assert!(card_markers(&small, today).is_empty());
    }
}
