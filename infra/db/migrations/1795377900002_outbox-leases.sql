-- Up Migration

-- The relay leases rows instead of holding row locks while it talks to Kafka, counts the attempts
-- that failed because of the row itself, and parks a row that keeps failing (with the reason) so
-- that the rows behind it go out.
ALTER TABLE outbox
  ADD COLUMN attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  ADD COLUMN lease_until  timestamptz,
  ADD COLUMN last_error   text CHECK (length(last_error) <= 500),
  ADD COLUMN parked_at    timestamptz;

DROP INDEX outbox_unpublished_idx;
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Published rows are deleted after a retention period. The worker may not DELETE (least privilege);
-- this function, owned by the schema owner, deletes published rows only, and at most max_rows a call.
DO $do$
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION prune_published_outbox(older_than interval, max_rows integer) RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = %I, pg_temp AS $$
      WITH doomed AS (
        SELECT id FROM outbox
         WHERE published_at IS NOT NULL AND published_at < now() - older_than
         ORDER BY published_at
         LIMIT max_rows
      ), deleted AS (
        DELETE FROM outbox WHERE id IN (SELECT id FROM doomed) RETURNING 1
      )
      SELECT count(*)::integer FROM deleted
    $$ $f$, current_schema());
END
$do$;
REVOKE ALL ON FUNCTION prune_published_outbox(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_published_outbox(interval, integer) TO lre_worker;

-- Down Migration

DROP FUNCTION IF EXISTS prune_published_outbox(interval, integer);
DROP INDEX IF EXISTS outbox_published_at_idx;
DROP INDEX outbox_unpublished_idx;
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;
ALTER TABLE outbox DROP COLUMN parked_at, DROP COLUMN last_error, DROP COLUMN lease_until, DROP COLUMN attempts;
