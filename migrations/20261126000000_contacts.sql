-- Contacts: the department tree, its members, heads and managers.
--
-- The tree is an adjacency list (parent_id) with a maintained path: `path`
-- holds the ids from the root down to the department itself, so a subtree is
-- `path @> ARRAY[id]` (GIN index) and "is X under Y" is one primary-key read.
-- Every structural change takes the organisation's contacts lock
-- (pg_advisory_xact_lock) so paths, limits and headcounts stay consistent.

ALTER TABLE departments
    ADD COLUMN path uuid[] NOT NULL DEFAULT '{}',
    -- Distinct people (not departed) in this department and every department below.
    ADD COLUMN headcount integer NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    -- Bumped by every change, so a change made from a stale screen is refused.
    ADD COLUMN version integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT departments_name_chars CHECK (name !~ '[\\:*?"<>|]' AND name = btrim(name)),
    ADD CONSTRAINT departments_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id);

-- Existing organisations have only their root.
UPDATE departments SET path = ARRAY[id] WHERE parent_id IS NULL;

ALTER TABLE departments
    ADD CONSTRAINT departments_path_ends_with_self CHECK (path[cardinality(path)] = id),
    ADD CONSTRAINT departments_depth CHECK (cardinality(path) BETWEEN 1 AND 15);

CREATE INDEX departments_path_idx ON departments USING gin (path);
CREATE UNIQUE INDEX departments_sibling_name_key
    ON departments (org_id, parent_id, lower(name)) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX departments_org_id_key ON departments (org_id, id);
-- A parent is always in the same organisation.
ALTER TABLE departments
    ADD CONSTRAINT departments_parent_same_org
        FOREIGN KEY (org_id, parent_id) REFERENCES departments (org_id, id);

-- Employee fields on member accounts.
ALTER TABLE accounts
    -- The account id people and integrations know a member by (WeCom's userid).
    ADD COLUMN userid text DEFAULT ('u' || substr(md5(random()::text), 1, 10))
        CHECK (userid ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    -- Search keys for Chinese names: full pinyin ("zhangsan") and initials ("zs").
    ADD COLUMN name_pinyin text NOT NULL DEFAULT '',
    ADD COLUMN name_initials text NOT NULL DEFAULT '',
    ADD COLUMN position text CHECK (char_length(position) <= 128),
    ADD COLUMN employee_no text CHECK (char_length(employee_no) <= 64),
    ADD COLUMN gender text CHECK (gender IN ('male', 'female')),
    ADD COLUMN hire_date date,
    ADD COLUMN main_department_id uuid REFERENCES departments (id),
    ADD COLUMN version integer NOT NULL DEFAULT 0;

UPDATE accounts SET userid = NULL WHERE kind = 'operator';
ALTER TABLE accounts ADD CONSTRAINT accounts_member_userid CHECK ((kind = 'member') = (userid IS NOT NULL));
CREATE UNIQUE INDEX accounts_member_userid_key ON accounts (org_id, lower(userid)) WHERE kind = 'member';
CREATE UNIQUE INDEX accounts_org_id_key ON accounts (org_id, id);

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Everything the contacts search matches, lower-cased, in one trigram-indexed column.
ALTER TABLE accounts ADD COLUMN search_text text GENERATED ALWAYS AS (
    lower(name || ' ' || name_pinyin || ' ' || name_initials || ' ' || coalesce(userid, '') || ' '
        || coalesce(mobile, '') || ' ' || coalesce(email, '') || ' ' || coalesce(position, '')
        || ' ' || coalesce(employee_no, ''))
) STORED;
CREATE INDEX accounts_search_idx ON accounts USING gin (search_text gin_trgm_ops) WHERE kind = 'member';
CREATE INDEX accounts_member_order_idx ON accounts (org_id, name_pinyin, id) WHERE kind = 'member';

-- Which departments a member belongs to; `is_head` marks the department's heads (负责人).
CREATE TABLE department_members (
    org_id         uuid NOT NULL,
    department_id  uuid NOT NULL,
    account_id     uuid NOT NULL,
    is_head        boolean NOT NULL DEFAULT false,
    added_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (department_id, account_id),
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX department_members_account_idx ON department_members (account_id);

-- Existing members (super administrators so far) belong to their organisation's root.
INSERT INTO department_members (org_id, department_id, account_id)
SELECT a.org_id, d.id, a.id
FROM accounts a JOIN departments d ON d.org_id = a.org_id AND d.parent_id IS NULL
WHERE a.kind = 'member';
UPDATE accounts a SET main_department_id = d.id
FROM departments d WHERE d.org_id = a.org_id AND d.parent_id IS NULL AND a.kind = 'member';
UPDATE departments d SET headcount = (
    SELECT count(*) FROM department_members dm JOIN accounts a ON a.id = dm.account_id
    WHERE dm.department_id = d.id AND a.status <> 'departed'
);

-- Direct managers (汇报对象), at most five, in the order given.
CREATE TABLE account_managers (
    org_id      uuid NOT NULL,
    account_id  uuid NOT NULL,
    manager_id  uuid NOT NULL,
    rank        smallint NOT NULL CHECK (rank BETWEEN 1 AND 5),
    PRIMARY KEY (account_id, manager_id),
    UNIQUE (account_id, rank),
    CHECK (account_id <> manager_id),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, manager_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX account_managers_manager_idx ON account_managers (manager_id);

CREATE INDEX audit_log_target_idx ON audit_log (org_id, target_type, target_id, id DESC);
