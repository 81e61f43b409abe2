-- Up Migration

-- The worker only inserts records, review items and outbox rows (a record is written once; a
-- redelivery is ON CONFLICT DO NOTHING). Of the outbox it changes what the relay keeps: the lease,
-- the attempts and error of a failing row, its parking, and when it was published. Nothing else:
-- a compromised worker cannot rewrite a stored record or an event's payload.
REVOKE UPDATE ON liability_records, review_queue, outbox FROM lre_worker;
GRANT UPDATE (published_at, lease_until, attempts, last_error, parked_at) ON outbox TO lre_worker;

-- Down Migration

REVOKE UPDATE (published_at, lease_until, attempts, last_error, parked_at) ON outbox FROM lre_worker;
GRANT UPDATE ON liability_records, review_queue, outbox TO lre_worker;
