-- Every subtree is now read as one range of the (org_id, path) btree
-- (`path >= P AND path < P || max uuid`). The GIN index on path served only
-- `path @> ARRAY[id]`, and a move had to rewrite an entry in it for every
-- element of every moved path.
DROP INDEX departments_path_idx;
