-- Up Migration

-- Document ids are the tenant's own: two tenants may send the same one, and each gets its record.
-- The content hash tells a redelivery (same text) from a resend with different text.
ALTER TABLE liability_records DROP CONSTRAINT liability_records_pkey;
ALTER TABLE liability_records ADD PRIMARY KEY (tenant_id, document_id);
ALTER TABLE liability_records ADD COLUMN content_sha256 text CHECK (content_sha256 ~ '^[0-9a-f]{64}$');

DROP INDEX review_queue_open_document_idx;
CREATE UNIQUE INDEX review_queue_open_document_idx ON review_queue (tenant_id, document_id)
  WHERE status IN ('pending', 'in_review');

DROP INDEX extraction_attempts_document_idx;
CREATE INDEX extraction_attempts_document_idx ON extraction_attempts (tenant_id, document_id, attempted_at);

-- Down Migration

-- Fails while two tenants share a document id: such rows must be resolved by hand first.
DROP INDEX extraction_attempts_document_idx;
CREATE INDEX extraction_attempts_document_idx ON extraction_attempts (document_id, attempted_at);
DROP INDEX review_queue_open_document_idx;
CREATE UNIQUE INDEX review_queue_open_document_idx ON review_queue (document_id)
  WHERE status IN ('pending', 'in_review');
ALTER TABLE liability_records DROP COLUMN content_sha256;
ALTER TABLE liability_records DROP CONSTRAINT liability_records_pkey;
ALTER TABLE liability_records ADD PRIMARY KEY (document_id);
