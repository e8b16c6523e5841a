-- The audit log against whoever holds the database. Each entry carries a
-- MAC made when kvod wrote it (entry_mac: keyed BLAKE2b over its time and
-- fields, with a key kept beside the signing key, never here), and one
-- made when the sequencer placed it (seq_mac: over its index, time and leaf
-- hash), so a row written, renumbered or rehashed outside kvod is named by
-- its own index. Rows whose entry_mac fails are quarantined, never signed.
-- Retention empties an old entry's content (content_erased_at) and keeps
-- its time, leaf hash and seq_mac, so the tree and its proofs still hold.
ALTER TABLE audit_entries
  ADD COLUMN entry_mac bytea,
  ADD COLUMN seq_mac bytea,
  ADD COLUMN quarantined_at timestamptz,
  ADD COLUMN content_erased_at timestamptz;

DROP INDEX audit_entries_unsequenced;
CREATE INDEX audit_entries_unsequenced ON audit_entries (id)
  WHERE seq IS NULL AND quarantined_at IS NULL;

-- Retention finds old entries whose content is still there by time.
CREATE INDEX audit_entries_whole_by_time ON audit_entries (at)
  WHERE seq IS NOT NULL AND content_erased_at IS NULL;
