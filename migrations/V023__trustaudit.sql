-- The audit log against whoever holds the database (issue 25) and one
-- spelling of an entry's subjects (issue 24).
--
-- Each entry now names the kvod process that wrote it (writer_id: 16 random
-- bytes per start) and its write number; the write MAC (v3) covers both, so
-- a copy of a genuine row is refused by the sequencer: no two sequenced
-- entries share an entry MAC. Older entries keep their v1/v2 MAC.
ALTER TABLE audit_entries
  ADD COLUMN writer_id bytea,
  ADD COLUMN write_no bigint;
CREATE INDEX audit_entries_by_entry_mac ON audit_entries (entry_mac)
  WHERE seq IS NOT NULL;

-- Retention entries joined their subjects with blanks, the sequencer split
-- on commas: those entries were indexed under one long "subject" (or, past
-- the index's row limit, never sequenced). Index them as the sequencer now
-- does, one row per subject, ids longer than 200 bytes left out.
DELETE FROM audit_subjects
  WHERE subject ~ '[[:space:]]' OR octet_length(subject) > 200;
INSERT INTO audit_subjects (subject, seq)
  SELECT DISTINCT s, e.seq
  FROM audit_entries e, regexp_split_to_table(e.subject, '[,[:space:]]+') AS s
  WHERE e.seq IS NOT NULL AND e.content_erased_at IS NULL AND s <> ''
    AND octet_length(s) <= 200
  ON CONFLICT DO NOTHING;
