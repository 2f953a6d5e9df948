-- The members list at scale (100,000 people, 10,000 departments).
--
-- 1. A department's subtree is also one range of a btree on the path: arrays
--    sort element by element, so every path below P lies in [P, P || max).
--    An index range, where the GIN lookup is often traded for a sequential
--    scan by the planner.
CREATE INDEX departments_org_path_idx ON departments (org_id, path);

-- 2. Each membership row carries its person's sort key (the pinyin of the
--    name) and whether they are current (not departed), so a subtree's
--    first page is read from this index alone and only its 50 accounts are
--    visited, not all 2,000 of a mid-level department. Triggers keep the
--    copies in step with the account, whoever writes it.
ALTER TABLE department_members
    ADD COLUMN sort_key text NOT NULL DEFAULT '',
    ADD COLUMN is_current boolean NOT NULL DEFAULT true;

UPDATE department_members dm
SET sort_key = a.name_pinyin, is_current = a.status <> 'departed'
FROM accounts a
WHERE a.id = dm.account_id;

CREATE INDEX department_members_list_idx
    ON department_members (department_id, sort_key, account_id) INCLUDE (is_current);

CREATE FUNCTION department_members_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.name_pinyin, a.status <> 'departed'
    INTO NEW.sort_key, NEW.is_current
    FROM accounts a
    WHERE a.id = NEW.account_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER department_members_fill
    BEFORE INSERT OR UPDATE OF account_id ON department_members
    FOR EACH ROW EXECUTE FUNCTION department_members_fill();

CREATE FUNCTION department_members_follow_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE department_members
    SET sort_key = NEW.name_pinyin, is_current = NEW.status <> 'departed'
    WHERE account_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER department_members_follow_account
    AFTER UPDATE OF name_pinyin, status ON accounts
    FOR EACH ROW
    WHEN (OLD.name_pinyin IS DISTINCT FROM NEW.name_pinyin OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION department_members_follow_account();

-- 3. The organisation's number of departments, shown on every contacts
--    page, kept by statement triggers instead of counting 10,000 rows each
--    time.
ALTER TABLE organisations ADD COLUMN department_count integer NOT NULL DEFAULT 0;

UPDATE organisations o
SET department_count = (SELECT count(*) FROM departments d WHERE d.org_id = o.id);

CREATE FUNCTION departments_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organisations o SET department_count = o.department_count + n.n
    FROM (SELECT org_id, count(*) AS n FROM inserted GROUP BY org_id) n
    WHERE o.id = n.org_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION departments_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organisations o SET department_count = o.department_count - n.n
    FROM (SELECT org_id, count(*) AS n FROM deleted GROUP BY org_id) n
    WHERE o.id = n.org_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER departments_count_inserted
    AFTER INSERT ON departments REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION departments_count_inserted();

CREATE TRIGGER departments_count_deleted
    AFTER DELETE ON departments REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION departments_count_deleted();
