-- Reading the access log (the privacy officer's queries and anomaly report).
-- Each entry now says which area the call was about (when one) and from
-- which address it came; both are part of the hashed entry (v2 encoding),
-- so they are as tamper-evident as the rest. Older entries have neither
-- and keep their v1 hash.
ALTER TABLE audit_entries
  ADD COLUMN area_id bigint,
  ADD COLUMN peer text NOT NULL DEFAULT '';

-- An entry may name several subjects ("person:a,person:b": one gallery sync
-- disclosing N entries). The sequencer lists each subject of an entry here
-- with the entry's index, so "who read person X" is one index range scan,
-- newest first. Retention deletes the rows of entries it empties.
CREATE TABLE audit_subjects (
  subject  text NOT NULL,
  seq      bigint NOT NULL,
  PRIMARY KEY (subject, seq)
);
INSERT INTO audit_subjects (subject, seq)
  SELECT DISTINCT s, e.seq
  FROM audit_entries e, unnest(string_to_array(e.subject, ',')) AS s
  WHERE e.seq IS NOT NULL AND e.content_erased_at IS NULL AND s <> '';

-- The query shapes: one filter, newest first, a page at a time.
CREATE INDEX audit_entries_by_principal ON audit_entries (principal_id, seq DESC)
  WHERE seq IS NOT NULL;
CREATE INDEX audit_entries_by_action ON audit_entries (action, seq DESC)
  WHERE seq IS NOT NULL;
CREATE INDEX audit_entries_by_area ON audit_entries (area_id, seq DESC)
  WHERE seq IS NOT NULL;
-- A time range alone, and the anomaly report's scan of a period (erased
-- entries included, so a query shows them honestly).
CREATE INDEX audit_entries_by_time ON audit_entries (at) WHERE seq IS NOT NULL;
