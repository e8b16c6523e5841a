-- Issue 28: the audit log is append-only and grows without bound; its
-- statistics need not be sampled again at every doubling. kvod analysed
-- a table once its rows changed by half (each entry counts twice here: its
-- insert and the sequencer's update), autovacuum once by a tenth; both now
-- use these settings (AnalyzeStaleTables follows a table's own
-- autovacuum_analyze_scale_factor): audit_entries (two changes per entry)
-- is analysed again once it has grown about fivefold, audit_subjects (one
-- insert per subject) likewise. Its plans do not need fresher figures: its
-- queries go by index, and a range beyond the histogram of the ever-growing
-- at and seq columns is read from the index's end (PostgreSQL's
-- get_actual_variable_range), not from the stale histogram.
ALTER TABLE audit_entries SET (autovacuum_analyze_scale_factor = 8);
ALTER TABLE audit_subjects SET (autovacuum_analyze_scale_factor = 4);
