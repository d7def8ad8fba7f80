-- What ops are paged on (config/prometheus/alerts.yml): when the datamart was last
-- written and which days still wait for their sentiment. Both read through an index,
-- so the server can ask every minute whatever the size of the datamart.
CREATE INDEX IF NOT EXISTS ai_activity_logs_by_computed_at ON ai_activity_logs (computed_at);
CREATE INDEX IF NOT EXISTS ai_activity_logs_pending_sentiment ON ai_activity_logs (day)
    WHERE sentiment_pending;
