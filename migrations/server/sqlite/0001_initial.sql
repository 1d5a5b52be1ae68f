-- The sync server's first schema (SQLite). Append-only: never edit a migration that has landed;
-- add the next numbered file instead.
--
-- Ids are UUIDs as text, times are Unix milliseconds. Every table but `tenants` is keyed by
-- tenant first, so a record id under another tenant is simply not found.

CREATE TABLE tenants (
    id          TEXT    NOT NULL PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    -- The last `seq` given to a feed entry of this tenant. Bumped in the transaction that
    -- appends, so seqs are gap-free and commit in order (readers never skip an entry).
    feed_head   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    disabled_at INTEGER
) STRICT;

CREATE TABLE users (
    tenant_id     TEXT    NOT NULL REFERENCES tenants (id),
    id            TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('ADMIN', 'MANAGER', 'SALES_REP', 'USER')),
    -- argon2 PHC string; NULL until a password is set (issue: real auth).
    password_hash TEXT,
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
) STRICT;

-- One row per signed-in installation. The token itself is never stored: only its SHA-256.
CREATE TABLE devices (
    tenant_id    TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at   INTEGER,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT;

-- The current Automerge document of every record (saved in full).
CREATE TABLE documents (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    record_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    bytes      BLOB    NOT NULL,
    -- Bumped on every write: a push commits only if the document is still the one it loaded.
    revision   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, record_id)
) STRICT;

-- The per-tenant change feed devices pull from.
CREATE TABLE feed (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    seq         INTEGER NOT NULL,
    record_id   TEXT    NOT NULL,
    change_hash BLOB    NOT NULL,
    change      BLOB    NOT NULL,
    user_id     TEXT    NOT NULL,
    device_id   TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    -- A replayed push appends nothing.
    UNIQUE (tenant_id, change_hash)
) STRICT;

CREATE INDEX feed_by_record ON feed (tenant_id, record_id, seq);
