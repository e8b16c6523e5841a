-- The audit log. Writers only INSERT (in their own transaction, so appends
-- never queue on a chain head); the sequencer, one per database under an
-- advisory lock, assigns contiguous tree indexes (seq) and leaf hashes in
-- the order it sees commits, then signs a tree head.
CREATE TABLE audit_entries (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  principal_id  bigint,
  role          text NOT NULL DEFAULT '',
  action        text NOT NULL,
  subject       text NOT NULL DEFAULT '',
  purpose       text NOT NULL DEFAULT '',
  outcome       text NOT NULL CHECK (outcome IN ('ok', 'denied', 'error')),
  request_id    text NOT NULL DEFAULT '',
  seq           bigint UNIQUE,
  leaf_hash     bytea
);
CREATE INDEX audit_entries_unsequenced ON audit_entries (id) WHERE seq IS NULL;

CREATE TABLE audit_signing_keys (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  public_key  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_tree_heads (
  tree_size     bigint PRIMARY KEY,
  root_hash     bytea NOT NULL,
  timestamp_ms  bigint NOT NULL,
  signature     bytea NOT NULL,
  key_id        integer NOT NULL REFERENCES audit_signing_keys (id)
);
