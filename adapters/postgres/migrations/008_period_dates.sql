-- The period's dates in the projection: a district's rounds in order (carry-over, R-LOAD-1) and
-- the check that one district has one round per period (R-PROC-5).
ALTER TABLE period_status ADD COLUMN period_start date;
ALTER TABLE period_status ADD COLUMN period_end date;
CREATE INDEX period_status_district_idx ON period_status (district_id, period_start);
