DROP INDEX IF EXISTS tickets_title_trgm_idx;
DROP TABLE IF EXISTS knowledge_base_articles;
-- pg_trgm stays: another schema object may have come to depend on it.
