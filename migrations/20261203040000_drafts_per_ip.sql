-- Where an application was started from, to cap drafts per IP per day.
ALTER TABLE registrations ADD COLUMN created_ip inet;
CREATE INDEX registrations_created_ip_idx ON registrations (created_ip, created_at)
    WHERE created_ip IS NOT NULL;
