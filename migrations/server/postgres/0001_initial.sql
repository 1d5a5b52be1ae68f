-- The sync server's schema on PostgreSQL: the same tables as SQLite's migrations 0001 and 0002,
-- with native types. Append-only: add the next numbered file, never edit one that has landed.
--
-- Times are Unix milliseconds (BIGINT) as on SQLite, so backups move between the two.

CREATE TABLE tenants (
    id          UUID    NOT NULL PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    -- The last `seq` of the tenant's feed. A push locks this row (FOR NO KEY UPDATE) while it
    -- appends, so seqs are gap-free and commit in order on every node.
    feed_head   BIGINT  NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    disabled_at BIGINT
);

CREATE TABLE users (
    tenant_id     UUID   NOT NULL REFERENCES tenants (id),
    id            UUID   NOT NULL,
    email         TEXT   NOT NULL,
    display_name  TEXT   NOT NULL,
    role          TEXT   NOT NULL CHECK (role IN ('ADMIN', 'MANAGER', 'SALES_REP', 'USER')),
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE devices (
    tenant_id    UUID   NOT NULL,
    id           UUID   NOT NULL,
    user_id      UUID   NOT NULL,
    name         TEXT   NOT NULL,
    token_hash   BYTEA  NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT,
    revoked_at   BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX devices_by_user ON devices (tenant_id, user_id);

CREATE TABLE documents (
    tenant_id  UUID   NOT NULL REFERENCES tenants (id),
    record_id  UUID   NOT NULL,
    kind       TEXT   NOT NULL,
    bytes      BYTEA  NOT NULL,
    revision   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, record_id)
);
-- A record id belongs to one tenant for good.
CREATE UNIQUE INDEX documents_record_id ON documents (record_id);

CREATE TABLE feed (
    tenant_id   UUID   NOT NULL REFERENCES tenants (id),
    seq         BIGINT NOT NULL,
    record_id   UUID   NOT NULL,
    change_hash BYTEA  NOT NULL,
    change      BYTEA  NOT NULL,
    user_id     UUID   NOT NULL,
    device_id   UUID   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, change_hash)
);
CREATE INDEX feed_by_record ON feed (tenant_id, record_id, seq);

CREATE TABLE blobs (
    tenant_id  UUID   NOT NULL REFERENCES tenants (id),
    sha256     TEXT   NOT NULL,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);
