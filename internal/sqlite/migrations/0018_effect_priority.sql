-- Priorities: the critical path of a new incident (its channel, card, first topic, the
-- declarer's invite, the pages) is claimed before every other effect due (priority 1).
ALTER TABLE effects ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
UPDATE effects SET priority = 1 WHERE kind IN ('create_channel', 'post_card', 'page')
  OR (kind = 'invite' AND key LIKE '%:invite:declarer') OR (kind = 'set_topic' AND key LIKE '%:set_topic:initial');
CREATE INDEX effects_claim ON effects (priority DESC, next_attempt_at) WHERE state = 'pending';
