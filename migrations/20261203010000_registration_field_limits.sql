-- What an applicant types is bounded in the schema too, not only in the
-- server's validation: a draft can never hold more than a step accepts.
ALTER TABLE registrations
    ADD CONSTRAINT registrations_field_lengths CHECK (
        char_length(org_name) <= 128
        AND char_length(industry) <= 64
        AND char_length(size_band) <= 64
        AND char_length(credit_code) <= 32
        AND char_length(province) <= 64
        AND char_length(city) <= 64
        AND char_length(address) <= 200
        AND char_length(admin_name) <= 64
        AND char_length(admin_mobile) <= 32
        AND char_length(admin_email) <= 254
        AND char_length(legal_name) <= 64
        AND char_length(legal_id_number) <= 32
    );
