-- A first-run setup link expires (SETUP_LINK_TTL_SECS, 24 hours by default),
-- and each start adds its own link instead of replacing the others'.
ALTER TABLE setup_tokens ADD COLUMN expires_at timestamptz;
UPDATE setup_tokens SET expires_at = created_at + interval '24 hours';
ALTER TABLE setup_tokens ALTER COLUMN expires_at SET NOT NULL;
