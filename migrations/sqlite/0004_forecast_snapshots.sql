-- Every forecast shown, once per organization and projected month, so that
-- `impact forecast-audit` can compare it with what was later realised (PRD §10.5).
CREATE TABLE IF NOT EXISTS forecast_snapshots (
    organization_id  TEXT NOT NULL,
    period_from      TEXT NOT NULL,
    period_to        TEXT NOT NULL,
    projected        REAL NOT NULL,
    low              REAL NOT NULL,
    high             REAL NOT NULL,
    recorded_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, period_from)
);
