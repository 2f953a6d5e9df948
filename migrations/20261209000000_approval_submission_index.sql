-- The cap on a person's submissions counts their submissions of the last
-- hour; without an index of its own that count read the whole timeline
-- (about 200 ms at a million requests, on every submission).
CREATE INDEX approval_events_submissions_idx ON approval_events (actor_id, at)
    WHERE kind IN ('submitted', 'resubmitted');
