-- The kanban board (queries/mod.rs, `pipeline_board`): a pipeline's open deals by stage.
--
-- One range of this index holds every open deal of a pipeline, grouped by stage, so the
-- board's counts and sums visit those deals only; within a stage the rows are in the order the
-- cards are shown (most recently changed first), so each column's first cards are read without
-- a sort.
CREATE INDEX deals_board ON deals (pipeline_id, status, deleted_at, stage_id, updated_at, id);
