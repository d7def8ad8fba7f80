-- A chatbot's own database, shaped as a real one is: its own table and column
-- names. The views in `impact_views` expose the relations of METRICS.md §8.1 over
-- them; `impact` reads only those views, through a role that may only SELECT them
-- (02-reader.sql). The test suite builds its live sources from this very file.
CREATE SCHEMA chatbot;
CREATE TABLE chatbot.tenants (
    tenant_id TEXT PRIMARY KEY, display_name TEXT NOT NULL, has_ai BOOLEAN NOT NULL,
    tz TEXT, hours JSONB, holiday_list JSONB);
CREATE TABLE chatbot.conversations (
    tenant_id TEXT NOT NULL, conv_id TEXT NOT NULL, medium VARCHAR(40) NOT NULL,
    customer TEXT NOT NULL, opened_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ,
    end_reason TEXT, agent TEXT, agent_at TIMESTAMPTZ,
    touched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conv_id));
CREATE INDEX ON chatbot.conversations (tenant_id, opened_at, conv_id);
CREATE INDEX ON chatbot.conversations (tenant_id, customer, ended_at);
CREATE INDEX ON chatbot.conversations (opened_at);
CREATE INDEX ON chatbot.conversations (ended_at);
CREATE INDEX ON chatbot.conversations (agent_at);
CREATE INDEX ON chatbot.conversations (touched_at);
CREATE TABLE chatbot.messages (
    tenant_id TEXT NOT NULL, conv_id TEXT NOT NULL, sender TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL);
CREATE INDEX ON chatbot.messages (tenant_id, conv_id, sender);
CREATE INDEX ON chatbot.messages (sent_at);
CREATE TABLE chatbot.summaries (
    tenant_id TEXT NOT NULL, conv_id TEXT NOT NULL, mood JSONB, made_at TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, conv_id));
CREATE INDEX ON chatbot.summaries (made_at);
CREATE SCHEMA impact_views;
CREATE VIEW impact_views.organizations AS
    SELECT tenant_id AS id, display_name AS name, has_ai AS ai_addon, tz AS timezone,
           hours AS business_hours, holiday_list AS holidays
    FROM chatbot.tenants;
CREATE VIEW impact_views.rooms AS
    SELECT tenant_id AS organization_id, conv_id AS id, medium AS channel,
           customer AS contact_id, opened_at AS created_at, ended_at AS closed_at,
           end_reason AS closed_reason, agent AS assign_channel_agent_id,
           agent_at AS assigned_at, touched_at AS updated_at
    FROM chatbot.conversations;
CREATE VIEW impact_views.histories AS
    SELECT conv_id AS room_id, tenant_id AS organization_id, sender AS sender_type,
           sent_at AS created_at
    FROM chatbot.messages;
CREATE VIEW impact_views.room_summaries AS
    SELECT conv_id AS room_id, tenant_id AS organization_id, mood AS sentiment,
           made_at AS created_at
    FROM chatbot.summaries;
