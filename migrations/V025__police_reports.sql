-- The police report (aangifte, issue 26): the reduction report counts an
-- area's incidents reported to the police beside all of them, from the
-- incidents' covering index alone, so the index carries has_police_report
-- too (a report recorded after the incident sets it in place).
DROP INDEX incidents_by_area_time;
CREATE INDEX incidents_by_area_time ON incidents (area_id, occurred_at)
  INCLUDE (offence_type, damage_cents, has_police_report);
