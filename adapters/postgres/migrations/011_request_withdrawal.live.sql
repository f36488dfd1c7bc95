-- A doctor withdraws a request to the clinic before it is decided (issue 9). Withdrawn is a
-- final status like granted and refused: recorded with who (the doctor) and when, decided once.
ALTER TABLE doctor_requests DROP CONSTRAINT doctor_requests_status_check;
ALTER TABLE doctor_requests ADD CONSTRAINT doctor_requests_status_check
    CHECK (status IN ('pending', 'granted', 'refused', 'withdrawn'));
