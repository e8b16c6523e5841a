-- Issue 25: erasure reaches what PostgreSQL keeps beside the rows, and the
-- notes of data-subject requests are personal data.
--
-- The blind index is never sampled into pg_statistic (ANALYZE copies
-- sampled values into its histogram), where an erased person's entry would
-- outlive the erasure; the same-type ALTER drops what was sampled already.
ALTER TABLE persons ALTER COLUMN blind_index SET STATISTICS 0;
ALTER TABLE persons ALTER COLUMN blind_index TYPE bytea;

-- Notes of data-subject requests name the person ("Jan van der Berg,
-- Kerkstraat 12 wil gewist worden"): from now on they are kept only
-- sealed with the person's data key, so they go with the erasure. kvod
-- seals the plain notes left in notes and outcome_note at start (or deletes
-- them when the person was erased) and keeps those columns empty.
ALTER TABLE subject_requests
  ADD COLUMN sealed_notes bytea,
  ADD COLUMN sealed_outcome_note bytea;
ALTER TABLE subject_requests ALTER COLUMN notes SET STATISTICS 0;
ALTER TABLE subject_requests ALTER COLUMN notes TYPE text;
ALTER TABLE subject_requests ALTER COLUMN outcome_note SET STATISTICS 0;
ALTER TABLE subject_requests ALTER COLUMN outcome_note TYPE text;
