-- The security check-up reads each finding from an index, at 100,000
-- people and millions of audit rows: people never activated by age,
-- lockouts by action and time.
CREATE INDEX accounts_not_activated_idx ON accounts (org_id, created_at) WHERE status = 'not_activated';
CREATE INDEX audit_log_org_action_idx ON audit_log (org_id, action, at);
CREATE INDEX outbox_org_failed_idx ON outbox (org_id, created_at) WHERE status = 'failed';
