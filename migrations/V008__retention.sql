-- Retention of the registry's own rows. A card cannot be deleted (its
-- incident, objections and the gallery's change log name it), so retention
-- keeps its anonymous shape (area, shop, kind, period) and drops what is
-- personal beyond the person's pseudonymous row: the free-text revocation
-- reason. retained_at says when, so each card is counted once.
ALTER TABLE cards ADD COLUMN retained_at timestamptz;
CREATE INDEX cards_not_retained ON cards (valid_until) WHERE retained_at IS NULL;
