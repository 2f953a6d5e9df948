-- Approvals: templates and their published versions, requests, the tasks of
-- their approvers, the timeline, CC and out-of-office delegation.
--
-- The states of a request and of a task change only along the edges the
-- triggers below allow, whatever code runs the update; a decision is taken
-- by a conditional update (`... WHERE status = 'pending'`), so of two
-- approvers racing on one task exactly one changes it.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Who receives an approval task when a flow finds nobody (the empty-approver
-- rule "send to the approval administrator"); the creator when unset.
ALTER TABLE organisations ADD COLUMN approval_admin_id uuid REFERENCES accounts (id) ON DELETE SET NULL;

-- How a person hears about approvals: each at once, or one digest a day.
ALTER TABLE accounts ADD COLUMN approval_notices text NOT NULL DEFAULT 'immediate'
    CHECK (approval_notices IN ('immediate', 'digest'));

CREATE TABLE approval_templates (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- The three built-ins exist once per organisation; custom ones as many as made.
    kind          text NOT NULL CHECK (kind IN ('leave', 'reimbursement', 'overtime', 'custom')),
    name_en       text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 40 AND name_en = btrim(name_en)),
    name_zh       text NOT NULL CHECK (char_length(name_zh) BETWEEN 1 AND 40 AND name_zh = btrim(name_zh)),
    description_en text NOT NULL DEFAULT '' CHECK (char_length(description_en) <= 200),
    description_zh text NOT NULL DEFAULT '' CHECK (char_length(description_zh) <= 200),
    -- What the designer holds until it is published: {form, flow, submitters}.
    draft         jsonb,
    -- The version new requests start with; NULL until first published.
    current_version integer,
    -- Listed to submitters (a disabled template takes no new requests;
    -- running ones go on).
    enabled       boolean NOT NULL DEFAULT true,
    sort_order    integer NOT NULL DEFAULT 0,
    -- Bumped by every change, so a change made from a stale screen is refused.
    version       integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    CHECK (draft IS NULL OR char_length(draft::text) <= 524288)
);
CREATE UNIQUE INDEX approval_templates_builtin_key ON approval_templates (org_id, kind) WHERE kind <> 'custom';
CREATE INDEX approval_templates_org_idx ON approval_templates (org_id, sort_order, created_at);

-- A published version: never changed, so a running request keeps the form
-- and flow it started with.
CREATE TABLE approval_template_versions (
    org_id        uuid NOT NULL,
    template_id   uuid NOT NULL,
    number        integer NOT NULL CHECK (number >= 1),
    form          jsonb NOT NULL CHECK (char_length(form::text) <= 131072),
    flow          jsonb NOT NULL CHECK (char_length(flow::text) <= 131072),
    -- {everyone, departments, people}
    submitters    jsonb NOT NULL CHECK (char_length(submitters::text) <= 65536),
    published_at  timestamptz NOT NULL DEFAULT now(),
    published_by  uuid REFERENCES accounts (id) ON DELETE SET NULL,
    PRIMARY KEY (template_id, number),
    FOREIGN KEY (org_id, template_id) REFERENCES approval_templates (org_id, id) ON DELETE CASCADE
);
ALTER TABLE approval_templates
    ADD CONSTRAINT approval_templates_current_version
        FOREIGN KEY (id, current_version) REFERENCES approval_template_versions (template_id, number)
        DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION approval_versions_are_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published approval template version is never changed'
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER approval_versions_no_update
    BEFORE UPDATE ON approval_template_versions
    FOR EACH ROW EXECUTE FUNCTION approval_versions_are_fixed();

