-- Registration (注册申请) and platform review (审核).
--
-- An application is a draft the applicant fills step by step. Its fields are
-- kept as typed (so nothing entered is lost when a step does not validate) and
-- are validated as a whole on submit. Submitting freezes a snapshot; an
-- operator approves or rejects that snapshot. Approval creates the
-- organisation, its root department and its super administrator.

ALTER TABLE organisations
    ADD COLUMN credit_code text,
    ADD COLUMN industry    text,
    ADD COLUMN size_band   text,
    ADD COLUMN province    text,
    ADD COLUMN city        text,
    ADD COLUMN address     text;

-- One organisation per unified social credit code.
CREATE UNIQUE INDEX organisations_credit_code_key ON organisations (credit_code)
    WHERE credit_code IS NOT NULL;

-- The department tree. Every organisation has exactly one root (parent_id NULL).
CREATE TABLE departments (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations (id),
    parent_id   uuid REFERENCES departments (id),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    sort_order  integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX departments_one_root ON departments (org_id) WHERE parent_id IS NULL;
CREATE INDEX departments_parent_idx ON departments (org_id, parent_id, sort_order);

CREATE TABLE registrations (
    id                        uuid PRIMARY KEY,
    status                    text NOT NULL DEFAULT 'draft'
                              CHECK (status IN ('draft', 'submitted', 'in_review', 'rejected', 'approved')),
    -- How many times it was submitted; a decision names the submission it judged.
    submission_no             integer NOT NULL DEFAULT 0,
    -- Language of the messages sent to the applicant.
    locale                    text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('en', 'zh-CN')),

    -- Organisation, as typed.
    org_name                  text NOT NULL DEFAULT '',
    industry                  text NOT NULL DEFAULT '',
    size_band                 text NOT NULL DEFAULT '',
    credit_code               text NOT NULL DEFAULT '',
    -- The applicant confirmed a code whose check character does not match.
    credit_code_confirmed     boolean NOT NULL DEFAULT false,
    province                  text NOT NULL DEFAULT '',
    city                      text NOT NULL DEFAULT '',
    address                   text NOT NULL DEFAULT '',

    -- Administrator. The verified_* columns hold the exact value a code proved;
    -- changing the address afterwards needs a new code.
    admin_name                text NOT NULL DEFAULT '',
    admin_mobile              text NOT NULL DEFAULT '',
    admin_mobile_verified     text,
    admin_email               text NOT NULL DEFAULT '',
    admin_email_verified      text,
    admin_password_hash       text,

    -- Legal representative.
    legal_name                text NOT NULL DEFAULT '',
    legal_id_number           text NOT NULL DEFAULT '',
    admin_is_legal            boolean NOT NULL DEFAULT false,

    -- What the identity verifier said on the last submission.
    identity_check            text,

    terms_accepted_at         timestamptz,
    submitted_at              timestamptz,
    -- An operator has started reviewing the current submission.
    reviewer_id               uuid REFERENCES accounts (id),
    review_started_at         timestamptz,
    decided_at                timestamptz,
    organisation_id           uuid REFERENCES organisations (id),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);

-- A credit code can be pending or approved in one application only.
CREATE UNIQUE INDEX registrations_credit_code_active_key ON registrations (upper(credit_code))
    WHERE status IN ('submitted', 'in_review', 'approved');
CREATE INDEX registrations_queue_idx ON registrations (status, submitted_at);
CREATE INDEX registrations_mobile_idx ON registrations (admin_mobile_verified) WHERE admin_mobile_verified IS NOT NULL;
CREATE INDEX registrations_email_idx ON registrations (lower(admin_email_verified)) WHERE admin_email_verified IS NOT NULL;

-- Uploaded documents. The file lives in the object store under storage_key.
CREATE TABLE registration_documents (
    registration_id  uuid NOT NULL REFERENCES registrations (id),
    kind             text NOT NULL CHECK (kind IN ('licence', 'id_front', 'id_back', 'bank_permit')),
    storage_key      text NOT NULL UNIQUE,
    content_type     text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes       integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
    sha256           text NOT NULL,
    file_name        text NOT NULL,
    uploaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registration_id, kind)
);

-- Objects whose row was replaced or removed; deleted from the store after commit.
CREATE TABLE orphaned_objects (
    storage_key  text PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- What was submitted each time, frozen: the review works on it and the next
-- review shows what changed.
CREATE TABLE registration_submissions (
    registration_id  uuid NOT NULL REFERENCES registrations (id),
    submission_no    integer NOT NULL,
    snapshot         jsonb NOT NULL,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registration_id, submission_no)
);

-- Every decision, with its operator, time and reasons.
CREATE TABLE registration_decisions (
    id               uuid PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id),
    submission_no    integer NOT NULL,
    operator_id      uuid NOT NULL REFERENCES accounts (id),
    decision         text NOT NULL CHECK (decision IN ('approved', 'rejected')),
    -- [{"subject": "licence", "reason": "blurred"}, ...]
    reasons          jsonb NOT NULL DEFAULT '[]',
    note             text NOT NULL DEFAULT '',
    decided_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (registration_id, submission_no)
);
