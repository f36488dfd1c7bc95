-- Ending sessions before they expire (issue 9). Sessions are signed cookies, stored nowhere, so
-- a session is ended by a cutoff on its address: one signed in before `not_before` is refused.
-- Signing out, `vakt account sign-out` and disabling an account move the cutoff to now.
CREATE TABLE session_cutoffs (
    email      text PRIMARY KEY,               -- lower case
    not_before timestamptz NOT NULL,
    set_by     text NOT NULL                   -- who ended the sessions: the person, or an admin
);
