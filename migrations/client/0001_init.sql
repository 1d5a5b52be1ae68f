-- The local store of one profile: record documents (the source of truth), the materialized
-- rows derived from them, and the sync bookkeeping. One file holds one tenant's data, so no
-- table carries a tenant column.

-- Who this store belongs to. Exactly one row.
CREATE TABLE profile (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- One Automerge document per record.
CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    heads       TEXT NOT NULL
) WITHOUT ROWID;

-- Local changes the server has not acknowledged yet, in the order they were made.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id   TEXT NOT NULL,
    change      BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX outbox_record ON outbox (record_id);

-- Sync bookkeeping: the server feed cursor and the like.
CREATE TABLE sync_state (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
) WITHOUT ROWID;

-- Materialized customers, derived from their documents.
CREATE TABLE customers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    primary_email TEXT,
    primary_phone TEXT,
    industry      TEXT,
    status        TEXT NOT NULL,
    owner_id      TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    data          TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);
CREATE INDEX customers_status ON customers (status);
CREATE INDEX customers_owner ON customers (owner_id);
