-- The rows that grant access carry a seal: a keyed MAC made by kvod with a
-- key kept outside the database (services/common/row_seal.h). A row whose
-- seal does not check out (written or changed outside kvod, or with none)
-- is refused with an integrity alarm. Session tokens and one-time codes are
-- now stored as a keyed hash: those stored before (plain SHA-256) can never
-- match again, so every session ends and unused codes must be issued anew.
-- Rows older than this migration are sealed once, by the first kvod that
-- starts after it (see README, "Sealed rows").
ALTER TABLE principals ADD COLUMN seal bytea;
ALTER TABLE sessions ADD COLUMN seal bytea;
ALTER TABLE shop_members ADD COLUMN seal bytea;
ALTER TABLE licences ADD COLUMN seal bytea;
ALTER TABLE participants ADD COLUMN seal bytea;
UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL;
UPDATE one_time_codes SET expires_at = least(expires_at, now())
  WHERE used_at IS NULL;
