-- GDPR erasures. Append-only like every migration.
--
-- Erasing a record deletes its document and every feed entry of it, and leaves this row: it
-- takes the next `seq` of the tenant's feed, so devices pulling past it learn to purge their
-- copy, and it refuses any later push to the record id (a device that still holds the record
-- would otherwise bring it back).
CREATE TABLE erasures (
    tenant_id UUID   NOT NULL REFERENCES tenants (id),
    record_id UUID   NOT NULL,
    seq       BIGINT NOT NULL,
    erased_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, record_id)
);
CREATE UNIQUE INDEX erasures_by_seq ON erasures (tenant_id, seq);
