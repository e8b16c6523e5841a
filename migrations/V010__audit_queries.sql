-- Placeholder so that V011 applies on this branch: the auditq branch owns
-- V010 (audit-log queries). At merge take the auditq version of this file.
SELECT 1;
