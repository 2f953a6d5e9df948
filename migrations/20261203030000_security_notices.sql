-- Security notices shown to an account after sign-in (e.g. password resets
-- asked for and not sent) until its owner dismisses them.
ALTER TABLE accounts ADD COLUMN notices_seen_at timestamptz;
-- Events about one account, whatever its organisation (operators have none).
CREATE INDEX audit_log_account_idx ON audit_log (target_id, id DESC) WHERE target_type = 'account';
