-- The key store: a database of its own, apart from the data it opens, so a
-- dump of the data never holds a key. A person's data key is stored here
-- only wrapped by a key-encryption key (KEK), which is stored here only
-- wrapped by the root key (a file in the data dir or KVO_ROOT_KEY, never in
-- a database). Erasing a person deletes the row of their data key: every
-- copy of the data, backups included, is unreadable for them once the
-- key-store backups older than the erasure are gone
-- (retention.key_backup_days).

CREATE TABLE key_encryption_keys (
  version      integer PRIMARY KEY CHECK (version > 0),
  -- NULL once retired: no data key uses the version any more.
  wrapped_key  bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz,
  CHECK ((wrapped_key IS NULL) = (retired_at IS NOT NULL))
);

-- person_id is the data database's persons.id (no foreign key: another
-- database).
CREATE TABLE data_keys (
  person_id    bigint PRIMARY KEY,
  kek_version  integer NOT NULL REFERENCES key_encryption_keys (version),
  wrapped_key  bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_keys_by_version ON data_keys (kek_version);
