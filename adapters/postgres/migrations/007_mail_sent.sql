-- The mail sent-log: one row per message delivered to the SMTP server, keyed by
-- (period, doctor, kind), so no invitation, reminder or results mail is ever sent twice
-- (activities/mail.py checks it before sending and writes it after the server accepted).
-- No address is stored: recipient_hash is sha256 of the normalised address, enough to tell
-- whether a later address differs, while the address itself stays in the registry only.
CREATE TABLE mail_sent (
    period_id      text NOT NULL,
    doctor_id      text NOT NULL,
    kind           text NOT NULL,   -- invitation | reminder-wishes | reminder-offering | results
    district_id    text NOT NULL,
    message_id     text NOT NULL,   -- the Message-ID header, derived from the key
    recipient_hash text NOT NULL,
    sent_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period_id, doctor_id, kind)
);
