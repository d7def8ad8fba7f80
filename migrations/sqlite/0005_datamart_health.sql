-- The same as migrations/postgres/0005_datamart_health.sql.
CREATE INDEX IF NOT EXISTS ai_activity_logs_by_computed_at ON ai_activity_logs (computed_at);
CREATE INDEX IF NOT EXISTS ai_activity_logs_pending_sentiment ON ai_activity_logs (day)
    WHERE sentiment_pending;
