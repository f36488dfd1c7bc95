-- Event store: one stream per allocation period. A "simulation" stream is a throw-away copy
-- (what-if runs); only those may ever be reset. Live periods are append-only.
CREATE TABLE streams (
    stream_id    text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('live', 'simulation')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_version bigint NOT NULL DEFAULT 0
);

CREATE TABLE events (
    -- Global order of arrival, for readers that follow all streams.
    position    bigserial PRIMARY KEY,
    -- From workflow.uuid4(): a retried append activity carries the same ids (idempotency key).
    event_id    uuid NOT NULL UNIQUE,
    stream_id   text NOT NULL REFERENCES streams (stream_id),
    -- Per stream, 1-based, contiguous: a second writer with the same version is a real conflict.
    version     bigint NOT NULL,
    type        text NOT NULL,
    data        jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version)
);

CREATE INDEX events_stream_type_idx ON events (stream_id, type);

-- How far each projection has applied each stream; written in the append's transaction.
CREATE TABLE projection_positions (
    projection text NOT NULL,
    stream_id  text NOT NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (projection, stream_id)
);
