-- The time zone an organisation's times are shown in (an IANA name).
ALTER TABLE organisations
    ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Shanghai'
        CHECK (char_length(time_zone) BETWEEN 1 AND 64);
