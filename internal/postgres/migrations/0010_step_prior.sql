-- What a step's last successful execution changed, as it was before (incident.Prior as
-- JSON; '' when it recorded nothing), so it can be undone after a restart of the bot.
ALTER TABLE run_steps ADD COLUMN prior TEXT NOT NULL DEFAULT '';
