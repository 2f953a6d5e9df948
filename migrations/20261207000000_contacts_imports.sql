-- Contacts imports: a file checked (the dry run), then run by a background
-- job in one transaction. The file itself is kept in the document store.
CREATE TABLE import_jobs (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    created_by    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    file_name     text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255),
    -- Where the file is kept in the document store.
    file_key      text NOT NULL,
    file_size     integer NOT NULL CHECK (file_size > 0),
    -- What the file was read as: csv, xlsx or xls; a CSV's encoding; the
    -- sheet read of a workbook.
    kind          text NOT NULL CHECK (kind IN ('csv', 'xlsx', 'xls')),
    encoding      text CHECK (encoding IN ('utf8', 'gb18030')),
    -- The administrator chose the encoding rather than letting it be detected.
    encoding_chosen boolean NOT NULL DEFAULT false,
    -- The language of the invitations a run sends (the administrator's).
    locale        text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('en', 'zh-CN')),
    sheet         text,
    sheets        text[] NOT NULL DEFAULT '{}',
    -- {create_departments, update_existing, full_sync, invite}
    options       jsonb NOT NULL,
    -- Header cells that name no column, and columns named twice.
    unknown_columns text[] NOT NULL DEFAULT '{}',
    -- checked: the dry run is ready; queued/running: the run; done; failed.
    status        text NOT NULL CHECK (status IN ('checked', 'queued', 'running', 'done', 'failed')),
    -- The dry run's totals, then the run's.
    counts        jsonb NOT NULL DEFAULT '{}',
    -- A digest of what the dry run said each row does: the run goes ahead
    -- only when its own check has the same.
    fingerprint   text NOT NULL DEFAULT '',
    scope_size    integer NOT NULL DEFAULT 0,
    -- The number the administrator typed to confirm a large full sync.
    confirmed_disable integer,
    rows_total    integer NOT NULL DEFAULT 0,
    rows_done     integer NOT NULL DEFAULT 0,
    -- Why a run failed (an error code).
    error_code    text,
    checked_at    timestamptz NOT NULL DEFAULT now(),
    queued_at     timestamptz,
    started_at    timestamptz,
    -- Written by the running job; a run whose heartbeat stopped died with
    -- its server, and its transaction with it.
    heartbeat_at  timestamptz,
    finished_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX import_jobs_org_idx ON import_jobs (org_id, created_at DESC);
-- One run per organisation at a time.
CREATE UNIQUE INDEX import_jobs_one_run ON import_jobs (org_id) WHERE status IN ('queued', 'running');
CREATE INDEX import_jobs_queued_idx ON import_jobs (queued_at) WHERE status = 'queued';

-- Each row of a checked file: what it does or why it cannot.
CREATE TABLE import_rows (
    job_id     uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    line       integer NOT NULL,
    action     text NOT NULL CHECK (action IN ('create', 'update', 'move', 'unchanged', 'skip', 'error')),
    person_id  uuid,
    -- What the row says, for the list: name, account ID, mobile, email.
    name       text NOT NULL DEFAULT '',
    userid     text NOT NULL DEFAULT '',
    contact    text NOT NULL DEFAULT '',
    -- [{column, code, detail}]
    errors     jsonb NOT NULL DEFAULT '[]',
    changes    text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, line)
);

CREATE INDEX import_rows_action_idx ON import_rows (job_id, action, line);
