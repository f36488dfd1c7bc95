-- Live periods only: the event log is append-only, enforced by the database itself.
-- The triggers hold for every role; only the tables' owner (the migration role) or a superuser
-- can disable them, and the application's role is neither (it is also granted no UPDATE,
-- DELETE or TRUNCATE on these tables, see activities/db.py). Simulations live in their own
-- schema, without these triggers, so a what-if run can be replaced.
CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER streams_kept BEFORE DELETE ON streams
    FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
CREATE TRIGGER streams_no_truncate BEFORE TRUNCATE ON streams
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();
