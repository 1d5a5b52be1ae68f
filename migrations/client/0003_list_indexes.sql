-- Indexes that serve every list's filter + sort and its total, and rowid tables for the six big
-- lists.
--
-- Each list index is (filter column, deleted_at, sort expression, id): the page is a range of
-- the index read in order (no sort), and its total a count over the same range that never
-- reads a row (deleted_at is in the index). Sort expressions are indexed exactly as
-- `queries/mod.rs` writes them (COALESCE included), or the planner cannot use them.
--
-- The six list tables become rowid tables: their rows carry the record as JSON (1-4 KB), which
-- WITHOUT ROWID tables keep inside their key B-tree, half filled by random-order ids; a rowid
-- table appends rows and keeps the id in a small index. The rows are derived from the
-- documents, so the tables are recreated empty and refilled by a rebuild on open.

DROP TABLE customers;
CREATE TABLE customers (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    status            TEXT NOT NULL,
    category          TEXT,
    customer_type     TEXT NOT NULL,
    company_size      TEXT,
    industry          TEXT,
    source            TEXT,
    owner_id          TEXT,
    primary_email     TEXT,
    primary_phone     TEXT,
    domain            TEXT,
    -- Tags as '|tag|tag|', lower-cased, for containment filters.
    tags              TEXT NOT NULL,
    annual_revenue    INTEGER,
    currency          TEXT NOT NULL,
    last_contact_date TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT,
    data              TEXT NOT NULL
);

DROP TABLE contacts;
CREATE TABLE contacts (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT,
    name          TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    job_title     TEXT,
    role          TEXT,
    status        TEXT NOT NULL,
    is_primary    INTEGER NOT NULL,
    owner_id      TEXT,
    tags          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    data          TEXT NOT NULL
);

DROP TABLE leads;
CREATE TABLE leads (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    company       TEXT,
    source        TEXT,
    status        TEXT NOT NULL,
    rating        TEXT,
    priority      TEXT NOT NULL,
    lead_score    INTEGER NOT NULL,
    owner_id      TEXT,
    customer_id   TEXT,
    domain        TEXT,
    tags          TEXT NOT NULL,
    converted_at  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    data          TEXT NOT NULL
);

DROP TABLE deals;
CREATE TABLE deals (
    id                  TEXT PRIMARY KEY,
    customer_id         TEXT,
    name                TEXT NOT NULL,
    pipeline_id         TEXT,
    stage_id            TEXT,
    status              TEXT NOT NULL,
    owner_id            TEXT,
    amount              INTEGER NOT NULL,
    weighted_amount     INTEGER NOT NULL,
    currency            TEXT NOT NULL,
    probability         INTEGER NOT NULL,
    expected_close_date TEXT,
    closed_date         TEXT,
    stage_entered_at    TEXT,
    lead_id             TEXT,
    lost_reason         TEXT,
    source              TEXT,
    tags                TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT,
    data                TEXT NOT NULL
);

DROP TABLE communications;
CREATE TABLE communications (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    subject       TEXT,
    occurred_at   TEXT NOT NULL,
    created_by    TEXT,
    customer_id   TEXT,
    contact_id    TEXT,
    lead_id       TEXT,
    deal_id       TEXT,
    direction     TEXT,
    outcome       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    data          TEXT NOT NULL
);

DROP TABLE activities;
CREATE TABLE activities (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    status        TEXT NOT NULL,
    is_open       INTEGER NOT NULL,
    priority      TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    -- Due date and time as one sortable text ('2026-02-10T14:00'); date only when no time.
    due_at        TEXT,
    due_date      TEXT,
    reminder_at   TEXT,
    assigned_to   TEXT,
    created_by    TEXT NOT NULL,
    customer_id   TEXT,
    contact_id    TEXT,
    lead_id       TEXT,
    deal_id       TEXT,
    completed_at  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    data          TEXT NOT NULL
);

CREATE INDEX customers_name ON customers (deleted_at, name COLLATE NOCASE, id);
CREATE INDEX customers_status ON customers (status, deleted_at, name COLLATE NOCASE, id);
CREATE INDEX customers_category ON customers (category, deleted_at, name COLLATE NOCASE, id);
CREATE INDEX customers_owner ON customers (owner_id, deleted_at, name COLLATE NOCASE, id);
CREATE INDEX customers_created ON customers (deleted_at, created_at, id);
CREATE INDEX customers_updated ON customers (deleted_at, updated_at, id);
CREATE INDEX customers_revenue ON customers (deleted_at, COALESCE(annual_revenue, -1), id);
CREATE INDEX customers_last_contact ON customers (deleted_at, COALESCE(last_contact_date, ''), id);
-- Tag filters read '|tag|' lists from here rather than from the rows.
CREATE INDEX customers_tags ON customers (deleted_at, tags);
CREATE INDEX customers_domain ON customers (domain);
CREATE INDEX customers_email ON customers (primary_email);

