-- Reviewer-confirmed or corrected records, one JSON object per line, for training/run.sh build-dataset --reviewed.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -At -f training/sql/export-reviewed.sql > .cache/training/reviewed-labels.jsonl
--
-- (-A -t print each row as it is: one compact JSON object per line; run it as a role that may read
-- review_queue, in the schema the migrations built, e.g. with PGOPTIONS='-c search_path=liability'.)
--
-- Source: review_queue rows with status 'resolved' (rejected ones are not labels). The final record is
--   resolution->'record'                      when the reviewer corrected it (the whole record), or
--   record (the model's own output)           when resolution->>'decision' is 'confirm' / 'confirmed'.
-- Rows with neither are skipped; the builder validates every record against the spec's schema and reports
-- the ones it drops. The latest resolution per document (tenant and id) wins.
--
-- The database keeps no document text, by design; the output is labels only ({"id", "expected", ...}) and
-- build-dataset joins it by id with the documents (--reviewed-documents FILE, lines {"id", "kind", "text"})
-- taken from the document store.
WITH resolved AS (
  SELECT DISTINCT ON (rq.tenant_id, rq.document_id)
         rq.document_id,
         rq.tenant_id,
         rq.reviewer,
         rq.reviewed_at,
         COALESCE(
           rq.resolution -> 'record',
           CASE WHEN rq.resolution ->> 'decision' IN ('confirm', 'confirmed') THEN rq.record END
         ) AS final
    FROM review_queue rq
   WHERE rq.status = 'resolved'
   ORDER BY rq.tenant_id, rq.document_id, rq.reviewed_at DESC, rq.id DESC
)
SELECT jsonb_build_object(
         'id', document_id,
         'tenant_id', tenant_id,
         'source', 'review_queue',
         'reviewer', reviewer,
         'reviewed_at', reviewed_at,
         'expected', jsonb_build_object(
           'liability_type', final -> 'liability_type',
           'lender_name', final -> 'lender_name',
           'account_last4', final -> 'account_last4',
           'current_balance', final -> 'current_balance',
           'payoff_amount', final -> 'payoff_amount',
           'payoff_good_through', final -> 'payoff_good_through',
           'escrow_balance', final -> 'escrow_balance',
           'interest_rate', final -> 'interest_rate',
           'monthly_payment', final -> 'monthly_payment',
           'next_due_date', final -> 'next_due_date',
           'as_of_date', final -> 'as_of_date'))::text
  FROM resolved
 WHERE final IS NOT NULL AND jsonb_typeof(final) = 'object'
 ORDER BY reviewed_at, document_id;
