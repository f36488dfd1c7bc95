-- A state-changing request sent with an Idempotency-Key is answered once: a retry with the same
-- key (the network dropped the answer, a web process died, a 503 told the client to retry) gets
-- the first answer and never applies the action twice. Kept here, not in a process's memory, so
-- it holds across restarts and across several web processes behind one proxy.
--
-- A row is claimed before the request runs (answered_at NULL, leased to one process until
-- lease_until) and holds the answer after: its status, media type, Location and body. A
-- request answered 5xx leaves no row: nothing definite happened and the retry runs again.
CREATE TABLE idempotency_keys (
    principal    text NOT NULL,                -- who sent it: the signed-in person's address
    key          text NOT NULL,                -- the client's Idempotency-Key
    fingerprint  text NOT NULL,                -- sha256 of method, path and body: the same request?
    owner        text NOT NULL,                -- the web process running it
    lease_until  timestamptz NOT NULL,         -- after this, another process may take it over
    created_at   timestamptz NOT NULL DEFAULT now(),
    answered_at  timestamptz,
    status       integer,
    media_type   text,
    location     text,
    body         bytea,
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
