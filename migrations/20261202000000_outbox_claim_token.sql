-- Each claim writes a fresh token; a worker settles a row only while the
-- token is still its own, so one whose lease ran out (and whose row another
-- worker has claimed since) cannot overwrite the newer claim's outcome.
ALTER TABLE outbox ADD COLUMN claim_token uuid;

-- Operators see messages given up on, newest first.
CREATE INDEX outbox_failed_idx ON outbox (created_at DESC) WHERE status = 'failed';
