DROP INDEX IF EXISTS tickets_title_trgm_idx;
DROP TABLE IF EXISTS knowledge_base_articles;
DROP FUNCTION IF EXISTS knowledge_base_tags_text(text[]);
-- pg_trgm stays: another schema object may have come to depend on it.
