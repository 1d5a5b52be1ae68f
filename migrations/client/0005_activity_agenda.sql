-- The activities page (queries/customer_view.rs, `activity_groups_limited`): open activities
-- grouped overdue / today / this week / later / no date, each group's first ones and its count.
--
-- Each group is one range of this index (undated activities have the key '', before every
-- date), read in the order the page shows it, so a group's first activities are read without
-- sorting every open activity, and its count without reading the table: `assigned_to` is here
-- for the "mine" and "team" scopes.
CREATE INDEX activities_agenda ON activities (
    is_open, deleted_at, COALESCE(due_at, ''), priority_rank DESC, id, assigned_to
);
