-- Up Migration

-- The replay ledger of the dead-letter CLI (services/worker/src/dead-letters): one row per replay of
-- a dead letter back to the documents topic. The partial unique index is what makes a second replay
-- of the same letter impossible by accident: the CLI claims the letter here (INSERT … ON CONFLICT DO
-- NOTHING) before it publishes anything, so two operators, or one who runs the same command twice,
-- cannot both win. A deliberate second replay (--force) adds a row marked forced, outside the index,
-- so the ledger keeps every replay that was ever published.
CREATE TABLE dead_letter_replays (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dlq_topic      text NOT NULL,
  dlq_partition  integer NOT NULL CHECK (dlq_partition >= 0),
  dlq_offset     bigint NOT NULL CHECK (dlq_offset >= 0),
  reason         text NOT NULL,
  -- Empty in the dead letter when the event could not be decoded far enough to know them.
  tenant_id      text,
  document_id    text,
  target_topic   text NOT NULL,
  forced         boolean NOT NULL DEFAULT false,
  -- The authenticated login, which the CLI cannot choose: who replayed is not self-declared.
  replayed_by    name NOT NULL DEFAULT session_user,
  note           text CHECK (length(note) <= 500),
  claimed_at     timestamptz NOT NULL DEFAULT now(),
  -- Set once Kafka acknowledged the replayed event; a claim without it failed mid-send and may or
  -- may not have been published, so it still blocks a replay without --force.
  published_at   timestamptz,
  last_error     text CHECK (length(last_error) <= 1000)
);
CREATE UNIQUE INDEX dead_letter_replays_once_idx ON dead_letter_replays (dlq_topic, dlq_partition, dlq_offset) WHERE NOT forced;
CREATE INDEX dead_letter_replays_letter_idx ON dead_letter_replays (dlq_topic, dlq_partition, dlq_offset);

-- Roles are cluster-wide (see the first migration). Operators' own logins are made members of
-- lre_replayer (GRANT lre_replayer TO alice), so that replayed_by names a person.
DO $$
BEGIN
  BEGIN
    CREATE ROLE lre_replayer NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO lre_replayer', current_schema());
  PERFORM pg_advisory_xact_lock(hashtext('lre-migrate:database-grants'));
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO lre_replayer', current_database());
END
$$;
-- Claim, read and confirm a replay; never delete or rewrite one (no DELETE, UPDATE of the outcome only).
GRANT SELECT, INSERT ON dead_letter_replays TO lre_replayer;
GRANT UPDATE (published_at, last_error) ON dead_letter_replays TO lre_replayer;

-- Down Migration

DROP TABLE IF EXISTS dead_letter_replays;
DO $$
BEGIN
  EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM lre_replayer', current_schema());
END
$$;
