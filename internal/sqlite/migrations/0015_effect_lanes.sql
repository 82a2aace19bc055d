-- Delivery lanes: effects of one lane (the posts to one channel, the filings of one review)
-- are delivered one at a time in commit order, the incident card first in its channel.
ALTER TABLE effects ADD COLUMN lane TEXT NOT NULL DEFAULT '';
ALTER TABLE effects ADD COLUMN lane_rank INTEGER NOT NULL DEFAULT 0;
UPDATE effects SET lane = 'incident:' || incident_id, lane_rank = 0 WHERE kind IN ('create_channel', 'post_card');
UPDATE effects SET lane = 'incident:' || incident_id, lane_rank = 1 WHERE kind IN ('post', 'post_run_card', 'post_step_card');
UPDATE effects SET lane = 'channel:' || coalesce(json_extract(payload, '$.channel'), ''), lane_rank = 1 WHERE kind = 'announce';
UPDATE effects SET lane = 'review:' || incident_id, lane_rank = 1 WHERE kind = 'file_review';
CREATE INDEX effects_lane ON effects (lane, lane_rank, id) WHERE state IN ('pending', 'inflight') AND lane <> '';
