-- Actions the rulebook refused (they never became events: a rejected update writes nothing).
-- Kept so `vakt explain` can show a doctor their refused picks and claims, with the rule.
CREATE TABLE rejected_actions (
    stream_id text NOT NULL,
    seq       integer NOT NULL,      -- order of submission within the period
    kind      text NOT NULL,         -- staff_entry | advance_wish | meeting_pick | offering_claim
    doctor_id text NOT NULL,
    shift_id  text NOT NULL,
    rule      text NOT NULL,
    message   text NOT NULL,
    PRIMARY KEY (stream_id, seq)
);
CREATE INDEX rejected_actions_doctor_idx ON rejected_actions (stream_id, doctor_id);