CREATE TABLE approval_requests (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- The number people quote (审批编号).
    number        bigint GENERATED ALWAYS AS IDENTITY,
    template_id   uuid NOT NULL,
    template_version integer NOT NULL,
    submitter_id  uuid NOT NULL,
    -- The submitter's department the request was made for.
    department_id uuid,
    -- The form's values, and a line of them for lists and search.
    form          jsonb NOT NULL CHECK (char_length(form::text) <= 262144),
    summary       text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 300),
    -- The flow as resolved at submission: node by node, who approves and why.
    route         jsonb NOT NULL,
    -- The node whose tasks are open (an index into route.nodes).
    current_node  integer,
    -- Each return to the submitter and resubmission starts a new round.
    round         integer NOT NULL DEFAULT 1 CHECK (round >= 1),
    -- pending (审批中), approved (已通过), rejected (已驳回), withdrawn (已撤销),
    -- revoked (通过后撤销), returned (退回, waiting for the submitter).
    status        text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn', 'revoked', 'returned')),
    copied_from   uuid REFERENCES approval_requests (id) ON DELETE SET NULL,
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    -- When it was approved, rejected or withdrawn.
    finished_at   timestamptz,
    revoked_at    timestamptz,
    -- The last 催办 (urging), at most once an hour.
    urged_at      timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (template_id, template_version) REFERENCES approval_template_versions (template_id, number),
    FOREIGN KEY (org_id, submitter_id) REFERENCES accounts (org_id, id),
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id) ON DELETE SET NULL (department_id),
    CHECK ((status IN ('pending', 'returned')) = (finished_at IS NULL)),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CHECK ((status = 'pending') = (current_node IS NOT NULL))
);
CREATE INDEX approval_requests_submitter_idx ON approval_requests (submitter_id, submitted_at DESC);
CREATE INDEX approval_requests_org_idx ON approval_requests (org_id, submitted_at DESC);
CREATE INDEX approval_requests_template_idx ON approval_requests (template_id, submitted_at DESC);

CREATE FUNCTION approval_request_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) IN (
        ('pending', 'approved'), ('pending', 'rejected'), ('pending', 'withdrawn'),
        ('pending', 'returned'), ('returned', 'pending'), ('returned', 'withdrawn'),
        ('approved', 'revoked')
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'an approval request does not go from % to %', OLD.status, NEW.status
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER approval_requests_transition
    BEFORE UPDATE OF status ON approval_requests
    FOR EACH ROW EXECUTE FUNCTION approval_request_transition();

-- One approver's part in a request.
CREATE TABLE approval_tasks (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL,
    request_id    uuid NOT NULL,
    round         integer NOT NULL,
    -- The node of the route (an index into route.nodes) and, in a node
    -- decided one by one, the place in its order.
    node          integer NOT NULL CHECK (node >= 0),
    position      integer NOT NULL DEFAULT 0,
    -- Who decides, and on whose behalf when a delegation sent it to them.
    assignee_id   uuid NOT NULL,
    principal_id  uuid,
    -- route: the flow put them here; transfer: another approver handed it
    -- on; before/after: added (加签) by another approver.
    origin        text NOT NULL DEFAULT 'route' CHECK (origin IN ('route', 'transfer', 'before', 'after')),
    -- The task whose approver added this one (加签), or handed it on.
    added_for     uuid REFERENCES approval_tasks (id),
    -- waiting: not yet their turn; pending: theirs to decide; approved,
    -- rejected; transferred: handed to someone else; cancelled: decided by
    -- another (或签), or the request ended first.
    status        text NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'rejected', 'transferred', 'cancelled')),
    -- Decided without a person: the flow's rules (submitter is approver,
    -- time limit) or an administrator's hand-over.
    automatic     boolean NOT NULL DEFAULT false,
    comment       text CHECK (char_length(comment) <= 1000),
    -- The time limit of the node, and whether its reminder went out.
    due_at        timestamptz,
    reminded_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    activated_at  timestamptz,
    decided_at    timestamptz,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, request_id) REFERENCES approval_requests (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, assignee_id) REFERENCES accounts (org_id, id),
    FOREIGN KEY (org_id, principal_id) REFERENCES accounts (org_id, id),
    CHECK (principal_id IS NULL OR principal_id <> assignee_id),
    CHECK ((origin = 'route') = (added_for IS NULL)),
    CHECK ((status IN ('waiting', 'pending')) = (decided_at IS NULL)),
    CHECK (status = 'waiting' OR activated_at IS NOT NULL)
);
-- The inbox: a person's pending tasks, newest first; and what they handled.
CREATE INDEX approval_tasks_pending_idx ON approval_tasks (assignee_id, activated_at DESC) WHERE status = 'pending';
CREATE INDEX approval_tasks_handled_idx ON approval_tasks (assignee_id, decided_at DESC)
    WHERE status IN ('approved', 'rejected', 'transferred') AND NOT automatic;
