-- Read side for operators: the roster and each period's status, kept current by the
-- RosterProjection inside the append transaction (its position is in projection_positions).
-- Readable with plain SQL and by `vakt roster` / `vakt status` with no Temporal running.
CREATE TABLE roster_entries (
    stream_id text NOT NULL,
    shift_id  text NOT NULL,
    doctor_id text,            -- NULL when the shift was left uncovered (R-PROC-4)
    source    text NOT NULL,   -- staff | advance_wish | meeting | offering | lottery | uncovered
    rule      text,            -- for uncovered shifts: the rule that left them open
    reason    text,
    version   bigint NOT NULL, -- the event that set this row
    PRIMARY KEY (stream_id, shift_id)
);

CREATE TABLE period_status (
    stream_id    text PRIMARY KEY,
    district_id  text NOT NULL,
    simulated    boolean NOT NULL,
    phase        text NOT NULL,
    meeting_open boolean NOT NULL DEFAULT false,
    quota        integer,
    shifts_total integer NOT NULL,
    unsafe       jsonb NOT NULL DEFAULT '[]',
    version      bigint NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- R-LOAD-1: shifts held per doctor and period.
CREATE VIEW doctor_load AS
    SELECT stream_id, doctor_id, count(*) AS shifts
    FROM roster_entries
    WHERE doctor_id IS NOT NULL
    GROUP BY stream_id, doctor_id;
