-- Erasure that really erases: an erased person's blind index goes with the
-- data key, so name + date of birth no longer find the record and a new
-- registration of the same person starts a fresh one. The row stays (under
-- its pseudonymous id) for the incidents, cards and audit entries that
-- name it.
ALTER TABLE persons ALTER COLUMN blind_index DROP NOT NULL;

-- Persons erased before this migration lose theirs too. A committed person
-- without a data key is an erased one (the key is written in the
-- registration's own transaction).
UPDATE persons SET blind_index = NULL WHERE wrapped_dek IS NULL;
