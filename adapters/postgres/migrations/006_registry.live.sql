-- The district registry (live schema only): districts, the doctors on their rolls, and the
-- history of every change. Personal data (contact data, birth dates, exemption reasons and who
-- decided them) lives here and nowhere else: a period's workflow gets a minimised config built
-- from these rows (domain/registry_config.py). See docs/registry-csv.md for the fields.

CREATE TABLE districts (
    district_id    text PRIMARY KEY,
    name           text NOT NULL,
    timezone       text NOT NULL DEFAULT 'Europe/Oslo',
    policy         jsonb NOT NULL,            -- a domain.district.DistrictPolicy
    shift_template jsonb NOT NULL CHECK (jsonb_typeof(shift_template) = 'array'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per doctor and district. Leaving marks `left_on`; a doctor is never deleted.
CREATE TABLE district_doctors (
    district_id      text NOT NULL REFERENCES districts (district_id),
    doctor_id        text NOT NULL,
    role             text NOT NULL CHECK (role IN ('gp', 'substitute', 'staff')),
    name             text NOT NULL,
    mobile           text NOT NULL,           -- R-DATA-1: +47XXXXXXXX
    email            text NOT NULL,
    birth_date       date,
    -- Dated qualifications (R-QUAL-1, R-QUAL-4) and experience counts.
    specialist_gp    date,
    violence_course  date,
    acute_course     date,
    clinical_months  integer NOT NULL CHECK (clinical_months >= 0),
    duty_shifts_done integer NOT NULL CHECK (duty_shifts_done >= 0),
    gp_months        integer NOT NULL CHECK (gp_months >= 0),
    -- [{"reason", "from", "to", "granted", "decided_by", "decided_at", "applied_on"}] (R-EX-1/2/3)
    exemptions       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(exemptions) = 'array'),
    -- [{"from", "to", "reason"}]
    absences         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(absences) = 'array'),
    -- [{"substitute_for", "from", "to"}] (R-EX-5)
    stand_ins        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(stand_ins) = 'array'),
    joined_on        date,                    -- first day on the roll (NULL: since always)
    left_on          date,                    -- last day on the roll (NULL: still there)
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (district_id, doctor_id),
    CHECK (left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on)
);

-- Every change: who (an actor such as "admin:Kari Nordmann"), when, and what, field by field
-- with the old and the new value ({"email": {"old": …, "new": …}}). doctor_id NULL: a change to
-- the district itself (name, shift template, policy settings).
CREATE TABLE district_changes (
    change_id   bigserial PRIMARY KEY,
    district_id text NOT NULL REFERENCES districts (district_id),
    doctor_id   text,
    action      text NOT NULL CHECK (action IN ('added', 'changed', 'left')),
    actor       text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    changes     jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object')
);
CREATE INDEX district_changes_doctor_idx ON district_changes (district_id, doctor_id, change_id);

-- The history is append-only, enforced by the database for every role (as the event log is,
-- migration 005): only the tables' owner could drop these triggers, and the application's role
-- owns nothing.
CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the registry keeps its records and their history: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER district_changes_append_only BEFORE UPDATE OR DELETE ON district_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER district_changes_no_truncate BEFORE TRUNCATE ON district_changes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
-- Districts are never deleted either: their history refers to them.
CREATE TRIGGER districts_kept BEFORE DELETE ON districts
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER district_doctors_kept BEFORE DELETE ON district_doctors
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
