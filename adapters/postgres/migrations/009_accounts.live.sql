-- The web service (issue 9), live schema only: operators' and admins' accounts, e-mailed
-- sign-in links, their rate limit, doctors' calendar feeds and doctors' requests to the clinic.
-- Doctors have no account row: a doctor is known by the e-mail address on the registry's roll.
-- No token is stored in the clear: only its SHA-256, so a copy of the table signs nobody in.

CREATE TABLE accounts (
    email       text PRIMARY KEY,              -- lower case
    role        text NOT NULL CHECK (role IN ('operator', 'admin')),
    name        text NOT NULL,                 -- recorded as the actor: operator:<name>
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);

CREATE TABLE sign_in_links (
    token_hash text PRIMARY KEY,               -- sha256 of the token in the link
    email      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz                     -- single use: set once, when it signs in
);
CREATE INDEX sign_in_links_expiry_idx ON sign_in_links (expires_at);

-- Requests for a link per address (keyed by a keyed hash of the address, known or not), for
-- the rate limit. Old rows are pruned as new ones arrive.
CREATE TABLE sign_in_attempts (
    address_hash text NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_idx ON sign_in_attempts (address_hash, attempted_at);

-- A doctor's personal calendar feed: the token in its URL is derived from the session secret,
-- the doctor and `generation`; a new link or a revocation bumps the generation.
CREATE TABLE calendar_feeds (
    district_id text NOT NULL,
    doctor_id   text NOT NULL,
    generation  integer NOT NULL,
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (district_id, doctor_id)
);

-- Requests to the clinic: an exemption (R-EX-1/2/3), a meeting absence (R-MEET-1), a leave
-- with a substitute (R-EX-5). Decided once, by an operator; the decision also goes into the
-- registry and its history (district_changes).
CREATE TABLE doctor_requests (
    request_id   bigserial PRIMARY KEY,
    district_id  text NOT NULL REFERENCES districts (district_id),
    doctor_id    text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('exemption', 'meeting_absence', 'leave')),
    details      jsonb NOT NULL CHECK (jsonb_typeof(details) = 'object'),
    submitted_by text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'granted', 'refused')),
    decided_by   text,
    decided_at   timestamptz,
    decision     text,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX doctor_requests_pending_idx ON doctor_requests (status, submitted_at);
CREATE INDEX doctor_requests_doctor_idx ON doctor_requests (district_id, doctor_id);

-- Doctors sign in by the address on the roll.
CREATE INDEX district_doctors_email_idx ON district_doctors (lower(email));
