-- Up Migration

-- The review console (services/review): reviewers resolve review items of their own tenant, and
-- each action writes the record, an outbox event and an audit row in one transaction.

-- The console's login role: it reads and resolves review items and updates the record of the
-- document it resolves, of one tenant per transaction (row-level security below).
DO $$
BEGIN
  BEGIN
    CREATE ROLE lre_reviewer NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END
$$;

-- A rejected document (unusable: wrong file, illegible) keeps its row, so that a redelivery is
-- still recognised as recorded and not extracted again; it carries no accepted values.
ALTER TABLE liability_records DROP CONSTRAINT liability_records_status_check;
ALTER TABLE liability_records ADD CONSTRAINT liability_records_status_check CHECK (status IN ('accepted', 'review', 'rejected'));

-- Shadow items: accepted records sampled into review (REVIEW_SHADOW_SHARE) to measure the error
-- rate of what the worker accepts. The record was written as accepted; the review may correct it.
ALTER TABLE review_queue ADD COLUMN shadow boolean NOT NULL DEFAULT false;
-- The console filters by kind and lender and shows the prompt version without a join.
ALTER TABLE review_queue ADD COLUMN kind text CHECK (kind IN ('statement', 'call_transcript'));

-- The document text, kept for review only: the database holds no other copy of any document.
-- Written by the worker with the review item, read by the tenant's reviewers, deleted by
-- prune_review_documents once every review of the document is resolved and the retention passed
-- (the training export reads it before that).
CREATE TABLE review_documents (
  tenant_id    text NOT NULL,
  document_id  text NOT NULL,
  text         text NOT NULL,
  -- When upstream received it: the date rules a correction is checked by are relative to it.
  received_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, document_id)
);

-- Append-only trail of every reviewer action (also refused ones are not written: the action
-- either commits with its audit row or not at all).
CREATE TABLE review_audit (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       text NOT NULL,
  review_item_id  bigint NOT NULL REFERENCES review_queue (id),
  document_id     text NOT NULL,
  reviewer        text NOT NULL,
  action          text NOT NULL CHECK (action IN ('accept', 'correct', 'reject')),
  -- Field names only, never values: the values are in review_queue.resolution.
  changed_fields  text[] NOT NULL DEFAULT '{}',
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_audit_tenant_idx ON review_audit (tenant_id, at);

-- Row-level security keyed by tenant. The review service sets app.tenant_id (SET LOCAL, per
-- transaction) to the signed-in reviewer's tenant; without it no row matches. The worker writes
-- for every tenant, as it does liability_records.
ALTER TABLE review_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY worker_all ON review_queue TO lre_worker USING (true) WITH CHECK (true);
CREATE POLICY worker_all ON review_documents TO lre_worker USING (true) WITH CHECK (true);
CREATE POLICY reviewer_own_tenant ON review_queue TO lre_reviewer
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY reviewer_own_tenant ON review_documents FOR SELECT TO lre_reviewer
  USING (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY reviewer_own_tenant ON review_audit TO lre_reviewer
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY reviewer_own_tenant ON liability_records TO lre_reviewer
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- Deletes the text of documents whose reviews are all resolved since before `older_than`, at most
-- max_rows a call. Neither role may DELETE; this function, owned by the schema owner, only prunes.
DO $do$
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION prune_review_documents(older_than interval, max_rows integer) RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = %I, pg_temp AS $$
      WITH doomed AS (
        SELECT d.tenant_id, d.document_id FROM review_documents d
         WHERE NOT EXISTS (
                 SELECT 1 FROM review_queue q
                  WHERE q.tenant_id = d.tenant_id AND q.document_id = d.document_id
                    AND (q.status IN ('pending', 'in_review') OR q.reviewed_at >= now() - older_than))
         LIMIT max_rows
      ), deleted AS (
        DELETE FROM review_documents d USING doomed
         WHERE d.tenant_id = doomed.tenant_id AND d.document_id = doomed.document_id RETURNING 1
      )
      SELECT count(*)::integer FROM deleted
    $$ $f$, current_schema());
END
$do$;
REVOKE ALL ON FUNCTION prune_review_documents(interval, integer) FROM PUBLIC;

-- Privileges. The worker inserts the text with the review item; ON CONFLICT needs to read the key
-- columns, never the text. The reviewer changes only what a resolution changes.
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO lre_reviewer', current_schema());
  PERFORM pg_advisory_xact_lock(hashtext('lre-migrate:database-grants'));
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO lre_reviewer', current_database());
END
$$;
GRANT INSERT, SELECT (tenant_id, document_id) ON review_documents TO lre_worker;
GRANT SELECT ON review_queue, review_documents, review_audit TO lre_reviewer;
GRANT UPDATE (status, reviewer, reviewed_at, resolution, review_notes) ON review_queue TO lre_reviewer;
GRANT INSERT ON review_audit TO lre_reviewer;
GRANT SELECT ON liability_records TO lre_reviewer;
GRANT UPDATE (status, liability_type, lender_name, account_last4, current_balance, payoff_amount, payoff_good_through,
              escrow_balance, interest_rate, monthly_payment, next_due_date, as_of_date, citations)
  ON liability_records TO lre_reviewer;
-- Events only: the reviewer may not read or change the outbox (the worker's relay publishes).
GRANT INSERT ON outbox TO lre_reviewer;
GRANT EXECUTE ON FUNCTION prune_review_documents(interval, integer) TO lre_reviewer;

-- Down Migration

DROP FUNCTION IF EXISTS prune_review_documents(interval, integer);
DROP POLICY IF EXISTS reviewer_own_tenant ON liability_records;
DROP TABLE IF EXISTS review_audit, review_documents;
DROP POLICY IF EXISTS reviewer_own_tenant ON review_queue;
DROP POLICY IF EXISTS worker_all ON review_queue;
ALTER TABLE review_queue DISABLE ROW LEVEL SECURITY;
ALTER TABLE review_queue DROP COLUMN kind, DROP COLUMN shadow;
-- Fails while rejected records exist: they must be resolved by hand first.
ALTER TABLE liability_records DROP CONSTRAINT liability_records_status_check;
ALTER TABLE liability_records ADD CONSTRAINT liability_records_status_check CHECK (status IN ('accepted', 'review'));
DO $$
BEGIN
  EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM lre_reviewer', current_schema());
END
$$;
