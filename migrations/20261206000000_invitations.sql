-- Invitations to join (邀请): a link /join/<token> sent by email and/or SMS
-- to a person an administrator added.

ALTER TABLE organisations
    -- How long a new invitation link stays valid.
    ADD COLUMN invitation_days integer NOT NULL DEFAULT 7 CHECK (invitation_days BETWEEN 1 AND 30),
    -- A reminder once a day, at most three, to people who have not activated.
    ADD COLUMN invitation_reminders boolean NOT NULL DEFAULT true;

CREATE TABLE invitations (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL,
    account_id    uuid NOT NULL,
    -- The addresses the link went to, as they were: the person proves one
    -- of them to activate, and a changed address kills the link.
    email         text,
    mobile        text,
    invited_by    uuid,
    -- The language of the messages.
    locale        text NOT NULL CHECK (locale IN ('en', 'zh-CN')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    -- Ended by an administrator ('revoked') or by a newer link ('replaced').
    ended_at      timestamptz,
    ended_reason  text CHECK (ended_reason IN ('revoked', 'replaced')),
    accepted_at   timestamptz,
    reminders     integer NOT NULL DEFAULT 0 CHECK (reminders BETWEEN 0 AND 3),
    reminded_at   timestamptz,
    -- The holder of a dead link asked for a new one (the administrators were told).
    renewal_asked_at timestamptz,
    CHECK (email IS NOT NULL OR mobile IS NOT NULL),
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL)),
    CHECK (ended_at IS NULL OR accepted_at IS NULL),
    FOREIGN KEY (org_id, account_id) REFERENCES accounts (org_id, id) ON DELETE CASCADE
);

-- At most one live link per person.
CREATE UNIQUE INDEX invitations_open_key ON invitations (account_id)
    WHERE ended_at IS NULL AND accepted_at IS NULL;
CREATE INDEX invitations_account_idx ON invitations (account_id, created_at DESC);
-- The reminder job's scan.
CREATE INDEX invitations_reminder_idx ON invitations (created_at)
    WHERE ended_at IS NULL AND accepted_at IS NULL AND reminders < 3;

-- The links of an invitation: the first message's, and each reminder's
-- (a reminder cannot repeat a link whose token is not kept). Only a SHA-256
-- of each token is kept: it carries 256 random bits, so no key is needed
-- to stop guessing. Every link of an invitation dies with it.
CREATE TABLE invitation_tokens (
    token_hash     bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    invitation_id  uuid NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitation_tokens_invitation_idx ON invitation_tokens (invitation_id);

-- Every message an invitation sent (the first and its reminders): the
-- console shows each channel's delivery from the outbox.
CREATE TABLE invitation_messages (
    invitation_id  uuid NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    outbox_id      uuid NOT NULL,
    channel        text NOT NULL CHECK (channel IN ('email', 'sms')),
    kind           text NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (invitation_id, outbox_id)
);
CREATE INDEX invitation_messages_outbox_idx ON invitation_messages (outbox_id);

-- The members' directory shows mobile numbers and email addresses unless
-- the organisation keeps them to administrators.
ALTER TABLE organisations
    ADD COLUMN directory_hides_contacts boolean NOT NULL DEFAULT false;

-- The most members (not counting those who left) an organisation may have,
-- set by the platform's operators (WeCom's 人数上限): NULL is the default,
-- 200 until the organisation is verified (its application approved) and no
-- cap after; 0 is no cap.
ALTER TABLE organisations
    ADD COLUMN member_cap integer CHECK (member_cap BETWEEN 0 AND 10000000),
    ADD COLUMN verified_at timestamptz;
UPDATE organisations o SET verified_at = o.created_at
 WHERE o.credit_code IS NOT NULL
   AND EXISTS (SELECT 1 FROM registrations r WHERE r.status = 'approved' AND r.credit_code = o.credit_code);

-- The organisation's join link (扫码加入): anyone who opens it may ask to
-- join, and administrators approve or reject. One link per organisation: a
-- rotation kills the old one, and it works 7 days from its last renewal
-- (WeCom). The token is kept hashed for lookups, and sealed with a server
-- key so the link and its QR code can be shown again to administrators.
CREATE TABLE join_links (
    org_id        uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    token_sealed  bytea NOT NULL,
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);

-- Requests to join through the link, waiting for an administrator.
CREATE TABLE join_requests (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    -- Proven by a code.
    mobile       text NOT NULL,
    email        text CHECK (char_length(email) <= 254),
    -- The department the person expects, as they typed it.
    department   text CHECK (char_length(department) <= 128),
    -- The mobile number was someone's of the organisation when the request came.
    duplicate    boolean NOT NULL DEFAULT false,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason       text CHECK (char_length(reason) <= 200),
    decided_by   uuid,
    decided_at   timestamptz,
    account_id   uuid,
    locale       text NOT NULL CHECK (locale IN ('en', 'zh-CN')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX join_requests_pending_key ON join_requests (org_id, mobile) WHERE status = 'pending';
CREATE INDEX join_requests_org_idx ON join_requests (org_id, status, created_at DESC);
