-- Areas: a shopping area (KVO-W) or a business park (KVO-B). Every scoped
-- permission, card and gallery refers to one. The KVO-cycle work extends it.
CREATE TABLE areas (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind          text NOT NULL CHECK (kind IN ('shopping_area', 'business_park')),
  municipality  text NOT NULL CHECK (length(municipality) BETWEEN 1 AND 200),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (municipality, name)
);
