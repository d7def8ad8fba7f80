-- Every forecast shown, once per organization and projected month, so that
-- `impact forecast-audit` can compare it with what was later realised (PRD §10.5).
CREATE TABLE IF NOT EXISTS forecast_snapshots (
    organization_id  TEXT NOT NULL,
    period_from      DATE NOT NULL,
    period_to        DATE NOT NULL,
    projected        DOUBLE PRECISION NOT NULL,
    low              DOUBLE PRECISION NOT NULL,
    high             DOUBLE PRECISION NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, period_from)
);
