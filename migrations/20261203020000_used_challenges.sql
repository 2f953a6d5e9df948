-- Proof-of-work challenges already used: each works once, on any instance.
CREATE TABLE used_challenges (
    challenge   text PRIMARY KEY,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX used_challenges_expiry_idx ON used_challenges (expires_at);
