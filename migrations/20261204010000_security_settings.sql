-- An organisation's security settings (/admin/security). NULL means the
-- default: the server's session lifetimes, the password length that NIST
-- SP 800-63B-4 asks for (8 with a second factor enforced, 15 without), and
-- no password expiry (forced rotation is discouraged).
ALTER TABLE organisations
    -- Two-step verification for every member, not only administrators.
    ADD COLUMN two_factor_for_everyone boolean NOT NULL DEFAULT false,
    ADD COLUMN password_min_length smallint CHECK (password_min_length BETWEEN 8 AND 64),
    ADD COLUMN password_expiry_days smallint CHECK (password_expiry_days BETWEEN 30 AND 365),
    -- Within the server's bounds (checked when saved, applied as the smaller of the two).
    ADD COLUMN session_idle_minutes integer CHECK (session_idle_minutes BETWEEN 5 AND 43200),
    ADD COLUMN session_absolute_hours integer CHECK (session_absolute_hours BETWEEN 1 AND 8760),
    -- Who may use the organisation's join link: nobody, or anyone, each request approved.
    ADD COLUMN join_link text NOT NULL DEFAULT 'approval' CHECK (join_link IN ('off', 'approval')),
    -- Bumped by every change of the settings, so a stale form is refused.
    ADD COLUMN security_version integer NOT NULL DEFAULT 0;
