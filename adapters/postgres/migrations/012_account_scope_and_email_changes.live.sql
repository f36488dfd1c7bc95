-- Operators and admins recorded by a stable id, scoped to the districts they serve, and a
-- doctor's own change of e-mail address confirmed from the new address (live schema only).

-- A stable id beside the name: events record operator:<account_id>, never the name, which is
-- neither unique nor fixed. Existing accounts get one now.
CREATE SEQUENCE accounts_account_number_seq;
ALTER TABLE accounts ADD COLUMN account_id text;
UPDATE accounts SET account_id = 'acct-' || nextval('accounts_account_number_seq');
ALTER TABLE accounts ALTER COLUMN account_id SET DEFAULT 'acct-' || nextval('accounts_account_number_seq');
ALTER TABLE accounts ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE accounts ADD CONSTRAINT accounts_account_id_key UNIQUE (account_id);

-- The districts an account serves; '*' is every district. Accounts made before scopes served
-- every district, and keep doing so until an admin narrows them (`vakt account add --district`).
ALTER TABLE accounts ADD COLUMN districts text[] NOT NULL DEFAULT '{*}';
ALTER TABLE accounts ALTER COLUMN districts DROP DEFAULT;
ALTER TABLE accounts ADD CONSTRAINT accounts_districts_check CHECK (cardinality(districts) > 0);

-- A doctor's change of their own e-mail address waits here until it is confirmed with the link
-- mailed to the new address: single use, expiring, only the token's SHA-256 is stored.
CREATE TABLE email_changes (
    token_hash   text PRIMARY KEY,
    district_id  text NOT NULL,
    doctor_id    text NOT NULL,
    old_email    text NOT NULL,                -- the address the change was asked from
    new_email    text NOT NULL,                -- lower case
    requested_by text NOT NULL,                -- the actor (doctor:<id>)
    requested_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX email_changes_doctor_idx ON email_changes (district_id, doctor_id);
CREATE INDEX email_changes_expiry_idx ON email_changes (expires_at);
