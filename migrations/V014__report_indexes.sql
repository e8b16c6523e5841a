-- The reduction report (issue 17) counts an area's incidents and cards of
-- a period from indexes alone: the incidents' index carries the columns
-- the report groups and sums (it still serves every query by area and
-- time), and cards get one by area and issue time. Index-only scans need
-- the visibility map, which (auto)vacuum keeps.
DROP INDEX incidents_by_area_time;
CREATE INDEX incidents_by_area_time ON incidents (area_id, occurred_at)
  INCLUDE (offence_type, damage_cents);
CREATE INDEX cards_by_area_from ON cards (area_id, valid_from)
  INCLUDE (kind, person_id);
