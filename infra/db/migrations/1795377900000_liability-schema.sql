-- Up Migration

-- Every object is created unqualified: node-pg-migrate sets search_path to the target schema, so
-- the same file builds the production schema and each test's private schema.

-- Roles are cluster-wide and shared by every schema; they are created without LOGIN here and
-- given a login and password by the environment's provisioning (infra/db/src/roles.ts), so that
-- no secret lives in a migration. Concurrent migrations (parallel tests) may race to create them.
DO $$
BEGIN
  BEGIN
    CREATE ROLE lre_worker NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  BEGIN
    CREATE ROLE lre_reader NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END
$$;

CREATE TABLE liability_records (
  document_id          text PRIMARY KEY,
  tenant_id            text NOT NULL,
  status               text NOT NULL CHECK (status IN ('accepted', 'review')),
  liability_type       text CHECK (liability_type IN
                         ('mortgage', 'auto_loan', 'credit_card', 'student_loan', 'personal_loan', 'heloc')),
  lender_name          text,
  account_last4        char(4) CHECK (account_last4 ~ '^[0-9]{4}$'),
  current_balance      numeric(14, 2),
  payoff_amount        numeric(14, 2),
  payoff_good_through  date,
  escrow_balance       numeric(14, 2),
  interest_rate        numeric(7, 3) CHECK (interest_rate >= 0 AND interest_rate < 100),
  monthly_payment      numeric(14, 2),
  next_due_date        date,
  as_of_date           date,
  model_id             text NOT NULL,
  model_version        text NOT NULL,
  prompt_version       text NOT NULL,
  confidence           numeric(5, 4) CHECK (confidence BETWEEN 0 AND 1),
  field_confidence     jsonb,
  citations            jsonb NOT NULL DEFAULT '{}'::jsonb,
  trace_id             text CHECK (length(trace_id) <= 64),
  kafka_topic          text,
  kafka_partition      integer CHECK (kafka_partition >= 0),
  kafka_offset         bigint CHECK (kafka_offset >= 0),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  -- A record only counts as accepted when the two fields the spec never allows to be null are present;
  -- a record routed to review may be incomplete.
  CONSTRAINT accepted_record_complete CHECK (
    status <> 'accepted' OR (liability_type IS NOT NULL AND lender_name IS NOT NULL)),
  CONSTRAINT kafka_coordinates_together CHECK (
    (kafka_topic IS NULL) = (kafka_partition IS NULL) AND (kafka_topic IS NULL) = (kafka_offset IS NULL))
);
CREATE INDEX liability_records_tenant_created_idx ON liability_records (tenant_id, created_at);

CREATE FUNCTION touch_updated_at() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER liability_records_touch BEFORE UPDATE ON liability_records
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE review_queue (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  document_id       text NOT NULL,
  tenant_id         text NOT NULL,
  -- e.g. [{"code": "low_confidence", "field": "payoff_amount"}]
  reasons           jsonb NOT NULL CHECK (jsonb_typeof(reasons) = 'array'),
  raw_model_output  text,
  record            jsonb,
  model_version     text,
  trace_id          text CHECK (length(trace_id) <= 64),
  status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'in_review', 'resolved', 'rejected')),
  reviewer          text,
  reviewed_at       timestamptz,
  resolution        jsonb,
  review_notes      text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reviewed_fields_together CHECK (
    status IN ('pending', 'in_review') OR (reviewer IS NOT NULL AND reviewed_at IS NOT NULL))
);
-- At most one open item per document, so a redelivered message cannot queue the same document twice
-- (the worker upserts with ON CONFLICT (document_id) WHERE status IN ('pending', 'in_review')).
CREATE UNIQUE INDEX review_queue_open_document_idx ON review_queue (document_id)
  WHERE status IN ('pending', 'in_review');
CREATE INDEX review_queue_tenant_status_idx ON review_queue (tenant_id, status, created_at);

CREATE TRIGGER review_queue_touch BEFORE UPDATE ON review_queue
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Append-only audit of every extraction attempt, including the failed ones.
CREATE TABLE extraction_attempts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  document_id    text NOT NULL,
  tenant_id      text,
  attempt        integer NOT NULL CHECK (attempt >= 1),
  outcome        text NOT NULL CHECK (outcome IN ('accepted', 'review', 'retry', 'dead_lettered', 'failed')),
  error_code     text,
  latency_ms     integer CHECK (latency_ms >= 0),
  model_version  text,
  trace_id       text CHECK (length(trace_id) <= 64),
  attempted_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX extraction_attempts_document_idx ON extraction_attempts (document_id, attempted_at);

