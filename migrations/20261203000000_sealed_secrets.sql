-- Secrets at rest. Server keys may be wrapped by a master key kept outside
-- the database (ORGDESK_MASTER_KEY); queued payloads are sealed with a server
-- key; a message whose content has a deadline (a one-time code) is dropped,
-- not delivered, once the deadline has passed.
ALTER TABLE server_keys ADD COLUMN wrapped boolean NOT NULL DEFAULT false;

ALTER TABLE outbox ADD COLUMN expires_at timestamptz;
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'expired'));
