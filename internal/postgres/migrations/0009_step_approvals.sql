-- An approval is bound to the plan that was shown (incident.PlanDigest of it) and lapses:
-- when it was given and the digest approved; the commander's break-glass reason and count
-- (the review and the KPIs read them); and why the last approval was voided, with what
-- changed in the plan, while the step awaits a new one.
ALTER TABLE run_steps ADD COLUMN approved_at TEXT NOT NULL DEFAULT '';
ALTER TABLE run_steps ADD COLUMN approved_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE run_steps ADD COLUMN break_glass TEXT NOT NULL DEFAULT '';
ALTER TABLE run_steps ADD COLUMN break_glasses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_steps ADD COLUMN voided TEXT NOT NULL DEFAULT '';
ALTER TABLE run_steps ADD COLUMN plan_change TEXT NOT NULL DEFAULT '';
