-- Squared sentiment summed per group (docs/metrics.md §4.10), so the interval of
-- the mood's delta is exact over any range.
ALTER TABLE ai_activity_logs ADD COLUMN IF NOT EXISTS contained_sentiment_squares DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE ai_activity_logs ADD COLUMN IF NOT EXISTS human_sentiment_squares DOUBLE PRECISION NOT NULL DEFAULT 0;
-- Days written before this column have moods but no squares. They are set to what
-- a day whose sentiment source did not answer holds (no mood yet, pending), so no
-- report ever pairs a mean with a spread of 0; the next aggregation run retries
-- pending days and restates them whole.
UPDATE ai_activity_logs
   SET contained_sentiment_sum = 0, contained_sentiment_rooms = 0,
       human_sentiment_sum = 0, human_sentiment_rooms = 0,
       sentiment_pending = TRUE
 WHERE contained_sentiment_rooms + human_sentiment_rooms > 0;