CREATE INDEX contacts_name ON contacts (deleted_at, name COLLATE NOCASE, id);
CREATE INDEX contacts_customer ON contacts (customer_id, deleted_at, name COLLATE NOCASE, id);
CREATE INDEX contacts_role ON contacts (role, deleted_at, name COLLATE NOCASE, id);
CREATE INDEX contacts_owner ON contacts (owner_id, deleted_at, name COLLATE NOCASE, id);
CREATE INDEX contacts_created ON contacts (deleted_at, created_at, id);
CREATE INDEX contacts_email ON contacts (email);

CREATE INDEX leads_created ON leads (deleted_at, created_at, id);
CREATE INDEX leads_status ON leads (status, deleted_at, created_at, id);
CREATE INDEX leads_owner ON leads (owner_id, deleted_at, created_at, id);
CREATE INDEX leads_source ON leads (source, deleted_at, created_at, id);
CREATE INDEX leads_rating ON leads (rating, deleted_at, lead_score, id);
CREATE INDEX leads_score ON leads (deleted_at, lead_score, id);
CREATE INDEX leads_name ON leads (deleted_at, name COLLATE NOCASE, id);
CREATE INDEX leads_email ON leads (email);
CREATE INDEX leads_customer ON leads (customer_id);

CREATE INDEX deals_created ON deals (deleted_at, created_at, id);
CREATE INDEX deals_pipeline ON deals (pipeline_id, deleted_at, amount, id);
CREATE INDEX deals_stage ON deals (stage_id, deleted_at, amount, id);
CREATE INDEX deals_status ON deals (status, deleted_at, COALESCE(expected_close_date, '9999-12-31'), id);
CREATE INDEX deals_customer ON deals (customer_id, deleted_at, created_at, id);
CREATE INDEX deals_owner ON deals (owner_id, deleted_at, created_at, id);
CREATE INDEX deals_amount ON deals (deleted_at, amount, id);
CREATE INDEX deals_close ON deals (deleted_at, COALESCE(expected_close_date, '9999-12-31'), id);
CREATE INDEX deals_close_range ON deals (expected_close_date);
CREATE INDEX deals_closed ON deals (closed_date);

CREATE INDEX communications_occurred ON communications (deleted_at, occurred_at, id);
CREATE INDEX communications_customer ON communications (customer_id, deleted_at, occurred_at, id);
CREATE INDEX communications_contact ON communications (contact_id, deleted_at, occurred_at, id);
CREATE INDEX communications_lead ON communications (lead_id, deleted_at, occurred_at, id);
CREATE INDEX communications_deal ON communications (deal_id, deleted_at, occurred_at, id);
CREATE INDEX communications_type ON communications (type, deleted_at, occurred_at, id);
CREATE INDEX communications_creator ON communications (created_by, deleted_at, occurred_at, id);

CREATE INDEX activities_due ON activities (deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_open ON activities (is_open, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_assignee ON activities (assigned_to, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_status ON activities (status, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_priority ON activities (priority, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_type ON activities (type, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_day ON activities (due_date, deleted_at, priority_rank, id);
CREATE INDEX activities_customer ON activities (customer_id, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_deal ON activities (deal_id, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_lead ON activities (lead_id, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_contact ON activities (contact_id, deleted_at, COALESCE(due_at, '9999-12-31'), id);
CREATE INDEX activities_reminder ON activities (reminder_at) WHERE reminder_at IS NOT NULL;
CREATE INDEX activities_completed ON activities (completed_at);

-- The dashboard's counts and sums, and the activity summary's groups, read these narrow
-- covering indexes instead of every row.
CREATE INDEX customers_stats ON customers (deleted_at, status, created_at);
CREATE INDEX leads_stats ON leads (deleted_at, status, created_at);
CREATE INDEX deals_stats ON deals (deleted_at, status, closed_date, amount, weighted_amount);
CREATE INDEX activities_stats ON activities (deleted_at, is_open, due_date, completed_at);
CREATE INDEX activities_summary ON activities (
    deleted_at, COALESCE(due_date, substr(created_at, 1, 10)), assigned_to, type, status
);

-- Customer 360: a customer's documents by type.
CREATE INDEX sales_documents_customer_type ON sales_documents (customer_id, type, issue_date);

-- The time of each document's newest change (its record's "updated at"), so a rebuild reads
-- it rather than searching the document's history; NULL for documents stored before.
ALTER TABLE documents ADD COLUMN changed_at TEXT;

-- Search words with prefix indexes of 2 and 3 characters ("ac", "acm"); a one-letter prefix
-- is rarely typed to find a record and cost a quarter of the index's writes.
DROP TABLE search_words;
CREATE VIRTUAL TABLE search_words USING fts5 (
    kind, title, detail, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

-- Typos are corrected against the words of the index (its vocabulary), which replaces the
-- trigram index: one FTS write per record instead of two.
DROP TABLE search_trigrams;
CREATE VIRTUAL TABLE search_vocabulary USING fts5vocab (search_words, 'row');

INSERT INTO sync_state (key, value) VALUES ('rebuild_needed', '1')
    ON CONFLICT (key) DO UPDATE SET value = '1';
