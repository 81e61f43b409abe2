-- Reviewer-accepted and reviewer-corrected records with their documents, one JSON object per line, for
-- training/run.sh build-dataset --reviewed FILE:
--
--   PGOPTIONS='-c search_path=public' psql "$DATABASE_ADMIN_URL" -v ON_ERROR_STOP=1 -At \
--     -f training/sql/export-reviewed.sql > .cache/training/reviewed.jsonl
--
-- (-A -t print each row as it is: one compact JSON object per line. Run it as a role that reads every
-- tenant's review tables, e.g. the schema owner: review_queue and review_documents have row-level
-- security, and lre_reviewer sees one tenant per transaction.)
--
-- Source: review_queue rows the review console resolved (services/review). resolution is
--   {"decision": "accept" | "correct" | "reject", "previous": {…} | null, "record": {…} | null,
--    "corrected_fields": [...], "shadow": bool}
-- and the label is resolution->'record', the record as the reviewer left it. Rejected documents are not
-- labels. The text comes from review_documents, the one copy of a document the database keeps, for
-- review and this export only, until its retention (REVIEW_DOCUMENT_RETENTION_DAYS) deletes it: export
-- before that. Rows whose text is gone are skipped. The latest resolution per document (tenant and id) wins.
-- The builder validates every record against the spec's schema and reports the ones it drops.
WITH resolved AS (
  SELECT DISTINCT ON (rq.tenant_id, rq.document_id)
         rq.document_id,
         rq.tenant_id,
         rq.kind,
         rq.reviewer,
         rq.reviewed_at,
         rq.resolution ->> 'decision' AS decision,
         rq.resolution -> 'corrected_fields' AS corrected_fields,
         rq.shadow,
         rq.resolution -> 'record' AS final
    FROM review_queue rq
   WHERE rq.status = 'resolved' AND rq.resolution ->> 'decision' IN ('accept', 'correct')
   ORDER BY rq.tenant_id, rq.document_id, rq.reviewed_at DESC, rq.id DESC
)
SELECT jsonb_build_object(
         'id', r.document_id,
         'tenant_id', r.tenant_id,
         'kind', r.kind,
         'text', d.text,
         'source', 'review_queue',
         'decision', r.decision,
         'corrected_fields', r.corrected_fields,
         'shadow', r.shadow,
         'reviewer', r.reviewer,
         'reviewed_at', r.reviewed_at,
         'expected', jsonb_build_object(
           'liability_type', r.final -> 'liability_type',
           'lender_name', r.final -> 'lender_name',
           'account_last4', r.final -> 'account_last4',
           'current_balance', r.final -> 'current_balance',
           'payoff_amount', r.final -> 'payoff_amount',
           'payoff_good_through', r.final -> 'payoff_good_through',
           'escrow_balance', r.final -> 'escrow_balance',
           'interest_rate', r.final -> 'interest_rate',
           'monthly_payment', r.final -> 'monthly_payment',
           'next_due_date', r.final -> 'next_due_date',
           'as_of_date', r.final -> 'as_of_date'))::text
  FROM resolved r
  JOIN review_documents d USING (tenant_id, document_id)
 WHERE jsonb_typeof(r.final) = 'object' AND r.kind IS NOT NULL
 ORDER BY r.reviewed_at, r.document_id;
