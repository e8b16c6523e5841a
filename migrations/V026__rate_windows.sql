-- Rate limits that hold across kvod replicas (issue 27): password guesses
-- per source address and photo views per principal are counted here, one
-- row per key and its current fixed window, by an atomic upsert
-- (services/common/pg_rate_limiter.cc), so N kvods on this database give an
-- attacker the limit once, not N times. UNLOGGED: a count is worth no WAL
-- and no standby's acknowledgement; after a crash or a failover the counts
-- start from zero. Rows live until their window ends (minutes to an hour);
-- the key names a source address or a principal id, never a person.

CREATE UNLOGGED TABLE rate_windows (
  key        text        NOT NULL CHECK (length(key) <= 200),
  window_end timestamptz NOT NULL,
  count      integer     NOT NULL,
  PRIMARY KEY (key)
);
