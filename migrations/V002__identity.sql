-- Principals (people and systems that call kvod), their areas, one-time
-- codes and sessions. Secrets are stored only as hashes: Argon2id for
-- passwords, SHA-256 for high-entropy codes and tokens.
CREATE TABLE principals (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login            text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  role             text NOT NULL CHECK (role IN ('shopkeeper', 'security', 'police',
                                                 'coordinator', 'privacy_officer', 'admin')),
  status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'active', 'suspended')),
  password_hash    text,
  failed_logins    integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  created_by       bigint REFERENCES principals (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (status = 'pending' OR password_hash IS NOT NULL)
);

CREATE TABLE principal_areas (
  principal_id  bigint NOT NULL REFERENCES principals (id),
  area_id       bigint NOT NULL REFERENCES areas (id),
  PRIMARY KEY (principal_id, area_id)
);
CREATE INDEX principal_areas_by_area ON principal_areas (area_id);

CREATE TABLE one_time_codes (
  code_hash     bytea PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('bootstrap', 'enrollment')),
  principal_id  bigint REFERENCES principals (id),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'bootstrap') = (principal_id IS NULL))
);

CREATE TABLE sessions (
  token_hash    bytea PRIMARY KEY,
  principal_id  bigint NOT NULL REFERENCES principals (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX sessions_by_principal ON sessions (principal_id) WHERE revoked_at IS NULL;