CREATE INDEX approval_tasks_request_idx ON approval_tasks (request_id, round, node, position);
CREATE INDEX approval_tasks_due_idx ON approval_tasks (due_at) WHERE status = 'pending' AND due_at IS NOT NULL;
CREATE INDEX approval_tasks_principal_idx ON approval_tasks (principal_id) WHERE status IN ('waiting', 'pending') AND principal_id IS NOT NULL;

CREATE FUNCTION approval_task_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        IF OLD.status NOT IN ('waiting', 'pending') AND NEW IS DISTINCT FROM OLD THEN
            RAISE EXCEPTION 'a decided approval task is never changed' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) IN (
        ('waiting', 'pending'), ('waiting', 'cancelled'),
        ('pending', 'approved'), ('pending', 'rejected'), ('pending', 'transferred'),
        ('pending', 'cancelled'),
        -- 加签 before oneself: the added approver decides first.
        ('pending', 'waiting')
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'an approval task does not go from % to %', OLD.status, NEW.status
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER approval_tasks_transition
    BEFORE UPDATE ON approval_tasks
    FOR EACH ROW EXECUTE FUNCTION approval_task_transition();

-- A task is only open while its request is pending.
CREATE FUNCTION approval_task_needs_pending_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('waiting', 'pending') AND NOT EXISTS (
        SELECT 1 FROM approval_requests WHERE id = NEW.request_id AND status = 'pending'
    ) THEN
        RAISE EXCEPTION 'an approval task is open only while its request is pending'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status IN ('approved', 'rejected', 'transferred') AND TG_OP = 'UPDATE' AND NOT EXISTS (
        SELECT 1 FROM approval_requests WHERE id = NEW.request_id AND status = 'pending'
    ) THEN
        RAISE EXCEPTION 'a request that is not pending takes no decision'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER approval_tasks_request_pending
    BEFORE INSERT OR UPDATE OF status ON approval_tasks
    FOR EACH ROW EXECUTE FUNCTION approval_task_needs_pending_request();

-- A request is finished only when none of its tasks is open.
CREATE FUNCTION approval_request_closes_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'pending' AND EXISTS (
        SELECT 1 FROM approval_tasks WHERE request_id = NEW.id AND status IN ('waiting', 'pending')
    ) THEN
        RAISE EXCEPTION 'an approval request leaves pending with its open tasks closed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER approval_requests_no_open_tasks
    AFTER UPDATE OF status ON approval_requests
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION approval_request_closes_tasks();

-- Who is copied (抄送) on a request, and when they were told.
CREATE TABLE approval_cc (
    org_id        uuid NOT NULL,
    request_id    uuid NOT NULL,
    account_id    uuid NOT NULL,
    -- submit: at submission; finish: when approved; both.
    timing        text NOT NULL CHECK (timing IN ('submit', 'finish', 'both')),
    -- When the request first appeared in their CC tab (NULL: not yet).
    shown_at      timestamptz,
    read_at       timestamptz,
    PRIMARY KEY (request_id, account_id),
    FOREIGN KEY (org_id, request_id) REFERENCES approval_requests (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX approval_cc_account_idx ON approval_cc (account_id, shown_at DESC) WHERE shown_at IS NOT NULL;

-- The timeline: who did what to a request, when, and with what comment.
CREATE TABLE approval_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        uuid NOT NULL,
    request_id    uuid NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    -- NULL when the flow itself acted (a rule, a time limit).
    actor_id      uuid,
    on_behalf_of  uuid,
    kind          text NOT NULL CHECK (kind IN (
        'submitted', 'approved', 'rejected', 'returned', 'resubmitted', 'withdrawn', 'revoked',
        'transferred', 'added_before', 'added_after', 'skipped', 'auto_approved', 'timed_out',
        'reminded', 'urged', 'delegated', 'returned_to_principal', 'handed_over')),
    node          integer,
    comment       text CHECK (char_length(comment) <= 1000),
    detail        jsonb NOT NULL DEFAULT '{}',
    FOREIGN KEY (org_id, request_id) REFERENCES approval_requests (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, actor_id) REFERENCES accounts (org_id, id),
    FOREIGN KEY (org_id, on_behalf_of) REFERENCES accounts (org_id, id)
);
CREATE INDEX approval_events_request_idx ON approval_events (request_id, id);

CREATE FUNCTION approval_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the approval timeline is append-only' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER approval_events_no_update
    BEFORE UPDATE ON approval_events
    FOR EACH ROW EXECUTE FUNCTION approval_events_are_append_only();

-- Out-of-office delegation: tasks meant for the principal go to the
-- delegate within the window. Windows of one principal never overlap.
CREATE TABLE approval_delegations (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL,
    principal_id  uuid NOT NULL,
    delegate_id   uuid NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    -- Set when the waiting tasks were moved to the delegate, and when they
    -- were moved back at the end of the window.
    opened_at     timestamptz,
    closed_at     timestamptz,
    cancelled_at  timestamptz,
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, principal_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, delegate_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, created_by) REFERENCES accounts (org_id, id) ON DELETE CASCADE,
    CHECK (principal_id <> delegate_id),
    CHECK (ends_at > starts_at),
    CHECK (ends_at - starts_at <= interval '366 days'),
    EXCLUDE USING gist (principal_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
        WHERE (cancelled_at IS NULL)
);
CREATE INDEX approval_delegations_delegate_idx ON approval_delegations (delegate_id);
CREATE INDEX approval_delegations_open_idx ON approval_delegations (starts_at) WHERE opened_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX approval_delegations_close_idx ON approval_delegations (ends_at) WHERE closed_at IS NULL AND opened_at IS NOT NULL;

-- Attachments of requests, kept in the document store. A file uploaded for
-- a form not yet submitted has no request; the sweeper removes it after a day.
CREATE TABLE approval_files (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL,
    uploader_id   uuid NOT NULL,
    request_id    uuid,
    file_key      text NOT NULL,
    file_name     text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255),
    content_type  text NOT NULL CHECK (char_length(content_type) <= 100),
    file_size     integer NOT NULL CHECK (file_size > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, uploader_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, request_id) REFERENCES approval_requests (org_id, id) ON DELETE CASCADE
);
CREATE INDEX approval_files_request_idx ON approval_files (request_id);
CREATE INDEX approval_files_unattached_idx ON approval_files (created_at) WHERE request_id IS NULL;

-- What approvals tell people: written with the change, delivered to the
-- outbox by the background sweep (at once, or in a daily digest for those
-- who chose it).
CREATE TABLE approval_notices (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        uuid NOT NULL,
    account_id    uuid NOT NULL,
    request_id    uuid NOT NULL,
    -- task: waits for them; decided: their request was decided or returned;
    -- cc: copied; reminder: a time limit passed; urged: the submitter urges.
    kind          text NOT NULL CHECK (kind IN ('task', 'decided', 'cc', 'reminder', 'urged')),
    locale        text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('en', 'zh-CN')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, request_id) REFERENCES approval_requests (org_id, id) ON DELETE CASCADE
);
CREATE INDEX approval_notices_unsent_idx ON approval_notices (account_id, id) WHERE sent_at IS NULL;

ALTER TABLE accounts ADD COLUMN approval_digest_at timestamptz;
