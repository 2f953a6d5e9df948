-- Every request of a public endpoint that may send a code, whether or not
-- the address belongs to anyone: per-IP and per-network caps count these
-- rows, across every purpose, so that they neither reveal which addresses
-- are known nor let one client pump messages through several flows.
CREATE TABLE code_requests (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_ip   inet NOT NULL,
    -- The client's /24 (IPv4) or /64 (IPv6).
    network     cidr NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX code_requests_ip_idx ON code_requests (client_ip, created_at);
CREATE INDEX code_requests_network_idx ON code_requests (network, created_at);

-- Codes are looked up, limited and replaced per purpose and destination:
-- a registration code sent to an address leaves that person's reset code alone.
CREATE INDEX one_time_codes_purpose_destination_idx
    ON one_time_codes (destination, purpose, created_at DESC);
DROP INDEX one_time_codes_destination_idx;
