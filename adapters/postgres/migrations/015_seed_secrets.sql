-- R-LOT-5, offline rounds: the secret a round commits to when its offering opens. Only its
-- SHA-256 goes into the event log (SeedCommitted); the secret itself stays here, out of the
-- workflow's history and the event log, until the draw reveals it (SeedRevealed). One per
-- round, written once: a retried commit finds the first secret and commits to it again.
CREATE TABLE seed_secrets (
    stream_id   text PRIMARY KEY,
    secret      bytea NOT NULL CHECK (length(secret) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revealed_at timestamptz
);
