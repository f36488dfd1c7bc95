-- A roll uploaded in the browser waits here between its preview and its confirmation, so the
-- confirmation may reach another web process than the preview did (several behind one proxy)
-- and a restart in between loses nothing. The file is kept as it was sent and read again on
-- confirmation: the same bytes give the same records. Rows are removed 30 minutes after they
-- were staged (they hold personal data: the roll's contact data).
CREATE TABLE staged_rolls (
    token        text PRIMARY KEY,             -- sha256 of the district, the admin, the day, the stored roll, the file
    district_id  text NOT NULL,
    actor        text NOT NULL,                -- admin:<account id>: only they may confirm it
    filename     text NOT NULL,
    today        date NOT NULL,                -- the day those missing from the file leave
    roll_before  text NOT NULL,                -- digest of the stored roll it was compared with
    roll_after   text NOT NULL,                -- digest of the roll once it is stored
    content      bytea NOT NULL,
    staged_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staged_rolls_staged_at_idx ON staged_rolls (staged_at);
