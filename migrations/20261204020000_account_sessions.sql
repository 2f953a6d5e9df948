-- Each sign-in, for the person's list of sessions and devices
-- (/account/security) and their administrators'. The session itself lives
-- in tower_sessions.session and names its row here (`AuthSession::sid`);
-- a row ended here ends that session at its next request.
CREATE TABLE account_sessions (
    id            uuid PRIMARY KEY,
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The account's session epoch at sign-in: a bumped epoch ends them all.
    epoch         integer NOT NULL,
    user_agent    text CHECK (char_length(user_agent) <= 512),
    ip            inet,
    started_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz
);
CREATE INDEX account_sessions_account_idx ON account_sessions (account_id, last_seen_at DESC);
CREATE INDEX account_sessions_last_seen_idx ON account_sessions (last_seen_at);

-- A bumped epoch ends every session begun before it (disabled, role
-- changed, addresses changed, signed out everywhere); the one session that
-- carries on is moved to the new epoch by the code that bumped it.
CREATE FUNCTION account_sessions_end_with_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_sessions SET ended_at = now()
     WHERE account_id = NEW.id AND epoch < NEW.session_epoch AND ended_at IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER account_sessions_end_with_epoch
    AFTER UPDATE OF session_epoch ON accounts
    FOR EACH ROW WHEN (NEW.session_epoch > OLD.session_epoch)
    EXECUTE FUNCTION account_sessions_end_with_epoch();
