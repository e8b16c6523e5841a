-- Erasure reaches what PostgreSQL keeps beside the rows.
--
-- Statistics: ANALYZE (kvod's own at start, autovacuum's) copies sampled
-- values of every column into pg_statistic (most common values, histogram
-- bounds), where a deleted data key would outlive its row. The key columns
-- are never sampled; the same-type ALTER below drops what was sampled
-- already (PostgreSQL removes a column's statistics when its type is set;
-- bytea to bytea rewrites nothing).
ALTER TABLE data_keys ALTER COLUMN wrapped_key SET STATISTICS 0;
ALTER TABLE data_keys ALTER COLUMN wrapped_key TYPE bytea;
ALTER TABLE key_encryption_keys ALTER COLUMN wrapped_key SET STATISTICS 0;
ALTER TABLE key_encryption_keys ALTER COLUMN wrapped_key TYPE bytea;
ALTER TABLE root_key ALTER COLUMN blind_key SET STATISTICS 0;
ALTER TABLE root_key ALTER COLUMN blind_key TYPE bytea;

-- Who was erased: the ids (the data database's persons.id) whose data key
-- was deleted, never a key. A restored dump of the data taken before an
-- erasure still holds the person's record, blind index and cards; kvod
-- erases them again when it finds them (retention kind restored_erasure,
-- also at start). A new key stored for an id removes it from here (the
-- data was restored to before the id was handed out; it is a new person).
CREATE TABLE erased_data_keys (
  person_id  bigint PRIMARY KEY,
  erased_at  timestamptz NOT NULL DEFAULT now()
);
