-- Roles after WeCom's model: the creator (创建者), super administrators
-- (超级管理员), and delegated administrators (分级管理员) in admin groups
-- (管理组). A group is a set of permissions over a scope: the whole
-- organisation, chosen department subtrees, or each member's own
-- departments and below. What a permission allows is decided in code
-- (`access::require`); these tables only say who holds what where.

-- The one account that registered the organisation; always a super administrator.
ALTER TABLE organisations ADD COLUMN creator_id uuid;
UPDATE organisations o SET creator_id = (
    SELECT a.id FROM accounts a
    WHERE a.org_id = o.id AND a.kind = 'member' AND a.role = 'super_admin'
    ORDER BY a.created_at, a.id LIMIT 1
);
ALTER TABLE organisations
    ADD CONSTRAINT organisations_creator_member
        FOREIGN KEY (id, creator_id) REFERENCES accounts (org_id, id) DEFERRABLE INITIALLY DEFERRED;

-- "admin" was never granted; delegated administrators are group members now.
UPDATE accounts SET role = 'employee' WHERE role = 'admin';
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN ('super_admin', 'employee'));
CREATE INDEX accounts_super_admin_idx ON accounts (org_id) WHERE role = 'super_admin';

CREATE TABLE admin_groups (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64 AND name = btrim(name)),
    -- Permission names (`Permission::as_str`).
    permissions  text[] NOT NULL CHECK (cardinality(permissions) BETWEEN 1 AND 16),
    scope        text NOT NULL CHECK (scope IN ('organisation', 'departments', 'own_departments')),
    -- Bumped by every change, so a change made from a stale screen is refused.
    version      integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX admin_groups_name_key ON admin_groups (org_id, lower(name));

-- The subtrees of a group whose scope is 'departments'. A deleted
-- department leaves its groups (narrower, never wider).
CREATE TABLE admin_group_departments (
    org_id         uuid NOT NULL,
    group_id       uuid NOT NULL,
    department_id  uuid NOT NULL,
    PRIMARY KEY (group_id, department_id),
    FOREIGN KEY (org_id, group_id) REFERENCES admin_groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, department_id) REFERENCES departments (org_id, id) ON DELETE CASCADE
);
CREATE INDEX admin_group_departments_department_idx ON admin_group_departments (department_id);

CREATE TABLE admin_group_members (
    org_id      uuid NOT NULL,
    group_id    uuid NOT NULL,
    account_id  uuid NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, account_id),
    FOREIGN KEY (org_id, group_id) REFERENCES admin_groups (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX admin_group_members_account_idx ON admin_group_members (account_id);
