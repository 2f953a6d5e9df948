-- Accounts that sign in. Platform operators run the deployment (org_id is
-- NULL); members belong to exactly one organisation.
ALTER TABLE organisations
    ADD COLUMN enforce_two_factor boolean NOT NULL DEFAULT true;

CREATE TABLE accounts (
    id                 uuid PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('operator', 'member')),
    org_id             uuid REFERENCES organisations (id) ON DELETE CASCADE,
    -- Members only: super_admin holds every permission until roles land.
    role               text CHECK (role IN ('super_admin', 'admin', 'employee')),
    name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    -- Stored as entered; compared lower-cased.
    email              text,
    -- E.164, e.g. +8613800138000.
    mobile             text,
    password_hash      text,
    status             text NOT NULL DEFAULT 'active'
                       CHECK (status IN ('not_activated', 'active', 'disabled', 'departed')),
    -- TOTP seed, sealed with the server's AES-256-GCM key (nonce || ciphertext).
    totp_secret        bytea,
    totp_enabled_at    timestamptz,
    -- The last accepted 30 s step: a code of this step or an older one is refused.
    totp_last_step     bigint,
    -- A seed being enrolled, until the first code confirms it.
    totp_pending       bytea,
    -- Bumped to end every session of the account at once.
    session_epoch      integer NOT NULL DEFAULT 0,
    password_changed_at timestamptz,
    last_sign_in_at    timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'operator') = (org_id IS NULL)),
    CHECK ((kind = 'member') = (role IS NOT NULL)),
    CHECK (email IS NOT NULL OR mobile IS NOT NULL)
);

CREATE UNIQUE INDEX accounts_operator_email_key ON accounts (lower(email)) WHERE kind = 'operator';
CREATE UNIQUE INDEX accounts_operator_mobile_key ON accounts (mobile) WHERE kind = 'operator';
CREATE UNIQUE INDEX accounts_member_email_key ON accounts (org_id, lower(email)) WHERE kind = 'member';
CREATE UNIQUE INDEX accounts_member_mobile_key ON accounts (org_id, mobile) WHERE kind = 'member';
CREATE INDEX accounts_email_idx ON accounts (lower(email));
CREATE INDEX accounts_mobile_idx ON accounts (mobile);

-- Single-use recovery codes; only a keyed hash is kept.
CREATE TABLE recovery_codes (
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    PRIMARY KEY (account_id, code_hash)
);

-- Failed attempts per key (an account, an unknown identifier, a client IP,
-- an account's second factor), shared by every instance.
CREATE TABLE auth_throttle (
    key              text PRIMARY KEY,
    failures         integer NOT NULL DEFAULT 0,
    last_failure_at  timestamptz NOT NULL DEFAULT now(),
    -- No attempt is looked at before this time (growing delay).
    next_attempt_at  timestamptz,
    locked_until     timestamptz
);

CREATE INDEX auth_throttle_last_failure_idx ON auth_throttle (last_failure_at);

-- First-run link for the first operator; only a hash of the token is kept.
CREATE TABLE setup_tokens (
    token_hash  bytea PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz
);

-- Sessions (tower-sessions' PostgreSQL store reads and writes this table).
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id           text PRIMARY KEY NOT NULL,
    data         bytea NOT NULL,
    expiry_date  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expiry_idx ON tower_sessions.session (expiry_date);

-- Append-only record of security-relevant actions. Written in the same
-- transaction as the change; never updated or deleted.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       uuid REFERENCES organisations (id),
    actor_id     uuid,
    actor_kind   text CHECK (actor_kind IN ('operator', 'member', 'system', 'anonymous')),
    action       text NOT NULL,
    target_type  text,
    target_id    text,
    ip           inet,
    user_agent   text,
    at           timestamptz NOT NULL DEFAULT now(),
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_org_idx ON audit_log (org_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
