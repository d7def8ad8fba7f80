-- The role `impact` reads the chatbot's database with: it may connect and SELECT
-- the views of impact_views, nothing else (a view runs with its owner's rights, so
-- the role needs nothing on the chatbot's own tables).
CREATE ROLE impact_reader LOGIN PASSWORD 'impact_reader';
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE chatbot TO impact_reader;
GRANT USAGE ON SCHEMA impact_views TO impact_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA impact_views TO impact_reader;
