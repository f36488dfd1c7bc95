-- Who acted, and a hash chain per stream (both schemas).
-- actor: "doctor:gp01", "operator:kari", "system:deadline" ... recorded with every event.
-- hash: sha256 over the previous event's hash and this event's content (activities/chain.py),
-- so a change made behind the application's back is detected by `vakt verify`. Events stored
-- before this migration have no hash and are reported as unchained.
ALTER TABLE events ADD COLUMN actor text NOT NULL DEFAULT 'system:unrecorded';
ALTER TABLE events ALTER COLUMN actor DROP DEFAULT;
ALTER TABLE events ADD COLUMN prev_hash text;
ALTER TABLE events ADD COLUMN hash text;
ALTER TABLE streams ADD COLUMN last_hash text;

-- Refusals: one sequence for all (max(seq)+1 collided when two refusals arrived at once), and
-- who submitted the refused action.
CREATE SEQUENCE rejected_actions_seq;
SELECT setval('rejected_actions_seq', coalesce((SELECT max(seq) FROM rejected_actions), 0) + 1, false);
ALTER TABLE rejected_actions ALTER COLUMN seq TYPE bigint;
ALTER TABLE rejected_actions ALTER COLUMN seq SET DEFAULT nextval('rejected_actions_seq');
ALTER SEQUENCE rejected_actions_seq OWNED BY rejected_actions.seq;
ALTER TABLE rejected_actions ADD COLUMN actor text NOT NULL DEFAULT 'system:unrecorded';
ALTER TABLE rejected_actions ADD COLUMN refused_at timestamptz NOT NULL DEFAULT now();
