-- The audit log as a tool: filters that stay fast at millions of rows,
-- retention per organisation, and a hash chain per organisation.

-- Newest first by time, then id (the keyset of every list); one index per
-- filter, each ending in the same order.
DROP INDEX audit_log_org_idx;
DROP INDEX audit_log_org_action_idx;
CREATE INDEX audit_log_org_at_idx ON audit_log (org_id, at DESC, id DESC);
CREATE INDEX audit_log_org_action_at_idx ON audit_log (org_id, action, at DESC, id DESC);
CREATE INDEX audit_log_org_actor_at_idx ON audit_log (org_id, actor_id, at DESC, id DESC);

-- The chain: rows are sealed after they commit, in the order they are
-- sealed (identity ids are handed out before commit, so they may commit out
-- of order). `seq` counts an organisation's sealed rows from 1; `hash` is
-- SHA-256 over the row and the previous row's hash.
ALTER TABLE audit_log
    ADD COLUMN seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash bytea;
CREATE UNIQUE INDEX audit_log_chain_idx ON audit_log (org_id, seq) NULLS NOT DISTINCT WHERE seq IS NOT NULL;
CREATE INDEX audit_log_unsealed_idx ON audit_log (id) WHERE seq IS NULL;

-- One row per chain (org_id NULL: the platform's own rows): where it ends,
-- and where the pruned part ended, so that the first row kept still links
-- to something known.
CREATE TABLE audit_chains (
    org_id      uuid REFERENCES organisations (id),
    last_seq    bigint NOT NULL DEFAULT 0,
    last_hash   bytea,
    pruned_seq  bigint NOT NULL DEFAULT 0,
    pruned_hash bytea,
    sealed_at   timestamptz,
    CONSTRAINT audit_chains_org_key UNIQUE NULLS NOT DISTINCT (org_id)
);

-- Still append-only for everyone else: a row may be sealed once (its
-- recorded fields unchanged), and deleted only by the retention job, which
-- says so for its own transaction.
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('orgdesk.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
       AND (NEW.id, NEW.org_id, NEW.actor_id, NEW.actor_kind, NEW.action, NEW.target_type,
            NEW.target_id, NEW.ip, NEW.user_agent, NEW.at, NEW.details)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.org_id, OLD.actor_id, OLD.actor_kind, OLD.action, OLD.target_type,
            OLD.target_id, OLD.ip, OLD.user_agent, OLD.at, OLD.details) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

-- How long an organisation keeps its audit log: at least 180 days (six
-- months, as network logs must be kept in China), at most ten years.
ALTER TABLE organisations
    ADD COLUMN audit_retention_days integer NOT NULL DEFAULT 180
        CHECK (audit_retention_days BETWEEN 180 AND 3650);
