-- The knowledge base (issue #4): articles admins write and everyone reads,
-- searched by rank. Trigram similarity over ticket titles lets the agent's
-- find_similar_tickets tool name likely duplicates; pg_trgm is a trusted
-- extension (PostgreSQL 13+), so the database owner may create it (RDS too).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- array_to_string is only STABLE (it could depend on the element type's
-- output function); for text[] it cannot change, so this wrapper may be
-- IMMUTABLE, as a generated column requires.
CREATE FUNCTION knowledge_base_tags_text(tags text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_to_string(tags, ' ') $$;

CREATE TABLE knowledge_base_articles (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title         varchar(255) NOT NULL CHECK (length(btrim(title)) >= 1),
  content       text NOT NULL CHECK (length(btrim(content)) >= 1),
  category      text CHECK (category IN
                  ('technical', 'billing', 'feature_request', 'bug', 'user_access', 'general',
                   'integration', 'performance', 'security')),
  tags          text[] NOT NULL DEFAULT '{}',
  created_by_id uuid,
  updated_by_id uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
  search_vector tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('english', title), 'A') ||
                  setweight(to_tsvector('english', knowledge_base_tags_text(tags)), 'B') ||
                  setweight(to_tsvector('english', content), 'C')) STORED
);

CREATE INDEX knowledge_base_search_idx ON knowledge_base_articles USING gin (search_vector);
CREATE INDEX knowledge_base_updated_idx ON knowledge_base_articles (updated_at DESC, id);
CREATE INDEX knowledge_base_tags_idx ON knowledge_base_articles USING gin (tags);

-- GiST, not GIN: find_similar_tickets asks for the nearest titles in
-- distance order (title <-> $1 LIMIT n), which only GiST can give.
CREATE INDEX tickets_title_trgm_idx ON tickets USING gist (title gist_trgm_ops)
  WHERE deleted_at IS NULL;
