-- Issue 24: an objection upheld against a collective warning left the ban
-- escalated from it in force. A collective ban now names the warning it
-- rests on (an offence during that warning), so an upheld objection to the
-- warning ends the ban too.
ALTER TABLE cards ADD COLUMN escalated_from bigint REFERENCES cards (id);
-- Bans issued before this migration: the rule text said why
-- ("collective ban: offence during an active collective warning ..." or,
-- in the Deventer practice, "... second offence within N days ...");
-- the warning is the person's collective warning in the area that was in
-- force when the ban was issued (the latest, should there be more).
UPDATE cards b SET escalated_from = (
    SELECT w.id FROM cards w
    WHERE w.person_id = b.person_id AND w.area_id = b.area_id
      AND w.kind = 'collective_warning' AND w.id <> b.id
      AND w.valid_from <= b.valid_from AND b.valid_from < w.valid_until
      AND (w.revoked_at IS NULL OR w.revoked_at > b.valid_from)
    ORDER BY w.valid_from DESC, w.id DESC LIMIT 1)
  WHERE b.kind = 'collective_ban'
    AND (b.rule LIKE 'collective ban: offence during an active collective warning%'
         OR b.rule LIKE 'collective ban: second offence within%');
CREATE INDEX cards_escalated_from ON cards (escalated_from)
  WHERE escalated_from IS NOT NULL;
