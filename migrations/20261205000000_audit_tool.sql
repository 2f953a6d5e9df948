-- The audit log as a tool: filters that stay fast at millions of rows,
-- retention per organisation, and a hash chain per organisation.

-- Newest first by time, then id (the keyset of every list); one index per
-- filter, each ending in the same order.
DROP INDEX audit_log_org_idx;
DROP INDEX audit_log_org_action_idx;
CREATE INDEX audit_log_org_at_idx ON audit_log (org_id, at DESC, id DESC);
CREATE INDEX audit_log_org_action_at_idx ON audit_log (org_id, action, at DESC, id DESC);
CREATE INDEX audit_log_org_actor_at_idx ON audit_log (org_id, actor_id, at DESC, id DESC);
DROP INDEX audit_log_target_idx;
CREATE INDEX audit_log_target_at_idx ON audit_log (org_id, target_type, target_id, at DESC, id DESC);
-- The platform's own rows (org_id NULL): `IS NULL` does not let PostgreSQL
-- take the order from the indexes above, so these carry it alone.
CREATE INDEX audit_log_platform_at_idx ON audit_log (at DESC, id DESC) WHERE org_id IS NULL;
CREATE INDEX audit_log_platform_action_at_idx ON audit_log (action, at DESC, id DESC) WHERE org_id IS NULL;
CREATE INDEX audit_log_platform_actor_at_idx ON audit_log (actor_id, at DESC, id DESC) WHERE org_id IS NULL;

-- The chain: rows are sealed after they commit, in the order they are
-- sealed (identity ids are handed out before commit, so they may commit out
-- of order). `seq` counts an organisation's sealed rows from 1; `hash` is
-- SHA-256 over the row and the previous row's hash.
ALTER TABLE audit_log
    ADD COLUMN seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash bytea;
CREATE UNIQUE INDEX audit_log_chain_idx ON audit_log (org_id, seq) NULLS NOT DISTINCT WHERE seq IS NOT NULL;
CREATE INDEX audit_log_platform_chain_idx ON audit_log (seq) WHERE org_id IS NULL AND seq IS NOT NULL;
CREATE INDEX audit_log_unsealed_idx ON audit_log (org_id, id) WHERE seq IS NULL;

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
-- says so for its own transaction, and only once sealed and older than the
-- least any retention allows (180 days).
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('orgdesk.audit_prune', true) = 'on'
       AND OLD.seq IS NOT NULL AND OLD.at < now() - interval '180 days' THEN
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

CREATE FUNCTION audit_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();

-- A chain's record only moves forward: its head and its pruned start never
-- go back, and it is never deleted.
CREATE FUNCTION audit_chains_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.org_id IS DISTINCT FROM OLD.org_id
       OR NEW.last_seq < OLD.last_seq OR NEW.pruned_seq < OLD.pruned_seq
       OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash IS DISTINCT FROM OLD.last_hash)
       OR (NEW.pruned_seq = OLD.pruned_seq AND NEW.pruned_hash IS DISTINCT FROM OLD.pruned_hash) THEN
        RAISE EXCEPTION 'audit_chains only moves forward';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_chains_forward_only
    BEFORE UPDATE OR DELETE ON audit_chains
    FOR EACH ROW EXECUTE FUNCTION audit_chains_forward_only();

-- How long an organisation keeps its audit log: at least 180 days (six
-- months, as network logs must be kept in China), at most ten years.
-- A shorter period takes effect 30 days after it is set (the longer one
-- still holds until then), so that a stolen administrator account cannot
-- have the log's history deleted the same day.
ALTER TABLE organisations
    ADD COLUMN audit_retention_days integer NOT NULL DEFAULT 180
        CHECK (audit_retention_days BETWEEN 180 AND 3650),
    ADD COLUMN audit_retention_held_days integer
        CHECK (audit_retention_held_days BETWEEN 180 AND 3650),
    ADD COLUMN audit_retention_held_until timestamptz;