-- Transactional outbox: the worker writes a LiabilityRecorded event in the same transaction as the
-- record, and a relay publishes rows in id order and stamps published_at.
CREATE TABLE outbox (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  aggregate_key  text NOT NULL,
  topic          text NOT NULL,
  payload        bytea NOT NULL,
  headers        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(headers) = 'object'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- Maps a downstream reader's login role to the tenant whose records it may read.
CREATE TABLE tenant_readers (
  role_name  name PRIMARY KEY,
  tenant_id  text NOT NULL
);

-- Row-level-security helper: the tenants the logged-in role may read. SECURITY DEFINER because
-- readers have no access to tenant_readers itself; session_user (the authenticated login, which
-- SET ROLE cannot change) is what the mapping is keyed on.
-- Its search_path names this schema and puts pg_temp last, so that a caller cannot shadow
-- tenant_readers with a temporary table.
DO $do$
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION reader_tenant_ids() RETURNS SETOF text
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = %I, pg_temp AS $$
      SELECT tenant_id FROM tenant_readers WHERE role_name = session_user
    $$ $f$, current_schema());
END
$do$;
REVOKE ALL ON FUNCTION reader_tenant_ids() FROM PUBLIC;

-- What downstream readers see. security_invoker makes the base table's row-level security apply to
-- the reader rather than to the view's owner.
CREATE VIEW reader_liability_records WITH (security_invoker = true, security_barrier = true) AS
  SELECT document_id, tenant_id, status, liability_type, lender_name, account_last4,
         current_balance, payoff_amount, payoff_good_through, escrow_balance, interest_rate,
         monthly_payment, next_due_date, as_of_date, model_id, model_version, confidence,
         created_at, updated_at
    FROM liability_records;

ALTER TABLE liability_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY worker_all ON liability_records TO lre_worker USING (true) WITH CHECK (true);
CREATE POLICY reader_own_tenant ON liability_records FOR SELECT TO lre_reader
  USING (tenant_id IN (SELECT reader_tenant_ids()));

-- Privileges. Nothing is granted to PUBLIC. The worker needs SELECT on the tables it upserts into
-- (ON CONFLICT and RETURNING read them) but may neither delete nor change the schema.
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO lre_worker, lre_reader', current_schema());
  -- Only the application's roles may connect, and nobody but the owner gets temporary tables.
  -- These change the shared pg_database row, which concurrent migrations of other schemas would
  -- also update ("tuple concurrently updated"); the lock makes them take turns.
  PERFORM pg_advisory_xact_lock(hashtext('lre-migrate:database-grants'));
  EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO lre_worker, lre_reader', current_database());
END
$$;
GRANT SELECT, INSERT, UPDATE ON liability_records, review_queue, outbox TO lre_worker;
GRANT SELECT, INSERT ON extraction_attempts TO lre_worker;

-- Readers query the view; because it runs with the reader's privileges, they also hold SELECT on
-- exactly the view's columns of the base table, and row-level security still limits rows to their tenant.
GRANT SELECT ON reader_liability_records TO lre_reader;
GRANT SELECT (document_id, tenant_id, status, liability_type, lender_name, account_last4,
              current_balance, payoff_amount, payoff_good_through, escrow_balance, interest_rate,
              monthly_payment, next_due_date, as_of_date, model_id, model_version, confidence,
              created_at, updated_at)
  ON liability_records TO lre_reader;
GRANT EXECUTE ON FUNCTION reader_tenant_ids() TO lre_reader;

-- Down Migration

DROP VIEW IF EXISTS reader_liability_records;
DROP TABLE IF EXISTS liability_records, review_queue, extraction_attempts, outbox, tenant_readers;
DROP FUNCTION IF EXISTS reader_tenant_ids();
DROP FUNCTION IF EXISTS touch_updated_at();
DO $$
BEGIN
  EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM lre_worker, lre_reader', current_schema());
END
$$;
