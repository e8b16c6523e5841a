-- Data keys leave this database for the key store (a database of its own,
-- see migrations/keystore/): a dump of this database must never hold a key,
-- so that an erasure reaches old backups. kvod moves the wrapped keys still
-- here (key_encryption_keys, persons.wrapped_dek) to the key store at start
-- and empties them here; the columns stay, always NULL, until a later
-- migration drops them.
--
-- Erasure is now recorded here (erased_at) and the key deleted in the key
-- store once that committed (key_shredded_at records that it was).

ALTER TABLE persons ADD COLUMN erased_at timestamptz;
ALTER TABLE persons ADD COLUMN key_shredded_at timestamptz;
UPDATE persons SET erased_at = now(), key_shredded_at = now()
  WHERE wrapped_dek IS NULL;
ALTER TABLE persons DROP CONSTRAINT persons_kek_version_fkey;
ALTER TABLE persons ALTER COLUMN kek_version DROP NOT NULL;
CREATE INDEX persons_key_not_shredded ON persons (id)
  WHERE erased_at IS NOT NULL AND key_shredded_at IS NULL;
