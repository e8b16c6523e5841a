-- Root key rotation. The blind-index key moves here, wrapped by the root key
-- (until now it was derived from the root key), so a new root key leaves
-- every blind index as it is; root_id names the root key that wraps the
-- KEKs and the blind key now (a keyed hash, not the key), so a kvod still
-- holding the old root key notices instead of wrapping new KEKs with it.
-- One row; kvod writes it at its first start on this version.
CREATE TABLE root_key (
  one         boolean PRIMARY KEY DEFAULT true CHECK (one),
  root_id     bytea NOT NULL,
  blind_key   bytea NOT NULL,
  rotated_at  timestamptz
);
