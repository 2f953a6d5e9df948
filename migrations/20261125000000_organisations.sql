-- Organisations are the tenants of Orgdesk: every other business table carries
-- an org_id that points here. Rows are created when a registration is approved.
CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 128),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX organisations_created_at_idx ON organisations (created_at);
