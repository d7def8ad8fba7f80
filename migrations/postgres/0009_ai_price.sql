-- What the organization pays for the AI each month (docs/metrics.md §4.4); NULL
-- when it has not said.
ALTER TABLE cost_assumptions ADD COLUMN IF NOT EXISTS ai_price_per_month BIGINT
    CHECK (ai_price_per_month BETWEEN 1000 AND 1000000000);
