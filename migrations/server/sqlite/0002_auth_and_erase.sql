-- Real sign-in, cross-tenant record ids, blobs. Append-only like every migration.

-- A record id belongs to one tenant for good: a push naming another tenant's record is refused
-- as "unknown record" instead of creating a second record with the same id.
CREATE UNIQUE INDEX documents_record_id ON documents (record_id);

-- Admins list a user's devices.
CREATE INDEX devices_by_user ON devices (tenant_id, user_id);

-- Attachments: content-addressed blobs, per tenant. The bytes live in files under the data dir
-- (`blobs/<tenant>/<sha256>`); this table says which tenant has which blob.
CREATE TABLE blobs (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    sha256     TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
) STRICT;
