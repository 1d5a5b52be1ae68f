-- The full data model of spec §1: a materialized table per record kind, with the indexes of
-- spec §8, and a full-text index for global search. Materialized tables are derived from the
-- documents; this migration asks for a rebuild, which fills them from the documents on open.

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
) WITHOUT ROWID;
CREATE INDEX customers_name ON customers (name COLLATE NOCASE, id);
CREATE INDEX customers_status ON customers (status, name COLLATE NOCASE);
CREATE INDEX customers_owner ON customers (owner_id, name COLLATE NOCASE);
CREATE INDEX customers_category ON customers (category, name COLLATE NOCASE);
CREATE INDEX customers_created ON customers (created_at);
CREATE INDEX customers_domain ON customers (domain);
CREATE INDEX customers_email ON customers (primary_email);

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
) WITHOUT ROWID;
CREATE INDEX contacts_customer ON contacts (customer_id, name COLLATE NOCASE);
CREATE INDEX contacts_email ON contacts (email);
CREATE INDEX contacts_owner ON contacts (owner_id, name COLLATE NOCASE);
CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE, id);

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
) WITHOUT ROWID;
CREATE INDEX leads_status ON leads (status, created_at);
CREATE INDEX leads_owner ON leads (owner_id, created_at);
CREATE INDEX leads_score ON leads (lead_score, id);
CREATE INDEX leads_source ON leads (source, created_at);
CREATE INDEX leads_rating ON leads (rating, lead_score);
CREATE INDEX leads_created ON leads (created_at, id);
CREATE INDEX leads_email ON leads (email);
CREATE INDEX leads_customer ON leads (customer_id);

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
) WITHOUT ROWID;
CREATE INDEX deals_customer ON deals (customer_id, created_at);
CREATE INDEX deals_stage ON deals (pipeline_id, stage_id, amount);
CREATE INDEX deals_status ON deals (status, expected_close_date);
CREATE INDEX deals_owner ON deals (owner_id, created_at);
CREATE INDEX deals_close ON deals (expected_close_date, id);
CREATE INDEX deals_closed ON deals (closed_date);
CREATE INDEX deals_amount ON deals (amount, id);
CREATE INDEX deals_created ON deals (created_at, id);

-- Each stay of a deal in a stage (from the deal's stage history), for funnel conversion.
CREATE TABLE deal_stage_visits (
    deal_id     TEXT NOT NULL,
    visit_id    TEXT NOT NULL,
    stage_id    TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    left_at     TEXT,
    PRIMARY KEY (deal_id, visit_id)
) WITHOUT ROWID;
CREATE INDEX deal_stage_visits_stage ON deal_stage_visits (stage_id, entered_at);

CREATE TABLE pipelines (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    is_default  INTEGER NOT NULL,
    is_active   INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    data        TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE pipeline_stages (
    pipeline_id   TEXT NOT NULL,
    stage_id      TEXT NOT NULL,
    name          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    probability   INTEGER NOT NULL,
    is_closed_won INTEGER NOT NULL,
    is_closed_lost INTEGER NOT NULL,
    days_in_stage INTEGER,
    PRIMARY KEY (pipeline_id, stage_id)
) WITHOUT ROWID;
CREATE INDEX pipeline_stages_stage ON pipeline_stages (stage_id);

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
) WITHOUT ROWID;
CREATE INDEX communications_customer ON communications (customer_id, occurred_at);
CREATE INDEX communications_contact ON communications (contact_id, occurred_at);
CREATE INDEX communications_lead ON communications (lead_id, occurred_at);
CREATE INDEX communications_deal ON communications (deal_id, occurred_at);
CREATE INDEX communications_occurred ON communications (occurred_at, id);
CREATE INDEX communications_creator ON communications (created_by, occurred_at);
CREATE INDEX communications_type ON communications (type, occurred_at);

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
) WITHOUT ROWID;
CREATE INDEX activities_assignee ON activities (assigned_to, is_open, due_at);
CREATE INDEX activities_status ON activities (status, due_at);
CREATE INDEX activities_due ON activities (is_open, due_at, id);
CREATE INDEX activities_customer ON activities (customer_id, due_at);
CREATE INDEX activities_deal ON activities (deal_id, due_at);
CREATE INDEX activities_lead ON activities (lead_id, due_at);
CREATE INDEX activities_contact ON activities (contact_id, due_at);
CREATE INDEX activities_reminder ON activities (reminder_at) WHERE reminder_at IS NOT NULL;
CREATE INDEX activities_completed ON activities (completed_at);

CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    customer_id TEXT,
    is_pinned   INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    data        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX notes_customer ON notes (customer_id, is_pinned, created_at);

CREATE TABLE attachments (
    id               TEXT PRIMARY KEY,
    file_name        TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    customer_id      TEXT,
    deal_id          TEXT,
    communication_id TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    data             TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX attachments_customer ON attachments (customer_id);
CREATE INDEX attachments_deal ON attachments (deal_id);
CREATE INDEX attachments_communication ON attachments (communication_id);
CREATE INDEX attachments_sha ON attachments (sha256);

CREATE TABLE tags (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    data        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX tags_name ON tags (name COLLATE NOCASE);

CREATE TABLE sales_documents (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    number      TEXT NOT NULL,
    customer_id TEXT,
    deal_id     TEXT,
    status      TEXT NOT NULL,
    total       INTEGER NOT NULL,
    amount_paid INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    issue_date  TEXT NOT NULL,
    due_date    TEXT,
    paid_at     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    data        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sales_documents_customer ON sales_documents (customer_id, issue_date);
CREATE INDEX sales_documents_deal ON sales_documents (deal_id, issue_date);
CREATE INDEX sales_documents_number ON sales_documents (type, number);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    active      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    data        TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    id          TEXT PRIMARY KEY,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT,
    data        TEXT NOT NULL
) WITHOUT ROWID;

-- Global search. `search_keys` gives each searchable record an integer key, the FTS rowid, so
-- a record's entry is replaced by key rather than by scanning the index.
CREATE TABLE search_keys (
    rowid      INTEGER PRIMARY KEY,
    record_id  TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    detail     TEXT NOT NULL
);
-- Words, with prefix indexes so "acm" finds "Acme" at once.
CREATE VIRTUAL TABLE search_words USING fts5 (
    kind, title, detail, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
-- Trigrams of the title, for typos ("acne corp" still finds "Acme Corp").
CREATE VIRTUAL TABLE search_trigrams USING fts5 (
    kind, title, content = '', contentless_delete = 1, tokenize = 'trigram'
);

-- Records purged from this device; changes to them arriving from the server are ignored.
CREATE TABLE purged_records (
    id         TEXT PRIMARY KEY,
    purged_at  TEXT NOT NULL
) WITHOUT ROWID;

-- The conflict inbox: fields set concurrently on two devices (values as JSON, winner first).
CREATE TABLE conflicts (
    record_id     TEXT NOT NULL,
    field         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    record_values TEXT NOT NULL,
    detected_at   TEXT NOT NULL,
    PRIMARY KEY (record_id, field)
) WITHOUT ROWID;

-- Changes the server refused (role, ownership), kept to tell the user until dismissed.
CREATE TABLE sync_refusals (
    record_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    refused_at  TEXT NOT NULL
);

-- Imports, so one can be reverted: the records it created and the old values of those it
-- updated (JSON arrays).
CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    reverted_at TEXT
) WITHOUT ROWID;

INSERT INTO sync_state (key, value) VALUES ('rebuild_needed', '1')
    ON CONFLICT (key) DO UPDATE SET value = '1';
