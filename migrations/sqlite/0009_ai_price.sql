-- What the organization pays for the AI each month (docs/metrics.md §4.4); NULL
-- when it has not said. The same as migrations/postgres/0009_ai_price.sql.
ALTER TABLE cost_assumptions ADD COLUMN ai_price_per_month INTEGER
    CHECK (ai_price_per_month BETWEEN 1000 AND 1000000000);
